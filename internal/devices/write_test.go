package devices

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestWriteRoundTrip(t *testing.T) {
	pf := netip.MustParsePrefix
	in := []*Circuit{
		{
			ID: "c1", Name: `Smith, "Bob" & Co`, ParentNode: "AP, North", ParentNodeID: "splynx:ap:11",
			DownloadMin: 112.7, UploadMin: 22.54, DownloadMax: 115, UploadMax: 23,
			SQM: SQM{Down: "cake", Up: "fq_codel"},
			Devices: []*Device{
				{ID: "d1", Name: "cpe\nline", MAC: "AA:BB:CC:00:00:01", IPv4: []netip.Prefix{pf("100.64.1.2/32"), pf("100.64.30.0/29")}, IPv6: []netip.Prefix{pf("2001:db8:1::/56")}},
				{ID: "d2", Name: "router", IPv4: []netip.Prefix{pf("100.64.1.3/32")}, Comment: "second"},
			},
		},
		{ID: "#c2", Name: "Ünïcode", DownloadMin: 0.1, UploadMin: 0.1, DownloadMax: 0.1, UploadMax: 0.1,
			Devices: []*Device{{ID: "d3", IPv6: []netip.Prefix{pf("2001:db8::1/128")}}}},
	}
	data := Encode(in)
	if !strings.HasPrefix(string(data), strings.Join(columnNames[:], ",")+"\n") {
		t.Fatalf("header line wrong:\n%s", data)
	}
	if got := len(columnNames); got != 16 {
		t.Fatalf("header has %d columns, want 16", got)
	}
	f, diags := Parse("ShapedDevices.csv", data)
	if diags.HasErrors() || len(diags.Warnings()) > 0 {
		t.Fatalf("round trip diagnostics: %v\n%s", diags.Problems, data)
	}
	if !f.HasSQMColumn || !f.HasIDColumns {
		t.Fatalf("columns not detected: sqm=%v ids=%v", f.HasSQMColumn, f.HasIDColumns)
	}
	opts := []cmp.Option{cmpopts.IgnoreFields(Circuit{}, "Line"), cmpopts.IgnoreFields(Device{}, "Line"), cmpopts.EquateComparable(netip.Prefix{})}
	if d := cmp.Diff(in, f.Circuits, opts...); d != "" {
		t.Fatalf("round trip mismatch (-want +got):\n%s", d)
	}
}

func TestWriteEmpty(t *testing.T) {
	f, diags := Parse("x.csv", Encode(nil))
	if diags.HasErrors() || len(f.Circuits) != 0 {
		t.Fatalf("empty file: %v, %d circuits", diags.Problems, len(f.Circuits))
	}
}

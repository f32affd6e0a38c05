package tc

import (
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vishvananda/netlink/nl"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// hexDump prints one attribute per line so golden diffs are readable.
func hexDump(t *testing.T, b []byte, isNested bool) string {
	t.Helper()
	if !isNested {
		return hex.EncodeToString(b) + "\n"
	}
	attrs, err := nl.ParseRouteAttr(b)
	if err != nil {
		t.Fatalf("encoding does not parse as attributes: %v", err)
	}
	var sb strings.Builder
	for _, a := range attrs {
		fmt.Fprintf(&sb, "type %2d len %2d value %s\n", a.Attr.Type, a.Attr.Len, hex.EncodeToString(a.Value))
	}
	// The whole blob too, so padding and lengths are pinned.
	sb.WriteString("raw " + hex.EncodeToString(b) + "\n")
	return sb.String()
}

// leafEncodingCases are the golden encodings; the kernel tests apply the same
// cases to a real kernel and read them back.
var leafEncodingCases = []struct {
	name string
	kind string
	args string
}{
	{"cake_empty", "cake", ""},
	{"cake_diffserv4", "cake", "diffserv4"},
	{"cake_diffserv3", "cake", "diffserv3"},
	{"cake_diffserv8", "cake", "diffserv8"},
	{"cake_besteffort", "cake", "besteffort"},
	{"cake_precedence", "cake", "precedence"},
	{"cake_bandwidth_rtt", "cake", "bandwidth 100mbit rtt 20ms"},
	{"cake_unlimited", "cake", "unlimited diffserv4 rtt 300ms"},
	{"cake_flowmodes", "cake", "triple-isolate dual-srchost"},
	{"cake_nat_wash_ack_gso", "cake", "nat wash ack-filter split-gso"},
	{"cake_negations", "cake", "nonat nowash no-ack-filter no-split-gso"},
	{"cake_ackaggr_ingress", "cake", "ack-filter-aggressive ingress"},
	{"cake_egress", "cake", "egress"},
	{"cake_overhead_mpu", "cake", "overhead 18 mpu 64"},
	{"cake_overhead_negative", "cake", "overhead -4"},
	{"cake_atm", "cake", "atm overhead 44"},
	{"cake_ptm", "cake", "ptm"},
	{"cake_docsis", "cake", "docsis"},
	{"cake_ethernet", "cake", "ethernet"},
	{"cake_raw", "cake", "raw"},
	{"cake_pppoe_ptm", "cake", "pppoe-ptm"},
	{"cake_memlimit", "cake", "memlimit 32mb"},
	{"cake_fwmark", "cake", "fwmark 0xff00"},
	{"cake_preset_internet", "cake", "internet"},
	{"cake_libreqos_default", "cake", "diffserv4 rtt 140ms"},
	{"cake_autorate", "cake", "autorate-ingress bandwidth 1gbit"},
	{"cake_all", "cake", "bandwidth 950mbit besteffort triple-isolate nat nowash ack-filter split-gso rtt 100ms overhead 38 mpu 84 noatm memlimit 64mb ingress fwmark 7"},
	{"fq_codel_empty", "fq_codel", ""},
	{"fq_codel_all", "fq_codel", "limit 10240 flows 1024 target 5ms interval 100ms quantum 1514 ecn memory_limit 32mb drop_batch 64 ce_threshold 2ms"},
	{"fq_codel_noecn", "fq_codel", "noecn"},
	{"fq_codel_limit", "fq_codel", "limit 1000"},
	{"pfifo_limit", "pfifo", "limit 100"},
	{"bfifo_limit", "bfifo", "limit 64kb"},
	{"pfifo_default", "pfifo", ""},
}

func TestLeafEncodingGolden(t *testing.T) {
	tests := leafEncodingCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts, isNested, err := EncodeLeaf(tt.kind, strings.Fields(tt.args))
			if err != nil {
				t.Fatalf("EncodeLeaf(%s %q): %v", tt.kind, tt.args, err)
			}
			got := tt.kind + " " + tt.args + "\n" + hexDump(t, opts, isNested)
			path := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if got != string(want) {
				t.Errorf("encoding of %s %q changed:\ngot:\n%s\nwant:\n%s", tt.kind, tt.args, got, want)
			}
		})
	}
}

// Spot-check a few values by hand, independent of the golden files.
func TestCakeEncodingValues(t *testing.T) {
	b, err := EncodeCake(strings.Fields("bandwidth 100mbit diffserv8 rtt 20ms triple-isolate overhead -4"))
	if err != nil {
		t.Fatal(err)
	}
	attrs, err := nl.ParseRouteAttr(b)
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint16][]byte{}
	for _, a := range attrs {
		got[a.Attr.Type] = a.Value
	}
	checks := []struct {
		attr uint16
		want []byte
	}{
		{tcaCakeBaseRate64, u64(12_500_000)},
		{tcaCakeDiffservMode, u32(2)},
		{tcaCakeRTT, u32(20000)},
		{tcaCakeTarget, u32(1000)},
		{tcaCakeFlowMode, u32(7)},
		{tcaCakeOverhead, u32(0xfffffffc)},
	}
	for _, c := range checks {
		if string(got[c.attr]) != string(c.want) {
			t.Errorf("attr %d = %x, want %x", c.attr, got[c.attr], c.want)
		}
	}
	if len(attrs) != len(checks) {
		t.Errorf("got %d attributes, want %d", len(attrs), len(checks))
	}
}

func TestLeafEncodingErrors(t *testing.T) {
	tests := []struct {
		kind, args string
		wantSub    string
	}{
		{"cake", "diffserv5", `token 1 ("diffserv5"): unknown cake option`},
		{"cake", "rtt", `missing value after rtt`},
		{"cake", "rtt fast", `bad rtt`},
		{"cake", "bandwidth 10xbit", `bad rate`},
		{"cake", "overhead 300", `overhead must be`},
		{"cake", "mpu -1", `mpu must be`},
		{"cake", "memlimit lots", `bad memlimit`},
		{"fq_codel", "limit", `missing value`},
		{"fq_codel", "limit 0", `bad value for limit`},
		{"fq_codel", "target 5parsecs", `bad value for target`},
		{"fq_codel", "turbo 1", `unknown fq_codel option`},
		{"pfifo", "limit x", `bad limit`},
		{"pfifo", "size 10", `want "limit N"`},
		{"sfq", "", `unsupported leaf qdisc kind "sfq"`},
		{"", "", `empty qdisc kind`},
	}
	for _, tt := range tests {
		t.Run(tt.kind+"_"+tt.args, func(t *testing.T) {
			_, _, err := EncodeLeaf(tt.kind, strings.Fields(tt.args))
			if err == nil || !strings.Contains(err.Error(), tt.wantSub) {
				t.Fatalf("EncodeLeaf(%s %q) error = %v, want containing %q", tt.kind, tt.args, err, tt.wantSub)
			}
		})
	}
}

func TestParseUnits(t *testing.T) {
	rates := map[string]uint64{"10mbit": 10e6, "1.5gbit": 1.5e9, "800kbit": 800e3, "1000bit": 1000, "125kbps": 1e6, "100": 800}
	for in, want := range rates {
		if got, err := parseRate(in); err != nil || got != want {
			t.Errorf("parseRate(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	sizes := map[string]uint64{"1500": 1500, "32kb": 32 << 10, "4mb": 4 << 20, "1gb": 1 << 30, "64k": 64 << 10}
	for in, want := range sizes {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
}

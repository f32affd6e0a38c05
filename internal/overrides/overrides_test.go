package overrides

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/topology"
)

const csvText = `Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment
c1,One,d1,dev1,AP_A,,,,100.64.0.1,,5,5,50,20,
c1,One,d2,dev2,AP_A,,,,100.64.0.2,,5,5,50,20,
c2,Two,d3,dev3,AP_B,,,,100.64.0.3,,5,5,50,20,
`
const netText = `{"Site": {"downloadBandwidthMbps": 1000, "uploadBandwidthMbps": 1000, "id": "s1",
  "children": {"AP_A": {"downloadBandwidthMbps": 500, "uploadBandwidthMbps": 500}, "AP_B": {"id": "ap-b"}}}}`

func load(t *testing.T) (*devices.File, *topology.Network) {
	t.Helper()
	sd, l := devices.Parse("ShapedDevices.csv", []byte(csvText))
	nw, l2 := topology.Parse("network.json", []byte(netText))
	if l.HasErrors() || l2.HasErrors() {
		t.Fatal(l.Err(), l2.Err())
	}
	return sd, nw
}

func dump(l diag.List) string {
	var b strings.Builder
	for _, p := range l.Problems {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func TestApplyEachKind(t *testing.T) {
	tests := []struct {
		name  string
		json  string
		check func(t *testing.T, sd *devices.File, nw *topology.Network)
		warn  string
	}{
		{
			name: "persistent device appended as a new circuit",
			json: `{"persistent_devices": [{"circuit_id": "c9", "circuit_name": "Nine", "device_id": "d9", "device_name": "x", "parent_node": "AP_B", "mac": "", "ipv4": [["100.64.9.0", 30]], "ipv6": [["2001:db8::", 64]], "download_min_mbps": 1, "upload_min_mbps": 1, "download_max_mbps": 10, "upload_max_mbps": 10, "comment": "", "sqm_override": "fq_codel"}]}`,
			check: func(t *testing.T, sd *devices.File, _ *topology.Network) {
				c := sd.Circuit("c9")
				if c == nil || len(c.Devices) != 1 || c.DownloadMax != 10 || c.ParentNode != "AP_B" || c.SQM.Down != "fq_codel" {
					t.Fatalf("c9 = %+v", c)
				}
				if got := c.Prefixes(); len(got) != 2 || got[0].String() != "100.64.9.0/30" || got[1].String() != "2001:db8::/64" {
					t.Errorf("prefixes = %v", got)
				}
			},
		},
		{
			name: "persistent device replaces the row with its device id",
			json: `{"devices_to_append": [{"circuit_id": "c2", "device_id": "d2", "device_name": "moved", "parent_node": "AP_B", "ipv4": [["100.64.0.22", 32]], "ipv6": [], "download_min_mbps": 5, "upload_min_mbps": 5, "download_max_mbps": 50, "upload_max_mbps": 20}]}`,
			check: func(t *testing.T, sd *devices.File, _ *topology.Network) {
				if n := len(sd.Circuit("c1").Devices); n != 1 {
					t.Errorf("c1 has %d devices, want 1", n)
				}
				c2 := sd.Circuit("c2")
				if len(c2.Devices) != 2 || c2.Devices[1].Name != "moved" {
					t.Errorf("c2 devices = %+v", c2.Devices)
				}
			},
		},
		{
			name: "circuit_adjust_speed changes only non-null values",
			json: `{"circuit_adjustments": [{"type": "circuit_adjust_speed", "circuit_id": "c1", "min_download_bandwidth": null, "max_download_bandwidth": 200, "max_upload_bandwidth": 50}]}`,
			check: func(t *testing.T, sd *devices.File, _ *topology.Network) {
				c := sd.Circuit("c1")
				if c.DownloadMax != 200 || c.UploadMax != 50 || c.DownloadMin != 5 || c.UploadMin != 5 {
					t.Errorf("c1 rates = %v %v %v %v", c.DownloadMin, c.DownloadMax, c.UploadMin, c.UploadMax)
				}
			},
		},
		{
			name: "device_adjust_speed changes the device's circuit",
			json: `{"circuit_adjustments": [{"type": "device_adjust_speed", "device_id": "d3", "max_upload_bandwidth": 25}]}`,
			check: func(t *testing.T, sd *devices.File, _ *topology.Network) {
				if sd.Circuit("c2").UploadMax != 25 {
					t.Error("c2 upload max not changed")
				}
			},
		},
		{
			name: "device_adjust_sqm",
			json: `{"circuit_adjustments": [{"type": "device_adjust_sqm", "device_id": "d1", "sqm_override": "cake/none"}]}`,
			check: func(t *testing.T, sd *devices.File, _ *topology.Network) {
				if got := sd.Circuit("c1").SQM; got != (devices.SQM{Down: "cake", Up: "none"}) {
					t.Errorf("sqm = %+v", got)
				}
			},
		},
		{
			name: "remove_circuit and remove_device",
			json: `{"circuit_adjustments": [{"type": "remove_circuit", "circuit_id": "c2"}, {"type": "remove_device", "device_id": "d1"}]}`,
			check: func(t *testing.T, sd *devices.File, _ *topology.Network) {
				if sd.Circuit("c2") != nil || len(sd.Circuit("c1").Devices) != 1 {
					t.Errorf("circuits after removal: %d", len(sd.Circuits))
				}
			},
		},
		{
			name: "reparent_circuit clears the parent id",
			json: `{"circuit_adjustments": [{"type": "reparent_circuit", "circuit_id": "c1", "parent_node": "AP_B"}]}`,
			check: func(t *testing.T, sd *devices.File, _ *topology.Network) {
				if c := sd.Circuit("c1"); c.ParentNode != "AP_B" || c.ParentNodeID != "" {
					t.Errorf("c1 parent = %q/%q", c.ParentNode, c.ParentNodeID)
				}
			},
		},
		{
			name: "adjust_site_speed by id and by name",
			json: `{"network_adjustments": [{"type": "adjust_site_speed", "node_id": "ap-b", "download_bandwidth_mbps": 300}, {"type": "adjust_site_speed", "site_name": "AP_A", "upload_bandwidth_mbps": 100}]}`,
			check: func(t *testing.T, _ *devices.File, nw *topology.Network) {
				if nw.Find("AP_B").DownloadMbps != 300 || nw.Find("AP_A").UploadMbps != 100 || nw.Find("AP_A").DownloadMbps != 500 {
					t.Error("site speeds not adjusted")
				}
			},
		},
		{
			name: "set_node_virtual",
			json: `{"network_adjustments": [{"type": "set_node_virtual", "node_name": "AP_A", "virtual": true}]}`,
			check: func(t *testing.T, _ *devices.File, nw *topology.Network) {
				if !nw.Find("AP_A").IsVirtual() {
					t.Error("AP_A not virtual")
				}
			},
		},
		{
			name: "missing target is a warning",
			json: `{"circuit_adjustments": [{"type": "circuit_adjust_speed", "circuit_id": "ghost", "max_download_bandwidth": 10}]}`,
			warn: `circuit "ghost" not found`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sd, nw := load(t)
			f, l := Parse(FileName, []byte(tc.json))
			if l.HasErrors() {
				t.Fatal(dump(l))
			}
			al := f.Apply(sd, nw)
			if al.HasErrors() {
				t.Fatal(dump(al))
			}
			if tc.warn != "" && !strings.Contains(dump(al), tc.warn) {
				t.Errorf("missing warning %q:\n%s", tc.warn, dump(al))
			}
			if tc.check != nil {
				tc.check(t, sd, nw)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"syntax", "{\n\"persistent_devices\": [,]}", "lqos_overrides.json:2: invalid JSON"},
		{"wrong type", `{"circuit_adjustments": {"type": "x"}}`, "[circuit_adjustments]"},
		{"unknown type", `{"circuit_adjustments": [{"type": "make_faster"}]}`, `[circuit_adjustments[0].type]: unknown adjustment type "make_faster"`},
		{"missing circuit id", `{"circuit_adjustments": [{"type": "circuit_adjust_speed"}]}`, "[circuit_adjustments[0].circuit_id]: is required"},
		{"bad ip", `{"persistent_devices": [{"circuit_id": "c", "device_id": "d", "ipv4": [["10.0.0.1", 8]], "download_min_mbps": 1, "upload_min_mbps": 1, "download_max_mbps": 2, "upload_max_mbps": 2}]}`, "persistent_devices[0].ip[0]"},
		{"min above max", `{"persistent_devices": [{"circuit_id": "c", "device_id": "d", "download_min_mbps": 5, "upload_min_mbps": 1, "download_max_mbps": 2, "upload_max_mbps": 2}]}`, "persistent_devices[0].download_min_mbps]: greater than"},
		{"tiny rate", `{"circuit_adjustments": [{"type": "circuit_adjust_speed", "circuit_id": "c1", "max_download_bandwidth": 0}]}`, "max_download_bandwidth]: 0 Mbps is below"},
		{"bad sqm", `{"circuit_adjustments": [{"type": "device_adjust_sqm", "device_id": "d1", "sqm_override": "turbo"}]}`, `"turbo" is not a valid sqm override`},
		{"virtual without flag", `{"network_adjustments": [{"type": "set_node_virtual", "node_name": "X"}]}`, "[network_adjustments[0].virtual]: is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, l := Parse(FileName, []byte(tc.json))
			if !l.HasErrors() || !strings.Contains(dump(l), tc.want) {
				t.Errorf("want error containing %q, got:\n%s", tc.want, dump(l))
			}
		})
	}
}

func TestApplyRejectsBadResults(t *testing.T) {
	sd, nw := load(t)
	f, _ := Parse(FileName, []byte(`{"circuit_adjustments": [{"type": "circuit_adjust_speed", "circuit_id": "c1", "max_download_bandwidth": 1}]}`))
	l := f.Apply(sd, nw)
	if !strings.Contains(dump(l), "download min 5 exceeds download max 1") {
		t.Errorf("got:\n%s", dump(l))
	}
	sd, nw = load(t)
	f, _ = Parse(FileName, []byte(`{"persistent_devices": [{"circuit_id": "c7", "device_id": "d7", "ipv4": [["100.64.0.0", 24]], "download_min_mbps": 1, "upload_min_mbps": 1, "download_max_mbps": 2, "upload_max_mbps": 2}]}`))
	l = f.Apply(sd, nw)
	if !strings.Contains(dump(l), `overlaps 100.64.0.1/32 of circuit "c1"`) {
		t.Errorf("overlap not reported:\n%s", dump(l))
	}
}

func TestLoadSaveRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f, l := Load(filepath.Join(dir, "absent.json"))
	if l.HasErrors() || !f.Empty() {
		t.Fatal("a missing file means no overrides")
	}
	ex, l := Load(filepath.Join("..", "..", "examples", FileName))
	if l.HasErrors() || len(l.Warnings()) > 0 || ex.Empty() {
		t.Fatalf("example overrides: %s", dump(l))
	}
	path := filepath.Join(dir, FileName)
	if err := ex.Save(path); err != nil {
		t.Fatal(err)
	}
	back, l := Load(path)
	if l.HasErrors() || len(back.PersistentDevices) != 1 || back.PersistentDevices[0].IPv4[0] != (IPEntry{"100.64.9.1", 32}) {
		t.Fatalf("round trip: %+v %s", back, dump(l))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"persistent_devices": [{"circuit_id": "c", "device_id": "d", "ipv4": ["10.0.0.1/32"]}]}`))
	f.Add([]byte(`{"circuit_adjustments": [{"type": "circuit_adjust_speed", "circuit_id": "c1", "max_download_bandwidth": 5}]}`))
	f.Add([]byte(`{"network_adjustments": [{"type": "set_node_virtual", "node_name": "AP_A", "virtual": false}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, l := Parse(FileName, data)
		if file == nil {
			t.Fatal("nil file")
		}
		if !l.HasErrors() {
			sd, nw := load(t)
			file.Apply(sd, nw)
		}
	})
}

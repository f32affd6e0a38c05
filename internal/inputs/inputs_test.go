package inputs

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/diag"
)

const header = "Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment\n"

// lab writes a config and inputs into a temp directory and loads them.
func lab(t *testing.T, csv, network, overrides string) (*Inputs, diag.List) {
	t.Helper()
	dir := t.TempDir()
	write := func(name, text string) {
		if text == "" {
			return
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("lqos.conf", "version = \"1.5\"\nlqos_directory = \".\"\n[bridge]\n")
	write(ShapedDevicesFile, csv)
	write(NetworkFile, network)
	write("lqos_overrides.json", overrides)
	cfg, l := LoadConfig(filepath.Join(dir, "lqos.conf"))
	if l.HasErrors() {
		t.Fatal(l.Err())
	}
	return Load(cfg)
}

func text(l diag.List) string {
	var b strings.Builder
	for _, p := range l.Problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

func TestCrossCheck(t *testing.T) {
	net := `{"Tower": {"downloadBandwidthMbps": 100, "uploadBandwidthMbps": 100, "id": "t-1",
	  "children": {"Group": {"virtual": true, "children": {"AP": {}}}}}}`
	tests := []struct {
		name, csv, network, overrides string
		want                          string
		errors                        int
	}{
		{
			name:    "unknown parent is an error with file and line",
			csv:     header + "c1,n,d1,x,Tower,,,,100.64.0.1,,1,1,2,2,\nc2,n,d2,x,Ghost,,,,100.64.0.2,,1,1,2,2,\n",
			network: net,
			want:    `error: ShapedDevices.csv:3 [Parent Node]: circuit "c2": parent node "Ghost" does not exist in network.json`,
			errors:  1,
		},
		{
			name:    "case typo gets a suggestion",
			csv:     header + "c1,n,d1,x,tower,,,,100.64.0.1,,1,1,2,2,\n",
			network: net,
			want:    `(did you mean "Tower"?)`,
			errors:  1,
		},
		{
			name:    "unknown parent id",
			csv:     header + "c1,n,d1,x,,nope,,,100.64.0.1,,1,1,2,2,\n",
			network: net,
			want:    `[Parent Node ID]: circuit "c1": parent node "nope" does not exist`,
			errors:  1,
		},
		{
			name:    "parent id resolves even with a stale name",
			csv:     header + "c1,n,d1,x,OldName,t-1,,,100.64.0.1,,1,1,2,2,\n",
			network: net,
			want:    `warning: ShapedDevices.csv:2 [Parent Node]: circuit "c1": Parent Node "OldName" is not in network.json; shaped under node "Tower", found by Parent Node ID "t-1"`,
		},
		{
			name:    "name and id disagree: the named node wins, with a warning",
			csv:     header + "c1,n,d1,x,AP,t-1,,,100.64.0.1,,1,1,2,2,\n",
			network: net,
			want:    `warning: ShapedDevices.csv:2 [Parent Node ID]: circuit "c1": Parent Node "AP" and Parent Node ID "t-1" name different nodes (the ID is node "Tower"); shaped under the named node "AP", as upstream does, and the ID is ignored`,
		},
		{
			name:    "name and id agree: no warning",
			csv:     header + "c1,n,d1,x,Tower,t-1,,,100.64.0.1,,1,1,2,2,\n",
			network: net,
		},
		{
			name:    "virtual parent is fine",
			csv:     header + "c1,n,d1,x,Group,,,,100.64.0.1,,1,1,2,2,\n",
			network: net,
		},
		{
			name:    "flat network ignores parents with a warning",
			csv:     header + "c1,n,d1,x,Tower,,,,100.64.0.1,,1,1,2,2,\n",
			network: "{}",
			want:    "flat network",
		},
		{
			name:      "overrides can fix what the CRM got wrong",
			csv:       header + "c1,n,d1,x,Tower,,,,100.64.0.1,,1,1,2,2,\n",
			network:   net,
			overrides: `{"circuit_adjustments": [{"type": "reparent_circuit", "circuit_id": "c1", "parent_node": "Ghost"}]}`,
			want:      `parent node "Ghost" does not exist`,
			errors:    1,
		},
		{
			name:   "missing network.json",
			csv:    header + "c1,n,d1,x,,,,,100.64.0.1,,1,1,2,2,\n",
			want:   "network.json: open",
			errors: 1,
		},
		{
			name:      "errors from several files are all reported",
			csv:       header + ",n,d1,x,,,,,100.64.0.1,,1,1,2,2,\n",
			network:   "{oops",
			overrides: "[",
			errors:    3,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, l := lab(t, tc.csv, tc.network, tc.overrides)
			got := text(l)
			if tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("want %q in:\n%s", tc.want, got)
			}
			if n := len(l.Errors()); n != tc.errors {
				t.Errorf("got %d errors, want %d:\n%s", n, tc.errors, got)
			}
			if tc.want == "" && len(l.Warnings()) > 0 {
				t.Errorf("unexpected warnings:\n%s", got)
			}
		})
	}
}

func TestExamplesValidateCleanly(t *testing.T) {
	cfg, l := LoadConfig(filepath.Join("..", "..", "examples", "lqos.conf"))
	if l.HasErrors() {
		t.Fatal(l.Err())
	}
	in, l := Load(cfg)
	if len(l.Problems) != 0 {
		t.Fatalf("examples have problems:\n%s", text(l))
	}
	s := in.Summarise()
	if s.Circuits != 12 || s.Devices != 13 || s.Nodes != 12 || s.VirtualNodes != 1 || s.Overrides != 3 {
		t.Errorf("summary = %+v", s)
	}
	// The example overrides raised circuit 10004 to 200 Mbps down.
	if c := in.Devices.Circuit("10004"); c == nil || c.DownloadMax != 200 {
		t.Errorf("override not applied: %+v", c)
	}
	var buf bytes.Buffer
	WriteReport(&buf, in, l)
	for _, want := range []string{"Circuits: 12", "Devices:  13", "Nodes:    12 (1 virtual)", "Errors:   0", "OK: inputs are valid"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestPathsFor(t *testing.T) {
	cfg := config.Defaults()
	p := PathsFor(cfg)
	if p.ShapedDevices != "/opt/libreqos/src/ShapedDevices.csv" || p.Network != "/opt/libreqos/src/network.json" || p.Overrides != "/opt/libreqos/src/lqos_overrides.json" {
		t.Errorf("paths = %+v", p)
	}
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/plan"
)

func TestValidateExamples(t *testing.T) {
	var out bytes.Buffer
	code := validate(options{ConfigPath: filepath.Join("..", "..", "examples", "lqos.conf")}, &out)
	if code != exitOK || !strings.Contains(out.String(), "OK: inputs are valid") {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
}

func TestValidateListsEveryError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "lqos.conf"), []byte("version = \"1.5\"\nlqos_directory = \".\"\n[bridge]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "network.json"), []byte(`{"A": {}, "B": {"children": {"A": {}}}}`), 0o644)
	os.WriteFile(filepath.Join(dir, "ShapedDevices.csv"), []byte("Circuit ID,Device ID,Parent Node,IPv4,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps\n,d1,A,10.0.0.1,1,1,2,2\nc2,d2,A,10.0.0.1/8,5,1,2,2\n"), 0o644)
	var out bytes.Buffer
	code := validate(options{ConfigPath: filepath.Join(dir, "lqos.conf")}, &out)
	if code != exitInvalid {
		t.Fatalf("exit %d, want %d", code, exitInvalid)
	}
	for _, want := range []string{
		"Errors:   4",
		"ShapedDevices.csv:2 [Circuit ID]",
		"ShapedDevices.csv:3 [IPv4]",
		"ShapedDevices.csv:3 [Download Min Mbps]",
		"network.json:1 [B > A]: node name \"A\" is not unique",
		"FAILED",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestValidateBadConfig(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lqos.conf")
	os.WriteFile(path, []byte("version = \"1.5\"\n[queues]\nuplink_bandwidth_mbps = \"x\"\n[bridge]\n"), 0o644)
	var out bytes.Buffer
	if code := validate(options{ConfigPath: path}, &out); code != exitInvalid || !strings.Contains(out.String(), "uplink_bandwidth_mbps") {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
}

// oversubscribedInputs: AP_1's download minimums (3 x 200) exceed its 499
// Mbps rate; upload fits. Two unparented circuits ask the flat part for
// more than a 10 Mbps generated node has.
func oversubscribedInputs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "lqos.conf"), []byte("version = \"1.5\"\nlqos_directory = \".\"\nstate_directory = \"state\"\n[bridge]\nto_internet = \"lqtest-none0\"\nto_network = \"lqtest-none1\"\n"+
		"[queues]\ngenerated_pn_download_mbps = 10\ngenerated_pn_upload_mbps = 10\noverride_available_queues = 1\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "network.json"), []byte("{\n  \"Site\": {\"downloadBandwidthMbps\": 1000, \"uploadBandwidthMbps\": 1000, \"children\": {\n    \"AP_1\": {\"downloadBandwidthMbps\": 500, \"uploadBandwidthMbps\": 500}}}\n}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ShapedDevices.csv"), []byte("Circuit ID,Device ID,Parent Node,IPv4,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps\n"+
		"c1,d1,AP_1,10.0.0.1,200,5,300,10\nc2,d2,AP_1,10.0.0.2,200,5,300,10\nc3,d3,AP_1,10.0.0.3,200,5,300,10\n"+
		"c4,d4,,10.0.0.4,6,1,8,2\nc5,d5,,10.0.0.5,6,1,8,2\n"), 0o644)
	return filepath.Join(dir, "lqos.conf")
}

func TestValidateReportsOversubscribedNodes(t *testing.T) {
	var out bytes.Buffer
	code := validate(options{ConfigPath: oversubscribedInputs(t)}, &out)
	if code != exitOK {
		t.Fatalf("exit %d (oversubscription is a warning):\n%s", code, out.String())
	}
	for _, want := range []string{
		"Warnings: 2",
		`warning: network.json:3 [Site > AP_1]: node "AP_1" is oversubscribed for download: the minimums of its 3 children sum to 600 Mbps but the node's rate is 499 Mbps; guarantees scaled by 0.8317`,
		`warning: ShapedDevices.csv [Generated_PN_1]: node "Generated_PN_1" is oversubscribed for download: the minimums of its 2 children sum to 12 Mbps but the node's rate is 9 Mbps; guarantees scaled by 0.7500`,
		"OK: inputs are valid",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "for upload") {
		t.Errorf("upload fits everywhere, yet reported:\n%s", out.String())
	}
}

func TestDryRunReportsOversubscribedNodes(t *testing.T) {
	var out bytes.Buffer
	code := runApply(context.Background(), options{ConfigPath: oversubscribedInputs(t), DryRun: true}, &out)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	for _, want := range []string{
		`warning: node "AP_1" is oversubscribed for download: the minimums of its 3 children sum to 600 Mbps but the node's rate is 499 Mbps; guarantees scaled by 0.8317`,
		`warning: node "Generated_PN_1" is oversubscribed for download`,
		// 499 Mbps in bytes/s, split three ways and rounded down to whole bytes.
		"tc class add dev lqtest-none1 parent 1:6 classid 1:11 htb rate 166333328bit ceil 300000kbit",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run lacks %q:\n%s", want, out.String())
		}
	}
}

// Validation runs the planner's checks: whatever validate accepts plans, and
// whatever the planner refuses validate refuses, naming the cause.
func TestValidateAgreesWithThePlanner(t *testing.T) {
	tests := []struct {
		dir  string
		exit int
		want string
	}{
		{"generated_only", exitOK, "OK: inputs are valid"},
		{"generated_nested", exitInvalid, `node name "Generated_PN_1" is reserved for generated nodes`},
		{"generated_children", exitInvalid, `node "Generated_PN_1" has child nodes`},
		{"generated_named_in_csv", exitOK, "OK: inputs are valid"},
		{"generated_beyond_queues", exitInvalid, `parent node "Generated_PN_3" is neither in network.json nor one of the 2 generated parent nodes`},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			conf := filepath.Join("testdata", tc.dir, "lqos.conf")
			var out bytes.Buffer
			code := validate(options{ConfigPath: conf}, &out)
			if code != tc.exit || !strings.Contains(out.String(), tc.want) {
				t.Fatalf("exit %d, want %d and %q:\n%s", code, tc.exit, tc.want, out.String())
			}
			cfg, l := inputs.LoadConfig(conf)
			in, il := inputs.Load(cfg)
			l.Merge(il)
			p, err := plan.Build(plan.Input{Config: cfg, Devices: in.Devices, Network: in.Network, TXQueues: 2})
			if plans := err == nil && len(p.Unshaped) == 0; plans != (code == exitOK) {
				t.Errorf("validate exit %d but the planner says %v (unshaped %+v)", code, err, p)
			}
		})
	}
}

func TestMigrateCheck(t *testing.T) {
	tests := []struct {
		dir  string
		exit int
		want []string
	}{
		{"upstream_ok", exitOK, []string{
			"lqos.conf (testdata/upstream_ok/lqos.conf): loads unchanged",
			"accepted, not used by this version: ",
			"lqos_directory is /opt/libreqos/src; this check reads the inputs from",
			"ShapedDevices.csv: loads unchanged",
			"network.json: loads unchanged",
			"lqos_overrides.json: loads unchanged",
			`upstream reads column 14 ("Upload Max Mbps") as a per-circuit sqm override for 4 rows`,
			`1 Parent Node cells have surrounding spaces (line 3 "AP_A ")`,
			"class numbering",
			"Result: every file loads unchanged.",
		}},
		{"upstream_broken", exitInvalid, []string{
			"ShapedDevices.csv: does NOT load unchanged (1 errors",
			`circuit "2": parent node "AP_Z" does not exist in network.json: upstream leaves this circuit unshaped without a word`,
			"lqos_overrides.json: absent",
			"Result: some files need changes",
		}},
		{"upstream_legacy_rows", exitInvalid, []string{
			"ShapedDevices.csv: does NOT load unchanged",
			"header has 15 columns, row has 13; this looks like the pre-v1.5 layout",
		}},
		{"no_such_dir", exitInvalid, []string{"is not a directory"}},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			var out bytes.Buffer
			code := migrateCheck(filepath.Join("testdata", tc.dir), options{ConfigPath: filepath.Join("testdata", "none.conf")}, &out)
			if code != tc.exit {
				t.Errorf("exit %d, want %d", code, tc.exit)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, out.String())
				}
			}
			if strings.Contains(out.String(), "upstream reads column 14") && tc.dir == "upstream_broken" {
				t.Errorf("a file with an sqm column has no sqm-position difference:\n%s", out.String())
			}
		})
	}
}

// With [fleet], validate says which shaper owns each top-level site.
func TestValidateReportsFleet(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"network.json", "ShapedDevices.csv"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "internal", "fleet", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	os.WriteFile(filepath.Join(dir, "lqos.conf"), []byte(`version = "1.5"
lqos_directory = "."
node_name = "east"
[bridge]
[fleet.sites]
east = ["North", "East"]
west = ["West", "South"]
`), 0o644)
	var out bytes.Buffer
	code := validate(options{ConfigPath: filepath.Join(dir, "lqos.conf"), TxQueues: 2}, &out)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	for _, want := range []string{
		`Fleet:    listed top-level sites per shaper (fleet.sites); this shaper is "east"`,
		"North  east                 2 circuits  <- this shaper",
		"South  west                 1 circuits\n",
		"this shaper has 2 of 4 top-level sites, 3 circuits (2 for other shapers, 1 for none)",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

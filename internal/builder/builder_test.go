package builder

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestValidateExamples(t *testing.T) {
	var out bytes.Buffer
	code := Validate(Options{ConfigPath: filepath.Join("..", "..", "examples", "lqos.conf")}, &out)
	if code != ExitOK || !strings.Contains(out.String(), "OK: inputs are valid") {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
}

func TestValidateListsEveryError(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "lqos.conf"), []byte("version = \"1.5\"\nlqos_directory = \".\"\n[bridge]\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "network.json"), []byte(`{"A": {}, "B": {"children": {"A": {}}}}`), 0o644)
	os.WriteFile(filepath.Join(dir, "ShapedDevices.csv"), []byte("Circuit ID,Device ID,Parent Node,IPv4,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps\n,d1,A,10.0.0.1,1,1,2,2\nc2,d2,A,10.0.0.1/8,5,1,2,2\n"), 0o644)
	var out bytes.Buffer
	code := Validate(Options{ConfigPath: filepath.Join(dir, "lqos.conf")}, &out)
	if code != ExitInvalid {
		t.Fatalf("exit %d, want %d", code, ExitInvalid)
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
	if code := Validate(Options{ConfigPath: path}, &out); code != ExitInvalid || !strings.Contains(out.String(), "uplink_bandwidth_mbps") {
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
	code := Validate(Options{ConfigPath: oversubscribedInputs(t)}, &out)
	if code != ExitOK {
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
	code := Run(context.Background(), Options{ConfigPath: oversubscribedInputs(t), DryRun: true}, &out)
	if code != ExitOK {
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

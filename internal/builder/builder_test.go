package builder

import (
	"bytes"
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

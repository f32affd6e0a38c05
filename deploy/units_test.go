// Package deploy holds the systemd units; this test checks their settings.
package deploy

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/coreos/go-systemd/v22/unit"
)

func parse(t *testing.T, name string) map[string]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts, err := unit.DeserializeOptions(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m := map[string]string{}
	for _, o := range opts {
		k := o.Section + "." + o.Name
		if m[k] != "" {
			m[k] += " "
		}
		m[k] += o.Value
	}
	return m
}

func TestUnits(t *testing.T) {
	tests := []struct {
		file string
		want map[string]string
	}{
		{"lqosd.service", map[string]string{
			"Service.Type":                 "notify",
			"Service.Restart":              "always",
			"Service.StandardOutput":       "journal",
			"Service.StandardError":        "journal",
			"Service.RuntimeDirectory":     "lqos",
			"Service.RuntimeDirectoryMode": "0700",
			"Service.KillSignal":           "SIGTERM",
			"Service.LimitMEMLOCK":         "infinity",
			"Install.WantedBy":             "multi-user.target",
		}},
		{"lqos_scheduler.service", map[string]string{
			"Unit.Requires":          "lqosd.service",
			"Service.Restart":        "always",
			"Service.StandardOutput": "journal",
			"Install.WantedBy":       "multi-user.target",
		}},
	}
	for _, tc := range tests {
		m := parse(t, tc.file)
		for k, v := range tc.want {
			if m[k] != v {
				t.Errorf("%s: %s = %q, want %q", tc.file, k, m[k], v)
			}
		}
		if !strings.HasPrefix(m["Service.ExecStart"], "/") {
			t.Errorf("%s: ExecStart %q is not absolute", tc.file, m["Service.ExecStart"])
		}
	}
	if s := parse(t, "lqos_scheduler.service")["Unit.After"]; !strings.Contains(s, "lqosd.service") {
		t.Errorf("scheduler not ordered after lqosd: After=%q", s)
	}
}

// systemd-analyze catches unknown keys and bad values when it is installed.
func TestSystemdAnalyzeVerify(t *testing.T) {
	sa, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	for _, f := range []string{"lqosd.service", "lqos_scheduler.service"} {
		out, _ := exec.Command(sa, "verify", "--man=no", f).CombinedOutput()
		for _, line := range strings.Split(string(out), "\n") {
			// The binaries are not installed on a test machine; everything
			// else is a real problem.
			if line == "" || strings.Contains(line, "/usr/local/bin/") || strings.Contains(line, "lqosd.service: Command") ||
				strings.Contains(line, "Unit lqosd.service not found") {
				continue
			}
			t.Errorf("%s: %s", f, line)
		}
	}
}

// Package deploy holds the systemd units; this test checks their settings.
package deploy

import (
	"fmt"
	"github.com/libreqos-go/lqos/internal/kerneltest"
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
	// Sandbox: both units keep only the capabilities they need.
	for _, f := range []string{"lqosd.service", "lqos_scheduler.service"} {
		m := parse(t, f)
		for k, v := range map[string]string{
			"Service.NoNewPrivileges":         "yes",
			"Service.ProtectSystem":           "strict",
			"Service.ProtectHome":             "yes",
			"Service.PrivateTmp":              "yes",
			"Service.ProtectKernelModules":    "yes",
			"Service.CapabilityBoundingSet":   "CAP_NET_ADMIN CAP_BPF CAP_PERFMON CAP_SYS_ADMIN",
			"Service.SystemCallArchitectures": "native",
		} {
			if m[k] != v {
				t.Errorf("%s: %s = %q, want %q", f, k, m[k], v)
			}
		}
		if m["Service.ReadWritePaths"] == "" {
			t.Errorf("%s: no ReadWritePaths under ProtectSystem=strict", f)
		}
	}
	if s := parse(t, "lqos_scheduler.service")["Unit.After"]; !strings.Contains(s, "lqosd.service") {
		t.Errorf("scheduler not ordered after lqosd: After=%q", s)
	}
}

// systemd-analyze catches unknown keys and bad values when it is installed.
func TestSystemdAnalyzeVerify(t *testing.T) {
	// Missing: a failure under CI=true (.ci/run installs systemd), else
	// reported as not exercised.
	sa := kerneltest.Binary(t, "systemd-analyze", "systemd")
	if sa == "" {
		return
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

// systemd-analyze security rates the sandbox (lower is better; 10 is an
// unconfined root service). Both units must stay at or under 4.0.
func TestSystemdAnalyzeSecurity(t *testing.T) {
	// Missing: a failure under CI=true (.ci/run installs systemd), else
	// reported as not exercised.
	sa := kerneltest.Binary(t, "systemd-analyze", "systemd")
	if sa == "" {
		return
	}
	for _, f := range []string{"lqosd.service", "lqos_scheduler.service"} {
		out, err := exec.Command(sa, "security", "--offline=true", "--no-pager", f).CombinedOutput()
		if err != nil && !strings.Contains(string(out), "Overall exposure level") {
			t.Fatalf("%s: %v\n%s", f, err, out)
		}
		i := strings.Index(string(out), "Overall exposure level for "+f+": ")
		if i < 0 {
			t.Fatalf("%s: no exposure level in\n%s", f, out)
		}
		var score float64
		if _, err := fmt.Sscanf(string(out)[i+len("Overall exposure level for "+f+": "):], "%f", &score); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		t.Logf("%s: exposure %.1f", f, score)
		if score > 4.0 {
			t.Errorf("%s: exposure level %.1f, want <= 4.0", f, score)
		}
	}
}

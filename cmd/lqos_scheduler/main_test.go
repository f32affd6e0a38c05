package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The scheduler runs integrations by re-executing itself with
// --run-integration; in tests "itself" is this test binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "--run-integration" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

type env struct {
	dir, conf, logDir, lock, bus string
}

// newEnv writes an lqos.conf whose interfaces do not exist (so nothing can
// ever touch this machine's real qdiscs) and extra TOML.
func newEnv(t *testing.T, extra string) env {
	t.Helper()
	e := env{dir: t.TempDir(), logDir: t.TempDir()}
	e.conf = filepath.Join(e.dir, "lqos.conf")
	e.lock = filepath.Join(e.dir, "run", "apply.lock")
	e.bus = filepath.Join(e.dir, "run", "bus") // no lqosd here
	conf := fmt.Sprintf(`lqos_directory = %q
state_directory = %q
[bridge]
use_xdp_bridge = true
to_internet = "lqtsched0"
to_network = "lqtsched1"
[queues]
uplink_bandwidth_mbps = 1000
downlink_bandwidth_mbps = 1000
%s`, e.dir, filepath.Join(e.dir, "state"), extra)
	if err := os.WriteFile(e.conf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e env) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	base := []string{"--config", e.conf, "--log-dir", e.logDir, "--lock", e.lock, "--bus", e.bus}
	code := run(context.Background(), append(base, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func netzurServer(t *testing.T, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return fmt.Sprintf("[netzur_integration]\nenable_netzur = true\napi_key = \"k\"\napi_url = %q\ntimeout_secs = 5\n", srv.URL+"/api/libreqos")
}

func TestOnce(t *testing.T) {
	reply, err := os.ReadFile("../../internal/integrations/netzur/testdata/reply.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		extra    func(t *testing.T) string
		setup    func(t *testing.T, e env)
		wantLog  []string
		wantLogs int // saved failure logs
		check    func(t *testing.T, e env)
	}{
		{
			name:    "setup required",
			extra:   func(*testing.T) string { return "" },
			wantLog: []string{"Setup required", "neither ShapedDevices.csv nor network.json exists"},
		},
		{
			name:  "invalid inputs never reach the kernel",
			extra: func(*testing.T) string { return "" },
			setup: func(t *testing.T, e env) {
				copyFile(t, "../../internal/scheduler/testdata/network.json", filepath.Join(e.dir, "network.json"))
				copyFile(t, "../../internal/scheduler/testdata/ShapedDevices.bad.csv", filepath.Join(e.dir, "ShapedDevices.csv"))
			},
			wantLog: []string{"failed validation; no queues were set up", "download min 300 is greater than download max 100"},
		},
		{
			name:  "valid inputs, missing interfaces: apply fails cleanly",
			extra: func(*testing.T) string { return "" },
			setup: func(t *testing.T, e env) {
				copyFile(t, "../../internal/scheduler/testdata/network.json", filepath.Join(e.dir, "network.json"))
				copyFile(t, "../../internal/scheduler/testdata/ShapedDevices.v1.csv", filepath.Join(e.dir, "ShapedDevices.csv"))
			},
			wantLog: []string{"Queue refresh failed", "no such interface"},
		},
		{
			name:    "integration child process imports, then apply fails on missing interfaces",
			extra:   func(t *testing.T) string { return netzurServer(t, string(reply)) },
			wantLog: []string{"Netzur completed successfully.", "Queue refresh failed"},
			check: func(t *testing.T, e env) {
				b, err := os.ReadFile(filepath.Join(e.dir, "ShapedDevices.csv"))
				if err != nil || !strings.Contains(string(b), "S1") {
					t.Errorf("integration did not write ShapedDevices.csv: %v %q", err, b)
				}
			},
		},
		{
			name:     "integration gets a bad reply",
			extra:    func(t *testing.T) string { return netzurServer(t, "<html>maintenance</html>") },
			wantLog:  []string{"Netzur exited with code 1. Continuing.", "lqos_scheduler_netzur_", "no queues were set up"},
			wantLogs: 1,
			check: func(t *testing.T, e env) {
				if _, err := os.Stat(filepath.Join(e.dir, "ShapedDevices.csv")); err == nil {
					t.Error("a failed import wrote ShapedDevices.csv")
				}
				m, _ := filepath.Glob(filepath.Join(e.logDir, "lqos_scheduler_netzur_*.log"))
				if len(m) == 1 {
					b, _ := os.ReadFile(m[0])
					if !strings.Contains(string(b), "Netzur") {
						t.Errorf("log %s: %q", m[0], b)
					}
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tc.extra(t))
			if tc.setup != nil {
				tc.setup(t, e)
			}
			code, _, stderr := e.run(t, "--once")
			if code != exitFailed {
				t.Errorf("exit %d, want %d\n%s", code, exitFailed, stderr)
			}
			for _, w := range tc.wantLog {
				if !strings.Contains(stderr, w) {
					t.Errorf("log lacks %q:\n%s", w, stderr)
				}
			}
			if !strings.Contains(stderr, "lqosd not reachable; running without status reports") {
				t.Errorf("--once should say lqosd is not there:\n%s", stderr)
			}
			m, _ := filepath.Glob(filepath.Join(e.logDir, "lqos_scheduler_*.log"))
			if tc.wantLogs > 0 && len(m) != tc.wantLogs {
				t.Errorf("saved logs %v, want %d", m, tc.wantLogs)
			}
			if tc.check != nil {
				tc.check(t, e)
			}
		})
	}
}

func TestUsageAndConfigErrors(t *testing.T) {
	e := newEnv(t, "")
	if code, _, _ := e.run(t, "--no-such-flag"); code != exitUsage {
		t.Errorf("bad flag: exit %d", code)
	}
	// The scheduler has no commands: a positional anywhere is refused, also
	// when flags follow it (Go's flag parsing would stop there).
	for _, args := range [][]string{{"extra"}, {"extra", "--once"}, {"--once", "extra"}} {
		if code, _, stderr := e.run(t, args...); code != exitUsage || !strings.Contains(stderr, `unexpected argument "extra"`) {
			t.Errorf("%q: exit %d\n%s", args, code, stderr)
		}
	}
	os.WriteFile(e.conf, []byte("lqos_directory = 5\n"), 0o644)
	code, _, stderr := e.run(t, "--once")
	if code != exitConfig || !strings.Contains(stderr, "lqos_directory") {
		t.Errorf("bad config: exit %d\n%s", code, stderr)
	}
}

// A newly implemented integration runs in the child; bad settings fail it
// with a message naming the key.
func TestRunIntegrationSettings(t *testing.T) {
	e := newEnv(t, "[sonar_integration]\nenable_sonar = true\n")
	code, _, stderr := e.run(t, "--run-integration", "sonar")
	if code != exitFailed || !strings.Contains(stderr, "sonar_integration.sonar_api_url is empty") {
		t.Errorf("exit %d: %s", code, stderr)
	}
}

// --test-integration and --dry-run talk to the integration and write nothing.
func TestTestIntegrationAndDryRun(t *testing.T) {
	reply, err := os.ReadFile("../../internal/integrations/netzur/testdata/reply.json")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, netzurServer(t, string(reply)))
	code, stdout, stderr := e.run(t, "--test-integration", "netzur")
	if code != exitOK || !strings.Contains(stdout, "Netzur: connection test OK") || !strings.Contains(stdout, "circuits") {
		t.Errorf("--test-integration: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, stderr = e.run(t, "--dry-run")
	if code != exitOK || !strings.Contains(stdout, "Netzur dry run against") || !strings.Contains(stdout, "added, 0 removed, 0 changed, 0 unchanged") {
		t.Errorf("--dry-run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, f := range []string{"ShapedDevices.csv", "network.json"} {
		if _, err := os.Stat(filepath.Join(e.dir, f)); err == nil {
			t.Errorf("%s was written", f)
		}
	}
	if code, stdout, _ := e.run(t, "--test-integration", "nosuch"); code != exitFailed || !strings.Contains(stdout, "unknown integration") {
		t.Errorf("unknown: exit %d %s", code, stdout)
	}
}

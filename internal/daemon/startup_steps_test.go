package daemon

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// The start-up steps that need neither root nor a kernel, one by one.

func testOptions(t *testing.T, log *bytes.Buffer) Options {
	t.Helper()
	o := Options{RunDir: filepath.Join(t.TempDir(), "run"), Logger: slog.New(slog.NewTextHandler(log, nil))}
	o.defaults()
	return o
}

func writeTestConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "lqos.conf")
	conf := "version = \"1.5\"\nlqos_directory = \".\"\nstate_directory = \"state\"\n[bridge]\nto_internet = \"a\"\nto_network = \"b\"\n" + body
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseModes(t *testing.T) {
	var log bytes.Buffer
	for _, tt := range []struct {
		name string
		set  func(*Options)
		want string // "" = accepted
	}{
		{"defaults", func(*Options) {}, ""},
		{"xdp", func(o *Options) { o.XDP = "turbo" }, "--xdp-mode"},
		{"tc", func(o *Options) { o.TC = "fast" }, "--tc-mode"},
		{"classify", func(o *Options) { o.Classify = "guess" }, "--classify"},
		{"missing qdisc", func(o *Options) { o.MissingQdisc = "ignore" }, "--missing-qdisc"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			o := testOptions(t, &log)
			tt.set(&o)
			_, err := parseModes(o)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v (exit %d), want a usage error naming %s", err, ExitCode(err), tt.want)
			}
		})
	}
}

func TestLockInstance(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	first, err := lockInstance(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockInstance(dir)
	if ExitCode(err) != ExitAlreadyRunning || !strings.Contains(err.Error(), "another lqosd is running") {
		t.Fatalf("second lqosd: %v (exit %d)", err, ExitCode(err))
	}
	first.Release()
	again, err := lockInstance(dir)
	if err != nil {
		t.Fatalf("after the first one stopped: %v", err)
	}
	again.Release()
}

func TestLoadConfig(t *testing.T) {
	var log bytes.Buffer
	o := testOptions(t, &log)
	o.ConfigPath = writeTestConfig(t, "bogus_key = 1\n")
	o.StateDir = filepath.Join(t.TempDir(), "elsewhere")
	cfg, err := loadConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.StateDirectory != o.StateDir {
		t.Errorf("state directory %q, want the --state-dir override %q", cfg.StateDirectory, o.StateDir)
	}
	if !strings.Contains(log.String(), "bogus_key") || !strings.Contains(log.String(), "lqosd starting") {
		t.Errorf("log lacks the unknown-key warning or the start line:\n%s", log.String())
	}

	o.ConfigPath = writeTestConfig(t, "[queues]\nuplink_bandwidth_mbps = \"fast\"\n")
	if _, err := loadConfig(o); ExitCode(err) != ExitConfig || !strings.Contains(err.Error(), "uplink_bandwidth_mbps") {
		t.Fatalf("bad config: %v (exit %d)", err, ExitCode(err))
	}
}

func TestOpenStateStartsEmptyOnACorruptStore(t *testing.T) {
	var log bytes.Buffer
	o := testOptions(t, &log)
	cfg := &config.Config{StateDirectory: t.TempDir()}
	path := filepath.Join(cfg.StateDirectory, "lqosd", "urgent.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := openState(o, cfg)
	if err != nil {
		t.Fatal(err)
	}
	// Started empty but for the issue that says so.
	if d.urgent == nil {
		t.Fatal("no urgent store")
	}
	if is := d.urgent.List(urgent.ListOptions{}); len(is) != 1 || is[0].Code != urgent.CodeStoreCorrupt {
		t.Fatalf("issues %+v, want only %s", is, urgent.CodeStoreCorrupt)
	}
	if !strings.Contains(log.String(), "urgent issue store was corrupt") {
		t.Errorf("no warning about the corrupt store:\n%s", log.String())
	}
}

// firstApply with no ShapedDevices.csv yet is the wait for the first setup:
// logged as such, and an old start-up failure is resolved.
func TestFirstApplyWaitsForTheFirstSetup(t *testing.T) {
	var log bytes.Buffer
	o := testOptions(t, &log)
	o.ConfigPath = writeTestConfig(t, "")
	cfg, err := loadConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	d, err := openState(o, cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.pre = &Preflight{}
	d.raise(CodeStartupApply, urgent.Error, "from the last start")
	d.firstApply(context.Background())
	if !strings.Contains(log.String(), "waiting for the first setup") || strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("log:\n%s", log.String())
	}
	if open := d.urgent.List(urgent.ListOptions{OpenOnly: true}); len(open) != 0 {
		t.Errorf("open issues after the wait for the first setup: %+v", open)
	}
}

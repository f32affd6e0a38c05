//go:build linux

package daemon

import (
	"bytes"
	"context"
	"errors"
	"github.com/libreqos-go/lqos/internal/plan"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// TestStartupProblems checks that each kind of problem is reported the way
// an operator needs it: fatal ones with their exit code and message,
// degraded ones with a running daemon, a log line and an urgent issue.
func TestStartupProblems(t *testing.T) {
	requireRoot(t)
	have, err := probeQdiscs([]string{"cake"})
	if err != nil {
		t.Fatal(err)
	}
	const running = -1
	tests := []struct {
		name   string
		ifaces string
		config string // replaces the whole file when set
		flags  []string
		setup  func(t *testing.T, l *lab)
		skip   string
		// running or an exit code
		exit       int
		wantLog    []string
		wantUrgent []string
		check      func(t *testing.T, l *lab, c *bus.Client)
	}{
		{
			name:   "invalid config",
			config: "version = \"1.5\"\n[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdA\"\n",
			exit:   ExitConfig,
			wantLog: []string{"configuration invalid, lqosd cannot start",
				"bridge.to_network: must differ from bridge.to_internet"},
		},
		{
			name:    "config file missing",
			config:  "-",
			exit:    ExitConfig,
			wantLog: []string{"configuration invalid", "no such file or directory"},
		},
		{
			name:    "bad flag value",
			ifaces:  "[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdB\"\n",
			flags:   []string{"--xdp-mode", "warp"},
			exit:    ExitUsage,
			wantLog: []string{`warp`, `want auto, driver or generic`},
		},
		{
			name:    "pin directory outside bpffs",
			ifaces:  "[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdB\"\n",
			setup:   func(t *testing.T, l *lab) { l.pins = filepath.Join(l.dir, "notbpf") },
			exit:    ExitDatapath,
			wantLog: []string{"notbpf is not on a bpf filesystem"},
		},
		{
			name:   "bus path taken by a regular file",
			ifaces: "[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdB\"\n",
			setup: func(t *testing.T, l *lab) {
				if err := os.MkdirAll(l.run, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(l.bus, []byte("x"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			exit:    ExitBus,
			wantLog: []string{"exists and is not a socket"},
		},
		{
			name:    "XDP attach failure is fatal",
			ifaces:  "[bridge]\nto_internet = \"lqtdbr\"\nto_network = \"lqtdB\"\n",
			flags:   []string{"--xdp-mode", "driver"},
			exit:    ExitAttach,
			wantLog: []string{"LibreQoS failed to attach the XDP/TC programs", "lqtdbr"},
		},
		{
			name:       "missing interface keeps the bus up, unattached",
			ifaces:     "[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdZ\"\n",
			exit:       running,
			wantLog:    []string{`interface \"lqtdZ\" does not exist`, "data path loaded but NOT attached"},
			wantUrgent: []string{"LQOSD_INTERFACE_MISSING:lqtdZ", CodeStartupApply},
			check: func(t *testing.T, l *lab, c *bus.Client) {
				if l.xdpAttached("lqtdA") {
					t.Errorf("XDP attached although the other interface is missing")
				}
				// Mappings still work (they land in the pinned maps).
				res, err := c.MapIPs(context.Background(), []plan.Mapping{{Prefix: netip.MustParsePrefix("10.50.0.1/32"), ClassID: 0x10003, CircuitID: "x"}})
				if err != nil || res.Applied != 1 {
					t.Errorf("MapIPs in degraded mode: %+v, %v", res, err)
				}
				if _, err := c.ApplyPlan(context.Background(), "test", false); err == nil || !strings.Contains(err.Error(), "lqtdZ") {
					t.Errorf("ApplyPlan should fail naming lqtdZ: %v", err)
				}
			},
		},
		{
			name:       "down single-queue interface is a warning",
			ifaces:     "[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdC\"\n",
			exit:       running,
			wantLog:    []string{`interface \"lqtdC\" has 1 TX queue(s)`, `interface \"lqtdC\" is down`},
			wantUrgent: []string{"LQOSD_INTERFACE_SINGLE_QUEUE:lqtdC", "LQOSD_INTERFACE_DOWN:lqtdC"},
			check: func(t *testing.T, l *lab, c *bus.Client) {
				if !l.xdpAttached("lqtdC") {
					t.Errorf("XDP not attached to the down interface")
				}
			},
		},
		{
			name:       "missing qdisc with --missing-qdisc=refuse",
			ifaces:     "[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdB\"\n",
			flags:      []string{"--missing-qdisc", "refuse"},
			skip:       map[bool]string{true: "kernel has cake"}[have["cake"]],
			exit:       running,
			wantLog:    []string{"--missing-qdisc=refuse: lqosd will not apply shaping plans"},
			wantUrgent: []string{"LQOSD_QDISC_MISSING:cake", CodeShapingDisabled},
			check: func(t *testing.T, l *lab, c *bus.Client) {
				_, err := c.ApplyPlan(context.Background(), "test", false)
				if !errors.Is(err, &bus.Error{Code: bus.CodeFailed}) || !strings.Contains(err.Error(), "shaping disabled") {
					t.Errorf("ApplyPlan: %v", err)
				}
				// A dry run still plans.
				if res, err := c.ApplyPlan(context.Background(), "test", true); err != nil || res.Applied {
					t.Errorf("dry run: %+v, %v", res, err)
				}
			},
		},
		{
			name:    "no inputs yet is the wait for the first setup, not an error",
			ifaces:  "[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdB\"\n",
			setup:   func(t *testing.T, l *lab) { rm(t, filepath.Join(l.dir, "etc", "ShapedDevices.csv")) },
			exit:    running,
			wantLog: []string{"waiting for the first setup"},
			check: func(t *testing.T, l *lab, c *bus.Client) {
				noOpenErrors(t, c)
				l.writeDevices(defaultDevices)
				if res, err := c.ApplyPlan(context.Background(), "first setup", false); err != nil || !res.Applied {
					t.Fatalf("first setup: %+v, %v", res, err)
				}
				noOpenErrors(t, c)
			},
		},
		{
			name:   "a failed start apply resolves once a later apply works",
			ifaces: "[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdB\"\n",
			setup: func(t *testing.T, l *lab) {
				l.writeDevices(devicesHeader + "c1,One,d1,Dev,,,,,10.10.0.300,,10,5,50,20,,\n")
			},
			exit:       running,
			wantUrgent: []string{CodeStartupApply},
			check: func(t *testing.T, l *lab, c *bus.Client) {
				l.writeDevices(defaultDevices)
				if res, err := c.ReloadPlan(context.Background(), "fixed", false); err != nil || !res.Applied {
					t.Fatalf("reload: %+v, %v", res, err)
				}
				noOpenErrors(t, c)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip != "" {
				t.Skip(tt.skip)
			}
			l := newLab(t)
			sh(t, "ip", "-n", l.shaper, "link", "add", "lqtdC", "numtxqueues", "1", "numrxqueues", "1", "type", "veth", "peer", "name", "lqtdD")
			switch tt.config {
			case "":
				l.writeConfig(tt.ifaces)
			case "-":
				if err := os.Remove(l.conf); err != nil {
					t.Fatal(err)
				}
			default:
				l.write("lqos.conf", tt.config)
			}
			if tt.setup != nil {
				tt.setup(t, l)
			}
			p := l.start(append(tt.flags, "--pin-dir", l.pins)...)
			if tt.exit != running {
				if code := p.exit(t); code != tt.exit {
					t.Fatalf("exit code %d, want %d\n%s", code, tt.exit, p.stderr.String())
				}
			} else {
				l.waitReady(p)
			}
			log := p.stderr.String()
			for _, w := range tt.wantLog {
				if !strings.Contains(log, w) {
					t.Errorf("log lacks %q:\n%s", w, log)
				}
			}
			if tt.exit != running {
				if !strings.Contains(log, "exit_code=") {
					t.Errorf("the final log line does not carry the exit code:\n%s", log)
				}
				return
			}
			c := l.client()
			is, err := c.ListUrgent(context.Background(), true)
			if err != nil {
				t.Fatal(err)
			}
			for _, code := range tt.wantUrgent {
				if !slices.ContainsFunc(is, func(x urgent.Issue) bool { return x.Code == code && x.Source == "lqosd" }) {
					t.Errorf("no open urgent issue %s in %+v", code, is)
				}
			}
			if tt.check != nil {
				tt.check(t, l, c)
			}
			_ = p.cmd.Process.Signal(syscall.SIGTERM)
			if code := p.exit(t); code != ExitOK {
				t.Errorf("SIGTERM exit code %d", code)
			}
		})
	}
}

// TestFindingsResolvedOnRestart: an issue raised for a problem that is gone
// at the next start is acknowledged automatically.
func TestFindingsResolvedOnRestart(t *testing.T) {
	l := newLab(t)
	l.writeConfig("[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdZ\"\n")
	p := l.start()
	l.waitReady(p)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	p.exit(t)

	l.writeConfig("[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdB\"\n")
	p = l.start()
	l.waitReady(p)
	is, err := l.client().ListUrgent(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(is, func(x urgent.Issue) bool { return x.Code == "LQOSD_INTERFACE_MISSING:lqtdZ" })
	if i < 0 || !is[i].Acknowledged || is[i].AcknowledgedBy != "auto" {
		t.Fatalf("interface issue not auto-resolved: %+v", is)
	}
}

func TestNamesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "names.json")
	n, err := loadNames(path)
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := netip.MustParsePrefix("10.0.0.1/32"), netip.MustParsePrefix("2001:db8::/56")
	if err := n.set([]netip.Prefix{p1, p2}, []idPair{{"c1", "d1"}, {"c2", ""}}); err != nil {
		t.Fatal(err)
	}
	if err := n.del([]netip.Prefix{p2}); err != nil {
		t.Fatal(err)
	}
	n2, err := loadNames(path)
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := n2.get(p1); !ok || v != (idPair{"c1", "d1"}) || n2.has(p2) {
		t.Fatalf("reloaded table: %+v %v", v, ok)
	}
	if err := n2.keep(nil); err != nil || n2.has(p1) {
		t.Fatalf("keep(nil): %v", err)
	}

	// A corrupt file is moved aside and named in the error.
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	n3, err := loadNames(path)
	if err == nil || !strings.Contains(err.Error(), path) || n3 == nil {
		t.Fatalf("corrupt file: %v", err)
	}
	if _, err := os.Stat(path + ".bad"); err != nil {
		t.Fatalf("corrupt file not kept aside: %v", err)
	}
}

func TestFindingCode(t *testing.T) {
	for _, tt := range []struct {
		f    Finding
		want string
	}{
		{Finding{Code: CodeInterfaceMissing, Subject: "eth0"}, "LQOSD_INTERFACE_MISSING:eth0"},
		{Finding{Code: CodeInterfaceMissing, Subject: "we!rd/name"}, "LQOSD_INTERFACE_MISSING:we_rd_name"},
		{Finding{Code: CodeBPFFSMounted, Subject: "/sys/fs/bpf"}, CodeBPFFSMounted},
		{Finding{Code: CodeQdiscMissing}, CodeQdiscMissing},
	} {
		if got := findingCode(tt.f); got != tt.want {
			t.Errorf("findingCode(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestMainUsage(t *testing.T) {
	var buf bytes.Buffer
	if code := Main([]string{"--no-such-flag"}, &buf); code != ExitUsage {
		t.Errorf("unknown flag: exit %d", code)
	}
	buf.Reset()
	if code := Main([]string{"extra"}, &buf); code != ExitUsage || !strings.Contains(buf.String(), "unexpected arguments") {
		t.Errorf("extra argument: exit %d, %q", code, buf.String())
	}
	buf.Reset()
	if code := Main([]string{"--log-level", "loud"}, &buf); code != ExitUsage || !strings.Contains(buf.String(), "--log-level") {
		t.Errorf("bad log level: exit %d, %q", code, buf.String())
	}
}

// TestInterfaceAppears: lqosd started before its interface exists attaches
// (and applies the plan) once it appears.
func TestInterfaceAppears(t *testing.T) {
	l := newLab(t)
	l.writeConfig("[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdZ\"\n")
	p := l.start("--attach-retry", "100ms")
	l.waitReady(p)
	c := l.client()
	ctx := context.Background()
	if l.xdpAttached("lqtdA") {
		t.Fatal("attached before the interface exists")
	}
	sh(t, "ip", "-n", l.shaper, "link", "add", "lqtdZ", "numtxqueues", "4", "numrxqueues", "4", "type", "veth", "peer", "name", "lqtdW", "numtxqueues", "4", "numrxqueues", "4")
	sh(t, "ip", "-n", l.shaper, "link", "set", "lqtdZ", "up")
	waitFor(t, "XDP on both interfaces", func() bool { return l.xdpAttached("lqtdA") && l.xdpAttached("lqtdZ") })
	waitFor(t, "the plan applied after attaching", func() bool {
		l, err := c.ListIPs(ctx, 0, 0)
		return err == nil && l.Total == 3
	})
	is, err := c.ListUrgent(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(is, func(x urgent.Issue) bool { return x.Code == "LQOSD_INTERFACE_MISSING:lqtdZ" })
	if i < 0 || !is[i].Acknowledged || is[i].AcknowledgedBy != "auto" {
		t.Fatalf("interface issue not resolved: %+v", is)
	}
	// The issue is resolved just before the line is logged.
	waitFor(t, "the log to say it attached late", func() bool {
		return strings.Contains(p.stderr.String(), "shaping interfaces appeared; data path attached")
	})
}

// noOpenErrors fails the test for every open urgent ERROR.
func noOpenErrors(t *testing.T, c *bus.Client) {
	t.Helper()
	is, err := c.ListUrgent(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range is {
		if x.Severity == urgent.Error {
			t.Errorf("open urgent ERROR %s: %s", x.Code, x.Message)
		}
	}
}

func rm(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

package scheduler

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/apply"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/vishvananda/netns"
)

// kernelLab is a namespace with a multi-queue veth pair eth0/eth1 and a
// config that shapes on it with pfifo leaves (this kernel has no cake).
func kernelLab(t *testing.T) (netns.NsHandle, string, *config.Config) {
	t.Helper()
	lab := kerneltest.NetNS(t, "lqtsched")
	kerneltest.Veth(t, lab, "eth0", lab, "eth1", 2)
	lab.IP(t, "link", "set", "eth0", "up")
	lab.IP(t, "link", "set", "eth1", "up")
	ns, name := lab.Handle, lab.Name

	dir := t.TempDir()
	conf := fmt.Sprintf("lqos_directory = %q\nstate_directory = %q\n[bridge]\nto_internet = \"eth0\"\nto_network = \"eth1\"\n[queues]\ndefault_sqm = \"pfifo limit 100\"\n",
		dir, filepath.Join(dir, "state"))
	path := filepath.Join(dir, "lqos.conf")
	os.WriteFile(path, []byte(conf), 0o644)
	cfg, _, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return ns, name, cfg
}

// TestKernelKeepsLastGood: the real shaper under the scheduler. A bad edit
// leaves the kernel tree exactly as it was; a good one is applied.
func TestKernelKeepsLastGood(t *testing.T) {
	ns, nsName, cfg := kernelLab(t)
	k, err := shaper.OpenKernel(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	dump := func() *tc.Live {
		t.Helper()
		live, err := tc.Dump(k.TC(), []string{"eth0", "eth1"})
		if err != nil {
			t.Fatal(err)
		}
		return live
	}
	l := newLab(t, "", "ShapedDevices.v1.csv", func(o *Options, d *Deps) {
		o.InputDir = cfg.LqosDirectory
		d.Validator = InputsValidator{Config: cfg}
		d.Refresher = &ApplyRefresher{Logger: d.Logger, Applier: &apply.Applier{Config: cfg, BusPath: filepath.Join(t.TempDir(), "no-lqosd"), Log: d.Logger,
			Lock: apply.Lock{Path: filepath.Join(t.TempDir(), "apply.lock"), Who: "lqos_scheduler"},
			OpenKernel: func() (shaper.Kernel, func(), error) {
				k, err := shaper.OpenKernel(ns)
				if err != nil {
					return nil, nil, err
				}
				return k, k.Close, nil
			}}}
	})
	// newLab wrote the inputs into its own dir; the config points elsewhere.
	l.dir = cfg.LqosDirectory
	l.write(FileNetwork, readTestdata(t, "network.json"))
	l.write(FileShapedDevices, readTestdata(t, "ShapedDevices.v1.csv"))
	ctx := context.Background()

	if err := l.s.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	good := dump()
	if len(good.Classes) == 0 {
		t.Fatal("no classes after the start-up apply")
	}

	l.write(FileShapedDevices, readTestdata(t, "ShapedDevices.bad.csv"))
	if err := l.s.RunCycle(ctx, FilesChanged); err == nil {
		t.Fatal("bad edit accepted")
	}
	if d := tc.CompareLive(good, dump()); len(d) != 0 {
		t.Errorf("a rejected edit changed the kernel: %v", d)
	}

	l.write(FileShapedDevices, readTestdata(t, "ShapedDevices.v2.csv"))
	if err := l.s.RunCycle(ctx, FilesChanged); err != nil {
		t.Fatal(err)
	}
	applied := dump()
	if got := len(applied.Classes) - len(good.Classes); got != 2 {
		t.Errorf("one new circuit added %d classes, want 2 (one per direction)", got)
	}

	// Someone deletes a circuit class by hand: the next scheduled refresh
	// (same inputs) puts it back.
	var victim tc.LiveClass
	for _, c := range applied.Classes {
		leaf := true
		for _, o := range applied.Classes {
			if o.Interface == c.Interface && o.Parent == c.ID {
				leaf = false
			}
		}
		if leaf && c.ID.Minor() > 2 {
			victim = c
		}
	}
	if out, err := exec.Command("tc", "-n", nsName, "class", "del", "dev", victim.Interface, "classid", victim.ID.String()).CombinedOutput(); err != nil {
		t.Fatalf("tc class del %s %s: %v\n%s", victim.Interface, victim.ID, err, out)
	}
	if len(dump().Classes) != len(applied.Classes)-1 {
		t.Fatal("hand-made drift did not happen")
	}
	if err := l.s.RunCycle(ctx, Scheduled); err != nil {
		t.Fatal(err)
	}
	if d := tc.CompareLive(applied, dump()); len(d) != 0 {
		t.Errorf("scheduled refresh did not repair the drift: %v", d)
	}
	if l.rep.lastError() != "" || l.rep.lastPhase() != PhaseReady {
		t.Errorf("error %q phase %q", l.rep.lastError(), l.rep.lastPhase())
	}
}

// The in-process apply (lqosd away) probes qdisc kinds and falls back as
// lqosd does: with cake missing, the fallback policy applies its leaves
// (fifo leaves) and the refuse policy refuses without touching the kernel. On a kernel
// with cake both apply cake leaves.
func TestInProcessApplyUsesLqosdQdiscPolicy(t *testing.T) {
	for _, policy := range []string{shaper.MissingFallback, shaper.MissingRefuse} {
		t.Run(policy, func(t *testing.T) {
			ns, _, base := kernelLab(t)
			have, err := shaper.ProbeQdiscs([]string{"cake"})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("kernel has cake: %v (leaf kind under test: %s)", have["cake"], map[bool]string{true: "cake", false: "fifo fallback"}[have["cake"]])
			conf := fmt.Sprintf("lqos_directory = %q\nstate_directory = %q\n[bridge]\nto_internet = \"eth0\"\nto_network = \"eth1\"\n[queues]\ndefault_sqm = \"cake diffserv4\"\n",
				base.LqosDirectory, base.StateDirectory)
			path := filepath.Join(base.LqosDirectory, "lqos.conf")
			os.WriteFile(path, []byte(conf), 0o644)
			cfg, _, err := config.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(cfg.LqosDirectory, FileNetwork), []byte(readTestdata(t, "network.json")), 0o644)
			os.WriteFile(filepath.Join(cfg.LqosDirectory, FileShapedDevices), []byte(readTestdata(t, "ShapedDevices.v1.csv")), 0o644)
			k, err := shaper.OpenKernel(ns)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			r := &ApplyRefresher{Applier: &apply.Applier{Config: cfg, BusPath: filepath.Join(t.TempDir(), "no-lqosd"), MissingQdisc: policy,
				Lock: apply.Lock{Path: filepath.Join(t.TempDir(), "apply.lock"), Who: "lqos_scheduler"},
				OpenKernel: func() (shaper.Kernel, func(), error) {
					k, err := shaper.OpenKernel(ns)
					if err != nil {
						return nil, nil, err
					}
					return k, k.Close, nil
				}}}
			err = r.Refresh(context.Background(), RefreshRequest{Full: true})
			live, derr := tc.Dump(k.TC(), []string{"eth0", "eth1"})
			if derr != nil {
				t.Fatal(derr)
			}
			kinds := map[string]int{}
			for _, q := range live.Qdiscs {
				kinds[q.Kind]++
			}
			switch {
			case have["cake"]:
				if err != nil || kinds["cake"] == 0 {
					t.Fatalf("kernel with cake: err %v, leaf kinds %v", err, kinds)
				}
			case policy == shaper.MissingFallback:
				if err != nil || kinds["pfifo"]+kinds["bfifo"] == 0 || kinds["htb"] == 0 {
					t.Fatalf("kernel without cake, fallback: err %v, qdisc kinds %v; want htb with lqosd's fifo fallback leaves", err, kinds)
				}
			default:
				if err == nil || !strings.Contains(err.Error(), "cake") || kinds["htb"] != 0 {
					t.Fatalf("kernel without cake, refuse: err %v, qdisc kinds %v; want a refusal naming cake and no tree", err, kinds)
				}
			}
		})
	}
}

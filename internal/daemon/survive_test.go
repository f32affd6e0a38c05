//go:build linux

package daemon

import (
	"context"
	"github.com/libreqos-go/lqos/internal/plan"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// inLabNS runs fn on a thread inside the named netns (the thread is never
// unlocked, so Go drops it afterwards).
func inLabNS(t *testing.T, ns string, fn func() error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		h, err := netns.GetFromName(ns)
		if err != nil {
			errc <- err
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			errc <- err
			return
		}
		errc <- fn()
	}()
	if err := <-errc; err != nil {
		t.Fatalf("in netns %s: %v", ns, err)
	}
}

// hookCounts is what is attached to dev: XDP programs (2 when driver and
// generic programs are both attached) and egress classifiers (TCX
// programs, or clsact bpf filters on kernels without TCX).
func (l *lab) hookCounts(t *testing.T, dev string) (xdp, tcx int) {
	t.Helper()
	inLabNS(t, l.shaper, func() error {
		nl, err := netlink.LinkByName(dev)
		if err != nil {
			return err
		}
		if x := nl.Attrs().Xdp; x != nil && x.Attached {
			xdp = 1
			if x.AttachMode == 4 { // XDP_ATTACHED_MULTI
				xdp = 2
			}
		}
		// Kernels before 6.6 have no TCX: lqosd attaches a clsact filter.
		if !datapath.ProbeFeatures().Has(datapath.FeatureTCX) {
			fs, err := netlink.FilterList(nl, netlink.HANDLE_MIN_EGRESS)
			if err != nil {
				return err
			}
			for _, f := range fs {
				if _, ok := f.(*netlink.BpfFilter); ok {
					tcx++
				}
			}
			return nil
		}
		res, err := link.QueryPrograms(link.QueryOptions{Target: nl.Attrs().Index, Attach: ebpf.AttachTCXEgress})
		if err != nil {
			return err
		}
		tcx = len(res.Programs)
		return nil
	})
	return xdp, tcx
}

// classPackets reads an HTB class's packet counter in the shaper netns.
func (l *lab) classPackets(t *testing.T, dev string, id uint32) (uint64, bool) {
	t.Helper()
	c, ok := l.class(t, dev, id)
	return c.Stats.Packets, ok
}

func (l *lab) class(t *testing.T, dev string, id uint32) (tc.LiveClass, bool) {
	t.Helper()
	ns, err := netns.GetFromName(l.shaper)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	k, err := shaper.OpenKernel(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	live, err := tc.Dump(k.TC(), []string{dev})
	if err != nil {
		t.Fatal(err)
	}
	return live.Class(dev, tchandle.Handle(id))
}

// xps reads every TX queue's XPS mask of dev in the shaper netns (through
// `ip netns exec`, which mounts that netns's /sys).
func (l *lab) xps(t *testing.T, dev string) []string {
	t.Helper()
	out := sh(t, "ip", "netns", "exec", l.shaper, "sh", "-c", "cat /sys/class/net/"+dev+"/queues/tx-*/xps_cpus")
	return strings.Fields(out)
}

func zeroMask(m string) bool { return strings.Trim(m, "0,") == "" }

// TestCrashKeepsClassifying: after kill -9, and after a graceful SIGTERM,
// the pinned links keep XDP/TC classifying into the mapped HTB class; each
// restart adopts them (one program per hook); only --detach-on-stop
// detaches. Also: XPS is turned off at attach.
func TestCrashKeepsClassifying(t *testing.T) {
	l := newLab(t)
	for _, dev := range []string{"lqtdA", "lqtdB"} {
		sh(t, "ip", "netns", "exec", l.shaper, "sh", "-c", "for f in /sys/class/net/"+dev+"/queues/tx-*/xps_cpus; do echo 1 > $f; done")
		if m := l.xps(t, dev); len(m) != 4 || zeroMask(m[0]) {
			t.Fatalf("could not set XPS up on %s: %v", dev, m)
		}
	}
	p := l.start()
	l.waitReady(p)
	c := l.client()
	ctx := context.Background()

	for _, dev := range []string{"lqtdA", "lqtdB"} {
		if m := l.xps(t, dev); len(m) != 4 {
			t.Errorf("%s has %d TX queues with xps_cpus, want 4", dev, len(m))
		}
		for _, s := range l.xps(t, dev) {
			if !zeroMask(s) {
				t.Errorf("%s xps_cpus after attach = %v, want all zero", dev, l.xps(t, dev))
				break
			}
		}
		if !strings.Contains(p.stderr.String(), "XPS turned off") || !strings.Contains(p.stderr.String(), "iface="+dev) {
			t.Errorf("log does not say XPS was turned off on %s", dev)
		}
	}

	// Map the plan's unmapped host into c1's classes by hand.
	var c1 plan.Mapping
	for _, m := range listAll(t, c) {
		if m.CircuitID == "c1" {
			c1 = m
		}
	}
	if c1.ClassID == 0 {
		t.Fatalf("c1 not mapped by the startup plan: %v", prefixes(listAll(t, c)))
	}
	res, err := c.MapIPs(ctx, []plan.Mapping{{Prefix: netip.MustParsePrefix("10.10.0.99/32"), ClassID: c1.ClassID, UploadClassID: c1.UploadClassID, CircuitID: "c1", DeviceID: "manual"}})
	if err != nil || res.Applied != 1 {
		t.Fatalf("MapIPs %+v, %v", res, err)
	}
	if _, ok := l.classPackets(t, "lqtdB", uint32(c1.ClassID)); !ok {
		t.Fatalf("class %s not on lqtdB", tchandle.Handle(c1.ClassID))
	}
	const n = 20
	download := func(what string) {
		t.Helper()
		before, _ := l.classPackets(t, "lqtdB", uint32(c1.ClassID))
		waitFor(t, what, func() bool {
			sendUDP(t, l.inet, "10.10.0.254", "10.10.0.99", n)
			now, _ := l.classPackets(t, "lqtdB", uint32(c1.ClassID))
			return now >= before+n
		})
	}

	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	if code := p.exit(t); code != -int(syscall.SIGKILL) {
		t.Fatalf("exit after kill -9: %d", code)
	}
	for _, dev := range []string{"lqtdA", "lqtdB"} {
		if x, tcx := l.hookCounts(t, dev); x != 1 || tcx != 1 {
			t.Fatalf("%s while lqosd is down: %d XDP, %d TC egress classifiers; want 1 and 1", dev, x, tcx)
		}
	}
	download("10.10.0.99 download in c1's class while lqosd is down")

	p2 := l.start("--no-startup-apply")
	l.waitReady(p2)
	if !strings.Contains(p2.stderr.String(), "adopting the pinned links") {
		t.Errorf("restart log does not mention adoption:\n%s", grepLines(p2.stderr.String(), "datapath"))
	}
	for _, dev := range []string{"lqtdA", "lqtdB"} {
		if x, tcx := l.hookCounts(t, dev); x != 1 || tcx != 1 {
			t.Errorf("%s after restart: %d XDP, %d TC egress classifiers; want 1 and 1", dev, x, tcx)
		}
	}
	download("10.10.0.99 download in c1's class after the restart")

	// A graceful stop (systemd restart or upgrade) keeps everything in
	// place: programs, link pins, maps, queues; the subscriber stays in its
	// class while lqosd is away.
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p2.exit(t); code != ExitOK {
		t.Fatalf("exit code after SIGTERM %d", code)
	}
	for _, dev := range []string{"lqtdA", "lqtdB"} {
		if x, tcx := l.hookCounts(t, dev); x != 1 || tcx != 1 {
			t.Errorf("%s after SIGTERM: %d XDP, %d TC egress classifiers; want 1 and 1 (shaping must stay while lqosd is stopped)", dev, x, tcx)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(l.pins, "links")); len(ents) == 0 {
		t.Errorf("link pins gone after SIGTERM")
	}
	if _, ok := l.classPackets(t, "lqtdB", uint32(c1.ClassID)); !ok {
		t.Errorf("class %s gone after SIGTERM", tchandle.Handle(c1.ClassID))
	}
	download("10.10.0.99 download in c1's class after SIGTERM")

	// The next start adopts them and finds the tree in place: its start-up
	// apply changes nothing in the kernel. With --detach-on-stop its own
	// stop detaches the programs (maps and queues stay).
	p3 := l.start("--detach-on-stop")
	l.waitReady(p3)
	waitFor(t, "the start-up apply", func() bool { return strings.Contains(p3.stderr.String(), "shaping plan applied at start") })
	if !strings.Contains(p3.stderr.String(), "adopting the pinned links") {
		t.Errorf("start after SIGTERM does not adopt:\n%s", grepLines(p3.stderr.String(), "datapath"))
	}
	if line := grepLines(p3.stderr.String(), "shaping plan applied at start"); !strings.Contains(line, "; 0 kernel requests") {
		t.Errorf("the start after a graceful stop changed the queue tree: %s", line)
	}
	c3 := l.client()
	if got := prefixes(listAll(t, c3)); !slices.Contains(got, "10.10.0.1/32=c1") {
		t.Errorf("mappings after SIGTERM and start: %v", got)
	}
	for _, dev := range []string{"lqtdA", "lqtdB"} {
		if x, tcx := l.hookCounts(t, dev); x != 1 || tcx != 1 {
			t.Errorf("%s after the second restart: %d XDP, %d TC egress classifiers; want 1 and 1", dev, x, tcx)
		}
	}
	if err := p3.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p3.exit(t); code != ExitOK {
		t.Fatalf("exit code after SIGTERM with --detach-on-stop %d", code)
	}
	for _, dev := range []string{"lqtdA", "lqtdB"} {
		if x, tcx := l.hookCounts(t, dev); x != 0 || tcx != 0 {
			t.Errorf("%s after SIGTERM with --detach-on-stop: %d XDP, %d TCX programs still attached", dev, x, tcx)
		}
	}
	if ents, _ := os.ReadDir(filepath.Join(l.pins, "links")); len(ents) != 0 {
		t.Errorf("link pins left after a detaching stop: %v", ents)
	}
	if _, err := os.Stat(filepath.Join(l.pins, "lqos_lpm")); err != nil {
		t.Errorf("map pin gone after SIGTERM: %v", err)
	}
	if _, ok := l.classPackets(t, "lqtdB", uint32(c1.ClassID)); !ok {
		t.Errorf("queues gone after a detaching stop")
	}
}

// TestDriftRepair: a class changed or deleted with tc by hand is reported
// (urgent issue QUEUE_DRIFT naming it) and restored; the issue is resolved
// once the tree matches again.
func TestDriftRepair(t *testing.T) {
	l := newLab(t)
	p := l.start("--drift-interval", "300ms", "--no-webui")
	l.waitReady(p)
	c := l.client()
	ctx := context.Background()
	ids := map[string]uint32{}
	for _, m := range listAll(t, c) {
		ids[m.CircuitID] = uint32(m.ClassID)
	}
	if ids["c1"] == 0 || ids["c2"] == 0 {
		t.Fatalf("plan not applied: %v", prefixes(listAll(t, c)))
	}
	// A freshly applied tree is no drift.
	waitFor(t, "a clean drift check", func() bool {
		return strings.Contains(p.stderr.String(), "queue drift check: the kernel matches")
	})
	if is, _ := c.ListUrgent(ctx, false); slices.ContainsFunc(is, func(x urgent.Issue) bool { return x.Code == CodeQueueDrift }) {
		t.Fatalf("drift reported on a freshly applied tree: %+v", is)
	}

	tests := []struct {
		name, circuit string
		tamper        func(h string) []string
	}{
		{"rate changed", "c1", func(h string) []string {
			return []string{"tc", "-n", l.shaper, "class", "change", "dev", "lqtdB", "classid", h, "htb", "rate", "1mbit", "ceil", "1mbit"}
		}},
		{"class deleted", "c2", func(h string) []string {
			return []string{"tc", "-n", l.shaper, "class", "del", "dev", "lqtdB", "classid", h}
		}},
	}
	raised := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := ids[tt.circuit]
			h := tchandle.Handle(id).String()
			orig, ok := l.class(t, "lqtdB", id)
			if !ok {
				t.Fatalf("class %s missing before the test", h)
			}
			sh(t, tt.tamper(h)...)
			if now, ok := l.class(t, "lqtdB", id); ok && now.RateBps == orig.RateBps {
				t.Fatalf("tc did not change class %s", h)
			}
			var issue urgent.Issue
			waitFor(t, "a new QUEUE_DRIFT issue", func() bool {
				is, err := c.ListUrgent(ctx, false)
				if err != nil {
					t.Fatal(err)
				}
				n := 0
				for _, x := range is {
					if x.Code == CodeQueueDrift {
						n++
						if x.ID > issue.ID {
							issue = x
						}
					}
				}
				return n > raised
			})
			raised++
			if !strings.Contains(string(issue.Context), h) || issue.Severity != urgent.Error {
				t.Errorf("issue %+v (context %s) does not name class %s", issue, issue.Context, h)
			}
			waitFor(t, "class "+h+" restored", func() bool {
				now, ok := l.class(t, "lqtdB", id)
				return ok && now.RateBps == orig.RateBps && now.CeilBps == orig.CeilBps && now.Parent == orig.Parent
			})
			waitFor(t, "QUEUE_DRIFT resolved", func() bool {
				is, err := c.ListUrgent(ctx, true)
				if err != nil {
					t.Fatal(err)
				}
				return !slices.ContainsFunc(is, func(x urgent.Issue) bool { return x.Code == CodeQueueDrift })
			})
		})
	}
	if log := p.stderr.String(); !strings.Contains(log, "queue drift repaired") || !strings.Contains(log, "drifted from the last applied plan") {
		t.Errorf("log lacks the drift report and repair:\n%s", grepLines(log, "drift"))
	}
}

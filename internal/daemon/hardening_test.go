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

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/cli"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// classCount is the number of HTB classes on dev in the shaper netns.
func (l *lab) classCount(t *testing.T, dev string) int {
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
	// Only HTB classes: a kernel's default fq_codel on an unused mq slot
	// (Debian's) lists its active flows as classes too.
	n := 0
	for _, c := range live.Classes {
		if c.Kind == "htb" {
			n++
		}
	}
	return n
}

// mappingsPointAtClasses fails the test when a mapping's download class is
// missing from the kernel (the subscriber would be unshaped).
func (l *lab) mappingsPointAtClasses(t *testing.T, c *bus.Client) {
	t.Helper()
	for _, m := range listAll(t, c) {
		if _, ok := l.class(t, "lqtdB", uint32(m.ClassID)); !ok {
			t.Errorf("mapping %s (%s) points at class %s, which is not in the kernel", m.Prefix, m.CircuitID, tchandle.Handle(m.ClassID))
		}
	}
}

func openIssue(t *testing.T, c *bus.Client, code string) (urgent.Issue, bool) {
	t.Helper()
	is, err := c.ListUrgent(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range is {
		if x.Code == code {
			return x, true
		}
	}
	return urgent.Issue{}, false
}

// driftChecks counts completed clean drift checks in the log.
func driftChecks(p *proc) int {
	return strings.Count(p.stderr.String(), "queue drift check: the kernel matches")
}

// fill writes a file into dir until the file system is full.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatalf("filling %s: %v", dir, err)
			}
			return path
		}
	}
}

const fourthCircuit = "c4,Circuit Four,d4,Dev 4,,,,,10.10.0.3,,10,5,20,10,,\n"

// TestFullStateDirAppliesNothing: with the state directory (a small tmpfs)
// full, adding a circuit applies nothing, neither class nor mapping; the
// drift check finds kernel, mappings and record in step; an urgent ERROR is
// open while the disk is full; once space is freed lqosd retries by itself
// and the circuit is shaped.
func TestFullStateDirAppliesNothing(t *testing.T) {
	l := newLab(t)
	if err := os.MkdirAll(l.state, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", l.state, "tmpfs", 0, "size=1m,mode=0700"); err != nil {
		t.Fatalf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { _ = unix.Unmount(l.state, unix.MNT_DETACH) })
	p := l.start("--drift-interval", "200ms", "--apply-retry", "200ms", "--no-webui")
	l.waitReady(p)
	c := l.client()
	ctx := context.Background()
	classes := l.classCount(t, "lqtdB")
	before := prefixes(listAll(t, c))

	filler := fill(t, l.state)
	l.writeDevices(defaultDevices + fourthCircuit)
	_, err := c.ReloadPlan(ctx, "test: full disk", false)
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), "nothing was applied") {
		t.Fatalf("reload with a full state directory: %v", err)
	}
	if is, ok := openIssue(t, c, CodeStateWrite); !ok || is.Severity != urgent.Error {
		t.Errorf("no open %s error while the disk is full (got %+v)", CodeStateWrite, is)
	}
	if got := prefixes(listAll(t, c)); !slices.Equal(got, before) {
		t.Errorf("mappings changed by a refused apply: %v, want %v", got, before)
	}
	if n := l.classCount(t, "lqtdB"); n != classes {
		t.Errorf("%d classes on lqtdB after a refused apply, want %d", n, classes)
	}
	// Two clean drift checks after the refusal: kernel and record agree,
	// and no mapping lost its class.
	n0 := driftChecks(p)
	waitFor(t, "two clean drift checks", func() bool { return driftChecks(p) >= n0+2 })
	l.mappingsPointAtClasses(t, c)

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retry to map circuit c4", func() bool {
		return slices.Contains(prefixes(listAll(t, c)), "10.10.0.3/32=c4")
	})
	l.mappingsPointAtClasses(t, c)
	if n := l.classCount(t, "lqtdB"); n != classes+1 {
		t.Errorf("%d classes on lqtdB after the retry, want %d", n, classes+1)
	}
	waitFor(t, CodeStateWrite+" resolved", func() bool { _, open := openIssue(t, c, CodeStateWrite); return !open })
}

// TestDriftRepairsMappings: the drift check restores mappings of the
// recorded tree, removes mappings that point at a class the recorded tree
// does not have, and leaves hand-made mappings into existing classes alone.
func TestDriftRepairsMappings(t *testing.T) {
	l := newLab(t)
	p := l.start("--drift-interval", "200ms", "--no-webui")
	l.waitReady(p)
	c := l.client()
	ctx := context.Background()
	var c1 plan.Mapping
	for _, m := range listAll(t, c) {
		if m.CircuitID == "c1" {
			c1 = m
		}
	}
	if c1.ClassID == 0 {
		t.Fatalf("c1 not mapped at start: %v", prefixes(listAll(t, c)))
	}
	manual := plan.Mapping{Prefix: netip.MustParsePrefix("10.10.0.99/32"), ClassID: c1.ClassID, UploadClassID: c1.UploadClassID, CircuitID: "c1", DeviceID: "manual"}
	if _, err := c.MapIPs(ctx, []plan.Mapping{manual}); err != nil {
		t.Fatal(err)
	}
	missing := tchandle.Handle(c1.ClassID&0xffff0000 | 0xfff0)
	tests := []struct {
		name   string
		tamper func() error
		done   func([]string) bool
	}{
		{"mapping deleted by hand is restored", func() error {
			_, err := c.DelIPs(ctx, []netip.Prefix{netip.MustParsePrefix("10.10.0.1/32")})
			return err
		}, func(got []string) bool { return slices.Contains(got, "10.10.0.1/32=c1") }},
		{"mapping into a class that does not exist is removed", func() error {
			_, err := c.MapIPs(ctx, []plan.Mapping{{Prefix: netip.MustParsePrefix("10.10.0.77/32"), ClassID: missing, UploadClassID: missing, CircuitID: "ghost", DeviceID: "ghost"}})
			return err
		}, func(got []string) bool {
			return !slices.ContainsFunc(got, func(s string) bool { return strings.HasPrefix(s, "10.10.0.77/32") })
		}},
		{"mapping changed to another class is put back", func() error {
			m := c1
			m.ClassID = missing
			_, err := c.MapIPs(ctx, []plan.Mapping{m})
			return err
		}, func([]string) bool {
			for _, m := range listAll(t, c) {
				if m.Prefix == c1.Prefix {
					return m.ClassID == c1.ClassID
				}
			}
			return false
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.tamper(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the drift check to repair it", func() bool { return tt.done(prefixes(listAll(t, c))) })
			waitFor(t, "QUEUE_DRIFT resolved", func() bool { _, open := openIssue(t, c, CodeQueueDrift); return !open })
			l.mappingsPointAtClasses(t, c)
		})
	}
	n0 := driftChecks(p)
	waitFor(t, "two clean drift checks", func() bool { return driftChecks(p) >= n0+2 })
	if !slices.Contains(prefixes(listAll(t, c)), "10.10.0.99/32=c1") {
		t.Errorf("the drift check removed a hand-made mapping into an existing class")
	}
	if !strings.Contains(p.stderr.String(), "mappings_restored") {
		t.Errorf("log lacks the mapping repair:\n%s", grepLines(p.stderr.String(), "drift"))
	}
}

// TestShrinkHeldUntilConfirmed: ShapedDevices.csv losing one of three
// circuits (33%, over the default 20%) is held with an urgent WARNING and
// the last good tree stays; a confirmed reload applies it.
func TestShrinkHeldUntilConfirmed(t *testing.T) {
	l := newLab(t)
	conf, err := os.ReadFile(l.conf)
	if err != nil {
		t.Fatal(err)
	}
	l.write("lqos.conf", strings.Replace(string(conf), "max_circuit_removal_percent = 100\n", "", 1)) // the default, 20%
	p := l.start("--no-webui")
	l.waitReady(p)
	c := l.client()
	ctx := context.Background()
	before := prefixes(listAll(t, c))
	classes := l.classCount(t, "lqtdB")

	l.writeDevices(strings.Join(strings.SplitAfter(defaultDevices, "\n")[:3], ""))
	_, err = c.ReloadPlan(ctx, "test: cut file", false)
	if !errors.Is(err, &bus.Error{Code: bus.CodeShrinkHeld}) || !strings.Contains(err.Error(), "1 of 3") {
		t.Fatalf("reload of a cut file: %v", err)
	}
	if is, ok := openIssue(t, c, CodeShrinkHeld); !ok || is.Severity != urgent.Warning || !strings.Contains(is.Message, "--confirm-shrink") {
		t.Errorf("no open %s warning saying how to confirm (got %+v)", CodeShrinkHeld, is)
	}
	if got := prefixes(listAll(t, c)); !slices.Equal(got, before) {
		t.Errorf("a held run changed the mappings: %v", got)
	}
	if n := l.classCount(t, "lqtdB"); n != classes {
		t.Errorf("a held run changed the classes: %d, want %d", n, classes)
	}

	// Confirmed from the command line: `lqos reload --confirm-shrink` sends
	// the request `libreqos --confirm-shrink` sends.
	var out, errb bytes.Buffer
	if code := cli.Run(ctx, cli.Options{BusPath: l.bus}, []string{"reload", "--confirm-shrink"}, &out, &errb); code != 0 {
		t.Fatalf("lqos reload --confirm-shrink: exit %d\n%s%s", code, out.String(), errb.String())
	}
	if got := prefixes(listAll(t, c)); slices.ContainsFunc(got, func(s string) bool { return strings.HasSuffix(s, "=c3") }) || len(got) != 2 {
		t.Errorf("mappings after the confirmed run: %v, want c1 and c2 only", got)
	}
	if _, open := openIssue(t, c, CodeShrinkHeld); open {
		t.Errorf("%s still open after the confirmed run", CodeShrinkHeld)
	}
}

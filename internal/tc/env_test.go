package tc

import (
	"fmt"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/vishvananda/netns"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

// testNet is a pair of namespaces joined by a multi-queue veth:
// ns A holds "a0" (10.77.x.1), ns B holds "b0" (10.77.x.2).
type testNet struct {
	A, B     string // namespace names
	nsA, nsB netns.NsHandle
	IPA, IPB string
	h        *Handle // tc handle in ns A
	txQueues int
	closers  []func()
}

func requireRoot(tb testing.TB) {
	tb.Helper()
	kerneltest.RequireRoot(tb)
}

func run(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		tb.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

var testNetSeq atomic.Int32

// newTestNet builds the namespaces and veth; everything is removed in Cleanup.
func newTestNet(tb testing.TB, queues int) *testNet {
	tb.Helper()
	return newTestNetPrefix(tb, queues, "lqttc")
}

// newTestNetPrefix is newTestNet with the namespace name prefix chosen by the
// caller, so a test's namespaces can be told apart (and cleaned up) by name.
func newTestNetPrefix(tb testing.TB, queues int, prefix string) *testNet {
	tb.Helper()
	requireRoot(tb)
	a, b := kerneltest.NetNS(tb, prefix), kerneltest.NetNS(tb, prefix)
	n := testNetSeq.Add(1)
	tn := &testNet{
		A: a.Name, B: b.Name, nsA: a.Handle, nsB: b.Handle,
		IPA: fmt.Sprintf("10.77.%d.1", n%250), IPB: fmt.Sprintf("10.77.%d.2", n%250), txQueues: queues,
	}
	tn.closers = append(tn.closers, a.Close, b.Close)
	tb.Cleanup(tn.close)
	kerneltest.Veth(tb, a, "a0", b, "b0", queues)
	a.IP(tb, "addr", "add", tn.IPA+"/24", "dev", "a0")
	b.IP(tb, "addr", "add", tn.IPB+"/24", "dev", "b0")
	a.IP(tb, "link", "set", "a0", "up")
	b.IP(tb, "link", "set", "b0", "up")
	var err error
	if tn.h, err = NewHandle(tn.nsA); err != nil {
		tb.Fatal(err)
	}
	tn.closers = append(tn.closers, tn.h.Close)
	return tn
}

// close removes everything newTestNet made (also run by Cleanup; idempotent).
func (tn *testNet) close() {
	for i := len(tn.closers) - 1; i >= 0; i-- {
		tn.closers[i]()
	}
	tn.closers = nil
}

// inNetns runs fn on a thread switched into ns (sockets created there stay there).
func inNetns(ns netns.NsHandle, fn func() error) error {
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		runtime.UnlockOSThread()
		return err
	}
	defer orig.Close()
	if err := netns.Set(ns); err != nil {
		runtime.UnlockOSThread()
		return err
	}
	ferr := fn()
	if err := netns.Set(orig); err != nil {
		// Leave the thread locked: it dies with the goroutine instead of
		// running other goroutines in the wrong namespace.
		return fmt.Errorf("restore netns: %w", err)
	}
	runtime.UnlockOSThread()
	return ferr
}

// testTree builds a planner-shaped tree on one interface: mq root, one HTB per
// queue with root (m:1) and default (m:2) classes, nodes under m:1 and
// circuits under the nodes, each circuit with a pfifo leaf and explicit handle.
func testTree(iface string, queues, nodes, circuits int) *plan.Tree {
	t := &plan.Tree{Interfaces: []string{iface}}
	t.Qdiscs = append(t.Qdiscs, plan.Qdisc{Interface: iface, Handle: tchandle.Make(0x7fff, 0), Parent: tchandle.Root, Kind: "mq"})
	const gbit = 1_000_000_000
	for q := 1; q <= queues; q++ {
		m := uint16(q)
		t.Qdiscs = append(t.Qdiscs, plan.Qdisc{Interface: iface, Handle: tchandle.Make(m, 0), Parent: tchandle.Make(0x7fff, m), Kind: "htb", HTBDefault: 2, HTBR2Q: 2084})
		t.Classes = append(t.Classes,
			plan.Class{Interface: iface, ID: tchandle.Make(m, 1), Parent: tchandle.Make(m, 0), Kind: plan.KindQueueRoot, RateBps: 10 * gbit, CeilBps: 10 * gbit, Quantum: 60000, Queue: q},
			plan.Class{Interface: iface, ID: tchandle.Make(m, 2), Parent: tchandle.Make(m, 1), Kind: plan.KindDefault, RateBps: 2 * gbit, CeilBps: 10*gbit - 1e6, Quantum: 60000, Prio: 5,
				Leaf: plan.Leaf{Kind: "pfifo", Args: []string{"limit", "1000"}}, LeafHandle: tchandle.Make(0x2000+2*m+1, 0), Queue: q},
		)
	}
	minor := make([]uint16, queues+1)
	for q := range minor {
		minor[q] = 3
	}
	nodeID := make([]tchandle.Handle, nodes)
	for i := range nodes {
		q := i%queues + 1
		id := tchandle.Make(uint16(q), minor[q])
		minor[q]++
		nodeID[i] = id
		t.Classes = append(t.Classes, plan.Class{Interface: iface, ID: id, Parent: tchandle.Make(uint16(q), 1), Kind: plan.KindNode,
			RateBps: gbit, CeilBps: gbit, Quantum: 12000, Prio: 3, NodeName: fmt.Sprintf("site-%d", i), Queue: q})
	}
	nextLeaf := leafHandles(queues)
	for i := range circuits {
		var parent tchandle.Handle
		var q int
		if nodes > 0 {
			parent = nodeID[i%nodes]
			q = int(parent.Major())
		} else {
			q = i%queues + 1
			parent = tchandle.Make(uint16(q), 1)
		}
		id := tchandle.Make(uint16(q), minor[q])
		minor[q]++
		rate := uint64(25_000_000 + 1000*(i%97))
		t.Classes = append(t.Classes, plan.Class{Interface: iface, ID: id, Parent: parent, Kind: plan.KindCircuit,
			RateBps: rate / 2, CeilBps: rate, Quantum: 1522, Prio: 3, CircuitID: fmt.Sprintf("c%d", i), Queue: q,
			Leaf: plan.Leaf{Kind: "pfifo", Args: []string{"limit", "100"}}, LeafHandle: tchandle.Make(nextLeaf(), 0)})
		if c := &t.Classes[len(t.Classes)-1]; c.LeafHandle == 0 {
			c.Leaf = plan.Leaf{} // handle space used up: HTB's built-in fifo, as the planner does
		}
	}
	return t
}

// leafHandles hands out leaf qdisc majors the way the planner does: from
// 0x9000 up, then from 0x100 up, skipping the queue HTBs, their default
// leaves and the mq root; 0 once the 16-bit space is used up.
func leafHandles(queues int) func() uint16 {
	next := uint32(0x9000)
	wrapped := false
	return func() uint16 {
		for {
			if next > 0xfffe {
				if wrapped {
					return 0
				}
				wrapped, next = true, 0x100
			}
			if wrapped && next >= 0x9000 {
				return 0
			}
			h := uint16(next)
			next++
			if h == 0x7fff || (h >= 0x2000 && h <= 0x2000+2*uint16(queues)+1) {
				continue
			}
			return h
		}
	}
}

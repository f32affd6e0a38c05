package tc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"github.com/libreqos-go/lqos/internal/testwait"
)

// trafficTree: per queue, a 10 Mbit/s circuit m:10 and a 1 Gbit/s unshaped
// class m:11, both with pfifo leaves, under a 10 Gbit/s queue root.
func trafficTree(iface string, queues int) *plan.Tree {
	t := &plan.Tree{Interfaces: []string{iface}}
	t.Qdiscs = append(t.Qdiscs, plan.Qdisc{Interface: iface, Handle: tchandle.Make(0x7fff, 0), Parent: tchandle.Root, Kind: "mq"})
	for q := 1; q <= queues; q++ {
		m := uint16(q)
		t.Qdiscs = append(t.Qdiscs, plan.Qdisc{Interface: iface, Handle: tchandle.Make(m, 0), Parent: tchandle.Make(0x7fff, m), Kind: "htb", HTBDefault: 2})
		t.Classes = append(t.Classes,
			plan.Class{Interface: iface, ID: tchandle.Make(m, 1), Parent: tchandle.Make(m, 0), Kind: plan.KindQueueRoot, RateBps: 10e9, CeilBps: 10e9, Quantum: 60000},
			plan.Class{Interface: iface, ID: tchandle.Make(m, 2), Parent: tchandle.Make(m, 1), Kind: plan.KindDefault, RateBps: 1e9, CeilBps: 10e9, Quantum: 60000, Prio: 5},
			plan.Class{Interface: iface, ID: tchandle.Make(m, 10), Parent: tchandle.Make(m, 1), Kind: plan.KindCircuit, RateBps: 10e6, CeilBps: 10e6, Quantum: 1522, Prio: 3,
				CircuitID: fmt.Sprintf("shaped-q%d", q), Leaf: plan.Leaf{Kind: "pfifo", Args: []string{"limit", "100"}}, LeafHandle: tchandle.Make(0x9000+m, 0)},
			plan.Class{Interface: iface, ID: tchandle.Make(m, 11), Parent: tchandle.Make(m, 1), Kind: plan.KindCircuit, RateBps: 1e9, CeilBps: 1e9, Quantum: 60000, Prio: 3,
				CircuitID: fmt.Sprintf("fast-q%d", q), Leaf: plan.Leaf{Kind: "pfifo", Args: []string{"limit", "1000"}}, LeafHandle: tchandle.Make(0x9100+m, 0)},
		)
	}
	return t
}

// flow is one TCP stream from ns A to ns B whose received bytes are counted.
type flow struct {
	got  atomic.Int64
	stop chan struct{}
	wg   sync.WaitGroup
	err  atomic.Value
}

func startFlow(t testing.TB, tn *testNet, port int) *flow {
	t.Helper()
	f := &flow{stop: make(chan struct{})}
	var ln net.Listener
	if err := inNetns(tn.nsB, func() (err error) {
		ln, err = net.Listen("tcp4", fmt.Sprintf("%s:%d", tn.IPB, port))
		return err
	}); err != nil {
		t.Fatalf("listen in %s: %v", tn.B, err)
	}
	t.Cleanup(func() { ln.Close() })
	f.wg.Add(2)
	go func() {
		defer f.wg.Done()
		c, err := ln.Accept()
		if err != nil {
			f.err.Store(err)
			return
		}
		defer c.Close()
		buf := make([]byte, 256<<10)
		for {
			n, err := c.Read(buf)
			f.got.Add(int64(n))
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
					select {
					case <-f.stop:
					default:
						f.err.Store(err)
					}
				}
				return
			}
		}
	}()
	var conn net.Conn
	if err := inNetns(tn.nsA, func() (err error) {
		conn, err = net.DialTimeout("tcp4", fmt.Sprintf("%s:%d", tn.IPB, port), 3*time.Second)
		return err
	}); err != nil {
		t.Fatalf("dial from %s: %v", tn.A, err)
	}
	go func() {
		defer f.wg.Done()
		defer conn.Close()
		buf := make([]byte, 64<<10)
		for {
			select {
			case <-f.stop:
				return
			default:
			}
			_ = conn.SetWriteDeadline(time.Now().Add(200 * time.Millisecond))
			if _, err := conn.Write(buf); err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					continue
				}
				return
			}
		}
	}()
	return f
}

func (f *flow) close() {
	close(f.stop)
	f.wg.Wait()
}

// shapedRig is trafficTree applied on a0 with port 5001 classified into the
// 10 Mbit/s circuits (m:10) and port 5002 into the 1 Gbit/s ones (m:11),
// one TCP flow on each.
func shapedRig(tb testing.TB) (tn *testNet, shaped, fast *flow) {
	tb.Helper()
	const queues = 4
	tn = newTestNet(tb, queues)
	tree := trafficTree("a0", queues)
	if _, err := Apply(context.Background(), tn.h, tree, Options{}); err != nil {
		tb.Fatalf("apply: %v", err)
	}
	// Classify by destination port on every per-queue HTB, whichever TX
	// queue the socket lands on.
	for q := 1; q <= queues; q++ {
		for port, minor := range map[int]int{5001: 10, 5002: 11} {
			run(tb, "ip", "netns", "exec", tn.A, "tc", "filter", "add", "dev", "a0", "parent", fmt.Sprintf("%x:", q), "protocol", "ip",
				"prio", "1", "u32", "match", "ip", "dport", fmt.Sprint(port), "0xffff", "flowid", fmt.Sprintf("%x:%x", q, minor))
		}
	}
	return tn, startFlow(tb, tn, 5001), startFlow(tb, tn, 5002)
}

// classCounters sums the kernel's counters of the circuit classes with
// the given minor over all queues of a0.
func classCounters(tb testing.TB, tn *testNet, minor uint16) (bytes uint64, overlimits uint64) {
	tb.Helper()
	live, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range live.Classes {
		if c.ID.Minor() == minor {
			bytes += c.Stats.Bytes
			overlimits += uint64(c.Stats.Overlimits)
		}
	}
	return bytes, overlimits
}

// shapedWindow waits until the 10 Mbit/s circuit classes have counted
// window more bytes and returns the kernel's byte and overlimit counts
// over that window and a wall-clock span that contains it. The window is
// driven by bytes, so a slow machine only makes it longer.
func shapedWindow(tb testing.TB, tn *testNet, window uint64) (bytes, overlimits uint64, span time.Duration) {
	tb.Helper()
	start := time.Now() // before the first read: the span covers the bytes counted
	b0, o0 := classCounters(tb, tn, 10)
	var b1, o1 uint64
	testwait.Until(tb, fmt.Sprintf("the shaped circuit classes count %d bytes", window), func() bool {
		b1, o1 = classCounters(tb, tn, 10)
		return b1-b0 >= window
	})
	return b1 - b0, o1 - o0, time.Since(start)
}

// The kernel holds a TCP flow through a 10 Mbit/s circuit to that rate,
// while a flow through a 1 Gbit/s class beside it is not held there. What
// the test asserts holds on any machine: a slow one can only push fewer
// bytes, never more, so the rate's upper bound is checked on the kernel's
// own byte count over a window that contains it; that the shaper (not the
// sender) limited the flow is the class's overlimit count. The goodput
// figure itself is BenchmarkShapedGoodput's.
func TestTrafficShapedAndUnshaped(t *testing.T) {
	if testing.Short() {
		t.Skip("traffic test takes a few seconds")
	}
	tn, shaped, fast := shapedRig(t)
	// Past slow start and the initial token bucket: HTB has throttled the
	// circuit and counted about a second's worth of its rate.
	testwait.Until(t, "the shaped flow throttled by HTB", func() bool {
		b, o := classCounters(t, tn, 10)
		return b >= 10e6/8 && o > 0
	})
	f0 := fast.got.Load()
	bytes, overlimits, span := shapedWindow(t, tn, 3*10e6/8) // ~3 s at the circuit rate
	f1 := fast.got.Load()
	s1 := shaped.got.Load()
	shaped.close()
	fast.close()
	for _, f := range []*flow{shaped, fast} {
		if e := f.err.Load(); e != nil {
			t.Fatalf("flow error: %v", e)
		}
	}
	wireBps := float64(bytes) * 8 / span.Seconds()
	t.Logf("shaped circuit: %d bytes counted by the kernel in %v (at most %.2f Mbit/s), %d overlimits; 1 Gbit/s class: %d payload bytes meanwhile",
		bytes, span, wireBps/1e6, overlimits, f1-f0)
	// HTB's burst allowance adds at most a few kilobytes over a 3 s window.
	if wireBps > 11e6 {
		t.Errorf("shaped circuit passed %.2f Mbit/s on the wire, over its 10 Mbit/s rate", wireBps/1e6)
	}
	if overlimits == 0 {
		t.Error("the shaped circuit classes report no overlimits: HTB did not hold the flow back")
	}
	if fastBytes := uint64(f1 - f0); fastBytes < 5*bytes {
		t.Errorf("flow through the 1 Gbit/s class got %d bytes while the 10 Mbit/s circuit passed %d; it should not be held near the circuit rate", fastBytes, bytes)
	}
	// The kernel counted the shaped bytes in the circuit class.
	circuitBytes, _ := classCounters(t, tn, 10)
	if circuitBytes < uint64(s1) {
		t.Errorf("circuit classes counted %d bytes, fewer than the %d payload bytes received", circuitBytes, s1)
	}
}

// BenchmarkShapedGoodput reports the wire rate the kernel lets through the
// 10 Mbit/s circuit (shaped_Mbit/s, from the class's byte count; the plan
// rate is 10) and the goodput of the flow through the 1 Gbit/s class beside
// it (fast_Mbit/s). Each iteration is a byte-driven window of about a
// second at the circuit rate.
//
//	go test -run '^$' -bench ShapedGoodput -benchtime 5x ./internal/tc
func BenchmarkShapedGoodput(b *testing.B) {
	tn, shaped, fast := shapedRig(b)
	defer fast.close()
	defer shaped.close()
	testwait.Until(b, "the shaped flow throttled by HTB", func() bool {
		_, o := classCounters(b, tn, 10)
		return o > 0
	})
	var bytes uint64
	var span time.Duration
	f0 := fast.got.Load()
	b.ResetTimer()
	for range b.N {
		n, _, d := shapedWindow(b, tn, 10e6/8)
		bytes += n
		span += d
	}
	b.StopTimer()
	b.ReportMetric(float64(bytes)*8/span.Seconds()/1e6, "shaped_Mbit/s")
	b.ReportMetric(float64(fast.got.Load()-f0)*8/span.Seconds()/1e6, "fast_Mbit/s")
}

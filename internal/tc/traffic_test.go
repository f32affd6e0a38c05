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

func startFlow(t *testing.T, tn *testNet, port int) *flow {
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

func TestTrafficShapedAndUnshaped(t *testing.T) {
	if testing.Short() {
		t.Skip("traffic test takes a few seconds")
	}
	const queues = 4
	tn := newTestNet(t, queues)
	tree := trafficTree("a0", queues)
	if _, err := Apply(context.Background(), tn.h, tree, Options{}); err != nil {
		t.Fatalf("apply: %v", err)
	}
	// Classify by destination port on every per-queue HTB, whichever TX
	// queue the socket lands on.
	for q := 1; q <= queues; q++ {
		for port, minor := range map[int]int{5001: 10, 5002: 11} {
			run(t, "ip", "netns", "exec", tn.A, "tc", "filter", "add", "dev", "a0", "parent", fmt.Sprintf("%x:", q), "protocol", "ip",
				"prio", "1", "u32", "match", "ip", "dport", fmt.Sprint(port), "0xffff", "flowid", fmt.Sprintf("%x:%x", q, minor))
		}
	}
	shaped := startFlow(t, tn, 5001)
	fast := startFlow(t, tn, 5002)
	// Skip slow start and the initial token bucket, then measure a fixed window.
	time.Sleep(time.Second)
	s0, f0, t0 := shaped.got.Load(), fast.got.Load(), time.Now()
	time.Sleep(3 * time.Second)
	s1, f1, t1 := shaped.got.Load(), fast.got.Load(), time.Now()
	shaped.close()
	fast.close()
	for _, f := range []*flow{shaped, fast} {
		if e := f.err.Load(); e != nil {
			t.Fatalf("flow error: %v", e)
		}
	}
	secs := t1.Sub(t0).Seconds()
	shapedBps := float64(s1-s0) * 8 / secs
	fastBps := float64(f1-f0) * 8 / secs
	t.Logf("shaped class 10 Mbit/s: goodput %.2f Mbit/s; 1 Gbit/s class: goodput %.1f Mbit/s", shapedBps/1e6, fastBps/1e6)
	// Goodput excludes Ethernet/IP/TCP headers (about 4.5% at full-size
	// segments) that HTB counts, so 10 Mbit/s on the wire is ~9.55 of payload.
	if shapedBps < 9e6 || shapedBps > 11e6 {
		t.Errorf("shaped flow %.2f Mbit/s, want within 10%% of 10 Mbit/s", shapedBps/1e6)
	}
	if fastBps < 100e6 {
		t.Errorf("flow through the 1 Gbit/s class got %.1f Mbit/s; it should not be held near the 10 Mbit/s circuit rate", fastBps/1e6)
	}
	// The kernel counted the shaped bytes in the circuit class.
	live, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		t.Fatal(err)
	}
	var circuitBytes uint64
	for _, c := range live.Classes {
		if c.ID.Minor() == 10 {
			circuitBytes += c.Stats.Bytes
		}
	}
	if circuitBytes < uint64(s1) {
		t.Errorf("circuit classes counted %d bytes, fewer than the %d payload bytes received", circuitBytes, s1)
	}
}

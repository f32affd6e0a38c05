package tc

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/testwait"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

// leafTree is a two-queue planner-shaped tree (mq needs a multi-queue
// device) whose single circuit (1:3) carries the given leaf.
func leafTree(iface string, leaf plan.Leaf) *plan.Tree {
	t := testTree(iface, 2, 0, 1)
	for i := range t.Classes {
		if t.Classes[i].Kind == plan.KindCircuit {
			t.Classes[i].Leaf = leaf
		}
	}
	return t
}

// TestLeafEncodingsParsedByKernel applies every golden cake and fq_codel
// encoding as a circuit's leaf and reads it back: the kernel must accept it
// and report every attribute we sent with the value we sent, which is what
// Compare checks for nested leaf options.
func TestLeafEncodingsParsedByKernel(t *testing.T) {
	tn := newTestNet(t, 2)
	requireQdiscs(t, tn, "cake", "fq_codel")
	ctx := context.Background()
	for _, tc := range leafEncodingCases {
		if tc.kind != "cake" && tc.kind != "fq_codel" {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			tree := leafTree("a0", plan.Leaf{Kind: tc.kind, Args: strings.Fields(tc.args)})
			if _, err := Apply(ctx, tn.h, tree, Options{Logger: quiet}); err != nil {
				t.Fatalf("%s %s: %v", tc.kind, tc.args, err)
			}
			live, err := Dump(tn.h, []string{"a0"})
			if err != nil {
				t.Fatal(err)
			}
			if d, err := Compare(tree, live); err != nil || len(d) != 0 {
				t.Fatalf("%s %s: read back differs from the plan: %v %v", tc.kind, tc.args, d, err)
			}
			c := tree.Classes[len(tree.Classes)-1]
			q, ok := live.QdiscAt("a0", c.ID)
			if !ok || q.Kind != tc.kind || q.Handle != c.LeafHandle {
				t.Fatalf("leaf under %s: %+v (found %v), want %s %s", c.ID, q, ok, tc.kind, c.LeafHandle)
			}
			want, _, err := EncodeLeaf(tc.kind, strings.Fields(tc.args))
			if err != nil {
				t.Fatal(err)
			}
			if !leafOptionsMatch(tc.kind, want, q.Options) {
				t.Fatalf("kernel options %x do not contain the sent %x", q.Options, want)
			}
		})
	}
}

// TestPlanLeavesAppliedAndReadBack builds the plan of the example inputs twice
// (default_sqm cake diffserv4, then fq_codel; the example's one sqm override
// puts the other kind on one circuit each time) and applies it to two
// 4-queue interfaces: the kernel's tree must match the plan, leaf kinds and
// options included.
func TestPlanLeavesAppliedAndReadBack(t *testing.T) {
	tn := newTestNet(t, 4)
	requireQdiscs(t, tn, "cake", "fq_codel")
	run(t, "ip", "-n", tn.A, "link", "add", "u0", "numtxqueues", "4", "numrxqueues", "4", "type", "veth",
		"peer", "name", "u1", "numtxqueues", "4", "numrxqueues", "4")
	run(t, "ip", "-n", tn.A, "link", "set", "u0", "up")
	run(t, "ip", "-n", tn.A, "link", "set", "u1", "up")
	ctx := context.Background()
	for _, sqm := range []string{"cake diffserv4", "fq_codel"} {
		t.Run(strings.Fields(sqm)[0], func(t *testing.T) {
			p := examplePlan(t, "u0", "a0", sqm)
			kinds := map[string]int{}
			for _, c := range p.Tree.Classes {
				if !c.Leaf.IsZero() {
					kinds[c.Leaf.Kind]++
				}
			}
			if kinds["cake"] == 0 || kinds["fq_codel"] == 0 {
				t.Fatalf("plan leaf kinds %v: want both cake and fq_codel", kinds)
			}
			if _, err := Apply(ctx, tn.h, p.Tree, Options{Logger: quiet}); err != nil {
				t.Fatalf("apply: %v", err)
			}
			live, err := Dump(tn.h, p.Tree.Interfaces)
			if err != nil {
				t.Fatal(err)
			}
			if d, err := Compare(p.Tree, live); err != nil || len(d) != 0 {
				t.Fatalf("kernel differs from the plan: %v %v", d, err)
			}
			got := map[string]int{}
			for _, c := range p.Tree.Classes {
				if c.Leaf.IsZero() {
					continue
				}
				q, ok := live.QdiscAt(c.Interface, c.ID)
				if !ok || q.Kind != c.Leaf.Kind {
					t.Fatalf("class %s on %s: leaf %+v (found %v), want %s", c.ID, c.Interface, q, ok, c.Leaf.Kind)
				}
				got[q.Kind]++
			}
			t.Logf("default_sqm %q: %d classes, leaves in the kernel %v", sqm, len(p.Tree.Classes), got)
		})
	}
}

// examplePlan plans the example inputs for the given interfaces and leaf.
func examplePlan(t *testing.T, toInternet, toNetwork, sqm string) *plan.Plan {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"ShapedDevices.csv", "network.json", "lqos_overrides.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "examples", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf := fmt.Sprintf(`version = "1.5"
lqos_directory = "."
[bridge]
to_internet = %q
to_network = %q
[queues]
default_sqm = %q
uplink_bandwidth_mbps = 1000
downlink_bandwidth_mbps = 1000
`, toInternet, toNetwork, sqm)
	path := filepath.Join(dir, "lqos.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, l := inputs.LoadConfig(path)
	if l.HasErrors() {
		t.Fatal(l)
	}
	in, l := inputs.Load(cfg)
	if l.HasErrors() {
		t.Fatal(l)
	}
	p, err := plan.Build(plan.Input{Config: cfg, Devices: in.Devices, Network: in.Network, TXQueues: 4})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// udpFlood sends UDP from ns A to ns B at offeredBps and counts what
// arrives. ect marks the packets ECN-capable (ECT(0)), so an AQM leaf marks
// them instead of dropping.
type udpFlood struct {
	got  atomic.Int64
	stop chan struct{}
	wg   sync.WaitGroup
}

const floodPayload = 1472 // a full 1500-byte IP packet

func startUDPFlood(t *testing.T, tn *testNet, port int, offeredBps float64, ect bool) *udpFlood {
	t.Helper()
	f := &udpFlood{stop: make(chan struct{})}
	var rx, tx *net.UDPConn
	if err := inNetns(tn.nsB, func() (err error) {
		rx, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(tn.IPB), Port: port})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_ = rx.SetReadBuffer(4 << 20)
	if err := inNetns(tn.nsA, func() (err error) {
		tx, err = net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.ParseIP(tn.IPB), Port: port})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if ect {
		rc, err := tx.SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var serr error
		if err := rc.Control(func(fd uintptr) { serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TOS, 0x02) }); err != nil || serr != nil {
			t.Fatalf("IP_TOS ECT(0): %v %v", err, serr)
		}
	}
	f.wg.Add(2)
	go func() {
		defer f.wg.Done()
		buf := make([]byte, 2048)
		for {
			n, err := rx.Read(buf)
			if err != nil {
				return
			}
			f.got.Add(int64(n))
		}
	}()
	go func() {
		defer f.wg.Done()
		buf := make([]byte, floodPayload)
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		start, sent := time.Now(), 0.0
		for {
			select {
			case <-f.stop:
				return
			case now := <-tick.C:
				// Send what is due since the start, so late ticks do not
				// lower the offered load.
				due := offeredBps / 8 * now.Sub(start).Seconds()
				for n := 0; sent+floodPayload <= due && n < 256; n++ {
					_, _ = tx.Write(buf) // a full qdisc drops; that is the point
					sent += floodPayload
				}
			}
		}
	}()
	t.Cleanup(func() {
		f.close()
		tx.Close()
		rx.Close()
	})
	return f
}

func (f *udpFlood) close() {
	select {
	case <-f.stop:
	default:
		close(f.stop)
	}
}

// TestLeafShapesTrafficToPlanRate offers twice the rate of a 1 Mbit/s
// circuit as UDP to each of two circuits (one flow ECN-capable, one not),
// with a cake and then a fq_codel leaf: what arrives must be the circuits'
// rate within the tolerance TestTrafficShapedAndUnshaped uses (10%). A
// load the shaper must hold back, unlike TCP, measures the shaper rather
// than the sender. With cake, the per-tin statistics decoded from the
// kernel's reply must account for the traffic: bytes, drops of the plain
// flow, ECN marks of the other, and a queue delay above the target.
// The rate is low enough that HTB's one-MTU burst covers the timer
// lateness of an emulated (TCG) kernel-matrix VM: at 10 Mbit/s it does not,
// and the class delivers less than its rate there.
func TestLeafShapesTrafficToPlanRate(t *testing.T) {
	if testing.Short() {
		t.Skip("traffic test takes a few seconds")
	}
	const queues = 2
	const rate = 1e6
	for i, leaf := range []plan.Leaf{
		// rtt 300ms is what the planner gives cake on circuits of 1 Mbit/s
		// or less: the default target (5 ms) is shorter than one full
		// frame's transmit time there (12 ms). fq_codel gets the same
		// allowance (target = rtt/20).
		{Kind: "cake", Args: []string{"diffserv4", "rtt", "300ms"}},
		{Kind: "fq_codel", Args: []string{"limit", "1000", "target", "15ms", "interval", "300ms"}},
	} {
		t.Run(leaf.Kind, func(t *testing.T) {
			tn := newTestNet(t, queues)
			requireQdiscs(t, tn, leaf.Kind)
			tree := trafficTree("a0", queues)
			// Circuits m:10 and m:11 of every queue at rate with the leaf:
			// each flow gets its own circuit, whichever TX queue it takes.
			for j := range tree.Classes {
				if c := &tree.Classes[j]; c.Kind == plan.KindCircuit {
					c.RateBps, c.CeilBps, c.Quantum, c.Leaf = rate, rate, 1522, leaf
				}
			}
			if _, err := Apply(context.Background(), tn.h, tree, Options{Logger: quiet}); err != nil {
				t.Fatalf("apply: %v", err)
			}
			ports := []int{5101 + 2*i, 5102 + 2*i}
			for q := 1; q <= queues; q++ {
				for k, port := range ports {
					run(t, "ip", "netns", "exec", tn.A, "tc", "filter", "add", "dev", "a0", "parent", fmt.Sprintf("%x:", q), "protocol", "ip",
						"prio", "1", "u32", "match", "ip", "dport", fmt.Sprint(port), "0xffff", "flowid", fmt.Sprintf("%x:%x", q, 10+k))
				}
			}
			// The plain flow is there for cake's drop counter. fq_codel's
			// drops of it (several per dequeue at this rate) can empty the
			// queue for a moment, so there both flows are ECN-capable and
			// only the rate is checked.
			plain := startUDPFlood(t, tn, ports[0], rate, leaf.Kind != "cake")
			ect := startUDPFlood(t, tn, ports[1], rate, true)
			got := func() int64 { return plain.got.Load() + ect.got.Load() }
			// Past the initial token bucket (about a second's worth of both
			// circuits' rate), then a window of about 3 s at that rate. Both
			// are driven by the bytes received, not by the clock; the rate
			// is measured over the span of the window.
			testwait.Until(t, "a second's worth of both circuits received", func() bool { return got() >= 2*rate/8 })
			b0, t0 := got(), time.Now()
			testwait.Until(t, "about 3 s worth of both circuits received", func() bool { return got()-b0 >= 3*2*rate/8*0.9 })
			b1, t1 := got(), time.Now()
			plain.close()
			ect.close()
			bps := float64(b1-b0) * 8 / t1.Sub(t0).Seconds()
			live, err := Dump(tn.h, []string{"a0"})
			if err != nil {
				t.Fatal(err)
			}
			var leafBytes, leafPackets uint64
			var tins []CakeTinStats
			busy := 0 // circuits that carried a flow: two, on one or two queues
			for _, id := range []tchandle.Handle{tchandle.Make(1, 10), tchandle.Make(1, 11), tchandle.Make(2, 10), tchandle.Make(2, 11)} {
				lq, ok := live.QdiscAt("a0", id)
				if !ok || lq.Kind != leaf.Kind {
					t.Fatalf("leaf of %s: %+v (found %v)", id, lq, ok)
				}
				if lq.Stats.Packets > 0 {
					busy++
				}
				leafBytes += lq.Stats.Bytes
				leafPackets += lq.Stats.Packets
				if leaf.Kind != "cake" {
					continue
				}
				if lq.CakeErr != nil || lq.Cake == nil {
					t.Fatalf("cake stats of %s: %v", lq.Handle, lq.CakeErr)
				}
				if len(lq.Cake.Tins) != 4 {
					t.Fatalf("diffserv4 cake reports %d tins, want 4", len(lq.Cake.Tins))
				}
				for ti, tin := range lq.Cake.Tins {
					if tin.TargetUs == 0 || tin.IntervalUs < tin.TargetUs {
						t.Errorf("cake %s tin %d: target %d us interval %d us, want 0 < target <= interval", lq.Handle, ti, tin.TargetUs, tin.IntervalUs)
					}
					if tin.SentPackets == 0 {
						continue
					}
					t.Logf("cake %s tin %d: sent %d pkts %d B, dropped %d, ecn marked %d, backlog %d B, delay peak/avg/base %d/%d/%d us, target %d us",
						lq.Handle, ti, tin.SentPackets, tin.SentBytes, tin.DroppedPackets, tin.ECNMarkedPackets, tin.BacklogBytes,
						tin.PeakDelayUs, tin.AvgDelayUs, tin.BaseDelayUs, tin.TargetUs)
					if ti != 1 {
						t.Errorf("cake %s: traffic without DSCP counted in tin %d, want best effort (1)", lq.Handle, ti)
					}
					tins = append(tins, tin)
				}
				if lq.Stats.Bytes > 0 {
					// The raw reply, for the decoder's golden file.
					t.Logf("cake %s TCA_STATS_APP: %s", lq.Handle, hex.EncodeToString(rawQdiscStatsApp(t, tn, "a0", lq.Handle)))
				}
			}
			if busy != 2 {
				t.Fatalf("%d circuits carried traffic, want 2 (one per flow)", busy)
			}
			want := rate * float64(busy)
			t.Logf("%s leaves under %d circuit(s) of %.0f Mbit/s, twice that offered: %.2f Mbit/s of UDP payload arrived",
				leaf.Kind, busy, rate/1e6, bps/1e6)
			// Payload is 1472 of the 1514 bytes HTB counts: 97% of the rate.
			// Under fq_codel only the ceiling is checked: in a TCG guest the
			// class then delivers 88-97% of its rate from run to run (cake:
			// 93-97%), so the lower bound would measure the emulator; the
			// rate itself is HTB's, which the cake run measures.
			if bps > 1.1*want || (leaf.Kind == "cake" && bps < 0.9*want) {
				t.Errorf("shaped traffic %.2f Mbit/s, want within 10%% of %.0f Mbit/s", bps/1e6, want/1e6)
			}
			if leafBytes < uint64(b1) {
				t.Errorf("leaves sent %d bytes, fewer than the %d payload bytes received", leafBytes, b1)
			}
			if leaf.Kind != "cake" {
				return
			}
			// A tin counts what was enqueued: sent by the qdisc, dropped, or
			// still queued (reported in bytes; every packet here is 1514).
			var sent, drops, marks, backlog uint64
			var overTarget bool
			for _, tin := range tins {
				sent += uint64(tin.SentPackets)
				drops += uint64(tin.DroppedPackets)
				marks += uint64(tin.ECNMarkedPackets)
				backlog += uint64(tin.BacklogBytes) / 1514
				overTarget = overTarget || tin.PeakDelayUs > tin.TargetUs
			}
			t.Logf("cake tins: %d packets enqueued, %d dropped, %d ECN-marked, %d queued; the qdiscs sent %d packets", sent, drops, marks, backlog, leafPackets)
			if sent != leafPackets+drops+backlog {
				t.Errorf("tins count %d packets, want sent %d + dropped %d + queued %d", sent, leafPackets, drops, backlog)
			}
			if drops == 0 || marks == 0 || !overTarget {
				t.Errorf("an overloaded cake reports %d drops, %d ECN marks, peak delay over target %v: want all", drops, marks, overTarget)
			}
		})
	}
}

// rawQdiscStatsApp returns the TCA_STATS_APP payload the kernel sends for
// one qdisc, undecoded.
func rawQdiscStatsApp(t *testing.T, tn *testNet, iface string, handle tchandle.Handle) []byte {
	t.Helper()
	ifi, err := tn.h.ifindex(iface)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := tn.h.dump(unix.RTM_GETQDISC, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		hdr, rest, err := parseTcHeader(m)
		if err != nil || int(hdr.Ifindex) != ifi || tchandle.Handle(hdr.Handle) != handle {
			continue
		}
		attrs, err := nl.ParseRouteAttr(rest)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range attrs {
			if a.Attr.Type == nl.TCA_STATS2 {
				return statsApp(a.Value)
			}
		}
	}
	t.Fatalf("no qdisc %s on %s", handle, iface)
	return nil
}

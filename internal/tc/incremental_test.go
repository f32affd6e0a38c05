package tc

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"github.com/libreqos-go/lqos/internal/testwait"
)

func circuitIndex(t *plan.Tree, id string) int {
	for i := range t.Classes {
		if t.Classes[i].CircuitID == id {
			return i
		}
	}
	panic("no circuit " + id)
}

func nodeIndex(t *plan.Tree, name string) int {
	for i := range t.Classes {
		if t.Classes[i].NodeName == name {
			return i
		}
	}
	panic("no node " + name)
}

func opKinds(ops []Op) []OpKind {
	var k []OpKind
	for _, o := range ops {
		k = append(k, o.Kind)
	}
	return k
}

// Each kind of change sends exactly the requests it needs, and the result
// matches the new plan.
func TestIncrementalOpCounts(t *testing.T) {
	tn := newTestNet(t, 4)
	ctx := context.Background()
	base := func() *plan.Tree {
		tr := testTree("a0", 4, 6, 40)
		tr.Mappings = []plan.Mapping{{Prefix: netip.MustParsePrefix("100.64.0.1/32"), ClassID: tr.Classes[circuitIndex(tr, "c1")].ID, CircuitID: "c1"}}
		return tr
	}
	tests := []struct {
		name   string
		mutate func(t *plan.Tree)
		hand   []string // tc commands run by hand first (drift)
		want   []OpKind
	}{
		{"nothing changed", func(*plan.Tree) {}, nil, nil},
		{"ip-only change", func(t *plan.Tree) { t.Mappings[0].Prefix = netip.MustParsePrefix("100.64.0.2/32") }, nil, nil},
		{"circuit rate", func(t *plan.Tree) { t.Classes[circuitIndex(t, "c5")].CeilBps += 1000 }, nil, []OpKind{OpChangeClass}},
		{"node rate", func(t *plan.Tree) { t.Classes[nodeIndex(t, "site-2")].RateBps = 500_000_000 }, nil, []OpKind{OpChangeClass}},
		{"circuit added", func(t *plan.Tree) {
			c := t.Classes[circuitIndex(t, "c5")]
			c.CircuitID, c.ID, c.LeafHandle = "new", tchandle.Make(c.ID.Major(), 0x800), tchandle.Make(0xc000, 0)
			t.Classes = append(t.Classes, c)
		}, nil, []OpKind{OpAddClass, OpReplaceLeaf}},
		{"circuit removed", func(t *plan.Tree) {
			t.Classes = slices.Delete(t.Classes, circuitIndex(t, "c9"), circuitIndex(t, "c9")+1)
		}, nil, []OpKind{OpDeleteClass}},
		{"circuit leaf options", func(t *plan.Tree) { t.Classes[circuitIndex(t, "c3")].Leaf.Args = []string{"limit", "200"} }, nil, []OpKind{OpReplaceLeaf}},
		{"circuit leaf kind", func(t *plan.Tree) {
			t.Classes[circuitIndex(t, "c3")].Leaf = plan.Leaf{Kind: "bfifo", Args: []string{"limit", "64kb"}}
		}, nil, []OpKind{OpDeleteLeaf, OpReplaceLeaf}},
		{"circuit moved to another node", func(t *plan.Tree) {
			// c0 sits under site-0 (queue 1); site-4 is also on queue 1.
			t.Classes[circuitIndex(t, "c0")].Parent = t.Classes[nodeIndex(t, "site-4")].ID
		}, nil, []OpKind{OpDeleteClass, OpAddClass, OpReplaceLeaf}},
		{"drift: class deleted by hand", func(*plan.Tree) {}, []string{"class del dev a0 classid %s"}, []OpKind{OpAddClass, OpReplaceLeaf}},
		{"drift: rate changed by hand", func(*plan.Tree) {}, []string{"class change dev a0 classid %s htb rate 1mbit ceil 2mbit"}, []OpKind{OpChangeClass}},
		{"drift: leaf replaced by hand", func(*plan.Tree) {}, []string{"qdisc replace dev a0 parent %s handle 9000: pfifo limit 5"}, []OpKind{OpReplaceLeaf}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := base()
			if _, err := Apply(ctx, tn.h, b, Options{Logger: quiet}); err != nil {
				t.Fatalf("reset to base: %v", err)
			}
			target := b.Classes[circuitIndex(b, "c0")].ID // c0 has leaf 9000:
			for _, cmd := range tt.hand {
				line := fmt.Sprintf(cmd, target)
				run(t, "ip", append([]string{"netns", "exec", tn.A, "tc"}, strings.Fields(line)...)...)
			}
			if len(tt.hand) > 0 {
				live, err := Dump(tn.h, []string{"a0"})
				if err != nil {
					t.Fatal(err)
				}
				if d, _ := Compare(b, live); len(d) == 0 {
					t.Fatal("drift not reported by Compare")
				}
			}
			tr := base()
			tt.mutate(tr)
			before := tn.h.Ops()
			res, err := Apply(ctx, tn.h, tr, Options{Logger: quiet})
			if err != nil {
				t.Fatal(err)
			}
			if got := opKinds(res.Planned); !slices.Equal(got, tt.want) {
				t.Fatalf("planned %v, want %v", res.Planned, tt.want)
			}
			if sent := tn.h.Ops() - before; sent != int64(len(tt.want)) {
				t.Fatalf("sent %d kernel requests, want %d", sent, len(tt.want))
			}
			live, err := Dump(tn.h, []string{"a0"})
			if err != nil {
				t.Fatal(err)
			}
			if d, _ := Compare(tr, live); len(d) != 0 {
				t.Fatalf("after apply: %v", d)
			}
		})
	}
}

func TestPreflight(t *testing.T) {
	tr := testTree("a0", 2, 1, 3)
	want, err := fromTree(tr)
	if err != nil {
		t.Fatal(err)
	}
	ops := diff(&Live{Interfaces: []string{"a0"}}, want)
	tests := []struct {
		name    string
		mem     *MemInfo
		mutate  func(d *desired)
		wantErr string
	}{
		{"fits", &MemInfo{Total: 16 << 30, Available: 8 << 30}, nil, ""},
		{"no meminfo", nil, nil, ""},
		{"below floor", &MemInfo{Total: 16 << 30, Available: 2 << 30}, nil, "TC_MEMORY"},
		{"floor is an eighth of big hosts", &MemInfo{Total: 64 << 30, Available: 8<<30 - 1}, nil, "TC_MEMORY"},
		{"too many qdiscs", nil, func(d *desired) {
			for len(d.qdiscs) <= MaxQdiscsPerInterface {
				d.qdiscs = append(d.qdiscs, wantQdisc{iface: "a0", kind: "pfifo"})
			}
		}, "TC_QDISC_CAPACITY: a0 would hold 650"},
		{"too many auto handles", nil, func(d *desired) {
			for range MaxAutoQdiscsPerInterface + 1 {
				d.classes = append(d.classes, wantClass{iface: "a0", leaf: &wantQdisc{iface: "a0", anyHandle: true}})
			}
		}, "without explicit handles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := *want
			d.qdiscs, d.classes = slices.Clone(want.qdiscs), slices.Clone(want.classes)
			if tt.mutate != nil {
				tt.mutate(&d)
			}
			err := preflight(&d, ops, tt.mem)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("preflight error %v, want %q", err, tt.wantErr)
			}
		})
	}
	// Apply refuses before sending anything, and names the limit.
	tn := newTestNet(t, 2)
	mi := filepath.Join(t.TempDir(), "meminfo")
	if err := os.WriteFile(mi, []byte("MemTotal:       4000000 kB\nMemFree: 1 kB\nMemAvailable:    2000000 kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Apply(context.Background(), tn.h, tr, Options{Logger: quiet, MemInfoPath: mi})
	if err == nil || !strings.Contains(err.Error(), "TC_MEMORY") || tn.h.Ops() != 0 {
		t.Fatalf("apply with low memory: err %v, %d requests sent", err, tn.h.Ops())
	}
	if _, err := Apply(context.Background(), tn.h, tr, Options{Logger: quiet, MemInfoPath: mi, MemoryWarnOnly: true}); err != nil {
		t.Fatalf("lazy queues downgrade the memory check to a warning: %v", err)
	}
	if err := os.WriteFile(mi, []byte("MemTotal: lots kB\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadMemInfo(mi); err == nil || !strings.Contains(err.Error(), "meminfo:1: MemTotal: bad number") {
		t.Fatalf("bad meminfo error %v", err)
	}
}

// A paced UDP flow through an untouched circuit loses nothing and keeps its
// rate while 1,000 other circuits change.
func TestUntouchedCircuitSurvivesUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("traffic test takes a few seconds")
	}
	const queues = 4
	tn := newTestNet(t, queues)
	tree := trafficTree("a0", queues)
	others := testTree("a0", queues, 8, 1000)
	// Move the others' minors and handles clear of the traffic classes.
	idx := len(tree.Classes)
	for _, c := range others.Classes {
		if c.Kind != plan.KindNode && c.Kind != plan.KindCircuit {
			continue
		}
		c.ID = tchandle.Make(c.ID.Major(), c.ID.Minor()+0x100)
		if c.Parent.Minor() > 2 {
			c.Parent = tchandle.Make(c.Parent.Major(), c.Parent.Minor()+0x100)
		}
		if c.LeafHandle != 0 {
			c.LeafHandle = tchandle.Make(c.LeafHandle.Major()+0x1000, 0)
		}
		tree.Classes = append(tree.Classes, c)
	}
	ctx := context.Background()
	if _, err := Apply(ctx, tn.h, tree, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	for q := 1; q <= queues; q++ {
		run(t, "ip", "netns", "exec", tn.A, "tc", "filter", "add", "dev", "a0", "parent", fmt.Sprintf("%x:", q), "protocol", "ip",
			"prio", "1", "u32", "match", "ip", "dport", "5003", "0xffff", "flowid", fmt.Sprintf("%x:a", q))
	}
	var rx *net.UDPConn
	if err := inNetns(tn.nsB, func() (err error) {
		rx, err = net.ListenUDP("udp4", &net.UDPAddr{IP: net.ParseIP(tn.IPB), Port: 5003})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	_ = rx.SetReadBuffer(8 << 20)
	var tx *net.UDPConn
	if err := inNetns(tn.nsA, func() (err error) {
		tx, err = net.DialUDP("udp4", nil, &net.UDPAddr{IP: net.ParseIP(tn.IPB), Port: 5003})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	// The receiver counts data packets; a marker (sequence 0, carrying the
	// number of data packets sent) says the flow has ended. The flow has one
	// 5-tuple, so its packets share a TX queue and its FIFO leaf: a data
	// packet that was not lost arrives before the marker that follows it.
	var received atomic.Int64
	markerSent := make(chan uint64, 1)
	go func() {
		buf := make([]byte, 2048)
		for {
			n, err := rx.Read(buf)
			if err != nil {
				return
			}
			if n < 16 {
				continue
			}
			if seq := binary.BigEndian.Uint64(buf); seq != 0 {
				received.Add(1)
				continue
			}
			select {
			case markerSent <- binary.BigEndian.Uint64(buf[8:]):
			default:
			}
		}
	}()
	// 6 x 1000-byte packets every 10 ms: 4.8 Mbit/s, half the circuit rate.
	// The ticker paces the traffic; no step of the test waits on it.
	stop := make(chan struct{})
	sentDone := make(chan uint64, 1)
	go func() {
		var seq uint64
		pkt := make([]byte, 1000)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				sentDone <- seq
				return
			case <-tick.C:
				for range 6 {
					seq++
					binary.BigEndian.PutUint64(pkt, seq)
					if _, err := tx.Write(pkt); err != nil {
						t.Errorf("udp send: %v", err)
					}
				}
			}
		}
	}()
	// The flow runs through the circuit before the update...
	testwait.Until(t, "300 packets of the untouched flow received", func() bool { return received.Load() >= 300 })
	// Change all 1,000 other circuits while the flow runs.
	for i := idx; i < len(tree.Classes); i++ {
		if tree.Classes[i].Kind == plan.KindCircuit {
			tree.Classes[i].CeilBps += 8000
		}
	}
	r0 := received.Load()
	t0 := time.Now()
	res, err := Apply(ctx, tn.h, tree, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(t0)
	// ...and after it.
	r1 := received.Load()
	testwait.Until(t, "300 more packets of the untouched flow received after the update", func() bool { return received.Load() >= r1+300 })
	close(stop)
	sent := <-sentDone
	// The end marker goes out until the receiver has seen one.
	marker := make([]byte, 16)
	binary.BigEndian.PutUint64(marker[8:], sent)
	var markerSeen bool
	testwait.Until(t, "the flow's end marker received", func() bool {
		select {
		case <-markerSent:
			markerSeen = true
		default:
			if _, err := tx.Write(marker); err != nil {
				t.Errorf("udp send: %v", err)
			}
		}
		return markerSeen
	})
	got := received.Load()
	if res.Done != 1000 {
		t.Errorf("update sent %d requests, want 1000 class changes", res.Done)
	}
	t.Logf("update of 1000 circuits took %v; untouched flow: sent %d, received %d (%d during the update)", took, sent, got, r1-r0)
	if uint64(got) != sent {
		t.Errorf("untouched circuit lost %d of %d packets during the update", int64(sent)-got, sent)
	}
	live, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		t.Fatal(err)
	}
	for q := 1; q <= queues; q++ {
		if lq, ok := live.QdiscAt("a0", tchandle.Make(uint16(q), 10)); !ok || lq.Stats.Drops != 0 {
			t.Errorf("untouched circuit leaf on queue %d: %+v", q, lq)
		}
	}
}

// An HTB parameter change cannot be made live: only that queue is rebuilt,
// parked on pfifo_fast meanwhile, and the reason is reported.
func TestQueueRebuildIsLimitedAndExplained(t *testing.T) {
	tn := newTestNet(t, 4)
	ctx := context.Background()
	tr := testTree("a0", 4, 4, 20)
	if _, err := Apply(ctx, tn.h, tr, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	tr.Qdiscs[2].HTBR2Q = 100 // queue 2
	res, err := Apply(ctx, tn.h, tr, Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rebuilds) != 2 || !strings.Contains(res.Rebuilds[0], "park queue") || !strings.Contains(res.Rebuilds[1], "r2q 2084 default 2, want r2q 100") {
		t.Fatalf("rebuilds %q", res.Rebuilds)
	}
	for _, o := range res.Planned {
		if o.Handle.Major() != 2 && o.Parent.Major() != 2 && o.Parent != tchandle.Make(0x7fff, 2) {
			t.Errorf("op outside queue 2: %v", o)
		}
	}
	live, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := Compare(tr, live); len(d) != 0 {
		t.Fatalf("after rebuild: %v", d)
	}
}

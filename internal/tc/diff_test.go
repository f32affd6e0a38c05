package tc

import (
	"slices"
	"strings"
	"testing"

	"github.com/vishvananda/netlink/nl"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// kernelCakeDump mimics what the kernel reports for a cake qdisc: every
// option, in its own order, whatever was requested.
func kernelCakeDump(diffserv uint32) []byte {
	return nested([]*nl.RtAttr{
		nl.NewRtAttr(tcaCakeBaseRate64, u64(0)),
		nl.NewRtAttr(tcaCakeFlowMode, u32(7)),
		nl.NewRtAttr(tcaCakeRTT, u32(100000)),
		nl.NewRtAttr(tcaCakeTarget, u32(5000)),
		nl.NewRtAttr(tcaCakeDiffservMode, u32(diffserv)),
		nl.NewRtAttr(tcaCakeNAT, u32(0)),
		nl.NewRtAttr(tcaCakeSplitGSO, u32(1)),
	})
}

// Leaf comparison without a kernel that has cake: the dump carries more
// attributes than we send; only the ones we asked for must match.
func TestDiffCakeLeafAgainstDump(t *testing.T) {
	tree := testTree("a0", 1, 1, 1)
	c := &tree.Classes[len(tree.Classes)-1]
	c.Leaf = plan.Leaf{Kind: "cake", Args: []string{"diffserv4", "rtt", "100ms"}}
	want, err := fromTree(tree)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		leaf LiveQdisc
		want []OpKind
	}{
		{"same options", LiveQdisc{Kind: "cake", Handle: c.LeafHandle, Options: kernelCakeDump(1)}, nil},
		{"other diffserv", LiveQdisc{Kind: "cake", Handle: c.LeafHandle, Options: kernelCakeDump(2)}, []OpKind{OpReplaceLeaf}},
		{"other handle", LiveQdisc{Kind: "cake", Handle: tchandle.Make(0x9999, 0), Options: kernelCakeDump(1)}, []OpKind{OpReplaceLeaf}},
		{"fq_codel there", LiveQdisc{Kind: "fq_codel", Handle: c.LeafHandle}, []OpKind{OpDeleteLeaf, OpReplaceLeaf}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := liveFromDesired(want)
			for i := range live.Qdiscs {
				if live.Qdiscs[i].Parent == c.ID {
					l := tt.leaf
					l.Interface, l.Parent = "a0", c.ID
					live.Qdiscs[i] = l
				}
			}
			got := diff(live, want)
			if !slices.Equal(opKinds(got), tt.want) {
				t.Fatalf("ops %v, want %v", got, tt.want)
			}
			for _, o := range got {
				if !strings.HasPrefix(o.Owner, "circuit c0 (class 1:4) on a0") {
					t.Errorf("op owner %q does not name the circuit", o.Owner)
				}
			}
		})
	}
}

func TestDiffOrdersDeletesDeepestFirst(t *testing.T) {
	tree := testTree("a0", 1, 2, 4)
	want, err := fromTree(tree)
	if err != nil {
		t.Fatal(err)
	}
	live := liveFromDesired(want)
	// Plan without node site-0 and its circuits: circuits go before the node.
	small := &plan.Tree{Interfaces: tree.Interfaces, Qdiscs: tree.Qdiscs}
	for _, c := range tree.Classes {
		if c.NodeName == "site-0" || (c.Kind == plan.KindCircuit && c.Parent == tchandle.Make(1, 3)) {
			continue
		}
		small.Classes = append(small.Classes, c)
	}
	ws, err := fromTree(small)
	if err != nil {
		t.Fatal(err)
	}
	ops := diff(live, ws)
	var dels []tchandle.Handle
	for _, o := range ops {
		if o.Kind != OpDeleteClass {
			t.Fatalf("unexpected op %v", o)
		}
		dels = append(dels, o.Handle)
	}
	if len(dels) != 3 || dels[len(dels)-1] != tchandle.Make(1, 3) {
		t.Fatalf("deletes %v: want the two circuits, then node 1:3", dels)
	}
}

// An fq_codel leaf whose plan sets flows is re-created rather than changed:
// the kernel refuses any change carrying the flow count. Without flows the
// change is made in place.
func TestDiffFqCodelFlowsRecreates(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []OpKind
	}{
		{"flows in the plan", []string{"limit", "2000", "flows", "1024"}, []OpKind{OpDeleteLeaf, OpReplaceLeaf}},
		{"no flows in the plan", []string{"limit", "2000"}, []OpKind{OpReplaceLeaf}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := testTree("a0", 1, 1, 1)
			c := &tree.Classes[len(tree.Classes)-1]
			c.Leaf = plan.Leaf{Kind: "fq_codel", Args: tt.args}
			want, err := fromTree(tree)
			if err != nil {
				t.Fatal(err)
			}
			live := liveFromDesired(want)
			for i := range live.Qdiscs {
				if live.Qdiscs[i].Parent == c.ID {
					// What the kernel reports for "fq_codel limit 1000": every option.
					live.Qdiscs[i].Options = nested([]*nl.RtAttr{
						nl.NewRtAttr(tcaFqCodelTarget, u32(4999)), nl.NewRtAttr(tcaFqCodelLimit, u32(1000)),
						nl.NewRtAttr(tcaFqCodelInterval, u32(99999)), nl.NewRtAttr(tcaFqCodelECN, u32(1)),
						nl.NewRtAttr(tcaFqCodelFlows, u32(1024)), nl.NewRtAttr(tcaFqCodelQuantum, u32(1514)),
					})
				}
			}
			if got := opKinds(diff(live, want)); !slices.Equal(got, tt.want) {
				t.Fatalf("ops %v, want %v", got, tt.want)
			}
		})
	}
}

// fq_codel keeps times in 1024 ns units: a plan asking for 5ms matches a
// kernel that reports 4999us, and asking for 6ms does not.
func TestDiffFqCodelTimesAsKernelKeepsThem(t *testing.T) {
	tests := []struct {
		args []string
		want []OpKind
	}{
		{[]string{"target", "5ms", "interval", "100ms", "ce_threshold", "2ms"}, nil},
		{[]string{"target", "6ms", "interval", "100ms"}, []OpKind{OpReplaceLeaf}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			tree := testTree("a0", 1, 1, 1)
			c := &tree.Classes[len(tree.Classes)-1]
			c.Leaf = plan.Leaf{Kind: "fq_codel", Args: tt.args}
			want, err := fromTree(tree)
			if err != nil {
				t.Fatal(err)
			}
			live := liveFromDesired(want)
			for i := range live.Qdiscs {
				if live.Qdiscs[i].Parent == c.ID {
					// The kernel's reply for target 5ms interval 100ms ce_threshold 2ms.
					live.Qdiscs[i].Options = nested([]*nl.RtAttr{
						nl.NewRtAttr(tcaFqCodelTarget, u32(4999)), nl.NewRtAttr(tcaFqCodelLimit, u32(10240)),
						nl.NewRtAttr(tcaFqCodelInterval, u32(99999)), nl.NewRtAttr(tcaFqCodelECN, u32(1)),
						nl.NewRtAttr(tcaFqCodelQuantum, u32(1514)), nl.NewRtAttr(tcaFqCodelCEThreshold, u32(1999)),
					})
				}
			}
			if got := opKinds(diff(live, want)); !slices.Equal(got, tt.want) {
				t.Fatalf("ops %v, want %v", got, tt.want)
			}
		})
	}
}

// An mq slot the plan does not use may keep the qdisc the kernel put there
// (handle 0; fq_codel on kernels whose default_qdisc is fq_codel); a qdisc
// someone added there is replaced by pfifo_fast.
func TestDiffUnusedQueueSlot(t *testing.T) {
	tree := testTree("a0", 2, 1, 2)
	want, err := fromTree(tree)
	if err != nil {
		t.Fatal(err)
	}
	slot := tchandle.Make(0x7fff, 3)
	tests := []struct {
		name string
		q    LiveQdisc
		want []OpKind
	}{
		{"kernel default fq_codel", LiveQdisc{Interface: "a0", Kind: "fq_codel", Parent: slot}, nil},
		{"kernel default pfifo_fast", LiveQdisc{Interface: "a0", Kind: "pfifo_fast", Parent: slot}, nil},
		{"added by hand", LiveQdisc{Interface: "a0", Kind: "fq_codel", Handle: tchandle.Make(0x8001, 0), Parent: slot}, []OpKind{OpReplaceQdisc}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			live := liveFromDesired(want)
			live.Qdiscs = append(live.Qdiscs, tt.q)
			if got := opKinds(diff(live, want)); !slices.Equal(got, tt.want) {
				t.Fatalf("ops %v, want %v", got, tt.want)
			}
		})
	}
}

// liveFromDesired is the dump we expect after applying want (for tests and
// benchmarks of the diff itself).
func liveFromDesired(d *desired) *Live {
	l := &Live{Interfaces: d.ifaces}
	for _, q := range d.qdiscs {
		l.Qdiscs = append(l.Qdiscs, LiveQdisc{Interface: q.iface, Handle: q.handle, Parent: q.parent, Kind: q.kind,
			Options: q.opts, HTBR2Q: q.r2q, HTBDefault: q.defcls})
	}
	for _, c := range d.classes {
		l.Classes = append(l.Classes, LiveClass{Interface: c.iface, ID: c.id, Parent: c.parent, Kind: "htb",
			RateBps: c.p.Rate * 8, CeilBps: c.p.Ceil * 8, Buffer: c.p.Buffer, Cbuffer: c.p.Cbuffer,
			Quantum: c.p.Quantum, Prio: c.p.Prio})
		if c.leaf != nil {
			h := c.leaf.handle
			if c.leaf.anyHandle {
				h = 0
			}
			l.Qdiscs = append(l.Qdiscs, LiveQdisc{Interface: c.iface, Handle: h, Parent: c.id, Kind: c.leaf.kind, Options: c.leaf.opts})
		}
	}
	return l
}

package tc

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

func TestApplierIncrementalWithoutDumps(t *testing.T) {
	tn := newTestNet(t, 4)
	ctx := context.Background()
	a := &Applier{H: tn.h, Opts: Options{Logger: quiet}}
	tree := testTree("a0", 4, 6, 40)
	if _, err := a.Apply(ctx, tree); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name   string
		mutate func(t *plan.Tree)
		want   []OpKind
		dumps  bool // structural: takes the full path
	}{
		{"unchanged", func(*plan.Tree) {}, nil, false},
		{"name only", func(t *plan.Tree) { t.Classes[circuitIndex(t, "c5")].Name = "renamed" }, nil, false},
		{"one circuit rate", func(t *plan.Tree) { t.Classes[circuitIndex(t, "c5")].RateBps += 8000 }, []OpKind{OpChangeClass}, false},
		{"node rate", func(t *plan.Tree) { t.Classes[nodeIndex(t, "site-1")].CeilBps -= 8000 }, []OpKind{OpChangeClass}, false},
		{"circuit added", func(t *plan.Tree) {
			c := t.Classes[circuitIndex(t, "c5")]
			c.CircuitID, c.ID, c.LeafHandle = "new", tchandle.Make(c.ID.Major(), 0x800), tchandle.Make(0xc000, 0)
			t.Classes = append(t.Classes, c)
		}, []OpKind{OpAddClass, OpReplaceLeaf}, false},
		{"leaf options", func(t *plan.Tree) { t.Classes[circuitIndex(t, "new")].Leaf.Args = []string{"limit", "300"} }, []OpKind{OpReplaceLeaf}, false},
		{"leaf kind", func(t *plan.Tree) {
			t.Classes[circuitIndex(t, "new")].Leaf = plan.Leaf{Kind: "bfifo", Args: []string{"limit", "10kb"}}
		}, []OpKind{OpDeleteLeaf, OpReplaceLeaf}, false},
		{"leaf removed", func(t *plan.Tree) { t.Classes[circuitIndex(t, "new")].Leaf = plan.Leaf{} }, []OpKind{OpDeleteLeaf}, false},
		{"circuit removed", func(t *plan.Tree) {
			t.Classes = slices.Delete(t.Classes, circuitIndex(t, "new"), circuitIndex(t, "new")+1)
		}, []OpKind{OpDeleteClass}, false},
		{"circuit moved", func(t *plan.Tree) { t.Classes[circuitIndex(t, "c0")].Parent = t.Classes[nodeIndex(t, "site-4")].ID },
			[]OpKind{OpDeleteClass, OpAddClass, OpReplaceLeaf}, true},
		{"after a structural change, fast again", func(t *plan.Tree) { t.Classes[circuitIndex(t, "c0")].RateBps += 8000 }, []OpKind{OpChangeClass}, false},
	}
	for _, s := range steps {
		s.mutate(tree)
		dumps, ops := tn.h.Dumps(), tn.h.Ops()
		res, err := a.Apply(ctx, tree)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := opKinds(res.Planned); !slices.Equal(got, s.want) {
			t.Fatalf("%s: planned %v, want %v", s.name, res.Planned, s.want)
		}
		if (tn.h.Dumps() != dumps) != s.dumps || tn.h.Ops()-ops != int64(len(s.want)) {
			t.Fatalf("%s: %d dumps and %d requests, want dumps %v and %d requests", s.name, tn.h.Dumps()-dumps, tn.h.Ops()-ops, s.dumps, len(s.want))
		}
		live, err := Dump(tn.h, []string{"a0"})
		if err != nil {
			t.Fatal(err)
		}
		if d, _ := Compare(tree, live); len(d) != 0 {
			t.Fatalf("%s: kernel differs from plan: %v", s.name, d)
		}
	}

	// Drift: a hand-made change is reported, then repaired with one request.
	if d, err := a.Drift(); err != nil || len(d) != 0 {
		t.Fatalf("drift before tampering: %v %v", d, err)
	}
	id := tree.Classes[circuitIndex(tree, "c7")].ID
	run(t, "ip", "netns", "exec", tn.A, "tc", "class", "change", "dev", "a0", "classid", id.String(), "htb", "rate", "1mbit", "ceil", "1mbit")
	d, err := a.Drift()
	if err != nil || len(d) != 1 || !strings.Contains(d[0].Object, "circuit c7") {
		t.Fatalf("drift after tampering: %v %v", d, err)
	}
	ops := tn.h.Ops()
	if _, err := a.Repair(ctx, tree); err != nil || tn.h.Ops()-ops != 1 {
		t.Fatalf("repair: %v, %d requests", err, tn.h.Ops()-ops)
	}
	if d, err := a.Drift(); err != nil || len(d) != 0 {
		t.Fatalf("drift after repair: %v %v", d, err)
	}

	// A failing incremental change rolls back and forgets the model.
	before, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		t.Fatal(err)
	}
	bad := testTree("a0", 4, 6, 40)
	*bad = *tree
	bad.Classes = slices.Clone(tree.Classes)
	bad.Classes[circuitIndex(bad, "c2")].RateBps += 8000
	refused := refusedLeaf(t, tn)
	bad.Classes[circuitIndex(bad, "c3")].Leaf = refused.leaf
	res, err := a.Apply(ctx, bad)
	if err == nil || !strings.Contains(err.Error(), "circuit c3") || !refused.matches(err) || !res.RolledBack {
		t.Fatalf("bad incremental apply: %v (rolled back %v)", err, res != nil && res.RolledBack)
	}
	after, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		t.Fatal(err)
	}
	if x, y := structural(before), structural(after); !slices.Equal(x, y) {
		t.Fatalf("roll-back left a different tree: %s", firstDiff(x, y))
	}
	dumps := tn.h.Dumps()
	if _, err := a.Apply(ctx, tree); err != nil || tn.h.Dumps() == dumps {
		t.Fatalf("after a failure the next apply must read the kernel: err %v", err)
	}
}

// BenchmarkIncremental10k: with 10k circuits applied, change the ceil of 1,
// 100 or 1,000 circuits. "model" diffs against the last applied tree (no
// dump); "dump" reads the kernel first, as a cold start or repair would.
func BenchmarkIncremental10k(b *testing.B) {
	tn := newTestNet(b, benchQueues)
	tree := testTree("a0", benchQueues, benchNodes, benchCircuits)
	var circuits []int
	for i := range tree.Classes {
		if tree.Classes[i].Kind == plan.KindCircuit {
			circuits = append(circuits, i)
		}
	}
	a := &Applier{H: tn.h, Opts: Options{Logger: quiet}}
	if _, err := a.Apply(context.Background(), tree); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"model", "dump"} {
		for _, n := range []int{1, 100, 1000} {
			b.Run(fmt.Sprintf("%s/%d", mode, n), func(b *testing.B) {
				var ops int64
				flip := uint64(8000)
				for b.Loop() {
					for _, i := range circuits[:n] {
						tree.Classes[i].CeilBps += flip
					}
					flip = -flip
					before := tn.h.Ops()
					var err error
					if mode == "model" {
						_, err = a.Apply(context.Background(), tree)
					} else {
						_, err = Apply(context.Background(), tn.h, tree, Options{Logger: quiet})
					}
					if err != nil {
						b.Fatal(err)
					}
					ops = tn.h.Ops() - before
				}
				if ops != int64(n) {
					b.Fatalf("changed %d circuits with %d requests", n, ops)
				}
				b.ReportMetric(float64(ops), "requests")
			})
		}
		a.Forget()
		if _, err := a.Apply(context.Background(), tree); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFastDiff10k is the CPU side of changing one circuit with 10k
// applied: the pass over the plan and the encoding of the change, no kernel.
func BenchmarkFastDiff10k(b *testing.B) {
	tree := testTree("a0", benchQueues, benchNodes, benchCircuits)
	st := newApplierState(tree)
	i := circuitIndex(tree, "c77")
	flip := uint64(8000)
	for b.Loop() {
		tree.Classes[i].CeilBps += flip
		flip = -flip
		ops, _, err := st.fastDiff(tree)
		if err != nil || len(ops) != 1 {
			b.Fatalf("%v %v", ops, err)
		}
		st.commit(tree)
	}
}

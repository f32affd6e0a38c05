package tc

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// tcClass is what the real tc binary reports for one class.
type tcClass struct {
	Kind, Handle, Parent, Leaf string
	Root                       bool
	Prio                       int
	Rate, Ceil                 uint64 // bits/s (as printed, so rounded by tc)
}

// tcClassShow runs `tc -j class show dev X` in the namespace. iproute2 6.1
// ignores -j for classes and prints text, so both forms are parsed.
func tcClassShow(t *testing.T, ns, dev string) []tcClass {
	t.Helper()
	out, err := exec.Command("ip", "netns", "exec", ns, "tc", "-j", "class", "show", "dev", dev).Output()
	if err != nil {
		t.Fatalf("tc -j class show: %v", err)
	}
	s := strings.TrimSpace(string(out))
	var res []tcClass
	if strings.HasPrefix(s, "[") {
		var raw []map[string]any
		if err := json.Unmarshal(out, &raw); err != nil {
			t.Fatalf("tc -j class show: bad JSON: %v", err)
		}
		for _, r := range raw {
			c := tcClass{}
			c.Kind, _ = r["class"].(string)
			c.Handle, _ = r["handle"].(string)
			c.Parent, _ = r["parent"].(string)
			c.Leaf, _ = r["leaf"].(string)
			c.Root, _ = r["root"].(bool)
			if p, ok := r["prio"].(float64); ok {
				c.Prio = int(p)
			}
			if v, ok := r["rate"].(float64); ok {
				c.Rate = uint64(v) * 8 // JSON rates are bytes/s
			}
			if v, ok := r["ceil"].(float64); ok {
				c.Ceil = uint64(v) * 8
			}
			res = append(res, c)
		}
		return res
	}
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "class" {
			continue
		}
		c := tcClass{Kind: f[1], Handle: f[2]}
		for i := 3; i < len(f); i++ {
			next := func() string {
				if i+1 < len(f) {
					i++
					return f[i]
				}
				return ""
			}
			switch f[i] {
			case "root":
				c.Root = true
			case "parent":
				c.Parent = next()
			case "leaf":
				c.Leaf = next()
			case "prio":
				c.Prio, _ = strconv.Atoi(next())
			case "rate":
				c.Rate, _ = parseRate(next())
			case "ceil":
				c.Ceil, _ = parseRate(next())
			}
		}
		res = append(res, c)
	}
	return res
}

// roughlyEqual allows for tc printing rates with few significant digits.
func roughlyEqual(a, b uint64) bool {
	return math.Abs(float64(a)-float64(b)) <= 0.001*float64(b)+1
}

func TestApplyDumpMatchesPlanAndTC(t *testing.T) {
	tn := newTestNet(t, 4)
	tree := testTree("a0", 4, 6, 40)
	// 64-bit rates: above 2^32 bytes/s the kernel needs TCA_HTB_RATE64/CEIL64.
	tree.Classes[0].RateBps, tree.Classes[0].CeilBps = 100_000_000_000, 100_000_000_000
	tree.Classes[2].RateBps, tree.Classes[2].CeilBps = 35_000_000_008, 400_000_000_000
	ctx := context.Background()
	res, err := Apply(ctx, tn.h, tree, Options{})
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	if res.Done != len(res.Planned) || res.Done == 0 {
		t.Fatalf("done %d of %d planned", res.Done, len(res.Planned))
	}
	live, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		t.Fatal(err)
	}
	diffs, err := Compare(tree, live)
	if err != nil {
		t.Fatal(err)
	}
	if len(diffs) != 0 {
		t.Fatalf("dump differs from plan: %v", diffs)
	}
	// Every planned class is in the dump with exact rates and its leaf.
	for _, c := range tree.Classes {
		lc, ok := live.Class("a0", c.ID)
		if !ok {
			t.Fatalf("class %s missing from dump", c.ID)
		}
		if lc.RateBps != c.RateBps/8*8 || lc.CeilBps != c.CeilBps/8*8 || lc.Parent != c.Parent || lc.Prio != c.Prio {
			t.Errorf("class %s: dump %+v, plan rate %d ceil %d parent %s prio %d", c.ID, lc, c.RateBps, c.CeilBps, c.Parent, c.Prio)
		}
		q, ok := live.QdiscAt("a0", c.ID)
		if c.Leaf.IsZero() != !ok || ok && (q.Kind != c.Leaf.Kind || q.Handle != c.LeafHandle) {
			t.Errorf("class %s: leaf %+v, want %s %s", c.ID, q, c.Leaf.Kind, c.LeafHandle)
		}
	}

	// The real tc binary agrees.
	got := tcClassShow(t, tn.A, "a0")
	byHandle := map[string]tcClass{}
	for _, c := range got {
		if c.Kind == "htb" {
			byHandle[c.Handle] = c
		}
	}
	if len(byHandle) != len(tree.Classes) {
		t.Errorf("tc shows %d htb classes, plan has %d", len(byHandle), len(tree.Classes))
	}
	for _, c := range tree.Classes {
		tc, ok := byHandle[c.ID.String()]
		if !ok {
			t.Errorf("tc does not show class %s", c.ID)
			continue
		}
		wantParent := c.Parent.String()
		if c.Parent.Minor() == 0 {
			if !tc.Root {
				t.Errorf("class %s: tc parent %q, want root", c.ID, tc.Parent)
			}
		} else if tc.Parent != wantParent {
			t.Errorf("class %s: tc parent %q, want %q", c.ID, tc.Parent, wantParent)
		}
		if !roughlyEqual(tc.Rate, c.RateBps) || !roughlyEqual(tc.Ceil, c.CeilBps) {
			t.Errorf("class %s: tc rate/ceil %d/%d, plan %d/%d", c.ID, tc.Rate, tc.Ceil, c.RateBps, c.CeilBps)
		}
		if !c.Leaf.IsZero() && tc.Leaf != fmt.Sprintf("%x:", c.LeafHandle.Major()) {
			t.Errorf("class %s: tc leaf %q, want %s", c.ID, tc.Leaf, c.LeafHandle)
		}
	}

	// Applying the same plan again sends nothing.
	before := tn.h.Ops()
	res, err = Apply(ctx, tn.h, tree, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Planned) != 0 || tn.h.Ops() != before {
		t.Fatalf("re-apply planned %v and sent %d requests, want none", res.Planned, tn.h.Ops()-before)
	}
}

// structural renders a dump without statistics, for exact comparisons.
func structural(l *Live) []string {
	var out []string
	for _, q := range l.Qdiscs {
		out = append(out, fmt.Sprintf("qdisc %s %s %s parent %s opts %x", q.Interface, q.Kind, q.Handle, q.Parent, q.Options))
	}
	for _, c := range l.Classes {
		out = append(out, fmt.Sprintf("class %s %s %s parent %s rate %d ceil %d buf %d/%d q %d prio %d level %d",
			c.Interface, c.Kind, c.ID, c.Parent, c.RateBps, c.CeilBps, c.Buffer, c.Cbuffer, c.Quantum, c.Prio, c.Level))
	}
	slices.Sort(out)
	return out
}

func TestApplyFailureRollsBack(t *testing.T) {
	tn := newTestNet(t, 4)
	ctx := context.Background()
	old := testTree("a0", 4, 4, 20)
	if _, err := Apply(ctx, tn.h, old, Options{}); err != nil {
		t.Fatalf("first apply: %v", err)
	}
	d0, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		t.Fatal(err)
	}

	refused := refusedLeaf(t, tn)
	tests := []struct {
		name    string
		mutate  func(tr *plan.Tree)
		wantErr string
	}{
		{
			// Many changes, the refused leaf last so earlier requests have already landed.
			name: "refused leaf after rate changes, adds and removals",
			mutate: func(tr *plan.Tree) {
				for i := range tr.Classes {
					if tr.Classes[i].Kind == plan.KindCircuit {
						tr.Classes[i].RateBps += 8000
					}
				}
				tr.Classes = slices.DeleteFunc(tr.Classes, func(c plan.Class) bool { return c.CircuitID == "c3" })
				last := tr.Classes[len(tr.Classes)-1]
				last.CircuitID, last.ID, last.LeafHandle = "1234", tchandle.Make(last.ID.Major(), 0x500), tchandle.Make(0xa000, 0)
				last.Leaf = refused.leaf
				tr.Classes = append(tr.Classes, last)
			},
			wantErr: "circuit 1234 (class " + "4:500) on a0: " + refused.errText,
		},
		{
			name: "refused leaf on an existing circuit",
			mutate: func(tr *plan.Tree) {
				for i := range tr.Classes {
					if tr.Classes[i].CircuitID == "c7" {
						tr.Classes[i].Leaf = refused.leaf
					}
				}
			},
			wantErr: "circuit c7 (class ",
		},
		{
			name: "interface changes r2q (queue rebuilt) then the refused leaf fails",
			mutate: func(tr *plan.Tree) {
				tr.Qdiscs[1].HTBR2Q = 500
				for i := range tr.Classes {
					if tr.Classes[i].CircuitID == "c0" {
						tr.Classes[i].Leaf = refused.leaf
					}
				}
			},
			wantErr: "circuit c0 (class ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := testTree("a0", 4, 4, 20)
			tt.mutate(tr)
			res, err := Apply(ctx, tn.h, tr, Options{})
			if err == nil {
				t.Fatal("apply with a leaf this kernel refuses succeeded")
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !refused.matches(err) {
				t.Fatalf("error %q, want it to contain %q, %q and %q", err, tt.wantErr, refused.errText, refused.hint)
			}
			if res == nil || !res.RolledBack || res.Done == 0 {
				t.Fatalf("result %+v (err %v): want a roll-back after some requests landed", res, err)
			}
			d1, err := Dump(tn.h, []string{"a0"})
			if err != nil {
				t.Fatal(err)
			}
			if a, b := structural(d0), structural(d1); !slices.Equal(a, b) {
				t.Fatalf("tree after roll-back differs:\nbefore %d objects, after %d\nfirst diff: %v", len(a), len(b), firstDiff(a, b))
			}
			if d := CompareLive(d0, d1); len(d) != 0 {
				t.Fatalf("CompareLive reports %v", d)
			}
			if d, _ := Compare(old, d1); len(d) != 0 {
				t.Fatalf("old plan no longer matches: %v", d)
			}
		})
	}
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + " <> " + b[i]
		}
	}
	return "length only"
}

func TestApplyFromDefaultRootRollsBackToDefault(t *testing.T) {
	tn := newTestNet(t, 2)
	d0, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		t.Fatal(err)
	}
	tr := testTree("a0", 2, 1, 3)
	refused := refusedLeaf(t, tn)
	tr.Classes[len(tr.Classes)-1].Leaf = refused.leaf
	_, err = Apply(context.Background(), tn.h, tr, Options{})
	if !refused.matches(err) {
		t.Fatalf("error %v, want %q %q", err, refused.errText, refused.hint)
	}
	d1, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := structural(d0), structural(d1); !slices.Equal(a, b) {
		t.Fatalf("root not restored:\nbefore %q\nafter  %q", a, b)
	}
}

func TestApplyRejectsBadPlans(t *testing.T) {
	base := func() *plan.Tree { return testTree("a0", 2, 1, 2) }
	tests := []struct {
		name    string
		mutate  func(t *plan.Tree)
		wantErr string
	}{
		{"unknown leaf kind", func(t *plan.Tree) { t.Classes[len(t.Classes)-1].Leaf.Kind = "sfq" }, `circuit c1 (class 1:5) on a0: leaf: unsupported leaf qdisc kind "sfq"`},
		{"bad cake arg", func(t *plan.Tree) {
			t.Classes[len(t.Classes)-1].Leaf = plan.Leaf{Kind: "cake", Args: []string{"rtt", "soon"}}
		}, `circuit c1 (class 1:5) on a0: leaf: cake args "rtt soon": token 2`},
		{"child before parent", func(t *plan.Tree) { t.Classes[4], t.Classes[5] = t.Classes[5], t.Classes[4] }, "missing or listed after its child"},
		{"duplicate class", func(t *plan.Tree) { t.Classes = append(t.Classes, t.Classes[len(t.Classes)-1]) }, "class id used twice"},
		{"duplicate leaf handle", func(t *plan.Tree) {
			t.Classes[len(t.Classes)-1].LeafHandle = t.Classes[len(t.Classes)-2].LeafHandle
		}, "leaf handle 9000:0 already used"},
		{"unknown interface", func(t *plan.Tree) { t.Classes[3].Interface = "eth9" }, "interface not in tree.Interfaces"},
		{"zero rate", func(t *plan.Tree) { t.Classes[3].RateBps = 0 }, "rate 0 bit/s is too low"},
		{"htb without mq", func(t *plan.Tree) { t.Qdiscs = t.Qdiscs[1:] }, "not a slot of an mq root"},
		{"no interfaces", func(t *plan.Tree) { t.Interfaces = nil }, "tree has no interfaces"},
		{"unknown class kind does not panic", func(t *plan.Tree) { t.Classes[3].Kind = 42; t.Classes[3].RateBps = 0 }, "class 2:2 (kind 42) on a0: rate 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := base()
			tt.mutate(tr)
			_, err := Apply(context.Background(), nil, tr, Options{})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want containing %q", err, tt.wantErr)
			}
			if _, err := fromTree(tr); err == nil {
				t.Fatal("validation accepted the bad plan")
			}
		})
	}
}

// The upstream way builds the same tree: plan.RenderTC through `tc -batch`
// compares equal to the plan, and Apply on top of it sends nothing.
func TestRenderBatchBuildsSameTree(t *testing.T) {
	tn := newTestNet(t, 4)
	tree := testTree("a0", 4, 5, 30)
	if _, err := fromTree(tree); err != nil {
		t.Fatal(err)
	}
	batch := strings.Join(plan.RenderTC(tree), "\n") + "\n"
	if !strings.HasPrefix(batch, "qdisc add dev a0 root handle 7fff: mq\n") {
		t.Fatalf("batch does not start with the mq root:\n%.200s", batch)
	}
	f := t.TempDir() + "/batch"
	if err := os.WriteFile(f, []byte(batch), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, "ip", "netns", "exec", tn.A, "tc", "-force", "-batch", f)
	live, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := Compare(tree, live); len(d) != 0 {
		t.Fatalf("tc -batch tree differs from plan: %v", d)
	}
	res, err := Apply(context.Background(), tn.h, tree, Options{Logger: quiet})
	if err != nil || len(res.Planned) != 0 {
		t.Fatalf("apply over the tc-built tree: %v, planned %v", err, res.Planned)
	}
}

// Observe mode keeps only the mq root; per-queue slots go back to pfifo_fast.
func TestApplyObserveDrainsTree(t *testing.T) {
	tn := newTestNet(t, 2)
	tree := testTree("a0", 2, 2, 6)
	ctx := context.Background()
	if _, err := Apply(ctx, tn.h, tree, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	tree.Observe = true
	if _, err := Apply(ctx, tn.h, tree, Options{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	live, err := Dump(tn.h, []string{"a0"})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range live.Qdiscs {
		if q.Kind != "mq" && q.Kind != "pfifo_fast" {
			t.Errorf("observe left qdisc %s %s (parent %s)", q.Kind, q.Handle, q.Parent)
		}
	}
	for _, c := range live.Classes {
		if c.Kind == "htb" {
			t.Errorf("observe left class %s", c.ID)
		}
	}
	if d, _ := Compare(tree, live); len(d) != 0 {
		t.Fatalf("observe tree differs: %v", d)
	}
}

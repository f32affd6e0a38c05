package plan

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

type classKey struct {
	ifc string
	id  tchandle.Handle
}

// diffTrees returns the classes only in b, only in a, and in both but different.
func diffTrees(a, b *Tree) (added, removed, changed []Class) {
	am := map[classKey]Class{}
	for _, c := range a.Classes {
		am[classKey{c.Interface, c.ID}] = c
	}
	seen := map[classKey]bool{}
	for _, c := range b.Classes {
		k := classKey{c.Interface, c.ID}
		seen[k] = true
		old, ok := am[k]
		switch {
		case !ok:
			added = append(added, c)
		case !reflect.DeepEqual(old, c):
			changed = append(changed, c)
		}
	}
	for _, c := range a.Classes {
		if !seen[classKey{c.Interface, c.ID}] {
			removed = append(removed, c)
		}
	}
	return added, removed, changed
}

func addCircuit(f *devices.File, c *devices.Circuit) *devices.File {
	out := &devices.File{Path: f.Path, HasSQMColumn: f.HasSQMColumn}
	out.Circuits = append(slices.Clone(f.Circuits), c)
	return out
}

// TestAddOneCircuitChangesOneClass adds a circuit to the upstream example with
// stable identities:
// upstream renumbers five circuits when "0 Aardvark Rd" joins AP_A; we add
// exactly one class per direction and change nothing else.
func TestAddOneCircuitChangesOneClass(t *testing.T) {
	in := loadExample(t)
	first := mustBuild(t, in)

	in.Previous = first.Identities
	same := mustBuild(t, in)
	if a, r, c := diffTrees(first.Tree, same.Tree); len(a)+len(r)+len(c) != 0 {
		t.Fatalf("re-planning unchanged inputs changed the tree: +%d -%d ~%d", len(a), len(r), len(c))
	}
	if !reflect.DeepEqual(first.Identities, same.Identities) {
		t.Error("re-planning unchanged inputs changed the identity state")
	}

	aardvark := &devices.Circuit{ID: "10012", Name: "0 Aardvark Rd", ParentNode: "AP_A", DownloadMin: 5, UploadMin: 1, DownloadMax: 50, UploadMax: 10,
		Devices: []*devices.Device{{ID: "12", IPv4: []netip.Prefix{netip.MustParsePrefix("100.64.0.12/32")}}}}
	in.Devices = addCircuit(in.Devices, aardvark)
	second := mustBuild(t, in)
	added, removed, changed := diffTrees(first.Tree, second.Tree)
	if len(added) != 2 || len(removed) != 0 || len(changed) != 0 {
		t.Fatalf("adding one circuit: +%d -%d ~%d classes, want +2 (one per interface) -0 ~0; changed: %+v", len(added), len(removed), len(changed), changed)
	}
	for _, c := range added {
		if c.CircuitID != "10012" || c.Parent != tchandle.Make(1, 6) {
			t.Errorf("added class %+v, want circuit 10012 under AP_A 1:6", c)
		}
		if c.LeafHandle != tchandle.Make(0x900a, 0) {
			t.Errorf("new circuit leaf handle %s, want the next free one 900a:", c.LeafHandle)
		}
	}
	if got := second.Stats.IdentitiesNew; got != 1 {
		t.Errorf("%d new identities, want 1", got)
	}
	if len(second.Tree.Mappings) != len(first.Tree.Mappings)+1 {
		t.Errorf("%d mappings, want %d", len(second.Tree.Mappings), len(first.Tree.Mappings)+1)
	}
}

// TestMoveAndRemove: a circuit moved to a node on another queue gets a new
// id there; its old minor is not handed to anyone in the same run, and is
// free again in the run after.
func TestMoveAndRemove(t *testing.T) {
	in := loadExample(t)
	first := mustBuild(t, in)
	old := circuitByID(t, first, "10001") // 1:19 under AP_A

	moved := &devices.File{Path: in.Devices.Path}
	for _, c := range in.Devices.Circuits {
		if c.ID == "10001" {
			cp := *c
			cp.ParentNode = "AP_1"
			c = &cp
		}
		moved.Circuits = append(moved.Circuits, c)
	}
	in.Devices, in.Previous = moved, first.Identities
	second := mustBuild(t, in)
	now := circuitByID(t, second, "10001")
	if now.Queue != 2 || now.ClassID.Major() != 2 || now.Identity != "moved" {
		t.Errorf("moved circuit: queue %d class %s identity %s, want queue 2, a 2:x class, moved", now.Queue, now.ClassID, now.Identity)
	}
	if now.LeafHandle == old.LeafHandle {
		t.Errorf("moved circuit kept leaf handle %s; its old qdisc still exists until removed", now.LeafHandle)
	}
	_, removed, changed := diffTrees(first.Tree, second.Tree)
	if len(removed) != 2 || len(changed) != 0 {
		t.Errorf("move: -%d ~%d classes, want -2 ~0", len(removed), len(changed))
	}
	for _, c := range second.Tree.Classes {
		if c.ID == old.ClassID {
			t.Errorf("stale class id %s reused by %+v in the same run", old.ClassID, c)
		}
	}
}

// TestStaleMinorQuarantine: in a one-queue flat network a removed circuit's
// minor would be the lowest free one; it is skipped for one run, then reused.
func TestStaleMinorQuarantine(t *testing.T) {
	cfg := mustConfig(t, bridgeConf)
	mk := func(ids ...string) *devices.File {
		f := &devices.File{}
		for _, id := range ids {
			f.Circuits = append(f.Circuits, &devices.Circuit{ID: id, Name: id, DownloadMin: 1, UploadMin: 1, DownloadMax: 10, UploadMax: 10})
		}
		return f
	}
	minor := func(p *Plan, id string) uint16 { return circuitByID(t, p, id).ClassID.Minor() }
	p1 := mustBuild(t, Input{Config: cfg, Devices: mk("a", "b"), TXQueues: 1})
	if minor(p1, "a") != 4 || minor(p1, "b") != 5 {
		t.Fatalf("fresh minors a=%d b=%d, want 4 and 5 (Generated_PN_1 has 3)", minor(p1, "a"), minor(p1, "b"))
	}
	p2 := mustBuild(t, Input{Config: cfg, Devices: mk("b", "c"), TXQueues: 1, Previous: p1.Identities})
	if minor(p2, "b") != 5 || minor(p2, "c") != 6 {
		t.Errorf("run 2: b=%d c=%d, want b kept at 5 and c=6 (4 was a's this run)", minor(p2, "b"), minor(p2, "c"))
	}
	if _, ok := p2.Identities.Circuits["a"]; ok {
		t.Error("removed circuit still in the identity state")
	}
	p3 := mustBuild(t, Input{Config: cfg, Devices: mk("b", "c", "d"), TXQueues: 1, Previous: p2.Identities})
	if minor(p3, "d") != 4 {
		t.Errorf("run 3: d=%d, want the freed minor 4", minor(p3, "d"))
	}
}

// TestAllocMinors covers the fresh layout (upstream's numbering when there
// is no history) and the reuse rules.
func TestAllocMinors(t *testing.T) {
	tests := []struct {
		name  string
		objs  []identObj
		stale []uint16
		want  []uint16
		last  int
	}{
		{
			name: "fresh layout: parent gap and circuit padding",
			objs: []identObj{{hasChildren: true}, {}, {circuit: true, group: 1}, {circuit: true, group: 1}},
			want: []uint16{3, 5, 6, 7}, last: 16,
		},
		{
			name: "kept minors stay, new ones fill the lowest gap",
			objs: []identObj{{circuit: true}, {circuit: true, keep: true, prevMinor: 10}, {circuit: true, keep: true, prevMinor: 11}},
			want: []uint16{3, 10, 11}, last: 12,
		},
		{
			name: "invalid stored minor 0xFFFF is not reused",
			objs: []identObj{{circuit: true, keep: true, prevMinor: 0xFFFF}, {circuit: true, keep: true, prevMinor: 4}},
			want: []uint16{3, 4}, last: 5,
		},
		{
			name: "duplicate stored minor: first keeps it",
			objs: []identObj{{circuit: true, keep: true, prevMinor: 7}, {circuit: true, keep: true, prevMinor: 7}},
			want: []uint16{7, 3}, last: 8,
		},
		{
			name:  "stale minors are skipped",
			objs:  []identObj{{circuit: true}, {circuit: true}},
			stale: []uint16{3, 4},
			want:  []uint16{5, 6}, last: 7,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs := slices.Clone(tt.objs)
			last, err := allocMinors(objs, tt.stale)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint16
			for _, o := range objs {
				got = append(got, o.minor)
			}
			if !slices.Equal(got, tt.want) || last != tt.last {
				t.Errorf("minors %v last %d, want %v last %d", got, last, tt.want, tt.last)
			}
		})
	}
	// A stale parent is a "keep: false" object: covered by the Build tests.
	big := make([]identObj, MaxMinor-FirstMinor+2)
	for i := range big {
		big[i].circuit = true
	}
	if _, err := allocMinors(big, nil); err == nil {
		t.Error("allocating more minors than exist did not fail")
	}
}

func TestIdentitiesFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "identities.json")
	ids, err := LoadIdentities(path)
	if err != nil || len(ids.Circuits) != 0 {
		t.Fatalf("missing file: %v %+v, want empty state", err, ids)
	}
	p := mustBuild(t, loadExample(t))
	if err := SaveIdentities(path, p.Identities); err != nil {
		t.Fatal(err)
	}
	back, err := LoadIdentities(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, p.Identities) {
		t.Error("identity state does not survive a save/load round trip")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	missing := filepath.Join(dir, "no-such-dir", "identities.json")
	if err := SaveIdentities(missing, p.Identities); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("saving into a missing directory: %v, want an error naming %s", err, missing)
	}
	for _, bad := range []struct{ name, text string }{
		{"not json", "{oops"},
		{"wrong version", `{"version": 7}`},
	} {
		if err := os.WriteFile(path, []byte(bad.text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadIdentities(path); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: error %v does not name the file", bad.name, err)
		}
	}
}

// TestIdentityProperty applies random add/remove/move/rate-change sequences
// and checks after every run that class ids and leaf handles are unique,
// unchanged objects keep theirs, and no id changes owner within a run.
func TestIdentityProperty(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 99))
			queues := 1 + r.IntN(4)
			in := genInput(40, 4, 3, queues, seed)
			in.Config = mustConfig(t, bridgeConf, fmt.Sprintf("use_binpacking = %v", seed%2 == 0))
			_, aps := genNetwork(4, 3)
			next := 1000
			prev := mustBuild(t, in)
			checkPlanInvariants(t, prev)
			for step := 0; step < 25; step++ {
				circuits := slices.Clone(in.Devices.Circuits)
				for k := 0; k < 1+r.IntN(4); k++ {
					switch op := r.IntN(4); {
					case op == 0 || len(circuits) == 0: // add
						parent := aps[r.IntN(len(aps))]
						if r.IntN(4) == 0 {
							parent = ""
						}
						circuits = append(circuits, genCircuit(next, parent, r))
						next++
					case op == 1: // remove
						i := r.IntN(len(circuits))
						circuits = slices.Delete(circuits, i, i+1)
					case op == 2: // move
						i := r.IntN(len(circuits))
						cp := *circuits[i]
						cp.ParentNode = aps[r.IntN(len(aps))]
						circuits[i] = &cp
					default: // rate change only
						i := r.IntN(len(circuits))
						cp := *circuits[i]
						cp.DownloadMax++
						circuits[i] = &cp
					}
				}
				in.Devices = &devices.File{Circuits: circuits}
				in.Previous = prev.Identities
				if step%7 == 6 {
					// The NIC or CPU count changed: ids on vanished queues move.
					in.TXQueues = 1 + r.IntN(4)
				}
				cur := mustBuild(t, in)
				checkPlanInvariants(t, cur)
				checkStable(t, prev, cur)
				prev = cur
			}
		})
	}
}

func checkPlanInvariants(t *testing.T, p *Plan) {
	t.Helper()
	seen := map[tchandle.Handle]string{}
	leafs := map[tchandle.Handle]string{}
	claim := func(id tchandle.Handle, who string) {
		if id.Minor() < FirstMinor || id.Minor() > MaxMinor {
			t.Fatalf("%s has out-of-range class %s", who, id)
		}
		if other, dup := seen[id]; dup {
			t.Fatalf("class %s given to both %s and %s", id, other, who)
		}
		seen[id] = who
	}
	for _, n := range p.Nodes {
		claim(n.ClassID, "node "+n.Key)
	}
	for _, c := range p.Circuits {
		claim(c.ClassID, "circuit "+c.ID)
		if c.LeafHandle == 0 {
			t.Fatalf("circuit %s has no leaf handle", c.ID)
		}
		if other, dup := leafs[c.LeafHandle]; dup {
			t.Fatalf("leaf handle %s given to %s and %s", c.LeafHandle, other, c.ID)
		}
		leafs[c.LeafHandle] = c.ID
	}
	have := map[classKey]bool{}
	for _, q := range p.Tree.Qdiscs {
		have[classKey{q.Interface, q.Handle}] = true
	}
	for _, c := range p.Tree.Classes {
		if !have[classKey{c.Interface, c.Parent}] {
			t.Fatalf("class %s on %s comes before (or without) its parent %s", c.ID, c.Interface, c.Parent)
		}
		have[classKey{c.Interface, c.ID}] = true
	}
}

// checkStable: objects that did not move keep their ids; ids never change owner.
func checkStable(t *testing.T, prev, cur *Plan) {
	t.Helper()
	owner := map[tchandle.Handle]string{}
	prevNodes := map[string]*NodePlan{}
	for _, n := range prev.Nodes {
		owner[n.ClassID] = "node " + n.Key
		prevNodes[n.Name] = n
	}
	prevCirc := map[string]*CircuitPlan{}
	for _, c := range prev.Circuits {
		owner[c.ClassID] = "circuit " + c.ID
		prevCirc[c.ID] = c
	}
	for _, n := range cur.Nodes {
		if o, ok := owner[n.ClassID]; ok && o != "node "+n.Key {
			t.Fatalf("class %s moved from %s to node %s within one run", n.ClassID, o, n.Key)
		}
		if pn := prevNodes[n.Name]; pn != nil && pn.Queue == n.Queue && pn.Parent == n.Parent && pn.ClassID != n.ClassID {
			t.Fatalf("node %s did not move but changed class %s -> %s", n.Name, pn.ClassID, n.ClassID)
		}
	}
	for _, c := range cur.Circuits {
		if o, ok := owner[c.ClassID]; ok && o != "circuit "+c.ID {
			t.Fatalf("class %s moved from %s to circuit %s within one run", c.ClassID, o, c.ID)
		}
		if pc := prevCirc[c.ID]; pc != nil && pc.Node == c.Node && pc.Queue == c.Queue {
			if pc.ClassID != c.ClassID || pc.LeafHandle != c.LeafHandle {
				t.Fatalf("circuit %s did not move but changed %s/%s -> %s/%s", c.ID, pc.ClassID, pc.LeafHandle, c.ClassID, c.LeafHandle)
			}
		}
	}
}

// When the queue count changes, placements are dealt afresh so new CPUs get
// work, while objects that land on the same queue under the same parent keep
// their minors.
func TestQueueCountChangeRebalances(t *testing.T) {
	in := genInput(200, 8, 2, 2, 7)
	in.Config = mustConfig(t, bridgeConf)
	p2 := mustBuild(t, in)
	in.TXQueues, in.Previous = 4, p2.Identities
	p4 := mustBuild(t, in)
	used := map[int]bool{}
	for _, n := range p4.Nodes {
		if n.Parent == "" && n.Kind == NodeSite {
			used[n.Queue] = true
		}
	}
	if len(used) != 4 {
		t.Errorf("after growing to 4 queues sites use queues %v, want all 4", used)
	}
	checkPlanInvariants(t, p4)
	checkStable(t, p2, p4)
	if p4.Identities.Queues != 4 {
		t.Errorf("state records %d queues, want 4", p4.Identities.Queues)
	}
}

func TestInvalidRatesNotShaped(t *testing.T) {
	f := &devices.File{Circuits: []*devices.Circuit{
		{ID: "ok", DownloadMin: 1, UploadMin: 1, DownloadMax: 10, UploadMax: 10},
		{ID: "nan", DownloadMin: math.NaN(), UploadMin: 1, DownloadMax: 10, UploadMax: 10},
		{ID: "zero", DownloadMin: 1, UploadMin: 1, DownloadMax: 0, UploadMax: 10},
	}}
	p := mustBuild(t, Input{Config: mustConfig(t, bridgeConf), Devices: f, TXQueues: 2})
	if len(p.Circuits) != 1 || len(p.Unshaped) != 2 || p.Unshaped[0].Reason != "invalid_rates" {
		t.Errorf("circuits %d unshaped %+v, want 1 shaped and nan, zero as invalid_rates", len(p.Circuits), p.Unshaped)
	}
	if _, err := p.QueuingStructureJSON(); err != nil {
		t.Errorf("queuingStructure.json: %v", err)
	}
}

// On a larger generated network: adding one circuit adds one class per
// direction, removing one removes one per direction. The only other changes
// are the guarantees (HTB rate, nothing else) of that circuit's siblings, in
// the directions where their node is oversubscribed.
func TestOneCircuitChangeOnLargeTree(t *testing.T) {
	in := genInput(3000, 20, 10, 4, 11)
	in.Config = mustConfig(t, bridgeConf)
	base := mustBuild(t, in)
	in.Previous = base.Identities
	r := rand.New(rand.NewPCG(5, 5))
	removed1234 := in.Devices.Circuits[1234]
	tests := []struct {
		name    string
		edit    func([]*devices.Circuit) []*devices.Circuit
		node    string // the node whose circuits changed
		added   int
		removed int
	}{
		{"add under an AP", func(cs []*devices.Circuit) []*devices.Circuit {
			return append(cs, genCircuit(9000, "AP_007_03", r))
		}, "AP_007_03", 2, 0},
		{"add unparented", func(cs []*devices.Circuit) []*devices.Circuit {
			return append(cs, genCircuit(9001, "", r))
		}, "", 2, 0},
		{"remove one", func(cs []*devices.Circuit) []*devices.Circuit {
			return slices.Delete(cs, 1234, 1235)
		}, removed1234.ParentNode, 0, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			next := in
			next.Devices = &devices.File{Circuits: tt.edit(slices.Clone(in.Devices.Circuits))}
			p := mustBuild(t, next)
			added, removed, changed := diffTrees(base.Tree, p.Tree)
			if len(added) != tt.added || len(removed) != tt.removed {
				t.Errorf("+%d -%d classes, want +%d -%d", len(added), len(removed), tt.added, tt.removed)
			}
			over := map[Direction]bool{}
			for _, o := range append(slices.Clone(base.Oversubscribed), p.Oversubscribed...) {
				if o.Node == tt.node {
					over[o.Direction] = true
				}
			}
			old := map[classKey]Class{}
			for _, c := range base.Tree.Classes {
				old[classKey{c.Interface, c.ID}] = c
			}
			for _, c := range changed {
				o := old[classKey{c.Interface, c.ID}]
				o.RateBps = c.RateBps
				if c.Kind != KindCircuit || c.NodeName != "" || !over[c.Direction] || !reflect.DeepEqual(o, c) || circuitByID(t, p, c.CircuitID).Node != tt.node {
					t.Errorf("class %s on %s (%s %q) changed beyond its guarantee, or outside %q's oversubscribed directions %v", c.ID, c.Interface, c.Kind, c.Name, tt.node, over)
				}
			}
			if tt.node == "AP_007_03" && (len(changed) == 0 || !over[Download] || over[Upload]) {
				t.Errorf("want AP_007_03 oversubscribed for download only and its siblings' guarantees changed; got %v, %d changed", over, len(changed))
			}
		})
	}
}

package daemon

import (
	"testing"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// Drops happen in leaf qdiscs; each class counts the drops of every leaf
// below it, and its own overlimits.
func TestSubtreeDrops(t *testing.T) {
	h := tchandle.Make
	live := &tc.Live{
		Classes: []tc.LiveClass{
			{Interface: "eth1", ID: h(1, 1), Parent: h(1, 0), Stats: tc.Stats{Overlimits: 9, Bytes: 3000, Packets: 3}}, // site
			{Interface: "eth1", ID: h(1, 2), Parent: h(1, 1)},                                                          // AP
			{Interface: "eth1", ID: h(1, 3), Parent: h(1, 2), Stats: tc.Stats{Drops: 1}},                               // circuit
			{Interface: "eth1", ID: h(1, 4), Parent: h(1, 1)},                                                          // circuit under the site
			{Interface: "eth0", ID: h(1, 1), Parent: h(1, 0)},                                                          // same handle, other interface
		},
		Qdiscs: []tc.LiveQdisc{
			{Interface: "eth1", Handle: h(0x100, 0), Parent: h(1, 3), Stats: tc.Stats{Drops: 5, Marks: 3}},
			{Interface: "eth1", Handle: h(0x101, 0), Parent: h(1, 4), Stats: tc.Stats{Drops: 2}},
			{Interface: "eth0", Handle: h(0x102, 0), Parent: h(1, 1), Stats: tc.Stats{Drops: 100}},
		},
	}
	got := subtreeDrops(live)
	tests := []struct {
		iface      string
		id         tchandle.Handle
		drops, ovl uint64
	}{
		{"eth1", h(1, 3), 5, 0}, // its own counter repeats a leaf drop
		{"eth1", h(1, 2), 5, 0},
		{"eth1", h(1, 4), 2, 0},
		{"eth1", h(1, 1), 7, 9},
		{"eth0", h(1, 1), 100, 0},
	}
	for _, tc := range tests {
		if s := got[classKey{tc.iface, tc.id}]; s.drops != tc.drops || s.overlimits != tc.ovl || (tc.id == h(1, 1) && tc.iface == "eth1" && (s.bytes != 3000 || s.marks != 3)) {
			t.Errorf("%s %v: %+v, want drops %d overlimits %d", tc.iface, tc.id, s, tc.drops, tc.ovl)
		}
	}
}

// A circuit's site is its top-level node, skipping binpacking's CPU bins.
func TestPlanShapeSites(t *testing.T) {
	p := &plan.Plan{
		DownloadInterface: "eth1", UploadInterface: "eth0",
		Nodes: []*plan.NodePlan{
			{Name: "CpueQueue0", Kind: plan.NodeCPUBin},
			{Name: "Tower", Parent: "CpueQueue0", Kind: plan.NodeSite, ClassID: tchandle.Make(1, 3)},
			{Name: "AP", Parent: "Tower", Kind: plan.NodeSite, ClassID: tchandle.Make(1, 4)},
			{Name: "Other", Kind: plan.NodeSite},
		},
		Circuits: []*plan.CircuitPlan{{ID: "c1", Node: "AP"}, {ID: "c2", Node: "Other"}, {ID: "c3", Node: ""}},
	}
	d := &Daemon{}
	d.notePlanShape(p)
	m := &metricsSource{d: d}
	for id, want := range map[string]string{"c1": "Tower", "c2": "Other", "c3": ""} {
		if got := m.SiteOf(id); got != want {
			t.Errorf("SiteOf(%s) = %q, want %q", id, got, want)
		}
	}
	ps := d.planShape.Load()
	if len(ps.nodes) != 3 || ps.nodes[1].name != "AP" || ps.nodes[1].site != "Tower" || ps.nodes[1].down != tchandle.Make(1, 4) {
		t.Errorf("nodes %+v", ps.nodes)
	}
}

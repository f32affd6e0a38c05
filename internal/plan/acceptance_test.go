package plan

import (
	"net/netip"
	"slices"
	"testing"
)

// Acceptance checks of spec section 7. Numbers differ from upstream only
// where a section 9 decision changes them; each such place says why.

const towerNet = `{"Tower":{"downloadBandwidthMbps":50,"uploadBandwidthMbps":50}}`

func TestCheck15SingleCircuit(t *testing.T) {
	p := mustBuild(t, Input{
		Config:   mustConfig(t, bridgeConf),
		Network:  mustNetwork(t, towerNet),
		Devices:  mustDevices(t, "c1,C1,d1,D1,Tower,,,,100.64.1.1,,5,5,10,10,,\n"),
		TXQueues: 2,
	})
	tower := nodeByName(t, p, "Tower")
	if tower.Queue != 1 || tower.ClassID != MakeHandle(1, 4) || tower.ParentClassID != MakeHandle(1, 0) {
		t.Errorf("Tower: queue %d class %s parent %s, want 1, 1:4, 1:0", tower.Queue, tower.ClassID, tower.ParentClassID)
	}
	for _, ifc := range []string{"eth1", "eth0"} {
		tc := findClass(t, p.Tree, ifc, MakeHandle(1, 4))
		if tc.RateBps != 49e6 || tc.CeilBps != 50e6 || tc.Quantum != 2999 || tc.Prio != 3 {
			t.Errorf("%s Tower class: rate %d ceil %d quantum %d prio %d, want 49e6 50e6 2999 3", ifc, tc.RateBps, tc.CeilBps, tc.Quantum, tc.Prio)
		}
		cc := findClass(t, p.Tree, ifc, MakeHandle(1, 5))
		if cc.Parent != MakeHandle(1, 4) || cc.RateBps != 5e6 || cc.CeilBps != 10e6 || cc.Quantum != 1522 || cc.Prio != 3 {
			t.Errorf("%s circuit class: %+v", ifc, cc)
		}
		if cc.Leaf.Kind != "cake" || !slices.Equal(cc.Leaf.Args, []string{"diffserv4"}) || cc.LeafHandle != MakeHandle(0x9000, 0) {
			t.Errorf("%s circuit leaf: %+v handle %s, want cake diffserv4 at 9000:", ifc, cc.Leaf, cc.LeafHandle)
		}
	}
	want := []Mapping{{Prefix: netip.MustParsePrefix("100.64.1.1/32"), CPU: 0, ClassID: MakeHandle(1, 5), UploadCPU: 0, UploadClassID: MakeHandle(1, 5), CircuitID: "c1", DeviceID: "d1"}}
	if !slices.Equal(p.Tree.Mappings, want) {
		t.Errorf("mappings %+v, want %+v", p.Tree.Mappings, want)
	}
}

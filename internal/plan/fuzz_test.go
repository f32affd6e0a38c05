package plan

import (
	"encoding/json"
	"testing"

	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/topology"
)

// FuzzBuild feeds whatever the input readers accept to the planner: it must
// return a plan or an error, never panic, and a plan must pass the invariants.
func FuzzBuild(f *testing.F) {
	f.Add(`{"Tower":{"downloadBandwidthMbps":50,"uploadBandwidthMbps":50}}`, "c1,C1,d1,,Tower,,,,100.64.1.1,,5,5,10,10,,\n", uint8(2), false, false)
	f.Add(`{}`, "a,A,a,,,,,,,,1,1,2,2,,none\nb,B,b,,X,,,,,,1,1,2,2,,cake/\n", uint8(1), true, false)
	f.Add(`{"R":{"virtual":true,"children":{"S":{"downloadBandwidthMbps":0.5,"uploadBandwidthMbps":0}}}}`, "c,C,c,,R,,,,,,0.1,0.1,0.1,0.1,,\n", uint8(4), false, true)
	f.Fuzz(func(t *testing.T, network, rows string, queues uint8, binpack, stick bool) {
		nw, d1 := topology.Parse("network.json", []byte(network))
		dev, d2 := devices.Parse("ShapedDevices.csv", []byte(csvHeader+rows))
		if d1.HasErrors() || d2.HasErrors() {
			return
		}
		conf := bridgeConf
		if stick {
			conf = stickConf
		}
		extra := "use_binpacking = false"
		if binpack {
			extra = "use_binpacking = true"
		}
		in := Input{Config: mustConfig(t, conf, extra), Network: nw, Devices: dev, TXQueues: int(queues % 9)}
		p, err := Build(in)
		if err != nil {
			return
		}
		checkPlanInvariants(t, p)
		RenderTC(p.Tree)
		if _, err := p.QueuingStructureJSON(); err != nil {
			t.Fatal(err)
		}
		in.Previous = p.Identities
		p2, err := Build(in)
		if err != nil {
			t.Fatalf("re-plan failed: %v", err)
		}
		checkStable(t, p, p2)
	})
}

// FuzzPreviousIdentities: a damaged or hand-edited identity state file
// that still decodes never makes the planner panic or hand two objects the
// same class.
func FuzzPreviousIdentities(f *testing.F) {
	f.Add([]byte(`{"version":1,"nodes":{"Tower":{"major":1,"minor":3}},"circuits":{"c1":{"major":1,"minor":3}}}`))
	f.Add([]byte(`{"version":1,"nodes":{},"circuits":{"c1":{"major":65535,"minor":65535,"leaf":1}}}`))
	f.Add([]byte(`{"version":1}`))
	network := `{"Tower":{"downloadBandwidthMbps":50,"uploadBandwidthMbps":50,"children":{"AP":{"downloadBandwidthMbps":20,"uploadBandwidthMbps":20}}}}`
	rows := "c1,C1,d1,,Tower,,,,100.64.1.1,,5,5,10,10,,\nc2,C2,d2,,AP,,,,100.64.1.2,,5,5,10,10,,\nc3,C3,d3,,,,,,100.64.1.3,,5,5,10,10,,\n"
	nw, _ := topology.Parse("network.json", []byte(network))
	dev, _ := devices.Parse("ShapedDevices.csv", []byte(csvHeader+rows))
	f.Fuzz(func(t *testing.T, state []byte) {
		ids := NewIdentities()
		if json.Unmarshal(state, ids) != nil || ids.Version != IdentitiesVersion {
			return // LoadIdentities refuses these
		}
		if ids.Nodes == nil {
			ids.Nodes = map[string]NodeIdentity{}
		}
		if ids.Circuits == nil {
			ids.Circuits = map[string]CircuitIdentity{}
		}
		in := Input{Config: mustConfig(t, bridgeConf, "use_binpacking = false"), Network: nw, Devices: dev, TXQueues: 2, Previous: ids}
		p, err := Build(in)
		if err != nil {
			return
		}
		checkPlanInvariants(t, p)
	})
}

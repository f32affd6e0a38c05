package plan

import "testing"

// Upstream files must land circuits under the same nodes as upstream does.
func TestParentNameAndIDFollowUpstream(t *testing.T) {
	const net = `{"Tower":{"id":"t-1","downloadBandwidthMbps":500,"uploadBandwidthMbps":500,
	  "children":{"AP":{"id":"ap-1","downloadBandwidthMbps":100,"uploadBandwidthMbps":100}}}}`
	tests := []struct {
		name, row, wantNode string
	}{
		{"name and id agree", "c1,C1,d1,,AP,ap-1,,,100.64.1.1,,5,5,10,10,,\n", "AP"},
		{"name and id disagree: the named node", "c1,C1,d1,,AP,t-1,,,100.64.1.1,,5,5,10,10,,\n", "AP"},
		{"only the id", "c1,C1,d1,,,ap-1,,,100.64.1.1,,5,5,10,10,,\n", "AP"},
		{"stale name, id resolves", "c1,C1,d1,,Gone,ap-1,,,100.64.1.1,,5,5,10,10,,\n", "AP"},
		{"name only", "c1,C1,d1,,Tower,,,,100.64.1.1,,5,5,10,10,,\n", "Tower"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustBuild(t, Input{Config: mustConfig(t, bridgeConf), Network: mustNetwork(t, net), Devices: mustDevices(t, tc.row), TXQueues: 2})
			if c := circuitByID(t, p, "c1"); c.Node != tc.wantNode {
				t.Errorf("circuit under %q, want %q", c.Node, tc.wantNode)
			}
		})
	}
}

// A network.json of only Generated_PN_* nodes (upstream's flat/binpacking
// output) plans as upstream: the generated node of that name takes the
// file's place and circuits naming one hang from it.
func TestGeneratedNodesInNetworkJSON(t *testing.T) {
	const onlyGenerated = `{"Generated_PN_1":{"downloadBandwidthMbps":1000,"uploadBandwidthMbps":1000},
	  "Generated_PN_2":{"downloadBandwidthMbps":1000,"uploadBandwidthMbps":1000}}`
	rows := "c1,C1,d1,,Generated_PN_2,,,,100.64.1.1,,5,5,10,10,,\n" +
		"c2,C2,d2,,Generated_PN_1,,,,100.64.1.2,,5,5,10,10,,\n" +
		"c3,C3,d3,,,,,,100.64.1.3,,5,5,10,10,,\n"
	tests := []struct {
		name     string
		network  string
		queues   int
		want     map[string]string // circuit -> node
		warnings int
	}{
		{name: "only generated nodes", network: onlyGenerated, queues: 2, want: map[string]string{"c1": "Generated_PN_2", "c2": "Generated_PN_1", "c3": "Generated_PN_1"}},
		{name: "file rates differ: generated rates win, with a warning", queues: 2,
			network: `{"Generated_PN_1":{"downloadBandwidthMbps":10,"uploadBandwidthMbps":10},"Generated_PN_2":{}}`,
			want:    map[string]string{"c1": "Generated_PN_2", "c2": "Generated_PN_1"}, warnings: 1},
		{name: "beyond the queue count it is an ordinary node", network: onlyGenerated, queues: 1,
			want: map[string]string{"c1": "Generated_PN_2", "c2": "Generated_PN_1", "c3": "Generated_PN_1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := mustBuild(t, Input{Config: mustConfig(t, bridgeConf), Network: mustNetwork(t, tc.network), Devices: mustDevices(t, rows), TXQueues: tc.queues})
			if p.Flat {
				t.Error("a file with nodes planned as a flat network")
			}
			for id, node := range tc.want {
				if c := circuitByID(t, p, id); c.Node != node {
					t.Errorf("%s under %q, want %q", id, c.Node, node)
				}
			}
			if len(p.Unshaped) != 0 {
				t.Errorf("unshaped: %+v", p.Unshaped)
			}
			if len(p.Warnings) != tc.warnings {
				t.Errorf("warnings %q, want %d", p.Warnings, tc.warnings)
			}
			names := map[string]int{}
			for _, n := range p.Nodes {
				names[n.Name]++
			}
			for name, n := range names {
				if n > 1 {
					t.Errorf("node %q planned %d times", name, n)
				}
			}
		})
	}
}

// A circuit naming a generated node that network.json does not list still
// hangs from it, as upstream creates those nodes in every plan.
func TestCircuitNamesAGeneratedNode(t *testing.T) {
	rows := "c1,C1,d1,,Generated_PN_2,,,,100.64.1.1,,5,5,10,10,,\n" +
		"c2,C2,d2,,Generated_PN_5,,,,100.64.1.2,,5,5,10,10,,\n"
	p := mustBuild(t, Input{Config: mustConfig(t, bridgeConf), Network: mustNetwork(t, towerNet), Devices: mustDevices(t, rows), TXQueues: 2})
	if c := circuitByID(t, p, "c1"); c.Node != "Generated_PN_2" {
		t.Errorf("c1 under %q, want Generated_PN_2", c.Node)
	}
	if len(p.Unshaped) != 1 || p.Unshaped[0].CircuitID != "c2" || p.Unshaped[0].Reason != "unknown_parent" {
		t.Errorf("unshaped %+v, want c2 (only 2 generated nodes)", p.Unshaped)
	}
}

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

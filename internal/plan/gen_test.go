package plan

import (
	"fmt"
	"math/rand/v2"
	"net/netip"

	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/topology"
)

// genNetwork builds sites x aps: each site has its APs as children, and every
// fifth site has a middle "PoP" level holding half of its APs.
func genNetwork(sites, apsPerSite int) (*topology.Network, []string) {
	nw := &topology.Network{Path: "network.json"}
	var aps []string
	line := 1
	for s := 0; s < sites; s++ {
		site := &topology.Node{Name: fmt.Sprintf("Site_%03d", s), ID: fmt.Sprintf("uisp:site:%d", s), Type: "site",
			DownloadMbps: 10000, UploadMbps: 10000, Line: line}
		line++
		parent := site
		for a := 0; a < apsPerSite; a++ {
			if s%5 == 0 && a == apsPerSite/2 {
				pop := &topology.Node{Name: fmt.Sprintf("PoP_%03d", s), Type: "site", DownloadMbps: 5000, UploadMbps: 5000, Parent: site, Line: line}
				line++
				site.Children = append(site.Children, pop)
				parent = pop
			}
			ap := &topology.Node{Name: fmt.Sprintf("AP_%03d_%02d", s, a), Type: "ap", DownloadMbps: 1000, UploadMbps: 500, Parent: parent, Line: line}
			line++
			parent.Children = append(parent.Children, ap)
			aps = append(aps, ap.Name)
		}
		nw.Roots = append(nw.Roots, site)
	}
	return nw, aps
}

// genCircuit makes circuit number i under parent with 1 or 2 IPs.
func genCircuit(i int, parent string, r *rand.Rand) *devices.Circuit {
	plans := []float64{10, 25, 50, 100, 250}
	down := plans[r.IntN(len(plans))]
	c := &devices.Circuit{ID: fmt.Sprintf("c%06d", i), Name: fmt.Sprintf("%d Main Street", r.IntN(100000)), ParentNode: parent,
		DownloadMin: down / 10, UploadMin: down / 40, DownloadMax: down, UploadMax: down / 4, Line: i + 2}
	d := &devices.Device{ID: fmt.Sprintf("d%06d", i), Name: "cpe", Line: i + 2}
	a := netip.AddrFrom4([4]byte{100, byte(64 + i>>16), byte(i >> 8), byte(i)})
	d.IPv4 = []netip.Prefix{netip.PrefixFrom(a, 32)}
	if i%3 == 0 {
		d.IPv6 = []netip.Prefix{netip.PrefixFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, byte(i >> 16), byte(i >> 8), byte(i)}), 56)}
	}
	c.Devices = []*devices.Device{d}
	return c
}

// genInput builds a realistic input: sites x APs with n circuits spread over
// the APs, one in fifty unparented.
func genInput(n, sites, aps, queues int, seed uint64) Input {
	r := rand.New(rand.NewPCG(seed, 1))
	nw, apNames := genNetwork(sites, aps)
	f := &devices.File{Path: "ShapedDevices.csv"}
	for i := 0; i < n; i++ {
		parent := apNames[r.IntN(len(apNames))]
		if i%50 == 0 {
			parent = ""
		}
		f.Circuits = append(f.Circuits, genCircuit(i, parent, r))
	}
	return Input{Network: nw, Devices: f, TXQueues: queues}
}

package demosource

import (
	"context"
	"math"
	"net/netip"

	"github.com/libreqos-go/lqos/internal/webui"
)

// Fake remote ends of flows: well-known networks at the cities the
// shipped databases place them in (the addresses are documentation ones,
// so nothing real is named).
var fakeEndpoints = []struct {
	asn           uint32
	name, country string
	city          string
	lat, lon      float64
	rtt           float64
}{
	{15169, "Google LLC", "US", "Mountain View", 37.422, -122.085, 12},
	{13335, "Cloudflare, Inc.", "US", "San Francisco", 37.7749, -122.4194, 9},
	{2906, "Netflix Streaming Services Inc.", "US", "Los Gatos", 37.2358, -121.9624, 15},
	{16509, "Amazon.com, Inc.", "US", "Ashburn", 39.0438, -77.4874, 22},
	{8075, "Microsoft Corporation", "US", "Redmond", 47.674, -122.1215, 35},
	{32934, "Facebook, Inc.", "US", "Menlo Park", 37.453, -122.1817, 18},
	{20940, "Akamai International B.V.", "NL", "Amsterdam", 52.3676, 4.9041, 88},
	{3320, "Deutsche Telekom AG", "DE", "Frankfurt am Main", 50.1109, 8.6821, 95},
	{2856, "British Telecommunications PLC", "GB", "London", 51.5074, -0.1278, 80},
	{4134, "Chinanet", "CN", "Shanghai", 31.2304, 121.4737, 190},
	{7922, "Comcast Cable Communications, LLC", "US", "Philadelphia", 39.9526, -75.1652, 6},
	{46489, "Twitch Interactive Inc.", "US", "Seattle", 47.6062, -122.3321, 40},
	{4713, "NTT Communications Corporation", "JP", "Tokyo", 35.6762, 139.6503, 160},
	{1221, "Telstra Limited", "AU", "Sydney", -33.8688, 151.2093, 210},
	{28573, "Claro NXT Telecomunicacoes Ltda", "BR", "Sao Paulo", -23.5505, -46.6333, 130},
	{36351, "SoftLayer Technologies Inc.", "US", "Dallas", 32.7767, -96.797, 30},
}

// GeoFlows implements webui.GeoSource: flowsPC flows per circuit to the fake
// endpoints, their byte counts growing with time. At scale the endpoints
// are spread around each city so there are thousands of places.
func (s *Source) GeoFlows(context.Context) (webui.GeoFlows, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.elapsed()
	now := s.now()
	spread := len(s.circuits) > 1000
	out := webui.GeoFlows{GlobeMax: 2000, Files: []webui.GeoFile{
		{Path: "(demo data)", Kind: "asn", Loaded: true, DatabaseType: "demo", Built: s.start},
		{Path: "(demo data)", Kind: "city", Loaded: true, DatabaseType: "demo", Built: s.start},
	}}
	out.Flows = make([]webui.GeoFlow, 0, len(s.circuits)*s.flowsPC)
	for i, c := range s.circuits {
		local, _ := netip.ParseAddr(c.ip)
		for f := 0; f < s.flowsPC; f++ {
			k := (i*7 + f*3) % len(fakeEndpoints)
			e := fakeEndpoints[k]
			g := webui.GeoFlow{CircuitID: c.id, CircuitName: c.name, Local: local, Proto: []uint8{6, 6, 17, 6, 1}[f%5],
				LocalPort: uint16(40000 + f), RemotePort: []uint16{443, 443, 53, 80, 0}[f%5],
				ASN: e.asn, ASName: e.name, Country: e.country, City: e.city, Lat: e.lat, Lon: e.lon, HasLocation: true}
			n := i*s.flowsPC + f
			g.Remote = netip.AddrFrom4([4]byte{203, 0, 113, byte(1 + n%250)})
			if n%4 == 3 {
				g.Remote = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(n >> 8), 15: byte(n)})
			}
			if spread {
				g.Lat += float64(n%37-18) * 0.05
				g.Lon += float64(n/37%41-20) * 0.05
			}
			if f == s.flowsPC-1 && i%9 == 8 {
				g.HasLocation, g.Country, g.City, g.Lat, g.Lon = false, "", "", 0, 0
			}
			rate := float64(c.planDown) * 1e6 / 8 / float64(s.flowsPC) * (0.3 + 0.2*math.Sin(t/11+c.phase+float64(f)))
			g.Bytes = [2]uint64{uint64(rate * (t + 1)), uint64(rate * (t + 1) / 12)}
			g.Packets = [2]uint64{g.Bytes[0] / 1400, g.Bytes[1] / 200}
			g.Retransmits = [2]uint32{uint32(float64(g.Packets[0]) * c.retx / 100), uint32(float64(g.Packets[1]) * c.retx / 200)}
			if g.Proto == 6 {
				g.RTTMs = math.Round((e.rtt+c.rtt/4)*10) / 10
			} else {
				g.Retransmits = [2]uint32{}
			}
			g.Start = s.start
			g.LastSeen = now
			out.Flows = append(out.Flows, g)
		}
	}
	return out, nil
}

// Coordinates of the default tree's nodes (Riverside AP has none, so the
// site map lists it as unmapped); Hilltop's come from an integration.
var defaultLocations = map[string][3]float64{
	"pop-downtown": {40.7128, -74.006, 0},
	"tower-north":  {40.8448, -73.8648, 0},
	"tower-south":  {40.5795, -74.1502, 0},
	"hilltop":      {41.033, -73.7629, 1},
}

// NodeLocations implements webui.GeoSource.
func (s *Source) NodeLocations(context.Context) ([]webui.NodeLocation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []webui.NodeLocation
	scaled := len(s.nodes) > 50
	for i, n := range s.nodes {
		if n.generated {
			continue
		}
		if !scaled {
			if l, ok := defaultLocations[n.id]; ok {
				from := "network.json"
				if l[2] == 1 {
					from = "UISP"
				}
				out = append(out, webui.NodeLocation{Index: i, Lat: l[0], Lon: l[1], From: from})
			}
			continue
		}
		if i%10 == 9 {
			continue // one in ten without coordinates
		}
		// A region of about 6 x 8 degrees, nodes near their parents.
		a := float64(i) * 2.399963 // golden angle
		r := 3 * math.Sqrt(float64(i)/float64(len(s.nodes)))
		out = append(out, webui.NodeLocation{Index: i, Lat: 39 + r*math.Sin(a), Lon: -98 + 1.3*r*math.Cos(a), From: "network.json"})
	}
	return out, nil
}

var _ webui.GeoSource = (*Source)(nil)

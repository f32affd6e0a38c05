package demolab

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// ISP is a synthetic ISP: sites, access points and subscribers, generated
// from a seed so every demo run looks the same.
type ISP struct {
	Sites       []Site
	Subscribers []Subscriber
}

// Site is a tower with access points.
type Site struct {
	ID       int
	Name     string
	Lat, Lon float64
	APs      []AP
}

// AP is an access point on a site.
type AP struct {
	ID   int
	Name string
}

// Subscriber is one customer with one service.
type Subscriber struct {
	ID       int
	Name     string
	Street   string
	Status   string // active, blocked
	TariffID int
	APID     int
	Addr     netip.Addr
}

// Tariff is a plan, rates in kbit/s as Splynx reports them.
type Tariff struct {
	ID         int
	Title      string
	Down, Up   int
	shareOf100 int
}

var tariffs = []Tariff{
	{1, "Basic 10/2", 10_000, 2_000, 15},
	{2, "Home 25/5", 25_000, 5_000, 35},
	{3, "Plus 50/10", 50_000, 10_000, 30},
	{4, "Pro 100/20", 100_000, 20_000, 15},
	{5, "Business 250/50", 250_000, 50_000, 5},
}

var (
	siteNames  = []string{"North Ridge", "Riverside", "Old Mill", "Harbor View", "Cedar Hill", "Prairie Gate"}
	firstNames = []string{"Ada", "Ben", "Cleo", "Dev", "Eli", "Faye", "Gus", "Hana", "Ivan", "Jo", "Kai", "Lena", "Milo", "Nia", "Otto", "Pia"}
	lastNames  = []string{"Smith", "Okafor", "Nguyen", "Garcia", "Kowalski", "Haddad", "Larsen", "Moreau", "Tanaka", "Silva"}
	streets    = []string{"Maple St", "Oak Ave", "Pine Rd", "Birch Ln", "Elm Ct", "Lakeview Dr", "Mill Rd", "Church St"}
)

// NewISP builds an ISP with the given number of subscribers over a few sites.
func NewISP(subscribers int) *ISP {
	rng := rand.New(rand.NewPCG(42, 7))
	isp := &ISP{}
	nSites := 4
	if subscribers > 400 {
		nSites = 6
	}
	apID := 100
	for s := 0; s < nSites; s++ {
		site := Site{ID: s + 1, Name: siteNames[s], Lat: 44.9 + rng.Float64()*0.6, Lon: -93.5 + rng.Float64()*0.8}
		for a := 0; a < 3; a++ {
			apID++
			site.APs = append(site.APs, AP{ID: apID, Name: fmt.Sprintf("%s AP%d", site.Name, a+1)})
		}
		isp.Sites = append(isp.Sites, site)
	}
	var aps []AP
	for _, s := range isp.Sites {
		aps = append(aps, s.APs...)
	}
	for i := 0; i < subscribers; i++ {
		ap := aps[i%len(aps)]
		t := pickTariff(rng)
		status := "active"
		if i%97 == 96 {
			status = "blocked" // a few cut-off customers, shaped to a trickle
		}
		isp.Subscribers = append(isp.Subscribers, Subscriber{
			ID:       1000 + i,
			Name:     firstNames[rng.IntN(len(firstNames))] + " " + lastNames[rng.IntN(len(lastNames))],
			Street:   fmt.Sprintf("%d %s", 1+rng.IntN(999), streets[rng.IntN(len(streets))]),
			Status:   status,
			TariffID: t.ID,
			APID:     ap.ID,
			// 100.64.<1+i/250>.<1+i%250>: never the gateway 100.64.255.254.
			Addr: netip.AddrFrom4([4]byte{100, 64, byte(1 + i/250), byte(1 + i%250)}),
		})
	}
	return isp
}

func pickTariff(rng *rand.Rand) Tariff {
	n := rng.IntN(100)
	for _, t := range tariffs {
		if n < t.shareOf100 {
			return t
		}
		n -= t.shareOf100
	}
	return tariffs[0]
}

// Addrs lists every subscriber address.
func (isp *ISP) Addrs() []netip.Addr {
	out := make([]netip.Addr, len(isp.Subscribers))
	for i, s := range isp.Subscribers {
		out[i] = s.Addr
	}
	return out
}

// CRM serves the ISP as a Splynx API (the endpoints our Splynx importer
// reads), so the demo exercises the real integration end to end.
type CRM struct {
	URL    string
	Key    string
	Secret string
	srv    *http.Server
}

// ServeCRM starts the fake Splynx on 127.0.0.1 (random port).
func ServeCRM(isp *ISP) (*CRM, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &CRM{URL: "http://" + l.Addr().String(), Key: "demo-key", Secret: "demo-secret"}
	mux := http.NewServeMux()
	reply := func(path string, v any) {
		mux.HandleFunc("GET /api/2.0/"+path, func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != c.Key || p != c.Secret {
				http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(v)
		})
	}
	var ts, cs, ss, mon, sites []map[string]any
	for _, t := range tariffs {
		ts = append(ts, map[string]any{"id": fmt.Sprint(t.ID), "title": t.Title, "speed_download": fmt.Sprint(t.Down), "speed_upload": fmt.Sprint(t.Up)})
	}
	for _, s := range isp.Subscribers {
		cs = append(cs, map[string]any{"id": fmt.Sprint(s.ID), "name": s.Name, "status": s.Status, "street_1": s.Street})
		ss = append(ss, map[string]any{
			"id": fmt.Sprint(50000 + s.ID), "customer_id": fmt.Sprint(s.ID), "tariff_id": fmt.Sprint(s.TariffID),
			"status": "active", "ipv4": s.Addr.String(), "ipv4_route": "", "ipv6": "", "ipv6_delegated": "",
			"mac":           fmt.Sprintf("02:00:%02x:%02x:%02x:%02x", s.Addr.As4()[0], s.Addr.As4()[1], s.Addr.As4()[2], s.Addr.As4()[3]),
			"access_device": fmt.Sprint(s.APID), "router_id": "1",
		})
	}
	for _, site := range isp.Sites {
		gps := fmt.Sprintf("%.5f,%.5f", site.Lat, site.Lon)
		sites = append(sites, map[string]any{"id": fmt.Sprint(site.ID), "title": site.Title(), "address": strings.ToUpper(site.Name[:1]) + site.Name[1:] + " Rd", "gps": gps})
		for _, ap := range site.APs {
			mon = append(mon, map[string]any{"id": fmt.Sprint(ap.ID), "title": ap.Name, "parent_id": "0", "access_device": "1", "network_site_id": fmt.Sprint(site.ID), "gps": gps})
		}
	}
	reply("admin/tariffs/internet", ts)
	reply("admin/customers/customer", cs)
	reply("admin/customers/customers-online", []any{})
	reply("admin/customers/customer/0/internet-services", ss)
	reply("admin/networking/routers", []map[string]any{{"id": "1", "ip": "100.64.255.253", "title": "Core router"}})
	reply("admin/networking/routers-sectors", []any{})
	reply("admin/networking/monitoring", mon)
	reply("admin/networking/network-sites", sites)
	c.srv = &http.Server{Handler: mux}
	go c.srv.Serve(l)
	return c, nil
}

// Close stops the fake CRM.
func (c *CRM) Close() error { return c.srv.Close() }

// Title is the site's name in the CRM (and so its top-level network.json
// node).
func (s Site) Title() string { return s.Name + " Tower" }

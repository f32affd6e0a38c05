// Package splynx imports internet services, tariffs and network
// infrastructure from the Splynx billing API (v2.0, HTTP Basic auth).
package splynx

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/overrides"
)

// Integration is the Splynx importer. The zero value uses lqos.conf settings;
// the fields override them (tests, tools).
type Integration struct {
	Timeout time.Duration           // per request attempt; 0 = 120 s
	Backoff func(int) time.Duration // pause before retry n
}

// Name implements integrations.Integration.
func (Integration) Name() string { return "Splynx" }

type tariff struct {
	ID        apiclient.Str `json:"id"`
	Down      apiclient.Num `json:"speed_download"`
	Up        apiclient.Num `json:"speed_upload"`
	BurstDown apiclient.Num `json:"burst_limit_fixed_down"`
	BurstUp   apiclient.Num `json:"burst_limit_fixed_up"`
}

type customer struct {
	ID     apiclient.Str `json:"id"`
	Name   apiclient.Str `json:"name"`
	Status apiclient.Str `json:"status"`
	Street apiclient.Str `json:"street_1"`
}

type online struct {
	ServiceID apiclient.Str `json:"service_id"`
	IPv4      apiclient.Str `json:"ipv4"`
	IPv6      apiclient.Str `json:"ipv6"`
}

type service struct {
	ID            apiclient.Str `json:"id"`
	CustomerID    apiclient.Str `json:"customer_id"`
	TariffID      apiclient.Str `json:"tariff_id"`
	Status        apiclient.Str `json:"status"`
	IPv4          apiclient.Str `json:"ipv4"`
	IPv4Route     apiclient.Str `json:"ipv4_route"`
	IPv6          apiclient.Str `json:"ipv6"`
	IPv6Delegated apiclient.Str `json:"ipv6_delegated"`
	MAC           apiclient.Str `json:"mac"`
	AccessDevice  apiclient.Str `json:"access_device"`
	RouterID      apiclient.Str `json:"router_id"`
}

type router struct {
	ID    apiclient.Str `json:"id"`
	IP    apiclient.Str `json:"ip"`
	Title apiclient.Str `json:"title"`
}

type sector struct {
	ID       apiclient.Str `json:"id"`
	RouterID apiclient.Str `json:"router_id"`
}

type monitoring struct {
	ID            apiclient.Str   `json:"id"`
	Title         apiclient.Str   `json:"title"`
	Name          apiclient.Str   `json:"name"`
	Address       apiclient.Str   `json:"address"`
	IP            apiclient.Str   `json:"ip"`
	ParentID      apiclient.Str   `json:"parent_id"`
	AccessDevice  *apiclient.Bool `json:"access_device"`
	Type          apiclient.Str   `json:"type"`
	NetworkSiteID apiclient.Str   `json:"network_site_id"`
	GPS           apiclient.Str   `json:"gps"`
}

type networkSite struct {
	ID          apiclient.Str `json:"id"`
	Title       apiclient.Str `json:"title"`
	Description apiclient.Str `json:"description"`
	Address     apiclient.Str `json:"address"`
	GPS         apiclient.Str `json:"gps"`
}

// Data is everything fetched from Splynx.
type Data struct {
	Tariffs      []tariff
	Customers    []customer
	Online       []online
	Services     []service
	Routers      []router
	Sectors      []sector
	Monitoring   []monitoring
	NetworkSites []networkSite
	// SiteRates are the operator's adjust_site_speed overrides by site_name
	// (from lqos_overrides.json); they set infrastructure node rates.
	SiteRates map[string]SiteRate
}

// SiteRate is one operator site-speed override; nil keeps the default.
type SiteRate struct{ DownloadMbps, UploadMbps *float64 }

// DefaultSiteMbps is the rate of an infrastructure node without an override.
const DefaultSiteMbps = 10000

// Endpoints, relative to <url>/api/2.0/.
const (
	epTariffs    = "admin/tariffs/internet"
	epCustomers  = "admin/customers/customer"
	epOnline     = "admin/customers/customers-online"
	epServices   = "admin/customers/customer/0/internet-services?main_attributes%5Bstatus%5D=active"
	epRouters    = "admin/networking/routers"
	epSectors    = "admin/networking/routers-sectors"
	epMonitoring = "admin/networking/monitoring"
	epSites      = "admin/networking/network-sites"
)

// BaseURL turns the configured url into the API base ending in "/api/2.0/".
func BaseURL(u string) (string, error) {
	u = strings.TrimRight(strings.TrimSpace(u), "/")
	if u == "" {
		return "", errors.New("splynx: splynx_integration.url is empty")
	}
	if !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
		u = "https://" + u
	}
	u = strings.TrimSuffix(u, "/api/2.0")
	return u + "/api/2.0/", nil
}

// ResolveMode picks the compile mode: topology.compile_mode, else the legacy
// splynx_integration.strategy, else ap_site.
func ResolveMode(cfg *config.Config) (string, error) {
	if m := strings.TrimSpace(cfg.Topology.CompileMode); m != "" {
		return graph.NormalizeMode(m, graph.ModeAPSite)
	}
	m, err := graph.NormalizeMode(cfg.Splynx.Strategy, graph.ModeAPSite)
	if err != nil {
		return "", fmt.Errorf("splynx_integration.strategy: %w", err)
	}
	return m, nil
}

// Import implements integrations.Integration.
func (in Integration) Import(ctx context.Context, cfg *config.Config) (*graph.Result, error) {
	c := cfg.Splynx
	base, err := BaseURL(c.URL)
	if err != nil {
		return nil, err
	}
	if c.APIKey == "" || c.APISecret == "" {
		return nil, errors.New("splynx: splynx_integration.api_key and api_secret are required")
	}
	mode, err := ResolveMode(cfg)
	if err != nil {
		return nil, err
	}
	opts, err := graph.OptionsFromConfig(cfg, "Splynx", mode)
	if err != nil {
		return nil, err
	}
	timeout := 120 * time.Second
	if in.Timeout > 0 {
		timeout = in.Timeout
	}
	basic := base64.StdEncoding.EncodeToString([]byte(c.APIKey + ":" + c.APISecret))
	cl := &apiclient.Client{
		Name: "splynx", Timeout: timeout, Attempts: 3, Backoff: in.Backoff,
		Secrets: []string{c.APISecret, c.APIKey, basic},
		Auth:    func(h http.Header) { h.Set("Authorization", "Basic "+basic) },
	}
	d, problems, err := Fetch(ctx, cl, base, mode != graph.ModeFlat)
	if err != nil {
		return nil, err
	}
	var ovProblems []string
	d.SiteRates, ovProblems = SiteRatesFromOverrides(filepath.Join(cfg.LqosDirectory, overrides.FileName))
	problems = append(problems, ovProblems...)
	g, more := Build(d, mode, graph.RatePolicyFromConfig(cfg), opts.Suspended)
	res, err := graph.Compile(g, opts)
	if err != nil {
		return nil, err
	}
	if strings.HasPrefix(base, "http://") {
		problems = append(problems, "splynx_integration.url uses plain http: the API key and secret travel unencrypted")
	}
	res.Summary.Problems = append(append(problems, more...), res.Summary.Problems...)
	return res, nil
}

// SiteRatesFromOverrides reads the operator's adjust_site_speed entries by
// site_name. A missing file means none; an unreadable one is reported and
// the defaults are used, as the import must not fail over it.
func SiteRatesFromOverrides(path string) (map[string]SiteRate, []string) {
	f, l := overrides.Load(path)
	var problems []string
	for _, p := range l.Errors() {
		problems = append(problems, "site speed overrides not used: "+p.String())
	}
	if l.HasErrors() {
		return nil, problems
	}
	rates := map[string]SiteRate{}
	for _, a := range f.NetworkAdjustments {
		if a.Type == overrides.AdjustSiteSpeed && a.SiteName != "" {
			rates[a.SiteName] = SiteRate{DownloadMbps: a.DownloadMbps, UploadMbps: a.UploadMbps}
		}
	}
	return rates, problems
}

// Fetch reads every endpoint the mode needs. Infrastructure is skipped in flat mode.
func Fetch(ctx context.Context, cl *apiclient.Client, base string, infra bool) (*Data, []string, error) {
	d := &Data{}
	var problems []string
	get := func(ep string, v any) error { return cl.GetJSON(ctx, base+ep, ep, v) }
	for _, x := range []struct {
		ep string
		v  any
	}{{epTariffs, &d.Tariffs}, {epCustomers, &d.Customers}, {epOnline, &d.Online}, {epServices, &d.Services}} {
		if err := get(x.ep, x.v); err != nil {
			return nil, nil, err
		}
	}
	if !infra {
		return d, nil, nil
	}
	for _, x := range []struct {
		ep string
		v  any
	}{{epRouters, &d.Routers}, {epSectors, &d.Sectors}, {epMonitoring, &d.Monitoring}} {
		if err := get(x.ep, x.v); err != nil {
			return nil, nil, err
		}
	}
	// Network sites are optional: older Splynx versions answer with an object.
	body, err := cl.Do(ctx, apiclient.Request{URL: base + epSites, Endpoint: epSites})
	if err != nil {
		var he *apiclient.HTTPError
		if errors.As(err, &he) && (he.Status == http.StatusNotFound || he.Status == http.StatusForbidden) {
			problems = append(problems, fmt.Sprintf("%s: HTTP %d; network sites not used", epSites, he.Status))
			return d, problems, nil
		}
		return nil, nil, err
	}
	if t := bytes.TrimSpace(body); len(t) > 0 && t[0] != '[' {
		problems = append(problems, epSites+": reply is not a list; network sites not used")
		return d, problems, nil
	}
	if err := cl.Decode(epSites, body, &d.NetworkSites); err != nil {
		return nil, nil, err
	}
	return d, problems, nil
}

func parseGPS(s string) (lat, lon *float64) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return nil, nil
	}
	x, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	y, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil {
		return nil, nil
	}
	return &x, &y
}

// siteRate looks an infrastructure node's rates up as upstream does: by the
// name it is exported under, else its name before the duplicate suffix, else
// that name exactly as Splynx wrote it (untrimmed). Each direction falls back
// to DefaultSiteMbps.
func siteRate(rates map[string]SiteRate, names ...string) (down, up float64) {
	down, up = DefaultSiteMbps, DefaultSiteMbps
	for _, n := range names {
		if r, ok := rates[n]; ok {
			if r.DownloadMbps != nil {
				down = *r.DownloadMbps
			}
			if r.UploadMbps != nil {
				up = *r.UploadMbps
			}
			break
		}
	}
	return down, up
}

func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// Customer statuses that mean the ISP has cut the subscriber off.
var blockedStatuses = map[string]bool{"blocked": true, "disabled": true}

// Build maps Splynx data onto the common graph. suspended is the configured
// strategy; blocked customers get "block" when it is "none" (upstream shaped
// them at full speed).
func Build(d *Data, mode string, pol graph.RatePolicy, suspended string) (*graph.Graph, []string) {
	g := graph.New()
	var problems []string
	warn := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	type rate struct{ down, up float64 }
	tariffs := map[string]rate{}
	for _, t := range d.Tariffs {
		r := rate{t.Down.V / 1000, t.Up.V / 1000}
		// A fixed burst above the plan raises that direction's ceiling.
		if t.BurstDown.Set && t.BurstUp.Set {
			r.down = max(r.down, t.BurstDown.V/1000)
			r.up = max(r.up, t.BurstUp.V/1000)
		}
		tariffs[t.ID.String()] = r
	}
	customers := map[string]customer{}
	for _, c := range d.Customers {
		customers[c.ID.String()] = c
	}
	onlineBySvc := map[string][]online{}
	for _, o := range d.Online {
		onlineBySvc[o.ServiceID.String()] = append(onlineBySvc[o.ServiceID.String()], o)
	}

	// Infrastructure.
	mon := map[string]monitoring{}
	for _, m := range d.Monitoring {
		if id := m.ID.ID(); id != "" {
			mon[id] = m
		}
	}
	usedAsAccess := map[string]bool{}
	for _, s := range d.Services {
		usedAsAccess[s.AccessDevice.ID()] = true
	}
	isAP := func(m monitoring) bool {
		if m.AccessDevice != nil && m.AccessDevice.Set {
			return m.AccessDevice.V
		}
		if m.Type.String() != "" {
			return m.Type.String() == "5"
		}
		return usedAsAccess[m.ID.ID()]
	}
	// rawTitle is the name as Splynx wrote it (untrimmed); title collapses
	// its whitespace.
	rawTitle := func(m monitoring) string {
		for _, s := range []apiclient.Str{m.Title, m.Name, m.Address, m.IP} {
			if collapse(s.String()) != "" {
				return string(s)
			}
		}
		return "Device " + m.ID.ID()
	}
	title := func(m monitoring) string { return collapse(rawTitle(m)) }
	nodeOf := map[string]string{} // monitoring id -> graph node id
	if mode != graph.ModeFlat {
		sites := map[string]networkSite{}
		for _, s := range d.NetworkSites {
			if id := s.ID.ID(); id != "" {
				sites[id] = s
			}
		}
		useSites := false
		if mode == graph.ModeAPSite {
			for _, m := range d.Monitoring {
				if _, ok := sites[m.NetworkSiteID.ID()]; ok {
					useSites = true
					break
				}
			}
		}
		// Nodes are named once all are known: upstream gives every node of
		// a repeated name (the first too) a " (<id>)" suffix.
		type pending struct {
			node          graph.Node
			rawID         string
			original, raw string // name before the suffix; as Splynx wrote it
		}
		var nodes []*pending
		add := func(n graph.Node, rawID, original, raw string) {
			nodes = append(nodes, &pending{node: n, rawID: rawID, original: original, raw: raw})
		}
		ordered := append([]monitoring(nil), d.Monitoring...)
		var siteNodes []string
		if useSites {
			var siteIDs []string
			for _, m := range ordered {
				if sid := m.NetworkSiteID.ID(); sid != "" {
					if _, ok := sites[sid]; ok && !contains(siteIDs, sid) {
						siteIDs = append(siteIDs, sid)
					}
				}
			}
			for _, sid := range siteIDs {
				siteNodes = append(siteNodes, "ns_"+sid)
				s := sites[sid]
				n := collapse(s.Title.String())
				if n == "" {
					n = collapse(s.Description.String())
				}
				if n == "" {
					n = "Network site " + sid
				}
				lat, lon := parseGPS(s.GPS.String())
				add(graph.Node{ID: "ns_" + sid, Kind: graph.KindSite, NetworkID: "splynx:network_site:" + sid,
					Latitude: lat, Longitude: lon, Address: s.Address.String()}, sid, n, string(s.Title))
			}
		}
		for _, m := range ordered {
			id := m.ID.ID()
			if id == "" {
				warn("%s: a row without id; skipped", epMonitoring)
				continue
			}
			ap := isAP(m)
			if useSites && !ap {
				continue // sites come from network sites in this mode
			}
			n, raw := title(m), rawTitle(m)
			if p, ok := mon[m.ParentID.ID()]; ok && p.ID.ID() != id {
				n = collapse(title(p) + "_" + n)
				raw = rawTitle(p) + "_" + raw
			}
			lat, lon := parseGPS(m.GPS.String())
			node := graph.Node{Latitude: lat, Longitude: lon}
			if ap {
				node.ID, node.Kind, node.NetworkID = "ap_"+id, graph.KindAP, "splynx:ap:"+id
			} else {
				node.ID, node.Kind, node.NetworkID = "site_"+id, graph.KindSite, "splynx:site:"+id
			}
			if useSites {
				if sid := m.NetworkSiteID.ID(); sid != "" && contains(siteNodes, "ns_"+sid) {
					node.ParentID = "ns_" + sid
				}
			}
			nodeOf[id] = node.ID
			add(node, id, n, raw)
		}
		count := map[string]int{}
		for _, p := range nodes {
			count[p.original]++
		}
		for _, p := range nodes {
			p.node.Name = p.original
			if count[p.original] > 1 {
				p.node.Name = p.original + " (" + p.rawID + ")"
			}
			p.node.DownloadMbps, p.node.UploadMbps = siteRate(d.SiteRates, p.node.Name, p.original, p.raw)
			g.Add(p.node)
		}
		if !useSites {
			for _, m := range ordered {
				if n := g.Node(nodeOf[m.ID.ID()]); n != nil {
					n.ParentID = nodeOf[m.ParentID.ID()]
				}
			}
		}
	}
	firstSector := map[string]string{}
	for _, s := range d.Sectors {
		r := s.RouterID.ID()
		if _, ok := firstSector[r]; !ok && s.ID.ID() != "" {
			firstSector[r] = s.ID.ID()
		}
	}
	bestParent := func(s service) string {
		for _, cand := range []string{s.AccessDevice.ID(), s.RouterID.ID(), firstSector[s.RouterID.ID()]} {
			if cand == "" {
				continue
			}
			if nid, ok := nodeOf[cand]; ok {
				return nid
			}
		}
		return ""
	}

	// Services (circuits).
	for _, s := range d.Services {
		id := s.ID.ID()
		if id == "" {
			warn("%s: a service without id; skipped", epServices)
			continue
		}
		if st := strings.ToLower(s.Status.String()); st != "" && st != "active" {
			continue // only active services are shaped
		}
		r, ok := tariffs[s.TariffID.String()]
		if !ok {
			warn("service %s: tariff %q not found; circuit skipped", id, s.TariffID.String())
			continue
		}
		cust, known := customers[s.CustomerID.String()]
		name := s.CustomerID.String()
		if known && cust.Name.String() != "" {
			name = cust.Name.String()
		}
		addr := cust.Street.String()
		if addr == "" {
			addr = name
		}
		node := graph.Node{ID: id, Name: name, Address: addr, Kind: graph.KindClient, ParentID: bestParent(s), Rates: pol.Plan(r.down, r.up)}
		if known && blockedStatuses[strings.ToLower(cust.Status.String())] {
			node.Suspended = true
			if suspended == graph.SuspendNone {
				node.SuspendedStrategy = graph.SuspendBlock
			}
		}
		var v4, v6 []string
		v4 = append(v4, graph.SplitIPs(s.IPv4.String())...)
		v4 = append(v4, graph.SplitIPs(s.IPv4Route.String())...)
		v6 = append(v6, graph.SplitIPs(s.IPv6.String())...)
		v6 = append(v6, graph.SplitIPs(s.IPv6Delegated.String())...)
		// Sessions fill in a family that has no static assignment.
		if len(v4) == 0 {
			for _, o := range onlineBySvc[id] {
				v4 = append(v4, graph.SplitIPs(o.IPv4.String())...)
			}
		}
		if len(v6) == 0 {
			for _, o := range onlineBySvc[id] {
				v6 = append(v6, graph.SplitIPs(o.IPv6.String())...)
			}
		}
		g.Add(node)
		g.Add(graph.Node{ID: "splynx_service_" + id, Name: name, ParentID: id, Kind: graph.KindDevice, MAC: s.MAC.String(), IPs: append(v4, v6...)})
	}
	return g, problems
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

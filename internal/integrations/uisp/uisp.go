package uisp

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
)

// Integration is the UISP importer. The zero value uses lqos.conf settings;
// the fields override them (tests, tools).
type Integration struct {
	Timeout time.Duration           // per request attempt; 0 = 120 s
	Backoff func(int) time.Duration // pause before retry n
}

// Name implements integrations.Integration.
func (Integration) Name() string { return "UISP integration" }

// ResolveMode picks topology.compile_mode, else uisp_integration.strategy, else full.
func ResolveMode(cfg *config.Config) (string, error) {
	if m := strings.TrimSpace(cfg.Topology.CompileMode); m != "" {
		return graph.NormalizeMode(m, graph.ModeFull)
	}
	m, err := graph.NormalizeMode(cfg.UISP.Strategy, graph.ModeFull)
	if err != nil {
		return "", fmt.Errorf("uisp_integration.strategy: %w", err)
	}
	return m, nil
}

// Import implements integrations.Integration.
func (in Integration) Import(ctx context.Context, cfg *config.Config) (*graph.Result, error) {
	c := cfg.UISP
	base, err := BaseURL(c.URL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(c.Token) == "" {
		return nil, errors.New("uisp: uisp_integration.token is empty")
	}
	mode, err := ResolveMode(cfg)
	if err != nil {
		return nil, err
	}
	opts, err := graph.OptionsFromConfig(cfg, "UISP", mode)
	if err != nil {
		return nil, err
	}
	d, err := Fetch(ctx, in.client(c), base)
	if err != nil {
		return nil, err
	}
	g, problems, err := Build(d, cfg, mode)
	if err != nil {
		return nil, err
	}
	// Exception CPE parents are UISP site ids; infrastructure sites carry a
	// prefixed graph id, so translate (client sites use the raw id already).
	opts.ExceptionCPEs = append([]config.ExceptionCPE(nil), opts.ExceptionCPEs...)
	for i, e := range opts.ExceptionCPEs {
		if p := "uisp:site:" + strings.TrimSpace(e.Parent); g.Has(p) {
			opts.ExceptionCPEs[i].Parent = p
		}
	}
	res, err := graph.Compile(g, opts)
	if err != nil {
		return nil, err
	}
	res.Summary.Problems = append(problems, res.Summary.Problems...)
	return res, nil
}

// settings are the knobs Build reads.
type settings struct {
	rootName                    string
	mode                        string
	defDown, defUp              float64
	airmax, airmaxRatio, ltu    float64
	overhead, commit            float64
	ignoreCalculated            bool
	transportCaps, ethernetCaps bool
	portMultiplier              float64
}

func settingsFrom(cfg *config.Config, mode string) settings {
	c := cfg.UISP
	pos := func(v, def float64) float64 {
		if v <= 0 || math.IsNaN(v) {
			return def
		}
		return v
	}
	return settings{
		rootName: strings.TrimSpace(c.Site), mode: mode,
		defDown: float64(cfg.Queues.GeneratedPNDownloadMbps), defUp: float64(cfg.Queues.GeneratedPNUploadMbps),
		airmax: pos(c.AirmaxCapacity, 1), airmaxRatio: pos(c.AirmaxFlexibleFrameDownloadRatio, 0.8), ltu: pos(c.LTUCapacity, 1),
		overhead: pos(c.BandwidthOverheadFactor, 1), commit: math.Min(1, pos(c.CommitBandwidthMultiplier, 1)),
		ignoreCalculated: c.IgnoreCalculatedCapacity,
		transportCaps:    c.InfrastructureTransportCapsEnable,
		ethernetCaps:     cfg.IntegrationCommon.EthernetPortLimitsEnabled,
		portMultiplier:   pos(cfg.IntegrationCommon.EthernetPortLimitMultiplier, 0.94),
	}
}

// Node kinds in the path graph.
const (
	pnRoot = iota
	pnSite
	pnDevice
	pnOrphans
)

type pnode struct {
	kind      int
	id        string // UISP id ("" for root/orphans)
	graphID   string
	name      string
	down, up  float64 // own capacity (devices); 0 = none
	edges     []pedge
	uispSite  *site
	uispDev   *device
	parent    int // index, -1 = top level
	reachable bool
	pathDown  float64
	pathUp    float64
}

type pedge struct {
	to       int
	down, up float64 // capacity when traversed in this direction
}

type item struct {
	node int
	cost float64
}

type pq []item

func (q pq) Len() int { return len(q) }
func (q pq) Less(i, j int) bool {
	if q[i].cost != q[j].cost {
		return q[i].cost < q[j].cost
	}
	return q[i].node < q[j].node
}
func (q pq) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *pq) Push(x any)   { *q = append(*q, x.(item)) }
func (q *pq) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}

func siteType(s *site) string {
	if s.Identification == nil {
		return ""
	}
	return strings.ToLower(s.Identification.Type.String())
}

func siteName(s *site) string {
	if s.Identification == nil {
		return ""
	}
	return strings.TrimSpace(s.Identification.Name.String())
}

func deviceSite(d *device) string {
	if d.Identification.Site == nil {
		return ""
	}
	return d.Identification.Site.ID.ID()
}

// Build turns UISP data into the common graph.
func Build(d *Data, cfg *config.Config, mode string) (*graph.Graph, []string, error) {
	st := settingsFrom(cfg, mode)
	var problems []string
	warn := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// De-duplicate raw rows (first wins) and drop excluded sites and their devices.
	excluded := map[string]bool{}
	for _, n := range cfg.UISP.ExcludeSites {
		excluded[strings.ToLower(strings.TrimSpace(n))] = true
	}
	sites := map[string]*site{}
	var siteOrder []*site
	dupSites := 0
	for i := range d.Sites {
		s := &d.Sites[i]
		id := s.ID.ID()
		if id == "" {
			warn("sites[%d]: no id; skipped", i)
			continue
		}
		if _, dup := sites[id]; dup {
			dupSites++
			continue
		}
		switch siteType(s) {
		case "site", "endpoint":
		default:
			// Upstream crashed here.
			warn("site %s (%q): unknown type %q; skipped", id, siteName(s), siteType(s))
			continue
		}
		if excluded[strings.ToLower(siteName(s))] {
			continue
		}
		sites[id] = s
		siteOrder = append(siteOrder, s)
	}
	if dupSites > 0 {
		warn("%d duplicate site rows ignored (first kept)", dupSites)
	}
	devs := map[string]*device{}
	var devOrder []*device
	dupDevs := 0
	for i := range d.Devices {
		dv := &d.Devices[i]
		id := dv.Identification.ID.ID()
		if id == "" {
			continue
		}
		if _, dup := devs[id]; dup {
			dupDevs++
			continue
		}
		if _, ok := sites[deviceSite(dv)]; !ok {
			continue // no site, or an excluded one
		}
		devs[id] = dv
		devOrder = append(devOrder, dv)
	}
	if dupDevs > 0 {
		warn("%d duplicate device rows ignored (first kept)", dupDevs)
	}
	isClientSite := func(id string) bool { s := sites[id]; return s != nil && siteType(s) == "endpoint" }

	// Path graph: root, infrastructure sites, their devices, Orphans.
	nodes := []*pnode{{kind: pnRoot, parent: -1}}
	idx := map[string]int{} // "s:"+id / "d:"+id -> index
	addEdge := func(a, b int, down, up float64) {
		nodes[a].edges = append(nodes[a].edges, pedge{to: b, down: down, up: up})
		nodes[b].edges = append(nodes[b].edges, pedge{to: a, down: up, up: down})
	}
	for _, s := range siteOrder {
		if siteType(s) != "site" {
			continue
		}
		idx["s:"+s.ID.ID()] = len(nodes)
		nodes = append(nodes, &pnode{kind: pnSite, id: s.ID.ID(), graphID: "uisp:site:" + s.ID.ID(), name: siteName(s), uispSite: s, parent: -1})
	}
	// Root.
	root := -1
	if st.rootName != "" {
		for i, n := range nodes {
			if n.kind == pnSite && n.name == st.rootName {
				root = i
				break
			}
		}
		if root < 0 && mode == graph.ModeFull {
			var sample []string
			for _, n := range nodes {
				if n.kind == pnSite && len(sample) < 10 {
					sample = append(sample, strconv.Quote(n.name))
				}
			}
			return nil, problems, fmt.Errorf("uisp: Root site not found: %s (uisp_integration.site; sites include %s)", st.rootName, strings.Join(sample, ", "))
		}
	}
	if root < 0 {
		var internet []int
		seen := map[int]bool{}
		for _, l := range d.Links {
			if l.CanDelete.Set && !l.CanDelete.V {
				if i, ok := idx["s:"+l.From.siteID()]; ok && !seen[i] {
					seen[i] = true
					internet = append(internet, i)
				}
			}
		}
		switch len(internet) {
		case 0:
			return nil, problems, errors.New("uisp: no root site: uisp_integration.site is not set (or not found) and no site has an Internet data link")
		case 1:
			root = internet[0]
		default:
			// A generated root above every Internet site.
			nodes[0].name = "INSERTED_INTERNET"
			nodes[0].graphID = "ROOT-001"
			for _, i := range internet {
				addEdge(0, i, st.defDown, st.defUp)
			}
			root = 0
		}
	}
	if root != 0 {
		// Index 0 stays unused; the chosen site is the root.
		nodes[0].kind = -1
	}
	for _, dv := range devOrder {
		sid := deviceSite(dv)
		si, ok := idx["s:"+sid]
		if !ok {
			continue // device at a client site: a CPE, handled below
		}
		down, up := st.capacity(dv)
		i := len(nodes)
		idx["d:"+dv.Identification.ID.ID()] = i
		name := dv.Identification.Hostname.String()
		if name == "" {
			name = dv.Identification.ID.ID()
		}
		nodes = append(nodes, &pnode{kind: pnDevice, id: dv.Identification.ID.ID(), graphID: "uisp:device:" + dv.Identification.ID.ID(), name: name, down: down, up: up, uispDev: dv, parent: -1})
		addEdge(si, i, st.defDown, st.defUp)
	}
	// Device-to-device links between different sites, oriented AP → station.
	for _, l := range d.Links {
		a, okA := idx["d:"+l.From.deviceID()]
		b, okB := idx["d:"+l.To.deviceID()]
		if !okA || !okB || deviceSite(nodes[a].uispDev) == deviceSite(nodes[b].uispDev) {
			continue
		}
		ap, sta := a, b
		switch orient(nodes[a].uispDev, nodes[b].uispDev) {
		case -1:
			ap, sta = b, a
		case 0:
			warn("data link %s: cannot tell which end is the AP; using %s's capacity", l.ID.String(), nodes[a].name)
			addEdge(a, b, nodes[a].down, nodes[a].up)
			continue
		}
		addEdge(ap, sta, math.Min(nodes[ap].down, nodes[sta].down), math.Min(nodes[ap].up, nodes[sta].up))
	}
	st.paths(nodes, root)

	// Sites the links do not reach: hang them under their UISP parent site
	// when that is reachable (upstream: always Orphans), else under Orphans.
	orphans := -1
	orphan := func() int {
		if orphans < 0 {
			orphans = len(nodes)
			nodes = append(nodes, &pnode{kind: pnOrphans, graphID: "libreqos:generated:uisp:site:orphans", name: "Orphans", down: st.defDown, up: st.defUp, parent: -1, reachable: true, pathDown: st.defDown, pathUp: st.defUp})
		}
		return orphans
	}
	for i, n := range nodes {
		if n.kind != pnSite || n.reachable || i == root {
			continue
		}
		p := -1
		for s, hops := n.uispSite, 0; s != nil && hops < 64; hops++ {
			pid := ""
			if s.Identification != nil && s.Identification.Parent != nil {
				pid = s.Identification.Parent.ID.ID()
			}
			if j, ok := idx["s:"+pid]; ok && nodes[j].reachable {
				p = j
				break
			}
			s = sites[pid]
		}
		if p < 0 {
			p = orphan()
		}
		// Without a real path the capacity is unknown: generated_pn, as upstream.
		n.parent, n.reachable = p, true
		n.pathDown, n.pathUp = math.Min(nodes[p].pathDown, st.defDown), math.Min(nodes[p].pathUp, st.defUp)
	}
	for _, n := range nodes {
		if n.kind == pnDevice && !n.reachable {
			si := idx["s:"+deviceSite(n.uispDev)]
			n.parent, n.reachable = si, true
			n.pathDown, n.pathUp = math.Min(nodes[si].pathDown, n.down), math.Min(nodes[si].pathUp, n.up)
		}
	}

	// Export names: unique across sites and APs; sites win the plain name.
	exportNames(nodes, root)

	g := graph.New()
	// Graph order is output order: sort by export name (case-insensitive) so
	// every level of network.json is alphabetical and stable between runs.
	order := make([]int, 0, len(nodes))
	for i := range nodes {
		order = append(order, i)
	}
	sort.SliceStable(order, func(a, b int) bool {
		x, y := strings.ToLower(nodes[order[a]].name), strings.ToLower(nodes[order[b]].name)
		if x != y {
			return x < y
		}
		return nodes[order[a]].name < nodes[order[b]].name
	})
	for _, i := range order {
		n := nodes[i]
		if i == root || (n.kind != pnSite && n.kind != pnDevice && n.kind != pnOrphans) {
			continue
		}
		node := graph.Node{ID: n.graphID, Name: n.name, NetworkID: n.graphID, DownloadMbps: n.pathDown, UploadMbps: n.pathUp}
		if st.ignoreCalculated || node.DownloadMbps < 1 {
			node.DownloadMbps = st.defDown
		}
		if st.ignoreCalculated || node.UploadMbps < 1 {
			node.UploadMbps = st.defUp
		}
		if n.parent >= 0 && n.parent != root {
			node.ParentID = nodes[n.parent].graphID
		}
		switch n.kind {
		case pnSite, pnOrphans:
			node.Kind = graph.KindSite
			if s := n.uispSite; s != nil && s.Description != nil && s.Description.Location != nil && s.Description.Location.Latitude.Set && s.Description.Location.Longitude.Set {
				lat, lon := s.Description.Location.Latitude.V, s.Description.Location.Longitude.V
				node.Latitude, node.Longitude = &lat, &lon
			}
		default:
			node.Kind = graph.KindAP
		}
		g.Add(node)
	}

	// Circuits: one per client site.
	names := clientNames(siteOrder)
	devsBySite := map[string][]*device{}
	for _, dv := range devOrder {
		devsBySite[deviceSite(dv)] = append(devsBySite[deviceSite(dv)], dv)
	}
	for _, s := range siteOrder {
		if siteType(s) != "endpoint" {
			continue
		}
		sid := s.ID.ID()
		parent := ""
		apID := clientAP(sid, devsBySite[sid], d.Links, devs, isClientSite)
		if i, ok := idx["d:"+apID]; ok && apID != "" {
			parent = nodes[i].graphID
		} else {
			// No AP found (upstream dropped the whole site silently): use the
			// UISP parent site when it is in the tree, else leave unparented.
			pid := ""
			if s.Identification.Parent != nil {
				pid = s.Identification.Parent.ID.ID()
			}
			if i, ok := idx["s:"+pid]; ok && i != root {
				parent = nodes[i].graphID
			}
			if len(devsBySite[sid]) > 0 {
				where := "unparented"
				if parent != "" {
					where = "placed under its UISP parent site"
				}
				warn("client site %q: no access point found (no apDevice or data link); %s", names[sid], where)
			}
		}
		r, capped := st.clientRates(s, devsBySite[sid])
		if capped != "" {
			warn("client site %q: %s", names[sid], capped)
		}
		addr := ""
		if s.Description != nil {
			addr = s.Description.Address.String()
		}
		g.Add(graph.Node{ID: sid, Name: names[sid], Address: addr, ParentID: parent, Kind: graph.KindClient, Rates: r,
			Suspended: s.Identification.Suspended.V})
		for _, dv := range devsBySite[sid] {
			g.Add(graph.Node{ID: dv.Identification.ID.ID(), Name: dv.Identification.Hostname.String(), ParentID: sid, Kind: graph.KindDevice,
				MAC: dv.Identification.MAC.String(), IPs: deviceIPs(dv)})
		}
	}
	return g, problems, nil
}

// paths finds, for every node, the widest-first path from the root (edge cost
// 10000 − capacity, at least 1) and records parent and path capacity.
func (st settings) paths(nodes []*pnode, root int) {
	dist := make([]float64, len(nodes))
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	dist[root] = 0
	nodes[root].reachable = true
	nodes[root].pathDown, nodes[root].pathUp = math.Inf(1), math.Inf(1)
	q := &pq{{root, 0}}
	done := make([]bool, len(nodes))
	for q.Len() > 0 {
		it := heap.Pop(q).(item)
		if done[it.node] {
			continue
		}
		done[it.node] = true
		from := nodes[it.node]
		for _, e := range from.edges {
			if done[e.to] {
				continue
			}
			cost := math.Max(1, 10000-e.down)
			if nd := dist[it.node] + cost; nd < dist[e.to] {
				dist[e.to] = nd
				to := nodes[e.to]
				to.reachable = true
				to.parent = it.node
				to.pathDown, to.pathUp = math.Min(from.pathDown, e.down), math.Min(from.pathUp, e.up)
				heap.Push(q, item{e.to, nd})
			}
		}
	}
	for i, n := range nodes {
		if i == root {
			continue
		}
		if n.kind == pnDevice {
			n.pathDown, n.pathUp = math.Min(n.pathDown, n.down), math.Min(n.pathUp, n.up)
		}
		if n.parent == root {
			n.parent = -1
		}
	}
}

// orient returns 1 when a is the AP end of a link to b, -1 when b is, 0 when unknown.
func orient(a, b *device) int {
	apOf := func(x *device) string {
		if x.Attributes != nil && x.Attributes.APDevice != nil {
			return x.Attributes.APDevice.ID.ID()
		}
		return ""
	}
	if apOf(b) == a.Identification.ID.ID() && apOf(b) != "" {
		return 1
	}
	if apOf(a) == b.Identification.ID.ID() && apOf(a) != "" {
		return -1
	}
	side := func(x *device) int {
		switch strings.ToLower(x.Identification.Role.String()) {
		case "ap":
			return 1
		case "station", "sta", "cpe":
			return -1
		}
		if x.Overview != nil {
			m := strings.ToLower(x.Overview.WirelessMode.String())
			if strings.HasPrefix(m, "ap") {
				return 1
			}
			if strings.HasPrefix(m, "sta") {
				return -1
			}
		}
		return 0
	}
	sa, sb := side(a), side(b)
	switch {
	case sa == 1 && sb != 1, sb == -1 && sa != -1:
		return 1
	case sb == 1 && sa != 1, sa == -1 && sb != -1:
		return -1
	}
	return 0
}

// exportNames makes site and AP names unique: sites keep the plain name, then
// "Name [Site]", "Name [Site <id8>]"; APs "Name [AP]", "Name [AP <id8>]";
// last resort "Name [<id>]".
func exportNames(nodes []*pnode, root int) {
	count := map[string]int{}
	for i, n := range nodes {
		if i != root && (n.kind == pnSite || n.kind == pnDevice || n.kind == pnOrphans) {
			count[n.name]++
		}
	}
	used := map[string]bool{}
	short := func(id string) string {
		if len(id) > 8 {
			return id[:8]
		}
		return id
	}
	assign := func(n *pnode, cands ...string) {
		for _, c := range cands {
			if !used[c] {
				used[c] = true
				n.name = c
				return
			}
		}
		c := n.name + " [" + n.id + "]"
		for i := 2; used[c]; i++ {
			c = n.name + " [" + n.id + "] " + strconv.Itoa(i)
		}
		used[c] = true
		n.name = c
	}
	// Sites first so they win the plain name.
	for _, kind := range []int{pnSite, pnOrphans, pnDevice} {
		for i, n := range nodes {
			if i == root || n.kind != kind {
				continue
			}
			base := n.name
			switch {
			case count[base] <= 1:
				assign(n, base)
			case kind == pnDevice:
				assign(n, base+" [AP]", base+" [AP "+short(n.id)+"]")
			default:
				assign(n, base, base+" [Site]", base+" [Site "+short(n.id)+"]")
			}
		}
	}
}

// clientAP finds the access point serving a client site: a device's
// apDevice at another site, else a data link from one of its devices (or
// the site itself) to a device at another site.
func clientAP(sid string, siteDevs []*device, links []dataLink, devs map[string]*device, isClient func(string) bool) string {
	other := func(id string) bool {
		dv := devs[id]
		return dv != nil && deviceSite(dv) != sid
	}
	for _, dv := range siteDevs {
		if dv.Attributes != nil && dv.Attributes.APDevice != nil {
			if id := dv.Attributes.APDevice.ID.ID(); other(id) {
				return id
			}
		}
	}
	mine := map[string]bool{}
	for _, dv := range siteDevs {
		mine[dv.Identification.ID.ID()] = true
	}
	for _, l := range links {
		f, t := l.From.deviceID(), l.To.deviceID()
		if mine[f] && other(t) {
			return t
		}
		if mine[t] && other(f) {
			return f
		}
	}
	for _, l := range links {
		if l.From.siteID() == sid && other(l.To.deviceID()) {
			return l.To.deviceID()
		}
		if l.To.siteID() == sid && other(l.From.deviceID()) {
			return l.From.deviceID()
		}
	}
	return ""
}

var digits = regexp.MustCompile(`[0-9]`)

var businessSuffixes = map[string]bool{"llc": true, "inc": true, "corp": true, "corporation": true, "co": true, "company": true,
	"ltd": true, "pllc": true, "llp": true, "lp": true, "pc": true, "plc": true}

// NormalizeClientName turns "Last, First" into "First Last" unless a part
// has digits or the second part is a business suffix ("Acme, LLC").
func NormalizeClientName(name string) string {
	name = strings.Join(strings.Fields(name), " ")
	last, first, ok := strings.Cut(name, ",")
	if !ok || strings.Contains(first, ",") {
		return name
	}
	last, first = strings.TrimSpace(last), strings.TrimSpace(first)
	if last == "" || first == "" || digits.MatchString(last) || digits.MatchString(first) {
		return name
	}
	for _, part := range []string{first, last} {
		if businessSuffixes[strings.Trim(strings.ToLower(part), ".")] {
			return name
		}
	}
	return first + " " + last
}

// clientNames normalizes client-site names and gives every member of a
// duplicate group a suffix: address (first comma segment), then UCRM service
// name, then the first 8 characters of the id, then the id.
func clientNames(order []*site) map[string]string {
	out := map[string]string{}
	count := map[string]int{}
	for _, s := range order {
		if siteType(s) != "endpoint" {
			continue
		}
		n := NormalizeClientName(siteName(s))
		if n == "" {
			n = s.ID.ID()
		}
		out[s.ID.ID()] = n
		count[n]++
	}
	used := map[string]bool{}
	for _, n := range out {
		if count[n] == 1 {
			used[n] = true
		}
	}
	for _, s := range order {
		id := s.ID.ID()
		n, ok := out[id]
		if !ok || count[n] == 1 {
			continue
		}
		var cands []string
		if s.Description != nil {
			if a, _, _ := strings.Cut(s.Description.Address.String(), ","); strings.TrimSpace(a) != "" {
				cands = append(cands, n+" ("+strings.TrimSpace(a)+")")
			}
		}
		if s.UCRM != nil && s.UCRM.Service != nil && s.UCRM.Service.Name.String() != "" {
			cands = append(cands, n+" ("+s.UCRM.Service.Name.String()+")")
		}
		if len(id) > 8 {
			cands = append(cands, n+" ("+id[:8]+")")
		}
		cands = append(cands, n+" ("+id+")")
		chosen := ""
		for _, c := range cands {
			if !used[c] {
				chosen = c
				break
			}
		}
		if chosen == "" {
			chosen = cands[len(cands)-1]
		}
		used[chosen] = true
		out[id] = chosen
	}
	return out
}

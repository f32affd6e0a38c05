package webui

import (
	"cmp"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ---- HTML pages from the front end's page registry ----

// pageManifest is dist/pages.json, written by web/build.mjs from the page
// registry: the paths served as logged-in pages.
type pageManifest struct {
	Pages  []string `json:"pages"`
	Public []string `json:"public"`
}

var manifestCache sync.Map // fs.FS → map[string]bool

func (s *Server) appPages() map[string]bool {
	if v, ok := manifestCache.Load(s.assets); ok {
		return v.(map[string]bool)
	}
	out := map[string]bool{}
	if b, err := fs.ReadFile(s.assets, "pages.json"); err == nil {
		var m pageManifest
		if err := jsonUnmarshal(b, &m); err == nil {
			for _, p := range m.Pages {
				out[strings.TrimPrefix(p, "/")] = true
			}
		}
	}
	if len(out) == 0 {
		out["index.html"] = true // front end built before the registry existed
	}
	manifestCache.Store(s.assets, out)
	return out
}

// pageRoutes are the logged-in pages of the front end's registry, one
// route each, so unknown paths stay 404 and Routes lists every page.
func (s *Server) pageRoutes() []route {
	names := make([]string, 0, len(s.appPages()))
	for name := range s.appPages() {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]route, 0, len(names))
	for _, name := range names {
		out = append(out, route{"GET", "/" + name, accessPage, s.handleAppPage})
	}
	return out
}

// handleAppPage serves a page of the registry.
func (s *Server) handleAppPage(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	s.serveFile(w, r, strings.TrimPrefix(r.URL.Path, "/"))
}

// ---- page data ----

func (s *Server) pageSource(w http.ResponseWriter) (PageSource, bool) {
	ps, ok := s.src.(PageSource)
	if !ok {
		writeErr(w, http.StatusNotImplemented, "not_available", "This data source does not provide network pages.")
	}
	return ps, ok
}

// NodeRef names a node for links and breadcrumbs.
type NodeRef struct {
	Index int    `json:"index"`
	ID    string `json:"id"`
	Name  string `json:"name"`
}

// TreeView is GET /api/tree.
type TreeView struct {
	Nodes []TreeNode `json:"nodes"`
}

// TreeLive is the "tree" channel: per node, [down bps, up bps, median
// RTT ms, 90th percentile RTT ms, retransmit % down, up, drops down, up,
// marks down, up]. Positional to keep the message small. Rows are in node
// index order, or, when Index is set, Rows[k] is node Index[k].
type TreeLive struct {
	Rows  [][10]float64 `json:"rows"`
	Index []int         `json:"index,omitempty"`
}

// NodeView is GET /api/node and the "node:<id>" channel.
type NodeView struct {
	Node     TreeNode     `json:"node"`
	Path     []NodeRef    `json:"path"` // root first, the node itself last
	Children []TreeNode   `json:"children"`
	Circuits []CircuitRow `json:"circuits"` // attached directly to the node
	History  *History     `json:"history,omitempty"`
}

// CircuitView is GET /api/circuit and the "circuit:<id>" channel.
type CircuitView struct {
	CircuitDetail
	Path    []NodeRef `json:"path"` // parent chain, root first
	History *History  `json:"history,omitempty"`
}

// CPUView is GET /api/cpu and the "cpu_plan" channel.
type CPUView struct {
	Plan CPUPlan `json:"plan"`
	// Imbalance is the busiest CPU's bits per second over the mean
	// (1 = even; 0 when idle).
	Imbalance float64 `json:"imbalance"`
	// Heaviest are the top-level nodes carrying most traffic.
	Heaviest []CPUBranch `json:"heaviest"`
}

// DevicesView is GET /api/devices.
type DevicesView struct {
	Total   int            `json:"total"`
	Matched int            `json:"matched"`
	Offset  int            `json:"offset"`
	Rows    []ShapedDevice `json:"rows"`
}

// UnknownView is GET /api/unknown.
type UnknownView struct {
	Rows []UnknownIP `json:"rows"`
}

// SearchHit is one result of the global search.
type SearchHit struct {
	Kind   string `json:"kind"` // circuit, device or node
	Label  string `json:"label"`
	Detail string `json:"detail,omitempty"`
	URL    string `json:"url"`
}

// SearchView is GET /api/search.
type SearchView struct {
	Results []SearchHit `json:"results"`
}

const (
	maxSearchHits   = 50
	maxDevicesPage  = 500
	maxCircuitFlows = 200
)

func nodePath(nodes []TreeNode, idx int) []NodeRef {
	var out []NodeRef
	for i := idx; i >= 0 && i < len(nodes) && len(out) <= len(nodes); i = nodes[i].Parent {
		out = append(out, NodeRef{nodes[i].Index, nodes[i].ID, nodes[i].Name})
	}
	slices.Reverse(out)
	return out
}

// findNode looks a node up by ID, then by name (lists that only know the
// parent's name, such as the dashboard's, link by name).
func findNode(nodes []TreeNode, id string) (TreeNode, bool) {
	for _, n := range nodes {
		if n.ID == id {
			return n, true
		}
	}
	for _, n := range nodes {
		if n.Name == id {
			return n, true
		}
	}
	return TreeNode{}, false
}

func (s *Server) handleTree(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	ps, ok := s.pageSource(w)
	if !ok {
		return
	}
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	nodes, err := ps.NetworkTree(ctx)
	if err != nil {
		s.sourceError(w, err)
		return
	}
	writePageJSON(w, r, TreeView{Nodes: nonNilSlice(nodes)})
}

func nonNilSlice[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

func (s *Server) nodeView(ctx context.Context, ps PageSource, id string) (NodeView, error) {
	nodes, err := ps.NetworkTree(ctx)
	if err != nil {
		return NodeView{}, err
	}
	n, ok := findNode(nodes, id)
	if !ok {
		return NodeView{}, fmt.Errorf("node %q: %w", id, ErrNotFound)
	}
	circuits, err := ps.Circuits(ctx)
	if err != nil {
		return NodeView{}, err
	}
	v := NodeView{Node: n, Path: nodePath(nodes, n.Index), Children: []TreeNode{}, Circuits: []CircuitRow{}}
	for _, c := range nodes {
		if c.Parent == n.Index {
			v.Children = append(v.Children, c)
		}
	}
	for _, c := range circuits {
		if c.Parent == n.Index {
			v.Circuits = append(v.Circuits, c)
		}
	}
	return v, nil
}

func (s *Server) handleNode(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	ps, ok := s.pageSource(w)
	if !ok {
		return
	}
	id := r.URL.Query().Get("id")
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	v, err := s.nodeView(ctx, ps, id)
	if s.notFoundOr(w, err, "No such node; the network may have been reloaded.") {
		return
	}
	h := s.hub.pages.history.series("node", v.Node.ID, r.URL.Query().Get("range"), s.cfg.Now())
	v.History = &h
	writePageJSON(w, r, v)
}

// notFoundOr writes 404 for ErrNotFound and 503 for other errors; it
// reports whether it wrote anything.
func (s *Server) notFoundOr(w http.ResponseWriter, err error, msg string) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, ErrNotFound):
		writeErr(w, http.StatusNotFound, "not_found", msg)
	default:
		s.sourceError(w, err)
	}
	return true
}

func (s *Server) circuitView(ctx context.Context, ps PageSource, id string) (CircuitView, error) {
	d, err := ps.CircuitDetail(ctx, id)
	if err != nil {
		return CircuitView{}, err
	}
	if len(d.Flows) > maxCircuitFlows {
		slices.SortFunc(d.Flows, func(a, b FlowRow) int { return cmp.Compare(b.Bytes.Down+b.Bytes.Up, a.Bytes.Down+a.Bytes.Up) })
		d.Flows = d.Flows[:maxCircuitFlows]
	}
	d.Devices, d.Queues, d.Flows = nonNilSlice(d.Devices), nonNilSlice(d.Queues), nonNilSlice(d.Flows)
	v := CircuitView{CircuitDetail: d, Path: []NodeRef{}}
	if d.Circuit.Parent >= 0 {
		nodes, err := ps.NetworkTree(ctx)
		if err != nil {
			return CircuitView{}, err
		}
		v.Path = nonNilSlice(nodePath(nodes, d.Circuit.Parent))
	}
	return v, nil
}

func (s *Server) handleCircuit(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	ps, ok := s.pageSource(w)
	if !ok {
		return
	}
	id := r.URL.Query().Get("id")
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	v, err := s.circuitView(ctx, ps, id)
	if s.notFoundOr(w, err, "No such circuit; it may have been removed from ShapedDevices.csv.") {
		return
	}
	h := s.hub.pages.history.series("circuit", id, r.URL.Query().Get("range"), s.cfg.Now())
	v.History = &h
	writePageJSON(w, r, v)
}

func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind != "node" && kind != "circuit" {
		writeErr(w, http.StatusBadRequest, "bad_request", "query field kind: want node or circuit")
		return
	}
	if _, ok := historyRanges[q.Get("range")]; !ok {
		writeErr(w, http.StatusBadRequest, "bad_request", "query field range: want 5m, 1h or 24h")
		return
	}
	writePageJSON(w, r, s.hub.pages.history.series(kind, q.Get("id"), q.Get("range"), s.cfg.Now()))
}

func cpuView(p CPUPlan, nodes []TreeNode) CPUView {
	v := CPUView{Plan: p, Heaviest: []CPUBranch{}}
	if v.Plan.CPUs == nil {
		v.Plan.CPUs = []CPUQueue{}
	}
	var sum, peak float64
	for _, c := range p.CPUs {
		sum += float64(c.BitsPerSecond)
		peak = math.Max(peak, float64(c.BitsPerSecond))
		v.Heaviest = append(v.Heaviest, c.Nodes...)
	}
	if len(p.CPUs) > 0 && sum > 0 {
		v.Imbalance = math.Round(peak/(sum/float64(len(p.CPUs)))*100) / 100
	}
	slices.SortFunc(v.Heaviest, func(a, b CPUBranch) int { return cmp.Compare(b.BitsPerSecond, a.BitsPerSecond) })
	v.Heaviest = v.Heaviest[:min(5, len(v.Heaviest))]
	return v
}

func (s *Server) handleCPU(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	ps, ok := s.pageSource(w)
	if !ok {
		return
	}
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	p, err := ps.CPUPlan(ctx)
	if err != nil {
		s.sourceError(w, err)
		return
	}
	writePageJSON(w, r, cpuView(p, nil))
}

// listQuery is the search/sort/page part of a list request.
type listQuery struct {
	q            string
	sort         string
	desc         bool
	offset, size int
}

func parseListQuery(r *http.Request, defSize int) (listQuery, error) {
	v := r.URL.Query()
	lq := listQuery{q: strings.ToLower(strings.TrimSpace(v.Get("q"))), sort: v.Get("sort"), desc: v.Get("desc") == "1" || v.Get("desc") == "true", size: defSize}
	for _, f := range []struct {
		name string
		dst  *int
		max  int
	}{{"offset", &lq.offset, math.MaxInt32}, {"limit", &lq.size, maxDevicesPage}} {
		if s := v.Get(f.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > f.max {
				return lq, fmt.Errorf("query field %s: want an integer from 0 to %d", f.name, f.max)
			}
			*f.dst = n
		}
	}
	return lq, nil
}

// deviceSortKeys are the sortable columns of the devices list.
var deviceSortKeys = map[string]func(a, b ShapedDevice) int{
	"circuit_name": func(a, b ShapedDevice) int {
		return strings.Compare(strings.ToLower(a.CircuitName), strings.ToLower(b.CircuitName))
	},
	"device_name": func(a, b ShapedDevice) int {
		return strings.Compare(strings.ToLower(a.DeviceName), strings.ToLower(b.DeviceName))
	},
	"parent_node": func(a, b ShapedDevice) int {
		return strings.Compare(strings.ToLower(a.ParentNode), strings.ToLower(b.ParentNode))
	},
	"mac":        func(a, b ShapedDevice) int { return strings.Compare(a.MAC, b.MAC) },
	"ip":         func(a, b ShapedDevice) int { return compareIPs(firstIP(a), firstIP(b)) },
	"max_down":   func(a, b ShapedDevice) int { return cmp.Compare(a.MaxMbps.Down, b.MaxMbps.Down) },
	"max_up":     func(a, b ShapedDevice) int { return cmp.Compare(a.MaxMbps.Up, b.MaxMbps.Up) },
	"circuit_id": func(a, b ShapedDevice) int { return strings.Compare(a.CircuitID, b.CircuitID) },
}

func firstIP(d ShapedDevice) string {
	if len(d.IPv4) > 0 {
		return d.IPv4[0]
	}
	if len(d.IPv6) > 0 {
		return d.IPv6[0]
	}
	return ""
}

// compareIPs orders addresses numerically (prefixes by their address).
func compareIPs(a, b string) int {
	pa, ea := netip.ParsePrefix(withBits(a))
	pb, eb := netip.ParsePrefix(withBits(b))
	if ea != nil || eb != nil {
		return strings.Compare(a, b)
	}
	return pa.Addr().Compare(pb.Addr())
}

func withBits(s string) string {
	if strings.Contains(s, "/") {
		return s
	}
	if strings.Contains(s, ":") {
		return s + "/128"
	}
	return s + "/32"
}

func deviceMatches(d ShapedDevice, q string) bool {
	if q == "" {
		return true
	}
	for _, f := range []string{d.CircuitName, d.DeviceName, d.ParentNode, d.MAC, d.CircuitID, d.DeviceID} {
		if strings.Contains(strings.ToLower(f), q) {
			return true
		}
	}
	for _, ip := range append(append([]string{}, d.IPv4...), d.IPv6...) {
		if strings.HasPrefix(strings.ToLower(ip), q) {
			return true
		}
	}
	return false
}

func (s *Server) handleDevices(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	ps, ok := s.pageSource(w)
	if !ok {
		return
	}
	lq, err := parseListQuery(r, 50)
	if err != nil {
		writeErr(w, http.StatusBadRequest, "bad_request", err.Error())
		return
	}
	if lq.sort == "" {
		lq.sort = "circuit_name"
	}
	less, ok := deviceSortKeys[lq.sort]
	if !ok {
		writeErr(w, http.StatusBadRequest, "bad_request", "query field sort: unknown column "+strconvQuote(lq.sort))
		return
	}
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	all, err := ps.ShapedDevices(ctx)
	if err != nil {
		s.sourceError(w, err)
		return
	}
	rows := make([]ShapedDevice, 0, len(all))
	for _, d := range all {
		if deviceMatches(d, lq.q) {
			rows = append(rows, d)
		}
	}
	slices.SortStableFunc(rows, func(a, b ShapedDevice) int {
		c := less(a, b)
		if lq.desc {
			c = -c
		}
		return c
	})
	v := DevicesView{Total: len(all), Matched: len(rows), Offset: min(lq.offset, len(rows))}
	v.Rows = rows[v.Offset:min(v.Offset+lq.size, len(rows))]
	writePageJSON(w, r, v)
}

func (s *Server) unknownRows(r *http.Request) ([]UnknownIP, error) {
	ps, ok := s.src.(PageSource)
	if !ok {
		return nil, errNoPages
	}
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	rows, err := ps.UnknownIPs(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b UnknownIP) int { return cmp.Compare(b.Bytes.Down+b.Bytes.Up, a.Bytes.Down+a.Bytes.Up) })
	return nonNilSlice(rows), nil
}

var errNoPages = errors.New("source has no network pages")

func (s *Server) handleUnknown(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	rows, err := s.unknownRows(r)
	if errors.Is(err, errNoPages) {
		s.pageSource(w)
		return
	}
	if err != nil {
		s.sourceError(w, err)
		return
	}
	writePageJSON(w, r, UnknownView{Rows: rows})
}

// handleUnknownCSV exports the unknown IPs for a spreadsheet.
func (s *Server) handleUnknownCSV(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	rows, err := s.unknownRows(r)
	if errors.Is(err, errNoPages) {
		s.pageSource(w)
		return
	}
	if err != nil {
		s.sourceError(w, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="unknown-ips.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"ip", "bytes_down", "bytes_up", "bps_down", "bps_up", "last_seen"})
	for _, u := range rows {
		cw.Write([]string{csvSafe(u.IP), strconv.FormatUint(u.Bytes.Down, 10), strconv.FormatUint(u.Bytes.Up, 10),
			strconv.FormatUint(u.BitsPerSecond.Down, 10), strconv.FormatUint(u.BitsPerSecond.Up, 10), u.LastSeen.UTC().Format(time.RFC3339)})
	}
	cw.Flush()
}

// csvSafe stops a spreadsheet from running a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// handleSearch finds circuits, devices and nodes: an address (or prefix)
// matches IPs exactly or by prefix; other text matches names, MACs and
// circuit ids as a case-insensitive substring.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	ps, ok := s.pageSource(w)
	if !ok {
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) < 2 || len(q) > 128 {
		writePageJSON(w, r, SearchView{Results: []SearchHit{}})
		return
	}
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	circuits, err := ps.Circuits(ctx)
	if err != nil {
		s.sourceError(w, err)
		return
	}
	devices, err := ps.ShapedDevices(ctx)
	if err != nil {
		s.sourceError(w, err)
		return
	}
	nodes, err := ps.NetworkTree(ctx)
	if err != nil {
		s.sourceError(w, err)
		return
	}
	writePageJSON(w, r, SearchView{Results: search(q, circuits, devices, nodes)})
}

func circuitURL(id string) string { return "/circuit.html?id=" + url.QueryEscape(id) }
func nodeURL(id string) string    { return "/node.html?id=" + url.QueryEscape(id) }

func search(q string, circuits []CircuitRow, devices []ShapedDevice, nodes []TreeNode) []SearchHit {
	lq := strings.ToLower(q)
	out := []SearchHit{}
	seen := map[string]bool{}
	add := func(h SearchHit) bool {
		if !seen[h.URL+"\x00"+h.Label] {
			seen[h.URL+"\x00"+h.Label] = true
			out = append(out, h)
		}
		return len(out) >= maxSearchHits
	}
	// Addresses first: exact address, then address prefix.
	if looksLikeIP(q) {
		for _, exact := range []bool{true, false} {
			for _, c := range circuits {
				for _, ip := range c.IPs {
					if ipMatch(ip, q, exact) && add(SearchHit{"circuit", c.Name, ip, circuitURL(c.ID)}) {
						return out
					}
				}
			}
		}
	}
	for _, c := range circuits {
		if strings.Contains(strings.ToLower(c.Name), lq) || strings.EqualFold(c.ID, q) {
			if add(SearchHit{"circuit", c.Name, c.ParentName, circuitURL(c.ID)}) {
				return out
			}
		}
	}
	for _, d := range devices {
		if strings.Contains(strings.ToLower(d.DeviceName), lq) || strings.EqualFold(d.MAC, q) ||
			(len(lq) >= 5 && strings.Contains(strings.ToLower(d.MAC), lq)) {
			if add(SearchHit{"device", d.DeviceName, d.CircuitName, circuitURL(d.CircuitID)}) {
				return out
			}
		}
	}
	for _, n := range nodes {
		if strings.Contains(strings.ToLower(n.Name), lq) {
			if add(SearchHit{"node", n.Name, n.Type, nodeURL(n.ID)}) {
				return out
			}
		}
	}
	return out
}

func looksLikeIP(q string) bool {
	if strings.Count(q, ".") >= 1 && strings.Trim(q, "0123456789./") == "" {
		return true
	}
	return strings.Contains(q, ":") && strings.Trim(strings.ToLower(q), "0123456789abcdef:/") == "" && len(q) > 4
}

// ipMatch: exact compares addresses (a CIDR entry contains q); otherwise
// the textual prefix.
func ipMatch(entry, q string, exact bool) bool {
	if !exact {
		return strings.HasPrefix(entry, q) && entry != q
	}
	if a, err := netip.ParseAddr(q); err == nil {
		if p, err := netip.ParsePrefix(withBits(entry)); err == nil {
			return p.Contains(a)
		}
	}
	return entry == q
}

// writePageJSON is writeJSON for the network pages' larger replies: above
// 8 KiB it compresses when the browser accepts gzip (a 2,000-node tree is
// ~700 KB of JSON and ~10x smaller compressed).
func writePageJSON(w http.ResponseWriter, r *http.Request, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeErr(w, http.StatusInternalServerError, "encode", "Could not encode the reply.")
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Add("Vary", "Accept-Encoding")
	if len(b) < 8<<10 || !acceptsGzip(r) {
		w.Write(append(b, '\n'))
		return
	}
	h.Set("Content-Encoding", "gzip")
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	zw.Write(append(b, '\n'))
	zw.Close()
}

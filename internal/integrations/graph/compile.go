package graph

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/topology"
)

// Result is one compiled import: the network tree and the circuits, ready to
// be written as network.json and ShapedDevices.csv.
type Result struct {
	Source   string
	Mode     string
	Network  *topology.Network
	Circuits []*devices.Circuit
	Summary  Summary
}

// Summary counts what an import produced and what it left out, and why.
type Summary struct {
	Source, Mode string
	Nodes        int // network.json nodes
	Circuits     int
	Devices      int
	// SkippedNoIP lists circuits left out because no device had a usable address.
	SkippedNoIP []string
	// FilteredOut counts the circuits of SkippedNoIP whose addresses were all
	// removed by ip_ranges (each also has a warning naming it).
	FilteredOut int
	// Excluded counts nodes dropped by exclude_sites (with their subtrees).
	Excluded int
	// Suspended subscribers by what was done with them.
	SuspendedFull, SuspendedIgnored, SuspendedSlowed, SuspendedBlocked int
	// DroppedIPs counts addresses removed (invalid, filtered or duplicate).
	DroppedIPs int
	// Problems are warnings for the operator, one line each.
	Problems []string
}

// String is a one-line summary for logs and the scheduler's status.
func (s Summary) String() string {
	return fmt.Sprintf("%s (%s): %d nodes, %d circuits, %d devices; skipped %d circuits without usable IPs (%d by ip_ranges), %d addresses dropped, %d excluded nodes; suspended: %d full, %d ignored, %d slow, %d blocked; %d warnings",
		s.Source, s.Mode, s.Nodes, s.Circuits, s.Devices, len(s.SkippedNoIP), s.FilteredOut, s.DroppedIPs, s.Excluded,
		s.SuspendedFull, s.SuspendedIgnored, s.SuspendedSlowed, s.SuspendedBlocked, len(s.Problems))
}

// wnode is a node being compiled.
type wnode struct {
	*Node
	parent    *wnode
	children  []*wnode
	generated bool // created by Compile; never a circuit's Parent Node
	dropped   bool
	effDown   float64
	effUp     float64
	export    string // network.json name
	circuits  int
}

type compiler struct {
	o     Options
	sum   *Summary
	nodes []*wnode
	byID  map[string]*wnode
}

func (c *compiler) warnf(format string, args ...any) {
	c.sum.Problems = append(c.sum.Problems, fmt.Sprintf(format, args...))
}

// Compile turns the graph into network.json nodes and circuits. It does not
// modify g. The steps are documented in the package README.
func Compile(g *Graph, o Options) (*Result, error) {
	mode, err := NormalizeMode(o.Mode, ModeFull)
	if err != nil {
		return nil, err
	}
	o.Mode = mode
	if o.DefaultDownloadMbps <= 0 {
		o.DefaultDownloadMbps = 1000
	}
	if o.DefaultUploadMbps <= 0 {
		o.DefaultUploadMbps = 1000
	}
	if o.SlowMbps < BlockMbps {
		o.SlowMbps = DefaultSlowMbps
	}
	if o.Suspended, err = NormalizeSuspended(o.Suspended); err != nil {
		return nil, err
	}
	res := &Result{Source: o.Source, Mode: mode}
	res.Summary.Source, res.Summary.Mode = o.Source, mode
	c := &compiler{o: o, sum: &res.Summary, byID: map[string]*wnode{}}
	c.sum.Problems = append(c.sum.Problems, g.problems...)
	for _, n := range g.nodes {
		cp := *n
		cp.IPs = append([]string(nil), n.IPs...)
		w := &wnode{Node: &cp}
		c.nodes = append(c.nodes, w)
		c.byID[cp.ID] = w
	}
	c.link()
	c.exclude()
	c.generateSites()
	c.buildChildren()
	circuits := c.circuits()
	c.capacities()
	res.Network = c.network(circuits)
	res.Circuits = make([]*devices.Circuit, 0, len(circuits))
	for _, pc := range circuits {
		pc.circuit.ParentNode, pc.circuit.ParentNodeID = "", ""
		if pc.parent != nil {
			pc.circuit.ParentNode = pc.parent.export
			pc.circuit.ParentNodeID = pc.parent.NetworkID
		}
		res.Circuits = append(res.Circuits, pc.circuit)
		res.Summary.Devices += len(pc.circuit.Devices)
	}
	res.Summary.Circuits = len(res.Circuits)
	res.Summary.Nodes = len(res.Network.Nodes())
	return res, nil
}

func nameSet(names []string) map[string]bool {
	m := map[string]bool{}
	for _, n := range names {
		if n = strings.ToLower(strings.TrimSpace(n)); n != "" {
			m[n] = true
		}
	}
	return m
}

func (c *compiler) findByIDOrName(key string, kinds ...Kind) *wnode {
	if w := c.byID[key]; w != nil {
		return w
	}
	for _, w := range c.nodes {
		if w.displayName() == key {
			for _, k := range kinds {
				if w.Kind == k {
					return w
				}
			}
		}
	}
	return nil
}

// link resolves parent ids, applies exception CPEs and promote_to_root, and breaks cycles.
func (c *compiler) link() {
	for _, w := range c.nodes {
		if p := c.byID[w.ParentID]; p != nil && p != w {
			w.parent = p
		} else if w.ParentID != "" {
			if w.Kind != KindDevice {
				c.warnf("%s %q: parent %q not found; attached to the root", w.Kind, w.ID, w.ParentID)
			}
		}
	}
	// Only clients hold devices: anything else hanging from a device hangs
	// from the device's holder instead.
	for _, w := range c.nodes {
		if w.Kind == KindDevice {
			continue
		}
		for hops := 0; w.parent != nil && w.parent.Kind == KindDevice && hops < len(c.nodes); hops++ {
			w.parent = w.parent.parent
		}
	}
	// Exception CPEs: the operator's word beats the CRM's parent.
	for i, e := range c.o.ExceptionCPEs {
		cpe, parent := strings.TrimSpace(e.CPE), strings.TrimSpace(e.Parent)
		if cpe == "" || parent == "" {
			c.warnf("exception_cpes[%d]: cpe and parent are both required; entry ignored", i)
			continue
		}
		target := c.findByIDOrName(parent, KindSite, KindAP, KindClient)
		if target == nil {
			c.warnf("exception_cpes[%d]: parent %q not found; entry ignored", i, parent)
			continue
		}
		matched := false
		for _, w := range c.nodes {
			if (w.Kind != KindClient && w.Kind != KindDevice) || (w.ID != cpe && w.displayName() != cpe) {
				continue
			}
			matched = true
			switch {
			case w.Kind == KindClient && target.Kind != KindClient:
				w.parent = target
			case w.Kind == KindDevice && target.Kind == KindClient:
				w.parent = target
			case w.Kind == KindDevice && w.parent != nil && w.parent.Kind == KindClient && target.Kind != KindClient:
				w.parent.parent = target
			default:
				c.warnf("exception_cpes[%d]: cannot place %s %q under %s %q", i, w.Kind, cpe, target.Kind, parent)
			}
		}
		if !matched {
			c.warnf("exception_cpes[%d]: cpe %q not found", i, cpe)
		}
	}
	promote := nameSet(c.o.PromoteToRoot)
	for _, w := range c.nodes {
		if (w.Kind == KindSite || w.Kind == KindAP) && promote[strings.ToLower(w.displayName())] {
			w.parent = nil
		}
	}
	// Break cycles: a node that reaches itself going up is attached to the root.
	state := map[*wnode]int{} // 1 = on the current path, 2 = known good
	for _, w := range c.nodes {
		var path []*wnode
		x := w
		for x != nil && state[x] == 0 {
			state[x] = 1
			path = append(path, x)
			if x.parent != nil && state[x.parent] == 1 {
				c.warnf("%s %q: parent chain loops back through %q; attached to the root", x.Kind, x.ID, x.parent.ID)
				x.parent = nil
			}
			x = x.parent
		}
		for _, p := range path {
			state[p] = 2
		}
	}
}

// exclude drops nodes named in exclude_sites together with everything under them.
func (c *compiler) exclude() {
	ex := nameSet(c.o.ExcludeSites)
	if len(ex) == 0 {
		return
	}
	for _, w := range c.nodes {
		for x := w; x != nil; x = x.parent {
			if ex[strings.ToLower(x.displayName())] {
				w.dropped = true
				c.sum.Excluded++
				break
			}
		}
	}
}

var slugReplacer = func(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// Slug lower-cases s and turns runs of other characters into single dashes.
func Slug(s string) string { return slugReplacer(s) }

// generateSites turns clients that have non-device children into a generated
// site holding the client and those children.
func (c *compiler) generateSites() {
	hasTopo := map[*wnode]bool{}
	for _, w := range c.nodes {
		if !w.dropped && w.Kind != KindDevice && w.parent != nil && w.parent.Kind == KindClient {
			hasTopo[w.parent] = true
		}
	}
	if len(hasTopo) == 0 {
		return
	}
	var out []*wnode
	for _, w := range c.nodes {
		if hasTopo[w] {
			id := w.ID + "_gen"
			for c.byID[id] != nil {
				id += "_"
			}
			name := "(Generated Site) " + w.displayName()
			g := &wnode{Node: &Node{ID: id, Name: name, Kind: KindSite, NetworkID: "libreqos:generated:graph:site:" + Slug(w.displayName())}, generated: true, parent: w.parent}
			c.byID[id] = g
			out = append(out, g)
			for _, x := range c.nodes {
				if x.parent == w && x.Kind != KindDevice {
					x.parent = g
				}
			}
			w.parent = g
		}
		out = append(out, w)
	}
	c.nodes = out
}

func (c *compiler) buildChildren() {
	for _, w := range c.nodes {
		if w.dropped || w.parent == nil {
			continue
		}
		w.parent.children = append(w.parent.children, w)
	}
}

type pendingCircuit struct {
	circuit *devices.Circuit
	parent  *wnode
}

// circuits builds one circuit per client with at least one usable address.
func (c *compiler) circuits() []*pendingCircuit {
	for _, w := range c.nodes {
		if w.Kind == KindDevice && !w.dropped && (w.parent == nil || w.parent.Kind != KindClient) {
			c.warnf("device %q is not under a client; skipped", w.ID)
		}
	}
	// Pass 1: eligible clients and their parsed, filtered addresses.
	type pdev struct {
		d     *wnode
		cands []int
	}
	type pclient struct {
		w        *wnode
		strategy string
		devs     []pdev
		filtered []string // addresses removed by ip_ranges, with the reason
	}
	var clients []*pclient
	var cands []candidate
	seenClient := map[string]bool{}
	for _, w := range c.nodes {
		if w.Kind != KindClient || w.dropped || seenClient[w.ID] {
			continue
		}
		seenClient[w.ID] = true
		strategy := c.o.Suspended
		if w.SuspendedStrategy != "" {
			if s, err := NormalizeSuspended(w.SuspendedStrategy); err == nil {
				strategy = s
			}
		}
		if w.Suspended && strategy == SuspendIgnore {
			c.sum.SuspendedIgnored++
			continue
		}
		pc := &pclient{w: w, strategy: strategy}
		ci := len(clients)
		clients = append(clients, pc)
		for _, d := range w.children {
			if d.Kind != KindDevice {
				continue
			}
			pd := pdev{d: d}
			seen := map[netip.Prefix]bool{}
			for _, raw := range d.IPs {
				if strings.TrimSpace(raw) == "" {
					continue
				}
				p, err := ParseIP(raw)
				if err != nil {
					c.sum.DroppedIPs++
					c.warnf("circuit %q device %q: %v; dropped", w.ID, d.ID, err)
					continue
				}
				if seen[p] {
					continue
				}
				seen[p] = true
				if ok, why := c.o.Filter.Permit(p); !ok {
					c.sum.DroppedIPs++
					pc.filtered = append(pc.filtered, p.String()+" "+why)
					continue
				}
				pd.cands = append(pd.cands, len(cands))
				cands = append(cands, candidate{p: p, client: ci})
			}
			pc.devs = append(pc.devs, pd)
		}
	}
	// Pass 2: an address claimed by an earlier circuit is omitted from later ones.
	resolveOverlaps(cands)
	// Pass 3: assemble circuits from what survived.
	var out []*pendingCircuit
	deviceIDs := map[string]bool{}
	for ci, pc := range clients {
		w := pc.w
		circ := &devices.Circuit{ID: w.ID, Name: w.displayName()}
		if c.o.CircuitNameAsAddress && strings.TrimSpace(w.Address) != "" {
			circ.Name = w.Address
		}
		for _, pd := range pc.devs {
			dev := &devices.Device{ID: pd.d.deviceID(), Name: pd.d.displayName(), MAC: pd.d.MAC}
			for _, i := range pd.cands {
				x := cands[i]
				if x.lost {
					c.sum.DroppedIPs++
					if x.owner != ci {
						c.warnf("circuit %q device %q: %s is already used by circuit %q; omitted", w.ID, pd.d.ID, x.p, clients[x.owner].w.ID)
					}
					continue
				}
				if x.p.Addr().Is4() {
					dev.IPv4 = append(dev.IPv4, x.p)
				} else {
					dev.IPv6 = append(dev.IPv6, x.p)
				}
			}
			if len(dev.IPv4)+len(dev.IPv6) == 0 {
				continue
			}
			if deviceIDs[dev.ID] {
				c.warnf("device id %q appears twice; the second (circuit %q) is skipped", dev.ID, w.ID)
				continue
			}
			deviceIDs[dev.ID] = true
			circ.Devices = append(circ.Devices, dev)
		}
		if len(circ.Devices) == 0 {
			c.sum.SkippedNoIP = append(c.sum.SkippedNoIP, w.ID)
			if len(pc.filtered) > 0 {
				c.sum.FilteredOut++
				c.warnf("circuit %q (%s) dropped: every address was removed by ip_ranges (%s)", w.ID, w.displayName(), strings.Join(pc.filtered, "; "))
			}
			continue
		}
		r := w.Rates
		if w.Suspended {
			switch pc.strategy {
			case SuspendSlow:
				r = Rates{c.o.SlowMbps, c.o.SlowMbps, c.o.SlowMbps, c.o.SlowMbps}
				c.sum.SuspendedSlowed++
			case SuspendBlock:
				r = Rates{BlockMbps, BlockMbps, BlockMbps, BlockMbps}
				c.sum.SuspendedBlocked++
			default:
				c.sum.SuspendedFull++
			}
		}
		circ.DownloadMin, circ.DownloadMax = sane(r.DownloadMin, r.DownloadMax)
		circ.UploadMin, circ.UploadMax = sane(r.UploadMin, r.UploadMax)
		out = append(out, &pendingCircuit{circuit: circ, parent: c.attach(w)})
	}
	if n := len(c.sum.SkippedNoIP); n > 0 {
		sample := c.sum.SkippedNoIP
		if len(sample) > 10 {
			sample = sample[:10]
		}
		c.warnf("%d circuits have no usable IP address and were skipped: %s", n, strings.Join(sample, ", "))
	}
	return out
}

// candidate is one address of one circuit; its index is its priority
// (earlier circuits win).
type candidate struct {
	p      netip.Prefix
	client int
	lost   bool
	owner  int // client that keeps the address when lost
}

func containsPrefix(a, b netip.Prefix) bool {
	return a.Addr().BitLen() == b.Addr().BitLen() && a.Bits() <= b.Bits() && a.Contains(b.Addr())
}

// resolveOverlaps marks every address that overlaps one of an earlier
// candidate as lost. Prefixes are nested or disjoint, so after sorting by
// start address a stack of the open enclosing prefixes finds every overlap
// in O(n log n).
func resolveOverlaps(cands []candidate) {
	idx := make([]int, len(cands))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(i, j int) bool {
		a, b := cands[idx[i]].p, cands[idx[j]].p
		if a.Addr().BitLen() != b.Addr().BitLen() {
			return a.Addr().BitLen() < b.Addr().BitLen()
		}
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c < 0
		}
		if a.Bits() != b.Bits() {
			return a.Bits() < b.Bits()
		}
		return idx[i] < idx[j]
	})
	var stack []int
	for _, i := range idx {
		cur := &cands[i]
		for len(stack) > 0 && !containsPrefix(cands[stack[len(stack)-1]].p, cur.p) {
			stack = stack[:len(stack)-1]
		}
		earliest := -1
		for _, s := range stack {
			if s < i && (earliest < 0 || s < earliest) {
				earliest = s
			}
		}
		if earliest >= 0 {
			cur.lost, cur.owner = true, cands[earliest].client
			continue
		}
		// Every enclosing prefix belongs to a later candidate: they give way.
		for _, s := range stack {
			cands[s].lost, cands[s].owner = true, cur.client
		}
		stack = append(stack[:0], i)
	}
}

// sane keeps rates within what ShapedDevices.csv accepts: at least the block
// rate, min never above max.
func sane(lo, hi float64) (float64, float64) {
	if !(hi >= BlockMbps) {
		hi = BlockMbps
	}
	if !(lo >= BlockMbps) {
		lo = BlockMbps
	}
	if lo > hi {
		lo = hi
	}
	return lo, hi
}

// attach picks the node a circuit hangs from in the current mode.
func (c *compiler) attach(client *wnode) *wnode {
	switch c.o.Mode {
	case ModeFlat:
		return nil
	case ModeAPOnly:
		for x := client.parent; x != nil; x = x.parent {
			if x.Kind == KindAP {
				return x
			}
		}
		return nil
	case ModeAPSite:
		for x := client.parent; x != nil; x = x.parent {
			if x.Kind == KindAP {
				return x
			}
		}
		for x := client.parent; x != nil; x = x.parent {
			if x.Kind == KindSite && !x.generated {
				return x
			}
		}
		return nil
	}
	for x := client.parent; x != nil; x = x.parent {
		if (x.Kind == KindSite || x.Kind == KindAP) && !x.generated {
			return x
		}
	}
	return nil
}

// capacities computes each infrastructure node's rate: its own (or the
// default) capped by its parent's, top-level nodes capped by the interface rates.
func (c *compiler) capacities() {
	var walk func(w *wnode, down, up float64)
	walk = func(w *wnode, down, up float64) {
		d, u := w.DownloadMbps, w.UploadMbps
		if d <= 0 {
			d = c.o.DefaultDownloadMbps
		}
		if u <= 0 {
			u = c.o.DefaultUploadMbps
		}
		if down > 0 && d > down {
			d = down
		}
		if up > 0 && u > up {
			u = up
		}
		w.effDown, w.effUp = Round2(d), Round2(u)
		for _, ch := range w.children {
			if ch.Kind == KindSite || ch.Kind == KindAP {
				walk(ch, w.effDown, w.effUp)
			}
		}
	}
	for _, w := range c.nodes {
		if !w.dropped && w.parent == nil && (w.Kind == KindSite || w.Kind == KindAP) {
			walk(w, c.o.CapDownloadMbps, c.o.CapUploadMbps)
		}
	}
}

// network builds the exported tree for the mode and names its nodes uniquely.
func (c *compiler) network(circuits []*pendingCircuit) *topology.Network {
	for _, pc := range circuits {
		if pc.parent != nil {
			pc.parent.circuits++
		}
	}
	type exp struct {
		w        *wnode
		children []*exp
	}
	var roots []*exp
	switch c.o.Mode {
	case ModeFull:
		var build func(w *wnode) *exp
		build = func(w *wnode) *exp {
			e := &exp{w: w}
			for _, ch := range w.children {
				if ch.Kind == KindSite || ch.Kind == KindAP {
					e.children = append(e.children, build(ch))
				}
			}
			return e
		}
		for _, w := range c.nodes {
			if !w.dropped && w.parent == nil && (w.Kind == KindSite || w.Kind == KindAP) {
				roots = append(roots, build(w))
			}
		}
	case ModeAPOnly:
		for _, w := range c.nodes {
			if w.Kind == KindAP && w.circuits > 0 {
				roots = append(roots, &exp{w: w})
			}
		}
	case ModeAPSite:
		bySite := map[*wnode]*exp{}
		synthetic := 0
		site := func(w *wnode) *exp {
			if e := bySite[w]; e != nil {
				return e
			}
			e := &exp{w: w}
			bySite[w] = e
			roots = append(roots, e)
			return e
		}
		for _, w := range c.nodes {
			switch {
			case w.Kind == KindSite && !w.generated && w.circuits > 0:
				site(w)
			case w.Kind == KindAP && w.circuits > 0:
				var s *wnode
				for x := w.parent; x != nil; x = x.parent {
					if x.Kind == KindSite && !x.generated {
						s = x
						break
					}
				}
				if s == nil {
					synthetic++
					s = &wnode{Node: &Node{ID: "ap_site_" + strconv.Itoa(synthetic), Name: w.displayName() + " (site)", Kind: KindSite,
						NetworkID: "libreqos:generated:ap_site:" + strconv.Itoa(synthetic)}, generated: true, effDown: w.effDown, effUp: w.effUp}
				}
				e := site(s)
				e.children = append(e.children, &exp{w: w})
			}
		}
	}
	// Unique names: first in export order keeps the name; later ones get " (<id>)", then a counter.
	used := map[string]bool{}
	usedIDs := map[string]bool{}
	var name func(e *exp)
	name = func(e *exp) {
		base := strings.TrimSpace(e.w.displayName())
		if base == "" {
			base = e.w.ID
		}
		n := base
		if used[n] {
			n = base + " (" + e.w.ID + ")"
			for i := 2; used[n]; i++ {
				n = base + " (" + e.w.ID + ") " + strconv.Itoa(i)
			}
			c.warnf("node name %q is used more than once; %s %q exported as %q", base, e.w.Kind, e.w.ID, n)
		}
		used[n] = true
		e.w.export = n
		// Ids must be unique too: circuits resolve their parent by id first.
		if id := e.w.NetworkID; id != "" {
			if usedIDs[id] {
				nid := id + ":" + e.w.ID
				for i := 2; usedIDs[nid]; i++ {
					nid = id + ":" + e.w.ID + ":" + strconv.Itoa(i)
				}
				c.warnf("node id %q is used more than once; %s %q exported with id %q", id, e.w.Kind, n, nid)
				e.w.NetworkID = nid
			}
			usedIDs[e.w.NetworkID] = true
		}
		for _, ch := range e.children {
			name(ch)
		}
	}
	for _, r := range roots {
		name(r)
	}
	var conv func(e *exp, parent *topology.Node) *topology.Node
	conv = func(e *exp, parent *topology.Node) *topology.Node {
		n := &topology.Node{Name: e.w.export, ID: e.w.NetworkID, Type: e.w.Kind.String(), DownloadMbps: e.w.effDown, UploadMbps: e.w.effUp, Parent: parent}
		if e.w.Latitude != nil && e.w.Longitude != nil {
			lat, lon := *e.w.Latitude, *e.w.Longitude
			n.Latitude, n.Longitude = &lat, &lon
		}
		for _, ch := range e.children {
			n.Children = append(n.Children, conv(ch, n))
		}
		return n
	}
	nw := &topology.Network{Path: "network.json"}
	for _, r := range roots {
		nw.Roots = append(nw.Roots, conv(r, nil))
	}
	// Circuits whose parent is not exported (cannot happen by construction,
	// but a stale pointer must never produce a dangling Parent Node).
	for _, pc := range circuits {
		if pc.parent != nil && pc.parent.export == "" {
			c.warnf("circuit %q: parent %q is not in network.json; left unparented", pc.circuit.ID, pc.parent.ID)
			pc.parent = nil
		}
	}
	return nw
}

// NetworkJSON renders the tree as network.json text.
func (r *Result) NetworkJSON() []byte { return r.Network.Encode() }

// ShapedDevicesCSV renders the circuits as ShapedDevices.csv text.
func (r *Result) ShapedDevicesCSV() []byte { return devices.Encode(r.Circuits) }

// Validate parses both outputs back with the shaper's own readers and checks
// that every circuit's parent exists. A compile bug must never reach disk.
func (r *Result) Validate() error {
	nw, nd := topology.Parse("network.json", r.NetworkJSON())
	if err := nd.Err(); err != nil {
		return fmt.Errorf("generated network.json does not parse: %w", err)
	}
	f, dd := devices.Parse("ShapedDevices.csv", r.ShapedDevicesCSV())
	if err := dd.Err(); err != nil {
		return fmt.Errorf("generated ShapedDevices.csv does not parse: %w", err)
	}
	res := topology.NewResolver(nw)
	for _, c := range f.Circuits {
		if c.ParentNode == "" && c.ParentNodeID == "" {
			continue
		}
		n := res.Resolve(c.ParentNodeID, c.ParentNode)
		if n == nil || n.Name != c.ParentNode {
			return fmt.Errorf("generated ShapedDevices.csv line %d: circuit %q parent %q (%s) is not in network.json", c.Line, c.ID, c.ParentNode, c.ParentNodeID)
		}
	}
	return nil
}

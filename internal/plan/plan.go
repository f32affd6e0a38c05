package plan

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"github.com/libreqos-go/lqos/internal/topology"
)

// MaxNodeLevels is how many levels of network.json nodes are shaped; deeper
// nodes are attached to their level-5 ancestor (HTB allows 8 levels in all).
const MaxNodeLevels = 6

// MaxQueues bounds the per-direction queue count so that queue majors, their
// infrastructure leaf handles (0x2000+2*major) and circuit leaf handles
// (0x9000 up) never collide.
const MaxQueues = 4096

// GeneratedPrefix names the generated parent nodes (Generated_PN_1..N).
const GeneratedPrefix = "Generated_PN_"

// CPUBinPrefix names the binpacking bin nodes (CpueQueue0..N-1).
const CPUBinPrefix = "CpueQueue"

// Binpacking tuning, as upstream: an item moves at most once an hour, and only
// when the move narrows the load gap by more than 3% of the total weight.
const (
	binCooldown   = time.Hour
	binHysteresis = 0.03
)

// Input is everything the planner needs. It is not modified.
type Input struct {
	Config  *config.Config
	Devices *devices.File
	Network *topology.Network // nil or empty = flat network
	// TXQueues is the number of hardware TX queues usable for shaping, already
	// reduced to the CPU count and to the smaller of the two interfaces by the
	// caller (override_available_queues applied). On a stick it is halved here.
	TXQueues int
	// QueueCPUs[i] is the CPU that handles queue i+1 (and, on a stick, the
	// upload queue i+1+offset takes QueueCPUs[(i+offset) % len]): the
	// shaping cores, so exclude_efficiency_cores keeps subscribers off the
	// efficiency cores whatever their numbers. Nil = queue i+1 on CPU i.
	QueueCPUs []uint32
	// Previous is the identity state of the last run; nil = first run.
	Previous *Identities
	// Now is the clock for binpacking cooldowns; zero = time.Now().
	Now time.Time
}

// NodeKind tells the three sorts of node classes apart.
type NodeKind int

const (
	NodeSite      NodeKind = iota // from network.json
	NodeGenerated                 // Generated_PN_k
	NodeCPUBin                    // CpueQueueK (binpacking)
)

func (k NodeKind) String() string {
	return [...]string{"site", "generated", "cpu_bin"}[k]
}

// DirRates is one direction of a node or circuit.
type DirRates struct {
	MinMbps float64 // HTB rate before conversion
	MaxMbps float64 // HTB ceil before conversion
	RateBps uint64
	CeilBps uint64
	Quantum uint32
	Leaf    Leaf // circuits only
}

// NodePlan is one planned node.
type NodePlan struct {
	Key           string // identity key (see NodeKey)
	Name          string
	ID            string
	Type          string
	Kind          NodeKind
	Queue         int
	Depth         int    // 1 = top level (a CPU bin, when binpacking, is level 1)
	Parent        string // parent node name; "" = top level
	ClassID       tchandle.Handle
	UpClassID     tchandle.Handle
	ParentClassID tchandle.Handle
	UpParentClass tchandle.Handle
	CPU           uint32
	UpCPU         uint32
	Down, Up      DirRates
	Children      []string // names, traversal order
	Circuits      []string // circuit IDs, traversal order
	Weight        float64
	Flattened     bool   // attached to its level-5 ancestor by the depth limit
	Identity      string // "kept", "new" or "moved"
	// Latitude and Longitude from network.json (nil when not given); shown
	// on the web UI's site map, never used for shaping.
	Latitude, Longitude *float64
}

// CircuitPlan is one shaped circuit.
type CircuitPlan struct {
	ID            string
	Name          string
	Node          string // physical node name it hangs from
	ParentNode    string // as written in the CSV
	ParentNodeID  string
	Queue         int
	ClassID       tchandle.Handle
	UpClassID     tchandle.Handle
	ParentClassID tchandle.Handle
	UpParentClass tchandle.Handle
	CPU           uint32
	UpCPU         uint32
	Down, Up      DirRates
	LeafHandle    tchandle.Handle // major:0, shared by both directions; 0 = none could be allocated
	SQM           string
	Weight        float64
	Devices       []*devices.Device
	Line          int
	Identity      string // "kept", "new" or "moved"
}

// Unshaped is a circuit that got no class and no mapping.
type Unshaped struct {
	CircuitID    string   `json:"circuit_id"`
	CircuitName  string   `json:"circuit_name,omitempty"`
	ParentNode   string   `json:"parent_node,omitempty"`
	ParentNodeID string   `json:"parent_node_id,omitempty"`
	Reason       string   `json:"reason"` // "unknown_parent", "invalid_rates"
	Line         int      `json:"line,omitempty"`
	Devices      []string `json:"devices,omitempty"`
}

// Plan is the planner's result.
type Plan struct {
	Tree              *Tree
	Queues            int // per direction
	StickOffset       int // upload majors are download majors + this (on a stick)
	OnAStick          bool
	Observe           bool
	Flat              bool
	DownloadInterface string
	UploadInterface   string
	Nodes             []*NodePlan    // traversal order (pre-order)
	Circuits          []*CircuitPlan // traversal order
	Unshaped          []Unshaped
	// Oversubscribed lists each node and direction whose children's
	// minimums exceeded the node's guarantee (pre-order, download first).
	Oversubscribed    []Oversubscription
	Warnings          []string
	LogicalToPhysical map[string]string // only when virtual nodes exist
	VirtualNodes      []string
	LastMinor         map[int]int // queue -> highest minor used + 1
	Stats             Stats
	Identities        *Identities // state to save for the next run
}

// NodeKey is the identity key of a network.json node: its stable id when it
// has one (renaming keeps the classes), else its name.
func NodeKey(n *topology.Node) string {
	if n.ID != "" {
		return "id:" + n.ID
	}
	return "name:" + n.Name
}

type pnode struct {
	key, name, id, typ string
	kind               NodeKind
	src                *topology.Node
	rateParent         *pnode // original physical parent (rates inherit from it)
	parent             *pnode // class parent (after depth flattening)
	children           []*pnode
	circuits           []*pcircuit
	depth              int
	flattened          bool
	queue              int
	minor              uint16
	identity           string
	downMin, downMax   float64
	upMin, upMax       float64
	weight             float64
	since              int64
	plan               *NodePlan
	natDown, natUp     float64 // rates before fitting to the parent
}

type pcircuit struct {
	c            *devices.Circuit
	prev         CircuitIdentity // last run's identity, looked up once
	hasPrev      bool
	node         *pnode
	weight       float64
	minor        uint16
	leaf         uint16
	identity     string
	since        int64
	downMin      float64
	downMax      float64
	upMin, upMax float64
}

type builder struct {
	in               Input
	cfg              *config.Config
	n, offset        int
	stick            bool
	capDown, capUp   float64
	r2qDown, r2qUp   uint32
	r2qInfra         uint32
	leaf             leafRules
	prev             *Identities
	now              time.Time
	p                *Plan
	nodes            []*pnode // original pre-order, generated and bins appended
	byName           map[string]*pnode
	top              []*pnode // top-level in traversal order
	circuits         []*pcircuit
	generated        []*pnode
	binpack, observe bool
	sticky           bool // previous placements are honoured (same queue count)
	fitScratch       []uint64
}

// Build computes the whole plan. It never panics on odd inputs; impossible
// ones (no queues, minor space exhausted, a node named like a generated one)
// return an error and no plan.
func Build(in Input) (*Plan, error) {
	if in.Config == nil {
		return nil, errors.New("plan: no configuration")
	}
	if in.TXQueues <= 0 {
		return nil, fmt.Errorf("plan: %d TX queues available; at least 1 is needed (2 on a stick)", in.TXQueues)
	}
	cfg := in.Config
	if cfg.Bridge == nil && cfg.SingleInterface == nil {
		return nil, errors.New("plan: configuration has neither [bridge] nor [single_interface]")
	}
	b := &builder{in: in, cfg: cfg, prev: in.Previous, now: in.Now}
	if b.prev == nil {
		b.prev = NewIdentities()
	}
	if b.now.IsZero() {
		b.now = time.Now()
	}
	b.stick = cfg.OnAStick()
	b.n = in.TXQueues
	if b.stick {
		b.n = in.TXQueues / 2
		b.offset = b.n
		if b.n == 0 {
			return nil, fmt.Errorf("plan: on a stick the %d TX queue(s) are split between download and upload; at least 2 are needed", in.TXQueues)
		}
	}
	b.sticky = b.prev.Queues == b.n || b.prev.Queues == 0
	if b.n > MaxQueues {
		return nil, fmt.Errorf("plan: %d queues per direction exceed the supported %d", b.n, MaxQueues)
	}
	q := cfg.Queues
	if q.DownlinkBandwidthMbps == 0 || q.UplinkBandwidthMbps == 0 {
		return nil, errors.New("plan: queues.downlink_bandwidth_mbps and uplink_bandwidth_mbps must be greater than 0")
	}
	// Download is capped by downlink, upload by uplink (upstream's planner
	// caps both with uplink).
	b.capDown, b.capUp = float64(q.DownlinkBandwidthMbps), float64(q.UplinkBandwidthMbps)
	b.r2qDown, b.r2qUp = R2Q(q.DownlinkBandwidthMbps), R2Q(q.UplinkBandwidthMbps)
	b.r2qInfra = R2Q(max(q.DownlinkBandwidthMbps, q.UplinkBandwidthMbps))
	b.leaf = newLeafRules(q.DefaultSQM, cfg.FastQueuesThreshold(), q.MissingLeafKinds)
	b.binpack = q.UseBinpacking
	b.observe = cfg.Observe()
	b.p = &Plan{
		Queues: b.n, StickOffset: b.offset, OnAStick: b.stick, Observe: b.observe,
		DownloadInterface: cfg.NetworkInterface(), UploadInterface: cfg.InternetInterface(),
		LastMinor: map[int]int{},
	}
	steps := []func() error{
		b.buildNodes, b.attachCircuits, b.placeUnparented, b.placeTopLevel,
		b.computeRates, b.assignIdentities, b.emit,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return b.p, nil
}

func (b *builder) warnf(format string, args ...any) {
	b.p.Warnings = append(b.p.Warnings, fmt.Sprintf(format, args...))
}

// buildNodes turns the physical network into planner nodes, applying the depth
// limit, and adds the generated parent nodes.
func (b *builder) buildNodes() error {
	phys := &topology.Network{}
	if b.in.Network != nil {
		var logical map[string]string
		var err error
		phys, logical, err = b.in.Network.Physical()
		if err != nil {
			return fmt.Errorf("plan: network.json: %w", err)
		}
		if b.in.Network.HasVirtual() {
			b.p.LogicalToPhysical = logical
			b.in.Network.Walk(func(n *topology.Node) bool {
				if n.IsVirtual() {
					b.p.VirtualNodes = append(b.p.VirtualNodes, n.Name)
				}
				return true
			})
		}
	}
	b.p.Flat = phys.Flat()
	b.byName = map[string]*pnode{}
	keys := map[string]bool{}
	var walk func(ns []*topology.Node, rateParent, anchor *pnode, depth int) error
	walk = func(ns []*topology.Node, rateParent, anchor *pnode, depth int) error {
		for _, tn := range ns {
			k, isGenerated := generatedIndex(tn.Name)
			switch {
			case isGenerated && depth == 1 && len(tn.Children) > 0:
				return fmt.Errorf("plan: network.json line %d: node %q has child nodes, but generated parent nodes are recreated on every run and their children would be lost (upstream drops them silently); move the children under a node of your own", tn.Line, tn.Name)
			case isGenerated && depth == 1 && k <= b.n:
				// Upstream's flat and binpacking outputs list the generated
				// parent nodes themselves; as upstream, the generated node of
				// that name takes the file's place (with the generated rates)
				// and circuits naming it hang from it.
				if tn.DownloadMbps != 0 && tn.DownloadMbps != float64(b.cfg.Queues.GeneratedPNDownloadMbps) ||
					tn.UploadMbps != 0 && tn.UploadMbps != float64(b.cfg.Queues.GeneratedPNUploadMbps) {
					b.warnf("network.json line %d: %q is a generated parent node; its rates come from queues.generated_pn_download_mbps/generated_pn_upload_mbps (%d/%d), not from the file (%v/%v)",
						tn.Line, tn.Name, b.cfg.Queues.GeneratedPNDownloadMbps, b.cfg.Queues.GeneratedPNUploadMbps, tn.DownloadMbps, tn.UploadMbps)
				}
				continue
			case isGenerated && depth == 1:
				// Beyond the queue count upstream keeps it as an ordinary node.
			case isReservedName(tn.Name):
				return fmt.Errorf("plan: network.json line %d: node name %q is reserved for generated nodes; rename it", tn.Line, tn.Name)
			}
			key := NodeKey(tn)
			if keys[key] {
				// Duplicate id: names are unique, so fall back to the name.
				b.warnf("network.json line %d: node %q repeats id %q; its queue identity follows its name", tn.Line, tn.Name, tn.ID)
				key = "name:" + tn.Name
			}
			keys[key] = true
			pn := &pnode{key: key, name: tn.Name, id: tn.ID, typ: tn.Type, kind: NodeSite, src: tn, rateParent: rateParent, depth: depth}
			pn.parent = rateParent
			if depth > MaxNodeLevels {
				pn.parent, pn.depth, pn.flattened = anchor, MaxNodeLevels, true
			}
			if pn.parent != nil {
				pn.parent.children = append(pn.parent.children, pn)
			}
			b.nodes = append(b.nodes, pn)
			b.byName[pn.name] = pn
			nextAnchor := anchor
			if depth == MaxNodeLevels-1 {
				nextAnchor = pn
			}
			if err := walk(tn.Children, pn, nextAnchor, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(phys.Roots, nil, nil, 1); err != nil {
		return err
	}
	qc := b.cfg.Queues
	for k := 1; k <= b.n; k++ {
		name := GeneratedPrefix + strconv.Itoa(k)
		pn := &pnode{key: "name:" + name, name: name, typ: "site", kind: NodeGenerated, depth: 1,
			downMax: float64(qc.GeneratedPNDownloadMbps), upMax: float64(qc.GeneratedPNUploadMbps)}
		b.generated = append(b.generated, pn)
		b.nodes = append(b.nodes, pn)
		b.byName[name] = pn
	}
	return nil
}

// generatedNode returns the generated node of that name in this plan, or nil.
func (b *builder) generatedNode(name string) *pnode {
	if k, ok := generatedIndex(name); ok && k <= len(b.generated) {
		return b.generated[k-1]
	}
	return nil
}

// generatedIndex returns k for "Generated_PN_k" (k >= 1).
func generatedIndex(name string) (int, bool) {
	rest, found := strings.CutPrefix(name, GeneratedPrefix)
	if !found || rest == "" || rest[0] == '0' || strings.Trim(rest, "0123456789") != "" {
		return 0, false
	}
	k, err := strconv.Atoi(rest)
	return k, err == nil && k >= 1
}

func isReservedName(name string) bool {
	for _, p := range []string{GeneratedPrefix, CPUBinPrefix} {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" && strings.Trim(rest, "0123456789") == "" {
			return true
		}
	}
	return false
}

// validRates guards against inputs that did not come through the CSV
// reader's checks: every rate must be a finite, positive number.
func validRates(c *devices.Circuit) bool {
	for _, v := range []float64{c.DownloadMin, c.UploadMin, c.DownloadMax, c.UploadMax} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return false
		}
	}
	return true
}

// circuitWeight is upstream's weight without its hosted weight service.
func circuitWeight(c *devices.Circuit) float64 {
	return math.Max(1, math.Round(c.DownloadMax/2))
}

// attachCircuits resolves each circuit's parent: by node id, else by node
// name (key, name or active_attachment_name). Unparented ones
// (and all of them in a flat network) wait for placeUnparented.
func (b *builder) attachCircuits() error {
	if b.in.Devices == nil {
		return nil
	}
	var resolver *topology.Resolver
	if b.in.Network != nil && !b.p.Flat {
		resolver = topology.NewResolver(b.in.Network)
	}
	b.circuits = make([]*pcircuit, 0, len(b.in.Devices.Circuits))
	store := make([]pcircuit, len(b.in.Devices.Circuits)) // one allocation for all
	for _, c := range b.in.Devices.Circuits {
		if c == nil {
			continue
		}
		if !validRates(c) {
			b.unshaped(c, "invalid_rates")
			continue
		}
		pc := &store[len(b.circuits)]
		*pc = pcircuit{c: c, weight: circuitWeight(c)}
		pc.prev, pc.hasPrev = b.prev.Circuits[c.ID]
		if resolver != nil {
			var ln *topology.Node
			if c.ParentNode != "" || c.ParentNodeID != "" {
				ln = resolver.Resolve(c.ParentNodeID, c.ParentNode)
			}
			switch {
			case ln != nil:
				// Virtual nodes hand their circuits to the nearest real ancestor;
				// a top-level virtual node leaves them unparented.
				phys := ln.Name
				if b.p.LogicalToPhysical != nil {
					phys = b.p.LogicalToPhysical[ln.Name]
				}
				if phys != "" {
					pc.node = b.byName[phys]
				}
			case c.ParentNode != "" && b.generatedNode(c.ParentNode) != nil:
				// Upstream's generated nodes exist in every plan, listed in
				// network.json or not; a circuit naming one hangs from it.
				pc.node = b.generatedNode(c.ParentNode)
			case c.ParentNode != "":
				b.unshaped(c, "unknown_parent")
				continue
			}
		}
		b.circuits = append(b.circuits, pc)
	}
	return nil
}

func (b *builder) unshaped(c *devices.Circuit, reason string) {
	u := Unshaped{CircuitID: c.ID, CircuitName: c.Name, ParentNode: c.ParentNode, ParentNodeID: c.ParentNodeID, Reason: reason, Line: c.Line}
	for _, d := range c.Devices {
		u.Devices = append(u.Devices, d.ID)
	}
	b.p.Unshaped = append(b.p.Unshaped, u)
}

// prevGenerated returns the generated node index a circuit used last run.
func (b *builder) prevGenerated(pc *pcircuit) (int, bool) {
	if !b.sticky || !pc.hasPrev {
		return 0, false
	}
	name, ok := strings.CutPrefix(pc.prev.Parent, "name:"+GeneratedPrefix)
	if !ok {
		return 0, false
	}
	k, err := strconv.Atoi(name)
	if err != nil || k < 1 || k > b.n {
		return 0, false
	}
	return k - 1, true
}

// placeUnparented spreads circuits without a parent over the generated nodes.
func (b *builder) placeUnparented() error {
	var un []*pcircuit
	for _, pc := range b.circuits {
		if pc.node == nil {
			un = append(un, pc)
		}
	}
	if len(un) == 0 {
		return b.joinCircuits()
	}
	if b.binpack {
		items := make([]BinItem, len(un))
		prev := map[string]int{}
		last := map[string]time.Time{}
		for i, pc := range un {
			items[i] = BinItem{ID: pc.c.ID, Weight: pc.weight}
			if k, ok := b.prevGenerated(pc); ok {
				prev[pc.c.ID] = k
				if t, ok := unixOrZero(pc.prev.Since); ok {
					last[pc.c.ID] = t
				}
			}
		}
		budget := 1
		if b.observe {
			budget = 0
		}
		res := StableGreedy(items, b.n, prev, last, b.now, BinParams{MoveBudget: budget, Cooldown: binCooldown, Hysteresis: binHysteresis})
		for _, pc := range un {
			pc.node = b.generated[res.Assign[pc.c.ID]]
		}
		return b.joinCircuits()
	}
	for i, k := range stickyRoundRobin(len(un), b.n, func(i int) (int, bool) { return b.prevGenerated(un[i]) }) {
		un[i].node = b.generated[k]
	}
	return b.joinCircuits()
}

// joinCircuits lists every circuit under its node (CSV order for now).
func (b *builder) joinCircuits() error {
	for _, pc := range b.circuits {
		pc.node.circuits = append(pc.node.circuits, pc)
	}
	return nil
}

// placeTopLevel gives every top-level node a queue: sorted round robin that
// remembers earlier placements, or binpacking bins.
func (b *builder) placeTopLevel() error {
	var roots []*pnode
	for _, pn := range b.nodes {
		if pn.depth == 1 && pn.rateParent == nil && pn.kind == NodeSite {
			roots = append(roots, pn)
		}
	}
	prevQueue := func(key string) (int, bool) {
		if !b.sticky {
			return 0, false
		}
		e, ok := b.prev.Nodes[key]
		if !ok || e.Queue < 1 || e.Queue > b.n {
			return 0, false
		}
		return e.Queue - 1, true
	}
	if b.binpack && !b.p.Flat {
		return b.placeBins(roots, prevQueue)
	}
	top := append(slices.Clone(roots), b.generated...)
	slices.SortFunc(top, func(x, y *pnode) int { return strings.Compare(x.name, y.name) })
	prevTop := func(i int) (int, bool) {
		key := top[i].key
		if e, ok := b.prev.Nodes[key]; !ok || e.Parent != "" {
			return 0, false
		}
		return prevQueue(key)
	}
	for i, k := range stickyRoundRobin(len(top), b.n, prevTop) {
		top[i].queue = k + 1
	}
	b.top = top
	return nil
}

// placeBins wraps top-level nodes into CPU bin nodes (one per queue) using the
// stable greedy planner.
func (b *builder) placeBins(roots []*pnode, prevQueue func(string) (int, bool)) error {
	items := make([]BinItem, len(roots))
	prev := map[string]int{}
	last := map[string]time.Time{}
	for i, pn := range roots {
		items[i] = BinItem{ID: pn.key, Weight: subtreeWeight(pn)}
		if k, ok := prevQueue(pn.key); ok {
			prev[pn.key] = k
			if t, ok := unixOrZero(b.prev.Nodes[pn.key].Since); ok {
				last[pn.key] = t
			}
		}
	}
	budget := max(1, min(32, len(items)/100))
	if b.observe {
		budget = 0
	}
	res := StableGreedy(items, b.n, prev, last, b.now, BinParams{MoveBudget: budget, Cooldown: binCooldown, Hysteresis: binHysteresis})
	bins := make([]*pnode, b.n)
	for k := range bins {
		name := CPUBinPrefix + strconv.Itoa(k)
		bins[k] = &pnode{key: "bin:" + name, name: name, typ: "site", kind: NodeCPUBin, depth: 1, queue: k + 1}
	}
	for _, g := range b.generated {
		k, _ := strconv.Atoi(strings.TrimPrefix(g.name, GeneratedPrefix))
		bin := bins[(k-1)%b.n]
		g.parent, g.rateParent = bin, bin
		bin.children = append(bin.children, g)
	}
	for _, pn := range roots {
		bin := bins[res.Assign[pn.key]]
		pn.parent, pn.rateParent = bin, bin
		bin.children = append(bin.children, pn)
	}
	// Every node below a bin is one level deeper than in network.json.
	for _, pn := range b.nodes {
		pn.depth++
	}
	b.nodes = append(bins, b.nodes...)
	b.top = bins
	return nil
}

// subtreeWeight sums the circuit weights below pn (at least 1) and records it.
func subtreeWeight(pn *pnode) float64 {
	w := 0.0
	var walk func(*pnode)
	walk = func(x *pnode) {
		for _, pc := range x.circuits {
			w += pc.weight
		}
		for _, c := range x.children {
			walk(c)
		}
	}
	walk(pn)
	if w <= 0 || math.IsNaN(w) || math.IsInf(w, 0) {
		w = 1
	}
	pn.weight = w
	return w
}

// computeRates sets every node's and circuit's min (HTB rate) and max (HTB
// ceil), parents first. A node's children (sub-nodes and circuits) share its
// guarantee: when their minimums add up to more, they are scaled down in
// proportion, per direction (fitChildren). Top-level nodes, and the sites of
// a CPU bin, share a CPU queue rather than a parent class and are not fitted
// to each other.
func (b *builder) computeRates() error {
	defer func() {
		for _, o := range b.p.Oversubscribed {
			b.p.Warnings = append(b.p.Warnings, o.Message())
		}
	}()
	if b.cfg.Queues.UpstreamOversubscription {
		return b.computeRatesUpstream()
	}
	for _, pn := range b.nodes {
		if pn.kind == NodeCPUBin {
			b.binRates(pn)
			continue
		}
		if pn.parent == nil || pn.parent.kind == NodeCPUBin {
			b.naturalNodeRates(pn)
		}
		b.fitChildren(pn)
	}
	return nil
}

// binRates: bins are a bookkeeping level, rate = ceil = the link capacity.
// (Upstream uses generated_pn_* here, which would cap a whole CPU's sites at
// the generated-node speed when that is lower.)
func (b *builder) binRates(pn *pnode) {
	pn.downMin, pn.downMax, pn.upMin, pn.upMax = b.capDown, b.capDown, b.capUp, b.capUp
	pn.natDown, pn.natUp = pn.downMin, pn.upMin
}

// naturalNodeRates applies the node rule (ceil = own capped by the parent's
// ceil, rate below the ceil and capped by the parent's rate) before any
// fitting. A node flattened by the depth limit inherits from its original
// parent's unfitted rate; its class parent fits them all together.
func (b *builder) naturalNodeRates(pn *pnode) {
	b.nodeRulesRates(pn, true)
	pn.natDown, pn.natUp = pn.downMin, pn.upMin
}

// nodeRulesRates sets pn's rate and ceil from its own limits, its circuits'
// minimums and its rate parent. natural: a node flattened by the depth
// limit takes its original parent's unfitted rate.
func (b *builder) nodeRulesRates(pn *pnode, natural bool) {
	pMaxD, pMinD, pMaxU, pMinU := b.capDown, b.capDown, b.capUp, b.capUp
	if rp := pn.rateParent; rp != nil {
		pMaxD, pMinD, pMaxU, pMinU = rp.downMax, rp.downMin, rp.upMax, rp.upMin
		if natural && rp != pn.parent {
			pMinD, pMinU = rp.natDown, rp.natUp
		}
	}
	ownD, ownU, exD, exU := pn.downMax, pn.upMax, 0.0, 0.0
	if pn.src != nil {
		ownD, ownU = pn.src.DownloadMbps, pn.src.UploadMbps
		exD, exU = pn.src.DownloadMinMbps, pn.src.UploadMinMbps
	}
	var sumD, sumU float64
	for _, pc := range pn.circuits {
		sumD += pc.c.DownloadMin
		sumU += pc.c.UploadMin
	}
	pn.downMin, pn.downMax = nodeRates(ownD, exD, sumD, pMaxD, pMinD)
	pn.upMin, pn.upMax = nodeRates(ownU, exU, sumU, pMaxU, pMinU)
}

// cpuFor is the CPU that handles queue q (1-based).
func (b *builder) cpuFor(q int) uint32 {
	if cpus := b.in.QueueCPUs; len(cpus) > 0 {
		return cpus[(q-1)%len(cpus)]
	}
	return uint32(q - 1)
}

// fitChildren computes the rates of pn's children from pn's final rates and
// fits their guarantees into pn's, one direction at a time; a direction that
// fits is left as computed.
func (b *builder) fitChildren(pn *pnode) {
	n := len(pn.children) + len(pn.circuits)
	if n == 0 {
		return
	}
	for _, c := range pn.children {
		b.naturalNodeRates(c)
	}
	for _, pc := range pn.circuits {
		pc.downMin, pc.downMax = circuitRates(pc.c.DownloadMin, pc.c.DownloadMax, pn.downMax, false, false)
		pc.upMin, pc.upMax = circuitRates(pc.c.UploadMin, pc.c.UploadMax, pn.upMax, false, false)
	}
	mins := b.fitScratch[:0]
	for _, dir := range []Direction{Download, Upload} {
		mins = mins[:0]
		for _, c := range pn.children {
			mins = append(mins, kernelBytes(*c.minOf(dir)))
		}
		for _, pc := range pn.circuits {
			mins = append(mins, kernelBytes(*pc.minOf(dir)))
		}
		r := fitGuarantees(mins, kernelBytes(*pn.minOf(dir)))
		if !r.scaled {
			continue
		}
		for i, c := range pn.children {
			*c.minOf(dir) = bytesToMbps(mins[i])
		}
		for i, pc := range pn.circuits {
			*pc.minOf(dir) = bytesToMbps(mins[len(pn.children)+i])
		}
		b.p.Oversubscribed = append(b.p.Oversubscribed, b.oversubscription(pn, dir, n, r))
	}
	b.fitScratch = mins
}

func (pn *pnode) minOf(d Direction) *float64 {
	if d == Upload {
		return &pn.upMin
	}
	return &pn.downMin
}

func (pc *pcircuit) minOf(d Direction) *float64 {
	if d == Upload {
		return &pc.upMin
	}
	return &pc.downMin
}

func (b *builder) oversubscription(pn *pnode, dir Direction, children int, r fitResult) Oversubscription {
	o := Oversubscription{Node: pn.name, Direction: dir, Children: children, Floored: r.floored,
		SumMbps: bytesToMbps(r.sum), RateMbps: bytesToMbps(r.avail)}
	if r.sum > 0 {
		o.Scale = float64(r.avail) / float64(r.sum)
	}
	if pn.src != nil {
		o.src, o.Line = pn.src, pn.src.Line
	}
	return o
}

// computeRatesUpstream is upstream's rule: node rates are not fitted to
// their parent, and when a node's circuit minimums do not fit it in either
// direction, all its circuits get 1 Mbps in both directions, and 10 kbit/s
// when even that does not fit.
func (b *builder) computeRatesUpstream() error {
	for _, pn := range b.nodes {
		if pn.kind == NodeCPUBin {
			b.binRates(pn)
			continue
		}
		b.nodeRulesRates(pn, false)
	}
	for _, pn := range b.nodes {
		if len(pn.circuits) == 0 {
			continue
		}
		var sumD, sumU float64
		for _, pc := range pn.circuits {
			sumD += pc.c.DownloadMin
			sumU += pc.c.UploadMin
		}
		force := sumD > pn.downMin || sumU > pn.upMin
		count := float64(len(pn.circuits))
		squash := force && (count > pn.downMin || count > pn.upMin)
		for _, pc := range pn.circuits {
			pc.downMin, pc.downMax = circuitRates(pc.c.DownloadMin, pc.c.DownloadMax, pn.downMax, force, squash)
			pc.upMin, pc.upMax = circuitRates(pc.c.UploadMin, pc.c.UploadMax, pn.upMax, force, squash)
		}
		for _, d := range []struct {
			dir       Direction
			sum, rate float64
		}{{Download, sumD, pn.downMin}, {Upload, sumU, pn.upMin}} {
			if d.sum > d.rate {
				o := Oversubscription{Node: pn.name, Direction: d.dir, Children: len(pn.circuits), SumMbps: d.sum, RateMbps: d.rate, Upstream: true}
				if pn.src != nil {
					o.src, o.Line = pn.src, pn.src.Line
				}
				b.p.Oversubscribed = append(b.p.Oversubscribed, o)
			}
		}
	}
	return nil
}

func circuitRates(minR, maxR, nodeMax float64, force, squash bool) (float64, float64) {
	maxR = math.Min(maxR, nodeMax)
	if force {
		minR = 1
	}
	minR = math.Min(minR, maxR)
	if squash && minR == 1 {
		minR = minRateMbps
	}
	return strictMin(minR, maxR), maxR
}

// sortTree orders top-level nodes (already in b.top), children by name and
// circuits by name (then ID), and returns the traversal (pre-order).
func (b *builder) sortTree() []*pnode {
	var order []*pnode
	var walk func(*pnode)
	walk = func(pn *pnode) {
		order = append(order, pn)
		slices.SortFunc(pn.children, func(x, y *pnode) int { return strings.Compare(x.name, y.name) })
		slices.SortFunc(pn.circuits, func(x, y *pcircuit) int {
			return cmp.Or(strings.Compare(x.c.Name, y.c.Name), strings.Compare(x.c.ID, y.c.ID))
		})
		for _, c := range pn.children {
			c.queue = pn.queue
			walk(c)
		}
	}
	for _, pn := range b.top {
		walk(pn)
	}
	return order
}

// assignIdentities gives every node and circuit its minor (and every circuit
// its leaf handle), reusing last run's where the object did not move.
func (b *builder) assignIdentities() error {
	order := b.sortTree()
	b.nodes = order
	perQueue := make([][]*pnode, b.n+1)
	for _, pn := range order {
		perQueue[pn.queue] = append(perQueue[pn.queue], pn)
	}
	// Stale minors: held last run by something that is not keeping them now.
	staleByQueue := make([][]uint16, b.n+1)
	keepNode := func(pn *pnode) (NodeIdentity, bool) {
		e, ok := b.prev.Nodes[pn.key]
		return e, ok && e.Queue == pn.queue && e.Parent == parentKey(pn)
	}
	keepCircuit := func(pc *pcircuit) (CircuitIdentity, bool) {
		e := pc.prev
		return e, pc.hasPrev && e.Queue == pc.node.queue && e.Parent == pc.node.key
	}
	// Every minor held last run is off limits to new objects; objects that
	// keep theirs claim them regardless (allocMinors), so listing the kept
	// ones too is harmless and saves a lookup per object.
	for _, e := range b.prev.Nodes {
		if e.Queue >= 1 && e.Queue <= b.n {
			staleByQueue[e.Queue] = append(staleByQueue[e.Queue], e.Minor)
		}
	}
	for _, e := range b.prev.Circuits {
		if e.Queue >= 1 && e.Queue <= b.n {
			staleByQueue[e.Queue] = append(staleByQueue[e.Queue], e.Minor)
		}
	}
	for q := 1; q <= b.n; q++ {
		nodes := perQueue[q]
		var objs []identObj
		for _, pn := range nodes {
			o := identObj{hasChildren: len(pn.children) > 0}
			if e, ok := keepNode(pn); ok {
				o.keep, o.prevMinor = true, e.Minor
			}
			objs = append(objs, o)
		}
		var circ []*pcircuit
		for gi, pn := range nodes {
			for _, pc := range pn.circuits {
				o := identObj{circuit: true, group: gi}
				if e, ok := keepCircuit(pc); ok {
					o.keep, o.prevMinor = true, e.Minor
				}
				objs = append(objs, o)
				circ = append(circ, pc)
			}
		}
		slices.Sort(staleByQueue[q])
		last, err := allocMinors(objs, slices.Compact(staleByQueue[q]))
		if err != nil {
			return fmt.Errorf("plan: queue %d: %w", q, err)
		}
		b.p.LastMinor[q] = last
		for i, pn := range nodes {
			pn.minor = objs[i].minor
			pn.identity = identityOutcome(objs[i].kept, b.prev.Nodes[pn.key].Queue != 0)
		}
		for i, pc := range circ {
			o := objs[len(nodes)+i]
			pc.minor = o.minor
			pc.identity = identityOutcome(o.kept, pc.hasPrev)
		}
	}
	return b.assignLeafHandles()
}

func identityOutcome(kept, had bool) string {
	switch {
	case kept:
		return "kept"
	case had:
		return "moved"
	}
	return "new"
}

func parentKey(pn *pnode) string {
	if pn.parent == nil {
		return ""
	}
	return pn.parent.key
}

func (b *builder) queueMajors() []uint16 {
	var majors []uint16
	for q := 1; q <= b.n; q++ {
		majors = append(majors, uint16(q))
		if b.stick {
			majors = append(majors, uint16(q+b.offset))
		}
	}
	return majors
}

// assignLeafHandles gives each circuit one leaf qdisc handle major, used on
// both interfaces, kept across runs while the circuit keeps its class.
func (b *builder) assignLeafHandles() error {
	a := newLeafAllocator(b.queueMajors())
	var fresh []*pcircuit
	for _, pn := range b.nodes {
		for _, pc := range pn.circuits {
			if pc.identity == "kept" && a.keep(pc.prev.Leaf) {
				pc.leaf = pc.prev.Leaf
				continue
			}
			fresh = append(fresh, pc)
		}
	}
	for _, e := range b.prev.Circuits {
		if e.Leaf != 0 {
			a.reserve(e.Leaf)
		}
	}
	short := 0
	for _, pc := range fresh {
		pc.leaf = a.take()
		if pc.leaf == 0 {
			short++
		}
	}
	if short > 0 {
		b.warnf("qdisc handle space exhausted: %d circuit(s) get no leaf qdisc of their own, only HTB's built-in fifo (at most %d leaf qdiscs fit on one interface; lazy_queues = \"htb\" gives leaf qdiscs to active circuits only)", short, leafHandleMax-len(b.queueMajors())*3-2)
	}
	return nil
}

// state is what the next run compares against. It also catches a circuit ID
// given twice (the CSV reader merges such rows, so only other callers can),
// for free: the map does not grow.
func (b *builder) state() (*Identities, error) {
	st := &Identities{Version: IdentitiesVersion, Queues: b.n, Nodes: make(map[string]NodeIdentity, len(b.nodes)), Circuits: make(map[string]CircuitIdentity, len(b.circuits))}
	now := b.now.Unix()
	for _, pn := range b.nodes {
		e := NodeIdentity{Name: pn.name, Queue: pn.queue, Minor: pn.minor, Parent: parentKey(pn)}
		if old, ok := b.prev.Nodes[pn.key]; ok && old.Queue == pn.queue {
			e.Since = old.Since
		} else if ok {
			e.Since = now
		}
		st.Nodes[pn.key] = e
		for _, pc := range pn.circuits {
			ce := CircuitIdentity{Queue: pn.queue, Minor: pc.minor, Parent: pn.key, Leaf: pc.leaf}
			if pc.hasPrev && pc.prev.Parent == pn.key {
				ce.Since = pc.prev.Since
			} else if pc.hasPrev {
				ce.Since = now
			}
			n := len(st.Circuits)
			st.Circuits[pc.c.ID] = ce
			if len(st.Circuits) == n {
				return nil, b.duplicateCircuit(pc.c.ID)
			}
		}
	}
	return st, nil
}

func (b *builder) duplicateCircuit(id string) error {
	var lines []string
	for _, c := range b.in.Devices.Circuits {
		if c != nil && c.ID == id {
			lines = append(lines, strconv.Itoa(c.Line))
		}
	}
	return fmt.Errorf("plan: circuit ID %q appears more than once (lines %s); circuit IDs must be unique", id, strings.Join(lines, ", "))
}

func (b *builder) dirRates(minR, maxR float64, r2q uint32) DirRates {
	return DirRates{MinMbps: minR, MaxMbps: maxR, RateBps: bitsPerSecond(minR), CeilBps: bitsPerSecond(maxR), Quantum: Quantum(maxR, r2q)}
}

// emit builds the plan records, the kernel tree and the new state.
func (b *builder) emit() error {
	p := b.p
	up := func(q int) uint16 { return uint16(q + b.offset) }
	p.Nodes = make([]*NodePlan, 0, len(b.nodes))
	p.Circuits = make([]*CircuitPlan, 0, len(b.circuits))
	nodeStore := make([]NodePlan, len(b.nodes))
	circuitStore := make([]CircuitPlan, len(b.circuits))
	for _, pn := range b.nodes {
		np := &nodeStore[len(p.Nodes)]
		*np = NodePlan{
			Key: pn.key, Name: pn.name, ID: pn.id, Type: pn.typ, Kind: pn.kind, Queue: pn.queue, Depth: pn.depth,
			ClassID: tchandle.Make(uint16(pn.queue), pn.minor), UpClassID: tchandle.Make(up(pn.queue), pn.minor),
			ParentClassID: tchandle.Make(uint16(pn.queue), 0), UpParentClass: tchandle.Make(up(pn.queue), 0),
			CPU: b.cpuFor(pn.queue), UpCPU: b.cpuFor(pn.queue + b.offset),
			Down: b.dirRates(pn.downMin, pn.downMax, b.r2qDown), Up: b.dirRates(pn.upMin, pn.upMax, b.r2qUp),
			Weight: pn.weight, Flattened: pn.flattened, Identity: pn.identity,
		}
		if pn.src != nil && pn.src.Latitude != nil && pn.src.Longitude != nil {
			np.Latitude, np.Longitude = pn.src.Latitude, pn.src.Longitude
		}
		if pn.parent != nil {
			np.Parent = pn.parent.name
			np.ParentClassID, np.UpParentClass = pn.parent.plan.ClassID, pn.parent.plan.UpClassID
		}
		for _, c := range pn.children {
			np.Children = append(np.Children, c.name)
		}
		pn.plan = np
		p.Nodes = append(p.Nodes, np)
		for _, pc := range pn.circuits {
			c := pc.c
			cp := &circuitStore[len(p.Circuits)]
			*cp = CircuitPlan{
				ID: c.ID, Name: c.Name, Node: pn.name, ParentNode: c.ParentNode, ParentNodeID: c.ParentNodeID,
				Queue: pn.queue, ClassID: tchandle.Make(uint16(pn.queue), pc.minor), UpClassID: tchandle.Make(up(pn.queue), pc.minor),
				ParentClassID: np.ClassID, UpParentClass: np.UpClassID, CPU: np.CPU, UpCPU: np.UpCPU,
				Down: b.dirRates(pc.downMin, pc.downMax, b.r2qDown), Up: b.dirRates(pc.upMin, pc.upMax, b.r2qUp),
				SQM: c.SQM.String(), Weight: pc.weight, Devices: c.Devices, Line: c.Line, Identity: pc.identity,
			}
			if pc.leaf != 0 {
				cp.LeafHandle = tchandle.Make(pc.leaf, 0)
			}
			cp.Down.Leaf = b.leaf.forCircuit(c.SQM.Down, cp.Down.MaxMbps)
			// On a stick the upload leaf is omitted, as upstream: both directions
			// share one interface's qdisc handle space.
			if !b.stick {
				cp.Up.Leaf = b.leaf.forCircuit(c.SQM.Up, cp.Up.MaxMbps)
			}
			np.Circuits = append(np.Circuits, c.ID)
			p.Circuits = append(p.Circuits, cp)
		}
	}
	var err error
	if p.Identities, err = b.state(); err != nil {
		return err
	}
	p.Tree = b.tree()
	p.Stats = computeStats(p)
	return nil
}

// tree lays out the kernel objects: per interface the mq root, one HTB per
// queue with its root and default classes, then nodes and circuits.
func (b *builder) tree() *Tree {
	p := b.p
	t := &Tree{Observe: b.observe}
	if b.stick {
		t.Interfaces = []string{p.DownloadInterface}
	} else {
		t.Interfaces = []string{p.DownloadInterface, p.UploadInterface}
	}
	for _, ifc := range t.Interfaces {
		t.Qdiscs = append(t.Qdiscs, Qdisc{Interface: ifc, Handle: tchandle.Make(0x7FFF, 0), Parent: tchandle.Root, Kind: "mq"})
	}
	if b.observe {
		return t
	}
	nClasses := 2*(2*b.n+len(p.Nodes)+len(p.Circuits)) + 8
	t.Classes = make([]Class, 0, nClasses)
	qc := b.cfg.Queues
	for _, dir := range []Direction{Download, Upload} {
		ifc, capM, off := p.DownloadInterface, qc.DownlinkBandwidthMbps, 0
		if dir == Upload {
			ifc, capM, off = p.UploadInterface, qc.UplinkBandwidthMbps, b.offset
		}
		for q := 1; q <= b.n; q++ {
			m := uint16(q + off)
			t.Qdiscs = append(t.Qdiscs, Qdisc{Interface: ifc, Handle: tchandle.Make(m, 0), Parent: tchandle.Make(0x7FFF, m), Kind: "htb", HTBDefault: 2})
			quantum := Quantum(float64(capM), b.r2qInfra)
			t.Classes = append(t.Classes,
				Class{Interface: ifc, Direction: dir, ID: tchandle.Make(m, 1), Parent: tchandle.Make(m, 0), Kind: KindQueueRoot,
					RateBps: capM * 1e6, CeilBps: capM * 1e6, Quantum: quantum, Queue: q},
				// The default class catches unmapped traffic. Its rate is a quarter
				// of the link so it cannot starve subscribers; it gets the default
				// leaf. (Upstream also adds a leaf under m:1, which the kernel
				// destroys as soon as m:2 makes m:1 an inner class, so we omit it.)
				Class{Interface: ifc, Direction: dir, ID: tchandle.Make(m, 2), Parent: tchandle.Make(m, 1), Kind: KindDefault,
					RateBps: bitsPerSecond(math.Floor(float64(capM-1) / 4)), CeilBps: bitsPerSecond(float64(capM - 1)),
					Quantum: quantum, Prio: 5, Leaf: b.leaf.defaultLeaf(float64(capM - 1)), LeafHandle: tchandle.Make(infraLeafMajor(m)+1, 0), Queue: q},
			)
		}
		ci := 0
		for _, np := range p.Nodes {
			kind := KindNode
			if np.Kind == NodeCPUBin {
				kind = KindCPUBin
			}
			id, parent, r := np.ClassID, np.ParentClassID, np.Down
			if dir == Upload {
				id, parent, r = np.UpClassID, np.UpParentClass, np.Up
			}
			t.Classes = append(t.Classes, Class{Interface: ifc, Direction: dir, ID: id, Parent: parent, Kind: kind,
				RateBps: r.RateBps, CeilBps: r.CeilBps, Quantum: r.Quantum, Prio: 3, NodeName: np.Name, Name: np.Name, Queue: np.Queue})
			for range np.Circuits {
				cp := p.Circuits[ci]
				ci++
				id, parent, r := cp.ClassID, cp.ParentClassID, cp.Down
				if dir == Upload {
					id, parent, r = cp.UpClassID, cp.UpParentClass, cp.Up
				}
				cl := Class{Interface: ifc, Direction: dir, ID: id, Parent: parent, Kind: KindCircuit,
					RateBps: r.RateBps, CeilBps: r.CeilBps, Quantum: r.Quantum, Prio: 3, CircuitID: cp.ID, Name: cp.Name, Queue: cp.Queue}
				// A leaf without a handle would make the kernel search the
				// whole 16-bit handle space (already used up) on every add:
				// such circuits keep HTB's built-in fifo.
				if !r.Leaf.IsZero() && cp.LeafHandle != 0 {
					cl.Leaf, cl.LeafHandle = r.Leaf, cp.LeafHandle
				}
				t.Classes = append(t.Classes, cl)
			}
		}
	}
	nMap := 0
	for _, cp := range p.Circuits {
		for _, d := range cp.Devices {
			nMap += len(d.IPv4) + len(d.IPv6)
		}
	}
	t.Mappings = make([]Mapping, 0, nMap)
	for _, cp := range p.Circuits {
		for _, d := range cp.Devices {
			add := func(pf netip.Prefix) {
				t.Mappings = append(t.Mappings, Mapping{Prefix: pf, CPU: cp.CPU, ClassID: cp.ClassID,
					UploadCPU: cp.UpCPU, UploadClassID: cp.UpClassID, CircuitID: cp.ID, DeviceID: d.ID})
			}
			for _, pf := range d.IPv4 {
				add(pf)
			}
			for _, pf := range d.IPv6 {
				add(pf)
			}
		}
	}
	return t
}

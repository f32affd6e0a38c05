package daemon

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/radius"
	"github.com/libreqos-go/lqos/internal/stats"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"github.com/libreqos-go/lqos/internal/webui"
)

// The network pages of the web UI read the applied plan (tree, circuits,
// devices, CPU placement), the per-host counters (rates, rolled up through
// the tree), the flow map (RTT, retransmits, flows) and the kernel's HTB
// class and leaf statistics.

var _ webui.PageSource = (*webSource)(nil)

// liveCache holds the expensive reads (flow map, tc dump) for a moment so
// the calls of one UI tick share them. The flow map is read at most every
// 3 s: RTT and retransmit figures move slowly, and walking 100k flows each
// second (the web UI samples history every second) would cost a steady
// share of a core; rates come from the host counters, fresh every second.
type liveCache struct {
	mu      sync.Mutex
	flowsAt time.Time
	flows   *flowSnapshot
	tcAt    time.Time
	tc      *tcIndex
}

// tcIndex is a tc dump looked up by interface and handle (the dump's own
// lookups scan every object, too slow for thousands of circuits).
type tcIndex struct {
	classes map[tcKey]tc.LiveClass
	leaves  map[tcKey]tc.LiveQdisc // by parent class
}

type tcKey struct {
	iface  string
	handle tchandle.Handle
}

func (x *tcIndex) class(iface string, h tchandle.Handle) (tc.LiveClass, bool) {
	c, ok := x.classes[tcKey{iface, h}]
	return c, ok
}

func (x *tcIndex) leaf(iface string, parent tchandle.Handle) (tc.LiveQdisc, bool) {
	q, ok := x.leaves[tcKey{iface, parent}]
	return q, ok
}

const (
	flowCacheFor = 3 * time.Second
	tcCacheFor   = 2 * time.Second
)

// flowSnapshot is the flow map grouped by circuit.
type flowSnapshot struct {
	byCircuit map[string][]datapath.Flow
	lastSeen  map[string]time.Time // newest host sample per circuit
	// all flows, with the circuit of each local address (the geo pages).
	all       []datapath.Flow
	circuitOf map[netip.Addr]string
	at        time.Time
}

func (w *webSource) flowSnap() *flowSnapshot {
	w.live.mu.Lock()
	defer w.live.mu.Unlock()
	if w.live.flows != nil && time.Since(w.live.flowsAt) < flowCacheFor {
		return w.live.flows
	}
	fs := &flowSnapshot{byCircuit: map[string][]datapath.Flow{}, lastSeen: map[string]time.Time{}}
	circuitOf := map[netip.Addr]string{}
	for _, h := range w.d.coll.TopHosts(stats.ByDown, 0, -1) {
		if h.CircuitID != "" {
			circuitOf[h.Addr] = h.CircuitID
			if h.LastSeen.After(fs.lastSeen[h.CircuitID]) {
				fs.lastSeen[h.CircuitID] = h.LastSeen
			}
		}
	}
	fs.circuitOf, fs.at = circuitOf, time.Now()
	if flows, err := w.d.dp.Flows(); err == nil {
		fs.all = flows
		for _, f := range flows {
			if id, ok := circuitOf[f.Key.Local]; ok {
				fs.byCircuit[id] = append(fs.byCircuit[id], f)
			}
		}
	}
	w.live.flows, w.live.flowsAt = fs, time.Now()
	return fs
}

// tcSnap returns the kernel's qdiscs and classes on the plan's interfaces
// (nil without a kernel handle or plan).
func (w *webSource) tcSnap(p *plan.Plan) *tcIndex {
	if w.d.kernel == nil || p == nil || p.Tree == nil || len(p.Tree.Interfaces) == 0 {
		return nil
	}
	w.live.mu.Lock()
	defer w.live.mu.Unlock()
	if w.live.tc != nil && time.Since(w.live.tcAt) < tcCacheFor {
		return w.live.tc
	}
	live, err := tc.Dump(w.d.kernel.TC(), p.Tree.Interfaces)
	if err != nil {
		w.d.log.Debug("web UI: tc dump", "err", err)
		return nil
	}
	x := &tcIndex{classes: make(map[tcKey]tc.LiveClass, len(live.Classes)), leaves: make(map[tcKey]tc.LiveQdisc, len(live.Qdiscs))}
	for _, c := range live.Classes {
		x.classes[tcKey{c.Interface, c.ID}] = c
	}
	for _, q := range live.Qdiscs {
		x.leaves[tcKey{q.Interface, q.Parent}] = q
	}
	w.live.tc, w.live.tcAt = x, time.Now()
	return x
}

// flowFigures are the RTT and retransmit figures of a set of flows.
type flowFigures struct {
	rtts          []float64 // mean RTT per flow and direction with samples, ms
	retx, tcpPkts [2]uint64
}

func (ff *flowFigures) add(f datapath.Flow) {
	for d := range 2 {
		if m := f.RTT[d].Mean(); m > 0 {
			ff.rtts = append(ff.rtts, float64(m)/1e6)
		}
	}
	if f.Key.Proto == 6 {
		for d := range 2 {
			ff.retx[d] += uint64(f.Retransmits[d])
			ff.tcpPkts[d] += f.Packets[d]
		}
	}
}

func (ff *flowFigures) merge(o *flowFigures) {
	ff.rtts = append(ff.rtts, o.rtts...)
	for d := range 2 {
		ff.retx[d] += o.retx[d]
		ff.tcpPkts[d] += o.tcpPkts[d]
	}
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return math.Round(sorted[min(len(sorted)-1, int(float64(len(sorted))*p))]*10) / 10
}

func (ff *flowFigures) retxPct() webui.Rates {
	var r webui.Rates
	if ff.tcpPkts[0] > 0 {
		r.Down = math.Round(1e4*float64(ff.retx[0])/float64(ff.tcpPkts[0])) / 100
	}
	if ff.tcpPkts[1] > 0 {
		r.Up = math.Round(1e4*float64(ff.retx[1])/float64(ff.tcpPkts[1])) / 100
	}
	return r
}

func nodeID(n *plan.NodePlan, path string) string {
	if n.ID != "" {
		return n.ID
	}
	return path
}

func mbpsPair(down, up float64) webui.DownUp {
	return webui.DownUp{Down: uint64(math.Round(down)), Up: uint64(math.Round(up))}
}

// treeState is the plan's tree with live figures.
type treeState struct {
	nodes   []webui.TreeNode
	indexOf map[string]int // node name → index
}

func (w *webSource) tree(p *plan.Plan) treeState {
	ts := treeState{indexOf: map[string]int{}}
	if p == nil {
		ts.nodes = []webui.TreeNode{}
		return ts
	}
	paths := map[string]string{}
	for i, n := range p.Nodes {
		ts.indexOf[n.Name] = i
	}
	ts.nodes = make([]webui.TreeNode, len(p.Nodes))
	for i, n := range p.Nodes {
		parent, ok := ts.indexOf[n.Parent]
		if n.Parent == "" || !ok {
			parent = -1
		}
		path := n.Name
		if parent >= 0 {
			path = paths[p.Nodes[parent].Name] + "/" + n.Name
		}
		paths[n.Name] = path
		ts.nodes[i] = webui.TreeNode{Index: i, ID: nodeID(n, path), Name: n.Name, Parent: parent, Type: n.Type,
			Generated: n.Kind != plan.NodeSite, MaxMbps: mbpsPair(n.Down.MaxMbps, n.Up.MaxMbps), CPU: int(n.CPU)}
	}
	// Roll circuit rates, flow figures and leaf ECN marks up through the tree.
	rates := w.circuitRates(p)
	fs := w.flowSnap()
	live := w.tcSnap(p)
	figs := make([]flowFigures, len(ts.nodes))
	for _, c := range p.Circuits {
		i, ok := ts.indexOf[c.Node]
		if !ok {
			continue
		}
		var marks webui.DownUp
		if live != nil {
			if q, ok := live.leaf(p.DownloadInterface, c.ClassID); ok {
				marks.Down = q.Stats.Marks
			}
			if q, ok := live.leaf(p.UploadInterface, c.UpClassID); ok {
				marks.Up = q.Stats.Marks
			}
		}
		r := rates[c.ID]
		var ff flowFigures
		for _, f := range fs.byCircuit[c.ID] {
			ff.add(f)
		}
		for ; i >= 0; i = ts.nodes[i].Parent {
			l := &ts.nodes[i].Live
			l.BitsPerSecond.Down += r.Bits.Down
			l.BitsPerSecond.Up += r.Bits.Up
			ts.nodes[i].Circuits++
			figs[i].merge(&ff)
			l.Marks.Down += marks.Down
			l.Marks.Up += marks.Up
		}
	}
	for i := range ts.nodes {
		l := &ts.nodes[i].Live
		slices.Sort(figs[i].rtts)
		l.RTTP50Ms, l.RTTP90Ms = percentile(figs[i].rtts, 0.5), percentile(figs[i].rtts, 0.9)
		l.RetransmitPct = figs[i].retxPct()
		if live != nil {
			n := p.Nodes[i]
			if c, ok := live.class(p.DownloadInterface, n.ClassID); ok {
				l.Drops.Down = uint64(c.Stats.Drops)
			}
			if c, ok := live.class(p.UploadInterface, n.UpClassID); ok {
				l.Drops.Up = uint64(c.Stats.Drops)
			}
		}
	}
	return ts
}

func (w *webSource) circuitRates(p *plan.Plan) map[string]stats.CircuitRate {
	out := make(map[string]stats.CircuitRate, len(p.Circuits))
	for _, r := range w.d.coll.Circuits() {
		out[r.CircuitID] = r
	}
	return out
}

func (w *webSource) NetworkTree(context.Context) ([]webui.TreeNode, error) {
	return w.tree(w.d.webPlan.Load()).nodes, nil
}

func prefixText(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

func (w *webSource) circuitRow(c *plan.CircuitPlan, ts treeState, r stats.CircuitRate, fs *flowSnapshot) webui.CircuitRow {
	row := webui.CircuitRow{ID: c.ID, Name: c.Name, Parent: -1, IPs: []string{}, MACs: []string{}, Devices: len(c.Devices),
		MinMbps: mbpsPair(c.Down.MinMbps, c.Up.MinMbps), MaxMbps: mbpsPair(c.Down.MaxMbps, c.Up.MaxMbps), CPU: int(c.CPU),
		Live: webui.CircuitLive{BitsPerSecond: webui.DownUp{Down: r.Bits.Down, Up: r.Bits.Up}, LastSeen: fs.lastSeen[c.ID]}}
	if row.Name == "" {
		row.Name = c.ID
	}
	if i, ok := ts.indexOf[c.Node]; ok {
		row.Parent, row.ParentName = i, c.Node
	}
	row.Dynamic = strings.HasPrefix(c.ID, radius.IDPrefix)
	for _, d := range c.Devices {
		row.Dynamic = row.Dynamic || strings.HasPrefix(d.ID, radius.IDPrefix)
		for _, p := range d.Prefixes() {
			row.IPs = append(row.IPs, prefixText(p))
		}
		if d.MAC != "" {
			row.MACs = append(row.MACs, d.MAC)
		}
	}
	var ff flowFigures
	for _, f := range fs.byCircuit[c.ID] {
		ff.add(f)
	}
	slices.Sort(ff.rtts)
	row.Live.RTTMs = percentile(ff.rtts, 0.5)
	row.Live.RetransmitPct = ff.retxPct()
	return row
}

func (w *webSource) Circuits(context.Context) ([]webui.CircuitRow, error) {
	p := w.d.webPlan.Load()
	if p == nil {
		return []webui.CircuitRow{}, nil
	}
	ts := w.tree(p)
	rates := w.circuitRates(p)
	fs := w.flowSnap()
	out := make([]webui.CircuitRow, 0, len(p.Circuits))
	for _, c := range p.Circuits {
		out = append(out, w.circuitRow(c, ts, rates[c.ID], fs))
	}
	return out, nil
}

func devicesOf(c *plan.CircuitPlan) []webui.ShapedDevice {
	out := make([]webui.ShapedDevice, 0, len(c.Devices))
	for _, d := range c.Devices {
		sd := webui.ShapedDevice{CircuitID: c.ID, CircuitName: c.Name, DeviceID: d.ID, DeviceName: d.Name, ParentNode: c.Node, MAC: d.MAC,
			IPv4: []string{}, IPv6: []string{}, MinMbps: mbpsPair(c.Down.MinMbps, c.Up.MinMbps), MaxMbps: mbpsPair(c.Down.MaxMbps, c.Up.MaxMbps), Comment: d.Comment,
			Dynamic: strings.HasPrefix(d.ID, radius.IDPrefix)}
		for _, p := range d.IPv4 {
			sd.IPv4 = append(sd.IPv4, prefixText(p))
		}
		for _, p := range d.IPv6 {
			sd.IPv6 = append(sd.IPv6, prefixText(p))
		}
		out = append(out, sd)
	}
	return out
}

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

func classStats(c tc.LiveClass) webui.QueueClassStats {
	return webui.QueueClassStats{Handle: c.ID.String(), Kind: c.Kind, Bytes: c.Stats.Bytes, Packets: c.Stats.Packets,
		Backlog: uint64(c.Stats.Backlog), QueueLen: uint64(c.Stats.Qlen), Drops: uint64(c.Stats.Drops), Overlimits: uint64(c.Stats.Overlimits)}
}

func qdiscStats(q tc.LiveQdisc) webui.QueueClassStats {
	return webui.QueueClassStats{Handle: fmt.Sprintf("%x:", q.Handle.Major()), Kind: q.Kind, Bytes: q.Stats.Bytes, Packets: q.Stats.Packets,
		Backlog: uint64(q.Stats.Backlog), QueueLen: uint64(q.Stats.Qlen), Drops: uint64(q.Stats.Drops), Overlimits: uint64(q.Stats.Overlimits),
		Marks: q.Stats.Marks}
}

func (w *webSource) CircuitDetail(_ context.Context, id string) (webui.CircuitDetail, error) {
	p := w.d.webPlan.Load()
	if p == nil {
		return webui.CircuitDetail{}, fmt.Errorf("circuit %q: no plan applied: %w", id, webui.ErrNotFound)
	}
	i := slices.IndexFunc(p.Circuits, func(c *plan.CircuitPlan) bool { return c.ID == id })
	if i < 0 {
		return webui.CircuitDetail{}, fmt.Errorf("circuit %q: %w", id, webui.ErrNotFound)
	}
	c := p.Circuits[i]
	ts := w.tree(p)
	fs := w.flowSnap()
	rates := w.d.coll.Circuits(c.ID)
	d := webui.CircuitDetail{Circuit: w.circuitRow(c, ts, rates[0], fs), Devices: devicesOf(c), Queues: []webui.QueueDirection{}, Flows: []webui.FlowRow{}}
	if live := w.tcSnap(p); live != nil && !p.Observe {
		for _, dir := range []struct {
			iface string
			class tchandle.Handle
		}{{p.DownloadInterface, c.ClassID}, {p.UploadInterface, c.UpClassID}} {
			cl, ok := live.class(dir.iface, dir.class)
			if !ok {
				continue
			}
			q := webui.QueueDirection{Interface: dir.iface, Class: classStats(cl)}
			if leaf, ok := live.leaf(dir.iface, dir.class); ok {
				q.Leaf = qdiscStats(leaf)
			}
			d.Queues = append(d.Queues, q)
		}
	}
	for _, f := range fs.byCircuit[c.ID] {
		fr := webui.FlowRow{LocalIP: f.Key.Local.String(), RemoteIP: f.Key.Remote.String(), Protocol: protoName(f.Key.Proto),
			LocalPort: f.Key.LocalPort, RemotePort: f.Key.RemotePort, Bytes: webui.DownUp{Down: f.Bytes[0], Up: f.Bytes[1]},
			Retransmits: webui.DownUp{Down: uint64(f.Retransmits[0]), Up: uint64(f.Retransmits[1])}}
		var ff flowFigures
		ff.add(f)
		slices.Sort(ff.rtts)
		fr.RTTMs = percentile(ff.rtts, 0.5)
		d.Flows = append(d.Flows, fr)
	}
	return d, nil
}

func (w *webSource) ShapedDevices(context.Context) ([]webui.ShapedDevice, error) {
	p := w.d.webPlan.Load()
	out := []webui.ShapedDevice{}
	if p == nil {
		return out, nil
	}
	for _, c := range p.Circuits {
		out = append(out, devicesOf(c)...)
	}
	return out, nil
}

func (w *webSource) UnknownIPs(context.Context) ([]webui.UnknownIP, error) {
	out := []webui.UnknownIP{}
	for _, h := range w.d.coll.TopHosts(stats.ByDown, 0, -1) {
		if h.CircuitID != "" {
			continue
		}
		out = append(out, webui.UnknownIP{IP: h.Addr.String(), Bytes: webui.DownUp{Down: h.Bytes.Down, Up: h.Bytes.Up},
			BitsPerSecond: webui.DownUp{Down: h.Bits.Down, Up: h.Bits.Up}, LastSeen: h.LastSeen})
	}
	return out, nil
}

func (w *webSource) CPUPlan(ctx context.Context) (webui.CPUPlan, error) {
	p := w.d.webPlan.Load()
	out := webui.CPUPlan{Mode: "multi-queue", CPUs: []webui.CPUQueue{}}
	if p == nil {
		out.Note = "No shaping plan is applied yet."
		return out, nil
	}
	switch {
	case p.OnAStick:
		out.Mode, out.Note = "on-a-stick", "On a stick: one interface carries both directions, so download and upload share its queues (upload queues are offset by "+strconv.Itoa(p.StickOffset)+")."
	case p.Queues <= 1:
		out.Mode, out.Note = "single-queue", "The interfaces have one transmit queue: all shaping runs on one CPU."
	}
	busy, _ := w.cpu.load()
	for q := 0; q < max(1, p.Queues); q++ {
		cq := webui.CPUQueue{CPU: q, Queue: fmt.Sprintf("%x:", q+1), Nodes: []webui.CPUBranch{}}
		if q < len(busy) {
			cq.BusyPct = math.Round(busy[q]*10) / 10
		}
		out.CPUs = append(out.CPUs, cq)
	}
	ts := w.tree(p)
	rates := w.circuitRates(p)
	at := func(cpu uint32) *webui.CPUQueue {
		if int(cpu) < len(out.CPUs) {
			return &out.CPUs[cpu]
		}
		return nil
	}
	for i, n := range p.Nodes {
		if ts.nodes[i].Parent != -1 {
			continue
		}
		if cq := at(n.CPU); cq != nil {
			l := ts.nodes[i].Live
			cq.Nodes = append(cq.Nodes, webui.CPUBranch{Index: i, ID: ts.nodes[i].ID, Name: n.Name, Weight: n.Weight,
				BitsPerSecond: l.BitsPerSecond.Down + l.BitsPerSecond.Up, Circuits: ts.nodes[i].Circuits})
			cq.Weight += n.Weight
		}
	}
	type heavy struct {
		ref  webui.CircuitRef
		bits uint64
	}
	top := make([][]heavy, len(out.CPUs))
	for _, c := range p.Circuits {
		cq := at(c.CPU)
		if cq == nil {
			continue
		}
		r := rates[c.ID]
		cq.BitsPerSecond += r.Bits.Down + r.Bits.Up
		cq.PacketsPerSecond += r.Packets.Down + r.Packets.Up
		cq.Circuits++
		if _, inTree := ts.indexOf[c.Node]; !inTree {
			cq.Weight += c.Weight // circuits without a node are weighed on their own
		}
		top[c.CPU] = append(top[c.CPU], heavy{webui.CircuitRef{ID: c.ID, Name: c.Name}, r.Bits.Down + r.Bits.Up})
	}
	for i := range out.CPUs {
		slices.SortFunc(top[i], func(a, b heavy) int { return cmp.Compare(b.bits, a.bits) })
		for _, h := range top[i][:min(3, len(top[i]))] {
			out.CPUs[i].TopCircuits = append(out.CPUs[i].TopCircuits, h.ref)
		}
	}
	return out, nil
}

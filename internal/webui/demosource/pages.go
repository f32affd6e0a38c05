package demosource

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
)

// node is one node of the fake network tree.
type node struct {
	id, name, typ string
	parent        int
	generated     bool
	maxDown       uint64 // Mbps
	maxUp         uint64
}

// The default tree: two POPs, towers under one of them, an AP under a
// tower, and a generated node without circuits.
var defaultNodeOf = map[string]int{"Downtown POP": 0, "Tower North": 1, "Tower South": 2, "Riverside AP": 3, "Hilltop": 4}

func defaultTree() []node {
	return []node{
		{id: "pop-downtown", name: "Downtown POP", typ: "site", parent: -1, maxDown: 5000, maxUp: 1000},
		{id: "tower-north", name: "Tower North", typ: "site", parent: 0, maxDown: 1000, maxUp: 200},
		{id: "tower-south", name: "Tower South", typ: "site", parent: 0, maxDown: 1000, maxUp: 200},
		{id: "ap-riverside", name: "Riverside AP", typ: "ap", parent: 2, maxDown: 500, maxUp: 100},
		{id: "hilltop", name: "Hilltop", typ: "site", parent: -1, maxDown: 2000, maxUp: 400},
		{id: "Generated_PN_1", name: "Generated_PN_1", typ: "", parent: -1, generated: true, maxDown: 10000, maxUp: 10000},
	}
}

// Scale sizes a large fake network (for scale measurements).
type Scale struct {
	Circuits, Nodes, Flows int
}

// NewScaled returns a source with sc.Nodes nodes (about 1 in 50 at the top
// level, the rest eight to a parent), sc.Circuits circuits spread over the
// nodes and sc.Flows flows spread over the circuits.
func NewScaled(seed uint64, sc Scale) *Source {
	s := New(seed)
	top := max(2, sc.Nodes/50)
	s.nodes = make([]node, sc.Nodes)
	for i := range s.nodes {
		p := -1
		if i >= top {
			p = (i - top) / 8
		}
		s.nodes[i] = node{id: fmt.Sprintf("n%05d", i), name: fmt.Sprintf("Site %d", i), typ: "site", parent: p, maxDown: 10000, maxUp: 2000}
	}
	s.circuits = s.circuits[:0]
	for i := 0; i < sc.Circuits; i++ {
		plan := []uint64{25, 50, 100, 250, 500}[i%5]
		s.circuits = append(s.circuits, circuit{
			id: fmt.Sprintf("c%06d", i), name: fmt.Sprintf("Subscriber %d", i),
			ip:       fmt.Sprintf("100.%d.%d.%d", 64+i/65536, i/256%256, i%256),
			mac:      fmt.Sprintf("02:00:5e:%02x:%02x:%02x", i>>16&0xff, i>>8&0xff, i&0xff),
			planDown: plan, planUp: plan / 5, phase: s.rng.Float64() * 2 * math.Pi, rtt: 8 + s.rng.Float64()*60,
			node: top + i%max(1, sc.Nodes-top), retx: s.rng.Float64() * 2,
		})
		s.circuits[i].parent = s.nodes[s.circuits[i].node].name
	}
	s.flowsPC = max(1, sc.Flows/max(1, sc.Circuits))
	return s
}

// SetCPUMode switches the CPU plan between "multi-queue", "single-queue"
// and "on-a-stick".
func (s *Source) SetCPUMode(mode string) error {
	switch mode {
	case "multi-queue", "single-queue", "on-a-stick":
	default:
		return fmt.Errorf("cpu mode %q: want multi-queue, single-queue or on-a-stick", mode)
	}
	s.mu.Lock()
	s.cpuMode = mode
	s.mu.Unlock()
	return nil
}

// snapshot is one consistent set of live figures.
type snapshot struct {
	down, up []uint64 // per circuit, bps
	rtt      []float64
}

func (s *Source) snap() snapshot {
	t := s.elapsed()
	sn := snapshot{down: make([]uint64, len(s.circuits)), up: make([]uint64, len(s.circuits)), rtt: make([]float64, len(s.circuits))}
	for i, c := range s.circuits {
		sn.down[i], sn.up[i] = s.rate(c, t)
		sn.rtt[i] = math.Round((c.rtt+10*math.Sin(t/7+c.phase)+5*s.rng.Float64())*10) / 10
	}
	return sn
}

func (s *Source) treeLocked(sn snapshot) []webui.TreeNode {
	out := make([]webui.TreeNode, len(s.nodes))
	rtts := make([][]float64, len(s.nodes))
	retx := make([]float64, len(s.nodes))
	t := s.elapsed()
	for i, n := range s.nodes {
		out[i] = webui.TreeNode{Index: i, ID: n.id, Name: n.name, Parent: n.parent, Type: n.typ, Generated: n.generated,
			MaxMbps: webui.DownUp{Down: n.maxDown, Up: n.maxUp}, CPU: s.branchOf(i) % s.cores}
	}
	for ci, c := range s.circuits {
		for i := c.node; i >= 0; i = s.nodes[i].parent {
			l := &out[i].Live
			l.BitsPerSecond.Down += sn.down[ci]
			l.BitsPerSecond.Up += sn.up[ci]
			out[i].Circuits++
			rtts[i] = append(rtts[i], sn.rtt[ci])
			retx[i] += c.retx
		}
	}
	for i := range out {
		l := &out[i].Live
		if r := rtts[i]; len(r) > 0 {
			slices.Sort(r)
			l.RTTP50Ms, l.RTTP90Ms = r[len(r)/2], r[min(len(r)-1, len(r)*9/10)]
			avg := math.Round(retx[i]/float64(len(r))*100) / 100
			l.RetransmitPct = webui.Rates{Down: avg, Up: math.Round(avg*70) / 100}
		}
		// Queue counters grow with time and traffic.
		l.Drops = webui.DownUp{Down: uint64(t) * uint64(out[i].Circuits) / 3, Up: uint64(t) * uint64(out[i].Circuits) / 9}
		l.Marks = webui.DownUp{Down: uint64(t) * uint64(out[i].Circuits), Up: uint64(t) * uint64(out[i].Circuits) / 4}
	}
	return out
}

// branchOf is the top-level ancestor of node i.
func (s *Source) branchOf(i int) int {
	for s.nodes[i].parent >= 0 {
		i = s.nodes[i].parent
	}
	return i
}

// NetworkTree implements webui.PageSource.
func (s *Source) NetworkTree(ctx context.Context) ([]webui.TreeNode, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.treeLocked(s.snap()), nil
}

func (s *Source) circuitRow(i int, sn snapshot) webui.CircuitRow {
	c := s.circuits[i]
	row := webui.CircuitRow{ID: c.id, Name: c.name, Parent: c.node, IPs: []string{c.ip}, MACs: []string{c.mac}, Devices: 1,
		MinMbps: webui.DownUp{Down: c.planDown / 4, Up: c.planUp / 4}, MaxMbps: webui.DownUp{Down: c.planDown, Up: c.planUp}, CPU: -1,
		Live: webui.CircuitLive{BitsPerSecond: webui.DownUp{Down: sn.down[i], Up: sn.up[i]}, RTTMs: sn.rtt[i],
			RetransmitPct: webui.Rates{Down: math.Round(c.retx*100) / 100, Up: math.Round(c.retx*70) / 100},
			LastSeen:      s.now().UTC().Truncate(time.Second)}}
	row.Dynamic = demoDynamic(i)
	if c.node >= 0 {
		row.ParentName = s.nodes[c.node].name
		row.CPU = s.branchOf(c.node) % s.cores
	}
	if c.extraIP != "" {
		row.IPs = append(row.IPs, c.extraIP)
		row.MACs = append(row.MACs, extraMAC(c.mac))
		row.Devices = 2
	}
	return row
}

func extraMAC(mac string) string { return "06" + mac[2:] }

// Circuits implements webui.PageSource.
func (s *Source) Circuits(ctx context.Context) ([]webui.CircuitRow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.snap()
	out := make([]webui.CircuitRow, len(s.circuits))
	for i := range s.circuits {
		out[i] = s.circuitRow(i, sn)
	}
	return out, nil
}

// demoDynamic: a few demo circuits stand for RADIUS sessions.
func demoDynamic(i int) bool { return i%20 == 7 }

func (s *Source) devicesOf(i int) []webui.ShapedDevice {
	c := s.circuits[i]
	pn := ""
	if c.node >= 0 {
		pn = s.nodes[c.node].name
	}
	d := webui.ShapedDevice{CircuitID: c.id, CircuitName: c.name, DeviceID: c.id + "-d1", DeviceName: c.name + " router", ParentNode: pn,
		MAC: c.mac, IPv4: []string{c.ip}, IPv6: []string{}, MinMbps: webui.DownUp{Down: c.planDown / 4, Up: c.planUp / 4},
		MaxMbps: webui.DownUp{Down: c.planDown, Up: c.planUp}, Dynamic: demoDynamic(i)}
	if i%3 == 0 {
		d.IPv6 = []string{fmt.Sprintf("2001:db8:%x::/56", i)}
	}
	out := []webui.ShapedDevice{d}
	if c.extraIP != "" {
		d2 := d
		d2.DeviceID, d2.DeviceName, d2.MAC, d2.IPv4, d2.IPv6 = c.id+"-d2", c.name+" AP", extraMAC(c.mac), []string{c.extraIP}, []string{}
		out = append(out, d2)
	}
	return out
}

// CircuitDetail implements webui.PageSource.
func (s *Source) CircuitDetail(ctx context.Context, id string) (webui.CircuitDetail, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.circuits, func(c circuit) bool { return c.id == id })
	if i < 0 {
		return webui.CircuitDetail{}, fmt.Errorf("circuit %q: %w", id, webui.ErrNotFound)
	}
	sn := s.snap()
	d := webui.CircuitDetail{Circuit: s.circuitRow(i, sn), Devices: s.devicesOf(i)}
	t := uint64(s.elapsed())
	for k, ifc := range []string{"eth1", "eth0"} {
		bps := []uint64{sn.down[i], sn.up[i]}[k]
		d.Queues = append(d.Queues, webui.QueueDirection{Interface: ifc,
			Class: webui.QueueClassStats{Handle: fmt.Sprintf("%d:%x", k+1, 0x100+i), Kind: "htb", Bytes: bps / 8 * (t + 60), Packets: bps / 8 / 1200 * (t + 60),
				Overlimits: t * 3, Drops: t / 5},
			Leaf: webui.QueueClassStats{Handle: fmt.Sprintf("%x:", 0x8000+2*i+k), Kind: "cake", Backlog: 1514 * uint64(i%4), QueueLen: uint64(i % 4),
				Drops: t / 5, Marks: t, Bytes: bps / 8 * (t + 60), Packets: bps / 8 / 1200 * (t + 60)}})
	}
	rng := rand.New(rand.NewPCG(uint64(i), 7))
	for f := 0; f < s.flowsPC; f++ {
		proto := []string{"TCP", "TCP", "UDP", "TCP", "ICMP"}[f%5]
		fr := webui.FlowRow{LocalIP: s.circuits[i].ip, RemoteIP: fmt.Sprintf("203.0.113.%d", 1+(i*7+f)%250), Protocol: proto,
			LocalPort: uint16(40000 + f), RemotePort: []uint16{443, 80, 53, 443, 0}[f%5],
			Bytes: webui.DownUp{Down: uint64(rng.IntN(50e6)) + t*1000, Up: uint64(rng.IntN(5e6)) + t*100}}
		if proto == "TCP" {
			fr.RTTMs = math.Round((sn.rtt[i]+rng.Float64()*10)*10) / 10
			fr.Retransmits = webui.DownUp{Down: uint64(rng.IntN(20)), Up: uint64(rng.IntN(5))}
		}
		d.Flows = append(d.Flows, fr)
	}
	return d, nil
}

// ShapedDevices implements webui.PageSource.
func (s *Source) ShapedDevices(ctx context.Context) ([]webui.ShapedDevice, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []webui.ShapedDevice
	for i := range s.circuits {
		out = append(out, s.devicesOf(i)...)
	}
	return out, nil
}

// UnknownIPs implements webui.PageSource.
func (s *Source) UnknownIPs(ctx context.Context) ([]webui.UnknownIP, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := uint64(s.elapsed())
	now := s.now().UTC().Truncate(time.Second)
	var out []webui.UnknownIP
	for k := 0; k < 4; k++ {
		out = append(out, webui.UnknownIP{IP: fmt.Sprintf("100.66.0.%d", 20+k),
			Bytes: webui.DownUp{Down: uint64(k+1) * 7e6 * (t + 10), Up: uint64(k+1) * 1e6 * (t + 10)}, BitsPerSecond: webui.DownUp{Down: uint64(k+1) * 56e6, Up: uint64(k+1) * 8e6},
			LastSeen: now.Add(-time.Duration(k*17) * time.Second)})
	}
	return out, nil
}

// CPUPlan implements webui.PageSource.
func (s *Source) CPUPlan(ctx context.Context) (webui.CPUPlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn := s.snap()
	tree := s.treeLocked(sn)
	p := webui.CPUPlan{Mode: s.cpuMode}
	cores := s.cores
	switch s.cpuMode {
	case "single-queue":
		cores, p.Note = 1, "The interface has one transmit queue: everything is shaped on CPU 0."
	case "on-a-stick":
		p.Note = "On a stick: one interface carries both directions, so download and upload share the CPUs' queues."
	}
	for c := 0; c < cores; c++ {
		p.CPUs = append(p.CPUs, webui.CPUQueue{CPU: c, Queue: fmt.Sprintf("%x:", c+1), Nodes: []webui.CPUBranch{},
			BusyPct: math.Round(20+25*math.Sin(s.elapsed()/15+float64(c))+20*s.rng.Float64()) + 25})
	}
	for _, n := range tree {
		if n.Parent != -1 {
			continue
		}
		q := &p.CPUs[n.Index%cores]
		var w float64
		for _, c := range s.circuits {
			if s.branchOf(max(c.node, 0)) == n.Index && c.node >= 0 {
				w += float64(c.planDown)
				if len(q.TopCircuits) < 3 {
					q.TopCircuits = append(q.TopCircuits, webui.CircuitRef{ID: c.id, Name: c.name})
				}
			}
		}
		bps := n.Live.BitsPerSecond.Down + n.Live.BitsPerSecond.Up
		q.Nodes = append(q.Nodes, webui.CPUBranch{Index: n.Index, ID: n.ID, Name: n.Name, Weight: w, BitsPerSecond: bps, Circuits: n.Circuits})
		q.Weight += w
		q.BitsPerSecond += bps
		q.PacketsPerSecond += bps / 8 / 1000
		q.Circuits += n.Circuits
	}
	return p, nil
}

var _ webui.PageSource = (*Source)(nil)

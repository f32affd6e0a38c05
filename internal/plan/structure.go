package plan

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"strings"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

// StructureVersion is the queuingStructure.json format version.
const StructureVersion = 1

// Structure is our queuingStructure.json: the planned tree for the daemon,
// the UI and humans. Class IDs are tc-style hex ("1:1f"). Nodes nest as in
// network.json (after removing virtual nodes and applying the depth limit);
// each node lists its circuits, each circuit its devices and IPs.
type Structure struct {
	Version           int               `json:"version"`
	Mode              string            `json:"mode"` // "shape" or "observe"
	OnAStick          bool              `json:"on_a_stick"`
	Flat              bool              `json:"flat"`
	Queues            int               `json:"queues"`
	StickOffset       int               `json:"stick_offset"`
	DownloadInterface string            `json:"download_interface"`
	UploadInterface   string            `json:"upload_interface"`
	Network           []*StructNode     `json:"network"`
	LastMinor         map[string]int    `json:"last_minor_by_queue"`
	GeneratedNodes    []string          `json:"generated_nodes"`
	LogicalToPhysical map[string]string `json:"logical_to_physical,omitempty"`
	VirtualNodes      []string          `json:"virtual_nodes,omitempty"`
	Unshaped          []Unshaped        `json:"unshaped,omitempty"`
}

// StructRates is one direction in queuingStructure.json.
type StructRates struct {
	MinMbps float64     `json:"min_mbps"`
	MaxMbps float64     `json:"max_mbps"`
	RateBps uint64      `json:"rate_bps"`
	CeilBps uint64      `json:"ceil_bps"`
	Quantum uint32      `json:"quantum"`
	Leaf    *StructLeaf `json:"leaf,omitempty"`
}

// StructLeaf is a circuit's leaf qdisc in one direction.
type StructLeaf struct {
	Kind   string   `json:"kind"`
	Args   []string `json:"args,omitempty"`
	Handle string   `json:"handle,omitempty"`
}

// StructNode is a node in queuingStructure.json.
type StructNode struct {
	Name            string           `json:"name"`
	ID              string           `json:"id,omitempty"`
	Type            string           `json:"type,omitempty"`
	Kind            string           `json:"kind"`
	Queue           int              `json:"queue"`
	ClassID         string           `json:"classid"`
	UpClassID       string           `json:"up_classid"`
	ParentClassID   string           `json:"parent_classid"`
	UpParentClassID string           `json:"up_parent_classid"`
	CPU             uint32           `json:"cpu"`
	UpCPU           uint32           `json:"up_cpu"`
	Download        StructRates      `json:"download"`
	Upload          StructRates      `json:"upload"`
	Flattened       bool             `json:"flattened,omitempty"`
	Circuits        []*StructCircuit `json:"circuits,omitempty"`
	Children        []*StructNode    `json:"children,omitempty"`
}

// StructCircuit is a circuit in queuingStructure.json.
type StructCircuit struct {
	ID              string          `json:"id"`
	Name            string          `json:"name"`
	ParentNode      string          `json:"parent_node,omitempty"` // as written in the CSV
	ParentNodeID    string          `json:"parent_node_id,omitempty"`
	ClassID         string          `json:"classid"`
	UpClassID       string          `json:"up_classid"`
	ParentClassID   string          `json:"parent_classid"`
	UpParentClassID string          `json:"up_parent_classid"`
	CPU             uint32          `json:"cpu"`
	UpCPU           uint32          `json:"up_cpu"`
	Download        StructRates     `json:"download"`
	Upload          StructRates     `json:"upload"`
	SQM             string          `json:"sqm,omitempty"`
	Weight          float64         `json:"weight"`
	Devices         []*StructDevice `json:"devices"`
}

// StructDevice is a device in queuingStructure.json.
type StructDevice struct {
	ID      string   `json:"id"`
	Name    string   `json:"name,omitempty"`
	MAC     string   `json:"mac,omitempty"`
	IPv4    []string `json:"ipv4"`
	IPv6    []string `json:"ipv6"`
	Comment string   `json:"comment,omitempty"`
}

// handleText prints a class id, or "1:" for a qdisc (the HTB root) as parent.
func handleText(h tchandle.Handle) string {
	if h.Minor() == 0 {
		return qdiscHandle(h)
	}
	return h.String()
}

// circuitStructRates is structRates for a circuit: without a leaf handle it has
// no leaf qdisc of its own in the tree.
func circuitStructRates(r DirRates, leafHandle tchandle.Handle) StructRates {
	if leafHandle == 0 {
		r.Leaf = Leaf{}
	}
	return structRates(r, leafHandle)
}

func structRates(r DirRates, leafHandle tchandle.Handle) StructRates {
	s := StructRates{MinMbps: r.MinMbps, MaxMbps: r.MaxMbps, RateBps: r.RateBps, CeilBps: r.CeilBps, Quantum: r.Quantum}
	if !r.Leaf.IsZero() {
		s.Leaf = &StructLeaf{Kind: r.Leaf.Kind, Args: r.Leaf.Args}
		if leafHandle != 0 {
			s.Leaf.Handle = qdiscHandle(leafHandle)
		}
	}
	return s
}

func prefixStrings(ps []netip.Prefix) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if p.IsSingleIP() {
			out = append(out, p.Addr().String())
		} else {
			out = append(out, p.String())
		}
	}
	return out
}

// Structure builds the queuingStructure.json document.
func (p *Plan) Structure() *Structure {
	s := &Structure{
		Version: StructureVersion, Mode: "shape", OnAStick: p.OnAStick, Flat: p.Flat, Queues: p.Queues,
		StickOffset: p.StickOffset, DownloadInterface: p.DownloadInterface, UploadInterface: p.UploadInterface,
		LastMinor: map[string]int{}, LogicalToPhysical: p.LogicalToPhysical, VirtualNodes: p.VirtualNodes,
		Unshaped: p.Unshaped, Network: []*StructNode{}, GeneratedNodes: []string{},
	}
	if p.Observe {
		s.Mode = "observe"
	}
	for q, m := range p.LastMinor {
		s.LastMinor[fmt.Sprint(q)] = m
	}
	byName := make(map[string]*StructNode, len(p.Nodes))
	ci := 0
	for _, n := range p.Nodes {
		sn := &StructNode{
			Name: n.Name, ID: n.ID, Type: n.Type, Kind: n.Kind.String(), Queue: n.Queue,
			ClassID: n.ClassID.String(), UpClassID: n.UpClassID.String(),
			ParentClassID: handleText(n.ParentClassID), UpParentClassID: handleText(n.UpParentClass),
			CPU: n.CPU, UpCPU: n.UpCPU, Download: structRates(n.Down, 0), Upload: structRates(n.Up, 0),
			Flattened: n.Flattened,
		}
		if n.Kind == NodeGenerated {
			s.GeneratedNodes = append(s.GeneratedNodes, n.Name)
		}
		byName[n.Name] = sn
		if n.Parent == "" {
			s.Network = append(s.Network, sn)
		} else {
			parent := byName[n.Parent]
			parent.Children = append(parent.Children, sn)
		}
		for range n.Circuits {
			c := p.Circuits[ci]
			ci++
			sc := &StructCircuit{
				ID: c.ID, Name: c.Name, ParentNode: c.ParentNode, ParentNodeID: c.ParentNodeID,
				ClassID: c.ClassID.String(), UpClassID: c.UpClassID.String(),
				ParentClassID: c.ParentClassID.String(), UpParentClassID: c.UpParentClass.String(),
				CPU: c.CPU, UpCPU: c.UpCPU, Download: circuitStructRates(c.Down, c.LeafHandle), Upload: circuitStructRates(c.Up, c.LeafHandle),
				SQM: c.SQM, Weight: c.Weight, Devices: make([]*StructDevice, 0, len(c.Devices)),
			}
			for _, d := range c.Devices {
				sc.Devices = append(sc.Devices, &StructDevice{ID: d.ID, Name: d.Name, MAC: d.MAC, Comment: d.Comment,
					IPv4: prefixStrings(d.IPv4), IPv6: prefixStrings(d.IPv6)})
			}
			sn.Circuits = append(sn.Circuits, sc)
		}
	}
	return s
}

// QueuingStructureJSON renders queuingStructure.json.
func (p *Plan) QueuingStructureJSON() ([]byte, error) {
	data, err := json.MarshalIndent(p.Structure(), "", " ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// WriteQueuingStructure writes queuingStructure.json atomically.
func (p *Plan) WriteQueuingStructure(path string) error {
	data, err := p.QueuingStructureJSON()
	if err != nil {
		return fmt.Errorf("queuingStructure %s: %w", path, err)
	}
	return writeFileAtomic(path, data)
}

// WriteStats writes the statistics summary as JSON atomically.
func (p *Plan) WriteStats(path string) error {
	data, err := p.StatsJSON()
	if err != nil {
		return fmt.Errorf("stats %s: %w", path, err)
	}
	return writeFileAtomic(path, data)
}

// String names the unshaped circuit and why, for logs.
func (u Unshaped) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "circuit %q", u.CircuitID)
	if u.Line > 0 {
		fmt.Fprintf(&b, " (line %d)", u.Line)
	}
	switch u.Reason {
	case "unknown_parent":
		parent := u.ParentNode
		if u.ParentNodeID != "" {
			parent += " / id " + u.ParentNodeID
		}
		fmt.Fprintf(&b, " is not shaped: parent node %q is not in network.json", parent)
	default:
		fmt.Fprintf(&b, " is not shaped: %s", u.Reason)
	}
	return b.String()
}

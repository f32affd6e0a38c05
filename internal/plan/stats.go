package plan

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Memory the kernel needs per qdisc, as upstream estimates it: 16 KiB for
// infrastructure (mq, htb, leaves of minors 1 and 2), 64 KiB for fq_codel,
// 512 KiB for cake.
const (
	memInfraQdisc   = 16 << 10
	memFqCodelQdisc = 64 << 10
	memCakeQdisc    = 512 << 10
)

// QueueLoad is how much work one CPU queue carries.
type QueueLoad struct {
	Queue           int     `json:"queue"`
	TopLevelNodes   int     `json:"top_level_nodes"`
	Nodes           int     `json:"nodes"`
	Circuits        int     `json:"circuits"`
	DownloadMaxMbps float64 `json:"download_max_mbps"` // sum of circuit ceilings
	UploadMaxMbps   float64 `json:"upload_max_mbps"`
	LastMinor       int     `json:"last_minor"`
}

// InterfaceLoad counts kernel objects on one interface.
type InterfaceLoad struct {
	Interface string `json:"interface"`
	Qdiscs    int    `json:"qdiscs"`
	Classes   int    `json:"classes"`
	// MemoryBytes is the upstream-style estimate of qdisc memory.
	MemoryBytes uint64 `json:"memory_bytes"`
}

// Stats summarises a plan.
type Stats struct {
	Queues          int             `json:"queues"`
	StickOffset     int             `json:"stick_offset"`
	Observe         bool            `json:"observe"`
	Flat            bool            `json:"flat"`
	Nodes           int             `json:"nodes"`
	GeneratedNodes  int             `json:"generated_nodes"`
	Circuits        int             `json:"circuits"`
	Devices         int             `json:"devices"`
	Unshaped        int             `json:"unshaped"`
	Mappings        int             `json:"mappings"`
	Classes         int             `json:"classes"`
	LeafQdiscs      map[string]int  `json:"leaf_qdiscs"` // kind -> count, both directions
	IdentitiesKept  int             `json:"identities_kept"`
	IdentitiesNew   int             `json:"identities_new"`
	IdentitiesMoved int             `json:"identities_moved"`
	Warnings        int             `json:"warnings"`
	PerQueue        []QueueLoad     `json:"per_queue"`
	PerInterface    []InterfaceLoad `json:"per_interface"`
}

func computeStats(p *Plan) Stats {
	s := Stats{Queues: p.Queues, StickOffset: p.StickOffset, Observe: p.Observe, Flat: p.Flat,
		Unshaped: len(p.Unshaped), Warnings: len(p.Warnings), LeafQdiscs: map[string]int{}}
	s.PerQueue = make([]QueueLoad, p.Queues)
	for i := range s.PerQueue {
		s.PerQueue[i] = QueueLoad{Queue: i + 1, LastMinor: p.LastMinor[i+1]}
	}
	count := func(id string) {
		switch id {
		case "kept":
			s.IdentitiesKept++
		case "moved":
			s.IdentitiesMoved++
		default:
			s.IdentitiesNew++
		}
	}
	for _, n := range p.Nodes {
		ql := &s.PerQueue[n.Queue-1]
		ql.Nodes++
		if n.Parent == "" {
			ql.TopLevelNodes++
		}
		switch n.Kind {
		case NodeGenerated:
			s.GeneratedNodes++
		case NodeSite:
			s.Nodes++
		}
		count(n.Identity)
	}
	for _, c := range p.Circuits {
		ql := &s.PerQueue[c.Queue-1]
		ql.Circuits++
		ql.DownloadMaxMbps += c.Down.MaxMbps
		ql.UploadMaxMbps += c.Up.MaxMbps
		s.Devices += len(c.Devices)
		count(c.Identity)
	}
	s.Circuits = len(p.Circuits)
	if t := p.Tree; t != nil {
		s.Mappings = len(t.Mappings)
		s.Classes = len(t.Classes)
		per := map[string]*InterfaceLoad{}
		for _, ifc := range t.Interfaces {
			per[ifc] = &InterfaceLoad{Interface: ifc}
			s.PerInterface = append(s.PerInterface, InterfaceLoad{})
		}
		for _, q := range t.Qdiscs {
			if l := per[q.Interface]; l != nil {
				l.Qdiscs++
				l.MemoryBytes += memInfraQdisc
			}
		}
		for i := range t.Classes {
			c := &t.Classes[i]
			l := per[c.Interface]
			if l == nil {
				continue
			}
			l.Classes++
			if c.Leaf.IsZero() {
				continue
			}
			l.Qdiscs++
			if c.Kind == KindCircuit {
				s.LeafQdiscs[c.Leaf.Kind]++
			}
			switch {
			case c.Kind != KindCircuit:
				l.MemoryBytes += memInfraQdisc
			case c.Leaf.Kind == "cake":
				l.MemoryBytes += memCakeQdisc
			default:
				l.MemoryBytes += memFqCodelQdisc
			}
		}
		for i, ifc := range t.Interfaces {
			s.PerInterface[i] = *per[ifc]
		}
	}
	return s
}

// StatsJSON is the statistics summary as indented JSON.
func (p *Plan) StatsJSON() ([]byte, error) {
	data, err := json.MarshalIndent(p.Stats, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// Summary is the statistics as a few human-readable lines.
func (p *Plan) Summary() string {
	s := p.Stats
	var b strings.Builder
	mode := "shape"
	if s.Observe {
		mode = "observe"
	}
	layout := "bridge"
	if p.OnAStick {
		layout = fmt.Sprintf("on a stick (upload majors +%d)", s.StickOffset)
	}
	fmt.Fprintf(&b, "mode %s, %s, %d queue(s) per direction, download on %s, upload on %s\n", mode, layout, s.Queues, p.DownloadInterface, p.UploadInterface)
	fmt.Fprintf(&b, "nodes %d (+%d generated), circuits %d, devices %d, IP mappings %d, classes %d, unshaped circuits %d\n",
		s.Nodes, s.GeneratedNodes, s.Circuits, s.Devices, s.Mappings, s.Classes, s.Unshaped)
	kinds := make([]string, 0, len(s.LeafQdiscs))
	for k := range s.LeafQdiscs {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var leafs []string
	for _, k := range kinds {
		leafs = append(leafs, fmt.Sprintf("%s %d", k, s.LeafQdiscs[k]))
	}
	if len(leafs) == 0 {
		leafs = []string{"none"}
	}
	fmt.Fprintf(&b, "circuit leaf qdiscs: %s\n", strings.Join(leafs, ", "))
	fmt.Fprintf(&b, "identities: %d kept, %d new, %d moved\n", s.IdentitiesKept, s.IdentitiesNew, s.IdentitiesMoved)
	for _, l := range s.PerInterface {
		fmt.Fprintf(&b, "interface %s: %d qdiscs, %d classes, ~%d MiB qdisc memory\n", l.Interface, l.Qdiscs, l.Classes, (l.MemoryBytes+(1<<20)-1)>>20)
	}
	for _, q := range s.PerQueue {
		fmt.Fprintf(&b, "queue %d: %d top-level, %d nodes, %d circuits, sum of ceilings %.2f down / %.2f up Mbps, last minor 0x%x\n",
			q.Queue, q.TopLevelNodes, q.Nodes, q.Circuits, q.DownloadMaxMbps, q.UploadMaxMbps, q.LastMinor)
	}
	for _, u := range p.Unshaped {
		fmt.Fprintf(&b, "not shaped: circuit %q (line %d, parent %q): %s\n", u.CircuitID, u.Line, u.ParentNode, u.Reason)
	}
	for _, w := range p.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	return b.String()
}

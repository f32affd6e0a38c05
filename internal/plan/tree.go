package plan

import (
	"net/netip"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

// Direction is the way traffic flows through the shaper.
type Direction int

const (
	Download Direction = iota // towards subscribers, shaped on the ISP-facing interface
	Upload                    // towards the Internet, shaped on the Internet-facing interface
)

func (d Direction) String() string {
	if d == Upload {
		return "upload"
	}
	return "download"
}

// ClassKind says what an HTB class stands for.
type ClassKind int

const (
	KindQueueRoot ClassKind = iota // per-CPU-queue root class (major:1)
	KindDefault                    // per-queue default class for unmapped traffic (major:2)
	KindCPUBin                     // binpacking bin class
	KindNode                       // network.json node or generated parent node
	KindCircuit                    // subscriber circuit
)

func (k ClassKind) String() string {
	return [...]string{"queue-root", "default", "cpu-bin", "node", "circuit"}[k]
}

// Leaf is a leaf qdisc: its kind and the tc arguments after the kind, e.g.
// {Kind: "cake", Args: ["diffserv4", "rtt", "140ms"]}. Kind "" means no leaf.
type Leaf struct {
	Kind string
	Args []string
}

// IsZero reports whether there is no leaf qdisc.
func (l Leaf) IsZero() bool { return l.Kind == "" }

// Class is one HTB class on one interface.
type Class struct {
	Interface string
	Direction Direction
	ID        tchandle.Handle
	Parent    tchandle.Handle
	Kind      ClassKind
	// RateBps and CeilBps are bits per second.
	RateBps uint64
	CeilBps uint64
	Quantum uint32
	Prio    uint32 // 0 = not set
	// Leaf is the qdisc attached under the class (circuits and the default/root classes).
	Leaf       Leaf
	LeafHandle tchandle.Handle // explicit leaf qdisc handle (major:0); 0 = let the kernel choose
	// Identity: exactly one of these is set for nodes and circuits.
	NodeName  string
	CircuitID string
	Name      string // display name
	Queue     int    // 1-based CPU/TX queue
}

// Qdisc is an infrastructure qdisc (mq root, per-queue HTB).
type Qdisc struct {
	Interface  string
	Handle     tchandle.Handle
	Parent     tchandle.Handle // 0xFFFFFFFF for the root
	Kind       string          // "mq" or "htb"
	HTBDefault uint32          // htb: default class minor
	HTBR2Q     uint32          // htb: r2q; 0 = kernel default
}

// Mapping sends an IP prefix to a circuit's classes. It is the one IP
// mapping type: the planner produces it, the bus carries it as JSON (class
// ids as the number major<<16|minor, 0 = not shaped) and lqosd lists it back.
type Mapping struct {
	Prefix        netip.Prefix    `json:"prefix"`                    // "192.0.2.7/32", "2001:db8::/56"
	CPU           uint32          `json:"cpu"`                       // 0-based CPU for the download side
	ClassID       tchandle.Handle `json:"class_id"`                  // download class
	UploadCPU     uint32          `json:"upload_cpu,omitempty"`      // 0-based CPU for the upload side
	UploadClassID tchandle.Handle `json:"upload_class_id,omitempty"` // upload class
	CircuitID     string          `json:"circuit_id"`
	DeviceID      string          `json:"device_id,omitempty"`
}

// Tree is the kernel-facing result of planning: everything package tc needs.
type Tree struct {
	// Interfaces in apply order; on a stick both directions use one interface.
	Interfaces []string
	Qdiscs     []Qdisc
	Classes    []Class // parents always come before children
	Mappings   []Mapping
	// Observe is true in queue_mode "observe": only the mq roots are kept.
	Observe bool
}

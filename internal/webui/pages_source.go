package webui

import (
	"context"
	"time"
)

// PageSource feeds the network tree, node, circuit, CPU, shaped device and
// unknown IP pages. A Source that also implements PageSource gets those
// pages; otherwise their API answers 501 and the pages say so.
//
// The same rules as for Source apply: concurrent calls, each with a
// deadline. Live figures are the latest one-second rates.
type PageSource interface {
	// NetworkTree returns every node of network.json (plus generated
	// nodes), parents before children, with TreeNode.Index equal to the
	// position in the slice.
	NetworkTree(ctx context.Context) ([]TreeNode, error)
	// Circuits returns every shaped circuit with its live figures.
	Circuits(ctx context.Context) ([]CircuitRow, error)
	// CircuitDetail returns one circuit's devices, queue statistics and
	// current flows; an error wrapping ErrNotFound for an unknown id.
	CircuitDetail(ctx context.Context, id string) (CircuitDetail, error)
	// ShapedDevices returns every row of ShapedDevices.csv.
	ShapedDevices(ctx context.Context) ([]ShapedDevice, error)
	// UnknownIPs returns addresses seen in traffic that match no circuit.
	UnknownIPs(ctx context.Context) ([]UnknownIP, error)
	// CPUPlan returns which nodes and circuits sit on which CPU, the
	// planner's weights and the live load per CPU.
	CPUPlan(ctx context.Context) (CPUPlan, error)
}

// Rates is a pair of directional rates or counts as floats (bits per
// second, percentages).
type Rates struct {
	Down float64 `json:"down"`
	Up   float64 `json:"up"`
}

// NodeLive are a node's live figures, summed over the circuits below it.
type NodeLive struct {
	BitsPerSecond DownUp `json:"bps"`
	// Median and 90th percentile of the TCP RTT samples below the node
	// (0 = no sample).
	RTTP50Ms float64 `json:"rtt_p50_ms"`
	RTTP90Ms float64 `json:"rtt_p90_ms"`
	// RetransmitPct is TCP retransmits as a percentage of TCP packets.
	RetransmitPct Rates `json:"retx_pct"`
	// Drops and ECN marks of the node's own queue (packets, since the
	// queue was created).
	Drops DownUp `json:"drops"`
	Marks DownUp `json:"marks"`
}

// TreeNode is one node of the network hierarchy.
type TreeNode struct {
	Index int `json:"index"`
	// ID is stable across reloads: the network.json id, else the path of
	// names from the root joined by "/".
	ID     string `json:"id"`
	Name   string `json:"name"`
	Parent int    `json:"parent"` // index of the parent; -1 at the top level
	Type   string `json:"type,omitempty"`
	// Generated nodes were made by the planner or an integration, not
	// written in network.json.
	Generated bool `json:"generated,omitempty"`
	// MaxMbps is the node's effective limit each way.
	MaxMbps DownUp `json:"max_mbps"`
	// Circuits counts the circuits in the node's whole subtree.
	Circuits int      `json:"circuits"`
	CPU      int      `json:"cpu"` // CPU (queue) of the node's top-level branch; -1 unknown
	Live     NodeLive `json:"live"`
}

// CircuitLive are a circuit's live figures.
type CircuitLive struct {
	BitsPerSecond DownUp  `json:"bps"`
	RTTMs         float64 `json:"rtt_ms"` // median TCP RTT; 0 = no sample
	RetransmitPct Rates   `json:"retx_pct"`
	// LastSeen is the last time the circuit passed traffic (zero = never).
	LastSeen time.Time `json:"last_seen"`
}

// CircuitRow is one circuit in lists.
type CircuitRow struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Parent int    `json:"parent"` // node index; -1 when not attached
	// ParentName is the parent node's name ("" when not attached).
	ParentName string   `json:"parent_name"`
	IPs        []string `json:"ips"`
	MACs       []string `json:"macs"`
	Devices    int      `json:"devices"`
	// Plan is the shaped rate each way after overrides.
	MinMbps DownUp      `json:"min_mbps"`
	MaxMbps DownUp      `json:"max_mbps"`
	CPU     int         `json:"cpu"` // -1 unknown
	Live    CircuitLive `json:"live"`
	// Dynamic: the circuit (or one of its devices) comes from a RADIUS
	// accounting session, not from ShapedDevices.csv.
	Dynamic bool `json:"dynamic,omitempty"`
}

// QueueClassStats are kernel statistics of one HTB class or leaf qdisc.
type QueueClassStats struct {
	Handle     string `json:"handle"` // "1:2a" (class) or "8003:" (leaf)
	Kind       string `json:"kind"`   // htb, cake, fq_codel, …
	Bytes      uint64 `json:"bytes"`
	Packets    uint64 `json:"packets"`
	Backlog    uint64 `json:"backlog_bytes"`
	QueueLen   uint64 `json:"qlen"`
	Drops      uint64 `json:"drops"`
	Marks      uint64 `json:"marks"`
	Overlimits uint64 `json:"overlimits"`
}

// QueueDirection is a circuit's queue in one direction.
type QueueDirection struct {
	Interface string          `json:"interface"`
	Class     QueueClassStats `json:"class"`
	Leaf      QueueClassStats `json:"leaf"`
}

// FlowRow is one current flow of a circuit.
type FlowRow struct {
	LocalIP    string `json:"local_ip"`
	RemoteIP   string `json:"remote_ip"`
	Protocol   string `json:"protocol"` // TCP, UDP, ICMP or a number
	LocalPort  uint16 `json:"local_port"`
	RemotePort uint16 `json:"remote_port"`
	// Bytes so far: down = towards the subscriber.
	Bytes       DownUp  `json:"bytes"`
	RTTMs       float64 `json:"rtt_ms"` // 0 = no sample
	Retransmits DownUp  `json:"retransmits"`
}

// CircuitDetail is everything the circuit page shows besides history.
type CircuitDetail struct {
	Circuit CircuitRow     `json:"circuit"`
	Devices []ShapedDevice `json:"devices"`
	// Queues are the HTB class and leaf of the circuit each way; nil when
	// the circuit has no queue (observe mode, not attached).
	Queues []QueueDirection `json:"queues"`
	Flows  []FlowRow        `json:"flows"`
}

// ShapedDevice is one row of ShapedDevices.csv.
type ShapedDevice struct {
	CircuitID   string   `json:"circuit_id"`
	CircuitName string   `json:"circuit_name"`
	DeviceID    string   `json:"device_id"`
	DeviceName  string   `json:"device_name"`
	ParentNode  string   `json:"parent_node"`
	MAC         string   `json:"mac"`
	IPv4        []string `json:"ipv4"`
	IPv6        []string `json:"ipv6"`
	MinMbps     DownUp   `json:"min_mbps"`
	MaxMbps     DownUp   `json:"max_mbps"`
	Comment     string   `json:"comment,omitempty"`
	// Dynamic: the device is a RADIUS accounting session.
	Dynamic bool `json:"dynamic,omitempty"`
}

// UnknownIP is an address seen in traffic that matches no circuit.
type UnknownIP struct {
	IP            string    `json:"ip"`
	Bytes         DownUp    `json:"bytes"`
	BitsPerSecond DownUp    `json:"bps"`
	LastSeen      time.Time `json:"last_seen"`
}

// CPUPlan is the planner's spread of the tree over CPUs and the live load.
type CPUPlan struct {
	// Mode is "multi-queue", "single-queue" or "on-a-stick".
	Mode string `json:"mode"`
	// Note explains a mode that limits spreading ("" when none).
	Note string     `json:"note,omitempty"`
	CPUs []CPUQueue `json:"cpus"`
}

// CPUQueue is one CPU and the HTB queue it drains.
type CPUQueue struct {
	CPU   int    `json:"cpu"`
	Queue string `json:"queue"` // HTB major handle of the CPU's queue, "1:" style
	// Weight is the planner's total weight of the branches on this CPU.
	Weight float64 `json:"weight"`
	// Live load: what the CPU handled in the last second and how busy it is.
	BitsPerSecond    uint64       `json:"bps"`
	PacketsPerSecond uint64       `json:"pps"`
	BusyPct          float64      `json:"busy_pct"`
	Nodes            []CPUBranch  `json:"nodes"`
	Circuits         int          `json:"circuits"`
	TopCircuits      []CircuitRef `json:"top_circuits,omitempty"`
}

// CPUBranch is a top-level node (branch) placed on a CPU.
type CPUBranch struct {
	Index         int     `json:"index"`
	ID            string  `json:"id"`
	Name          string  `json:"name"`
	Weight        float64 `json:"weight"`
	BitsPerSecond uint64  `json:"bps"`
	Circuits      int     `json:"circuits"`
}

// CircuitRef names a circuit (for links).
type CircuitRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Package graph is the topology model every CRM/NMS integration fills: sites,
// access points, clients (circuits) and their devices, linked by parent id.
// Compile turns a filled graph into network.json and ShapedDevices.csv content
// according to a compile mode (flat, ap_only, ap_site, full).
package graph

import (
	"strings"
)

// Kind is a node's role in the graph.
type Kind int

const (
	// KindSite is a site, tower or zone. Exported to network.json.
	KindSite Kind = iota + 1
	// KindAP is an access point, sector or other infrastructure device. Exported.
	KindAP
	// KindClient is a circuit: a subscriber service shaped as one unit.
	KindClient
	// KindDevice is a CPE or router with addresses; it belongs to a client.
	KindDevice
)

func (k Kind) String() string {
	switch k {
	case KindSite:
		return "site"
	case KindAP:
		return "ap"
	case KindClient:
		return "client"
	case KindDevice:
		return "device"
	}
	return "unknown"
}

// Rates are a circuit's rates in Mbps. Min is the guarantee, Max the ceiling.
type Rates struct {
	DownloadMin, UploadMin, DownloadMax, UploadMax float64
}

// Node is one element of the graph. Integrations fill the fields that apply to
// the node's kind and leave the rest zero.
type Node struct {
	ID       string // unique within the graph; required
	Name     string // display name; defaults to ID
	ParentID string // "" or unknown = attached to the root
	Kind     Kind

	// NetworkID is the stable id written to network.json ("splynx:ap:11").
	NetworkID string
	// Capacity of a site/AP in Mbps; 0 = queues.generated_pn_*_mbps.
	DownloadMbps, UploadMbps float64
	Latitude, Longitude      *float64

	// Client fields.
	Address   string
	Rates     Rates
	Suspended bool // the CRM says the subscriber is suspended/blocked
	// SuspendedStrategy overrides Options.Suspended for this client ("" = use the option).
	SuspendedStrategy string

	// Device fields.
	MAC string
	// DeviceID is the Device ID written to ShapedDevices.csv; "" = ID. It
	// lets an integration keep the source's device ids when they collide
	// with other node ids of the graph.
	DeviceID string
	// IPs are addresses or prefixes as the API gave them (IPv4 and IPv6
	// mixed); Compile parses, normalises and filters them.
	IPs []string
}

func (n *Node) deviceID() string {
	if n.DeviceID != "" {
		return n.DeviceID
	}
	return n.ID
}

func (n *Node) displayName() string {
	if n.Name != "" {
		return n.Name
	}
	return n.ID
}

// Graph collects nodes in insertion order. Insertion order is output order,
// so integrations add nodes in a deterministic (API) order.
type Graph struct {
	nodes []*Node
	byID  map[string]*Node
	// Problems found while filling the graph (duplicate ids); reported by Compile.
	problems []string
}

// New returns an empty graph.
func New() *Graph { return &Graph{byID: map[string]*Node{}} }

// Add inserts a copy of n (slices are copied too, so callers may reuse them).
// A node whose id is already present is refused and reported; the first wins.
func (g *Graph) Add(n Node) bool {
	n.ID = strings.TrimSpace(n.ID)
	if n.ID == "" {
		g.problems = append(g.problems, "a "+n.Kind.String()+" node named "+quote(n.Name)+" has no id; skipped")
		return false
	}
	if _, dup := g.byID[n.ID]; dup {
		g.problems = append(g.problems, "duplicate node id "+quote(n.ID)+" ("+n.Kind.String()+" "+quote(n.Name)+"); the first one is kept")
		return false
	}
	n.IPs = append([]string(nil), n.IPs...)
	c := n
	g.nodes = append(g.nodes, &c)
	g.byID[c.ID] = &c
	return true
}

// Has reports whether a node with that id exists.
func (g *Graph) Has(id string) bool { _, ok := g.byID[id]; return ok }

// Node returns the node with that id, or nil. The returned node may be modified.
func (g *Graph) Node(id string) *Node { return g.byID[id] }

func quote(s string) string { return "\"" + s + "\"" }

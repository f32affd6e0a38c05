// Package topology reads network.json: the tree of sites, APs and other nodes
// that circuits hang from. Node order is kept as written, because the planner
// and operators both care about it.
package topology

import "strings"

// Node is one site, AP or other aggregation point.
type Node struct {
	Name string // the JSON key; unique across the whole tree
	ID   string // optional stable id (e.g. "uisp:site:123")
	// DisplayName is the optional "name" field, an attachment alias.
	DisplayName          string
	ActiveAttachmentName string
	Type                 string
	Virtual              bool
	// Bandwidths in Mbps; 0 means "inherit from the parent".
	DownloadMbps    float64
	UploadMbps      float64
	DownloadMinMbps float64 // optional explicit guarantee; 0 = unset
	UploadMinMbps   float64
	Latitude        *float64
	Longitude       *float64
	Children        []*Node
	Parent          *Node `json:"-"`
	Line            int   // line of the node's key, for messages
}

// IsVirtual reports whether the node is logical only (virtual flag or type "virtual").
func (n *Node) IsVirtual() bool {
	return n.Virtual || strings.EqualFold(n.Type, "virtual")
}

// Path returns the names from the top level down to n, joined with " > ".
func (n *Node) Path() string {
	var parts []string
	for x := n; x != nil; x = x.Parent {
		parts = append([]string{x.Name}, parts...)
	}
	return strings.Join(parts, " > ")
}

// Depth is 1 for top-level nodes.
func (n *Node) Depth() int {
	d := 0
	for x := n; x != nil; x = x.Parent {
		d++
	}
	return d
}

// Network is a parsed network.json.
type Network struct {
	Path  string
	Roots []*Node
}

// Flat reports whether the network has no nodes (the file was "{}").
func (nw *Network) Flat() bool { return len(nw.Roots) == 0 }

// Walk visits every node depth-first in file order. Returning false from fn
// skips the node's children.
func (nw *Network) Walk(fn func(*Node) bool) {
	var walk func([]*Node)
	walk = func(ns []*Node) {
		for _, n := range ns {
			if fn(n) {
				walk(n.Children)
			}
		}
	}
	walk(nw.Roots)
}

// Nodes returns every node depth-first in file order.
func (nw *Network) Nodes() []*Node {
	var out []*Node
	nw.Walk(func(n *Node) bool { out = append(out, n); return true })
	return out
}

// Find returns the node with the given key name, or nil.
func (nw *Network) Find(name string) *Node {
	var found *Node
	nw.Walk(func(n *Node) bool {
		if found == nil && n.Name == name {
			found = n
		}
		return found == nil
	})
	return found
}

// Resolver finds the node a circuit attaches to. A Parent Node name that
// matches a key name, display name or attachment alias (first registration
// wins) decides; the Parent Node ID is used only when the name is empty or
// matches nothing. This is upstream's rule: when the two disagree the
// circuit is shaped under the named node and the ID is dropped.
type Resolver struct {
	byID   map[string]*Node
	byName map[string]*Node
}

// NewResolver indexes nw.
func NewResolver(nw *Network) *Resolver {
	r := &Resolver{byID: map[string]*Node{}, byName: map[string]*Node{}}
	add := func(m map[string]*Node, k string, n *Node) {
		if k == "" {
			return
		}
		if _, ok := m[k]; !ok {
			m[k] = n
		}
	}
	nodes := nw.Nodes()
	for _, n := range nodes {
		add(r.byID, n.ID, n)
		add(r.byName, n.Name, n)
	}
	// Aliases register after all keys so a key always wins over an alias.
	for _, n := range nodes {
		add(r.byName, n.DisplayName, n)
		add(r.byName, n.ActiveAttachmentName, n)
	}
	return r
}

// Resolve returns the node for a circuit's Parent Node ID and Parent Node name.
func (r *Resolver) Resolve(parentID, parentName string) *Node {
	if parentName != "" {
		if n := r.byName[parentName]; n != nil {
			return n
		}
	}
	if parentID != "" {
		return r.byID[parentID]
	}
	return nil
}

// Disagreement returns the node the Parent Node ID names when it differs
// from the node the Parent Node name resolves to (which Resolve chose), or
// nil when they agree or either is unknown.
func (r *Resolver) Disagreement(parentID, parentName string) *Node {
	if parentID == "" || parentName == "" {
		return nil
	}
	named, byID := r.byName[parentName], r.byID[parentID]
	if named == nil || byID == nil || named == byID {
		return nil
	}
	return byID
}

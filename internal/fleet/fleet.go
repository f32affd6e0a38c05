// Package fleet splits one network between several shapers. Every shaper
// imports the whole CRM; [fleet] in lqos.conf says which top-level
// network.json sites this one shapes, and Filter cuts the import down to
// them (the sites' subtrees and the circuits under them) before it is
// written and applied.
//
// Two rules: a list of top-level sites per shaper node_name
// (fleet.sites), or a hash of each top-level site's name into
// fleet.shaper_count shapers, this one being fleet.shaper_index. The hash is
// the first 8 bytes of the SHA-256 of the site name (big-endian) modulo
// the count, so every shaper
// computes the same split from the same names without talking to the
// others, and adding a site never moves another.
//
// Circuits without a top-level site (no parent node, or a flat network)
// are split by the hash of their circuit ID under the hash rule; the list
// rule cannot place them, so they are left out and counted.
package fleet

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"
	"slices"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/topology"
)

// Share is one shaper's part of the network.
type Share struct {
	self  string
	count int
	index int
	names []string
	owner map[string]string // list rule: site -> shaper
}

// New returns the share lqos.conf names, or nil when [fleet] does not
// split the network (this shaper shapes everything).
func New(cfg *config.Config) *Share {
	f := cfg.Fleet
	if !f.Enabled() {
		return nil
	}
	s := &Share{self: cfg.NodeName, count: f.ShaperCount, index: f.ShaperIndex, names: f.ShaperNames}
	if len(f.Sites) > 0 {
		s.owner = map[string]string{}
		for shaper, sites := range f.Sites {
			for _, site := range sites {
				s.owner[site] = shaper
			}
		}
	}
	return s
}

// Self is this shaper's name (node_name).
func (s *Share) Self() string { return s.self }

// Rule describes the rule in one line.
func (s *Share) Rule() string {
	if s.owner != nil {
		return "listed top-level sites per shaper (fleet.sites)"
	}
	return fmt.Sprintf("hash of top-level site names into %d shapers (fleet.shaper_count), this is index %d", s.count, s.index)
}

// HashIndex is the hash rule's shaper index for key among count shapers.
func HashIndex(key string, count int) int {
	sum := sha256.Sum256([]byte(key))
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(count))
}

func (s *Share) shaperName(i int) string {
	switch {
	case i == s.index:
		return s.self
	case i < len(s.names):
		return s.names[i]
	}
	return fmt.Sprintf("shaper-%d", i)
}

// Owner names the shaper owning a top-level site ("" = none under the
// list rule).
func (s *Share) Owner(site string) string {
	if s.owner != nil {
		return s.owner[site]
	}
	return s.shaperName(HashIndex(site, s.count))
}

// ownerOfUnparented places a circuit without a top-level site.
func (s *Share) ownerOfUnparented(circuitID string) string {
	if s.owner != nil {
		return ""
	}
	return s.shaperName(HashIndex(circuitID, s.count))
}

// Assignment is one top-level site and who shapes it.
type Assignment struct {
	Site     string
	Owner    string // "" = no shaper (list rule, site not listed)
	Mine     bool
	Circuits int
}

// Summary counts what Filter kept and left out.
type Summary struct {
	Sites []Assignment // file order
	// Missing are listed sites that network.json does not have.
	Missing []string
	// Circuits kept; LeftOut went to other shapers; Unassigned went to
	// none (sites the list rule does not name, or circuits without a site
	// under it).
	Circuits, LeftOut, Unassigned int
	// UnparentedMine and UnparentedOthers count circuits without a
	// top-level site placed by the hash of their ID.
	UnparentedMine, UnparentedOthers int
}

// Warnings are the lines an operator should read.
func (sum Summary) Warnings() []string {
	var out []string
	for _, a := range sum.Sites {
		if a.Owner == "" {
			out = append(out, fmt.Sprintf("fleet: top-level site %q is not listed for any shaper in fleet.sites; its %d circuits are shaped by none", a.Site, a.Circuits))
		}
	}
	for _, m := range sum.Missing {
		out = append(out, fmt.Sprintf("fleet: fleet.sites lists %q, which is not a top-level site of network.json", m))
	}
	if n := sum.Unassigned - sumUnlisted(sum.Sites); n > 0 {
		out = append(out, fmt.Sprintf("fleet: %d circuits have no top-level site, which the fleet.sites rule cannot place; they are shaped by none", n))
	}
	return out
}

func sumUnlisted(as []Assignment) int {
	n := 0
	for _, a := range as {
		if a.Owner == "" {
			n += a.Circuits
		}
	}
	return n
}

// String is the one-line summary for logs and reports.
func (sum Summary) String() string {
	mine := 0
	for _, a := range sum.Sites {
		if a.Mine {
			mine++
		}
	}
	return fmt.Sprintf("fleet: this shaper has %d of %d top-level sites, %d circuits (%d for other shapers, %d for none)",
		mine, len(sum.Sites), sum.Circuits, sum.LeftOut, sum.Unassigned)
}

// Filter returns this shaper's part of the network: the top-level sites
// it owns with their subtrees, and the circuits under them. The inputs are
// not changed.
func (s *Share) Filter(nw *topology.Network, circuits []*devices.Circuit) (*topology.Network, []*devices.Circuit, Summary) {
	var sum Summary
	rootOf := rootIndex(nw)
	count := map[string]int{}
	out := make([]*devices.Circuit, 0, len(circuits))
	for _, c := range circuits {
		root := circuitRoot(rootOf, c)
		var owner string
		if root == "" {
			owner = s.ownerOfUnparented(c.ID)
		} else {
			count[root]++
			owner = s.Owner(root)
		}
		switch {
		case owner == s.self:
			out = append(out, c)
			sum.Circuits++
			if root == "" {
				sum.UnparentedMine++
			}
		case owner == "":
			sum.Unassigned++
		default:
			sum.LeftOut++
			if root == "" {
				sum.UnparentedOthers++
			}
		}
	}
	kept := &topology.Network{}
	if nw != nil {
		kept.Path = nw.Path
		for _, r := range nw.Roots {
			o := s.Owner(r.Name)
			sum.Sites = append(sum.Sites, Assignment{Site: r.Name, Owner: o, Mine: o == s.self, Circuits: count[r.Name]})
			if o == s.self {
				kept.Roots = append(kept.Roots, r)
			}
		}
	}
	if s.owner != nil {
		for site := range s.owner {
			if !slices.ContainsFunc(sum.Sites, func(a Assignment) bool { return a.Site == site }) {
				sum.Missing = append(sum.Missing, site)
			}
		}
		slices.Sort(sum.Missing)
	}
	return kept, out, sum
}

// rootIndex maps every node's name and ID to its top-level ancestor.
func rootIndex(nw *topology.Network) map[string]string {
	idx := map[string]string{}
	if nw == nil {
		return idx
	}
	for _, r := range nw.Roots {
		var walk func(n *topology.Node)
		walk = func(n *topology.Node) {
			idx["name:"+n.Name] = r.Name
			if n.ID != "" {
				idx["id:"+n.ID] = r.Name
			}
			for _, ch := range n.Children {
				walk(ch)
			}
		}
		walk(r)
	}
	return idx
}

// circuitRoot finds a circuit's top-level site: by parent node ID first
// (as the planner prefers it), then by exact name. A parent that resolves
// to nothing counts as no site (the planner reports it as an error).
func circuitRoot(idx map[string]string, c *devices.Circuit) string {
	if c.ParentNodeID != "" {
		if r, ok := idx["id:"+c.ParentNodeID]; ok {
			return r
		}
	}
	return idx["name:"+c.ParentNode]
}

// Report prints, for `libreqos validate`, which shaper owns each top-level
// site of the loaded files and what this shaper keeps. It prints nothing
// when [fleet] does not split the network.
func Report(out io.Writer, cfg *config.Config, nw *topology.Network, circuits []*devices.Circuit) {
	s := New(cfg)
	if s == nil {
		return
	}
	_, _, sum := s.Filter(nw, circuits)
	fmt.Fprintf(out, "Fleet:    %s; this shaper is %q\n", s.Rule(), s.Self())
	w := 4
	for _, a := range sum.Sites {
		w = max(w, len(a.Site))
	}
	for _, a := range sum.Sites {
		owner, mark := a.Owner, ""
		if owner == "" {
			owner = "(none)"
		}
		if a.Mine {
			mark = "  <- this shaper"
		}
		fmt.Fprintf(out, "  %-*s  %-16s %5d circuits%s\n", w, a.Site, owner, a.Circuits, mark)
	}
	if sum.UnparentedMine+sum.UnparentedOthers > 0 {
		fmt.Fprintf(out, "  circuits without a top-level site: %d here, %d on other shapers (hash of circuit ID)\n", sum.UnparentedMine, sum.UnparentedOthers)
	}
	fmt.Fprintln(out, "  "+sum.String())
	for _, w := range sum.Warnings() {
		fmt.Fprintln(out, "  warning: "+w)
	}
}

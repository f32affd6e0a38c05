package topology

import "fmt"

// Physical returns the shaping tree: virtual nodes are removed and their
// children promoted to the virtual node's level. The map sends every logical
// node name to the physical node that shapes it ("" for a top-level virtual
// node, whose circuits become unparented). The receiver is not changed.
func (nw *Network) Physical() (*Network, map[string]string, error) {
	logical := map[string]string{}
	var build func(nodes []*Node, parent *Node, nearest string) ([]*Node, error)
	build = func(nodes []*Node, parent *Node, nearest string) ([]*Node, error) {
		var out []*Node
		names := map[string]bool{}
		add := func(n *Node) error {
			if names[n.Name] {
				return fmt.Errorf("promotion collision: %q would appear twice under %s after removing virtual nodes", n.Name, describeParent(parent))
			}
			names[n.Name] = true
			out = append(out, n)
			return nil
		}
		for _, n := range nodes {
			if n.IsVirtual() {
				logical[n.Name] = nearest
				promoted, err := build(n.Children, parent, nearest)
				if err != nil {
					return nil, err
				}
				for _, c := range promoted {
					if err := add(c); err != nil {
						return nil, err
					}
				}
				continue
			}
			cp := *n
			cp.Parent = parent
			cp.Children = nil
			logical[n.Name] = n.Name
			kids, err := build(n.Children, &cp, n.Name)
			if err != nil {
				return nil, err
			}
			cp.Children = kids
			if err := add(&cp); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	roots, err := build(nw.Roots, nil, "")
	if err != nil {
		return nil, nil, err
	}
	return &Network{Path: nw.Path, Roots: roots}, logical, nil
}

func describeParent(p *Node) string {
	if p == nil {
		return "the top level"
	}
	return fmt.Sprintf("%q", p.Name)
}

// HasVirtual reports whether any node is virtual.
func (nw *Network) HasVirtual() bool {
	found := false
	nw.Walk(func(n *Node) bool {
		found = found || n.IsVirtual()
		return !found
	})
	return found
}

package tc

import (
	"fmt"
	"strings"

	"github.com/libreqos-go/lqos/internal/plan"
)

// RenderBatch renders the tree as a `tc -batch` file that builds the same
// kernel objects Apply would on empty interfaces (used to compare against the
// upstream way, `tc -force -batch FILE`). Rates are exact bit/s; handles are hex.
func RenderBatch(t *plan.Tree) (string, error) {
	d, err := fromTree(t)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, q := range d.qdiscs {
		if q.parent == plan.RootParent {
			fmt.Fprintf(&b, "qdisc replace dev %s root handle %s %s\n", q.iface, qdiscHandleText(q.handle), q.kind)
			continue
		}
		fmt.Fprintf(&b, "qdisc replace dev %s parent %s handle %s %s", q.iface, q.parent, qdiscHandleText(q.handle), q.kind)
		if q.kind == "htb" {
			fmt.Fprintf(&b, " default %x r2q %d", q.defcls, q.r2q)
		}
		b.WriteByte('\n')
	}
	leafArgs := map[string][]string{}
	for i := range t.Classes {
		c := &t.Classes[i]
		leafArgs[c.Interface+"/"+c.ID.String()] = c.Leaf.Args
	}
	for _, c := range d.classes {
		fmt.Fprintf(&b, "class add dev %s parent %s classid %s htb rate %dbit ceil %dbit", c.iface, parentText(c.parent), c.id, c.p.Rate*8, c.p.Ceil*8)
		if c.p.Prio != 0 {
			fmt.Fprintf(&b, " prio %d", c.p.Prio)
		}
		if !c.anyQuantum {
			fmt.Fprintf(&b, " quantum %d", c.p.Quantum)
		}
		b.WriteByte('\n')
		if c.leaf != nil {
			fmt.Fprintf(&b, "qdisc add dev %s parent %s", c.iface, c.id)
			if !c.leaf.anyHandle {
				fmt.Fprintf(&b, " handle %s", qdiscHandleText(c.leaf.handle))
			}
			b.WriteString(" " + c.leaf.kind)
			for _, a := range leafArgs[c.iface+"/"+c.id.String()] {
				b.WriteString(" " + a)
			}
			b.WriteByte('\n')
		}
	}
	return b.String(), nil
}

func qdiscHandleText(h plan.Handle) string { return fmt.Sprintf("%x:", h.Major()) }

func parentText(h plan.Handle) string {
	if h.Minor() == 0 {
		return qdiscHandleText(h)
	}
	return h.String()
}

package tc

import (
	"fmt"
	"slices"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// wantQdisc is a qdisc we want to exist.
type wantQdisc struct {
	iface          string
	handle, parent tchandle.Handle
	kind           string
	opts           []byte
	nested         bool
	// anyHandle: the kernel picks the handle (restoring a kernel default
	// qdisc such as a per-queue pfifo_fast under mq).
	anyHandle bool
	// htb qdisc parameters, compared semantically.
	r2q, defcls uint32
	owner       string
}

// wantClass is an HTB class we want to exist, with its leaf (nil = none).
type wantClass struct {
	iface      string
	id, parent tchandle.Handle
	p          htbClassParams
	// anyQuantum: the plan left quantum to the kernel (r2q).
	anyQuantum bool
	leaf       *wantQdisc
	owner      string
}

// desired is the target state of a set of interfaces, parents before children.
type desired struct {
	ifaces  []string
	qdiscs  []wantQdisc // roots first, then infrastructure (per-queue htb)
	classes []wantClass
}

func classOwner(c *plan.Class) string {
	switch {
	case c.CircuitID != "":
		return fmt.Sprintf("circuit %s (class %s) on %s", c.CircuitID, c.ID, c.Interface)
	case c.NodeName != "":
		return fmt.Sprintf("node %s (class %s) on %s", c.NodeName, c.ID, c.Interface)
	case c.Kind >= plan.KindQueueRoot && c.Kind <= plan.KindCircuit:
		return fmt.Sprintf("%s class %s on %s", c.Kind, c.ID, c.Interface)
	default:
		// plan.ClassKind.String would index out of range.
		return fmt.Sprintf("class %s (kind %d) on %s", c.ID, int(c.Kind), c.Interface)
	}
}

func qdiscOwner(iface string, kind string, h, parent tchandle.Handle) string {
	if parent == tchandle.Root {
		return fmt.Sprintf("root %s qdisc %s on %s", kind, h, iface)
	}
	return fmt.Sprintf("%s qdisc %s (parent %s) on %s", kind, h, parent, iface)
}

// fromTree validates the plan and encodes every object, so bad input fails
// before the kernel is touched.
func fromTree(t *plan.Tree) (*desired, error) {
	if t == nil {
		return nil, fmt.Errorf("tc: nil tree")
	}
	d := &desired{ifaces: slices.Clone(t.Interfaces)}
	if len(d.ifaces) == 0 {
		return nil, fmt.Errorf("tc: tree has no interfaces")
	}
	known := map[string]bool{}
	for _, i := range d.ifaces {
		if i == "" || known[i] {
			return nil, fmt.Errorf("tc: tree interfaces %q: empty or repeated name", d.ifaces)
		}
		known[i] = true
	}
	type key struct {
		iface string
		h     tchandle.Handle
	}
	qdiscHandles := map[key]string{} // handle major:0 -> kind
	classes := map[key]bool{}        // class ids
	qdiscParents := map[key]bool{}   // parents already holding a qdisc
	for i, q := range t.Qdiscs {
		where := fmt.Sprintf("tc: tree qdisc %d (%s %s on %s)", i+1, q.Kind, q.Handle, q.Interface)
		if !known[q.Interface] {
			return nil, fmt.Errorf("%s: interface not in tree.Interfaces", where)
		}
		if q.Handle.Minor() != 0 || q.Handle.Major() == 0 {
			return nil, fmt.Errorf("%s: handle must be major:0 with a non-zero major", where)
		}
		k := key{q.Interface, q.Handle}
		if qdiscHandles[k] != "" {
			return nil, fmt.Errorf("%s: handle used twice", where)
		}
		if qdiscParents[key{q.Interface, q.Parent}] {
			return nil, fmt.Errorf("%s: parent %s already holds a qdisc", where, q.Parent)
		}
		w := wantQdisc{iface: q.Interface, handle: q.Handle, parent: q.Parent, kind: q.Kind, owner: qdiscOwner(q.Interface, q.Kind, q.Handle, q.Parent)}
		switch q.Kind {
		case "mq":
			if q.Parent != tchandle.Root {
				return nil, fmt.Errorf("%s: mq must be the root", where)
			}
		case "htb":
			if q.Parent == tchandle.Root {
				return nil, fmt.Errorf("%s: htb must sit under the mq root", where)
			}
			if qdiscHandles[key{q.Interface, tchandle.Make(q.Parent.Major(), 0)}] != "mq" {
				return nil, fmt.Errorf("%s: parent %s is not a slot of an mq root listed earlier", where, q.Parent)
			}
			w.r2q, w.defcls = q.HTBR2Q, q.HTBDefault
			if w.r2q == 0 {
				w.r2q = 10
			}
			w.opts = encodeHTBQdisc(q.HTBR2Q, q.HTBDefault)
			w.nested = true
		default:
			return nil, fmt.Errorf("%s: kind must be mq or htb", where)
		}
		qdiscHandles[k] = q.Kind
		qdiscParents[key{q.Interface, q.Parent}] = true
		d.qdiscs = append(d.qdiscs, w)
	}
	if t.Observe {
		// Observe mode keeps the roots only.
		d.qdiscs = slices.DeleteFunc(d.qdiscs, func(q wantQdisc) bool { return q.kind != "mq" })
		return d, nil
	}
	leafHandles := map[key]string{}
	for i := range t.Classes {
		c := &t.Classes[i]
		owner := classOwner(c)
		where := fmt.Sprintf("tc: tree class %d: %s", i+1, owner)
		if !known[c.Interface] {
			return nil, fmt.Errorf("%s: interface not in tree.Interfaces", where)
		}
		if c.ID.Minor() == 0 {
			return nil, fmt.Errorf("%s: class id needs a non-zero minor", where)
		}
		if qdiscHandles[key{c.Interface, tchandle.Make(c.ID.Major(), 0)}] != "htb" {
			return nil, fmt.Errorf("%s: no htb qdisc %x: for this class", where, c.ID.Major())
		}
		if c.Parent.Major() != c.ID.Major() {
			return nil, fmt.Errorf("%s: parent %s is in another htb", where, c.Parent)
		}
		if c.Parent.Minor() != 0 && !classes[key{c.Interface, c.Parent}] {
			return nil, fmt.Errorf("%s: parent class %s missing or listed after its child", where, c.Parent)
		}
		if classes[key{c.Interface, c.ID}] {
			return nil, fmt.Errorf("%s: class id used twice", where)
		}
		if c.RateBps < 8 {
			return nil, fmt.Errorf("%s: rate %d bit/s is too low", where, c.RateBps)
		}
		ceil := c.CeilBps
		if ceil == 0 {
			ceil = c.RateBps
		}
		classes[key{c.Interface, c.ID}] = true
		rate, ceilB := c.RateBps/8, ceil/8
		w := wantClass{
			iface: c.Interface, id: c.ID, parent: c.Parent, owner: owner,
			p: htbClassParams{
				Rate: rate, Ceil: ceilB, Buffer: htbBuffer(rate), Cbuffer: htbBuffer(ceilB),
				Quantum: c.Quantum, Prio: c.Prio,
			},
			anyQuantum: c.Quantum == 0,
		}
		if !c.Leaf.IsZero() {
			opts, nested, err := EncodeLeaf(c.Leaf.Kind, c.Leaf.Args)
			if err != nil {
				return nil, fmt.Errorf("%s: leaf: %w", where, err)
			}
			lh := c.LeafHandle
			if lh.Minor() != 0 {
				return nil, fmt.Errorf("%s: leaf handle %s must be major:0", where, lh)
			}
			if lh != 0 {
				k := key{c.Interface, lh}
				if qdiscHandles[k] != "" || leafHandles[k] != "" {
					return nil, fmt.Errorf("%s: leaf handle %s already used (%s%s)", where, lh, qdiscHandles[k], leafHandles[k])
				}
				leafHandles[k] = owner
			}
			w.leaf = &wantQdisc{
				iface: c.Interface, handle: lh, parent: c.ID, kind: c.Leaf.Kind,
				opts: opts, nested: nested, anyHandle: lh == 0, owner: owner,
			}
		}
		d.classes = append(d.classes, w)
	}
	// HTB refuses a qdisc on an inner class and destroys the leaf of a class
	// that gains children; a planned leaf there can never exist, so drop it
	// rather than fail or report drift forever.
	inner := map[key]bool{}
	for _, c := range d.classes {
		inner[key{c.iface, c.parent}] = true
	}
	for i := range d.classes {
		if c := &d.classes[i]; c.leaf != nil && inner[key{c.iface, c.id}] {
			c.leaf = nil
		}
	}
	return d, nil
}

// fromLive turns a dump back into a target state, used to roll back.
func fromLive(l *Live) *desired {
	d := &desired{ifaces: slices.Clone(l.Interfaces)}
	leafOf := map[string]map[tchandle.Handle]LiveQdisc{}
	classIDs := map[string]map[tchandle.Handle]bool{}
	for _, c := range l.Classes {
		if c.Kind != "htb" {
			continue
		}
		if classIDs[c.Interface] == nil {
			classIDs[c.Interface] = map[tchandle.Handle]bool{}
		}
		classIDs[c.Interface][c.ID] = true
	}
	for _, q := range l.Qdiscs {
		w := wantQdisc{
			iface: q.Interface, handle: q.Handle, parent: q.Parent, kind: q.Kind,
			opts: q.Options, nested: q.Kind != "pfifo" && q.Kind != "bfifo",
			anyHandle: q.Handle == 0, r2q: q.HTBR2Q, defcls: q.HTBDefault,
			owner: qdiscOwner(q.Interface, q.Kind, q.Handle, q.Parent),
		}
		switch q.Kind {
		case "pfifo_fast", "noqueue", "mq":
			w.opts = nil // fixed or not settable; the kernel fills them in
		case "htb":
			// The dump carries the full version number, which htb_init refuses.
			w.opts = encodeHTBQdisc(q.HTBR2Q, q.HTBDefault)
		}
		if classIDs[q.Interface][q.Parent] {
			if leafOf[q.Interface] == nil {
				leafOf[q.Interface] = map[tchandle.Handle]LiveQdisc{}
			}
			leafOf[q.Interface][q.Parent] = q
			continue
		}
		if q.Kind == "clsact" || q.Kind == "ingress" {
			continue // not ours; never touched
		}
		d.qdiscs = append(d.qdiscs, w)
	}
	// Roots first.
	slices.SortStableFunc(d.qdiscs, func(a, b wantQdisc) int {
		ar, br := a.parent == tchandle.Root, b.parent == tchandle.Root
		switch {
		case ar && !br:
			return -1
		case br && !ar:
			return 1
		}
		return 0
	})
	// Classes parents first: order by depth.
	type ck struct {
		iface string
		id    tchandle.Handle
	}
	parentOf := map[ck]tchandle.Handle{}
	for _, c := range l.Classes {
		parentOf[ck{c.Interface, c.ID}] = c.Parent
	}
	depth := func(c LiveClass) int {
		n := 0
		for p := c.Parent; p.Minor() != 0 && n < 64; n++ {
			pp, ok := parentOf[ck{c.Interface, p}]
			if !ok {
				break
			}
			p = pp
		}
		return n
	}
	cls := slices.Clone(l.Classes)
	slices.SortStableFunc(cls, func(a, b LiveClass) int { return depth(a) - depth(b) })
	for _, c := range cls {
		if c.Kind != "htb" {
			continue
		}
		w := wantClass{
			iface: c.Interface, id: c.ID, parent: c.Parent,
			p: htbClassParams{
				Rate: c.RateBps / 8, Ceil: c.CeilBps / 8, Buffer: c.Buffer, Cbuffer: c.Cbuffer,
				Quantum: c.Quantum, Prio: c.Prio,
			},
			owner: fmt.Sprintf("class %s on %s", c.ID, c.Interface),
		}
		if q, ok := leafOf[c.Interface][c.ID]; ok {
			w.leaf = &wantQdisc{
				iface: q.Interface, handle: q.Handle, parent: q.Parent, kind: q.Kind,
				opts: q.Options, nested: q.Kind != "pfifo" && q.Kind != "bfifo",
				anyHandle: q.Handle == 0, owner: w.owner,
			}
		}
		d.classes = append(d.classes, w)
	}
	return d
}

package tc

import (
	"fmt"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"github.com/vishvananda/netlink/nl"
)

// OpKind is one kind of kernel request.
type OpKind int

const (
	OpReplaceRoot  OpKind = iota // qdisc replace ... root
	OpDeleteRoot                 // qdisc del ... root (kernel default comes back)
	OpReplaceQdisc               // infrastructure qdisc under a root slot
	OpDeleteClass
	OpAddClass
	OpChangeClass
	OpReplaceLeaf
	OpDeleteLeaf
	// OpParkQueue swaps an infrastructure qdisc for a plain pfifo_fast so it
	// can be re-created under the same handle; traffic keeps flowing
	// (unshaped) instead of hitting noop while the queue is rebuilt.
	OpParkQueue
)

func (k OpKind) String() string {
	return [...]string{"replace root qdisc", "delete root qdisc", "replace qdisc", "delete class",
		"add class", "change class", "replace leaf", "delete leaf", "park queue on pfifo_fast"}[k]
}

// Op is one planned kernel request with the reason it is needed.
type Op struct {
	Kind      OpKind
	Interface string
	Handle    tchandle.Handle // class id or qdisc handle
	Parent    tchandle.Handle
	QdiscKind string
	Owner     string // names the object in errors ("circuit 12 (class 1:5) on eth1")
	Reason    string

	opts      []byte
	nested    bool
	anyHandle bool
	params    htbClassParams
	then      []Op // undo only: requests that follow this one
}

func (o Op) String() string {
	s := fmt.Sprintf("%s: %s", o.Owner, o.Kind)
	if o.QdiscKind != "" && o.Kind != OpDeleteClass {
		s += " " + o.QdiscKind
	}
	if o.Reason != "" {
		s += " (" + o.Reason + ")"
	}
	return s
}

// Difference is one way the live tree differs from the plan.
type Difference struct {
	Interface string
	Object    string
	Detail    string
}

func (d Difference) String() string { return d.Object + ": " + d.Detail }

// Compare lists the differences between the plan and a dump (empty = equal).
// Statistics are ignored.
func Compare(t *plan.Tree, live *Live) ([]Difference, error) {
	want, err := fromTree(t)
	if err != nil {
		return nil, err
	}
	var out []Difference
	for _, o := range diff(live, want) {
		out = append(out, Difference{Interface: o.Interface, Object: o.Owner, Detail: o.Kind.String() + ": " + o.Reason})
	}
	return out, nil
}

// CompareLive lists differences between two dumps (roll-back checks, drift).
func CompareLive(a, b *Live) []Difference {
	var out []Difference
	for _, o := range diff(b, fromLive(a)) {
		out = append(out, Difference{Interface: o.Interface, Object: o.Owner, Detail: o.Kind.String() + ": " + o.Reason})
	}
	return out
}

func qdiscMatches(w *wantQdisc, q LiveQdisc) (bool, string) {
	if q.Kind != w.kind {
		return false, fmt.Sprintf("kind %s, want %s", q.Kind, w.kind)
	}
	if !w.anyHandle && q.Handle != w.handle {
		return false, fmt.Sprintf("handle %s, want %s", q.Handle, w.handle)
	}
	switch {
	case w.kind == "htb":
		if q.HTBR2Q != w.r2q || q.HTBDefault != w.defcls {
			return false, fmt.Sprintf("r2q %d default %d, want r2q %d default %d", q.HTBR2Q, q.HTBDefault, w.r2q, w.defcls)
		}
	case w.opts == nil:
	case w.nested:
		if !leafOptionsMatch(w.kind, w.opts, q.Options) {
			return false, "options differ"
		}
	default:
		if string(w.opts) != string(q.Options) {
			return false, "options differ"
		}
	}
	return true, ""
}

func classMatches(w *wantClass, c LiveClass) (bool, string) {
	rate, ceil := c.RateBps/8, c.CeilBps/8
	var why []string
	if rate != w.p.Rate || ceil != w.p.Ceil {
		why = append(why, fmt.Sprintf("rate/ceil %d/%d bit/s, want %d/%d", c.RateBps, c.CeilBps, w.p.Rate*8, w.p.Ceil*8))
	}
	if !w.anyQuantum && c.Quantum != w.p.Quantum {
		why = append(why, fmt.Sprintf("quantum %d, want %d", c.Quantum, w.p.Quantum))
	}
	if c.Prio != w.p.Prio {
		why = append(why, fmt.Sprintf("prio %d, want %d", c.Prio, w.p.Prio))
	}
	if c.Buffer != w.p.Buffer || c.Cbuffer != w.p.Cbuffer {
		why = append(why, fmt.Sprintf("buffer/cbuffer %d/%d, want %d/%d", c.Buffer, c.Cbuffer, w.p.Buffer, w.p.Cbuffer))
	}
	if len(why) == 0 {
		return true, ""
	}
	return false, fmt.Sprint(why)
}

// diff plans the requests that turn live into want, in a safe order:
// roots, infrastructure qdiscs, class deletions (deepest first), then class
// adds/changes in parent order each followed by its leaf.
func diff(live *Live, want *desired) []Op {
	// Work on a copy we can edit to simulate what the kernel does.
	l := &Live{Interfaces: live.Interfaces, Qdiscs: slices.Clone(live.Qdiscs), Classes: slices.Clone(live.Classes)}
	var ops []Op
	inWant := map[string]bool{}
	for _, i := range want.ifaces {
		inWant[i] = true
	}
	dropIface := func(iface string) {
		l.Qdiscs = slices.DeleteFunc(l.Qdiscs, func(q LiveQdisc) bool { return q.Interface == iface })
		l.Classes = slices.DeleteFunc(l.Classes, func(c LiveClass) bool { return c.Interface == iface })
	}
	// dropBelow forgets the qdisc (h at parent) and everything in its subtree.
	var dropBelow func(iface string, h, parent tchandle.Handle)
	dropBelow = func(iface string, h, parent tchandle.Handle) {
		l.Qdiscs = slices.DeleteFunc(l.Qdiscs, func(q LiveQdisc) bool {
			return q.Interface == iface && q.Handle == h && q.Parent == parent
		})
		if h == 0 {
			return // kernel defaults have no subtree
		}
		maj := h.Major()
		var sub []LiveQdisc
		for _, q := range l.Qdiscs {
			if q.Interface == iface && q.Parent != tchandle.Root && q.Parent.Major() == maj {
				sub = append(sub, q)
			}
		}
		l.Classes = slices.DeleteFunc(l.Classes, func(c LiveClass) bool { return c.Interface == iface && c.ID.Major() == maj })
		for _, s := range sub {
			dropBelow(iface, s.Handle, s.Parent)
		}
	}

	// 1. Roots.
	for i := range want.qdiscs {
		w := &want.qdiscs[i]
		if w.parent != tchandle.Root {
			continue
		}
		q, ok := l.QdiscAt(w.iface, tchandle.Root)
		if ok {
			if m, _ := qdiscMatches(w, q); m {
				continue
			}
		}
		reason := "missing"
		if ok {
			_, reason = qdiscMatches(w, q)
		}
		if w.anyHandle {
			if ok && q.Handle == 0 && q.Kind != w.kind {
				// A kernel default of another kind: nothing we can request.
				continue
			}
			ops = append(ops, Op{Kind: OpDeleteRoot, Interface: w.iface, Parent: tchandle.Root, Owner: w.owner, Reason: reason})
		} else {
			if ok && q.Handle == w.handle {
				// Same handle: the kernel would try an in-place change of the old kind.
				ops = append(ops, Op{Kind: OpDeleteRoot, Interface: w.iface, Parent: tchandle.Root, Owner: w.owner, Reason: reason})
			}
			ops = append(ops, Op{Kind: OpReplaceRoot, Interface: w.iface, Handle: w.handle, Parent: tchandle.Root,
				QdiscKind: w.kind, Owner: w.owner, Reason: reason, opts: w.opts, nested: w.nested})
		}
		dropIface(w.iface)
	}
	// 2. Infrastructure qdiscs under the root's slots.
	wantedParent := map[string]map[tchandle.Handle]bool{}
	for i := range want.qdiscs {
		w := &want.qdiscs[i]
		if w.parent == tchandle.Root {
			continue
		}
		if wantedParent[w.iface] == nil {
			wantedParent[w.iface] = map[tchandle.Handle]bool{}
		}
		wantedParent[w.iface][w.parent] = true
		q, ok := l.QdiscAt(w.iface, w.parent)
		reason := "missing"
		if ok {
			var m bool
			if m, reason = qdiscMatches(w, q); m {
				continue
			}
			dropBelow(w.iface, q.Handle, q.Parent)
			if q.Handle == w.handle && !w.anyHandle {
				// htb and mq cannot be changed in place; the same handle means
				// the kernel would try, so remove the old one first.
				ops = append(ops, Op{Kind: OpParkQueue, Interface: w.iface, Handle: q.Handle, Parent: w.parent, QdiscKind: "pfifo_fast", anyHandle: true,
					Owner: w.owner, Reason: reason})
			}
		}
		ops = append(ops, Op{Kind: OpReplaceQdisc, Interface: w.iface, Handle: w.handle, Parent: w.parent,
			QdiscKind: w.kind, Owner: w.owner, Reason: reason, opts: w.opts, nested: w.nested, anyHandle: w.anyHandle})
	}
	// Slots of a wanted mq root that the plan does not use keep the qdisc
	// the kernel gave them (handle 0: pfifo_fast, or fq_codel where that is
	// net.core.default_qdisc, as on Debian's kernels); anything else goes
	// back to a plain pfifo_fast (deleting would leave noop, which drops
	// everything).
	for i := range want.qdiscs {
		w := &want.qdiscs[i]
		if w.parent != tchandle.Root || w.kind != "mq" || w.anyHandle {
			continue
		}
		for _, q := range slices.Clone(l.Qdiscs) {
			if q.Interface != w.iface || q.Parent == tchandle.Root || q.Parent.Major() != w.handle.Major() {
				continue
			}
			if wantedParent[w.iface][q.Parent] || q.Kind == "pfifo_fast" || q.Handle == 0 {
				continue
			}
			dropBelow(w.iface, q.Handle, q.Parent)
			ops = append(ops, Op{Kind: OpReplaceQdisc, Interface: w.iface, Parent: q.Parent, QdiscKind: "pfifo_fast",
				anyHandle: true, Owner: qdiscOwner(w.iface, q.Kind, q.Handle, q.Parent), Reason: "queue slot not in plan"})
		}
	}

	// 3. Classes.
	type key struct {
		iface string
		id    tchandle.Handle
	}
	wc := map[key]*wantClass{}
	for i := range want.classes {
		c := &want.classes[i]
		wc[key{c.iface, c.id}] = c
	}
	children := map[key][]key{}
	lc := map[key]LiveClass{}
	for _, c := range l.Classes {
		if !inWant[c.Interface] || c.Kind != "htb" {
			continue
		}
		k := key{c.Interface, c.ID}
		lc[k] = c
		children[key{c.Interface, c.Parent}] = append(children[key{c.Interface, c.Parent}], k)
	}
	del := map[key]bool{}
	var mark func(k key)
	mark = func(k key) {
		if del[k] {
			return
		}
		del[k] = true
		for _, ch := range children[k] {
			mark(ch)
		}
	}
	for k, c := range lc {
		w, ok := wc[k]
		if !ok || w.parent != c.Parent {
			mark(k)
		}
	}
	depth := func(k key) int {
		n := 0
		for c, ok := lc[k]; ok && n < 64; c, ok = lc[key{k.iface, c.Parent}] {
			n++
		}
		return n
	}
	var dels []key
	for k := range del {
		dels = append(dels, k)
	}
	slices.SortFunc(dels, func(a, b key) int {
		if d := depth(b) - depth(a); d != 0 {
			return d
		}
		if a.iface != b.iface {
			if a.iface < b.iface {
				return -1
			}
			return 1
		}
		return int(a.id) - int(b.id)
	})
	for _, k := range dels {
		reason := "not in plan"
		if w, ok := wc[k]; ok {
			reason = fmt.Sprintf("parent %s, want %s", lc[k].Parent, w.parent)
			if w.parent == lc[k].Parent {
				reason = "parent is being rebuilt"
			}
		}
		ops = append(ops, Op{Kind: OpDeleteClass, Interface: k.iface, Handle: k.id, Owner: fmt.Sprintf("class %s on %s", k.id, k.iface), Reason: reason})
	}
	// A class that gains its first child loses its leaf qdisc in the kernel.
	gainsChild := map[key]bool{}
	for i := range want.classes {
		c := &want.classes[i]
		if _, ok := lc[key{c.iface, c.id}]; !ok || del[key{c.iface, c.id}] {
			gainsChild[key{c.iface, c.parent}] = true
		}
	}
	leafAt := map[key]LiveQdisc{}
	for _, q := range l.Qdiscs {
		leafAt[key{q.Interface, q.Parent}] = q
	}
	// A wanted leaf handle held by a live qdisc under another class must be
	// freed first (handles are unique per interface).
	leafGone := map[key]bool{}
	liveByHandle := map[key]LiveQdisc{}
	for _, q := range l.Qdiscs {
		if q.Handle != 0 {
			liveByHandle[key{q.Interface, q.Handle}] = q
		}
	}
	for i := range want.classes {
		w := &want.classes[i]
		if w.leaf == nil || w.leaf.anyHandle {
			continue
		}
		q, ok := liveByHandle[key{w.iface, w.leaf.handle}]
		if !ok || q.Parent == w.id {
			continue
		}
		pk := key{q.Interface, q.Parent}
		if del[pk] || leafGone[pk] {
			continue
		}
		if _, isClass := lc[pk]; !isClass {
			continue // infrastructure; a plan that collides with it was rejected earlier
		}
		leafGone[pk] = true
		ops = append(ops, Op{Kind: OpDeleteLeaf, Interface: q.Interface, Handle: q.Handle, Parent: q.Parent, QdiscKind: q.Kind,
			Owner: fmt.Sprintf("leaf %s (parent %s) on %s", q.Handle, q.Parent, q.Interface), Reason: "handle moves to class " + w.id.String()})
	}
	// Leaf requests go after every class request: each class add makes the
	// kernel look its HTB up in the interface's qdisc hash (16 buckets), so
	// adding classes while few leaf qdiscs exist keeps those lookups short.
	var leafOps []Op
	for i := range want.classes {
		w := &want.classes[i]
		k := key{w.iface, w.id}
		c, exists := lc[k]
		fresh := !exists || del[k]
		if fresh {
			ops = append(ops, Op{Kind: OpAddClass, Interface: w.iface, Handle: w.id, Parent: w.parent, QdiscKind: "htb",
				Owner: w.owner, Reason: "missing", params: w.p})
		} else if m, why := classMatches(w, c); !m {
			ops = append(ops, Op{Kind: OpChangeClass, Interface: w.iface, Handle: w.id, Parent: w.parent, QdiscKind: "htb",
				Owner: w.owner, Reason: why, params: w.p})
		}
		q, hasLeaf := leafAt[k]
		if fresh || gainsChild[k] || leafGone[k] {
			hasLeaf = false
		}
		switch {
		case w.leaf == nil && hasLeaf:
			leafOps = append(leafOps, Op{Kind: OpDeleteLeaf, Interface: w.iface, Handle: q.Handle, Parent: w.id, QdiscKind: q.Kind,
				Owner: w.owner, Reason: "leaf not in plan"})
		case w.leaf != nil:
			reason := "missing"
			if hasLeaf {
				var m bool
				if m, reason = qdiscMatches(w.leaf, q); m {
					continue
				}
				sameHandle := q.Handle == w.leaf.handle || w.leaf.anyHandle
				if sameHandle && (q.Kind != w.leaf.kind || fixedAtCreate(w.leaf.kind, w.leaf.opts)) {
					// A kind change under the same handle cannot be done in
					// place, nor can a change of options fixed at creation.
					leafOps = append(leafOps, Op{Kind: OpDeleteLeaf, Interface: w.iface, Handle: q.Handle, Parent: w.id, QdiscKind: q.Kind,
						Owner: w.owner, Reason: reason})
				}
			}
			leafOps = append(leafOps, Op{Kind: OpReplaceLeaf, Interface: w.iface, Handle: w.leaf.handle, Parent: w.id, QdiscKind: w.leaf.kind,
				Owner: w.owner, Reason: reason, opts: w.leaf.opts, nested: w.leaf.nested, anyHandle: w.leaf.anyHandle})
		}
	}
	return append(ops, leafOps...)
}

// exec sends one planned request.
func (h *Handle) exec(o *Op, ifindex int) error {
	req, err := opMessage(o, ifindex)
	if err != nil {
		return err
	}
	return h.request(req)
}

// opMessage builds the request of one planned op.
func opMessage(o *Op, ifindex int) (*nl.NetlinkRequest, error) {
	const replace = unix.NLM_F_CREATE | unix.NLM_F_REPLACE
	handle := uint32(o.Handle)
	if o.anyHandle {
		handle = 0
	}
	switch o.Kind {
	case OpReplaceRoot, OpReplaceQdisc, OpReplaceLeaf:
		return message(unix.RTM_NEWQDISC, replace, ifindex, handle, uint32(o.Parent), o.QdiscKind, o.opts, o.nested), nil
	case OpDeleteRoot:
		return message(unix.RTM_DELQDISC, 0, ifindex, 0, uint32(tchandle.Root), "", nil, false), nil
	case OpParkQueue:
		return message(unix.RTM_NEWQDISC, replace, ifindex, 0, uint32(o.Parent), "pfifo_fast", nil, false), nil
	case OpDeleteLeaf:
		return message(unix.RTM_DELQDISC, 0, ifindex, uint32(o.Handle), uint32(o.Parent), "", nil, false), nil
	case OpDeleteClass:
		return message(unix.RTM_DELTCLASS, 0, ifindex, uint32(o.Handle), 0, "", nil, false), nil
	case OpAddClass:
		return message(unix.RTM_NEWTCLASS, unix.NLM_F_CREATE|unix.NLM_F_EXCL, ifindex, uint32(o.Handle), uint32(o.Parent), "htb", encodeHTBClass(o.params), true), nil
	case OpChangeClass:
		return message(unix.RTM_NEWTCLASS, 0, ifindex, uint32(o.Handle), uint32(o.Parent), "htb", encodeHTBClass(o.params), true), nil
	}
	return nil, fmt.Errorf("unknown op %d", o.Kind)
}

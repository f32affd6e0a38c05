package tc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// Applier remembers the tree it last applied, so later changes are diffed
// against that memory instead of a fresh dump: changing one circuit costs one
// request, no dump, and a pass over the plan. Changes that touch the
// structure (moves, removing a class that has children, leaf handles changing
// hands, different qdiscs or interfaces) take the full path: dump, diff,
// apply. The first Apply and Repair read the kernel. Not safe for concurrent use.
type Applier struct {
	H    *Handle
	Opts Options

	st *applierState // nil = read the kernel next time
}

type classKey uint64 // interface index << 32 | class id or qdisc handle

type classEntry struct {
	c    plan.Class // deep copy
	seen uint64     // generation of the last visit
}

type applierState struct {
	ifaces   []string
	ifIndex  map[string]uint64
	qdiscs   []plan.Qdisc
	observe  bool
	htbMajor map[classKey]bool // (iface, major:0) of each htb qdisc
	cls      map[classKey]*classEntry
	children map[classKey]int32    // classes directly under each class
	leafOf   map[classKey]classKey // (iface, leaf handle) -> class holding it
	gen      uint64
	want     *desired // full target, kept for drift checks (built lazily)
	tree     *plan.Tree
	// Planned by fastDiff, applied to the memory by commit.
	pendingChanged []*plan.Class
	pendingRemoved []classKey
}

func (s *applierState) key(iface string, h tchandle.Handle) (classKey, bool) {
	i, ok := s.ifIndex[iface]
	return classKey(i<<32 | uint64(h)), ok
}

func cloneClass(c *plan.Class) plan.Class {
	d := *c
	d.Leaf.Args = slices.Clone(c.Leaf.Args)
	return d
}

func newApplierState(t *plan.Tree) *applierState {
	s := &applierState{
		ifaces: slices.Clone(t.Interfaces), ifIndex: map[string]uint64{}, qdiscs: slices.Clone(t.Qdiscs), observe: t.Observe,
		htbMajor: map[classKey]bool{}, cls: make(map[classKey]*classEntry, len(t.Classes)),
		children: map[classKey]int32{}, leafOf: map[classKey]classKey{},
	}
	for i, n := range t.Interfaces {
		s.ifIndex[n] = uint64(i)
	}
	for _, q := range t.Qdiscs {
		if q.Kind == "htb" {
			k, _ := s.key(q.Interface, q.Handle)
			s.htbMajor[k] = true
		}
	}
	if t.Observe {
		return s
	}
	for i := range t.Classes {
		s.insert(&t.Classes[i])
	}
	return s
}

func (s *applierState) insert(c *plan.Class) {
	k, _ := s.key(c.Interface, c.ID)
	s.cls[k] = &classEntry{c: cloneClass(c), seen: s.gen}
	if c.Parent.Minor() != 0 {
		pk, _ := s.key(c.Interface, c.Parent)
		s.children[pk]++
	}
	if !c.Leaf.IsZero() && c.LeafHandle != 0 {
		lk, _ := s.key(c.Interface, c.LeafHandle)
		s.leafOf[lk] = k
	}
}

func (s *applierState) remove(k classKey) {
	e := s.cls[k]
	if e == nil {
		return
	}
	c := &e.c
	if c.Parent.Minor() != 0 {
		pk, _ := s.key(c.Interface, c.Parent)
		if s.children[pk]--; s.children[pk] <= 0 {
			delete(s.children, pk)
		}
	}
	if !c.Leaf.IsZero() && c.LeafHandle != 0 {
		lk, _ := s.key(c.Interface, c.LeafHandle)
		if s.leafOf[lk] == k {
			delete(s.leafOf, lk)
		}
	}
	delete(s.cls, k)
}

func leafEqual(a, b plan.Leaf) bool { return a.Kind == b.Kind && slices.Equal(a.Args, b.Args) }

func classEqual(a, b *plan.Class) bool {
	return a.Parent == b.Parent && a.RateBps == b.RateBps && a.CeilBps == b.CeilBps && a.Quantum == b.Quantum &&
		a.Prio == b.Prio && a.LeafHandle == b.LeafHandle && leafEqual(a.Leaf, b.Leaf) && a.Kind == b.Kind &&
		a.NodeName == b.NodeName && a.CircuitID == b.CircuitID && a.Name == b.Name && a.Queue == b.Queue &&
		a.Direction == b.Direction
}

// encodeClass validates and encodes one class on its own (the checks that
// need the whole tree are done by the caller).
func encodeClass(c *plan.Class) (wantClass, error) {
	d, err := fromTree(&plan.Tree{Interfaces: []string{c.Interface},
		Qdiscs: []plan.Qdisc{
			{Interface: c.Interface, Handle: tchandle.Make(0x7fff, 0), Parent: tchandle.Root, Kind: "mq"},
			{Interface: c.Interface, Handle: tchandle.Make(c.ID.Major(), 0), Parent: tchandle.Make(0x7fff, 1), Kind: "htb"},
		},
		Classes: []plan.Class{func() plan.Class { x := *c; x.Parent = tchandle.Make(c.ID.Major(), 0); return x }()},
	})
	if err != nil {
		return wantClass{}, err
	}
	w := d.classes[0]
	w.parent = c.Parent
	return w, nil
}

// errSlowPath means the change needs the full diff.
var errSlowPath = errors.New("structural change")

// fastDiff plans the requests for a change made only of leaf-level class
// edits, additions and removals. undo holds, per op, the request that
// reverses it.
func (s *applierState) fastDiff(t *plan.Tree) (ops, undo []Op, err error) {
	if t.Observe != s.observe || !slices.Equal(t.Interfaces, s.ifaces) || !slices.Equal(t.Qdiscs, s.qdiscs) || t.Observe {
		return nil, nil, errSlowPath
	}
	s.gen++
	gen := s.gen
	type change struct {
		old *plan.Class // nil = added
		new *plan.Class
	}
	var changes []change
	s.pendingChanged, s.pendingRemoved = s.pendingChanged[:0], s.pendingRemoved[:0]
	added := map[classKey]bool{}
	for i := range t.Classes {
		c := &t.Classes[i]
		k, ok := s.key(c.Interface, c.ID)
		if !ok {
			return nil, nil, errSlowPath // let full validation name the problem
		}
		e := s.cls[k]
		if e == nil {
			if added[k] {
				return nil, nil, errSlowPath
			}
			added[k] = true
			changes = append(changes, change{nil, c})
			continue
		}
		if e.seen == gen {
			return nil, nil, errSlowPath // duplicate id
		}
		e.seen = gen
		if !classEqual(&e.c, c) {
			if e.c.Parent != c.Parent {
				return nil, nil, errSlowPath
			}
			changes = append(changes, change{&e.c, c})
		}
	}
	var removed []classKey
	for k, e := range s.cls {
		if e.seen != gen {
			if s.children[k] > 0 {
				return nil, nil, errSlowPath
			}
			removed = append(removed, k)
		}
	}
	slices.Sort(removed)
	s.pendingRemoved = append(s.pendingRemoved, removed...)
	for _, ch := range changes {
		s.pendingChanged = append(s.pendingChanged, ch.new)
	}
	removedSet := map[classKey]bool{}
	for _, k := range removed {
		removedSet[k] = true
		c := &s.cls[k].c
		ops = append(ops, Op{Kind: OpDeleteClass, Interface: c.Interface, Handle: c.ID, Owner: classOwner(c), Reason: "not in plan"})
		w, err := encodeClass(c)
		if err != nil {
			return nil, nil, errSlowPath
		}
		u := []Op{{Kind: OpAddClass, Interface: c.Interface, Handle: c.ID, Parent: c.Parent, QdiscKind: "htb", Owner: w.owner, params: w.p}}
		if w.leaf != nil {
			u = append(u, leafOp(OpReplaceLeaf, &w, w.leaf))
		}
		undo = append(undo, undoGroup(u))
	}
	for _, ch := range changes {
		c := ch.new
		pk, _ := s.key(c.Interface, c.Parent)
		if c.Parent.Minor() == 0 {
			if c.Parent.Major() != c.ID.Major() || !s.htbMajor[pk] {
				return nil, nil, errSlowPath
			}
		} else {
			pe := s.cls[pk]
			switch {
			case added[pk]:
				// Parent is new in this change: fine when it comes first, which
				// the full path checks; keep it simple.
				return nil, nil, errSlowPath
			case pe == nil || removedSet[pk]:
				return nil, nil, errSlowPath
			case ch.old == nil && !pe.c.Leaf.IsZero():
				return nil, nil, errSlowPath // parent loses its leaf
			}
		}
		if !c.Leaf.IsZero() && c.LeafHandle != 0 {
			lk, _ := s.key(c.Interface, c.LeafHandle)
			k, _ := s.key(c.Interface, c.ID)
			if owner, ok := s.leafOf[lk]; ok && owner != k {
				return nil, nil, errSlowPath
			}
			if s.htbMajor[lk] || c.LeafHandle.Major() == 0x7fff {
				return nil, nil, errSlowPath
			}
		}
		w, err := encodeClass(c)
		if err != nil {
			return nil, nil, fmt.Errorf("tc: %w", err)
		}
		if ch.old == nil {
			ops = append(ops, Op{Kind: OpAddClass, Interface: c.Interface, Handle: c.ID, Parent: c.Parent, QdiscKind: "htb", Owner: w.owner, Reason: "missing", params: w.p})
			undo = append(undo, Op{Kind: OpDeleteClass, Interface: c.Interface, Handle: c.ID, Owner: w.owner})
			if w.leaf != nil {
				ops = append(ops, leafOp(OpReplaceLeaf, &w, w.leaf))
				undo = append(undo, Op{}) // deleted with its class
			}
			continue
		}
		ow, err := encodeClass(ch.old)
		if err != nil {
			return nil, nil, errSlowPath
		}
		if ow.p != w.p || ow.anyQuantum != w.anyQuantum {
			ops = append(ops, Op{Kind: OpChangeClass, Interface: c.Interface, Handle: c.ID, Parent: c.Parent, QdiscKind: "htb", Owner: w.owner, Reason: "parameters changed", params: w.p})
			undo = append(undo, Op{Kind: OpChangeClass, Interface: c.Interface, Handle: c.ID, Parent: c.Parent, QdiscKind: "htb", Owner: w.owner, params: ow.p})
		}
		if leafEqual(ch.old.Leaf, c.Leaf) && ch.old.LeafHandle == c.LeafHandle {
			continue
		}
		restoreOld := Op{Kind: OpDeleteLeaf, Interface: c.Interface, Parent: c.ID, Owner: w.owner}
		if ow.leaf != nil {
			restoreOld = leafOp(OpReplaceLeaf, &ow, ow.leaf)
		}
		switch {
		case w.leaf == nil:
			ops = append(ops, Op{Kind: OpDeleteLeaf, Interface: c.Interface, Handle: ch.old.LeafHandle, Parent: c.ID, QdiscKind: ch.old.Leaf.Kind, Owner: w.owner, Reason: "leaf not in plan"})
			undo = append(undo, restoreOld)
		case ow.leaf != nil && (ow.leaf.kind != w.leaf.kind || ow.leaf.handle != w.leaf.handle || fixedAtCreate(w.leaf.kind, w.leaf.opts)):
			// Different kind or handle, or options fixed at creation:
			// remove, then create (no in-place change).
			ops = append(ops, Op{Kind: OpDeleteLeaf, Interface: c.Interface, Handle: ow.leaf.handle, Parent: c.ID, QdiscKind: ow.leaf.kind, Owner: w.owner, Reason: "leaf replaced"})
			undo = append(undo, restoreOld)
			ops = append(ops, leafOp(OpReplaceLeaf, &w, w.leaf))
			undo = append(undo, Op{Kind: OpDeleteLeaf, Interface: c.Interface, Parent: c.ID, Owner: w.owner})
		default:
			ops = append(ops, leafOp(OpReplaceLeaf, &w, w.leaf))
			undo = append(undo, restoreOld)
		}
	}
	return ops, undo, nil
}

// undoGroup packs several undo requests into one slot (re-adding a deleted
// class and its leaf).
func undoGroup(u []Op) Op {
	if len(u) == 1 {
		return u[0]
	}
	g := u[0]
	g.then = u[1:]
	return g
}

func leafOp(kind OpKind, w *wantClass, l *wantQdisc) Op {
	return Op{Kind: kind, Interface: w.iface, Handle: l.handle, Parent: w.id, QdiscKind: l.kind, Owner: w.owner,
		Reason: "leaf changed", opts: l.opts, nested: l.nested, anyHandle: l.anyHandle}
}

// Apply brings the kernel to t. On failure the previous tree is restored and
// the memory is dropped, so the next call reads the kernel.
func (a *Applier) Apply(ctx context.Context, t *plan.Tree) (*Result, error) {
	if t == nil {
		return nil, errors.New("tc: nil tree")
	}
	if a.st == nil {
		return a.full(ctx, t)
	}
	ops, undo, err := a.st.fastDiff(t)
	if errors.Is(err, errSlowPath) {
		a.logger().Info("tc apply: structural change, reading the kernel")
		return a.full(ctx, t)
	}
	if err != nil {
		return nil, err
	}
	res := &Result{Planned: ops}
	if len(ops) == 0 {
		a.commit(t) // names and other non-kernel fields may have changed
		return res, nil
	}
	if err := a.preflight(t, ops); err != nil {
		var pe *PreflightError
		if !(a.Opts.MemoryWarnOnly && errors.As(err, &pe) && pe.Code == "TC_MEMORY") {
			return res, err
		}
		a.logger().Warn("tc apply: memory preflight failed; continuing (lazy queues)", "err", err)
	}
	if a.Opts.DryRun {
		return res, nil
	}
	start := time.Now()
	res.Done, err = a.H.run(ctx, ops, a.logger())
	res.ApplyTime = time.Since(start)
	if err == nil {
		a.commit(t)
		return res, nil
	}
	a.st = nil
	if a.Opts.NoRollback {
		return res, err
	}
	a.logger().Warn("tc incremental apply failed; undoing", "err", err, "done", res.Done)
	if uerr := a.undo(context.WithoutCancel(ctx), undo[:res.Done]); uerr != nil {
		return res, errors.Join(err, fmt.Errorf("tc apply: roll-back failed, tree is partial: %w", uerr))
	}
	res.RolledBack = true
	return res, err
}

func (a *Applier) full(ctx context.Context, t *plan.Tree) (*Result, error) {
	res, err := Apply(ctx, a.H, t, a.Opts)
	a.st = nil
	if err == nil && !a.Opts.DryRun {
		a.st = newApplierState(t)
		a.st.tree = t
	}
	return res, err
}

// commit updates the memory after a successful fast apply.
func (a *Applier) commit(t *plan.Tree) { a.st.commit(t) }

func (s *applierState) commit(t *plan.Tree) {
	for _, k := range s.pendingRemoved {
		s.remove(k)
	}
	for _, c := range s.pendingChanged {
		k, _ := s.key(c.Interface, c.ID)
		s.remove(k)
		s.insert(c)
		s.cls[k].seen = s.gen
	}
	s.pendingChanged, s.pendingRemoved = s.pendingChanged[:0], s.pendingRemoved[:0]
	s.want = nil
	s.tree = t
}

func (a *Applier) undo(ctx context.Context, undo []Op) error {
	var list []Op
	for i := len(undo) - 1; i >= 0; i-- {
		u := undo[i]
		if u.Owner == "" && u.Interface == "" {
			continue
		}
		rest := u.then
		u.then = nil
		list = append(list, u)
		list = append(list, rest...)
	}
	_, err := a.H.run(ctx, list, a.logger())
	return err
}

func (a *Applier) preflight(t *plan.Tree, ops []Op) error {
	var mem *MemInfo
	path := a.Opts.MemInfoPath
	if path == "" {
		path = "/proc/meminfo"
	}
	if m, err := ReadMemInfo(path); err == nil {
		mem = &m
	}
	grows := false
	for _, o := range ops {
		if o.Kind == OpAddClass {
			grows = true
		}
	}
	if !grows {
		return preflight(&desired{}, ops, mem)
	}
	want, err := fromTree(t)
	if err != nil {
		return err
	}
	return preflight(want, ops, mem)
}

// Drift dumps the kernel and lists where it differs from what was last
// applied (someone ran tc by hand, a partial failure).
func (a *Applier) Drift() ([]Difference, error) {
	if a.st == nil {
		return nil, errors.New("tc: nothing applied yet")
	}
	if a.st.want == nil {
		w, err := fromTree(a.st.tree)
		if err != nil {
			return nil, err
		}
		a.st.want = w
	}
	live, err := Dump(a.H, a.st.ifaces)
	if err != nil {
		return nil, err
	}
	var out []Difference
	for _, o := range diff(live, a.st.want) {
		out = append(out, Difference{Interface: o.Interface, Object: o.Owner, Detail: o.Kind.String() + ": " + o.Reason})
	}
	return out, nil
}

// Repair reads the kernel and re-applies t, fixing any drift.
func (a *Applier) Repair(ctx context.Context, t *plan.Tree) (*Result, error) {
	a.st = nil
	return a.Apply(ctx, t)
}

// Forget drops the memory; the next Apply reads the kernel.
func (a *Applier) Forget() { a.st = nil }

func (a *Applier) logger() *slog.Logger {
	if a.Opts.Logger != nil {
		return a.Opts.Logger
	}
	return slog.Default()
}

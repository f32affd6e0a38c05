package tc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/libreqos-go/lqos/internal/plan"
)

// Applier remembers the tree it last applied, so later changes are diffed
// against that model instead of a fresh dump: changing one circuit costs one
// request and no dump. The first Apply, and Repair, read the kernel.
// Not safe for concurrent use.
type Applier struct {
	H        *Handle
	Opts     Options
	last     *Live    // model of the kernel after the last successful apply
	lastWant *desired // the same as a target, with object names
}

// Apply brings the kernel to t. On failure the previous tree is restored
// (from a dump) and the model is dropped, so the next call reads the kernel.
func (a *Applier) Apply(ctx context.Context, t *plan.Tree) (*Result, error) {
	if a.last == nil || !sameIfaces(a.last.Interfaces, t.Interfaces) {
		res, err := Apply(ctx, a.H, t, a.Opts)
		if err != nil {
			a.last = nil
			return res, err
		}
		if !a.Opts.DryRun {
			a.setModel(t)
		}
		return res, nil
	}
	log := a.logger()
	want, err := fromTree(t)
	if err != nil {
		return nil, err
	}
	res := &Result{Before: a.last, Planned: diff(a.last, want)}
	if len(res.Planned) == 0 {
		return res, nil
	}
	var mem *MemInfo
	if m, err := ReadMemInfo(a.memPath()); err == nil {
		mem = &m
	}
	if err := preflight(want, res.Planned, mem); err != nil {
		return res, err
	}
	if a.Opts.DryRun {
		return res, nil
	}
	start := time.Now()
	res.Done, err = a.H.run(ctx, res.Planned, log)
	res.ApplyTime = time.Since(start)
	if err == nil {
		a.last, a.lastWant = liveFromDesired(want), want
		log.Debug("tc incremental apply done", "requests", res.Done, "took", res.ApplyTime)
		return res, nil
	}
	prev := a.lastWant
	a.last = nil
	if a.Opts.NoRollback {
		return res, err
	}
	log.Warn("tc incremental apply failed; restoring the previous tree", "err", err, "done", res.Done)
	if rerr := restoreModel(context.WithoutCancel(ctx), a.H, prev, log); rerr != nil {
		return res, errors.Join(err, fmt.Errorf("tc apply: roll-back failed, tree is partial: %w", rerr))
	}
	res.RolledBack = true
	return res, err
}

// Drift dumps the kernel and lists where it differs from what was last
// applied (someone ran tc by hand, a partial failure).
func (a *Applier) Drift() ([]Difference, error) {
	if a.last == nil {
		return nil, errors.New("tc: nothing applied yet")
	}
	live, err := Dump(a.H, a.last.Interfaces)
	if err != nil {
		return nil, err
	}
	var out []Difference
	for _, o := range diff(live, a.lastWant) {
		out = append(out, Difference{Interface: o.Interface, Object: o.Owner, Detail: o.Kind.String() + ": " + o.Reason})
	}
	return out, nil
}

// Repair reads the kernel and re-applies t, fixing any drift.
func (a *Applier) Repair(ctx context.Context, t *plan.Tree) (*Result, error) {
	a.last = nil
	return a.Apply(ctx, t)
}

// Forget drops the model; the next Apply reads the kernel.
func (a *Applier) Forget() { a.last, a.lastWant = nil, nil }

func (a *Applier) setModel(t *plan.Tree) {
	if want, err := fromTree(t); err == nil {
		a.last, a.lastWant = liveFromDesired(want), want
	}
}

func (a *Applier) logger() *slog.Logger {
	if a.Opts.Logger != nil {
		return a.Opts.Logger
	}
	return slog.Default()
}

func (a *Applier) memPath() string {
	if a.Opts.MemInfoPath != "" {
		return a.Opts.MemInfoPath
	}
	return "/proc/meminfo"
}

func sameIfaces(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// liveFromDesired is the dump we expect after applying want. Kernel-chosen
// handles are unknown (0), which the comparisons accept for such leaves.
func liveFromDesired(d *desired) *Live {
	l := &Live{Interfaces: d.ifaces}
	for _, q := range d.qdiscs {
		l.Qdiscs = append(l.Qdiscs, LiveQdisc{Interface: q.iface, Handle: q.handle, Parent: q.parent, Kind: q.kind,
			Options: q.opts, HTBR2Q: q.r2q, HTBDefault: q.defcls})
	}
	for _, c := range d.classes {
		l.Classes = append(l.Classes, LiveClass{Interface: c.iface, ID: c.id, Parent: c.parent, Kind: "htb",
			RateBps: c.p.Rate * 8, CeilBps: c.p.Ceil * 8, Buffer: c.p.Buffer, Cbuffer: c.p.Cbuffer,
			Quantum: c.p.Quantum, Prio: c.p.Prio})
		if c.leaf != nil {
			h := c.leaf.handle
			if c.leaf.anyHandle {
				h = 0
			}
			l.Qdiscs = append(l.Qdiscs, LiveQdisc{Interface: c.iface, Handle: h, Parent: c.id, Kind: c.leaf.kind, Options: c.leaf.opts})
		}
	}
	return l
}

// restoreModel brings the kernel back to a previous target (after a failed
// incremental apply), reading the kernel first.
func restoreModel(ctx context.Context, h *Handle, want *desired, log *slog.Logger) error {
	now, err := Dump(h, want.ifaces)
	if err != nil {
		return err
	}
	_, err = h.run(ctx, diff(now, want), log)
	return err
}

package shaper

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// A refresh that removes or moves circuits runs in three steps so no packet
// ever points at a class that is gone:
//
//  1. apply the new tree plus the classes that are going away (the bridge);
//  2. point the IP mappings at the new classes;
//  3. apply the new tree, deleting what is no longer needed.
//
// The planner never hands a minor freed in this run to another object, so
// the old and new classes can exist side by side.

// bridgeTree returns next plus prev's classes that next no longer has, or
// nil when nothing goes away (a one-step apply is then enough).
func bridgeTree(prev, next *plan.Tree) *plan.Tree {
	if prev == nil || next == nil || prev.Observe || next.Observe {
		return nil
	}
	type key struct {
		iface string
		id    tchandle.Handle
	}
	have := map[key]bool{}
	leafs := map[key]bool{}
	for _, c := range next.Classes {
		have[key{c.Interface, c.ID}] = true
		if c.LeafHandle != 0 {
			leafs[key{c.Interface, c.LeafHandle}] = true
		}
	}
	for _, q := range next.Qdiscs {
		have[key{q.Interface, q.Handle}] = true
	}
	var extra []plan.Class
	for _, c := range prev.Classes {
		k := key{c.Interface, c.ID}
		if have[k] || c.Kind != plan.KindCircuit {
			continue
		}
		// Only keep the old class when it can sit where it was.
		if !have[key{c.Interface, c.Parent}] {
			continue
		}
		if c.LeafHandle != 0 && leafs[key{c.Interface, c.LeafHandle}] {
			c.LeafHandle = 0 // its handle went to someone else; let the kernel pick
		}
		extra = append(extra, c)
	}
	if len(extra) == 0 {
		return nil
	}
	b := *next
	b.Classes = append(append([]plan.Class(nil), next.Classes...), extra...)
	return &b
}

// AppliedTreePath is where the tree last applied to the kernel is recorded
// (by lqosd, libreqos or the scheduler, whichever applied).
func AppliedTreePath(cfg *config.Config) string {
	return filepath.Join(cfg.StateDirectory, "shaping", "applied_tree.json")
}

// LoadAppliedTree reads the recorded tree (the base file with the
// journal's changes); nil without error when nothing was applied yet.
func LoadAppliedTree(cfg *config.Config) (*plan.Tree, error) {
	t, _, err, _ := New(cfg, nil, nil, nil).loadRecord()
	return t, err
}

// LoadIdentities reads the recorded class identities (the base file with
// the journal's changes); empty state when nothing was recorded yet.
func LoadIdentities(cfg *config.Config) (*plan.Identities, error) {
	_, ids, _, err := New(cfg, nil, nil, nil).loadRecord()
	return ids, err
}

func (e *Engine) appliedTreePath() string { return AppliedTreePath(e.cfg) }

// recordPaths are the files that make up the record of the applied tree.
func (e *Engine) recordPaths() []string { return []string{e.appliedTreePath(), e.journalPath()} }

// ApplyKernelTree applies t as it is (no planning) and records it as the
// applied tree: lazy queues use it to add a circuit's queues when traffic
// first appears, and to remove them when it goes idle.
func (e *Engine) ApplyKernelTree(ctx context.Context, t *plan.Tree) (*tc.Result, error) {
	if e.kernel == nil {
		return nil, errors.New("shaper: no kernel handle")
	}
	e.kernel.SyncRecord(e.recordPaths()...)
	_, ids, terr, ierr := e.loadRecord()
	if terr != nil {
		return nil, fmt.Errorf("%w: %v; nothing was applied", ErrStateWrite, terr)
	}
	if ierr != nil {
		ids = nil
	}
	// The record first, as in Refresh: the kernel never holds a tree the
	// record does not describe.
	undo, err := e.writeIntent(ids, t)
	if err != nil {
		return nil, err
	}
	res, err := e.kernel.Apply(ctx, t, e.log)
	if err != nil {
		if rerr := e.restore(undo); rerr != nil {
			e.log.Error("restoring the record after a failed apply", "err", rerr)
		}
		return res, err
	}
	e.kernel.NoteRecord(e.recordPaths()...)
	return res, nil
}

package shaper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/libreqos-go/lqos/internal/atomicfile"
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

// LoadAppliedTree reads the recorded tree; nil without error when nothing
// was applied yet.
func LoadAppliedTree(cfg *config.Config) (*plan.Tree, error) {
	path := AppliedTreePath(cfg)
	data, err := atomicfile.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var t plan.Tree
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &t, nil
}

func (e *Engine) appliedTreePath() string { return AppliedTreePath(e.cfg) }

// loadAppliedTree is LoadAppliedTree for the staged apply: an unreadable
// record only costs the staging.
func (e *Engine) loadAppliedTree() *plan.Tree {
	t, err := LoadAppliedTree(e.cfg)
	if err != nil {
		e.log.Warn("recorded tree unreadable; removals and moves apply in one step", "err", err)
		return nil
	}
	return t
}

func (e *Engine) saveAppliedTree(t *plan.Tree) error {
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	if err := e.write(e.appliedTreePath(), data); err != nil {
		return fmt.Errorf("%w: record %s: %v", ErrStateWrite, e.appliedTreePath(), err)
	}
	return nil
}

// ApplyKernelTree applies t as it is (no planning) and records it as the
// applied tree: lazy queues use it to add a circuit's queues when traffic
// first appears, and to remove them when it goes idle.
func (e *Engine) ApplyKernelTree(ctx context.Context, t *plan.Tree) (*tc.Result, error) {
	if e.kernel == nil {
		return nil, errors.New("shaper: no kernel handle")
	}
	nk, _ := e.kernel.(*NetlinkKernel)
	if nk != nil {
		nk.syncRecord(e.appliedTreePath())
	}
	old, err := readSaved(e.appliedTreePath())
	if err != nil {
		return nil, fmt.Errorf("%w: %v; nothing was applied", ErrStateWrite, err)
	}
	// The record first, as in Refresh: the kernel never holds a tree the
	// record does not describe.
	if err := e.saveAppliedTree(t); err != nil {
		return nil, err
	}
	res, err := e.kernel.Apply(ctx, t, e.log)
	if err != nil {
		if rerr := e.restore([]savedFile{old}); rerr != nil {
			e.log.Error("restoring the record after a failed apply", "err", rerr)
		}
		return res, err
	}
	if nk != nil {
		nk.noteRecord(e.appliedTreePath())
	}
	return res, nil
}

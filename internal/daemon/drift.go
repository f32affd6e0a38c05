package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/libreqos-go/lqos/internal/apply"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// CodeQueueDrift is raised while the kernel's queue tree differs from the
// last applied one. It does not start with LQOSD_ so the start-up sweep of
// preflight issues leaves it to the drift check.
const CodeQueueDrift = "QUEUE_DRIFT"

// maxDriftListed bounds the differences named in logs and issue context.
const maxDriftListed = 10

// driftLoop compares the kernel with the last applied tree every
// DriftInterval and repairs differences.
func (d *Daemon) driftLoop(ctx context.Context) {
	t := time.NewTicker(d.o.DriftInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := d.checkDrift(ctx); err != nil {
			d.log.Warn("queue drift check", "err", err)
		}
	}
}

// appliedTree reads the tree recorded by the last successful apply (by
// lqosd, libreqos or the scheduler: all record it in the state directory),
// nil when nothing was applied yet.
func (d *Daemon) appliedTree() (*plan.Tree, error) { return shaper.LoadAppliedTree(d.config()) }

// checkDrift compares the kernel's queues and the data path's IP mappings
// with the last applied tree and, when they differ, raises CodeQueueDrift
// and re-applies that tree and its mappings: no mapping may point at a
// class that is not in the recorded tree. It returns the
// differences found (before the repair). The apply lock is taken without
// waiting: while someone else applies, the kernel is legitimately in
// between trees and the check is skipped.
//
// The recorded tree, not the in-process applier's memory
// (tc.Applier.Drift), is the reference because libreqos and the
// scheduler apply with their own kernel handles: after their applies the
// memory of lqosd's applier is out of date.
func (d *Daemon) checkDrift(ctx context.Context) ([]tc.Difference, error) {
	if d.kernel == nil || d.noShape != "" {
		return nil, nil
	}
	d.applyMu.Lock()
	defer d.applyMu.Unlock()
	lk, err := d.applyLock("lqosd drift check", apply.NoWait).Take(ctx)
	if errors.Is(err, apply.ErrLockBusy) {
		d.log.Debug("queue drift check skipped: an apply is running")
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer lk.Release()

	tree, err := d.appliedTree()
	if err != nil || tree == nil {
		return nil, err
	}
	diffs, err := d.compare(tree)
	if err != nil {
		return nil, err
	}
	fix, err := d.mappingFix(tree)
	if err != nil {
		return nil, err
	}
	if len(diffs) == 0 && fix.empty() {
		d.log.Debug("queue drift check: the kernel matches the last applied plan")
		d.resolveDrift()
		d.recordInPlace()
		return nil, nil
	}

	listed := make([]string, 0, maxDriftListed)
	for _, x := range diffs[:min(len(diffs), maxDriftListed)] {
		listed = append(listed, x.String()) // the object names its interface
	}
	listed = append(listed, fix.describe(maxDriftListed-len(listed))...)
	n := len(diffs) + len(fix.Upserts) + len(fix.Stale)
	d.log.Error("queue tree or IP mappings drifted from the last applied plan (tc run by hand, or an apply cut short); repairing",
		"differences", n, "first", listed)
	ctxJSON, _ := json.Marshal(map[string]any{"count": n, "differences": listed})
	if _, err := d.urgent.Raise(urgent.Raise{Code: CodeQueueDrift, Severity: urgent.Error, Source: "lqosd",
		Message: fmt.Sprintf("The kernel's queue tree or IP mappings differ from the last applied plan in %d places (first: %s); lqosd is re-applying it.", n, listed[0]),
		Context: ctxJSON}); err != nil {
		d.log.Warn("raising urgent issue", "code", CodeQueueDrift, "err", err)
	}

	// Classes first, so the mappings restored next point at classes that
	// exist.
	done := 0
	if len(diffs) > 0 {
		res, err := d.kernel.Repair(ctx, tree, d.log.With("reason", "drift repair"))
		if err != nil {
			d.log.Error("queue drift repair failed; will retry at the next check", "err", err)
			return diffs, nil
		}
		if res != nil {
			done = res.Done
		}
	}
	if fix, err = d.mappingFix(tree); err != nil {
		return diffs, err
	}
	if err := d.repairMappings(fix); err != nil {
		d.log.Error("IP mapping drift repair failed; will retry at the next check", "err", err)
		return diffs, nil
	}
	after, err := d.compare(tree)
	if err != nil {
		return diffs, err
	}
	if len(after) > 0 {
		d.log.Error("queue tree still differs after the drift repair; will retry at the next check", "differences", len(after), "first", after[0].String())
		return diffs, nil
	}
	d.log.Info("queue drift repaired", "reason", "drift repair", "kernel_requests", done,
		"mappings_restored", len(fix.Upserts), "mappings_removed", len(fix.Stale))
	d.resolveDrift()
	d.recordInPlace()
	return diffs, nil
}

// mappingFix compares the data path's mappings with the recorded tree.
func (d *Daemon) mappingFix(tree *plan.Tree) (mappingFix, error) {
	live, err := d.maps.List()
	if err != nil {
		return mappingFix{}, fmt.Errorf("list mappings: %w", err)
	}
	return mappingDrift(tree, live), nil
}

func (d *Daemon) compare(tree *plan.Tree) ([]tc.Difference, error) {
	live, err := tc.Dump(d.kernel.TC(), tree.Interfaces)
	if err != nil {
		return nil, fmt.Errorf("read the queue tree: %w", err)
	}
	return tc.Compare(tree, live)
}

func (d *Daemon) resolveDrift() {
	if n, err := d.urgent.Resolve(CodeQueueDrift); err != nil {
		d.log.Warn("resolving urgent issue", "code", CodeQueueDrift, "err", err)
	} else if n > 0 {
		d.log.Info("queue tree matches the last applied plan again", "resolved", CodeQueueDrift)
	}
}

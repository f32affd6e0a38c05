package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/apply"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/lock"
	"github.com/libreqos-go/lqos/internal/radius"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// startupApply applies the current plan once at start. Failure is logged
// and raised, not fatal: the queues from before the restart stay in place,
// or, when nothing was applied before, what this first apply got into the
// kernel stays and the drift check completes the recorded plan.
func (d *Daemon) startupApply(ctx context.Context) {
	// A new install has no inputs until lqos_scheduler (or libreqos) writes
	// them: that is the normal wait for the first setup, not a failure.
	if in := inputs.PathsFor(d.config()).ShapedDevices; !fileExists(in) {
		d.log.Info("waiting for the first setup: no ShapedDevices.csv yet (lqos_scheduler or libreqos writes it and asks lqosd to apply)", "path", in)
		d.resolve(CodeStartupApply)
		return
	}
	hadRecord := d.hasRecord()
	res, err := d.applyRun(ctx, applyReq{reason: "lqosd start", wait: apply.NoWait})
	if errors.Is(err, apply.ErrLockBusy) {
		d.log.Warn("not applying the plan at start: another apply is running and will set it", "err", err)
		return
	}
	if err != nil && !hadRecord && d.hasRecord() {
		// A first apply is not rolled back (there is nothing to roll back
		// to): the shaper keeps its plan recorded, so saying "the previous
		// queues stay" would be false.
		completes := "the drift check completes it (every " + d.o.DriftInterval.String() + ")"
		if d.o.DriftInterval <= 0 {
			completes = "the next apply completes it (the drift check is off)"
		}
		d.startupPending.Store(true)
		d.log.Error("the first apply at start did not complete; what it applied stays and the plan stays recorded: "+completes, "err", err)
		d.raise(CodeStartupApply, urgent.Error, "The first shaping plan applied at lqosd start did not complete ("+err.Error()+"); what it applied stays and "+completes+".")
		return
	}
	if err != nil {
		d.log.Error("applying the shaping plan at start failed; previous queues (if any) stay", "err", err)
		d.raise(CodeStartupApply, urgent.Error, "Applying the shaping plan at lqosd start failed: "+err.Error())
		return
	}
	d.log.Info("shaping plan applied at start", "summary", res.Summary())
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// resolve closes an urgent issue lqosd raised, if it is open.
func (d *Daemon) resolve(code string) {
	if _, err := d.urgent.Resolve(code); err != nil {
		d.log.Warn("resolving urgent issue", "code", code, "err", err)
	}
}

// errShapingDisabled is returned by apply in degraded modes.
var errShapingDisabled = errors.New("shaping disabled")

// apply runs the shaper under the apply lock (shared with libreqos and the
// scheduler), waiting for it as apply.LockWait says. reload re-reads
// lqos.conf first.
func (d *Daemon) apply(ctx context.Context, reason string, dryRun, reload bool) (*shaper.Result, error) {
	return d.applyRun(ctx, applyReq{reason: reason, dryRun: dryRun, reload: reload})
}

// applyReq is one apply: why, whether to re-read lqos.conf, how long to
// wait for the apply lock (0 = apply.LockWait, apply.NoWait), and whether a
// large removal is confirmed.
type applyReq struct {
	reason         string
	dryRun, reload bool
	wait           time.Duration
	confirmShrink  bool
}

// applyLock is the apply lock as lqosd takes it.
func (d *Daemon) applyLock(who string, wait time.Duration) apply.Lock {
	return apply.Lock{Path: filepath.Join(d.o.RunDir, "apply.lock"), Who: who, Wait: wait,
		OnWait: func(be *lock.BusyError) { d.log.Info("waiting for the apply lock", "holder", be.Holder) }}
}

// applyRun is every lqosd apply (start-up, bus, SIGHUP, retry): the one
// apply path (apply.Refresh) with lqosd's kernel handle, its data path
// maps, its qdisc fallback, lazy queues and RADIUS circuits, followed by
// what the web UI, metrics and urgent issues learn from the applied plan.
func (d *Daemon) applyRun(ctx context.Context, r applyReq) (*shaper.Result, error) {
	if d.noShape != "" && !r.dryRun {
		return nil, fmt.Errorf("%w: %s", errShapingDisabled, d.noShape)
	}
	d.applyMu.Lock()
	defer d.applyMu.Unlock()
	if r.reload {
		if err := d.reloadConfig(); err != nil {
			return nil, err
		}
	}
	cfg, notes := d.shapingConfig(d.config())
	var k shaper.Kernel
	switch {
	case d.fakeKernel != nil:
		k = d.fakeKernel
	case d.kernel != nil:
		k = d.kernel
	}
	eng := shaper.New(cfg, k, &namedStore{d: d}, d.log)
	opts := shaper.Options{Reason: r.reason, DryRun: r.dryRun, ConfirmShrink: r.confirmShrink}
	if lz := d.lazyFor(cfg); lz != nil {
		opts.KernelTree = lz.Tree
	}
	opts.Overlay = d.radiusOverlay()
	// Sessions end by design: their circuits do not count as a shrink.
	opts.ShrinkIgnores = func(id string) bool { return strings.HasPrefix(id, radius.IDPrefix) }
	res, err := apply.Refresh(ctx, d.applyLock("lqosd", r.wait), eng, opts)
	if res != nil {
		res.Warnings = append(notes, res.Warnings...)
	}
	if err == nil && !r.dryRun && res != nil && res.Plan != nil {
		d.lazyPlan = res.Plan.Tree
		d.noteCircuits(res.Plan)
		d.notePlanShape(res.Plan)
		// Whoever asked (start-up, the scheduler, libreqos, SIGHUP), the
		// plan is in place now: an earlier failed start no longer applies.
		d.startupPending.Store(false)
		d.resolve(CodeStartupApply)
		d.noteOversubscription(res.Plan)
	}
	if !r.dryRun {
		d.noteApplyOutcome(err)
	}
	return res, err
}

// reloadConfig re-reads lqos.conf; on error the running one stays.
func (d *Daemon) reloadConfig() error {
	cfg, warns, err := config.Load(d.config().Path)
	if err != nil {
		return fmt.Errorf("reload configuration (keeping the running one): %w", err)
	}
	for _, w := range warns {
		d.log.Warn("config: " + w.String())
	}
	if d.o.StateDir != "" {
		cfg.StateDirectory = d.o.StateDir
	}
	d.cfgMu.Lock()
	d.cfg = cfg
	d.cfgMu.Unlock()
	return nil
}

// hasRecord reports whether a plan is recorded as applied.
func (d *Daemon) hasRecord() bool {
	t, err := d.appliedTree()
	return err == nil && t != nil
}

// recordInPlace is called by the drift check when the kernel and the data
// path match the recorded plan: a first start-up apply that did not
// complete is complete now.
func (d *Daemon) recordInPlace() {
	if d.startupPending.CompareAndSwap(true, false) {
		d.log.Info("the shaping plan of the start-up is in place now (completed by the drift check)")
		d.resolve(CodeStartupApply)
	}
}

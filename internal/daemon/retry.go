package daemon

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/libreqos-go/lqos/internal/apply"
	"github.com/libreqos-go/lqos/internal/backoff"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// Urgent issue codes of apply outcomes. They do not start with LQOSD_, so
// the start-up sweep of preflight issues leaves them to the next apply.
const (
	// CodeStateWrite: the state directory could not be written, so nothing
	// was applied; lqosd retries every --apply-retry until it can.
	CodeStateWrite = "STATE_DIR_UNWRITABLE"
	// CodeShrinkHeld: a run would remove too many circuits and waits for
	// confirmation (`libreqos --confirm-shrink`).
	CodeShrinkHeld = "PLAN_SHRINK_HELD"
)

// noteApplyOutcome raises or resolves the issues an apply's outcome
// decides, and schedules a retry when the cause may go away by itself.
func (d *Daemon) noteApplyOutcome(err error) {
	var se *shaper.ShrinkError
	switch {
	case err == nil:
		for _, code := range []string{CodeStateWrite, CodeShrinkHeld} {
			if n, rerr := d.urgent.Resolve(code); rerr != nil {
				d.log.Warn("resolving urgent issue", "code", code, "err", rerr)
			} else if n > 0 {
				d.log.Info("apply succeeded; issue resolved", "code", code)
			}
		}
	case errors.Is(err, shaper.ErrStateWrite):
		d.log.Error("nothing applied: the state directory cannot be written; retrying", "err", err, "every", d.o.ApplyRetry)
		d.raise(CodeStateWrite, urgent.Error, "LibreQoS could not record the shaping plan in the state directory, so it applied nothing (the previous queues and mappings stay). Free space or fix permissions there; lqosd retries every "+d.o.ApplyRetry.String()+". "+err.Error())
		select {
		case d.retry <- struct{}{}:
		default:
		}
	case errors.As(err, &se):
		d.log.Warn("plan held back: it would remove too many circuits", "removed", se.Removed, "applied", se.Applied)
		ctxJSON, _ := json.Marshal(map[string]any{"applied": se.Applied, "planned": se.Planned, "removed": se.Removed, "examples": se.Examples})
		if _, rerr := d.urgent.Raise(urgent.Raise{Code: CodeShrinkHeld, Severity: urgent.Warning, Source: "lqosd", Message: se.Error(), Context: ctxJSON}); rerr != nil {
			d.log.Warn("raising urgent issue", "code", CodeShrinkHeld, "err", rerr)
		}
	}
}

// retryLoop re-runs the apply after a state-write failure, every
// ApplyRetry, until one gets past recording (then noteApplyOutcome resolves
// the issue, or raises whatever stops it now).
func (d *Daemon) retryLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-d.retry:
		}
		// The apply that signalled has just failed: wait before the first retry.
		if backoff.Sleep(ctx, d.o.ApplyRetry) != nil {
			return
		}
		err := backoff.Retry(ctx, backoff.Constant(d.o.ApplyRetry), func() error {
			_, err := d.applyRun(ctx, applyReq{reason: "retry after the state directory could not be written", wait: apply.NoWait})
			// A failed retry signalled again; this loop already retries.
			select {
			case <-d.retry:
			default:
			}
			if errors.Is(err, shaper.ErrStateWrite) || errors.Is(err, apply.ErrLockBusy) {
				return err
			}
			return nil // applied, or stopped by something a retry cannot fix
		}, nil)
		if err != nil { // only when ctx ended
			return
		}
	}
}

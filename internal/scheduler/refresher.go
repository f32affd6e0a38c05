package scheduler

import (
	"context"
	"log/slog"

	"github.com/libreqos-go/lqos/internal/apply"
)

// ApplyRefresher is the scheduler's QueueRefresher: each refresh goes down
// the one apply path (internal/apply), to lqosd when it runs, else in this
// process under the apply lock. The apply re-reads and re-validates the
// files itself, so even a file replaced between the scheduler's check and
// the apply cannot reach the kernel unchecked.
type ApplyRefresher struct {
	Applier *apply.Applier
	Logger  *slog.Logger
	// ConfirmShrink applies runs that remove many circuits (see
	// queues.max_circuit_removal_percent).
	ConfirmShrink bool
}

// Refresh implements QueueRefresher.
func (r *ApplyRefresher) Refresh(ctx context.Context, req RefreshRequest) error {
	log := r.Logger
	if log == nil {
		log = slog.Default()
	}
	reason := "scheduler refresh"
	if req.Full {
		reason = "scheduler start-up"
	}
	a := *r.Applier
	if req.Waiting != nil {
		a.Lock.OnWait = req.Waiting
	}
	out, err := a.Apply(ctx, apply.Request{Reason: reason, Full: req.Full, ConfirmShrink: r.ConfirmShrink})
	if out != nil {
		for _, w := range out.Warnings {
			log.Warn("shaper warning", "warning", w)
		}
	}
	return err
}

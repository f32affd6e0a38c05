package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/lock"
)

// SelfLocking is implemented by refreshers that take the apply lock
// themselves, or hand the apply to lqosd, which takes it. The scheduler
// must not hold the lock around such a refresher: lqosd would wait for it.
type SelfLocking interface {
	TakesApplyLock() bool
}

// LqosdRefresher hands queue refreshes to lqosd over the bus, so one process
// owns the kernel state (and lqosd's policy for qdiscs the kernel lacks
// applies to every refresh). When lqosd cannot be reached it applies in this
// process through Local, under the apply lock.
type LqosdRefresher struct {
	BusPath  string
	Local    QueueRefresher
	LockPath string        // apply lock for the local path (lock.DefaultPath if empty)
	LockWait time.Duration // bound on waiting for it (15 min if zero)
	Logger   *slog.Logger
	// ConfirmShrink applies runs that remove many circuits.
	ConfirmShrink bool
}

// TakesApplyLock implements SelfLocking.
func (r *LqosdRefresher) TakesApplyLock() bool { return true }

// Refresh implements QueueRefresher.
func (r *LqosdRefresher) Refresh(ctx context.Context, in *Inputs, full bool) error {
	log := r.Logger
	if log == nil {
		log = slog.Default()
	}
	reason := "scheduler refresh"
	if full {
		reason = "scheduler start-up"
	}
	if c := r.dial(ctx); c != nil {
		defer c.Close()
		return r.viaLqosd(ctx, c, log, reason, full)
	}
	if r.Local == nil {
		return fmt.Errorf("lqosd is not reachable at %s", r.busPath())
	}
	log.Warn("lqosd is not reachable; applying the queues in this process once the apply lock is free", "bus", r.busPath())
	path := r.LockPath
	if path == "" {
		path = lock.DefaultPath
	}
	wait := r.LockWait
	if wait <= 0 {
		wait = 15 * time.Minute
	}
	lctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	l, err := lock.Acquire(lctx, path, "lqos_scheduler", func(b *lock.BusyError) {
		log.Warn("waiting for the apply lock", "holder", b.Holder)
	})
	if err != nil {
		return err
	}
	// lqosd may have come back while we waited: it owns the kernel state
	// (and its qdisc policy), so hand the apply to it after all.
	if c := r.dial(ctx); c != nil {
		defer c.Close()
		l.Release()
		log.Info("lqosd is back; handing the apply to it")
		return r.viaLqosd(ctx, c, log, reason, full)
	}
	defer l.Release()
	return r.Local.Refresh(ctx, in, full)
}

func (r *LqosdRefresher) busPath() string {
	if r.BusPath == "" {
		return bus.DefaultSocketPath
	}
	return r.BusPath
}

// dial reaches lqosd, or returns nil when it is not running.
func (r *LqosdRefresher) dial(ctx context.Context) *bus.Client {
	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := bus.Dial(dctx, r.BusPath)
	if err != nil {
		return nil
	}
	if _, err := c.Ping(dctx); err != nil {
		c.Close()
		return nil
	}
	return c
}

func (r *LqosdRefresher) viaLqosd(ctx context.Context, c *bus.Client, log *slog.Logger, reason string, full bool) error {
	res, err := c.Reload(ctx, &bus.ReloadPlan{Reason: reason, Full: full, ConfirmShrink: r.ConfirmShrink})
	if err != nil {
		return fmt.Errorf("lqosd could not apply the queues (the previous ones stay): %w", err)
	}
	for _, w := range res.Warnings {
		log.Warn("shaper warning", "warning", w)
	}
	log.Info("lqosd applied the queues", "summary", res.Summary, "took", res.Duration)
	return nil
}

package daemon

import (
	"context"
	"errors"
	"time"

	"github.com/libreqos-go/lqos/internal/apply"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/tc"
)

// Lazy queues (queues.lazy_queues): a circuit gets its leaf qdisc ("Htb") or
// its class and leaf ("Full") only once it carries traffic, and loses them
// again after lazy_expire_seconds idle. This keeps memory and qdisc handles
// for the circuits that are actually online.

// lazyFor returns the lazy-queue tracker for cfg, or nil when lazy queues
// are off. Called with applyMu held.
func (d *Daemon) lazyFor(cfg *config.Config) *tc.Lazy {
	mode, err := tc.ParseLazyMode(cfg.Queues.LazyQueues)
	if err != nil || mode == tc.LazyOff {
		d.lazy = nil
		return nil
	}
	expire := 600 * time.Second
	if e := cfg.Queues.LazyExpireSeconds; e != nil {
		expire = time.Duration(*e) * time.Second
	}
	if d.lazy == nil || d.lazy.Mode != mode {
		d.lazy = &tc.Lazy{Mode: mode}
	}
	d.lazy.Expire = expire
	return d.lazy
}

// lazyTick marks circuits with traffic active, expires idle ones and applies
// the difference. Each activation costs one kernel request per interface
// (two in Full mode).
func (d *Daemon) lazyTick(ctx context.Context, now time.Time) {
	d.applyMu.Lock()
	defer d.applyMu.Unlock()
	if d.lazy == nil || d.lazyPlan == nil || d.kernel == nil || d.noShape != "" {
		return
	}
	var threshold uint64
	if t := d.config().Queues.LazyThresholdBytes; t != nil {
		threshold = *t
	}
	secs := max(d.o.SampleInterval.Seconds(), 1e-3)
	changed := false
	for _, c := range d.coll.Circuits() {
		bytes := uint64(float64(c.Bits.Down+c.Bits.Up) / 8 * secs)
		if bytes > threshold || (threshold == 0 && c.Bits.Down+c.Bits.Up > 0) {
			if d.lazy.Touch(c.CircuitID, now) {
				changed = true
			}
		}
	}
	expired := d.lazy.ExpireIdle(now)
	if !changed && len(expired) == 0 {
		return
	}
	lk, err := d.applyLock("lqosd lazy queues", apply.NoWait).Take(ctx)
	if errors.Is(err, apply.ErrLockBusy) {
		return // an apply is running; the next tick catches up
	}
	if err != nil {
		d.log.Warn("lazy queues: apply lock", "err", err)
		return
	}
	defer lk.Release()
	cfg, _ := d.shapingConfig(d.config())
	res, err := shaper.New(cfg, d.kernel, nil, d.log).ApplyKernelTree(ctx, d.lazy.Tree(d.lazyPlan))
	if err != nil {
		d.log.Error("lazy queues: applying activations failed", "err", err)
		return
	}
	d.log.Info("lazy queues updated", "expired", len(expired), "requests", res.Done)
}

package scheduler

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/vishvananda/netns"
)

// ShaperRefresher applies through internal/shaper in this process, the same
// engine `libreqos` uses, while the scheduler holds the apply lock. The
// engine re-reads and re-validates the files itself, so even a file
// replaced between the scheduler's check and the apply cannot reach the
// kernel unchecked.
type ShaperRefresher struct {
	Config  *config.Config
	BusPath string // lqosd's bus, for the IP mappings ("" = default)
	Logger  *slog.Logger
	// OpenKernel opens the kernel handle (default: netlink in the current
	// network namespace).
	OpenKernel func() (shaper.Kernel, func(), error)
	// MissingQdisc is lqosd's policy for leaf kinds the kernel lacks:
	// shaper.MissingFallback (default: a pfifo leaf) or shaper.MissingRefuse.
	MissingQdisc string
	// ConfirmShrink applies runs that remove many circuits (see
	// queues.max_circuit_removal_percent).
	ConfirmShrink bool
}

// Refresh implements QueueRefresher.
func (r *ShaperRefresher) Refresh(ctx context.Context, _ *Inputs, full bool) error {
	log := r.Logger
	if log == nil {
		log = slog.Default()
	}
	open := r.OpenKernel
	if open == nil {
		open = func() (shaper.Kernel, func(), error) {
			k, err := shaper.OpenKernel(netns.None())
			if err != nil {
				return nil, nil, err
			}
			return k, k.Close, nil
		}
	}
	k, closeK, err := open()
	if err != nil {
		return fmt.Errorf("open netlink: %w", err)
	}
	defer closeK()
	var store shaper.MappingStore
	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	c, err := bus.Dial(dctx, r.BusPath)
	cancel()
	if err == nil {
		defer c.Close()
		store = shaper.BusStore{Client: c}
	} else {
		log.Warn("IP mappings cannot be sent to lqosd", "err", err)
	}
	reason := "scheduler refresh"
	if full {
		reason = "scheduler start-up"
	}
	// The same qdisc probe and fallback as lqosd, so a kernel without cake
	// gets pfifo leaves here too instead of a failed apply.
	policy := r.MissingQdisc
	if policy == "" {
		policy = shaper.MissingFallback
	}
	cfg, notes, err := shaper.ProbedConfig(r.Config, policy)
	if err != nil {
		return err
	}
	for _, n := range notes {
		log.Warn("shaper warning", "warning", n)
	}
	res, err := shaper.New(cfg, k, store, log).Refresh(ctx, shaper.Options{Reason: reason, ConfirmShrink: r.ConfirmShrink})
	if res != nil {
		for _, w := range res.Warnings {
			log.Warn("shaper warning", "warning", w)
		}
	}
	return err
}

package apply

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/vishvananda/netns"
)

// Refresh runs one validate -> plan -> record -> apply -> roll back of eng
// (shaper.Engine.Refresh) while holding the apply lock lk. A dry run plans
// only and takes no lock. This is the step every program runs where the
// kernel is: lqosd for each reload, libreqos and the scheduler through
// Applier when lqosd is not running.
func Refresh(ctx context.Context, lk Lock, eng *shaper.Engine, opts shaper.Options) (*shaper.Result, error) {
	if !opts.DryRun {
		l, err := lk.Take(ctx)
		if err != nil {
			return nil, err
		}
		defer l.Release()
	}
	return eng.Refresh(ctx, opts)
}

// DryRun plans cfg's inputs for queues TX queues (0: PlannedQueues) without
// a kernel: the result carries the tc commands an apply would issue.
func DryRun(ctx context.Context, cfg *config.Config, req Request, log *slog.Logger) (*shaper.Result, error) {
	return shaper.New(cfg, nil, nil, log).Refresh(ctx, shaper.Options{Reason: req.Reason, DryRun: true, Debug: req.Debug, TxQueues: req.TxQueues})
}

// Request is one apply asked of Applier.
type Request struct {
	Reason string // logged: "libreqos", "scheduler refresh"...
	// Full asks lqosd for a full rebuild instead of an incremental apply
	// (the scheduler's start-up).
	Full bool
	// ConfirmShrink applies a run that removes more than
	// queues.max_circuit_removal_percent of the applied circuits.
	ConfirmShrink bool
	Debug         bool // time each step
	TxQueues      int  // 0 = detect from the interfaces
}

// Outcome says who applied and what.
type Outcome struct {
	ByLqosd  bool
	Summary  string
	Took     time.Duration
	Warnings []string
	// Result is the engine's result of an apply in this process (nil when
	// lqosd applied).
	Result *shaper.Result
}

// Applier applies for the programs other than lqosd. lqosd owns the kernel
// state (its qdisc fallback policy, the data path maps), so when it runs
// the apply is handed to it over the bus; otherwise the apply lock is taken
// and the queues are applied in this process (the data path maps then stay
// as they are: they belong to lqosd).
type Applier struct {
	Config  *config.Config
	BusPath string // lqosd's socket ("" = bus.DefaultSocketPath)
	Lock    Lock   // the apply lock for the in-process apply
	Log     *slog.Logger
	// MissingQdisc is lqosd's policy for leaf kinds the kernel lacks
	// (shaper.MissingFallback, the default, or shaper.MissingRefuse), so an
	// in-process apply shapes as lqosd would.
	MissingQdisc string
	// OpenKernel opens the kernel handle for the in-process apply (default:
	// netlink in the current network namespace).
	OpenKernel func() (shaper.Kernel, func(), error)
	// Local replaces the in-process apply (tests); it runs with the lock held.
	Local func(ctx context.Context, req Request) (*Outcome, error)
}

// Apply hands req to lqosd, or applies it in this process under the apply
// lock. When lqosd refuses, the previous queues stay and nothing is retried
// here: lqosd's answer is the answer.
func (a *Applier) Apply(ctx context.Context, req Request) (*Outcome, error) {
	log := a.log()
	if c := a.dial(ctx); c != nil {
		defer c.Close()
		return a.viaLqosd(ctx, c, req)
	}
	log.Warn("lqosd is not reachable; applying the queues in this process once the apply lock is free", "bus", a.busPath())
	lk, err := a.Lock.Take(ctx)
	if err != nil {
		return nil, err
	}
	// lqosd may have come back while we waited: it owns the kernel state,
	// so hand the apply to it after all.
	if c := a.dial(ctx); c != nil {
		defer c.Close()
		lk.Release()
		log.Info("lqosd is back; handing the apply to it")
		return a.viaLqosd(ctx, c, req)
	}
	defer lk.Release()
	if a.Local != nil {
		return a.Local(ctx, req)
	}
	return a.inProcess(ctx, req)
}

func (a *Applier) log() *slog.Logger {
	if a.Log == nil {
		return slog.Default()
	}
	return a.Log
}

func (a *Applier) busPath() string {
	if a.BusPath == "" {
		return bus.DefaultSocketPath
	}
	return a.BusPath
}

// dial reaches lqosd, or returns nil when it is not running.
func (a *Applier) dial(ctx context.Context) *bus.Client {
	dctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	c, err := bus.Dial(dctx, a.BusPath)
	if err != nil {
		return nil
	}
	if _, err := c.Ping(dctx); err != nil {
		c.Close()
		return nil
	}
	return c
}

// ErrLqosdRefused wraps lqosd's refusal; the previous queues stay.
var ErrLqosdRefused = errors.New("lqosd could not apply the queues (the previous ones stay)")

func (a *Applier) viaLqosd(ctx context.Context, c *bus.Client, req Request) (*Outcome, error) {
	res, err := c.Reload(ctx, &bus.ReloadPlan{Reason: req.Reason, Full: req.Full, ConfirmShrink: req.ConfirmShrink})
	if err != nil {
		return &Outcome{ByLqosd: true}, fmt.Errorf("%w: %w", ErrLqosdRefused, err)
	}
	a.log().Info("lqosd applied the queues", "summary", res.Summary, "took", res.Duration)
	return &Outcome{ByLqosd: true, Summary: res.Summary, Took: res.Duration, Warnings: res.Warnings}, nil
}

// inProcess applies with this process's own netlink handle, with lqosd's
// qdisc probe and fallback (a kernel without cake gets fifo leaves here
// too instead of a failed apply). IP mappings are left to lqosd.
func (a *Applier) inProcess(ctx context.Context, req Request) (*Outcome, error) {
	open := a.OpenKernel
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
		return nil, fmt.Errorf("open netlink: %w", err)
	}
	defer closeK()
	policy := a.MissingQdisc
	if policy == "" {
		policy = shaper.MissingFallback
	}
	cfg, notes, err := shaper.ProbedConfig(a.Config, policy)
	if err != nil {
		return nil, err
	}
	t0 := time.Now()
	res, err := shaper.New(cfg, k, nil, a.log()).Refresh(ctx, shaper.Options{Reason: req.Reason, Debug: req.Debug, TxQueues: req.TxQueues, ConfirmShrink: req.ConfirmShrink})
	out := &Outcome{Result: res, Took: time.Since(t0), Warnings: notes}
	if res != nil {
		out.Warnings = append(out.Warnings, res.Warnings...)
		if err == nil {
			out.Summary = res.Summary()
		}
	}
	return out, err
}

// Package builder is the body of the libreqos command: validate the inputs,
// plan the queue tree, apply it.
package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/cores"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/fleet"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/lock"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/vishvananda/netns"
)

// Options are libreqos's flags.
type Options struct {
	ConfigPath string
	Debug      bool
	DryRun     bool
	BusPath    string // lqosd's socket; empty = default
	LockPath   string // apply lock; empty = default
	// TxQueues overrides queue detection (tests, or NICs that misreport).
	TxQueues int
	// ConfirmShrink applies a run that removes more than
	// queues.max_circuit_removal_percent of the applied circuits.
	ConfirmShrink bool
}

// Exit codes.
const (
	ExitOK      = 0
	ExitInvalid = 1 // inputs rejected; nothing applied
	ExitFailed  = 3 // applying failed; the previous tree is kept
	ExitHeld    = 4 // held back: too many circuits would go; rerun with --confirm-shrink
)

// Validate loads and checks every input and prints the report.
func Validate(opts Options, out io.Writer) int {
	cfg, l := inputs.LoadConfig(opts.ConfigPath)
	if cfg == nil {
		inputs.WriteReport(out, nil, l)
		return ExitInvalid
	}
	fmt.Fprintf(out, "Config:   %s\nInputs:   %s\n", cfg.Path, cfg.LqosDirectory)
	in, il := inputs.Load(cfg)
	l.Merge(il)
	if !l.HasErrors() {
		l.Merge(CheckPlan(cfg, in, plannedQueues(cfg, opts, nil, nil)))
	}
	inputs.WriteReport(out, in, l)
	if in != nil && in.Devices != nil {
		fleet.Report(out, cfg, in.Network, in.Devices.Circuits)
	}
	if l.HasErrors() {
		return ExitInvalid
	}
	return ExitOK
}

// Run validates, plans and applies (or prints the tc commands with DryRun).
func Run(ctx context.Context, opts Options, out io.Writer) int {
	logLevel := slog.LevelWarn
	if opts.Debug {
		logLevel = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel}))
	cfg, l := inputs.LoadConfig(opts.ConfigPath)
	if l.HasErrors() {
		inputs.WriteReport(out, nil, l)
		return ExitInvalid
	}
	if opts.DryRun {
		// A dry run must work on a laptop: without the interfaces, plan for
		// as many queues as this machine has CPUs.
		eng := shaper.New(cfg, nil, nil, log)
		tx := plannedQueues(cfg, opts, log, out)
		res, err := eng.Refresh(ctx, shaper.Options{Reason: "libreqos --dry-run", DryRun: true, Debug: opts.Debug, TxQueues: tx})
		if err != nil {
			return report(out, res, err)
		}
		for _, c := range res.Commands {
			fmt.Fprintln(out, "tc "+c)
		}
		printResult(out, res, opts.Debug)
		return ExitOK
	}

	// lqosd owns the kernel state when it runs (its qdisc fallback policy,
	// the data path maps): hand it the reload and report its answer.
	dialCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	c, err := bus.Dial(dialCtx, opts.BusPath)
	cancel()
	if err == nil {
		defer c.Close()
		fmt.Fprintln(out, "lqosd is running: asking it to apply the plan")
		res, err := c.Reload(ctx, &bus.ReloadPlan{Reason: "libreqos", ConfirmShrink: opts.ConfirmShrink})
		if errors.Is(err, &bus.Error{Code: bus.CodeShrinkHeld}) {
			fmt.Fprintf(out, "libreqos: %v\n", err)
			return ExitHeld
		}
		if err != nil {
			fmt.Fprintf(out, "libreqos: lqosd could not apply the plan (the previous queues stay): %v\n", err)
			return ExitFailed
		}
		for _, w := range res.Warnings {
			fmt.Fprintln(out, "warning: "+w)
		}
		fmt.Fprintf(out, "%s (took %v)\n", res.Summary, res.Duration.Round(time.Millisecond))
		return ExitOK
	}
	return applyLocally(ctx, opts, cfg, log, out)
}

// plannedQueues is the TX queue count a plan that does not apply is made
// for: --queues, else the config's override (0 here lets the engine read
// it), else the interfaces' count, else this machine's CPUs (so it works on
// a laptop). note, when set, is told why the interfaces were not used.
func plannedQueues(cfg *config.Config, opts Options, log *slog.Logger, note io.Writer) int {
	if opts.TxQueues != 0 || cfg.Queues.OverrideAvailableQueues != 0 {
		return opts.TxQueues
	}
	tx := cores.ShapingCount(cores.DefaultRoot, cfg.ExcludeEfficiencyCores, runtime.NumCPU())
	k, err := shaper.OpenKernel(netns.None())
	if err != nil {
		return tx
	}
	defer k.Close()
	n, err := shaper.New(cfg, k, nil, log).DetectQueues()
	if err == nil {
		return n
	}
	if note != nil {
		fmt.Fprintf(note, "# %v; planning for %d queues\n", err, tx)
	}
	return tx
}

// CheckPlan plans the validated inputs (nothing is applied), so validation
// refuses exactly what a refresh would refuse, and reports what only the
// plan shows: each node whose children's guarantees exceed its own (with
// the node's network.json line), circuits the plan cannot shape, and a plan
// that cannot be built. queues 0 plans for override_available_queues, else
// this machine's shaping cores (the real count comes from the interfaces at
// apply time; it changes placement, not what is valid).
func CheckPlan(cfg *config.Config, in *inputs.Inputs, queues int) diag.List {
	var l diag.List
	if queues == 0 {
		queues = int(cfg.Queues.OverrideAvailableQueues)
	}
	if queues == 0 {
		queues = max(cores.ShapingCount(cores.DefaultRoot, cfg.ExcludeEfficiencyCores, runtime.NumCPU()), 2)
	}
	prev, err := plan.LoadIdentities(shaper.New(cfg, nil, nil, nil).IdentitiesPath())
	if err != nil {
		prev = nil // placements are dealt afresh, as the next apply would
	}
	netFile, csvFile := filepath.Base(in.Network.Path), filepath.Base(in.Devices.Path)
	p, err := plan.Build(plan.Input{Config: cfg, Devices: in.Devices, Network: in.Network, TXQueues: queues, Previous: prev})
	if err != nil {
		l.Errorf(netFile, 0, "", "the queue plan cannot be built: %v", err)
		return l
	}
	oversub := map[string]bool{}
	for _, o := range p.Oversubscribed {
		oversub[o.Message()] = true
		if o.Line > 0 {
			l.Warnf(netFile, o.Line, o.Path(), "%s", o.Message())
		} else {
			// A generated parent node: its circuits come from the CSV.
			l.Warnf(csvFile, 0, o.Node, "%s", o.Message())
		}
	}
	for _, w := range p.Warnings {
		if !oversub[w] {
			l.Warnf("plan", 0, "", "%s", w)
		}
	}
	for _, u := range p.Unshaped {
		if u.Reason == "unknown_parent" {
			l.Errorf(csvFile, u.Line, "Parent Node", "circuit %q: parent node %q is neither in network.json nor one of the %d generated parent nodes", u.CircuitID, u.ParentNode, p.Queues)
			continue
		}
		l.Warnf(csvFile, u.Line, "", "circuit %q is not shaped: %s", u.CircuitID, u.Reason)
	}
	return l
}

// applyLocally applies without lqosd: queues only (the data path maps belong
// to lqosd), under the apply lock shared with the scheduler.
func applyLocally(ctx context.Context, opts Options, cfg *config.Config, log *slog.Logger, out io.Writer) int {
	lockPath := opts.LockPath
	if lockPath == "" {
		lockPath = lock.DefaultPath
	}
	lk, err := lock.Acquire(ctx, lockPath, "libreqos", func(b *lock.BusyError) {
		fmt.Fprintf(out, "waiting for the apply lock: %v\n", b)
	})
	if err != nil {
		fmt.Fprintf(out, "libreqos: %v\n", err)
		return ExitFailed
	}
	defer lk.Release()

	k, err := shaper.OpenKernel(netns.None())
	if err != nil {
		fmt.Fprintf(out, "libreqos: %v\n", err)
		return ExitFailed
	}
	defer k.Close()
	// lqosd's qdisc policy: pfifo leaves where the kernel lacks the kind.
	cfg, notes, err := shaper.ProbedConfig(cfg, shaper.MissingFallback)
	if err != nil {
		fmt.Fprintf(out, "libreqos: %v\n", err)
		return ExitFailed
	}
	for _, n := range notes {
		fmt.Fprintln(out, "warning: "+n)
	}
	eng := shaper.New(cfg, k, nil, log)
	res, err := eng.Refresh(ctx, shaper.Options{Reason: "libreqos", Debug: opts.Debug, TxQueues: opts.TxQueues, ConfirmShrink: opts.ConfirmShrink})
	if err != nil {
		return report(out, res, err)
	}
	printResult(out, res, opts.Debug)
	return ExitOK
}

func report(out io.Writer, res *shaper.Result, err error) int {
	var ie *diag.InputError
	if errors.As(err, &ie) {
		fmt.Fprintf(out, "inputs rejected; nothing was applied:\n%v\n", err)
		return ExitInvalid
	}
	var se *shaper.ShrinkError
	if errors.As(err, &se) {
		fmt.Fprintf(out, "libreqos: %v\n", err)
		return ExitHeld
	}
	if res != nil {
		for _, w := range res.Warnings {
			fmt.Fprintln(out, "warning: "+w)
		}
	}
	fmt.Fprintf(out, "libreqos: %v\n", err)
	return ExitFailed
}

func printResult(out io.Writer, res *shaper.Result, debug bool) {
	for _, w := range res.Warnings {
		fmt.Fprintln(out, "warning: "+w)
	}
	if debug {
		for _, s := range res.Steps {
			fmt.Fprintf(out, "step %-28s %v\n", s.Name, s.Duration.Round(time.Microsecond))
		}
	}
	fmt.Fprintln(out, res.Summary())
}

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/libreqos-go/lqos/internal/apply"
	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/fleet"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/lock"
	"github.com/libreqos-go/lqos/internal/shaper"
)

// options are libreqos's flags.
type options struct {
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
	exitOK      = 0
	exitInvalid = 1 // inputs rejected; nothing applied
	exitFailed  = 3 // applying failed; the previous tree is kept
	exitHeld    = 4 // held back: too many circuits would go; rerun with --confirm-shrink
)

// validate loads and checks every input (apply.Validate) and prints the report.
func validate(opts options, out io.Writer) int {
	cfg, l := inputs.LoadConfig(opts.ConfigPath)
	if cfg == nil {
		inputs.WriteReport(out, nil, l)
		return exitInvalid
	}
	fmt.Fprintf(out, "Config:   %s\nInputs:   %s\n", cfg.Path, cfg.LqosDirectory)
	in, il := apply.Validate(cfg, opts.TxQueues)
	l.Merge(il)
	inputs.WriteReport(out, in, l)
	if in != nil && in.Devices != nil {
		fleet.Report(out, cfg, in.Network, in.Devices.Circuits)
	}
	if l.HasErrors() {
		return exitInvalid
	}
	return exitOK
}

// runApply validates, plans and applies (or prints the tc commands with
// DryRun): through lqosd when it runs, else in this process under the apply
// lock (apply.Applier).
func runApply(ctx context.Context, opts options, out io.Writer) int {
	logLevel := slog.LevelWarn
	if opts.Debug {
		logLevel = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel}))
	cfg, l := inputs.LoadConfig(opts.ConfigPath)
	if l.HasErrors() {
		inputs.WriteReport(out, nil, l)
		return exitInvalid
	}
	req := apply.Request{Reason: "libreqos", Debug: opts.Debug, TxQueues: opts.TxQueues, ConfirmShrink: opts.ConfirmShrink}
	if opts.DryRun {
		// A dry run must work on a laptop: without the interfaces, plan for
		// as many queues as this machine has CPUs.
		req.Reason = "libreqos --dry-run"
		req.TxQueues = apply.PlannedQueues(cfg, opts.TxQueues, log, out)
		res, err := apply.DryRun(ctx, cfg, req, log)
		if err != nil {
			var warns []string
			if res != nil {
				warns = res.Warnings
			}
			return report(out, warns, err)
		}
		for _, c := range res.Commands {
			fmt.Fprintln(out, "tc "+c)
		}
		printResult(out, res, opts.Debug)
		return exitOK
	}

	a := &apply.Applier{Config: cfg, BusPath: opts.BusPath, Log: log,
		Lock: apply.Lock{Path: opts.LockPath, Who: "libreqos", OnWait: func(b *lock.BusyError) {
			fmt.Fprintf(out, "waiting for the apply lock: %v\n", b)
		}}}
	o, err := a.Apply(ctx, req)
	if o != nil && o.ByLqosd {
		fmt.Fprintln(out, "lqosd is running: the plan was handed to it")
	}
	if err != nil {
		if o != nil && o.ByLqosd {
			if errors.Is(err, &bus.Error{Code: bus.CodeShrinkHeld}) {
				fmt.Fprintf(out, "libreqos: %v\n", err)
				return exitHeld
			}
			fmt.Fprintf(out, "libreqos: %v\n", err)
			return exitFailed
		}
		var warns []string
		if o != nil {
			warns = o.Warnings
		}
		return report(out, warns, err)
	}
	for _, w := range o.Warnings {
		fmt.Fprintln(out, "warning: "+w)
	}
	if o.ByLqosd {
		fmt.Fprintf(out, "%s (took %v)\n", o.Summary, o.Took.Round(time.Millisecond))
		return exitOK
	}
	printSteps(out, o.Result, opts.Debug)
	fmt.Fprintln(out, o.Result.Summary())
	return exitOK
}

// report prints a failed run and returns its exit code; warnings are
// printed for failures other than rejected inputs and a held run.
func report(out io.Writer, warnings []string, err error) int {
	var ie *diag.InputError
	if errors.As(err, &ie) {
		fmt.Fprintf(out, "inputs rejected; nothing was applied:\n%v\n", err)
		return exitInvalid
	}
	var se *shaper.ShrinkError
	if errors.As(err, &se) {
		fmt.Fprintf(out, "libreqos: %v\n", err)
		return exitHeld
	}
	for _, w := range warnings {
		fmt.Fprintln(out, "warning: "+w)
	}
	fmt.Fprintf(out, "libreqos: %v\n", err)
	return exitFailed
}

func printResult(out io.Writer, res *shaper.Result, debug bool) {
	for _, w := range res.Warnings {
		fmt.Fprintln(out, "warning: "+w)
	}
	printSteps(out, res, debug)
	fmt.Fprintln(out, res.Summary())
}

func printSteps(out io.Writer, res *shaper.Result, debug bool) {
	if debug {
		for _, s := range res.Steps {
			fmt.Fprintf(out, "step %-28s %v\n", s.Name, s.Duration.Round(time.Microsecond))
		}
	}
}

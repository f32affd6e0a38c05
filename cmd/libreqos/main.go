// Command libreqos is the one-shot queue builder: it validates the inputs,
// plans the queue tree and applies it (what LibreQoS.py does upstream).
//
//	libreqos [--config PATH] [--debug] [--dry-run]   plan and apply
//	libreqos --confirm-shrink                       apply a run held back for removing many circuits
//	libreqos [--config PATH] validate                check the inputs only
//	libreqos migrate-check DIR                       check an upstream install
//
// Flags may be written before or after the command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/libreqos-go/lqos/internal/cmdline"
	"github.com/libreqos-go/lqos/internal/config"
)

const exitUsage = 2

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var opts options
	fs := flag.NewFlagSet("libreqos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.ConfigPath, "config", "", "path to lqos.conf (default $"+config.EnvPath+" or "+config.DefaultPath+")")
	fs.BoolVar(&opts.Debug, "debug", false, "print each step with its timing")
	fs.BoolVar(&opts.DryRun, "dry-run", false, "print the tc commands instead of applying them")
	fs.IntVar(&opts.TxQueues, "queues", 0, "number of TX queues to plan for (default: detect from the interfaces)")
	fs.BoolVar(&opts.ConfirmShrink, "confirm-shrink", false, "apply even though the run removes more than queues.max_circuit_removal_percent of the applied circuits")
	fs.StringVar(&opts.BusPath, "bus", "", "lqosd bus socket (default /run/lqos/bus)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: libreqos [flags] [validate | migrate-check DIR]\n\nflags (before or after the command):\n")
		fs.PrintDefaults()
	}
	rest, err := cmdline.Parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	pos, err := cmdline.Positionals(rest)
	if err != nil {
		fmt.Fprintf(stderr, "libreqos: %v\n", err)
		return exitUsage
	}
	opts.ConfigPath = config.ResolvePath(opts.ConfigPath)
	cmd := "apply"
	if len(pos) > 0 {
		cmd, pos = pos[0], pos[1:]
	}
	switch cmd {
	case "validate", "apply":
		if len(pos) > 0 {
			fmt.Fprintf(stderr, "libreqos %s: unexpected argument %q\n", cmd, pos[0])
			return exitUsage
		}
		if cmd == "validate" {
			return validate(opts, stdout)
		}
		return runApply(ctx, opts, stdout)
	case "migrate-check":
		if len(pos) != 1 {
			fmt.Fprintf(stderr, "libreqos migrate-check: want exactly one upstream install directory, got %d arguments\n", len(pos))
			return exitUsage
		}
		return migrateCheck(pos[0], opts, stdout)
	default:
		fmt.Fprintf(stderr, "libreqos: unknown command %q (want validate, migrate-check DIR, or no command to apply)\n", cmd)
		return exitUsage
	}
}

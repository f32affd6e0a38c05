// Command libreqos is the one-shot queue builder: it validates the inputs,
// plans the queue tree and applies it (what LibreQoS.py does upstream).
//
//	libreqos [--config PATH] [--debug] [--dry-run]   plan and apply
//	libreqos --confirm-shrink                       apply a run held back for removing many circuits
//	libreqos [--config PATH] validate                check the inputs only
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/libreqos-go/lqos/internal/builder"
	"github.com/libreqos-go/lqos/internal/config"
)

func main() {
	var opts builder.Options
	flag.StringVar(&opts.ConfigPath, "config", "", "path to lqos.conf (default $"+config.EnvPath+" or "+config.DefaultPath+")")
	flag.BoolVar(&opts.Debug, "debug", false, "print each step with its timing")
	flag.BoolVar(&opts.DryRun, "dry-run", false, "print the tc commands instead of applying them")
	flag.IntVar(&opts.TxQueues, "queues", 0, "number of TX queues to plan for (default: detect from the interfaces)")
	flag.BoolVar(&opts.ConfirmShrink, "confirm-shrink", false, "apply even though the run removes more than queues.max_circuit_removal_percent of the applied circuits")
	flag.StringVar(&opts.BusPath, "bus", "", "lqosd bus socket (default /run/lqos/bus)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: libreqos [flags] [validate]\n\nflags:\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	opts.ConfigPath = config.ResolvePath(opts.ConfigPath)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, opts, flag.Args()))
}

func run(ctx context.Context, opts builder.Options, args []string) int {
	cmd := "apply"
	if len(args) > 0 {
		cmd = args[0]
	}
	switch cmd {
	case "validate":
		return builder.Validate(opts, os.Stdout)
	case "apply":
		return builder.Run(ctx, opts, os.Stdout)
	default:
		fmt.Fprintf(os.Stderr, "libreqos: unknown command %q (want validate, or no command to apply)\n", cmd)
		return 2
	}
}

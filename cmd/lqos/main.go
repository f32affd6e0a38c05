// Command lqos is the command-line client of lqosd's local bus: status,
// IP mappings, top talkers, urgent issues and plan apply/reload. See
// package internal/cli for the commands and exit codes.
package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/cli"
	"github.com/libreqos-go/lqos/internal/cmdline"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run parses the global flags, which may stand before or after the command,
// and runs the command.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lqos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { cli.Usage(stderr) }
	var o cli.Options
	fs.StringVar(&o.BusPath, "bus", bus.DefaultSocketPath, "lqosd bus socket")
	fs.BoolVar(&o.JSON, "json", false, "print JSON instead of text")
	fs.DurationVar(&o.Timeout, "timeout", cli.DefaultTimeout, "give up after this long")
	fs.StringVar(&o.ConfigPath, "config", "", "lqos.conf to check before talking to lqosd (default: not read)")
	rest, err := cmdline.Parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cli.ExitOK
		}
		return cli.ExitUsage
	}
	return cli.Run(ctx, o, rest, stdout, stderr)
}

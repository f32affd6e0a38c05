// Command lqos is the command-line client of lqosd's local bus: status,
// IP mappings, top talkers, urgent issues and plan apply/reload. See
// package internal/cli for the commands and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/libreqos-go/lqos/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

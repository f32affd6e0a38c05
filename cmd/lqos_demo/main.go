// Command lqos_demo runs the whole system on one machine: a small ISP in
// network namespaces, lqosd shaping it, lqos_scheduler importing it from a
// fake CRM, and traffic flowing so every page of the web UI has live data.
// Ctrl-C tears everything down.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/libreqos-go/lqos/internal/demolab"
)

func main() {
	var o demolab.Options
	exe, _ := os.Executable()
	flag.StringVar(&o.BinDir, "bin-dir", filepath.Dir(exe), "directory holding lqosd and lqos_scheduler")
	flag.IntVar(&o.Circuits, "circuits", 200, "number of subscribers in the synthetic ISP")
	flag.StringVar(&o.Listen, "listen", "127.0.0.1:9123", "web UI address")
	flag.DurationVar(&o.Duration, "duration", 0, "stop after this long (0: run until Ctrl-C)")
	flag.BoolVar(&o.KeepDir, "keep-logs", false, "keep the run directory with the logs")
	flag.IntVar(&o.Shapers, "shapers", 1, "1, or 2 for two shapers splitting the CRM's sites ([fleet]) with /metrics on port 9124")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, o))
}

func run(ctx context.Context, o demolab.Options) int {
	start := time.Now()
	if err := demolab.Run(ctx, o, os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "lqos_demo: %v\n", err)
		return 1
	}
	fmt.Printf("demo ran for %s\n", time.Since(start).Round(time.Second))
	return 0
}

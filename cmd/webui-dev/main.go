// Command webui-dev runs the web UI on the fake data source, for front-end
// work and screenshots:
//
//	go run ./cmd/webui-dev -addr 127.0.0.1:9123 -users /tmp/webui-users.json
//
// With -control ADDR it also serves the fake source's control API (switch
// the scheduler state, inject urgent issues) on a separate listener.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/libreqos-go/lqos/internal/webui/demosource"
)

type options struct {
	addr, users, control   string
	slow                   time.Duration
	circuits, nodes, flows int
}

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:9123", "listen address of the UI")
	flag.StringVar(&o.users, "users", "webui-users.json", "users file (created on first run)")
	flag.StringVar(&o.control, "control", "", "listen address of the fake source's control API (empty = off)")
	flag.DurationVar(&o.slow, "slow", 5*time.Second, "period of the slower live channels")
	flag.IntVar(&o.circuits, "circuits", 0, "fake network size: circuits (0 = the small default network)")
	flag.IntVar(&o.nodes, "nodes", 2000, "fake network size: nodes (with -circuits)")
	flag.IntVar(&o.flows, "flows", 100000, "fake network size: flows (with -circuits)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, o, log); err != nil {
		log.Error("web UI", "err", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, o options, log *slog.Logger) error {
	src := demosource.New(1)
	if o.circuits > 0 {
		src = demosource.NewScaled(1, demosource.Scale{Circuits: o.circuits, Nodes: o.nodes, Flows: o.flows})
	}
	srv, err := webui.New(webui.Config{Addr: o.addr, UsersFile: o.users, Source: src, Logger: log, Version: "dev", SlowInterval: o.slow})
	if err != nil {
		return fmt.Errorf("starting: %w", err)
	}
	if o.control != "" {
		cs := &http.Server{Addr: o.control, Handler: src.Control(), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := cs.ListenAndServe(); err != nil && err != http.ErrServerClosed {
				log.Error("control listener", "err", err)
			}
		}()
		defer cs.Close()
	}
	return srv.ListenAndServe(ctx)
}

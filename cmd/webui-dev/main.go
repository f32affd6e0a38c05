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
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/libreqos-go/lqos/internal/webui/demosource"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9123", "listen address of the UI")
	users := flag.String("users", "webui-users.json", "users file (created on first run)")
	control := flag.String("control", "", "listen address of the fake source's control API (empty = off)")
	slow := flag.Duration("slow", 5*time.Second, "period of the slower live channels")
	circuits := flag.Int("circuits", 0, "fake network size: circuits (0 = the small default network)")
	nodes := flag.Int("nodes", 2000, "fake network size: nodes (with -circuits)")
	flows := flag.Int("flows", 100000, "fake network size: flows (with -circuits)")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	src := demosource.New(1)
	if *circuits > 0 {
		src = demosource.NewScaled(1, demosource.Scale{Circuits: *circuits, Nodes: *nodes, Flows: *flows})
	}
	srv, err := webui.New(webui.Config{Addr: *addr, UsersFile: *users, Source: src, Logger: log, Version: "dev", SlowInterval: *slow})
	if err != nil {
		log.Error("starting web UI", "err", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *control != "" {
		cs := &http.Server{Addr: *control, Handler: src.Control(), ReadHeaderTimeout: 5 * time.Second}
		go func() {
			if err := cs.ListenAndServe(); err != nil && err != http.ErrServerClosed {
				log.Error("control listener", "err", err)
			}
		}()
		defer cs.Close()
	}
	if err := srv.ListenAndServe(ctx); err != nil {
		log.Error("web UI", "err", err)
		os.Exit(1)
	}
}

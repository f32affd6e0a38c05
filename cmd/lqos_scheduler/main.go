// Command lqos_scheduler keeps the shaper's inputs current: it waits for
// lqosd, sets the queues up, then every queue_refresh_interval_mins runs
// the enabled CRM/NMS integration and refreshes the queues, and applies
// operator edits of the input files in between. See internal/scheduler.
//
//	lqos_scheduler [--config PATH] [--once] [--log-dir DIR]
//	lqos_scheduler --test-integration NAME   connect, fetch, report counts, write nothing
//	lqos_scheduler --dry-run                 print the circuits the enabled integration would add, remove or change
//
// Integrations run as child processes of this same binary
// (`lqos_scheduler --run-integration NAME`), so a hung or crashing import
// is killed with its whole process group and never takes the scheduler down.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/libreqos-go/lqos/internal/apply"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/cores"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/integrations"
	"github.com/libreqos-go/lqos/internal/lock"
	"github.com/libreqos-go/lqos/internal/scheduler"
	"github.com/libreqos-go/lqos/internal/sdnotify"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type flags struct {
	config, logDir, bus, lockPath, runIntegration string
	once, debug                                   bool
	integrationTimeout, pollInterval              time.Duration
	testIntegration                               string
	dryRun                                        bool
}

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1 // --once: the cycle failed (or setup is required)
	exitUsage  = 2
	exitConfig = 3 // lqos.conf unreadable or invalid
)

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lqos_scheduler", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f flags
	fs.StringVar(&f.config, "config", "", "path to lqos.conf (default $"+config.EnvPath+" or "+config.DefaultPath+")")
	fs.BoolVar(&f.once, "once", false, "run one cycle (integration + full queue setup) and exit; non-zero on failure")
	fs.StringVar(&f.logDir, "log-dir", os.TempDir(), "where the full output of failed runs is saved")
	fs.StringVar(&f.bus, "bus", "", "lqosd bus socket (default /run/lqos/bus)")
	fs.StringVar(&f.lockPath, "lock", lock.DefaultPath, "apply lock shared with libreqos")
	fs.DurationVar(&f.integrationTimeout, "integration-timeout", 20*time.Minute, "stop an integration run after this long")
	fs.DurationVar(&f.pollInterval, "poll-interval", 10*time.Second, "how often the input files are checked for changes")
	fs.BoolVar(&f.debug, "debug", false, "debug logging")
	fs.StringVar(&f.runIntegration, "run-integration", "", "internal: run one integration import in this process and exit")
	fs.StringVar(&f.testIntegration, "test-integration", "", "test the named integration's settings (enabled or not): connect, fetch, report counts; writes nothing")
	fs.BoolVar(&f.dryRun, "dry-run", false, "import with the enabled integration and print what would change in lqos_directory; writes nothing")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lqos_scheduler: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	level := slog.LevelInfo
	if f.debug {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log)
	f.config = config.ResolvePath(f.config)

	cfg, diags := inputs.LoadConfig(f.config)
	for _, w := range diags.Warnings() {
		log.Warn("config", "problem", w.String())
	}
	if err := diags.Err(); err != nil || cfg == nil {
		log.Error("cannot load the configuration", "path", f.config, "err", err)
		return exitConfig
	}
	if f.runIntegration != "" {
		return integrations.ChildCommand(ctx, cfg, f.runIntegration, stdout, stderr)
	}
	if f.testIntegration != "" {
		return integrations.TestCommand(ctx, cfg, f.testIntegration, stdout)
	}
	if f.dryRun {
		return integrations.DryRunCommand(ctx, cfg, cfg.LqosDirectory, stdout)
	}
	return schedule(ctx, cfg, f, log)
}

func schedule(ctx context.Context, cfg *config.Config, f flags, log *slog.Logger) int {
	integ := ""
	if en := cfg.EnabledIntegrations(); len(en) > 0 {
		integ = en[0]
		if len(en) > 1 {
			log.Warn("several integrations are enabled; only the first runs", "enabled", en, "running", integ)
		}
	}
	self, err := os.Executable()
	if err != nil {
		log.Error("cannot find my own executable to run integrations", "err", err)
		return exitFailed
	}
	rep := &scheduler.BusReporter{Path: f.bus}
	defer rep.Close()
	o := scheduler.Options{
		Integration:        integ,
		InputDir:           cfg.LqosDirectory,
		RefreshInterval:    time.Duration(cfg.IntegrationCommon.QueueRefreshIntervalMins) * time.Minute,
		PollInterval:       f.pollInterval,
		IntegrationTimeout: f.integrationTimeout,
		LogDir:             f.logDir,
		PostHook:           filepath.Join(cfg.LqosDirectory, "bin", "post_integration_hook.sh"),
		ConfigFile:         cfg.Path,
	}
	d := scheduler.Deps{
		Reporter:  rep,
		Bus:       rep,
		Validator: scheduler.InputsValidator{Config: cfg},
		Refresher: &scheduler.ApplyRefresher{Logger: log, Applier: &apply.Applier{Config: cfg, BusPath: f.bus, Log: log,
			Lock: apply.Lock{Path: f.lockPath, Who: "lqos_scheduler"}}},
		Runner: &scheduler.ExecRunner{
			Path: self,
			Args: func(name string) []string {
				return []string{"--run-integration", name, "--config", cfg.Path}
			},
			Dir:  cfg.LqosDirectory,
			CPUs: scheduler.IntegrationCPUs(cfg, cores.DefaultRoot, log),
		},
		Logger: log,
		Notify: func(s string) { _, _ = sdnotify.Status(s) },
		ConfigCheck: func(path string) error {
			_, l := inputs.LoadConfig(path)
			return l.Err()
		},
	}
	log.Info("lqos_scheduler starting", "config", cfg.Path, "integration", orNone(integ),
		"refresh_every", o.RefreshInterval, "inputs", o.InputDir, "once", f.once)

	if f.once {
		// For debugging by hand: report to lqosd if it is there, but do
		// not insist on it.
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		if err := rep.Ping(wctx); err != nil {
			log.Warn("lqosd not reachable; running without status reports", "err", err)
			d.Reporter = scheduler.NopReporter{}
		}
		cancel()
		s, err := scheduler.New(o, d)
		if err != nil {
			log.Error("scheduler", "err", err)
			return exitFailed
		}
		if err := s.RunOnce(ctx); err != nil {
			log.Error("cycle failed", "err", err)
			return exitFailed
		}
		log.Info("cycle finished")
		return exitOK
	}

	s, err := scheduler.New(o, d)
	if err != nil {
		log.Error("scheduler", "err", err)
		return exitFailed
	}
	err = s.Run(ctx)
	_, _ = sdnotify.Stopping("Stopping")
	if errors.Is(err, scheduler.ErrConfigChanged) {
		// The unit has Restart=always: systemd starts us again with the
		// new settings.
		log.Info("exiting so the service manager restarts lqos_scheduler with the new lqos.conf")
		return exitOK
	}
	if err != nil && !errors.Is(err, context.Canceled) {
		log.Error("scheduler stopped", "err", err)
		return exitFailed
	}
	log.Info("lqos_scheduler stopped")
	return exitOK
}

func orNone(s string) string {
	if s == "" {
		return "none (ShapedDevices.csv and network.json maintained by hand)"
	}
	return s
}

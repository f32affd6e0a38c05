package daemon

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/sdnotify"
)

// Main parses the command line, runs lqosd until SIGTERM/SIGINT and returns
// the process exit code. Logs go to stderr (the journal under systemd).
func Main(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("lqosd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	var level string
	fs.StringVar(&o.ConfigPath, "config", "", "path to lqos.conf (default $"+config.EnvPath+" or "+config.DefaultPath+")")
	fs.StringVar(&o.RunDir, "run-dir", "/run/lqos", "runtime directory: lqosd.lock, apply.lock and the bus socket")
	fs.StringVar(&o.BusPath, "bus", "", "bus socket path (default <run-dir>/bus)")
	fs.StringVar(&o.BPFFS, "bpffs", "/sys/fs/bpf", "bpffs mount point; mounted if it is not one")
	fs.StringVar(&o.PinDir, "pin-dir", "", "directory for pinned maps (default <bpffs>/lqos)")
	fs.StringVar(&o.StateDir, "state-dir", "", "state directory (default: state_directory from the config)")
	fs.StringVar(&o.XDP, "xdp-mode", "auto", "XDP attach mode: auto, driver or generic")
	fs.StringVar(&o.TC, "tc-mode", "auto", "egress classifier attach: auto, tcx or legacy")
	fs.BoolVar(&o.NoCPURedirect, "no-cpu-redirect", false, "do not steer packets to the mapped CPU")
	fs.StringVar(&o.Classify, "classify", "auto", "how packets get their class: auto (XDP+TC metadata where the kernel allows it), metadata (refuse to start without it) or tc-lookup (TC looks every packet up)")
	fs.StringVar(&o.MissingQdisc, "missing-qdisc", "fallback", "when the kernel lacks a leaf qdisc (cake, fq_codel): fallback (bounded bfifo leaf) or refuse (do not apply plans)")
	fs.BoolVar(&o.NoStartupApply, "no-startup-apply", false, "do not apply the shaping plan at start")
	fs.StringVar(&o.HeapProfile, "heap-profile", "", "write a heap profile (pprof) to this file when lqosd stops (memory investigations)")
	fs.DurationVar(&o.AttachRetry, "attach-retry", 5*time.Second, "while a shaping interface is missing, how often to look for it")
	fs.DurationVar(&o.SampleInterval, "sample-interval", time.Second, "how often traffic counters are read")
	fs.DurationVar(&o.DriftInterval, "drift-interval", 60*time.Second, "how often the kernel's queue tree is compared with the last applied plan (and repaired); 0 turns it off")
	fs.DurationVar(&o.ApplyRetry, "apply-retry", 30*time.Second, "after an apply refused because the state directory cannot be written, how often to try again")
	fs.BoolVar(&o.DetachOnStop, "detach-on-stop", false, "on SIGTERM/SIGINT detach the XDP/TC programs (everyone is unshaped until the next start); by default shaping stays in place while lqosd is stopped")
	fs.StringVar(&o.WebListen, "web-listen", "", "web UI address (default: webserver_listen from the config)")
	fs.BoolVar(&o.NoWebUI, "no-webui", false, "do not start the web UI")
	fs.StringVar(&level, "log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lqosd: unexpected arguments %q\n", fs.Args())
		return ExitUsage
	}
	if o.DriftInterval == 0 {
		o.DriftInterval = -1 // Options: 0 means the default
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		fmt.Fprintf(stderr, "lqosd: --log-level %q: want debug, info, warn or error\n", level)
		return ExitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl, ReplaceAttr: dropTime}))
	slog.SetDefault(log)
	o.Logger = log
	o.Version = version()

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	err := Run(ctx, o)
	code := ExitCode(err)
	if err != nil {
		log.Error("lqosd failed: "+err.Error(), "exit_code", code)
		_, _ = sdnotify.Status("failed: " + err.Error())
	}
	return code
}

// dropTime leaves timestamps to the journal when running under systemd.
func dropTime(groups []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey && len(groups) == 0 && os.Getenv("JOURNAL_STREAM") != "" {
		return slog.Attr{}
	}
	return a
}

func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		v := bi.Main.Version
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v = strings.TrimSuffix(v+" "+s.Value[:12], " ")
			}
		}
		if v != "" {
			return v
		}
	}
	return "devel"
}

package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"github.com/libreqos-go/lqos/internal/audit"
	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/lock"
	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/sdnotify"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/stats"
	"github.com/libreqos-go/lqos/internal/urgent"
	"github.com/vishvananda/netns"
)

// The start-up steps of Run, in order. Each returns an *ExitError when lqosd
// cannot go on; the degraded modes (see the package comment) are logged and
// raised instead.

// modes are the data path choices parsed from the command line.
type modes struct {
	xdp      datapath.XDPMode
	tc       datapath.TCMode
	classify datapath.Classification
}

// parseModes checks the options that select a mode; a bad one is a usage error.
func parseModes(o Options) (modes, error) {
	var m modes
	var err error
	if m.xdp, err = parseXDP(o.XDP); err != nil {
		return m, &ExitError{ExitUsage, err}
	}
	if m.tc, err = parseTC(o.TC); err != nil {
		return m, &ExitError{ExitUsage, err}
	}
	if m.classify, err = datapath.ParseClassification(o.Classify); err != nil {
		return m, &ExitError{ExitUsage, fmt.Errorf("--classify: %w", err)}
	}
	if o.MissingQdisc != "fallback" && o.MissingQdisc != "refuse" {
		return m, exitErr(ExitUsage, "--missing-qdisc %q: want fallback or refuse", o.MissingQdisc)
	}
	return m, nil
}

// lockInstance makes sure one lqosd runs at a time. flock dies with the
// process, so a crashed lqosd never leaves a stale lock behind.
func lockInstance(runDir string) (*lock.Lock, error) {
	if err := os.MkdirAll(runDir, 0o700); err != nil {
		return nil, exitErr(ExitInternal, "run directory: %v", err)
	}
	path := filepath.Join(runDir, "lqosd.lock")
	lk, err := lock.TryAcquire(path, "lqosd")
	if err != nil {
		var be *lock.BusyError
		if errors.As(err, &be) {
			return nil, exitErr(ExitAlreadyRunning, "another lqosd is running (lock %s held by %s); refusing to start a second one", path, be.Holder)
		}
		return nil, exitErr(ExitInternal, "lock %s: %v", path, err)
	}
	return lk, nil
}

// loadConfig reads lqos.conf; its warnings are logged, an error stops lqosd.
func loadConfig(o Options) (*config.Config, error) {
	path := config.ResolvePath(o.ConfigPath)
	cfg, warns, err := config.Load(path)
	if err != nil {
		return nil, exitErr(ExitConfig, "configuration invalid, lqosd cannot start: %v", err)
	}
	for _, w := range config.SortedWarnings(warns) {
		o.Logger.Warn("config: "+w.String(), "file", path)
	}
	if o.StateDir != "" {
		cfg.StateDirectory = o.StateDir
	}
	o.Logger.Info("lqosd starting", "config", path, "state_dir", cfg.StateDirectory, "run_dir", o.RunDir, "pin_dir", o.PinDir)
	return cfg, nil
}

// openState makes the daemon and opens its urgent issue store (a corrupt
// store is started empty, with a warning).
func openState(o Options, cfg *config.Config) (*Daemon, error) {
	d := &Daemon{o: o, log: o.Logger, cfg: cfg, sched: schedstatus.New(nil), started: time.Now(), state: StateActive, retry: make(chan struct{}, 1)}
	us, err := urgent.Open(filepath.Join(cfg.StateDirectory, "lqosd", "urgent.json"), urgent.Options{})
	if err != nil && us == nil {
		return nil, exitErr(ExitInternal, "urgent issue store: %v", err)
	}
	if err != nil {
		d.log.Warn("urgent issue store was corrupt; started empty", "err", err)
	}
	d.urgent = us
	return d, nil
}

// preflight mounts bpffs if needed, checks the pin directory, the shaping
// interfaces and the qdisc kinds, and decides whether plans are applied.
func (d *Daemon) preflight() error {
	o := d.o
	pre := &Preflight{}
	d.pre = pre
	mounted, err := ensureBPFFS(o.BPFFS)
	if err != nil {
		return exitErr(ExitDatapath, "%v", err)
	}
	if mounted {
		pre.add(Finding{Code: CodeBPFFSMounted, Severity: SevWarn, Subject: o.BPFFS,
			Message: fmt.Sprintf("bpffs was not mounted at %s; lqosd mounted it (make it permanent with an fstab line `bpf %s bpf defaults 0 0`, or systemd's sys-fs-bpf.mount)", o.BPFFS, o.BPFFS)})
	}
	if err := checkPinDir(o.PinDir); err != nil {
		return exitErr(ExitDatapath, "%v", err)
	}
	checkInterfaces(pre, shapingInterfaces(d.cfg))
	if err := checkQdiscs(pre, d.cfg, o.MissingQdisc == "refuse"); err != nil {
		pre.add(Finding{Code: CodeQdiscMissing, Severity: SevWarn, Subject: "probe",
			Message: fmt.Sprintf("could not probe qdisc kinds (%v); assuming they exist", err)})
	}
	d.decideShaping()
	pre.Log(d.log)
	return nil
}

// loadDatapath opens the maps from their pins (or creates them) and attaches
// the programs; with a shaping interface missing it stays loaded but not
// attached (degraded) until attachWhenPresent finds it.
func (d *Daemon) loadDatapath(m modes) error {
	dp, err := datapath.Open(datapath.Options{PinDir: d.o.PinDir, CPURedirect: !d.o.NoCPURedirect, Classify: m.classify, Logger: d.log})
	if err != nil {
		return exitErr(ExitDatapath, "LibreQoS could not load the data path: %v (stale pins from an incompatible version can be removed with `rm -r %s`)", err, d.o.PinDir)
	}
	d.dp = dp
	if n, err := ebpf.PossibleCPU(); err == nil {
		d.ncpu = uint32(n)
	}
	if len(d.pre.MissingIfaces) > 0 {
		d.noteDataPathMode()
		d.state = StateDegraded
		d.log.Error("data path loaded but NOT attached: shaping interfaces missing", "missing", d.pre.MissingIfaces)
		return nil
	}
	if err := dp.Attach(d.dpInterfaces(m.xdp, m.tc)...); err != nil {
		d.releaseDatapath(false)
		return exitErr(ExitAttach, "LibreQoS failed to attach the XDP/TC programs: %v", err)
	}
	d.attached = true
	d.disableXPS()
	d.noteDataPathMode()
	return nil
}

// loadMappings reads the names of what the pinned maps already hold and
// makes the one read of the trie: from here on lqosd's copy is kept in step.
func (d *Daemon) loadMappings() error {
	var err error
	d.names, err = loadNames(filepath.Join(d.cfg.StateDirectory, "lqosd", "mapping_names.json"))
	if err != nil {
		d.log.Warn("mapping names", "err", err)
	}
	d.maps, err = newMirror(d.dp)
	if err != nil {
		return exitErr(ExitDatapath, "reading the pinned mappings: %v", err)
	}
	live, _ := d.maps.List()
	ps := make([]netip.Prefix, len(live))
	for i, e := range live {
		ps[i] = e.Prefix
	}
	if err := d.names.keep(ps); err != nil {
		d.log.Warn("mapping names: save", "err", err)
	}
	d.log.Info("mappings present in pinned maps", "count", len(live))
	return nil
}

// startStats starts sampling the traffic counters.
func (d *Daemon) startStats(ctx context.Context, wg *sync.WaitGroup) {
	d.coll = stats.New(stats.Options{Circuit: d.names.circuit})
	wg.Go(func() { d.sampleLoop(ctx) })
}

// openKernel opens the netlink handle plans are applied through; without
// one plans are refused (degraded). It reports whether a handle is open.
func (d *Daemon) openKernel() bool {
	k, err := shaper.OpenKernel(netns.None())
	if err != nil {
		d.noShape = fmt.Sprintf("netlink unavailable: %v", err)
		d.log.Error("cannot open netlink for tc; plans will be refused", "err", err)
		return false
	}
	d.kernel = k
	return true
}

// firstApply raises the preflight findings, loads the RADIUS sessions and
// applies the plan once (unless --no-startup-apply or shaping is off).
func (d *Daemon) firstApply(ctx context.Context) {
	d.raiseFindings()
	if d.noShape != "" {
		d.state = StateDegraded
	}
	d.loadRadius()
	if !d.o.NoStartupApply && d.noShape == "" {
		d.startupApply(ctx)
	}
}

// startBus serves the local bus; state-changing requests go to the audit
// log. close releases the audit log once the bus is down.
func (d *Daemon) startBus(ctx context.Context) (srv *bus.Server, serveErr chan error, close func(), err error) {
	al, aerr := audit.Open(filepath.Join(d.cfg.StateDirectory, "lqosd", "audit.log"), d.log, nil)
	if aerr != nil {
		d.log.Warn("audit log file not available; audit events go to the journal only", "err", aerr)
		al = audit.LoggerOnly(d.log)
	}
	srv, err = bus.Listen(&Handler{d: d, SchedulerTracker: bus.SchedulerTracker{Tracker: d.sched}, UrgentStore: bus.UrgentStore{Store: d.urgent}},
		bus.ServerOptions{SocketPath: d.o.BusPath, DaemonVersion: d.o.Version, Logger: d.log, RequestTimeout: 10 * time.Minute, Audit: al})
	if err != nil {
		al.Close()
		return nil, nil, nil, exitErr(ExitBus, "%v", err)
	}
	d.server = srv
	serveErr = make(chan error, 1)
	go func() { serveErr <- srv.Serve(ctx) }()
	return srv, serveErr, func() { al.Close() }, nil
}

// startLoops starts the background jobs: the late attach (interfaces
// missing at start), the drift check, the apply retry and RADIUS.
func (d *Daemon) startLoops(ctx context.Context, wg *sync.WaitGroup, m modes) {
	if !d.attached {
		wg.Go(func() { d.attachWhenPresent(ctx, m.xdp, m.tc) })
	}
	if d.o.DriftInterval > 0 && d.kernel != nil {
		wg.Go(func() { d.driftLoop(ctx) })
	}
	wg.Go(func() { d.retryLoop(ctx) })
	d.startRadius(ctx, wg)
}

// startWeb starts /metrics and the web UI (optional: a failure there must
// not stop shaping).
func (d *Daemon) startWeb(ctx context.Context, wg *sync.WaitGroup) {
	metricsOnUI := d.startMetrics(ctx, wg)
	if !d.o.NoWebUI && !d.cfg.DisableWebserver {
		d.startWebUI(ctx, wg, metricsOnUI)
	} else if metricsOnUI != nil {
		d.log.Warn("/metrics is not served: it belongs on the web UI's listener, which is off; set [metrics] listen to give it its own")
	}
}

// ready tells systemd lqosd is up and feeds its watchdog (if the unit sets
// WatchdogSec) while the sampling loop runs, so a stuck lqosd is restarted.
func (d *Daemon) ready(ctx context.Context, wg *sync.WaitGroup) {
	d.log.Info("lqosd ready", "status", d.statusLine(), "bus", d.o.BusPath)
	if _, err := sdnotify.Ready(d.statusLine()); err != nil {
		d.log.Warn("telling systemd we are ready", "err", err)
	}
	wg.Go(func() {
		sdnotify.Watchdog(ctx, func() bool {
			return time.Since(time.Unix(0, d.lastSample.Load())) < 10*d.o.SampleInterval+10*time.Second
		}, d.log)
	})
}

// reloadOnSIGHUP (systemctl reload) re-reads lqos.conf and the inputs and
// applies them.
func (d *Daemon) reloadOnSIGHUP(ctx context.Context, wg *sync.WaitGroup) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	wg.Go(func() {
		defer signal.Stop(hup)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
			}
			d.log.Info("reloading configuration and plan because of SIGHUP")
			_, _ = sdnotify.Reloading("reloading on SIGHUP")
			if res, err := d.apply(ctx, "SIGHUP", false, true); err != nil {
				d.log.Error("reload on SIGHUP failed; the running configuration and queues stay", "err", err)
			} else {
				d.log.Info("reloaded on SIGHUP", "summary", res.Summary())
			}
			_, _ = sdnotify.Ready(d.statusLine())
		}
	})
}

// waitStop blocks until ctx ends (a signal) or the bus server stops, then
// closes the bus. It reports whether this is a clean stop (a signal).
func (d *Daemon) waitStop(ctx context.Context, srv *bus.Server, serveErr chan error) (clean bool) {
	served := false
	select {
	case <-ctx.Done():
		clean = true
	case err := <-serveErr:
		// Serve also returns when ctx ends: then this is the signal too.
		clean = ctx.Err() != nil
		served = true
		if err != nil {
			d.log.Error("bus server stopped", "err", err)
		}
	}
	d.stopping(clean)
	srv.Close()
	if !served {
		select {
		case <-serveErr:
		case <-time.After(5 * time.Second):
			d.log.Warn("bus handlers still busy after 5 s; exiting anyway")
		}
	}
	return clean
}

// Package daemon is lqosd: it checks the system, loads and attaches the
// eBPF data path (maps pinned so shaping survives a restart), applies the
// current shaping plan, samples traffic counters every second and serves the
// local bus.
//
// # Exit codes
//
//	0  stopped by SIGTERM/SIGINT (programs detached, maps and queues kept;
//	   any other exit, or a crash, leaves the programs attached through
//	   their pinned links and the next start adopts them)
//	1  unexpected internal error
//	2  bad command line
//	3  configuration missing or invalid (fix /etc/lqos.conf; restarting will not help)
//	4  another lqosd holds the lock (run dir lqosd.lock)
//	5  data path could not be loaded: bpffs, pinned maps, BPF load
//	6  XDP/TC attach failed (another XDP program, driver, busy hook); systemd retries
//	7  the bus socket could not be created
//
// Degraded modes (lqosd keeps running, raises an urgent issue and logs at
// error level): a shaping interface is missing (nothing attached until it
// appears; lqosd looks for it every --attach-retry); the kernel lacks a leaf qdisc kind such as cake or
// fq_codel (with --missing-qdisc=fallback, the default, plans are applied
// with a pfifo leaf instead, so HTB still enforces every rate; with
// --missing-qdisc=refuse plans are refused); the kernel lacks mq or htb
// (plans are refused). Mappings, statistics and the bus work in every mode.
package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/cilium/ebpf"
	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/lock"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/sdnotify"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/stats"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/urgent"
	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/vishvananda/netns"
)

// Exit codes (see the package comment).
const (
	ExitOK             = 0
	ExitInternal       = 1
	ExitUsage          = 2
	ExitConfig         = 3
	ExitAlreadyRunning = 4
	ExitDatapath       = 5
	ExitAttach         = 6
	ExitBus            = 7
)

// ExitError carries the process exit code for a failed start.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

func exitErr(code int, format string, args ...any) error {
	return &ExitError{Code: code, Err: fmt.Errorf(format, args...)}
}

// ExitCode maps Run's error to a process exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var e *ExitError
	if errors.As(err, &e) {
		return e.Code
	}
	return ExitInternal
}

// Options configure Run. Zero values pick the defaults noted.
type Options struct {
	ConfigPath string // config.ResolvePath rules
	RunDir     string // /run/lqos: lock file, apply lock, bus socket
	BusPath    string // RunDir/bus
	BPFFS      string // bpffs mount point, mounted if missing (/sys/fs/bpf)
	PinDir     string // BPFFS/lqos
	StateDir   string // overrides the config's state_directory
	// XDP: auto, driver or generic. TC: auto, tcx or legacy.
	XDP, TC string
	// NoCPURedirect keeps packets on the receiving CPU (testing, or NICs
	// whose RSS already matches the queue plan).
	NoCPURedirect bool
	// Classify: auto (default), metadata or tc-lookup; see
	// datapath.Classification.
	Classify string
	// MissingQdisc: "fallback" (default) or "refuse"; see the package doc.
	MissingQdisc string
	// NoStartupApply skips applying the plan at start.
	NoStartupApply bool
	// AttachRetry: while a shaping interface is missing, how often to look
	// for it again (5 s).
	AttachRetry time.Duration
	// SampleInterval for the counters (1 s).
	SampleInterval time.Duration
	// DriftInterval: how often the kernel's queue tree is compared with the
	// last applied one (60 s); negative turns the check off.
	DriftInterval time.Duration
	// WebListen overrides the config's webserver_listen; NoWebUI turns the
	// web UI off (as does the config's disable_webserver).
	WebListen string
	NoWebUI   bool
	// Version reported on the bus.
	Version string
	Logger  *slog.Logger
}

func (o *Options) defaults() {
	if o.RunDir == "" {
		o.RunDir = "/run/lqos"
	}
	if o.BusPath == "" {
		o.BusPath = filepath.Join(o.RunDir, "bus")
	}
	if o.BPFFS == "" {
		o.BPFFS = "/sys/fs/bpf"
	}
	if o.PinDir == "" {
		o.PinDir = pinDirUnder(o.BPFFS)
	}
	if o.MissingQdisc == "" {
		o.MissingQdisc = "fallback"
	}
	if o.AttachRetry <= 0 {
		o.AttachRetry = 5 * time.Second
	}
	if o.SampleInterval <= 0 {
		o.SampleInterval = time.Second
	}
	if o.DriftInterval == 0 {
		o.DriftInterval = 60 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// State is the daemon's one-word health.
type State string

const (
	StateActive   State = "active"
	StateDegraded State = "degraded"
)

// Daemon is a running lqosd.
type Daemon struct {
	o     Options
	log   *slog.Logger
	cfgMu sync.RWMutex
	cfg   *config.Config

	dp     *datapath.Datapath
	maps   *mirror // every mapping write and list goes through it
	names  *names
	coll   *stats.Collector
	urgent *urgent.Store
	sched  *schedstatus.Tracker
	kernel *shaper.NetlinkKernel
	pre    *Preflight
	server *bus.Server

	stateMu  sync.Mutex // state and attached change when a missing interface appears
	state    State
	attached bool
	// noShape is why plans are refused ("" = they are applied).
	noShape string

	ncpu uint32 // possible CPUs, the bound for Mapping.CPU
	// lastSample is the UnixNano of the latest counter read (watchdog).
	lastSample atomic.Int64
	applyMu    sync.Mutex
	started    time.Time
	// Lazy queues (guarded by applyMu): which circuits have queues now, and
	// the full tree of the last plan they are cut from.
	lazy     *tc.Lazy
	lazyPlan *plan.Tree
	// circuits describes the applied plan's circuits for the web UI.
	circuits atomic.Pointer[map[string]circuitInfo]
}

// circuitInfo is what the UI shows about a circuit besides its rates.
type circuitInfo struct {
	Name, IP, MAC, Parent string
}

func parseXDP(s string) (datapath.XDPMode, error) {
	switch s {
	case "", "auto":
		return datapath.XDPAuto, nil
	case "driver", "native":
		return datapath.XDPDriver, nil
	case "generic", "skb":
		return datapath.XDPGeneric, nil
	}
	return 0, fmt.Errorf("--xdp-mode %q: want auto, driver or generic", s)
}

func parseTC(s string) (datapath.TCMode, error) {
	switch s {
	case "", "auto":
		return datapath.TCAuto, nil
	case "tcx":
		return datapath.TCX, nil
	case "legacy", "clsact":
		return datapath.TCLegacy, nil
	}
	return 0, fmt.Errorf("--tc-mode %q: want auto, tcx or legacy", s)
}

// Run starts lqosd and blocks until ctx ends, then shuts down cleanly. A
// failed start returns an *ExitError.
func Run(ctx context.Context, o Options) error {
	o.defaults()
	log := o.Logger
	xdpMode, err := parseXDP(o.XDP)
	if err != nil {
		return &ExitError{ExitUsage, err}
	}
	tcMode, err := parseTC(o.TC)
	if err != nil {
		return &ExitError{ExitUsage, err}
	}
	classify, err := datapath.ParseClassification(o.Classify)
	if err != nil {
		return &ExitError{ExitUsage, fmt.Errorf("--classify: %w", err)}
	}
	if o.MissingQdisc != "fallback" && o.MissingQdisc != "refuse" {
		return exitErr(ExitUsage, "--missing-qdisc %q: want fallback or refuse", o.MissingQdisc)
	}

	// 1. One lqosd at a time. flock dies with the process, so a crashed
	// lqosd never leaves a stale lock behind.
	if err := os.MkdirAll(o.RunDir, 0o700); err != nil {
		return exitErr(ExitInternal, "run directory: %v", err)
	}
	lockPath := filepath.Join(o.RunDir, "lqosd.lock")
	lk, err := lock.TryAcquire(lockPath, "lqosd")
	if err != nil {
		var be *lock.BusyError
		if errors.As(err, &be) {
			return exitErr(ExitAlreadyRunning, "another lqosd is running (lock %s held by %s); refusing to start a second one", lockPath, be.Holder)
		}
		return exitErr(ExitInternal, "lock %s: %v", lockPath, err)
	}
	defer lk.Release()

	// 2. Configuration.
	cfgPath := config.ResolvePath(o.ConfigPath)
	cfg, warns, err := config.Load(cfgPath)
	if err != nil {
		return exitErr(ExitConfig, "configuration invalid, lqosd cannot start: %v", err)
	}
	for _, w := range config.SortedWarnings(warns) {
		log.Warn("config: "+w.String(), "file", cfgPath)
	}
	if o.StateDir != "" {
		cfg.StateDirectory = o.StateDir
	}
	log.Info("lqosd starting", "config", cfgPath, "state_dir", cfg.StateDirectory, "run_dir", o.RunDir, "pin_dir", o.PinDir)

	d := &Daemon{o: o, log: log, cfg: cfg, sched: schedstatus.New(nil), started: time.Now(), state: StateActive}
	us, err := urgent.Open(filepath.Join(cfg.StateDirectory, "lqosd", "urgent.json"), urgent.Options{})
	if err != nil && us == nil {
		return exitErr(ExitInternal, "urgent issue store: %v", err)
	}
	if err != nil {
		log.Warn("urgent issue store was corrupt; started empty", "err", err)
	}
	d.urgent = us

	// 3. Preflight.
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
	ifaces := shapingInterfaces(cfg)
	checkInterfaces(pre, ifaces)
	if err := checkQdiscs(pre, cfg, o.MissingQdisc == "refuse"); err != nil {
		pre.add(Finding{Code: CodeQdiscMissing, Severity: SevWarn, Subject: "probe",
			Message: fmt.Sprintf("could not probe qdisc kinds (%v); assuming they exist", err)})
	}
	d.decideShaping()
	pre.Log(log)

	// 4. Data path: maps (re)opened from the pins, then programs attached.
	dp, err := datapath.Open(datapath.Options{PinDir: o.PinDir, CPURedirect: !o.NoCPURedirect, Classify: classify, Logger: log})
	if err != nil {
		return exitErr(ExitDatapath, "LibreQoS could not load the data path: %v (stale pins from an incompatible version can be removed with `rm -r %s`)", err, o.PinDir)
	}
	d.dp = dp
	if n, err := ebpf.PossibleCPU(); err == nil {
		d.ncpu = uint32(n)
	}
	// Only a clean stop (SIGTERM/SIGINT) detaches. Any other exit leaves the
	// programs attached through their pinned links, as a crash does, so
	// classification goes on until the next start adopts them.
	cleanStop := false
	defer func() {
		if !cleanStop {
			if err := dp.Release(); err != nil {
				log.Warn("closing the data path", "err", err)
			}
			log.Warn("data path left attached (pinned links); the next lqosd start adopts it", "pin_dir", o.PinDir)
			return
		}
		// Detach only; map pins stay so mappings survive until the next start.
		if err := dp.Close(); err != nil {
			log.Warn("detaching the data path", "err", err)
		} else {
			log.Info("data path detached; maps stay pinned", "pin_dir", o.PinDir)
		}
	}()
	if len(pre.MissingIfaces) == 0 {
		if err := dp.Attach(d.dpInterfaces(xdpMode, tcMode)...); err != nil {
			return exitErr(ExitAttach, "LibreQoS failed to attach the XDP/TC programs: %v", err)
		}
		d.attached = true
		d.disableXPS()
		d.noteDataPathMode()
	} else {
		d.noteDataPathMode()
		d.state = StateDegraded
		log.Error("data path loaded but NOT attached: shaping interfaces missing", "missing", pre.MissingIfaces)
	}

	// 5. Names of what the pinned maps already hold.
	d.names, err = loadNames(filepath.Join(cfg.StateDirectory, "lqosd", "mapping_names.json"))
	if err != nil {
		log.Warn("mapping names", "err", err)
	}
	// The one read of the trie: from here on lqosd's copy is kept in step.
	d.maps, err = newMirror(dp)
	if err != nil {
		return exitErr(ExitDatapath, "reading the pinned mappings: %v", err)
	}
	live, _ := d.maps.List()
	ps := make([]netip.Prefix, len(live))
	for i, e := range live {
		ps[i] = e.Prefix
	}
	if err := d.names.keep(ps); err != nil {
		log.Warn("mapping names: save", "err", err)
	}
	log.Info("mappings present in pinned maps", "count", len(live))

	// 6. Statistics.
	d.coll = stats.New(stats.Options{Circuit: d.names.circuit})
	var wg sync.WaitGroup
	sctx, stopStats := context.WithCancel(ctx)
	defer func() { stopStats(); wg.Wait() }()
	wg.Go(func() { d.sampleLoop(sctx) })

	// 7. Queues: kernel handle and the plan at start.
	if k, err := shaper.OpenKernel(netns.None()); err != nil {
		d.noShape = fmt.Sprintf("netlink unavailable: %v", err)
		log.Error("cannot open netlink for tc; plans will be refused", "err", err)
	} else {
		d.kernel = k
		defer k.Close()
	}
	d.raiseFindings()
	if d.noShape != "" {
		d.state = StateDegraded
	}
	if !o.NoStartupApply && d.noShape == "" {
		d.startupApply(ctx)
	}

	// 8. The bus.
	srv, err := bus.Listen(&Handler{d: d, SchedulerTracker: bus.SchedulerTracker{Tracker: d.sched}, UrgentStore: bus.UrgentStore{Store: d.urgent}},
		bus.ServerOptions{SocketPath: o.BusPath, DaemonVersion: o.Version, Logger: log, RequestTimeout: 10 * time.Minute})
	if err != nil {
		return exitErr(ExitBus, "%v", err)
	}
	d.server = srv
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ctx) }()

	if !d.attached {
		wg.Go(func() { d.attachWhenPresent(sctx, xdpMode, tcMode) })
	}
	if o.DriftInterval > 0 && d.kernel != nil {
		wg.Go(func() { d.driftLoop(sctx) })
	}

	// 9. The web UI (optional: a failure there must not stop shaping).
	if !o.NoWebUI && !cfg.DisableWebserver {
		d.startWebUI(sctx, &wg)
	}

	log.Info("lqosd ready", "status", d.statusLine(), "bus", o.BusPath)
	if _, err := sdnotify.Ready(d.statusLine()); err != nil {
		log.Warn("telling systemd we are ready", "err", err)
	}
	// The watchdog (if the unit sets WatchdogSec) stops being fed when the
	// sampling loop wedges, so systemd restarts a stuck lqosd.
	wg.Go(func() {
		sdnotify.Watchdog(sctx, func() bool {
			return time.Since(time.Unix(0, d.lastSample.Load())) < 10*o.SampleInterval+10*time.Second
		}, log)
	})

	// SIGHUP (systemctl reload): re-read lqos.conf and the inputs, apply.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	wg.Go(func() {
		for {
			select {
			case <-sctx.Done():
				return
			case <-hup:
			}
			log.Info("reloading configuration and plan because of SIGHUP")
			_, _ = sdnotify.Reloading("reloading on SIGHUP")
			if res, err := d.apply(sctx, "SIGHUP", false, true); err != nil {
				log.Error("reload on SIGHUP failed; the running configuration and queues stay", "err", err)
			} else {
				log.Info("reloaded on SIGHUP", "summary", res.Summary())
			}
			_, _ = sdnotify.Ready(d.statusLine())
		}
	})

	served := false
	select {
	case <-ctx.Done():
		cleanStop = true
		log.Info("terminating on signal; detaching programs (maps and queues stay)")
	case err := <-serveErr:
		// Serve also returns when ctx ends: then this is the signal too.
		cleanStop = ctx.Err() != nil
		served = true
		if err != nil {
			log.Error("bus server stopped", "err", err)
		}
		if cleanStop {
			log.Info("terminating on signal; detaching programs (maps and queues stay)")
		}
	}
	_, _ = sdnotify.Stopping("detaching programs; maps and queues stay")
	srv.Close()
	if !served {
		select {
		case <-serveErr:
		case <-time.After(5 * time.Second):
			log.Warn("bus handlers still busy after 5 s; exiting anyway")
		}
	}
	return nil
}

func (d *Daemon) statusLine() string {
	mode := "classification: " + d.dp.Status().Describe()
	d.stateMu.Lock()
	defer d.stateMu.Unlock()
	if d.state == StateActive {
		return "shaping active, " + mode
	}
	var parts []string
	for _, f := range d.pre.Findings {
		if f.Severity == SevDegraded {
			parts = append(parts, f.Code+" "+f.Subject)
		}
	}
	if d.noShape != "" {
		parts = append(parts, d.noShape)
	}
	return "degraded: " + strings.Join(parts, "; ") + "; " + mode
}

// noteDataPathMode logs the program variant and adds a warning finding for
// every optional kernel feature the data path runs without; raiseFindings
// turns them into urgent issues (and resolves them on a kernel that has
// the feature again).
func (d *Daemon) noteDataPathMode() {
	st := d.dp.Status()
	d.log.Info("data path mode", "classification", st.Describe(), "cpu_redirect", st.CPURedirect, "kernel_features", st.Features.String())
	for _, dg := range st.Degraded {
		f := degradationFinding(dg)
		d.log.Warn(f.Message, "code", f.Code, "subject", f.Subject)
		d.pre.add(f)
	}
}

// raiseDataPathMode raises the per-interface degradations found by a late
// attach (the kernel-wide ones were raised at start).
func (d *Daemon) raiseDataPathMode() {
	for _, dg := range d.dp.Status().Degraded {
		if dg.Subject == "" {
			continue
		}
		f := degradationFinding(dg)
		d.log.Warn(f.Message, "code", f.Code, "subject", f.Subject)
		d.raise(findingCode(f), urgent.Warning, f.Message)
	}
}

func degradationFinding(dg datapath.Degradation) Finding {
	subject := string(dg.Feature)
	what := string(dg.Feature)
	if dg.Subject != "" {
		subject += ":" + dg.Subject
		what += " on " + dg.Subject
	}
	return Finding{Code: CodeFeatureMissing, Severity: SevWarn, Subject: subject,
		Message: fmt.Sprintf("The kernel lacks %s (%s): %s. Shaping works; this is a degraded mode.", what, dg.Reason, dg.Cost)}
}

// dpInterfaces turns the configuration into data path attachments.
func (d *Daemon) dpInterfaces(x datapath.XDPMode, t datapath.TCMode) []datapath.Interface {
	cfg := d.config()
	if b := cfg.Bridge; b != nil {
		return []datapath.Interface{
			{Name: b.ToInternet, Role: datapath.RoleInternet, XDP: x, TC: t},
			{Name: b.ToNetwork, Role: datapath.RoleISP, XDP: x, TC: t},
		}
	}
	s := cfg.SingleInterface
	return []datapath.Interface{{Name: s.Interface, Role: datapath.RoleStick, InternetVLAN: uint16(s.InternetVLAN), ISPVLAN: uint16(s.NetworkVLAN), XDP: x, TC: t}}
}

func (d *Daemon) config() *config.Config {
	d.cfgMu.RLock()
	defer d.cfgMu.RUnlock()
	return d.cfg
}

// decideShaping sets noShape from the qdisc probe.
func (d *Daemon) decideShaping() {
	q := d.pre.Qdiscs
	if q == nil {
		return
	}
	for _, k := range []string{"mq", "htb"} {
		if !q[k] {
			d.noShape = fmt.Sprintf("kernel lacks the %s qdisc", k)
			return
		}
	}
	if d.o.MissingQdisc == "refuse" {
		for k, ok := range q {
			if !ok {
				d.noShape = fmt.Sprintf("kernel lacks the %s qdisc and --missing-qdisc=refuse", k)
				return
			}
		}
	}
}

// shapingConfig is the configuration handed to the planner: with the
// fallback policy, leaves of kinds the kernel lacks become bounded bfifos
// (plan.FallbackLeaf), whether they come from default_sqm, the fast-queue
// rule or a circuit's sqm column.
func (d *Daemon) shapingConfig(cfg *config.Config) (*config.Config, []string) {
	q := d.pre.Qdiscs
	if q == nil || d.o.MissingQdisc != "fallback" {
		return cfg, nil
	}
	var missing []string
	for _, k := range []string{"cake", "fq_codel"} {
		if ok, probed := q[k]; probed && !ok {
			missing = append(missing, k)
		}
	}
	if f := strings.Fields(cfg.Queues.DefaultSQM); len(f) > 0 && !slices.Contains(missing, f[0]) {
		if ok, probed := q[f[0]]; probed && !ok {
			missing = append(missing, f[0])
		}
	}
	if len(missing) == 0 {
		return cfg, nil
	}
	c := *cfg
	c.Queues.MissingLeafKinds = missing
	note := fmt.Sprintf("leaf qdiscs %s replaced by bfifo (kernel lacks sch_%s): each holds %v at its class's ceil, at least %d full frames; HTB still enforces every rate, without per-flow fairness",
		strings.Join(missing, ", "), strings.Join(missing, ", sch_"), plan.FallbackQueueDelay, plan.FallbackMinFrames)
	return &c, []string{note}
}

// raiseFindings mirrors preflight findings into the urgent store and closes
// earlier lqosd findings that no longer apply.
func (d *Daemon) raiseFindings() {
	current := map[string]bool{}
	for _, f := range d.pre.Findings {
		if f.Severity == SevInfo {
			continue
		}
		code := findingCode(f)
		current[code] = true
		sev := urgent.Warning
		if f.Severity == SevDegraded {
			sev = urgent.Error
		}
		ctxJSON, _ := json.Marshal(map[string]string{"subject": f.Subject})
		if _, err := d.urgent.Raise(urgent.Raise{Code: code, Severity: sev, Source: "lqosd", Message: f.Message, Context: ctxJSON}); err != nil {
			d.log.Warn("raising urgent issue", "code", code, "err", err)
		}
	}
	if d.noShape != "" {
		current[CodeShapingDisabled] = true
		d.raise(CodeShapingDisabled, urgent.Error, "LibreQoS is not applying shaping plans: "+d.noShape)
	}
	for _, is := range d.urgent.List(urgent.ListOptions{OpenOnly: true}) {
		if is.Source == "lqosd" && strings.HasPrefix(is.Code, "LQOSD_") && !current[is.Code] && is.Code != CodeStartupApply {
			if _, err := d.urgent.Resolve(is.Code); err != nil {
				d.log.Warn("resolving urgent issue", "code", is.Code, "err", err)
			}
		}
	}
}

// findingCode is the urgent issue code of a finding: one issue per code and
// subject (each missing interface or qdisc kind is its own issue).
func findingCode(f Finding) string {
	if f.Subject == "" || f.Code == CodeBPFFSMounted {
		return f.Code
	}
	sub := []byte(f.Subject)
	for i, c := range sub {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'
		if !ok {
			sub[i] = '_'
		}
	}
	code := f.Code + ":" + string(sub)
	return code[:min(len(code), urgent.MaxCodeLen)]
}

func (d *Daemon) raise(code string, sev urgent.Severity, msg string) {
	if _, err := d.urgent.Raise(urgent.Raise{Code: code, Severity: sev, Source: "lqosd", Message: msg}); err != nil {
		d.log.Warn("raising urgent issue", "code", code, "err", err)
	}
}

// startupApply applies the current plan once at start. Failure is logged
// and raised, not fatal: the queues from before the restart stay in place.
func (d *Daemon) startupApply(ctx context.Context) {
	// A new install has no inputs until lqos_scheduler (or libreqos) writes
	// them: that is the normal wait for the first setup, not a failure.
	if in := inputs.PathsFor(d.config()).ShapedDevices; !fileExists(in) {
		d.log.Info("waiting for the first setup: no ShapedDevices.csv yet (lqos_scheduler or libreqos writes it and asks lqosd to apply)", "path", in)
		d.resolve(CodeStartupApply)
		return
	}
	res, err := d.applyWait(ctx, "lqosd start", false, false, 0)
	if errors.Is(err, errLockBusy) {
		d.log.Warn("not applying the plan at start: another apply is running and will set it", "err", err)
		return
	}
	if err != nil {
		d.log.Error("applying the shaping plan at start failed; previous queues (if any) stay", "err", err)
		d.raise(CodeStartupApply, urgent.Error, "Applying the shaping plan at lqosd start failed: "+err.Error())
		return
	}
	d.log.Info("shaping plan applied at start", "summary", res.Summary())
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// resolve closes an urgent issue lqosd raised, if it is open.
func (d *Daemon) resolve(code string) {
	if _, err := d.urgent.Resolve(code); err != nil {
		d.log.Warn("resolving urgent issue", "code", code, "err", err)
	}
}

// errShapingDisabled is returned by apply in degraded modes.
var errShapingDisabled = errors.New("shaping disabled")

// apply runs the shaper under the apply lock (shared with libreqos and the
// scheduler). reload re-reads lqos.conf first.
func (d *Daemon) apply(ctx context.Context, reason string, dryRun, reload bool) (*shaper.Result, error) {
	return d.applyWait(ctx, reason, dryRun, reload, 2*time.Minute)
}

// errLockBusy: the apply lock is held and we chose not to wait.
var errLockBusy = errors.New("another apply (libreqos or the scheduler) holds the apply lock")

// applyWait is apply with a bound on waiting for the apply lock; 0 = do not
// wait (start-up: whoever holds the lock is applying the plan anyway, and
// may be waiting for our bus).
func (d *Daemon) applyWait(ctx context.Context, reason string, dryRun, reload bool, wait time.Duration) (*shaper.Result, error) {
	if d.noShape != "" && !dryRun {
		return nil, fmt.Errorf("%w: %s", errShapingDisabled, d.noShape)
	}
	d.applyMu.Lock()
	defer d.applyMu.Unlock()
	if reload {
		cfg, warns, err := config.Load(d.config().Path)
		if err != nil {
			return nil, fmt.Errorf("reload configuration (keeping the running one): %w", err)
		}
		for _, w := range warns {
			d.log.Warn("config: " + w.String())
		}
		if d.o.StateDir != "" {
			cfg.StateDirectory = d.o.StateDir
		}
		d.cfgMu.Lock()
		d.cfg = cfg
		d.cfgMu.Unlock()
	}
	cfg, notes := d.shapingConfig(d.config())
	if !dryRun {
		path := filepath.Join(d.o.RunDir, "apply.lock")
		var lk *lock.Lock
		var err error
		if wait <= 0 {
			lk, err = lock.TryAcquire(path, "lqosd")
			if errors.Is(err, lock.ErrBusy) {
				return nil, fmt.Errorf("%w: %v", errLockBusy, err)
			}
		} else {
			lctx, cancel := context.WithTimeout(ctx, wait)
			defer cancel()
			lk, err = lock.Acquire(lctx, path, "lqosd", func(be *lock.BusyError) {
				d.log.Info("waiting for the apply lock", "holder", be.Holder)
			})
		}
		if err != nil {
			return nil, fmt.Errorf("apply lock: %w", err)
		}
		defer lk.Release()
	}
	var k shaper.Kernel
	if d.kernel != nil {
		k = d.kernel
	}
	eng := shaper.New(cfg, k, &namedStore{d: d}, d.log)
	opts := shaper.Options{Reason: reason, DryRun: dryRun}
	if lz := d.lazyFor(cfg); lz != nil {
		opts.KernelTree = lz.Tree
	}
	res, err := eng.Refresh(ctx, opts)
	if res != nil {
		res.Warnings = append(notes, res.Warnings...)
	}
	if err == nil && !dryRun && res != nil && res.Plan != nil {
		d.lazyPlan = res.Plan.Tree
		d.noteCircuits(res.Plan)
		// Whoever asked (start-up, the scheduler, libreqos, SIGHUP), the
		// plan is in place now: an earlier failed start no longer applies.
		d.resolve(CodeStartupApply)
	}
	return res, err
}

// attachWhenPresent waits for missing shaping interfaces, then attaches
// the data path, closes the interface issues and applies the plan. An attach
// failure at that point is raised once; a restart is then needed.
func (d *Daemon) attachWhenPresent(ctx context.Context, x datapath.XDPMode, tcm datapath.TCMode) {
	t := time.NewTicker(d.o.AttachRetry)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		var p Preflight
		checkInterfaces(&p, shapingInterfaces(d.config()))
		if len(p.MissingIfaces) > 0 {
			continue
		}
		if err := d.dp.Attach(d.dpInterfaces(x, tcm)...); err != nil {
			d.log.Error("shaping interfaces appeared but attaching failed; restart lqosd", "err", err)
			d.raise(CodeAttachFailed, urgent.Error, "The shaping interfaces appeared but attaching XDP/TC failed (restart lqosd): "+err.Error())
			return
		}
		d.disableXPS()
		d.raiseDataPathMode()
		d.stateMu.Lock()
		d.attached = true
		d.state = StateActive
		if d.noShape != "" {
			d.state = StateDegraded
		}
		d.stateMu.Unlock()
		for _, is := range d.urgent.List(urgent.ListOptions{OpenOnly: true}) {
			if strings.HasPrefix(is.Code, CodeInterfaceMissing) {
				if _, err := d.urgent.Resolve(is.Code); err != nil {
					d.log.Warn("resolving urgent issue", "code", is.Code, "err", err)
				}
			}
		}
		d.log.Info("shaping interfaces appeared; data path attached")
		if d.noShape == "" && !d.o.NoStartupApply {
			d.startupApply(ctx)
		}
		_, _ = sdnotify.Status(d.statusLine())
		return
	}
}

// disableXPS turns XPS off on every shaping interface: with XPS the stack
// picks the TX queue from the sending CPU and ignores the one the TC
// classifier chose, so packets would miss their HTB. Failures are logged
// (single-queue or virtual NICs may have no XPS at all).
func (d *Daemon) disableXPS() {
	for _, ifc := range shapingInterfaces(d.config()) {
		changed, err := datapath.DisableXPS(ifc)
		switch {
		case err != nil:
			d.log.Warn("could not turn XPS off; the classifier's TX queue choice may be overridden", "iface", ifc, "err", err)
		case len(changed) == 0:
			d.log.Info("XPS already off", "iface", ifc)
		default:
			var qs []string
			for _, c := range changed {
				qs = append(qs, c.Queue+"="+c.Was)
			}
			d.log.Info("XPS turned off (it would override the TX queue the classifier picks)", "iface", ifc, "queues_were", strings.Join(qs, " "))
		}
	}
}

// CodeAttachFailed is raised when a late attach fails.
const CodeAttachFailed = "LQOSD_ATTACH_FAILED"

// CodeWebUI is raised when the web UI cannot start.
const CodeWebUI = "LQOSD_WEBUI_FAILED"

func (d *Daemon) startWebUI(ctx context.Context, wg *sync.WaitGroup) {
	cfg := d.config()
	addr := d.o.WebListen
	if addr == "" {
		addr = cfg.WebserverListen
	}
	wc := webui.Config{Addr: addr, UsersFile: filepath.Join(cfg.StateDirectory, "lqosd", "webusers.json"),
		Source: &webSource{d: d}, Logger: d.log.With("component", "webui"), Version: d.o.Version}
	if cfg.SSL != nil && cfg.SSL.Enabled {
		wc.CertFile, wc.KeyFile = cfg.SSL.CertFile, cfg.SSL.KeyFile
	}
	srv, err := webui.New(wc)
	if err != nil {
		d.log.Error("web UI not started", "err", err)
		d.raise(CodeWebUI, urgent.Warning, "The web UI could not start: "+err.Error())
		return
	}
	wg.Go(func() {
		if err := srv.ListenAndServe(ctx); err != nil {
			d.log.Error("web UI stopped", "err", err)
			d.raise(CodeWebUI, urgent.Warning, "The web UI stopped: "+err.Error())
		}
	})
}

// sampleLoop reads the host counters every SampleInterval and expires idle
// kernel entries every 30 samples.
func (d *Daemon) sampleLoop(ctx context.Context) {
	t := time.NewTicker(d.o.SampleInterval)
	defer t.Stop()
	n := 0
	flowIdle := time.Duration(max(d.config().Flows.FlowTimeoutSeconds, 1)) * time.Second
	for {
		hs, err := d.dp.HostCounters()
		if err != nil {
			d.log.Warn("reading host counters", "err", err)
		} else {
			d.coll.Update(time.Now(), hs)
			d.lazyTick(ctx, time.Now())
		}
		d.lastSample.Store(time.Now().UnixNano())
		if n++; n%30 == 0 {
			if _, err := d.dp.ExpireHosts(5 * time.Minute); err != nil {
				d.log.Warn("expiring host counters", "err", err)
			}
			if _, err := d.dp.ExpireFlows(flowIdle); err != nil {
				d.log.Warn("expiring flows", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// circuitName is the applied plan's name for a circuit ("" if unknown).
func (d *Daemon) circuitName(id string) string {
	if m := d.circuits.Load(); m != nil && id != "" {
		return (*m)[id].Name
	}
	return ""
}

// noteCircuits keeps the names, first address and parent of each circuit.
func (d *Daemon) noteCircuits(p *plan.Plan) {
	m := make(map[string]circuitInfo, len(p.Circuits))
	for _, c := range p.Circuits {
		ci := circuitInfo{Name: c.Name, Parent: c.Node}
		for _, dev := range c.Devices {
			if ps := dev.Prefixes(); ci.IP == "" && len(ps) > 0 {
				ci.IP = ps[0].String()
				if ps[0].IsSingleIP() {
					ci.IP = ps[0].Addr().String()
				}
			}
			if ci.MAC == "" {
				ci.MAC = dev.MAC
			}
		}
		if ci.Name == "" {
			ci.Name = c.ID
		}
		m[c.ID] = ci
	}
	d.circuits.Store(&m)
}

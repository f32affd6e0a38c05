// Package daemon is lqosd: it checks the system, loads and attaches the
// eBPF data path (maps pinned so shaping survives a restart), applies the
// current shaping plan, samples traffic counters every second and serves the
// local bus.
//
// # Exit codes
//
//	0  stopped by SIGTERM/SIGINT: the programs stay attached through their
//	   pinned links and the maps and queues stay, so shaping goes on while
//	   lqosd is stopped or restarting, and the next start adopts them (as
//	   after a crash); with --detach-on-stop the programs are detached
//	   (maps and queues kept) and traffic is unshaped until the next start
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
// with a bounded bfifo leaf instead, so HTB still enforces every rate; with
// --missing-qdisc=refuse plans are refused); the kernel lacks mq or htb
// (plans are refused). Mappings, statistics and the bus work in every mode.
package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/configedit"
	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/sdnotify"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/stats"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/urgent"
	"github.com/libreqos-go/lqos/internal/webui"
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
	// HeapProfile, when set, is where a heap profile (pprof) is written as
	// lqosd stops: what bench/rss.sh reads to find the big allocations.
	HeapProfile string
	// AttachRetry: while a shaping interface is missing, how often to look
	// for it again (5 s).
	AttachRetry time.Duration
	// SampleInterval for the counters (1 s).
	SampleInterval time.Duration
	// DriftInterval: how often the kernel's queue tree is compared with the
	// last applied one (60 s); negative turns the check off.
	DriftInterval time.Duration
	// ApplyRetry: after an apply that changed nothing because the state
	// directory could not be written, how often to try again (30 s).
	ApplyRetry time.Duration
	// WebListen overrides the config's webserver_listen; NoWebUI turns the
	// web UI off (as does the config's disable_webserver).
	WebListen string
	NoWebUI   bool
	// DetachOnStop detaches the programs on SIGTERM/SIGINT, leaving every
	// subscriber unshaped until the next start (default: they stay attached).
	DetachOnStop bool
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
	if o.ApplyRetry <= 0 {
		o.ApplyRetry = 30 * time.Second
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
	// fakeKernel, set by tests only, is what applies go to instead of kernel.
	fakeKernel shaper.Kernel
	// startupPending: the first apply at start did not complete and its
	// plan stays recorded for the drift check to complete.
	startupPending atomic.Bool
	started        time.Time
	// Lazy queues (guarded by applyMu): which circuits have queues now, and
	// the full tree of the last plan they are cut from.
	lazy     *tc.Lazy
	lazyPlan *plan.Tree
	radius   *radiusState // nil unless [radius_accounting] is enabled
	// retry is signalled when an apply failed for a cause that may go away
	// (a full state directory); retryLoop then tries again.
	retry chan struct{}
	// circuits describes the applied plan's circuits for the web UI.
	circuits atomic.Pointer[map[string]circuitInfo]
	// planShape is the applied plan's sites and node classes (metrics).
	planShape atomic.Pointer[planShape]
	// webPlan is the applied plan, read by the web UI's network pages.
	webPlan atomic.Pointer[plan.Plan]
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
// failed start returns an *ExitError. Each start-up step is its own function
// (startup.go), in the order they run here.
func Run(ctx context.Context, o Options) error {
	o.defaults()
	m, err := parseModes(o)
	if err != nil {
		return err
	}
	lk, err := lockInstance(o.RunDir)
	if err != nil {
		return err
	}
	defer lk.Release()
	cfg, err := loadConfig(o)
	if err != nil {
		return err
	}
	d, err := openState(o, cfg)
	if err != nil {
		return err
	}
	if err := d.preflight(); err != nil {
		return err
	}
	if err := d.loadDatapath(m); err != nil {
		return err
	}
	// Stopping, however it happens, leaves the programs attached through
	// their pinned links, the maps and the queues in place, as a crash does:
	// subscribers stay shaped until the next start adopts them. Only
	// --detach-on-stop removes the programs on a clean stop.
	cleanStop := false
	defer func() { d.releaseDatapath(cleanStop && o.DetachOnStop) }()
	if err := d.loadMappings(); err != nil {
		return err
	}

	var wg sync.WaitGroup
	sctx, stopLoops := context.WithCancel(ctx)
	defer func() { stopLoops(); wg.Wait() }()
	d.startStats(sctx, &wg)
	if d.openKernel() {
		defer d.kernel.Close()
	}
	d.firstApply(ctx)

	srv, serveErr, closeBus, err := d.startBus(ctx)
	if err != nil {
		return err
	}
	defer closeBus()
	d.startLoops(sctx, &wg, m)
	d.startWeb(sctx, &wg)
	d.ready(sctx, &wg)
	d.reloadOnSIGHUP(sctx, &wg)

	cleanStop = d.waitStop(ctx, srv, serveErr)
	if o.HeapProfile != "" {
		if err := writeHeapProfile(o.HeapProfile); err != nil {
			d.log.Warn("heap profile not written", "path", o.HeapProfile, "err", err)
		}
	}
	return nil
}

// writeHeapProfile writes the live heap (after a GC) in pprof format.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
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
	d.noShape = shaper.QdiscRefusal(d.pre.Qdiscs, d.o.MissingQdisc)
}

// shapingConfig is the configuration handed to the planner: with the
// fallback policy, leaves of kinds the kernel lacks become bounded bfifos
// (plan.FallbackLeaf), whether they come from default_sqm, the fast-queue
// rule or a circuit's sqm column.
func (d *Daemon) shapingConfig(cfg *config.Config) (*config.Config, []string) {
	return shaper.FallbackConfig(cfg, d.pre.Qdiscs, d.o.MissingQdisc)
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
		ctxJSON, _ := json.Marshal(map[string]string{"subject": f.Subject})
		if _, err := d.urgent.Raise(urgent.Raise{Code: code, Severity: f.Severity, Source: "lqosd", Message: f.Message, Context: ctxJSON}); err != nil {
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

func (d *Daemon) startWebUI(ctx context.Context, wg *sync.WaitGroup, metrics http.Handler) {
	cfg := d.config()
	addr := d.o.WebListen
	if addr == "" {
		addr = cfg.WebserverListen
	}
	wc := webUIConfig(cfg)
	geo := d.openGeo(cfg)
	wc.Addr, wc.Source, wc.Logger, wc.Version, wc.Metrics = addr, &webSource{d: d, geo: geo}, d.log.With("component", "webui"), d.o.Version, metrics
	wc.Editor = &configedit.Store{ConfigPath: cfg.Path, HistoryDir: filepath.Join(cfg.StateDirectory, "lqosd", "config-history"), Queues: int(d.ncpu)}
	// A save from the editors is applied like `lqos reload`: lqos.conf
	// re-read, the plan diffed against the kernel, only changes applied.
	wc.ApplyConfig = func(ctx context.Context, reason string) (string, error) {
		res, err := d.apply(ctx, reason, false, true)
		if err != nil {
			return "", err
		}
		return res.Summary(), nil
	}
	srv, err := webui.New(wc)
	if err != nil {
		d.log.Error("web UI not started", "err", err)
		d.raise(CodeWebUI, urgent.Warning, "The web UI could not start: "+err.Error())
		geo.Close()
		return
	}
	wg.Go(func() {
		defer geo.Close()
		if err := srv.ListenAndServe(ctx); err != nil {
			d.log.Error("web UI stopped", "err", err)
			d.raise(CodeWebUI, urgent.Warning, "The web UI stopped: "+err.Error())
		}
	})
}

// webUIConfig maps lqos.conf's web UI options ([web_ui], [ssl]) and the
// state directory's files onto a webui.Config.
func webUIConfig(cfg *config.Config) webui.Config {
	dir := filepath.Join(cfg.StateDirectory, "lqosd")
	wc := webui.Config{
		UsersFile:         filepath.Join(dir, "webusers.json"),
		AuditFile:         filepath.Join(dir, "audit.log"),
		FirstRunTokenOnly: cfg.WebUI.FirstRunTokenOnly,
		SecureCookies:     cfg.WebUI.SecureCookies,
		MaxConns:          cfg.WebUI.MaxConnections,
		MaxConnsPerIP:     cfg.WebUI.MaxConnectionsPerIP,
	}
	switch {
	case cfg.SSL.SelfSigned():
		wc.SelfSignedDir = filepath.Join(dir, "tls")
	case cfg.SSL != nil && cfg.SSL.Enabled:
		wc.CertFile, wc.KeyFile = cfg.SSL.CertFile, cfg.SSL.KeyFile
	}
	return wc
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
	d.webPlan.Store(p)
}

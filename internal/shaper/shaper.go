// Package shaper is the apply engine shared by libreqos and lqosd:
// load and validate the inputs, plan the queue tree, apply it to the kernel
// and the IP mappings to the data path, then record what was applied.
//
// It follows validate -> plan -> record -> apply -> roll back: nothing
// touches the kernel until the inputs are valid, the plan is built and the
// intent is recorded (see intent.go), and a failed apply leaves the
// previously applied tree, mappings and record in place.
package shaper

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/atomicfile"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/cores"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tc"
)

// MappingStore receives the IP -> class mappings (the data path, the bus, or a fake).
type MappingStore interface {
	// ReplaceAll makes the store hold exactly these mappings.
	ReplaceAll(ctx context.Context, ms []plan.Mapping) error
}

// Kernel is the part of package tc the engine needs; tests may fake it.
type Kernel interface {
	// TxQueues returns the number of TX queues of an interface.
	TxQueues(iface string) (int, error)
	// Apply makes the kernel tree equal to t, rolling back on failure.
	Apply(ctx context.Context, t *plan.Tree, log *slog.Logger) (*tc.Result, error)
	// SyncRecord is told the record's files before an apply: a handle that
	// remembers the kernel's state forgets it when the record on disk is
	// not the one it wrote last (another process applied in between).
	SyncRecord(paths ...string)
	// NoteRecord is told the record's files this handle's apply just wrote.
	NoteRecord(paths ...string)
}

// Options tune one refresh.
type Options struct {
	Reason string // why (logged): "libreqos", "scheduler", "bus", "file change"...
	DryRun bool   // plan only; return the tc commands without applying
	Debug  bool   // log each step with its timing
	// TxQueues overrides TX queue detection (0 = detect from the interfaces,
	// or config queues.override_available_queues).
	TxQueues int
	// KernelTree, when set, turns the planned tree into what the kernel gets
	// now (lazy queues leave idle circuits out). Mappings always follow the plan.
	KernelTree func(*plan.Tree) *plan.Tree
	// Overlay adds runtime circuits (RADIUS sessions) to the validated
	// inputs before planning, so they get the same plan, stable identities
	// and incremental apply as the file's circuits; it returns warnings.
	Overlay func(*inputs.Inputs) []string
	// ConfirmShrink applies a run even when it removes more than
	// queues.max_circuit_removal_percent of the applied circuits.
	ConfirmShrink bool
	// ShrinkIgnores, when set, names circuits that check does not count:
	// runtime circuits that come and go by design, not from the files.
	ShrinkIgnores func(circuitID string) bool
}

// Result says what a refresh did.
type Result struct {
	Plan     *plan.Plan
	Commands []string // dry run: the equivalent tc commands
	Kernel   *tc.Result
	Circuits int
	Nodes    int
	Classes  int
	Mappings int
	Steps    []Step
	Warnings []string
}

// Summary is one line for logs and the bus.
func (r *Result) Summary() string {
	s := fmt.Sprintf("%d circuits, %d nodes, %d classes, %d mappings", r.Circuits, r.Nodes, r.Classes, r.Mappings)
	if r.Kernel != nil {
		s += fmt.Sprintf("; %d kernel requests", r.Kernel.Done)
	}
	return s
}

// Step is one timed phase, for --debug and the scheduler's progress.
type Step struct {
	Name     string
	Duration time.Duration
}

// Engine applies plans for one configuration.
type Engine struct {
	cfg      *config.Config
	kernel   Kernel
	mappings MappingStore
	log      *slog.Logger
	// SysfsRoot is where CPU kinds are read ("" = /sys); tests point it at
	// a testdata tree.
	SysfsRoot string
	// writeFile replaces state files (nil: atomicfile.Write).
	writeFile WriteFunc
}

// New returns an engine. mappings may be nil when no data path is reachable
// (libreqos run without lqosd): mappings are then skipped with a warning.
func New(cfg *config.Config, kernel Kernel, mappings MappingStore, log *slog.Logger) *Engine {
	if log == nil {
		log = slog.Default()
	}
	return &Engine{cfg: cfg, kernel: kernel, mappings: mappings, log: log}
}

// State file locations under state_directory.
func (e *Engine) statePath(parts ...string) string {
	return filepath.Join(append([]string{e.cfg.StateDirectory}, parts...)...)
}

// IdentitiesPath is where class identities are kept between runs.
func (e *Engine) IdentitiesPath() string { return e.statePath("shaping", "planner_state.json") }

// QueuingStructurePath is the applied tree as JSON for the UI and tools.
func (e *Engine) QueuingStructurePath() string {
	return e.statePath("shaping", "queuingStructure.json")
}

// Refresh loads the inputs, plans and applies. Input errors come back as
// *diag.InputError (every problem listed); kernel errors name the object.
func (e *Engine) Refresh(ctx context.Context, opts Options) (*Result, error) {
	res := &Result{}
	step := func(name string, start time.Time) {
		d := time.Since(start)
		res.Steps = append(res.Steps, Step{name, d})
		if opts.Debug {
			e.log.Info("step", "name", name, "took", d)
		}
	}
	t0 := time.Now()
	in, l := inputs.Load(e.cfg)
	step("load and validate inputs", t0)
	for _, w := range l.Warnings() {
		res.Warnings = append(res.Warnings, w.String())
	}
	if err := l.Err(); err != nil {
		return res, err
	}
	if opts.Overlay != nil {
		res.Warnings = append(res.Warnings, opts.Overlay(in)...)
	}

	t0 = time.Now()
	queues, err := e.queues(opts)
	if err != nil {
		return res, err
	}
	step("detect queues", t0)

	t0 = time.Now()
	prevTree, prev, treeErr, err := e.loadRecord()
	if treeErr != nil {
		e.log.Warn("recorded tree unreadable; removals and moves apply in one step", "err", treeErr)
		prevTree = nil
	}
	step("read the record", t0)
	t0 = time.Now()
	if err != nil {
		// A damaged state file costs stable identities, not shaping.
		e.log.Warn("class identity state unreadable; starting fresh", "path", e.IdentitiesPath(), "err", err)
		res.Warnings = append(res.Warnings, fmt.Sprintf("identity state %s unreadable (%v); classes renumbered", e.IdentitiesPath(), err))
		prev = nil
	}
	p, err := plan.Build(plan.Input{Config: e.cfg, Devices: in.Devices, Network: in.Network, TXQueues: queues, QueueCPUs: e.queueCPUs(), Previous: prev})
	if err != nil {
		return res, fmt.Errorf("plan: %w", err)
	}
	step("plan", t0)
	res.Plan = p
	res.Circuits, res.Nodes, res.Classes, res.Mappings = len(p.Circuits), len(p.Nodes), len(p.Tree.Classes), len(p.Tree.Mappings)
	res.Warnings = append(res.Warnings, p.Warnings...)
	var unknown diag.List
	for _, u := range p.Unshaped {
		if u.Reason == "unknown_parent" {
			// Only a Generated_PN_k beyond the queue count gets here (the
			// input checks refuse other unknown parents); refused the same way.
			unknown.Errorf(inputs.ShapedDevicesFile, u.Line, "Parent Node", "circuit %q: parent node %q is neither in network.json nor one of the %d generated parent nodes", u.CircuitID, u.ParentNode, p.Queues)
			continue
		}
		res.Warnings = append(res.Warnings, fmt.Sprintf("circuit %s not shaped: %s", u.CircuitID, u.Reason))
	}
	if err := unknown.Err(); err != nil {
		return res, err
	}

	if sh := checkShrink(prevTree, p.Tree, e.cfg.MaxCircuitRemovalShare(), opts.ShrinkIgnores); sh != nil {
		if opts.DryRun {
			res.Warnings = append(res.Warnings, sh.Error())
		} else if !opts.ConfirmShrink {
			return res, sh
		} else {
			e.log.Warn("applying a run that removes many circuits, as confirmed", "removed", sh.Removed, "applied", sh.Applied)
		}
	}
	if opts.DryRun {
		res.Commands = plan.RenderTC(p.Tree)
		return res, nil
	}
	if e.kernel == nil {
		return res, errors.New("shaper: no kernel handle")
	}

	e.kernel.SyncRecord(e.recordPaths()...)
	kernelTree := p.Tree
	if opts.KernelTree != nil {
		kernelTree = opts.KernelTree(p.Tree)
	}
	// The record first: if it cannot be written, nothing is applied.
	t0 = time.Now()
	undo, err := e.writeIntent(p.Identities, kernelTree)
	if err != nil {
		return res, err
	}
	step("record intent", t0)
	st := &applyState{prev: prevTree, undo: undo}
	// New classes must exist before mappings point at them, and old ones
	// must outlive the mappings that point at them.
	if bridge := bridgeTree(prevTree, kernelTree); bridge != nil {
		t0 = time.Now()
		if _, err := e.kernel.Apply(ctx, bridge, e.log); err != nil {
			return res, e.rollBack(ctx, st, fmt.Errorf("apply queues (previous tree kept): %w", err))
		}
		st.kernelChanged = true
		step("apply queues, old classes kept", t0)
		st.mappingsChange = true
		if err := e.applyMappings(ctx, p, res, step); err != nil {
			return res, e.rollBack(ctx, st, err)
		}
		t0 = time.Now()
		kres, err := e.kernel.Apply(ctx, kernelTree, e.log)
		res.Kernel = kres
		step("remove old classes", t0)
		if err != nil {
			return res, e.rollBack(ctx, st, fmt.Errorf("remove old classes: %w", err))
		}
	} else {
		t0 = time.Now()
		kres, err := e.kernel.Apply(ctx, kernelTree, e.log)
		res.Kernel = kres
		step("apply queues", t0)
		if err != nil {
			return res, e.rollBack(ctx, st, fmt.Errorf("apply queues (previous tree kept): %w", err))
		}
		st.kernelChanged = true
		st.mappingsChange = true
		if err := e.applyMappings(ctx, p, res, step); err != nil {
			return res, e.rollBack(ctx, st, err)
		}
	}

	if res.Kernel != nil && len(res.Kernel.Rebuilds) > 0 {
		// Say why, so the scheduler's status and the UI show it, not just the log.
		res.Warnings = append(res.Warnings, fmt.Sprintf("rebuilt %d queue object(s) that cannot change live: %s",
			len(res.Kernel.Rebuilds), strings.Join(firstN(res.Kernel.Rebuilds, 3), "; ")))
	}
	t0 = time.Now()
	if err := e.record(in, p); err != nil {
		// The tree and identities are recorded already; these files are
		// for the operator and the UI.
		e.log.Warn("could not write the state files for the UI and tools", "err", err)
		res.Warnings = append(res.Warnings, "recording state: "+err.Error())
	}
	e.kernel.NoteRecord(e.recordPaths()...)
	step("record state", t0)
	e.log.Info("queues refreshed", "reason", opts.Reason, "summary", res.Summary())
	return res, nil
}

// DetectQueues reads the TX queue count from the configured interfaces.
func (e *Engine) DetectQueues() (int, error) { return e.queues(Options{}) }

func (e *Engine) applyMappings(ctx context.Context, p *plan.Plan, res *Result, step func(string, time.Time)) error {
	t0 := time.Now()
	defer step("apply IP mappings", t0)
	if e.mappings == nil {
		if len(p.Tree.Mappings) > 0 {
			res.Warnings = append(res.Warnings, "data path not reachable (is lqosd running?): IP mappings not loaded")
		}
		return nil
	}
	if err := e.mappings.ReplaceAll(ctx, p.Tree.Mappings); err != nil {
		return fmt.Errorf("apply IP mappings: %w", err)
	}
	return nil
}

// queues decides how many TX queues (per direction, before on-a-stick
// halving) to shape on.
func (e *Engine) queues(opts Options) (int, error) {
	if opts.TxQueues > 0 {
		return opts.TxQueues, nil
	}
	if n := int(e.cfg.Queues.OverrideAvailableQueues); n > 0 {
		return n, nil
	}
	if e.kernel == nil {
		return 0, errors.New("cannot detect TX queues without a kernel handle; set queues.override_available_queues")
	}
	// One queue per shaping CPU: the performance cores of a hybrid CPU when
	// exclude_efficiency_cores is set, else every online CPU.
	n := cores.ShapingCount(e.sysfsRoot(), e.cfg.ExcludeEfficiencyCores, runtime.NumCPU())
	for _, iface := range uniq(e.cfg.NetworkInterface(), e.cfg.InternetInterface()) {
		q, err := e.kernel.TxQueues(iface)
		if err != nil {
			return 0, fmt.Errorf("interface %s: %w", iface, err)
		}
		n = min(n, q)
	}
	return max(n, 1), nil
}

func (e *Engine) sysfsRoot() string {
	if e.SysfsRoot != "" {
		return e.SysfsRoot
	}
	return cores.DefaultRoot
}

// queueCPUs is the CPU of each queue when exclude_efficiency_cores keeps
// the efficiency cores of a hybrid CPU out of shaping (whatever their
// numbers: on big.LITTLE they usually come first); nil = queue i+1 on CPU i.
func (e *Engine) queueCPUs() []uint32 {
	if !e.cfg.ExcludeEfficiencyCores {
		return nil
	}
	s, err := cores.Detect(e.sysfsRoot())
	if err != nil || !s.Hybrid() {
		return nil
	}
	out := make([]uint32, 0, len(s.Performance))
	for _, c := range s.Performance {
		out = append(out, uint32(c))
	}
	return out
}

func uniq(a, b string) []string {
	if a == b {
		return []string{a}
	}
	return []string{a, b}
}

// record writes queuingStructure.json, statistics and copies of the inputs
// that produced the applied tree (the tree and the identities were recorded
// before the apply). These are views, regenerated on every refresh: they
// are replaced without a flush to disk, and a file whose content this
// process last wrote unchanged is left alone.
func (e *Engine) record(in *inputs.Inputs, p *plan.Plan) error {
	for _, d := range []string{"shaping", "stats", "debug"} {
		if err := os.MkdirAll(e.statePath(d), 0o700); err != nil {
			return err
		}
	}
	var errs []error
	if data, err := json.Marshal(p.Structure()); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, e.writeView(e.QueuingStructurePath(), append(data, '\n')))
	}
	if data, err := p.StatsJSON(); err != nil {
		errs = append(errs, err)
	} else {
		errs = append(errs, e.writeView(e.statePath("stats", "plan_stats.json"), data))
	}
	errs = append(errs, e.writeView(e.statePath("debug", "tc_commands.txt"), []byte(strings.Join(plan.RenderTC(p.Tree), "\n")+"\n")))
	paths := inputs.PathsFor(e.cfg)
	errs = append(errs, e.copyFile(paths.ShapedDevices, e.statePath("shaping", "lastGoodConfig.csv")))
	errs = append(errs, e.copyFile(paths.Network, e.statePath("shaping", "lastGoodConfig.json")))
	errs = append(errs, e.writeView(e.statePath("stats", "lastRun.txt"), []byte(time.Now().Format(time.RFC3339)+"\n")))
	return errors.Join(errs...)
}

// views remembers, per path, the content hash this process last wrote and
// the file it left, so an unchanged view is not written again.
var views sync.Map // path -> viewState

type viewState struct {
	sum uint64
	sig fileSig
}

func (e *Engine) writeView(path string, data []byte) error {
	h := fnv.New64a()
	h.Write(data)
	sum := h.Sum64()
	if v, ok := views.Load(path); ok {
		if s, ok2 := statSig(path); ok2 && v.(viewState).sum == sum && v.(viewState).sig == s {
			return nil
		}
	}
	var err error
	if e.writeFile != nil {
		err = e.writeFile(path, data, 0o600)
	} else {
		err = atomicfile.Replace(path, data, 0o600)
	}
	if err != nil {
		views.Delete(path)
		return err
	}
	if s, ok := statSig(path); ok {
		views.Store(path, viewState{sum: sum, sig: s})
	}
	return nil
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}

func (e *Engine) copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	return e.writeView(dst, data)
}

// Package scheduler is lqos_scheduler's engine: wait for lqosd, set the
// queues up once, then every queue_refresh_interval_mins run the enabled
// CRM/NMS integration and refresh the queues, and in between apply changes
// that operators make to the input files.
//
// Guarantees (each covered by a test):
//   - An integration that fails, hangs, panics or writes invalid data never
//     stops the scheduler and never reaches the queues: its files are put
//     back as they were before the run, the queues keep the last applied
//     inputs, lqosd gets a 30-line preview and the full output is written to
//     <LogDir>/lqos_scheduler_<integration>_<YYYYMMDD_HHMMSS>.log.
//   - Inputs are validated before every apply; the snapshot that was
//     validated is the one handed to the QueueRefresher.
//   - Applies hold the apply lock shared with `libreqos` (internal/lock).
//   - lqosd sees a heartbeat every minute (on its own goroutine, so a long
//     import does not make the scheduler look dead), the phase of every job,
//     the last success, the last error and the next run time. Repeated
//     failures raise an urgent issue. A restarted lqosd gets the whole
//     picture again with the next heartbeat.
//   - Every scheduled tick runs the refresher, also with unchanged inputs,
//     so a live tree changed by hand is repaired on schedule.
//   - A valid edit of lqos.conf ends Run with ErrConfigChanged (the service
//     restarts with the new settings); an invalid edit is reported only.
//   - After a failed first setup (invalid inputs, lqosd refusing) nothing is
//     retried while nothing changes, but the next input change is applied
//     as the full setup within one poll interval, and the next scheduled
//     refresh retries the full setup. Upstream waits for its next scheduled
//     refresh (30 minutes by default) even when the operator has fixed the
//     files; an operator who just fixed them wants them shaping now.
//
// All jobs run on one goroutine, so start-up, refreshes and file-change
// applies never overlap; only heartbeats run beside them.
package scheduler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/libreqos-go/lqos/internal/backoff"
	"github.com/libreqos-go/lqos/internal/lock"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// ErrSetupRequired: no integration is enabled and ShapedDevices.csv or
// network.json is missing, so there is nothing to shape yet (the UI shows
// "Setup required", as upstream does).
var ErrSetupRequired = errors.New("setup required: no integration enabled and no ShapedDevices.csv/network.json")

// Kind of job.
type Kind int

const (
	// Startup: integration (if any) and a full queue setup.
	Startup Kind = iota
	// Scheduled: integration (if any) and an incremental refresh (which
	// sends nothing to the kernel when nothing changed or drifted).
	Scheduled
	// FilesChanged: the input files changed on disk; apply them.
	FilesChanged
)

func (k Kind) String() string {
	switch k {
	case Startup:
		return "startup"
	case Scheduled:
		return "scheduled refresh"
	default:
		return "input file change"
	}
}

// Options are the scheduler's settings. Zero values select the defaults.
type Options struct {
	// Integration is the enabled integration ("uisp", "splynx", ... as in
	// config.EnabledIntegrations), "" when the operator maintains the files.
	Integration string
	// InputDir holds ShapedDevices.csv, network.json, lqos_overrides.json
	// (config lqos_directory).
	InputDir string
	// RefreshInterval between scheduled refreshes (30 min).
	RefreshInterval time.Duration
	// PollInterval between checks of the input files (10 s). A change is
	// applied once the files have stayed the same for one interval, so a
	// file caught half-written by an editor is not reported as an error.
	PollInterval time.Duration
	// HeartbeatInterval (1 min).
	HeartbeatInterval time.Duration
	// IntegrationTimeout bounds one integration run (20 min; upstream has
	// none, and a hung import then blocks every later refresh).
	IntegrationTimeout time.Duration
	// BusBackoffMin/Max bound the delay between attempts to reach lqosd
	// (100 ms doubling to 10 s). The scheduler waits as long as it takes
	// instead of exiting after 5 s as upstream does (restart loops).
	BusBackoffMin, BusBackoffMax time.Duration
	// LogDir receives the full output of failed runs (os.TempDir()).
	LogDir string
	// UrgentAfter consecutive failed jobs raise an urgent issue (3).
	UrgentAfter int
	// PostHook, if the file exists, is started after every integration run
	// (success or not), in its own directory, and not waited for (upstream's
	// <lqos_directory>/bin/post_integration_hook.sh). It is killed if it
	// runs longer than IntegrationTimeout; its output goes to the log.
	PostHook string
	// ConfigFile (lqos.conf), if set, is watched like the inputs. When its
	// content changes and Deps.ConfigCheck accepts it, Run returns
	// ErrConfigChanged so the service manager restarts the scheduler with
	// the new settings (integration, interval...). An invalid edit is
	// reported and the scheduler keeps running on the old settings.
	ConfigFile string
}

// ErrConfigChanged is returned by Run when lqos.conf changed to a valid new
// content.
var ErrConfigChanged = errors.New("lqos.conf changed")

func (o *Options) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.RefreshInterval, 30*time.Minute)
	def(&o.PollInterval, 10*time.Second)
	def(&o.HeartbeatInterval, time.Minute)
	def(&o.IntegrationTimeout, 20*time.Minute)
	def(&o.BusBackoffMin, 100*time.Millisecond)
	def(&o.BusBackoffMax, 10*time.Second)
	if o.UrgentAfter <= 0 {
		o.UrgentAfter = 3
	}
}

// Deps are the scheduler's collaborators.
type Deps struct {
	Reporter  Reporter          // required
	Bus       BusWaiter         // required by Run
	Runner    IntegrationRunner // required when Options.Integration is set
	Validator Validator         // InputsValidator if nil
	Refresher QueueRefresher    // required
	Clock     Clock             // RealClock if nil
	Logger    *slog.Logger      // slog.Default() if nil
	// ConfigCheck validates a changed Options.ConfigFile (nil = any change
	// restarts).
	ConfigCheck func(path string) error
	// Notify receives one-line states for the service manager (systemd
	// STATUS=), so `systemctl status` shows e.g. the wait for lqosd.
	Notify func(status string)
}

// Scheduler runs the jobs. Its methods other than Run must not be called
// while Run is running.
type Scheduler struct {
	o   Options
	d   Deps
	log *slog.Logger

	appliedHash string
	everApplied bool
	validated   *Inputs // last snapshot that passed validation
	lastFP      string  // fingerprint of the files last read
	pendingFP   string  // a changed fingerprint waiting to settle
	failures    int     // consecutive failed jobs
	confHash    string  // content hash of ConfigFile when Run started
	confBad     string  // hash of a rejected config edit, reported once
	remembered  string  // latest integration failure, until a success

	mu      sync.Mutex
	nextRun time.Time
	// What lqosd was last told, re-sent when the reporter reconnects to a
	// restarted lqosd (which forgot it).
	shown     shownState
	reconnect uint64
}

type shownState struct {
	progress             *Progress
	errText, errInteg    string
	errLog               string
	successAt            time.Time
	successTook          time.Duration
	outputText, outputLg string
}

// Reconnector is implemented by reporters that can tell that they are
// talking to a new lqosd instance (BusReporter counts its dials).
type Reconnector interface {
	Connections() uint64
}

// New checks the dependencies and returns a scheduler.
func New(o Options, d Deps) (*Scheduler, error) {
	o.defaults()
	switch {
	case d.Reporter == nil:
		return nil, errors.New("scheduler: Reporter is required")
	case d.Refresher == nil:
		return nil, errors.New("scheduler: Refresher is required")
	case o.Integration != "" && d.Runner == nil:
		return nil, fmt.Errorf("scheduler: integration %q enabled but no Runner", o.Integration)
	case o.InputDir == "":
		return nil, errors.New("scheduler: InputDir is required (lqos_directory)")
	}
	if d.Validator == nil {
		d.Validator = InputsValidator{}
	}
	if d.Clock == nil {
		d.Clock = RealClock{}
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.Notify == nil {
		d.Notify = func(string) {}
	}
	s := &Scheduler{o: o, d: d, log: d.Logger}
	return s, nil
}

// NextRun is when the next scheduled refresh starts (zero before Run).
func (s *Scheduler) NextRun() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nextRun
}

func (s *Scheduler) setNextRun(t time.Time) {
	s.mu.Lock()
	s.nextRun = t
	s.mu.Unlock()
}

// Run waits for lqosd, runs the start-up job and then the schedule until ctx
// ends. Job failures are reported, never returned: Run returns only
// ctx.Err().
func (s *Scheduler) Run(ctx context.Context) error {
	if s.d.Bus == nil {
		return errors.New("scheduler: Bus is required by Run")
	}
	if err := s.WaitForBus(ctx); err != nil {
		return err
	}
	now := s.d.Clock.Now()
	s.setNextRun(now.Add(s.o.RefreshInterval))
	s.heartbeat(ctx)

	// Heartbeats stop when Run returns, whatever the reason.
	var wg sync.WaitGroup
	hctx, stopBeats := context.WithCancel(ctx)
	wg.Add(1)
	go func() { defer wg.Done(); s.heartbeats(hctx) }()
	defer wg.Wait()
	defer stopBeats()

	s.confHash = fileHash(s.o.ConfigFile)
	s.safeCycle(ctx, Startup)

	refreshT := s.d.Clock.NewTimer(s.NextRun().Sub(s.d.Clock.Now()))
	pollT := s.d.Clock.NewTimer(s.o.PollInterval)
	defer func() { refreshT.Stop(); pollT.Stop() }()
	for {
		select {
		case <-ctx.Done():
			s.log.Info("scheduler stopping", "reason", context.Cause(ctx))
			return ctx.Err()
		case <-refreshT.C():
			// Keep a fixed rhythm; skip slots missed by a long job.
			now := s.d.Clock.Now()
			next := s.NextRun().Add(s.o.RefreshInterval)
			for !next.After(now) {
				next = next.Add(s.o.RefreshInterval)
			}
			s.setNextRun(next)
			s.safeCycle(ctx, Scheduled)
			s.heartbeat(ctx)
			refreshT = s.d.Clock.NewTimer(s.NextRun().Sub(s.d.Clock.Now()))
		case <-pollT.C():
			if s.configChanged(ctx) {
				s.log.Info("lqos.conf changed; stopping so the service restarts with the new settings", "config", s.o.ConfigFile)
				s.d.Notify("Restarting: lqos.conf changed")
				return ErrConfigChanged
			}
			s.poll(ctx)
			pollT = s.d.Clock.NewTimer(s.o.PollInterval)
		}
	}
}

// RunOnce runs one start-up job (integration + full setup) and returns its
// outcome: nil only if everything succeeded.
func (s *Scheduler) RunOnce(ctx context.Context) error {
	return s.safeCycle(ctx, Startup)
}

// WaitForBus pings lqosd until it answers, backing off between attempts and
// saying clearly what it waits for. It returns early only if ctx ends.
func (s *Scheduler) WaitForBus(ctx context.Context) error {
	start := s.d.Clock.Now()
	schedule := backoff.Exponential{Initial: s.o.BusBackoffMin, Max: s.o.BusBackoffMax, Factor: 2}
	for attempt := 1; ; attempt++ {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		err := s.d.Bus.Ping(pctx)
		cancel()
		if err == nil {
			waited := s.d.Clock.Now().Sub(start)
			s.log.Info("lqosd bus is up", "attempts", attempt, "waited", waited.Round(time.Millisecond))
			s.d.Notify("Connected to lqosd")
			s.progress(ctx, Progress{Active: true, Phase: PhaseWaitingForBus, Label: "Waiting for lqosd bus", Step: 1, Steps: 4})
			if attempt > 1 {
				s.output(ctx, fmt.Sprintf("Connected to lqosd after %d attempts (waited %s).", attempt, waited.Round(time.Second)), "")
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		waited := s.d.Clock.Now().Sub(start).Round(time.Second)
		delay := schedule.Delay(attempt)
		// Every attempt while backing off, then about once a minute.
		if delay < s.o.BusBackoffMax || attempt%6 == 0 {
			s.log.Warn("waiting for lqosd bus (is lqosd running? see: journalctl -u lqosd)",
				"attempt", attempt, "waited", waited, "retry_in", delay, "err", err)
		}
		s.d.Notify(fmt.Sprintf("Waiting for lqosd bus (attempt %d, waited %s): %v", attempt, waited, err))
		t := s.d.Clock.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C():
		}
	}
}

func (s *Scheduler) heartbeats(ctx context.Context) {
	for {
		t := s.d.Clock.NewTimer(s.o.HeartbeatInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C():
			s.heartbeat(ctx)
		}
	}
}

// poll applies input files that changed since they were last read, once
// they have stayed the same for one poll interval.
func (s *Scheduler) poll(ctx context.Context) {
	fp := fingerprint(s.o.InputDir)
	if fp == s.lastFP {
		s.pendingFP = ""
		return
	}
	if fp != s.pendingFP {
		s.pendingFP = fp
		s.log.Debug("input files changed; waiting for them to settle", "dir", s.o.InputDir)
		return
	}
	in, err := ReadInputs(s.o.InputDir)
	if err != nil {
		s.log.Error("cannot read input files", "err", err)
		return
	}
	if s.everApplied && in.Hash == s.appliedHash {
		// Touched or rewritten with the same content.
		s.lastFP, s.pendingFP = in.fp, ""
		return
	}
	s.log.Info("input files changed on disk; applying", "dir", s.o.InputDir)
	s.safeCycle(ctx, FilesChanged)
}

// safeCycle runs one job; a panic anywhere in it (validator, refresher...)
// is reported as a failure instead of ending the scheduler.
func (s *Scheduler) safeCycle(ctx context.Context, k Kind) (err error) {
	defer func() {
		if v := recover(); v != nil {
			msg := fmt.Sprintf("Scheduler %s crashed: panic: %v", k, v)
			s.log.Error(msg, "stack", string(debug.Stack()))
			s.fail(ctx, "", "scheduler", msg, fmt.Sprintf("%s\n\n%s", msg, debug.Stack()), PhaseDegraded, "Scheduler job crashed")
			s.countFailure(ctx, msg, "")
			err = errors.New(msg)
		}
	}()
	return s.RunCycle(ctx, k)
}

type phases struct {
	steps                   int
	integ, check, reload    string
	integL, checkL, reloadL string
	first                   int // step number of the integration phase
}

func phasesFor(k Kind) phases {
	switch k {
	case Startup:
		return phases{4, PhaseIntegration, PhaseCheckInputs, PhaseInitialReload,
			"Running integration sync", "Checking inputs", "Refreshing shaper state", 2}
	case Scheduled:
		return phases{3, PhasePartialIntegr, PhasePartialCheck, PhasePartialReload,
			"Running scheduled integration refresh", "Checking shaping inputs", "Applying incremental shaper refresh", 1}
	default:
		return phases{2, "", PhaseInputChange, PhasePartialReload,
			"", "Checking changed input files", "Applying incremental shaper refresh", 0}
	}
}

// RunCycle runs one job of kind k and returns its outcome (also reported to
// lqosd). A nil error means the inputs are applied and the integration, if
// any, succeeded.
func (s *Scheduler) RunCycle(ctx context.Context, k Kind) error {
	start := s.d.Clock.Now()
	ph := phasesFor(k)
	step := ph.first
	log := s.log.With("job", k.String())
	log.Info("job started")
	full := k == Startup || !s.everApplied

	integFail, integLog := "", ""
	if s.o.Integration != "" && k != FilesChanged {
		s.progress(ctx, Progress{Active: true, Phase: ph.integ, Label: ph.integL, Step: step, Steps: ph.steps})
		s.d.Notify(ph.integL)
		integFail, integLog = s.runIntegration(ctx)
		s.startHook(ctx)
		step++
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if k == FilesChanged {
		step = 1
	}
	s.progress(ctx, Progress{Active: true, Phase: ph.check, Label: ph.checkL, Step: step, Steps: ph.steps})
	in, err := ReadInputs(s.o.InputDir)
	if err != nil {
		msg := "Cannot read the input files; queues keep the last applied inputs: " + err.Error()
		s.fail(ctx, "", "inputs", msg, "", PhaseDegraded, "Scheduler cannot read its inputs")
		s.countFailure(ctx, msg, "")
		return errors.New(msg)
	}
	s.lastFP, s.pendingFP = in.fp, ""

	if missing := missingDIY(in); s.o.Integration == "" && missing != "" {
		msg := fmt.Sprintf("Setup required: no integration is enabled in lqos.conf and %s in %s. "+
			"Enable an integration or create ShapedDevices.csv and network.json ({} for a flat network); "+
			"the scheduler applies them as soon as they appear.", missing, s.o.InputDir)
		log.Warn(msg)
		s.d.Notify("Setup required: no topology source configured")
		s.progress(ctx, Progress{Active: false, Phase: PhaseSetupRequired, Label: "Setup required", Step: ph.steps, Steps: ph.steps})
		s.output(ctx, msg, "")
		return ErrSetupRequired
	}

	if integFail != "" && !in.Has(FileShapedDevices) {
		// First import ever failed: there is no last known good to fall
		// back to. The integration's own report says why.
		log.Error("no input files yet and the integration failed; no queues were set up")
		s.progress(ctx, Progress{Phase: PhaseDegraded, Label: "Waiting for a first successful import", Step: ph.steps, Steps: ph.steps})
		s.countFailure(ctx, integFail, integLog)
		return errors.New(integFail)
	}

	// Scheduled refreshes always run the refresher, even with unchanged
	// inputs: it then sends nothing to the kernel unless the live tree
	// drifted (tc run by hand, a partial failure), which it repairs.
	if k == FilesChanged && s.everApplied && in.Hash == s.appliedHash {
		log.Info("inputs unchanged; queues left as they are")
		return s.finish(ctx, log, k, start, ph, integFail, integLog)
	}

	if err := s.validate(ctx, in); err != nil {
		what := "The input files"
		if s.o.Integration != "" {
			what = "The current input files (last known good from " + Label(s.o.Integration) + ")"
		}
		msg := fmt.Sprintf("%s in %s failed validation; queues keep the last applied inputs.", what, s.o.InputDir)
		if !s.everApplied {
			msg = fmt.Sprintf("%s in %s failed validation; no queues were set up.", what, s.o.InputDir)
		}
		token := "inputs"
		if s.o.Integration != "" {
			token = Token(Label(s.o.Integration))
		}
		full := msg + "\n" + err.Error()
		logPath := s.fail(ctx, s.o.Integration, token, msg, full, PhaseValidationFail, "Scheduler validation failed")
		s.countFailure(ctx, msg, logPath)
		return errors.New(full)
	}

	step++
	s.progress(ctx, Progress{Active: true, Phase: ph.reload, Label: ph.reloadL, Step: step, Steps: ph.steps})
	s.d.Notify(ph.reloadL)
	if err := s.apply(ctx, in, full); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		msg := "Queue refresh failed; the previously applied queues stay in place: " + err.Error()
		logPath := s.fail(ctx, s.o.Integration, "refresh", msg, msg, PhaseDegraded, "Scheduler running with a refresh error")
		s.countFailure(ctx, msg, logPath)
		return errors.New(msg)
	}
	s.appliedHash, s.everApplied = in.Hash, true
	log.Info("queues refreshed", "full", full)
	return s.finish(ctx, log, k, start, ph, integFail, integLog)
}

// missingDIY names the operator-maintained files that do not exist yet.
func missingDIY(in *Inputs) string {
	switch {
	case !in.Has(FileShapedDevices) && !in.Has(FileNetwork):
		return "neither " + FileShapedDevices + " nor " + FileNetwork + " exists"
	case !in.Has(FileShapedDevices):
		return FileShapedDevices + " does not exist"
	case !in.Has(FileNetwork):
		return FileNetwork + " does not exist"
	}
	return ""
}

// finish reports the end of a job whose inputs are applied (or unchanged).
func (s *Scheduler) finish(ctx context.Context, log *slog.Logger, k Kind, start time.Time, ph phases, integFail, integLog string) error {
	if integFail == "" && k == FilesChanged && s.remembered != "" {
		// Operator changes were applied, but the integration's failure
		// stays visible until the integration succeeds again.
		s.reportError(ctx, s.o.Integration, "Scheduler ready using last-known-good inputs; latest integration import failed.\n"+s.remembered, "")
		s.progress(ctx, Progress{Phase: PhaseDegraded, Label: "Scheduler running on last known good inputs", Step: ph.steps, Steps: ph.steps})
		log.Info("changed inputs applied; integration failure still outstanding")
		return nil
	}
	if integFail != "" {
		msg := "Scheduler ready using last-known-good inputs; latest integration import failed.\n" + integFail
		s.reportError(ctx, s.o.Integration, msg, integLog)
		s.progress(ctx, Progress{Phase: PhaseDegraded, Label: "Scheduler running on last known good inputs", Step: ph.steps, Steps: ph.steps})
		s.d.Notify("Running on last known good inputs; integration failed")
		s.countFailure(ctx, integFail, integLog)
		return errors.New(integFail)
	}
	took := s.d.Clock.Now().Sub(start)
	s.failures = 0
	at := s.d.Clock.Now()
	s.mu.Lock()
	s.shown.successAt, s.shown.successTook = at, took
	s.mu.Unlock()
	s.rep(ctx, "success", func(c context.Context) error { return s.d.Reporter.Success(c, at, took) })
	s.reportError(ctx, "", "", "")
	s.progress(ctx, Progress{Phase: PhaseReady, Label: "Scheduler ready", Step: ph.steps, Steps: ph.steps})
	s.d.Notify("Ready; next refresh " + s.NextRun().Format(time.TimeOnly))
	log.Info("job finished", "took", took.Round(time.Millisecond))
	return nil
}

// runIntegration runs the integration once and reports the outcome. On
// failure (or invalid output) the input files are put back as they were
// and the returned message describes the failure.
func (s *Scheduler) runIntegration(ctx context.Context) (failMsg, logPath string) {
	name := s.o.Integration
	label, token := Label(name), Token(Label(name))
	before, berr := ReadInputs(s.o.InputDir)
	if berr != nil {
		s.log.Warn("cannot snapshot inputs before the integration; a failed run cannot be undone", "err", berr)
	}
	ictx, cancel := context.WithTimeout(ctx, s.o.IntegrationTimeout)
	res := s.d.Runner.Run(ictx, name)
	cancel()
	if ctx.Err() != nil {
		return "", "" // shutting down, not a failure of the integration
	}
	out := Normalize(res.Output)

	// Whatever the integration left on disk is only kept if it succeeded
	// and the result validates.
	changed := false
	var after *Inputs
	if before != nil {
		if a, err := ReadInputs(s.o.InputDir); err == nil && a.Hash != before.Hash {
			changed, after = true, a
		}
	}
	undo := func() string {
		if !changed {
			return ""
		}
		if err := restore(before); err != nil {
			return " Could not restore the previous input files: " + err.Error()
		}
		return " The previous input files were restored."
	}

	if res.Err == nil {
		if changed {
			if err := s.validate(ctx, after); err != nil {
				note := undo()
				head := fmt.Sprintf("%s produced input files that failed validation; they were not applied.%s Continuing.", label, note)
				return s.integrationFailed(ctx, label, token, head, strings.TrimSpace(out+"\n\nValidation errors:\n"+err.Error()))
			}
		}
		msg := label + " completed successfully."
		if out != "" {
			msg += fmt.Sprintf(" Captured %d line(s) of output.", strings.Count(out, "\n")+1)
		}
		s.log.Info(msg, "integration", name, "changed_inputs", changed)
		s.output(ctx, msg, "")
		s.remembered = ""
		return "", ""
	}

	var head string
	var ee *ExitError
	var te *TimeoutError
	var pe *PanicError
	switch {
	case errors.As(res.Err, &ee):
		head = fmt.Sprintf("%s exited with code %d.", label, ee.Code)
	case errors.As(res.Err, &te):
		head = fmt.Sprintf("%s did not finish within %s and was stopped.", label, s.o.IntegrationTimeout)
	case errors.As(res.Err, &pe):
		head = fmt.Sprintf("%s crashed (panic: %v).", label, pe.Value)
	default:
		head = fmt.Sprintf("Failed to run integration %s: %v.", label, res.Err)
	}
	head += undo() + " Continuing."
	return s.integrationFailed(ctx, label, token, head, out)
}

// integrationFailed writes the log, reports the error and remembers it.
func (s *Scheduler) integrationFailed(ctx context.Context, label, token, head, out string) (string, string) {
	msg := head
	logPath := ""
	if out != "" {
		msg += "\nOutput preview:\n" + Preview(out)
		p, err := writeLog(s.o.LogDir, token, s.d.Clock.Now(), out)
		if err != nil {
			s.log.Error("cannot save integration output", "err", err)
		} else {
			logPath = p
			msg += "\nFull output saved to " + p
		}
	}
	s.log.Error(head, "integration", s.o.Integration, "log", logPath, "preview", Preview(out))
	s.reportError(ctx, s.o.Integration, msg, logPath)
	s.remembered = msg
	return msg, logPath
}

// validate runs the Validator once per snapshot content.
func (s *Scheduler) validate(ctx context.Context, in *Inputs) error {
	if s.validated != nil && s.validated.Hash == in.Hash {
		in.Parsed = s.validated.Parsed
		return nil
	}
	warns, err := s.d.Validator.Validate(ctx, in)
	for _, w := range warns {
		s.log.Warn("input warning", "problem", w)
	}
	if err != nil {
		return err
	}
	s.validated = in
	return nil
}

// apply runs the refresher (which takes the apply lock itself: see
// internal/apply); a panic in it is an error.
func (s *Scheduler) apply(ctx context.Context, in *Inputs, full bool) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v\n%s", v, debug.Stack())
		}
	}()
	return s.d.Refresher.Refresh(ctx, RefreshRequest{Inputs: in, Full: full, Waiting: func(b *lock.BusyError) { s.waitingForLock(ctx, b) }})
}

// waitingForLock shows that the apply waits for another one (libreqos).
func (s *Scheduler) waitingForLock(ctx context.Context, b *lock.BusyError) {
	s.log.Warn("waiting for the apply lock (libreqos running?)", "lock", b.Path, "holder", b.Holder)
	s.d.Notify("Waiting for the apply lock: " + b.Error())
	s.progress(ctx, Progress{Active: true, Phase: PhaseWaitingForLock, Label: "Waiting for another apply (libreqos) to finish"})
}

// fail logs and reports a job failure; the full text goes to a log file
// named by token when it is longer than what lqosd shows.
func (s *Scheduler) fail(ctx context.Context, integration, token, msg, full, phase, label string) string {
	logPath := ""
	if full != "" && Preview(full) != full {
		if p, err := writeLog(s.o.LogDir, token, s.d.Clock.Now(), full); err == nil {
			logPath = p
		} else {
			s.log.Error("cannot save error details", "err", err)
		}
	}
	text := full
	if text == "" {
		text = msg
	}
	preview := Preview(text)
	if logPath != "" {
		preview += "\nFull output saved to " + logPath
	}
	s.log.Error(msg, "details", full, "log", logPath)
	s.reportError(ctx, integration, preview, logPath)
	s.progress(ctx, Progress{Phase: phase, Label: label, Step: 1, Steps: 1})
	s.d.Notify(label)
	return logPath
}

// countFailure counts a failed job and raises an urgent issue once they
// repeat (the urgent store de-duplicates by code and counts).
func (s *Scheduler) countFailure(ctx context.Context, msg, logPath string) {
	s.failures++
	if s.failures < s.o.UrgentAfter {
		return
	}
	first, _, _ := strings.Cut(msg, "\n")
	u := Urgent{
		Code:     UrgentRepeatedFailed,
		Severity: urgent.Error,
		Message:  fmt.Sprintf("lqos_scheduler failed %d times in a row; shaping uses the last known good inputs. Latest: %s", s.failures, first),
		Context:  map[string]any{"failures": s.failures, "integration": s.o.Integration, "log_path": logPath},
	}
	s.log.Error("repeated failures; raising urgent issue", "failures", s.failures)
	s.rep(ctx, "urgent", func(c context.Context) error { return s.d.Reporter.RaiseUrgent(c, u) })
}

// rep sends one report with a short timeout; lqosd being away is logged
// and otherwise ignored.
func (s *Scheduler) rep(ctx context.Context, what string, f func(context.Context) error) {
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := f(c); err != nil {
		s.log.Debug("report to lqosd failed", "report", what, "err", err)
	}
}

func (s *Scheduler) progress(ctx context.Context, p Progress) {
	s.mu.Lock()
	s.shown.progress = &p
	s.mu.Unlock()
	s.rep(ctx, "progress", func(c context.Context) error { return s.d.Reporter.Progress(c, p) })
}

func (s *Scheduler) output(ctx context.Context, text, logPath string) {
	s.mu.Lock()
	s.shown.outputText, s.shown.outputLg = text, logPath
	s.mu.Unlock()
	s.rep(ctx, "output", func(c context.Context) error { return s.d.Reporter.Output(c, text, logPath) })
}

func (s *Scheduler) reportError(ctx context.Context, integration, text, logPath string) {
	s.mu.Lock()
	s.shown.errText, s.shown.errInteg, s.shown.errLog = text, integration, logPath
	s.mu.Unlock()
	s.rep(ctx, "error", func(c context.Context) error { return s.d.Reporter.Error(c, integration, text, logPath) })
}

// heartbeat tells lqosd we are alive and when the next refresh is. After a
// reconnect (lqosd restarted and forgot everything) it first re-sends the
// last success, output, error and progress, so the UI is whole again
// within a minute instead of after the next job.
func (s *Scheduler) heartbeat(ctx context.Context) {
	next := s.NextRun()
	// The heartbeat itself redials a restarted lqosd, so look after it.
	s.rep(ctx, "heartbeat", func(c context.Context) error { return s.d.Reporter.Heartbeat(c, next) })
	s.mu.Lock()
	sh := s.shown
	resend := false
	if rc, ok := s.d.Reporter.(Reconnector); ok {
		n := rc.Connections()
		resend = s.reconnect != 0 && n != s.reconnect
		s.reconnect = n
	}
	s.mu.Unlock()
	if !resend {
		return
	}
	s.log.Info("lqosd reconnected; re-sending the scheduler status")
	r := s.d.Reporter
	if !sh.successAt.IsZero() {
		s.rep(ctx, "success", func(c context.Context) error { return r.Success(c, sh.successAt, sh.successTook) })
	}
	if sh.outputText != "" || sh.outputLg != "" {
		s.rep(ctx, "output", func(c context.Context) error { return r.Output(c, sh.outputText, sh.outputLg) })
	}
	if sh.errText != "" {
		s.rep(ctx, "error", func(c context.Context) error { return r.Error(c, sh.errInteg, sh.errText, sh.errLog) })
	}
	if sh.progress != nil {
		p := *sh.progress
		s.rep(ctx, "progress", func(c context.Context) error { return r.Progress(c, p) })
	}
	// Connections may have moved again while re-sending; the next beat
	// catches that.
	if rc, ok := s.d.Reporter.(Reconnector); ok {
		s.mu.Lock()
		s.reconnect = rc.Connections()
		s.mu.Unlock()
	}
}

// startHook launches the post-integration hook without waiting for it.
func (s *Scheduler) startHook(ctx context.Context) {
	if s.o.PostHook == "" || ctx.Err() != nil {
		return
	}
	if _, err := os.Stat(s.o.PostHook); err != nil {
		return // no hook installed
	}
	hctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.IntegrationTimeout)
	cmd := exec.CommandContext(hctx, s.o.PostHook)
	cmd.Dir = filepath.Dir(s.o.PostHook)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = time.Second
	out := &cappedBuffer{max: 1 << 20}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		msg := fmt.Sprintf("%s failed to launch: %v", filepath.Base(s.o.PostHook), err)
		s.log.Error(msg)
		s.output(ctx, msg, "")
		return
	}
	s.log.Info("post-integration hook started", "hook", s.o.PostHook, "pid", cmd.Process.Pid)
	go func() {
		defer cancel()
		err := cmd.Wait()
		if err != nil {
			s.log.Warn("post-integration hook failed", "hook", s.o.PostHook, "err", err, "output", Preview(Normalize(out.String())))
			return
		}
		s.log.Info("post-integration hook finished", "hook", s.o.PostHook, "output", Preview(Normalize(out.String())))
	}()
}

// fileHash is a content hash of path ("" if unset or unreadable).
func fileHash(path string) string {
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// configChanged reports a valid new lqos.conf; an invalid one is reported
// once and otherwise ignored.
func (s *Scheduler) configChanged(ctx context.Context) bool {
	if s.o.ConfigFile == "" {
		return false
	}
	h := fileHash(s.o.ConfigFile)
	if h == "" || h == s.confHash || h == s.confBad {
		return false
	}
	if s.d.ConfigCheck != nil {
		if err := s.d.ConfigCheck(s.o.ConfigFile); err != nil {
			s.confBad = h
			msg := fmt.Sprintf("%s was changed but is not valid; still running with the previous settings: %v", s.o.ConfigFile, err)
			s.log.Error(msg)
			s.output(ctx, msg, "")
			return false
		}
	}
	return true
}

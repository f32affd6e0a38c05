package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/apply"
	"github.com/libreqos-go/lqos/internal/lock"
	"github.com/libreqos-go/lqos/internal/testwait"
)

// writes returns a behaviour that writes devices (testdata name) like an
// integration does and prints output.
func (l *lab) writes(devices, output string) func(context.Context, io.Writer) error {
	data := readTestdata(l.t, devices)
	return func(_ context.Context, out io.Writer) error {
		io.WriteString(out, output)
		return writeAtomic(filepath.Join(l.dir, FileShapedDevices), data)
	}
}

var logNameRE = regexp.MustCompile(`^lqos_scheduler_splynx_\d{8}_\d{6}(_\d+)?\.log$`)

// TestIntegrationOutcomes: after a good start-up, one scheduled refresh
// with each integration behaviour. Bad outcomes never reach the queues,
// the files on disk are the last good ones, the report and log are right.
func TestIntegrationOutcomes(t *testing.T) {
	v1 := string(readTestdata(t, "ShapedDevices.v1.csv"))
	v2 := string(readTestdata(t, "ShapedDevices.v2.csv"))
	longOut := strings.Repeat("line of API chatter\n", 100) + "Traceback: HTTP 401 Unauthorized"

	tests := []struct {
		name     string
		behavior func(l *lab) func(context.Context, io.Writer) error
		wantErr  bool
		// wantQueues is what the queues hold after the refresh.
		wantQueues string
		wantDisk   string
		wantMsg    []string // in the error (or output on success)
		wantLog    []string // in the saved log ("" list = no log)
	}{
		{
			name: "success with new data",
			behavior: func(l *lab) func(context.Context, io.Writer) error {
				return l.writes("ShapedDevices.v2.csv", "imported 3 circuits\n")
			},
			wantQueues: v2, wantDisk: v2,
			wantMsg: []string{"Splynx completed successfully. Captured 1 line(s) of output."},
		},
		{
			name: "exit code with long output",
			behavior: func(*lab) func(context.Context, io.Writer) error {
				return func(_ context.Context, out io.Writer) error {
					io.WriteString(out, strings.ReplaceAll(longOut, "\n", "\r\n"))
					return &ExitError{Code: 3}
				}
			},
			wantErr: true, wantQueues: v1, wantDisk: v1,
			wantMsg: []string{"Splynx exited with code 3. Continuing.", "\nOutput preview:\nline of API chatter\n", "\n...\nFull output saved to "},
			wantLog: []string{"Traceback: HTTP 401 Unauthorized", "line of API chatter\nline of API chatter"},
		},
		{
			name: "bad API reply: error return",
			behavior: func(*lab) func(context.Context, io.Writer) error {
				return func(_ context.Context, out io.Writer) error {
					io.WriteString(out, "GET /api/customers: ")
					return errors.New("unexpected HTML instead of JSON")
				}
			},
			wantErr: true, wantQueues: v1, wantDisk: v1,
			wantMsg: []string{"Failed to run integration Splynx: unexpected HTML instead of JSON", "Output preview:\nGET /api/customers:"},
			wantLog: []string{"error: unexpected HTML instead of JSON"},
		},
		{
			name: "panic",
			behavior: func(*lab) func(context.Context, io.Writer) error {
				return func(context.Context, io.Writer) error { var m map[string]int; m["x"]++; return nil }
			},
			wantErr: true, wantQueues: v1, wantDisk: v1,
			wantMsg: []string{"Splynx crashed (panic: assignment to entry in nil map). Continuing."},
			wantLog: []string{"panic: assignment to entry in nil map", "goroutine"},
		},
		{
			name: "hang ignoring context",
			behavior: func(l *lab) func(context.Context, io.Writer) error {
				release := make(chan struct{})
				l.t.Cleanup(func() { close(release) })
				return hangForever(release)
			},
			wantErr: true, wantQueues: v1, wantDisk: v1,
			wantMsg: []string{"Splynx did not finish within 1h0m0s and was stopped. Continuing.", "fetching customers..."},
			wantLog: []string{"fetching customers..."},
		},
		{
			name:     "invalid data written, success claimed",
			behavior: func(l *lab) func(context.Context, io.Writer) error { return l.writes("ShapedDevices.bad.csv", "") },
			wantErr:  true, wantQueues: v1, wantDisk: v1,
			wantMsg: []string{"Splynx produced input files that failed validation; they were not applied. The previous input files were restored. Continuing.",
				"ShapedDevices.csv:3 [IPv4]: 100.64.0.1 is already used by circuit \"c1\""},
			wantLog: []string{"Validation errors:", "download min 300 is greater than download max 100"},
		},
		{
			name: "partial write then failure",
			behavior: func(l *lab) func(context.Context, io.Writer) error {
				return func(_ context.Context, out io.Writer) error {
					os.WriteFile(filepath.Join(l.dir, FileShapedDevices), []byte("Circuit ID,Circ"), 0o644)
					os.Remove(filepath.Join(l.dir, FileNetwork))
					io.WriteString(out, "disk full")
					return &ExitError{Code: 1}
				}
			},
			wantErr: true, wantQueues: v1, wantDisk: v1,
			wantMsg: []string{"Splynx exited with code 1. The previous input files were restored. Continuing."},
			wantLog: []string{"disk full"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, "splynx", "ShapedDevices.v1.csv", nil)
			ctx := context.Background()
			if err := l.s.RunCycle(ctx, Startup); err != nil {
				t.Fatalf("start-up: %v", err)
			}
			if got := l.ref.applied(); len(got) != 1 || !got[0].full || got[0].devices != v1 {
				t.Fatalf("start-up should apply v1 fully once, got %+v", got)
			}
			l.setBehavior(tc.behavior(l))
			err := l.s.RunCycle(ctx, Scheduled)
			if (err != nil) != tc.wantErr {
				t.Fatalf("RunCycle error = %v, want error %v", err, tc.wantErr)
			}
			if got := l.ref.current(); got != tc.wantQueues {
				t.Errorf("queues hold:\n%s\nwant:\n%s", got, tc.wantQueues)
			}
			if got := l.read(FileShapedDevices); got != tc.wantDisk {
				t.Errorf("ShapedDevices.csv on disk:\n%s\nwant:\n%s", got, tc.wantDisk)
			}
			if l.read(FileNetwork) == "" {
				t.Errorf("network.json missing after the run")
			}
			logs := l.logFiles()
			if !tc.wantErr {
				contains(t, "output", l.rep.last("output").Text, tc.wantMsg...)
				if l.rep.lastError() != "" {
					t.Errorf("error not cleared after success: %q", l.rep.lastError())
				}
				if l.rep.lastPhase() != PhaseReady {
					t.Errorf("phase %q, want ready", l.rep.lastPhase())
				}
				if len(logs) != 0 {
					t.Errorf("no log expected on success, got %v", logs)
				}
				return
			}
			e := l.rep.last("error")
			contains(t, "error report", e.Text, tc.wantMsg...)
			contains(t, "error report", e.Text, "Scheduler ready using last-known-good inputs; latest integration import failed.")
			if e.Integration != "splynx" {
				t.Errorf("error integration %q", e.Integration)
			}
			if l.rep.lastPhase() != PhaseDegraded {
				t.Errorf("phase %q, want degraded", l.rep.lastPhase())
			}
			if len(logs) != 1 {
				t.Fatalf("want one log file, got %v", logs)
			}
			if !logNameRE.MatchString(filepath.Base(logs[0])) {
				t.Errorf("log name %q does not match %s", filepath.Base(logs[0]), logNameRE)
			}
			if want := LogName("splynx", l.clock.Now()); filepath.Base(logs[0]) != want {
				t.Errorf("log name %q, want %q", filepath.Base(logs[0]), want)
			}
			if e.LogPath != logs[0] || !strings.Contains(e.Text, "Full output saved to "+logs[0]) {
				t.Errorf("error does not point at the log %s: %q (path %q)", logs[0], e.Text, e.LogPath)
			}
			body, _ := os.ReadFile(logs[0])
			contains(t, "log file", string(body), tc.wantLog...)
			if strings.Contains(string(body), "\r") || !strings.HasSuffix(string(body), "\n") {
				t.Errorf("log not normalised (CRLF, trailing newline)")
			}
		})
	}
}

// TestSchedulerKeepsRunning drives the real loop with a fake clock through
// success, failure, hang, panic and bad data, then success again.
func TestSchedulerKeepsRunning(t *testing.T) {
	l := newLab(t, "uisp", "ShapedDevices.v1.csv", nil)
	v1, v2 := string(readTestdata(t, "ShapedDevices.v1.csv")), string(readTestdata(t, "ShapedDevices.v2.csv"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.s.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	})
	l.clock.WaitTimers(t, 3) // heartbeat, refresh, poll: start-up is done
	if got := l.ref.applied(); len(got) != 1 || !got[0].full {
		t.Fatalf("start-up apply: %+v", got)
	}
	if hb := l.rep.last("heartbeat"); !hb.NextRun.Equal(l.clock.Now().Add(30 * time.Minute)) {
		t.Errorf("heartbeat next run %v, want now+30m", hb.NextRun)
	}
	// A refresh interval passes minute by minute, so every heartbeat and
	// poll in between happens too.
	tick := func() {
		t.Helper()
		for range 30 {
			l.clock.Advance(time.Minute)
			l.clock.WaitTimers(t, 3)
		}
	}

	release := make(chan struct{})
	defer close(release)
	steps := []struct {
		name     string
		behavior func(context.Context, io.Writer) error
		failures int // consecutive failures after the step
	}{
		{"fails", func(_ context.Context, out io.Writer) error {
			io.WriteString(out, "HTTP 500")
			return &ExitError{Code: 1}
		}, 1},
		{"hangs", hangForever(release), 2},
		{"panics", func(context.Context, io.Writer) error { panic("nil site") }, 3},
		{"bad data", l.writes("ShapedDevices.bad.csv", ""), 4},
		{"succeeds", l.writes("ShapedDevices.v2.csv", ""), 0},
	}
	for i, st := range steps {
		l.setBehavior(st.behavior)
		tick()
		if l.s.failures != st.failures {
			t.Errorf("after %s: %d consecutive failures, want %d", st.name, l.s.failures, st.failures)
		}
		want := v1
		if st.failures == 0 {
			want = v2
		}
		if got := l.ref.current(); got != want {
			t.Errorf("after %s: queues hold\n%s\nwant\n%s", st.name, got, want)
		}
		if n := len(l.logFiles()); n != min(i+1, 4) {
			t.Errorf("after %s: %d log files, want %d", st.name, n, min(i+1, 4))
		}
	}
	// Every tick refreshed the queues (with the last good inputs when the
	// import failed), so drift gets repaired on schedule.
	if n := len(l.ref.applied()); n != 1+len(steps) {
		t.Errorf("%d refreshes, want %d (start-up + one per tick)", n, 1+len(steps))
	}
	// Three failures in a row raised the urgent issue (and the fourth bumped it).
	if n := l.rep.count("urgent"); n != 2 {
		t.Errorf("urgent raised %d times, want 2 (3rd and 4th failure)", n)
	}
	u := l.rep.last("urgent").Urgent
	if u.Code != UrgentRepeatedFailed || u.Severity != "error" || !strings.Contains(u.Message, "failed 4 times in a row") {
		t.Errorf("urgent issue %+v", u)
	}
	// The final success cleared the error and reported ready.
	if l.rep.lastError() != "" || l.rep.lastPhase() != PhaseReady || l.rep.count("success") != 2 {
		t.Errorf("after recovery: error %q phase %q successes %d", l.rep.lastError(), l.rep.lastPhase(), l.rep.count("success"))
	}
	// Heartbeats carry the next run time; the minute heartbeat kept going.
	if hb := l.rep.last("heartbeat"); !hb.NextRun.After(l.clock.Now()) {
		t.Errorf("heartbeat next run %v not after now %v", hb.NextRun, l.clock.Now())
	}
	if got := l.s.NextRun(); !got.Equal(l.clock.Now().Add(30 * time.Minute)) {
		t.Errorf("next run %v, want %v", got, l.clock.Now().Add(30*time.Minute))
	}
	if n := l.rep.count("heartbeat"); n < len(steps)*30 {
		t.Errorf("%d heartbeats over %d minutes, want at least one per minute", n, len(steps)*30)
	}
}

// TestFileChanges: DIY mode; edits are applied once settled, invalid edits
// are reported and never applied, touching a file changes nothing.
func TestFileChanges(t *testing.T) {
	l := newLab(t, "", "ShapedDevices.v1.csv", nil)
	v2 := string(readTestdata(t, "ShapedDevices.v2.csv"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.s.Run(ctx) }()
	defer func() { cancel(); <-done }()
	l.clock.WaitTimers(t, 3)
	poll := func() { t.Helper(); l.clock.Advance(10 * time.Second); l.clock.WaitTimers(t, 3) }

	l.write(FileShapedDevices, readTestdata(t, "ShapedDevices.bad.csv"))
	poll() // seen, settling
	if n := len(l.ref.applied()); n != 1 {
		t.Fatalf("applied before the change settled: %d calls", n)
	}
	poll()
	if n := len(l.ref.applied()); n != 1 {
		t.Errorf("invalid edit reached the queues: %d calls", n)
	}
	e := l.rep.last("error")
	contains(t, "error", e.Text, "failed validation; queues keep the last applied inputs", "ShapedDevices.csv:3")
	if l.rep.lastPhase() != PhaseValidationFail {
		t.Errorf("phase %q", l.rep.lastPhase())
	}
	if got := l.read(FileShapedDevices); got != string(readTestdata(t, "ShapedDevices.bad.csv")) {
		t.Errorf("operator's file was changed by the scheduler")
	}
	poll()
	poll()
	if n := len(l.ref.applied()); n != 1 {
		t.Errorf("the same invalid file was retried: %d calls", n)
	}

	l.write(FileShapedDevices, []byte(v2))
	poll()
	poll()
	calls := l.ref.applied()
	if len(calls) != 2 || calls[1].devices != v2 || calls[1].full {
		t.Fatalf("fixed edit not applied incrementally: %+v", calls)
	}
	if l.rep.lastError() != "" || l.rep.lastPhase() != PhaseReady {
		t.Errorf("error %q phase %q after the fix", l.rep.lastError(), l.rep.lastPhase())
	}

	// Same content rewritten: nothing to do.
	l.write(FileShapedDevices, []byte(v2))
	poll()
	poll()
	if n := len(l.ref.applied()); n != 2 {
		t.Errorf("rewrite with identical content re-applied: %d calls", n)
	}
	// An overrides edit counts as an input change too.
	l.write(FileOverrides, []byte(`{"persistent_devices":[]}`))
	poll()
	poll()
	if n := len(l.ref.applied()); n != 3 {
		t.Errorf("overrides change not applied: %d calls", n)
	}
	// A rewrite in place (same inode) of the same size with the old
	// modification time put back (cp -p, rsync -t, or within the file
	// system's timestamp granularity) is a change: detection is by content.
	l.write(FileOverrides, []byte(`{"persistent_devices": []}`))
	poll()
	poll()
	if n := len(l.ref.applied()); n != 4 {
		t.Fatalf("overrides change not applied: %d calls", n)
	}
	path := filepath.Join(l.dir, FileOverrides)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"persistent_devices":[] }`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	if st2, _ := os.Stat(path); st2.Size() != st.Size() || !st2.ModTime().Equal(st.ModTime()) || !os.SameFile(st, st2) {
		t.Fatalf("rewrite changed size, mtime or inode: %d %v, was %d %v", st2.Size(), st2.ModTime(), st.Size(), st.ModTime())
	}
	poll()
	poll()
	if n := len(l.ref.applied()); n != 5 {
		t.Errorf("same-size rewrite in place with the old mtime not applied: %d calls", n)
	}
}

// TestSetupRequired: no integration and no ShapedDevices.csv.
func TestSetupRequired(t *testing.T) {
	l := newLab(t, "", "", nil)
	err := l.s.RunOnce(context.Background())
	if !errors.Is(err, ErrSetupRequired) {
		t.Fatalf("RunOnce = %v, want ErrSetupRequired", err)
	}
	if l.rep.lastPhase() != PhaseSetupRequired {
		t.Errorf("phase %q, want %q", l.rep.lastPhase(), PhaseSetupRequired)
	}
	contains(t, "output", l.rep.last("output").Text, "Setup required", l.dir, "neither ShapedDevices.csv nor network.json exists")
	if len(l.ref.applied()) != 0 || l.rep.count("urgent") != 0 || l.rep.lastError() != "" {
		t.Errorf("setup required must not apply, fail or raise: %+v", l.rep.all())
	}
	// One of the two is not enough.
	l.write(FileShapedDevices, readTestdata(t, "ShapedDevices.v1.csv"))
	if err := l.s.RunOnce(context.Background()); !errors.Is(err, ErrSetupRequired) {
		t.Fatalf("without network.json: %v", err)
	}
	contains(t, "output", l.rep.last("output").Text, "network.json does not exist")
	// Creating the files is picked up by the poll and set up fully.
	l.write(FileNetwork, readTestdata(t, "network.json"))
	l.write(FileShapedDevices, readTestdata(t, "ShapedDevices.v1.csv"))
	l.s.poll(context.Background())
	l.s.poll(context.Background())
	if c := l.ref.applied(); len(c) != 1 || !c[0].full {
		t.Errorf("new files not set up fully: %+v", c)
	}
}

// TestRefreshFailures: a refresher error or panic keeps the old queues,
// is reported, and the same content is retried on the next refresh.
func TestRefreshFailures(t *testing.T) {
	for _, mode := range []string{"error", "panic"} {
		t.Run(mode, func(t *testing.T) {
			l := newLab(t, "sonar", "ShapedDevices.v1.csv", nil)
			ctx := context.Background()
			if err := l.s.RunCycle(ctx, Startup); err != nil {
				t.Fatal(err)
			}
			l.setBehavior(l.writes("ShapedDevices.v2.csv", ""))
			if mode == "error" {
				l.ref.err = errors.New("class 1:5: RTNETLINK answers: No such file or directory")
			} else {
				l.ref.panic = true
			}
			err := l.s.RunCycle(ctx, Scheduled)
			if err == nil {
				t.Fatal("want an error")
			}
			contains(t, "error", l.rep.lastError(), "Queue refresh failed; the previously applied queues stay in place")
			if mode == "panic" {
				contains(t, "log", l.logs.String(), "kernel said no")
			}
			if len(l.ref.applied()) != 1 {
				t.Errorf("calls %+v", l.ref.applied())
			}
			l.ref.err, l.ref.panic = nil, false
			l.setBehavior(func(context.Context, io.Writer) error { return nil })
			if err := l.s.RunCycle(ctx, Scheduled); err != nil {
				t.Fatal(err)
			}
			if got := l.ref.current(); got != string(readTestdata(t, "ShapedDevices.v2.csv")) {
				t.Errorf("retry did not apply v2: %q", got)
			}
		})
	}
}

// refresherFunc adapts a function to QueueRefresher.
type refresherFunc func(context.Context, RefreshRequest) error

func (f refresherFunc) Refresh(ctx context.Context, r RefreshRequest) error { return f(ctx, r) }

// TestApplyLock: the scheduler applies only under the shared lock and
// waits for (then gives up on) a lock held by someone else. The refresher
// is the real one with lqosd away; only the in-process apply is the fake.
func TestApplyLock(t *testing.T) {
	lockPath := filepath.Join(t.TempDir(), "run", "apply.lock")
	l := newLab(t, "", "ShapedDevices.v1.csv", func(o *Options, d *Deps) {
		ref := d.Refresher
		d.Refresher = refresherFunc(func(ctx context.Context, r RefreshRequest) error {
			ar := &ApplyRefresher{Logger: d.Logger, Applier: &apply.Applier{BusPath: filepath.Join(t.TempDir(), "no-lqosd"), Log: d.Logger,
				Lock: apply.Lock{Path: lockPath, Who: "lqos_scheduler", Wait: 50 * time.Millisecond},
				Local: func(ctx context.Context, _ apply.Request) (*apply.Outcome, error) {
					return &apply.Outcome{}, ref.Refresh(ctx, r)
				}}}
			return ar.Refresh(ctx, r)
		})
	})
	// While applying, nobody else can take the lock.
	heldDuringApply := false
	l.ref.check = func(*Inputs) {
		_, err := lock.TryAcquire(lockPath, "libreqos")
		heldDuringApply = errors.Is(err, lock.ErrBusy)
	}
	held, err := lock.TryAcquire(lockPath, "libreqos")
	if err != nil {
		t.Fatal(err)
	}
	err = l.s.RunOnce(context.Background())
	if err == nil || !strings.Contains(err.Error(), "held by another process") || !strings.Contains(err.Error(), "name=libreqos") {
		t.Fatalf("RunOnce with the lock held = %v", err)
	}
	if len(l.ref.applied()) != 0 {
		t.Error("applied without the lock")
	}
	contains(t, "log", l.logs.String(), "waiting for the apply lock")
	contains(t, "notify", l.notes.String(), "Waiting for the apply lock")
	held.Release()
	if err := l.s.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !heldDuringApply {
		t.Error("the apply lock was not held while the queues were refreshed")
	}
	if _, err := lock.TryAcquire(lockPath, "libreqos"); err != nil {
		t.Errorf("lock not released after the apply: %v", err)
	}
}

// TestWaitForBus: backs off, logs each attempt clearly, tells systemd.
func TestWaitForBus(t *testing.T) {
	l := newLab(t, "", "ShapedDevices.v1.csv", nil)
	l.bus.failures = 3
	done := make(chan error, 1)
	go func() { done <- l.s.WaitForBus(context.Background()) }()
	var delays []time.Duration
	for range 3 {
		l.clock.WaitTimers(t, 1)
		l.clock.mu.Lock()
		delays = append(delays, l.clock.timers[0].at.Sub(l.clock.now))
		l.clock.mu.Unlock()
		l.clock.Advance(time.Hour)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(delays) != "[100ms 200ms 400ms]" {
		t.Errorf("backoff delays %v", delays)
	}
	contains(t, "log", l.logs.String(), "waiting for lqosd bus", "attempt=3", "no such file or directory", "lqosd bus is up")
	contains(t, "notify", l.notes.String(), "Waiting for lqosd bus (attempt 1", "Connected to lqosd")
	contains(t, "output", l.rep.last("output").Text, "Connected to lqosd after 4 attempts")
	if l.rep.lastPhase() != PhaseWaitingForBus {
		t.Errorf("phase %q", l.rep.lastPhase())
	}

	// Cancelled while waiting: returns the context error.
	l.bus.failures = 1 << 30
	ctx, cancel := context.WithCancel(context.Background())
	go func() { l.clock.WaitTimers(t, 1); cancel() }()
	if err := l.s.WaitForBus(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled wait = %v", err)
	}
}

// TestReporterDown: lqosd not taking reports does not stop the work.
func TestReporterDown(t *testing.T) {
	l := newLab(t, "", "ShapedDevices.v1.csv", nil)
	l.rep.fail = true
	if err := l.s.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(l.ref.applied()) != 1 {
		t.Error("queues not set up while lqosd was unreachable")
	}
}

// TestFileChangeKeepsIntegrationFailureVisible: operator edits applied
// after a failed integration do not hide that failure.
func TestFileChangeKeepsIntegrationFailureVisible(t *testing.T) {
	l := newLab(t, "visp", "ShapedDevices.v1.csv", nil)
	ctx := context.Background()
	l.setBehavior(func(context.Context, io.Writer) error { return &ExitError{Code: 2} })
	if err := l.s.RunCycle(ctx, Startup); err == nil {
		t.Fatal("want failure")
	}
	if len(l.ref.applied()) != 1 {
		t.Fatal("start-up must still set up queues from the last known good files")
	}
	l.write(FileShapedDevices, readTestdata(t, "ShapedDevices.v2.csv"))
	if err := l.s.RunCycle(ctx, FilesChanged); err != nil {
		t.Fatal(err)
	}
	contains(t, "error", l.rep.lastError(), "latest integration import failed", "VISP exited with code 2")
	if len(l.ref.applied()) != 2 {
		t.Error("edit not applied")
	}
}

func TestPreviewAndNames(t *testing.T) {
	long := strings.Repeat("x", 5000)
	lines := strings.Repeat("l\n", 40)
	tests := []struct{ name, in, want string }{
		{"short", "a\nb", "a\nb"},
		{"30 lines", strings.TrimSuffix(strings.Repeat("l\n", 30), "\n"), strings.TrimSuffix(strings.Repeat("l\n", 30), "\n")},
		{"40 lines", lines, strings.TrimSuffix(strings.Repeat("l\n", 30), "\n") + "\n..."},
		{"long", long, strings.Repeat("x", 4000) + "\n..."},
		{"long trailing space", strings.Repeat("y", 3998) + "   zz", strings.Repeat("y", 3998) + "\n..."},
	}
	for _, tc := range tests {
		if got := Preview(tc.in); got != tc.want {
			t.Errorf("Preview(%s) = %q…, want %q…", tc.name, trunc(got), trunc(tc.want))
		}
	}
	for name, want := range map[string]string{
		"uisp": "uisp_integration", "splynx": "splynx", "wispgate": "wispgate", "visp": "visp", "custom": "custom",
	} {
		if got := Token(Label(name)); got != want {
			t.Errorf("Token(Label(%q)) = %q, want %q", name, got, want)
		}
	}
	if Token("--") != "integration" || Token("My CRM 2!") != "my_crm_2" {
		t.Errorf("Token edge cases: %q %q", Token("--"), Token("My CRM 2!"))
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.Local)
	if got := LogName("uisp_integration", at); got != "lqos_scheduler_uisp_integration_20260102_030405.log" {
		t.Errorf("LogName = %q", got)
	}
	dir := t.TempDir()
	p1, err1 := writeLog(dir, "x", at, "one")
	p2, err2 := writeLog(dir, "x", at, "two")
	if err1 != nil || err2 != nil || filepath.Base(p2) != "lqos_scheduler_x_20260102_030405_2.log" {
		t.Errorf("same-second logs: %q %q %v %v", p1, p2, err1, err2)
	}
	if b, _ := os.ReadFile(p1); string(b) != "one\n" {
		t.Errorf("first log overwritten: %q", b)
	}
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:20] + "…" + s[len(s)-20:]
	}
	return s
}

// TestFirstImportFails: no files yet and the integration fails: nothing is
// applied, the integration's failure is what lqosd shows, counted once.
func TestFirstImportFails(t *testing.T) {
	l := newLab(t, "uisp", "", nil)
	l.setBehavior(func(_ context.Context, out io.Writer) error {
		io.WriteString(out, "token rejected")
		return &ExitError{Code: 1}
	})
	if err := l.s.RunOnce(context.Background()); err == nil {
		t.Fatal("want failure")
	}
	if len(l.ref.applied()) != 0 || l.s.failures != 1 {
		t.Errorf("applied %d, failures %d", len(l.ref.applied()), l.s.failures)
	}
	contains(t, "error", l.rep.lastError(), "UISP integration exited with code 1. Continuing.", "token rejected")
	if l.rep.lastPhase() != PhaseDegraded || l.rep.count("error") != 1 {
		t.Errorf("phase %q, %d error reports", l.rep.lastPhase(), l.rep.count("error"))
	}
}

// TestPostHook: the hook runs after every import, failed or not, in its
// own directory, without holding up the job.
func TestPostHook(t *testing.T) {
	bin := t.TempDir()
	marker := filepath.Join(t.TempDir(), "ran")
	hook := filepath.Join(bin, "post_integration_hook.sh")
	os.WriteFile(hook, []byte("#!/bin/sh\npwd >> "+marker+"\n"), 0o755)
	l := newLab(t, "uisp", "ShapedDevices.v1.csv", func(o *Options, d *Deps) { o.PostHook = hook })
	l.setBehavior(func(context.Context, io.Writer) error { return &ExitError{Code: 1} })
	l.s.RunCycle(context.Background(), Startup)
	l.setBehavior(func(context.Context, io.Writer) error { return nil })
	l.s.RunCycle(context.Background(), Scheduled)
	var got string
	testwait.Poll(t, func() bool { // the hook runs in the background
		b, _ := os.ReadFile(marker)
		got = string(b)
		return strings.Count(got, "\n") >= 2
	})
	if got != bin+"\n"+bin+"\n" {
		t.Errorf("hook runs recorded %q, want two runs in %s", got, bin)
	}
	// DIY mode and a missing hook: nothing happens, nothing fails.
	l2 := newLab(t, "", "ShapedDevices.v1.csv", func(o *Options, d *Deps) { o.PostHook = filepath.Join(bin, "missing.sh") })
	if err := l2.s.RunOnce(context.Background()); err != nil {
		t.Error(err)
	}
}

// TestConfigChange: a valid lqos.conf edit ends Run with ErrConfigChanged
// (systemd restarts us); an invalid one is reported and ignored.
func TestConfigChange(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "lqos.conf")
	os.WriteFile(conf, []byte("queue_refresh_interval_mins = 30\n"), 0o644)
	l := newLab(t, "", "ShapedDevices.v1.csv", func(o *Options, d *Deps) {
		o.ConfigFile = conf
		d.ConfigCheck = func(p string) error {
			b, _ := os.ReadFile(p)
			if strings.Contains(string(b), "oops") {
				return errors.New("line 1: oops is not a key")
			}
			return nil
		}
	})
	done := make(chan error, 1)
	go func() { done <- l.s.Run(context.Background()) }()
	l.clock.WaitTimers(t, 3)
	os.WriteFile(conf, []byte("oops\n"), 0o644)
	l.clock.Advance(10 * time.Second)
	l.clock.WaitTimers(t, 3)
	contains(t, "output", l.rep.last("output").Text, "was changed but is not valid; still running with the previous settings", "oops is not a key")
	os.WriteFile(conf, []byte("queue_refresh_interval_mins = 5\n"), 0o644)
	l.clock.Advance(10 * time.Second)
	if err := <-done; !errors.Is(err, ErrConfigChanged) {
		t.Fatalf("Run = %v, want ErrConfigChanged", err)
	}
}

// After a failed first setup nothing is shaped yet. Upstream then does no
// refresh until its next scheduled run (30 minutes later by default). We
// decided that an operator who fixes the cause wants it applied at once:
// the next input change (picked up by the poll) is applied as the full
// setup, the scheduled refresh retries the full setup too, and nothing is
// retried while nothing changed.
func TestAfterAFailedFirstSetup(t *testing.T) {
	tests := []struct {
		name    string
		initial string // ShapedDevices.csv at start-up
		refErr  error  // refresher error at start-up
		fix     string // file written to fix it ("" = no change)
		kind    Kind   // the job that recovers
	}{
		{name: "invalid inputs fixed on disk", initial: "ShapedDevices.bad.csv", fix: "ShapedDevices.v1.csv", kind: FilesChanged},
		{name: "invalid inputs, scheduled refresh", initial: "ShapedDevices.bad.csv", fix: "ShapedDevices.v1.csv", kind: Scheduled},
		{name: "lqosd refused, scheduled refresh retries", initial: "ShapedDevices.v1.csv", refErr: errors.New("bus: lqosd restarting"), kind: Scheduled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t, "", tc.initial, nil)
			ctx := context.Background()
			l.ref.err = tc.refErr
			if err := l.s.RunCycle(ctx, Startup); err == nil {
				t.Fatal("start-up succeeded; the case needs it to fail")
			}
			if tc.refErr == nil {
				contains(t, "error", l.rep.lastError(), "failed validation; no queues were set up")
			}
			l.ref.err = nil
			before := len(l.ref.applied())
			// Nothing changed: polling retries nothing.
			l.s.poll(ctx)
			l.s.poll(ctx)
			if n := len(l.ref.applied()); n != before {
				t.Fatalf("unchanged inputs retried by the poll: %d calls", n-before)
			}
			if tc.fix != "" {
				l.write(FileShapedDevices, readTestdata(t, tc.fix))
			}
			if tc.kind == FilesChanged {
				l.s.poll(ctx)
				l.s.poll(ctx)
			} else if err := l.s.RunCycle(ctx, tc.kind); err != nil {
				t.Fatal(err)
			}
			calls := l.ref.applied()
			if len(calls) != before+1 || !calls[len(calls)-1].full {
				t.Fatalf("recovery not applied as the full setup: %+v", calls)
			}
			if l.rep.lastError() != "" || l.rep.lastPhase() != PhaseReady {
				t.Errorf("after recovery: error %q phase %q", l.rep.lastError(), l.rep.lastPhase())
			}
			// Once set up, later changes are incremental again.
			l.write(FileShapedDevices, readTestdata(t, "ShapedDevices.v2.csv"))
			l.s.poll(ctx)
			l.s.poll(ctx)
			if calls := l.ref.applied(); len(calls) != before+2 || calls[len(calls)-1].full {
				t.Errorf("change after a good setup not incremental: %+v", calls)
			}
		})
	}
}

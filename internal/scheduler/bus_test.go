package scheduler

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// daemon is a real bus server with lqosd's real scheduler tracker and
// urgent store behind it (a fake lqosd for everything else).
type daemon struct {
	bus.Unimplemented
	bus.SchedulerTracker
	bus.UrgentStore
}

func startDaemon(t *testing.T, path string) (*daemon, func()) {
	t.Helper()
	st, err := urgent.Open(filepath.Join(t.TempDir(), "urgent.json"), urgent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{SchedulerTracker: bus.SchedulerTracker{Tracker: schedstatus.New(nil)}, UrgentStore: bus.UrgentStore{Store: st}}
	srv, err := bus.Listen(d, bus.ServerOptions{SocketPath: path, AllowUIDs: []uint32{uint32(os.Getuid())}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return d, stop
}

// Resolve the embedded Handler methods the three types all declare.
func (d *daemon) SchedulerReport(ctx context.Context, r bus.Request) error {
	return d.SchedulerTracker.SchedulerReport(ctx, r)
}
func (d *daemon) SchedulerStatus(ctx context.Context) (schedstatus.Status, error) {
	return d.SchedulerTracker.SchedulerStatus(ctx)
}
func (d *daemon) RaiseUrgent(ctx context.Context, r *bus.RaiseUrgent) (urgent.Issue, error) {
	return d.UrgentStore.RaiseUrgent(ctx, r)
}
func (d *daemon) ListUrgent(ctx context.Context, r *bus.ListUrgent) ([]urgent.Issue, error) {
	return d.UrgentStore.ListUrgent(ctx, r)
}
func (d *daemon) AckUrgent(ctx context.Context, r *bus.AckUrgent) ([]urgent.Issue, error) {
	return d.UrgentStore.AckUrgent(ctx, r)
}

// TestStatusInLqosd: what lqosd shows after failures and a recovery,
// through the real bus, including an lqosd restart in between.
func TestStatusInLqosd(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "run", "bus")
	rep := &BusReporter{Path: sock}
	defer rep.Close()
	l := newLab(t, "splynx", "ShapedDevices.v1.csv", func(o *Options, d *Deps) {
		d.Reporter, d.Bus = rep, rep
	})
	ctx := context.Background()

	// lqosd is not up yet: the scheduler waits, then connects.
	waited := make(chan error, 1)
	go func() { waited <- l.s.WaitForBus(ctx) }()
	l.clock.WaitTimers(t, 1) // first attempt failed, backing off
	d, stop := startDaemon(t, sock)
	l.clock.Advance(time.Hour)
	if err := <-waited; err != nil {
		t.Fatal(err)
	}
	if st := d.Tracker.Status(); st.Phase != PhaseWaitingForBus || !st.Available {
		t.Errorf("after connecting: %+v", st)
	}

	l.setBehavior(func(_ context.Context, out io.Writer) error {
		io.WriteString(out, "HTTP 401 from https://splynx.example/api/2.0/admin/customers/customer")
		return &ExitError{Code: 1}
	})
	for i := range 3 {
		if err := l.s.RunCycle(ctx, Scheduled); err == nil {
			t.Fatalf("run %d: want failure", i)
		}
		if i == 0 {
			// lqosd restarts between two reports: the reporter reconnects.
			stop()
			d, stop = startDaemon(t, sock)
		}
	}
	st := d.Tracker.Status()
	if st.State != schedstatus.StateError || st.LastError == nil {
		t.Fatalf("status after failures: %+v", st)
	}
	contains(t, "lqosd error preview", st.LastError.Preview, "Splynx exited with code 1. Continuing.", "HTTP 401")
	if st.LastError.Integration != "splynx" || !strings.HasPrefix(filepath.Base(st.LastError.LogPath), "lqos_scheduler_splynx_") {
		t.Errorf("error report %+v", st.LastError)
	}
	if st.Phase != PhaseDegraded {
		t.Errorf("phase %q", st.Phase)
	}
	issues := d.Store.List(urgent.ListOptions{})
	if len(issues) != 1 || issues[0].Code != UrgentRepeatedFailed || issues[0].Source != "scheduler" || issues[0].Severity != urgent.Error {
		t.Fatalf("urgent issues %+v", issues)
	}

	l.setBehavior(l.writes("ShapedDevices.v2.csv", ""))
	l.s.setNextRun(l.clock.Now().Add(30 * time.Minute))
	if err := l.s.RunCycle(ctx, Scheduled); err != nil {
		t.Fatal(err)
	}
	l.s.heartbeat(ctx)
	st = d.Tracker.Status()
	if st.State != schedstatus.StateHealthy || st.LastError != nil || st.LastSuccess == nil || st.Phase != PhaseReady {
		t.Errorf("status after recovery: %+v", st)
	}
	if !st.NextRun.Equal(l.s.NextRun()) {
		t.Errorf("next run %v, want %v", st.NextRun, l.s.NextRun())
	}
	if st.LastOutput == nil || !strings.Contains(st.LastOutput.Text, "Splynx completed successfully.") {
		t.Errorf("output %+v", st.LastOutput)
	}

	// One more failure, then lqosd restarts and forgets: the next heartbeat
	// restores the whole picture.
	l.setBehavior(func(context.Context, io.Writer) error { return &ExitError{Code: 9} })
	l.s.RunCycle(ctx, Scheduled)
	stop()
	d, _ = startDaemon(t, sock)
	if st := d.Tracker.Status(); st.State != schedstatus.StateUnknown {
		t.Fatalf("fresh lqosd already knows %+v", st)
	}
	l.s.heartbeat(ctx)
	st = d.Tracker.Status()
	if st.LastError == nil || !strings.Contains(st.LastError.Preview, "Splynx exited with code 9") ||
		st.LastSuccess == nil || st.Phase != PhaseDegraded || !st.NextRun.Equal(l.s.NextRun()) {
		t.Errorf("status after lqosd restart and one heartbeat: %+v", st)
	}
}

// TestBusReporterDown: every report fails cleanly when lqosd is away.
func TestBusReporterDown(t *testing.T) {
	rep := &BusReporter{Path: filepath.Join(t.TempDir(), "bus")}
	ctx := context.Background()
	for name, err := range map[string]error{
		"ping":      rep.Ping(ctx),
		"heartbeat": rep.Heartbeat(ctx, time.Time{}),
		"urgent":    rep.RaiseUrgent(ctx, Urgent{Code: "X", Severity: "error", Message: "m"}),
	} {
		if err == nil || !strings.Contains(err.Error(), "is lqosd running?") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A request lqosd refuses is an answer, not a transport failure.
	sock := filepath.Join(t.TempDir(), "bus")
	startDaemon(t, sock)
	rep = &BusReporter{Path: sock}
	defer rep.Close()
	err := rep.Progress(ctx, Progress{Phase: ""})
	var be *bus.Error
	if !errors.As(err, &be) || be.Code != bus.CodeInvalidArgument {
		t.Errorf("invalid progress: %v", err)
	}
}

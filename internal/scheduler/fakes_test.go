package scheduler

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/testwait"
)

// fakeClock only moves when the test says so. Timers fire in Advance.
type fakeClock struct {
	mu     sync.Mutex
	cond   *sync.Cond
	now    time.Time
	timers []*fakeTimer
}

func newFakeClock() *fakeClock {
	c := &fakeClock{now: time.Date(2026, 3, 4, 5, 6, 7, 0, time.Local)}
	c.cond = sync.NewCond(&c.mu)
	return c
}

type fakeTimer struct {
	c    *fakeClock
	at   time.Time
	ch   chan time.Time
	done bool
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), ch: make(chan time.Time, 1)}
	if d <= 0 {
		t.done = true
		t.ch <- c.now
	} else {
		c.timers = append(c.timers, t)
	}
	c.cond.Broadcast()
	return t
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.done
	t.done = true
	t.c.cond.Broadcast()
	return was
}

// Advance moves the clock and fires every timer that is due.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for _, t := range c.timers {
		if !t.done && !t.at.After(c.now) {
			t.done = true
			t.ch <- c.now
		}
	}
	c.cond.Broadcast()
}

func (c *fakeClock) pendingLocked() int {
	n := 0
	live := c.timers[:0]
	for _, t := range c.timers {
		if !t.done {
			n++
			live = append(live, t)
		}
	}
	c.timers = live
	return n
}

// WaitTimers blocks until n timers are armed: the goroutines that own them
// have finished handling whatever fired before. A deadlock guard fails the
// test at the test deadline instead of hanging it (not a timing assertion).
func (c *fakeClock) WaitTimers(t *testing.T, n int) {
	t.Helper()
	deadline, bounded := testwait.Deadline(t)
	if bounded {
		stop := time.AfterFunc(time.Until(deadline), func() { c.cond.Broadcast() })
		defer stop.Stop()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.pendingLocked() < n {
		if bounded && time.Now().After(deadline) {
			t.Fatalf("fake clock: %d timers armed, want %d (scheduler stuck?)", c.pendingLocked(), n)
		}
		c.cond.Wait()
	}
}

// event is one report the scheduler sent.
type event struct {
	Kind        string // heartbeat progress output error success urgent
	Text        string // output/error text, progress phase
	Label       string
	Integration string
	LogPath     string
	Active      bool
	NextRun     time.Time
	Urgent      Urgent
}

type fakeReporter struct {
	mu     sync.Mutex
	events []event
	fail   bool // simulate lqosd gone
}

func (r *fakeReporter) add(e event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("lqosd not reachable")
	}
	r.events = append(r.events, e)
	return nil
}

func (r *fakeReporter) Heartbeat(_ context.Context, next time.Time) error {
	return r.add(event{Kind: "heartbeat", NextRun: next})
}
func (r *fakeReporter) Progress(_ context.Context, p Progress) error {
	return r.add(event{Kind: "progress", Text: p.Phase, Label: p.Label, Active: p.Active})
}
func (r *fakeReporter) Output(_ context.Context, text, logPath string) error {
	return r.add(event{Kind: "output", Text: text, LogPath: logPath})
}
func (r *fakeReporter) Error(_ context.Context, integ, text, logPath string) error {
	return r.add(event{Kind: "error", Text: text, Integration: integ, LogPath: logPath})
}
func (r *fakeReporter) Success(context.Context, time.Time, time.Duration) error {
	return r.add(event{Kind: "success"})
}
func (r *fakeReporter) RaiseUrgent(_ context.Context, u Urgent) error {
	return r.add(event{Kind: "urgent", Urgent: u})
}

func (r *fakeReporter) all() []event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]event(nil), r.events...)
}

func (r *fakeReporter) count(kind string) int {
	n := 0
	for _, e := range r.all() {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// last returns the latest event of kind (zero event if none).
func (r *fakeReporter) last(kind string) event {
	ev := r.all()
	for i := len(ev) - 1; i >= 0; i-- {
		if ev[i].Kind == kind {
			return ev[i]
		}
	}
	return event{}
}

// lastError is the current error as lqosd would show it ("" = cleared).
func (r *fakeReporter) lastError() string { return r.last("error").Text }

// lastPhase is the current progress phase.
func (r *fakeReporter) lastPhase() string { return r.last("progress").Text }

type refreshCall struct {
	devices string
	full    bool
}

type fakeRefresher struct {
	mu     sync.Mutex
	calls  []refreshCall
	err    error
	panic  bool
	check  func(in *Inputs) // optional hook while "applying"
	gotBad bool
}

func (f *fakeRefresher) Refresh(_ context.Context, r RefreshRequest) error {
	in, full := r.Inputs, r.Full
	f.mu.Lock()
	defer f.mu.Unlock()
	// Every lab checks at cleanup that no invalid snapshot ever got here.
	if in.Parsed == nil || strings.Contains(string(in.Files[FileShapedDevices]), "Circuit nine") {
		f.gotBad = true
		return errors.New("refresher got inputs that were not validated")
	}
	if f.check != nil {
		f.check(in)
	}
	if f.panic {
		panic("kernel said no")
	}
	if f.err != nil {
		return f.err
	}
	f.calls = append(f.calls, refreshCall{devices: string(in.Files[FileShapedDevices]), full: full})
	return nil
}

func (f *fakeRefresher) applied() []refreshCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]refreshCall(nil), f.calls...)
}

// current is what the queues hold now (devices of the last good apply).
func (f *fakeRefresher) current() string {
	c := f.applied()
	if len(c) == 0 {
		return ""
	}
	return c[len(c)-1].devices
}

type fakeBus struct {
	mu       sync.Mutex
	failures int // fail this many pings first
	pings    int
}

func (b *fakeBus) Ping(context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pings++
	if b.pings <= b.failures {
		return errors.New("dial unix /run/lqos/bus: connect: no such file or directory")
	}
	return nil
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lab is a scheduler over a temporary input directory with fakes.
type lab struct {
	t        *testing.T
	dir      string
	logDir   string
	clock    *fakeClock
	rep      *fakeReporter
	ref      *fakeRefresher
	bus      *fakeBus
	s        *Scheduler
	logs     *syncBuffer
	notes    *syncBuffer
	behavior func(ctx context.Context, out io.Writer) error
	bmu      sync.Mutex
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// newLab prepares inputs (devices: testdata name or "" for none) and a
// scheduler for integration ("" = DIY mode).
func newLab(t *testing.T, integration, devices string, mod func(*Options, *Deps)) *lab {
	t.Helper()
	l := &lab{t: t, dir: t.TempDir(), logDir: t.TempDir(), clock: newFakeClock(),
		rep: &fakeReporter{}, ref: &fakeRefresher{}, bus: &fakeBus{}, logs: &syncBuffer{}, notes: &syncBuffer{}}
	if devices != "" {
		l.write(FileShapedDevices, readTestdata(t, devices))
		l.write(FileNetwork, readTestdata(t, "network.json"))
	}
	l.behavior = func(context.Context, io.Writer) error { return nil }
	o := Options{Integration: integration, InputDir: l.dir, LogDir: l.logDir,
		IntegrationTimeout: time.Hour}
	d := Deps{Reporter: l.rep, Bus: l.bus, Refresher: l.ref, Clock: l.clock,
		Logger: slog.New(slog.NewTextHandler(l.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Notify: func(s string) { l.notes.Write([]byte(s + "\n")) },
		Runner: hangGate{FuncRunner{integration: func(ctx context.Context, out io.Writer) error {
			l.bmu.Lock()
			b := l.behavior
			l.bmu.Unlock()
			return b(ctx, out)
		}}}}
	if mod != nil {
		mod(&o, &d)
	}
	s, err := New(o, d)
	if err != nil {
		t.Fatal(err)
	}
	l.s = s
	t.Cleanup(func() {
		l.ref.mu.Lock()
		defer l.ref.mu.Unlock()
		if l.ref.gotBad {
			t.Error("the queue refresher was called with invalid inputs")
		}
	})
	return l
}

func (l *lab) setBehavior(f func(ctx context.Context, out io.Writer) error) {
	l.bmu.Lock()
	l.behavior = f
	l.bmu.Unlock()
}

func (l *lab) write(name string, data []byte) {
	l.t.Helper()
	if err := writeAtomic(filepath.Join(l.dir, name), data); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lab) read(name string) string {
	b, _ := os.ReadFile(filepath.Join(l.dir, name))
	return string(b)
}

// logFiles lists the saved output logs.
func (l *lab) logFiles() []string {
	m, _ := filepath.Glob(filepath.Join(l.logDir, "lqos_scheduler_*.log"))
	return m
}

// Integration behaviours.

// hangForever prints, says it is hung, and ignores ctx until release.
func hangForever(release <-chan struct{}) func(context.Context, io.Writer) error {
	return func(ctx context.Context, out io.Writer) error {
		io.WriteString(out, "fetching customers...\n")
		if h, ok := ctx.Value(hungKey{}).(func()); ok {
			h()
		}
		<-release // ignores ctx on purpose
		return nil
	}
}

type hungKey struct{}

// hangGate plays the integration timeout: a behaviour that reports itself
// hung gets its context ended, exactly as the deadline would, but without
// depending on how fast this machine is.
type hangGate struct{ inner IntegrationRunner }

func (g hangGate) Run(ctx context.Context, name string) RunResult {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return g.inner.Run(context.WithValue(ctx, hungKey{}, func() { cancel() }), name)
}

func contains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}

package apply

import (
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

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/lock"
)

// reloadDaemon is an lqosd stand-in that takes the apply lock while it
// applies, as the real one does.
type reloadDaemon struct {
	bus.Unimplemented
	lockPath string
	mu       sync.Mutex
	reasons  []string
	fail     error
}

func (d *reloadDaemon) ReloadPlan(ctx context.Context, r *bus.ReloadPlan) (*bus.PlanResult, error) {
	lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	l, err := lock.Acquire(lctx, d.lockPath, "lqosd", nil)
	if err != nil {
		return nil, err
	}
	defer l.Release()
	d.mu.Lock()
	defer d.mu.Unlock()
	d.reasons = append(d.reasons, r.Reason)
	if d.fail != nil {
		return nil, d.fail
	}
	return &bus.PlanResult{Applied: true, Summary: "3 circuits", Warnings: []string{"default_sqm replaced by pfifo"}}, nil
}

// countingLocal stands in for the in-process apply and counts its calls.
type countingLocal struct{ calls int }

func (c *countingLocal) apply(context.Context, Request) (*Outcome, error) {
	c.calls++
	return &Outcome{}, nil
}

// applier is the scheduler's Applier with the in-process apply counted.
func applier(busPath, lockPath string, wait time.Duration, local *countingLocal, log *slog.Logger) *Applier {
	return &Applier{BusPath: busPath, Log: log, Local: local.apply, Lock: Lock{Path: lockPath, Who: "lqos_scheduler", Wait: wait}}
}

var startUp = Request{Reason: "scheduler start-up", Full: true}
var refresh = Request{Reason: "scheduler refresh"}

func TestApplierHandsTheApplyToLqosd(t *testing.T) {
	dir := t.TempDir()
	sock, lockPath := filepath.Join(dir, "run", "bus"), filepath.Join(dir, "apply.lock")
	d := &reloadDaemon{lockPath: lockPath}
	srv, err := bus.Listen(d, bus.ServerOptions{SocketPath: sock, AllowUIDs: []uint32{uint32(os.Getuid())}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	defer func() { cancel(); <-done }()

	local := &countingLocal{}
	r := applier(sock, lockPath, 0, local, nil)
	if _, err := r.Apply(context.Background(), startUp); err != nil {
		t.Fatal(err)
	}
	if len(d.reasons) != 1 || d.reasons[0] != "scheduler start-up" || local.calls != 0 {
		t.Fatalf("reasons %v, local calls %d", d.reasons, local.calls)
	}
	d.fail = errors.New("kernel said no")
	_, err = r.Apply(context.Background(), refresh)
	if err == nil || !strings.Contains(err.Error(), "kernel said no") || !strings.Contains(err.Error(), "previous ones stay") {
		t.Fatalf("err = %v", err)
	}
	if local.calls != 0 {
		t.Error("a refusal from lqosd must not be retried locally")
	}
}

func TestApplierFallsBackUnderTheLock(t *testing.T) {
	dir := t.TempDir()
	lockPath := filepath.Join(dir, "apply.lock")
	local := &countingLocal{}
	r := applier(filepath.Join(dir, "no-such-bus"), lockPath, 200*time.Millisecond, local, nil)
	if _, err := r.Apply(context.Background(), refresh); err != nil || local.calls != 1 {
		t.Fatalf("err %v, local calls %d", err, local.calls)
	}
	// Someone else (libreqos) holds the lock: the local apply waits, then gives up.
	held, err := lock.TryAcquire(lockPath, "libreqos")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release()
	if _, err := r.Apply(context.Background(), refresh); err == nil || local.calls != 1 {
		t.Fatalf("applied while the lock was held: err %v, calls %d", err, local.calls)
	}
}

// signalHandler is a slog handler that closes ch the first time a record
// with message msg is logged.
type signalHandler struct {
	slog.Handler
	msg  string
	once *sync.Once
	ch   chan struct{}
}

func (h signalHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.once.Do(func() { close(h.ch) })
	}
	return h.Handler.Handle(ctx, r)
}

// lqosd restarts while the scheduler waits for the apply lock (libreqos
// holds it): once it gets the lock the scheduler must see lqosd is back
// and hand it the apply instead of applying in-process.
func TestApplierRechecksLqosdAfterWaiting(t *testing.T) {
	dir := t.TempDir()
	sock, lockPath := filepath.Join(dir, "run", "bus"), filepath.Join(dir, "apply.lock")
	held, err := lock.TryAcquire(lockPath, "libreqos")
	if err != nil {
		t.Fatal(err)
	}
	waiting := make(chan struct{})
	log := slog.New(signalHandler{Handler: slog.NewTextHandler(io.Discard, nil), msg: "waiting for the apply lock", once: &sync.Once{}, ch: waiting})
	local := &countingLocal{}
	r := applier(sock, lockPath, time.Minute, local, nil)
	r.Lock.OnWait = func(b *lock.BusyError) { log.Warn("waiting for the apply lock", "holder", b.Holder) }
	done := make(chan error, 1)
	go func() { _, err := r.Apply(context.Background(), refresh); done <- err }()
	<-waiting

	d := &reloadDaemon{lockPath: lockPath}
	srv, err := bus.Listen(d, bus.ServerOptions{SocketPath: sock, AllowUIDs: []uint32{uint32(os.Getuid())}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	defer func() { cancel(); <-served }()
	held.Release()

	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if local.calls != 0 || len(d.reasons) != 1 {
		t.Fatalf("lqosd came back but the scheduler applied in-process: local calls %d, lqosd applies %v", local.calls, d.reasons)
	}
}

package apply

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/lock"
)

func TestLockRule(t *testing.T) {
	path := filepath.Join(t.TempDir(), "apply.lock")
	held, err := lock.TryAcquire(path, "libreqos")
	if err != nil {
		t.Fatal(err)
	}
	// NoWait: busy at once, as ErrLockBusy naming the holder.
	_, err = Lock{Path: path, Who: "lqosd", Wait: NoWait}.Take(context.Background())
	var be *lock.BusyError
	if !errors.Is(err, ErrLockBusy) || !errors.As(err, &be) || be.Holder == "" {
		t.Fatalf("NoWait on a held lock: %v", err)
	}
	// A bounded wait tells whom it waits for, once, then gives up.
	told := 0
	_, err = Lock{Path: path, Who: "lqos_scheduler", Wait: 30 * time.Millisecond, OnWait: func(*lock.BusyError) { told++ }}.Take(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, lock.ErrBusy) || told != 1 {
		t.Fatalf("bounded wait: %v, told %d times", err, told)
	}
	held.Release()
	lk, err := Lock{Path: path, Who: "lqosd", Wait: NoWait}.Take(context.Background())
	if err != nil {
		t.Fatalf("free lock: %v", err)
	}
	lk.Release()
}

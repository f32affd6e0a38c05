package apply

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/libreqos-go/lqos/internal/lock"
)

// LockWait bounds how long an apply someone asked for (libreqos, a scheduler
// refresh, a reload over the bus, SIGHUP) waits for the apply that holds the
// lock: long enough for a full apply of a large network to finish.
const LockWait = 15 * time.Minute

// NoWait takes the lock only when it is free. lqosd's start-up apply, drift
// check and lazy-queue updates use it: whoever holds the lock is setting the
// plan anyway (and may be waiting for lqosd's bus), and the next tick
// catches up.
const NoWait time.Duration = -1

// ErrLockBusy is matched (errors.Is) when the lock was busy and the caller
// chose NoWait.
var ErrLockBusy = errors.New("another apply (libreqos, the scheduler or lqosd) holds the apply lock")

// Lock names the apply lock and how to wait for it.
type Lock struct {
	Path string // lock.DefaultPath if empty
	Who  string // the holder's name in the lock file ("libreqos", "lqosd"...)
	// Wait bounds the wait: 0 = LockWait, NoWait = do not wait.
	Wait time.Duration
	// OnWait, if set, is told once whom the apply waits for.
	OnWait func(*lock.BusyError)
}

// Take acquires the lock by the rule above. A busy lock with NoWait is
// ErrLockBusy (and a *lock.BusyError); a wait that ran out is the context's
// error and the *lock.BusyError.
func (l Lock) Take(ctx context.Context) (*lock.Lock, error) {
	path := l.Path
	if path == "" {
		path = lock.DefaultPath
	}
	if l.Wait == NoWait {
		lk, err := lock.TryAcquire(path, l.Who)
		if errors.Is(err, lock.ErrBusy) {
			return nil, fmt.Errorf("%w: %w", ErrLockBusy, err)
		}
		if err != nil {
			return nil, fmt.Errorf("apply lock: %w", err)
		}
		return lk, nil
	}
	wait := l.Wait
	if wait == 0 {
		wait = LockWait
	}
	lctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	lk, err := lock.Acquire(lctx, path, l.Who, l.OnWait)
	if err != nil {
		return nil, fmt.Errorf("apply lock: %w", err)
	}
	return lk, nil
}

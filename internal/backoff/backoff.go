// Package backoff is the one retry schedule and retry loop of the programs:
// exponential waits with a cap, errors that retrying cannot fix, and a
// context that ends the waiting. Loops that count their attempts, wait on an
// injected clock or poll (integration API requests, the scheduler waiting for
// lqosd, the apply lock) take their waits from Exponential.Delay and keep
// their own loop.
package backoff

import (
	"context"
	"errors"
	"time"
)

// Exponential is a retry schedule: Initial, then each wait Factor times the
// previous, never more than Max (nor less than Initial). Factor 1 waits
// Initial every time.
type Exponential struct {
	Initial, Max time.Duration
	Factor       float64
}

// Constant waits d before every retry.
func Constant(d time.Duration) Exponential { return Exponential{Initial: d, Max: d, Factor: 1} }

// Delay returns the wait before retry n (1 for the first retry).
func (e Exponential) Delay(n int) time.Duration {
	if e.Factor <= 1 {
		return e.Initial
	}
	limit := max(e.Max, e.Initial)
	wait := e.Initial
	for i := 1; i < n && wait < limit; i++ {
		next := time.Duration(float64(wait) * e.Factor)
		if next <= wait { // overflow
			next = limit
		}
		wait = min(next, limit)
	}
	return wait
}

type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent wraps err so Retry gives up at once.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err came from Permanent.
func IsPermanent(err error) bool { return errors.As(err, new(permanentError)) }

// Sleep waits d, or less when ctx ends first (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Retry calls fn until it succeeds, returns a Permanent error, or ctx ends
// (then ctx's error joined with fn's last error is returned), waiting
// s.Delay(n) before retry n. onRetry, if set, hears each failure and the
// wait before the next try.
func Retry(ctx context.Context, s Exponential, fn func() error, onRetry func(err error, wait time.Duration)) error {
	for n := 1; ; n++ {
		err := fn()
		if err == nil || IsPermanent(err) {
			return err
		}
		wait := s.Delay(n)
		if onRetry != nil {
			onRetry(err, wait)
		}
		if cerr := Sleep(ctx, wait); cerr != nil {
			return errors.Join(cerr, err)
		}
	}
}

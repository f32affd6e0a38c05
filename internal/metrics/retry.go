package metrics

import (
	"context"
	"errors"
	"time"
)

// Backoff is an exponential retry schedule: Initial, then each wait
// Factor times the previous, never more than Max.
type Backoff struct {
	Initial, Max time.Duration
	Factor       float64
}

// DefaultBackoff waits 1 s, 2 s, 4 s ... up to a minute.
var DefaultBackoff = Backoff{Initial: time.Second, Max: time.Minute, Factor: 2}

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent wraps err so Retry gives up at once.
func Permanent(err error) error { return permanentError{err} }

// IsPermanent reports whether err came from Permanent.
func IsPermanent(err error) bool { return errors.As(err, new(permanentError)) }

// Retry calls fn until it succeeds, returns a Permanent error, or ctx ends
// (then ctx's error joined with fn's last error is returned). onRetry, if
// set, hears each failure and the wait before the next try.
func Retry(ctx context.Context, b Backoff, fn func() error, onRetry func(err error, wait time.Duration)) error {
	if b.Initial <= 0 {
		b = DefaultBackoff
	}
	if b.Factor < 1 {
		b.Factor = 1
	}
	wait := b.Initial
	for {
		err := fn()
		if err == nil || IsPermanent(err) {
			return err
		}
		if onRetry != nil {
			onRetry(err, wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ctx.Err(), err)
		case <-t.C:
		}
		wait = min(time.Duration(float64(wait)*b.Factor), max(b.Max, b.Initial))
	}
}

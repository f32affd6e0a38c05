// Package testwait lets a test wait for a state the code under test
// exposes (a counter, a file, a status) instead of sleeping for a guessed
// time. The only bound is the test binary's own deadline (go test
// -timeout): a slow machine makes a test slower, never wrong.
package testwait

import (
	"context"
	"testing"
	"time"
)

// reportMargin is kept back from the test deadline so a state that never
// comes fails with its name, not with the test binary's panic.
const reportMargin = 5 * time.Second

// Until polls cond until it holds and fails the test naming what never
// happened if the test deadline comes first. The poll interval grows from
// 1 ms to 50 ms: a state reached quickly is seen quickly, a slow one does
// not burn a CPU.
func Until(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !Poll(t, cond) {
		t.Fatalf("never happened before the test deadline: %s", what)
	}
}

// Poll is Until without the failure: it reports whether cond held before
// the test deadline.
func Poll(t testing.TB, cond func() bool) bool {
	t.Helper()
	end, bounded := Deadline(t)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		if cond() {
			return true
		}
		if bounded && time.Now().After(end) {
			return false
		}
		time.Sleep(wait)
	}
}

// Deadline is the test binary's deadline less the reporting margin; ok is
// false when the binary runs without one (-timeout 0).
func Deadline(t testing.TB) (end time.Time, ok bool) {
	dt, ok := t.(interface{ Deadline() (time.Time, bool) })
	if !ok {
		return time.Time{}, false
	}
	d, ok := dt.Deadline()
	if !ok {
		return time.Time{}, false
	}
	margin := min(reportMargin, time.Until(d)/10)
	return d.Add(-margin), true
}

// Context is a context that ends at the test deadline (less the reporting
// margin), for calls that take one; it never ends without a deadline.
func Context(t testing.TB) (context.Context, context.CancelFunc) {
	if end, ok := Deadline(t); ok {
		return context.WithDeadline(context.Background(), end)
	}
	return context.WithCancel(context.Background())
}

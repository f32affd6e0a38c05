package backoff

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	const ms = time.Millisecond
	tests := []struct {
		name string
		s    Exponential
		want []time.Duration // retries 1, 2, ...
	}{
		{"doubling to a cap", Exponential{Initial: time.Second, Max: time.Minute, Factor: 2}, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 32 * time.Second, time.Minute, time.Minute}},
		{"integration API default", Exponential{Initial: 500 * ms, Max: 10 * time.Second, Factor: 2}, []time.Duration{500 * ms, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second}},
		{"constant", Constant(30 * time.Second), []time.Duration{30 * time.Second, 30 * time.Second, 30 * time.Second}},
		{"factor below 1 is constant", Exponential{Initial: ms, Max: time.Second, Factor: 0.5}, []time.Duration{ms, ms}},
		{"max below initial", Exponential{Initial: time.Second, Max: ms, Factor: 2}, []time.Duration{time.Second, time.Second}},
		{"1.5", Exponential{Initial: 100 * ms, Max: time.Second, Factor: 1.5}, []time.Duration{100 * ms, 150 * ms, 225 * ms, 337500 * time.Microsecond}},
	}
	for _, tc := range tests {
		var got []time.Duration
		for n := 1; n <= len(tc.want); n++ {
			got = append(got, tc.s.Delay(n))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	if d := (Exponential{Initial: time.Hour, Max: 1 << 62, Factor: 1e9}).Delay(100); d != 1<<62 {
		t.Errorf("overflowing schedule: %v, want the cap", d)
	}
}

func TestRetry(t *testing.T) {
	s := Exponential{Initial: time.Microsecond, Max: 4 * time.Microsecond, Factor: 2}
	fail := errors.New("down")

	// Succeeds on the third try; onRetry hears both failures with the schedule's waits.
	calls := 0
	var waits []time.Duration
	err := Retry(context.Background(), s, func() error {
		calls++
		if calls < 3 {
			return fail
		}
		return nil
	}, func(err error, wait time.Duration) {
		if !errors.Is(err, fail) {
			t.Errorf("onRetry got %v", err)
		}
		waits = append(waits, wait)
	})
	if err != nil || calls != 3 || !slices.Equal(waits, []time.Duration{time.Microsecond, 2 * time.Microsecond}) {
		t.Errorf("err %v, calls %d, waits %v", err, calls, waits)
	}

	// A permanent error ends it at once.
	calls = 0
	err = Retry(context.Background(), s, func() error { calls++; return Permanent(fail) }, nil)
	if calls != 1 || !errors.Is(err, fail) || !IsPermanent(err) {
		t.Errorf("permanent: calls %d, err %v", calls, err)
	}

	// An ended context returns its error joined with the last failure.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = Retry(ctx, Constant(time.Hour), func() error { return fail }, nil)
	if !errors.Is(err, context.Canceled) || !errors.Is(err, fail) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestSleep(t *testing.T) {
	if err := Sleep(context.Background(), time.Microsecond); err != nil {
		t.Errorf("Sleep: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("Sleep with an ended context: %v", err)
	}
}

package webui

import (
	"sync"
	"time"
)

// failLimiter counts login failures per key in a sliding window.
type failLimiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	fails map[string][]time.Time
}

func newFailLimiter(max int, window time.Duration, now func() time.Time) *failLimiter {
	return &failLimiter{max: max, window: window, now: now, fails: map[string][]time.Time{}}
}

// blocked reports whether key has used up its failures in the window.
func (l *failLimiter) blocked(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.pruneLocked(key)) >= l.max
}

func (l *failLimiter) fail(key string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := append(l.pruneLocked(key), l.now())
	l.fails[key] = f
	// Bound memory under a spray of distinct keys.
	if len(l.fails) > 10000 {
		for k := range l.fails {
			if len(l.pruneLocked(k)) == 0 {
				delete(l.fails, k)
			}
		}
	}
	return len(f)
}

func (l *failLimiter) reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

func (l *failLimiter) pruneLocked(key string) []time.Time {
	f := l.fails[key]
	cut := l.now().Add(-l.window)
	i := 0
	for i < len(f) && !f[i].After(cut) {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = f
	return f
}

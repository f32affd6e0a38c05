package scheduler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"sync"
	"time"
)

// FuncRunner runs integrations as functions in this process, each on its
// own goroutine, with panics recovered. A function that ignores ctx cannot be
// stopped: Run returns on ctx end and the goroutine is abandoned (it keeps
// its memory until it returns). That is why lqos_scheduler runs real
// integrations through ExecRunner; FuncRunner serves the tests.
type FuncRunner map[string]func(ctx context.Context, out io.Writer) error

// Run implements IntegrationRunner.
func (f FuncRunner) Run(ctx context.Context, name string) RunResult {
	fn, ok := f[name]
	if !ok {
		return RunResult{Err: fmt.Errorf("no integration named %q in this build", name)}
	}
	var out lockedBuffer
	start := time.Now()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				stack := string(debug.Stack())
				fmt.Fprintf(&out, "panic: %v\n\n%s", v, stack)
				done <- &PanicError{Value: v, Stack: stack}
			}
		}()
		done <- fn(ctx, &out)
	}()
	select {
	case err := <-done:
		if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
			err = &TimeoutError{After: time.Since(start).Round(time.Millisecond)}
		} else if err != nil {
			var pe *PanicError
			if !errors.As(err, &pe) {
				// The error text is part of what the operator must see.
				fmt.Fprintf(&out, "\nerror: %v", err)
			}
		}
		return RunResult{Output: out.String(), Err: err}
	case <-ctx.Done():
		return RunResult{Output: out.String(), Err: &TimeoutError{After: time.Since(start).Round(time.Millisecond)}}
	}
}

// lockedBuffer is a bytes.Buffer safe for the writer goroutine and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

package scheduler

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"syscall"
	"time"

	"github.com/libreqos-go/lqos/internal/cores"
)

// IntegrationRunner runs one import of the named integration. The
// integration writes its outputs (network.json, ShapedDevices.csv) itself,
// atomically, and only after a fully successful fetch. Run must return when
// ctx ends, even if the integration does not cooperate.
type IntegrationRunner interface {
	Run(ctx context.Context, name string) RunResult
}

// RunResult is what one integration run produced.
type RunResult struct {
	// Output is the captured output: stdout followed by stderr.
	Output string
	// Err is nil on success, else *ExitError, *TimeoutError, *PanicError or
	// a launch error.
	Err error
}

// ExitError: the integration finished with a non-zero exit code.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exited with code %d", e.Code) }

// TimeoutError: the integration did not finish in time and was stopped.
type TimeoutError struct{ After time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("did not finish within %s and was stopped", e.After)
}

// PanicError: an in-process integration panicked.
type PanicError struct {
	Value any
	Stack string
}

func (e *PanicError) Error() string { return fmt.Sprintf("crashed: panic: %v", e.Value) }

// ExecRunner runs each integration as a child process: a hang that ignores
// every request to stop is ended with SIGKILL of its whole process group,
// and a crash or memory blow-up cannot take the scheduler down.
type ExecRunner struct {
	// Path of the executable (normally the scheduler's own binary).
	Path string
	// Args returns the arguments for an integration, e.g.
	// ["--run-integration", name, "--config", path].
	Args func(name string) []string
	// Env is the child's environment (nil = inherit).
	Env []string
	// Dir is the working directory ("" = inherit).
	Dir string
	// Grace is how long the child has after SIGTERM before SIGKILL (5 s).
	Grace time.Duration
	// MaxOutput caps each of stdout and stderr (8 MiB); the rest is dropped
	// with a note.
	MaxOutput int
	// CPUs pins the child to these CPUs from its first instruction: the
	// efficiency cores of a hybrid CPU, so imports leave the performance
	// cores to shaping (exclude_efficiency_cores). Empty = not pinned. When
	// pinning fails the child runs unpinned and its output starts with a
	// note saying so.
	CPUs []int
}

// Run implements IntegrationRunner.
func (r *ExecRunner) Run(ctx context.Context, name string) RunResult {
	grace := r.Grace
	if grace <= 0 {
		grace = 5 * time.Second
	}
	limit := r.MaxOutput
	if limit <= 0 {
		limit = 8 << 20
	}
	var args []string
	if r.Args != nil {
		args = r.Args(name)
	}
	stdout, stderr := &cappedBuffer{max: limit}, &cappedBuffer{max: limit}
	newCmd := func() *exec.Cmd {
		cmd := exec.CommandContext(ctx, r.Path, args...)
		cmd.Env, cmd.Dir = r.Env, r.Dir
		// Own process group, so the integration's own children are stopped too;
		// Pdeathsig so it does not outlive a killed scheduler.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
		cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
		// After the grace period exec kills the leader and stops waiting for
		// its output pipes (a grandchild may hold them open).
		cmd.WaitDelay = grace
		cmd.Stdout, cmd.Stderr = stdout, stderr
		return cmd
	}
	// Pdeathsig fires when the forking *thread* exits, and the runtime may
	// end a thread that some other goroutine left locked; pin this goroutine
	// to its thread for the child's lifetime (golang/go#27505). The child
	// also inherits this thread's CPU affinity, which is how it is pinned.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := time.Now()
	cmd := newCmd()
	var note string
	pinFailed := func(err error) {
		note = fmt.Sprintf("Failed to pin %s to efficiency cores %v: %v. Retrying without affinity.\n", name, r.CPUs, err)
	}
	started := false
	if len(r.CPUs) > 0 {
		restore, err := cores.PinThread(r.CPUs)
		if err != nil {
			pinFailed(err)
		} else {
			err = cmd.Start()
			restore()
			if err == nil {
				started = true
			} else {
				pinFailed(err)
				cmd = newCmd()
			}
		}
	}
	if !started {
		if err := cmd.Start(); err != nil {
			return RunResult{Output: note, Err: fmt.Errorf("start %s: %w", r.Path, err)}
		}
	}
	err := cmd.Wait()
	// Whatever is left of the group goes now.
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	res := RunResult{Output: note + stdout.String() + stderr.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		res.Err = &TimeoutError{After: time.Since(start).Round(time.Millisecond)}
	case err == nil:
	case errors.As(err, &ee):
		code := ee.ExitCode()
		if code < 0 {
			res.Err = fmt.Errorf("killed by signal: %v", ee.ProcessState)
		} else {
			res.Err = &ExitError{Code: code}
		}
	default:
		res.Err = err
	}
	return res
}

// cappedBuffer keeps the first max bytes and counts the rest.
type cappedBuffer struct {
	max     int
	b       bytes.Buffer
	dropped int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := c.max - c.b.Len()
	if room >= len(p) {
		return c.b.Write(p)
	}
	if room > 0 {
		c.b.Write(p[:room])
	}
	c.dropped += len(p) - max(room, 0)
	return len(p), nil
}

func (c *cappedBuffer) String() string {
	if c.dropped > 0 {
		return c.b.String() + fmt.Sprintf("\n[%d more bytes of output dropped]\n", c.dropped)
	}
	return c.b.String()
}

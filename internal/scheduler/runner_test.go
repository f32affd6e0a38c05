package scheduler

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/testwait"

	"golang.org/x/sys/unix"
)

// The test binary doubles as a child integration process: with
// LQT_SCHED_CHILD set, TestMain runs that behaviour instead of the tests.
func TestMain(m *testing.M) {
	mode := os.Getenv("LQT_SCHED_CHILD")
	if mode == "" {
		os.Exit(m.Run())
	}
	if p := os.Getenv("LQT_SCHED_PIDFILE"); p != "" {
		// Atomically: others wait for the file to exist, then read it.
		os.WriteFile(p+".tmp", []byte(strconv.Itoa(os.Getpid())), 0o644)
		os.Rename(p+".tmp", p)
	}
	switch mode {
	case "import":
		os.Exit(childImport(os.Getenv("LQT_SCHED_CONFIG")))
	case "ok":
		fmt.Println("imported 12 circuits")
		fmt.Fprintln(os.Stderr, "warning: 1 client without IP skipped")
		os.Exit(0)
	case "fail":
		fmt.Println("GET https://crm.example/api: 401")
		fmt.Fprintln(os.Stderr, "authentication failed")
		os.Exit(3)
	case "panic":
		var m map[string]int
		m["boom"]++
	case "hang":
		// Ignore SIGTERM: only SIGKILL ends this one. A grandchild in the
		// same group holds the output pipe open too.
		signal.Ignore(syscall.SIGTERM)
		if os.Getenv("LQT_SCHED_GRANDCHILD") == "" {
			gp := os.Getenv("LQT_SCHED_PIDFILE") + ".grandchild"
			var env []string
			for _, e := range os.Environ() {
				if !strings.HasPrefix(e, "LQT_SCHED_PIDFILE=") {
					env = append(env, e)
				}
			}
			env = append(env, "LQT_SCHED_GRANDCHILD=1", "LQT_SCHED_PIDFILE="+gp)
			if _, err := os.StartProcess(os.Args[0], os.Args, &os.ProcAttr{Env: env, Files: []*os.File{nil, os.Stdout, os.Stderr}}); err != nil {
				fmt.Println("cannot start grandchild:", err)
				os.Exit(1)
			}
			for {
				if _, err := os.Stat(gp); err == nil {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			fmt.Println("fetching sites...")
			// Tell the test the whole group is up and hung.
			os.WriteFile(os.Getenv("LQT_SCHED_PIDFILE")+".ready", nil, 0o644)
		}
		select {}
	}
	os.Exit(2)
}

func execRunner(t *testing.T, pidfile string) *ExecRunner {
	return &ExecRunner{
		Path:  os.Args[0],
		Args:  func(name string) []string { return []string{"-test.run=^$"} },
		Env:   append(os.Environ(), "LQT_SCHED_PIDFILE="+pidfile),
		Grace: 100 * time.Millisecond,
	}
}

// waitFile waits for path to appear (bounded by the test deadline, so a
// broken child fails the test instead of hanging it).
func waitFile(t *testing.T, path string) {
	t.Helper()
	if !testwait.Poll(t, func() bool { _, err := os.Stat(path); return err == nil }) {
		t.Errorf("%s never appeared", path)
	}
}

// gatedRunner ends the run (as a timeout would) once the child says it hangs.
type gatedRunner struct {
	inner IntegrationRunner
	ready string
	t     *testing.T
}

func (g gatedRunner) Run(ctx context.Context, name string) RunResult {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { waitFile(g.t, g.ready); cancel() }()
	return g.inner.Run(ctx, name)
}

func alive(pid int) bool { return syscall.Kill(pid, 0) == nil }

// zombie: dead, waiting to be reaped by its new parent.
func zombie(pid int) bool {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	return strings.Contains(string(b), ") Z ")
}

func readPID(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("child did not start: %v", err)
	}
	pid, err := strconv.Atoi(string(b))
	if err != nil || pid <= 0 {
		t.Fatalf("pid file %s: %q", path, b)
	}
	return pid
}

func TestExecRunner(t *testing.T) {
	tests := []struct {
		mode    string
		timeout time.Duration
		check   func(t *testing.T, r RunResult)
	}{
		{"ok", time.Minute, func(t *testing.T, r RunResult) {
			if r.Err != nil || r.Output != "imported 12 circuits\nwarning: 1 client without IP skipped\n" {
				t.Errorf("got %+v", r)
			}
		}},
		{"fail", time.Minute, func(t *testing.T, r RunResult) {
			var ee *ExitError
			if !errors.As(r.Err, &ee) || ee.Code != 3 {
				t.Errorf("err %v, want exit code 3", r.Err)
			}
			// stdout first, then stderr, as upstream reports it.
			if r.Output != "GET https://crm.example/api: 401\nauthentication failed\n" {
				t.Errorf("output %q", r.Output)
			}
		}},
		{"panic", time.Minute, func(t *testing.T, r RunResult) {
			var ee *ExitError
			if !errors.As(r.Err, &ee) || ee.Code != 2 {
				t.Errorf("err %v, want exit code 2 (Go panic)", r.Err)
			}
			contains(t, "output", r.Output, "panic: assignment to entry in nil map", "goroutine 1")
		}},
		{"hang", time.Hour, func(t *testing.T, r RunResult) {
			var te *TimeoutError
			if !errors.As(r.Err, &te) {
				t.Errorf("err %v, want timeout", r.Err)
			}
			contains(t, "output", r.Output, "fetching sites...")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			pidfile := filepath.Join(t.TempDir(), "pid")
			r := execRunner(t, pidfile)
			r.Env = append(r.Env, "LQT_SCHED_CHILD="+tc.mode)
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			if tc.mode == "hang" {
				// "Time is up" once the child and grandchild are both up and
				// hung: event-driven, so a slow machine cannot fail the test.
				go func() { waitFile(t, pidfile+".ready"); cancel() }()
			}
			res := r.Run(ctx, "uisp")
			tc.check(t, res)
			if pid := readPID(t, pidfile); alive(pid) && !zombie(pid) {
				t.Errorf("child %d still running", pid)
			}
			if tc.mode == "hang" {
				// The grandchild that ignored SIGTERM is gone too (same group).
				pid := readPID(t, pidfile+".grandchild")
				// SIGKILL delivery is asynchronous: wait for the event.
				gone := func() bool { return !alive(pid) || zombie(pid) }
				if !testwait.Poll(t, gone) {
					t.Errorf("grandchild %d survived the timeout", pid)
				}
			}
		})
	}
}

func TestExecRunnerLaunchError(t *testing.T) {
	r := &ExecRunner{Path: filepath.Join(t.TempDir(), "missing")}
	res := r.Run(context.Background(), "uisp")
	if res.Err == nil || !strings.Contains(res.Err.Error(), "missing") {
		t.Errorf("got %v", res.Err)
	}
}

// TestSchedulerWithExecRunner: a hung child process is killed and the
// scheduler reports it like any failure.
func TestSchedulerWithExecRunner(t *testing.T) {
	pidfile := filepath.Join(t.TempDir(), "pid")
	l := newLab(t, "uisp", "ShapedDevices.v1.csv", func(o *Options, d *Deps) {
		r := execRunner(t, pidfile)
		r.Env = append(r.Env, "LQT_SCHED_CHILD=hang")
		d.Runner = gatedRunner{inner: r, ready: pidfile + ".ready", t: t}
		o.IntegrationTimeout = time.Hour
	})
	err := l.s.RunOnce(context.Background())
	if err == nil {
		t.Fatal("want failure")
	}
	contains(t, "error", l.rep.lastError(), "UISP integration did not finish within 1h0m0s and was stopped. Continuing.", "fetching sites...")
	logs := l.logFiles()
	if len(logs) != 1 || !strings.HasPrefix(filepath.Base(logs[0]), "lqos_scheduler_uisp_integration_") {
		t.Errorf("logs %v", logs)
	}
	if len(l.ref.applied()) != 1 {
		t.Error("last known good inputs were not set up after the failed import")
	}
}

// exclude_efficiency_cores: the child starts pinned to the given CPUs; when
// pinning fails it runs unpinned and the report says so.
func TestExecRunnerPinsToCPUs(t *testing.T) {
	var all unix.CPUSet
	if err := unix.SchedGetaffinity(0, &all); err != nil {
		t.Fatal(err)
	}
	last := -1
	for c := 0; c < 1024; c++ {
		if all.IsSet(c) {
			last = c
		}
	}
	tests := []struct {
		name     string
		cpus     []int
		allowed  string // the child's Cpus_allowed_list
		wantNote bool
	}{
		{name: "pinned", cpus: []int{last}, allowed: strconv.Itoa(last)},
		{name: "pinning fails, runs unpinned", cpus: []int{1023}, wantNote: true},
		{name: "not pinned", cpus: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &ExecRunner{Path: "/bin/sh", CPUs: tc.cpus, Args: func(string) []string {
				return []string{"-c", "sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status"}
			}}
			res := r.Run(context.Background(), "uisp")
			if res.Err != nil {
				t.Fatalf("run: %v\n%s", res.Err, res.Output)
			}
			lines := strings.Split(strings.TrimSpace(res.Output), "\n")
			got := lines[len(lines)-1]
			if tc.allowed != "" && got != tc.allowed {
				t.Errorf("child may run on %q, want %q", got, tc.allowed)
			}
			if hasNote := strings.HasPrefix(res.Output, "Failed to pin uisp to efficiency cores [1023]: "); hasNote != tc.wantNote {
				t.Errorf("note = %v, want %v:\n%s", hasNote, tc.wantNote, res.Output)
			}
			if tc.allowed == "" && got == "" {
				t.Errorf("the child did not run: %q", res.Output)
			}
		})
	}
}

package lock

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The test binary doubles as the "other process": with LQT_LOCK_HELPER set
// it runs one helper mode instead of the tests.
func TestMain(m *testing.M) {
	switch os.Getenv("LQT_LOCK_HELPER") {
	case "":
		os.Exit(m.Run())
	case "hold":
		// Take the lock, say so, hold it until stdin closes.
		l, err := TryAcquire(os.Getenv("LQT_LOCK_PATH"), "helper")
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin)
		_ = l.Release()
		os.Exit(0)
	case "try":
		// One attempt, report the outcome.
		l, err := TryAcquire(os.Getenv("LQT_LOCK_PATH"), "helper-try")
		switch {
		case errors.Is(err, ErrBusy):
			fmt.Println("busy:", err)
		case err != nil:
			fmt.Println("error:", err)
		default:
			fmt.Println("ok")
			_ = l.Release()
		}
		os.Exit(0)
	}
	os.Exit(2)
}

type holder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startHolder starts a child that holds the lock at path.
func startHolder(t *testing.T, path string) *holder {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "LQT_LOCK_HELPER=hold", "LQT_LOCK_PATH="+path)
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &holder{cmd: cmd, stdin: in}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "locked" {
		t.Fatalf("helper did not lock: %q %v", line, err)
	}
	return h
}

// release lets the child release and exit normally.
func (h *holder) release(t *testing.T) {
	t.Helper()
	h.stdin.Close()
	if err := h.cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
}

func runTry(t *testing.T, path string, extra *os.File) string {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "LQT_LOCK_HELPER=try", "LQT_LOCK_PATH="+path)
	if extra != nil {
		cmd.ExtraFiles = []*os.File{extra}
		cmd.Env = append(cmd.Env, ChildEnv(3))
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("try helper: %v", err)
	}
	return strings.TrimSpace(string(out))
}

func TestOtherProcessHoldsLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "apply.lock")
	h := startHolder(t, path)

	_, err := TryAcquire(path, "test")
	var be *BusyError
	if !errors.As(err, &be) || !errors.Is(err, ErrBusy) {
		t.Fatalf("TryAcquire while held: got %v, want BusyError", err)
	}
	wantPID := "pid=" + strconv.Itoa(h.cmd.Process.Pid) + " "
	if !strings.Contains(be.Holder, wantPID) || !strings.Contains(be.Holder, "name=helper") {
		t.Errorf("holder note %q does not name pid %d / helper", be.Holder, h.cmd.Process.Pid)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the lock file", err)
	}

	// Acquire with an ended context reports both the context and the holder.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var waited *BusyError
	_, err = Acquire(ctx, path, "test", func(b *BusyError) { waited = b })
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrBusy) {
		t.Fatalf("Acquire with cancelled ctx: %v", err)
	}
	if waited == nil {
		t.Error("onWait not called while the lock was busy")
	}

	h.release(t)
	l, err := Acquire(context.Background(), path, "test", nil)
	if err != nil {
		t.Fatalf("Acquire after release: %v", err)
	}
	if got := runTry(t, path, nil); !strings.HasPrefix(got, "busy:") {
		t.Errorf("other process while we hold the lock: %q, want busy", got)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	if got := runTry(t, path, nil); got != "ok" {
		t.Errorf("other process after release: %q, want ok", got)
	}
}

func TestKilledHolderReleasesLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "apply.lock")
	h := startHolder(t, path)
	if _, err := TryAcquire(path, "test"); !errors.Is(err, ErrBusy) {
		t.Fatalf("want busy, got %v", err)
	}
	_ = h.cmd.Process.Signal(syscall.SIGKILL)
	_ = h.cmd.Wait()
	l, err := TryAcquire(path, "test")
	if err != nil {
		t.Fatalf("lock of a killed holder must be free: %v", err)
	}
	l.Release()
}

func TestSameProcessSecondOpenIsBusy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "apply.lock")
	l, err := TryAcquire(path, "a")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if _, err := TryAcquire(path, "b"); !errors.Is(err, ErrBusy) {
		t.Fatalf("second acquire in one process: %v, want busy", err)
	}
}

func TestInheritedLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "apply.lock")
	l, err := TryAcquire(path, "parent")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if got := runTry(t, path, l.File()); got != "ok" {
		t.Errorf("child with inherited lock: %q, want ok", got)
	}
	// The child's release must not have released ours.
	if got := runTry(t, path, nil); !strings.HasPrefix(got, "busy:") {
		t.Errorf("after the child finished, a third process got %q, want busy", got)
	}
	// An inherited descriptor of a different file does not count.
	other, err := TryAcquire(filepath.Join(t.TempDir(), "other.lock"), "parent")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Release()
	if got := runTry(t, path, other.File()); !strings.HasPrefix(got, "busy:") {
		t.Errorf("child inheriting an unrelated lock: %q, want busy", got)
	}
}

func TestBadInputs(t *testing.T) {
	tests := []struct {
		name, path, env, want string
	}{
		{"dir is a file", "", "", "is not a directory"},
		{"bad env", "", "x", EnvFD},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "apply.lock")
			if tc.name == "dir is a file" {
				f := filepath.Join(dir, "file")
				os.WriteFile(f, nil, 0o644)
				path = filepath.Join(f, "apply.lock")
			}
			if tc.env != "" {
				t.Setenv(EnvFD, tc.env)
			}
			_, err := TryAcquire(path, "t")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want error mentioning %q", err, tc.want)
			}
		})
	}
}

// A lock path an unprivileged user could plant something at: root must
// not follow it, truncate the target or write into it, and must say why.
func TestPlantedLockPath(t *testing.T) {
	tests := []struct {
		name    string
		dirMode os.FileMode // 0: left as created (0700)
		plant   func(t *testing.T, path, target string)
		want    string
	}{
		{"symlink in a private dir", 0, func(t *testing.T, path, target string) {
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, "symlink"},
		{"symlink in a sticky world-writable dir (like /tmp)", 0o1777, func(t *testing.T, path, target string) {
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, "writable by group or others"},
		{"group-writable dir, nothing planted", 0o770, func(*testing.T, string, string) {}, "writable by group or others"},
		{"hard link to another file", 0, func(t *testing.T, path, target string) {
			if err := os.Link(target, path); err != nil {
				t.Fatal(err)
			}
		}, "hard links"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			target := filepath.Join(base, "precious")
			const content = "do not truncate me\n"
			if err := os.WriteFile(target, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(base, "run")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "demo.lock")
			tt.plant(t, path, target)
			if tt.dirMode != 0 {
				if err := os.Chmod(dir, tt.dirMode); err != nil {
					t.Fatal(err)
				}
			}
			l, err := TryAcquire(path, "root")
			if err == nil {
				l.Release()
				t.Fatal("lock taken")
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), dir) {
				t.Errorf("error %q does not say %q about %s", err, tt.want, dir)
			}
			if got, _ := os.ReadFile(target); string(got) != content {
				t.Errorf("target changed to %q", got)
			}
		})
	}
}

// A missing lock directory is created private, the lock file 0600.
func TestLockDirCreatedPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "run")
	l, err := TryAcquire(filepath.Join(dir, "apply.lock"), "t")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	for path, want := range map[string]os.FileMode{dir: 0o700, l.Path(): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s mode %04o, want %04o", path, st.Mode().Perm(), want)
		}
	}
}

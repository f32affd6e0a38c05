// Package lock is the exclusive "apply" lock shared by every program that
// changes the shaping state (libreqos run by hand, lqos_scheduler): only one
// of them may apply inputs to the kernel at a time.
//
// It is an flock(2) on a file (DefaultPath), opened without following
// symlinks, in a directory no other user can write (created 0700). The kernel drops the lock when
// the holder exits, however it exits, so unlike upstream's PID file there is
// no stale lock to clean up after a crash. The file itself is never removed:
// deleting an flock file lets two processes lock two different inodes.
//
// A holder may hand its lock to a child process (for example the scheduler
// running `libreqos`): pass File() as an extra file and ChildEnv's variable;
// the child's Acquire then finds the inherited descriptor and succeeds
// without waiting for its own parent.
package lock

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/atomicfile"
	"github.com/libreqos-go/lqos/internal/backoff"
	"golang.org/x/sys/unix"
)

// DefaultPath is the lock file used by libreqos and lqos_scheduler.
const DefaultPath = "/run/lqos/apply.lock"

// EnvFD names the environment variable through which a parent passes the
// descriptor number of a lock it already holds.
const EnvFD = "LQOS_APPLY_LOCK_FD"

// ErrBusy is matched (errors.Is) by the error returned when another process
// holds the lock.
var ErrBusy = errors.New("apply lock is held by another process")

// BusyError says who holds the lock, as far as the holder wrote it down.
type BusyError struct {
	Path string
	// Holder is the holder's self-description ("pid=123 name=libreqos
	// since=..."), empty if unknown.
	Holder string
}

func (e *BusyError) Error() string {
	if e.Holder == "" {
		return fmt.Sprintf("apply lock %s is held by another process", e.Path)
	}
	return fmt.Sprintf("apply lock %s is held by another process (%s)", e.Path, e.Holder)
}

// Is makes errors.Is(err, ErrBusy) true.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// Lock is a held apply lock.
type Lock struct {
	f         *os.File
	path      string
	inherited bool
}

// TryAcquire takes the lock at path (DefaultPath if empty) without waiting.
// who names the caller in the lock file so a waiting process can say who
// it waits for. The lock's directory is created if missing. When another
// process holds the lock the error is a *BusyError.
func TryAcquire(path, who string) (*Lock, error) {
	if path == "" {
		path = DefaultPath
	}
	if l, ok, err := inherited(path); ok || err != nil {
		return l, err
	}
	f, err := openLockFile(path)
	if err != nil {
		return nil, err
	}
	if err := flock(f); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &BusyError{Path: path, Holder: readHolder(path)}
		}
		return nil, fmt.Errorf("apply lock %s: flock: %w", path, err)
	}
	// Best effort: the note is only for messages, the flock is the lock.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(fmt.Sprintf("pid=%d name=%s since=%s\n", os.Getpid(), who, time.Now().UTC().Format(time.RFC3339))), 0)
	}
	return &Lock{f: f, path: path}, nil
}

// Acquire waits until the lock is free or ctx ends. onWait, if not nil, is
// called once when the lock is found busy, so the caller can log whom it
// waits for. On ctx end the error wraps both ctx.Err() and the *BusyError.
func Acquire(ctx context.Context, path, who string, onWait func(*BusyError)) (*Lock, error) {
	// flock(LOCK_EX) cannot be interrupted by a context, so poll.
	poll := backoff.Exponential{Initial: 20 * time.Millisecond, Max: time.Second, Factor: 2}
	told := false
	for n := 1; ; n++ {
		l, err := TryAcquire(path, who)
		var be *BusyError
		if !errors.As(err, &be) {
			return l, err
		}
		if !told && onWait != nil {
			onWait(be)
			told = true
		}
		if err := backoff.Sleep(ctx, poll.Delay(n)); err != nil {
			return nil, fmt.Errorf("%w: %w", err, be)
		}
	}
}

// Release unlocks. A lock inherited from a parent is left to the parent.
// Release is idempotent.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	if l.inherited {
		// Unlocking would release the parent's lock (same open file).
		return f.Close()
	}
	// Clear the holder note before unlocking so nobody reads a stale one.
	_ = f.Truncate(0)
	err := unix.Flock(int(f.Fd()), unix.LOCK_UN)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Path is the lock file.
func (l *Lock) Path() string { return l.path }

// File is the locked file, to be passed to a child process (as
// exec.Cmd.ExtraFiles) together with ChildEnv.
func (l *Lock) File() *os.File { return l.f }

// ChildEnv returns the environment entry telling a child that the lock is
// inherited as descriptor fd (3 + index in exec.Cmd.ExtraFiles).
func ChildEnv(fd int) string { return EnvFD + "=" + strconv.Itoa(fd) }

// inherited returns the lock passed down by a parent, if EnvFD names an open
// descriptor of the same file as path.
func inherited(path string) (*Lock, bool, error) {
	v := os.Getenv(EnvFD)
	if v == "" {
		return nil, false, nil
	}
	fd, err := strconv.Atoi(v)
	if err != nil || fd < 0 {
		return nil, false, fmt.Errorf("apply lock: %s=%q is not a descriptor number", EnvFD, v)
	}
	var fst, pst unix.Stat_t
	if unix.Fstat(fd, &fst) != nil {
		return nil, false, nil // not open here: ignore a stray variable
	}
	if unix.Stat(path, &pst) != nil || fst.Dev != pst.Dev || fst.Ino != pst.Ino {
		return nil, false, nil // a different lock file
	}
	// Duplicate so Release cannot close the parent's descriptor number in
	// our own process twice; the duplicate shares the open file and its lock.
	nfd, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, false, fmt.Errorf("apply lock %s: dup inherited descriptor %d: %w", path, fd, err)
	}
	f := os.NewFile(uintptr(nfd), path)
	// Locking an open file that already holds the lock is a no-op; if the
	// parent did not hold it after all, this takes it for us.
	if err := flock(f); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, false, &BusyError{Path: path, Holder: readHolder(path)}
		}
		return nil, false, fmt.Errorf("apply lock %s: flock inherited descriptor: %w", path, err)
	}
	return &Lock{f: f, path: path, inherited: true}, true, nil
}

// openLockFile opens (creating) the lock file in a private directory,
// without following a symlink and only if it is a plain file of our own:
// root must never truncate a file an unprivileged user pointed it at.
func openLockFile(path string) (*os.File, error) {
	if err := atomicfile.PrivateDir(filepath.Dir(path)); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if errors.Is(err, unix.ELOOP) {
		return nil, fmt.Errorf("lock %s is a symlink; refusing to follow it (remove it; only root should write in %s)", path, filepath.Dir(path))
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	uid := uint32(os.Geteuid())
	switch {
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		f.Close()
		return nil, fmt.Errorf("lock %s is not a regular file; refusing to use it", path)
	case st.Nlink != 1:
		f.Close()
		return nil, fmt.Errorf("lock %s has %d hard links; refusing to write to a file linked elsewhere (remove it)", path, st.Nlink)
	case st.Uid != uid && st.Uid != 0:
		f.Close()
		return nil, fmt.Errorf("lock %s is owned by uid %d, not by this user (uid %d) or root; refusing to use it (remove it)", path, st.Uid, uid)
	}
	return f, nil
}

func flock(f *os.File) error {
	for {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err != unix.EINTR {
			return err
		}
	}
}

func readHolder(path string) string {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 512))
	return strings.TrimSpace(string(b))
}

package demolab

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/lock"
)

// The demo's lock is in a root-only directory, never in world-writable /tmp
// where any user could plant a symlink for root to truncate.
func TestDemoLockIsInAPrivateDir(t *testing.T) {
	if filepath.Dir(LockPath) == filepath.Clean(os.TempDir()) {
		t.Fatalf("demo lock %s is in the shared temporary directory", LockPath)
	}
	// Taking the demo lock needs root (the demo runs as root); the lock
	// rules themselves are tested in internal/lock.
	kerneltest.RequireRoot(t)
	l, err := lock.TryAcquire(LockPath, "test")
	if err != nil && !errors.Is(err, lock.ErrBusy) {
		t.Fatal(err)
	}
	l.Release()
	st, err := os.Stat(filepath.Dir(LockPath))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm()&0o022 != 0 {
		t.Errorf("%s has mode %v: writable by others", filepath.Dir(LockPath), st.Mode().Perm())
	}
}

//go:build linux

package datapath

import (
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// requireRoot skips kernel tests for unprivileged runs.
func requireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("datapath kernel tests need root (BPF, netns, bpffs)")
	}
}

// privateBPFFS mounts a bpffs of our own so pins never touch /sys/fs/bpf.
func privateBPFFS(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	if err := unix.Mount("bpf", dir, "bpf", 0, "mode=0700"); err != nil {
		t.Fatalf("mount bpffs at %s: %v", dir, err)
	}
	t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openTest opens a Datapath pinned in a private bpffs.
func openTest(t testing.TB, opts Options) (*Datapath, string) {
	t.Helper()
	requireRoot(t)
	pin := filepath.Join(privateBPFFS(t), "lqos")
	opts.PinDir = pin
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	d, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d, pin
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

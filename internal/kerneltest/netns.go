package kerneltest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// NS is a named network namespace made for one test. It is named (an entry
// under /run/netns) so that `ip -n NAME` and `ip netns exec NAME` reach it
// too, and removed when the test ends.
type NS struct {
	Name   string
	Handle netns.NsHandle
	once   sync.Once
}

var nsSeq atomic.Int32

// NetNS makes a network namespace named prefix, the test process id and a
// sequence number (so namespaces left behind by a killed run can be told
// apart by name), with lo up. It needs root; the namespace and its handle
// are removed in Cleanup.
func NetNS(t testing.TB, prefix string) *NS {
	t.Helper()
	RequireRoot(t)
	ip := Binary(t, "ip", "iproute2")
	if ip == "" {
		t.FailNow() // Binary reported why; a namespace test cannot go on
	}
	name := fmt.Sprintf("%s%d-%d", prefix, os.Getpid()%100000, nsSeq.Add(1))
	Run(t, ip, "netns", "add", name)
	ns := &NS{Name: name, Handle: -1}
	t.Cleanup(ns.Close)
	h, err := netns.GetFromName(name)
	if err != nil {
		t.Fatalf("netns %s: %v", name, err)
	}
	ns.Handle = h
	Run(t, ip, "-n", name, "link", "set", "lo", "up")
	return ns
}

// Close removes the namespace before the test ends (a benchmark making
// one per iteration); Cleanup calls it too, and it is idempotent.
func (ns *NS) Close() {
	ns.once.Do(func() {
		if ns.Handle >= 0 {
			ns.Handle.Close()
		}
		_ = exec.Command("ip", "netns", "del", ns.Name).Run()
	})
}

// Netlink is a netlink handle working in the namespace, closed in Cleanup.
func (ns *NS) Netlink(t testing.TB) *netlink.Handle {
	t.Helper()
	h, err := netlink.NewHandleAt(ns.Handle)
	if err != nil {
		t.Fatalf("netlink handle in %s: %v", ns.Name, err)
	}
	t.Cleanup(h.Close)
	return h
}

// Do runs fn on an OS thread switched into the namespace (sockets fn
// opens stay in it). The thread is given up afterwards rather than
// switched back, so no other goroutine ever runs in the wrong namespace.
func (ns *NS) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		if err := netns.Set(ns.Handle); err != nil {
			errc <- fmt.Errorf("setns %s: %w", ns.Name, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// IP runs `ip -n NAME args...` and returns its output; a failure fails the
// test with the command and what it printed.
func (ns *NS) IP(t testing.TB, args ...string) string {
	t.Helper()
	return Run(t, "ip", append([]string{"-n", ns.Name}, args...)...)
}

// Exec runs a command inside the namespace (`ip netns exec NAME ...`).
func (ns *NS) Exec(t testing.TB, name string, args ...string) string {
	t.Helper()
	return Run(t, "ip", append([]string{"netns", "exec", ns.Name, name}, args...)...)
}

// Veth makes a veth pair with queues TX and RX queues on each end: nameA in
// a, nameB in b (b may be a itself). Both ends stay down; callers set
// addresses and bring them up.
func Veth(t testing.TB, a *NS, nameA string, b *NS, nameB string, queues int) {
	t.Helper()
	q := fmt.Sprint(queues)
	args := []string{"link", "add", nameA, "numtxqueues", q, "numrxqueues", q, "type", "veth", "peer", "name", nameB}
	if b != a {
		args = append(args, "netns", b.Name)
	}
	a.IP(t, append(args, "numtxqueues", q, "numrxqueues", q)...)
}

// BPFFS mounts a private bpffs (mode 0700) in a temporary directory, so
// pins never touch /sys/fs/bpf, and unmounts it in Cleanup. It needs root.
func BPFFS(t testing.TB) string {
	t.Helper()
	RequireRoot(t)
	dir := filepath.Join(t.TempDir(), "bpffs")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("bpf", dir, "bpf", 0, "mode=0700"); err != nil {
		t.Fatalf("mount bpffs at %s: %v", dir, err)
	}
	t.Cleanup(func() { _ = unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

// Run runs a command and returns its combined output; a failure fails the
// test with the command line and what it printed.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

//go:build linux

package datapath

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// sysClassNet runs fn with a /sys/class/net that shows the calling thread's
// network namespace. /sys shows the namespace of whoever mounted it, so a
// process moved into another netns with only setns (nsenter --net, a
// container without its own /sys) would write to a same-named device of the
// host, or find none. When /sys/class/net/<iface> is not the device this
// netns calls iface, a private sysfs is mounted in a throwaway mount
// namespace on a thread of its own.
func sysClassNet(iface string, fn func(root string) error) error {
	if sysfsMatches(iface) {
		return fn("/sys/class/net")
	}
	ns, err := netns.Get() // the caller's thread: tests run us inside a netns
	if err != nil {
		return fmt.Errorf("sysfs for %s: current netns: %w", iface, err)
	}
	defer ns.Close()
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the thread's namespaces are changed for good and Go
		// discards it when this goroutine ends.
		runtime.LockOSThread()
		errc <- privateSysfs(ns, fn)
	}()
	return <-errc
}

func privateSysfs(ns netns.NsHandle, fn func(root string) error) error {
	if err := netns.Set(ns); err != nil {
		return fmt.Errorf("private sysfs: setns: %w", err)
	}
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("private sysfs: unshare mount namespace: %w", err)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("private sysfs: make mounts private: %w", err)
	}
	dir, err := os.MkdirTemp("", "lqos-sysfs-")
	if err != nil {
		return fmt.Errorf("private sysfs: %w", err)
	}
	defer os.Remove(dir)
	if err := unix.Mount("sysfs", dir, "sysfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("private sysfs: mount: %w", err)
	}
	defer unix.Unmount(dir, unix.MNT_DETACH)
	return fn(filepath.Join(dir, "class", "net"))
}

// sysfsMatches: /sys/class/net/<iface>/ifindex equals the index the current
// netns gives iface.
func sysfsMatches(iface string) bool {
	nic, err := net.InterfaceByName(iface)
	if err != nil {
		return false
	}
	b, err := os.ReadFile(filepath.Join("/sys/class/net", iface, "ifindex"))
	if err != nil {
		return false
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return err == nil && n == nic.Index
}

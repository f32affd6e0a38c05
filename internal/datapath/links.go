//go:build linux

package datapath

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Pinned bpf_links keep the programs attached when the process dies (crash,
// kill -9): classification goes on with the last programs and the pinned
// maps. The next Attach adopts them (BPF_LINK_UPDATE swaps in the freshly
// loaded program atomically, so no packet goes unclassified); Close unpins
// and detaches them.

// linkDir holds the link pins, next to the map pins.
const linkDir = "links"

// linkPin is where the link of kind ("xdp" or "tcx") for iface is pinned, or
// "" without a PinDir. bpffs refuses names with dots (EPERM), which VLAN
// interfaces like eth0.100 have, so those are escaped.
func (d *Datapath) linkPin(iface, kind string) string {
	if d.opts.PinDir == "" {
		return ""
	}
	return filepath.Join(d.opts.PinDir, linkDir, kind+"_"+pinEscaper.Replace(iface))
}

var pinEscaper = strings.NewReplacer("%", "%25", ".", "%2E")

// dropLink detaches a link and removes its pin.
func dropLink(l link.Link) error {
	// Unpin of a link that was never pinned is a no-op.
	return errors.Join(l.Unpin(), l.Close())
}

// loadPinned returns the link pinned at pin when it is still attached to
// ifindex with the expected attach type; a pin that is unusable (interface
// recreated, wrong kind, defunct) is removed, which detaches its link if it
// was still attached somewhere. (nil, nil) means attach afresh.
func (d *Datapath) loadPinned(pin string, ifindex int, kind string) (link.Link, error) {
	if pin == "" {
		return nil, nil
	}
	if _, err := os.Lstat(pin); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	l, err := link.LoadPinnedLink(pin, nil)
	if err != nil {
		// Not a link (someone put a file there) or unreadable: move it aside.
		d.log.Warn("removing unreadable link pin", "pin", pin, "err", err)
		if rerr := os.Remove(pin); rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
			return nil, fmt.Errorf("datapath: remove link pin %s: %w", pin, rerr)
		}
		return nil, nil
	}
	info, err := l.Info()
	ok := err == nil
	if ok {
		switch kind {
		case "xdp":
			x := info.XDP()
			ok = x != nil && int(x.Ifindex) == ifindex
		case "tcx":
			x := info.TCX()
			ok = x != nil && int(x.Ifindex) == ifindex && ebpf.AttachType(x.AttachType) == ebpf.AttachTCXEgress
		}
	}
	if !ok {
		d.log.Warn("pinned link does not match the interface any more; detaching it", "pin", pin, "err", err)
		if err := dropLink(l); err != nil {
			return nil, fmt.Errorf("datapath: drop stale link %s: %w", pin, err)
		}
		return nil, nil
	}
	return l, nil
}

// pinLink pins a freshly attached link. A failure is logged, not fatal: the
// data path works, it just stops with the process.
func (d *Datapath) pinLink(l link.Link, pin string) {
	if pin == "" {
		return
	}
	err := os.MkdirAll(filepath.Dir(pin), 0o700)
	if err == nil {
		err = l.Pin(pin)
	}
	if err != nil {
		d.log.Warn("could not pin link; classification will stop with the process", "pin", pin, "err", err)
	}
}

// xdpModeOf reads the mode of the XDP program attached to ifindex.
func xdpModeOf(ifindex int) string {
	l, err := netlink.LinkByIndex(ifindex)
	if err != nil || l.Attrs().Xdp == nil {
		return ""
	}
	switch l.Attrs().Xdp.AttachMode {
	case xdpAttachedDrv:
		return "driver"
	case xdpAttachedSKB:
		return "generic"
	case xdpAttachedHW:
		return "offload"
	case xdpAttachedMulti:
		return "multi"
	}
	return ""
}

// Values of IFLA_XDP_ATTACHED.
const (
	xdpAttachedDrv   = 1
	xdpAttachedSKB   = 2
	xdpAttachedHW    = 3
	xdpAttachedMulti = 4
)

// modeWanted says whether an adopted XDP mode satisfies the requested one.
func modeWanted(want XDPMode, have string) bool {
	switch want {
	case XDPDriver:
		return have == "driver"
	case XDPGeneric:
		return have == "generic"
	}
	return have == "driver" || have == "generic"
}

// adoptXDP takes over a pinned XDP link on nic by swapping in prog. It
// returns the link and its mode, or nil when there is nothing to adopt.
func (d *Datapath) adoptXDP(ifc Interface, ifindex int, prog *ebpf.Program) (link.Link, string, error) {
	pin := d.linkPin(ifc.Name, "xdp")
	l, err := d.loadPinned(pin, ifindex, "xdp")
	if l == nil || err != nil {
		return nil, "", err
	}
	mode := xdpModeOf(ifindex)
	if !modeWanted(ifc.XDP, mode) {
		// Detach first: another mode cannot be attached while this one is.
		d.log.Warn("pinned XDP link is in another mode than requested; re-attaching (classification pauses briefly)", "iface", ifc.Name, "have", mode)
		return nil, "", dropLink(l)
	}
	if err := l.Update(prog); err != nil {
		d.log.Warn("could not update pinned XDP link; re-attaching", "iface", ifc.Name, "err", err)
		return nil, "", dropLink(l)
	}
	return l, mode, nil
}

// adoptTCX does the same for the TCX egress link.
func (d *Datapath) adoptTCX(ifc Interface, ifindex int, prog *ebpf.Program) (link.Link, error) {
	pin := d.linkPin(ifc.Name, "tcx")
	l, err := d.loadPinned(pin, ifindex, "tcx")
	if l == nil || err != nil {
		return nil, err
	}
	if err := l.Update(prog); err != nil {
		d.log.Warn("could not update pinned TCX link; re-attaching", "iface", ifc.Name, "err", err)
		return nil, dropLink(l)
	}
	return l, nil
}

// removeLegacyFilter deletes our clsact egress filter (left by a run that
// used TCLegacy), so a TCX attach does not classify twice.
func removeLegacyFilter(ifindex int) {
	f := &netlink.BpfFilter{FilterAttrs: netlink.FilterAttrs{LinkIndex: ifindex, Parent: netlink.HANDLE_MIN_EGRESS,
		Handle: legacyFilterHandle, Priority: legacyFilterPrio, Protocol: unix.ETH_P_ALL}, Fd: -1}
	_ = netlink.FilterDel(f) // usually absent: ENOENT / EINVAL without clsact
}

// dropStaleLinks detaches every pinned link this Datapath does not own
// (interfaces no longer configured); part of a clean stop.
func (d *Datapath) dropStaleLinks() error {
	if d.opts.PinDir == "" {
		return nil
	}
	dir := filepath.Join(d.opts.PinDir, linkDir)
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range ents {
		pin := filepath.Join(dir, e.Name())
		l, err := link.LoadPinnedLink(pin, nil)
		if err != nil {
			errs = append(errs, os.Remove(pin))
			continue
		}
		d.log.Info("detaching a pinned link of an interface lqosd no longer uses", "pin", pin)
		errs = append(errs, dropLink(l))
	}
	return errors.Join(errs...)
}

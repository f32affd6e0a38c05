//go:build linux

package datapath

import (
	"errors"
	"os"

	"github.com/cilium/ebpf"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Same handle/priority upstream uses, so an old filter is replaced, not stacked.
const (
	legacyFilterHandle = 1
	legacyFilterPrio   = 0xC02F
)

// attachLegacyTC installs the classifier as a direct-action cls_bpf filter on
// a clsact egress hook, for kernels without TCX (< 6.6). The returned func
// removes the filter (detach true; the clsact qdisc stays, other tools may
// use it) or only releases its handles (detach false). It works from any
// thread: it remembers the network namespace the filter was installed in.
func attachLegacyTC(ifindex int, prog *ebpf.Program) (func(detach bool) error, error) {
	qdisc := &netlink.GenericQdisc{
		QdiscAttrs: netlink.QdiscAttrs{LinkIndex: ifindex, Handle: netlink.MakeHandle(0xffff, 0), Parent: netlink.HANDLE_CLSACT},
		QdiscType:  "clsact",
	}
	if err := netlink.QdiscAdd(qdisc); err != nil && !errors.Is(err, os.ErrExist) && !errors.Is(err, unix.EEXIST) {
		return nil, err
	}
	filter := &netlink.BpfFilter{
		FilterAttrs: netlink.FilterAttrs{
			LinkIndex: ifindex,
			Parent:    netlink.HANDLE_MIN_EGRESS,
			Handle:    legacyFilterHandle,
			Priority:  legacyFilterPrio,
			Protocol:  unix.ETH_P_ALL,
		},
		Fd:           prog.FD(),
		Name:         "lqos_tc_egress",
		DirectAction: true,
	}
	ns, err := netns.Get()
	if err != nil {
		return nil, err
	}
	if err := netlink.FilterReplace(filter); err != nil {
		ns.Close()
		return nil, err
	}
	return func(detach bool) error {
		defer ns.Close()
		if !detach {
			return nil
		}
		h, err := netlink.NewHandleAt(ns)
		if err != nil {
			return err
		}
		defer h.Close()
		// Delete by handle/priority only: Fd -1 leaves the program out of
		// the request.
		del := &netlink.BpfFilter{FilterAttrs: filter.FilterAttrs, Fd: -1}
		if err := h.FilterDel(del); err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENODEV) {
			return err
		}
		return nil
	}, nil
}

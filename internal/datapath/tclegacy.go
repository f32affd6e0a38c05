//go:build linux

package datapath

import (
	"errors"
	"os"

	"github.com/cilium/ebpf"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Same handle/priority upstream uses, so an old filter is replaced, not stacked.
const (
	legacyFilterHandle = 1
	legacyFilterPrio   = 0xC02F
)

// attachLegacyTC installs the classifier as a direct-action cls_bpf filter on
// a clsact egress hook, for kernels without TCX (< 6.6). The returned func
// removes the filter; the clsact qdisc stays (other tools may use it).
func attachLegacyTC(ifindex int, prog *ebpf.Program) (func() error, error) {
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
	if err := netlink.FilterReplace(filter); err != nil {
		return nil, err
	}
	return func() error {
		if err := netlink.FilterDel(filter); err != nil && !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENODEV) {
			return err
		}
		return nil
	}, nil
}

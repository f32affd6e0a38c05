package shaper

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// NetlinkKernel applies trees through package tc in one network namespace.
// It keeps a tc.Applier, so a long-lived owner (lqosd) diffs each change
// against what it last applied: changing one circuit is one request, no dump.
type NetlinkKernel struct {
	tc      *tc.Handle
	links   *netlink.Handle
	applier *tc.Applier
	// recorded identifies the version of the record's files (base tree
	// and journal) this kernel handle last wrote. When the record changed
	// behind its back (libreqos or the scheduler applied through their own
	// handles), the applier's memory is stale and the kernel must be read
	// again.
	recorded string
}

// OpenKernel opens netlink handles in ns (netns.None() = the current namespace).
func OpenKernel(ns netns.NsHandle) (*NetlinkKernel, error) {
	h, err := tc.NewHandle(ns)
	if err != nil {
		return nil, err
	}
	var lh *netlink.Handle
	if ns.IsOpen() {
		lh, err = netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	} else {
		lh, err = netlink.NewHandle(unix.NETLINK_ROUTE)
	}
	if err != nil {
		h.Close()
		return nil, err
	}
	return &NetlinkKernel{tc: h, links: lh, applier: &tc.Applier{H: h}}, nil
}

// Close releases the handles.
func (k *NetlinkKernel) Close() {
	k.tc.Close()
	k.links.Close()
}

// TC exposes the tc handle (for dumps).
func (k *NetlinkKernel) TC() *tc.Handle { return k.tc }

// TxQueues reads the interface's TX queue count.
func (k *NetlinkKernel) TxQueues(iface string) (int, error) {
	l, err := k.links.LinkByName(iface)
	if err != nil {
		return 0, fmt.Errorf("no such interface: %w", err)
	}
	return l.Attrs().NumTxQueues, nil
}

// Apply applies t with roll-back on failure.
func (k *NetlinkKernel) Apply(ctx context.Context, t *plan.Tree, log *slog.Logger) (*tc.Result, error) {
	k.applier.Opts.Logger = log
	return k.applier.Apply(ctx, t)
}

// Repair re-reads the kernel and re-applies t.
func (k *NetlinkKernel) Repair(ctx context.Context, t *plan.Tree, log *slog.Logger) (*tc.Result, error) {
	k.applier.Opts.Logger = log
	return k.applier.Repair(ctx, t)
}

// SyncRecord drops the applier's memory when the record (its files at
// paths) is not the one this handle wrote.
func (k *NetlinkKernel) SyncRecord(paths ...string) {
	if sig, ok := recordSig(paths); !ok || sig != k.recorded {
		k.applier.Forget()
	}
}

// NoteRecord remembers the record this handle just wrote.
func (k *NetlinkKernel) NoteRecord(paths ...string) {
	if sig, ok := recordSig(paths); ok {
		k.recorded = sig
	}
}

// recordSig identifies the present version of the record's files (a
// missing file counts as a version too; the first must exist).
func recordSig(paths []string) (string, bool) {
	var b strings.Builder
	for i, p := range paths {
		s, ok := statSig(p)
		if !ok && i == 0 {
			return "", false
		}
		fmt.Fprintf(&b, "%v %d %d %d;", ok, s.Ino, s.Size, s.MTime)
	}
	return b.String(), true
}

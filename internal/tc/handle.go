package tc

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Handle is one rtnetlink connection to one network namespace: a
// *netlink.Handle for link look-ups and our own route socket for tc requests,
// so we can send options the library cannot build and count every request.
type Handle struct {
	links *netlink.Handle
	sock  *nl.SocketHandle
	// ops counts kernel requests that change state (add/change/replace/delete).
	ops atomic.Int64
	// dumps counts dump requests.
	dumps atomic.Int64
}

// NewHandle opens a handle in the namespace ns; netns.None() means the
// caller's current namespace.
func NewHandle(ns netns.NsHandle) (*Handle, error) {
	var lh *netlink.Handle
	var err error
	if ns.IsOpen() {
		lh, err = netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	} else {
		lh, err = netlink.NewHandle(unix.NETLINK_ROUTE)
	}
	if err != nil {
		return nil, fmt.Errorf("tc: open netlink handle: %w", err)
	}
	s, err := nl.GetNetlinkSocketAt(ns, netns.None(), unix.NETLINK_ROUTE)
	if err != nil {
		lh.Close()
		return nil, fmt.Errorf("tc: open route socket: %w", err)
	}
	tv := unix.NsecToTimeval(int64(60e9))
	_ = s.SetSendTimeout(&tv)
	_ = s.SetReceiveTimeout(&tv)
	// Big dumps (tens of thousands of classes) arrive faster than we parse.
	_ = s.SetReceiveBufferSize(8<<20, true)
	// Extended ACKs carry the kernel's reason ("Specified qdisc kind is unknown").
	_ = s.SetExtAck(true)
	return &Handle{links: lh, sock: &nl.SocketHandle{Socket: s}}, nil
}

// Close releases both sockets.
func (h *Handle) Close() {
	if h == nil {
		return
	}
	h.links.Close()
	h.sock.Close()
}

// Ops returns the number of state-changing kernel requests sent so far.
func (h *Handle) Ops() int64 { return h.ops.Load() }

// Dumps returns the number of dump requests sent so far.
func (h *Handle) Dumps() int64 { return h.dumps.Load() }

// ifindex resolves an interface name in the handle's namespace.
func (h *Handle) ifindex(name string) (int, error) {
	l, err := h.links.LinkByName(name)
	if err != nil {
		return 0, fmt.Errorf("interface %s: %w", name, err)
	}
	return l.Attrs().Index, nil
}

// request sends one tc request and waits for its ACK.
func (h *Handle) request(cmd, flags, ifindex int, handle, parent uint32, kind string, opts []byte, nested bool) error {
	req := nl.NewNetlinkRequest(cmd, flags|unix.NLM_F_ACK)
	req.Sockets = map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: h.sock}
	req.AddData(&nl.TcMsg{Family: nl.FAMILY_ALL, Ifindex: int32(ifindex), Handle: handle, Parent: parent})
	if kind != "" {
		req.AddData(nl.NewRtAttr(nl.TCA_KIND, nl.ZeroTerminated(kind)))
	}
	if opts != nil {
		t := nl.TCA_OPTIONS
		if nested {
			t |= unix.NLA_F_NESTED
		}
		req.AddData(nl.NewRtAttr(t, opts))
	}
	h.ops.Add(1)
	_, err := req.Execute(unix.NETLINK_ROUTE, 0)
	return err
}

// dump runs one dump request and returns the payload of each reply. A dump
// that raced with a change (NLM_F_DUMP_INTR) is retried a few times.
func (h *Handle) dump(cmd, ifindex int) ([][]byte, error) {
	for attempt := 0; ; attempt++ {
		req := nl.NewNetlinkRequest(cmd, unix.NLM_F_DUMP)
		req.Sockets = map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: h.sock}
		req.AddData(&nl.TcMsg{Family: nl.FAMILY_ALL, Ifindex: int32(ifindex)})
		h.dumps.Add(1)
		msgs, err := req.Execute(unix.NETLINK_ROUTE, 0)
		if errors.Is(err, nl.ErrDumpInterrupted) && attempt < 3 {
			continue
		}
		return msgs, err
	}
}

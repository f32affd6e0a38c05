package tc

import (
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"

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

// message builds one tc request.
func message(cmd, flags, ifindex int, handle, parent uint32, kind string, opts []byte, nested bool) *nl.NetlinkRequest {
	req := nl.NewNetlinkRequest(cmd, flags)
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
	return req
}

// request sends one tc request and waits for its ACK.
func (h *Handle) request(req *nl.NetlinkRequest) error {
	req.Flags |= unix.NLM_F_ACK
	req.Sockets = map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: h.sock}
	h.ops.Add(1)
	_, err := req.Execute(unix.NETLINK_ROUTE, 0)
	return err
}

// Requests per sendmsg in sendBatch, and the byte size a batch stays under
// (well below the socket's send buffer).
const (
	batchMessages = 256
	batchBytes    = 48 << 10
)

// sendBatch sends requests many to a sendmsg. Only the last request of a
// batch asks for an ACK: the kernel handles a batch's requests one after the
// other inside the sendmsg call and queues an error reply for each one it
// refuses, so reading up to that last ACK collects every refusal. It returns
// the index of the first refused request with its error (len(reqs), nil when
// all succeeded). Requests after a refused one in the same batch may have
// been applied too; callers that need an exact prefix send one at a time.
func (h *Handle) sendBatch(reqs []*nl.NetlinkRequest) (int, error) {
	s := h.sock.Socket
	s.Lock()
	defer s.Unlock()
	pid, err := s.GetPid()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 0, batchBytes+4096)
	for start := 0; start < len(reqs); {
		buf = buf[:0]
		first := atomic.AddUint32(&h.sock.Seq, 1)
		end := start
		for end < len(reqs) && end-start < batchMessages && len(buf) < batchBytes {
			r := reqs[end]
			r.Flags &^= unix.NLM_F_ACK
			r.Seq = first + uint32(end-start)
			if end+1 == len(reqs) || end+1-start == batchMessages {
				r.Flags |= unix.NLM_F_ACK
			}
			b := r.Serialize()
			if len(buf)+len(b) > batchBytes && end > start {
				break
			}
			buf = append(buf, b...)
			end++
		}
		last := reqs[end-1]
		if last.Flags&unix.NLM_F_ACK == 0 {
			// The batch ended on its byte size: re-encode the last one with an ACK.
			buf = buf[:len(buf)-int(nlmAlign(last.Len))]
			last.Flags |= unix.NLM_F_ACK
			buf = append(buf, last.Serialize()...)
		}
		lastSeq := first + uint32(end-1-start)
		atomic.StoreUint32(&h.sock.Seq, lastSeq)
		h.ops.Add(int64(end - start))
		if err := unix.Sendto(s.GetFd(), buf, 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
			return start, fmt.Errorf("send %d requests: %w", end-start, err)
		}
		failed, ferr := -1, error(nil)
	read:
		for {
			msgs, from, err := s.Receive()
			if err != nil {
				return start, fmt.Errorf("read replies: %w", err)
			}
			if from.Pid != nl.PidKernel {
				continue
			}
			for _, m := range msgs {
				if m.Header.Pid != pid || m.Header.Type != unix.NLMSG_ERROR || m.Header.Seq < first || m.Header.Seq > lastSeq {
					continue
				}
				i := int(m.Header.Seq - first)
				if e := replyError(m); e != nil && (failed < 0 || i < failed) {
					failed, ferr = i, e
				}
				if m.Header.Seq == lastSeq {
					break read
				}
			}
		}
		if failed >= 0 {
			return start + failed, ferr
		}
		start = end
	}
	return len(reqs), nil
}

func nlmAlign(n uint32) uint32 { return (n + unix.NLMSG_ALIGNTO - 1) &^ (unix.NLMSG_ALIGNTO - 1) }

// replyError decodes an NLMSG_ERROR reply: nil for an ACK, else the errno
// with the kernel's extended-ACK message when there is one.
func replyError(m syscall.NetlinkMessage) error {
	if len(m.Data) < 4 {
		return errors.New("short netlink error reply")
	}
	errno := int32(nl.NativeEndian().Uint32(m.Data[0:4]))
	if errno == 0 {
		return nil
	}
	var err error = syscall.Errno(-errno)
	rest := m.Data[4:]
	if m.Header.Flags&unix.NLM_F_ACK_TLVS == 0 || len(rest) < unix.SizeofNlMsghdr {
		return err
	}
	// Skip the echoed request (only its header when the kernel capped it).
	echoed := nl.NativeEndian().Uint32(rest[0:4])
	if m.Header.Flags&unix.NLM_F_CAPPED != 0 {
		echoed = unix.SizeofNlMsghdr
	}
	if int(nlmAlign(echoed)) > len(rest) {
		return err
	}
	rest = rest[nlmAlign(echoed):]
	for len(rest) >= unix.SizeofRtAttr {
		l := int(nl.NativeEndian().Uint16(rest[0:2]))
		typ := nl.NativeEndian().Uint16(rest[2:4])
		if l < unix.SizeofRtAttr || l > len(rest) {
			break
		}
		if typ == nl.NLMSGERR_ATTR_MSG {
			err = fmt.Errorf("%w: %s", err, unix.ByteSliceToString(rest[unix.SizeofRtAttr:l]))
		}
		rest = rest[min(len(rest), (l+unix.RTA_ALIGNTO-1)&^(unix.RTA_ALIGNTO-1)):]
	}
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

package tc

import (
	"errors"
	"fmt"
	"slices"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

// Stats are the common counters of a qdisc or class.
type Stats struct {
	Bytes      uint64 `json:"bytes"`
	Packets    uint64 `json:"packets"`
	Drops      uint32 `json:"drops"`
	Overlimits uint32 `json:"overlimits"`
	Requeues   uint32 `json:"requeues"`
	Backlog    uint32 `json:"backlog"`
	Qlen       uint32 `json:"qlen"`
	// Marks are ECN marks of a cake (all tins) or fq_codel qdisc; 0 for
	// other kinds.
	Marks uint64 `json:"marks"`
}

// LiveQdisc is one qdisc as the kernel reports it.
type LiveQdisc struct {
	Interface string
	Handle    tchandle.Handle
	Parent    tchandle.Handle
	Kind      string
	// Options is the raw TCA_OPTIONS payload, kept so a qdisc can be
	// recreated exactly on roll-back even for kinds we do not decode.
	Options []byte
	// Decoded htb options.
	HTBR2Q, HTBDefault uint32
	Stats              Stats
	// Cake holds a cake qdisc's own statistics (per tin). A reply the
	// decoder cannot read leaves it nil with CakeErr saying why; the rest of
	// the dump stays usable.
	Cake    *CakeStats
	CakeErr error
}

// LiveClass is one class as the kernel reports it. Rates are bits/s.
type LiveClass struct {
	Interface string
	ID        tchandle.Handle
	// Parent is the parent class, or the owning qdisc (major:0) for a
	// top-level class, matching plan.Class.Parent.
	Parent           tchandle.Handle
	Kind             string
	RateBps, CeilBps uint64
	Buffer, Cbuffer  uint32
	Quantum, Prio    uint32
	Level            uint32
	Stats            Stats
}

// Live is a snapshot of the tc objects on a set of interfaces.
type Live struct {
	Interfaces []string
	Qdiscs     []LiveQdisc
	Classes    []LiveClass
}

// Qdisc returns the qdisc on iface with the given parent, if any. Only hashed
// (visible) qdiscs are reported by the kernel; an HTB class's built-in
// default leaf is not.
func (l *Live) QdiscAt(iface string, parent tchandle.Handle) (LiveQdisc, bool) {
	for _, q := range l.Qdiscs {
		if q.Interface == iface && q.Parent == parent {
			return q, true
		}
	}
	return LiveQdisc{}, false
}

// Class returns the class with the given id on iface.
func (l *Live) Class(iface string, id tchandle.Handle) (LiveClass, bool) {
	for _, c := range l.Classes {
		if c.Interface == iface && c.ID == id {
			return c, true
		}
	}
	return LiveClass{}, false
}

// Dump reads qdiscs and classes of the named interfaces.
func Dump(h *Handle, ifaces []string) (*Live, error) {
	live := &Live{Interfaces: slices.Clone(ifaces)}
	idx := map[int]string{}
	for _, name := range ifaces {
		i, err := h.ifindex(name)
		if err != nil {
			return nil, fmt.Errorf("tc dump: %w", err)
		}
		idx[i] = name
	}
	// One qdisc dump covers every device; the kernel ignores the ifindex.
	msgs, err := h.dump(unix.RTM_GETQDISC, 0)
	if err != nil {
		return nil, fmt.Errorf("tc dump qdiscs: %w", err)
	}
	for _, m := range msgs {
		q, ifi, err := parseQdisc(m)
		if err != nil {
			return nil, fmt.Errorf("tc dump qdiscs: %w", err)
		}
		name, ok := idx[ifi]
		if !ok {
			continue
		}
		q.Interface = name
		live.Qdiscs = append(live.Qdiscs, q)
	}
	htbMajors := map[string]map[uint16]bool{}
	for _, q := range live.Qdiscs {
		if q.Kind == "htb" {
			if htbMajors[q.Interface] == nil {
				htbMajors[q.Interface] = map[uint16]bool{}
			}
			htbMajors[q.Interface][q.Handle.Major()] = true
		}
	}
	for _, name := range ifaces {
		i, _ := h.ifindex(name)
		msgs, err := h.dump(unix.RTM_GETTCLASS, i)
		if err != nil {
			return nil, fmt.Errorf("tc dump classes on %s: %w", name, err)
		}
		for _, m := range msgs {
			c, err := parseClass(m)
			if err != nil {
				return nil, fmt.Errorf("tc dump classes on %s: %w", name, err)
			}
			c.Interface = name
			if c.Parent == tchandle.Root && c.Kind == "htb" {
				// HTB reports a top-level class's parent as TC_H_ROOT;
				// the plan names the owning qdisc instead.
				c.Parent = tchandle.Make(c.ID.Major(), 0)
			}
			live.Classes = append(live.Classes, c)
		}
	}
	return live, nil
}

func parseTcHeader(m []byte) (*nl.TcMsg, []byte, error) {
	if len(m) < nl.SizeofTcMsg {
		return nil, nil, errors.New("short tc message")
	}
	return nl.DeserializeTcMsg(m), m[nl.SizeofTcMsg:], nil
}

func parseQdisc(m []byte) (LiveQdisc, int, error) {
	var q LiveQdisc
	hdr, rest, err := parseTcHeader(m)
	if err != nil {
		return q, 0, err
	}
	q.Handle, q.Parent = tchandle.Handle(hdr.Handle), tchandle.Handle(hdr.Parent)
	attrs, err := nl.ParseRouteAttr(rest)
	if err != nil {
		return q, 0, err
	}
	var app []byte
	for _, a := range attrs {
		switch a.Attr.Type {
		case nl.TCA_KIND:
			q.Kind = unix.ByteSliceToString(a.Value)
		case nl.TCA_OPTIONS:
			q.Options = slices.Clone(a.Value)
		case nl.TCA_STATS2:
			q.Stats, err = parseStats2(a.Value)
			if err != nil {
				return q, 0, err
			}
			app = statsApp(a.Value)
		}
	}
	if q.Kind == "cake" && app != nil {
		q.Cake, q.CakeErr = DecodeCakeStats(app)
	}
	q.Stats.Marks = ecnMarks(q.Kind, app, q.Cake)
	if q.Kind == "htb" && q.Options != nil {
		q.HTBR2Q, q.HTBDefault, err = decodeHTBQdisc(q.Options)
		if err != nil {
			return q, 0, fmt.Errorf("qdisc %s: %w", q.Handle, err)
		}
	}
	return q, int(hdr.Ifindex), nil
}

func parseClass(m []byte) (LiveClass, error) {
	var c LiveClass
	hdr, rest, err := parseTcHeader(m)
	if err != nil {
		return c, err
	}
	c.ID, c.Parent = tchandle.Handle(hdr.Handle), tchandle.Handle(hdr.Parent)
	attrs, err := nl.ParseRouteAttr(rest)
	if err != nil {
		return c, err
	}
	var opts []byte
	for _, a := range attrs {
		switch a.Attr.Type {
		case nl.TCA_KIND:
			c.Kind = unix.ByteSliceToString(a.Value)
		case nl.TCA_OPTIONS:
			opts = a.Value
		case nl.TCA_STATS2:
			c.Stats, err = parseStats2(a.Value)
			if err != nil {
				return c, err
			}
		}
	}
	if c.Kind == "htb" && opts != nil {
		p, err := decodeHTBClass(opts)
		if err != nil {
			return c, fmt.Errorf("class %s: %w", c.ID, err)
		}
		c.RateBps, c.CeilBps = p.Rate*8, p.Ceil*8
		c.Buffer, c.Cbuffer, c.Quantum, c.Prio, c.Level = p.Buffer, p.Cbuffer, p.Quantum, p.Prio, p.Level
	}
	return c, nil
}

// ecnMarks is a qdisc's ECN mark count from its TCA_STATS_APP: the sum
// over cake's tins (from its decoded stats), or fq_codel's qdisc xstats
// (ecn_mark at byte 12 of the qdisc variant). Anything else reads as 0.
func ecnMarks(kind string, app []byte, cake *CakeStats) uint64 {
	const fqCodelXstatsQdisc = 0
	var marks uint64
	switch kind {
	case "fq_codel":
		if len(app) >= 16 && ne.Uint32(app) == fqCodelXstatsQdisc {
			marks = uint64(ne.Uint32(app[12:]))
		}
	case "cake":
		if cake != nil {
			for _, t := range cake.Tins {
				marks += uint64(t.ECNMarkedPackets)
			}
		}
	}
	return marks
}

// statsApp returns the qdisc-specific TCA_STATS_APP payload of a TCA_STATS2.
func statsApp(b []byte) []byte {
	attrs, err := nl.ParseRouteAttr(b)
	if err != nil {
		return nil
	}
	for _, a := range attrs {
		if a.Attr.Type&^unix.NLA_F_NESTED == nl.TCA_STATS_APP {
			return a.Value
		}
	}
	return nil
}

func parseStats2(b []byte) (Stats, error) {
	var s Stats
	attrs, err := nl.ParseRouteAttr(b)
	if err != nil {
		return s, fmt.Errorf("stats: %w", err)
	}
	for _, a := range attrs {
		v := a.Value
		switch a.Attr.Type {
		case nl.TCA_STATS_BASIC:
			if len(v) >= 12 {
				s.Bytes, s.Packets = ne.Uint64(v[0:]), uint64(ne.Uint32(v[8:]))
			}
		case nl.TCA_STATS_PKT64:
			if len(v) >= 8 {
				s.Packets = ne.Uint64(v)
			}
		case nl.TCA_STATS_QUEUE:
			if len(v) >= 20 {
				s.Qlen, s.Backlog, s.Drops = ne.Uint32(v[0:]), ne.Uint32(v[4:]), ne.Uint32(v[8:])
				s.Requeues, s.Overlimits = ne.Uint32(v[12:]), ne.Uint32(v[16:])
			}
		}
	}
	return s, nil
}

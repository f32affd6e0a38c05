package datapath

import (
	"encoding/binary"
	"net/netip"
)

// Tiny frame builder for crafted test packets: layers are appended outermost
// first and each helper fixes the EtherType / next-protocol of the one before.

type frame struct {
	b        []byte
	typeAt   int // offset of the pending 2-byte type field, -1 if none
	l3Start  int
	lenField int // IPv4 tot_len / IPv6 payload_len offset
	isV6     bool
}

func eth() *frame {
	f := &frame{b: make([]byte, 14)}
	copy(f.b[0:6], []byte{0x02, 0, 0, 0, 0, 1})
	copy(f.b[6:12], []byte{0x02, 0, 0, 0, 0, 2})
	f.typeAt = 12
	return f
}

func (f *frame) setType(t uint16) {
	binary.BigEndian.PutUint16(f.b[f.typeAt:], t)
}

func (f *frame) vlan(tpid uint16, tci uint16) *frame {
	f.setType(tpid)
	off := len(f.b)
	f.b = binary.BigEndian.AppendUint16(f.b, tci)
	f.b = append(f.b, 0, 0)
	f.typeAt = off + 2
	return f
}

// pppoe adds a PPPoE session header; pppProto 0 means "pick from the next
// IP layer" (set when ipv4/ipv6 is appended).
func (f *frame) pppoe(pppProto uint16) *frame {
	f.setType(0x8864)
	off := len(f.b)
	f.b = append(f.b, 0x11, 0x00, 0x12, 0x34, 0x00, 0x00)
	f.b = binary.BigEndian.AppendUint16(f.b, pppProto)
	f.typeAt = -1
	if pppProto == 0 {
		f.typeAt = -(off + 6) // marker: PPP protocol field
	}
	return f
}

func (f *frame) mpls(labels ...uint32) *frame {
	f.setType(0x8847)
	for i, l := range labels {
		v := l << 12
		if i == len(labels)-1 {
			v |= 0x100 // bottom of stack
		}
		v |= 64 // TTL
		f.b = binary.BigEndian.AppendUint32(f.b, v)
	}
	f.typeAt = -1
	return f
}

func (f *frame) nextIP(v6 bool) {
	switch {
	case f.typeAt > 0:
		if v6 {
			f.setType(0x86DD)
		} else {
			f.setType(0x0800)
		}
	case f.typeAt < -1:
		p := uint16(0x0021)
		if v6 {
			p = 0x0057
		}
		binary.BigEndian.PutUint16(f.b[-f.typeAt:], p)
	}
	f.typeAt = -1
}

func (f *frame) ipv4(src, dst string, proto uint8) *frame {
	f.nextIP(false)
	f.l3Start = len(f.b)
	h := make([]byte, 20)
	h[0] = 0x45
	h[8] = 64
	h[9] = proto
	s, d := netip.MustParseAddr(src).As4(), netip.MustParseAddr(dst).As4()
	copy(h[12:16], s[:])
	copy(h[16:20], d[:])
	f.lenField = f.l3Start + 2
	f.b = append(f.b, h...)
	return f
}

func (f *frame) ipv6(src, dst string, proto uint8) *frame {
	f.nextIP(true)
	f.isV6 = true
	f.l3Start = len(f.b)
	h := make([]byte, 40)
	h[0] = 0x60
	h[6] = proto
	h[7] = 64
	s, d := netip.MustParseAddr(src).As16(), netip.MustParseAddr(dst).As16()
	copy(h[8:24], s[:])
	copy(h[24:40], d[:])
	f.lenField = f.l3Start + 4
	f.b = append(f.b, h...)
	return f
}

func (f *frame) udp(sport, dport uint16, payload int) *frame {
	h := make([]byte, 8+payload)
	binary.BigEndian.PutUint16(h[0:], sport)
	binary.BigEndian.PutUint16(h[2:], dport)
	binary.BigEndian.PutUint16(h[4:], uint16(8+payload))
	f.b = append(f.b, h...)
	return f.fixLen()
}

type tcpSeg struct {
	sport, dport uint16
	seq, ack     uint32
	flags        uint8
	tsval, tsecr uint32 // both 0: no timestamp option
	payload      int
}

func (f *frame) tcp(s tcpSeg) *frame {
	hl := 20
	if s.tsval != 0 || s.tsecr != 0 {
		hl = 32
	}
	h := make([]byte, hl+s.payload)
	binary.BigEndian.PutUint16(h[0:], s.sport)
	binary.BigEndian.PutUint16(h[2:], s.dport)
	binary.BigEndian.PutUint32(h[4:], s.seq)
	binary.BigEndian.PutUint32(h[8:], s.ack)
	h[12] = byte(hl/4) << 4
	h[13] = s.flags
	binary.BigEndian.PutUint16(h[14:], 65535)
	if hl == 32 {
		h[20], h[21], h[22], h[23] = 1, 1, 8, 10
		binary.BigEndian.PutUint32(h[24:], s.tsval)
		binary.BigEndian.PutUint32(h[28:], s.tsecr)
	}
	f.b = append(f.b, h...)
	return f.fixLen()
}

func (f *frame) fixLen() *frame {
	if f.isV6 {
		binary.BigEndian.PutUint16(f.b[f.lenField:], uint16(len(f.b)-f.l3Start-40))
	} else {
		binary.BigEndian.PutUint16(f.b[f.lenField:], uint16(len(f.b)-f.l3Start))
	}
	return f
}

// raw appends bytes and ends the frame (for non-IP payloads).
func (f *frame) raw(etherType uint16, payload []byte) *frame {
	if f.typeAt > 0 {
		f.setType(etherType)
	}
	f.b = append(f.b, payload...)
	return f
}

func (f *frame) bytes() []byte {
	// Pad to the Ethernet minimum like a NIC would.
	for len(f.b) < 60 {
		f.b = append(f.b, 0)
	}
	return f.b
}

// ext6 appends an 8-byte IPv6 extension header (hop-by-hop/routing/dest
// options padded with PadN, or a fragment header with fragOff in 8-byte
// units) whose next header is next.
func (f *frame) ext6(kind, next uint8, fragOff uint16) *frame {
	h := []byte{next, 0, 1, 4, 0, 0, 0, 0}
	if kind == 44 {
		h = []byte{next, 0, byte(fragOff >> 5), byte(fragOff<<3) | 1, 0, 0, 0, 7}
	}
	f.b = append(f.b, h...)
	return f.fixLen()
}

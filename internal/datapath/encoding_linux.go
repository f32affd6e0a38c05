//go:build linux

package datapath

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

// The kernel structs are bpf2go's generated types (lqosLqos*, from
// bpf/lqos_maps.h); this file converts between them and the public API.

const metaMagic = 0x4c514f53 // LQOS_META_MAGIC

func (m Mapping) raw() lqosLqosMapping {
	return lqosLqosMapping{Cpu: m.CPU, ClassidDown: uint32(m.ClassID), ClassidUp: uint32(m.UploadClassID), CircuitHash: m.CircuitHash, DeviceHash: m.DeviceHash}
}

func (r lqosLqosMapping) mapping() Mapping {
	return Mapping{CPU: r.Cpu, ClassID: tchandle.Handle(r.ClassidDown), UploadClassID: tchandle.Handle(r.ClassidUp), CircuitHash: r.CircuitHash, DeviceHash: r.DeviceHash}
}

// addrKey is the 128-bit map form of an address: IPv4 as ::ffff:a.b.c.d.
func addrKey(a netip.Addr) lqosLqosAddr { return lqosLqosAddr{B: a.As16()} }

// addrFrom decodes a 128-bit map address (IPv4-mapped -> IPv4).
func addrFrom(a lqosLqosAddr) netip.Addr { return netip.AddrFrom16(a.B).Unmap() }

// encodePrefix turns a prefix into the trie key: 128-bit address with IPv4
// stored as ::ffff:a.b.c.d and its length counted from the 128-bit start.
func encodePrefix(p netip.Prefix) (lqosLqosLpmKey, error) {
	p, err := NormalizePrefix(p)
	if err != nil {
		return lqosLqosLpmKey{}, err
	}
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	return lqosLqosLpmKey{Prefixlen: uint32(bits), Addr: addrKey(p.Addr())}, nil
}

// decodeKey is the inverse of encodePrefix.
func decodeKey(k lqosLqosLpmKey) (netip.Prefix, error) {
	if k.Prefixlen > 128 {
		return netip.Prefix{}, fmt.Errorf("trie key: prefix length %d > 128", k.Prefixlen)
	}
	a := netip.AddrFrom16(k.Addr.B)
	if a.Is4In6() && k.Prefixlen >= 96 {
		return netip.PrefixFrom(a.Unmap(), int(k.Prefixlen)-96), nil
	}
	return netip.PrefixFrom(a, int(k.Prefixlen)), nil
}

// encodeEntries converts entries into parallel key/value slices for a batch
// update, rejecting bad input with the index of the offending entry.
func encodeEntries(entries []Entry, maxCPU uint32) ([]lqosLqosLpmKey, []lqosLqosMapping, error) {
	keys := make([]lqosLqosLpmKey, len(entries))
	vals := make([]lqosLqosMapping, len(entries))
	for i, e := range entries {
		k, err := encodePrefix(e.Prefix)
		if err != nil {
			return nil, nil, fmt.Errorf("entry %d: %w", i, err)
		}
		if err := e.Mapping.Validate(maxCPU); err != nil {
			return nil, nil, fmt.Errorf("entry %d (%s): %w", i, e.Prefix, err)
		}
		keys[i] = k
		vals[i] = e.Mapping.raw()
	}
	return keys, vals, nil
}

// decodeMeta reads the metadata XDP leaves in front of the frame
// (struct lqos_meta: classid, magic).
func decodeMeta(b []byte) (classid uint32, ok bool) {
	if len(b) < 8 || binary.LittleEndian.Uint32(b[4:8]) != metaMagic {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b[0:4]), true
}

func (r lqosLqosFlowKey) key() FlowKey {
	return FlowKey{Remote: addrFrom(r.Remote), Local: addrFrom(r.Local), RemotePort: r.RemotePort, LocalPort: r.LocalPort, Proto: r.Proto}
}

// flow decodes a kernel flow; mono converts kernel CLOCK_MONOTONIC ns to wall time.
func (r *lqosLqosFlow) flow(k lqosLqosFlowKey, mono func(uint64) time.Time) Flow {
	f := Flow{
		Key:         k.key(),
		Start:       mono(r.StartNs),
		LastSeen:    mono(r.LastSeenNs),
		Bytes:       r.Bytes,
		Packets:     r.Packets,
		Retransmits: r.Retransmits,
		ClassID:     tchandle.Handle(r.Classid),
		End:         FlowEnd(r.EndStatus),
	}
	for d := range 2 {
		f.RTT[d] = RTTStats{
			Last:  time.Duration(r.RttLastNs[d]),
			Min:   time.Duration(r.RttMinNs[d]),
			Sum:   time.Duration(r.RttSumNs[d]),
			Count: r.RttCount[d],
		}
	}
	return f
}

// sumHost adds up one host's per-CPU values.
func sumHost(addr lqosLqosAddr, percpu []lqosLqosHostCounters, mono func(uint64) time.Time) HostCounters {
	h := HostCounters{Addr: addrFrom(addr)}
	var last uint64
	for _, c := range percpu {
		for d := range 2 {
			h.Bytes[d] += c.Bytes[d]
			h.Packets[d] += c.Packets[d]
		}
		// Metadata from the CPU that saw the host most recently.
		if c.LastSeenNs >= last && c.LastSeenNs != 0 {
			last = c.LastSeenNs
			h.CircuitHash = c.CircuitHash
		}
	}
	h.LastSeen = mono(last)
	return h
}

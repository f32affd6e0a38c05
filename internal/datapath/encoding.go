package datapath

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

// Direction indices of the [2] arrays in HostCounters and Flow.
const (
	Download = 0 // toward the subscriber
	Upload   = 1 // toward the Internet
)

// Mapping is what a subscriber prefix resolves to in the data path.
type Mapping struct {
	CPU           uint32          // CPU the XDP program steers the subscriber's packets to
	ClassID       tchandle.Handle // download HTB class; 0 = not shaped
	UploadClassID tchandle.Handle // upload HTB class; 0 = not shaped
	CircuitHash   uint64
	DeviceHash    uint64
}

// Entry is one prefix and its mapping.
type Entry struct {
	Prefix  netip.Prefix
	Mapping Mapping
}

// Validate reports a mapping the data path cannot use. maxCPU is the number
// of CPUs the CPU map holds (0 skips that check).
func (m Mapping) Validate(maxCPU uint32) error {
	if m.ClassID == 0 && m.UploadClassID == 0 {
		return errors.New("mapping: ClassID and UploadClassID are both 0 (nothing to shape)")
	}
	for _, c := range []struct {
		name string
		id   tchandle.Handle
	}{{"ClassID", m.ClassID}, {"UploadClassID", m.UploadClassID}} {
		if c.id != 0 && (c.id>>16 == 0 || c.id&0xffff == 0) {
			return fmt.Errorf("mapping: %s %s needs a non-zero major and minor", c.name, c.id)
		}
	}
	if maxCPU != 0 && m.CPU >= maxCPU {
		return fmt.Errorf("mapping: CPU %d out of range (have %d CPUs)", m.CPU, maxCPU)
	}
	return nil
}

// lpmKey mirrors struct lqos_lpm_key.
type lpmKey struct {
	PrefixLen uint32
	Addr      [16]byte
}

// rawMapping mirrors struct lqos_mapping.
type rawMapping struct {
	CPU       uint32
	ClassDown uint32
	ClassUp   uint32
	Reserved  uint32
	Circuit   uint64
	Device    uint64
}

// rawCacheEntry mirrors struct lqos_cache_entry.
type rawCacheEntry struct {
	M     rawMapping
	Epoch uint32
	Flags uint32
}

// rawHostCounters mirrors struct lqos_host_counters (one CPU's copy).
type rawHostCounters struct {
	Bytes       [2]uint64
	Packets     [2]uint64
	LastSeenNs  uint64
	CircuitHash uint64
}

// rawFlowKey mirrors struct lqos_flow_key.
type rawFlowKey struct {
	Remote     [16]byte
	Local      [16]byte
	RemotePort uint16
	LocalPort  uint16
	Proto      uint8
	Pad        [3]uint8
}

// rawFlow mirrors struct lqos_flow.
type rawFlow struct {
	StartNs     uint64
	LastSeenNs  uint64
	Bytes       [2]uint64
	Packets     [2]uint64
	NextSeq     [2]uint32
	Retransmits [2]uint32
	TsVal       [2]uint32
	ClassID     uint32
	EndStatus   uint8
	Pad         [3]uint8
	TsTime      [2]uint64
	RttLastNs   [2]uint64
	RttMinNs    [2]uint64
	RttSumNs    [2]uint64
	RttCount    [2]uint32
}

// rawMeta mirrors struct lqos_meta (XDP -> TC metadata).
type rawMeta struct {
	ClassID uint32
	Magic   uint32
}

const metaMagic = 0x4c514f53

func (m Mapping) raw() rawMapping {
	return rawMapping{CPU: m.CPU, ClassDown: uint32(m.ClassID), ClassUp: uint32(m.UploadClassID), Circuit: m.CircuitHash, Device: m.DeviceHash}
}

func (r rawMapping) mapping() Mapping {
	return Mapping{CPU: r.CPU, ClassID: tchandle.Handle(r.ClassDown), UploadClassID: tchandle.Handle(r.ClassUp), CircuitHash: r.Circuit, DeviceHash: r.Device}
}

// NormalizePrefix returns the canonical form stored in the trie: host bits
// cleared and IPv4-mapped IPv6 prefixes (::ffff:a.b.c.d/n, n >= 96) turned
// into plain IPv4, because both encode to the same key.
func NormalizePrefix(p netip.Prefix) (netip.Prefix, error) {
	if !p.IsValid() {
		return netip.Prefix{}, fmt.Errorf("prefix %q is not a valid IP prefix", p.String())
	}
	a := p.Addr()
	if a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("prefix %s: zones are not allowed", p)
	}
	if a.Is4In6() {
		if p.Bits() < 96 {
			return netip.Prefix{}, fmt.Errorf("prefix %s: IPv4-mapped prefix shorter than /96 mixes families", p)
		}
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// encodePrefix turns a prefix into the trie key: 128-bit address with IPv4
// stored as ::ffff:a.b.c.d and its length counted from the 128-bit start.
func encodePrefix(p netip.Prefix) (lpmKey, error) {
	p, err := NormalizePrefix(p)
	if err != nil {
		return lpmKey{}, err
	}
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	return lpmKey{PrefixLen: uint32(bits), Addr: p.Addr().As16()}, nil
}

// decodeKey is the inverse of encodePrefix.
func decodeKey(k lpmKey) (netip.Prefix, error) {
	if k.PrefixLen > 128 {
		return netip.Prefix{}, fmt.Errorf("trie key: prefix length %d > 128", k.PrefixLen)
	}
	a := netip.AddrFrom16(k.Addr)
	if a.Is4In6() && k.PrefixLen >= 96 {
		return netip.PrefixFrom(a.Unmap(), int(k.PrefixLen)-96), nil
	}
	return netip.PrefixFrom(a, int(k.PrefixLen)), nil
}

// addrFrom16 decodes a 128-bit map address (IPv4-mapped -> IPv4).
func addrFrom16(b [16]byte) netip.Addr { return netip.AddrFrom16(b).Unmap() }

// encodeEntries converts entries into parallel key/value slices for a batch
// update, rejecting bad input with the index of the offending entry.
func encodeEntries(entries []Entry, maxCPU uint32) ([]lpmKey, []rawMapping, error) {
	keys := make([]lpmKey, len(entries))
	vals := make([]rawMapping, len(entries))
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

// decodeMeta reads the metadata XDP leaves in front of the frame.
func decodeMeta(b []byte) (classid uint32, ok bool) {
	if len(b) < 8 || binary.LittleEndian.Uint32(b[4:8]) != metaMagic {
		return 0, false
	}
	return binary.LittleEndian.Uint32(b[0:4]), true
}

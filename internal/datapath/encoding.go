package datapath

import (
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

// validateEntries checks every entry the way a batch update does, naming the
// index of the first bad one.
func validateEntries(entries []Entry, maxCPU uint32) error {
	for i, e := range entries {
		if _, err := NormalizePrefix(e.Prefix); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		if err := e.Mapping.Validate(maxCPU); err != nil {
			return fmt.Errorf("entry %d (%s): %w", i, e.Prefix, err)
		}
	}
	return nil
}

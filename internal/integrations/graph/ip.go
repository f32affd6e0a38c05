package graph

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// ParseIP reads one address or prefix as CRMs write them. Hosts become /32 or
// /128. A prefix with host bits set ("100.64.6.1/29", an interface address) is
// the host itself; a network address ("100.64.6.0/29") keeps its length.
// IPv4-mapped IPv6 is unmapped. Unspecified and broadcast addresses are refused.
func ParseIP(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return netip.Prefix{}, errors.New("empty address")
	}
	var addr netip.Addr
	bits := -1
	if a, b, ok := strings.Cut(s, "/"); ok {
		p, err := netip.ParsePrefix(a + "/" + b)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a valid address or prefix", s)
		}
		addr, bits = p.Addr(), p.Bits()
	} else {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a valid address", s)
		}
		addr = a
	}
	if addr.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q has a zone", s)
	}
	if addr.Is4In6() {
		addr = addr.Unmap()
		if bits >= 96 {
			bits -= 96
		} else if bits >= 0 {
			return netip.Prefix{}, fmt.Errorf("%q is an IPv4-mapped prefix shorter than /96", s)
		}
	}
	if addr.IsUnspecified() || addr == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || addr.IsLoopback() || addr.IsMulticast() || addr.IsLinkLocalUnicast() {
		return netip.Prefix{}, fmt.Errorf("%q is not a usable subscriber address", s)
	}
	if bits < 0 || bits == addr.BitLen() {
		return netip.PrefixFrom(addr, addr.BitLen()), nil
	}
	p := netip.PrefixFrom(addr, bits)
	if p.Masked().Addr() != addr {
		// Host bits set: this is an interface address, the host is what we shape.
		return netip.PrefixFrom(addr, addr.BitLen()), nil
	}
	return p, nil
}

// SplitIPs splits a comma/space/semicolon separated list, trimming and
// dropping blanks (upstream crashed on empty strings).
func SplitIPs(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' })
	return f
}

// IPFilter applies ip_ranges.allow_subnets and ip_ranges.ignore_subnets.
//
// A prefix is permitted when it overlaps no ignore subnet and lies inside an
// allow subnet of its own family. A family with no allow subnet at all is
// not restricted (the stock allow list is IPv4-only; dropping every IPv6
// prefix because of that would surprise operators).
type IPFilter struct {
	allow4, allow6, ignore []netip.Prefix
}

// NewIPFilter parses the two lists; errors name the list and entry.
func NewIPFilter(allow, ignore []string) (*IPFilter, error) {
	f := &IPFilter{}
	for i, s := range allow {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("ip_ranges.allow_subnets[%d]: %q is not a CIDR prefix", i, s)
		}
		p = p.Masked()
		if p.Addr().Is4() {
			f.allow4 = append(f.allow4, p)
		} else {
			f.allow6 = append(f.allow6, p)
		}
	}
	for i, s := range ignore {
		p, err := netip.ParsePrefix(strings.TrimSpace(s))
		if err != nil {
			return nil, fmt.Errorf("ip_ranges.ignore_subnets[%d]: %q is not a CIDR prefix", i, s)
		}
		f.ignore = append(f.ignore, p.Masked())
	}
	return f, nil
}

// Permit reports whether p may be shaped, and if not, why.
func (f *IPFilter) Permit(p netip.Prefix) (bool, string) {
	if f == nil {
		return true, ""
	}
	for _, ig := range f.ignore {
		if ig.Overlaps(p) {
			return false, "inside ignore subnet " + ig.String()
		}
	}
	allow := f.allow4
	if p.Addr().Is6() {
		allow = f.allow6
	}
	if len(allow) == 0 {
		return true, ""
	}
	for _, a := range allow {
		if a.Bits() <= p.Bits() && a.Contains(p.Addr()) {
			return true, ""
		}
	}
	return false, "outside allow_subnets"
}

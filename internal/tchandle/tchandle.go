// Package tchandle is the one type for a tc handle (a qdisc handle or an HTB
// class id): major in the high 16 bits, minor in the low 16. The planner,
// the netlink code and the data path's IP mappings all use it; it imports
// nothing of ours so any package can.
package tchandle

import (
	"fmt"
	"strconv"
	"strings"
)

// Handle is major<<16 | minor. 0 means "none" (not shaped, let the kernel
// choose a leaf handle).
type Handle uint32

// Root is TC_H_ROOT, the parent of a root qdisc.
const Root Handle = 0xFFFFFFFF

// Make builds major:minor.
func Make(major, minor uint16) Handle { return Handle(uint32(major)<<16 | uint32(minor)) }

// Major is the upper half.
func (h Handle) Major() uint16 { return uint16(h >> 16) }

// Minor is the lower half.
func (h Handle) Minor() uint16 { return uint16(h) }

// String prints the handle the way tc prints a class id ("1f:3", hex).
func (h Handle) String() string { return string(h.Append(nil)) }

// Append appends "major:minor" in hex.
func (h Handle) Append(b []byte) []byte {
	return strconv.AppendUint(h.AppendQdisc(b), uint64(h.Minor()), 16)
}

// AppendQdisc appends "major:", the way tc takes a qdisc handle.
func (h Handle) AppendQdisc(b []byte) []byte {
	return append(strconv.AppendUint(b, uint64(h.Major()), 16), ':')
}

// Parse reads tc's "major:minor" hex notation ("1f:3", "0x1f:0x3").
func Parse(s string) (Handle, error) {
	maj, min, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok {
		return 0, fmt.Errorf("class id %q: want major:minor in hex", s)
	}
	parse := func(part, name string) (uint16, error) {
		part = strings.TrimPrefix(strings.TrimPrefix(part, "0x"), "0X")
		v, err := strconv.ParseUint(part, 16, 16)
		if err != nil {
			return 0, fmt.Errorf("class id %q: %s %q is not a 16-bit hex number", s, name, part)
		}
		return uint16(v), nil
	}
	hi, err := parse(maj, "major")
	if err != nil {
		return 0, err
	}
	lo, err := parse(min, "minor")
	if err != nil {
		return 0, err
	}
	return Make(hi, lo), nil
}

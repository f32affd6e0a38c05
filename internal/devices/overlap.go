package devices

import (
	"net/netip"
	"slices"
)

// checkAddresses finds addresses given twice and prefixes that overlap. Across
// circuits both are errors: the data path could send a subscriber's traffic
// to someone else's queue. Within one circuit they are only warnings.
func (p *parser) checkAddresses() {
	s := p.seen
	slices.SortStableFunc(s, func(a, b seenPrefix) int {
		if c := a.prefix.Addr().Compare(b.prefix.Addr()); c != 0 {
			return c
		}
		return a.prefix.Bits() - b.prefix.Bits()
	})
	// Prefixes are nested or disjoint, so after sorting by start address the
	// widest prefix seen so far that is still open covers everything it overlaps.
	var cover *seenPrefix
	for i := range s {
		cur := &s[i]
		if cover != nil && cover.prefix.Addr().BitLen() == cur.prefix.Addr().BitLen() && cover.prefix.Contains(cur.prefix.Addr()) {
			p.reportOverlap(cover, cur)
			continue
		}
		cover = cur
	}
}

func (p *parser) reportOverlap(first, dup *seenPrefix) {
	col := dup.column.String()
	same := first.prefix == dup.prefix
	switch {
	case first.circuit == dup.circuit && same:
		p.diags.Warnf(p.file, dup.line, col, "%s is listed twice in circuit %q (also line %d)", dup.prefix, dup.circuit.ID, first.line)
	case first.circuit == dup.circuit:
		p.diags.Warnf(p.file, dup.line, col, "%s overlaps %s of the same circuit %q (line %d)", dup.prefix, first.prefix, dup.circuit.ID, first.line)
	case same:
		p.diags.Errorf(p.file, dup.line, col, "%s is already used by circuit %q on line %d", display(dup.prefix), first.circuit.ID, first.line)
	default:
		p.diags.Errorf(p.file, dup.line, col, "%s overlaps %s of circuit %q on line %d", display(dup.prefix), display(first.prefix), first.circuit.ID, first.line)
	}
}

// display prints hosts without their /32 or /128.
func display(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

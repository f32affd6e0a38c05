package daemon

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// mappingFix is what the data path's mappings need to agree with the
// recorded tree.
type mappingFix struct {
	// Upserts: recorded mappings that are missing or differ.
	Upserts []datapath.Entry
	upIDs   []idPair
	// Stale: mappings the record does not list whose class is not in the
	// recorded tree (they would send traffic to no queue: unshaped).
	Stale []netip.Prefix
}

func (f mappingFix) empty() bool { return len(f.Upserts) == 0 && len(f.Stale) == 0 }

// describe names the first few fixes for logs and the urgent issue.
func (f mappingFix) describe(limit int) []string {
	var out []string
	for _, e := range f.Upserts {
		out = append(out, fmt.Sprintf("mapping %s -> class %s missing or different", e.Prefix, tchandle.Handle(e.Mapping.ClassID)))
	}
	for _, p := range f.Stale {
		out = append(out, fmt.Sprintf("mapping %s points at a class not in the applied tree", p))
	}
	return out[:min(len(out), limit)]
}

// mappingDrift compares live mappings with the recorded tree. Mappings
// added by hand (bus map_ips) are kept while their classes exist.
func mappingDrift(tree *plan.Tree, live []datapath.Entry) mappingFix {
	var fix mappingFix
	have := make(map[netip.Prefix]datapath.Mapping, len(live))
	for _, e := range live {
		have[e.Prefix] = e.Mapping
	}
	recorded := make(map[netip.Prefix]bool, len(tree.Mappings))
	for _, m := range tree.Mappings {
		e := shaper.ToDatapath(m)
		p, err := datapath.NormalizePrefix(e.Prefix)
		if err != nil {
			continue
		}
		e.Prefix = p
		recorded[p] = true
		if old, ok := have[p]; !ok || old != e.Mapping {
			fix.Upserts = append(fix.Upserts, e)
			fix.upIDs = append(fix.upIDs, idPair{Circuit: m.CircuitID, Device: m.DeviceID})
		}
	}
	if tree.Observe {
		return fix // no classes in observe mode: nothing to point at
	}
	classes := map[tchandle.Handle]bool{}
	for _, c := range tree.Classes {
		classes[c.ID] = true
	}
	exists := func(id tchandle.Handle) bool { return id == 0 || classes[id] }
	for p, m := range have {
		if !recorded[p] && (!exists(m.ClassID) || !exists(m.UploadClassID)) {
			fix.Stale = append(fix.Stale, p)
		}
	}
	slices.SortFunc(fix.Stale, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
	return fix
}

// repairMappings applies a fix through lqosd's mirror and the ID table.
func (d *Daemon) repairMappings(f mappingFix) error {
	if len(f.Upserts) > 0 {
		if err := d.maps.BatchUpdate(f.Upserts); err != nil {
			return fmt.Errorf("restore %d mappings: %w", len(f.Upserts), err)
		}
		ps := make([]netip.Prefix, len(f.Upserts))
		for i, e := range f.Upserts {
			ps[i] = e.Prefix
		}
		if err := d.names.set(ps, f.upIDs); err != nil {
			d.log.Warn("mapping names: save", "err", err)
		}
	}
	if len(f.Stale) > 0 {
		if err := d.maps.BatchDelete(f.Stale); err != nil {
			return fmt.Errorf("remove %d stale mappings: %w", len(f.Stale), err)
		}
		if err := d.names.del(f.Stale); err != nil {
			d.log.Warn("mapping names: save", "err", err)
		}
	}
	d.maps.touch()
	return nil
}

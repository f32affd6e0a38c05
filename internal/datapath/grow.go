//go:build linux

package datapath

import (
	"errors"
	"fmt"
	"math/bits"
	"net"
	"os"
	"path/filepath"

	"github.com/cilium/ebpf"
)

// The host-prefix hash is sized from what it holds: a hash map allocates a
// bucket per max_entries (16 B each) even when empty, so it starts at
// exactInitial (or the size of its pin) and doubles on demand up to
// Options.MaxMappings. The LPM trie needs no sizing: it is not
// preallocated, so its cap costs nothing until used.
const (
	exactInitial  = 16384
	defaultMaxMap = 1 << 20
)

// mappingCap is the most mappings of one kind (hosts, or shorter prefixes).
func (d *Datapath) mappingCap() uint32 {
	if d.opts.MaxMappings != 0 {
		return d.opts.MaxMappings
	}
	return defaultMaxMap
}

// exactSize is the size to create the host-prefix hash with: its pin's size
// when one is there (so the pinned entries are kept), else exactInitial.
func (d *Datapath) exactSize() uint32 {
	size := min(uint32(exactInitial), d.mappingCap())
	if d.opts.PinDir == "" {
		return size
	}
	m, err := ebpf.LoadPinnedMap(filepath.Join(d.opts.PinDir, mapExact), nil)
	if err != nil {
		return size
	}
	defer m.Close()
	if n := m.MaxEntries(); n > 0 && n <= d.mappingCap() {
		return n
	}
	return size
}

// ensureExact grows the host-prefix hash so it can hold need entries (with
// a quarter of headroom), up to the cap. Smaller needs are a no-op.
func (d *Datapath) ensureExact(need int) error {
	cur := d.maps[mapExact].MaxEntries()
	if uint64(need) <= uint64(cur) || cur >= d.mappingCap() {
		return nil
	}
	want := uint64(need) + uint64(need)/4
	size := uint32(min(uint64(d.mappingCap()), 1<<bits.Len64(want-1)))
	return d.growExact(size)
}

// growExact replaces the host-prefix hash with one of size entries: copy the
// entries, load every attached interface's programs against the new map and
// swap them into the links (the old programs keep using the old, complete
// map until the swap, so no packet misses its mapping), then move the pin.
func (d *Datapath) growExact(size uint32) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.maps[mapExact]
	if size <= old.MaxEntries() {
		return nil
	}
	ms := d.spec.Maps[mapExact].Copy()
	ms.MaxEntries = size
	ms.Pinning = ebpf.PinNone
	nm, err := ebpf.NewMap(ms)
	if err != nil {
		return fmt.Errorf("datapath: grow host mappings to %d: %w", size, err)
	}
	fail := func(err error) error {
		nm.Close()
		d.maps[mapExact] = old
		d.spec.Maps[mapExact].MaxEntries = old.MaxEntries()
		return fmt.Errorf("datapath: grow host mappings to %d: %w", size, err)
	}
	var keys []lqosLqosAddr
	var vals []lqosLqosMapping
	if err := readAll(old, 1, func(k lqosLqosAddr, v []lqosLqosMapping) {
		keys = append(keys, k)
		vals = append(vals, v[0])
	}); err != nil {
		return fail(err)
	}
	if _, err := batchPut(nm, keys, vals); err != nil {
		return fail(err)
	}
	d.maps[mapExact] = nm
	d.spec.Maps[mapExact].MaxEntries = size

	// Load every interface's programs first: a refusal leaves all as it was.
	fresh := make([]*lqosPrograms, len(d.attached))
	for i, a := range d.attached {
		p, err := d.loadPrograms(a.ifc)
		if err != nil {
			for _, q := range fresh[:i] {
				q.Close()
			}
			return fail(err)
		}
		fresh[i] = p
	}
	for i, a := range d.attached {
		if err := a.swapPrograms(fresh[i]); err != nil {
			// Interfaces swapped so far run on the new map, the rest on the
			// old one; both hold every entry, but later writes go to the
			// new map only, so report it loudly.
			return fmt.Errorf("datapath: grow host mappings: interface %s kept its old programs: %w", a.ifc.Name, err)
		}
	}
	if old.IsPinned() {
		pin := filepath.Join(d.opts.PinDir, mapExact)
		if err := old.Unpin(); err != nil && !errors.Is(err, os.ErrNotExist) {
			d.log.Warn("unpinning the old host-prefix map", "err", err)
		}
		if err := nm.Pin(pin); err != nil {
			return fmt.Errorf("datapath: pin grown host mappings: %w", err)
		}
	}
	old.Close()
	d.log.Info("host-prefix map grown", "entries", len(keys), "capacity", size)
	return nil
}

// swapPrograms puts p into this interface's hooks (XDP link, TCX link or the
// clsact filter) and closes the programs it replaces.
func (a *attachment) swapPrograms(p *lqosPrograms) error {
	for i, l := range a.links {
		prog := p.LqosXdp
		if i > 0 {
			prog = p.LqosTcEgress
		}
		if err := l.Update(prog); err != nil {
			p.Close()
			return err
		}
	}
	if a.legacy != nil {
		nic, err := net.InterfaceByName(a.ifc.Name)
		if err != nil {
			p.Close()
			return err
		}
		undo, err := attachLegacyTC(nic.Index, p.LqosTcEgress)
		if err != nil {
			p.Close()
			return err
		}
		a.legacy = undo
	}
	a.progs.Close()
	a.progs = p
	return nil
}

package datapath

import (
	"fmt"
	"net/netip"
	"sort"
	"sync"
)

// MemStore is an in-memory MappingStore with the same validation and prefix
// normalisation as the kernel store, for tests of control-plane code.
type MemStore struct {
	// MaxCPU, when non-zero, rejects mappings with CPU >= MaxCPU.
	MaxCPU uint32
	// Capacity, when non-zero, bounds the number of prefixes like the trie's
	// max_entries does.
	Capacity int

	mu sync.Mutex
	m  map[netip.Prefix]Mapping
}

var _ MappingStore = (*MemStore)(nil)

func (s *MemStore) Add(p netip.Prefix, m Mapping) error {
	return s.BatchUpdate([]Entry{{Prefix: p, Mapping: m}})
}

func (s *MemStore) Delete(p netip.Prefix) error {
	p, err := NormalizePrefix(p)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, p)
	return nil
}

func (s *MemStore) BatchDelete(ps []netip.Prefix) error {
	norm := make([]netip.Prefix, len(ps))
	for i, p := range ps {
		n, err := NormalizePrefix(p)
		if err != nil {
			return fmt.Errorf("prefix %d: %w", i, err)
		}
		norm[i] = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range norm {
		delete(s.m, p)
	}
	return nil
}

func (s *MemStore) List() ([]Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Entry, 0, len(s.m))
	for p, m := range s.m {
		out = append(out, Entry{Prefix: p, Mapping: m})
	}
	sortEntries(out)
	return out, nil
}

func (s *MemStore) Clear() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = nil
	return nil
}

func (s *MemStore) BatchUpdate(entries []Entry) error {
	if err := validateEntries(entries, s.MaxCPU); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = make(map[netip.Prefix]Mapping)
	}
	if s.Capacity > 0 {
		n := len(s.m)
		seen := map[netip.Prefix]bool{}
		for _, e := range entries {
			p, _ := NormalizePrefix(e.Prefix)
			if _, ok := s.m[p]; !ok && !seen[p] {
				seen[p] = true
				n++
			}
		}
		if n > s.Capacity {
			return &CapacityError{Have: len(s.m), Adding: n - len(s.m), Capacity: s.Capacity}
		}
	}
	for _, e := range entries {
		p, _ := NormalizePrefix(e.Prefix)
		s.m[p] = e.Mapping
	}
	return nil
}

// Lookup does a longest-prefix match like the data path does.
func (s *MemStore) Lookup(a netip.Addr) (Entry, bool) {
	a = a.Unmap()
	s.mu.Lock()
	defer s.mu.Unlock()
	best := Entry{}
	found := false
	for p, m := range s.m {
		if p.Contains(a) && (!found || p.Bits() > best.Prefix.Bits()) {
			best, found = Entry{Prefix: p, Mapping: m}, true
		}
	}
	return best, found
}

// sortEntries orders IPv4 before IPv6, then by address and length.
func sortEntries(es []Entry) {
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i].Prefix, es[j].Prefix
		if c := a.Addr().Compare(b.Addr()); c != 0 {
			return c < 0
		}
		return a.Bits() < b.Bits()
	})
}

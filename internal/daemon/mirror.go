package daemon

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"sync"

	"github.com/libreqos-go/lqos/internal/datapath"
)

// mirror is lqosd's in-memory copy of the data path's mapping trie. lqosd
// is the only writer of the trie, so after one read at start the copy stays
// exact, and lists are served from memory: walking the kernel's LPM trie
// costs ~17 µs per entry (1.7 s for 100k), a sorted snapshot from memory a
// few milliseconds, once per change.
//
// Every write goes to the kernel first and then to the copy while holding
// wmu, so the copy changes in the same order as the kernel. Readers never
// wait for a kernel write: they see the state before or after it. A failed
// kernel write (which may have applied part of a batch) reloads the copy
// from the kernel.
type mirror struct {
	dp datapath.MappingStore

	wmu sync.Mutex // serialises writers (kernel write + copy update)

	mu      sync.RWMutex
	m       map[netip.Prefix]datapath.Mapping
	sorted  []datapath.Entry // nil when stale; shared, never modified
	version uint64           // bumped on every change (and by touch)
}

var _ datapath.MappingStore = (*mirror)(nil)

// newMirror reads the kernel's mappings once.
func newMirror(dp datapath.MappingStore) (*mirror, error) {
	m := &mirror{dp: dp}
	if err := m.reload(); err != nil {
		return nil, err
	}
	return m, nil
}

// reload replaces the copy with the kernel's contents (caller holds wmu, or
// nothing else runs yet).
func (m *mirror) reload() error {
	es, err := m.dp.List()
	if err != nil {
		return err
	}
	mm := make(map[netip.Prefix]datapath.Mapping, len(es))
	for _, e := range es {
		mm[e.Prefix] = e.Mapping
	}
	m.mu.Lock()
	m.m, m.sorted = mm, es
	m.version++
	m.mu.Unlock()
	return nil
}

// failed resyncs after a kernel error and returns the error.
func (m *mirror) failed(err error) error {
	if rerr := m.reload(); rerr != nil {
		return fmt.Errorf("%w (and re-reading the mappings failed: %v)", err, rerr)
	}
	return err
}

// change applies fn to the copy under the write lock.
func (m *mirror) change(fn func(map[netip.Prefix]datapath.Mapping)) {
	m.mu.Lock()
	fn(m.m)
	m.sorted = nil
	m.version++
	m.mu.Unlock()
}

// touch marks the copy changed without changing it (the ID table, which
// listings include, was updated).
func (m *mirror) touch() {
	m.mu.Lock()
	m.version++
	m.mu.Unlock()
}

func (m *mirror) Add(p netip.Prefix, mp datapath.Mapping) error {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	if err := m.dp.Add(p, mp); err != nil {
		return m.failed(err)
	}
	m.change(func(mm map[netip.Prefix]datapath.Mapping) { mm[norm(p)] = mp })
	return nil
}

func (m *mirror) Delete(p netip.Prefix) error {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	if err := m.dp.Delete(p); err != nil {
		return m.failed(err)
	}
	m.change(func(mm map[netip.Prefix]datapath.Mapping) { delete(mm, norm(p)) })
	return nil
}

func (m *mirror) Clear() error {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	if err := m.dp.Clear(); err != nil {
		return m.failed(err)
	}
	m.change(func(mm map[netip.Prefix]datapath.Mapping) { clear(mm) })
	return nil
}

func (m *mirror) BatchUpdate(es []datapath.Entry) error {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	if err := m.dp.BatchUpdate(es); err != nil {
		return m.failed(err)
	}
	m.change(func(mm map[netip.Prefix]datapath.Mapping) {
		for _, e := range es {
			mm[norm(e.Prefix)] = e.Mapping
		}
	})
	return nil
}

func (m *mirror) BatchDelete(ps []netip.Prefix) error {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	if err := m.dp.BatchDelete(ps); err != nil {
		return m.failed(err)
	}
	m.change(func(mm map[netip.Prefix]datapath.Mapping) {
		for _, p := range ps {
			delete(mm, norm(p))
		}
	})
	return nil
}

// List returns every mapping sorted by prefix (the order datapath.List
// uses). The slice is shared between callers: do not modify it.
func (m *mirror) List() ([]datapath.Entry, error) {
	es, _ := m.snapshot()
	return es, nil
}

// snapshot is List plus the version it belongs to.
func (m *mirror) snapshot() ([]datapath.Entry, uint64) {
	m.mu.RLock()
	es, v := m.sorted, m.version
	m.mu.RUnlock()
	if es != nil {
		return es, v
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sorted == nil {
		es := make([]datapath.Entry, 0, len(m.m))
		for p, mp := range m.m {
			es = append(es, datapath.Entry{Prefix: p, Mapping: mp})
		}
		slices.SortFunc(es, func(a, b datapath.Entry) int {
			if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
				return c
			}
			return cmp.Compare(a.Prefix.Bits(), b.Prefix.Bits())
		})
		m.sorted = es
	}
	return m.sorted, m.version
}

// Len is the number of mappings.
func (m *mirror) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.m)
}

// Has reports whether exactly p is mapped.
func (m *mirror) Has(p netip.Prefix) bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, ok := m.m[norm(p)]
	return ok
}

// norm is the key the kernel stores p under (host bits cleared, IPv4-mapped
// IPv6 as IPv4). Invalid prefixes never reach the copy: the kernel write
// fails first.
func norm(p netip.Prefix) netip.Prefix {
	if n, err := datapath.NormalizePrefix(p); err == nil {
		return n
	}
	return p
}

package daemon

import (
	"errors"
	"net/netip"
	"slices"
	"sync"
	"testing"

	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// failingStore fails BatchUpdate after applying half the batch, like a
// trie that fills up.
type failingStore struct{ *datapath.MemStore }

func (f failingStore) BatchUpdate(es []datapath.Entry) error {
	_ = f.MemStore.BatchUpdate(es[:len(es)/2])
	return errors.New("trie full")
}

func TestMirrorFollowsWrites(t *testing.T) {
	kernel := &datapath.MemStore{}
	if err := kernel.Add(pfx("10.0.0.9/32"), datapath.Mapping{ClassID: 0x10003}); err != nil {
		t.Fatal(err)
	}
	m, err := newMirror(kernel)
	if err != nil {
		t.Fatal(err)
	}
	mp := func(c tchandle.Handle) datapath.Mapping { return datapath.Mapping{ClassID: c} }
	steps := []struct {
		name string
		op   func() error
		want []string
	}{
		{"loaded from the kernel", func() error { return nil }, []string{"10.0.0.9/32"}},
		{"add", func() error { return m.Add(pfx("10.0.0.1/32"), mp(0x10004)) }, []string{"10.0.0.1/32", "10.0.0.9/32"}},
		{"batch", func() error {
			return m.BatchUpdate([]datapath.Entry{{Prefix: pfx("2001:db8::/64"), Mapping: mp(0x10005)}, {Prefix: pfx("10.0.0.0/24"), Mapping: mp(0x10006)}})
		}, []string{"10.0.0.0/24", "10.0.0.1/32", "10.0.0.9/32", "2001:db8::/64"}},
		{"delete", func() error { return m.Delete(pfx("10.0.0.9/32")) }, []string{"10.0.0.0/24", "10.0.0.1/32", "2001:db8::/64"}},
		{"host bits and IPv4-mapped keys are stored like the kernel does", func() error {
			return m.BatchUpdate([]datapath.Entry{{Prefix: pfx("10.0.0.77/24"), Mapping: mp(0x10007)}, {Prefix: pfx("::ffff:10.0.0.1/128"), Mapping: mp(0x10008)}})
		}, []string{"10.0.0.0/24", "10.0.0.1/32", "2001:db8::/64"}},
		{"batch delete with a missing prefix", func() error { return m.BatchDelete([]netip.Prefix{pfx("10.0.0.1/32"), pfx("10.9.9.9/32")}) }, []string{"10.0.0.0/24", "2001:db8::/64"}},
		{"clear", m.Clear, nil},
	}
	for _, s := range steps {
		if err := s.op(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got, _ := m.List()
		var ps []string
		for _, e := range got {
			ps = append(ps, e.Prefix.String())
		}
		if !slices.Equal(ps, s.want) {
			t.Errorf("%s: mirror lists %v, want %v", s.name, ps, s.want)
		}
		k, _ := kernel.List()
		if !slices.Equal(k, got) {
			t.Errorf("%s: mirror %v differs from the kernel %v", s.name, got, k)
		}
		if m.Len() != len(s.want) {
			t.Errorf("%s: Len %d, want %d", s.name, m.Len(), len(s.want))
		}
	}
}

// A failed (partly applied) kernel write resyncs the copy.
func TestMirrorResyncsAfterFailure(t *testing.T) {
	kernel := &datapath.MemStore{}
	m, err := newMirror(failingStore{kernel})
	if err != nil {
		t.Fatal(err)
	}
	es := []datapath.Entry{{Prefix: pfx("10.0.0.1/32"), Mapping: datapath.Mapping{ClassID: 0x10003}}, {Prefix: pfx("10.0.0.2/32"), Mapping: datapath.Mapping{ClassID: 0x10003}}}
	if err := m.BatchUpdate(es); err == nil {
		t.Fatal("BatchUpdate succeeded on a failing store")
	}
	if !m.Has(pfx("10.0.0.1/32")) || m.Has(pfx("10.0.0.2/32")) || m.Len() != 1 {
		got, _ := m.List()
		t.Errorf("after a half-applied batch the mirror holds %v, want only 10.0.0.1/32", got)
	}
}

// Concurrent writers and readers (run with -race): every listing is sorted
// and the end state equals the kernel's.
func TestMirrorConcurrent(t *testing.T) {
	kernel := &datapath.MemStore{}
	m, err := newMirror(kernel)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 200 {
				p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(w), byte(i), 1}), 32)
				if err := m.Add(p, datapath.Mapping{ClassID: 0x10003}); err != nil {
					t.Error(err)
					return
				}
				if i%3 == 0 {
					if err := m.Delete(p); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 200 {
				es, _ := m.List()
				if !slices.IsSortedFunc(es, func(a, b datapath.Entry) int { return a.Prefix.Addr().Compare(b.Prefix.Addr()) }) {
					t.Error("unsorted listing")
					return
				}
			}
		})
	}
	wg.Wait()
	got, _ := m.List()
	want, _ := kernel.List()
	if len(got) != 4*133 || !slices.Equal(got, want) {
		t.Errorf("mirror has %d entries, kernel %d; want both %d and equal", len(got), len(want), 4*133)
	}
}

// BenchmarkHandlerListIPs100k: the handler's part of ListIPs (no bus), from
// the cached answer and right after a change (snapshot sort + conversion).
func BenchmarkHandlerListIPs100k(b *testing.B) {
	kernel := &datapath.MemStore{}
	es := make([]datapath.Entry, 100_000)
	for i := range es {
		es[i] = datapath.Entry{Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{100, byte(64 + i>>16), byte(i >> 8), byte(i)}), 32), Mapping: datapath.Mapping{ClassID: 0x10003}}
	}
	if err := kernel.BatchUpdate(es); err != nil {
		b.Fatal(err)
	}
	m, err := newMirror(kernel)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := loadNames(b.TempDir() + "/names.json")
	h := &Handler{d: &Daemon{maps: m, names: n}}
	for _, changed := range []bool{false, true} {
		name := map[bool]string{false: "cached", true: "after-change"}[changed]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if changed {
					m.touch()
					m.change(func(map[netip.Prefix]datapath.Mapping) {})
				}
				out, err := h.ListIPs(b.Context())
				if err != nil || len(out) != 100_000 {
					b.Fatalf("%d %v", len(out), err)
				}
			}
		})
	}
}

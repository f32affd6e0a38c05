//go:build linux

package datapath

import (
	"net/netip"
	"testing"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

// entries100k returns n /32 mappings 100.64.0.0, 100.64.0.1, ...
func benchEntries(n int) []Entry {
	es := make([]Entry, n)
	base := netip.MustParseAddr("100.64.0.0").As4()
	v := uint32(base[0])<<24 | uint32(base[1])<<16 | uint32(base[2])<<8 | uint32(base[3])
	for i := range es {
		x := v + uint32(i)
		a := netip.AddrFrom4([4]byte{byte(x >> 24), byte(x >> 16), byte(x >> 8), byte(x)})
		es[i] = Entry{Prefix: netip.PrefixFrom(a, 32), Mapping: Mapping{CPU: 0, ClassID: tchandle.Make(1, uint16(3+i%60000)), UploadClassID: tchandle.Make(2, uint16(3+i%60000)), CircuitHash: uint64(i), DeviceHash: uint64(i)}}
	}
	return es
}

// BenchmarkBatchUpdate100k loads 100k mappings into an empty trie.
func BenchmarkBatchUpdate100k(b *testing.B) {
	d, _ := openTest(b, Options{MaxMappings: 131072})
	es := benchEntries(100_000)
	for b.Loop() {
		b.StopTimer()
		if err := d.Clear(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := d.BatchUpdate(es); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHostCounters100k reads and sums 100k hosts' per-CPU counters, what
// the daemon does every second.
func BenchmarkHostCounters100k(b *testing.B) {
	d, _ := openTest(b, Options{MaxHosts: 131072})
	fillHosts(b, d, 100_000)
	for b.Loop() {
		hs, err := d.HostCounters()
		if err != nil || len(hs) != 100_000 {
			b.Fatalf("%d hosts, %v", len(hs), err)
		}
	}
}

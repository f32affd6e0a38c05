package geoip_test

import (
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"

	"github.com/libreqos-go/lqos/internal/geoip"
	"github.com/libreqos-go/lqos/internal/geoip/geotest"
)

// remotes returns n addresses drawn from distinct public-looking IPv4 and
// IPv6 addresses (a fifth IPv6), as a flow table's remote ends would be.
func remotes(n, distinct int) []netip.Addr {
	r := rand.New(rand.NewPCG(1, 2))
	pool := make([]netip.Addr, distinct)
	for i := range pool {
		if i%5 == 4 {
			var b [16]byte
			b[0], b[1] = 0x20, 0x01+byte(r.IntN(0x10))
			for j := 2; j < 16; j++ {
				b[j] = byte(r.Uint32())
			}
			pool[i] = netip.AddrFrom16(b)
			continue
		}
		pool[i] = netip.AddrFrom4([4]byte{byte(1 + r.IntN(222)), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
	}
	out := make([]netip.Addr, n)
	for i := range out {
		out[i] = pool[r.IntN(distinct)]
	}
	return out
}

func openShipped(b *testing.B, cache int) *geoip.DB {
	asn, city := geotest.Paths(b)
	db := geoip.Open(geoip.Options{ASN: asn, City: city, CacheSize: cache})
	if p := db.Problems(); len(p) > 0 {
		b.Fatal(p)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkLookupUncached: every lookup walks both files (a cache of one
// entry never hits).
func BenchmarkLookupUncached(b *testing.B) {
	db := openShipped(b, 1)
	addrs := remotes(1<<16, 1<<16)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		db.Lookup(addrs[i&(1<<16-1)])
	}
}

// BenchmarkLookupCached: the addresses are in the cache.
func BenchmarkLookupCached(b *testing.B) {
	db := openShipped(b, 0)
	addrs := remotes(4096, 4096)
	for _, a := range addrs {
		db.Lookup(a)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		db.Lookup(addrs[i&4095])
	}
}

// BenchmarkEnrich100kFlows: one pass over 100,000 active flows with 30,000
// distinct remote addresses, as lqosd's enrichment makes every few seconds
// (after the first pass the addresses are cached). Reports flows/s, and the
// heap the cache holds.
func BenchmarkEnrich100kFlows(b *testing.B) {
	db := openShipped(b, 0)
	flows := remotes(100000, 30000)
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	for _, a := range flows {
		db.Lookup(a)
	}
	runtime.GC()
	runtime.ReadMemStats(&ms1)
	b.ResetTimer()
	located := 0
	for b.Loop() {
		located = 0
		for _, a := range flows {
			if db.Lookup(a).HasLocation {
				located++
			}
		}
	}
	b.ReportMetric(float64(len(flows))*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
	b.ReportMetric(float64(ms1.HeapAlloc-ms0.HeapAlloc)/(1<<20), "cache_MB")
	b.ReportMetric(float64(located)/float64(len(flows))*100, "located_%")
}

// BenchmarkOpen: opening the shipped files (memory-mapped, so the loaded
// data is page cache shared with the file, not heap).
func BenchmarkOpen(b *testing.B) {
	asn, city := geotest.Paths(b)
	var bytes int64
	for b.Loop() {
		db := geoip.Open(geoip.Options{ASN: asn, City: city})
		bytes = 0
		for _, f := range db.Files() {
			bytes += f.Bytes
		}
		db.Close()
	}
	b.ReportMetric(float64(bytes)/(1<<20), "mapped_MB")
}

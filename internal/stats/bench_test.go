package stats

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/datapath"
)

// BenchmarkUpdate65k: one sample of 65,536 hosts (the data path's default
// host table size), half of them shaped across 16k circuits.
func BenchmarkUpdate65k(b *testing.B) {
	const n = 65536
	hs := make([]datapath.HostCounters, n)
	for i := range hs {
		hs[i] = datapath.HostCounters{Addr: netip.AddrFrom4([4]byte{100, 64, byte(i >> 8), byte(i)})}
		if i%2 == 0 {
			hs[i].CircuitHash = uint64(i/4 + 1)
		}
	}
	names := map[uint64]string{}
	for i := range n/4 + 1 {
		names[uint64(i+1)] = fmt.Sprintf("circuit-%d", i+1)
	}
	c := New(Options{Circuit: func(h uint64) string { return names[h] }})
	at := time.Unix(0, 0)
	b.ReportAllocs()
	for b.Loop() {
		for i := range hs {
			hs[i].Bytes[0] += 1500
			hs[i].Packets[0]++
		}
		at = at.Add(time.Second)
		c.Update(at, hs)
	}
	if c.Totals().Hosts != n {
		b.Fatalf("hosts %d", c.Totals().Hosts)
	}
}

// BenchmarkTopHosts65k: a top-10 query over 65,536 hosts.
func BenchmarkTopHosts65k(b *testing.B) {
	hs := make([]datapath.HostCounters, 65536)
	for i := range hs {
		hs[i] = datapath.HostCounters{Addr: netip.AddrFrom4([4]byte{100, 64, byte(i >> 8), byte(i)})}
	}
	c := New(Options{})
	c.Update(time.Unix(0, 0), hs)
	for i := range hs {
		hs[i].Bytes[0] = uint64(i)
	}
	c.Update(time.Unix(1, 0), hs)
	for b.Loop() {
		if len(c.TopHosts(ByDown, 0, 10)) != 10 {
			b.Fatal("short list")
		}
	}
}

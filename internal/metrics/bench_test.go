package metrics

import (
	"fmt"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/stats"
)

// BenchmarkScrape10k: one full /metrics request (collect, encode, write)
// with 10 000 circuits under 100 sites, for each per_circuit choice. It
// reports the series in one scrape.
func BenchmarkScrape10k(b *testing.B) {
	src := newTestSource(b, 10000, 100)
	for _, mode := range []string{config.PerCircuitOff, config.PerCircuitTop, config.PerCircuitAll} {
		b.Run(mode, func(b *testing.B) {
			h := Handler(Registry(NewCollector(src, Options{NodeName: "edge-1", PerCircuit: mode, PerCircuitTop: 100})), "", nil)
			req := httptest.NewRequest("GET", "/metrics", nil)
			var series int
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatal(w.Code)
				}
				series = countSeries(w.Body.String())
			}
			reportCPU(b, cpu)
			b.ReportMetric(float64(series), "series")
		})
	}
}

func countSeries(body string) int {
	n := 0
	for _, l := range strings.Split(body, "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			n++
		}
	}
	return n
}

// BenchmarkInfluxSample10k: encoding one export interval into the buffer
// (the part that runs on lqosd's side; sending is the sender goroutine's).
func BenchmarkInfluxSample10k(b *testing.B) {
	src := newTestSource(b, 10000, 100)
	for _, perCircuit := range []bool{false, true} {
		b.Run(fmt.Sprintf("per_circuit=%v", perCircuit), func(b *testing.B) {
			e, err := NewExporter(src, InfluxOptions{InfluxDB: config.InfluxDB{URL: "http://127.0.0.1:1", Bucket: "b", PerCircuit: perCircuit, BufferPoints: 1 << 20}, NodeName: "edge-1"})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			cpu := cpuTime()
			for b.Loop() {
				e.Sample()
				e.mu.Lock()
				e.buf = e.buf[:0]
				e.mu.Unlock()
			}
			reportCPU(b, cpu)
			var lb lineBuilder
			e.encode(&lb, time.Now())
			bytes := 0
			for _, l := range lb.lines {
				bytes += len(l) + 1
			}
			b.ReportMetric(float64(len(lb.lines)), "points")
			b.ReportMetric(float64(bytes), "body_bytes")
		})
	}
}

// BenchmarkSampleWhileScraping: lqosd's 1 Hz counter sample (65 536 hosts,
// 10 000 circuits) alone and while scrapes with per_circuit = "all" run
// back to back, to show what a scrape costs the sampling loop (they share
// the statistics collector's lock).
func BenchmarkSampleWhileScraping(b *testing.B) {
	const hosts = 65536
	hs := make([]datapath.HostCounters, hosts)
	names := map[uint64]string{}
	for i := range hs {
		hs[i] = datapath.HostCounters{Addr: netip.AddrFrom4([4]byte{100, 64, byte(i >> 8), byte(i)}), CircuitHash: uint64(i%10000 + 1)}
	}
	for i := range 10000 {
		names[uint64(i+1)] = fmt.Sprintf("c%d", i)
	}
	for _, scraping := range []bool{false, true} {
		b.Run(fmt.Sprintf("scraping=%v", scraping), func(b *testing.B) {
			src := newTestSource(b, 1, 1)
			src.st = stats.New(stats.Options{Circuit: func(h uint64) string { return names[h] }})
			at := time.Unix(0, 0)
			src.st.Update(at, hs)
			var stop atomic.Bool
			var wg sync.WaitGroup
			var scrapes atomic.Int64
			if scraping {
				h := Handler(Registry(NewCollector(src, Options{NodeName: "n", PerCircuit: config.PerCircuitAll})), "", nil)
				wg.Go(func() {
					req := httptest.NewRequest("GET", "/metrics", nil)
					for !stop.Load() {
						h.ServeHTTP(httptest.NewRecorder(), req)
						scrapes.Add(1)
					}
				})
			}
			b.ReportAllocs()
			for b.Loop() {
				for i := range hs {
					hs[i].Bytes[0] += 1500
					hs[i].Packets[0]++
				}
				at = at.Add(time.Second)
				src.st.Update(at, hs)
			}
			stop.Store(true)
			wg.Wait()
			b.ReportMetric(float64(scrapes.Load()), "scrapes")
		})
	}
}

// cpuTime is the process's user+system CPU time: on a shared machine it
// says more about a scrape's cost than wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, since time.Duration) {
	b.ReportMetric(float64((cpuTime()-since).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

package bus

import (
	"context"
	"encoding/json"
	"syscall"
	"testing"
)

// BenchmarkMappings100k moves 100k mappings end to end over a real unix
// socket: the client encodes, the server decodes and validates, the handler
// stores them in its table ("upload"), and the whole table comes back
// ("list"). bench/bus.sh runs it against the transport of another commit and
// prints the ratio. MB/s counts the mappings' plain JSON (json.Marshal of the
// slice), the same bytes for every transport; allocs and B/op include both
// ends; maxrss-MB is the process's peak resident memory.
func BenchmarkMappings100k(b *testing.B) {
	ms := mappings(100_000)
	canonical, err := json.Marshal(ms)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("upload", func(b *testing.B) {
		_, path := testServer(b, newFake(b), ServerOptions{})
		c := dial(b, path)
		b.SetBytes(int64(len(canonical)))
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			res, err := c.MapIPs(ctx, ms)
			if err != nil || res.Applied != len(ms) {
				b.Fatalf("%+v %v", res, err)
			}
		}
		reportCPU(b, cpu0)
		reportMaxRSS(b)
	})
	b.Run("list", func(b *testing.B) {
		_, path := testServer(b, newFake(b), ServerOptions{})
		c := dial(b, path)
		if _, err := c.MapIPs(ctx, ms); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(canonical)))
		b.ReportAllocs()
		cpu0 := cpuTime()
		for b.Loop() {
			l, err := c.ListIPs(ctx, 0, 0)
			if err != nil || l.Total != len(ms) || len(l.Mappings) != len(ms) {
				b.Fatalf("%v %v", l.Total, err)
			}
		}
		reportCPU(b, cpu0)
		reportMaxRSS(b)
	})
}

// reportMaxRSS reports the process's peak resident set so far.
func reportMaxRSS(b *testing.B) {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MB")
}

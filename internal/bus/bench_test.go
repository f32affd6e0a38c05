package bus

import (
	"context"
	"fmt"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"net/netip"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user+system CPU time. Reported per op next to
// wall time because the CI/dev machines are shared: CPU per op is far less
// sensitive to other load than ns/op.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports CPU time per op since start.
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// BenchmarkPing measures sequential round trips over a real socket.
func BenchmarkPing(b *testing.B) {
	_, path := testServer(b, newFake(b), ServerOptions{})
	c := dial(b, path)
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := c.Ping(ctx); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
}

// BenchmarkPingParallelShared pipelines pings from many goroutines over one
// connection.
func BenchmarkPingParallelShared(b *testing.B) {
	_, path := testServer(b, newFake(b), ServerOptions{})
	c := dial(b, path)
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := c.Ping(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, cpu0)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
}

// BenchmarkPingParallelConns uses one connection per goroutine.
func BenchmarkPingParallelConns(b *testing.B) {
	_, path := testServer(b, newFake(b), ServerOptions{})
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		c, err := Dial(context.Background(), path)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		ctx := context.Background()
		for pb.Next() {
			if _, err := c.Ping(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	reportCPU(b, cpu0)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
}

// BenchmarkPingBatch100 sends 100 pings per frame (per-request cost when
// batching).
func BenchmarkPingBatch100(b *testing.B) {
	_, path := testServer(b, newFake(b), ServerOptions{})
	c := dial(b, path)
	reqs := make([]Request, 100)
	for i := range reqs {
		reqs[i] = &Ping{}
	}
	ctx := context.Background()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := c.Request(ctx, reqs...); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0)
	b.ReportMetric(float64(b.N*len(reqs))/b.Elapsed().Seconds(), "req/s")
}

func mappings(n int) []plan.Mapping {
	ms := make([]plan.Mapping, n)
	for i := range ms {
		a := netip.AddrFrom4([4]byte{100, byte(64 + i>>16), byte(i >> 8), byte(i)})
		ms[i] = plan.Mapping{Prefix: netip.PrefixFrom(a, 32), CPU: uint32(i % 16), ClassID: tchandle.Handle(0x10000 | (i%60000 + 3)),
			UploadClassID: tchandle.Handle(0x20000 | (i%60000 + 3)), CircuitID: fmt.Sprintf("circuit-%06d", i/2), DeviceID: fmt.Sprintf("device-%06d", i)}
	}
	return ms
}

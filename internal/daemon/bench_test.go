//go:build linux

package daemon

import (
	"context"
	"fmt"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"net/netip"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/bus"
)

// benchLab starts lqosd (without applying the plan) and returns a client.
// With debug, the MapIPs phase timings from lqosd's log are printed.
func benchLab(b *testing.B, debug bool) (*lab, *bus.Client) {
	b.Helper()
	l := newLab(b)
	level := "warn"
	if debug {
		level = "debug"
	}
	p := l.start("--no-startup-apply", "--log-level", level)
	if debug {
		b.Cleanup(func() { b.Log("phases:\n" + grepLines(p.stderr.String(), "msg=map_ips")) })
	}
	l.waitReady(p)
	return l, l.client()
}

// BenchmarkDaemonPing: sequential round trips to a real lqosd (answered by
// the bus server itself).
func BenchmarkDaemonPing(b *testing.B) {
	_, c := benchLab(b, false)
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.Ping(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
}

// BenchmarkDaemonThroughput: sequential round trips through the real
// handler (stats read).
func BenchmarkDaemonThroughput(b *testing.B) {
	_, c := benchLab(b, false)
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.Throughput(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
}

// BenchmarkDaemonPingParallel: 8 goroutines per CPU pipelining on one
// connection.
func BenchmarkDaemonPingParallel(b *testing.B) {
	_, c := benchLab(b, false)
	b.SetParallelism(8)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			if _, err := c.Ping(ctx); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "rt/s")
}

func benchMappings(n int) []plan.Mapping {
	ms := make([]plan.Mapping, n)
	for i := range ms {
		a := netip.AddrFrom4([4]byte{100, byte(64 + i>>16), byte(i >> 8), byte(i)})
		ms[i] = plan.Mapping{Prefix: netip.PrefixFrom(a, 32), CPU: uint32(i % 2), ClassID: tchandle.Handle(0x10000 | (i%60000 + 3)),
			UploadClassID: tchandle.Handle(0x20000 | (i%60000 + 3)), CircuitID: fmt.Sprintf("circuit-%06d", i/2), DeviceID: fmt.Sprintf("device-%06d", i)}
	}
	return ms
}

// BenchmarkDaemonMapIPs100k: one 100k-mapping MapIPs request through the
// bus into the real (pinned) LPM trie, including the ID table write.
func BenchmarkDaemonMapIPs100k(b *testing.B) {
	_, c := benchLab(b, true)
	ms := benchMappings(100_000)
	ctx := context.Background()
	for b.Loop() {
		res, err := c.MapIPs(ctx, ms)
		if err != nil || res.Applied != len(ms) {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64(len(ms))*float64(b.N)/b.Elapsed().Seconds(), "mappings/s")
	l, err := c.ListIPs(ctx, 0, 1)
	if err != nil || l.Total != len(ms) {
		b.Fatalf("after the batch: %v mappings, %v", l.Total, err)
	}
}

// BenchmarkDaemonListIPs100k: listing 100k mappings over the bus (served
// from lqosd's in-memory copy; 2-vCPU VM: 0.87-1.23 s/op when it walked the
// kernel trie, 0.12-0.21 s/op from the copy, the rest is the bus).
func BenchmarkDaemonListIPs100k(b *testing.B) {
	_, c := benchLab(b, false)
	ctx := context.Background()
	if _, err := c.MapIPs(ctx, benchMappings(100_000)); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		l, err := c.ListIPs(ctx, 0, 0)
		if err != nil || l.Total != 100_000 {
			b.Fatalf("%v %v", l.Total, err)
		}
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

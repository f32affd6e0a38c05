package plan

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is this process's user+system CPU time. The benchmark machine is
// shared, so wall-clock ns/op can include time spent waiting for a core;
// cpu-ns/op (all threads, GC included) is reported next to it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loopBuild(b *testing.B, in Input) {
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := Build(in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// benchInput: ~50 sites, 20 APs each (1,000 APs), circuits with 1-2 IPs,
// 2% unparented, 16 queues (a shaper sized for that many subscribers).
func benchInput(b *testing.B, n int) Input {
	in := genInput(n, 50, 20, 16, 42)
	in.Config = mustConfig(b, bridgeConf)
	return in
}

func benchBuild(b *testing.B, n int) {
	in := benchInput(b, n)
	b.Run("fresh", func(b *testing.B) { loopBuild(b, in) })
	// The common case: re-planning with last run's identities.
	first, err := Build(in)
	if err != nil {
		b.Fatal(err)
	}
	in.Previous = first.Identities
	b.Run("replan", func(b *testing.B) { loopBuild(b, in) })
}

func BenchmarkBuild10k(b *testing.B)  { benchBuild(b, 10_000) }
func BenchmarkBuild100k(b *testing.B) { benchBuild(b, 100_000) }

func BenchmarkRenderTC100k(b *testing.B) {
	p, err := Build(benchInput(b, 100_000))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		RenderTC(p.Tree)
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

package tc

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/plan"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const (
	benchQueues   = 4
	benchNodes    = 300
	benchCircuits = 10_000
)

// BenchmarkFullApply builds n circuits (class + pfifo leaf each) and 300
// nodes on 4 queues into an empty netns, once through our netlink Apply and
// once through `tc -force -batch` of the same tree (the upstream way), in
// alternating order, and reports both, their ratio and the CPU time of each
// (process + kernel on its behalf, which stays meaningful on a busy
// machine). Each iteration uses fresh namespaces. LQOS_BENCH_ONLY=netlink or
// =tc runs one side only (for profiling).
func BenchmarkFullApply(b *testing.B) {
	for _, n := range []int{10_000, 20_000, 50_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) { benchFullApply(b, n) })
	}
}

func benchFullApply(b *testing.B, circuits int) {
	tree := testTree("a0", benchQueues, benchNodes, circuits)
	if _, err := fromTree(tree); err != nil {
		b.Fatal(err)
	}
	file := filepath.Join(b.TempDir(), "tc.batch")
	if err := os.WriteFile(file, []byte(strings.Join(plan.RenderTC(tree), "\n")+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	only := os.Getenv("LQOS_BENCH_ONLY")
	var nlTotal, tcTotal, nlCPU, tcCPU time.Duration
	var requests, iter int
	for b.Loop() {
		b.StopTimer()
		// Kernel cost per request grows with the tc objects present on the
		// host, even in other namespaces, so each way gets an empty host:
		// build, check, tear down, then the other way.
		viaNetlink := func() {
			if only == "tc" {
				return
			}
			tn := newTestNet(b, benchQueues)
			defer tn.close()
			b.StartTimer()
			start, cpu0 := time.Now(), selfCPU()
			res, err := Apply(context.Background(), tn.h, tree, Options{Logger: quiet})
			nlTotal += time.Since(start)
			nlCPU += selfCPU() - cpu0
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			requests = res.Done
			teardown(b, tn)
		}
		viaTC := func() {
			if only == "netlink" {
				return
			}
			tn := newTestNet(b, benchQueues)
			defer tn.close()
			b.StartTimer()
			start := time.Now()
			cmd := exec.Command("ip", "netns", "exec", tn.A, "tc", "-force", "-batch", file)
			out, err := cmd.CombinedOutput()
			tcTotal += time.Since(start)
			if cmd.ProcessState != nil {
				tcCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.StopTimer()
			if err != nil {
				b.Fatalf("tc -batch: %v\n%s", err, out)
			}
			// Both ways must build the same tree.
			live, err := Dump(tn.h, []string{"a0"})
			if err != nil {
				b.Fatal(err)
			}
			if d, _ := Compare(tree, live); len(d) != 0 {
				b.Fatalf("tc -batch tree differs from plan (%d differences), first: %v", len(d), d[0])
			}
			teardown(b, tn)
		}
		// Alternate the order: the machine is shared and load drifts.
		nl0, tc0, nlc0, tcc0 := nlTotal, tcTotal, nlCPU, tcCPU
		if iter%2 == 0 {
			viaNetlink()
			viaTC()
		} else {
			viaTC()
			viaNetlink()
		}
		iter++
		b.Logf("iteration %d: netlink %v (cpu %v), tc -batch %v (cpu %v) (load %s)", iter,
			(nlTotal - nl0).Round(time.Millisecond), (nlCPU - nlc0).Round(time.Millisecond),
			(tcTotal - tc0).Round(time.Millisecond), (tcCPU - tcc0).Round(time.Millisecond), loadAvg())
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(nlTotal.Seconds()/n, "netlink-s")
	b.ReportMetric(tcTotal.Seconds()/n, "tcbatch-s")
	// CPU time (user+sys) is less sensitive to a shared machine than wall time.
	b.ReportMetric(nlCPU.Seconds()/n, "netlink-cpu-s")
	b.ReportMetric(tcCPU.Seconds()/n, "tcbatch-cpu-s")
	if nlTotal > 0 && tcTotal > 0 {
		b.ReportMetric(nlTotal.Seconds()/tcTotal.Seconds(), "netlink/tcbatch")
		b.ReportMetric(nlCPU.Seconds()/tcCPU.Seconds(), "netlink/tcbatch-cpu")
	}
	b.ReportMetric(float64(requests), "requests")
}

// selfCPU is this process's user+system CPU time.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// teardown deletes the tree synchronously (namespace deletion is
// asynchronous and would overlap the next measurement).
func teardown(b *testing.B, tn *testNet) {
	ifi, err := tn.h.ifindex("a0")
	if err != nil {
		b.Fatal(err)
	}
	op := Op{Kind: OpDeleteRoot, Interface: "a0"}
	if err := tn.h.exec(&op, ifi); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkDump10k reads back a 10k-circuit tree; reports time per object.
func BenchmarkDump10k(b *testing.B) {
	tn := newTestNet(b, benchQueues)
	tree := testTree("a0", benchQueues, benchNodes, benchCircuits)
	if _, err := Apply(context.Background(), tn.h, tree, Options{Logger: quiet}); err != nil {
		b.Fatal(err)
	}
	var objects int
	b.ResetTimer()
	for b.Loop() {
		live, err := Dump(tn.h, []string{"a0"})
		if err != nil {
			b.Fatal(err)
		}
		objects = len(live.Qdiscs) + len(live.Classes)
	}
	b.ReportMetric(float64(objects), "objects")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(objects), "ns/object")
}

// BenchmarkNoopApply10k: re-applying an unchanged 10k tree (dump + diff, no requests).
func BenchmarkNoopApply10k(b *testing.B) {
	tn := newTestNet(b, benchQueues)
	tree := testTree("a0", benchQueues, benchNodes, benchCircuits)
	if _, err := Apply(context.Background(), tn.h, tree, Options{Logger: quiet}); err != nil {
		b.Fatal(err)
	}
	ops := tn.h.Ops()
	for b.Loop() {
		if _, err := Apply(context.Background(), tn.h, tree, Options{Logger: quiet}); err != nil {
			b.Fatal(err)
		}
	}
	if tn.h.Ops() != ops {
		b.Fatalf("no-op apply sent %d requests", tn.h.Ops()-ops)
	}
}

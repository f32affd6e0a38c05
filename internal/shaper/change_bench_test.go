package shaper

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/vishvananda/netns"
)

// siteLab writes n circuits spread over 50 sites x 20 APs (one IPv4 each,
// pfifo leaves: this kernel has neither cake nor fq_codel) on eth0/eth1.
func siteLab(b *testing.B, n int) (dir string, cfg *config.Config, rows []string) {
	b.Helper()
	dir = b.TempDir()
	var net strings.Builder
	net.WriteString("{")
	for s := range 50 {
		if s > 0 {
			net.WriteString(",")
		}
		fmt.Fprintf(&net, `"site%d":{"downloadBandwidthMbps":10000,"uploadBandwidthMbps":10000,"children":{`, s)
		for a := range 20 {
			if a > 0 {
				net.WriteString(",")
			}
			fmt.Fprintf(&net, `"ap%d_%d":{"downloadBandwidthMbps":2000,"uploadBandwidthMbps":2000}`, s, a)
		}
		net.WriteString("}}")
	}
	net.WriteString("}\n")
	rows = make([]string, n)
	for i := range n {
		rows[i] = fmt.Sprintf("c%d,Circuit %d,d%d,Dev,ap%d_%d,,,,100.%d.%d.%d,,10,5,100,20,,", i, i, i, i%50, i/50%20, 64+i>>16, i>>8&255, i&255)
	}
	writeRows(b, dir, rows)
	if err := os.WriteFile(filepath.Join(dir, "network.json"), []byte(net.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	conf := "version = \"1.5\"\nlqos_directory = \".\"\nstate_directory = \"state\"\n[bridge]\nto_internet = \"eth0\"\nto_network = \"eth1\"\n[queues]\ndefault_sqm = \"pfifo limit 100\"\nuplink_bandwidth_mbps = 100000\ndownlink_bandwidth_mbps = 100000\n"
	path := filepath.Join(dir, "lqos.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		b.Fatal(err)
	}
	cfg, _, err := config.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	return dir, cfg, rows
}

const csvHeader = "Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment,sqm\n"

func writeRows(b *testing.B, dir string, rows []string) {
	b.Helper()
	data := csvHeader + strings.Join(rows, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "ShapedDevices.csv"), []byte(data), 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkOneCircuitChange is a whole refresh after the operator changes
// one circuit in ShapedDevices.csv (files on disk -> load -> plan -> record
// -> apply in a netns -> record), at 10k and 100k circuits: a rate change,
// an added circuit and a removed one, in turn. It reports the time of each
// phase per refresh, and, in the same run, what the tc commands upstream
// would issue for the same change take (one `tc -batch` process), with the
// ratio. The files are edited outside the timed part.
func BenchmarkOneCircuitChange(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("%dk", n/1000), func(b *testing.B) { benchOneChange(b, n) })
	}
}

func benchOneChange(b *testing.B, n int) {
	dir, cfg, rows := siteLab(b, n)
	// LQOS_BENCH_KERNEL=mem replaces the kernel by a memory (the other
	// phases at sizes whose first full apply takes too long here).
	var kernel Kernel
	var nsName string
	if os.Getenv("LQOS_BENCH_KERNEL") == "mem" {
		kernel = &memKernel{}
	} else {
		var ns netns.NsHandle
		ns, nsName = newNetnsNamed(b)
		k, err := OpenKernel(ns)
		if err != nil {
			b.Fatal(err)
		}
		defer k.Close()
		kernel = k
	}
	eng := New(cfg, kernel, DatapathStore{Store: &datapath.MemStore{}}, nil)
	ctx := context.Background()
	start := time.Now()
	res, err := eng.Refresh(ctx, Options{TxQueues: 4})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%d circuits: first apply %v", n, time.Since(start).Round(time.Millisecond))
	batch := filepath.Join(b.TempDir(), "change.batch")
	phases := map[string]time.Duration{}
	var order []string
	var ours, upstream, ourCPU, tcCPU time.Duration
	var requests int
	iter := 0
	for b.Loop() {
		b.StopTimer()
		// The change: rate of circuit i, then add a circuit, then remove it.
		i := iter / 3 % n
		var lines []string
		switch iter % 3 {
		case 0:
			old := rows[i]
			rows[i] = strings.Replace(rows[i], ",10,5,100,20,", ",10,5,150,30,", 1)
			if rows[i] == old {
				rows[i] = strings.Replace(rows[i], ",10,5,150,30,", ",10,5,100,20,", 1)
			}
		case 1:
			rows = append(rows, fmt.Sprintf("new%d,New %d,nd%d,Dev,ap1_1,,,,100.200.%d.%d,,10,5,100,20,,", iter, iter, iter, iter>>8&255, iter&255))
		case 2:
			rows = rows[:len(rows)-1]
		}
		writeRows(b, dir, rows)
		prev := res.Plan
		b.StartTimer()
		t0, c0 := time.Now(), selfCPU()
		res, err = eng.Refresh(ctx, Options{TxQueues: 4})
		ours += time.Since(t0)
		ourCPU += selfCPU() - c0
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if res.Kernel != nil {
			requests += res.Kernel.Done
		}
		for _, s := range res.Steps {
			if _, ok := phases[s.Name]; !ok {
				order = append(order, s.Name)
			}
			phases[s.Name] += s.Duration
		}
		if nsName == "" {
			iter++
			b.StartTimer()
			continue
		}
		// What upstream would run for the same change, timed the same way:
		// the kernel is first put back as it was before our refresh
		// (untimed), then upstream's commands bring it to the same tree.
		prep, lines := classDiffLines(prev.Tree, res.Plan.Tree)
		if len(prep) > 0 {
			os.WriteFile(batch, []byte(strings.Join(prep, "\n")+"\n"), 0o644)
			if out, err := exec.Command("tc", "-n", nsName, "-force", "-batch", batch).CombinedOutput(); err != nil {
				b.Fatalf("tc -batch %q: %v\n%s", prep, err, out)
			}
		}
		if err := os.WriteFile(batch, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		t0 = time.Now()
		cmd := exec.Command("tc", "-n", nsName, "-force", "-batch", batch)
		out, err := cmd.CombinedOutput()
		upstream += time.Since(t0)
		if cmd.ProcessState != nil {
			tcCPU += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		}
		if err != nil {
			b.Fatalf("tc -batch %q: %v\n%s", lines, err, out)
		}
		iter++
		b.StartTimer()
	}
	N := float64(b.N)
	for _, name := range order {
		b.ReportMetric(float64(phases[name].Microseconds())/N, "µs-"+strings.ReplaceAll(name, " ", "-"))
	}
	b.ReportMetric(float64(ours.Microseconds())/N, "µs-ours")
	b.ReportMetric(float64(upstream.Microseconds())/N, "µs-tc")
	if upstream > 0 {
		b.ReportMetric(ours.Seconds()/upstream.Seconds(), "ours/tc")
	}
	b.ReportMetric(float64(ourCPU.Microseconds())/N, "µs-ours-cpu")
	b.ReportMetric(float64(tcCPU.Microseconds())/N, "µs-tc-cpu")
	b.ReportMetric(float64(requests)/N, "requests")
}

// classDiffLines are the tc commands upstream issues for the difference
// between two trees' classes (class change for a rate, class + leaf add for
// a new circuit, class delete for a removed one), and the commands that
// first undo that difference in a kernel already holding next.
func classDiffLines(prev, next *plan.Tree) (prep, lines []string) {
	type key struct {
		iface string
		id    uint32
	}
	render := func(c *plan.Class) []string {
		return plan.RenderTC(&plan.Tree{Interfaces: []string{c.Interface}, Classes: []plan.Class{*c}})
	}
	old := map[key]*plan.Class{}
	for i := range prev.Classes {
		c := &prev.Classes[i]
		old[key{c.Interface, uint32(c.ID)}] = c
	}
	seen := map[key]bool{}
	for i := range next.Classes {
		c := &next.Classes[i]
		k := key{c.Interface, uint32(c.ID)}
		seen[k] = true
		o, ok := old[k]
		switch {
		case !ok:
			prep = append(prep, fmt.Sprintf("class del dev %s classid %s", c.Interface, c.ID))
			lines = append(lines, render(c)...)
		case o.RateBps != c.RateBps || o.CeilBps != c.CeilBps:
			lines = append(lines, strings.Replace(render(c)[0], "class add", "class change", 1))
		}
	}
	for k, c := range old {
		if !seen[k] {
			prep = append(prep, render(c)...)
			lines = append(lines, fmt.Sprintf("class del dev %s classid %s", c.Interface, c.ID))
		}
	}
	return prep, lines
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package shaper

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// apLab writes an input set with one 500 Mbit/s AP holding n circuits of
// 8/2 Mbps minimum and 50/10 Mbps maximum (62 fit its 499 Mbps download
// rate, 63 do not; upload always fits), with fifo leaves because this kernel
// lacks cake and fq_codel.
func apLab(tb testing.TB, n int, extraQueues string) (csvPath string, cfg *config.Config) {
	tb.Helper()
	dir := tb.TempDir()
	os.WriteFile(filepath.Join(dir, "network.json"), []byte(`{"AP":{"downloadBandwidthMbps":500,"uploadBandwidthMbps":500}}`), 0o644)
	csvPath = filepath.Join(dir, "ShapedDevices.csv")
	os.WriteFile(csvPath, []byte(apRows(n)), 0o644)
	conf := "version = \"1.5\"\nlqos_directory = \".\"\nstate_directory = \"state\"\n[bridge]\nto_internet = \"eth0\"\nto_network = \"eth1\"\n" +
		"[queues]\ndefault_sqm = \"pfifo limit 100\"\n" + extraQueues
	path := filepath.Join(dir, "lqos.conf")
	os.WriteFile(path, []byte(conf), 0o644)
	cfg, warns, err := config.Load(path)
	if err != nil || len(warns) > 0 {
		tb.Fatal(err, warns)
	}
	return csvPath, cfg
}

func apRows(n int) string {
	var b strings.Builder
	b.WriteString("Circuit ID,Circuit Name,Device ID,Parent Node,IPv4,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps\n")
	for i := range n {
		fmt.Fprintf(&b, "c%03d,Customer %03d,d%03d,AP,100.64.%d.%d,8,2,50,10\n", i, i, i, i/250, i%250+1)
	}
	return b.String()
}

// fitted is floor(min * avail / sum) in whole bytes per second, as bit/s.
func fitted(minMbps, availMbps, sumMbps float64) uint64 {
	m, a, s := uint64(minMbps*1e6/8), uint64(availMbps*1e6/8), uint64(sumMbps*1e6/8)
	return m * a / s * 8
}

// One new customer on an AP whose download minimums stop fitting: on real
// HTB, the new circuit's two classes and leaves are added, the 62 siblings'
// download rates drop to 499*8/504 Mbps each (one change request apiece), and
// nothing else in the kernel changes: not their ceilings, not one upload
// class, not the AP. Under the upstream rule the same edit changes every
// circuit class in both directions to 1 Mbps.
func TestOneCircuitOnOversubscribedAP(t *testing.T) {
	tests := []struct {
		name      string
		conf      string
		wantDown  uint64 // each old circuit's download rate after the edit
		wantUp    uint64
		newRate   uint64 // the new circuit's download rate
		wantReqs  int
		wantWarns int
	}{
		{"proportional", "", fitted(8, 499, 63*8), 2e6, fitted(8, 499, 63*8), 4 + 62, 1},
		{"upstream rule", "upstream_oversubscription = true\n", 1e6, 1e6, 1e6, 4 + 2*62, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := newNetns(t)
			csvPath, cfg := apLab(t, 62, tt.conf)
			k, err := OpenKernel(ns)
			if err != nil {
				t.Fatal(err)
			}
			defer k.Close()
			eng := New(cfg, k, nil, nil)
			ctx := context.Background()
			res, err := eng.Refresh(ctx, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Plan.Oversubscribed) != 0 {
				t.Fatalf("62 circuits: %v, want the AP to fit", res.Plan.Oversubscribed)
			}
			before := dump(t, k)

			os.WriteFile(csvPath, []byte(apRows(63)), 0o644)
			res, err = eng.Refresh(ctx, Options{})
			if err != nil {
				t.Fatal(err)
			}
			after := dump(t, k)
			if d, err := tc.Compare(res.Plan.Tree, after); err != nil || len(d) != 0 {
				t.Fatalf("kernel differs from the plan: %v %v", err, d)
			}
			if res.Kernel.Done != tt.wantReqs {
				t.Errorf("%d kernel requests, want %d", res.Kernel.Done, tt.wantReqs)
			}
			if n := len(res.Plan.Oversubscribed); n != tt.wantWarns || !strings.Contains(strings.Join(res.Warnings, "\n"), `node "AP" is oversubscribed for download`) {
				t.Errorf("warnings %q, want one naming AP and download", res.Warnings)
			}
			circuitOf := map[tchandle.Handle]bool{}
			for _, c := range res.Plan.Circuits {
				circuitOf[c.ClassID], circuitOf[c.UpClassID] = true, true
			}
			for _, c := range after.Classes {
				old, ok := before.Class(c.Interface, c.ID)
				if !ok {
					if !circuitOf[c.ID] || (c.Interface == "eth1" && c.RateBps != tt.newRate) {
						t.Errorf("new class %s on %s: rate %d, want a circuit class at %d", c.ID, c.Interface, c.RateBps, tt.newRate)
					}
					continue
				}
				want := old.RateBps
				if circuitOf[c.ID] && c.Parent.Minor() != 0 {
					want = tt.wantUp
					if c.Interface == "eth1" {
						want = tt.wantDown
					}
				}
				if c.RateBps != want || c.CeilBps != old.CeilBps || c.Parent != old.Parent {
					t.Errorf("class %s on %s: rate %d ceil %d, want rate %d ceil %d (before: rate %d)", c.ID, c.Interface, c.RateBps, c.CeilBps, want, old.CeilBps, old.RateBps)
				}
			}
			if got := len(after.Classes) - len(before.Classes); got != 2 {
				t.Errorf("%d classes added, want 2", got)
			}
		})
	}
}

// BenchmarkAddCircuitOversubscribedAP: lqosd's engine (one long-lived
// netlink handle) adds a 64th circuit to an AP already oversubscribed by 63,
// then removes it again, on real HTB. Reports the kernel requests of each
// edit (all of them, including the staged step that keeps old classes while
// mappings move) and the time of a whole refresh (inputs, plan, apply, state
// files) per edit.
func BenchmarkAddCircuitOversubscribedAP(b *testing.B) {
	for _, mode := range []struct{ name, conf string }{{"proportional", ""}, {"upstream", "upstream_oversubscription = true\n"}} {
		b.Run(mode.name, func(b *testing.B) {
			ns := newNetns(b)
			csvPath, cfg := apLab(b, 63, mode.conf)
			k, err := OpenKernel(ns)
			if err != nil {
				b.Fatal(err)
			}
			defer k.Close()
			eng := New(cfg, k, nil, nil)
			ctx := context.Background()
			if _, err := eng.Refresh(ctx, Options{}); err != nil {
				b.Fatal(err)
			}
			rows := [2]string{apRows(64), apRows(63)}
			var reqs [2]int64
			var took [2]time.Duration
			var n [2]int
			for i := 0; b.Loop(); i++ {
				step := i % 2 // 0 = add, 1 = remove
				os.WriteFile(csvPath, []byte(rows[step]), 0o644)
				ops, start := k.TC().Ops(), time.Now()
				if _, err := eng.Refresh(ctx, Options{}); err != nil {
					b.Fatal(err)
				}
				took[step] += time.Since(start)
				reqs[step] += k.TC().Ops() - ops
				n[step]++
			}
			for step, name := range []string{"add", "remove"} {
				if n[step] > 0 {
					b.ReportMetric(float64(reqs[step])/float64(n[step]), "requests/"+name)
					b.ReportMetric(float64(took[step].Microseconds())/float64(n[step]), "us/"+name)
				}
			}
		})
	}
}

// BenchmarkApplyOneCircuitOversubscribedAP times only the kernel side of the
// same edit: the long-lived applier turning the 63-circuit tree into the
// 64-circuit one and back (no staging, no files).
func BenchmarkApplyOneCircuitOversubscribedAP(b *testing.B) {
	ns := newNetns(b)
	csvPath, cfg := apLab(b, 63, "")
	k, err := OpenKernel(ns)
	if err != nil {
		b.Fatal(err)
	}
	defer k.Close()
	build := func(rows string, prev *plan.Identities) *plan.Plan {
		os.WriteFile(csvPath, []byte(rows), 0o644)
		in, l := inputs.Load(cfg)
		if err := l.Err(); err != nil {
			b.Fatal(err)
		}
		p, err := plan.Build(plan.Input{Config: cfg, Devices: in.Devices, Network: in.Network, TXQueues: 2, Previous: prev})
		if err != nil {
			b.Fatal(err)
		}
		return p
	}
	p63 := build(apRows(63), nil)
	p64 := build(apRows(64), p63.Identities)
	trees := [2]*plan.Tree{p64.Tree, p63.Tree}
	ctx := context.Background()
	if _, err := k.Apply(ctx, p63.Tree, nil); err != nil {
		b.Fatal(err)
	}
	var reqs [2]int64
	var n [2]int
	for i := 0; b.Loop(); i++ {
		step := i % 2
		ops := k.TC().Ops()
		if _, err := k.Apply(ctx, trees[step], nil); err != nil {
			b.Fatal(err)
		}
		reqs[step] += k.TC().Ops() - ops
		n[step]++
	}
	b.ReportMetric(float64(reqs[0])/float64(max(n[0], 1)), "requests/add")
	b.ReportMetric(float64(reqs[1])/float64(max(n[1], 1)), "requests/remove")
}

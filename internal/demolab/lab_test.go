package demolab

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/testwait"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// TestLab runs the whole demo for about a minute and checks what an operator
// would: subscribers are shaped to their plans, every subscriber is mapped,
// the web UI answers, and Ctrl-C leaves nothing behind.
func TestLab(t *testing.T) {
	kerneltest.RequireRoot(t)
	if testing.Short() {
		t.Skip("the demo lab runs for a minute")
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", bin+"/", "github.com/libreqos-go/lqos/cmd/lqosd", "github.com/libreqos-go/lqos/cmd/lqos_scheduler")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := l.Addr().String()
	l.Close()

	var checked bool
	var out bytes.Buffer
	ready := func(ctx context.Context, r *Running) error {
		checked = true
		started := time.Now()
		c, err := bus.Dial(ctx, r.BusPath)
		if err != nil {
			t.Errorf("bus: %v", err)
			return nil
		}
		defer c.Close()

		// Every subscriber is mapped to a class.
		list, err := c.ListIPs(ctx, 0, 1000)
		if err != nil || list.Total != len(r.ISP.Subscribers) {
			t.Errorf("mappings: %v, total %d, want %d", err, list.Total, len(r.ISP.Subscribers))
		}

		// A 10 Mbit/s subscriber downloads at its plan rate (TCP payload is
		// about 5% below the wire rate HTB enforces).
		sub, ok := r.ISP.SubscriberWithTariff(10_000)
		if !ok {
			t.Fatal("no 10 Mbit/s subscriber in the synthetic ISP")
		}
		bps, err := Measure(ctx, sub.Addr, 4*time.Second)
		if err != nil {
			t.Errorf("measure %s: %v", sub.Addr, err)
		} else if bps < 0.85*10e6 || bps > 1.05*10e6 {
			t.Errorf("subscriber %s on a 10 Mbit/s plan got %.2f Mbit/s", sub.Addr, bps/1e6)
		} else {
			t.Logf("subscriber %s on a 10 Mbit/s plan got %.2f Mbit/s", sub.Addr, bps/1e6)
		}
		// A 100 Mbit/s subscriber is not held to 10.
		if fast, ok := r.ISP.SubscriberWithTariff(100_000); ok {
			if bps, err := Measure(ctx, fast.Addr, 3*time.Second); err != nil || bps < 20e6 {
				t.Errorf("100 Mbit/s subscriber %s got %.2f Mbit/s (%v)", fast.Addr, bps/1e6, err)
			} else {
				t.Logf("subscriber %s on a 100 Mbit/s plan got %.2f Mbit/s", fast.Addr, bps/1e6)
			}
		}

		// A healthy start raises no urgent ERROR (no inputs before the
		// scheduler's first import is the normal wait, not a failure).
		if is, err := c.ListUrgent(ctx, true); err != nil {
			t.Errorf("urgent issues: %v", err)
		} else {
			for _, x := range is {
				if x.Severity == urgent.Error {
					t.Errorf("healthy demo start raised urgent ERROR %s: %s", x.Code, x.Message)
				}
			}
		}

		// The web UI answers.
		resp, err := http.Get(r.WebURL + "/")
		if err != nil {
			t.Errorf("web UI: %v", err)
		} else {
			resp.Body.Close()
			if resp.StatusCode >= 400 {
				t.Errorf("web UI answered %s", resp.Status)
			}
		}

		// Let the lab run with traffic until lqosd has seen it: shaped
		// download, answered pings and both kinds of generated flows (only
		// the test deadline bounds the wait; the checks below say what
		// was missing).
		testwait.Poll(t, func() bool {
			if ctx.Err() != nil {
				return true // the lab's own time is up
			}
			tp, err := c.Throughput(ctx)
			st := &r.Traffic.Stats
			return err == nil && tp.BitsPerSecond.Down > 0 && tp.ShapedBitsPerSecond.Down > 0 &&
				st.PingReplies.Load() > 0 && st.ShortFlows.Load() > 0 && st.BulkDownloads.Load() > 0
		})
		t.Logf("lab ran %v with traffic before lqosd had seen all of it", time.Since(started).Round(time.Second))
		tp, err := c.Throughput(ctx)
		if err != nil {
			t.Errorf("throughput: %v", err)
		} else if tp.BitsPerSecond.Down == 0 || tp.ShapedBitsPerSecond.Down == 0 {
			t.Errorf("lqosd reports no download traffic: %+v", tp)
		}
		if r.Traffic.Stats.PingReplies.Load() == 0 {
			t.Errorf("no ping was answered (%d sent)", r.Traffic.Stats.PingsSent.Load())
		}
		t.Logf("worst ping RTT (pings share loaded subscribers' queues): %v", time.Duration(r.Traffic.Stats.PingWorstRTT.Load()).Round(time.Millisecond))
		if r.Traffic.Stats.ShortFlows.Load() == 0 || r.Traffic.Stats.BulkDownloads.Load() == 0 {
			t.Errorf("traffic generator idle: %d short flows, %d bulk downloads", r.Traffic.Stats.ShortFlows.Load(), r.Traffic.Stats.BulkDownloads.Load())
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	err = Run(ctx, Options{BinDir: bin, Circuits: 200, Listen: listen, Ready: ready}, &out)
	t.Logf("demo output:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	if !checked {
		t.Fatal("the lab never became ready")
	}
	if left := Leftovers(); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
	if _, err := os.Stat(filepath.Join("/sys/fs/bpf", PinDirName)); !os.IsNotExist(err) {
		t.Errorf("pinned maps left behind: %v", err)
	}
	if out, _ := exec.Command("pgrep", "-f", bin).Output(); len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("processes left behind: %s", out)
	}
}

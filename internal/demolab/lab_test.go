package demolab

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"github.com/libreqos-go/lqos/internal/testwait"
	"github.com/libreqos-go/lqos/internal/urgent"
	"github.com/vishvananda/netns"
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

		// A 10 Mbit/s subscriber's download is held to its plan rate while
		// a 100 Mbit/s subscriber's beside it is not held there. Measured on
		// the kernel's own counters of their download classes, over a
		// window driven by the bytes the 10 Mbit/s class passes: a slow
		// machine can only push fewer bytes, so the rate's ceiling is
		// checked over a span that contains the window, and that HTB (not
		// the sender) limited the flow is the class's overlimit count.
		sub, ok := r.ISP.SubscriberWithTariff(10_000)
		if !ok {
			t.Fatal("no 10 Mbit/s subscriber in the synthetic ISP")
		}
		fastSub, ok := r.ISP.SubscriberWithTariff(100_000)
		if !ok {
			t.Fatal("no 100 Mbit/s subscriber in the synthetic ISP")
		}
		classOf := func(a netip.Addr) tchandle.Handle {
			if list != nil {
				for _, m := range list.Mappings {
					if m.Prefix.Contains(a) {
						return m.ClassID
					}
				}
			}
			t.Fatalf("no mapping lists %s", a)
			return 0
		}
		slowClass, fastClass := classOf(sub.Addr), classOf(fastSub.Addr)
		h, err := tc.NewHandle(netns.None())
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		counters := func(id tchandle.Handle) (bytes, overlimits uint64) {
			b, o, err := classCounters(h, id)
			if err != nil {
				t.Fatal(err)
			}
			return b, o
		}
		dctx, stopDownloads := context.WithCancel(ctx)
		derrs := make(chan error, 2)
		slowGot, fastGot := download(dctx, sub.Addr, derrs), download(dctx, fastSub.Addr, derrs)
		b, o := counters(slowClass)
		// Past slow start and the initial token bucket: about a second's
		// worth of the plan rate, and HTB has throttled the class.
		testwait.Until(t, "the 10 Mbit/s download throttled by HTB", func() bool {
			b1, o1 := counters(slowClass)
			return b1-b >= 10e6/8 && o1 > o
		})
		start := time.Now()
		s0, so0 := counters(slowClass)
		f0, _ := counters(fastClass)
		p0 := slowGot.Load()
		var s1, so1 uint64
		testwait.Until(t, "about 3 s worth of the 10 Mbit/s plan passed", func() bool {
			s1, so1 = counters(slowClass)
			return s1-s0 >= 3*10e6/8
		})
		f1, _ := counters(fastClass)
		span := time.Since(start)
		p1 := slowGot.Load()
		stopDownloads()
		select {
		case err := <-derrs:
			t.Errorf("download: %v", err)
		default:
		}
		wire := float64(s1-s0) * 8 / span.Seconds()
		t.Logf("subscriber %s on a 10 Mbit/s plan: class %s passed %d bytes in %v (at most %.2f Mbit/s on the wire, %.2f Mbit/s of payload), %d overlimits; %s on a 100 Mbit/s plan: %d bytes (%d of payload in all)",
			sub.Addr, slowClass, s1-s0, span.Round(time.Millisecond), wire/1e6, float64(p1-p0)*8/span.Seconds()/1e6, so1-so0, fastSub.Addr, f1-f0, fastGot.Load())
		// The planner's rate is the plan's; HTB's burst and the headers of
		// the subscriber's other traffic stay well inside 10%.
		if wire > 1.1*10e6 {
			t.Errorf("subscriber %s on a 10 Mbit/s plan passed %.2f Mbit/s on the wire", sub.Addr, wire/1e6)
		}
		if so1 == so0 {
			t.Errorf("class %s of the 10 Mbit/s subscriber reports no overlimits: HTB did not hold its download back", slowClass)
		}
		if f1-f0 < 2*(s1-s0) {
			t.Errorf("100 Mbit/s subscriber %s passed %d bytes while the 10 Mbit/s one passed %d: it is held near 10 Mbit/s", fastSub.Addr, f1-f0, s1-s0)
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

//go:build linux

package daemon

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/libreqos-go/lqos/internal/stats"
	"github.com/libreqos-go/lqos/internal/urgent"
	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/vishvananda/netns"
)

func TestParseProcStat(t *testing.T) {
	data := []byte("cpu  10 0 10 80 0 0 0 0 0 0\ncpu0 5 0 5 40 0 0 0 0 3 0\ncpu1 5 0 5 30 10 0 0 0 0 0\nintr 1 2 3\n")
	m, order, err := parseProcStat(data)
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 2 || order[0] != "cpu0" || m["cpu0"] != [2]uint64{10, 50} || m["cpu1"] != [2]uint64{10, 50} {
		t.Fatalf("parsed %v %v", m, order)
	}
	if _, _, err := parseProcStat([]byte("cpu0 5 x 5 40\n")); err == nil || !strings.Contains(err.Error(), "cpu0 field 2") {
		t.Fatalf("bad field: %v", err)
	}
	var c cpuSampler
	if l, err := c.load(); err != nil || len(l) == 0 {
		t.Fatalf("first load %v %v", l, err)
	}
	l, err := c.load()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range l {
		if v < 0 || v > 100 {
			t.Fatalf("load out of range: %v", l)
		}
	}
}

// TestWebSource runs the web UI source against an in-process daemon core
// (real maps in a private bpffs, nothing attached).
func TestWebSource(t *testing.T) {
	requireRoot(t)
	dir := kerneltest.BPFFS(t)
	dp, err := datapath.Open(datapath.Options{PinDir: filepath.Join(dir, "lqos"), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dp.Close() })
	state := t.TempDir()
	nm, _ := loadNames(filepath.Join(state, "names.json"))
	us, err := urgent.Open(filepath.Join(state, "urgent.json"), urgent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.NodeName = "web test"
	d := &Daemon{cfg: cfg, dp: dp, names: nm, urgent: us, sched: schedstatus.New(nil), ncpu: 2, log: slog.New(slog.DiscardHandler)}
	d.coll = stats.New(stats.Options{Circuit: nm.circuit})
	if err := nm.set([]netip.Prefix{netip.MustParsePrefix("10.0.0.1/32"), netip.MustParsePrefix("10.0.0.2/32")}, []idPair{{"c1", "d1"}, {"c1", "d2"}}); err != nil {
		t.Fatal(err)
	}
	h := shaper.Hash64("c1")
	t0 := time.Now()
	d.coll.Update(t0, []datapath.HostCounters{{Addr: netip.MustParseAddr("10.0.0.1"), CircuitHash: h}, {Addr: netip.MustParseAddr("10.0.0.9")}})
	d.coll.Update(t0.Add(time.Second), []datapath.HostCounters{
		{Addr: netip.MustParseAddr("10.0.0.1"), CircuitHash: h, Bytes: [2]uint64{1000, 100}, Packets: [2]uint64{1, 1}},
		{Addr: netip.MustParseAddr("10.0.0.9"), Bytes: [2]uint64{500, 0}, Packets: [2]uint64{1, 0}}})
	w := &webSource{d: d}
	ctx := context.Background()

	if w.NodeName() != "web test" {
		t.Errorf("node name %q", w.NodeName())
	}
	tp, _ := w.Throughput(ctx)
	if tp.BitsPerSecond.Down != 12000 || tp.ShapedBitsPerSecond.Down != 8000 || tp.MaxMbps.Down != cfg.Queues.DownlinkBandwidthMbps {
		t.Errorf("throughput %+v", tp)
	}
	top, _ := w.TopCircuits(ctx, 5)
	if len(top) != 1 || top[0].CircuitID != "c1" || top[0].Down != 8000 || top[0].Name != "c1" {
		t.Errorf("top circuits %+v", top)
	}
	// Once a plan is applied the UI gets names, addresses and parents.
	d.circuits.Store(&map[string]circuitInfo{"c1": {Name: "Alice Smith", IP: "10.0.0.1", MAC: "02:00:00:00:00:01", Parent: "AP 7"}})
	top, _ = w.TopCircuits(ctx, 5)
	if len(top) != 1 || top[0].Name != "Alice Smith" || top[0].IP != "10.0.0.1" || top[0].Parent != "AP 7" {
		t.Errorf("top circuits without plan details: %+v", top)
	}
	if worst, err := w.WorstRTT(ctx, 5); err != nil || len(worst) != 0 {
		t.Errorf("worst RTT without flows: %+v %v", worst, err)
	}
	qc, _ := w.QueueCounts(ctx)
	if qc.CircuitQueues != 1 || qc.ShapedDevices != 2 || qc.UnknownIPs != 1 || qc.CPUQueues != 2 {
		t.Errorf("queue counts %+v", qc)
	}
	d.sched.Error("uisp", "boom", "")
	ss, _ := w.SchedulerStatus(ctx)
	if ss.LastError != "boom" || ss.LastHeartbeat.IsZero() {
		t.Errorf("scheduler %+v", ss)
	}
	is, err := us.Raise(urgent.Raise{Code: "WEB_TEST", Severity: urgent.Error, Message: "m"})
	if err != nil {
		t.Fatal(err)
	}
	list, _ := w.UrgentIssues(ctx)
	if len(list) != 1 || list[0].Severity != "Error" || !list[0].Clearable {
		t.Errorf("urgent %+v", list)
	}
	if err := w.AckUrgent(ctx, 999, "bob"); !errors.Is(err, webui.ErrNotFound) {
		t.Errorf("ack unknown: %v", err)
	}
	if err := w.AckUrgent(ctx, is.ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if got, _ := us.Get(is.ID); got.AcknowledgedBy != "web:bob" {
		t.Errorf("acked by %q", got.AcknowledgedBy)
	}
	if _, err := us.Raise(urgent.Raise{Code: "WEB_TEST2", Severity: urgent.Warning, Message: "m"}); err != nil {
		t.Fatal(err)
	}
	if err := w.AckAllUrgent(ctx, "bob"); err != nil || us.OpenCount() != 0 {
		t.Errorf("ack all: %v, %d open", err, us.OpenCount())
	}
}

// httpGetInNS fetches url from inside network namespace ns.
func httpGetInNS(t *testing.T, ns, url string) (int, string) {
	t.Helper()
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		type res struct {
			c   net.Conn
			err error
		}
		ch := make(chan res, 1)
		go func() {
			runtime.LockOSThread()
			orig, err := netns.Get()
			if err != nil {
				ch <- res{nil, err}
				return
			}
			defer orig.Close()
			h, err := netns.GetFromName(ns)
			if err != nil {
				ch <- res{nil, err}
				return
			}
			defer h.Close()
			if err := netns.Set(h); err != nil {
				ch <- res{nil, err}
				return
			}
			c, derr := (&net.Dialer{}).DialContext(ctx, network, addr)
			if netns.Set(orig) == nil {
				runtime.UnlockOSThread()
			}
			ch <- res{c, derr}
		}()
		r := <-ch
		return r.c, r.err
	}
	cl := &http.Client{Transport: &http.Transport{DialContext: dial}, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := cl.Get(url)
	if err != nil {
		t.Fatalf("GET %s in %s: %v", url, ns, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

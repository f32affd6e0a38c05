package bus

import (
	"encoding/json"
	"fmt"
	"github.com/libreqos-go/lqos/internal/plan"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/audit"
)

// statusBatch is what `lqos status` sends.
func statusBatch() []Request {
	return []Request{&Version{}, &ListIPs{Limit: 1}, &GetThroughput{}, &GetSchedulerStatus{}, &ListUrgent{OpenOnly: true}}
}

func requireStatus(t *testing.T, path string) {
	t.Helper()
	c := dial(t, path)
	rs, err := c.Request(ctxT(t), statusBatch()...)
	if err != nil {
		t.Fatalf("lqos status: %v", err)
	}
	for i, r := range rs {
		if e, ok := r.(*Error); ok {
			t.Fatalf("lqos status request %d: %v", i, e)
		}
	}
}

// 130 idle root connections (connected, never sending) do not lock out
// `lqos status` at the default limit of 128.
func TestIdleConnectionsDoNotLockOutStatus(t *testing.T) {
	srv, path := testServer(t, newFake(t), ServerOptions{})
	for i := 0; i < 130; i++ {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
	}
	waitFor(t, "130 connections seen", func() bool { return srv.Stats().Connections == 130 })
	requireStatus(t, path)
	// Evicted connections finish closing in the background.
	waitFor(t, "at most 128 connections open", func() bool { return srv.Stats().Active <= 128 })
	if st := srv.Stats(); st.Evicted < 3 {
		t.Fatalf("stats %+v: want the idle ones evicted", st)
	}
}

// Slow applies holding every handler slot, plus idle connections filling
// the connection limit, still leave `lqos status` an answer.
func TestStatusAnswersWhileHandlersAndConnectionsAreFull(t *testing.T) {
	h := newFake(t)
	h.block = make(chan struct{})
	srv, path := testServer(t, h, ServerOptions{MaxConns: 6, MaxConcurrent: 2})
	slow := dial(t, path)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { slow.ApplyPlan(ctxT(t), "slow", false) })
	}
	waitFor(t, "both handler slots taken", func() bool { return h.applying() == 2 })
	for range 5 {
		if _, err := dial(t, path).Ping(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	requireStatus(t, path)
	if srv.Stats().Evicted == 0 {
		t.Fatal("no idle connection was evicted")
	}
	close(h.block)
	wg.Wait()
}

// Many connections sending large frames while the handlers are stuck: the
// bodies held never exceed the one memory budget, a status query still
// gets through (small-frame reserve), and every frame is answered once
// the handlers move again.
func TestFrameMemoryBudget(t *testing.T) {
	h := newFake(t)
	h.block = make(chan struct{})
	const budget = 1 << 20
	srv, path := testServer(t, h, ServerOptions{MaxConcurrent: 1, QueryReserve: 1, MaxRequestSize: 256 << 10, MaxBufferedBytes: budget})
	slow := dial(t, path)
	applied := make(chan error, 1)
	go func() { _, err := slow.ApplyPlan(ctxT(t), "slow", false); applied <- err }()
	waitFor(t, "handler slot taken", func() bool { return h.applying() == 1 })

	var big []plan.Mapping
	for i := range 1500 {
		big = append(big, plan.Mapping{Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 1}), 32), CPU: 1,
			ClassID: 0x10003, UploadClassID: 0x20003, CircuitID: fmt.Sprintf("circuit-%04d", i), DeviceID: fmt.Sprintf("device-%04d", i)})
	}
	const senders = 12
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	for range senders {
		c := dial(t, path)
		wg.Go(func() {
			rs, err := c.Request(ctxT(t), &MapIPs{Mappings: big})
			if err == nil {
				if e, ok := rs[0].(*Error); ok {
					err = e
				}
			}
			errs <- err
		})
	}
	waitFor(t, "budget filled by waiting frames", func() bool { return srv.Stats().BufferedBytes > budget/2 })
	requireStatus(t, path)
	close(h.block)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("large frame: %v", err)
		}
	}
	if err := <-applied; err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.PeakBufferedBytes > budget || st.BufferedBytes != 0 {
		t.Fatalf("stats %+v: peak over the %d-byte budget or bytes leaked", st, budget)
	}
}

// A request whose headers or body arrive only in part is cut off after
// ReadTimeout, freeing its budget.
func TestHalfSentRequestTimesOut(t *testing.T) {
	srv, path := testServer(t, newFake(t), ServerOptions{ReadTimeout: 50 * time.Millisecond})
	for _, part := range []string{
		"POST /v1/mappings HTTP/1.1\r\nHost: lqos\r\nContent-Len",
		"POST /v1/mappings HTTP/1.1\r\nHost: lqos\r\nContent-Length: 1000\r\n\r\n{\"mappings\":",
	} {
		before := srv.Stats().Connections
		r := dialRaw(t, path)
		r.c.Write([]byte(part))
		waitFor(t, "connection accepted", func() bool { return srv.Stats().Connections == before+1 })
		waitFor(t, "connection closed: "+part, func() bool { return srv.Stats().Active == 0 })
		if st := srv.Stats(); st.BufferedBytes != 0 {
			t.Fatalf("budget not released: %+v", st)
		}
	}
}

// State-changing requests are audited with the peer; queries are not.
func TestAuditsStateChangingRequests(t *testing.T) {
	file := filepath.Join(t.TempDir(), "audit.log")
	al, err := audit.Open(file, slog.New(slog.DiscardHandler), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer al.Close()
	_, path := testServer(t, newFake(t), ServerOptions{Audit: al})
	c := dial(t, path)
	if _, err := c.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ApplyPlan(ctxT(t), "nightly", false); err != nil {
		t.Fatal(err)
	}
	c.ApplyPlan(ctxT(t), "fail", false)
	if _, err := c.ListUrgent(ctxT(t), true); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var ev audit.Event
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		if !strings.HasPrefix(ev.Actor, fmt.Sprintf("uid:%d pid:", os.Getuid())) {
			t.Errorf("actor %q does not name the peer", ev.Actor)
		}
		got = append(got, ev.Action+" "+ev.Outcome+" "+ev.Target)
	}
	want := []string{`bus.apply_plan success reason="nightly" dry_run=false`, `bus.apply_plan failure reason="fail" dry_run=false`}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

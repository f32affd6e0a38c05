package webui

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/coder/websocket"
	"golang.org/x/crypto/bcrypt"
)

type stubSource struct{}

func (stubSource) NodeName() string { return "stub" }
func (stubSource) Throughput(context.Context) (Throughput, error) {
	return Throughput{BitsPerSecond: DownUp{Down: 1e9, Up: 1e8}}, nil
}
func (stubSource) TopCircuits(context.Context, int) ([]CircuitStat, error) { return nil, nil }
func (stubSource) WorstRTT(context.Context, int) ([]CircuitStat, error)    { return nil, nil }
func (stubSource) CPULoad(context.Context) ([]float64, error)              { return []float64{1}, nil }
func (stubSource) QueueCounts(context.Context) (QueueCounts, error)        { return QueueCounts{}, nil }
func (stubSource) SchedulerStatus(context.Context) (SchedulerStatus, error) {
	return SchedulerStatus{}, nil
}
func (stubSource) UrgentIssues(context.Context) ([]UrgentIssue, error) { return nil, nil }
func (stubSource) AckUrgent(context.Context, uint64, string) error     { return ErrNotFound }
func (stubSource) AckAllUrgent(context.Context, string) error          { return nil }

func newTestServer(tb testing.TB) *Server {
	tb.Helper()
	s, err := New(Config{UsersFile: filepath.Join(tb.TempDir(), "u.json"), Source: stubSource{},
		BcryptCost: bcrypt.MinCost, Logger: slog.New(slog.DiscardHandler), ClientQueue: 4})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	// Stop the hub's own tickers: these tests drive publishing themselves
	// and a background tick would add messages to their queues.
	s.cancel()
	return s
}

type closeRec struct {
	mu      sync.Mutex
	reasons []string
}

func (r *closeRec) fn(code websocket.StatusCode, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reasons = append(r.reasons, fmt.Sprintf("%d %s", code, reason))
}

func testClient(s *Server, rec *closeRec) *client {
	return &client{user: "u", send: make(chan []byte, s.cfg.ClientQueue), subs: map[string]bool{chanThroughput: true},
		done: make(chan struct{}), closeConn: rec.fn}
}

// A client that stops reading is dropped once its queue is full; the
// others keep receiving.
func TestSlowConsumerDropped(t *testing.T) {
	s := newTestServer(t)
	h := s.hub
	var slowRec, fastRec closeRec
	slow, fast := testClient(s, &slowRec), testClient(s, &fastRec)
	h.add(slow)
	h.add(fast)
	for i := 0; i < s.cfg.ClientQueue+1; i++ {
		h.broadcast(h.subscribers(chanThroughput), []byte("x"))
		<-fast.send // the fast client drains
	}
	select {
	case <-slow.done:
	default:
		t.Fatal("slow client not dropped")
	}
	if got := h.dropped.Load(); got != 1 {
		t.Errorf("dropped = %d, want 1", got)
	}
	if subs := h.subscribers(chanThroughput); len(subs) != 1 || subs[0] != fast {
		t.Errorf("subscribers after drop = %d, want only the fast client", len(subs))
	}
	// closeConn runs in its own goroutine; wait for it via a later drop.
	h.drop(slow, websocket.StatusNormalClosure, "again")
	for {
		slowRec.mu.Lock()
		n := len(slowRec.reasons)
		slowRec.mu.Unlock()
		if n > 0 {
			break
		}
	}
	slowRec.mu.Lock()
	defer slowRec.mu.Unlock()
	if len(slowRec.reasons) != 1 || slowRec.reasons[0] != "1008 slow consumer" {
		t.Errorf("close calls %v, want exactly [1008 slow consumer]", slowRec.reasons)
	}
}

// BenchmarkPublishThroughput100 measures one 1 s tick of the throughput
// channel fanned out to 100 subscribers (produce + marshal + enqueue).
func BenchmarkPublishThroughput100(b *testing.B) {
	s := newTestServer(b)
	h := s.hub
	var rec closeRec
	var cs []*client
	for i := 0; i < 100; i++ {
		c := testClient(s, &rec)
		c.send = make(chan []byte, 1)
		cs = append(cs, c)
		h.add(c)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		h.publish(ctx, chanThroughput)
		for _, c := range cs {
			<-c.send
		}
	}
}

// BenchmarkAuthenticatedGET measures the per-request cost of the middleware
// (security headers, session lookup, access check) on GET /api/session.
func BenchmarkAuthenticatedGET(b *testing.B) {
	s := newTestServer(b)
	tok, _ := s.sessions.create("admin", RoleAdmin)
	h := s.Handler()
	req := httptest.NewRequest("GET", "http://ui.example/api/session", nil)
	req.AddCookie(&http.Cookie{Name: cookieName, Value: tok})
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// BenchmarkVerifyDefaultCost is one password check at the production
// bcrypt cost (what a login costs the server).
func BenchmarkVerifyDefaultCost(b *testing.B) {
	st, err := OpenUserStore(filepath.Join(b.TempDir(), "u.json"), 0)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := st.Create("admin", "password-1", RoleAdmin); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ok := st.Verify("admin", "password-1"); !ok {
			b.Fatal("verify failed")
		}
	}
}

type flakySource struct {
	stubSource
	mu   sync.Mutex
	fail bool
}

func (f *flakySource) Throughput(ctx context.Context) (Throughput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail {
		return Throughput{}, fmt.Errorf("bus down")
	}
	return Throughput{}, nil
}

type countHandler struct {
	mu   sync.Mutex
	msgs []string
}

func (c *countHandler) Enabled(context.Context, slog.Level) bool { return true }
func (c *countHandler) Handle(_ context.Context, r slog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.msgs = append(c.msgs, r.Message)
	return nil
}
func (c *countHandler) WithAttrs([]slog.Attr) slog.Handler { return c }
func (c *countHandler) WithGroup(string) slog.Handler      { return c }

// A failing producer is logged when it starts failing and when it
// recovers, not on every tick.
func TestProducerErrorsLoggedOnce(t *testing.T) {
	src := &flakySource{fail: true}
	logs := &countHandler{}
	s, err := New(Config{UsersFile: filepath.Join(t.TempDir(), "u.json"), Source: src,
		BcryptCost: bcrypt.MinCost, Logger: slog.New(logs)})
	if err != nil {
		t.Fatal(err)
	}
	s.cancel() // drive publishing by hand
	t.Cleanup(func() { s.Close() })
	var rec closeRec
	c := testClient(s, &rec)
	c.send = make(chan []byte, 100)
	s.hub.add(c)
	for i := 0; i < 5; i++ {
		s.hub.publish(context.Background(), chanThroughput)
	}
	src.mu.Lock()
	src.fail = false
	src.mu.Unlock()
	for i := 0; i < 3; i++ {
		s.hub.publish(context.Background(), chanThroughput)
	}
	logs.mu.Lock()
	defer logs.mu.Unlock()
	var got []string
	for _, m := range logs.msgs {
		if strings.Contains(m, "producer") {
			got = append(got, m)
		}
	}
	want := []string{"web UI channel producer failed", "web UI channel producer recovered"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("producer logs %q, want %q", got, want)
	}
	if len(c.send) != 3 {
		t.Errorf("client got %d messages, want 3 (only successful ticks)", len(c.send))
	}
}

// The throughput history fills without subscribers and keeps the newest
// historyLen samples.
func TestThroughputHistory(t *testing.T) {
	s := newTestServer(t)
	for i := 0; i < historyLen+7; i++ {
		s.hub.sampleThroughput(context.Background())
	}
	h := s.hub.throughputHistory()
	if len(h) != historyLen {
		t.Fatalf("history has %d points, want %d", len(h), historyLen)
	}
	if h[0][1] != 1e9 || h[0][2] != 1e8 {
		t.Errorf("point %v, want down 1e9 up 1e8", h[0])
	}
}

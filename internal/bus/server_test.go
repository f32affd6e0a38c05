package bus

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/libreqos-go/lqos/internal/plan"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// fakeHandler is an in-memory daemon: a mapping table plus the real
// scheduler tracker and urgent store.
type fakeHandler struct {
	SchedulerTracker
	UrgentStore

	mu       sync.Mutex
	mappings map[netip.Prefix]plan.Mapping
	plans    []string
	block    chan struct{} // ApplyPlan waits on it if non-nil
	stopped  chan error    // receives ctx.Err() when a blocked ApplyPlan is cancelled
	inApply  atomic.Int32  // ApplyPlan calls now running
}

func (f *fakeHandler) applying() int { return int(f.inApply.Load()) }

// waitFor polls cond a bounded number of times.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for range 2000 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("never happened: %s", what)
}

func newFake(t testing.TB) *fakeHandler {
	st, err := urgent.Open(filepath.Join(t.TempDir(), "urgent.json"), urgent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &fakeHandler{
		SchedulerTracker: SchedulerTracker{Tracker: schedstatus.New(nil)},
		UrgentStore:      UrgentStore{Store: st},
		mappings:         map[netip.Prefix]plan.Mapping{},
	}
}

func (f *fakeHandler) MapIPs(_ context.Context, ms []plan.Mapping) (*MapIPsResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	res := &MapIPsResult{}
	for i, m := range ms {
		if m.CPU > 63 {
			res.Failed = append(res.Failed, MappingError{Index: i, Prefix: m.Prefix, Error: "no such CPU"})
			continue
		}
		f.mappings[m.Prefix] = m
		res.Applied++
	}
	return res, nil
}

func (f *fakeHandler) DelIPs(_ context.Context, ps []netip.Prefix) (*DelIPsResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	res := &DelIPsResult{}
	for _, p := range ps {
		if _, ok := f.mappings[p]; ok {
			delete(f.mappings, p)
			res.Deleted++
		} else {
			res.NotFound++
		}
	}
	return res, nil
}

func (f *fakeHandler) ClearIPs(context.Context) (*ClearIPsResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := len(f.mappings)
	clear(f.mappings)
	return &ClearIPsResult{Cleared: n}, nil
}

func (f *fakeHandler) ListIPs(context.Context) ([]plan.Mapping, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]plan.Mapping, 0, len(f.mappings))
	for _, m := range f.mappings {
		out = append(out, m)
	}
	return out, nil
}

func (f *fakeHandler) ApplyPlan(ctx context.Context, r *ApplyPlan) (*PlanResult, error) {
	f.inApply.Add(1)
	defer f.inApply.Add(-1)
	if f.block != nil {
		select {
		case <-f.block:
		case <-ctx.Done():
			if f.stopped != nil {
				f.stopped <- ctx.Err()
			}
			return nil, ctx.Err()
		}
	}
	if r.Reason == "panic" {
		panic("boom")
	}
	if r.Reason == "fail" {
		return nil, errors.New("tc said no")
	}
	f.mu.Lock()
	f.plans = append(f.plans, r.Reason)
	f.mu.Unlock()
	return &PlanResult{Applied: !r.DryRun, Summary: "applied: " + r.Reason}, nil
}

func (f *fakeHandler) ReloadPlan(_ context.Context, r *ReloadPlan) (*PlanResult, error) {
	return &PlanResult{Applied: true, Summary: fmt.Sprintf("reloaded full=%v: %s", r.Full, r.Reason)}, nil
}

func (f *fakeHandler) DataPath(context.Context) (*DataPathStatus, error) {
	return &DataPathStatus{Classification: "TC lookup", Features: map[string]bool{"xdp_metadata": false, "tcx": true},
		Degraded: []DataPathDegraded{{Feature: "xdp_metadata", Reason: "refused", Cost: "one more lookup"}}}, nil
}

func (f *fakeHandler) DynamicCircuits(context.Context) (*DynamicCircuits, error) {
	return &DynamicCircuits{Enabled: true, Shaping: true, Sessions: []DynamicSession{{Key: "bng/1", State: "shaped", CircuitID: "radius:alice"}}}, nil
}

func (f *fakeHandler) Throughput(context.Context) (*Throughput, error) {
	return &Throughput{BitsPerSecond: DownUp{Down: 1000, Up: 100}, ShapedBitsPerSecond: DownUp{Down: 900, Up: 90},
		UnshapedBitsPerSecond: DownUp{Down: 100, Up: 10}}, nil
}

func (f *fakeHandler) TopN(_ context.Context, r *GetTopN) (*TopNResult, error) {
	res := &TopNResult{Kind: r.Kind, By: r.By}
	for i := range r.N {
		res.Entries = append(res.Entries, TopEntry{Key: fmt.Sprintf("%s-%d", r.Kind, i+r.Offset)})
	}
	return res, nil
}

func (f *fakeHandler) CircuitThroughput(_ context.Context, r *GetCircuitThroughput) (*CircuitThroughputResult, error) {
	res := &CircuitThroughputResult{}
	for _, id := range r.CircuitIDs {
		res.Circuits = append(res.Circuits, CircuitRate{CircuitID: id, BitsPerSecond: DownUp{Down: 5}})
	}
	return res, nil
}

func (f *fakeHandler) QueueStats(_ context.Context, id string) (*QueueStats, error) {
	if id == "missing" {
		return nil, Errorf(CodeNotFound, "circuit %q not found", id)
	}
	if id == "nil" {
		return nil, nil
	}
	return &QueueStats{CircuitID: id, Down: QueueCounters{Drops: 3}}, nil
}

// testServer starts a server on a fresh socket in a short temp dir (unix
// socket paths are limited to 108 bytes) and returns it with its path.
func testServer(t testing.TB, h Handler, o ServerOptions) (*Server, string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "lqtbus")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if o.SocketPath == "" {
		o.SocketPath = filepath.Join(dir, "run", "bus")
	}
	// Run as a normal user, the tests' own uid is the peer to accept
	// (unless the test chooses the allowed uids itself).
	if uid := uint32(os.Getuid()); uid != 0 && o.AllowUIDs == nil && !o.DenyRoot {
		o.AllowUIDs = []uint32{uid}
	}
	if o.Logger == nil && !testing.Verbose() {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	srv, err := Listen(h, o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return srv, o.SocketPath
}

func dial(t testing.TB, path string) *Client {
	t.Helper()
	c, err := Dial(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var prefixCmp = cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func TestEveryRequestThroughClient(t *testing.T) {
	h := newFake(t)
	_, path := testServer(t, h, ServerOptions{DaemonVersion: "test-1"})
	c := dial(t, path)
	ctx := ctxT(t)

	if p, err := c.Ping(ctx); err != nil || p.ServerTime.IsZero() {
		t.Fatalf("Ping = %+v, %v", p, err)
	}
	if v, err := c.Version(ctx); err != nil || v.Daemon != "test-1" || v.Protocol != ProtocolVersion {
		t.Fatalf("Version = %+v, %v", v, err)
	}
	ms := []plan.Mapping{
		{Prefix: pfx("192.0.2.7/32"), CPU: 1, ClassID: 0x10003, UploadClassID: 0x20003, CircuitID: "c1", DeviceID: "d1"},
		{Prefix: pfx("2001:db8::/56"), CPU: 2, ClassID: 0x10004, CircuitID: "c2"},
		{Prefix: pfx("10.0.0.0/24"), CPU: 99, ClassID: 0x10005, CircuitID: "c3"},
	}
	mr, err := c.MapIPs(ctx, ms)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&MapIPsResult{Applied: 2, Failed: []MappingError{{Index: 2, Prefix: pfx("10.0.0.0/24"), Error: "no such CPU"}}}, mr, prefixCmp); diff != "" {
		t.Fatalf("MapIPs (-want +got):\n%s", diff)
	}
	list, err := c.ListIPs(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&MappingList{Total: 2, Mappings: []plan.Mapping{ms[0], ms[1]}}, list, prefixCmp); diff != "" {
		t.Fatalf("ListIPs (-want +got):\n%s", diff)
	}
	page, err := c.ListIPs(ctx, 1, 5)
	if err != nil || page.Total != 2 || len(page.Mappings) != 1 || page.Mappings[0].CircuitID != "c2" {
		t.Fatalf("ListIPs page = %+v, %v", page, err)
	}
	dr, err := c.DelIPs(ctx, []netip.Prefix{pfx("192.0.2.7/32"), pfx("192.0.2.8/32")})
	if err != nil || *dr != (DelIPsResult{Deleted: 1, NotFound: 1}) {
		t.Fatalf("DelIPs = %+v, %v", dr, err)
	}
	cr, err := c.ClearIPs(ctx)
	if err != nil || cr.Cleared != 1 {
		t.Fatalf("ClearIPs = %+v, %v", cr, err)
	}
	if pr, err := c.ApplyPlan(ctx, "test", true); err != nil || pr.Applied || pr.Summary != "applied: test" {
		t.Fatalf("ApplyPlan = %+v, %v", pr, err)
	}
	if pr, err := c.ReloadPlan(ctx, "cli", true); err != nil || pr.Summary != "reloaded full=true: cli" {
		t.Fatalf("ReloadPlan = %+v, %v", pr, err)
	}
	if tp, err := c.Throughput(ctx); err != nil || tp.BitsPerSecond.Down != 1000 || tp.UnshapedBitsPerSecond.Up != 10 {
		t.Fatalf("Throughput = %+v, %v", tp, err)
	}
	if dc, err := c.DynamicCircuits(ctx); err != nil || !dc.Shaping || len(dc.Sessions) != 1 || dc.Sessions[0].CircuitID != "radius:alice" {
		t.Fatalf("DynamicCircuits = %+v, %v", dc, err)
	}
	if dp, err := c.DataPath(ctx); err != nil || dp.Classification != "TC lookup" || dp.Features["xdp_metadata"] || !dp.Features["tcx"] || len(dp.Degraded) != 1 || dp.Degraded[0].Cost != "one more lookup" {
		t.Fatalf("DataPath = %+v, %v", dp, err)
	}
	if top, err := c.TopN(ctx, GetTopN{Kind: TopCircuits, By: ByTotal, N: 3, Offset: 2}); err != nil || len(top.Entries) != 3 || top.Entries[0].Key != "circuits-2" {
		t.Fatalf("TopN = %+v, %v", top, err)
	}
	if ct, err := c.CircuitThroughput(ctx, "a", "b"); err != nil || len(ct.Circuits) != 2 || ct.Circuits[1].CircuitID != "b" {
		t.Fatalf("CircuitThroughput = %+v, %v", ct, err)
	}
	if qs, err := c.QueueStats(ctx, "c9"); err != nil || qs.CircuitID != "c9" || qs.Down.Drops != 3 {
		t.Fatalf("QueueStats = %+v, %v", qs, err)
	}

	// Scheduler reports then status.
	pct := 40
	for _, r := range []Request{
		&SchedulerHeartbeat{NextRun: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
		&SchedulerProgress{Active: true, Phase: "running_integration", Label: "Running integration sync", Step: 2, Steps: 5, Percent: &pct},
		&SchedulerOutput{Text: "ok", LogPath: "/tmp/x.log"},
		&SchedulerError{Integration: "splynx", Preview: "boom"},
	} {
		if err := c.Report(ctx, r); err != nil {
			t.Fatalf("Report %T: %v", r, err)
		}
	}
	st, err := c.SchedulerStatus(ctx)
	if err != nil || st.State != schedstatus.StateError || st.LastError.Integration != "splynx" || st.Progress.Percent != 40 || st.NextRun.Year() != 2030 {
		t.Fatalf("SchedulerStatus = %+v, %v", st, err)
	}
	if err := c.Report(ctx, &SchedulerSuccess{Duration: time.Second}); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.SchedulerStatus(ctx); st.State != schedstatus.StateRunning || st.LastError != nil {
		t.Fatalf("after success: %+v", st)
	}

	// Urgent issues.
	is, err := c.RaiseUrgent(ctx, RaiseUrgent{Code: "XDP_IP_MAPPING_CAPACITY", Severity: urgent.Error, Message: "too many", Context: json.RawMessage(`{"n": 5}`)})
	if err != nil || is.ID == 0 || string(is.Context) != `{"n":5}` {
		t.Fatalf("RaiseUrgent = %+v, %v", is, err)
	}
	is2, err := c.RaiseUrgent(ctx, RaiseUrgent{Code: "XDP_IP_MAPPING_CAPACITY", Severity: urgent.Error, Message: "still too many"})
	if err != nil || is2.ID != is.ID || is2.Count != 2 {
		t.Fatalf("re-raise = %+v, %v", is2, err)
	}
	if l, err := c.ListUrgent(ctx, true); err != nil || len(l) != 1 || l[0].Message != "still too many" {
		t.Fatalf("ListUrgent = %+v, %v", l, err)
	}
	acked, err := c.AckUrgent(ctx, is.ID, "", "alice")
	if err != nil || len(acked) != 1 || !acked[0].Acknowledged || !strings.HasPrefix(acked[0].AcknowledgedBy, fmt.Sprintf("uid:%d ", os.Getuid())) || !strings.HasSuffix(acked[0].AcknowledgedBy, "(alice)") {
		t.Fatalf("AckUrgent = %+v, %v", acked, err)
	}
	if l, err := c.ListUrgent(ctx, true); err != nil || len(l) != 0 {
		t.Fatalf("ListUrgent open after ack = %+v, %v", l, err)
	}
	if _, err := c.AckUrgent(ctx, 0, "NOPE", ""); !errors.Is(err, &Error{Code: CodeNotFound}) {
		t.Fatalf("AckUrgent unknown code err = %v", err)
	}
}

func TestHandlerErrors(t *testing.T) {
	h := newFake(t)
	_, path := testServer(t, h, ServerOptions{RequestTimeout: 200 * time.Millisecond})
	c := dial(t, path)
	ctx := ctxT(t)
	tests := []struct {
		name     string
		call     func() error
		wantCode string
		wantText string
	}{
		{"handler *Error keeps code", func() error { _, err := c.QueueStats(ctx, "missing"); return err }, CodeNotFound, `circuit "missing" not found`},
		{"plain error is failed", func() error { _, err := c.ApplyPlan(ctx, "fail", false); return err }, CodeFailed, "tc said no"},
		{"panic is internal", func() error { _, err := c.ApplyPlan(ctx, "panic", false); return err }, CodeInternal, "handler failed"},
		{"nil result is internal", func() error { _, err := c.QueueStats(ctx, "nil"); return err }, CodeInternal, "no result"},
		{"validation", func() error { _, err := c.ApplyPlan(ctx, "", false); return err }, CodeInvalidArgument, "reason: empty"},
		{"mapping validation names index", func() error {
			_, err := c.MapIPs(ctx, []plan.Mapping{{Prefix: pfx("10.0.0.1/32"), ClassID: 1, CircuitID: "a"}, {Prefix: pfx("10.0.0.1/24"), ClassID: 1, CircuitID: "b"}})
			return err
		}, CodeInvalidArgument, "mappings[1].prefix: 10.0.0.1/24 has host bits set"},
		{"top n bounds", func() error { _, err := c.TopN(ctx, GetTopN{Kind: "hosts", N: 0}); return err }, CodeInvalidArgument, "n: 0"},
		{"urgent validation", func() error {
			_, err := c.RaiseUrgent(ctx, RaiseUrgent{Code: "bad code!", Severity: urgent.Error, Message: "x"})
			return err
		}, CodeInvalidArgument, "code:"},
		{"urgent message only escapes", func() error {
			_, err := c.RaiseUrgent(ctx, RaiseUrgent{Code: "X", Severity: urgent.Error, Message: "\x1b[0m"})
			return err
		}, CodeInvalidArgument, "message: empty"},
		{"ack needs one selector", func() error { _, err := c.AckUrgent(ctx, 1, "X", ""); return err }, CodeInvalidArgument, "exactly one"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var be *Error
			if !errors.As(err, &be) || be.Code != tc.wantCode || !strings.Contains(be.Message, tc.wantText) {
				t.Fatalf("err = %v, want code %s containing %q", err, tc.wantCode, tc.wantText)
			}
		})
	}
	// The connection survived all of that.
	if _, err := c.Ping(ctx); err != nil {
		t.Fatalf("ping after errors: %v", err)
	}
}

func TestHandlerTimeout(t *testing.T) {
	h := newFake(t)
	h.block = make(chan struct{})
	defer close(h.block)
	_, path := testServer(t, h, ServerOptions{RequestTimeout: 50 * time.Millisecond})
	c := dial(t, path)
	_, err := c.ApplyPlan(ctxT(t), "slow", false)
	if !errors.Is(err, &Error{Code: CodeTimeout}) {
		t.Fatalf("err = %v, want timeout", err)
	}
}

func TestClientContextCancel(t *testing.T) {
	h := newFake(t)
	h.block = make(chan struct{})
	_, path := testServer(t, h, ServerOptions{})
	c := dial(t, path)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.ApplyPlan(ctx, "slow", false)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	close(h.block)
	// The late response is discarded and the client keeps working.
	if pr, err := c.ApplyPlan(ctxT(t), "fast", false); err != nil || pr.Summary != "applied: fast" {
		t.Fatalf("after cancel: %+v, %v", pr, err)
	}
}

// rawConn sends raw bytes and reads HTTP responses.
type rawConn struct {
	t  *testing.T
	c  net.Conn
	br *bufio.Reader
}

func dialRaw(t *testing.T, path string) *rawConn {
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	return &rawConn{t: t, c: c, br: bufio.NewReader(c)}
}

// read reads one response; e is its error body (nil for 200).
func (r *rawConn) read() (status int, e *Error, err error) {
	res, err := http.ReadResponse(r.br, nil)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return 0, nil, err
	}
	if res.StatusCode != http.StatusOK {
		e = &Error{}
		if err := json.Unmarshal(body, e); err != nil {
			return res.StatusCode, &Error{Message: string(body)}, nil
		}
	}
	return res.StatusCode, e, nil
}

func rawRequest(method, path, body string) []byte {
	return []byte(fmt.Sprintf("%s %s HTTP/1.1\r\nHost: lqos\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", method, path, len(body), body))
}

func TestMalformedRequests(t *testing.T) {
	h := newFake(t)
	srv, path := testServer(t, h, ServerOptions{MaxRequestSize: 1 << 10})
	bystander := dial(t, path)
	tests := []struct {
		name   string
		in     []byte
		status int
		code   string
		text   string
		closed bool
	}{
		{"not json", rawRequest("POST", "/v1/plan/apply", `{"reason":`), 400, CodeBadRequest, "invalid JSON", false},
		{"unknown field", rawRequest("POST", "/v1/plan/apply", `{"reason":"x","force":true}`), 400, CodeBadRequest, `unknown field "force"`, false},
		{"json array", rawRequest("POST", "/v1/plan/apply", `[1,2]`), 400, CodeBadRequest, "cannot", false},
		{"trailing data", rawRequest("POST", "/v1/plan/apply", `{"reason":"x"} {}`), 400, CodeBadRequest, "trailing data", false},
		{"unknown call", rawRequest("GET", "/v1/launch_missiles", ""), 404, CodeUnknownCall, "/v1/launch_missiles", false},
		{"wrong method", rawRequest("GET", "/v1/plan/apply", ""), 405, CodeMethodNotAllowed, "use POST", false},
		{"bad body field type", rawRequest("POST", "/v1/urgent", `{"code":5}`), 400, CodeBadRequest, "field code", false},
		{"bad parameter", rawRequest("GET", "/v1/top?kind=hosts&n=ten", ""), 400, CodeBadRequest, `parameter n: "ten"`, false},
		{"unknown parameter", rawRequest("GET", "/v1/queue-stats?circuit=x", ""), 400, CodeBadRequest, `unknown parameter "circuit"`, false},
		{"parameters of a write call", rawRequest("POST", "/v1/plan/apply?reason=x", ""), 400, CodeBadRequest, "JSON body", false},
		{"bad prefix", rawRequest("POST", "/v1/mappings/delete", `{"prefixes":["10.0.0.300/32"]}`), 400, CodeBadRequest, "10.0.0.300", false},
		{"bad mapping names its index", rawRequest("POST", "/v1/mappings", `{"mappings":[{"prefix":"10.0.0.1/32","circuit_id":"a"},{"prefix":"10.0.0.2/32","cpu":"x"}]}`),
			400, CodeBadRequest, "mappings[1]: field cpu", false},
		{"unknown mapping field", rawRequest("POST", "/v1/mappings", `{"mappings":[{"prefix":"10.0.0.1/32","circuit":"a"}]}`), 400, CodeBadRequest, `unknown field "circuit"`, false},
		{"invalid mapping", rawRequest("POST", "/v1/mappings", `{"mappings":[{"prefix":"10.0.0.1/24","circuit_id":"a"}]}`), 400, CodeInvalidArgument, "mappings[0].prefix: 10.0.0.1/24 has host bits set", false},
		{"oversized", rawRequest("POST", "/v1/mappings", `{"mappings":[`+strings.Repeat(" ", 2000)+`]}`), 413, CodeRequestTooLarge, "limit 1024", false},
		{"future version", rawRequest("GET", "/v2/ping", ""), 404, CodeUnsupportedVersion, "API version 1", false},
		{"not http", append([]byte("LQBS\x00\x01\x00\x00\x00\x00\x00\x02{}"), "\r\n\r\n"...), 400, "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := dialRaw(t, path)
			if _, err := rc.c.Write(tc.in); err != nil {
				t.Fatal(err)
			}
			status, e, err := rc.read()
			if err != nil {
				t.Fatalf("read response: %v", err)
			}
			if status != tc.status || (tc.code != "" && (e == nil || e.Code != tc.code || !strings.Contains(e.Message, tc.text))) {
				t.Fatalf("HTTP %d %+v, want %d %s containing %q", status, e, tc.status, tc.code, tc.text)
			}
			// Either the connection is closed, or it still serves pings.
			_, err = rc.c.Write(rawRequest("GET", "/v1/ping", ""))
			if err == nil {
				status, _, err = rc.read()
				if err == nil && status != http.StatusOK {
					t.Fatalf("ping after %s: HTTP %d", tc.name, status)
				}
			}
			if closed := err != nil; closed != tc.closed {
				t.Fatalf("connection closed = %v (err %v), want %v", closed, err, tc.closed)
			}
			// Other clients are never affected.
			if _, err := bystander.Ping(ctxT(t)); err != nil {
				t.Fatalf("bystander ping: %v", err)
			}
		})
	}
	if st := srv.Stats(); st.BadRequests == 0 || st.Errors == 0 {
		t.Fatalf("stats not counting bad requests: %+v", st)
	}
}

func TestClientRefusesOversizedRequest(t *testing.T) {
	_, path := testServer(t, newFake(t), ServerOptions{})
	c, err := DialOptions(ctxT(t), path, ClientOptions{MaxRequestSize: 200})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ms := make([]plan.Mapping, 10)
	for i := range ms {
		ms[i] = plan.Mapping{Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), 32), ClassID: 1, CircuitID: "c"}
	}
	if _, err := c.MapIPs(ctxT(t), ms); !errors.Is(err, ErrRequestTooLarge) {
		t.Fatalf("err = %v, want ErrRequestTooLarge", err)
	}
	// A streamed body over the limit is cut off by the client too.
	if _, err := c.MapIPs(ctxT(t), mappings(streamMinMappings)); !errors.Is(err, ErrRequestTooLarge) {
		t.Fatalf("streamed: err = %v, want ErrRequestTooLarge", err)
	}
	if _, err := c.Ping(ctxT(t)); err != nil {
		t.Fatalf("client unusable after local refusal: %v", err)
	}
}

func TestServerOversizedRequestFromClient(t *testing.T) {
	// The client allows more than the server: the server must refuse, and
	// the client must report the server's reason, for a body of known
	// length and for a streamed one.
	_, path := testServer(t, newFake(t), ServerOptions{MaxRequestSize: 512})
	c := dial(t, path)
	for _, n := range []int{20, streamMinMappings} {
		if _, err := c.MapIPs(ctxT(t), mappings(n)); !errors.Is(err, &Error{Code: CodeRequestTooLarge}) {
			t.Fatalf("%d mappings: err = %v, want request_too_large", n, err)
		}
	}
}

func TestResponseTooLarge(t *testing.T) {
	h := newFake(t)
	_, path := testServer(t, h, ServerOptions{MaxResponseSize: 2048})
	c := dial(t, path)
	ctx := ctxT(t)
	ms := make([]plan.Mapping, 100)
	for i := range ms {
		ms[i] = plan.Mapping{Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}), 32), ClassID: 1, CircuitID: "c"}
	}
	if _, err := c.MapIPs(ctx, ms); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListIPs(ctx, 0, 0); !errors.Is(err, &Error{Code: CodeResponseTooLarge}) {
		t.Fatalf("err = %v, want response_too_large", err)
	}
	if l, err := c.ListIPs(ctx, 0, 5); err != nil || len(l.Mappings) != 5 || l.Total != 100 {
		t.Fatalf("paged list = %+v, %v", l, err)
	}
}

func TestPeerCredentialsRefused(t *testing.T) {
	_, path := testServer(t, newFake(t), ServerOptions{DenyRoot: true, AllowUIDs: []uint32{4242}})
	c := dial(t, path)
	_, err := c.Ping(ctxT(t))
	if uid := fmt.Sprintf("uid %d ", os.Getuid()); !errors.Is(err, &Error{Code: CodePermissionDenied}) || !strings.Contains(err.Error(), uid) {
		t.Fatalf("err = %v, want permission_denied for %s", err, uid)
	}
}

func TestPeerCredentialsAllowed(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the default policy admits only uid 0")
	}
	_, path := testServer(t, newFake(t), ServerOptions{})
	if _, err := dial(t, path).Ping(ctxT(t)); err != nil {
		t.Fatalf("root refused: %v", err)
	}
}

func TestSocketPermissionsAndStaleSocket(t *testing.T) {
	dir, err := os.MkdirTemp("", "lqtbus")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	runDir := filepath.Join(dir, "run")
	path := filepath.Join(runDir, "bus")
	// A world-writable pre-existing directory gets tightened.
	if err := os.Mkdir(runDir, 0o777); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(runDir, 0o777)
	// A stale socket (bound, then the listener abandoned without unlink).
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()

	var self []uint32
	if uid := uint32(os.Getuid()); uid != 0 {
		self = []uint32{uid}
	}
	srv, err := Listen(newFake(t), ServerOptions{SocketPath: path, AllowUIDs: self})
	if err != nil {
		t.Fatalf("stale socket not replaced: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()

	for p, want := range map[string]os.FileMode{runDir: 0o700, path: 0o600} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s mode %v, want %v", p, st.Mode().Perm(), want)
		}
	}
	// A second server on the live socket must refuse, not steal it.
	if _, err := Listen(newFake(t), ServerOptions{SocketPath: path}); err == nil || !strings.Contains(err.Error(), "already listening") {
		t.Fatalf("second Listen err = %v", err)
	}
	if _, err := dial(t, path).Ping(ctxT(t)); err != nil {
		t.Fatalf("first server broken by second Listen: %v", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Fatalf("socket not removed on shutdown: %v", err)
	}
	// A regular file in the way is never deleted.
	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(newFake(t), ServerOptions{SocketPath: path}); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("Listen over a file err = %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me" {
		t.Fatal("file was clobbered")
	}
}

// At the connection limit a new connection replaces the longest idle one;
// only when every connection is busy is it refused.
func TestMaxConns(t *testing.T) {
	h := newFake(t)
	h.block = make(chan struct{})
	srv, path := testServer(t, h, ServerOptions{MaxConns: 2})
	a, b := dial(t, path), dial(t, path)
	for _, c := range []*Client{a, b} {
		if _, err := c.Ping(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := dial(t, path).Ping(ctxT(t)); err != nil {
		t.Fatalf("third connection with two idle ones: %v", err)
	}
	if st := srv.Stats(); st.Evicted != 1 || st.Refused != 0 {
		t.Fatalf("stats %+v, want 1 evicted", st)
	}
	// Two connections each blocked in a handler: nothing is idle.
	var wg sync.WaitGroup
	for i := range 2 {
		c := dial(t, path)
		wg.Go(func() { c.ApplyPlan(ctxT(t), "slow", false) })
		waitFor(t, "apply in its handler", func() bool { return h.applying() == i+1 })
	}
	if _, err := dial(t, path).Ping(ctxT(t)); !errors.Is(err, &Error{Code: CodeBusy}) {
		t.Fatalf("connection while all are busy: err = %v, want busy", err)
	}
	close(h.block)
	wg.Wait()
}

func TestManyClientsConcurrently(t *testing.T) {
	h := newFake(t)
	srv, path := testServer(t, h, ServerOptions{})
	const clients, perClient = 40, 50
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Go(func() {
			c, err := Dial(context.Background(), path)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			for j := range perClient {
				id := fmt.Sprintf("c%d-%d", i, j)
				p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i), byte(j), 1}), 32)
				rs, err := c.Request(ctx, &GetQueueStats{CircuitID: id}, &Ping{},
					&MapIPs{Mappings: []plan.Mapping{{Prefix: p, ClassID: 1, CircuitID: id}}})
				if err != nil {
					errs <- err
					return
				}
				qs, ok := rs[0].(*QueueStats)
				_, pong := rs[1].(*Pong)
				mr, mapped := rs[2].(*MapIPsResult)
				if !ok || qs.CircuitID != id || !pong || !mapped || mr.Applied != 1 {
					errs <- fmt.Errorf("client %d: mismatched responses %+v", i, rs)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if l, _ := dial(t, path).ListIPs(ctxT(t), 0, 0); l == nil || l.Total != clients*perClient {
		t.Fatalf("mappings after concurrent adds: %+v", l)
	}
	if st := srv.Stats(); st.Requests < clients*perClient*3 {
		t.Fatalf("stats %+v", st)
	}
}

// One client shared by many goroutines: calls are pipelined and matched by id.
func TestSharedClientPipelining(t *testing.T) {
	_, path := testServer(t, newFake(t), ServerOptions{})
	c := dial(t, path)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []string
	for g := range 32 {
		wg.Go(func() {
			for j := range 50 {
				id := fmt.Sprintf("g%d-%d", g, j)
				qs, err := c.QueueStats(ctxT(t), id)
				if err != nil || qs.CircuitID != id {
					mu.Lock()
					bad = append(bad, fmt.Sprintf("%s: %+v %v", id, qs, err))
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if len(bad) > 0 {
		t.Fatalf("%d mismatches, first: %s", len(bad), bad[0])
	}
}

func TestClientAfterServerShutdown(t *testing.T) {
	h := newFake(t)
	srv, path := testServer(t, h, ServerOptions{})
	c := dial(t, path)
	if _, err := c.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	_, err := c.Ping(ctxT(t))
	if err == nil {
		t.Fatal("ping succeeded after server close")
	}
	if _, err := Dial(ctxT(t), path); err == nil || !strings.Contains(err.Error(), "is lqosd running?") {
		t.Fatalf("Dial after shutdown err = %v", err)
	}
}

func TestUnimplementedHandler(t *testing.T) {
	_, path := testServer(t, Unimplemented{}, ServerOptions{})
	c := dial(t, path)
	ctx := ctxT(t)
	if _, err := c.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := c.Throughput(ctx)
	if !errors.Is(err, &Error{Code: CodeNotImplemented}) || !strings.Contains(err.Error(), "get_throughput") {
		t.Fatalf("err = %v", err)
	}
}

// Every call has one route: a unique method and path, a request type of its
// own, under /v1/, with the method its access class implies.
func TestRoutesComplete(t *testing.T) {
	if len(routes) != 23 || len(routeByReq) != 23 {
		t.Fatalf("%d routes, %d request types: want 23", len(routes), len(routeByReq))
	}
	seen := map[string]bool{}
	for _, rt := range routes {
		sp := rt.spec()
		key := sp.method + " " + sp.path
		switch {
		case seen[key] || seen[sp.name]:
			t.Errorf("%s (%s) twice", key, sp.name)
		case !strings.HasPrefix(sp.path, "/v1/"):
			t.Errorf("%s: not under /v1/", key)
		case (sp.access == write) == (sp.method == http.MethodGet):
			t.Errorf("%s: access class %d does not fit the method", key, sp.access)
		}
		seen[key], seen[sp.name] = true, true
		if got, _ := lookup(sp.method, sp.path); got != rt {
			t.Errorf("%s does not find its route", key)
		}
	}
}

// Urgent issues raised over the bus survive a daemon restart (new server,
// store reopened from the same file).
func TestUrgentSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "urgent.json")
	start := func() (*Client, func()) {
		st, err := urgent.Open(path, urgent.Options{})
		if err != nil {
			t.Fatal(err)
		}
		h := &fakeHandler{UrgentStore: UrgentStore{Store: st}, SchedulerTracker: SchedulerTracker{Tracker: schedstatus.New(nil)}}
		srv, sock := testServer(t, h, ServerOptions{})
		c, err := Dial(ctxT(t), sock)
		if err != nil {
			t.Fatal(err)
		}
		return c, func() { c.Close(); srv.Close() }
	}
	c, stop := start()
	ctx := ctxT(t)
	a, err := c.RaiseUrgent(ctx, RaiseUrgent{Code: "TC_U16_OVERFLOW", Severity: urgent.Error, Message: "minor > 65535", Context: json.RawMessage(`{"cpu":3}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.RaiseUrgent(ctx, RaiseUrgent{Code: "UNATTACHED_SHAPED_CIRCUITS", Severity: urgent.Warning, Message: "2 circuits"}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AckUrgent(ctx, 0, "UNATTACHED_SHAPED_CIRCUITS", "ops"); err != nil {
		t.Fatal(err)
	}
	stop()

	c2, stop2 := start()
	defer stop2()
	all, err := c2.ListUrgent(ctx, false)
	if err != nil || len(all) != 2 {
		t.Fatalf("after restart: %+v, %v", all, err)
	}
	open, _ := c2.ListUrgent(ctx, true)
	if len(open) != 1 || open[0].ID != a.ID || string(open[0].Context) != `{"cpu":3}` {
		t.Fatalf("open after restart: %+v", open)
	}
	if again, err := c2.RaiseUrgent(ctx, RaiseUrgent{Code: "TC_U16_OVERFLOW", Severity: urgent.Error, Message: "again"}); err != nil || again.ID != a.ID || again.Count != 2 {
		t.Fatalf("dedup across restart: %+v, %v", again, err)
	}
}

// Close cancels handlers in flight, so shutdown does not wait for the
// request timeout.
func TestCloseCancelsHandlers(t *testing.T) {
	h := newFake(t)
	h.block = make(chan struct{}) // never closed: only cancellation ends ApplyPlan
	h.stopped = make(chan error, 1)
	srv, path := testServer(t, h, ServerOptions{RequestTimeout: time.Hour})
	c := dial(t, path)
	errc := make(chan error, 1)
	go func() { _, err := c.ApplyPlan(ctxT(t), "slow", false); errc <- err }()
	// Wait until the handler holds a slot, then shut down.
	waitFor(t, "the handler in its slot", func() bool { return len(srv.sem) == 1 })
	srv.Close()
	select {
	case err := <-h.stopped:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("handler context ended with %v, want context.Canceled", err)
		}
	case <-ctxT(t).Done():
		t.Fatal("handler context was not cancelled by Close")
	}
	if err := <-errc; err == nil {
		t.Fatal("ApplyPlan succeeded although the server closed")
	}
}

func TestClientClosed(t *testing.T) {
	_, path := testServer(t, newFake(t), ServerOptions{})
	c := dial(t, path)
	c.Close()
	if _, err := c.Ping(ctxT(t)); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v, want ErrClosed", err)
	}
}

// More mappings than fit in one request are sent in chunks transparently.
func TestMapIPsChunked(t *testing.T) {
	h := newFake(t)
	srv, path := testServer(t, h, ServerOptions{})
	c := dial(t, path)
	ms := mappings(MapIPsChunk + 1000)
	ms[MapIPsChunk+10].CPU = 99 // the fake handler rejects CPUs > 63
	res, err := c.MapIPs(ctxT(t), ms)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != len(ms)-1 || len(res.Failed) != 1 || res.Failed[0].Index != MapIPsChunk+10 || res.Failed[0].Prefix != ms[MapIPsChunk+10].Prefix {
		t.Fatalf("result: applied %d, failed %+v", res.Applied, res.Failed)
	}
	if st := srv.Stats(); st.Requests != 2 {
		t.Fatalf("%d requests, want 2", st.Requests)
	}
	// They all arrived, as sent.
	l, err := c.ListIPs(ctxT(t), 0, 0)
	if err != nil || l.Total != len(ms)-1 {
		t.Fatalf("list: %v, %v", l.Total, err)
	}
	want := slices.Clone(ms)
	want = slices.Delete(want, MapIPsChunk+10, MapIPsChunk+11)
	slices.SortFunc(want, compareMappings)
	if diff := cmp.Diff(want, l.Mappings, prefixCmp); diff != "" {
		t.Fatalf("listed mappings differ (-sent +listed):\n%s", diff)
	}
}

// The server closes a connection idle for IdleTimeout; the client replaces
// it without the caller noticing.
func TestIdleConnectionClosed(t *testing.T) {
	srv, path := testServer(t, newFake(t), ServerOptions{IdleTimeout: 20 * time.Millisecond})
	rc := dialRaw(t, path)
	if _, err := rc.c.Write(rawRequest("GET", "/v1/ping", "")); err != nil {
		t.Fatal(err)
	}
	if status, _, err := rc.read(); err != nil || status != http.StatusOK {
		t.Fatalf("ping: %d %v", status, err)
	}
	// Once the idle deadline has passed the server drops the connection.
	if _, err := rc.br.ReadByte(); !errors.Is(err, io.EOF) {
		t.Fatalf("read on an idle connection: %v, want EOF", err)
	}
	waitFor(t, "no connection open", func() bool { return srv.Stats().Active == 0 })
	c := dial(t, path)
	if _, err := c.Ping(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the client's connection closed as idle", func() bool { return srv.Stats().Active == 0 })
	if _, err := c.Ping(ctxT(t)); err != nil {
		t.Fatalf("ping after the idle close: %v", err)
	}
}

// A slow request does not block other calls on the same client.
func TestSlowRequestDoesNotBlockConnection(t *testing.T) {
	h := newFake(t)
	h.block = make(chan struct{})
	_, path := testServer(t, h, ServerOptions{})
	c := dial(t, path)
	errc := make(chan error, 1)
	go func() { _, err := c.ApplyPlan(ctxT(t), "slow", false); errc <- err }()
	for range 20 {
		if _, err := c.QueueStats(ctxT(t), "c1"); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case err := <-errc:
		t.Fatalf("slow request finished early: %v", err)
	default:
	}
	close(h.block)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

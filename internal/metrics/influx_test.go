package metrics

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func newTestExporter(t *testing.T, src Source, url string, mod func(*InfluxOptions)) *Exporter {
	t.Helper()
	o := InfluxOptions{InfluxDB: config.InfluxDB{Enable: true, URL: url, Bucket: "lqos", PerCircuit: true},
		NodeName: "edge 1", Now: func() time.Time { return t0 }, Backoff: Backoff{Initial: time.Millisecond, Max: 5 * time.Millisecond, Factor: 2}}
	if mod != nil {
		mod(&o)
	}
	e, err := NewExporter(src, o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestLineProtocolGolden(t *testing.T) {
	e := newTestExporter(t, newTestSource(t, 3, 2), "http://127.0.0.1:1", nil)
	e.Sample()
	body, _, n := e.batch()
	if n == 0 {
		t.Fatal("no points")
	}
	const golden = "testdata/influx.golden"
	if *update {
		if err := os.WriteFile(golden, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != string(want) {
		t.Errorf("line protocol differs from %s (go test -update to accept):\n%s", golden, body)
	}
}

func TestEndpoint(t *testing.T) {
	tests := []struct {
		org, want string
	}{
		{"", "http://db:8086/write?db=lqos&precision=ns"},
		{"isp", "http://db:8086/api/v2/write?bucket=lqos&org=isp&precision=ns"},
	}
	for _, tc := range tests {
		e := newTestExporter(t, newTestSource(t, 1, 1), "http://db:8086", func(o *InfluxOptions) { o.Org = tc.org })
		if got := e.Endpoint(); got != tc.want {
			t.Errorf("org %q: endpoint %s, want %s", tc.org, got, tc.want)
		}
	}
	for _, bad := range []config.InfluxDB{{URL: "db:8086", Bucket: "x"}, {URL: "http://db", Bucket: ""}} {
		if _, err := NewExporter(newTestSource(t, 1, 1), InfluxOptions{InfluxDB: bad}); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestBufferDropsOldest: with nothing sending, a full buffer keeps the
// newest points and counts the ones it dropped.
func TestBufferDropsOldest(t *testing.T) {
	e := newTestExporter(t, newTestSource(t, 1, 1), "http://127.0.0.1:1", func(o *InfluxOptions) { o.BufferPoints = 3 })
	e.push([]string{"m v=1i 1", "m v=2i 2", "m v=3i 3", "m v=4i 4", "m v=5i 5"})
	c := e.Counts()
	if c.Dropped != 2 || c.Buffered != 3 {
		t.Fatalf("counts %+v, want 2 dropped and 3 buffered", c)
	}
	body, _, _ := e.batch()
	if string(body) != "m v=3i 3\nm v=4i 4\nm v=5i 5\n" {
		t.Fatalf("buffer holds %q, want the newest three", body)
	}
}

// recorder is a real HTTP server that refuses the first fails writes with
// 503 and records the bodies of the others.
type recorder struct {
	mu     sync.Mutex
	fails  int
	tries  int
	bodies []string
	got    chan struct{}
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries++
	if r.tries <= r.fails {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if req.URL.Query().Get("db") == "refuse" {
		http.Error(w, "database not found", http.StatusNotFound)
		r.got <- struct{}{}
		return
	}
	r.bodies = append(r.bodies, string(body))
	w.WriteHeader(http.StatusNoContent)
	r.got <- struct{}{}
}

func TestRetryThenWrite(t *testing.T) {
	rec := &recorder{fails: 3, got: make(chan struct{}, 10)}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	e := newTestExporter(t, newTestSource(t, 2, 1), srv.URL, func(o *InfluxOptions) { o.BatchSize = 4 })
	batches := make(chan struct{}, 10)
	e.accounted = func() { batches <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { e.sendLoop(ctx); close(done) }()
	e.Sample() // 3 throughput + 1 site + 2 circuits + 1 status = 7 points: 2 batches
	<-batches
	<-batches
	cancel()
	<-done
	c := e.Counts()
	if c.Written != 7 || c.Failed != 3 || c.Dropped != 0 || c.Buffered != 0 || c.Batches != 2 {
		t.Fatalf("counts %+v, want 7 written in 2 batches after 3 failures", c)
	}
	if n := strings.Count(rec.bodies[0], "\n"); n != 4 {
		t.Errorf("first batch has %d lines, want 4", n)
	}
}

func TestRefusedBatchIsDropped(t *testing.T) {
	rec := &recorder{got: make(chan struct{}, 10)}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	e := newTestExporter(t, newTestSource(t, 1, 1), srv.URL, func(o *InfluxOptions) { o.Bucket = "refuse"; o.PerCircuit = false })
	batches := make(chan struct{}, 10)
	e.accounted = func() { batches <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.sendLoop(ctx); close(done) }()
	e.Sample()
	<-batches
	cancel()
	<-done
	c := e.Counts()
	if c.Written != 0 || c.Dropped != 5 || c.Failed != 0 {
		t.Fatalf("counts %+v, want the 5 points dropped without retries", c)
	}
}

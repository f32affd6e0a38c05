package metrics

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/testwait"
)

// freeAddr returns a loopback address with a port nothing listens on now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs a real server binary until the test ends and waits
// until ready answers 2xx (the limit only bounds a broken run).
func startServer(t *testing.T, ready string, name string, args ...string) {
	t.Helper()
	log := &strings.Builder{}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		if t.Failed() {
			t.Logf("%s log:\n%s", name, log.String())
		}
	})
	testwait.Until(t, name+" ready at "+ready, func() bool {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("%s exited before it was ready: %v\n%s", name, err, log.String())
		default:
		}
		resp, err := http.Get(ready)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode/100 == 2
	})
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s: %s", u, resp.Status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("GET %s: %v: %s", u, err, body)
	}
}

// exportOnce samples src once and sends everything to url, returning when
// every point is accounted for.
func exportOnce(t *testing.T, src Source, url, org string) Counts {
	t.Helper()
	now := time.Now().Truncate(time.Second)
	e := newTestExporter(t, src, url, func(o *InfluxOptions) {
		o.Org = org
		o.Now = func() time.Time { return now }
	})
	batches := make(chan struct{}, 16)
	e.accounted = func() { batches <- struct{}{} }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.sendLoop(ctx); close(done) }()
	e.Sample()
	<-batches
	cancel()
	<-done
	return e.Counts()
}

// TestInfluxDBv1 writes to a real InfluxDB 1.x (/write?db=) and reads the
// figures back with InfluxQL.
func TestInfluxDBv1(t *testing.T) {
	bin := kerneltest.Binary(t, "influxd", "influxdb")
	if bin == "" {
		return
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	conf := filepath.Join(dir, "influxdb.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(`reporting-disabled = true
bind-address = %q
[meta]
  dir = %q
[data]
  dir = %q
  wal-dir = %q
[http]
  bind-address = %q
  log-enabled = false
`, freeAddr(t), filepath.Join(dir, "meta"), filepath.Join(dir, "data"), filepath.Join(dir, "wal"), addr)), 0o644)
	base := "http://" + addr
	startServer(t, base+"/ping", bin, "run", "-config", conf)
	resp, err := http.PostForm(base+"/query", url.Values{"q": {"CREATE DATABASE lqos"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	c := exportOnce(t, newTestSource(t, 3, 2), base, "")
	if c.Written != 9 || c.Dropped != 0 {
		t.Fatalf("export counts %+v, want 9 points written", c)
	}
	tests := []struct {
		q    string
		want float64
	}{
		{`SELECT bits_down FROM lqos_throughput WHERE traffic='shaped'`, 48000},
		{`SELECT bits_up FROM lqos_site WHERE site='site-1'`, 1600},
		{`SELECT circuits FROM lqos_site WHERE site='site-0'`, 2},
		{`SELECT bits_down FROM lqos_circuit WHERE circuit_id='c2'`, 24000},
		{`SELECT urgent_errors FROM lqos_status WHERE node_name='edge 1'`, 1},
	}
	for _, tc := range tests {
		var r struct {
			Results []struct {
				Series []struct {
					Values [][]any `json:"values"`
				} `json:"series"`
				Error string `json:"error"`
			} `json:"results"`
		}
		getJSON(t, base+"/query?"+url.Values{"db": {"lqos"}, "q": {tc.q}}.Encode(), &r)
		if len(r.Results) != 1 || len(r.Results[0].Series) != 1 || len(r.Results[0].Series[0].Values) != 1 {
			t.Errorf("%s: %+v", tc.q, r)
			continue
		}
		if got := r.Results[0].Series[0].Values[0][1]; got != tc.want {
			t.Errorf("%s = %v, want %v", tc.q, got, tc.want)
		}
	}
}

// TestVictoriaMetrics writes to a real VictoriaMetrics through the v2 API
// (org and bucket, as upstream's [influxdb] section configures) and the v1
// one, and reads the series back (measurement_field names, tags as labels).
func TestVictoriaMetrics(t *testing.T) {
	bin := kerneltest.Binary(t, "victoria-metrics", "victoria-metrics")
	if bin == "" {
		return
	}
	addr := freeAddr(t)
	base := "http://" + addr
	startServer(t, base+"/health", bin, "-httpListenAddr="+addr, "-storageDataPath="+t.TempDir(), "-retentionPeriod=1d", "-loggerLevel=ERROR", "-search.latencyOffset=0s", "-search.disableCache")
	for _, org := range []string{"libreqos", ""} {
		c := exportOnce(t, newTestSource(t, 3, 2), base, org)
		if c.Written != 9 || c.Dropped != 0 {
			t.Fatalf("org %q: export counts %+v, want 9 points written", org, c)
		}
	}
	tests := []struct {
		match string
		want  float64
	}{
		{`lqos_throughput_bits_down{traffic="shaped",node_name="edge 1"}`, 48000},
		{`lqos_site_bits_down{site="site-0"}`, 32000},
		{`lqos_circuit_packets_down{circuit_id="c1",site="site-1"}`, 2},
	}
	for _, tc := range tests {
		var r struct {
			Status string `json:"status"`
			Data   struct {
				Result []struct {
					Metric map[string]string `json:"metric"`
					Value  [2]any            `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		// Both writes landed at the same second, so the latest value is it.
		// VictoriaMetrics makes accepted rows searchable asynchronously:
		// flush and ask again until the series appears (bounded).
		q := base + "/api/v1/query?" + url.Values{"query": {"max(last_over_time(" + tc.match + "[1h]))"}}.Encode()
		testwait.Poll(t, func() bool { // the series appears once ingested
			if resp, err := http.Get(base + "/internal/force_flush"); err == nil {
				resp.Body.Close()
			}
			getJSON(t, q, &r)
			return len(r.Data.Result) > 0
		})
		if r.Status != "success" || len(r.Data.Result) != 1 {
			t.Errorf("%s: %+v", tc.match, r)
			continue
		}
		if got := r.Data.Result[0].Value[1]; got != fmt.Sprint(tc.want) {
			t.Errorf("%s = %v, want %v", tc.match, got, tc.want)
		}
	}
}

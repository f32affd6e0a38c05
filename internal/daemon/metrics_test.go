//go:build linux

package daemon

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/libreqos-go/lqos/internal/kerneltest"
)

const metricsNetwork = `{
  "SiteA": {"downloadBandwidthMbps": 500, "uploadBandwidthMbps": 500, "type": "Site", "children": {
    "APA": {"downloadBandwidthMbps": 200, "uploadBandwidthMbps": 200, "type": "AP", "children": {}}
  }},
  "SiteB": {"downloadBandwidthMbps": 500, "uploadBandwidthMbps": 500, "type": "Site", "children": {}}
}
`

const metricsDevices = devicesHeader + `c1,Circuit One,d1,Dev 1,APA,,,,10.10.0.1,,10,5,50,20,,
c2,Circuit Two,d2,Dev 2,SiteB,,,,10.10.0.2,,10,5,100,40,,
c3,Circuit Three,d3,Dev 3,SiteA,,,,10.10.1.0/24,,10,5,20,10,,
`

// promResult is the data of a Prometheus instant query.
type promResult struct {
	Status string `json:"status"`
	Error  string `json:"error"`
	Data   struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
			Value  [2]any            `json:"value"`
		} `json:"result"`
	} `json:"data"`
}

// promQuery runs PromQL through the HTTP API of the Prometheus in ns.
func promQuery(t *testing.T, ns, base, q string) promResult {
	t.Helper()
	code, body := httpGetInNS(t, ns, base+"/api/v1/query?"+url.Values{"query": {q}}.Encode())
	var r promResult
	if err := json.Unmarshal([]byte(body), &r); err != nil || (code != 200 && code != 400 && code != 422) {
		t.Fatalf("query %s: %d %s (%v)", q, code, body, err)
	}
	return r
}

// TestPrometheusScrapesLqosd: a real Prometheus (Debian package
// prometheus) scrapes a running lqosd's /metrics on its own listener with a
// bearer token; PromQL through Prometheus' HTTP API returns the series with
// the expected values, and every query of the Grafana dashboard runs.
func TestPrometheusScrapesLqosd(t *testing.T) {
	l := newLab(t)
	prom := kerneltest.Binary(t, "prometheus", "prometheus")
	if prom == "" {
		return
	}
	l.writeConfig(`[bridge]
to_internet = "lqtdA"
to_network = "lqtdB"

[metrics]
listen = "127.0.0.1:9900"
bearer_token = "scrape-secret"
per_circuit = "all"
`)
	l.write("network.json", metricsNetwork)
	l.writeDevices(metricsDevices)
	p := l.start()
	l.waitReady(p)

	waitFor(t, "the web UI and /metrics listeners", func() bool {
		s := p.stderr.String()
		return strings.Contains(s, "web UI listening") && strings.Contains(s, "serving /metrics")
	})
	if code, _ := httpGetInNS(t, l.shaper, "http://127.0.0.1:9900/metrics"); code != 401 {
		t.Fatalf("/metrics without the token: %d, want 401", code)
	}
	// The same handler on the web UI listener.
	if code, _ := httpGetInNS(t, l.shaper, "http://127.0.0.1:9123/metrics"); code != 404 {
		t.Errorf("/metrics on the web UI with its own listener set: %d, want 404", code)
	}

	dir := t.TempDir()
	conf := filepath.Join(dir, "prometheus.yml")
	os.WriteFile(conf, []byte(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: lqosd
    authorization:
      credentials: scrape-secret
    static_configs:
      - targets: ["127.0.0.1:9900"]
`), 0o644)
	cmd := exec.Command("ip", "netns", "exec", l.shaper, prom, "--config.file="+conf, "--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address=127.0.0.1:9090", "--log.level=info")
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", logs.String())
		}
	})
	base := "http://127.0.0.1:9090"
	waitFor(t, "Prometheus to listen", func() bool {
		return strings.Contains(logs.String(), "Server is ready to receive web requests")
	})

	// Traffic until Prometheus has scraped a sample with SiteA busy.
	waitFor(t, "Prometheus to scrape SiteA's traffic", func() bool {
		l.traffic("10.10.0.1", 50)
		r := promQuery(t, l.shaper, base, `max_over_time(lqos_site_throughput_bytes_per_second{site="SiteA",direction="down"}[1m]) > 0`)
		return len(r.Data.Result) == 1
	})
	// rate() in the dashboard needs two samples of the counters.
	// The queue counters come from a tc dump lqosd reuses for a few
	// seconds: wait for one taken after c1's traffic.
	waitFor(t, "two scrapes of the queue counters, with c1's packets", func() bool {
		r := promQuery(t, l.shaper, base, `count_over_time(lqos_node_queue_drops_total{tree_node="APA",direction="down"}[5m]) >= 2`)
		p := promQuery(t, l.shaper, base, `lqos_node_queue_packets_total{tree_node="APA",direction="down"} > 0`)
		return len(r.Data.Result) == 1 && len(p.Data.Result) == 1
	})
	dp, err := l.client().DataPath(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		want  string // value; "" = any
		label map[string]string
	}{
		{`up{job="lqosd"}`, "1", nil},
		{`lqos_circuit_queues`, "3", map[string]string{"node_name": "lab"}},
		{`lqos_mapped_ip_prefixes`, "3", nil},
		{`lqos_site_active_circuits{site="SiteA"}`, "1", map[string]string{"node_name": "lab"}},
		{`max_over_time(lqos_circuit_throughput_bytes_per_second{circuit_id="c1",direction="down"}[1m]) > 0`, "", map[string]string{"site": "SiteA"}},
		{`lqos_node_queue_drops_total{tree_node="APA",direction="down"}`, "", map[string]string{"site": "SiteA"}},
		// c1's traffic went through APA's and SiteA's HTB classes.
		{`lqos_node_queue_packets_total{tree_node="APA",direction="down"} > 0`, "", map[string]string{"site": "SiteA"}},
		{`lqos_node_queue_bytes_total{tree_node="SiteA",direction="down"} > 0`, "", map[string]string{"site": "SiteA"}},
		{`lqos_build_info`, "1", nil},
		{`lqos_datapath_attached_interfaces`, "2", nil},
		{`count(lqos_cpu_load_ratio) > 0`, "", nil},
	}
	for _, tc := range tests {
		r := promQuery(t, l.shaper, base, tc.query)
		if r.Status != "success" || len(r.Data.Result) != 1 {
			t.Errorf("%s: %+v", tc.query, r)
			continue
		}
		got := r.Data.Result[0]
		if tc.want != "" && got.Value[1] != tc.want {
			t.Errorf("%s = %v, want %s", tc.query, got.Value[1], tc.want)
		}
		for k, v := range tc.label {
			if got.Metric[k] != v {
				t.Errorf("%s: label %s=%q, want %q", tc.query, k, got.Metric[k], v)
			}
		}
	}
	// The mode label agrees with what lqosd reports on the bus.
	modes := map[string]string{"tc-lookup": "TC lookup", "xdp+tc-metadata": "XDP+TC metadata"}
	r := promQuery(t, l.shaper, base, `lqos_datapath_mode_info`)
	if len(r.Data.Result) != 1 || !strings.HasPrefix(dp.Classification, modes[r.Data.Result[0].Metric["classification"]]) {
		t.Errorf("lqos_datapath_mode_info %+v, bus says %q", r.Data.Result, dp.Classification)
	}

	t.Run("Grafana dashboard queries", func(t *testing.T) {
		checkDashboards(t, func(q string) promResult { return promQuery(t, l.shaper, base, q) })
	})

	t.Run("on the web UI listener", func(t *testing.T) {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p.exit(t); code != 0 {
			t.Fatalf("lqosd exit %d", code)
		}
		l.writeConfig("[bridge]\nto_internet = \"lqtdA\"\nto_network = \"lqtdB\"\n")
		p := l.start()
		l.waitReady(p)
		waitFor(t, "the web UI listener", func() bool { return strings.Contains(p.stderr.String(), "web UI listening") })
		code, body := httpGetInNS(t, l.shaper, "http://127.0.0.1:9123/metrics")
		if code != 200 || !strings.Contains(body, `lqos_circuit_queues{node_name="lab"} 3`) {
			t.Fatalf("/metrics on the web UI: %d\n%.400s", code, body)
		}
		// A real lqosd's scrape follows Prometheus' naming rules.
		if promtool := kerneltest.Binary(t, "promtool", "prometheus"); promtool != "" {
			cmd := exec.Command(promtool, "check", "metrics")
			cmd.Stdin = strings.NewReader(body)
			if out, err := cmd.CombinedOutput(); err != nil || len(strings.TrimSpace(string(out))) > 0 {
				t.Errorf("promtool check metrics on lqosd's scrape: %v\n%s", err, out)
			}
		}
	})
}

// mayBeEmpty are dashboard queries the lab cannot fill, and why.
var mayBeEmpty = map[string]string{
	"TCP RTT p50 / p90 / p99":            "the lab sends UDP only, so no flow has an RTT sample",
	"Site TCP RTT p90":                   "the lab sends UDP only, so no flow has an RTT sample",
	"Since the scheduler's last success": "no lqos_scheduler runs in the lab",
}

// checkDashboards runs every query of deploy/grafana/*.json (panel targets
// and template variables, with the variables at their "All" value): each
// must be valid PromQL and, unless listed in mayBeEmpty, return series.
func checkDashboards(t *testing.T, query func(string) promResult) {
	files, _ := filepath.Glob("../../deploy/grafana/*.json")
	if len(files) == 0 {
		t.Fatal("no dashboards under deploy/grafana")
	}
	vars := regexp.MustCompile(`\$\{?[a-z_]+\}?`)
	labelValues := regexp.MustCompile(`^label_values\((.+), *([a-z_]+)\)$`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d struct {
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
			Templating struct {
				List []struct {
					Name  string `json:"name"`
					Query struct {
						Query string `json:"query"`
					} `json:"query"`
				} `json:"list"`
			} `json:"templating"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		type q struct{ title, expr string }
		var qs []q
		for _, v := range d.Templating.List {
			m := labelValues.FindStringSubmatch(v.Query.Query)
			if m == nil {
				t.Errorf("%s: variable %s: query %q is not label_values(metric, label)", f, v.Name, v.Query.Query)
				continue
			}
			qs = append(qs, q{"variable " + v.Name, m[1]})
		}
		n := 0
		for _, p := range d.Panels {
			for _, tg := range p.Targets {
				n++
				qs = append(qs, q{p.Title, vars.ReplaceAllString(tg.Expr, ".+")})
			}
		}
		if n == 0 {
			t.Errorf("%s: no panel queries", f)
		}
		for _, x := range qs {
			r := query(x.expr)
			if r.Status != "success" {
				t.Errorf("%s: %q: %s: %s", f, x.title, x.expr, r.Error)
				continue
			}
			if len(r.Data.Result) == 0 && mayBeEmpty[x.title] == "" {
				t.Errorf("%s: %q: %s returned no series", f, x.title, x.expr)
			}
		}
	}
}

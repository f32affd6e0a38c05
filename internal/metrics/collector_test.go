package metrics

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/kerneltest"
)

func scrape(t *testing.T, h http.Handler, token string) (int, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestScrapeSeries(t *testing.T) {
	src := newTestSource(t, 3, 2)
	want := []string{
		`lqos_build_info{goversion="`, // value 1, version label checked below
		`lqos_throughput_bytes_per_second{direction="down",node_name="edge-1",traffic="shaped"} 6000`,
		`lqos_throughput_bytes_per_second{direction="up",node_name="edge-1",traffic="shaped"} 600`,
		`lqos_throughput_bytes_per_second{direction="down",node_name="edge-1",traffic="unshaped"} 4000`,
		`lqos_throughput_bytes_per_second{direction="down",node_name="edge-1",traffic="all"} 10000`,
		`lqos_hosts{node_name="edge-1",traffic="all"} 4`,
		`lqos_unknown_ips{node_name="edge-1"} 1`,
		// c0 and c2 are under site-0, c1 under site-1.
		`lqos_site_throughput_bytes_per_second{direction="down",node_name="edge-1",site="site-0"} 4000`,
		`lqos_site_throughput_bytes_per_second{direction="down",node_name="edge-1",site="site-1"} 2000`,
		`lqos_site_active_circuits{node_name="edge-1",site="site-0"} 2`,
		`lqos_node_queue_drops_total{direction="down",node_name="edge-1",site="site-0",tree_node="site-0"} 7`,
		`lqos_node_queue_ecn_marks_total{direction="down",node_name="edge-1",site="site-0",tree_node="site-0"} 4`,
		`lqos_node_queue_overlimits_total{direction="up",node_name="edge-1",site="site-0",tree_node="site-0"} 10`,
		`lqos_node_queue_bytes_total{direction="down",node_name="edge-1",site="site-0",tree_node="site-0"} 9000`,
		`lqos_node_queue_packets_total{direction="up",node_name="edge-1",site="site-0",tree_node="site-0"} 3`,
		`lqos_tcp_rtt_seconds{node_name="edge-1",quantile="0.5"} 0.03`,
		`lqos_tcp_rtt_seconds_count{node_name="edge-1"} 3`,
		`lqos_site_tcp_rtt_seconds{node_name="edge-1",site="site-0",quantile="0.5"} 0.04`,
		`lqos_site_tcp_rtt_seconds_count{node_name="edge-1",site="site-0"} 2`,
		`lqos_tcp_retransmits_live_flows{direction="down",node_name="edge-1"} 5`,
		`lqos_cpu_load_ratio{cpu="1",node_name="edge-1"} 0.5`,
		`lqos_circuit_queues{node_name="edge-1"} 3`,
		`lqos_urgent_issues{node_name="edge-1",severity="error"} 1`,
		`lqos_urgent_issues{node_name="edge-1",severity="warning"} 2`,
		`lqos_scheduler_available{node_name="edge-1"} 1`,
		`lqos_scheduler_last_success_timestamp_seconds{node_name="edge-1"} 1.7e+09`,
		`lqos_scheduler_last_run_failed{node_name="edge-1"} 0`,
		`lqos_datapath_mode_info{classification="tc-lookup",cpu_redirect="true",node_name="edge-1"} 1`,
		`lqos_datapath_degraded_features{node_name="edge-1"} 1`,
		`lqos_metrics_source_errors{node_name="edge-1",part="flows"} 0`,
	}
	tests := []struct {
		mode     string
		top      int
		circuits []string // circuit_ids with series
		omitted  string
	}{
		{config.PerCircuitOff, 0, nil, "3"},
		{config.PerCircuitTop, 2, []string{"c2", "c1"}, "1"},
		{config.PerCircuitAll, 0, []string{"c0", "c1", "c2"}, "0"},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			c := NewCollector(src, Options{NodeName: "edge-1", Version: "v9.9", PerCircuit: tc.mode, PerCircuitTop: tc.top})
			code, body := scrape(t, Handler(Registry(c), "", nil), "")
			if code != 200 {
				t.Fatalf("status %d: %s", code, body)
			}
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("missing %s", w)
				}
			}
			if !strings.Contains(body, `version="v9.9"`) {
				t.Error("lqos_build_info lacks the version")
			}
			got := strings.Count(body, "lqos_circuit_throughput_bytes_per_second{") / 2
			if got != len(tc.circuits) {
				t.Errorf("%d circuits exported, want %d", got, len(tc.circuits))
			}
			for _, id := range tc.circuits {
				if !strings.Contains(body, `circuit_id="`+id+`"`) {
					t.Errorf("circuit %s not exported", id)
				}
			}
			if w := `lqos_metrics_circuits_omitted{node_name="edge-1"} ` + tc.omitted; !strings.Contains(body, w) {
				t.Errorf("missing %s", w)
			}
			for _, line := range strings.Split(body, "\n") {
				if strings.HasPrefix(line, "lqos_") && !strings.Contains(line, `node_name="edge-1"`) {
					t.Errorf("series without the node_name label: %s", line)
				}
			}
			promtoolCheck(t, body)
		})
	}
}

// promtoolCheck runs `promtool check metrics` (Debian package prometheus)
// on a scrape: names, types, units and help texts by Prometheus' rules.
func promtoolCheck(t *testing.T, body string) {
	t.Helper()
	bin := kerneltest.Binary(t, "promtool", "prometheus")
	if bin == "" {
		return
	}
	cmd := exec.Command(bin, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil || strings.TrimSpace(out.String()) != "" {
		t.Errorf("promtool check metrics: %v\n%s", err, out.String())
	}
}

func TestBearerToken(t *testing.T) {
	c := NewCollector(newTestSource(t, 1, 1), Options{NodeName: "n"})
	h := Handler(Registry(c), "s3cret", nil)
	tests := []struct {
		token string
		code  int
	}{
		{"", http.StatusUnauthorized},
		{"wrong", http.StatusUnauthorized},
		{"s3cret", http.StatusOK},
	}
	for _, tc := range tests {
		if code, body := scrape(t, h, tc.token); code != tc.code {
			t.Errorf("token %q: status %d, want %d (%s)", tc.token, code, tc.code, body)
		}
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Post(srv.URL, "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", resp.StatusCode)
	}
}

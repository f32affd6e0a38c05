package demolab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/testwait"
)

// TestTwoShapers runs the demo with two shapers sharing the fake CRM: every
// subscriber is mapped on exactly one of them, each serves /metrics with its
// node_name, and a real Prometheus scraping both sums the fleet.
func TestTwoShapers(t *testing.T) {
	kerneltest.RequireRoot(t)
	if testing.Short() {
		t.Skip("the demo lab takes a minute")
	}
	prom := kerneltest.Binary(t, "prometheus", "prometheus")
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
	ready := func(ctx context.Context, r *Running) error {
		checked = true
		owner := map[netip.Prefix]string{}
		for _, s := range []struct{ name, bus string }{{Shaper1Name, r.BusPath}, {Shaper2Name, r.Shaper2.BusPath}} {
			c, err := bus.Dial(ctx, s.bus)
			if err != nil {
				t.Errorf("%s bus: %v", s.name, err)
				continue
			}
			list, err := c.ListIPs(ctx, 0, 10000)
			c.Close()
			if err != nil {
				t.Errorf("%s mappings: %v", s.name, err)
				continue
			}
			for _, m := range list.Mappings {
				if o, dup := owner[m.Prefix]; dup {
					t.Errorf("%s is mapped on both %s and %s", m.Prefix, o, s.name)
				}
				owner[m.Prefix] = s.name
			}
		}
		if len(owner) != len(r.ISP.Subscribers) {
			t.Errorf("%d addresses mapped over both shapers, want %d", len(owner), len(r.ISP.Subscribers))
		}
		for i, u := range r.MetricsURLs {
			name := []string{Shaper1Name, Shaper2Name}[i]
			resp, err := http.Get(u)
			if err != nil {
				t.Errorf("%s: %v", u, err)
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if want := `lqos_build_info{goversion=`; !bytes.Contains(body, []byte(want)) || !bytes.Contains(body, []byte(`node_name="`+name+`"`)) {
				t.Errorf("%s lacks lqos_build_info with node_name %q", u, name)
			}
		}
		if prom != "" {
			checkFleetPrometheus(t, prom, r, len(owner))
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	var out bytes.Buffer
	err = Run(ctx, Options{BinDir: bin, Circuits: 200, Listen: listen, Shapers: 2, Ready: ready}, &out)
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
	for _, p := range []string{PinDirName, PinDirName2} {
		if _, err := os.Stat(filepath.Join("/sys/fs/bpf", p)); !os.IsNotExist(err) {
			t.Errorf("pinned maps %s left behind: %v", p, err)
		}
	}
}

// checkFleetPrometheus scrapes both shapers with a real Prometheus and
// checks that summing over node_name gives the whole network.
func checkFleetPrometheus(t *testing.T, prom string, r *Running, mapped int) {
	dir := t.TempDir()
	var targets []string
	for _, u := range r.MetricsURLs {
		pu, _ := url.Parse(u)
		targets = append(targets, fmt.Sprintf("%q", pu.Host))
	}
	conf := filepath.Join(dir, "prometheus.yml")
	os.WriteFile(conf, []byte(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: lqosd
    static_configs:
      - targets: [`+strings.Join(targets, ", ")+`]
`), 0o644)
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(prom, "--config.file="+conf, "--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr, "--log.level=warn")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", logs.String())
		}
	}()
	query := func(q string) (map[string]string, string, bool) {
		resp, err := http.Get("http://" + addr + "/api/v1/query?" + url.Values{"query": {q}}.Encode())
		if err != nil {
			return nil, "", false
		}
		defer resp.Body.Close()
		var res struct {
			Data struct {
				Result []struct {
					Metric map[string]string `json:"metric"`
					Value  [2]any            `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if json.NewDecoder(resp.Body).Decode(&res) != nil || len(res.Data.Result) != 1 {
			return nil, "", false
		}
		v, _ := res.Data.Result[0].Value[1].(string)
		return res.Data.Result[0].Metric, v, true
	}
	// Both targets up (bounded wait for the first scrapes).
	if !testwait.Poll(t, func() bool { _, v, ok := query(`count(up == 1)`); return ok && v == "2" }) {
		t.Errorf("Prometheus never saw both shapers up")
		return
	}
	if _, v, ok := query(`count(count by (node_name) (lqos_build_info))`); !ok || v != "2" {
		t.Errorf("node_name values: %q, want 2", v)
	}
	if _, v, ok := query(`sum(lqos_mapped_ip_prefixes)`); !ok || v != fmt.Sprint(mapped) {
		t.Errorf("sum over the fleet of lqos_mapped_ip_prefixes = %q, want %d", v, mapped)
	}
	if _, v, ok := query(`sum(lqos_circuit_queues)`); !ok || v != fmt.Sprint(len(r.ISP.Subscribers)) {
		t.Errorf("sum over the fleet of lqos_circuit_queues = %q, want %d", v, len(r.ISP.Subscribers))
	}
}

package splynx

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
)

const (
	apiKey    = "splynx-key-abc"
	apiSecret = "splynx-SECRET-xyz"
)

var files = map[string]string{
	"/api/2.0/" + epTariffs:                                 "tariffs.json",
	"/api/2.0/" + epCustomers:                               "customers.json",
	"/api/2.0/" + epOnline:                                  "online.json",
	"/api/2.0/admin/customers/customer/0/internet-services": "services.json",
	"/api/2.0/" + epRouters:                                 "routers.json",
	"/api/2.0/" + epSectors:                                 "sectors.json",
	"/api/2.0/" + epMonitoring:                              "monitoring.json",
	"/api/2.0/" + epSites:                                   "network-sites.json",
}

type fake struct {
	mu        sync.Mutex
	hits      map[string]int
	overrides map[string]func(w http.ResponseWriter, r *http.Request, n int)
}

func newFake(t *testing.T) (*fake, *httptest.Server) {
	f := &fake{hits: map[string]int{}, overrides: map[string]func(http.ResponseWriter, *http.Request, int){}}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(apiKey+":"+apiSecret))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != want {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":{"message":"Unauthorized","code":401,"internal_code":"` + r.Header.Get("Authorization") + `"}}`))
			return
		}
		f.mu.Lock()
		f.hits[r.URL.Path]++
		n := f.hits[r.URL.Path]
		o := f.overrides[r.URL.Path]
		f.mu.Unlock()
		if r.URL.Path == "/api/2.0/admin/customers/customer/0/internet-services" && r.URL.Query().Get("main_attributes[status]") != "active" {
			t.Errorf("services requested without the active filter: %s", r.URL.RawQuery)
		}
		if o != nil {
			o(w, r, n)
			return
		}
		name, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Error(err)
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func cfgFor(url, mode string) *config.Config {
	c := integtest.Config()
	c.Splynx = config.Splynx{Enable: true, APIKey: apiKey, APISecret: apiSecret, URL: url + "/", Strategy: "ap_site"}
	c.Topology.CompileMode = mode
	c.UISP.BandwidthOverheadFactor = 1.15
	return c
}

var fast = Integration{Timeout: 2 * time.Second, Backoff: func(int) time.Duration { return time.Millisecond }}

func TestImportGolden(t *testing.T) {
	for _, mode := range []string{"flat", "ap_only", "ap_site", "full"} {
		t.Run(mode, func(t *testing.T) {
			f, srv := newFake(t)
			res, err := fast.Import(context.Background(), cfgFor(srv.URL, mode))
			if err != nil {
				t.Fatal(err)
			}
			integtest.CheckOutputs(t, res)
			integtest.Golden(t, mode+".network.json", res.NetworkJSON())
			integtest.Golden(t, mode+".ShapedDevices.csv", res.ShapedDevicesCSV())
			if mode == "flat" && f.hits["/api/2.0/"+epMonitoring] != 0 {
				t.Error("flat mode fetched infrastructure")
			}
		})
	}
}

func TestAcceptance(t *testing.T) {
	_, srv := newFake(t)
	imp := func(mode string, edit func(*config.Config)) *graph.Result {
		cfg := cfgFor(srv.URL, mode)
		if edit != nil {
			edit(cfg)
		}
		res, err := fast.Import(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := imp("ap_site", nil)
	_, f := integtest.CheckOutputs(t, res)
	// 37 (fixed): a blocked customer is shaped at the block rate, not at full speed.
	if c := integtest.Row(t, f, "501"); c.DownloadMax != graph.BlockMbps || c.UploadMin != graph.BlockMbps {
		t.Errorf("blocked customer: %+v", c)
	}
	if res.Summary.SuspendedBlocked != 1 {
		t.Errorf("SuspendedBlocked = %d", res.Summary.SuspendedBlocked)
	}
	// 37: a service with status blocked has no circuit.
	if f.Circuit("505") != nil {
		t.Error("blocked service shaped")
	}
	// 38: burst raises download only: 92/11.5 max, 90.16/11.27 min.
	if c := integtest.Row(t, f, "502"); c.DownloadMax != 92 || c.UploadMax != 11.5 || c.DownloadMin != 90.16 || c.UploadMin != 11.27 {
		t.Errorf("burst: %+v", c)
	}
	// 39: duplicate route dropped from the second service; online session used.
	c502 := integtest.Row(t, f, "502")
	if got := len(c502.Devices[0].IPv4); got != 2 || c502.Devices[0].IPv4[1].String() != "100.64.30.0/29" || c502.Devices[0].IPv6[0].String() != "2001:db8:1::/56" {
		t.Errorf("502 addresses: %+v", c502.Devices[0])
	}
	if !strings.Contains(strings.Join(res.Summary.Problems, "\n"), `100.64.20.1/32 is already used by circuit "501"`) {
		t.Errorf("duplicate not reported: %v", res.Summary.Problems)
	}
	if c := integtest.Row(t, f, "503"); c.Devices[0].IPv4[0].String() != "100.64.20.3/32" || c.ParentNodeID != "splynx:ap:11" {
		t.Errorf("online fallback: %+v", c.Devices[0])
	}
	// Static IPv4 plus a session IPv6: supplemented.
	if c := integtest.Row(t, f, "504"); len(c.Devices[0].IPv6) != 1 || len(c.Devices[0].IPv4) != 1 {
		t.Errorf("504: %+v", c.Devices[0])
	}
	// 40: ap_site parent and site.
	if c := integtest.Row(t, f, "501"); c.ParentNode != "Tower North Uplink_North Sector 1" || c.ParentNodeID != "splynx:ap:11" {
		t.Errorf("ap_site parent: %q %q", c.ParentNode, c.ParentNodeID)
	}
	if n := res.Network.Roots[0]; n.ID != "splynx:network_site:1" || n.Name != "North Tower" || n.Latitude == nil || *n.Latitude != 40.1 {
		t.Errorf("ap_site site: %+v", n)
	}
	// Router 1 is not a monitoring id: unparented.
	if c := integtest.Row(t, f, "502"); c.ParentNode != "" || c.ParentNodeID != "" {
		t.Errorf("502 parent %q", c.ParentNode)
	}
	// Router 2 → its first sector (12) which is an AP.
	if c := integtest.Row(t, f, "504"); c.ParentNodeID != "splynx:ap:12" || c.Name != "Dan   O'Brien" {
		t.Errorf("504 parent/name: %q %q", c.ParentNodeID, c.Name)
	}
	// Unknown tariff: skipped and reported.
	if f.Circuit("506") != nil || !strings.Contains(strings.Join(res.Summary.Problems, "\n"), `tariff "404" not found`) {
		t.Error("unknown tariff not reported")
	}
	// 40 full: same AP under the monitoring site.
	res = imp("full", nil)
	_, f = integtest.CheckOutputs(t, res)
	if n := res.Network.Find("Tower North Uplink"); n == nil || n.ID != "splynx:site:10" || len(n.Children) != 1 || n.Children[0].ID != "splynx:ap:11" {
		t.Errorf("full tree:\n%s", res.NetworkJSON())
	}
	// Suspended strategy set explicitly: honoured for blocked customers.
	res = imp("ap_site", func(c *config.Config) { c.UISP.SuspendedStrategy = "slow" })
	_, f = integtest.CheckOutputs(t, res)
	if c := integtest.Row(t, f, "501"); c.DownloadMax != graph.DefaultSlowMbps {
		t.Errorf("slow: %+v", c)
	}
	res = imp("ap_site", func(c *config.Config) { c.UISP.SuspendedStrategy = "ignore" })
	_, f = integtest.CheckOutputs(t, res)
	if f.Circuit("501") != nil {
		t.Error("ignore kept the blocked customer")
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name    string
		path    string
		handler func(w http.ResponseWriter, r *http.Request, n int)
		secret  string
		want    string
		hits    int
	}{
		{"wrong secret", "", nil, "wrong-secret-value", "HTTP 401", 0},
		{"tariffs 500 thrice", "/api/2.0/" + epTariffs, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(500) }, apiSecret, "splynx: admin/tariffs/internet: HTTP 500", 3},
		{"customers 503 once", "/api/2.0/" + epCustomers, func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				w.WriteHeader(503)
				return
			}
			w.Write([]byte(`[]`))
		}, apiSecret, "", 2},
		{"customers forbidden", "/api/2.0/" + epCustomers, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(403) }, apiSecret, "admin/customers/customer: HTTP 403", 1},
		{"malformed", "/api/2.0/" + epMonitoring, func(w http.ResponseWriter, r *http.Request, n int) { w.Write([]byte(`[{"id":"10","title":`)) }, apiSecret, "admin/networking/monitoring: malformed JSON", 1},
		{"bad field", "/api/2.0/" + epTariffs, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Write([]byte(`[{"id":"7","speed_download":"fast"}]`))
		}, apiSecret, `admin/tariffs/internet: field "speed_download"`, 1},
		{"html login page", "/api/2.0/" + epOnline, func(w http.ResponseWriter, r *http.Request, n int) {
			w.Write([]byte("<!DOCTYPE html><html>login</html>"))
		}, apiSecret, "reply is HTML", 1},
		{"slow", "/api/2.0/" + epRouters, func(w http.ResponseWriter, r *http.Request, n int) { <-r.Context().Done() }, apiSecret, "no reply within", 3},
		{"network sites missing", "/api/2.0/" + epSites, func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(404) }, apiSecret, "", 1},
		{"network sites object", "/api/2.0/" + epSites, func(w http.ResponseWriter, r *http.Request, n int) { w.Write([]byte(`{"error":"no"}`)) }, apiSecret, "", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFake(t)
			if tc.handler != nil {
				f.overrides[tc.path] = tc.handler
			}
			cfg := cfgFor(srv.URL, "ap_site")
			cfg.Splynx.APISecret = tc.secret
			in := fast
			in.Timeout = 5 * time.Second
			if strings.HasPrefix(tc.name, "slow") {
				in.Timeout = 200 * time.Millisecond
			}
			res, err := in.Import(context.Background(), cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				integtest.CheckOutputs(t, res)
			} else {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error = %v, want %q", err, tc.want)
				}
				enc := base64.StdEncoding.EncodeToString([]byte(apiKey + ":" + tc.secret))
				for _, s := range []string{tc.secret, enc} {
					if strings.Contains(err.Error(), s) {
						t.Fatalf("secret in error: %v", err)
					}
				}
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if tc.path != "" && f.hits[tc.path] != tc.hits {
				t.Errorf("hits on %s = %d, want %d", tc.path, f.hits[tc.path], tc.hits)
			}
		})
	}
}

func TestBaseURLAndMode(t *testing.T) {
	for in, want := range map[string]string{
		"https://splynx.example.com/":      "https://splynx.example.com/api/2.0/",
		" splynx.example.com ":             "https://splynx.example.com/api/2.0/",
		"http://10.0.0.5/api/2.0/":         "http://10.0.0.5/api/2.0/",
		"https://x.example/splynx/api/2.0": "https://x.example/splynx/api/2.0/",
	} {
		if got, err := BaseURL(in); err != nil || got != want {
			t.Errorf("BaseURL(%q) = %q, %v", in, got, err)
		}
	}
	cfg := integtest.Config()
	cfg.Splynx.Strategy = ""
	if m, _ := ResolveMode(cfg); m != "ap_site" {
		t.Errorf("default mode %s", m)
	}
	cfg.Splynx.Strategy = "full"
	if m, _ := ResolveMode(cfg); m != "full" {
		t.Errorf("legacy strategy %s", m)
	}
	cfg.Topology.CompileMode = "flat"
	if m, _ := ResolveMode(cfg); m != "flat" {
		t.Errorf("compile_mode wins: %s", m)
	}
	cfg.Topology.CompileMode = ""
	cfg.Splynx.Strategy = "tree"
	if _, err := ResolveMode(cfg); err == nil || !strings.Contains(err.Error(), "splynx_integration.strategy") {
		t.Errorf("bad strategy: %v", err)
	}
}

// Upstream suffixes every node of a repeated name with " (<id>)" and looks
// site speed overrides up by the exported name, then the name before the
// suffix, then that name as Splynx wrote it (untrimmed), so existing
// lqos_overrides.json entries keep working.
func TestDuplicateNamesAndSiteOverrides(t *testing.T) {
	f, srv := newFake(t)
	f.overrides["/api/2.0/"+epMonitoring] = func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Write([]byte(`[{"id":"20","title":"Tower","parent_id":"0","access_device":"0"},
		 {"id":"21","title":"Tower","parent_id":"0","access_device":"0"},
		 {"id":"22","title":"Tower","parent_id":"0","access_device":"0"},
		 {"id":"23","title":"  Ridge  Top ","parent_id":"0","access_device":"0"},
		 {"id":"24","title":"Hill","parent_id":"0","access_device":"0"}]`))
	}
	cfg := cfgFor(srv.URL, "full")
	cfg.LqosDirectory = t.TempDir()
	os.WriteFile(filepath.Join(cfg.LqosDirectory, "lqos_overrides.json"), []byte(`{"network_adjustments": [
	  {"type": "adjust_site_speed", "site_name": "Tower", "download_bandwidth_mbps": 300, "upload_bandwidth_mbps": 100},
	  {"type": "adjust_site_speed", "site_name": "Tower (21)", "download_bandwidth_mbps": 50, "upload_bandwidth_mbps": 40},
	  {"type": "adjust_site_speed", "site_name": "  Ridge  Top ", "download_bandwidth_mbps": 70, "upload_bandwidth_mbps": 30}]}`), 0o644)
	res, err := fast.Import(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		down, up float64
	}{
		{"Tower (20)", 300, 100}, // by the name before the suffix
		{"Tower (21)", 50, 40},   // by the exported name first
		{"Tower (22)", 300, 100},
		{"Ridge Top", 70, 30}, // by the untrimmed original
	}
	for _, tc := range tests {
		n := res.Network.Find(tc.name)
		if n == nil {
			t.Errorf("no node %q in:\n%s", tc.name, res.NetworkJSON())
			continue
		}
		if n.DownloadMbps != tc.down || n.UploadMbps != tc.up {
			t.Errorf("%s rates %v/%v, want %v/%v", tc.name, n.DownloadMbps, n.UploadMbps, tc.down, tc.up)
		}
	}
	for _, plain := range []string{"Tower", "Hill (24)"} {
		if res.Network.Find(plain) != nil {
			t.Errorf("node %q exported: only repeated names get the suffix, and all of them do", plain)
		}
	}
	if res.Network.Find("Hill") == nil {
		t.Error("unique name Hill lost")
	}
}

package uisp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
)

const token = "uisp-TOKEN-0123456789"

type fake struct {
	mu        sync.Mutex
	hits      map[string]int
	overrides map[string]func(w http.ResponseWriter, r *http.Request, n int)
	bodies    map[string][]byte
}

func newFake(t *testing.T) (*fake, *httptest.Server) {
	f := &fake{hits: map[string]int{}, overrides: map[string]func(http.ResponseWriter, *http.Request, int){}, bodies: map[string][]byte{}}
	for ep, file := range map[string]string{"sites": "sites.json", "devices": "devices.json", "data-links": "data-links.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		f.bodies[ep] = b
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Auth-Token") != token {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"statusCode":401,"error":"Unauthorized","message":"bad token ` + r.Header.Get("X-Auth-Token") + `"}`))
			return
		}
		ep := strings.TrimPrefix(r.URL.Path, "/nms/api/v2.1/")
		if ep == "devices" && r.URL.Query().Get("withInterfaces") != "true" {
			t.Errorf("devices without interfaces requested")
		}
		f.mu.Lock()
		f.hits[ep]++
		n, o, body := f.hits[ep], f.overrides[ep], f.bodies[ep]
		f.mu.Unlock()
		if o != nil {
			o(w, r, n)
			return
		}
		if body == nil {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return f, srv
}

func cfgFor(url, mode string) *config.Config {
	c := integtest.Config()
	c.UISP.Enable = true
	c.UISP.Token = token
	c.UISP.URL = url + "/"
	c.UISP.Site = "Core"
	c.UISP.BandwidthOverheadFactor = 1.15
	c.UISP.CommitBandwidthMultiplier = 0.98
	c.UISP.SuspendedStrategy = "slow"
	c.Topology.CompileMode = mode
	c.Queues.UplinkBandwidthMbps, c.Queues.DownlinkBandwidthMbps = 10000, 10000
	return c
}

var fast = Integration{Timeout: 2 * time.Second, Backoff: func(int) time.Duration { return time.Millisecond }}

func run(t *testing.T, cfg *config.Config) (*graph.Result, *devices.File) {
	t.Helper()
	res, err := fast.Import(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, f := integtest.CheckOutputs(t, res)
	return res, f
}

func TestImportGolden(t *testing.T) {
	for _, mode := range []string{"flat", "ap_only", "ap_site", "full"} {
		t.Run(mode, func(t *testing.T) {
			_, srv := newFake(t)
			res, _ := run(t, cfgFor(srv.URL, mode))
			integtest.Golden(t, mode+".network.json", res.NetworkJSON())
			integtest.Golden(t, mode+".ShapedDevices.csv", res.ShapedDevicesCSV())
		})
	}
}

func TestFullTreeAndCircuits(t *testing.T) {
	_, srv := newFake(t)
	res, f := run(t, cfgFor(srv.URL, "full"))
	var paths []string
	for _, n := range res.Network.Nodes() {
		paths = append(paths, n.Path())
	}
	want := []string{"bh-core", "bh-core > bh-towera", "bh-core > bh-towera > Tower A", "bh-core > bh-towera > Tower A > TowerA-AP1", "Tower B", "Tower B > TowerB-AP"}
	if strings.Join(paths, "|") != strings.Join(want, "|") {
		t.Errorf("tree = %v\nwant %v", paths, want)
	}
	if n := res.Network.Find("Tower A"); n.DownloadMbps != 500 || n.ID != "uisp:site:s-twra" {
		t.Errorf("Tower A = %+v", n)
	}
	if n := res.Network.Find("TowerA-AP1"); n.DownloadMbps != 180 || n.UploadMbps != 60 {
		t.Errorf("AP1 = %v/%v", n.DownloadMbps, n.UploadMbps)
	}
	// 42: 100/20 Mbps plan, overhead 1.15, commit 0.98 → 98/19.6/115/23.
	jane := integtest.Row(t, f, "s-jane")
	if jane.Name != "Jane Doe" || jane.ParentNode != "TowerA-AP1" || jane.ParentNodeID != "uisp:device:d-ap1" ||
		jane.DownloadMin != 98 || jane.UploadMin != 19.6 || jane.DownloadMax != 115 || jane.UploadMax != 23 {
		t.Errorf("jane = %+v", jane)
	}
	// 45: ipAddress /24 → host; IPv6 host CIDR flattened; link-local dropped.
	if d := jane.Devices[0]; len(d.IPv4) != 1 || d.IPv4[0].String() != "100.64.10.5/32" || len(d.IPv6) != 1 || d.IPv6[0].String() != "2001:db8:10::5/128" {
		t.Errorf("jane IPs = %v %v", d.IPv4, d.IPv6)
	}
	// 43: 100-full port on a 200/50 plan → max 94/57.5 capped... upload plan below the cap stays.
	p1 := integtest.Row(t, f, "s-path1-aaaaaaaa")
	if p1.DownloadMax != 94 || p1.DownloadMin > p1.DownloadMax || p1.UploadMax != 57.5 {
		t.Errorf("path1 = %+v", p1)
	}
	// 44: duplicate names get the address; "Rubio, Jorge" reordered; "Acme, LLC" kept.
	if p1.Name != "Pathway Communications (7100 Binational Way)" {
		t.Errorf("path1 name %q", p1.Name)
	}
	p2 := integtest.Row(t, f, "s-path2-bbbbbbbb")
	if p2.Name != "Pathway Communications (175 Lindburgh Dr)" {
		t.Errorf("path2 name %q", p2.Name)
	}
	if c := integtest.Row(t, f, "s-rubio"); c.Name != "Jorge Rubio" {
		t.Errorf("rubio %q", c.Name)
	}
	acme := integtest.Row(t, f, "s-acme")
	if acme.Name != "Acme, LLC" || acme.ParentNode != "TowerB-AP" || len(acme.Devices) != 1 {
		t.Errorf("acme = %+v (public 203.0.113.7 is outside allow_subnets)", acme)
	}
	// No QoS: generated_pn × overhead.
	if acme.DownloadMax != 1150 {
		t.Errorf("acme max %v", acme.DownloadMax)
	}
	// 42: suspended with slow.
	if p2.DownloadMax != graph.DefaultSlowMbps || p2.UploadMin != graph.DefaultSlowMbps {
		t.Errorf("suspended slow = %+v", p2)
	}
	// Link found via data link (no apDevice); interface /29 with host bits → /32; network /29 kept.
	if p2.ParentNode != "TowerA-AP1" || len(p2.Devices) != 2 || p2.Devices[1].IPv4[0].String() != "100.64.6.1/32" || p2.Devices[1].IPv4[1].String() != "100.64.7.0/29" {
		t.Errorf("path2 = %+v %+v", p2, p2.Devices)
	}
	// 46 (fixed): a client without AP is kept under its UISP parent site and reported.
	lonely := integtest.Row(t, f, "s-nolink")
	if lonely.ParentNode != "Tower B" || len(lonely.Devices) != 1 || lonely.Devices[0].IPv4[0].String() != "100.64.13.1/32" {
		t.Errorf("lonely = %+v", lonely)
	}
	probs := strings.Join(res.Summary.Problems, "\n")
	for _, w := range []string{`client site "Lonely Client": no access point found`, `unknown type "gateway"`, "1 duplicate site rows", "1 duplicate device rows", "capped to 94 Mbps by its 100 Mbps Ethernet port"} {
		if !strings.Contains(probs, w) {
			t.Errorf("problems lack %q:\n%s", w, probs)
		}
	}
}

func TestSuspendedIgnoreAndNone(t *testing.T) {
	_, srv := newFake(t)
	cfg := cfgFor(srv.URL, "full")
	cfg.UISP.SuspendedStrategy = "ignore" // fixed: upstream shaped them at full speed
	_, f := run(t, cfg)
	if f.Circuit("s-path2-bbbbbbbb") != nil {
		t.Error("ignore kept the suspended site")
	}
	cfg.UISP.SuspendedStrategy = "none"
	_, f = run(t, cfg)
	// 50 Mbps plan + 1250 kB/s burst (10 Mbps) → max (50+10)×1.15 = 69, min 49.
	if c := integtest.Row(t, f, "s-path2-bbbbbbbb"); c.DownloadMax != 69 || c.DownloadMin != 49 {
		t.Errorf("none = %+v", c)
	}
}

// 41: root resolution.
func TestRoot(t *testing.T) {
	f, srv := newFake(t)
	cfg := cfgFor(srv.URL, "full")
	cfg.UISP.Site = "Old Root"
	if _, err := fast.Import(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "Root site not found: Old Root") {
		t.Fatalf("error = %v", err)
	}
	cfg.Topology.CompileMode = "ap_site"
	res, err := fast.Import(context.Background(), cfg)
	if err != nil {
		t.Fatalf("auto-detected root: %v", err)
	}
	if res.Network.Find("Core") != nil || res.Network.Find("Tower A") == nil {
		t.Errorf("auto root wrong:\n%s", res.NetworkJSON())
	}
	// Two Internet sites → generated root; Core and Tower B become top-level children.
	var links []map[string]any
	json.Unmarshal(f.bodies["data-links"], &links)
	links = append(links, map[string]any{"id": "l-inet2", "canDelete": false, "from": map[string]any{"site": map[string]any{"identification": map[string]any{"id": "s-twrb"}}}})
	b, _ := json.Marshal(links)
	f.mu.Lock()
	f.bodies["data-links"] = b
	f.mu.Unlock()
	cfg.Topology.CompileMode = "full"
	cfg.UISP.Site = ""
	res, err = fast.Import(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	integtest.CheckOutputs(t, res)
	if n := res.Network.Find("Core"); n == nil || n.Parent != nil {
		t.Errorf("INSERTED_INTERNET children wrong:\n%s", res.NetworkJSON())
	}
	if n := res.Network.Find("Tower B"); n == nil || n.Parent != nil {
		t.Errorf("Tower B should be top level under the generated root")
	}
	// No Internet link and no site → clear error.
	f.mu.Lock()
	f.bodies["data-links"] = []byte(`[]`)
	f.mu.Unlock()
	if _, err := fast.Import(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "no root site") {
		t.Errorf("error = %v", err)
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name    string
		ep      string
		handler func(w http.ResponseWriter, r *http.Request, n int)
		token   string
		want    string
		hits    int
	}{
		{"bad token", "", nil, "wrong-token-xyz", "HTTP 401", 0},
		{"sites 502 then ok", "sites", func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				w.WriteHeader(502)
				return
			}
			b, _ := os.ReadFile("testdata/sites.json")
			w.Write(b)
		}, token, "", 2},
		{"devices 500", "devices", func(w http.ResponseWriter, r *http.Request, n int) { w.WriteHeader(500) }, token, "uisp: devices?withInterfaces=true: HTTP 500", 3},
		{"links malformed", "data-links", func(w http.ResponseWriter, r *http.Request, n int) { w.Write([]byte(`[{"id":"x","canDelete":`)) }, token, "data-links: malformed JSON", 1},
		{"bad field", "sites", func(w http.ResponseWriter, r *http.Request, n int) {
			w.Write([]byte(`[{"id":"a","identification":{"name":"A","type":"site","suspended":"sometimes"}}]`))
		}, token, `sites: field "identification.suspended"`, 1},
		{"slow devices", "devices", func(w http.ResponseWriter, r *http.Request, n int) { <-r.Context().Done() }, token, "no reply within", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFake(t)
			if tc.handler != nil {
				f.overrides[tc.ep] = tc.handler
			}
			cfg := cfgFor(srv.URL, "full")
			cfg.UISP.Token = tc.token
			in := fast
			in.Timeout = 5 * time.Second
			if strings.HasPrefix(tc.name, "slow") {
				in.Timeout = 200 * time.Millisecond
			}
			res, err := in.Import(context.Background(), cfg)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				integtest.CheckOutputs(t, res)
			} else if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v, want %q", err, tc.want)
			} else if strings.Contains(err.Error(), tc.token) {
				t.Fatalf("token in error: %v", err)
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if tc.ep != "" && f.hits[tc.ep] != tc.hits {
				t.Errorf("hits on %s = %d, want %d", tc.ep, f.hits[tc.ep], tc.hits)
			}
		})
	}
}

func TestHelpers(t *testing.T) {
	for in, want := range map[string]string{
		"https://example.com/":                     "https://example.com/nms/api/v2.1",
		"https://example.com":                      "https://example.com/nms/api/v2.1",
		"https://example.com/nms/api/v2.1/devices": "https://example.com/nms/api/v2.1",
		"uisp.local//":                             "https://uisp.local/nms/api/v2.1",
	} {
		if got, err := BaseURL(in); err != nil || got != want {
			t.Errorf("BaseURL(%q) = %q %v", in, got, err)
		}
	}
	if _, err := BaseURL(" "); err == nil {
		t.Error("empty url accepted")
	}
	for in, want := range map[string]float64{"100-full": 100, "1000-half": 1000, "2.5Gbps": 2500, "10G": 10000, "auto": 0, "": 0} {
		if got := ParseSpeed(in); got != want {
			t.Errorf("ParseSpeed(%q) = %v", in, got)
		}
	}
	for in, want := range map[string]string{"Rubio, Jorge": "Jorge Rubio", "Acme, LLC": "Acme, LLC", "Smith, Inc.": "Smith, Inc.",
		"Unit 5, Bob": "Unit 5, Bob", "Plain Name": "Plain Name", "A, B, C": "A, B, C"} {
		if got := NormalizeClientName(in); got != want {
			t.Errorf("NormalizeClientName(%q) = %q", in, got)
		}
	}
}

func TestCapacity(t *testing.T) {
	st := settingsFrom(integtest.Config(), "full")
	mk := func(js string) *device {
		var d device
		if err := json.Unmarshal([]byte(js), &d); err != nil {
			t.Fatal(err)
		}
		return &d
	}
	cases := []struct {
		js       string
		airmax   float64
		down, up float64
	}{
		// Flexible framing with a live 75% dlRatio.
		{`{"identification":{"type":"airMax","role":"ap","model":"R5AC"},"overview":{"wirelessMode":"ap-ptmp","totalCapacity":200000000},"interfaces":[{"identification":{"name":"ath0"},"wireless":{"dlRatio":75}}]}`, 1, 150, 50},
		// No dlRatio, theoretical capacity set: configured 0.8 split of the larger direction.
		{`{"identification":{"type":"airMax","role":"ap"},"overview":{"wirelessMode":"ap-ptmp","downlinkCapacity":220000000,"uplinkCapacity":180000000,"theoreticalTotalCapacity":1}}`, 1, 176, 44},
		{`{"identification":{"type":"airFiber","role":"ap"},"overview":{"wirelessMode":"ap-ptp","downlinkCapacity":1617000000,"uplinkCapacity":1078000000}}`, 1, 1617, 1078},
		{`{"identification":{"type":"airMax","role":"station","model":"LBE-5AC-Gen2"},"overview":{"wirelessMode":"sta-ptmp","downlinkCapacity":300000000,"uplinkCapacity":200000000}}`, 0.5, 150, 100},
		// Transport caps: AF60-LR without port data → 940; 2.5G port caps a 2700 radio at 2350.
		{`{"identification":{"type":"airFiber","model":"AF60-LR"},"overview":{"downlinkCapacity":2000000000,"uplinkCapacity":2000000000}}`, 1, 940, 940},
		{`{"identification":{"type":"wave"},"overview":{"downlinkCapacity":2700000000,"uplinkCapacity":2700000000},"interfaces":[{"identification":{"name":"eth0","type":"eth"},"status":{"status":"active","currentSpeed":"2.5Gbps"}},{"identification":{"name":"br0","type":"br"},"status":{"currentSpeed":"10000"}}]}`, 1, 2350, 2350},
		{`{"identification":{"type":"router"}}`, 1, 1000, 1000},
	}
	for i, tc := range cases {
		st.airmax = tc.airmax
		d, u := st.capacity(mk(tc.js))
		if d != tc.down || u != tc.up {
			t.Errorf("case %d: %v/%v, want %v/%v", i, d, u, tc.down, tc.up)
		}
	}
}

// 43: a 100-full CPE port on a 200/50 plan (overhead 1.0) → max 94/50, min ≤ max.
func TestEthernetCap(t *testing.T) {
	cfg := integtest.Config()
	cfg.UISP.BandwidthOverheadFactor = 1.0
	cfg.UISP.CommitBandwidthMultiplier = 0.98
	st := settingsFrom(cfg, "full")
	var s site
	json.Unmarshal([]byte(`{"id":"x","identification":{"type":"endpoint"},"qos":{"enabled":true,"downloadSpeed":200000000,"uploadSpeed":50000000}}`), &s)
	var cpe, router device
	json.Unmarshal([]byte(`{"identification":{"role":"station"},"interfaces":[{"identification":{"name":"eth0","type":"eth"},"status":{"status":"active","currentSpeed":"100-full"}}]}`), &cpe)
	json.Unmarshal([]byte(`{"identification":{"role":"router"},"interfaces":[{"identification":{"name":"eth0","type":"eth"},"status":{"status":"active","currentSpeed":"10-full"}}]}`), &router)
	r, note := st.clientRates(&s, []*device{&router, &cpe})
	if r.DownloadMax != 94 || r.UploadMax != 50 || r.DownloadMin != 94 || r.UploadMin != 49 || !strings.Contains(note, "94 Mbps") {
		t.Errorf("rates = %+v, note %q (the station's port wins over the router's)", r, note)
	}
	// Router only: no cap.
	r, _ = st.clientRates(&s, []*device{&router})
	if r.DownloadMax != 200 {
		t.Errorf("router-only site capped to %v", r.DownloadMax)
	}
	cfg.IntegrationCommon.EthernetPortLimitsEnabled = false
	st = settingsFrom(cfg, "full")
	if r, _ := st.clientRates(&s, []*device{&cpe}); r.DownloadMax != 200 {
		t.Errorf("caps disabled: %+v", r)
	}
}

func TestExceptionCPEToInfrastructureSite(t *testing.T) {
	_, srv := newFake(t)
	cfg := cfgFor(srv.URL, "full")
	cfg.UISP.ExceptionCPEs = []config.ExceptionCPE{{CPE: "jane-cpe", Parent: "s-twrb"}, {CPE: "rubio-cpe", Parent: "s-jane"}}
	_, f := run(t, cfg)
	if c := integtest.Row(t, f, "s-jane"); c.ParentNode != "Tower B" {
		t.Errorf("jane parent %q", c.ParentNode)
	}
	if c := integtest.Row(t, f, "s-jane"); len(c.Devices) != 2 {
		t.Errorf("rubio-cpe should join Jane's circuit: %+v", c.Devices)
	}
	if f.Circuit("s-rubio") != nil {
		t.Error("s-rubio should have no device left")
	}
}

package integrations

import (
	"context"
	"errors"
	"fmt"
	"github.com/libreqos-go/lqos/internal/config"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
	"github.com/libreqos-go/lqos/internal/topology"
)

func TestEnabledOrder(t *testing.T) {
	cfg := integtest.Config()
	if First(cfg) != nil || len(Enabled(cfg)) != 0 {
		t.Fatal("nothing enabled yet")
	}
	cfg.Netzur.Enable = true
	cfg.Splynx.EnableTypo = true
	cfg.UISP.Enable = true
	var names []string
	for _, i := range Enabled(cfg) {
		names = append(names, i.Name())
	}
	// Acceptance 3: UISP wins over Splynx.
	if got := strings.Join(names, ","); got != "UISP integration,Splynx,Netzur" {
		t.Errorf("Enabled = %s", got)
	}
	if First(cfg).Name() != "UISP integration" {
		t.Error("First is not UISP")
	}
	// The order is config's (config.EnabledIntegrations).
	all := integtest.Config()
	all.UISP.Enable, all.Splynx.Enable, all.VISP.Enable, all.Netzur.Enable = true, true, true, true
	all.Powercode.Enable, all.Sonar.Enable, all.WISPGate.Enable, all.REST.Enable = true, true, true, true
	en := Enabled(all)
	if len(implementations) != 8 || len(en) != 8 {
		t.Fatalf("implementations = %d, Enabled = %d", len(implementations), len(en))
	}
	for i, name := range all.EnabledIntegrations() {
		if lookup(name).Name() != en[i].Name() {
			t.Errorf("position %d: config says %s, registry has %s", i, name, en[i].Name())
		}
	}
}

// circuits returns a compiled result with n circuits.
func circuits(t *testing.T, n int) *Result {
	t.Helper()
	g := graph.New()
	g.Add(graph.Node{ID: "s", Name: "Site", Kind: graph.KindSite, NetworkID: "t:s"})
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("c%d", i)
		g.Add(graph.Node{ID: id, Name: id, ParentID: "s", Kind: graph.KindClient, Rates: graph.Rates{DownloadMin: 1, UploadMin: 1, DownloadMax: 2, UploadMax: 2}})
		g.Add(graph.Node{ID: id + "d", ParentID: id, Kind: graph.KindDevice, IPs: []string{fmt.Sprintf("100.64.%d.%d", i/250, i%250+1)}})
	}
	res, err := graph.Compile(g, graph.Options{Source: "Test", Mode: graph.ModeFull})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPlausibility(t *testing.T) {
	p := DefaultPlausibility
	for _, tc := range []struct {
		prev, next int
		ok         bool
	}{
		{0, 0, true}, {0, 5, true}, {3, 0, false}, {3, 1, true}, {9, 1, true},
		{10, 5, true}, {10, 4, false}, {3000, 0, false}, {3000, 1501, true}, {3000, 1499, false}, {100, 1000, true},
	} {
		err := p.Check("UISP", tc.prev, tc.next)
		if (err == nil) != tc.ok {
			t.Errorf("prev %d next %d: err = %v", tc.prev, tc.next, err)
		}
		if err != nil && !errors.Is(err, ErrImplausible) {
			t.Errorf("not ErrImplausible: %v", err)
		}
	}
	err := p.Check("UISP", 3000, 0)
	if err == nil || !strings.Contains(err.Error(), "returned 0 circuits but the current ShapedDevices.csv has 3000") || !strings.Contains(err.Error(), "keeping the last good files") {
		t.Errorf("message = %v", err)
	}
}

func TestWriteOutputs(t *testing.T) {
	dir := t.TempDir()
	big := circuits(t, 40)
	if err := WriteOutputs(dir, big, nil); err != nil {
		t.Fatal(err)
	}
	csv1, _ := os.ReadFile(filepath.Join(dir, DevicesFile))
	net1, _ := os.ReadFile(filepath.Join(dir, NetworkFile))
	f, d := devices.Parse("x", csv1)
	if d.HasErrors() || len(f.Circuits) != 40 {
		t.Fatalf("written csv: %v %d", d.Problems, len(f.Circuits))
	}
	if _, d := topology.Parse("n", net1); d.HasErrors() {
		t.Fatal(d.Problems)
	}
	// Zero circuits after 40: refused, files byte-identical, no temp files left.
	err := WriteOutputs(dir, circuits(t, 0), nil)
	if !errors.Is(err, ErrImplausible) {
		t.Fatalf("err = %v", err)
	}
	// A drop to 10 of 40 (75%): refused.
	if err := WriteOutputs(dir, circuits(t, 10), nil); !errors.Is(err, ErrImplausible) || !strings.Contains(err.Error(), "a drop of 75%") {
		t.Fatalf("err = %v", err)
	}
	csv2, _ := os.ReadFile(filepath.Join(dir, DevicesFile))
	net2, _ := os.ReadFile(filepath.Join(dir, NetworkFile))
	if string(csv1) != string(csv2) || string(net1) != string(net2) {
		t.Error("refused import changed the files")
	}
	// Forced: written.
	if err := Write(dir, circuits(t, 10), WriteOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	f, _ = devices.Load(filepath.Join(dir, DevicesFile))
	if len(f.Circuits) != 10 {
		t.Errorf("forced write: %d circuits", len(f.Circuits))
	}
	// Explicit previous file overrides what is on disk.
	if err := WriteOutputs(dir, circuits(t, 30), &devices.File{}); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	if st, _ := os.Stat(filepath.Join(dir, DevicesFile)); st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
}

func TestWriteRefusesInvalid(t *testing.T) {
	dir := t.TempDir()
	res := circuits(t, 2)
	res.Circuits[0].ParentNode = "Nowhere" // a compile bug must not reach disk
	err := WriteOutputs(dir, res, nil)
	if err == nil || !strings.Contains(err.Error(), "is not in network.json") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, DevicesFile)); !os.IsNotExist(err) {
		t.Error("file written despite validation failure")
	}
	if err := WriteOutputs(filepath.Join(dir, "missing"), circuits(t, 1), nil); err == nil {
		t.Error("write into a missing directory succeeded")
	}
}

// Run: a failing import keeps the last good files (acceptance 11).
func TestRunKeepsLastGood(t *testing.T) {
	dir := t.TempDir()
	body := `{"zones":[{"id":1,"name":"Z","capacity_download_mbps":100,"capacity_upload_mbps":100}],"customers":[{"subscriber_id":"A","zone":"Z","download":10,"upload":2,"ip":"100.64.0.1"}]}`
	fail := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write([]byte(body))
	}))
	defer srv.Close()
	cfg := integtest.Config()
	cfg.Netzur.Enable, cfg.Netzur.APIKey, cfg.Netzur.APIURL = true, "k-123", srv.URL
	res, err := Run(context.Background(), cfg, dir)
	if err != nil || res == nil || res.Summary.Circuits != 1 {
		t.Fatalf("Run = %v, %v", res, err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, DevicesFile))
	fail = true
	if _, err := Run(context.Background(), cfg, dir); err == nil || !strings.Contains(err.Error(), "Netzur import failed; keeping the last good files") {
		t.Fatalf("err = %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, DevicesFile))
	if string(before) != string(after) {
		t.Error("failed import touched ShapedDevices.csv")
	}
	cfg.Netzur.Enable = false
	if res, err := Run(context.Background(), cfg, dir); res != nil || err != nil {
		t.Errorf("DIY mode: %v %v", res, err)
	}
}

func TestLookup(t *testing.T) {
	for in, want := range map[string]string{"uisp": "UISP integration", "UISP integration": "UISP integration", " Splynx ": "Splynx", "VISP": "VISP", "netzur": "Netzur"} {
		if i := lookup(in); i == nil || i.Name() != want {
			t.Errorf("lookup(%q) = %v", in, i)
		}
	}
	for in, want := range map[string]string{"powercode": "Powercode", "Sonar": "Sonar", "wispgate": "WISPGate", "rest": "REST"} {
		if i := lookup(in); i == nil || i.Name() != want {
			t.Errorf("lookup(%q) = %v", in, i)
		}
	}
	if lookup("radius") != nil {
		t.Error("radius is not an integration")
	}
}

// The caller's deadline bounds the whole import, whatever the per-request timeout.
func TestRunHonoursContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer srv.Close()
	cfg := integtest.Config()
	cfg.Netzur.Enable, cfg.Netzur.APIKey, cfg.Netzur.APIURL = true, "k-123", srv.URL
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := Run(ctx, cfg, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "context deadline exceeded") {
		t.Fatalf("err = %v", err)
	}
}

// With [fleet], the whole CRM is imported and only this shaper's sites are
// written.
func TestRunWritesOnlyThisShapersShare(t *testing.T) {
	dir := t.TempDir()
	body := `{"zones":[{"id":1,"name":"North","capacity_download_mbps":100,"capacity_upload_mbps":100},{"id":2,"name":"South","capacity_download_mbps":100,"capacity_upload_mbps":100}],
"customers":[{"subscriber_id":"A","zone":"North","download":10,"upload":2,"ip":"100.64.0.1"},{"subscriber_id":"B","zone":"South","download":10,"upload":2,"ip":"100.64.0.2"},{"subscriber_id":"C","zone":"North","download":10,"upload":2,"ip":"100.64.0.3"}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
	defer srv.Close()
	cfg := integtest.Config()
	cfg.Netzur.Enable, cfg.Netzur.APIKey, cfg.Netzur.APIURL = true, "k-123", srv.URL
	cfg.NodeName = "shaper-north"
	cfg.Fleet = &config.Fleet{Sites: map[string][]string{"shaper-north": {"North"}, "shaper-south": {"South"}}}
	res, err := Run(context.Background(), cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Summary.Circuits != 2 {
		t.Errorf("summary counts %d circuits, want 2", res.Summary.Circuits)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, DevicesFile))
	nw, _ := os.ReadFile(filepath.Join(dir, NetworkFile))
	for _, ip := range []string{"100.64.0.1", "100.64.0.3"} {
		if !strings.Contains(string(csv), ip) {
			t.Errorf("North's subscriber %s not written:\n%s", ip, csv)
		}
	}
	if strings.Contains(string(csv), "100.64.0.2") || strings.Contains(string(nw), "South") {
		t.Errorf("South (another shaper's site) was written:\n%s\n%s", nw, csv)
	}
	if !strings.Contains(string(nw), "North") {
		t.Errorf("North missing from network.json:\n%s", nw)
	}
}

package webui_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/libreqos-go/lqos/internal/webui/demosource"
)

func TestASNAnalysisAPI(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t)
	webui.SampleASN(e.srv) // baseline
	for range 3 {
		e.clock.Add(10 * time.Second)
		webui.SampleASN(e.srv)
	}
	v := getJSON[webui.ASNView](t, viewer, "/api/asn?range=5m")
	if len(v.Rows) != 16 || v.Matched != 16 || v.WindowSeconds < 20 || len(v.Series) != 8 || len(v.Times) == 0 {
		t.Fatalf("asn view: %d rows, %d matched, window %d s, %d series, %d times", len(v.Rows), v.Matched, v.WindowSeconds, len(v.Series), len(v.Times))
	}
	for i, r := range v.Rows {
		if r.Bytes.Down == 0 || r.BitsPerSecond.Down == 0 || r.Flows == 0 || r.Name == "" || r.Circuits == 0 || r.ActiveFlows == 0 {
			t.Errorf("row %d: %+v", i, r)
		}
		if i > 0 && r.Bytes.Down+r.Bytes.Up > v.Rows[i-1].Bytes.Down+v.Rows[i-1].Bytes.Up {
			t.Errorf("rows not busiest first at %d", i)
		}
	}
	var google webui.ASNRow
	for _, r := range v.Rows {
		if r.ASN == 15169 {
			google = r
		}
	}
	if google.Name != "Google LLC" || google.Country != "US" || google.RTTMs == 0 {
		t.Errorf("AS15169: %+v", google)
	}
	if s := getJSON[webui.ASNView](t, viewer, "/api/asn?range=1h&q=cloudflare"); s.Matched != 1 || s.Rows[0].ASN != 13335 {
		t.Errorf("search by name: %+v", s.Rows)
	}
	if s := getJSON[webui.ASNView](t, viewer, "/api/asn?q=AS2906"); s.Matched != 1 || s.Rows[0].ASN != 2906 {
		t.Errorf("search by number: %+v", s.Rows)
	}

	d := getJSON[webui.ASNDetail](t, viewer, "/api/asn/flows?asn=15169")
	if d.Name != "Google LLC" || d.TotalFlows == 0 || len(d.Flows) == 0 || len(d.Circuits) == 0 {
		t.Fatalf("asn detail: %+v", d)
	}
	if f := d.Flows[0]; !strings.HasPrefix(f.RemoteIP, "203.0.113.") && !strings.HasPrefix(f.RemoteIP, "2001:db8:") || f.CircuitName == "" {
		t.Errorf("flow row: %+v", f)
	}
	for _, bad := range []string{"/api/asn?range=2d", "/api/asn/flows?asn=x", "/api/asn/flows", "/api/flowmap?limit=0"} {
		if r := viewer.do(t, "GET", bad, nil, nil); r.Status != http.StatusBadRequest {
			t.Errorf("GET %s: %d %s", bad, r.Status, r.Body)
		}
	}
}

func TestFlowMapAndSiteMapAPI(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t)
	fm := getJSON[webui.FlowMapView](t, viewer, "/api/flowmap")
	if fm.Total != 16 || len(fm.Endpoints) != 16 || fm.Limit != 2000 || fm.Flows != 200 || fm.Unlocated == 0 || fm.OriginFrom != "sites" || fm.Origin == nil {
		t.Fatalf("flow map: total %d endpoints %d limit %d flows %d unlocated %d origin %v %q", fm.Total, len(fm.Endpoints), fm.Limit, fm.Flows, fm.Unlocated, fm.Origin, fm.OriginFrom)
	}
	if o := fm.Origin; o.Lat < 40.5 || o.Lat > 41.1 || o.Lon < -74.2 || o.Lon > -73.7 {
		t.Errorf("origin should be among the demo sites: %+v", o)
	}
	if fm.Endpoints[0].Bytes < fm.Endpoints[1].Bytes || fm.Endpoints[0].ASName == "" || fm.Endpoints[0].City == "" {
		t.Errorf("endpoints: %+v", fm.Endpoints[:2])
	}
	if top := getJSON[webui.FlowMapView](t, viewer, "/api/flowmap?limit=3"); len(top.Endpoints) != 3 || top.Endpoints[0] != fm.Endpoints[0] {
		t.Errorf("limit 3: %+v", top.Endpoints)
	}
	if capped := getJSON[webui.FlowMapView](t, viewer, "/api/flowmap?limit=99999"); capped.Limit != 2000 {
		t.Errorf("limit is capped at the configured maximum: %d", capped.Limit)
	}

	sm := getJSON[webui.SiteMapView](t, viewer, "/api/sitemap")
	names := map[string]webui.MapNode{}
	for _, n := range sm.Nodes {
		names[n.Name] = n
	}
	if len(sm.Nodes) != 4 || names["Tower North"].MappedParent != 0 || names["Downtown POP"].MappedParent != -1 || names["Hilltop"].From != "UISP" {
		t.Errorf("mapped nodes: %+v", sm.Nodes)
	}
	// Riverside AP has no coordinates: listed, not dropped; the generated
	// node is not a place and is not listed.
	if len(sm.Unmapped) != 1 || sm.Unmapped[0].Name != "Riverside AP" || sm.Unmapped[0].Parent != "Tower South" || sm.Unmapped[0].Reason != "no latitude/longitude" {
		t.Errorf("unmapped: %+v", sm.Unmapped)
	}
}

// With ?redact=1 remote addresses, circuit names and site names never
// leave the server; AS names and places stay.
func TestGeoRedaction(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t)
	d := viewer.do(t, "GET", "/api/asn/flows?asn=15169&redact=1", nil, nil)
	sm := viewer.do(t, "GET", "/api/sitemap?redact=1", nil, nil)
	for _, secret := range []string{"203.0.113.", "2001:db8:", "100.64.", "Alice", "Smith", "Tower North", "Riverside AP", "Downtown POP"} {
		if strings.Contains(string(d.Body), secret) || strings.Contains(string(sm.Body), secret) {
			t.Errorf("%q in a redacted reply", secret)
		}
	}
	for body, want := range map[string][]string{string(d.Body): {`"remote_ip":"[redacted]"`, `"circuit_name":"[redacted]"`, "Google LLC"}, string(sm.Body): {`"name":"[redacted]"`, `"id":"tower-north"`}} {
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("redacted reply lacks %s: %.300s", w, body)
			}
		}
	}
	plain := getJSON[webui.ASNDetail](t, viewer, "/api/asn/flows?asn=15169")
	if plain.Flows[0].RemoteIP == "[redacted]" {
		t.Error("without redact=1 the addresses are sent")
	}
}

func TestGeoRoutesAccess(t *testing.T) {
	e := newEnv(t, nil)
	admin, viewer := e.setup(t)
	anon := e.client()
	for _, p := range []string{"/api/asn", "/api/asn/flows?asn=15169", "/api/flowmap", "/api/sitemap", "/api/about"} {
		if r := anon.do(t, "GET", p, nil, nil); r.Status != http.StatusUnauthorized {
			t.Errorf("anonymous GET %s: %d", p, r.Status)
		}
		for _, c := range []*client{viewer, admin} {
			if r := c.do(t, "GET", p, nil, nil); r.Status != http.StatusOK {
				t.Errorf("GET %s: %d %s", p, r.Status, r.Body)
			}
		}
	}
	for _, p := range []string{"/asn_analysis.html", "/flow_map.html", "/site_map.html"} {
		if r := anon.do(t, "GET", p, nil, nil); r.Status != http.StatusSeeOther {
			t.Errorf("anonymous GET %s: %d, want a redirect to the login", p, r.Status)
		}
		if r := viewer.do(t, "GET", p, nil, nil); r.Status != http.StatusOK {
			t.Errorf("read-only GET %s: %d", p, r.Status)
		}
	}
	about := getJSON[webui.AboutView](t, viewer, "/api/about")
	var text strings.Builder
	for _, c := range about.Credits {
		text.WriteString(c.Name + " " + c.Licence + "\n")
	}
	for _, w := range []string{"DB-IP", "CC BY 4.0", "RouteViews", "Natural Earth", "ISC", "ECharts GL"} {
		if !strings.Contains(text.String(), w) && !strings.Contains(strings.ToLower(text.String()), strings.ToLower(w)) {
			t.Errorf("about lacks %q:\n%s", w, text.String())
		}
	}
	if len(about.Files) != 2 {
		t.Errorf("about files: %+v", about.Files)
	}
}

func TestGeoWithoutGeoSource(t *testing.T) {
	e := newEnv(t, func(c *webui.Config) { c.Source = pagesOnly{demosource.New(3)} })
	_, viewer := e.setup(t)
	for _, p := range []string{"/api/asn", "/api/asn/flows?asn=1", "/api/flowmap", "/api/sitemap"} {
		if r := viewer.do(t, "GET", p, nil, nil); r.Status != http.StatusNotImplemented || r.reason(t) != "not_available" {
			t.Errorf("GET %s: %d %s", p, r.Status, r.Body)
		}
	}
}

// pagesOnly hides the GeoSource methods of the demo source.
type pagesOnly struct{ *demosource.Source }

func (pagesOnly) GeoFlows() {}

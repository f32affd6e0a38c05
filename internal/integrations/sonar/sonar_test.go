package sonar

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
)

const apiKey = "sonar-SECRET-key-5150"

type gqlRequest struct {
	Query     string `json:"query"`
	Variables struct {
		Pages struct {
			Page    int `json:"page"`
			PerPage int `json:"records_per_page"`
		} `json:"pages"`
		Status json.RawMessage   `json:"status"`
		Models []json.RawMessage `json:"models"`
	} `json:"variables"`
}

// collection is the GraphQL field a query asks for.
func (r gqlRequest) collection() string {
	f := strings.Fields(r.Query)
	if len(f) < 2 {
		return ""
	}
	name, _, _ := strings.Cut(f[1], "(")
	return name
}

type handler func(w http.ResponseWriter, r *http.Request, q gqlRequest, n int32) bool

// fakeSonar serves recorded pages per collection; before, when set, may
// answer a request itself (errors, stalls) by returning true.
type fakeSonar struct {
	t     *testing.T
	srv   *httptest.Server
	hits  atomic.Int32
	mu    sync.Mutex
	asked []string // "accounts:2"
	pages map[string][]json.RawMessage
}

func loadPages(t *testing.T, file string) []json.RawMessage {
	b, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var p []json.RawMessage
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func newFake(t *testing.T, before handler) *fakeSonar {
	f := &fakeSonar{t: t, pages: map[string][]json.RawMessage{
		"accounts":      loadPages(t, "accounts.pages.json"),
		"network_sites": loadPages(t, "network_sites.pages.json"),
	}}
	statuses, _ := os.ReadFile("testdata/account_statuses.json")
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := f.hits.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/api/graphql" {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if r.Header.Get("Authorization") != "Bearer "+apiKey {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"errors":[{"message":"Unauthenticated: ` + r.Header.Get("Authorization") + `"}]}`))
			return
		}
		body, _ := io.ReadAll(r.Body)
		var q gqlRequest
		if err := json.Unmarshal(body, &q); err != nil {
			t.Errorf("request body: %v", err)
		}
		coll := q.collection()
		f.mu.Lock()
		f.asked = append(f.asked, coll+":"+strconv.Itoa(q.Variables.Pages.Page))
		f.mu.Unlock()
		if before != nil && before(w, r, q, n) {
			return
		}
		if coll == "account_statuses" {
			w.Write(statuses)
			return
		}
		if coll == "accounts" && string(q.Variables.Status) != "1" {
			w.Write([]byte(`{"data":{"accounts":{"page_info":{"page":1,"total_pages":0},"entities":[]}}}`))
			return
		}
		p := f.pages[coll]
		i := q.Variables.Pages.Page - 1
		if i < 0 || i >= len(p) {
			t.Errorf("%s page %d asked", coll, i+1)
			w.Write([]byte(`{"data":{"` + coll + `":{"page_info":{"page":99,"total_pages":1},"entities":[]}}}`))
			return
		}
		w.Write(p[i])
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeSonar) queries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

// fakeAPs answers SNMP questions by management address.
type fakeAPs struct {
	mu    sync.Mutex
	asked []AP
}

func (d *fakeAPs) Stations(ctx context.Context, ap AP) (Stations, error) {
	d.mu.Lock()
	d.asked = append(d.asked, ap)
	d.mu.Unlock()
	switch ap.IP {
	case "10.1.0.2":
		return Stations{Name: "Hilltop-AC", MACs: []string{"e0:63:da:00:00:14"}}, nil
	case "10.1.0.3":
		return Stations{MACs: []string{"e0:63:da:00:00:15", "e0:63:da:00:00:99"}}, nil
	case "10.2.0.2":
		return Stations{}, errors.New("Timeout: No Response from 10.2.0.2")
	}
	return Stations{}, nil
}

func cfgFor(url string) *config.Config {
	c := integtest.Config()
	c.Sonar = config.Defaults().Sonar
	c.Sonar.Enable = true
	c.Sonar.APIURL = url // instance URL; /api/graphql is added
	c.Sonar.APIKey = apiKey
	c.Sonar.AirmaxModelIDs = []string{"31"} // strings here, numbers in the API
	c.Sonar.LTUModelIDs = []string{"44"}
	c.Sonar.RecurringServiceRates = []config.RecurringServiceRate{
		{Enabled: true, ServiceName: "1 gig bulk tenant service", DownloadMbps: 1000, UploadMbps: 1000},
		{Enabled: true, ServiceName: "Legacy Bulk", DownloadMbps: 500, UploadMbps: 500},
		{Enabled: false, ServiceName: "Voice", DownloadMbps: 1, UploadMbps: 1},
	}
	c.Sonar.RecurringExcludedServiceNames = []string{"legacy bulk"}
	return c
}

func fast(d Discoverer) Integration {
	return Integration{Timeout: 5 * time.Second, Backoff: func(int) time.Duration { return time.Millisecond }, Discoverer: d}
}

func TestImportGolden(t *testing.T) {
	f := newFake(t, nil)
	for _, mode := range []string{graph.ModeFlat, graph.ModeAPOnly, graph.ModeAPSite, graph.ModeFull} {
		t.Run(mode, func(t *testing.T) {
			aps := &fakeAPs{}
			cfg := cfgFor(f.srv.URL)
			cfg.Topology.CompileMode = mode
			res, err := fast(aps).Import(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, sd := integtest.CheckOutputs(t, res)
			integtest.Golden(t, mode+".network.json", res.NetworkJSON())
			integtest.Golden(t, mode+".ShapedDevices.csv", res.ShapedDevicesCSV())
			if mode != graph.ModeFull {
				return
			}
			// The documented example account.
			p := integtest.Row(t, sd, "sonar:account:600")
			if p.Name != "Parent" || p.DownloadMax != 100 || p.UploadMax != 20 || len(p.Devices) != 1 {
				t.Errorf("600 = %+v", p)
			}
			if d := p.Devices[0]; d.ID != "sonar:device:42" || d.Name != "ONU" || d.MAC != "AA:BB:CC:DD:EE:06" || d.IPv4[0].String() != "100.64.6.60/32" {
				t.Errorf("600 device = %+v", d)
			}
			// Child account without address inherits the parent's; a child also
			// listed at the top level keeps its own top-level record (75 Mbps).
			if c := integtest.Row(t, sd, "sonar:account:601"); c.DownloadMax != 50 || c.Devices[0].ID != "sonar:account-ip-assignments:601" {
				t.Errorf("601 = %+v", c)
			}
			if c := integtest.Row(t, sd, "sonar:account:602"); c.Name != "Parent - Barn (top level)" || c.DownloadMax != 75 {
				t.Errorf("602 = %+v, want the top-level record", c)
			}
			// Recurring rule (case-folded) when there is no DATA service.
			if c := integtest.Row(t, sd, "sonar:account:610"); c.DownloadMax != 1000 || c.UploadMax != 1000 {
				t.Errorf("610 = %+v", c)
			}
			// 1000/500 kbit/s is floored at 2 Mbps; devices in order, addresses de-duplicated.
			tiny := integtest.Row(t, sd, "sonar:account:612")
			if tiny.DownloadMax != 2 || tiny.UploadMax != 2 || tiny.DownloadMin != 2 {
				t.Errorf("612 rates = %+v", tiny)
			}
			var ids []string
			for _, d := range tiny.Devices {
				ids = append(ids, d.ID+"="+d.Name)
			}
			want := "sonar:device:44=CPE,sonar:radius-account:77=Radius Account 77,sonar:account-ip-assignments:612=Account IP Assignments,sonar:uninventoried-mac-address:5=Uninventoried MAC Address"
			if strings.Join(ids, ",") != want {
				t.Errorf("612 devices\n got %s\nwant %s", strings.Join(ids, ","), want)
			}
			if tiny.Devices[0].MAC != "SN-1234" || len(tiny.Devices[2].IPv6) != 1 || tiny.Devices[2].IPv6[0].String() != "2001:db8:612::/56" {
				t.Errorf("612 devices = %+v %+v", tiny.Devices[0], tiny.Devices[2])
			}
			// Parents found by station MAC (any spelling); the LTU AP has no sysName.
			if c := integtest.Row(t, sd, "sonar:account:614"); c.ParentNodeID != "sonar:ap:900" || c.ParentNode != "Hilltop-AC" {
				t.Errorf("614 parent = %q %q", c.ParentNode, c.ParentNodeID)
			}
			if c := integtest.Row(t, sd, "sonar:account:615"); c.ParentNodeID != "sonar:ap:902" || c.ParentNode != "AP 902" {
				t.Errorf("615 parent = %q %q", c.ParentNode, c.ParentNodeID)
			}
			if c := integtest.Row(t, sd, "sonar:account:618"); c.ParentNode != "" {
				t.Errorf("618 under %q; its AP did not answer", c.ParentNode)
			}
			for _, gone := range []string{"611", "613", "616", "617"} {
				if sd.Circuit("sonar:account:"+gone) != nil {
					t.Errorf("account %s should be skipped", gone)
				}
			}
			probs := strings.Join(res.Summary.Problems, "\n")
			for _, w := range []string{"1 accounts have no address and were skipped: 613", "1 accounts have no DATA service and no matching recurring_service_rates rule and were skipped: 616",
				"recurring_excluded_service_names and were skipped: 611", "have no device (inventory item, RADIUS account, IP assignment or MAC) and were skipped: 617",
				"AP 903 (10.2.0.2): SNMP: Timeout: No Response", "AP inventory item 901 at site \"Hilltop\" has no IP assignment"} {
				if !strings.Contains(probs, w) {
					t.Errorf("problems lack %q:\n%s", w, probs)
				}
			}
			// LTU model ids pick the LTU station table.
			aps.mu.Lock()
			defer aps.mu.Unlock()
			ltu := map[string]bool{}
			for _, a := range aps.asked {
				ltu[a.ItemID] = a.LTU
			}
			if len(ltu) != 4 || !ltu["902"] || ltu["900"] {
				t.Errorf("APs asked: %+v", aps.asked)
			}
		})
	}
	// Statuses were queried (none configured), then every page of both collections.
	q := strings.Join(f.queries()[:7], ",")
	if q != "account_statuses:0,network_sites:1,network_sites:2,accounts:1,accounts:2,accounts:3,accounts:1" {
		t.Errorf("queries: %s", q)
	}
}

// Circuit and device ids depend on Sonar's ids, not on order or paging.
func TestStableIDs(t *testing.T) {
	snapshot := func(before handler, pageSize int) map[string]string {
		f := newFake(t, before)
		cfg := cfgFor(f.srv.URL)
		cfg.Sonar.PageSize = pageSize
		res, err := fast(&fakeAPs{}).Import(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range res.Circuits {
			var d []string
			for _, x := range c.Devices {
				d = append(d, x.ID)
			}
			out[c.ID] = c.ParentNodeID + " " + strings.Join(d, ",")
		}
		return out
	}
	first := snapshot(nil, 100)
	// Second run: the same accounts, reversed and in one page.
	reversed := func(w http.ResponseWriter, r *http.Request, q gqlRequest, n int32) bool {
		if q.collection() != "accounts" {
			return false
		}
		var all []json.RawMessage
		for _, p := range loadPages(t, "accounts.pages.json") {
			var x struct {
				Data struct {
					Accounts struct {
						Entities []json.RawMessage `json:"entities"`
					} `json:"accounts"`
				} `json:"data"`
			}
			json.Unmarshal(p, &x)
			all = append(all, x.Data.Accounts.Entities...)
		}
		for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
			all[i], all[j] = all[j], all[i]
		}
		b, _ := json.Marshal(map[string]any{"data": map[string]any{"accounts": map[string]any{"page_info": map[string]int{"page": 1, "total_pages": 1}, "entities": all}}})
		w.Write(b)
		return true
	}
	second := snapshot(reversed, 500)
	if len(first) < 8 {
		t.Fatalf("only %d circuits", len(first))
	}
	for id, v := range first {
		if id == "sonar:account:602" {
			continue // reversed order makes the child record come first: that circuit's record differs by design
		}
		if second[id] != v {
			t.Errorf("%s: %q then %q", id, v, second[id])
		}
	}
}

func TestRetries(t *testing.T) {
	cases := []struct {
		name     string
		fail     func(t *testing.T) handler
		wantErr  string
		wantHits int32
		backoffs string
	}{
		{"first page times out once", func(t *testing.T) handler {
			stall := integtest.Stall(t)
			return func(w http.ResponseWriter, r *http.Request, q gqlRequest, n int32) bool {
				if n == 1 {
					stall(w, r)
					return true
				}
				return false
			}
		}, "", 8, "1"},
		{"three timeouts", func(t *testing.T) handler {
			stall := integtest.Stall(t)
			return func(w http.ResponseWriter, r *http.Request, q gqlRequest, n int32) bool { stall(w, r); return true }
		}, "sonar: account_statuses: giving up after 3 attempts: no reply within 100ms", 3, "1,2"},
		{"429 then 502", func(t *testing.T) handler {
			return func(w http.ResponseWriter, r *http.Request, q gqlRequest, n int32) bool {
				if q.collection() == "accounts" && q.Variables.Pages.Page == 2 && n < 7 {
					w.WriteHeader([]int{502, 429}[n%2]) // 429 first
					return true
				}
				return false
			}
		}, "", 9, "1,2"},
		{"500 on every attempt", func(t *testing.T) handler {
			return func(w http.ResponseWriter, r *http.Request, q gqlRequest, n int32) bool {
				if q.collection() == "accounts" {
					w.WriteHeader(500)
					w.Write([]byte("<html>Internal Server Error</html>"))
					return true
				}
				return false
			}
		}, "sonar: accounts (status 1) page 1: HTTP 500 Internal Server Error after 3 attempts", 6, "1,2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.fail(t))
			var mu sync.Mutex
			var waits []string
			in := fast(&fakeAPs{})
			in.Timeout = 100 * time.Millisecond
			in.Backoff = func(n int) time.Duration {
				mu.Lock()
				waits = append(waits, strconv.Itoa(n))
				mu.Unlock()
				return time.Millisecond
			}
			_, err := in.Import(context.Background(), cfgFor(f.srv.URL))
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			if f.hits.Load() != tc.wantHits {
				t.Errorf("hits = %d, want %d (%v)", f.hits.Load(), tc.wantHits, f.queries())
			}
			mu.Lock()
			defer mu.Unlock()
			if got := strings.Join(waits, ","); got != tc.backoffs {
				t.Errorf("backoffs %s, want %s", got, tc.backoffs)
			}
		})
	}
	if DefaultBackoff(1) != 2*time.Second || DefaultBackoff(2) != 5*time.Second {
		t.Errorf("default backoff %v %v, want 2s 5s", DefaultBackoff(1), DefaultBackoff(2))
	}
}

func TestReplyErrors(t *testing.T) {
	reply := func(coll, body string) func(t *testing.T) handler {
		return func(t *testing.T) handler {
			return func(w http.ResponseWriter, r *http.Request, q gqlRequest, n int32) bool {
				if q.collection() != coll {
					return false
				}
				w.Write([]byte(body))
				return true
			}
		}
	}
	cases := []struct {
		name    string
		h       func(t *testing.T) handler
		key     string
		wantErr string
	}{
		{"unauthorized", func(*testing.T) handler { return nil }, "sonar-WRONG", "account_statuses: HTTP 401 Unauthorized"},
		{"GraphQL error", reply("accounts", `{"errors":[{"message":"Field 'bogus' doesn't exist on type 'Account'"}],"data":null}`), apiKey,
			"sonar: accounts (status 1) page 1: GraphQL error: Field 'bogus' doesn't exist"},
		{"no data", reply("network_sites", `{"data":{}}`), apiKey, "network_sites page 1: reply has no data"},
		{"truncated", reply("accounts", `{"data":{"accounts":{"page_info":{"page":1,"total_pages":2},"entities":[{"id":1,"name":"A`), apiKey,
			"accounts (status 1) page 1: malformed JSON"},
		{"wrong type", reply("accounts", `{"data":{"accounts":{"page_info":{"page":1,"total_pages":1},"entities":[{"id":1,"addresses":{"entities":{"line1":"x"}}}]}}}`), apiKey,
			`accounts (status 1) page 1: field "entities.addresses.entities"`},
		{"HTML", reply("account_statuses", `<!DOCTYPE html><title>Sonar login</title>`), apiKey, "account_statuses: reply is HTML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.h(t))
			cfg := cfgFor(f.srv.URL)
			cfg.Sonar.APIKey = tc.key
			_, err := fast(&fakeAPs{}).Import(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), tc.key) {
				t.Errorf("key in error: %v", err)
			}
		})
	}
}

// Configured statuses are searched for directly; discovery off means no
// network_sites query and no AP parents.
func TestStatusesAndDiscoveryOff(t *testing.T) {
	var statuses []string
	f := newFake(t, func(w http.ResponseWriter, r *http.Request, q gqlRequest, n int32) bool {
		if q.collection() == "accounts" && q.Variables.Pages.Page == 1 {
			statuses = append(statuses, string(q.Variables.Status))
		}
		return false
	})
	aps := &fakeAPs{}
	cfg := cfgFor(f.srv.URL)
	cfg.Sonar.ActiveStatusIDs = []string{"1", " 7 "}
	cfg.Sonar.SNMPDiscovery = false
	res, err := fast(aps).Import(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if q := strings.Join(f.queries(), ","); q != "accounts:1,accounts:2,accounts:3,accounts:1" {
		t.Errorf("queries %s", q)
	}
	if strings.Join(statuses, ",") != "1,7" {
		t.Errorf("account_status_id asked: %v", statuses)
	}
	if len(aps.asked) != 0 || res.Summary.Nodes != 0 {
		t.Errorf("discovery off but %d APs asked, %d nodes", len(aps.asked), res.Summary.Nodes)
	}
}

func TestSNMPWalkMissingTool(t *testing.T) {
	f := newFake(t, nil)
	cfg := cfgFor(f.srv.URL)
	in := Integration{Timeout: time.Second}
	t.Setenv("PATH", t.TempDir()) // no snmpwalk here
	_, err := in.Import(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "set sonar_integration.snmp_discovery = false") {
		t.Fatalf("error = %v", err)
	}
}

func TestHelpers(t *testing.T) {
	out := `iso.3.6.1.4.1.41112.1.4.7.1.1.1.224.99.218.0.0.20 = Hex-STRING: E0 63 DA 00 00 14 
iso.3.6.1.4.1.41112.1.4.7.1.1.1.224.99.218.0.0.21 = Hex-STRING: e0 63 da 00 00 15
iso.3.6.1.4.1.41112.1.4.7.1.1.1.1 = STRING: "not a mac"
`
	if got := strings.Join(ParseStationMACs(out), ","); got != "e0:63:da:00:00:14,e0:63:da:00:00:15" {
		t.Errorf("ParseStationMACs = %s", got)
	}
	if got := parseSysName(`iso.3.6.1.2.1.1.5.0 = STRING: "Hilltop-AC"` + "\n"); got != "Hilltop-AC" {
		t.Errorf("sysName %q", got)
	}
	for in, want := range map[string]string{"AA:BB:CC:DD:EE:FF": "aa:bb:cc:dd:ee:ff", "aa-bb-cc-dd-ee-ff": "aa:bb:cc:dd:ee:ff", "aabb.ccdd.eeff": "aa:bb:cc:dd:ee:ff", "SN-1234": "", "": ""} {
		if got := NormalizeMAC(in); got != want {
			t.Errorf("NormalizeMAC(%q) = %q", in, got)
		}
	}
	for in, want := range map[string]string{
		"https://isp.sonar.software":              "https://isp.sonar.software/api/graphql",
		"https://isp.sonar.software/":             "https://isp.sonar.software/api/graphql",
		"https://isp.sonar.software/api":          "https://isp.sonar.software/api/graphql",
		"https://isp.sonar.software/api/graphql/": "https://isp.sonar.software/api/graphql",
		"isp.sonar.software":                      "https://isp.sonar.software/api/graphql",
	} {
		if got := GraphQLURL(in); got != want {
			t.Errorf("GraphQLURL(%q) = %q", in, got)
		}
	}
	acc := account{}
	if formatAddress(acc) != "" {
		t.Error("no address")
	}
	var a account
	json.Unmarshal([]byte(`{"addresses":{"entities":[{"line1":"1 Main,","line2":"","city":" Town","subdivision":"US_TX"}]}}`), &a)
	if got := formatAddress(a); got != "1 Main, Town, TX" {
		t.Errorf("formatAddress = %q", got)
	}
	keys := []string{ipKey("100.64.0.1"), ipKey("100.64.0.1/32"), ipKey("::ffff:100.64.0.1")}
	sort.Strings(keys)
	if keys[0] != keys[2] {
		t.Errorf("ipKey %v", keys)
	}
}

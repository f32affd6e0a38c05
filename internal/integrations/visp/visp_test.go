package visp

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
)

const (
	clientID     = "visp-client-id-1"
	clientSecret = "visp-CLIENT-SECRET-9"
	username     = "api-user"
	password     = "visp-PASSWORD-7"
)

type fake struct {
	t         *testing.T
	mu        sync.Mutex
	tokens    int
	current   string
	ops       map[string]int
	reject401 int // reply 401 to this many GraphQL calls
	override  map[string]func(w http.ResponseWriter, r *http.Request, n int) bool
	files     map[string]json.RawMessage
}

func load(t *testing.T, name string) json.RawMessage {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newFake(t *testing.T) (*fake, *httptest.Server) {
	f := &fake{t: t, ops: map[string]int{}, override: map[string]func(http.ResponseWriter, *http.Request, int) bool{}, files: map[string]json.RawMessage{}}
	for _, n := range []string{"subscribers", "bulk", "services", "iplists", "assemblies", "equipment"} {
		f.files[n] = load(t, n+".json")
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		h := r.Header
		if h.Get("x-visp-client-id") != clientID || h.Get("x-visp-client-secret") != clientSecret || h.Get("x-visp-username") != username || h.Get("x-visp-password") != password {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"error":"invalid credentials for %s / %s"}`, h.Get("x-visp-client-secret"), h.Get("x-visp-password"))
			return
		}
		f.mu.Lock()
		f.tokens++
		f.current = "tok-SECRET-" + strconv.Itoa(f.tokens)
		tok := f.current
		f.mu.Unlock()
		fmt.Fprintf(w, `{"token":%q,"payload":{"exp":%d,"ispId":[123, 456]}}`, tok, time.Now().Add(72*time.Hour).Unix())
	})
	mux.HandleFunc("/graphql", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			OperationName string         `json:"operationName"`
			Query         string         `json:"query"`
			Variables     map[string]any `json:"variables"`
		}
		if r.Method != http.MethodPost || json.NewDecoder(r.Body).Decode(&req) != nil {
			w.WriteHeader(400)
			return
		}
		f.mu.Lock()
		f.ops[req.OperationName]++
		n := f.ops[req.OperationName]
		cur := f.current
		reject := f.reject401 > 0
		if reject {
			f.reject401--
		}
		o := f.override[req.OperationName]
		f.mu.Unlock()
		if r.Header.Get("authorization") != cur || reject {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"token expired: ` + r.Header.Get("authorization") + `"}`))
			return
		}
		if r.Header.Get("x-visp-client-id") != clientID {
			t.Errorf("client id header missing")
		}
		if o != nil && o(w, r, n) {
			return
		}
		if !strings.Contains(req.Query, req.OperationName) {
			t.Errorf("query for %s does not name it", req.OperationName)
		}
		data := f.answer(req.OperationName, req.Variables)
		json.NewEncoder(w).Encode(map[string]any{"data": data})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return f, srv
}

func page(raw json.RawMessage, vars map[string]any) []json.RawMessage {
	var all []json.RawMessage
	json.Unmarshal(raw, &all)
	limit, offset := int(vars["limit"].(float64)), int(vars["offset"].(float64))
	if offset > len(all) {
		offset = len(all)
	}
	end := min(offset+limit, len(all))
	return all[offset:end]
}

func (f *fake) answer(op string, vars map[string]any) any {
	switch op {
	case "Subs":
		if vars["isp_id"].(float64) != 123 {
			f.t.Errorf("isp_id = %v", vars["isp_id"])
		}
		var all []json.RawMessage
		json.Unmarshal(f.files["subscribers"], &all)
		return map[string]any{"subscribers": page(f.files["subscribers"], vars), "subscribersCount": len(all)}
	case "EquipmentAssemblies":
		return map[string]any{"equipmentAssemblies": f.files["assemblies"]}
	case "EquipmentPg":
		return map[string]any{"equipmentPg": page(f.files["equipment"], vars)}
	case "Bulk":
		// The JSON scalar arrives as a string, as some VISP versions send it.
		return map[string]any{"customerCPEwithWirelessServiceSpeeds": string(f.files["bulk"])}
	case "CustomerServices":
		var m map[string]json.RawMessage
		json.Unmarshal(f.files["services"], &m)
		rows := m[strconv.Itoa(int(vars["customer_id"].(float64)))]
		if rows == nil {
			rows = json.RawMessage(`[]`)
		}
		return map[string]any{"customerServices": rows}
	case "CustomerIpList":
		var m map[string]json.RawMessage
		json.Unmarshal(f.files["iplists"], &m)
		rows := m[strconv.Itoa(int(vars["customer_id"].(float64)))]
		if rows == nil {
			rows = json.RawMessage(`[]`)
		}
		return map[string]any{"customerIPList": rows}
	}
	f.t.Errorf("unknown operation %s", op)
	return nil
}

func cfgFor(t *testing.T, url, mode string) *config.Config {
	c := integtest.Config()
	c.StateDirectory = t.TempDir()
	c.VISP = config.VISP{Enable: true, ClientID: clientID, ClientSecret: clientSecret, Username: username, Password: password,
		TimeoutSecs: 20, TokenURL: url + "/token", GraphQLURL: url + "/graphql", Strategy: "full", VerifyTLS: true}
	c.Topology.CompileMode = mode
	return c
}

var fast = Integration{Timeout: 2 * time.Second, Backoff: func(int) time.Duration { return time.Millisecond }, PageSize: 2}

func run(t *testing.T, in Integration, cfg *config.Config) (*graph.Result, *devices.File) {
	t.Helper()
	res, err := in.Import(context.Background(), cfg)
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
			res, _ := run(t, fast, cfgFor(t, srv.URL, mode))
			integtest.Golden(t, mode+".network.json", res.NetworkJSON())
			integtest.Golden(t, mode+".ShapedDevices.csv", res.ShapedDevicesCSV())
		})
	}
}

func TestMapping(t *testing.T) {
	f, srv := newFake(t)
	res, sd := run(t, fast, cfgFor(t, srv.URL, "full"))
	// Spec example: circuit 7001 "jdoe", 25/5, device 7001_wifi, MAC normalised, equipment IP.
	c := integtest.Row(t, sd, "7001")
	if c.Name != "jdoe" || c.DownloadMax != 25 || c.UploadMax != 5 || c.Devices[0].ID != "7001_wifi" || c.Devices[0].MAC != "020000000020" ||
		len(c.Devices[0].IPv4) != 1 || c.Devices[0].IPv4[0].String() != "100.64.50.7/32" {
		t.Errorf("7001 = %+v %+v", c, c.Devices[0])
	}
	// Attachment prefers the parented fiber ONU (1296 → PON 1) over the router-mode device.
	if c.ParentNode != "OLT-1 PON 1" || c.ParentNodeID != "visp:eq:500" {
		t.Errorf("7001 parent %q %q", c.ParentNode, c.ParentNodeID)
	}
	if n := res.Network.Find("OLT-1 PON 1"); n == nil || n.Parent == nil || n.Parent.Name != "OLT-1" || n.Parent.Parent == nil || n.Parent.Parent.ID != "visp:site:7" {
		t.Errorf("equipment chain wrong:\n%s", res.NetworkJSON())
	}
	// 49: 500 kbps / 1 gbps → 0.5/1000, max floored to 1.
	if c := integtest.Row(t, sd, "7003"); c.DownloadMax != 1 || c.UploadMax != 1000 || len(c.Devices[0].IPv4) != 1 {
		t.Errorf("7003 = %+v", c)
	}
	for id, why := range map[string]string{"7002": "terminated", "7004": "no speed", "7005": "0.0.0.0 only", "9999": "no username"} {
		if sd.Circuit(id) != nil {
			t.Errorf("%s should be skipped (%s)", id, why)
		}
	}
	if c := integtest.Row(t, sd, "7001"); c.DownloadMax == 99 {
		t.Error("duplicate circuit id added twice")
	}
	// Unknown unit → Mbps.
	if c := sd.Circuit("7005"); c != nil {
		t.Errorf("7005 %+v", c)
	}
	// Backfill: wifi service of a subscriber missing from the bulk query.
	if c := integtest.Row(t, sd, "8001"); c.Name != "bwayne-wifi" || c.Devices[0].ID != "8001_backfill" || c.Devices[0].MAC != "AABBCCDDEEFF" || c.ParentNodeID != "visp:eq:502" {
		t.Errorf("8001 = %+v %+v", c, c.Devices[0])
	}
	// Backfill with the IP from customerIPList and the row id as circuit id.
	if c := integtest.Row(t, sd, "s3"); c.Name != "Clark Kent" || c.Devices[0].IPv4[0].String() != "100.64.60.2/32" {
		t.Errorf("s3 = %+v", c)
	}
	// SUSPENDED status: suspended handling (default none = full rates).
	if c := integtest.Row(t, sd, "7006"); c.DownloadMax != 10 || res.Summary.SuspendedFull != 1 {
		t.Errorf("7006 = %+v", c)
	}
	summary := strings.Join(res.Summary.Problems, "\n")
	if !strings.Contains(summary, "[VISP] shaped=5 skipped_inactive=1 skipped_no_ip=1 skipped_no_speed=1") {
		t.Errorf("summary line missing:\n%s", summary)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	// 7 subscribers, page size 2 → 4 pages; 5 equipment rows → 3 pages.
	if f.ops["Subs"] != 4 || f.ops["EquipmentPg"] != 3 || f.ops["CustomerIpList"] != 1 || f.tokens != 1 {
		t.Errorf("ops = %v, tokens = %d", f.ops, f.tokens)
	}
}

func TestTokenCacheAndReauth(t *testing.T) {
	f, srv := newFake(t)
	cfg := cfgFor(t, srv.URL, "full")
	run(t, fast, cfg)
	run(t, fast, cfg)
	if f.tokens != 1 {
		t.Errorf("tokens fetched = %d, want 1 (cached)", f.tokens)
	}
	matches, _ := filepath.Glob(filepath.Join(cfg.StateDirectory, "cache", ".visp_token_cache_*.json"))
	if len(matches) != 1 {
		t.Fatalf("cache files: %v", matches)
	}
	if st, _ := os.Stat(matches[0]); st.Mode().Perm() != 0o600 {
		t.Errorf("cache mode %v", st.Mode().Perm())
	}
	// Expired token: one 401, a new token, the call repeated.
	f.mu.Lock()
	f.reject401 = 1
	f.mu.Unlock()
	run(t, fast, cfg)
	if f.tokens != 2 {
		t.Errorf("tokens = %d, want 2 after a 401", f.tokens)
	}
	// Two 401s in a row: the second is an error, not a loop.
	f.mu.Lock()
	f.reject401 = 2
	f.mu.Unlock()
	_, err := fast.Import(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Fatalf("error = %v", err)
	}
	for _, s := range []string{"tok-SECRET-", clientSecret, password} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("secret %q in error %v", s, err)
		}
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name  string
		op    string
		h     func(w http.ResponseWriter, r *http.Request, n int) bool
		edit  func(*config.Config)
		want  string
		calls int
	}{
		{"bad password", "", nil, func(c *config.Config) { c.VISP.Password = "wrong-PASSWORD-1" }, "token_url: HTTP 401", 0},
		{"missing credentials", "", nil, func(c *config.Config) { c.VISP.ClientSecret = ""; c.VISP.Username = "" }, "missing credentials in [visp_integration]: client_secret (VISP_CLIENT_SECRET), username (VISP_USERNAME)", 0},
		{"graphql errors", "EquipmentAssemblies", func(w http.ResponseWriter, r *http.Request, n int) bool {
			w.Write([]byte(`{"data":null,"errors":[{"message":"Cannot query field"}]}`))
			return true
		}, nil, "graphql EquipmentAssemblies: GraphQL error: Cannot query field", 1},
		{"subs 503 retried", "Subs", func(w http.ResponseWriter, r *http.Request, n int) bool {
			if n == 1 {
				w.WriteHeader(503)
				return true
			}
			return false
		}, nil, "", 5},
		{"bulk 500", "Bulk", func(w http.ResponseWriter, r *http.Request, n int) bool { w.WriteHeader(500); return true }, nil, "graphql Bulk: HTTP 500", 3},
		{"malformed", "EquipmentPg", func(w http.ResponseWriter, r *http.Request, n int) bool {
			w.Write([]byte(`{"data":{"equipmentPg":[{"id":`))
			return true
		}, nil, "graphql EquipmentPg: malformed JSON", 1},
		{"bad field", "Subs", func(w http.ResponseWriter, r *http.Request, n int) bool {
			w.Write([]byte(`{"data":{"subscribers":[{"customer_id":{"x":1}}],"subscribersCount":1}}`))
			return true
		}, nil, `graphql Subs: field "subscribers.customer_id"`, 1},
		{"slow", "CustomerServices", func(w http.ResponseWriter, r *http.Request, n int) bool { <-r.Context().Done(); return false }, nil, "no reply within", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFake(t)
			if tc.h != nil {
				f.override[tc.op] = tc.h
			}
			cfg := cfgFor(t, srv.URL, "full")
			if tc.edit != nil {
				tc.edit(cfg)
			}
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
			} else {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("error = %v, want %q", err, tc.want)
				}
				for _, s := range []string{clientSecret, password, "wrong-PASSWORD-1", "tok-SECRET-"} {
					if strings.Contains(err.Error(), s) {
						t.Errorf("secret %q in error: %v", s, err)
					}
				}
			}
			f.mu.Lock()
			defer f.mu.Unlock()
			if tc.op != "" && f.ops[tc.op] != tc.calls {
				t.Errorf("%s calls = %d, want %d", tc.op, f.ops[tc.op], tc.calls)
			}
		})
	}
}

func TestEnvCredentials(t *testing.T) {
	_, srv := newFake(t)
	cfg := cfgFor(t, srv.URL, "flat")
	cfg.VISP.Password = "not-used"
	t.Setenv("VISP_PASSWORD", password)
	run(t, fast, cfg)
}

func TestHelpers(t *testing.T) {
	if got := strings.Join(IPv4Candidates("100.64.1.1/24, 0.0.0.0", "255.255.255.255,2001:db8::1", "", "203.0.113.5", "100.64.1.1"), "|"); got != "100.64.1.1|203.0.113.5" {
		t.Errorf("IPv4Candidates = %s", got)
	}
	for _, tc := range []struct {
		v    float64
		unit string
		want float64
	}{{500, "kbps", 0.5}, {1, "Gbps", 1000}, {25, "mbps", 25}, {7, "furlongs", 7}, {3, "", 3}} {
		if got := SpeedMbps(tc.v, tc.unit); got != tc.want {
			t.Errorf("SpeedMbps(%v,%q) = %v", tc.v, tc.unit, got)
		}
	}
	if NormalizeMAC("aa:bb-cc.dd ee:ff") != "AABBCCDDEEFF" {
		t.Error("NormalizeMAC")
	}
}

package powercode

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
)

const apiKey = "pc-SECRET-key-4711"

type handler func(w http.ResponseWriter, r *http.Request, action string, n int32)

// fakePowercode answers like the Preseem API: form-encoded POSTs with
// apiKey and action; a wrong key is refused with 401.
func fakePowercode(t testing.TB, tlsOn bool, h handler) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	mux := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != Endpoint {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if r.URL.RawQuery != "" {
			t.Errorf("query string %q: the key must travel in the body", r.URL.RawQuery)
		}
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		if r.PostForm.Get("apiKey") != apiKey {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid apiKey ` + r.PostForm.Get("apiKey") + `"}`))
			return
		}
		h(w, r, r.PostForm.Get("action"), n)
	})
	var srv *httptest.Server
	if tlsOn {
		srv = httptest.NewTLSServer(mux)
	} else {
		srv = httptest.NewServer(mux)
	}
	t.Cleanup(srv.Close)
	return srv, &hits
}

func replies(t *testing.T) handler {
	cust, err := os.ReadFile("testdata/customers.json")
	if err != nil {
		t.Fatal(err)
	}
	serv, err := os.ReadFile("testdata/services.json")
	if err != nil {
		t.Fatal(err)
	}
	return func(w http.ResponseWriter, r *http.Request, action string, n int32) {
		switch action {
		case "list_customers":
			w.Write(cust)
		case "list_services":
			// The wrapped form some Powercode versions return.
			w.Write([]byte(`{"services":` + string(serv) + `}`))
		default:
			t.Errorf("action %q", action)
		}
	}
}

// cfgFor points at srv; the URL carries the test server's port, so Port is unused.
func cfgFor(srv *httptest.Server) *config.Config {
	c := integtest.Config()
	c.Powercode = config.Defaults().Powercode
	c.Powercode.Enable = true
	c.Powercode.APIKey = apiKey
	c.Powercode.APIURL = srv.URL
	c.IPRanges.IgnoreSubnets = []string{"192.0.2.0/24"} // upstream crashed on blank IPs with this set
	return c
}

var fast = Integration{Timeout: 5 * time.Second, Backoff: func(int) time.Duration { return time.Millisecond }}

// caFile writes the test server's certificate as a PEM file.
func caFile(t *testing.T, srv *httptest.Server) string {
	p := filepath.Join(t.TempDir(), "powercode-ca.pem")
	b := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportGolden(t *testing.T) {
	srv, hits := fakePowercode(t, true, replies(t))
	cfg := cfgFor(srv)
	cfg.Powercode.CAFile = caFile(t, srv)
	res, err := fast.Import(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 {
		t.Errorf("hits = %d, want 2", hits.Load())
	}
	_, f := integtest.CheckOutputs(t, res)
	integtest.Golden(t, "full.network.json", res.NetworkJSON())
	integtest.Golden(t, "full.ShapedDevices.csv", res.ShapedDevicesCSV())

	// The documented example: circuit 123 "Pat Lee" 25/5, device c_123_s__d_55.
	pat := integtest.Row(t, f, "123")
	if pat.Name != "Pat Lee" || pat.DownloadMax != 25 || pat.UploadMax != 5 || pat.DownloadMin != 24.5 || pat.ParentNode != "" {
		t.Errorf("123 = %+v", pat)
	}
	if d := pat.Devices[0]; d.ID != "c_123_s__d_55" || d.Name != "Pat Radio" || d.MAC != "00:11:22:33:44:55" || d.IPv4[0].String() != "100.64.2.3/32" {
		t.Errorf("device = %+v", d)
	}
	// Numeric ids match numeric service ids; company name when no name; the
	// last shaped equipment's service (9: 50/10) gives the rates; a Switch is not shaped.
	acme := integtest.Row(t, f, "124")
	if acme.Name != "Acme Feed & Seed" || acme.DownloadMax != 50 || acme.UploadMax != 10 || len(acme.Devices) != 2 {
		t.Errorf("124 = %+v", acme)
	}
	if c := integtest.Row(t, f, "127"); c.Name != "127" || c.Devices[0].Name != "c_127_s__d_90" {
		t.Errorf("127 = %+v", c)
	}
	for _, gone := range []string{"125", "126", "128", "129"} {
		if f.Circuit(gone) != nil {
			t.Errorf("circuit %s should not be shaped", gone)
		}
	}
	if got := strings.Join(res.Summary.SkippedNoIP, ","); got != "126" {
		t.Errorf("SkippedNoIP = %q, want 126 (blank ip_address)", got)
	}
}

func TestURL(t *testing.T) {
	cases := []struct {
		url  string
		port int
		want string
	}{
		{"https://billing.example.net", 444, "https://billing.example.net:444/api/preseem/index.php"},
		{"https://billing.example.net/", 8443, "https://billing.example.net:8443/api/preseem/index.php"},
		{"billing.example.net", 0, "https://billing.example.net:444/api/preseem/index.php"},
		{"https://billing.example.net:9000", 444, "https://billing.example.net:9000/api/preseem/index.php"},
		{"http://[2001:db8::1]", 444, "http://[2001:db8::1]:444/api/preseem/index.php"},
	}
	for _, tc := range cases {
		got, err := URL(config.Powercode{APIURL: tc.url, Port: tc.port})
		if err != nil || got != tc.want {
			t.Errorf("URL(%q, %d) = %q, %v; want %q", tc.url, tc.port, got, err, tc.want)
		}
	}
	if _, err := URL(config.Powercode{}); err == nil || !strings.Contains(err.Error(), "powercode_api_url is empty") {
		t.Errorf("empty URL: %v", err)
	}
}

// TLS: verification is on by default; a CA file or verify_tls = false are the two ways around a self-signed certificate.
func TestTLS(t *testing.T) {
	srv, _ := fakePowercode(t, true, replies(t))
	bogus := filepath.Join(t.TempDir(), "empty.pem")
	os.WriteFile(bogus, []byte("not a certificate\n"), 0o644)
	cases := []struct {
		name    string
		verify  bool
		ca      string
		wantErr string
	}{
		{"default verifies and refuses a self-signed certificate", true, "", "certificate"},
		{"trusted CA file", true, caFile(t, srv), ""},
		{"verification skipped", false, "", ""},
		{"CA file without certificates", true, bogus, "no PEM certificate found"},
		{"missing CA file", true, filepath.Join(t.TempDir(), "nope.pem"), "ca_file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := cfgFor(srv)
			cfg.Powercode.VerifyTLS = tc.verify
			cfg.Powercode.CAFile = tc.ca
			in := fast
			in.Backoff = func(int) time.Duration { return 0 }
			_, err := in.Import(context.Background(), cfg)
			if tc.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestImportErrors(t *testing.T) {
	cases := []struct {
		name     string
		h        handler
		key      string
		wantErr  string
		wantHits int32
	}{
		{"unauthorized not retried", nil, "wrong-key", "list_customers: HTTP 401", 1},
		{"server error retried 3 times", func(w http.ResponseWriter, r *http.Request, a string, n int32) { w.WriteHeader(500) }, apiKey,
			"powercode: list_customers: HTTP 500 Internal Server Error after 3 attempts", 3},
		{"truncated JSON", func(w http.ResponseWriter, r *http.Request, a string, n int32) {
			w.Write([]byte(`[{"id":"1","status":"Active","equipment":[{"id":`))
		}, apiKey, "list_customers: malformed JSON", 1},
		{"wrong type", func(w http.ResponseWriter, r *http.Request, a string, n int32) {
			w.Write([]byte(`[{"id":"1","status":"Active","equipment":{"id":"2"}}]`))
		}, apiKey, `list_customers: field "equipment"`, 1},
		{"wrong type in services", func(w http.ResponseWriter, r *http.Request, a string, n int32) {
			if a == "list_customers" {
				w.Write([]byte(`[]`))
				return
			}
			w.Write([]byte(`[{"id":"7","rate_down":"fast"}]`))
		}, apiKey, `list_services: field "rate_down"`, 2},
		{"HTML maintenance page", func(w http.ResponseWriter, r *http.Request, a string, n int32) {
			w.Write([]byte(`<html><body>Down for maintenance</body></html>`))
		}, apiKey, "reply is HTML", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, hits := fakePowercode(t, false, func(w http.ResponseWriter, r *http.Request, a string, n int32) {
				if tc.h != nil {
					tc.h(w, r, a, n)
				}
			})
			cfg := cfgFor(srv)
			cfg.Powercode.APIKey = tc.key
			_, err := fast.Import(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), tc.key) || strings.Contains(err.Error(), url.QueryEscape(tc.key)) {
				t.Fatalf("api key in error: %v", err)
			}
			if hits.Load() != tc.wantHits {
				t.Errorf("hits = %d, want %d", hits.Load(), tc.wantHits)
			}
		})
	}
}

func TestSlowReply(t *testing.T) {
	stall := integtest.Stall(t)
	srv, hits := fakePowercode(t, false, func(w http.ResponseWriter, r *http.Request, a string, n int32) { stall(w, r) })
	in := fast
	in.Timeout = 50 * time.Millisecond
	_, err := in.Import(context.Background(), cfgFor(srv))
	if err == nil || !strings.Contains(err.Error(), "list_customers: giving up after 3 attempts: no reply within 50ms") {
		t.Fatalf("error = %v", err)
	}
	if hits.Load() != 3 {
		t.Errorf("hits = %d, want 3", hits.Load())
	}
}

func TestEmptyLists(t *testing.T) {
	srv, _ := fakePowercode(t, false, func(w http.ResponseWriter, r *http.Request, a string, n int32) { w.Write([]byte(`[]`)) })
	res, err := fast.Import(context.Background(), cfgFor(srv))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Circuits) != 0 {
		t.Errorf("circuits = %d", len(res.Circuits))
	}
}

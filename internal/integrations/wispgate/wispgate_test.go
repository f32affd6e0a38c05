package wispgate

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
)

const token = "wg-SECRET-token-99"

type handler func(w http.ResponseWriter, r *http.Request, n int32)

// fakeWISPGate checks the request like the real export: POST, form field api_token.
func fakeWISPGate(t testing.TB, h handler) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != Endpoint {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		if r.FormValue("api_token") != token {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"message":"Unauthenticated. token=` + r.FormValue("api_token") + `"}`))
			return
		}
		h(w, r, n)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func cfgFor(url string) *config.Config {
	c := integtest.Config()
	c.WISPGate = config.WISPGate{Enable: true, APIToken: token, APIURL: url + "/", TimeoutSecs: 120}
	return c
}

var fast = Integration{Timeout: 5 * time.Second, Backoff: func(int) time.Duration { return time.Millisecond }}

func TestImportGolden(t *testing.T) {
	body, err := os.ReadFile("testdata/reply.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := fakeWISPGate(t, func(w http.ResponseWriter, r *http.Request, n int32) { w.Write(body) })
	cfg := cfgFor(srv.URL)
	cfg.UISP.BandwidthOverheadFactor = 1.15 // rates are taken as given: no overhead
	res, err := fast.Import(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, f := integtest.CheckOutputs(t, res)
	integtest.Golden(t, "full.network.json", res.NetworkJSON())
	integtest.Golden(t, "full.ShapedDevices.csv", res.ShapedDevicesCSV())

	cases := []struct {
		id                 string
		dmin, umin, dm, um float64
		devices            int
	}{
		{"C4", 5, 1, 40, 8, 1},       // min and max as given (upstream: min recomputed as 0.98 × max)
		{"C5", 50, 10, 50, 10, 1},    // max missing: min used for each direction (upstream put 10 into the download)
		{"C6", 20, 5, 25.5, 6, 1},    // decimals accepted (upstream dropped the circuit)
		{"C7", 98, 19.6, 100, 20, 2}, // first row's rates; the device without IP is omitted
		{"1001", 1.96, 1.96, 2, 2, 1},
	}
	for _, tc := range cases {
		c := integtest.Row(t, f, tc.id)
		if c.DownloadMin != tc.dmin || c.UploadMin != tc.umin || c.DownloadMax != tc.dm || c.UploadMax != tc.um || len(c.Devices) != tc.devices {
			t.Errorf("%s = %v/%v/%v/%v with %d devices, want %v/%v/%v/%v with %d", tc.id, c.DownloadMin, c.UploadMin, c.DownloadMax, c.UploadMax, len(c.Devices),
				tc.dmin, tc.umin, tc.dm, tc.um, tc.devices)
		}
		if c.ParentNode != "" {
			t.Errorf("%s has parent %q; WISPGate circuits are unparented", tc.id, c.ParentNode)
		}
	}
	c7 := f.Circuit("C7")
	if c7.Devices[0].ID != "wispgate:C7:C7 router" || c7.Devices[1].ID != "wispgate:C7:C7 router#2" {
		t.Errorf("C7 device ids %q %q", c7.Devices[0].ID, c7.Devices[1].ID)
	}
	if d := f.Circuit("1001").Devices[0]; d.ID != "wispgate:1001:aa:bb:cc:00:10:01" || len(d.IPv4) != 2 {
		t.Errorf("1001 device %+v", d)
	}
	for _, gone := range []string{"C8", "C9"} {
		if f.Circuit(gone) != nil {
			t.Errorf("%s should be dropped", gone)
		}
	}
	probs := strings.Join(res.Summary.Problems, "\n")
	for _, want := range []string{`shaped-devices[7]: field "Download Max Mbps"`, `circuit "C9" dropped`, "shaped-devices[9]: no Circuit ID", "C8"} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems lack %q:\n%s", want, probs)
		}
	}
}

// Device ids do not depend on the order of the reply.
func TestStableDeviceIDs(t *testing.T) {
	a := `[{"Circuit ID":"X","Device Name":"r1","IPv4":"100.64.1.1","Download Max Mbps":10,"Upload Max Mbps":2},{"Circuit ID":"Y","Device Name":"r2","IPv4":"100.64.1.2","Download Max Mbps":10,"Upload Max Mbps":2}]`
	b := `[{"Circuit ID":"Z","Device Name":"new","IPv4":"100.64.1.3","Download Max Mbps":10,"Upload Max Mbps":2},{"Circuit ID":"Y","Device Name":"r2","IPv4":"100.64.1.2","Download Max Mbps":10,"Upload Max Mbps":2},{"Circuit ID":"X","Device Name":"r1","IPv4":"100.64.1.1","Download Max Mbps":10,"Upload Max Mbps":2}]`
	ids := func(body string) map[string]string {
		srv, _ := fakeWISPGate(t, func(w http.ResponseWriter, r *http.Request, n int32) { w.Write([]byte(body)) })
		res, err := fast.Import(context.Background(), cfgFor(srv.URL))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, c := range res.Circuits {
			out[c.ID] = c.Devices[0].ID
		}
		return out
	}
	first, second := ids(a), ids(b)
	for _, c := range []string{"X", "Y"} {
		if first[c] != second[c] {
			t.Errorf("circuit %s device id changed: %q → %q", c, first[c], second[c])
		}
	}
}

func TestImportErrors(t *testing.T) {
	cases := []struct {
		name     string
		h        handler
		tok      string
		wantErr  string
		wantHits int32
	}{
		{"unauthorized not retried", nil, "wrong-token", "wispgate: shaped-devices: HTTP 401", 1},
		{"server error retried", func(w http.ResponseWriter, r *http.Request, n int32) { w.WriteHeader(503) }, token, "HTTP 503 Service Unavailable after 3 attempts", 3},
		{"truncated JSON", func(w http.ResponseWriter, r *http.Request, n int32) {
			w.Write([]byte(`[{"Circuit ID":"C1","IPv4":"100.`))
		}, token, "shaped-devices: malformed JSON", 1},
		{"object instead of list", func(w http.ResponseWriter, r *http.Request, n int32) { w.Write([]byte(`{"error":"no"}`)) }, token, "cannot be read as []json.RawMessage", 1},
		{"slow reply", nil, token, "no reply within 50ms", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.h
			in := fast
			if tc.name == "slow reply" {
				stall := integtest.Stall(t)
				h = func(w http.ResponseWriter, r *http.Request, n int32) { stall(w, r) }
				in.Timeout = 50 * time.Millisecond
			}
			srv, hits := fakeWISPGate(t, func(w http.ResponseWriter, r *http.Request, n int32) {
				if h != nil {
					h(w, r, n)
				}
			})
			cfg := cfgFor(srv.URL)
			cfg.WISPGate.APIToken = tc.tok
			_, err := in.Import(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), tc.tok) {
				t.Fatalf("token in error: %v", err)
			}
			if hits.Load() != tc.wantHits {
				t.Errorf("hits = %d, want %d", hits.Load(), tc.wantHits)
			}
		})
	}
}

func TestEmptyAndSettings(t *testing.T) {
	srv, _ := fakeWISPGate(t, func(w http.ResponseWriter, r *http.Request, n int32) { w.Write([]byte(`[]`)) })
	res, err := fast.Import(context.Background(), cfgFor(srv.URL))
	if err != nil || len(res.Circuits) != 0 {
		t.Fatalf("empty list: %v %v", res, err)
	}
	for _, tc := range []struct{ url, tok, want string }{
		{"", token, "wispgate_api_url is empty"},
		{"ftp://x", token, "not an http(s) URL"},
		{srv.URL, "", "wispgate_api_token is empty"},
	} {
		cfg := cfgFor(srv.URL)
		cfg.WISPGate.APIURL, cfg.WISPGate.APIToken = tc.url, tc.tok
		if _, err := fast.Import(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v", tc, err)
		}
	}
}

package netzur

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

const apiKey = "nz-SECRET-key-123"

func server(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, n int32)) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := hits.Add(1)
		if got := r.Header.Get("Authorization"); got != "Bearer "+apiKey {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"bad token ` + got + `"}`))
			return
		}
		handler(w, r, n)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func cfgFor(url string) *config.Config {
	c := integtest.Config()
	c.Netzur = config.Netzur{Enable: true, APIKey: apiKey, APIURL: url + "/api/libreqos", TimeoutSecs: 60}
	c.UISP.ExcludeSites = []string{"excluded zone"}
	return c
}

var fast = Integration{Timeout: 2 * time.Second, Backoff: func(int) time.Duration { return time.Millisecond }}

func TestImportGolden(t *testing.T) {
	body, err := os.ReadFile("testdata/reply.json")
	if err != nil {
		t.Fatal(err)
	}
	srv, hits := server(t, func(w http.ResponseWriter, r *http.Request, n int32) {
		if r.URL.Path != "/api/libreqos" {
			t.Errorf("path %s", r.URL.Path)
		}
		if n == 1 {
			w.WriteHeader(http.StatusBadGateway) // one transient failure is retried
			return
		}
		w.Write(body)
	})
	res, err := fast.Import(context.Background(), cfgFor(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if hits.Load() != 2 {
		t.Errorf("hits = %d, want 2 (502 retried once)", hits.Load())
	}
	nw, f := integtest.CheckOutputs(t, res)
	integtest.Golden(t, "full.network.json", res.NetworkJSON())
	integtest.Golden(t, "full.ShapedDevices.csv", res.ShapedDevicesCSV())

	// The example reply: S1 under North 98/19.6/100/20, S2 under East 9.8/1.96/10/2.
	s1 := integtest.Row(t, f, "netzur_S1")
	if s1.ParentNode != "North" || s1.ParentNodeID != "netzur:zone:7" || s1.DownloadMin != 98 || s1.UploadMin != 19.6 || s1.DownloadMax != 100 || s1.UploadMax != 20 {
		t.Errorf("S1 = %+v", s1)
	}
	s2 := integtest.Row(t, f, "netzur_S2")
	// Fixed: a zone without id still parents its circuits (upstream: empty Parent Node).
	if s2.ParentNode != "East" || s2.ParentNodeID != "netzur:zone-name:east" || s2.DownloadMin != 9.8 || s2.UploadMax != 2 {
		t.Errorf("S2 = %+v", s2)
	}
	if c := integtest.Row(t, f, "netzur_3"); c.Name != "3" || c.ParentNode != "West" {
		t.Errorf("numeric id / case-insensitive zone: %+v", c)
	}
	for _, gone := range []string{"netzur_S4", "netzur_S6"} {
		if f.Circuit(gone) != nil {
			t.Errorf("%s should be skipped", gone)
		}
	}
	if got := strings.Join(res.Summary.SkippedNoIP, ","); got != "netzur_S4" {
		t.Errorf("SkippedNoIP = %s", got)
	}
	// Fixed: zone capacity is not multiplied, missing capacity is the default.
	if n := nw.Find("East"); n == nil || n.DownloadMbps != 1000 {
		t.Errorf("East = %+v", n)
	}
	if n := nw.Find("Excluded Zone"); n != nil {
		t.Error("excluded zone exported")
	}
	probs := strings.Join(res.Summary.Problems, "\n")
	for _, want := range []string{"customers[4]: no subscriber_id", `zone "Nowhere" not found`, `zone "North" listed twice`, "zones[5]: no name"} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems lack %q:\n%s", want, probs)
		}
	}
}

func TestImportErrors(t *testing.T) {
	cases := []struct {
		name     string
		handler  func(w http.ResponseWriter, r *http.Request, n int32)
		key      string
		wantErr  string
		wantHits int32
	}{
		{"unauthorized not retried", nil, "wrong-key", "HTTP 401", 1},
		{"server error retried 3 times", func(w http.ResponseWriter, r *http.Request, n int32) { w.WriteHeader(500) }, apiKey, "HTTP 500 Internal Server Error after 3 attempts", 3},
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request, n int32) { w.Write([]byte(`{"zones":[{"id":1,`)) }, apiKey, "netzur: api_url: malformed JSON", 1},
		{"wrong field type", func(w http.ResponseWriter, r *http.Request, n int32) {
			w.Write([]byte(`{"zones":[],"customers":[{"subscriber_id":"x","download":"fast"}]}`))
		}, apiKey, `field "customers.download"`, 1},
		{"slow reply", func(w http.ResponseWriter, r *http.Request, n int32) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}, apiKey, "no reply within", 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, hits := server(t, func(w http.ResponseWriter, r *http.Request, n int32) {
				if tc.handler != nil {
					tc.handler(w, r, n)
				}
			})
			cfg := cfgFor(srv.URL)
			cfg.Netzur.APIKey = tc.key
			in := fast
			in.Timeout = 5 * time.Second
			if strings.HasPrefix(tc.name, "slow") {
				in.Timeout = 200 * time.Millisecond
			}
			_, err := in.Import(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), tc.key) {
				t.Fatalf("api key in error: %v", err)
			}
			if hits.Load() != tc.wantHits {
				t.Errorf("hits = %d, want %d", hits.Load(), tc.wantHits)
			}
		})
	}
}

func TestMissingSettings(t *testing.T) {
	cfg := cfgFor("http://127.0.0.1:1")
	cfg.Netzur.APIURL = ""
	if _, err := fast.Import(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "api_url") {
		t.Errorf("error = %v", err)
	}
}

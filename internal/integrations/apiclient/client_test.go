package apiclient

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const secret = "s3cr3t-token-value"

func newClient(url string) *Client {
	return &Client{Name: "fake", Timeout: 2 * time.Second, Attempts: 3,
		Backoff: func(int) time.Duration { return time.Millisecond }, Secrets: []string{secret},
		Auth: func(h http.Header) { h.Set("X-Auth-Token", secret) }}
}

func TestRetryPolicy(t *testing.T) {
	cases := []struct {
		name     string
		statuses []int
		wantHits int32
		wantErr  string
	}{
		{"ok", []int{200}, 1, ""},
		{"5xx then ok", []int{502, 503, 200}, 3, ""},
		{"5xx always", []int{500, 500, 500, 500}, 3, "HTTP 500 Internal Server Error after 3 attempts"},
		{"4xx never retried", []int{401, 200}, 1, "HTTP 401 Unauthorized"},
		{"404 never retried", []int{404, 200}, 1, "HTTP 404"},
		{"429 is 4xx", []int{429, 200}, 1, "HTTP 429"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				n := hits.Add(1)
				if r.Header.Get("X-Auth-Token") != secret {
					t.Errorf("auth header missing")
				}
				st := tc.statuses[n-1]
				w.WriteHeader(st)
				// A server that echoes the token in its error page must not leak it.
				w.Write([]byte(`{"ok":true,"echo":"` + secret + `"}`))
			}))
			defer srv.Close()
			_, err := newClient(srv.URL).Do(context.Background(), Request{URL: srv.URL + "/x", Endpoint: "x"})
			if got := hits.Load(); got != tc.wantHits {
				t.Errorf("hits = %d, want %d", got, tc.wantHits)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), secret) {
				t.Fatalf("secret leaked: %v", err)
			}
			if !strings.Contains(err.Error(), "fake: x:") {
				t.Errorf("error does not name integration and endpoint: %v", err)
			}
		})
	}
}

func TestTimeoutRetriedThenFails(t *testing.T) {
	var hits atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newClient(srv.URL)
	c.Timeout = 50 * time.Millisecond
	c.Attempts = 2
	_, err := c.Do(context.Background(), Request{URL: srv.URL + "/slow?key=" + secret, Endpoint: "slow"})
	if err == nil || !strings.Contains(err.Error(), "no reply within") || !strings.Contains(err.Error(), "after 2 attempts") {
		t.Fatalf("error = %v", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("secret leaked: %v", err)
	}
	if hits.Load() != 2 {
		t.Errorf("hits = %d, want 2", hits.Load())
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	hit := make(chan struct{}, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(503)
		select {
		case hit <- struct{}{}:
		default:
		}
	}))
	defer srv.Close()
	c := newClient(srv.URL)
	c.Backoff = func(int) time.Duration { return time.Hour }
	ctx, cancel := context.WithCancel(context.Background())
	// Cancelled once the first attempt has failed: the client is then in
	// its hour-long backoff, which the cancel must cut short.
	go func() { <-hit; cancel() }()
	_, err := c.Do(ctx, Request{URL: srv.URL, Endpoint: "e"})
	if err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("error = %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	type row struct {
		ID    Str  `json:"id"`
		Speed Num  `json:"speed"`
		AP    Bool `json:"ap"`
		Inner struct {
			N int `json:"n"`
		} `json:"inner"`
	}
	cases := []struct {
		body string
		want string
	}{
		{`[{"id":1,"speed":"abc"}]`, `field "speed"`},
		{`[{"id":1,"inner":{"n":"x"}}]`, `field "inner.n"`},
		{`[{"id":{"a":1}}]`, `field "id"`},
		{`[{"id":1,"ap":"maybe"}]`, `field "ap"`},
		{`[{"id":1,`, "malformed JSON"},
		{`<html>login</html>`, "reply is HTML"},
		{``, "empty reply"},
		{`{"not":"a list"}`, "cannot be read as"},
	}
	for _, tc := range cases {
		var v []row
		err := newClient("").Decode("admin/things", []byte(tc.body), &v)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "fake: admin/things") {
			t.Errorf("%s: error = %v, want %q", tc.body, err, tc.want)
		}
	}
	var v []row
	if err := DecodeJSON("e", []byte(`[{"id":"7","speed":"100000","ap":"1"},{"id":12,"speed":5.5,"ap":false},{"id":null,"speed":"","ap":null}]`), &v); err != nil {
		t.Fatal(err)
	}
	if v[0].ID != "7" || v[0].Speed.V != 100000 || !v[0].AP.V || v[1].ID != "12" || v[1].Speed.V != 5.5 || v[1].AP.V || v[2].ID.ID() != "" || v[2].Speed.Set {
		t.Errorf("flexible decode: %+v", v)
	}
}

func TestStrList(t *testing.T) {
	var l struct{ A, B, C StrList }
	if err := DecodeJSON("e", []byte(`{"A":"1.1.1.1, 2.2.2.2,1.1.1.1,","B":["3.3.3.3",4],"C":null}`), &l); err != nil {
		t.Fatal(err)
	}
	if strings.Join(l.A, "|") != "1.1.1.1|2.2.2.2" || strings.Join(l.B, "|") != "3.3.3.3|4" || l.C != nil {
		t.Errorf("%+v", l)
	}
}

func TestLogsAreRedacted(t *testing.T) {
	var buf strings.Builder
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(502)
		w.Write([]byte("upstream said: token " + secret))
	}))
	defer srv.Close()
	c := newClient(srv.URL)
	c.Log = slog.New(slog.NewTextHandler(&buf, nil))
	_, err := c.Do(context.Background(), Request{URL: srv.URL, Endpoint: "e"})
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(buf.String(), "retrying") {
		t.Fatalf("no retry log: %s", buf.String())
	}
	if strings.Contains(buf.String(), secret) || strings.Contains(err.Error(), secret) {
		t.Fatalf("secret leaked:\nlog: %s\nerr: %v", buf.String(), err)
	}
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("expected a redaction marker: %v", err)
	}
}

package webui_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/libreqos-go/lqos/internal/webui/demosource"
	"golang.org/x/crypto/bcrypt"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type env struct {
	srv   *webui.Server
	ts    *httptest.Server
	src   *demosource.Source
	clock *clock
	users string
}

func newEnv(t *testing.T, mod func(*webui.Config)) *env {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	src := demosource.New(7)
	src.SetNow(clk.Now)
	cfg := webui.Config{
		UsersFile:    filepath.Join(t.TempDir(), "users.json"),
		Source:       src,
		BcryptCost:   bcrypt.MinCost,
		FastInterval: 50 * time.Millisecond,
		SlowInterval: 100 * time.Millisecond,
		Now:          clk.Now,
		Logger:       discardLogger(),
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := webui.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { ts.Close(); srv.Close() })
	return &env{srv: srv, ts: ts, src: src, clock: clk, users: cfg.UsersFile}
}

// client is a browser-like HTTP client: cookie jar, same-origin Origin
// header and the CSRF token once logged in.
type client struct {
	base string
	hc   *http.Client
	csrf string
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{base: e.ts.URL, hc: &http.Client{
		Jar:           jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

type resp struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response %d is not a JSON object: %v: %s", r.Status, err, r.Body)
	}
	return m
}

func (r resp) reason(t *testing.T) string {
	t.Helper()
	s, _ := r.json(t)["reason"].(string)
	return s
}

// do sends a request with Origin = base and the CSRF header (if known).
func (c *client) do(t *testing.T, method, path string, body any, hdr map[string]string) resp {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Origin", c.base)
	if c.csrf != "" {
		req.Header.Set("X-CSRF-Token", c.csrf)
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Header: res.Header, Body: b}
}

// login logs in and fetches the CSRF token; returns the login status.
func (c *client) login(t *testing.T, user, pass string) int {
	t.Helper()
	r := c.do(t, "POST", "/api/login", map[string]string{"username": user, "password": pass}, nil)
	if r.Status == http.StatusOK {
		s := c.do(t, "GET", "/api/session", nil, nil)
		if s.Status != http.StatusOK {
			t.Fatalf("session after login: %d %s", s.Status, s.Body)
		}
		c.csrf = s.json(t)["csrf_token"].(string)
	}
	return r.Status
}

func (c *client) cookie(name string) *http.Cookie {
	req, _ := http.NewRequest("GET", c.base, nil)
	for _, ck := range c.hc.Jar.Cookies(req.URL) {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

const (
	adminPass = "correct-horse-1"
	roPass    = "read-only-pass-1"
)

// setup creates admin "admin" (via first run) and read-only "viewer" and
// returns logged-in clients for both.
func (e *env) setup(t *testing.T) (admin, viewer *client) {
	t.Helper()
	admin = e.client()
	r := admin.do(t, "POST", "/api/first-run", map[string]string{"username": "admin", "password": adminPass}, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("first run: %d %s", r.Status, r.Body)
	}
	if st := admin.login(t, "admin", adminPass); st != http.StatusOK {
		t.Fatalf("admin login: %d", st)
	}
	r = admin.do(t, "POST", "/api/users", map[string]string{"username": "viewer", "password": roPass, "role": "readonly"}, nil)
	if r.Status != http.StatusCreated {
		t.Fatalf("create viewer: %d %s", r.Status, r.Body)
	}
	viewer = e.client()
	if st := viewer.login(t, "viewer", roPass); st != http.StatusOK {
		t.Fatalf("viewer login: %d", st)
	}
	return admin, viewer
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

package webui_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
)

func TestFirstRunFromLoopback(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()

	st := c.do(t, "GET", "/api/setup-status", nil, nil).json(t)
	if st["first_run"] != true || st["token_required"] != false {
		t.Fatalf("setup-status from loopback = %v, want first_run and no token", st)
	}
	for _, p := range []string{"/", "/index.html", "/login.html"} {
		r := c.do(t, "GET", p, nil, nil)
		loc := r.Header.Get("Location")
		if p != "/" && (r.Status != http.StatusSeeOther || loc != "/first-run.html") {
			t.Errorf("GET %s with no users = %d Location %q, want 303 /first-run.html", p, r.Status, loc)
		}
	}
	if r := c.do(t, "GET", "/first-run.html", nil, nil); r.Status != http.StatusOK || !contains(string(r.Body), "first-run-form") {
		t.Fatalf("GET /first-run.html = %d", r.Status)
	}
	if e.srv.SetupToken() == "" {
		t.Fatal("no setup token generated while there are no users")
	}
	r := c.do(t, "POST", "/api/first-run", map[string]string{"username": "admin", "password": adminPass}, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("first run: %d %s", r.Status, r.Body)
	}
	// The first run logs the new admin in.
	if r := c.do(t, "GET", "/api/session", nil, nil); r.Status != http.StatusOK || r.json(t)["role"] != "admin" {
		t.Fatalf("session after first run: %d %s", r.Status, r.Body)
	}
	if e.srv.SetupToken() != "" {
		t.Error("setup token still valid after the first admin was created")
	}
	// A second first run is refused and the page redirects away.
	r = e.client().do(t, "POST", "/api/first-run", map[string]string{"username": "mallory", "password": "whatever-123"}, nil)
	if r.Status != http.StatusConflict || r.reason(t) != "already_configured" {
		t.Errorf("second first run = %d %s, want 409 already_configured", r.Status, r.Body)
	}
	if r := e.client().do(t, "GET", "/first-run.html", nil, nil); r.Status != http.StatusSeeOther {
		t.Errorf("GET /first-run.html after setup = %d, want 303", r.Status)
	}

	fi, err := os.Stat(e.users)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("users file mode = %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(e.users)
	if strings.Contains(string(b), adminPass) || !strings.Contains(string(b), `"$2a$`) {
		t.Errorf("users file does not hold only a bcrypt hash:\n%s", b)
	}
}

// serveAs sends a request through the handler as if from remote address ip.
func serveAs(h http.Handler, ip, method, path, body string) *httptest.ResponseRecorder {
	return serveAsHost(h, ip, "10.1.1.1:9123", method, path, body)
}

func serveAsHost(h http.Handler, ip, host, method, path, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "http://"+host+path, strings.NewReader(body))
	req.RemoteAddr = ip + ":40000"
	req.Header.Set("Origin", "http://"+host)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestFirstRunRemoteNeedsToken(t *testing.T) {
	e := newEnv(t, nil)
	h := e.srv.Handler()
	tok := e.srv.SetupToken()
	cases := []struct {
		name, ip, token string
		want            int
	}{
		{"public IP without token", "203.0.113.9", "", http.StatusForbidden},
		{"public IP wrong token", "203.0.113.9", "wrong", http.StatusForbidden},
		{"spoofed-looking IPv6", "2001:db8::1", tok + "x", http.StatusForbidden},
		{"public IP right token", "203.0.113.9", tok, http.StatusOK},
	}
	for _, tc := range cases {
		body := `{"username":"admin","password":"` + adminPass + `","token":"` + tc.token + `"}`
		rec := serveAs(h, tc.ip, "POST", "/api/first-run", body)
		if rec.Code != tc.want {
			t.Errorf("%s: status %d (%s), want %d", tc.name, rec.Code, rec.Body, tc.want)
		}
	}
	if e.srv.SetupToken() != "" {
		t.Error("token must be single use")
	}
}

func TestFirstRunValidation(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	cases := []struct {
		name string
		body any
		want int
	}{
		{"empty username", map[string]string{"username": "", "password": adminPass}, 400},
		{"short password", map[string]string{"username": "admin", "password": "short"}, 400},
		{"markup in username", map[string]string{"username": "<b>x</b>", "password": adminPass}, 400},
		{"unknown field", map[string]string{"username": "admin", "password": adminPass, "role": "x"}, 400},
	}
	for _, tc := range cases {
		if r := c.do(t, "POST", "/api/first-run", tc.body, nil); r.Status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Body, tc.want)
		}
	}
	if e.srv.SetupToken() == "" {
		t.Error("failed first runs must not consume the setup token")
	}
}

func TestLoginWrongPasswordAndRateLimit(t *testing.T) {
	e := newEnv(t, nil)
	e.setup(t)
	c := e.client()
	for i := 1; i <= 5; i++ {
		r := c.do(t, "POST", "/api/login", map[string]string{"username": "admin", "password": "nope-nope"}, nil)
		if r.Status != http.StatusUnauthorized || r.reason(t) != "invalid_credentials" {
			t.Fatalf("wrong password #%d: %d %s", i, r.Status, r.Body)
		}
	}
	// Unknown users answer exactly like wrong passwords (no enumeration).
	r := e.client().do(t, "POST", "/api/login", map[string]string{"username": "ghost", "password": "nope-nope"}, map[string]string{})
	if r.Status != http.StatusTooManyRequests {
		// same IP (loopback) is already blocked
		t.Fatalf("6th failure from same IP = %d, want 429", r.Status)
	}
	if st := c.login(t, "admin", adminPass); st != http.StatusTooManyRequests {
		t.Fatalf("correct password while blocked = %d, want 429", st)
	}
	// The guesser's failures do not lock out the real admin elsewhere.
	h := e.srv.Handler()
	if rec := serveAs(h, "198.51.100.4", "POST", "/api/login", `{"username":"viewer","password":"`+roPass+`"}`); rec.Code != http.StatusOK {
		t.Errorf("other IP, other user = %d, want 200", rec.Code)
	}
	if rec := serveAs(h, "198.51.100.4", "POST", "/api/login", `{"username":"ADMIN","password":"`+adminPass+`"}`); rec.Code != http.StatusOK {
		t.Errorf("other IP, name the guesser failed on = %d, want 200", rec.Code)
	}
	e.clock.Add(61 * time.Second)
	if st := c.login(t, "admin", adminPass); st != http.StatusOK {
		t.Fatalf("login after the window = %d, want 200", st)
	}
}

func TestCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		e := newEnv(t, func(c *webui.Config) { c.SecureCookies = secure })
		rec := e.client().do(t, "POST", "/api/first-run", map[string]string{"username": "admin", "password": adminPass}, nil)
		sc := rec.Header.Get("Set-Cookie")
		for _, want := range []string{"lqos_session=", "HttpOnly", "SameSite=Strict", "Path=/"} {
			if !strings.Contains(sc, want) {
				t.Errorf("secure=%v: Set-Cookie %q lacks %q", secure, sc, want)
			}
		}
		if strings.Contains(sc, "Secure") != secure {
			t.Errorf("secure=%v: Set-Cookie %q has wrong Secure flag", secure, sc)
		}
		if hsts := rec.Header.Get("Strict-Transport-Security"); (hsts != "") != secure {
			t.Errorf("secure=%v: HSTS %q", secure, hsts)
		}
	}
}

func TestLogoutRevokesSession(t *testing.T) {
	e := newEnv(t, nil)
	admin, _ := e.setup(t)
	old := admin.cookie("lqos_session")
	if old == nil {
		t.Fatal("no session cookie")
	}
	if r := admin.do(t, "POST", "/api/logout", nil, nil); r.Status != http.StatusOK {
		t.Fatalf("logout: %d %s", r.Status, r.Body)
	}
	// Replaying the old cookie value must fail: the server forgot it.
	replay := e.client()
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/session", nil)
	req.AddCookie(&http.Cookie{Name: "lqos_session", Value: old.Value})
	res, err := replay.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("old session after logout = %d, want 401", res.StatusCode)
	}
	if r := admin.do(t, "GET", "/index.html", nil, nil); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login.html" {
		t.Errorf("dashboard after logout = %d %q, want redirect to login", r.Status, r.Header.Get("Location"))
	}
}

func TestSessionExpiry(t *testing.T) {
	e := newEnv(t, func(c *webui.Config) { c.SessionIdle = time.Hour; c.SessionMax = 3 * time.Hour })
	admin, _ := e.setup(t)
	e.clock.Add(50 * time.Minute)
	if r := admin.do(t, "GET", "/api/session", nil, nil); r.Status != 200 {
		t.Fatalf("session within idle window = %d", r.Status)
	}
	e.clock.Add(61 * time.Minute)
	if r := admin.do(t, "GET", "/api/session", nil, nil); r.Status != 401 {
		t.Fatalf("session after idle timeout = %d, want 401", r.Status)
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t, nil)
	admin, _ := e.setup(t)
	base := e.ts.URL
	cases := []struct {
		name string
		hdr  map[string]string
		want int
	}{
		{"same origin with token", nil, 200},
		{"referer only with token", map[string]string{"Origin": "", "Referer": base + "/index.html"}, 200},
		{"no origin no referer", map[string]string{"Origin": "", "Referer": ""}, 403},
		{"cross origin", map[string]string{"Origin": "http://evil.example"}, 403},
		{"cross-origin referer", map[string]string{"Origin": "", "Referer": "http://evil.example/x"}, 403},
		{"null origin", map[string]string{"Origin": "null"}, 403},
		{"missing token", map[string]string{"X-CSRF-Token": ""}, 403},
		{"wrong token", map[string]string{"X-CSRF-Token": "AAAA"}, 403},
	}
	for _, tc := range cases {
		r := admin.do(t, "POST", "/api/urgent/ack-all", nil, tc.hdr)
		if r.Status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, r.Status, r.Body, tc.want)
		}
	}
	// Login itself is origin-checked too (login CSRF).
	r := e.client().do(t, "POST", "/api/login", map[string]string{"username": "admin", "password": adminPass},
		map[string]string{"Origin": "http://evil.example"})
	if r.Status != http.StatusForbidden {
		t.Errorf("cross-origin login = %d, want 403", r.Status)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	for _, p := range []string{"/first-run.html", "/assets/app.css", "/no-such-thing", "/api/session"} {
		r := c.do(t, "GET", p, nil, nil)
		csp := r.Header.Get("Content-Security-Policy")
		var script string
		for _, d := range strings.Split(csp, ";") {
			if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src") {
				script = d
			}
		}
		if script != "script-src 'self'" {
			t.Errorf("%s: script-src = %q, want only 'self'", p, script)
		}
		if !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("%s: CSP %q lacks frame-ancestors", p, csp)
		}
		for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", p, k, got, want)
			}
		}
		if r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: CORS header present", p)
		}
	}
}

func TestAssetsAllowList(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	cases := []struct {
		path string
		want int
	}{
		{"/" + builtAsset(t, "app-*.css"), 200},
		{"/" + builtAsset(t, "dashboard-*.js"), 200},
		{"/assets/app.css", 404}, // only content-hashed names exist
		{"/assets/", 404},
		{"/assets/../index.html", 307}, // ServeMux cleans the path by redirecting
		{"/web.go", 404},
		{"/health", 200},
		{"/index.html", 303},
	}
	for _, tc := range cases {
		if r := c.do(t, "GET", tc.path, nil, nil); r.Status != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, r.Status, tc.want)
		}
	}
}

func TestAssetsGzip(t *testing.T) {
	e := newEnv(t, nil)
	req, _ := http.NewRequest("GET", e.ts.URL+"/"+builtAsset(t, "dashboard-*.js"), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Content-Encoding") != "gzip" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") {
		t.Errorf("index.js: encoding %q type %q, want gzip JavaScript", res.Header.Get("Content-Encoding"), res.Header.Get("Content-Type"))
	}
	// Fonts are already compressed and are sent as they are.
	plain := e.client().do(t, "GET", "/"+builtAsset(t, "app-*.css"), nil, map[string]string{"Accept-Encoding": "identity"})
	if plain.Header.Get("Content-Encoding") != "" || !strings.Contains(string(plain.Body), "--redact") {
		t.Errorf("identity request got encoding %q", plain.Header.Get("Content-Encoding"))
	}
}

package webui_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/libreqos-go/lqos/internal/webui/demosource"
	"golang.org/x/crypto/bcrypt"
)

// FuzzAPIBodies sends arbitrary JSON bodies (and path values) to every
// route that reads one, as a logged-in admin: the answer is never a 500 or
// a panic, always a JSON object with a reason when it is an error, and a
// failed request changes nothing.
func FuzzAPIBodies(f *testing.F) {
	srv, err := webui.New(webui.Config{
		UsersFile: filepath.Join(f.TempDir(), "users.json"), Source: demosource.New(5),
		BcryptCost: bcrypt.MinCost, Logger: discardLogger(),
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	send := func(ip, method, path, body, cookie, csrf string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "http://127.0.0.1:9123"+path, strings.NewReader(body))
		req.RemoteAddr = ip + ":40000"
		req.Header.Set("Origin", "http://127.0.0.1:9123")
		req.Header.Set("Content-Type", "application/json")
		if cookie != "" {
			req.Header.Set("Cookie", cookie)
			req.Header.Set("X-CSRF-Token", csrf)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	first := send("127.0.0.1", "POST", "/api/first-run", `{"username":"admin","password":"correct-horse-1","token":"`+srv.SetupToken()+`"}`, "", "")
	if first.Code != 200 {
		f.Fatalf("first run: %d %s", first.Code, first.Body)
	}
	cookie := strings.SplitN(first.Header().Get("Set-Cookie"), ";", 2)[0]
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	json.Unmarshal(send("127.0.0.1", "GET", "/api/session", "", cookie, "x").Body.Bytes(), &sess)

	routes := []struct{ method, path string }{
		{"POST", "/api/login"}, {"POST", "/api/first-run"}, {"POST", "/api/users"},
		{"DELETE", "/api/users/%s"}, {"POST", "/api/urgent/%s/ack"}, {"POST", "/api/urgent/ack-all"},
	}
	for i := range routes {
		f.Add(uint8(i), `{"username":"bob","password":"secret-pass-1","role":"readonly"}`, "bob")
	}
	f.Add(uint8(0), `{"username":"admin","password":"x"} {}`, "")
	f.Add(uint8(2), `{"username":"`+strings.Repeat("a", 200)+`","password":1}`, "%2e%2e")
	f.Add(uint8(4), `null`, "18446744073709551616")
	n := 0
	f.Fuzz(func(t *testing.T, which uint8, body, pathValue string) {
		rt := routes[int(which)%len(routes)]
		path := rt.path
		if strings.Contains(path, "%s") {
			path = fmt.Sprintf(path, urlPathEscape(pathValue))
		}
		n++
		ip := fmt.Sprintf("10.%d.%d.1", n>>8&255, n&255) // fresh address: the login limit is not what is fuzzed
		rec := send(ip, rt.method, path, body, cookie, sess.CSRF)
		if rec.Code >= 500 && rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("%s %s %q: %d %s", rt.method, path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed {
			var e struct {
				Reason string `json:"reason"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Reason == "" {
				t.Fatalf("%s %s: error %d without a JSON reason: %s", rt.method, path, rec.Code, rec.Body)
			}
		}
		if rec.Code == http.StatusCreated { // a user was created: remove it again
			var u struct {
				Username string `json:"username"`
			}
			json.Unmarshal(rec.Body.Bytes(), &u)
			send(ip, "DELETE", "/api/users/"+urlPathEscape(u.Username), "", cookie, sess.CSRF)
		}
		// The admin session survives whatever was sent.
		if r := send("127.0.0.1", "GET", "/api/session", "", cookie, sess.CSRF); r.Code != 200 {
			t.Fatalf("admin session lost after %s %s %q: %d", rt.method, path, body, r.Code)
		}
	})
}

func urlPathEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

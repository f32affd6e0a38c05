package webui_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestEveryRouteByRole walks the server's own route table, so a route added
// later is covered automatically, and checks each role against its access
// level: anonymous callers get 401 (or a redirect for pages), read-only
// users get 403 on admin routes, admins are never refused.
func TestEveryRouteByRole(t *testing.T) {
	e := newEnv(t, nil)
	e.setup(t)
	routes := e.srv.Routes()
	admins := 0
	for _, rt := range routes {
		if rt.Access == "admin" {
			admins++
		}
	}
	if admins < 5 {
		t.Fatalf("route table has %d admin routes, want ≥ 5: %v", admins, routes)
	}
	concrete := strings.NewReplacer("{$}", "", "{id}", "1", "{username}", "nobody")
	for _, rt := range routes {
		path := concrete.Replace(rt.Path)
		if path == "/assets/" {
			path = "/assets/app.css"
		}
		for _, role := range []string{"anonymous", "readonly", "admin"} {
			t.Run(rt.Method+" "+rt.Path+" as "+role, func(t *testing.T) {
				c := e.client()
				switch role {
				case "readonly":
					c.login(t, "viewer", roPass)
				case "admin":
					c.login(t, "admin", adminPass)
				}
				var body any
				if rt.Method != "GET" {
					body = map[string]string{}
				}
				r := c.do(t, rt.Method, path, body, nil)
				reason := ""
				if strings.HasPrefix(string(r.Body), "{") {
					reason = r.reason(t)
				}
				denied := r.Status == http.StatusForbidden || (r.Status == http.StatusUnauthorized && reason == "unauthenticated")
				switch {
				case rt.Access == "public":
					if denied {
						t.Errorf("public route denied: %d %s", r.Status, r.Body)
					}
				case role == "anonymous" && rt.Access == "page":
					if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login.html" {
						t.Errorf("anonymous page: %d Location %q, want 303 /login.html", r.Status, r.Header.Get("Location"))
					}
				case role == "anonymous":
					if r.Status != http.StatusUnauthorized || reason != "unauthenticated" {
						t.Errorf("anonymous: %d %s, want 401 unauthenticated", r.Status, r.Body)
					}
				case role == "readonly" && rt.Access == "admin":
					if r.Status != http.StatusForbidden || reason != "forbidden" {
						t.Errorf("read-only on admin route: %d %s, want 403 forbidden", r.Status, r.Body)
					}
				default:
					if denied || r.Status == http.StatusUnauthorized {
						t.Errorf("%s refused: %d %s", role, r.Status, r.Body)
					}
				}
			})
		}
	}
}

func TestUrgentAckAdminOnly(t *testing.T) {
	e := newEnv(t, nil)
	admin, viewer := e.setup(t)
	list := viewer.do(t, "GET", "/api/urgent", nil, nil).json(t)
	issues := list["issues"].([]any)
	if len(issues) != 1 || list["can_ack"] != false {
		t.Fatalf("viewer list = %v, want 1 issue and can_ack=false", list)
	}
	if r := viewer.do(t, "POST", "/api/urgent/1/ack", nil, nil); r.Status != http.StatusForbidden {
		t.Fatalf("viewer ack = %d, want 403", r.Status)
	}
	if n := len(e.src.Acks()); n != 0 {
		t.Fatalf("viewer's refused ack reached the source: %v", e.src.Acks())
	}
	e.src.AddUrgent(webuiIssue("BAKERY_PASSTHROUGH_DEGRADED", false))
	cases := []struct {
		path string
		want int
	}{
		{"/api/urgent/1/ack", 200},
		{"/api/urgent/1/ack", 404},
		{"/api/urgent/2/ack", 409},
		{"/api/urgent/x/ack", 400},
	}
	for _, tc := range cases {
		if r := admin.do(t, "POST", tc.path, nil, nil); r.Status != tc.want {
			t.Errorf("admin POST %s = %d %s, want %d", tc.path, r.Status, r.Body, tc.want)
		}
	}
	if got := e.src.Acks(); len(got) != 1 || got[0] != "1 by admin" {
		t.Errorf("acks = %v, want [1 by admin]", got)
	}
}

func TestUsersAPI(t *testing.T) {
	e := newEnv(t, nil)
	admin, viewer := e.setup(t)
	r := admin.do(t, "POST", "/api/users", map[string]string{"username": "viewer", "password": roPass, "role": "admin"}, nil)
	if r.Status != http.StatusConflict {
		t.Errorf("re-creating an existing user = %d, want 409 (no silent upsert)", r.Status)
	}
	if r := admin.do(t, "POST", "/api/users", map[string]string{"username": "x", "password": roPass, "role": "root"}, nil); r.Status != 400 {
		t.Errorf("bad role = %d, want 400", r.Status)
	}
	r = admin.do(t, "GET", "/api/users", nil, nil)
	if r.Status != 200 || strings.Contains(string(r.Body), "hash") || strings.Contains(string(r.Body), "$2a$") {
		t.Errorf("user list leaks hashes or failed: %d %s", r.Status, r.Body)
	}
	if r := admin.do(t, "DELETE", "/api/users/admin", nil, nil); r.Status != http.StatusConflict {
		t.Errorf("deleting the last admin = %d, want 409", r.Status)
	}
	if r := admin.do(t, "DELETE", "/api/users/viewer", nil, nil); r.Status != 200 {
		t.Fatalf("deleting viewer = %d %s", r.Status, r.Body)
	}
	if r := viewer.do(t, "GET", "/api/session", nil, nil); r.Status != http.StatusUnauthorized {
		t.Errorf("deleted user's session = %d, want 401", r.Status)
	}
}

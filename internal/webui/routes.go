package webui

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// Access levels of routes.
type access int

const (
	// accessPublic: no session needed (login, first run, assets, health).
	accessPublic access = iota
	// accessPage: an HTML page; without a session the browser is redirected.
	accessPage
	// accessRead: any logged-in user.
	accessRead
	// accessAdmin: admins only.
	accessAdmin
)

// route is one entry of the route table. Every handler is reached only
// through wrap, which enforces the access level and CSRF rules, so the table
// is the single place to review who may call what.
type route struct {
	method  string
	path    string // ServeMux pattern path
	access  access
	handler func(http.ResponseWriter, *http.Request, *reqAuth)
}

// reqAuth is the authenticated caller (nil fields for public routes).
type reqAuth struct {
	token string
	sess  Session
}

const (
	cookieName = "lqos_session"
	csrfHeader = "X-CSRF-Token"
)

func (s *Server) routeTable() []route {
	return append(append(s.pageRoutes(), s.configRoutes()...), []route{
		{"GET", "/{$}", accessPublic, s.handleRoot},
		{"GET", "/health", accessPublic, s.handleHealth},
		{"GET", "/metrics", accessPublic, s.handleMetrics},
		{"GET", "/login.html", accessPublic, s.handleLoginPage},
		{"GET", "/first-run.html", accessPublic, s.handleFirstRunPage},
		{"GET", "/assets/", accessPublic, s.handleAssetFiles},
		{"GET", "/api/setup-status", accessPublic, s.handleSetupStatus},
		{"POST", "/api/login", accessPublic, s.handleLogin},
		{"POST", "/api/first-run", accessPublic, s.handleFirstRun},

		{"GET", "/api/session", accessRead, s.handleSession},
		{"POST", "/api/logout", accessRead, s.handleLogout},
		{"GET", "/api/dashboard", accessRead, s.handleDashboard},
		{"GET", "/api/throughput/history", accessRead, s.handleThroughputHistory},
		{"GET", "/api/scheduler", accessRead, s.handleScheduler},
		{"GET", "/api/urgent", accessRead, s.handleUrgentList},
		{"GET", "/ws", accessRead, s.handleWebsocket},
		{"GET", "/api/tree", accessRead, s.handleTree},
		{"GET", "/api/node", accessRead, s.handleNode},
		{"GET", "/api/circuit", accessRead, s.handleCircuit},
		{"GET", "/api/history", accessRead, s.handleHistory},
		{"GET", "/api/cpu", accessRead, s.handleCPU},
		{"GET", "/api/devices", accessRead, s.handleDevices},
		{"GET", "/api/unknown", accessRead, s.handleUnknown},
		{"GET", "/api/unknown.csv", accessRead, s.handleUnknownCSV},
		{"GET", "/api/search", accessRead, s.handleSearch},
		{"GET", "/api/asn", accessRead, s.handleASN},
		{"GET", "/api/asn/flows", accessRead, s.handleASNFlows},
		{"GET", "/api/flowmap", accessRead, s.handleFlowMap},
		{"GET", "/api/sitemap", accessRead, s.handleSiteMap},
		{"GET", "/api/about", accessRead, s.handleAbout},

		{"POST", "/api/urgent/{id}/ack", accessAdmin, s.handleUrgentAck},
		{"POST", "/api/urgent/ack-all", accessAdmin, s.handleUrgentAckAll},
		{"GET", "/api/users", accessAdmin, s.handleUsersList},
		{"POST", "/api/users", accessAdmin, s.handleUsersCreate},
		{"DELETE", "/api/users/{username}", accessAdmin, s.handleUsersDelete},
	}...)
}

func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes {
		mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	return s.securityHeaders(mux)
}

func isStateChanging(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// wrap enforces, in order: session (401 or redirect), same-origin for
// state-changing requests (403), the CSRF token (403) and the role (403).
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a *reqAuth
		if c, err := r.Cookie(cookieName); err == nil {
			if sess, ok := s.sessions.get(c.Value); ok {
				a = &reqAuth{token: c.Value, sess: sess}
			}
		}
		if rt.access != accessPublic && a == nil {
			if rt.access == accessPage {
				s.redirectToLogin(w, r)
				return
			}
			writeErr(w, http.StatusUnauthorized, "unauthenticated", "Please log in.")
			return
		}
		if isStateChanging(r.Method) {
			if !sameOrigin(r) {
				writeErr(w, http.StatusForbidden, "bad_origin", "Cross-origin request refused.")
				return
			}
			if rt.access != accessPublic && !tokensEqual(r.Header.Get(csrfHeader), a.sess.CSRF) {
				writeErr(w, http.StatusForbidden, "bad_csrf", "Missing or wrong CSRF token; reload the page.")
				return
			}
		}
		if rt.access == accessAdmin && !a.sess.Role.atLeast(RoleAdmin) {
			writeErr(w, http.StatusForbidden, "forbidden", "Only administrators can do this.")
			return
		}
		rt.handler(w, r, a)
	})
}

// sameOrigin checks Origin, or Referer when Origin is absent, against the
// Host the request was sent to. Requests carrying neither are refused.
func sameOrigin(r *http.Request) bool {
	src := r.Header.Get("Origin")
	if src == "" {
		src = r.Header.Get("Referer")
	}
	if src == "" || src == "null" {
		return false
	}
	u, err := url.Parse(src)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}

func (s *Server) redirectToLogin(w http.ResponseWriter, r *http.Request) {
	if s.users.Empty() {
		http.Redirect(w, r, "/first-run.html", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/login.html", http.StatusSeeOther)
}

// securityHeaders sets headers on every response, errors included.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	// Scripts only from our own origin (no inline scripts or eval); styles
	// allow inline because Bootstrap and ECharts set style attributes.
	const csp = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; " +
		"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; " +
		"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if s.cfg.SecureCookies {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}

// sourceCtx bounds a Source call.
func (s *Server) sourceCtx(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), sourceTimeout)
}

// handleMetrics serves Config.Metrics (404 when lqosd has none).
func (s *Server) handleMetrics(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	if s.cfg.Metrics == nil {
		http.NotFound(w, r)
		return
	}
	s.cfg.Metrics.ServeHTTP(w, r)
}

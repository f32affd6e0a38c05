package webui

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/audit"
)

const (
	sourceTimeout = 3 * time.Second
	maxBodyBytes  = 16 << 10
)

type apiError struct {
	OK      bool   `json:"ok"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, status int, reason, msg string) {
	writeJSON(w, status, apiError{OK: false, Reason: reason, Message: msg})
}

// decodeJSON reads a small JSON body into v; errors name the field.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeErr(w, http.StatusUnsupportedMediaType, "bad_request", "Content-Type must be application/json.")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		msg := "invalid JSON body: " + err.Error()
		if errors.As(err, &te) {
			msg = fmt.Sprintf("invalid JSON body: field %q: want %s", te.Field, te.Type)
		}
		writeErr(w, http.StatusBadRequest, "bad_request", msg)
		return false
	}
	if dec.More() {
		writeErr(w, http.StatusBadRequest, "bad_request", "invalid JSON body: trailing data")
		return false
	}
	return true
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ---- pages and assets ----

func (s *Server) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	b, err := fs.ReadFile(s.assets, name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(b)
}

func (s *Server) handleRoot(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	http.Redirect(w, r, "/index.html", http.StatusSeeOther)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "OK")
}

func (s *Server) handleLoginPage(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	if s.users.Empty() {
		http.Redirect(w, r, "/first-run.html", http.StatusSeeOther)
		return
	}
	s.serveFile(w, r, "login.html")
}

func (s *Server) handleFirstRunPage(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	if !s.users.Empty() {
		http.Redirect(w, r, "/login.html", http.StatusSeeOther)
		return
	}
	s.serveFile(w, r, "first-run.html")
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		if strings.TrimSpace(strings.SplitN(part, ";", 2)[0]) == "gzip" {
			return true
		}
	}
	return false
}

// gzipped returns the compressed bytes of a text asset (computed once; the
// embedded files never change), or nil for binary assets such as fonts.
func (s *Server) gzipped(name string) []byte {
	switch path.Ext(name) {
	case ".js", ".css", ".html", ".json", ".svg":
	default:
		return nil
	}
	if v, ok := s.gzCache.Load(name); ok {
		return v.([]byte)
	}
	raw, err := fs.ReadFile(s.assets, name)
	if err != nil {
		return nil
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(raw)
	zw.Close()
	s.gzCache.Store(name, buf.Bytes())
	return buf.Bytes()
}

// ---- login, first run, logout ----

type credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	Token    string `json:"token,omitempty"`
}

func (s *Server) setCookie(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     cookieName,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.cfg.SecureCookies,
		SameSite: http.SameSiteStrictMode,
	})
}

func (s *Server) handleSetupStatus(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	first := s.users.Empty()
	loggedIn := false
	if c, err := r.Cookie(cookieName); err == nil {
		_, loggedIn = s.sessions.get(c.Value)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"logged_in":      loggedIn,
		"first_run":      first,
		"token_required": first && s.firstRunNeedsToken(r),
		"min_password":   MinPasswordLen,
	})
}

// firstRunNeedsToken: the token can be skipped only by a browser on this
// box talking to us directly (see fromBrowserOnThisBox), and never with
// Config.FirstRunTokenOnly.
func (s *Server) firstRunNeedsToken(r *http.Request) bool {
	need, _ := s.firstRunTokenReason(r)
	return need
}

func (s *Server) firstRunTokenReason(r *http.Request) (bool, string) {
	if s.cfg.FirstRunTokenOnly {
		return true, "first_run_token_only is set"
	}
	if ok, why := fromBrowserOnThisBox(r); !ok {
		return true, why
	}
	return false, ""
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	ip := clientIP(r)
	var c credentials
	if !decodeJSON(w, r, &c) {
		return
	}
	if s.users.Empty() {
		writeErr(w, http.StatusConflict, "first_run_required", "No users exist yet; create the first admin.")
		return
	}
	name := normUser(c.Username)
	if len(name) > 128 {
		name = name[:128]
	}
	// The slot is taken before the password is checked, so concurrent
	// guesses are counted before any of them reaches bcrypt.
	at, ok := s.guard.begin(ip, name)
	if !ok {
		if s.guard.refusalWorthRecording(ip) {
			s.audit.Record(audit.Event{Action: "login", Actor: name, Addr: ip, Outcome: audit.Refused, Reason: "rate_limited (further refusals this minute not recorded)"})
		}
		writeErr(w, http.StatusTooManyRequests, "rate_limited", "Too many failed logins; wait a minute.")
		return
	}
	u, ok := s.users.Verify(c.Username, c.Password)
	if !ok {
		n := at.failed()
		if n >= 3 {
			s.log.Warn("repeated failed web UI logins", "ip", ip, "username", name, "failures", n)
		}
		s.audit.Record(audit.Event{Action: "login", Actor: name, Addr: ip, Outcome: audit.Failure, Reason: "invalid_credentials"})
		writeErr(w, http.StatusUnauthorized, "invalid_credentials", "Invalid username or password.")
		return
	}
	at.succeeded()
	tok, _ := s.sessions.create(u.Username, u.Role)
	s.setCookie(w, tok, 0)
	s.audit.Record(audit.Event{Action: "login", Actor: u.Username, Addr: ip, Outcome: audit.Success})
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) handleFirstRun(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	ip := clientIP(r)
	var c credentials
	if !decodeJSON(w, r, &c) {
		return
	}
	if !s.users.Empty() {
		writeErr(w, http.StatusConflict, "already_configured", "An admin already exists; log in instead.")
		return
	}
	at, ok := s.guard.begin(ip, "")
	if !ok {
		writeErr(w, http.StatusTooManyRequests, "rate_limited", "Too many failed attempts; wait a minute.")
		return
	}
	if need, why := s.firstRunTokenReason(r); need {
		want := s.SetupToken()
		if want == "" || !tokensEqual(strings.TrimSpace(c.Token), want) {
			at.failed()
			s.log.Warn("web UI first-run attempt without a valid setup token", "ip", ip, "token_needed_because", why)
			s.audit.Record(audit.Event{Action: "first_run", Actor: normUser(c.Username), Addr: ip, Outcome: audit.Refused, Reason: "setup token required: " + why})
			writeErr(w, http.StatusForbidden, "setup_token_required",
				"Creating the first admin needs the setup token from the lqosd log unless the browser runs on this machine ("+why+").")
			return
		}
	}
	at.cancel()
	u, err := s.users.CreateFirstAdmin(c.Username, c.Password)
	switch {
	case errors.Is(err, ErrAlreadySetUp):
		writeErr(w, http.StatusConflict, "already_configured", "An admin already exists; log in instead.")
		return
	case errors.Is(err, ErrBadUsername), errors.Is(err, ErrWeakPassword):
		writeErr(w, http.StatusBadRequest, "invalid", err.Error())
		return
	case err != nil:
		s.log.Error("creating first admin", "err", err)
		writeErr(w, http.StatusInternalServerError, "store_error", "Could not save the users file.")
		return
	}
	s.setupMu.Lock()
	s.setupToken = "" // one-time
	s.setupMu.Unlock()
	tok, _ := s.sessions.create(u.Username, u.Role)
	s.setCookie(w, tok, 0)
	s.audit.Record(audit.Event{Action: "first_run", Actor: u.Username, Addr: ip, Outcome: audit.Success, Target: u.Username})
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	// Sockets first: once the session is gone the hub's periodic check
	// would close them too, with "session ended" instead of the reason.
	s.hub.dropToken(a.token)
	s.sessions.revoke(a.token)
	s.audit.Record(audit.Event{Action: "logout", Actor: a.sess.Username, Addr: clientIP(r), Outcome: audit.Success})
	s.setCookie(w, "", -1)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	writeJSON(w, http.StatusOK, map[string]any{
		"username":   a.sess.Username,
		"role":       a.sess.Role,
		"csrf_token": a.sess.CSRF,
		"node_name":  s.src.NodeName(),
		"version":    s.cfg.Version,
		"channels":   channelNames(),
	})
}

// ---- data ----

// Dashboard is the REST snapshot of everything the dashboard shows.
type Dashboard struct {
	Throughput  Throughput    `json:"throughput"`
	TopCircuits []CircuitStat `json:"top_circuits"`
	WorstRTT    []CircuitStat `json:"worst_rtt"`
	CPU         []float64     `json:"cpu"`
	Queues      QueueCounts   `json:"queues"`
}

func (s *Server) handleDashboard(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	var d Dashboard
	var err error
	if d.Throughput, err = s.src.Throughput(ctx); err == nil {
		if d.TopCircuits, err = s.src.TopCircuits(ctx, topN); err == nil {
			if d.WorstRTT, err = s.src.WorstRTT(ctx, topN); err == nil {
				if d.CPU, err = s.src.CPULoad(ctx); err == nil {
					d.Queues, err = s.src.QueueCounts(ctx)
				}
			}
		}
	}
	if err != nil {
		s.sourceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

// handleThroughputHistory returns the last few minutes of total throughput
// as [[unix ms, down bps, up bps], …], oldest first.
func (s *Server) handleThroughputHistory(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	writeJSON(w, http.StatusOK, map[string]any{"points": s.hub.throughputHistory()})
}

func (s *Server) sourceError(w http.ResponseWriter, err error) {
	s.log.Warn("web UI data source failed", "err", err)
	writeErr(w, http.StatusServiceUnavailable, "source_error", "Data is temporarily unavailable.")
}

func (s *Server) schedulerView(r *http.Request) (SchedulerView, error) {
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	st, err := s.src.SchedulerStatus(ctx)
	if err != nil {
		return SchedulerView{}, err
	}
	return DeriveSchedulerState(st, s.cfg.Now()), nil
}

func (s *Server) handleScheduler(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	v, err := s.schedulerView(r)
	if err != nil {
		s.sourceError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// UrgentSummary is the badge data.
type UrgentSummary struct {
	Count    int  `json:"count"`
	HasError bool `json:"has_error"`
}

func summarize(issues []UrgentIssue) UrgentSummary {
	s := UrgentSummary{Count: len(issues)}
	for _, i := range issues {
		if strings.EqualFold(i.Severity, "error") {
			s.HasError = true
		}
	}
	return s
}

func (s *Server) handleUrgentList(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	issues, err := s.src.UrgentIssues(ctx)
	if err != nil {
		s.sourceError(w, err)
		return
	}
	if issues == nil {
		issues = []UrgentIssue{}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issues":  issues,
		"summary": summarize(issues),
		"can_ack": a.sess.Role == RoleAdmin,
	})
}

func (s *Server) handleUrgentAck(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		writeErr(w, http.StatusBadRequest, "bad_request", "path field id: want an unsigned integer")
		return
	}
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	switch err := s.src.AckUrgent(ctx, id, a.sess.Username); {
	case errors.Is(err, ErrNotFound):
		writeErr(w, http.StatusNotFound, "not_found", "No such issue.")
	case errors.Is(err, ErrNotClearable):
		writeErr(w, http.StatusConflict, "not_clearable", "This issue clears itself when the condition ends.")
	case err != nil:
		s.sourceError(w, err)
	default:
		s.audit.Record(audit.Event{Action: "urgent.ack", Actor: a.sess.Username, Addr: clientIP(r), Outcome: audit.Success, Target: strconv.FormatUint(id, 10)})
		s.hub.poke(chanUrgent)
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	}
}

func (s *Server) handleUrgentAckAll(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	ctx, cancel := s.sourceCtx(r)
	defer cancel()
	if err := s.src.AckAllUrgent(ctx, a.sess.Username); err != nil {
		s.audit.Record(audit.Event{Action: "urgent.ack_all", Actor: a.sess.Username, Addr: clientIP(r), Outcome: audit.Failure, Reason: err.Error()})
		s.sourceError(w, err)
		return
	}
	s.audit.Record(audit.Event{Action: "urgent.ack_all", Actor: a.sess.Username, Addr: clientIP(r), Outcome: audit.Success})
	s.hub.poke(chanUrgent)
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// ---- users (admin) ----

type userView struct {
	Username string    `json:"username"`
	Role     Role      `json:"role"`
	Created  time.Time `json:"created"`
}

func (s *Server) handleUsersList(w http.ResponseWriter, r *http.Request, _ *reqAuth) {
	out := []userView{}
	for _, u := range s.users.List() {
		out = append(out, userView{u.Username, u.Role, u.Created}) // never the hash
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleUsersCreate(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	var req struct {
		Username string `json:"username"`
		Password string `json:"password"`
		Role     string `json:"role"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	role, err := ParseRole(req.Role)
	if err != nil {
		writeErr(w, http.StatusBadRequest, "invalid", "field role: "+err.Error())
		return
	}
	u, err := s.users.Create(req.Username, req.Password, role)
	switch {
	case errors.Is(err, ErrUserExists):
		writeErr(w, http.StatusConflict, "exists", err.Error())
	case errors.Is(err, ErrBadUsername), errors.Is(err, ErrWeakPassword):
		writeErr(w, http.StatusBadRequest, "invalid", err.Error())
	case err != nil:
		s.log.Error("creating user", "err", err)
		writeErr(w, http.StatusInternalServerError, "store_error", "Could not save the users file.")
	default:
		s.audit.Record(audit.Event{Action: "user.create", Actor: a.sess.Username, Addr: clientIP(r), Outcome: audit.Success, Target: u.Username + " (" + string(u.Role) + ")"})
		writeJSON(w, http.StatusCreated, userView{u.Username, u.Role, u.Created})
	}
}

func (s *Server) handleUsersDelete(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	name := r.PathValue("username")
	switch err := s.users.Delete(name); {
	case errors.Is(err, ErrNoSuchUser):
		writeErr(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, ErrLastAdmin):
		writeErr(w, http.StatusConflict, "last_admin", err.Error())
	case err != nil:
		s.log.Error("deleting user", "err", err)
		writeErr(w, http.StatusInternalServerError, "store_error", "Could not save the users file.")
	default:
		s.sessions.revokeUser(name)
		s.hub.dropUser(name)
		s.audit.Record(audit.Event{Action: "user.delete", Actor: a.sess.Username, Addr: clientIP(r), Outcome: audit.Success, Target: name})
		writeJSON(w, http.StatusOK, map[string]any{"ok": true})
	}
}

// handleUsersUpdate changes a user's role and/or resets the password. The
// user's other sessions end (a changed role or password must take effect
// now); the caller's own session is kept when it only changed its password.
func (s *Server) handleUsersUpdate(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	var req struct {
		Role     *string `json:"role"`
		Password *string `json:"password"`
	}
	if !decodeJSON(w, r, &req) {
		return
	}
	name := r.PathValue("username")
	var role *Role
	if req.Role != nil {
		rl, err := ParseRole(*req.Role)
		if err != nil {
			writeErr(w, http.StatusBadRequest, "invalid", "field role: "+err.Error())
			return
		}
		role = &rl
	}
	if role == nil && req.Password == nil {
		writeErr(w, http.StatusBadRequest, "invalid", "nothing to change: give role and/or password")
		return
	}
	before, _ := s.users.Get(name)
	u, err := s.users.Update(name, role, req.Password)
	switch {
	case errors.Is(err, ErrNoSuchUser):
		writeErr(w, http.StatusNotFound, "not_found", err.Error())
	case errors.Is(err, ErrLastAdmin):
		s.audit.Record(audit.Event{Action: "user.update", Actor: a.sess.Username, Addr: clientIP(r), Outcome: audit.Refused, Target: name, Reason: err.Error()})
		writeErr(w, http.StatusConflict, "last_admin", err.Error())
	case errors.Is(err, ErrWeakPassword), errors.Is(err, ErrBadUsername):
		writeErr(w, http.StatusBadRequest, "invalid", err.Error())
	case err != nil && strings.HasPrefix(err.Error(), "password must"):
		writeErr(w, http.StatusBadRequest, "invalid", err.Error())
	case err != nil:
		s.log.Error("updating user", "err", err)
		writeErr(w, http.StatusInternalServerError, "store_error", "Could not save the users file.")
	default:
		var what []string
		if role != nil && before.Role != u.Role {
			what = append(what, "role "+string(before.Role)+" → "+string(u.Role))
		}
		if req.Password != nil {
			what = append(what, "password reset")
		}
		self := normUser(name) == normUser(a.sess.Username)
		if !self || (role != nil && before.Role != u.Role) {
			s.sessions.revokeUser(u.Username)
			s.hub.dropUser(u.Username)
		}
		s.audit.Record(audit.Event{Action: "user.update", Actor: a.sess.Username, Addr: clientIP(r), Outcome: audit.Success, Target: u.Username, Reason: strings.Join(what, ", ")})
		writeJSON(w, http.StatusOK, userView{u.Username, u.Role, u.Created})
	}
}

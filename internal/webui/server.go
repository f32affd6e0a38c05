package webui

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/audit"
	"github.com/libreqos-go/lqos/internal/configedit"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/web"
)

// DefaultAddr is the listen address when Config.Addr is empty.
const DefaultAddr = ":9123"

// Config configures a Server. Zero values pick the documented defaults.
type Config struct {
	// Addr to listen on (default ":9123").
	Addr string
	// UsersFile is the JSON users file (required).
	UsersFile string
	// Source provides the data (required).
	Source Source
	Logger *slog.Logger
	// Version is shown in the UI footer.
	Version string
	// CertFile and KeyFile turn on HTTPS; cookies are then Secure.
	CertFile, KeyFile string
	// SelfSignedDir, when set and CertFile is empty, turns on HTTPS with a
	// self-signed certificate kept in this directory (generated on the
	// first start: cert.pem, key.pem with mode 0600; see EnsureSelfSigned).
	SelfSignedDir string
	// AuditFile is the append-only audit log of logins and admin actions
	// (empty: audit events go to Logger only).
	AuditFile string
	// SecureCookies marks cookies Secure even without CertFile (TLS is
	// terminated by a proxy in front of us).
	SecureCookies bool
	// FirstRunTokenOnly requires the setup token for creating the first
	// admin even from loopback or the local network.
	FirstRunTokenOnly bool
	// BcryptCost for new password hashes (default bcrypt.DefaultCost).
	BcryptCost int
	// FastInterval (default 1 s) and SlowInterval (default 5 s) are the
	// websocket publishing periods.
	FastInterval, SlowInterval time.Duration
	// SessionIdle (default 12 h) and SessionMax (default 7 days) bound a
	// session's life.
	SessionIdle, SessionMax time.Duration
	// LoginFailures allowed per client IP and per username within the
	// client's network in LoginWindow (defaults 5 per minute) before logins
	// answer 429; ten times as many per username from all networks (see
	// loginGuard).
	LoginFailures int
	LoginWindow   time.Duration
	// ReadHeaderTimeout (10 s) bounds reading request headers, ReadTimeout
	// (30 s) the whole request including the body, WriteTimeout (2 min)
	// writing a response and IdleTimeout (60 s) a keep-alive connection
	// waiting for its next request. Websockets are exempt from the read and
	// write timeouts once upgraded.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// MaxConns bounds open connections on the listener (512) and
	// MaxConnsPerIP those from one client address (64). A connection over
	// the per-address limit is closed at once; when the listener is full,
	// the connection longest in its first request (at least EvictAfter,
	// default 2 s) is closed to make room, else the new one is.
	MaxConns, MaxConnsPerIP int
	EvictAfter              time.Duration
	// ClientQueue is the per-websocket outbound queue length (default 64);
	// a client whose queue is full is dropped.
	ClientQueue int
	// Assets overrides the embedded front end (tests).
	Assets fs.FS
	// Now overrides the clock (tests).
	Now func() time.Time
	// Metrics, when set, is served at GET /metrics (it checks its own
	// bearer token; Prometheus has no session).
	Metrics http.Handler
	// Editor, when set, serves the configuration editors (lqos.conf
	// sections, network layout, shaped devices) on that installation.
	Editor *configedit.Store
	// ApplyConfig, called after every successful save, has lqosd re-read
	// lqos.conf and apply the inputs through its incremental path; it
	// returns a one-line summary. nil: the next reload picks them up.
	ApplyConfig func(ctx context.Context, reason string) (string, error)
	// TestTimeout bounds an integration's "Test connection" (default 20 s).
	TestTimeout time.Duration
}

// Server is the web UI. Create it with New and close it with Close.
type Server struct {
	cfg      Config
	log      *slog.Logger
	src      Source
	users    *UserStore
	sessions *sessionStore
	guard    *loginGuard
	audit    *audit.Log
	conns    *connLimiter
	assets   fs.FS
	hub      *hub
	handler  http.Handler
	routes   []route

	gzCache sync.Map // asset name → gzipped bytes

	// devCache: the devices editor's rows of the latest ShapedDevices.csv
	// version read (rows are never modified in place).
	devCache struct {
		sync.Mutex
		version, path string
		rows          []configedit.DeviceRow
		problems      diag.List
	}

	setupMu    sync.Mutex
	setupToken string

	ctx    context.Context
	cancel context.CancelFunc
}

// New validates cfg, loads the users file and starts the live-data hub.
func New(cfg Config) (*Server, error) {
	if cfg.Source == nil {
		return nil, errors.New("webui: Config.Source is required")
	}
	if cfg.UsersFile == "" {
		return nil, errors.New("webui: Config.UsersFile is required")
	}
	if (cfg.CertFile == "") != (cfg.KeyFile == "") {
		return nil, errors.New("webui: Config.CertFile and Config.KeyFile must be set together")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	if cfg.FastInterval <= 0 {
		cfg.FastInterval = time.Second
	}
	if cfg.SlowInterval <= 0 {
		cfg.SlowInterval = 5 * time.Second
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 12 * time.Hour
	}
	if cfg.SessionMax <= 0 {
		cfg.SessionMax = 7 * 24 * time.Hour
	}
	if cfg.LoginFailures <= 0 {
		cfg.LoginFailures = 5
	}
	if cfg.LoginWindow <= 0 {
		cfg.LoginWindow = time.Minute
	}
	if cfg.ReadHeaderTimeout <= 0 {
		cfg.ReadHeaderTimeout = 10 * time.Second
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 30 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 2 * time.Minute
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = time.Minute
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = 512
	}
	if cfg.MaxConnsPerIP <= 0 {
		cfg.MaxConnsPerIP = 64
	}
	if cfg.EvictAfter <= 0 {
		cfg.EvictAfter = 2 * time.Second
	}
	if cfg.ClientQueue <= 0 {
		cfg.ClientQueue = 64
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Assets == nil {
		cfg.Assets = web.Dist()
	}
	if cfg.CertFile == "" && cfg.SelfSignedDir != "" {
		cert, key, err := EnsureSelfSigned(cfg.SelfSignedDir, cfg.Now())
		if err != nil {
			return nil, fmt.Errorf("webui: %w", err)
		}
		cfg.CertFile, cfg.KeyFile = cert, key
	}
	if cfg.CertFile != "" {
		cfg.SecureCookies = true
	}
	al := audit.LoggerOnly(cfg.Logger)
	if cfg.AuditFile != "" {
		var err error
		if al, err = audit.Open(cfg.AuditFile, cfg.Logger, cfg.Now); err != nil {
			return nil, fmt.Errorf("webui: %w", err)
		}
	}
	users, err := OpenUserStore(cfg.UsersFile, cfg.BcryptCost)
	if err != nil {
		return nil, fmt.Errorf("webui: %w", err)
	}
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "webui"),
		src:      cfg.Source,
		users:    users,
		sessions: newSessionStore(cfg.SessionIdle, cfg.SessionMax, cfg.Now),
		guard:    newLoginGuard(cfg.LoginFailures, cfg.LoginWindow, cfg.SessionMax, cfg.Now),
		audit:    al,
		conns:    newConnLimiter(cfg.MaxConns, cfg.MaxConnsPerIP, cfg.EvictAfter, time.Now),
		assets:   cfg.Assets,
	}
	if err := s.sessions.enablePersistence(sessionsPath(cfg.UsersFile), users, s.log); err != nil {
		return nil, fmt.Errorf("webui: %w", err)
	}
	if _, err := fs.Stat(s.assets, "index.html"); err != nil {
		return nil, fmt.Errorf("webui: front end not built (web/dist/index.html missing): %w", err)
	}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	if users.Empty() {
		s.setupToken = randomToken()
		s.log.Warn("web UI has no users: create the first admin in a browser on this machine, or elsewhere with the setup token",
			"setup_token", s.setupToken, "users_file", cfg.UsersFile, "addr", cfg.Addr)
	}
	s.hub = newHub(s)
	go s.hub.run(s.ctx)
	s.routes = s.routeTable()
	s.handler = s.buildHandler()
	return s, nil
}

// SetupToken returns the current one-time first-run token ("" once a user exists).
func (s *Server) SetupToken() string {
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	return s.setupToken
}

// Close stops the hub and disconnects websocket clients.
func (s *Server) Close() error {
	s.cancel()
	s.hub.closeAll()
	s.sessions.closePersistence()
	return s.audit.Close()
}

// ListenAndServe serves on cfg.Addr until ctx is cancelled.
func (s *Server) ListenAndServe(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("webui: listen %s: %w", s.cfg.Addr, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx is cancelled, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	ln = s.conns.wrap(ln)
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		ConnState:         s.conns.connState,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return s.ctx },
	}
	errc := make(chan error, 1)
	go func() {
		if s.cfg.CertFile != "" {
			hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
			errc <- hs.ServeTLS(ln, s.cfg.CertFile, s.cfg.KeyFile)
			return
		}
		errc <- hs.Serve(ln)
	}()
	s.log.Info("web UI listening", "addr", ln.Addr().String(), "tls", s.cfg.CertFile != "")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	return nil
}

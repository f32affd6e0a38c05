package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libreqos-go/lqos/internal/audit"
	"github.com/libreqos-go/lqos/internal/plan"
	"golang.org/x/sys/unix"
)

// DefaultSocketPath is where lqosd listens.
const DefaultSocketPath = "/run/lqos/bus"

const (
	// DefaultMaxRequestSize bounds a request body (16 MiB: 100k mappings
	// are ~13 MB; Client.MapIPs sends MapIPsChunk per request).
	DefaultMaxRequestSize = 16 << 20
	// DefaultMaxResponseSize bounds a response body.
	DefaultMaxResponseSize = 128 << 20
)

// ServerOptions configure a Server. Zero values select the defaults.
type ServerOptions struct {
	// SocketPath, DefaultSocketPath if empty. Its directory is created 0700
	// (and tightened to 0700 if it exists and is wider); the socket is 0600.
	SocketPath string
	// MaxRequestSize bounds request bodies (DefaultMaxRequestSize).
	MaxRequestSize int
	// MaxResponseSize bounds response bodies (DefaultMaxResponseSize);
	// larger responses are replaced by response_too_large errors.
	MaxResponseSize int
	// AllowUIDs are peer uids accepted besides root (for tests or a
	// dedicated unprivileged tool user). Filesystem permissions still apply.
	// Empty (the default): root only.
	AllowUIDs []uint32
	// DenyRoot refuses uid 0 too (only useful to test the refusal path).
	DenyRoot bool
	// RequestTimeout bounds each handler call (30 s).
	RequestTimeout time.Duration
	// IdleTimeout closes a connection that sends nothing between requests
	// for this long (5 min).
	IdleTimeout time.Duration
	// ReadTimeout bounds receiving a request's headers and, separately, its
	// body once the server starts reading it (10 s), so a peer cannot hold
	// a request half-sent. A new connection must send its first request
	// within it too.
	ReadTimeout time.Duration
	// WriteTimeout bounds writing one response (30 s).
	WriteTimeout time.Duration
	// MaxConns bounds concurrent connections (128). When all are taken, a
	// new connection replaces the one idle for longest (no request being
	// read or handled), so idle peers can never lock out `lqos status`;
	// only when every connection is busy does the new one get "busy".
	MaxConns int
	// MaxConcurrent bounds concurrent handler calls (16); further calls wait
	// for a slot until their request timeout, then get "busy".
	MaxConcurrent int
	// QueryReserve is the number of extra handler slots (4) that only
	// read calls (lists, statistics, status) may use, so slow applies
	// filling MaxConcurrent cannot stall `lqos status`.
	QueryReserve int
	// MaxBufferedBytes is one memory budget (256 MiB) for the request
	// bodies of all connections together, held from the start of reading a
	// body until its handler returns (a body of unknown length counts as
	// MaxRequestSize). A request waits, its body unread, until the budget
	// has room. The last eighth is kept for bodies of at most 64 KiB.
	MaxBufferedBytes int
	// Audit, when set, records every state-changing call (apply, reload,
	// mapping changes, urgent acknowledgements) with the peer's uid and pid
	// and whether it succeeded.
	Audit *audit.Log
	// DaemonVersion is reported by the version call.
	DaemonVersion string
	// Logger (slog.Default() if nil).
	Logger *slog.Logger
	// Clock (time.Now if nil) for the times the server reports.
	Clock func() time.Time
}

func (o *ServerOptions) defaults() {
	if o.SocketPath == "" {
		o.SocketPath = DefaultSocketPath
	}
	if o.MaxRequestSize <= 0 {
		o.MaxRequestSize = DefaultMaxRequestSize
	}
	if o.MaxResponseSize <= 0 {
		o.MaxResponseSize = DefaultMaxResponseSize
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 5 * time.Minute
	}
	if o.ReadTimeout <= 0 {
		o.ReadTimeout = 10 * time.Second
	}
	if o.QueryReserve <= 0 {
		o.QueryReserve = 4
	}
	if o.MaxBufferedBytes <= 0 {
		o.MaxBufferedBytes = 256 << 20
	}
	// The budget must hold the largest body next to the small-body reserve.
	o.MaxBufferedBytes = max(o.MaxBufferedBytes, o.MaxRequestSize+o.MaxRequestSize/4+smallBody)
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 30 * time.Second
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 128
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 16
	}
	if o.DaemonVersion == "" {
		o.DaemonVersion = "devel"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			o.DaemonVersion = bi.Main.Version
		}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
}

// Peer identifies the process at the other end of a connection, from
// SO_PEERCRED (taken when it connected).
type Peer struct {
	PID int32
	UID uint32
	GID uint32
}

func (p Peer) String() string { return fmt.Sprintf("uid:%d pid:%d", p.UID, p.PID) }

type peerKey struct{}

// PeerFromContext returns the peer of the request being handled.
func PeerFromContext(ctx context.Context) (Peer, bool) {
	p, ok := ctx.Value(peerKey{}).(Peer)
	return p, ok
}

// Stats are cumulative server counters.
type Stats struct {
	Connections uint64 // accepted, including refused ones
	Refused     uint64 // connections refused (credentials or busy)
	Requests    uint64 // HTTP requests received (incl. errors)
	Errors      uint64 // error responses sent
	BadRequests uint64 // requests that did not decode or name no call
	Evicted     uint64 // idle connections closed to make room for a new one
	Active      int64  // open connections now
	// BufferedBytes are request bodies held now, PeakBufferedBytes the
	// most ever held at once (both bounded by MaxBufferedBytes).
	BufferedBytes, PeakBufferedBytes int64
}

// Server serves the bus API over HTTP on a unix socket.
type Server struct {
	h       Handler
	o       ServerOptions
	log     *slog.Logger
	ln      *net.UnixListener
	http    *http.Server
	sem     chan struct{}
	qsem    chan struct{} // QueryReserve slots for read calls
	budget  *memBudget
	started time.Time

	mu       sync.Mutex
	conns    map[*trackedConn]struct{} // admitted, not yet closed
	closed   bool
	handlers sync.WaitGroup
	once     sync.Once
	// hctx is the parent of every handler context; Close cancels it so
	// in-flight handlers stop promptly on shutdown. A client that goes
	// away does not cancel its call (an apply runs to its end).
	hctx       context.Context
	cancelHctx context.CancelFunc
	values     atomic.Pointer[context.Context] // Serve's ctx, for its values

	connections, refused, requests, errs, badRequests, evicted atomic.Uint64
	active                                                     atomic.Int64
}

// Listen prepares the socket directory, removes a stale socket and binds.
// It fails if another server is listening on the path. Call Serve next.
func Listen(h Handler, o ServerOptions) (*Server, error) {
	if h == nil {
		return nil, errors.New("bus: nil handler")
	}
	o.defaults()
	path := o.SocketPath
	if err := prepareDir(filepath.Dir(path), o.Logger); err != nil {
		return nil, err
	}
	if err := removeStale(path); err != nil {
		return nil, err
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("bus: listen on %s: %w", path, err)
	}
	ln.SetUnlinkOnClose(true)
	// The directory is 0700, so nobody can reach the socket between bind
	// and this chmod.
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, fmt.Errorf("bus: chmod %s: %w", path, err)
	}
	hctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		h: h, o: o, log: o.Logger.With("component", "bus"), ln: ln,
		sem: make(chan struct{}, o.MaxConcurrent), qsem: make(chan struct{}, o.QueryReserve),
		budget:  newMemBudget(int64(o.MaxBufferedBytes), int64(o.MaxBufferedBytes/8)),
		started: o.Clock(),
		conns:   map[*trackedConn]struct{}{},
		hctx:    hctx, cancelHctx: cancel,
	}
	s.http = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: o.ReadTimeout,
		IdleTimeout:       o.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		ConnState:         s.connState,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			tc := c.(*trackedConn)
			return context.WithValue(context.WithValue(ctx, connKey{}, tc), peerKey{}, tc.peer)
		},
		ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	return s, nil
}

func prepareDir(dir string, log *slog.Logger) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("bus: create socket directory: %w", err)
	}
	st, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("bus: socket directory: %w", err)
	}
	if !st.IsDir() {
		return fmt.Errorf("bus: socket directory %s is not a directory", dir)
	}
	if st.Mode().Perm()&0o077 != 0 {
		log.Warn("tightening bus socket directory permissions", "dir", dir, "was", st.Mode().Perm().String())
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("bus: chmod socket directory: %w", err)
		}
	}
	return nil
}

// removeStale deletes a socket left behind by a dead server. A live server
// or a non-socket file at path is an error (we never delete other files).
func removeStale(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("bus: %w", err)
	}
	if st.Mode()&fs.ModeSocket == 0 {
		return fmt.Errorf("bus: %s exists and is not a socket; refusing to remove it", path)
	}
	if c, err := net.DialTimeout("unix", path, time.Second); err == nil {
		c.Close()
		return fmt.Errorf("bus: another server is already listening on %s", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("bus: remove stale socket: %w", err)
	}
	return nil
}

// Path returns the socket path.
func (s *Server) Path() string { return s.o.SocketPath }

// Stats returns the counters.
func (s *Server) Stats() Stats {
	used, peak := s.budget.usage()
	return Stats{Connections: s.connections.Load(), Refused: s.refused.Load(), Requests: s.requests.Load(),
		Errors: s.errs.Load(), BadRequests: s.badRequests.Load(), Evicted: s.evicted.Load(),
		Active: s.active.Load(), BufferedBytes: used, PeakBufferedBytes: peak}
}

// Serve answers HTTP requests on the socket until ctx is done or Close is
// called, then waits for the handlers in flight. The socket is removed. It
// returns nil after a normal shutdown.
func (s *Server) Serve(ctx context.Context) error {
	s.values.Store(&ctx)
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	err := s.http.Serve(listener{s.ln, s})
	s.Close()
	s.handlers.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Close stops the server: the listener and every connection are closed, the
// contexts of handlers in flight are cancelled (Serve waits for them to
// return) and the socket file is removed.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		s.cancelHctx()
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		err = s.http.Close()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
		// Serve may not have run: the listener is ours to close then.
		if cerr := s.ln.Close(); cerr != nil && err == nil && !errors.Is(cerr, net.ErrClosed) {
			err = cerr
		}
	})
	return err
}

// listener admits every accepted connection (peer check, connection limit).
type listener struct {
	*net.UnixListener
	s *Server
}

func (l listener) Accept() (net.Conn, error) {
	c, err := l.AcceptUnix()
	if err != nil {
		return nil, err
	}
	return l.s.admit(c), nil
}

type connKey struct{}

// trackedConn is an accepted connection with its peer and, when it may
// not be served, the error every request on it gets.
type trackedConn struct {
	*net.UnixConn
	peer       Peer
	refusal    *Error
	state      atomic.Int32 // http.ConnState
	lastActive atomic.Int64 // unix ns of the last state change
}

// idle: no request being read or handled (StateNew is before the first byte).
func (c *trackedConn) idle() bool {
	st := http.ConnState(c.state.Load())
	return st == http.StateNew || st == http.StateIdle
}

// admit checks the peer's credentials and the connection limit. A refused
// connection is still served, so the client reads why (permission_denied,
// busy) as an HTTP error, and then closed.
func (s *Server) admit(c *net.UnixConn) net.Conn {
	s.connections.Add(1)
	tc := &trackedConn{UnixConn: c}
	tc.lastActive.Store(time.Now().UnixNano())
	peer, err := peerCred(c)
	tc.peer = peer
	switch {
	case err != nil:
		s.log.Warn("bus connection refused: cannot read peer credentials", "err", err)
		tc.refusal = Errorf(CodePermissionDenied, "cannot read peer credentials")
	case !s.authorized(peer):
		s.log.Warn("bus connection refused: peer uid not allowed", "peer_uid", peer.UID, "peer_pid", peer.PID)
		tc.refusal = Errorf(CodePermissionDenied, "uid %d may not use the lqos bus (root only)", peer.UID)
	default:
		s.mu.Lock()
		if len(s.conns) >= s.o.MaxConns {
			if victim := s.longestIdleLocked(); victim != nil {
				delete(s.conns, victim)
				victim.Close() // its server goroutine ends
				s.evicted.Add(1)
				s.log.Warn("bus connection limit reached: closed the longest idle connection", "limit", s.o.MaxConns)
			}
		}
		if len(s.conns) >= s.o.MaxConns {
			s.log.Warn("bus connection refused: too many connections", "limit", s.o.MaxConns)
			tc.refusal = Errorf(CodeBusy, "too many connections (limit %d)", s.o.MaxConns)
		} else {
			s.conns[tc] = struct{}{}
		}
		s.mu.Unlock()
	}
	if tc.refusal != nil {
		s.refused.Add(1)
		// A refused peer gets its answer and nothing more.
		_ = c.SetDeadline(time.Now().Add(s.o.ReadTimeout))
	}
	return tc
}

// longestIdleLocked returns the idle connection unused for longest, or nil.
func (s *Server) longestIdleLocked() *trackedConn {
	var victim *trackedConn
	var oldest int64
	for c := range s.conns {
		if !c.idle() {
			continue
		}
		if t := c.lastActive.Load(); victim == nil || t < oldest {
			victim, oldest = c, t
		}
	}
	return victim
}

func (s *Server) connState(c net.Conn, st http.ConnState) {
	tc := c.(*trackedConn)
	tc.state.Store(int32(st))
	tc.lastActive.Store(time.Now().UnixNano())
	switch st {
	case http.StateNew:
		s.active.Add(1)
	case http.StateClosed, http.StateHijacked:
		s.active.Add(-1)
		s.mu.Lock()
		delete(s.conns, tc)
		s.mu.Unlock()
	}
}

// ServeHTTP finds the route of a request and serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	tc, _ := r.Context().Value(connKey{}).(*trackedConn)
	if tc == nil || tc.refusal != nil {
		refusal := Errorf(CodePermissionDenied, "unknown connection")
		if tc != nil {
			refusal = tc.refusal
		}
		w.Header().Set("Connection", "close")
		s.fail(w, refusal)
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		w.Header().Set("Connection", "close")
		s.fail(w, Errorf(CodeBusy, "lqosd is shutting down"))
		return
	}
	s.handlers.Add(1)
	s.mu.Unlock()
	defer s.handlers.Done()
	rt, e := lookup(r.Method, r.URL.Path)
	if e != nil {
		s.badRequests.Add(1)
		s.fail(w, e)
		return
	}
	t0 := time.Now()
	rt.serve(s, w, r)
	if s.log.Enabled(r.Context(), slog.LevelDebug) {
		s.log.Debug("bus request", "peer_uid", tc.peer.UID, "peer_pid", tc.peer.PID, "call", rt.spec().name, "took", time.Since(t0))
	}
}

// lookup finds the route of method and path.
func lookup(method, path string) (route, *Error) {
	rts, ok := routesByPath[path]
	if !ok {
		if v, _, found := strings.Cut(strings.TrimPrefix(path, "/"), "/"); found && len(v) > 1 && v[0] == 'v' && strings.Trim(v[1:], "0123456789") == "" && v != "v1" {
			return nil, Errorf(CodeUnsupportedVersion, "%s: this lqosd serves API version %d (/v%d/...)", path, ProtocolVersion, ProtocolVersion)
		}
		return nil, Errorf(CodeUnknownCall, "no call %s %s (see docs/bus.md)", method, path)
	}
	var allowed []string
	for _, rt := range rts {
		if rt.spec().method == method {
			return rt, nil
		}
		allowed = append(allowed, rt.spec().method)
	}
	return nil, Errorf(CodeMethodNotAllowed, "%s %s: use %s", method, path, strings.Join(allowed, " or "))
}

// serveCall decodes a request of route e (query parameters for reads, a
// JSON body otherwise), validates it, runs the call and writes the answer.
func serveCall[Req, Resp any](s *Server, e *endpoint[Req, Resp], w http.ResponseWriter, r *http.Request) {
	req := new(Req)
	var held int64
	if e.method == http.MethodGet {
		if err := decodeQuery(r.URL.Query(), req); err != nil {
			s.badRequests.Add(1)
			s.fail(w, Errorf(CodeBadRequest, "%s: %v", e.name, err))
			return
		}
	} else {
		if r.URL.RawQuery != "" {
			s.badRequests.Add(1)
			s.fail(w, Errorf(CodeBadRequest, "%s: parameters go in the JSON body, not the query string", e.name))
			return
		}
		n, berr := s.holdBody(r)
		if berr != nil {
			s.fail(w, berr.prefixed(e.name))
			return
		}
		held = n
		if err := s.decodeBody(w, r, req); err != nil {
			s.budget.release(held)
			s.badRequests.Add(1)
			s.fail(w, err.prefixed(e.name))
			return
		}
	}
	if v, ok := any(req).(validator); ok {
		if err := v.Validate(); err != nil {
			s.budget.release(held)
			s.fail(w, Errorf(CodeInvalidArgument, "%s: %v", e.name, err))
			return
		}
	}
	resp, err := runCall(s, e, r, req)
	// The request is done with: its budget goes back before the answer is
	// sent.
	s.budget.release(held)
	if err != nil {
		s.fail(w, err)
		return
	}
	s.respond(w, e.name, resp)
}

// runCall runs the handler of e, in a handler slot for read and write
// calls, turning errors and panics into *Error.
func runCall[Req, Resp any](s *Server, e *endpoint[Req, Resp], r *http.Request, req *Req) (resp *Resp, berr *Error) {
	ctx := context.Context(&valuesCtx{Context: s.hctx, values: r.Context()})
	if e.access == local {
		resp, _ = e.call(ctx, s, req)
		return resp, nil
	}
	ctx, cancel := context.WithTimeout(ctx, s.o.RequestTimeout)
	defer cancel()
	slot := s.takeSlot(ctx, e.access == read)
	if slot == nil {
		return nil, Errorf(CodeBusy, "%s: all %d handler slots busy for %v", e.name, s.o.MaxConcurrent, s.o.RequestTimeout)
	}
	defer func() { <-slot }()
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("bus: handler panicked", "call", e.name, "panic", p, "stack", string(debug.Stack()))
				resp, err = nil, Errorf(CodeInternal, "%s: handler failed", e.name)
			}
		}()
		resp, err = e.call(ctx, s, req)
	}()
	if err == nil && resp == nil {
		err = Errorf(CodeInternal, "%s: handler returned no result", e.name)
	}
	if e.audit != nil {
		s.auditCall(ctx, e.name, e.audit(req), err)
	}
	if err == nil {
		return resp, nil
	}
	var be *Error
	switch {
	case errors.As(err, &be):
		return nil, be
	case errors.Is(err, context.DeadlineExceeded):
		return nil, Errorf(CodeTimeout, "%s: timed out after %v", e.name, s.o.RequestTimeout)
	}
	s.log.Info("bus: handler error", "call", e.name, "err", err)
	return nil, Errorf(CodeFailed, "%s: %v", e.name, err)
}

// holdBody takes the request body's size from the memory budget, waiting
// (its body unread) until there is room or the request timeout passes.
func (s *Server) holdBody(r *http.Request) (int64, *Error) {
	n := r.ContentLength
	switch {
	case n > int64(s.o.MaxRequestSize):
		return 0, Errorf(CodeRequestTooLarge, "body is %d bytes, limit %d", n, s.o.MaxRequestSize)
	case n < 0:
		n = int64(s.o.MaxRequestSize)
	}
	if n == 0 {
		return 0, nil
	}
	ctx, cancel := context.WithTimeout(s.hctx, s.o.RequestTimeout)
	defer cancel()
	if err := s.budget.acquire(ctx, n); err != nil {
		return 0, Errorf(CodeBusy, "request bodies fill the memory budget (%d bytes) for %v", s.o.MaxBufferedBytes, s.o.RequestTimeout)
	}
	return n, nil
}

// streamDecoder is implemented by requests whose body is decoded as a
// stream, one element at a time (bulk mappings), instead of as one value.
type streamDecoder interface {
	decodeStream(body io.Reader) (*json.Decoder, error)
}

// decodeBody decodes the JSON body strictly (unknown fields and trailing
// data are errors; an empty body is the zero request) within ReadTimeout.
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any) *Error {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.o.ReadTimeout))
	body := http.MaxBytesReader(w, r.Body, int64(s.o.MaxRequestSize))
	var dec *json.Decoder
	var err error
	if sd, ok := v.(streamDecoder); ok {
		dec, err = sd.decodeStream(body)
	} else {
		dec = json.NewDecoder(body)
		dec.DisallowUnknownFields()
		if err = dec.Decode(v); err == io.EOF {
			err = nil // no body
		}
	}
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("trailing data after the JSON value")
		}
	}
	var mbe *http.MaxBytesError
	var ne net.Error
	switch {
	case err == nil:
		// Idle time between requests is IdleTimeout's. After an error the
		// deadline stays: what is left of the body is read (and thrown
		// away) within it, or the connection closes.
		_ = rc.SetReadDeadline(time.Time{})
		return nil
	case errors.As(err, &mbe):
		return Errorf(CodeRequestTooLarge, "body over the limit of %d bytes", mbe.Limit)
	case errors.As(err, &ne) && ne.Timeout():
		w.Header().Set("Connection", "close")
		return Errorf(CodeBadRequest, "body not received within %v", s.o.ReadTimeout)
	}
	var ie indexError
	if errors.As(err, &ie) {
		return Errorf(CodeBadRequest, "body: %v", ie)
	}
	return Errorf(CodeBadRequest, "body: %v", jsonError(err))
}

// jsonError turns JSON errors into messages naming the field.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return fmt.Errorf("field %s: cannot use JSON %s as %s", te.Field, te.Value, te.Type)
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: truncated")
	}
	return err
}

// respond writes a 200 answer.
func (s *Server) respond(w http.ResponseWriter, name string, v any) {
	if a, ok := v.(jsonWriter); ok {
		s.respondStream(w, name, a)
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		s.fail(w, Errorf(CodeInternal, "%s: encode the answer: %v", name, err))
		return
	}
	if len(body) > s.o.MaxResponseSize {
		s.log.Warn("bus: response not sendable", "call", name, "bytes", len(body), "limit", s.o.MaxResponseSize)
		s.fail(w, Errorf(CodeResponseTooLarge, "%s: the answer is %d bytes, limit %d; request fewer items (paging)", name, len(body), s.o.MaxResponseSize))
		return
	}
	s.write(w, http.StatusOK, body)
}

// jsonWriter is implemented by answers written by hand (the mapping list)
// in pieces instead of as one buffer.
type jsonWriter interface {
	jsonSize() int
	writeJSON(w io.Writer) error
}

// respondStream writes a 200 answer of a known length in pieces.
func (s *Server) respondStream(w http.ResponseWriter, name string, a jsonWriter) {
	n := a.jsonSize()
	if n > s.o.MaxResponseSize {
		s.log.Warn("bus: response not sendable", "call", name, "bytes", n, "limit", s.o.MaxResponseSize)
		s.fail(w, Errorf(CodeResponseTooLarge, "%s: the answer is %d bytes, limit %d; request fewer items (paging)", name, n, s.o.MaxResponseSize))
		return
	}
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.o.WriteTimeout))
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(n+1))
	w.WriteHeader(http.StatusOK)
	_ = a.writeJSON(w)
}

// fail writes an error answer.
func (s *Server) fail(w http.ResponseWriter, e *Error) {
	s.errs.Add(1)
	body, _ := json.Marshal(e)
	s.write(w, httpStatus(e.Code), body)
}

func (s *Server) write(w http.ResponseWriter, status int, body []byte) {
	_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.o.WriteTimeout))
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", fmt.Sprint(len(body)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// auditCall records a state-changing call in the audit log.
func (s *Server) auditCall(ctx context.Context, name, target string, err error) {
	if s.o.Audit == nil {
		return
	}
	ev := audit.Event{Action: "bus." + name, Outcome: audit.Success, Target: target}
	if p, ok := PeerFromContext(ctx); ok {
		ev.Actor = p.String()
	}
	if err != nil {
		ev.Outcome, ev.Reason = audit.Failure, err.Error()
	}
	s.o.Audit.Record(ev)
}

// smallBody is the largest body that may use the budget's reserve.
const smallBody = 64 << 10

// memBudget is one byte budget shared by all connections' request bodies.
// Bodies larger than smallBody may not use the last reserve bytes.
type memBudget struct {
	mu                   sync.Mutex
	total, reserve, used int64
	peak                 int64
	wake                 chan struct{}
}

func newMemBudget(total, reserve int64) *memBudget {
	return &memBudget{total: total, reserve: reserve, wake: make(chan struct{})}
}

func (b *memBudget) acquire(ctx context.Context, n int64) error {
	for {
		b.mu.Lock()
		limit := b.total
		if n > smallBody {
			limit -= b.reserve
		}
		if b.used+n <= limit {
			b.used += n
			b.peak = max(b.peak, b.used)
			b.mu.Unlock()
			return nil
		}
		wake := b.wake
		b.mu.Unlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (b *memBudget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	close(b.wake)
	b.wake = make(chan struct{})
	b.mu.Unlock()
}

func (b *memBudget) usage() (used, peak int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used, b.peak
}

// valuesCtx takes cancellation from Context and values from values first.
type valuesCtx struct {
	context.Context
	values context.Context
}

func (v *valuesCtx) Value(key any) any {
	if x := v.values.Value(key); x != nil {
		return x
	}
	return v.Context.Value(key)
}

func peerCred(c *net.UnixConn) (Peer, error) {
	raw, err := c.SyscallConn()
	if err != nil {
		return Peer{}, err
	}
	var uc *unix.Ucred
	var cerr error
	if err := raw.Control(func(fd uintptr) {
		uc, cerr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED)
	}); err != nil {
		return Peer{}, err
	}
	if cerr != nil {
		return Peer{}, cerr
	}
	return Peer{PID: uc.Pid, UID: uc.Uid, GID: uc.Gid}, nil
}

func (s *Server) authorized(p Peer) bool {
	if p.UID == 0 {
		return !s.o.DenyRoot
	}
	return slices.Contains(s.o.AllowUIDs, p.UID)
}

// takeSlot takes a handler slot (a query may also take a reserved one) and
// returns the channel to give it back to, or nil when ctx ended first.
func (s *Server) takeSlot(ctx context.Context, query bool) chan struct{} {
	select {
	case s.sem <- struct{}{}:
		return s.sem
	default:
	}
	if !query {
		select {
		case s.sem <- struct{}{}:
			return s.sem
		case <-ctx.Done():
			return nil
		}
	}
	select {
	case s.sem <- struct{}{}:
		return s.sem
	case s.qsem <- struct{}{}:
		return s.qsem
	case <-ctx.Done():
		return nil
	}
}

func nilToEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func compareMappings(a, b plan.Mapping) int {
	if c := a.Prefix.Addr().Compare(b.Prefix.Addr()); c != 0 {
		return c
	}
	if c := a.Prefix.Bits() - b.Prefix.Bits(); c != 0 {
		return c
	}
	return strings.Compare(a.CircuitID, b.CircuitID)
}

// pageMappings sorts (a copy of) ms by prefix, unless the handler already
// returned them sorted, and cuts out one page.
func pageMappings(ms []plan.Mapping, off, limit int) *MappingList {
	if !slices.IsSortedFunc(ms, compareMappings) {
		ms = slices.Clone(ms)
		slices.SortFunc(ms, compareMappings)
	}
	total := len(ms)
	off = min(off, total)
	end := total
	if limit > 0 {
		end = min(off+limit, total)
	}
	return &MappingList{Total: total, Mappings: nilToEmpty(ms[off:end])}
}

package bus

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/libreqos-go/lqos/internal/plan"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libreqos-go/lqos/internal/audit"
	"golang.org/x/sys/unix"
)

// DefaultSocketPath is where lqosd listens.
const DefaultSocketPath = "/run/lqos/bus"

// ServerOptions configure a Server. Zero values select the defaults.
type ServerOptions struct {
	// SocketPath, DefaultSocketPath if empty. Its directory is created 0700
	// (and tightened to 0700 if it exists and is wider); the socket is 0600.
	SocketPath string
	// MaxFrameSize bounds request frames (DefaultMaxFrameSize).
	MaxFrameSize int
	// MaxResponseSize bounds response frames (DefaultMaxResponseSize);
	// larger responses are replaced by response_too_large errors.
	MaxResponseSize int
	// AllowUIDs are peer uids accepted besides root (for tests or a
	// dedicated unprivileged tool user). Filesystem permissions still apply.
	AllowUIDs []uint32
	// DenyRoot refuses uid 0 too (only useful to test the refusal path).
	DenyRoot bool
	// RequestTimeout bounds each handler call (30 s).
	RequestTimeout time.Duration
	// IdleTimeout closes a connection that sends nothing for this long (5 min).
	IdleTimeout time.Duration
	// FrameTimeout bounds receiving one frame once its first byte has
	// arrived (10 s), so a peer cannot hold a frame half-sent.
	FrameTimeout time.Duration
	// WriteTimeout bounds writing one response frame (30 s).
	WriteTimeout time.Duration
	// MaxConns bounds concurrent connections (128). When all are taken, a
	// new connection replaces the one idle for longest (no frame being read
	// or handled), so idle peers can never lock out `lqos status`; only
	// when every connection is busy does the new one get "busy".
	MaxConns int
	// MaxConcurrent bounds concurrent handler calls (16); further calls wait
	// for a slot until their request timeout, then get "busy".
	MaxConcurrent int
	// QueryReserve is the number of extra handler slots (4) that only
	// read-only queries (lists, statistics, status) may use, so slow
	// applies filling MaxConcurrent cannot stall `lqos status`.
	QueryReserve int
	// MaxBufferedBytes is one memory budget (256 MiB) for request frame
	// bodies of all connections together, from header to answer. A frame
	// waits (its connection is not read) until the budget has room. The
	// last eighth is kept for frames of at most 64 KiB (status queries).
	MaxBufferedBytes int
	// MaxInflightPerConn bounds frames of one connection handled at once
	// (8); the server stops reading that connection while it is full.
	MaxInflightPerConn int
	// Audit, when set, records every state-changing request (apply,
	// reload, mapping changes, urgent acknowledgements) with the peer's
	// uid and pid and whether it succeeded.
	Audit *audit.Log
	// DaemonVersion is reported by the Version request.
	DaemonVersion string
	// Logger (slog.Default() if nil).
	Logger *slog.Logger
	// Clock (time.Now if nil).
	Clock func() time.Time
}

func (o *ServerOptions) defaults() {
	if o.SocketPath == "" {
		o.SocketPath = DefaultSocketPath
	}
	if o.MaxFrameSize <= 0 {
		o.MaxFrameSize = DefaultMaxFrameSize
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
	if o.FrameTimeout <= 0 {
		o.FrameTimeout = 10 * time.Second
	}
	if o.QueryReserve <= 0 {
		o.QueryReserve = 4
	}
	if o.MaxBufferedBytes <= 0 {
		o.MaxBufferedBytes = 256 << 20
	}
	// The budget must hold the largest frame next to the small-frame reserve.
	o.MaxBufferedBytes = max(o.MaxBufferedBytes, o.MaxFrameSize+o.MaxFrameSize/4+smallFrame)
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 30 * time.Second
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 128
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = 16
	}
	if o.MaxInflightPerConn <= 0 {
		o.MaxInflightPerConn = 8
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
	Refused     uint64 // refused (credentials or busy)
	Frames      uint64 // request frames read
	Requests    uint64 // requests handled (incl. errors)
	Errors      uint64 // error responses sent
	BadFrames   uint64 // frames that closed the connection or were undecodable
	Evicted     uint64 // idle connections closed to make room for a new one
	Active      int64  // open connections now
	// BufferedBytes are request bodies held now, PeakBufferedBytes the
	// most ever held at once (both bounded by MaxBufferedBytes).
	BufferedBytes, PeakBufferedBytes int64
}

// Server serves the bus on a unix socket.
type Server struct {
	h       Handler
	o       ServerOptions
	log     *slog.Logger
	ln      *net.UnixListener
	sem     chan struct{}
	qsem    chan struct{} // QueryReserve slots for read-only queries
	budget  *memBudget
	started time.Time

	mu     sync.Mutex
	conns  map[net.Conn]*connState
	closed bool
	wg     sync.WaitGroup
	done   chan struct{}
	once   sync.Once
	// hctx is the parent of every handler context; Close cancels it so
	// in-flight handlers stop promptly on shutdown.
	hctx       context.Context
	cancelHctx context.CancelFunc

	connections, refused, frames, requests, errs, badFrames, evicted atomic.Uint64
	active                                                           atomic.Int64
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
	return &Server{
		h: h, o: o, log: o.Logger.With("component", "bus"), ln: ln,
		sem: make(chan struct{}, o.MaxConcurrent), qsem: make(chan struct{}, o.QueryReserve),
		budget:  newMemBudget(int64(o.MaxBufferedBytes), int64(o.MaxBufferedBytes/8)),
		started: o.Clock(),
		conns:   map[net.Conn]*connState{}, done: make(chan struct{}),
		hctx: hctx, cancelHctx: cancel,
	}, nil
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
	return Stats{Connections: s.connections.Load(), Refused: s.refused.Load(), Frames: s.frames.Load(),
		Requests: s.requests.Load(), Errors: s.errs.Load(), BadFrames: s.badFrames.Load(), Evicted: s.evicted.Load(),
		Active: s.active.Load(), BufferedBytes: used, PeakBufferedBytes: peak}
}

// Serve accepts connections until ctx is done or Close is called, then
// closes every connection, waits for their handlers and removes the socket.
// It returns nil after a normal shutdown.
func (s *Server) Serve(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() { s.Close() })
	defer stop()
	// Handler contexts carry ctx's values but are cancelled by Close, not
	// directly by ctx (Close runs when ctx ends anyway).
	base := &valuesCtx{Context: s.hctx, values: ctx}
	var tempDelay time.Duration
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			select {
			case <-s.done:
				s.wg.Wait()
				return nil
			default:
			}
			if errors.Is(err, net.ErrClosed) {
				s.Close()
				s.wg.Wait()
				return nil
			}
			// Resource exhaustion (EMFILE...): back off instead of spinning.
			tempDelay = min(max(2*tempDelay, 5*time.Millisecond), time.Second)
			s.log.Warn("bus accept failed", "err", err, "retry_in", tempDelay)
			time.Sleep(tempDelay)
			continue
		}
		tempDelay = 0
		s.connections.Add(1)
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			continue
		}
		if len(s.conns) >= s.o.MaxConns {
			if victim := s.longestIdleLocked(); victim != nil {
				delete(s.conns, victim)
				victim.Close() // its reader ends and frees the rest
				s.evicted.Add(1)
				s.log.Warn("bus connection limit reached: closed the longest idle connection", "limit", s.o.MaxConns)
			}
		}
		busy := len(s.conns) >= s.o.MaxConns
		st := &connState{}
		if !busy {
			st.touch(s.o.Clock())
			s.conns[c] = st
			s.wg.Add(1)
		}
		s.mu.Unlock()
		if busy {
			s.refused.Add(1)
			s.log.Warn("bus connection refused: too many connections", "limit", s.o.MaxConns)
			s.refuse(c, Errorf(CodeBusy, "too many connections (limit %d)", s.o.MaxConns))
			continue
		}
		go s.serveConn(base, c, st)
	}
}

// connState tells whether a connection is idle: not reading a frame and
// with no frame being handled. Idle connections may be evicted.
type connState struct {
	busy       atomic.Int32 // frame being read + frames in flight
	lastActive atomic.Int64 // unix ns of the last frame or answer
}

func (st *connState) touch(now time.Time) { st.lastActive.Store(now.UnixNano()) }

// longestIdleLocked returns the idle connection unused for longest, or nil.
func (s *Server) longestIdleLocked() net.Conn {
	var victim net.Conn
	var oldest int64
	for c, st := range s.conns {
		if st.busy.Load() != 0 {
			continue
		}
		if t := st.lastActive.Load(); victim == nil || t < oldest {
			victim, oldest = c, t
		}
	}
	return victim
}

// smallFrame is the largest frame that may use the budget's reserve.
const smallFrame = 64 << 10

// memBudget is one byte budget shared by all connections' request bodies.
// Frames larger than smallFrame may not use the last reserve bytes.
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
		if n > smallFrame {
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

// Close stops the server: the listener and every connection are closed, the
// contexts of handlers in flight are cancelled (Serve waits for them to
// return) and the socket file is removed.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		s.cancelHctx()
		s.mu.Lock()
		s.closed = true
		for c := range s.conns {
			c.Close()
		}
		s.mu.Unlock()
		close(s.done)
		err = s.ln.Close()
	})
	return err
}

// refuse sends one error frame and closes c.
func (s *Server) refuse(c net.Conn, e *Error) {
	s.errs.Add(1)
	_ = c.SetWriteDeadline(s.o.Clock().Add(time.Second))
	if body, err := EncodeResponses([]uint64{0}, []Response{e}); err == nil {
		var scratch []byte
		_ = writeFrame(c, &scratch, body)
	}
	c.Close()
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

func (s *Server) serveConn(base context.Context, c *net.UnixConn, st *connState) {
	s.active.Add(1)
	defer func() {
		c.Close()
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		s.active.Add(-1)
		s.wg.Done()
	}()
	peer, err := peerCred(c)
	if err != nil {
		s.refused.Add(1)
		s.log.Warn("bus connection refused: cannot read peer credentials", "err", err)
		s.refuse(c, Errorf(CodePermissionDenied, "cannot read peer credentials"))
		return
	}
	log := s.log.With("peer_uid", peer.UID, "peer_pid", peer.PID)
	if !s.authorized(peer) {
		s.refused.Add(1)
		log.Warn("bus connection refused: peer uid not allowed")
		s.refuse(c, Errorf(CodePermissionDenied, "uid %d may not use the lqos bus (root only)", peer.UID))
		return
	}
	ctx := context.WithValue(base, peerKey{}, peer)
	br := bufio.NewReaderSize(c, 64<<10)
	w := &connWriter{c: c, timeout: s.o.WriteTimeout, clock: s.o.Clock}
	// Frames of one connection are handled concurrently (up to
	// MaxInflightPerConn) so a slow ApplyPlan does not hold up the
	// heartbeats and queries a client pipelines behind it. Responses carry
	// the request ids, so order across frames does not matter.
	inflight := make(chan struct{}, s.o.MaxInflightPerConn)
	var frames sync.WaitGroup
	defer frames.Wait() // runs before the close above: answers still go out
	for {
		_ = c.SetReadDeadline(s.o.Clock().Add(s.o.IdleTimeout))
		if _, err := br.Peek(1); err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				log.Debug("bus connection ended", "err", err)
			}
			return
		}
		st.busy.Add(1)
		body, size, err := s.readFrame(ctx, c, br)
		if err != nil {
			st.busy.Add(-1)
			if e := frameErrorResponse(err); e != nil {
				s.badFrames.Add(1)
				log.Warn("bus: bad frame", "err", err)
				frames.Wait() // let earlier frames answer first
				s.refuse(c, e)
				return
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				log.Debug("bus connection ended", "err", err)
			}
			return
		}
		s.frames.Add(1)
		st.touch(s.o.Clock())
		inflight <- struct{}{} // backpressure: stop reading while full
		frames.Go(func() {
			defer func() {
				st.touch(s.o.Clock())
				st.busy.Add(-1)
				<-inflight
			}()
			out := s.handleFrame(ctx, log, body)
			// The request body is done with: its budget goes back before
			// the answer is sent.
			body = nil
			s.budget.release(size)
			if err := w.write(out); err != nil {
				log.Debug("bus: write response failed", "err", err)
				c.Close() // the reader notices and ends the connection
			}
		})
	}
}

// readFrame reads one request frame, its bytes taken from the memory
// budget first (the caller releases size after answering). Once the header
// has begun, the whole frame must arrive within FrameTimeout.
func (s *Server) readFrame(ctx context.Context, c net.Conn, br *bufio.Reader) (body []byte, size int64, err error) {
	_ = c.SetReadDeadline(s.o.Clock().Add(s.o.FrameTimeout))
	var hb [HeaderSize]byte
	if _, err := io.ReadFull(br, hb[:]); err != nil {
		return nil, 0, unexpected(err)
	}
	h, err := parseHeader(hb[:], s.o.MaxFrameSize)
	if err != nil {
		return nil, 0, err
	}
	size = int64(h.length)
	if err := s.budget.acquire(ctx, size); err != nil {
		return nil, 0, err
	}
	_ = c.SetReadDeadline(s.o.Clock().Add(s.o.FrameTimeout))
	body, err = readBody(br, int(h.length))
	if err != nil {
		s.budget.release(size)
		return nil, 0, err
	}
	return body, size, nil
}

// connWriter serialises response frames on one connection.
type connWriter struct {
	mu      sync.Mutex
	c       net.Conn
	scratch []byte
	timeout time.Duration
	clock   func() time.Time
}

func (w *connWriter) write(body []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	_ = w.c.SetWriteDeadline(w.clock().Add(w.timeout))
	return writeFrame(w.c, &w.scratch, body)
}

// frameErrorResponse maps a framing error that ends the connection to the
// error sent before closing; nil for plain I/O ends (EOF, timeouts).
func frameErrorResponse(err error) *Error {
	switch {
	case errors.Is(err, ErrFrameTooLarge):
		return Errorf(CodeFrameTooLarge, "%v; closing connection", err)
	case errors.Is(err, ErrBadMagic), errors.Is(err, ErrUnsupportedVersion), errors.Is(err, ErrBadFlags):
		return Errorf(CodeUnsupportedVersion, "%v; closing connection", err)
	case errors.Is(err, ErrEmptyFrame):
		return Errorf(CodeBadFrame, "%v; closing connection", err)
	}
	return nil
}

// handleFrame decodes a request batch, runs each request in order and
// returns the encoded response batch (one response per request, same order,
// same ids).
func (s *Server) handleFrame(ctx context.Context, log *slog.Logger, body []byte) []byte {
	reqs, ferr := DecodeRequests(body)
	if ferr != nil {
		s.badFrames.Add(1)
		s.errs.Add(1)
		log.Warn("bus: undecodable request frame", "err", ferr.Message)
		out, _ := EncodeResponses([]uint64{0}, []Response{ferr})
		return out
	}
	ids := make([]uint64, len(reqs))
	resps := make([]Response, len(reqs))
	for i, d := range reqs {
		ids[i] = d.ID
		s.requests.Add(1)
		if d.Err != nil {
			log.Info("bus: rejected request", "id", d.ID, "type", d.Type, "code", d.Err.Code, "err", d.Err.Message)
			resps[i] = d.Err
		} else {
			t0 := time.Now()
			resps[i] = s.dispatch(ctx, log, d.Req)
			if log.Enabled(ctx, slog.LevelDebug) {
				log.Debug("bus request", "id", d.ID, "type", d.Type, "response", resps[i].ResponseType(), "took", time.Since(t0))
			}
		}
		if _, isErr := resps[i].(*Error); isErr {
			s.errs.Add(1)
		}
	}
	out, err := EncodeResponses(ids, resps)
	if err == nil && len(out) > s.o.MaxResponseSize {
		err = fmt.Errorf("%d bytes, limit %d", len(out), s.o.MaxResponseSize)
	}
	if err != nil {
		log.Warn("bus: response not sendable", "err", err)
		for i := range resps {
			resps[i] = Errorf(CodeResponseTooLarge, "response batch %v; request fewer items (paging)", err)
		}
		out, _ = EncodeResponses(ids, resps)
	}
	return out
}

// dispatch runs one request, converting handler errors and panics into
// error responses.
func (s *Server) dispatch(ctx context.Context, log *slog.Logger, req Request) (resp Response) {
	switch req.(type) {
	case *Ping:
		return &Pong{ServerTime: s.o.Clock()}
	case *Version:
		return &VersionInfo{Daemon: s.o.DaemonVersion, Protocol: ProtocolVersion, GoVersion: runtime.Version(), StartedAt: s.started}
	}
	ctx, cancel := context.WithTimeout(ctx, s.o.RequestTimeout)
	defer cancel()
	slot := s.takeSlot(ctx, isQuery(req))
	if slot == nil {
		return Errorf(CodeBusy, "%s: all %d handler slots busy for %v", req.RequestType(), s.o.MaxConcurrent, s.o.RequestTimeout)
	}
	defer func() { <-slot }()
	defer func() {
		if p := recover(); p != nil {
			log.Error("bus: handler panicked", "type", req.RequestType(), "panic", p, "stack", string(debug.Stack()))
			resp = Errorf(CodeInternal, "%s: handler failed", req.RequestType())
		}
	}()
	r, err := s.call(ctx, log, req)
	s.auditRequest(ctx, req, err)
	if err != nil {
		var be *Error
		switch {
		case errors.As(err, &be):
			return be
		case errors.Is(err, context.DeadlineExceeded):
			return Errorf(CodeTimeout, "%s: timed out after %v", req.RequestType(), s.o.RequestTimeout)
		}
		log.Info("bus: handler error", "type", req.RequestType(), "err", err)
		return Errorf(CodeFailed, "%s: %v", req.RequestType(), err)
	}
	return r
}

// auditRequest records a state-changing request in the audit log.
func (s *Server) auditRequest(ctx context.Context, req Request, err error) {
	if s.o.Audit == nil {
		return
	}
	target := ""
	switch r := req.(type) {
	case *ApplyPlan:
		target = fmt.Sprintf("reason=%q dry_run=%v", r.Reason, r.DryRun)
	case *ReloadPlan:
		target = fmt.Sprintf("reason=%q full=%v", r.Reason, r.Full)
	case *MapIPs:
		target = fmt.Sprintf("%d mappings", len(r.Mappings))
	case *DelIPs:
		target = fmt.Sprintf("%d prefixes", len(r.Prefixes))
	case *ClearIPs:
	case *AckUrgent:
		target = fmt.Sprintf("id=%d code=%q by=%q", r.ID, r.Code, r.By)
	default:
		return
	}
	ev := audit.Event{Action: "bus." + req.RequestType(), Outcome: audit.Success, Target: target}
	if p, ok := PeerFromContext(ctx); ok {
		ev.Actor = p.String()
	}
	if err != nil {
		ev.Outcome, ev.Reason = audit.Failure, err.Error()
	}
	s.o.Audit.Record(ev)
}

// isQuery: read-only requests that may use the QueryReserve slots.
func isQuery(req Request) bool {
	switch req.(type) {
	case *ListIPs, *GetThroughput, *GetTopN, *GetCircuitThroughput, *GetQueueStats, *GetSchedulerStatus, *ListUrgent:
		return true
	}
	return false
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

func (s *Server) call(ctx context.Context, log *slog.Logger, req Request) (Response, error) {
	h := s.h
	switch r := req.(type) {
	case *MapIPs:
		return nonNil(h.MapIPs(ctx, r.Mappings))
	case *DelIPs:
		return nonNil(h.DelIPs(ctx, r.Prefixes))
	case *ClearIPs:
		return nonNil(h.ClearIPs(ctx))
	case *ListIPs:
		ms, err := h.ListIPs(ctx)
		if err != nil {
			return nil, err
		}
		return pageMappings(ms, r.Offset, r.Limit), nil
	case *ApplyPlan:
		log.Info("bus: apply plan requested", "reason", r.Reason, "dry_run", r.DryRun)
		return nonNil(h.ApplyPlan(ctx, r))
	case *ReloadPlan:
		log.Info("bus: reload plan requested", "reason", r.Reason, "full", r.Full)
		return nonNil(h.ReloadPlan(ctx, r))
	case *GetThroughput:
		return nonNil(h.Throughput(ctx))
	case *GetTopN:
		return nonNil(h.TopN(ctx, r))
	case *GetCircuitThroughput:
		return nonNil(h.CircuitThroughput(ctx, r))
	case *GetQueueStats:
		return nonNil(h.QueueStats(ctx, r.CircuitID))
	case *SchedulerHeartbeat, *SchedulerProgress, *SchedulerError, *SchedulerOutput, *SchedulerSuccess:
		if err := h.SchedulerReport(ctx, req); err != nil {
			return nil, err
		}
		return &Ack{}, nil
	case *GetDataPath:
		return nonNil(h.DataPath(ctx))
	case *GetDynamicCircuits:
		return nonNil(h.DynamicCircuits(ctx))
	case *GetSchedulerStatus:
		st, err := h.SchedulerStatus(ctx)
		if err != nil {
			return nil, err
		}
		return &SchedulerStatus{st}, nil
	case *RaiseUrgent:
		is, err := h.RaiseUrgent(ctx, r)
		if err != nil && is.ID == 0 {
			return nil, err
		}
		if err != nil {
			// Stored in memory but not persisted: still a success for the
			// raiser; the daemon's log has the disk error.
			log.Warn("bus: urgent issue not persisted", "code", r.Code, "err", err)
		}
		return &UrgentRaised{Issue: is}, nil
	case *ListUrgent:
		is, err := h.ListUrgent(ctx, r)
		if err != nil {
			return nil, err
		}
		return &UrgentList{Issues: nilToEmpty(is)}, nil
	case *AckUrgent:
		is, err := h.AckUrgent(ctx, r)
		if err != nil {
			return nil, err
		}
		return &UrgentAcked{Issues: nilToEmpty(is)}, nil
	}
	return nil, Errorf(CodeUnknownType, "%s has no handler", req.RequestType())
}

// nonNil turns a (nil, nil) handler result into an error instead of
// sending a typed nil.
func nonNil[T any](v *T, err error) (Response, error) {
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, Errorf(CodeInternal, "handler returned no result")
	}
	r, ok := any(v).(Response)
	if !ok {
		return nil, Errorf(CodeInternal, "handler result %T is not a response", v)
	}
	return r, nil
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

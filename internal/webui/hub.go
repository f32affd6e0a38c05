package webui

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"
)

// Websocket protocol (JSON text frames):
//
//	client → server: {"type":"subscribe","channel":"throughput"}
//	                 {"type":"unsubscribe","channel":"throughput"}
//	server → client: {"type":"hello","version":"…","user":"…","role":"…"}
//	                 {"type":"subscribed","channel":"…"} / {"type":"unsubscribed",…}
//	                 {"type":"data","channel":"…","ts":<unix ms>,"data":…}
//	                 {"type":"error","message":"…"}
//
// On subscribe the client gets the channel's current value at once, then
// one message per period while subscribed.

// Channel names.
const (
	chanThroughput  = "throughput"   // 1 s
	chanTopCircuits = "top_circuits" // 5 s
	chanWorstRTT    = "worst_rtt"    // 5 s
	chanCPU         = "cpu"          // 5 s
	chanQueues      = "queues"       // 5 s
	chanScheduler   = "scheduler"    // 5 s, and at once after changes we make
	chanUrgent      = "urgent"       // 5 s, and at once after an acknowledge
)

const (
	topN           = 10
	wsReadLimit    = 4 << 10
	wsWriteTimeout = 5 * time.Second
	// Per-socket inbound message budget: burst, then refill per second.
	wsMsgBurst  = 20
	wsMsgPerSec = 10
	// maxSocketsPerSession bounds live connections of one login (tabs).
	maxSocketsPerSession = 16
)

type channelSpec struct {
	fast    bool
	produce func(ctx context.Context, s *Server) (any, error)
}

var channels = map[string]channelSpec{
	chanThroughput: {fast: true, produce: func(ctx context.Context, s *Server) (any, error) { return s.src.Throughput(ctx) }},
	chanTopCircuits: {produce: func(ctx context.Context, s *Server) (any, error) {
		return nonNil(s.src.TopCircuits(ctx, topN))
	}},
	chanWorstRTT: {produce: func(ctx context.Context, s *Server) (any, error) {
		return nonNil(s.src.WorstRTT(ctx, topN))
	}},
	chanCPU: {produce: func(ctx context.Context, s *Server) (any, error) {
		v, err := s.src.CPULoad(ctx)
		if v == nil {
			v = []float64{}
		}
		return v, err
	}},
	chanQueues: {produce: func(ctx context.Context, s *Server) (any, error) { return s.src.QueueCounts(ctx) }},
	chanScheduler: {produce: func(ctx context.Context, s *Server) (any, error) {
		st, err := s.src.SchedulerStatus(ctx)
		if err != nil {
			return nil, err
		}
		return DeriveSchedulerState(st, s.cfg.Now()), nil
	}},
	chanUrgent: {produce: func(ctx context.Context, s *Server) (any, error) {
		is, err := s.src.UrgentIssues(ctx)
		if err != nil {
			return nil, err
		}
		return summarize(is), nil
	}},
}

func nonNil(v []CircuitStat, err error) (any, error) {
	if v == nil {
		v = []CircuitStat{}
	}
	return v, err
}

func channelNames() []string {
	out := make([]string, 0, len(channels))
	for n := range channels {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

type wsMessage struct {
	Type    string `json:"type"`
	Channel string `json:"channel,omitempty"`
	TS      int64  `json:"ts,omitempty"`
	Data    any    `json:"data,omitempty"`
	Message string `json:"message,omitempty"`
	Version string `json:"version,omitempty"`
	User    string `json:"user,omitempty"`
	Role    Role   `json:"role,omitempty"`
}

type client struct {
	token string
	user  string
	send  chan []byte
	subs  map[string]bool // guarded by hub.mu
	done  chan struct{}
	once  sync.Once
	// closeConn closes the transport; set by the websocket handler.
	closeConn func(code websocket.StatusCode, reason string)
}

type hub struct {
	s       *Server
	mu      sync.Mutex
	clients map[*client]struct{}
	sockets map[string]int // session token → sockets open or being opened
	pokes   chan string
	dropped atomic.Int64      // clients dropped for being slow
	lastErr map[string]string // channel → last producer error (guarded by mu)

	histMu  sync.Mutex
	history []ThroughputPoint // oldest first, at most historyLen

	pages *pagesState // network pages: history and per-item channels
}

func newHub(s *Server) *hub {
	return &hub{s: s, clients: map[*client]struct{}{}, sockets: map[string]int{}, pokes: make(chan string, 16), lastErr: map[string]string{}, pages: newPagesState()}
}

func (h *hub) run(ctx context.Context) {
	fast := time.NewTicker(h.s.cfg.FastInterval)
	slow := time.NewTicker(h.s.cfg.SlowInterval)
	defer fast.Stop()
	defer slow.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-fast.C:
			h.publishTier(ctx, true)
		case <-slow.C:
			h.checkSessions()
			h.s.sessions.saveIfTouched() // idle timers moved
			h.publishTier(ctx, false)
		case name := <-h.pokes:
			h.publish(ctx, name)
		}
	}
}

// poke publishes a channel now (after a change made through the UI).
func (h *hub) poke(name string) {
	select {
	case h.pokes <- name:
	default: // a publish is already queued; the next tick covers it
	}
}

func (h *hub) publishTier(ctx context.Context, fast bool) {
	for name, spec := range channels {
		switch {
		case spec.fast != fast:
		case name == chanThroughput:
			h.sampleThroughput(ctx)
		default:
			h.publish(ctx, name)
		}
	}
	if fast {
		h.sampleHistory(ctx)
	} else {
		h.sampleASN(ctx)
	}
	h.publishItems(ctx, fast)
}

// historyLen is how many throughput samples (one per FastInterval) are
// kept so a freshly opened dashboard can draw the last minutes at once.
const historyLen = 300

// ThroughputPoint is one history sample: [unix ms, down bps, up bps].
type ThroughputPoint [3]int64

// sampleThroughput runs every tick even without subscribers, to keep the
// history, and publishes the sample to subscribers.
func (h *hub) sampleThroughput(ctx context.Context) {
	sctx, cancel := context.WithTimeout(ctx, sourceTimeout)
	tp, err := h.s.src.Throughput(sctx)
	cancel()
	h.noteErr(chanThroughput, err)
	if err != nil {
		return
	}
	now := h.s.cfg.Now().UnixMilli()
	h.histMu.Lock()
	h.history = append(h.history, ThroughputPoint{now, int64(tp.BitsPerSecond.Down), int64(tp.BitsPerSecond.Up)})
	if len(h.history) > historyLen {
		h.history = append(h.history[:0], h.history[len(h.history)-historyLen:]...)
	}
	h.histMu.Unlock()
	subs := h.subscribers(chanThroughput)
	if len(subs) == 0 {
		return
	}
	msg, err := json.Marshal(wsMessage{Type: "data", Channel: chanThroughput, TS: now, Data: tp})
	if err == nil {
		h.broadcast(subs, msg)
	}
}

func (h *hub) throughputHistory() []ThroughputPoint {
	h.histMu.Lock()
	defer h.histMu.Unlock()
	return append([]ThroughputPoint{}, h.history...)
}

func (h *hub) subscribers(name string) []*client {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*client
	for c := range h.clients {
		if c.subs[name] {
			out = append(out, c)
		}
	}
	return out
}

// produce builds one encoded data message for a channel.
func (h *hub) produce(ctx context.Context, name string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, sourceTimeout)
	defer cancel()
	spec, ok := resolveChannel(name)
	if !ok {
		return nil, errors.New("unknown channel " + strconvQuote(name))
	}
	v, err := spec.produce(ctx, h.s)
	if err != nil {
		return nil, err
	}
	return json.Marshal(wsMessage{Type: "data", Channel: name, TS: h.s.cfg.Now().UnixMilli(), Data: v})
}

// publish produces a channel once (only if someone listens) and fans it out.
func (h *hub) publish(ctx context.Context, name string) {
	subs := h.subscribers(name)
	if len(subs) == 0 {
		return
	}
	msg, err := h.produce(ctx, name)
	h.noteErr(name, err)
	if err != nil {
		return
	}
	h.broadcast(subs, msg)
}

// noteErr logs a channel's failures once per change (failing, recovered),
// not once per tick.
func (h *hub) noteErr(name string, err error) {
	h.mu.Lock()
	prev, had := h.lastErr[name]
	if err == nil {
		delete(h.lastErr, name)
	} else {
		h.lastErr[name] = err.Error()
	}
	h.mu.Unlock()
	switch {
	case err != nil && (!had || prev != err.Error()):
		h.s.log.Warn("web UI channel producer failed", "channel", name, "err", err)
	case err == nil && had:
		h.s.log.Info("web UI channel producer recovered", "channel", name)
	}
}

func (h *hub) broadcast(subs []*client, msg []byte) {
	for _, c := range subs {
		h.enqueue(c, msg)
	}
}

// enqueue never blocks: a client whose queue is full is disconnected so a
// slow browser cannot hold up the others or grow memory without bound.
func (h *hub) enqueue(c *client, msg []byte) {
	select {
	case <-c.done:
	case c.send <- msg:
	default:
		h.dropped.Add(1)
		h.s.log.Warn("dropping slow web UI websocket client", "username", c.user)
		h.drop(c, websocket.StatusPolicyViolation, "slow consumer")
	}
}

func (h *hub) add(c *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.clients[c] = struct{}{}
}

// reserveSocket takes one of the session's maxSocketsPerSession slots.
func (h *hub) reserveSocket(token string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sockets[token] >= maxSocketsPerSession {
		return false
	}
	h.sockets[token]++
	return true
}

func (h *hub) releaseSocket(token string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.sockets[token]--; h.sockets[token] <= 0 {
		delete(h.sockets, token)
	}
}

func (h *hub) drop(c *client, code websocket.StatusCode, reason string) {
	h.mu.Lock()
	delete(h.clients, c)
	h.mu.Unlock()
	c.once.Do(func() {
		close(c.done)
		if c.closeConn != nil {
			go c.closeConn(code, reason) // Close waits for the peer; never block the hub
		}
	})
}

func (h *hub) dropWhere(match func(*client) bool, reason string) {
	h.mu.Lock()
	var victims []*client
	for c := range h.clients {
		if match(c) {
			victims = append(victims, c)
		}
	}
	h.mu.Unlock()
	for _, c := range victims {
		h.drop(c, websocket.StatusPolicyViolation, reason)
	}
}

func (h *hub) dropToken(tok string) {
	h.dropWhere(func(c *client) bool { return c.token == tok }, "logged out")
}

func (h *hub) dropUser(name string) {
	n := normUser(name)
	h.dropWhere(func(c *client) bool { return normUser(c.user) == n }, "user removed")
}

func (h *hub) closeAll() {
	h.dropWhere(func(*client) bool { return true }, "server shutting down")
}

// checkSessions disconnects sockets whose session has ended. An open
// socket counts as activity (a NOC screen showing the dashboard all day
// stays logged in) up to the absolute session lifetime.
func (h *hub) checkSessions() {
	h.dropWhere(func(c *client) bool { _, ok := h.s.sessions.get(c.token); return !ok }, "session ended")
}

func (h *hub) setSub(c *client, name string, on bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if on {
		c.subs[name] = true
	} else {
		delete(c.subs, name)
	}
}

func (h *hub) sendTo(c *client, v wsMessage) {
	b, err := json.Marshal(v)
	if err == nil {
		h.enqueue(c, b)
	}
}

// handleWebsocket authenticates (session + same Origin) before upgrading.
func (s *Server) handleWebsocket(w http.ResponseWriter, r *http.Request, a *reqAuth) {
	if !sameOriginStrict(r) {
		writeErr(w, http.StatusForbidden, "bad_origin", "Cross-origin websocket refused.")
		return
	}
	// The slot is taken before the upgrade and held until this handler
	// returns, so concurrent upgrades of one session cannot pass the limit.
	if !s.hub.reserveSocket(a.token) {
		writeErr(w, http.StatusTooManyRequests, "too_many_sockets", "Too many open live connections; close some tabs.")
		return
	}
	defer s.hub.releaseSocket(a.token)
	// The server's read and write timeouts are for plain requests; a live
	// socket stays open (its writes have their own timeout).
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	conn, err := websocket.Accept(w, r, nil) // also checks Origin against Host
	if err != nil {
		return // Accept has written the error response
	}
	conn.SetReadLimit(wsReadLimit)
	c := &client{
		token: a.token,
		user:  a.sess.Username,
		send:  make(chan []byte, s.cfg.ClientQueue),
		subs:  map[string]bool{},
		done:  make(chan struct{}),
		closeConn: func(code websocket.StatusCode, reason string) {
			conn.Close(code, reason)
		},
	}
	h := s.hub
	h.add(c)
	defer h.drop(c, websocket.StatusNormalClosure, "")
	// Not cancelled on drop: cancelling a read makes the library cut the
	// TCP connection, and the peer would not see the close reason.
	// closeConn's close handshake ends the read loop instead.
	ctx := r.Context()
	// Nor are writes tied to the request: it ends when this handler
	// returns, right after a drop, and a write still under way would then
	// cut the connection before the close frame (with its reason) is sent.
	wctxBase := context.WithoutCancel(ctx)
	go func() { // writer
		for {
			select {
			case <-c.done:
				return
			case m := <-c.send:
				wctx, wcancel := context.WithTimeout(wctxBase, wsWriteTimeout)
				err := conn.Write(wctx, websocket.MessageText, m)
				wcancel()
				if err != nil {
					h.drop(c, websocket.StatusGoingAway, "write failed")
					return
				}
			}
		}
	}()
	h.sendTo(c, wsMessage{Type: "hello", Version: s.cfg.Version, User: a.sess.Username, Role: a.sess.Role})

	lim := rate.NewLimiter(wsMsgPerSec, wsMsgBurst)
	for {
		typ, data, err := conn.Read(ctx)
		if err != nil {
			return
		}
		// The server's clock (tests set it), not the wall clock: a test
		// that floods a socket sees it closed however slow the machine.
		if !lim.AllowN(s.cfg.Now(), 1) {
			h.drop(c, websocket.StatusPolicyViolation, "too many messages")
			return
		}
		if typ != websocket.MessageText {
			h.drop(c, websocket.StatusUnsupportedData, "text frames only")
			return
		}
		var m struct {
			Type    string `json:"type"`
			Channel string `json:"channel"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			h.sendTo(c, wsMessage{Type: "error", Message: "invalid message: " + err.Error()})
			continue
		}
		if _, ok := resolveChannel(m.Channel); !ok {
			h.sendTo(c, wsMessage{Type: "error", Message: "field channel: unknown channel " + strconvQuote(m.Channel)})
			continue
		}
		switch m.Type {
		case "subscribe":
			if err := h.checkSubscribe(c, m.Channel); err != nil {
				h.sendTo(c, wsMessage{Type: "error", Message: err.Error()})
				continue
			}
			h.setSub(c, m.Channel, true)
			h.sendTo(c, wsMessage{Type: "subscribed", Channel: m.Channel})
			go func(name string) { // current value at once, off the read loop
				if msg, err := h.produce(ctx, name); err == nil {
					h.enqueue(c, msg)
				}
			}(m.Channel)
		case "unsubscribe":
			h.setSub(c, m.Channel, false)
			h.sendTo(c, wsMessage{Type: "unsubscribed", Channel: m.Channel})
		default:
			h.sendTo(c, wsMessage{Type: "error", Message: "field type: want subscribe or unsubscribe"})
		}
	}
}

// sameOriginStrict requires an Origin header (browsers always send one on
// websocket upgrades) matching Host.
func sameOriginStrict(r *http.Request) bool {
	if r.Header.Get("Origin") == "" {
		return false
	}
	return sameOrigin(r)
}

func strconvQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

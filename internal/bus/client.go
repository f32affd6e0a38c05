package bus

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"github.com/libreqos-go/lqos/internal/plan"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// ErrClosed is returned by calls on a closed client.
var ErrClosed = errors.New("bus: client closed")

// ClientOptions tune a Client. Zero values select the defaults.
type ClientOptions struct {
	// MaxFrameSize bounds frames the client sends (DefaultMaxFrameSize,
	// matching the server default); larger batches fail locally.
	MaxFrameSize int
	// MaxResponseSize bounds frames it accepts (DefaultMaxResponseSize).
	MaxResponseSize int
}

// Client is a connection to the bus. It is safe for concurrent use: calls
// from many goroutines are pipelined on the one connection and responses are
// matched by request id. The server handles up to 8 frames of a connection
// at once, so a slow request (ApplyPlan) does not hold up other calls on the
// same client. The requests of one Request batch run in order. The server
// closes connections idle for ServerOptions.IdleTimeout (5 min by default):
// long-lived clients should redial when a call fails with a transport error.
type Client struct {
	conn    net.Conn
	o       ClientOptions
	nextID  atomic.Uint64
	writeMu sync.Mutex
	scratch []byte // frame assembly buffer, guarded by writeMu

	mu      sync.Mutex
	pending map[uint64]chan DecodedResponse
	err     error // set once the connection is dead
	dead    chan struct{}
}

// Dial connects to the bus at path (DefaultSocketPath if empty). The
// context bounds the connection attempt only.
func Dial(ctx context.Context, path string) (*Client, error) {
	return DialOptions(ctx, path, ClientOptions{})
}

// DialOptions is Dial with options.
func DialOptions(ctx context.Context, path string, o ClientOptions) (*Client, error) {
	if path == "" {
		path = DefaultSocketPath
	}
	if o.MaxFrameSize <= 0 {
		o.MaxFrameSize = DefaultMaxFrameSize
	}
	if o.MaxResponseSize <= 0 {
		o.MaxResponseSize = DefaultMaxResponseSize
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("bus: connect to lqosd at %s (is lqosd running?): %w", path, err)
	}
	c := &Client{conn: conn, o: o, pending: map[uint64]chan DecodedResponse{}, dead: make(chan struct{})}
	go c.readLoop()
	return c, nil
}

// Close closes the connection; pending calls fail with ErrClosed.
func (c *Client) Close() error {
	c.fail(ErrClosed) // first, so the reader's "connection lost" does not win
	return c.conn.Close()
}

// fail marks the connection dead and wakes every waiter.
func (c *Client) fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return
	}
	c.err = err
	close(c.dead)
}

func (c *Client) readLoop() {
	br := bufio.NewReaderSize(c.conn, 64<<10)
	for {
		body, err := ReadFrame(br, c.o.MaxResponseSize)
		if err != nil {
			c.conn.Close()
			c.fail(fmt.Errorf("bus: connection lost: %w", err))
			return
		}
		resps, err := DecodeResponses(body)
		if err != nil {
			c.conn.Close()
			c.fail(err)
			return
		}
		for _, r := range resps {
			if r.ID == 0 {
				// A connection-level error (refused, frame too large...):
				// nothing can be matched, so every pending call gets it.
				e, ok := r.Resp.(*Error)
				if !ok {
					e = Errorf(CodeBadFrame, "unexpected %s response with id 0", r.Resp.ResponseType())
				}
				c.conn.Close()
				c.fail(e)
				return
			}
			c.mu.Lock()
			ch := c.pending[r.ID]
			delete(c.pending, r.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- r // buffered for the whole batch
			}
		}
	}
}

// Request sends reqs as one frame (one batch) and returns one response per
// request, in order. A response may be an *Error for that request only; the
// returned error is for transport failures (connection, timeout via ctx,
// frame too large). If ctx ends first, late responses are discarded.
func (c *Client) Request(ctx context.Context, reqs ...Request) ([]Response, error) {
	if len(reqs) == 0 {
		return nil, nil
	}
	if len(reqs) > MaxBatch {
		return nil, fmt.Errorf("bus: %d requests in one batch, limit %d", len(reqs), MaxBatch)
	}
	// Ids of one batch are contiguous, so responses index straight into out.
	n := uint64(len(reqs))
	base := c.nextID.Add(n) - n + 1
	ids := make([]uint64, len(reqs))
	for i := range ids {
		ids[i] = base + uint64(i)
	}
	body, err := EncodeRequests(ids, reqs)
	if err != nil {
		return nil, err
	}
	if len(body) > c.o.MaxFrameSize {
		return nil, fmt.Errorf("%w: request batch is %d bytes, limit %d; split it", ErrFrameTooLarge, len(body), c.o.MaxFrameSize)
	}
	ch := make(chan DecodedResponse, len(reqs))
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return nil, err
	}
	for _, id := range ids {
		c.pending[id] = ch
	}
	c.mu.Unlock()
	unregister := func() {
		c.mu.Lock()
		for _, id := range ids {
			delete(c.pending, id)
		}
		c.mu.Unlock()
	}
	if err := c.write(ctx, body); err != nil {
		unregister()
		return nil, err
	}
	out := make([]Response, len(reqs))
	for got := 0; got < len(reqs); {
		select {
		case r := <-ch:
			out[r.ID-base] = r.Resp
			got++
		case <-ctx.Done():
			unregister()
			return nil, fmt.Errorf("bus: %w", ctx.Err())
		case <-c.dead:
			// Responses may have arrived just before the connection died.
			select {
			case r := <-ch:
				out[r.ID-base] = r.Resp
				got++
				continue
			default:
			}
			unregister()
			c.mu.Lock()
			err := c.err
			c.mu.Unlock()
			return nil, err
		}
	}
	return out, nil
}

func (c *Client) write(ctx context.Context, body []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	dl, ok := ctx.Deadline()
	if !ok {
		dl = time.Time{}
	}
	_ = c.conn.SetWriteDeadline(dl)
	// Abort a write blocked on a full socket if ctx is cancelled.
	if ctx.Done() != nil {
		fired := make(chan struct{})
		stop := context.AfterFunc(ctx, func() {
			_ = c.conn.SetWriteDeadline(time.Unix(1, 0))
			close(fired)
		})
		defer func() {
			// If the abort fired, wait for it so it cannot hit the next
			// writer's frame (each write sets its own deadline first).
			if !stop() {
				<-fired
			}
		}()
	}
	if err := writeFrame(c.conn, &c.scratch, body); err != nil {
		if ctx.Err() != nil {
			c.conn.Close()
			c.fail(fmt.Errorf("bus: %w", ctx.Err()))
			return fmt.Errorf("bus: %w", ctx.Err())
		}
		// The server may have refused us (permission, busy, frame too
		// large) and closed; its reason, arriving on the read side, is
		// far more useful than EPIPE. Give the reader a moment to get it.
		select {
		case <-c.dead:
		case <-time.After(time.Second):
		}
		c.conn.Close()
		c.fail(fmt.Errorf("bus: send failed: %w", err))
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.err
	}
	return nil
}

// call sends one request and type-checks the response.
func call[T Response](ctx context.Context, c *Client, req Request) (T, error) {
	var zero T
	rs, err := c.Request(ctx, req)
	if err != nil {
		return zero, err
	}
	switch r := rs[0].(type) {
	case *Error:
		return zero, r
	case T:
		return r, nil
	default:
		return zero, Errorf(CodeBadRequest, "%s: unexpected %s response", req.RequestType(), r.ResponseType())
	}
}

// Ping checks that lqosd answers.
func (c *Client) Ping(ctx context.Context) (*Pong, error) { return call[*Pong](ctx, c, &Ping{}) }

// Version returns the daemon and protocol versions.
func (c *Client) Version(ctx context.Context) (*VersionInfo, error) {
	return call[*VersionInfo](ctx, c, &Version{})
}

// MapIPsChunk is how many mappings Client.MapIPs puts in one frame
// (~9 MB of JSON, well under DefaultMaxFrameSize).
const MapIPsChunk = 65536

// MapIPs adds or replaces mappings. Large sets are sent as several requests
// of MapIPsChunk mappings; Failed indexes refer to m. On an error the result
// covers the chunks applied before it.
func (c *Client) MapIPs(ctx context.Context, m []plan.Mapping) (*MapIPsResult, error) {
	if len(m) <= MapIPsChunk {
		return call[*MapIPsResult](ctx, c, &MapIPs{Mappings: m})
	}
	total := &MapIPsResult{}
	for off := 0; off < len(m); off += MapIPsChunk {
		end := min(off+MapIPsChunk, len(m))
		r, err := call[*MapIPsResult](ctx, c, &MapIPs{Mappings: m[off:end]})
		if err != nil {
			return total, fmt.Errorf("mappings %d..%d: %w", off, end-1, err)
		}
		total.Applied += r.Applied
		for _, f := range r.Failed {
			f.Index += off
			total.Failed = append(total.Failed, f)
		}
	}
	return total, nil
}

// DelIPs deletes mappings by prefix.
func (c *Client) DelIPs(ctx context.Context, p []netip.Prefix) (*DelIPsResult, error) {
	return call[*DelIPsResult](ctx, c, &DelIPs{Prefixes: p})
}

// ClearIPs deletes every mapping.
func (c *Client) ClearIPs(ctx context.Context) (*ClearIPsResult, error) {
	return call[*ClearIPsResult](ctx, c, &ClearIPs{})
}

// ListIPs lists mappings (limit 0 = all).
func (c *Client) ListIPs(ctx context.Context, offset, limit int) (*MappingList, error) {
	return call[*MappingList](ctx, c, &ListIPs{Offset: offset, Limit: limit})
}

// ApplyPlan asks the daemon to apply the current plan.
func (c *Client) ApplyPlan(ctx context.Context, reason string, dryRun bool) (*PlanResult, error) {
	return call[*PlanResult](ctx, c, &ApplyPlan{Reason: reason, DryRun: dryRun})
}

// ReloadPlan asks the daemon to reload its inputs and apply.
func (c *Client) ReloadPlan(ctx context.Context, reason string, full bool) (*PlanResult, error) {
	return call[*PlanResult](ctx, c, &ReloadPlan{Reason: reason, Full: full})
}

// DataPath returns the data path's mode and the kernel features it found.
func (c *Client) DataPath(ctx context.Context) (*DataPathStatus, error) {
	return call[*DataPathStatus](ctx, c, &GetDataPath{})
}

// DynamicCircuits returns the RADIUS accounting sessions.
func (c *Client) DynamicCircuits(ctx context.Context) (*DynamicCircuits, error) {
	return call[*DynamicCircuits](ctx, c, &GetDynamicCircuits{})
}

// Reload sends a ReloadPlan with every option (ConfirmShrink...).
func (c *Client) Reload(ctx context.Context, r *ReloadPlan) (*PlanResult, error) {
	return call[*PlanResult](ctx, c, r)
}

// Throughput returns the current totals.
func (c *Client) Throughput(ctx context.Context) (*Throughput, error) {
	return call[*Throughput](ctx, c, &GetThroughput{})
}

// TopN returns the busiest hosts or circuits.
func (c *Client) TopN(ctx context.Context, r GetTopN) (*TopNResult, error) {
	return call[*TopNResult](ctx, c, &r)
}

// CircuitThroughput returns rates of the given circuits (all if none).
func (c *Client) CircuitThroughput(ctx context.Context, ids ...string) (*CircuitThroughputResult, error) {
	return call[*CircuitThroughputResult](ctx, c, &GetCircuitThroughput{CircuitIDs: ids})
}

// QueueStats returns the queue counters of a circuit.
func (c *Client) QueueStats(ctx context.Context, circuitID string) (*QueueStats, error) {
	return call[*QueueStats](ctx, c, &GetQueueStats{CircuitID: circuitID})
}

// Report sends a scheduler report (SchedulerHeartbeat, SchedulerProgress,
// SchedulerError, SchedulerOutput or SchedulerSuccess).
func (c *Client) Report(ctx context.Context, r Request) error {
	_, err := call[*Ack](ctx, c, r)
	return err
}

// SchedulerStatus returns the scheduler status as seen by lqosd.
func (c *Client) SchedulerStatus(ctx context.Context) (schedstatus.Status, error) {
	r, err := call[*SchedulerStatus](ctx, c, &GetSchedulerStatus{})
	if err != nil {
		return schedstatus.Status{}, err
	}
	return r.Status, nil
}

// RaiseUrgent raises or bumps an urgent issue.
func (c *Client) RaiseUrgent(ctx context.Context, r RaiseUrgent) (urgent.Issue, error) {
	res, err := call[*UrgentRaised](ctx, c, &r)
	if err != nil {
		return urgent.Issue{}, err
	}
	return res.Issue, nil
}

// ListUrgent lists urgent issues, newest first.
func (c *Client) ListUrgent(ctx context.Context, openOnly bool) ([]urgent.Issue, error) {
	res, err := call[*UrgentList](ctx, c, &ListUrgent{OpenOnly: openOnly})
	if err != nil {
		return nil, err
	}
	return res.Issues, nil
}

// AckUrgent acknowledges by id (code "") or by code (id 0).
func (c *Client) AckUrgent(ctx context.Context, id uint64, code, by string) ([]urgent.Issue, error) {
	res, err := call[*UrgentAcked](ctx, c, &AckUrgent{ID: id, Code: code, By: by})
	if err != nil {
		return nil, err
	}
	return res.Issues, nil
}

// WaitReady pings path every interval until the daemon answers or ctx ends
// (the scheduler's start-up wait). It returns the last error on timeout.
func WaitReady(ctx context.Context, path string, interval time.Duration) error {
	var last error
	for {
		c, err := Dial(ctx, path)
		if err == nil {
			_, err = c.Ping(ctx)
			c.Close()
			if err == nil {
				return nil
			}
		}
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("bus: timed out waiting for lqosd: %w", last)
		case <-time.After(interval):
		}
	}
}

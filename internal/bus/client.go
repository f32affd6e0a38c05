package bus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// ErrClosed is returned by calls on a closed client.
var ErrClosed = errors.New("bus: client closed")

// ErrRequestTooLarge is returned, before anything is sent, for a request
// body over ClientOptions.MaxRequestSize.
var ErrRequestTooLarge = errors.New("bus: request too large")

// ClientOptions tune a Client. Zero values select the defaults.
type ClientOptions struct {
	// MaxRequestSize bounds bodies the client sends (DefaultMaxRequestSize,
	// matching the server default); larger requests fail locally.
	MaxRequestSize int
	// MaxResponseSize bounds answers it accepts (DefaultMaxResponseSize).
	MaxResponseSize int
}

// Client calls the bus API. It is safe for concurrent use: concurrent calls
// use several connections of one pool (up to maxClientConns), so a slow
// call (ApplyPlan) does not hold up the others; a connection the server
// closed while idle is replaced without the caller noticing.
type Client struct {
	path   string
	o      ClientOptions
	tr     *http.Transport
	hc     *http.Client
	closed atomic.Bool

	mu    sync.Mutex
	first net.Conn // the connection Dial made, until the pool takes it
	at    time.Time
	conns atomic.Uint64
}

// Connections counts the connections the client has made to the server
// (Dial's and those the pool opened since, e.g. after the server closed an
// idle one or restarted).
func (c *Client) Connections() uint64 { return c.conns.Load() }

// maxClientConns bounds one client's connections to the server.
const maxClientConns = 16

// Dial connects to the bus at path (DefaultSocketPath if empty), so a
// missing daemon is reported here. The context bounds the connection
// attempt only.
func Dial(ctx context.Context, path string) (*Client, error) {
	return DialOptions(ctx, path, ClientOptions{})
}

// DialOptions is Dial with options.
func DialOptions(ctx context.Context, path string, o ClientOptions) (*Client, error) {
	if path == "" {
		path = DefaultSocketPath
	}
	if o.MaxRequestSize <= 0 {
		o.MaxRequestSize = DefaultMaxRequestSize
	}
	if o.MaxResponseSize <= 0 {
		o.MaxResponseSize = DefaultMaxResponseSize
	}
	c := &Client{path: path, o: o}
	first, err := c.connect(ctx)
	if err != nil {
		return nil, err
	}
	c.first, c.at = first, time.Now()
	c.tr = &http.Transport{
		DialContext:         func(ctx context.Context, _, _ string) (net.Conn, error) { return c.dial(ctx) },
		MaxConnsPerHost:     maxClientConns,
		MaxIdleConnsPerHost: maxClientConns,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	c.hc = &http.Client{Transport: c.tr}
	return c, nil
}

func (c *Client) connect(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.path)
	if err != nil {
		return nil, fmt.Errorf("bus: connect to lqosd at %s (is lqosd running?): %w", c.path, err)
	}
	c.conns.Add(1)
	return conn, nil
}

// dial hands the pool the connection Dial made while it is fresh (the
// server closes a connection that sends nothing for its ReadTimeout), else
// a new one.
func (c *Client) dial(ctx context.Context) (net.Conn, error) {
	c.mu.Lock()
	first, at := c.first, c.at
	c.first = nil
	c.mu.Unlock()
	if first != nil {
		if time.Since(at) < time.Second {
			return first, nil
		}
		first.Close()
	}
	return c.connect(ctx)
}

// Close closes the client's connections; later calls fail with ErrClosed.
func (c *Client) Close() error {
	c.closed.Store(true)
	c.mu.Lock()
	if c.first != nil {
		c.first.Close()
		c.first = nil
	}
	c.mu.Unlock()
	c.tr.CloseIdleConnections()
	return nil
}

// Request sends each request in turn and returns one response per request,
// in order: a pointer to the route's response type, or an *Error for that
// request only. The returned error is for transport failures (connection,
// timeout via ctx); the requests after it are not sent.
func (c *Client) Request(ctx context.Context, reqs ...Request) ([]Response, error) {
	out := make([]Response, len(reqs))
	for i, req := range reqs {
		sp, err := specOf(req)
		if err != nil {
			return nil, err
		}
		resp := reflect.New(sp.resp).Interface()
		switch err := c.send(ctx, sp, req, resp); {
		case err == nil:
			out[i] = resp
		case isCallError(err):
			out[i] = err
		default:
			return nil, err
		}
	}
	return out, nil
}

// isCallError: the server answered, with an error for this request.
func isCallError(err error) bool {
	var be *Error
	return errors.As(err, &be)
}

func specOf(req Request) (routeSpec, error) {
	t := reflect.TypeOf(req)
	if t == nil || t.Kind() != reflect.Pointer {
		return routeSpec{}, fmt.Errorf("bus: %T is not a request (want a pointer to a request message)", req)
	}
	sp, ok := routeByReq[t.Elem()]
	if !ok {
		return routeSpec{}, fmt.Errorf("bus: %T is not a request of the bus API", req)
	}
	return sp, nil
}

// streamEncoder is implemented by requests whose body the client may write
// as a stream (bulk mappings).
type streamEncoder interface {
	streams() bool
	encodeStream(w io.Writer) error
}

// send runs one call: req (a pointer to the request) is encoded in the
// query string of a read call or as the JSON body of a write call, and a
// 200 answer is decoded into out (leniently: fields it does not know are
// ignored). Any other status is returned as the server's *Error.
func (c *Client) send(ctx context.Context, sp routeSpec, req, out any) error {
	if c.closed.Load() {
		return ErrClosed
	}
	target := "http://lqos" + sp.path
	var body io.Reader
	length := int64(0)
	switch se, ok := req.(streamEncoder); {
	case sp.method == http.MethodGet:
		if q := encodeQuery(req); q != "" {
			target += "?" + q
		}
	case ok && se.streams():
		pr, pw := io.Pipe()
		go func() {
			pw.CloseWithError(se.encodeStream(&limitWriter{w: pw, left: c.o.MaxRequestSize}))
		}()
		defer pr.Close()
		body, length = pr, -1
	default:
		b, err := json.Marshal(req)
		if err != nil {
			return fmt.Errorf("bus: %s: encode: %w", sp.name, err)
		}
		if len(b) > c.o.MaxRequestSize {
			return fmt.Errorf("%w: %s body is %d bytes, limit %d; split it", ErrRequestTooLarge, sp.name, len(b), c.o.MaxRequestSize)
		}
		body, length = bytes.NewReader(b), int64(len(b))
	}
	hr, err := http.NewRequestWithContext(ctx, sp.method, target, body)
	if err != nil {
		return fmt.Errorf("bus: %s: %w", sp.name, err)
	}
	hr.ContentLength = length
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	res, err := c.hc.Do(hr)
	if err != nil {
		if errors.Is(err, ErrRequestTooLarge) {
			return fmt.Errorf("%w: %s body over %d bytes; split it", ErrRequestTooLarge, sp.name, c.o.MaxRequestSize)
		}
		if c.closed.Load() {
			return ErrClosed
		}
		return fmt.Errorf("bus: %s %s: %w", sp.method, sp.path, unwrapURLError(err))
	}
	defer res.Body.Close()
	lr := &io.LimitedReader{R: res.Body, N: int64(c.o.MaxResponseSize) + 1}
	dec := json.NewDecoder(lr)
	if res.StatusCode != http.StatusOK {
		var e Error
		if err := dec.Decode(&e); err != nil || e.Code == "" {
			return Errorf(CodeFailed, "%s: HTTP %s without an error body", sp.name, res.Status)
		}
		return &e
	}
	if wd, ok := out.(interface{ decodeWhole([]byte) bool }); ok {
		var b []byte
		var rerr error
		if n := res.ContentLength; n > 0 && n <= int64(c.o.MaxResponseSize) {
			b = make([]byte, n) // one buffer of the answer's size
			var got int
			got, rerr = io.ReadFull(lr, b)
			b = b[:got]
		} else {
			b, rerr = io.ReadAll(lr)
		}
		if rerr == nil && lr.N > 0 && wd.decodeWhole(b) {
			return nil
		}
		dec = json.NewDecoder(io.MultiReader(bytes.NewReader(b), lr))
	}
	if err := dec.Decode(out); err != nil {
		if lr.N <= 0 {
			return Errorf(CodeResponseTooLarge, "%s: answer over %d bytes", sp.name, c.o.MaxResponseSize)
		}
		return fmt.Errorf("bus: %s: read the answer: %w", sp.name, err)
	}
	return nil
}

// unwrapURLError drops net/http's `Post "http://lqos/v1/...": ` prefix,
// keeping the cause (errors.Is still sees context errors).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// limitWriter fails once more than left bytes were written.
type limitWriter struct {
	w    io.Writer
	left int
}

func (l *limitWriter) Write(p []byte) (int, error) {
	if len(p) > l.left {
		return 0, ErrRequestTooLarge
	}
	l.left -= len(p)
	return l.w.Write(p)
}

// call sends one request and returns its answer; T is a pointer to the
// route's response type.
func call[T any](ctx context.Context, c *Client, req Request) (T, error) {
	var zero T
	sp, err := specOf(req)
	if err != nil {
		return zero, err
	}
	out := reflect.New(reflect.TypeFor[T]().Elem()).Interface().(T)
	if err := c.send(ctx, sp, req, out); err != nil {
		return zero, err
	}
	return out, nil
}

// Ping checks that lqosd answers.
func (c *Client) Ping(ctx context.Context) (*Pong, error) { return call[*Pong](ctx, c, &Ping{}) }

// Version returns the daemon and protocol versions.
func (c *Client) Version(ctx context.Context) (*VersionInfo, error) {
	return call[*VersionInfo](ctx, c, &Version{})
}

// MapIPsChunk is how many mappings Client.MapIPs puts in one request
// (~9 MB of JSON, well under DefaultMaxRequestSize).
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

// Report sends a scheduler report (*SchedulerHeartbeat, *SchedulerProgress,
// *SchedulerError, *SchedulerOutput or *SchedulerSuccess).
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

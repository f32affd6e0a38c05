package metrics

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/backoff"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/stats"
	"github.com/libreqos-go/lqos/internal/urgent"
	"github.com/prometheus/client_golang/prometheus"
)

// InfluxOptions configure an Exporter.
type InfluxOptions struct {
	config.InfluxDB
	NodeName string
	// BatchSize is the most lines per write request (default 5000).
	BatchSize int
	Backoff   Backoff
	Client    *http.Client
	Logger    *slog.Logger
	// Now stamps the points (default time.Now).
	Now func() time.Time
}

// Exporter sends lqosd's figures as InfluxDB line protocol. Sample (or the
// Run loop) encodes one interval's points into the buffer and returns at
// once; a sender goroutine writes them in batches, retrying with backoff.
type Exporter struct {
	src   Source
	o     InfluxOptions
	write string // the write endpoint with its query

	mu      sync.Mutex
	buf     []line // oldest first, at most BufferPoints
	seq     uint64
	wake    chan struct{}
	written uint64
	dropped uint64
	failed  uint64
	batches uint64

	descWritten, descDropped, descBuffered, descFailed *prometheus.Desc
	// accounted, if set, hears each batch once it is counted (tests).
	accounted func()
}

type line struct {
	seq  uint64
	text string
}

// NewExporter checks o and returns an exporter; call Run to start it.
func NewExporter(src Source, o InfluxOptions) (*Exporter, error) {
	u, err := url.Parse(o.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("influxdb.url %q: want an http:// or https:// URL", o.URL)
	}
	if o.Bucket == "" {
		return nil, fmt.Errorf("influxdb.bucket: must name the bucket (or v1 database)")
	}
	q := url.Values{"precision": {"ns"}}
	if o.Org != "" {
		// InfluxDB 2 and compatible servers: org and bucket.
		u = u.JoinPath("api", "v2", "write")
		q.Set("org", o.Org)
		q.Set("bucket", o.Bucket)
	} else {
		// InfluxDB 1: the bucket is the database.
		u = u.JoinPath("write")
		q.Set("db", o.Bucket)
	}
	u.RawQuery = q.Encode()
	if o.BufferPoints <= 0 {
		o.BufferPoints = 100000
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 5000
	}
	if o.IntervalSeconds <= 0 {
		o.IntervalSeconds = 10
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Backoff.Initial <= 0 {
		o.Backoff = DefaultBackoff
	}
	node := prometheus.Labels{NodeLabel: o.NodeName}
	return &Exporter{src: src, o: o, write: u.String(), wake: make(chan struct{}, 1),
		descWritten:  prometheus.NewDesc("lqos_influx_points_written_total", "Line-protocol points the InfluxDB server accepted.", nil, node),
		descDropped:  prometheus.NewDesc("lqos_influx_points_dropped_total", "Points dropped, oldest first, because the buffer was full or the server refused them.", nil, node),
		descBuffered: prometheus.NewDesc("lqos_influx_points_buffered", "Points waiting to be written.", nil, node),
		descFailed:   prometheus.NewDesc("lqos_influx_write_failures_total", "Write requests that failed (each is retried with backoff).", nil, node),
	}, nil
}

// Endpoint is the write URL in use.
func (e *Exporter) Endpoint() string { return e.write }

// Counts are the exporter's counters.
type Counts struct{ Written, Dropped, Buffered, Failed, Batches uint64 }

// Counts returns the counters now.
func (e *Exporter) Counts() Counts {
	e.mu.Lock()
	defer e.mu.Unlock()
	return Counts{Written: e.written, Dropped: e.dropped, Buffered: uint64(len(e.buf)), Failed: e.failed, Batches: e.batches}
}

// Describe implements prometheus.Collector.
func (e *Exporter) Describe(ch chan<- *prometheus.Desc) {
	ch <- e.descWritten
	ch <- e.descDropped
	ch <- e.descBuffered
	ch <- e.descFailed
}

// Collect implements prometheus.Collector.
func (e *Exporter) Collect(ch chan<- prometheus.Metric) {
	c := e.Counts()
	ch <- prometheus.MustNewConstMetric(e.descWritten, prometheus.CounterValue, float64(c.Written))
	ch <- prometheus.MustNewConstMetric(e.descDropped, prometheus.CounterValue, float64(c.Dropped))
	ch <- prometheus.MustNewConstMetric(e.descBuffered, prometheus.GaugeValue, float64(c.Buffered))
	ch <- prometheus.MustNewConstMetric(e.descFailed, prometheus.CounterValue, float64(c.Failed))
}

// Run samples every interval and sends until ctx ends.
func (e *Exporter) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { e.sendLoop(ctx) })
	t := time.NewTicker(time.Duration(e.o.IntervalSeconds) * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-t.C:
			e.Sample()
		}
	}
}

// Sample encodes the current figures into the buffer. It never blocks on
// the network.
func (e *Exporter) Sample() {
	var b lineBuilder
	e.encode(&b, e.o.Now())
	e.push(b.lines)
}

// push appends lines, dropping the oldest beyond BufferPoints.
func (e *Exporter) push(lines []string) {
	e.mu.Lock()
	for _, l := range lines {
		e.seq++
		e.buf = append(e.buf, line{e.seq, l})
	}
	if over := len(e.buf) - e.o.BufferPoints; over > 0 {
		e.dropped += uint64(over)
		e.buf = slices.Delete(e.buf, 0, over)
	}
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// batch returns up to BatchSize of the oldest lines and the last seq.
func (e *Exporter) batch() ([]byte, uint64, int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := min(len(e.buf), e.o.BatchSize)
	if n == 0 {
		return nil, 0, 0
	}
	var body bytes.Buffer
	for _, l := range e.buf[:n] {
		body.WriteString(l.text)
		body.WriteByte('\n')
	}
	return body.Bytes(), e.buf[n-1].seq, n
}

// sent removes every line up to seq (some may have been dropped already:
// a point dropped for room while its batch was in flight is counted both
// as dropped and, when the batch succeeds, as written).
func (e *Exporter) sent(seq uint64, n int, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	i := 0
	for i < len(e.buf) && e.buf[i].seq <= seq {
		i++
	}
	e.buf = slices.Delete(e.buf, 0, i)
	if ok {
		e.written += uint64(n)
		e.batches++
	} else {
		e.dropped += uint64(i)
	}
}

func (e *Exporter) sendLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.wake:
		}
		for ctx.Err() == nil {
			var seq uint64
			var n int
			err := backoff.Retry(ctx, e.o.Backoff, func() error {
				var body []byte
				body, seq, n = e.batch()
				if n == 0 {
					return nil
				}
				return e.post(ctx, body)
			}, func(err error, wait time.Duration) {
				e.mu.Lock()
				e.failed++
				e.mu.Unlock()
				e.o.Logger.Warn("InfluxDB write failed; retrying", "url", e.write, "err", err, "retry_in", wait)
			})
			if n == 0 || ctx.Err() != nil {
				break
			}
			if err != nil {
				// Refused for good (bad bucket, token or a line the server
				// rejects): drop the batch, count it, keep going.
				e.o.Logger.Error("InfluxDB refused a batch; dropped", "url", e.write, "points", n, "err", err)
			}
			e.sent(seq, n, err == nil)
			if e.accounted != nil {
				e.accounted()
			}
		}
	}
}

// post writes one batch; 4xx answers other than 408/429 are permanent.
func (e *Exporter) post(ctx context.Context, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.write, bytes.NewReader(body))
	if err != nil {
		return backoff.Permanent(err)
	}
	req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	if e.o.Token != "" {
		req.Header.Set("Authorization", "Token "+e.o.Token)
	}
	resp, err := e.o.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	err = fmt.Errorf("InfluxDB answered %s: %s", resp.Status, strings.TrimSpace(string(msg)))
	if resp.StatusCode/100 == 4 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
		return backoff.Permanent(err)
	}
	return err
}

// encode writes one interval's points.
func (e *Exporter) encode(b *lineBuilder, now time.Time) {
	ts := now.UnixNano()
	node := e.o.NodeName
	st := e.src.Stats()
	t := st.Totals()
	for _, x := range []struct {
		class string
		r     stats.Rate
	}{{"all", t.All}, {"shaped", t.Shaped}, {"unshaped", t.Unshaped}} {
		b.start("lqos_throughput").tag(NodeLabel, node).tag("traffic", x.class)
		b.rate(x.r).end(ts)
	}
	sites := map[string]*siteAgg{}
	type circ struct {
		id, site string
		r        stats.Rate
	}
	var circuits []circ
	st.EachCircuit(func(cr *stats.CircuitRate) {
		site := e.src.SiteOf(cr.CircuitID)
		if e.o.PerCircuit {
			circuits = append(circuits, circ{cr.CircuitID, site, cr.Rate})
		}
		if site == "" {
			return
		}
		a := sites[site]
		if a == nil {
			a = &siteAgg{}
			sites[site] = a
		}
		a.rate.Bits.Down += cr.Bits.Down
		a.rate.Bits.Up += cr.Bits.Up
		a.rate.Packets.Down += cr.Packets.Down
		a.rate.Packets.Up += cr.Packets.Up
		a.circuits++
	})
	names := make([]string, 0, len(sites))
	for s := range sites {
		names = append(names, s)
	}
	slices.Sort(names)
	for _, s := range names {
		a := sites[s]
		b.start("lqos_site").tag(NodeLabel, node).tag("site", s)
		b.rate(a.rate).field("circuits", int64(a.circuits)).end(ts)
	}
	slices.SortFunc(circuits, func(x, y circ) int { return strings.Compare(x.id, y.id) })
	for _, c := range circuits {
		b.start("lqos_circuit").tag(NodeLabel, node).tag("circuit_id", c.id)
		if c.site != "" {
			b.tag("site", c.site)
		}
		b.rate(c.r).end(ts)
	}
	var errs, warns int64
	for _, is := range e.src.Urgent() {
		if is.Severity == urgent.Error {
			errs++
		} else {
			warns++
		}
	}
	q := e.src.Queues()
	b.start("lqos_status").tag(NodeLabel, node).
		field("hosts", int64(t.Hosts)).field("unknown_ips", int64(t.Hosts-t.ShapedHosts)).
		field("circuit_queues", int64(q.CircuitQueues)).field("mapped_ip_prefixes", int64(q.MappedIPs)).
		field("urgent_errors", errs).field("urgent_warnings", warns).end(ts)
}

// lineBuilder writes InfluxDB line protocol: measurement,tags fields ts.
type lineBuilder struct {
	cur    strings.Builder
	fields int
	lines  []string
}

var (
	measurementEscaper = strings.NewReplacer(`,`, `\,`, ` `, `\ `, "\n", `\n`)
	tagEscaper         = strings.NewReplacer(`,`, `\,`, `=`, `\=`, ` `, `\ `, "\n", `\n`)
)

func (b *lineBuilder) start(measurement string) *lineBuilder {
	b.cur.Reset()
	b.fields = 0
	b.cur.WriteString(measurementEscaper.Replace(measurement))
	return b
}

// tag adds a tag; empty values are left out (line protocol forbids them).
func (b *lineBuilder) tag(k, v string) *lineBuilder {
	if v == "" {
		return b
	}
	b.cur.WriteByte(',')
	b.cur.WriteString(tagEscaper.Replace(k))
	b.cur.WriteByte('=')
	b.cur.WriteString(tagEscaper.Replace(v))
	return b
}

func (b *lineBuilder) field(k string, v int64) *lineBuilder {
	if b.fields == 0 {
		b.cur.WriteByte(' ')
	} else {
		b.cur.WriteByte(',')
	}
	b.fields++
	b.cur.WriteString(tagEscaper.Replace(k))
	b.cur.WriteByte('=')
	b.cur.WriteString(strconv.FormatInt(v, 10))
	b.cur.WriteByte('i')
	return b
}

func (b *lineBuilder) rate(r stats.Rate) *lineBuilder {
	return b.field("bits_down", int64(r.Bits.Down)).field("bits_up", int64(r.Bits.Up)).
		field("packets_down", int64(r.Packets.Down)).field("packets_up", int64(r.Packets.Up))
}

func (b *lineBuilder) end(ts int64) {
	b.cur.WriteByte(' ')
	b.cur.WriteString(strconv.FormatInt(ts, 10))
	b.lines = append(b.lines, b.cur.String())
}

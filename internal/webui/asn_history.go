package webui

import (
	"cmp"
	"context"
	"net/netip"
	"slices"
	"sync"
	"time"
)

// asnHistory keeps traffic, flows, RTT and retransmits per AS over time so
// the ASN Analysis page can show a window of 5 minutes, 1 hour or 24 hours.
// Every sample (the hub's slow tick) turns the growth of each flow's
// counters since the previous sample into per-AS figures; samples are
// gathered into buckets of three sizes, one ring per window. A bucket keeps
// at most asnPerBucket ASes (by bytes), so memory is bounded however many
// ASes the traffic touches.
type asnHistory struct {
	mu      sync.Mutex
	prev    map[flowID]flowCounters
	sampled bool
	levels  []*asnLevel
	names   map[uint32]asnName
}

type asnName struct{ name, country string }

type flowID struct {
	local, remote netip.Addr
	lport, rport  uint16
	proto         uint8
}

type flowCounters struct {
	bytes, packets [2]uint64
	retx           [2]uint32
}

// asnAgg are one AS's figures in one bucket.
type asnAgg struct {
	bytes    [2]uint64
	retx     [2]uint64
	tcpPkts  [2]uint64
	rttMs    float64 // median of the flows' RTTs in the bucket's samples
	rttN     uint32  // flows behind rttMs (its weight when merging)
	flows    uint32  // flows already open when the bucket started
	newFlows uint32  // flows first seen during the bucket
}

type asnBucket struct {
	start, end time.Time
	ases       map[uint32]*asnAgg
	rtts       map[uint32][]rttPart // (median, weight) per sample, merged at close
}

type rttPart struct {
	ms float64
	n  uint32
}

type asnLevel struct {
	name string
	span time.Duration // bucket length
	keep int           // closed buckets kept
	ring []*asnBucket  // oldest first
	open *asnBucket
}

const asnPerBucket = 300

var asnRanges = map[string]int{"5m": 0, "1h": 1, "24h": 2}

func newASNHistory() *asnHistory {
	return &asnHistory{
		prev:  map[flowID]flowCounters{},
		names: map[uint32]asnName{},
		levels: []*asnLevel{
			{name: "5m", span: 10 * time.Second, keep: 30},
			{name: "1h", span: time.Minute, keep: 60},
			{name: "24h", span: 10 * time.Minute, keep: 144},
		},
	}
}

// sample folds one read of the flow table in. The first read only sets the
// baseline (flows' totals before lqosd's UI saw them are not traffic of
// this window).
func (h *asnHistory) sample(flows []GeoFlow, now time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	next := make(map[flowID]flowCounters, len(flows))
	per := map[uint32]*asnAgg{}
	rtts := map[uint32][]float64{}
	for i := range flows {
		f := &flows[i]
		id := flowID{f.Local, f.Remote, f.LocalPort, f.RemotePort, f.Proto}
		c := flowCounters{f.Bytes, f.Packets, f.Retransmits}
		next[id] = c
		if f.ASN == 0 {
			continue
		}
		if _, ok := h.names[f.ASN]; !ok || f.Country != "" {
			h.names[f.ASN] = asnName{f.ASName, f.Country}
		}
		a := per[f.ASN]
		if a == nil {
			a = &asnAgg{}
			per[f.ASN] = a
		}
		p, seen := h.prev[id]
		if !seen {
			a.newFlows++
			if !h.sampled {
				p = c // baseline
			}
		} else {
			a.flows++
		}
		for d := range 2 {
			if c.bytes[d] >= p.bytes[d] {
				a.bytes[d] += c.bytes[d] - p.bytes[d]
			}
			if f.Proto == 6 && c.packets[d] >= p.packets[d] && c.retx[d] >= p.retx[d] {
				a.tcpPkts[d] += c.packets[d] - p.packets[d]
				a.retx[d] += uint64(c.retx[d] - p.retx[d])
			}
		}
		if f.RTTMs > 0 {
			rtts[f.ASN] = append(rtts[f.ASN], f.RTTMs)
		}
	}
	first := !h.sampled
	h.prev, h.sampled = next, true
	if first {
		return
	}
	for asn, v := range rtts {
		slices.Sort(v)
		per[asn].rttMs, per[asn].rttN = v[len(v)/2], uint32(len(v))
	}
	for _, l := range h.levels {
		l.add(per, now)
	}
}

func (l *asnLevel) add(per map[uint32]*asnAgg, now time.Time) {
	if l.open != nil && !now.Before(l.open.end) {
		l.close()
	}
	if l.open == nil {
		start := now.Truncate(l.span)
		l.open = &asnBucket{start: start, end: start.Add(l.span), ases: map[uint32]*asnAgg{}, rtts: map[uint32][]rttPart{}}
		for asn, a := range per {
			l.open.ases[asn] = &asnAgg{flows: a.flows} // open at the start
		}
	}
	b := l.open
	for asn, a := range per {
		t := b.ases[asn]
		if t == nil {
			t = &asnAgg{flows: a.flows}
			b.ases[asn] = t
		}
		for d := range 2 {
			t.bytes[d] += a.bytes[d]
			t.retx[d] += a.retx[d]
			t.tcpPkts[d] += a.tcpPkts[d]
		}
		t.newFlows += a.newFlows
		if a.rttN > 0 {
			b.rtts[asn] = append(b.rtts[asn], rttPart{a.rttMs, a.rttN})
		}
	}
}

// close ends the open bucket: RTT parts become one weighted median and only
// the busiest ASes are kept.
func (l *asnLevel) close() {
	b := l.open
	l.open = nil
	for asn, parts := range b.rtts {
		b.ases[asn].rttMs, b.ases[asn].rttN = weightedMedian(parts)
	}
	b.rtts = nil
	if len(b.ases) > asnPerBucket {
		type kv struct {
			asn uint32
			n   uint64
		}
		all := make([]kv, 0, len(b.ases))
		for asn, a := range b.ases {
			all = append(all, kv{asn, a.bytes[0] + a.bytes[1]})
		}
		slices.SortFunc(all, func(x, y kv) int { return cmp.Compare(y.n, x.n) })
		for _, e := range all[asnPerBucket:] {
			delete(b.ases, e.asn)
		}
	}
	l.ring = append(l.ring, b)
	if len(l.ring) > l.keep {
		l.ring = l.ring[len(l.ring)-l.keep:]
	}
}

func weightedMedian(parts []rttPart) (float64, uint32) {
	if len(parts) == 0 {
		return 0, 0
	}
	slices.SortFunc(parts, func(a, b rttPart) int { return cmp.Compare(a.ms, b.ms) })
	var total, acc uint32
	for _, p := range parts {
		total += p.n
	}
	for _, p := range parts {
		acc += p.n
		if 2*acc >= total {
			return p.ms, total
		}
	}
	return parts[len(parts)-1].ms, total
}

// asnWindow is one AS's figures over a window.
type asnWindow struct {
	asn                  uint32
	bytes, retx, tcpPkts [2]uint64
	rttMs                float64
	flows                uint32
	perBucket            []uint64 // bytes per bucket, both ways
}

// window returns per-AS figures over the range's buckets (the open one
// included), the bucket start times and the span covered.
func (h *asnHistory) window(rng string, now time.Time) (map[uint32]*asnWindow, []time.Time, time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.levels[asnRanges[rng]]
	buckets := append([]*asnBucket(nil), l.ring...)
	if l.open != nil {
		// The open bucket's RTT parts are not merged yet: merge a copy.
		ob := &asnBucket{start: l.open.start, end: l.open.end, ases: l.open.ases}
		buckets = append(buckets, ob)
	}
	out := map[uint32]*asnWindow{}
	starts := make([]time.Time, len(buckets))
	rtt := map[uint32][]rttPart{}
	for i, b := range buckets {
		starts[i] = b.start
		for asn, a := range b.ases {
			w := out[asn]
			if w == nil {
				w = &asnWindow{asn: asn, perBucket: make([]uint64, len(buckets))}
				w.flows = a.flows // open when the window started
				out[asn] = w
			}
			for d := range 2 {
				w.bytes[d] += a.bytes[d]
				w.retx[d] += a.retx[d]
				w.tcpPkts[d] += a.tcpPkts[d]
			}
			w.flows += a.newFlows
			w.perBucket[i] = a.bytes[0] + a.bytes[1]
			if a.rttN > 0 {
				rtt[asn] = append(rtt[asn], rttPart{a.rttMs, a.rttN})
			}
		}
		if i == len(buckets)-1 && l.open != nil {
			for asn, parts := range l.open.rtts {
				rtt[asn] = append(rtt[asn], parts...)
			}
		}
	}
	for asn, parts := range rtt {
		if w := out[asn]; w != nil {
			w.rttMs, _ = weightedMedian(append([]rttPart(nil), parts...))
		}
	}
	var span time.Duration
	if len(buckets) > 0 {
		end := now
		if end.After(buckets[len(buckets)-1].end) {
			end = buckets[len(buckets)-1].end
		}
		span = end.Sub(buckets[0].start)
	}
	return out, starts, span
}

func (h *asnHistory) name(asn uint32) asnName {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.names[asn]
}

// bucketSpan is the bucket length of a range.
func (h *asnHistory) bucketSpan(rng string) time.Duration { return h.levels[asnRanges[rng]].span }

// sampleASN folds the current flows into the ASN history (slow tick).
func (h *hub) sampleASN(ctx context.Context) {
	gs, ok := h.s.src.(GeoSource)
	if !ok {
		return
	}
	sctx, cancel := context.WithTimeout(ctx, sourceTimeout)
	defer cancel()
	gf, err := gs.GeoFlows(sctx)
	h.noteErr("asn", err)
	if err != nil {
		return
	}
	h.pages.asn.sample(gf.Flows, h.s.cfg.Now())
}

package webui

import (
	"math"
	"sync"
	"time"
)

// History kept in memory, per node and per circuit:
//
//	nodes:    1 s samples for 5 min, 1 min averages for 24 h
//	circuits: 1 min averages for 1 h; 1 s samples for 5 min only while
//	          someone views the circuit (its live channel has subscribers)
//
// A sample is four float32 (down bps, up bps, median RTT ms, retransmit %)
// and its time is implied by its slot, so a node costs
// (300+1440)*16 B ≈ 27 KiB and a circuit 60*16 B ≈ 1 KiB.
const (
	secSlots        = 300
	minSlots        = 1440
	circuitMinSlots = 60
)

// sample is one history point; NaN marks a slot with no data.
type sample [4]float32

// ring is a fixed-size series at a fixed step ending at slot last.
type ring struct {
	step int64 // seconds
	buf  []sample
	head int   // index of the newest slot
	last int64 // unix time / step of the newest slot (0 = empty)
}

func newRing(step int64, n int) *ring {
	r := &ring{step: step, buf: make([]sample, n)}
	for i := range r.buf {
		r.buf[i] = nanSample
	}
	return r
}

var nanSample = sample{float32(math.NaN()), float32(math.NaN()), float32(math.NaN()), float32(math.NaN())}

// put stores v at time t (unix seconds), leaving NaN in skipped slots.
func (r *ring) put(t int64, v sample) {
	slot := t / r.step
	switch {
	case r.last == 0:
		r.last = slot
	case slot <= r.last:
		r.buf[r.head] = v // same slot again (or a clock step back): overwrite
		return
	default:
		gap := min(slot-r.last, int64(len(r.buf)))
		for i := int64(0); i < gap; i++ {
			r.head = (r.head + 1) % len(r.buf)
			r.buf[r.head] = nanSample
		}
		r.last = slot
	}
	r.buf[r.head] = v
}

// points returns [unix ms, down, up, rtt, retx] oldest first, skipping
// empty slots, for slots newer than since (unix seconds).
func (r *ring) points(since int64) [][5]float64 {
	if r.last == 0 {
		return nil
	}
	out := make([][5]float64, 0, len(r.buf))
	n := len(r.buf)
	for i := n - 1; i >= 0; i-- {
		slot := r.last - int64(i)
		if slot*r.step < since {
			continue
		}
		v := r.buf[(r.head-i+n)%n]
		if math.IsNaN(float64(v[0])) {
			continue
		}
		out = append(out, [5]float64{float64(slot * r.step * 1000), round1(v[0]), round1(v[1]), round1(v[2]), round1(v[3])})
	}
	return out
}

func round1(v float32) float64 { return math.Round(float64(v)*10) / 10 }

// minuteAcc averages one-second samples into the current minute.
type minuteAcc struct {
	minute int64
	n      int
	sum    [4]float64
}

// add returns the finished average of the previous minute when t starts
// a new one.
func (a *minuteAcc) add(t int64, v sample) (prevMinute int64, avg sample, done bool) {
	m := t / 60
	if a.n > 0 && m != a.minute {
		prevMinute, done = a.minute, true
		for i := range avg {
			avg[i] = float32(a.sum[i] / float64(a.n))
		}
		a.n, a.sum = 0, [4]float64{}
	}
	a.minute = m
	a.n++
	for i := range v {
		a.sum[i] += float64(v[i])
	}
	return prevMinute, avg, done
}

type seriesHistory struct {
	sec *ring // nil for circuits nobody views
	min *ring
	acc minuteAcc
}

func (h *seriesHistory) add(t int64, v sample) {
	if h.sec != nil {
		h.sec.put(t, v)
	}
	if m, avg, done := h.acc.add(t, v); done {
		h.min.put(m*60, avg)
	}
}

// historyStore holds the history of every node and circuit.
type historyStore struct {
	mu       sync.Mutex
	nodes    map[string]*seriesHistory
	circuits map[string]*seriesHistory
}

func newHistoryStore() *historyStore {
	return &historyStore{nodes: map[string]*seriesHistory{}, circuits: map[string]*seriesHistory{}}
}

func nodeSample(l NodeLive) sample {
	return sample{float32(l.BitsPerSecond.Down), float32(l.BitsPerSecond.Up), float32(l.RTTP50Ms), float32(max(l.RetransmitPct.Down, l.RetransmitPct.Up))}
}

func circuitSample(l CircuitLive) sample {
	return sample{float32(l.BitsPerSecond.Down), float32(l.BitsPerSecond.Up), float32(l.RTTMs), float32(max(l.RetransmitPct.Down, l.RetransmitPct.Up))}
}

// record adds one second of figures. watched names the circuits whose
// one-second history is kept; series of nodes and circuits that are gone
// are dropped.
func (hs *historyStore) record(now time.Time, nodes []TreeNode, circuits []CircuitRow, watched map[string]bool) {
	t := now.Unix()
	hs.mu.Lock()
	defer hs.mu.Unlock()
	seen := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		seen[n.ID] = true
		h := hs.nodes[n.ID]
		if h == nil {
			h = &seriesHistory{sec: newRing(1, secSlots), min: newRing(60, minSlots)}
			hs.nodes[n.ID] = h
		}
		h.add(t, nodeSample(n.Live))
	}
	for id := range hs.nodes {
		if !seen[id] {
			delete(hs.nodes, id)
		}
	}
	clear(seen)
	for _, c := range circuits {
		seen[c.ID] = true
		h := hs.circuits[c.ID]
		if h == nil {
			h = &seriesHistory{min: newRing(60, circuitMinSlots)}
			hs.circuits[c.ID] = h
		}
		switch {
		case watched[c.ID] && h.sec == nil:
			h.sec = newRing(1, secSlots)
		case !watched[c.ID]:
			h.sec = nil
		}
		h.add(t, circuitSample(c.Live))
	}
	for id := range hs.circuits {
		if !seen[id] {
			delete(hs.circuits, id)
		}
	}
}

// History is a chart series: Points are [unix ms, down bps, up bps,
// median RTT ms, retransmit %], oldest first; StepSeconds is 1 or 60.
type History struct {
	Range       string       `json:"range"`
	StepSeconds int          `json:"step_s"`
	Points      [][5]float64 `json:"points"`
}

// historyRanges are the ranges the time selector offers.
var historyRanges = map[string]time.Duration{"5m": 5 * time.Minute, "1h": time.Hour, "24h": 24 * time.Hour}

// series returns the history of a node ("node") or circuit ("circuit")
// over rng ("5m", "1h", "24h"): 5m from one-second samples, longer ranges
// from minute averages.
func (hs *historyStore) series(kind, id, rng string, now time.Time) History {
	d, ok := historyRanges[rng]
	if !ok {
		rng, d = "5m", 5*time.Minute
	}
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.nodes[id]
	if kind == "circuit" {
		h = hs.circuits[id]
	}
	out := History{Range: rng, StepSeconds: 60, Points: [][5]float64{}}
	if h == nil {
		return out
	}
	since := now.Add(-d).Unix()
	r := h.min
	if rng == "5m" && h.sec != nil {
		r, out.StepSeconds = h.sec, 1
	}
	if p := r.points(since); p != nil {
		out.Points = p
	}
	return out
}

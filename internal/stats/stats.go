// Package stats turns the data path's cumulative per-host counters into
// rates: per host, per circuit, totals split into shaped (the host matched a
// mapping) and unshaped traffic, top-N lists and a short history of totals.
//
// The daemon calls Update about once a second with a fresh read of the
// counters; everything else reads the result of the latest Update. The
// collector never touches the kernel itself, so it is tested with plain
// slices.
package stats

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/datapath"
)

// Defaults for Options.
const (
	DefaultHistory     = 300 // seconds of totals at 1 Hz
	DefaultRetire      = 30  // idle samples before a host leaves top-N lists
	DefaultMaxBitsRate = 100_000_000_000
)

// DownUp is a pair of values, download (towards the subscriber) first.
type DownUp struct {
	Down uint64 `json:"down"`
	Up   uint64 `json:"up"`
}

// Total is Down+Up.
func (d DownUp) Total() uint64 { return d.Down + d.Up }

func (d *DownUp) add(o DownUp) { d.Down += o.Down; d.Up += o.Up }

// Rate is a bits and packets per second pair.
type Rate struct {
	Bits    DownUp `json:"bits_per_second"`
	Packets DownUp `json:"packets_per_second"`
}

func (r *Rate) add(o Rate) { r.Bits.add(o.Bits); r.Packets.add(o.Packets) }

// Totals are the whole-network rates of one sample.
type Totals struct {
	At       time.Time `json:"at"`
	All      Rate      `json:"all"`
	Shaped   Rate      `json:"shaped"`
	Unshaped Rate      `json:"unshaped"`
	// Hosts seen in the sample; Shaped hosts are those with a circuit.
	Hosts       int `json:"hosts"`
	ShapedHosts int `json:"shaped_hosts"`
}

// HostRate is one host's current rate.
type HostRate struct {
	Addr      netip.Addr `json:"addr"`
	CircuitID string     `json:"circuit_id,omitempty"` // "" = unshaped
	Rate
	Bytes    DownUp    `json:"bytes"` // cumulative counters
	LastSeen time.Time `json:"last_seen"`
}

// CircuitRate is one circuit's current rate (sum of its hosts).
type CircuitRate struct {
	CircuitID string `json:"circuit_id"`
	Rate
	Bytes DownUp `json:"bytes"`
	Hosts int    `json:"hosts"`
}

// Ordering for top-N lists.
type Order int

const (
	ByDown Order = iota
	ByUp
	ByTotal
)

// ParseOrder reads "down", "up", "total" ("" = down).
func ParseOrder(s string) (Order, error) {
	switch s {
	case "", "down":
		return ByDown, nil
	case "up":
		return ByUp, nil
	case "total":
		return ByTotal, nil
	}
	return 0, fmt.Errorf("order %q: want down, up or total", s)
}

func (o Order) key(r Rate) uint64 {
	switch o {
	case ByUp:
		return r.Bits.Up
	case ByTotal:
		return r.Bits.Total()
	}
	return r.Bits.Down
}

// Options tune a Collector. Zero values pick the defaults.
type Options struct {
	// History is the number of totals samples kept (DefaultHistory).
	History int
	// Retire is how many consecutive idle samples a host may have before it
	// is left out of top-N lists (DefaultRetire).
	Retire int
	// MaxBitsRate: a host rate at or above this (bits/s, either direction)
	// is treated as a counter glitch and dropped from that sample.
	MaxBitsRate uint64
	// Circuit names a circuit hash; nil or "" falls back to the hex hash.
	Circuit func(hash uint64) string
}

type host struct {
	last    datapath.HostCounters
	rate    Rate
	samples int    // samples seen, for "no rate in the first cycle"
	gen     uint64 // Update generation that last saw the host
	idle    int    // consecutive samples without new bytes
	circuit string
}

// Collector computes rates from successive counter reads. Safe for
// concurrent use.
type Collector struct {
	o Options

	mu       sync.RWMutex
	at       time.Time
	hosts    map[netip.Addr]*host
	totals   Totals
	history  *Ring[Totals]
	circuits map[string]*CircuitRate
	updates  uint64 // also the generation stamped on hosts
	took     time.Duration
}

// New returns an empty collector.
func New(o Options) *Collector {
	if o.History <= 0 {
		o.History = DefaultHistory
	}
	if o.Retire <= 0 {
		o.Retire = DefaultRetire
	}
	if o.MaxBitsRate == 0 {
		o.MaxBitsRate = DefaultMaxBitsRate
	}
	return &Collector{o: o, hosts: map[netip.Addr]*host{}, history: NewRing[Totals](o.History), circuits: map[string]*CircuitRate{}}
}

func (c *Collector) circuitName(hash uint64) string {
	if hash == 0 {
		return ""
	}
	if c.o.Circuit != nil {
		if s := c.o.Circuit(hash); s != "" {
			return s
		}
	}
	return fmt.Sprintf("hash:%016x", hash)
}

// Update takes one read of every host's cumulative counters at time now.
// Hosts missing from hs are forgotten (the kernel expired them). A host
// needs two samples to get a rate; a counter that went backwards (entry
// recreated) restarts that host.
func (c *Collector) Update(now time.Time, hs []datapath.HostCounters) {
	start := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	dt := now.Sub(c.at).Seconds()
	first := c.at.IsZero() || dt <= 0
	gen := c.updates + 1
	tot := Totals{At: now}
	circuits := map[string]*CircuitRate{}
	for _, hc := range hs {
		h := c.hosts[hc.Addr]
		if h == nil {
			h = &host{}
			c.hosts[hc.Addr] = h
		}
		h.rate = Rate{}
		if h.samples > 0 && !first && !went(h.last, hc) {
			moved := false
			for d := range 2 {
				db := hc.Bytes[d] - h.last.Bytes[d]
				dp := hc.Packets[d] - h.last.Packets[d]
				moved = moved || db != 0 || dp != 0
				bits := uint64(float64(db*8) / dt)
				pkts := uint64(float64(dp) / dt)
				setDir(&h.rate.Bits, d, bits)
				setDir(&h.rate.Packets, d, pkts)
			}
			if h.rate.Bits.Down >= c.o.MaxBitsRate || h.rate.Bits.Up >= c.o.MaxBitsRate {
				h.rate = Rate{} // a glitch, not traffic
			}
			if moved {
				h.idle = 0
			} else {
				h.idle++
			}
		} else {
			h.samples = 0
			h.idle = 0
		}
		h.samples++
		h.gen = gen
		// Resolving a name costs a lookup (and a Sprintf for unknown
		// hashes); redo it only when the hash changes or was unresolved.
		if hc.CircuitHash != h.last.CircuitHash || h.samples == 1 || strings.HasPrefix(h.circuit, "hash:") {
			h.circuit = c.circuitName(hc.CircuitHash)
		}
		h.last = hc

		tot.Hosts++
		tot.All.add(h.rate)
		if h.circuit != "" {
			tot.ShapedHosts++
			tot.Shaped.add(h.rate)
			cr := circuits[h.circuit]
			if cr == nil {
				cr = &CircuitRate{CircuitID: h.circuit}
				circuits[h.circuit] = cr
			}
			cr.add(h.rate)
			cr.Bytes.add(DownUp{hc.Bytes[0], hc.Bytes[1]})
			cr.Hosts++
		} else {
			tot.Unshaped.add(h.rate)
		}
	}
	for a, h := range c.hosts {
		if h.gen != gen {
			delete(c.hosts, a)
		}
	}
	c.at = now
	c.totals = tot
	c.circuits = circuits
	c.history.Push(tot)
	c.updates++
	c.took = time.Since(start)
}

// went reports a counter going backwards: the kernel entry was recreated.
func went(old, cur datapath.HostCounters) bool {
	for d := range 2 {
		if cur.Bytes[d] < old.Bytes[d] || cur.Packets[d] < old.Packets[d] {
			return true
		}
	}
	return false
}

func setDir(d *DownUp, dir int, v uint64) {
	if dir == 0 {
		d.Down = v
	} else {
		d.Up = v
	}
}

// Totals returns the latest totals (zero before the first Update).
func (c *Collector) Totals() Totals {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.totals
}

// History returns the kept totals, oldest first.
func (c *Collector) History() []Totals {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.history.Snapshot()
}

// Info describes the collector itself.
type Info struct {
	Updates  uint64        `json:"updates"`
	LastPoll time.Duration `json:"last_poll_ns"` // time spent in the last Update
	Hosts    int           `json:"hosts"`
	Circuits int           `json:"circuits"`
}

// Info returns counters about the collector.
func (c *Collector) Info() Info {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return Info{Updates: c.updates, LastPoll: c.took, Hosts: len(c.hosts), Circuits: len(c.circuits)}
}

// TopHosts returns up to n hosts ordered by rate (highest first, ties by
// address), skipping offset entries. Hosts idle for Retire samples are left
// out.
func (c *Collector) TopHosts(o Order, offset, n int) []HostRate {
	// Sort small (key, host) pairs and build full rows only for the page:
	// with 65k hosts and a top-10 most of the cost is moving rows.
	type cand struct {
		key  uint64
		addr netip.Addr
		h    *host
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	cs := make([]cand, 0, len(c.hosts))
	for a, h := range c.hosts {
		if h.idle >= c.o.Retire {
			continue
		}
		cs = append(cs, cand{o.key(h.rate), a, h})
	}
	slices.SortFunc(cs, func(x, y cand) int {
		if r := cmp.Compare(y.key, x.key); r != 0 {
			return r
		}
		return x.addr.Compare(y.addr)
	})
	cs = page(cs, offset, n)
	out := make([]HostRate, len(cs))
	for i, x := range cs {
		h := x.h
		out[i] = HostRate{Addr: x.addr, CircuitID: h.circuit, Rate: h.rate,
			Bytes: DownUp{h.last.Bytes[0], h.last.Bytes[1]}, LastSeen: h.last.LastSeen}
	}
	return out
}

// TopCircuits returns up to n circuits ordered by rate, skipping offset.
func (c *Collector) TopCircuits(o Order, offset, n int) []CircuitRate {
	out := c.Circuits()
	slices.SortFunc(out, func(x, y CircuitRate) int {
		if r := cmp.Compare(o.key(y.Rate), o.key(x.Rate)); r != 0 {
			return r
		}
		return cmp.Compare(x.CircuitID, y.CircuitID)
	})
	return page(out, offset, n)
}

// Circuits returns the named circuits (all when ids is empty), sorted by id.
// Unknown ids are returned with zero rates so callers can tell "idle" from
// an error.
func (c *Collector) Circuits(ids ...string) []CircuitRate {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []CircuitRate
	if len(ids) == 0 {
		out = make([]CircuitRate, 0, len(c.circuits))
		for _, cr := range c.circuits {
			out = append(out, *cr)
		}
	} else {
		for _, id := range ids {
			if cr, ok := c.circuits[id]; ok {
				out = append(out, *cr)
			} else {
				out = append(out, CircuitRate{CircuitID: id})
			}
		}
	}
	slices.SortFunc(out, func(x, y CircuitRate) int { return cmp.Compare(x.CircuitID, y.CircuitID) })
	return slices.CompactFunc(out, func(x, y CircuitRate) bool { return x.CircuitID == y.CircuitID })
}

func page[T any](s []T, offset, n int) []T {
	offset = min(max(offset, 0), len(s))
	s = s[offset:]
	if n >= 0 && n < len(s) {
		s = s[:n]
	}
	return s
}

// EachCircuit calls fn for every circuit of the latest sample, under the
// collector's read lock and without copying the set: fn must be quick and
// must not call back into the collector.
func (c *Collector) EachCircuit(fn func(*CircuitRate)) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, cr := range c.circuits {
		fn(cr)
	}
}

// CircuitOf is the circuit of a host seen in the latest sample ("" when
// unshaped or not seen).
func (c *Collector) CircuitOf(a netip.Addr) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if h := c.hosts[a]; h != nil {
		return h.circuit
	}
	return ""
}

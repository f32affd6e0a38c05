package tc

import (
	"fmt"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/plan"
)

// LazyMode is lazy_queues: what a circuit gets before it is seen
// carrying traffic.
type LazyMode int

const (
	LazyOff  LazyMode = iota // classes and leaf qdiscs for every circuit
	LazyHTB                  // classes for every circuit, leaf qdiscs on first activity
	LazyFull                 // nothing per circuit until its first activity
)

// ParseLazyMode reads the lazy_queues setting ("no", "htb", "full"; empty = no).
func ParseLazyMode(s string) (LazyMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "no", "none", "off", "false":
		return LazyOff, nil
	case "htb":
		return LazyHTB, nil
	case "full":
		return LazyFull, nil
	}
	return LazyOff, fmt.Errorf("lazy_queues %q: want no, htb or full", s)
}

// Lazy tracks circuit activity for lazy queues. Expire 0 means never expire.
// Not safe for concurrent use.
type Lazy struct {
	Mode   LazyMode
	Expire time.Duration
	seen   map[string]time.Time
}

// Touch records traffic for a circuit; it reports whether the circuit just
// became active (its queues must be added).
func (l *Lazy) Touch(circuitID string, now time.Time) bool {
	if l.seen == nil {
		l.seen = map[string]time.Time{}
	}
	_, was := l.seen[circuitID]
	l.seen[circuitID] = now
	return !was
}

// Active reports whether the circuit has been seen and not expired.
func (l *Lazy) Active(circuitID string) bool {
	_, ok := l.seen[circuitID]
	return ok
}

// ExpireIdle forgets circuits idle longer than Expire and returns them.
func (l *Lazy) ExpireIdle(now time.Time) []string {
	if l.Expire <= 0 {
		return nil
	}
	var out []string
	for id, t := range l.seen {
		if now.Sub(t) > l.Expire {
			out = append(out, id)
			delete(l.seen, id)
		}
	}
	return out
}

// Tree returns t as it should be applied right now: in htb mode inactive
// circuits lose their leaf qdisc, in full mode their class too. t is not
// modified. Applying the result with an Applier costs one request per
// activation or expiry in htb mode, two per activation in full mode.
func (l *Lazy) Tree(t *plan.Tree) *plan.Tree {
	if l.Mode == LazyOff || t == nil {
		return t
	}
	out := *t
	out.Classes = make([]plan.Class, 0, len(t.Classes))
	for _, c := range t.Classes {
		if c.Kind == plan.KindCircuit && !l.Active(c.CircuitID) {
			if l.Mode == LazyFull {
				continue
			}
			c.Leaf, c.LeafHandle = plan.Leaf{}, 0
		}
		out.Classes = append(out.Classes, c)
	}
	return &out
}

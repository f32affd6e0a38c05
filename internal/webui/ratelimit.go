package webui

import (
	"net/netip"
	"sync"
	"time"
)

// loginGuard limits password (and setup token) guesses. An attempt takes
// its slot before the password is checked, so N concurrent guesses are
// counted as N even while none of them has failed yet; a slot becomes a
// failure or is given back when the check ends.
//
// Keys, each with its own sliding window:
//   - the client address: max attempts;
//   - the user name within the client's network (/24 for IPv4, /64 for
//     IPv6): max attempts, so rotating addresses inside one network does
//     not multiply the guesses;
//   - the user name across all networks: nameMax attempts, to slow a
//     guesser spread over many networks. An address that has logged in
//     successfully as that name is exempt from this key, so a stranger's
//     failures cannot lock out the real user from an address they use.
type loginGuard struct {
	max, nameMax int
	window       time.Duration
	trustFor     time.Duration
	now          func() time.Time

	mu      sync.Mutex
	keys    map[string]*attemptWindow
	trusted map[string]time.Time // name+"\x00"+addr → last successful login
	refused map[string]time.Time // addr → last refusal worth recording
}

type attemptWindow struct {
	fails   []time.Time
	pending int
}

// maxTrackedKeys bounds the guard's memory under a spray of distinct names
// or addresses; beyond it, keys without recent failures are forgotten.
const maxTrackedKeys = 10000

func newLoginGuard(max int, window, trustFor time.Duration, now func() time.Time) *loginGuard {
	return &loginGuard{max: max, nameMax: 10 * max, window: window, trustFor: trustFor, now: now,
		keys: map[string]*attemptWindow{}, trusted: map[string]time.Time{}, refused: map[string]time.Time{}}
}

// loginAttempt holds the slots of one attempt until done is called.
type loginAttempt struct {
	g          *loginGuard
	keys       []string
	name, addr string
	finished   bool
}

// networkOf is the address's /24 (IPv4) or /64 (IPv6), or the text itself
// when it does not parse.
func networkOf(addr string) string {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	a = a.Unmap()
	bits := 64
	if a.Is4() {
		bits = 24
	}
	p, _ := a.Prefix(bits)
	return p.String()
}

// begin reserves a slot for an attempt by addr for name (name may be empty
// for the setup token). It returns false, reserving nothing, when any of
// the keys has no slot left.
func (g *loginGuard) begin(addr, name string) (*loginAttempt, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	type limit struct {
		key string
		max int
	}
	limits := []limit{{"a\x00" + addr, g.max}}
	if name != "" {
		limits = append(limits, limit{"n\x00" + name + "\x00" + networkOf(addr), g.max})
		if t, ok := g.trusted[name+"\x00"+addr]; !ok || now.Sub(t) > g.trustFor {
			limits = append(limits, limit{"u\x00" + name, g.nameMax})
		}
	}
	for _, l := range limits {
		if w := g.windowLocked(l.key, now); w != nil && len(w.fails)+w.pending >= l.max {
			return nil, false
		}
	}
	at := &loginAttempt{g: g, name: name, addr: addr}
	for _, l := range limits {
		w := g.keys[l.key]
		if w == nil {
			w = &attemptWindow{}
			g.keys[l.key] = w
		}
		w.pending++
		at.keys = append(at.keys, l.key)
	}
	g.gcLocked(now)
	return at, true
}

// refusalWorthRecording reports whether a refusal for addr should be
// audited: the first one in each window, so a flood of refused guesses
// cannot fill the disk with audit lines.
func (g *loginGuard) refusalWorthRecording(addr string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	if t, ok := g.refused[addr]; ok && now.Sub(t) < g.window {
		return false
	}
	if len(g.refused) > maxTrackedKeys {
		for k, t := range g.refused {
			if now.Sub(t) >= g.window {
				delete(g.refused, k)
			}
		}
	}
	g.refused[addr] = now
	return true
}

// failed turns the attempt's slots into failures and returns the number of
// failures now counted for the client address.
func (at *loginAttempt) failed() int {
	g := at.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if at.finished {
		return 0
	}
	at.finished = true
	now := g.now()
	n := 0
	for i, k := range at.keys {
		w := g.keys[k]
		if w == nil {
			continue
		}
		w.pending--
		w.fails = append(w.fails, now)
		if i == 0 {
			n = len(w.fails)
		}
	}
	return n
}

// succeeded gives the slots back, clears the name's failures in the
// client's network and trusts the address for the name.
func (at *loginAttempt) succeeded() {
	g := at.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if at.finished {
		return
	}
	at.finished = true
	at.releaseLocked()
	if at.name != "" {
		if w := g.keys["n\x00"+at.name+"\x00"+networkOf(at.addr)]; w != nil {
			w.fails = nil
		}
		g.trusted[at.name+"\x00"+at.addr] = g.now()
	}
}

// cancel gives the slots back without counting anything (the request was
// refused before any secret was checked).
func (at *loginAttempt) cancel() {
	g := at.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if at.finished {
		return
	}
	at.finished = true
	at.releaseLocked()
}

func (at *loginAttempt) releaseLocked() {
	for _, k := range at.keys {
		if w := at.g.keys[k]; w != nil {
			w.pending--
		}
	}
}

// windowLocked prunes failures older than the window and returns the
// key's window (nil when the key is unknown).
func (g *loginGuard) windowLocked(key string, now time.Time) *attemptWindow {
	w := g.keys[key]
	if w == nil {
		return nil
	}
	cut := now.Add(-g.window)
	i := 0
	for i < len(w.fails) && !w.fails[i].After(cut) {
		i++
	}
	w.fails = w.fails[i:]
	return w
}

func (g *loginGuard) gcLocked(now time.Time) {
	if len(g.keys) > maxTrackedKeys {
		for k := range g.keys {
			if w := g.windowLocked(k, now); len(w.fails) == 0 && w.pending == 0 {
				delete(g.keys, k)
			}
		}
	}
	if len(g.trusted) > maxTrackedKeys {
		for k, t := range g.trusted {
			if now.Sub(t) > g.trustFor {
				delete(g.trusted, k)
			}
		}
	}
}

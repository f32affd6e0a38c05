package radius

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/atomicfile"
)

// Session is one live accounting session.
type Session struct {
	Key       string         `json:"key"` // NAS + "/" + Acct-Session-Id
	NAS       string         `json:"nas"`
	Client    string         `json:"client"`
	SessionID string         `json:"session_id"`
	Username  string         `json:"username,omitempty"`
	MAC       string         `json:"mac,omitempty"`
	Addrs     []netip.Prefix `json:"addrs"`
	Rates     *Rates         `json:"rates,omitempty"`
	Started   time.Time      `json:"started"`
	Updated   time.Time      `json:"updated"`
	// Expires: no packet by then and the session is dropped.
	Expires time.Time `json:"expires"`
}

// Sessions holds the live sessions. Every method is safe for concurrent
// use; Version changes whenever the set or a session's shaping inputs
// (addresses, rates, identity) change, so a caller re-plans only then.
type Sessions struct {
	ttl, grace time.Duration
	now        func() time.Time

	mu      sync.Mutex
	byKey   map[string]*Session
	version uint64
}

// NewSessions makes an empty set. ttl applies to sessions whose NAS sends
// no Acct-Interim-Interval; grace is added to every lifetime.
func NewSessions(ttl, grace time.Duration, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{ttl: ttl, grace: grace, now: now, byKey: map[string]*Session{}}
}

// Apply records an event and reports whether shaping inputs changed.
func (s *Sessions) Apply(ev Event) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	switch ev.Kind {
	case AccountingOn, AccountingOff:
		n := 0
		for k, x := range s.byKey {
			if x.NAS == ev.NAS {
				delete(s.byKey, k)
				n++
			}
		}
		if n > 0 {
			s.version++
		}
		return n > 0
	case Stop:
		k := ev.NAS + "/" + ev.SessionID
		if _, ok := s.byKey[k]; !ok {
			return false
		}
		delete(s.byKey, k)
		s.version++
		return true
	}
	k := ev.NAS + "/" + ev.SessionID
	ttl := s.ttl
	if ev.Interim > 0 {
		ttl = ev.Interim
	}
	old := s.byKey[k]
	x := &Session{Key: k, NAS: ev.NAS, Client: ev.Client, SessionID: ev.SessionID, Username: ev.Username, MAC: ev.MAC,
		Addrs: ev.Addrs, Rates: ev.Rates, Started: now, Updated: now, Expires: now.Add(ttl + s.grace)}
	if old != nil {
		x.Started = old.Started
		// An interim update without addresses or rates keeps what Start said.
		if len(x.Addrs) == 0 {
			x.Addrs = old.Addrs
		}
		if x.Rates == nil {
			x.Rates = old.Rates
		}
	}
	s.byKey[k] = x
	if old != nil && sameShaping(old, x) {
		return false
	}
	s.version++
	return true
}

func sameShaping(a, b *Session) bool {
	ra, rb := a.Rates, b.Rates
	return a.Username == b.Username && a.MAC == b.MAC && slices.Equal(a.Addrs, b.Addrs) &&
		(ra == nil) == (rb == nil) && (ra == nil || *ra == *rb)
}

// Expire drops sessions whose lifetime ended and returns how many.
func (s *Sessions) Expire() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	n := 0
	for k, x := range s.byKey {
		if now.After(x.Expires) {
			delete(s.byKey, k)
			n++
		}
	}
	if n > 0 {
		s.version++
	}
	return n
}

// Snapshot returns the sessions sorted by key, and the version they are at.
func (s *Sessions) Snapshot() ([]Session, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Session, 0, len(s.byKey))
	for _, x := range s.byKey {
		out = append(out, *x)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, s.version
}

// Len is the number of live sessions.
func (s *Sessions) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.byKey)
}

type sessionFile struct {
	Version  int       `json:"version"`
	Sessions []Session `json:"sessions"`
}

// Save writes the sessions atomically (temp file, fsync, rename), so a
// restart finds the set as it was at the last save.
func (s *Sessions) Save(path string) error {
	list, _ := s.Snapshot()
	b, err := json.MarshalIndent(sessionFile{Version: 1, Sessions: list}, "", " ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, b, 0o600)
}

// Load reads sessions saved by Save, dropping those that expired while
// lqosd was down. A missing file is an empty set.
func (s *Sessions) Load(path string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var f sessionFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if f.Version != 1 {
		return fmt.Errorf("%s: version %d, want 1", path, f.Version)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for i := range f.Sessions {
		x := f.Sessions[i]
		if x.Key == "" || now.After(x.Expires) {
			continue
		}
		s.byKey[x.Key] = &x
	}
	s.version++
	return nil
}

// Test hooks: the server's handler, route table, connection counters and
// history size, for the tests of this directory only.

package webui

import (
	"context"
	"net/http"
)

// Handler returns the root handler (for tests or embedding in another server).
func (s *Server) Handler() http.Handler { return s.handler }

// ConnStats reports the listener's connection counts (see Config.MaxConns).
func (s *Server) ConnStats() ConnStats { return s.conns.stats() }

// RouteInfo describes one route for documentation and tests.
type RouteInfo struct {
	Method, Path string
	// Access is "public", "page", "read" or "admin".
	Access string
}

// Routes lists every route the server handles.
func (s *Server) Routes() []RouteInfo {
	out := make([]RouteInfo, 0, len(s.routes))
	for _, rt := range s.routes {
		out = append(out, RouteInfo{rt.method, rt.path, rt.access.String()})
	}
	return out
}

func (a access) String() string {
	return [...]string{"public", "page", "read", "admin"}[a]
}

// ConnStats are the web UI listener's connection counters.
type ConnStats struct {
	Open int
	// RefusedTotal and RefusedPerIP count connections closed at accept
	// because of MaxConns and MaxConnsPerIP; Evicted counts connections
	// stuck in their first request that were closed to admit a new one.
	RefusedTotal, RefusedPerIP, Evicted uint64
}

func (l *connLimiter) stats() ConnStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return ConnStats{Open: len(l.open), RefusedTotal: l.refusedTotal.Load(), RefusedPerIP: l.refusedPerIP.Load(),
		Evicted: l.evicted.Load()}
}

// sizeBytes estimates the memory held by the sample rings.
func (hs *historyStore) sizeBytes() int {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	const per = 16
	n := 0
	for _, m := range []map[string]*seriesHistory{hs.nodes, hs.circuits} {
		for _, h := range m {
			if h.sec != nil {
				n += len(h.sec.buf) * per
			}
			n += len(h.min.buf) * per
		}
	}
	return n
}

// SampleASN takes one ASN history sample now (the hub does it every slow tick).
func SampleASN(s *Server) { s.hub.sampleASN(context.Background()) }

package webui

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// connLimiter bounds the connections a listener keeps open, in total and
// per client address, so a flood of slow connections cannot exhaust lqosd's
// file descriptors (which the bus and the data path need too).
//
// A connection over the per-address limit is closed as soon as it is
// accepted. When the listener as a whole is full, the connection that has
// spent longest on its first request (and at least evictAfter) is closed
// to make room: that is what a slowloris connection looks like, while a
// browser's request completes in milliseconds and its keep-alive or
// websocket connection has finished its first request. Only when no
// connection qualifies is the new one closed.
type connLimiter struct {
	max, perIP int
	evictAfter time.Duration
	now        func() time.Time

	mu     sync.Mutex
	open   map[*limitedConn]struct{}
	byAddr map[netip.Addr]int

	refusedTotal, refusedPerIP, evicted atomic.Uint64
}

func newConnLimiter(max, perIP int, evictAfter time.Duration, now func() time.Time) *connLimiter {
	return &connLimiter{max: max, perIP: perIP, evictAfter: evictAfter, now: now,
		open: map[*limitedConn]struct{}{}, byAddr: map[netip.Addr]int{}}
}

func (l *connLimiter) wrap(ln net.Listener) net.Listener { return &limitedListener{Listener: ln, l: l} }

// admit takes a slot for c; false when a limit is reached. A connection it
// evicts to make room is returned for the caller to close.
func (l *connLimiter) admit(c *limitedConn) (ok bool, victim *limitedConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byAddr[c.addr] >= l.perIP {
		l.refusedPerIP.Add(1)
		return false, nil
	}
	if len(l.open) >= l.max {
		victim = l.stuckLocked()
		if victim == nil {
			l.refusedTotal.Add(1)
			return false, nil
		}
		l.releaseLocked(victim)
		l.evicted.Add(1)
	}
	l.open[c] = struct{}{}
	l.byAddr[c.addr]++
	return true, victim
}

// stuckLocked is the connection longest in its first request, if that is
// at least evictAfter.
func (l *connLimiter) stuckLocked() *limitedConn {
	cut := l.now().Add(-l.evictAfter)
	var victim *limitedConn
	for c := range l.open {
		if c.served.Load() || c.accepted.After(cut) {
			continue
		}
		if victim == nil || c.accepted.Before(victim.accepted) {
			victim = c
		}
	}
	return victim
}

// releaseLocked frees c's slot once.
func (l *connLimiter) releaseLocked(c *limitedConn) {
	if !c.released.CompareAndSwap(false, true) {
		return
	}
	delete(l.open, c)
	if l.byAddr[c.addr]--; l.byAddr[c.addr] <= 0 {
		delete(l.byAddr, c.addr)
	}
}

func (l *connLimiter) release(c *limitedConn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.releaseLocked(c)
}

// connState is the http.Server hook: a connection that went idle after a
// response, or became a websocket, has finished its first request.
func (l *connLimiter) connState(c net.Conn, st http.ConnState) {
	if st != http.StateIdle && st != http.StateHijacked {
		return
	}
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if lc, ok := c.(*limitedConn); ok {
		lc.served.Store(true)
	}
}

type limitedListener struct {
	net.Listener
	l *connLimiter
}

func (ln *limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := ln.Listener.Accept()
		if err != nil {
			return nil, err
		}
		lc := &limitedConn{Conn: c, l: ln.l, accepted: ln.l.now()}
		if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
			lc.addr = ap.Addr().Unmap()
		}
		ok, victim := ln.l.admit(lc)
		if victim != nil {
			victim.Conn.Close()
		}
		if !ok {
			c.Close()
			continue
		}
		return lc, nil
	}
}

type limitedConn struct {
	net.Conn
	l        *connLimiter
	addr     netip.Addr
	accepted time.Time
	served   atomic.Bool // finished its first request
	released atomic.Bool // slot given back
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.l.release(c)
	return err
}

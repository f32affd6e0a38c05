package webui

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// connLimiter bounds the connections a listener keeps open, in total and
// per client address, so a flood of slow connections cannot exhaust lqosd's
// file descriptors (which the bus and the data path need too). A
// connection over either limit is closed as soon as it is accepted, before
// any of it is read.
type connLimiter struct {
	max, perIP int

	mu     sync.Mutex
	open   int
	byAddr map[netip.Addr]int

	refusedTotal, refusedPerIP atomic.Uint64
}

// ConnStats are the web UI listener's connection counters.
type ConnStats struct {
	Open int
	// RefusedTotal and RefusedPerIP count connections closed at accept
	// because of MaxConns and MaxConnsPerIP.
	RefusedTotal, RefusedPerIP uint64
}

func newConnLimiter(max, perIP int) *connLimiter {
	return &connLimiter{max: max, perIP: perIP, byAddr: map[netip.Addr]int{}}
}

func (l *connLimiter) stats() ConnStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return ConnStats{Open: l.open, RefusedTotal: l.refusedTotal.Load(), RefusedPerIP: l.refusedPerIP.Load()}
}

func (l *connLimiter) wrap(ln net.Listener) net.Listener { return &limitedListener{Listener: ln, l: l} }

// admit takes a slot for addr; false when a limit is reached.
func (l *connLimiter) admit(addr netip.Addr) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open >= l.max {
		l.refusedTotal.Add(1)
		return false
	}
	if l.byAddr[addr] >= l.perIP {
		l.refusedPerIP.Add(1)
		return false
	}
	l.open++
	l.byAddr[addr]++
	return true
}

func (l *connLimiter) release(addr netip.Addr) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.open--
	if l.byAddr[addr]--; l.byAddr[addr] <= 0 {
		delete(l.byAddr, addr)
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
		var addr netip.Addr
		if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
			addr = ap.Addr().Unmap()
		}
		if !ln.l.admit(addr) {
			c.Close()
			continue
		}
		return &limitedConn{Conn: c, l: ln.l, addr: addr}, nil
	}
}

type limitedConn struct {
	net.Conn
	l    *connLimiter
	addr netip.Addr
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.addr) })
	return err
}

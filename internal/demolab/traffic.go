package demolab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vishvananda/netns"
)

// Ports served by every "Internet" host.
const (
	portWeb      = 80   // short flows: a request, a reply of a few hundred KB
	portDownload = 9000 // bulk download until the client hangs up
	portUpload   = 9001 // bulk upload sink
)

// inNamespace runs fn on an OS thread switched into the named namespace.
// Sockets created inside stay in that namespace after fn returns.
func inNamespace(name string, fn func() error) error {
	ns, err := netns.GetFromName(name)
	if err != nil {
		return fmt.Errorf("open netns %s: %w", name, err)
	}
	defer ns.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return // the locked thread exits with the goroutine
		}
		defer orig.Close()
		if err := netns.Set(ns); err != nil {
			errc <- err
			return
		}
		ferr := fn()
		// Go back before the thread returns to the pool. Letting it die
		// instead would fire the Pdeathsig of any child process that this
		// thread happened to start.
		if err := netns.Set(orig); err != nil {
			errc <- errors.Join(ferr, err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// TrafficStats counts what the generator did.
type TrafficStats struct {
	ShortFlows    atomic.Int64
	BulkDownloads atomic.Int64
	BulkUploads   atomic.Int64
	BytesDown     atomic.Int64
	BytesUp       atomic.Int64
	PingsSent     atomic.Int64
	PingReplies   atomic.Int64
	// PingWorstRTT is the longest ping round trip seen (ns): pings share
	// their subscriber's queue, so under load it is the queueing delay.
	PingWorstRTT atomic.Int64
	Errors       atomic.Int64
	LastError    atomic.Value // string
}

func (s *TrafficStats) notePingRTT(d time.Duration) {
	for {
		cur := s.PingWorstRTT.Load()
		if int64(d) <= cur || s.PingWorstRTT.CompareAndSwap(cur, int64(d)) {
			return
		}
	}
}

func (s *TrafficStats) fail(err error) {
	s.Errors.Add(1)
	s.LastError.Store(err.Error())
}

// Traffic is a running generator; Stop ends it.
type Traffic struct {
	Stats     TrafficStats
	listeners []net.Listener
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

var payload = make([]byte, 64<<10)

// HeavyUsers is how many subscribers (the first ones) keep a bulk transfer
// running all the time.
const HeavyUsers = 4

// StartTraffic serves on the Internet hosts and starts subscribers talking
// to them: a few bulk downloads and uploads at a time, many short flows.
// It stops by itself when ctx ends.
func StartTraffic(ctx context.Context, subscribers []netip.Addr) (*Traffic, error) {
	ctx, cancel := context.WithCancel(ctx)
	tr := &Traffic{cancel: cancel}
	err := inNamespace(NSInternet, func() error {
		for _, a := range ServerAddrs {
			for _, port := range []int{portWeb, portDownload, portUpload} {
				l, err := net.Listen("tcp", netip.AddrPortFrom(a, uint16(port)).String())
				if err != nil {
					return err
				}
				tr.listeners = append(tr.listeners, l)
			}
		}
		return nil
	})
	if err != nil {
		tr.Stop()
		return nil, err
	}
	for _, l := range tr.listeners {
		tr.wg.Add(1)
		go tr.serve(ctx, l)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	// Heavy users: the first few subscribers keep a bulk flow running.
	for i := 0; i < min(HeavyUsers, len(subscribers)); i++ {
		tr.wg.Add(1)
		go tr.bulkLoop(ctx, subscribers[i], i%2 == 1)
	}
	tr.wg.Add(1)
	go tr.shortFlows(ctx, subscribers, rng)
	if err := tr.startPings(ctx, subscribers); err != nil {
		tr.Stop()
		return nil, err
	}
	return tr, nil
}

// Stop ends all traffic and waits for it.
func (tr *Traffic) Stop() {
	if tr.cancel != nil {
		tr.cancel()
	}
	for _, l := range tr.listeners {
		l.Close()
	}
	tr.wg.Wait()
}

func (tr *Traffic) serve(ctx context.Context, l net.Listener) {
	defer tr.wg.Done()
	_, portStr, _ := net.SplitHostPort(l.Addr().String())
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		tr.wg.Add(1)
		go func() {
			defer tr.wg.Done()
			defer c.Close()
			stop := context.AfterFunc(ctx, func() { c.Close() })
			defer stop()
			switch portStr {
			case fmt.Sprint(portWeb):
				var req [64]byte
				n, _ := c.Read(req[:])
				size := 200 << 10
				if n > 0 && req[0] == 'L' {
					size = 2 << 20
				}
				for size > 0 {
					w, err := c.Write(payload[:min(size, len(payload))])
					if err != nil {
						return
					}
					size -= w
				}
			case fmt.Sprint(portDownload):
				for {
					if _, err := c.Write(payload); err != nil {
						return
					}
				}
			case fmt.Sprint(portUpload):
				io.Copy(io.Discard, c)
			}
		}()
	}
}

// dial connects from a subscriber address inside the subscriber namespace.
func dial(ctx context.Context, from netip.Addr, to netip.AddrPort) (net.Conn, error) {
	var c net.Conn
	err := inNamespace(NSSubs, func() error {
		d := net.Dialer{Timeout: 3 * time.Second, LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(from, 0))}
		var err error
		c, err = d.DialContext(ctx, "tcp", to.String())
		return err
	})
	return c, err
}

// bulkLoop keeps one long transfer going for a subscriber, restarting it
// every 20 seconds so flows come and go.
func (tr *Traffic) bulkLoop(ctx context.Context, sub netip.Addr, upload bool) {
	defer tr.wg.Done()
	for i := 0; ctx.Err() == nil; i++ {
		server := ServerAddrs[i%len(ServerAddrs)]
		port := portDownload
		if upload {
			port = portUpload
		}
		c, err := dial(ctx, sub, netip.AddrPortFrom(server, uint16(port)))
		if err != nil {
			tr.Stats.fail(err)
			sleep(ctx, time.Second)
			continue
		}
		runCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
		stop := context.AfterFunc(runCtx, func() { c.Close() })
		if upload {
			tr.Stats.BulkUploads.Add(1)
			for runCtx.Err() == nil {
				n, err := c.Write(payload)
				tr.Stats.BytesUp.Add(int64(n))
				if err != nil {
					break
				}
			}
		} else {
			tr.Stats.BulkDownloads.Add(1)
			n, _ := io.Copy(io.Discard, c)
			tr.Stats.BytesDown.Add(n)
		}
		stop()
		cancel()
		c.Close()
	}
}

// shortFlows opens web-like flows from random subscribers, a few per second.
func (tr *Traffic) shortFlows(ctx context.Context, subs []netip.Addr, rng *rand.Rand) {
	defer tr.wg.Done()
	sem := make(chan struct{}, 16)
	tick := time.NewTicker(150 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		sub := subs[rng.IntN(len(subs))]
		server := ServerAddrs[rng.IntN(len(ServerAddrs))]
		large := rng.IntN(10) == 0
		select {
		case sem <- struct{}{}:
		default:
			continue // enough in flight
		}
		tr.wg.Add(1)
		go func() {
			defer tr.wg.Done()
			defer func() { <-sem }()
			c, err := dial(ctx, sub, netip.AddrPortFrom(server, portWeb))
			if err != nil {
				tr.Stats.fail(err)
				return
			}
			defer c.Close()
			stop := context.AfterFunc(ctx, func() { c.Close() })
			defer stop()
			req := "GET"
			if large {
				req = "LARGE"
			}
			c.Write([]byte(req))
			n, _ := io.Copy(io.Discard, c)
			tr.Stats.BytesDown.Add(n)
			tr.Stats.ShortFlows.Add(1)
		}()
	}
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

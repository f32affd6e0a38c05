package radius

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"layeh.com/radius"
)

// Client is a trusted NAS: its source prefixes and shared secret.
type Client struct {
	Name    string
	Sources []netip.Prefix
	Secret  []byte
}

// ClientsFromConfig reads each client's secret file (first line, trimmed).
// Errors name the client and file but never the secret.
func ClientsFromConfig(rc config.RadiusAccounting) ([]Client, error) {
	var out []Client
	for _, c := range rc.Clients {
		srcs, err := c.ClientSources()
		if err != nil {
			return nil, fmt.Errorf("radius client %q: %w", c.Name, err)
		}
		b, err := os.ReadFile(c.SecretFile)
		if err != nil {
			return nil, fmt.Errorf("radius client %q: secret_file: %w", c.Name, err)
		}
		secret, _, _ := strings.Cut(string(b), "\n")
		secret = strings.TrimSpace(secret)
		if secret == "" {
			return nil, fmt.Errorf("radius client %q: secret_file %s is empty", c.Name, c.SecretFile)
		}
		out = append(out, Client{Name: c.Name, Sources: srcs, Secret: []byte(secret)})
	}
	return out, nil
}

// Counters count what the listener did with each datagram.
type Counters struct {
	Accepted      atomic.Uint64 // answered with Accounting-Response
	UnknownSource atomic.Uint64 // from no configured client's CIDRs
	BadAuth       atomic.Uint64 // Request Authenticator wrong (wrong secret)
	Malformed     atomic.Uint64 // not RADIUS, or not a usable Accounting-Request
}

// CounterValues is a copy of Counters.
type CounterValues struct {
	Accepted, UnknownSource, BadAuth, Malformed uint64
}

// Values reads the counters.
func (c *Counters) Values() CounterValues {
	return CounterValues{c.Accepted.Load(), c.UnknownSource.Load(), c.BadAuth.Load(), c.Malformed.Load()}
}

// Server answers Accounting-Requests from its clients. Handle runs for each
// accepted request before the response is sent, so a NAS that got its
// Accounting-Response knows the session is recorded.
type Server struct {
	Clients []Client
	Handle  func(Event)
	Log     *slog.Logger
	Counters
	lastDropLog atomic.Int64
}

// Serve reads datagrams from conn until ctx ends (it closes conn then).
// Requests are handled one at a time, in arrival order, so a Stop never
// overtakes its Start.
func (s *Server) Serve(ctx context.Context, conn net.PacketConn) error {
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	buf := make([]byte, radius.MaxPacketLength)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		if resp := s.handleDatagram(buf[:n], from); resp != nil {
			if _, err := conn.WriteTo(resp, from); err != nil {
				s.drop("could not answer", from, err)
			}
		}
	}
}

// handleDatagram returns the encoded response, or nil to stay silent
// (RADIUS clients retransmit; silence is the answer to anything we do not
// trust).
func (s *Server) handleDatagram(b []byte, from net.Addr) []byte {
	cl := s.clientFor(from)
	if cl == nil {
		s.UnknownSource.Add(1)
		s.drop("packet from an address outside every client's source CIDRs", from, nil)
		return nil
	}
	if !radius.IsAuthenticRequest(b, cl.Secret) {
		if len(b) >= 1 && radius.Code(b[0]) != radius.CodeAccountingRequest {
			s.Malformed.Add(1)
			s.drop("not an Accounting-Request", from, nil)
		} else {
			s.BadAuth.Add(1)
			s.drop("bad Request Authenticator (wrong shared secret?) from client "+cl.Name, from, nil)
		}
		return nil
	}
	p, err := radius.Parse(b, cl.Secret)
	if err != nil {
		s.Malformed.Add(1)
		s.drop("malformed packet", from, err)
		return nil
	}
	ev, err := ParseEvent(p, cl.Name)
	if err != nil {
		s.Malformed.Add(1)
		s.drop("unusable Accounting-Request", from, err)
		return nil
	}
	if s.Handle != nil {
		s.Handle(ev)
	}
	out, err := p.Response(radius.CodeAccountingResponse).Encode()
	if err != nil {
		s.drop("encoding the response", from, err)
		return nil
	}
	s.Accepted.Add(1)
	return out
}

func (s *Server) clientFor(from net.Addr) *Client {
	ua, ok := from.(*net.UDPAddr)
	if !ok {
		return nil
	}
	a, ok := netip.AddrFromSlice(ua.IP)
	if !ok {
		return nil
	}
	a = a.Unmap()
	for i := range s.Clients {
		for _, p := range s.Clients[i].Sources {
			if p.Contains(a) {
				return &s.Clients[i]
			}
		}
	}
	return nil
}

// drop logs at most one line every 10 s; the counters carry the totals.
func (s *Server) drop(what string, from net.Addr, err error) {
	now := time.Now().UnixNano()
	last := s.lastDropLog.Load()
	if now-last < int64(10*time.Second) || !s.lastDropLog.CompareAndSwap(last, now) {
		return
	}
	if s.Log == nil {
		return
	}
	args := []any{"from", from.String(), "counters", fmt.Sprintf("%+v", s.Values())}
	if err != nil {
		args = append(args, "err", err)
	}
	s.Log.Warn("radius: dropped: "+what, args...)
}

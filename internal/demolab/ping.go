package demolab

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"time"
)

// pingers keep a few subscribers pinging the Internet hosts once a second,
// as monitoring gear and games do, so ICMP shows up beside the TCP flows.
func (tr *Traffic) startPings(ctx context.Context, subs []netip.Addr) error {
	var conns []net.PacketConn
	err := inNamespace(NSSubs, func() error {
		for i := 0; i < min(8, len(subs)); i++ {
			// Spread the pingers over the subscriber list.
			a := subs[(i*len(subs))/8]
			c, err := net.ListenPacket("ip4:icmp", a.String())
			if err != nil {
				return err
			}
			conns = append(conns, c)
		}
		return nil
	})
	if err != nil {
		for _, c := range conns {
			c.Close()
		}
		return err
	}
	for i, c := range conns {
		tr.wg.Add(2)
		go tr.pingLoop(ctx, c, uint16(i+1))
		go tr.pongLoop(c)
	}
	return nil
}

func (tr *Traffic) pingLoop(ctx context.Context, c net.PacketConn, id uint16) {
	defer tr.wg.Done()
	defer c.Close() // also ends pongLoop
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for seq := uint16(1); ; seq++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		dst := ServerAddrs[int(seq)%len(ServerAddrs)]
		if _, err := c.WriteTo(echoRequest(id, seq), &net.IPAddr{IP: dst.AsSlice()}); err != nil {
			tr.Stats.fail(err)
			continue
		}
		tr.Stats.PingsSent.Add(1)
	}
}

func (tr *Traffic) pongLoop(c net.PacketConn) {
	defer tr.wg.Done()
	buf := make([]byte, 1500)
	for {
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			return
		}
		if n >= 8 && buf[0] == 0 { // echo reply
			tr.Stats.PingReplies.Add(1)
			if n >= 16 {
				sent := int64(binary.BigEndian.Uint64(buf[8:16]))
				tr.Stats.notePingRTT(time.Duration(time.Now().UnixNano() - sent))
			}
		}
	}
}

// echoRequest builds an ICMP echo request with a small payload.
func echoRequest(id, seq uint16) []byte {
	b := make([]byte, 8+32)
	b[0] = 8 // echo request
	binary.BigEndian.PutUint16(b[4:], id)
	binary.BigEndian.PutUint16(b[6:], seq)
	// The send time rides in the payload, so the reply tells the RTT.
	binary.BigEndian.PutUint64(b[8:], uint64(time.Now().UnixNano()))
	copy(b[16:], "lqos demo ping payload")
	binary.BigEndian.PutUint16(b[2:], checksum(b))
	return b
}

func checksum(b []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

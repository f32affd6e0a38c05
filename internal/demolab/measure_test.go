package demolab

import (
	"context"
	"fmt"
	"net/netip"
	"sync/atomic"

	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// TariffOf returns a subscriber's plan.
func TariffOf(s Subscriber) Tariff {
	for _, t := range tariffs {
		if t.ID == s.TariffID {
			return t
		}
	}
	return tariffs[0]
}

// SubscriberWithTariff returns the first active subscriber on the plan with
// the given download rate (kbit/s) that is not one of the heavy users (their
// own bulk transfers would skew a measurement).
func (isp *ISP) SubscriberWithTariff(downKbps int) (Subscriber, bool) {
	for i, s := range isp.Subscribers {
		if i >= HeavyUsers && s.Status == "active" && TariffOf(s).Down == downKbps {
			return s, true
		}
	}
	return Subscriber{}, false
}

// download keeps one download to the subscriber going until ctx ends and
// counts its payload bytes; errors after ctx ended are not reported.
func download(ctx context.Context, sub netip.Addr, errs chan<- error) *atomic.Int64 {
	var got atomic.Int64
	go func() {
		c, err := dial(ctx, sub, netip.AddrPortFrom(ServerAddrs[0], portDownload))
		if err != nil {
			errs <- err
			return
		}
		defer c.Close()
		context.AfterFunc(ctx, func() { c.Close() })
		buf := make([]byte, 64<<10)
		for {
			n, err := c.Read(buf)
			got.Add(int64(n))
			if err != nil {
				if ctx.Err() == nil {
					errs <- err
				}
				return
			}
		}
	}()
	return &got
}

// classCounters reads the kernel's byte and overlimit counters of one HTB
// class on the shaper's subscriber side (the download direction).
func classCounters(h *tc.Handle, id tchandle.Handle) (bytes, overlimits uint64, err error) {
	live, err := tc.Dump(h, []string{IfSubs})
	if err != nil {
		return 0, 0, err
	}
	c, ok := live.Class(IfSubs, id)
	if !ok {
		return 0, 0, fmt.Errorf("no class %s on %s", id, IfSubs)
	}
	return c.Stats.Bytes, uint64(c.Stats.Overlimits), nil
}

package demolab

import (
	"context"
	"net/netip"
	"time"
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

// Measure downloads from one subscriber for d and returns the achieved rate
// in bits per second, to check shaping.
func Measure(ctx context.Context, sub netip.Addr, d time.Duration) (float64, error) {
	c, err := dial(ctx, sub, netip.AddrPortFrom(ServerAddrs[0], portDownload))
	if err != nil {
		return 0, err
	}
	defer c.Close()
	// Let TCP ramp up before timing.
	warm := time.Now().Add(time.Second)
	buf := make([]byte, 64<<10)
	for time.Now().Before(warm) {
		if _, err := c.Read(buf); err != nil {
			return 0, err
		}
	}
	start := time.Now()
	var total int64
	c.SetReadDeadline(start.Add(d))
	for {
		n, err := c.Read(buf)
		total += int64(n)
		if err != nil {
			break
		}
	}
	return float64(total*8) / time.Since(start).Seconds(), nil
}

package cli

import (
	"context"
	"fmt"
	"time"
)

func (a *app) ping(ctx context.Context, args []string) error {
	start := time.Now()
	c, err := a.withoutArgs(ctx, "ping", args)
	if err != nil {
		return err
	}
	p, err := c.Ping(ctx)
	if err != nil {
		return err
	}
	if a.json {
		return a.emitJSON(map[string]any{"server_time": p.ServerTime, "round_trip_ns": time.Since(start)})
	}
	fmt.Fprintf(a.out, "lqosd is alive (round trip %v)\n", time.Since(start).Round(time.Microsecond))
	return nil
}

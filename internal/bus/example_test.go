package bus_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/libreqos-go/lqos/internal/plan"
	"log"
	"net/netip"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
)

// A CLI talking to lqosd (compiled, not run: it needs a live daemon).
func ExampleDial() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := bus.Dial(ctx, "") // /run/lqos/bus
	if err != nil {
		log.Fatal(err) // "bus: connect to lqosd at /run/lqos/bus (is lqosd running?): ..."
	}
	defer c.Close()

	res, err := c.MapIPs(ctx, []plan.Mapping{{
		Prefix: netip.MustParsePrefix("192.0.2.7/32"), CPU: 1,
		ClassID: 1<<16 | 3, UploadClassID: 2<<16 | 3, CircuitID: "c-17", DeviceID: "d-42",
	}})
	var be *bus.Error
	switch {
	case errors.As(err, &be):
		log.Fatalf("lqosd refused (%s): %s", be.Code, be.Message)
	case err != nil:
		log.Fatal(err)
	}
	for _, f := range res.Failed {
		fmt.Printf("mapping %d (%s) failed: %s\n", f.Index, f.Prefix, f.Error)
	}
}

// Several requests in one frame; each response may be an *bus.Error.
func ExampleClient_Request() {
	ctx := context.Background()
	c, err := bus.Dial(ctx, "")
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	rs, err := c.Request(ctx, &bus.GetThroughput{}, &bus.GetTopN{Kind: bus.TopHosts, By: bus.ByDown, N: 10})
	if err != nil {
		log.Fatal(err) // transport problem
	}
	for _, r := range rs {
		switch r := r.(type) {
		case *bus.Throughput:
			fmt.Println("down bps", r.BitsPerSecond.Down)
		case *bus.TopNResult:
			for _, e := range r.Entries {
				fmt.Println(e.Key, e.BitsPerSecond.Down)
			}
		case *bus.Error:
			fmt.Println("error:", r.Code, r.Message)
		}
	}
}

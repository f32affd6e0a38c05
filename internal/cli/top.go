package cli

import (
	"context"
	"fmt"
	"github.com/libreqos-go/lqos/internal/bus"
	"text/tabwriter"
)

func (a *app) top(ctx context.Context, args []string) error {
	fs := newFlags("top")
	circuits := fs.Bool("circuits", false, "")
	by := fs.String("by", "down", "")
	n := fs.Int("n", 10, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	kind := bus.TopHosts
	if *circuits {
		kind = bus.TopCircuits
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	res, err := c.TopN(ctx, bus.GetTopN{Kind: kind, By: *by, N: *n})
	if err != nil {
		return err
	}
	if a.json {
		return a.emitJSON(res)
	}
	w := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', tabwriter.AlignRight)
	// Hosts: the last column is the circuit they belong to; circuits: the
	// key is the circuit ID and the last column its name.
	key, last := "HOST", "CIRCUIT"
	if *circuits {
		key, last = "CIRCUIT", "NAME"
	}
	fmt.Fprintf(w, "%s\tDOWN\tUP\tPPS DOWN\tPPS UP\t%s\t\n", key, last)
	for _, e := range res.Entries {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\t\n", e.Key, Rate(e.BitsPerSecond.Down), Rate(e.BitsPerSecond.Up), e.PacketsPerSecond.Down, e.PacketsPerSecond.Up, topLabel(e, *circuits))
	}
	return w.Flush()
}

// topLabel names what a top entry belongs to: for a host its circuit (name
// and ID), for a circuit its name.
func topLabel(e bus.TopEntry, circuits bool) string {
	switch {
	case circuits && e.CircuitName != "":
		return e.CircuitName
	case circuits:
		return "-"
	case e.CircuitID == "":
		return "(unshaped)"
	case e.CircuitName != "" && e.CircuitName != e.CircuitID:
		return e.CircuitName + " (" + e.CircuitID + ")"
	}
	return e.CircuitID
}

package cli

import (
	"context"
	"fmt"
	"github.com/libreqos-go/lqos/internal/bus"
	"strings"
	"text/tabwriter"
)

// dynamicSummary is the status line of RADIUS accounting.
func dynamicSummary(dc *bus.DynamicCircuits) string {
	n := map[string]int{}
	for _, s := range dc.Sessions {
		n[s.State]++
	}
	line := fmt.Sprintf("%d RADIUS sessions: %d shaped, %d pending", len(dc.Sessions), n["shaped"], n["pending"])
	if !dc.Shaping {
		line = fmt.Sprintf("%d RADIUS sessions tracked (not shaped: [dynamic_circuits] or dynamic_circuit_application is off)", len(dc.Sessions))
	}
	c := dc.Counters
	return line + fmt.Sprintf("; packets %d accepted, %d unknown source, %d bad authenticator, %d malformed", c.Accepted, c.UnknownSource, c.BadAuth, c.Malformed)
}

func (a *app) dynamic(ctx context.Context, args []string) error {
	c, err := a.withoutArgs(ctx, "dynamic", args)
	if err != nil {
		return err
	}
	dc, err := c.DynamicCircuits(ctx)
	if err != nil {
		return err
	}
	if a.json {
		return a.emitJSON(dc)
	}
	if !dc.Enabled {
		fmt.Fprintln(a.out, "RADIUS accounting is off ([radius_accounting] enabled = false)")
		return nil
	}
	w := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SESSION\tUSER\tADDRESSES\tRATE DOWN/UP\tSTATE\tCIRCUIT")
	for _, s := range dc.Sessions {
		addrs := make([]string, len(s.Addrs))
		for i, p := range s.Addrs {
			addrs[i] = p.String()
		}
		rate := "-"
		if s.DownloadMbps > 0 {
			rate = fmt.Sprintf("%g/%g Mbps", s.DownloadMbps, s.UploadMbps)
		}
		state := s.State
		if s.Reason != "" {
			state += ": " + s.Reason
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Key, s.Username, strings.Join(addrs, " "), rate, state, s.CircuitID)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(a.out, dynamicSummary(dc))
	return nil
}

package cli

import (
	"context"
	"fmt"
	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/urgent"
	"strings"
	"text/tabwriter"
	"time"
)

// Status is what `lqos status --json` prints.
type Status struct {
	Version    *bus.VersionInfo    `json:"version"`
	Mappings   int                 `json:"mappings"`
	Throughput *bus.Throughput     `json:"throughput"`
	Scheduler  bus.SchedulerStatus `json:"scheduler"`
	Urgent     []urgent.Issue      `json:"urgent_open"`
	// DataPath and Dynamic are nil from an lqosd that predates the calls.
	DataPath *bus.DataPathStatus  `json:"data_path,omitempty"`
	Dynamic  *bus.DynamicCircuits `json:"dynamic_circuits,omitempty"`
}

func (a *app) status(ctx context.Context, args []string) error {
	c, err := a.withoutArgs(ctx, "status", args)
	if err != nil {
		return err
	}
	rs, err := c.Request(ctx, &bus.Version{}, &bus.ListIPs{Limit: 1}, &bus.GetThroughput{}, &bus.GetSchedulerStatus{}, &bus.ListUrgent{OpenOnly: true}, &bus.GetDataPath{}, &bus.GetDynamicCircuits{})
	if err != nil {
		return err
	}
	for _, r := range rs[:5] {
		if e, ok := r.(*bus.Error); ok {
			return e
		}
	}
	st := Status{
		Version:    rs[0].(*bus.VersionInfo),
		Mappings:   rs[1].(*bus.MappingList).Total,
		Throughput: rs[2].(*bus.Throughput),
		Scheduler:  *rs[3].(*bus.SchedulerStatus),
		Urgent:     rs[4].(*bus.UrgentList).Issues,
	}
	if dp, ok := rs[5].(*bus.DataPathStatus); ok {
		st.DataPath = dp
	}
	if dc, ok := rs[6].(*bus.DynamicCircuits); ok {
		st.Dynamic = dc
	}
	if a.json {
		return a.emitJSON(st)
	}
	w := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	v := st.Version
	fmt.Fprintf(w, "lqosd\t%s (protocol %d, %s), up %s\n", v.Daemon, v.Protocol, v.GoVersion, time.Since(v.StartedAt).Round(time.Second))
	shaping := "active"
	for _, is := range st.Urgent {
		if is.Severity == urgent.Error && is.Source == "lqosd" && degradedCode(is.Code) {
			shaping = "DEGRADED (see urgent issues below)"
		}
	}
	if shaping == "active" && st.Mappings == 0 {
		shaping = "active, no circuits yet (waiting for the first setup by lqos_scheduler or libreqos)"
	}
	fmt.Fprintf(w, "shaping\t%s\n", shaping)
	if dp := st.DataPath; dp != nil {
		fmt.Fprintf(w, "classification\t%s\n", dp.Classification)
		var missing []string
		for _, dg := range dp.Degraded {
			m := dg.Feature
			if dg.Subject != "" {
				m += " on " + dg.Subject
			}
			missing = append(missing, m)
		}
		if len(missing) > 0 {
			fmt.Fprintf(w, "degraded modes\t%s (see urgent issues)\n", strings.Join(missing, ", "))
		}
		for _, ifc := range dp.Interfaces {
			fmt.Fprintf(w, "interface\t%s (%s): XDP %s, TC %s\n", ifc.Name, ifc.Role, ifc.XDP, ifc.TC)
		}
	}
	fmt.Fprintf(w, "mappings\t%d\n", st.Mappings)
	if dc := st.Dynamic; dc != nil && dc.Enabled {
		fmt.Fprintf(w, "dynamic circuits\t%s\n", dynamicSummary(dc))
	}
	t := st.Throughput
	fmt.Fprintf(w, "throughput\t%s down / %s up (shaped %s / %s, unshaped %s / %s)\n",
		Rate(t.BitsPerSecond.Down), Rate(t.BitsPerSecond.Up), Rate(t.ShapedBitsPerSecond.Down), Rate(t.ShapedBitsPerSecond.Up),
		Rate(t.UnshapedBitsPerSecond.Down), Rate(t.UnshapedBitsPerSecond.Up))
	s := st.Scheduler
	line := string(s.State)
	if !s.LastSeen.IsZero() {
		line += fmt.Sprintf(", last seen %s ago", time.Since(s.LastSeen).Round(time.Second))
	}
	if s.LastError != nil {
		line += ", last error: " + firstLine(s.LastError.Preview)
	}
	fmt.Fprintf(w, "scheduler\t%s\n", line)
	fmt.Fprintf(w, "urgent issues\t%d open\n", len(st.Urgent))
	if err := w.Flush(); err != nil {
		return err
	}
	for _, is := range st.Urgent {
		fmt.Fprintf(a.out, "  #%d %s %s: %s\n", is.ID, strings.ToUpper(string(is.Severity)), is.Code, is.Message)
	}
	return nil
}

// degradedCode reports lqosd issue codes that mean shaping is not fully
// working (the daemon's own codes, see internal/daemon).
func degradedCode(code string) bool {
	for _, p := range []string{"LQOSD_SHAPING_DISABLED", "LQOSD_INTERFACE_MISSING", "LQOSD_STARTUP_APPLY_FAILED", "LQOSD_QDISC_MISSING"} {
		if strings.HasPrefix(code, p) {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Rate formats bits per second with a unit.
func Rate(bps uint64) string {
	f := float64(bps)
	switch {
	case f >= 1e9:
		return fmt.Sprintf("%.2f Gbit/s", f/1e9)
	case f >= 1e6:
		return fmt.Sprintf("%.2f Mbit/s", f/1e6)
	case f >= 1e3:
		return fmt.Sprintf("%.2f kbit/s", f/1e3)
	}
	return fmt.Sprintf("%d bit/s", bps)
}

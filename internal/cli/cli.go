// Package cli is `lqos`, the command-line client of the lqosd bus.
//
//	lqos [--bus PATH] [--json] [--timeout D] [--config PATH] <command> ...
//
// The global flags may also follow the command ("lqos status --json").
//
//	status                         daemon, shaping, scheduler and urgent summary
//	ping                           check that lqosd answers
//	mappings list [--offset N] [--limit N]
//	mappings add --ip PREFIX --class MAJ:MIN [--upload-class MAJ:MIN] --cpu N --circuit ID [--device ID]
//	mappings del PREFIX...
//	mappings clear --yes
//	top [--circuits] [--by down|up|total] [-n N]
//	urgent list [--all]
//	urgent ack ID | urgent ack --code CODE
//	apply [--dry-run] [--reason TEXT]
//	reload [--full] [--reason TEXT] [--confirm-shrink]
//	dynamic                        RADIUS accounting sessions and their circuits
//
// Exit codes: 0 success, 1 lqosd answered with an error, 2 bad command
// line, 3 lqosd not reachable.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/cmdline"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitUnreachable = 3
)

const usage = `usage: lqos [--bus PATH] [--json] [--timeout D] [--config PATH] <command>
(global flags may also be written after the command)

commands:
  status                          daemon, shaping, scheduler and urgent summary
  ping                            check that lqosd answers
  mappings list [--offset N] [--limit N]
  mappings add --ip PREFIX --class MAJ:MIN [--upload-class MAJ:MIN] --cpu N --circuit ID [--device ID]
  mappings del PREFIX...
  mappings clear --yes
  top [--circuits] [--by down|up|total] [-n N]
  urgent list [--all]
  urgent ack ID | urgent ack --code CODE
  apply [--dry-run] [--reason TEXT]
  reload [--full] [--reason TEXT] [--confirm-shrink]
  dynamic                         RADIUS accounting sessions and their circuits
`

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

type app struct {
	out, errw io.Writer
	json      bool
	busPath   string
	c         *bus.Client // dialled by lqosd once the command line is known good
}

// withoutArgs checks that a command got no flags or arguments of its own,
// then dials lqosd.
func (a *app) withoutArgs(ctx context.Context, name string, args []string) (*bus.Client, error) {
	fs := newFlags(name)
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	if err := noArgs(fs); err != nil {
		return nil, err
	}
	return a.lqosd(ctx)
}

// unreachableError: lqosd's bus could not be dialled.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }

// lqosd returns the bus client, dialling on first use: a command checks its
// own flags first, so a bad command line is a usage error even while lqosd
// is down.
func (a *app) lqosd(ctx context.Context) (*bus.Client, error) {
	if a.c == nil {
		c, err := bus.Dial(ctx, a.busPath)
		if err != nil {
			return nil, &unreachableError{err}
		}
		a.c = c
	}
	return a.c, nil
}

// Run executes one command and returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lqos", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	busPath := fs.String("bus", bus.DefaultSocketPath, "lqosd bus socket")
	asJSON := fs.Bool("json", false, "print JSON instead of text")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after this long")
	cfgPath := fs.String("config", "", "lqos.conf to check before talking to lqosd (default: not read)")
	rest, err := cmdline.Parse(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	if len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return ExitUsage
	}
	if *cfgPath != "" {
		// lqos talks to lqosd over the bus, not to the files; a named
		// config is loaded so a broken one is reported, never ignored.
		if _, _, err := config.Load(*cfgPath); err != nil {
			fmt.Fprintf(stderr, "lqos: %v\n", err)
			return ExitUsage
		}
	}
	cmd, rest := rest[0], rest[1:]
	if strings.HasPrefix(cmd, "-") {
		fmt.Fprintf(stderr, "lqos: flag provided but not defined: %s\n%s", cmd, usage)
		return ExitUsage
	}
	run, ok := commands[cmd]
	if !ok {
		fmt.Fprintf(stderr, "lqos: unknown command %q\n%s", cmd, usage)
		return ExitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	a := &app{out: stdout, errw: stderr, json: *asJSON, busPath: *busPath}
	defer func() {
		if a.c != nil {
			a.c.Close()
		}
	}()
	if err := run(a, ctx, rest); err != nil {
		var ue *usageError
		var be *bus.Error
		var ne *unreachableError
		if errors.As(err, &ne) {
			fmt.Fprintf(stderr, "lqos: %v\n", err)
			return ExitUnreachable
		}
		fmt.Fprintf(stderr, "lqos %s: %v\n", cmd, err)
		switch {
		case errors.As(err, &ue):
			return ExitUsage
		case errors.As(err, &be):
			return ExitFailed
		case errors.Is(err, bus.ErrClosed), strings.Contains(err.Error(), "connection lost"):
			return ExitUnreachable
		}
		return ExitFailed
	}
	return ExitOK
}

var commands = map[string]func(*app, context.Context, []string) error{
	"dynamic":  (*app).dynamic,
	"status":   (*app).status,
	"ping":     (*app).ping,
	"mappings": (*app).mappings,
	"top":      (*app).top,
	"urgent":   (*app).urgent,
	"apply":    (*app).apply,
	"reload":   (*app).reload,
}

func (a *app) emitJSON(v any) error {
	enc := json.NewEncoder(a.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse accepts flags before and after positional arguments ("ack 4 --by
// me"); the positionals are then available as fs.Args().
func parse(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return usagef("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	return nil
}

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

func (a *app) mappings(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("want list, add, del or clear")
	}
	switch args[0] {
	case "list", "ls":
		return a.mapList(ctx, args[1:])
	case "add":
		return a.mapAdd(ctx, args[1:])
	case "del", "delete", "rm":
		return a.mapDel(ctx, args[1:])
	case "clear":
		return a.mapClear(ctx, args[1:])
	}
	return usagef("mappings %q: want list, add, del or clear", args[0])
}

func (a *app) mapList(ctx context.Context, args []string) error {
	fs := newFlags("mappings list")
	off := fs.Int("offset", 0, "")
	lim := fs.Int("limit", 0, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	l, err := c.ListIPs(ctx, *off, *lim)
	if err != nil {
		return err
	}
	if a.json {
		return a.emitJSON(l)
	}
	w := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PREFIX\tCPU\tCLASS\tUPLOAD CLASS\tCIRCUIT\tDEVICE")
	for _, m := range l.Mappings {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", m.Prefix, m.CPU, classText(m.ClassID), classText(m.UploadClassID), m.CircuitID, m.DeviceID)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "%d of %d mappings\n", len(l.Mappings), l.Total)
	return nil
}

func classText(id uint32) string {
	if id == 0 {
		return "-"
	}
	return datapath.FormatClassID(id)
}

func (a *app) mapAdd(ctx context.Context, args []string) error {
	fs := newFlags("mappings add")
	ip := fs.String("ip", "", "")
	class := fs.String("class", "", "")
	upClass := fs.String("upload-class", "", "")
	cpu := fs.Uint("cpu", 0, "")
	circuit := fs.String("circuit", "", "")
	device := fs.String("device", "", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *ip == "" {
		return usagef("--ip is required (address or prefix)")
	}
	p, err := parsePrefix(*ip)
	if err != nil {
		return usagef("--ip: %v", err)
	}
	if *circuit == "" {
		return usagef("--circuit is required")
	}
	m := bus.Mapping{Prefix: p, CPU: uint32(*cpu), CircuitID: *circuit, DeviceID: *device}
	if *class == "" && *upClass == "" {
		return usagef("--class or --upload-class is required (major:minor in hex, as tc prints it)")
	}
	if *class != "" {
		if m.ClassID, err = datapath.ParseClassID(*class); err != nil {
			return usagef("--class: %v", err)
		}
	}
	if *upClass != "" {
		if m.UploadClassID, err = datapath.ParseClassID(*upClass); err != nil {
			return usagef("--upload-class: %v", err)
		}
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	res, err := c.MapIPs(ctx, []bus.Mapping{m})
	if err != nil {
		return err
	}
	if len(res.Failed) > 0 {
		return fmt.Errorf("lqosd refused %s: %s", res.Failed[0].Prefix, res.Failed[0].Error)
	}
	if a.json {
		return a.emitJSON(res)
	}
	fmt.Fprintf(a.out, "mapped %s\n", p)
	return nil
}

// parsePrefix accepts an address (host prefix) or a prefix.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, err
		}
		if p != p.Masked() {
			return p, fmt.Errorf("%s has host bits set (did you mean %s?)", p, p.Masked())
		}
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (a *app) mapDel(ctx context.Context, args []string) error {
	fs := newFlags("mappings del")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("give one or more addresses or prefixes")
	}
	var ps []netip.Prefix
	for _, s := range fs.Args() {
		p, err := parsePrefix(s)
		if err != nil {
			return usagef("%q: %v", s, err)
		}
		ps = append(ps, p)
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	res, err := c.DelIPs(ctx, ps)
	if err != nil {
		return err
	}
	if a.json {
		return a.emitJSON(res)
	}
	fmt.Fprintf(a.out, "deleted %d, not found %d\n", res.Deleted, res.NotFound)
	if res.NotFound > 0 && res.Deleted == 0 {
		return errors.New("no such mapping")
	}
	return nil
}

func (a *app) mapClear(ctx context.Context, args []string) error {
	fs := newFlags("mappings clear")
	yes := fs.Bool("yes", false, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if !*yes {
		return usagef("this unmaps every subscriber; add --yes to confirm")
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	res, err := c.ClearIPs(ctx)
	if err != nil {
		return err
	}
	if a.json {
		return a.emitJSON(res)
	}
	fmt.Fprintf(a.out, "cleared %d mappings\n", res.Cleared)
	return nil
}

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

func (a *app) urgent(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("want list or ack")
	}
	switch args[0] {
	case "list", "ls":
		fs := newFlags("urgent list")
		all := fs.Bool("all", false, "")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		if err := noArgs(fs); err != nil {
			return err
		}
		c, err := a.lqosd(ctx)
		if err != nil {
			return err
		}
		is, err := c.ListUrgent(ctx, !*all)
		if err != nil {
			return err
		}
		if a.json {
			return a.emitJSON(is)
		}
		if len(is) == 0 {
			fmt.Fprintln(a.out, "no urgent issues")
			return nil
		}
		w := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "ID\tSEVERITY\tCODE\tCOUNT\tLAST SEEN\tSTATE\tMESSAGE")
		for _, x := range is {
			state := "open"
			if x.Acknowledged {
				state = "acked by " + x.AcknowledgedBy
			}
			fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", x.ID, x.Severity, x.Code, x.Count, x.LastSeen.Local().Format(time.DateTime), state, x.Message)
		}
		return w.Flush()
	case "ack":
		fs := newFlags("urgent ack")
		code := fs.String("code", "", "")
		by := fs.String("by", "", "")
		if err := parse(fs, args[1:]); err != nil {
			return err
		}
		var id uint64
		switch {
		case *code != "" && fs.NArg() == 0:
		case *code == "" && fs.NArg() == 1:
			v, err := strconv.ParseUint(fs.Arg(0), 10, 64)
			if err != nil || v == 0 {
				return usagef("issue id %q: want a positive number (see `lqos urgent list`)", fs.Arg(0))
			}
			id = v
		default:
			return usagef("give one issue id, or --code CODE")
		}
		c, err := a.lqosd(ctx)
		if err != nil {
			return err
		}
		is, err := c.AckUrgent(ctx, id, *code, *by)
		if err != nil {
			return err
		}
		if a.json {
			return a.emitJSON(is)
		}
		for _, x := range is {
			fmt.Fprintf(a.out, "acknowledged #%d %s\n", x.ID, x.Code)
		}
		return nil
	}
	return usagef("urgent %q: want list or ack", args[0])
}

func (a *app) apply(ctx context.Context, args []string) error {
	fs := newFlags("apply")
	dry := fs.Bool("dry-run", false, "")
	reason := fs.String("reason", "lqos apply", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	res, err := c.ApplyPlan(ctx, *reason, *dry)
	if err != nil {
		return err
	}
	return a.planResult(res)
}

func (a *app) reload(ctx context.Context, args []string) error {
	fs := newFlags("reload")
	full := fs.Bool("full", false, "")
	reason := fs.String("reason", "lqos reload", "")
	// Applies a run held back for removing too many circuits.
	confirm := fs.Bool("confirm-shrink", false, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	res, err := c.Reload(ctx, &bus.ReloadPlan{Reason: *reason, Full: *full, ConfirmShrink: *confirm})
	if err != nil {
		return err
	}
	return a.planResult(res)
}

func (a *app) planResult(res *bus.PlanResult) error {
	if a.json {
		return a.emitJSON(res)
	}
	state := "applied"
	if !res.Applied {
		state = "not applied"
	}
	fmt.Fprintf(a.out, "%s in %v: %s\n", state, res.Duration.Round(time.Millisecond), res.Summary)
	for _, w := range res.Warnings {
		fmt.Fprintf(a.out, "warning: %s\n", w)
	}
	return nil
}

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

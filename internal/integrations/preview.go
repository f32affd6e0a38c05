package integrations

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
)

// Probe is the outcome of a connection test: what one import would produce.
// Nothing is written. The web UI's integration editor shows it as is.
type Probe struct {
	Integration string        `json:"integration"`
	OK          bool          `json:"ok"`
	Error       string        `json:"error,omitempty"`
	Mode        string        `json:"mode,omitempty"`
	Nodes       int           `json:"nodes"`
	Circuits    int           `json:"circuits"`
	Devices     int           `json:"devices"`
	SkippedNoIP int           `json:"skipped_no_ip"`
	Problems    []string      `json:"problems,omitempty"`
	Took        time.Duration `json:"took_ns"`
}

// TestConnection connects to the named integration with the settings in cfg
// (enabled or not, so a new configuration can be checked before it is
// switched on), fetches everything, compiles it and reports the counts.
func TestConnection(ctx context.Context, cfg *config.Config, name string) Probe {
	integ := lookup(name)
	if integ == nil {
		return Probe{Integration: name, Error: fmt.Sprintf("unknown integration %q (known: %s)", name, strings.Join(config.IntegrationNames(), ", "))}
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	start := time.Now()
	p := Probe{Integration: integ.Name()}
	res, err := integ.Import(ctx, cfg)
	p.Took = time.Since(start)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	if err := res.Validate(); err != nil {
		p.Error = "the import does not validate: " + err.Error()
		return p
	}
	p.OK = true
	p.Mode = res.Mode
	p.Nodes, p.Circuits, p.Devices = res.Summary.Nodes, res.Summary.Circuits, res.Summary.Devices
	p.SkippedNoIP = len(res.Summary.SkippedNoIP)
	p.Problems = res.Summary.Problems
	return p
}

func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, DefaultTimeout)
}

// WriteText prints the probe for a terminal.
func (p Probe) WriteText(w io.Writer) {
	if !p.OK {
		fmt.Fprintf(w, "%s: connection test FAILED after %s: %s\n", p.Integration, p.Took.Round(time.Millisecond), p.Error)
		return
	}
	fmt.Fprintf(w, "%s: connection test OK in %s (nothing written)\n", p.Integration, p.Took.Round(time.Millisecond))
	fmt.Fprintf(w, "  mode %s: %d network nodes, %d circuits, %d devices; %d circuits skipped without a usable IP\n",
		p.Mode, p.Nodes, p.Circuits, p.Devices, p.SkippedNoIP)
	for _, pr := range p.Problems {
		fmt.Fprintln(w, "  warning:", pr)
	}
}

// Change is one circuit that differs between the current file and an import.
type Change struct {
	ID, Name string
	What     []string // "download max 100 → 150", "parent \"\" → \"AP 1\""
}

// Diff compares the circuits of the current ShapedDevices.csv with an import.
type Diff struct {
	Added, Removed []*devices.Circuit
	Changed        []Change
	Unchanged      int
	// NetworkChanged reports whether network.json would be rewritten with other content.
	NetworkChanged bool
	// Refused is why Write would refuse this import ("" = it would write).
	Refused string
}

// Compare computes what writing res into dir would change.
func Compare(dir string, res *Result) (*Diff, error) {
	d := &Diff{}
	var prev []*devices.Circuit
	path := filepath.Join(dir, DevicesFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		f, diags := devices.Parse(path, data)
		if f != nil {
			prev = f.Circuits
		}
		if derr := diags.Err(); derr != nil && f == nil {
			return nil, derr
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, err
	}
	old := map[string]*devices.Circuit{}
	for _, c := range prev {
		old[c.ID] = c
	}
	seen := map[string]bool{}
	for _, c := range res.Circuits {
		seen[c.ID] = true
		o, ok := old[c.ID]
		if !ok {
			d.Added = append(d.Added, c)
			continue
		}
		if what := circuitChanges(o, c); len(what) > 0 {
			d.Changed = append(d.Changed, Change{ID: c.ID, Name: c.Name, What: what})
		} else {
			d.Unchanged++
		}
	}
	for _, c := range prev {
		if !seen[c.ID] {
			d.Removed = append(d.Removed, c)
		}
	}
	cur, err := os.ReadFile(filepath.Join(dir, NetworkFile))
	d.NetworkChanged = err != nil || !bytes.Equal(bytes.TrimSpace(cur), bytes.TrimSpace(res.NetworkJSON()))
	if err := res.Validate(); err != nil {
		d.Refused = err.Error()
	} else if err := DefaultPlausibility.Check(res.Source, len(prev), len(res.Circuits)); err != nil {
		d.Refused = err.Error()
	}
	return d, nil
}

func circuitChanges(o, n *devices.Circuit) []string {
	var what []string
	str := func(label, a, b string) {
		if a != b {
			what = append(what, fmt.Sprintf("%s %q → %q", label, a, b))
		}
	}
	rate := func(label string, a, b float64) {
		if math.Abs(a-b) > 1e-9 {
			what = append(what, fmt.Sprintf("%s %g → %g", label, a, b))
		}
	}
	str("name", o.Name, n.Name)
	str("parent", o.ParentNode, n.ParentNode)
	str("parent id", o.ParentNodeID, n.ParentNodeID)
	rate("download min", o.DownloadMin, n.DownloadMin)
	rate("upload min", o.UploadMin, n.UploadMin)
	rate("download max", o.DownloadMax, n.DownloadMax)
	rate("upload max", o.UploadMax, n.UploadMax)
	od, nd := deviceMap(o), deviceMap(n)
	for _, id := range sortedKeys(nd) {
		if _, ok := od[id]; !ok {
			what = append(what, "device added "+quoteID(id))
		} else if od[id] != nd[id] {
			what = append(what, fmt.Sprintf("device %s: %s → %s", quoteID(id), od[id], nd[id]))
		}
	}
	for _, id := range sortedKeys(od) {
		if _, ok := nd[id]; !ok {
			what = append(what, "device removed "+quoteID(id))
		}
	}
	return what
}

func quoteID(s string) string { return fmt.Sprintf("%q", s) }

// deviceMap describes each device by what shaping depends on (MAC, addresses).
func deviceMap(c *devices.Circuit) map[string]string {
	m := map[string]string{}
	for _, d := range c.Devices {
		var ips []string
		for _, p := range d.Prefixes() {
			ips = append(ips, p.String())
		}
		slices.Sort(ips)
		m[d.ID] = fmt.Sprintf("mac %q ips [%s]", d.MAC, strings.Join(ips, " "))
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// WriteText prints the diff, at most limit circuits per section (0 = all).
func (d *Diff) WriteText(w io.Writer, limit int) {
	fmt.Fprintf(w, "circuits: %d added, %d removed, %d changed, %d unchanged; network.json %s\n",
		len(d.Added), len(d.Removed), len(d.Changed), d.Unchanged, map[bool]string{true: "would change", false: "unchanged"}[d.NetworkChanged])
	more := func(n int) bool {
		if limit > 0 && n >= limit {
			return true
		}
		return false
	}
	for i, c := range d.Added {
		if more(i) {
			fmt.Fprintf(w, "+ … %d more added\n", len(d.Added)-i)
			break
		}
		parent := c.ParentNode
		if parent == "" {
			parent = "(none)"
		}
		fmt.Fprintf(w, "+ %s %q %g/%g Mbps, parent %s, %d devices\n", c.ID, c.Name, c.DownloadMax, c.UploadMax, parent, len(c.Devices))
	}
	for i, c := range d.Removed {
		if more(i) {
			fmt.Fprintf(w, "- … %d more removed\n", len(d.Removed)-i)
			break
		}
		fmt.Fprintf(w, "- %s %q\n", c.ID, c.Name)
	}
	for i, c := range d.Changed {
		if more(i) {
			fmt.Fprintf(w, "~ … %d more changed\n", len(d.Changed)-i)
			break
		}
		fmt.Fprintf(w, "~ %s %q: %s\n", c.ID, c.Name, strings.Join(c.What, "; "))
	}
	if d.Refused != "" {
		fmt.Fprintln(w, "the write would be REFUSED:", d.Refused)
	}
}

// Exit codes of the command-line entry points.
const (
	ExitOK      = 0
	ExitFailed  = 1
	ExitCrashed = 4 // ChildCommand: the integration panicked
)

// ChildCommand is `lqos_scheduler --run-integration NAME`, the child process
// the scheduler starts for each import: one import with the first enabled
// integration into lqos_directory. Its stdout and stderr are what the
// scheduler previews and logs; a panic is reported there with its stack.
func ChildCommand(ctx context.Context, cfg *config.Config, name string, stdout, stderr io.Writer) (code int) {
	defer func() {
		if v := recover(); v != nil {
			fmt.Fprintf(stderr, "panic: %v\n\n%s", v, debug.Stack())
			code = ExitCrashed
		}
	}()
	integ := First(cfg)
	// The scheduler asks for the first enabled integration by name; both
	// sides take it from the same priority order.
	if en := cfg.EnabledIntegrations(); integ == nil || len(en) == 0 || en[0] != name {
		fmt.Fprintf(stderr, "integration %q is enabled in %s but not implemented in this build\n", name, cfg.Path)
		return ExitFailed
	}
	res, err := Run(ctx, cfg, cfg.LqosDirectory)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return ExitFailed
	}
	if res != nil {
		fmt.Fprintf(stdout, "%s import: %s\n", integ.Name(), res.Summary.String())
		for _, p := range res.Summary.Problems {
			fmt.Fprintln(stdout, "warning:", p)
		}
	}
	return ExitOK
}

// TestCommand is `lqos_scheduler --test-integration NAME`: connect, fetch,
// report counts, write nothing.
func TestCommand(ctx context.Context, cfg *config.Config, name string, stdout io.Writer) int {
	p := TestConnection(ctx, cfg, name)
	p.WriteText(stdout)
	if !p.OK {
		return ExitFailed
	}
	return ExitOK
}

// DryRunCommand is `lqos_scheduler --dry-run`: import with the enabled
// integration and print what would change in dir, without writing.
func DryRunCommand(ctx context.Context, cfg *config.Config, dir string, stdout io.Writer) int {
	integ := First(cfg)
	if integ == nil {
		fmt.Fprintln(stdout, "no integration is enabled in", cfg.Path, "(nothing to compare)")
		return ExitFailed
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	res, err := integ.Import(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stdout, "%s dry run: import failed: %v\n", integ.Name(), err)
		return ExitFailed
	}
	d, err := Compare(dir, res)
	if err != nil {
		fmt.Fprintf(stdout, "%s dry run: reading the current files in %s: %v\n", integ.Name(), dir, err)
		return ExitFailed
	}
	fmt.Fprintf(stdout, "%s dry run against %s (nothing written): %s\n", integ.Name(), dir, res.Summary.String())
	d.WriteText(stdout, 0)
	for _, p := range res.Summary.Problems {
		fmt.Fprintln(stdout, "warning:", p)
	}
	if d.Refused != "" {
		return ExitFailed
	}
	return ExitOK
}

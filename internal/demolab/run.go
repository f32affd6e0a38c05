package demolab

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/lock"
)

// Options configure a demo run.
type Options struct {
	BinDir   string        // where lqosd and lqos_scheduler are
	Circuits int           // subscribers to generate (default 200)
	Listen   string        // web UI address (default 127.0.0.1:9123)
	Duration time.Duration // 0: until ctx ends (Ctrl-C)
	KeepDir  bool          // keep the run directory (logs) after the run
	// Shapers is 1 (default) or 2: two shapers split the fake CRM's sites
	// by [fleet] and serve /metrics on port MetricsPort (see fleet.go).
	Shapers int
	// Ready, if set, is called once the lab is shaping, with the lab's
	// handles; the demo test uses it to take its measurements.
	Ready func(ctx context.Context, r *Running) error
}

// Running describes a lab that is up.
type Running struct {
	ISP        *ISP
	RunDir     string
	BusPath    string
	PinDir     string
	WebURL     string
	SetupToken string
	Traffic    *Traffic
	// Shaper2 is the second shaper when Options.Shapers is 2.
	Shaper2 *Shaper2
	// MetricsURLs are the shapers' /metrics (two-shaper demo only).
	MetricsURLs []string
}

// PinDirName is the lab's pinned-map directory under /sys/fs/bpf.
const PinDirName = "lqos-demo"

var tokenRE = regexp.MustCompile(`setup_token=(\S+)`)

// LockPath is the one-demo-per-machine lock.
const LockPath = "/run/lqos-demo/demo.lock"

// Run builds the lab, starts lqosd and lqos_scheduler on it, feeds them a
// synthetic ISP through the fake CRM, generates traffic, and tears it all
// down again when ctx ends (or after Duration).
func Run(ctx context.Context, o Options, out io.Writer) (err error) {
	if os.Geteuid() != 0 {
		return errors.New("the demo needs root (network namespaces, XDP, tc); run it with sudo")
	}
	if o.Circuits <= 0 {
		o.Circuits = 200
	}
	if o.Listen == "" {
		o.Listen = "127.0.0.1:9123"
	}
	if o.Shapers == 0 {
		o.Shapers = 1
	}
	if o.Shapers != 1 && o.Shapers != 2 {
		return fmt.Errorf("shapers %d: the demo runs 1 or 2", o.Shapers)
	}
	if o.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.Duration)
		defer cancel()
	}
	say := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	// One lab per machine: a second run would tear down the first one's namespaces.
	// The lock lives in a root-only directory: in a world-writable one
	// (/tmp) any user could plant a symlink there for root to truncate.
	lk, err := lock.TryAcquire(LockPath, "lqos_demo")
	if errors.Is(err, lock.ErrBusy) {
		return fmt.Errorf("another demo is running on this machine: %w", err)
	}
	if err != nil {
		return fmt.Errorf("demo lock: %w", err)
	}
	defer lk.Release()

	runDir, err := os.MkdirTemp("", "lqos-demo-")
	if err != nil {
		return err
	}
	pinDir := filepath.Join("/sys/fs/bpf", PinDirName)
	r := &Running{ISP: NewISP(o.Circuits), RunDir: runDir, BusPath: filepath.Join(runDir, "run", "bus"), PinDir: pinDir, WebURL: "http://" + o.Listen}
	var procs []*child
	defer func() {
		say("tearing down...")
		if r.Traffic != nil {
			r.Traffic.Stop()
		}
		for i := len(procs) - 1; i >= 0; i-- {
			procs[i].stop()
		}
		Teardown()
		os.RemoveAll(pinDir)
		os.RemoveAll(filepath.Join("/sys/fs/bpf", PinDirName2))
		if o.KeepDir {
			say("logs kept in %s", runDir)
		} else {
			os.RemoveAll(runDir)
		}
		if left := Leftovers(); len(left) > 0 {
			err = errors.Join(err, fmt.Errorf("left behind: %s", strings.Join(left, ", ")))
		} else {
			say("clean: no namespaces, links, pinned maps or processes left")
		}
	}()

	crm, err := ServeCRM(r.ISP)
	if err != nil {
		return err
	}
	defer crm.Close()
	say("synthetic ISP: %d subscribers on %d sites, served as a Splynx API at %s", len(r.ISP.Subscribers), len(r.ISP.Sites), crm.URL)

	if _, err := Setup(r.ISP.Addrs(), nil); err != nil {
		return err
	}
	say("lab up: %s (Internet side) and %s (subscriber side) bridged by %s", IfInternet, IfSubs, Bridge)

	sc := shaperConfig{listen: o.Listen, node: Shaper1Name, toInternet: IfInternet, toNetwork: IfSubs}
	if o.Shapers == 2 {
		sc.extra = fleetConfig(r.ISP, fmt.Sprintf("127.0.0.1:%d", MetricsPort))
		r.MetricsURLs = []string{fmt.Sprintf("http://127.0.0.1:%d/metrics", MetricsPort)}
	}
	cfgPath, err := writeConfig(runDir, sc, crm)
	if err != nil {
		return err
	}
	logs := filepath.Join(runDir, "logs")
	os.MkdirAll(logs, 0o755)
	os.RemoveAll(pinDir) // maps from an earlier run that was killed
	lqosd, err := start(filepath.Join(o.BinDir, "lqosd"), filepath.Join(logs, "lqosd.log"),
		"--config", cfgPath, "--run-dir", filepath.Join(runDir, "run"), "--pin-dir", pinDir, "--web-listen", o.Listen,
		// The lab is torn down with lqosd: unshape on stop.
		"--detach-on-stop")
	if err != nil {
		return err
	}
	procs = append(procs, lqosd)
	if err := waitBus(ctx, r.BusPath, lqosd); err != nil {
		return fmt.Errorf("lqosd did not come up (log: %s): %w", lqosd.logPath, err)
	}
	say("lqosd is up; web UI at %s", r.WebURL)
	// The web UI logs its first-run token just after the bus is up.
	for i := 0; i < 50 && r.SetupToken == ""; i++ {
		if r.SetupToken = lqosd.find(tokenRE); r.SetupToken == "" {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if r.SetupToken != "" {
		say("first run: open %s and create the admin account (setup token %s, not needed from a browser on this machine)", r.WebURL, r.SetupToken)
	}

	sched, err := start(filepath.Join(o.BinDir, "lqos_scheduler"), filepath.Join(logs, "lqos_scheduler.log"),
		"--config", cfgPath, "--bus", r.BusPath, "--lock", filepath.Join(runDir, "run", "apply.lock"),
		"--log-dir", logs, "--poll-interval", "5s")
	if err != nil {
		return err
	}
	procs = append(procs, sched)
	say("lqos_scheduler started: importing from the CRM and setting up queues...")
	if o.Shapers == 2 {
		if r.Shaper2, err = startShaper2(ctx, o, r.ISP, runDir, crm, &procs, say); err != nil {
			return err
		}
		r.MetricsURLs = append(r.MetricsURLs, r.Shaper2.MetricsURL)
		counts, err := waitFleetMappings(ctx, []string{r.BusPath, r.Shaper2.BusPath}, len(r.ISP.Subscribers)*9/10)
		if err != nil {
			return fmt.Errorf("queues were not set up on both shapers (logs: %s): %w", logs, err)
		}
		say("the two shapers split the CRM's sites: %q maps %d addresses, %q maps %d (metrics: %s)",
			Shaper1Name, counts[0], Shaper2Name, counts[1], strings.Join(r.MetricsURLs, " "))
	} else if err := waitMappings(ctx, r.BusPath, len(r.ISP.Subscribers)*9/10, sched); err != nil {
		return fmt.Errorf("queues were not set up (logs: %s): %w", logs, err)
	}
	say("shaping %d subscribers", len(r.ISP.Subscribers))

	if r.Traffic, err = StartTraffic(ctx, r.ISP.Addrs()); err != nil {
		return err
	}
	say("traffic flowing: bulk downloads and uploads, short web flows. Press Ctrl-C to stop.")
	if o.Ready != nil {
		if err := o.Ready(ctx, r); err != nil {
			return err
		}
		return nil
	}
	tick := time.NewTicker(10 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-lqosd.done:
			return fmt.Errorf("lqosd exited: %v (log: %s)", lqosd.err, lqosd.logPath)
		case <-tick.C:
			st := &r.Traffic.Stats
			say("traffic: %d short flows, %d bulk downloads, %d bulk uploads, %.1f MB down, %.1f MB up, %d/%d pings answered (worst RTT %d ms), %d errors",
				st.ShortFlows.Load(), st.BulkDownloads.Load(), st.BulkUploads.Load(),
				float64(st.BytesDown.Load())/1e6, float64(st.BytesUp.Load())/1e6,
				st.PingReplies.Load(), st.PingsSent.Load(), time.Duration(st.PingWorstRTT.Load()).Milliseconds(), st.Errors.Load())
			if e, ok := st.LastError.Load().(string); ok {
				say("  last traffic error: %s", e)
			}
		}
	}
}

// shaperConfig is what differs between the lab's shapers' lqos.conf.
type shaperConfig struct {
	listen, node          string
	toInternet, toNetwork string
	extra                 string // appended sections ([fleet], [metrics])
}

// writeConfig writes lqos.conf for one of the lab's shapers.
func writeConfig(runDir string, sc shaperConfig, crm *CRM) (string, error) {
	inputs := filepath.Join(runDir, "inputs")
	if err := os.MkdirAll(inputs, 0o755); err != nil {
		return "", err
	}
	conf := fmt.Sprintf(`# Written by the demo lab.
version = "1.5"
lqos_directory = %q
state_directory = %q
node_name = %q
webserver_listen = %q

[bridge]
use_xdp_bridge = false
to_internet = %q
to_network = %q

[queues]
default_sqm = "cake diffserv4"
uplink_bandwidth_mbps = 1000
downlink_bandwidth_mbps = 1000
generated_pn_download_mbps = 1000
generated_pn_upload_mbps = 1000

[integration_common]
queue_refresh_interval_mins = 5

[topology]
compile_mode = "ap_site"

[ip_ranges]
allow_subnets = ["100.64.0.0/10"]

[splynx_integration]
enable_splynx = true
api_key = %q
api_secret = %q
url = %q
`, inputs, filepath.Join(runDir, "state"), sc.node, sc.listen, sc.toInternet, sc.toNetwork, crm.Key, crm.Secret, crm.URL) + sc.extra
	path := filepath.Join(runDir, "lqos.conf")
	return path, os.WriteFile(path, []byte(conf), 0o600)
}

// child is a started program whose output goes to a log file.
type child struct {
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error
	mu      sync.Mutex
	lines   []string
}

func start(bin, logPath string, args ...string) (*child, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	c := &child{cmd: exec.Command(bin, args...), logPath: logPath, done: make(chan struct{})}
	pr, pw := io.Pipe()
	c.cmd.Stdout, c.cmd.Stderr = pw, pw
	c.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := c.cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(f, line)
			c.mu.Lock()
			if len(c.lines) < 2000 {
				c.lines = append(c.lines, line)
			}
			c.mu.Unlock()
		}
		f.Close()
	}()
	go func() {
		c.err = c.cmd.Wait()
		pw.Close()
		close(c.done)
	}()
	return c, nil
}

func (c *child) find(re *regexp.Regexp) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.lines {
		if m := re.FindStringSubmatch(l); m != nil {
			return strings.Trim(m[1], `"`)
		}
	}
	return ""
}

// stop asks the program to end (SIGTERM), then kills its process group.
func (c *child) stop() {
	select {
	case <-c.done:
		return
	default:
	}
	c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
	}
	// Integration children of the scheduler share its process group.
	syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
}

func waitBus(ctx context.Context, path string, p *child) error {
	for {
		dctx, cancel := context.WithTimeout(ctx, time.Second)
		c, err := bus.Dial(dctx, path)
		if err == nil {
			_, err = c.Ping(dctx)
			c.Close()
		}
		cancel()
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-p.done:
			return fmt.Errorf("exited: %v", p.err)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

// waitMappings waits until lqosd holds at least n IP mappings.
func waitMappings(ctx context.Context, path string, n int, sched *child) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for {
		c, err := bus.Dial(ctx, path)
		if err == nil {
			l, lerr := c.ListIPs(ctx, 0, 1)
			c.Close()
			if lerr == nil && l.Total >= n {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-sched.done:
			return fmt.Errorf("lqos_scheduler exited: %v", sched.err)
		case <-time.After(time.Second):
		}
	}
}

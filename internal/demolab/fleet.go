package demolab

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
)

// The second shaper of the two-shaper demo (Options.Shapers = 2) lives in
// its own network namespace with its own bridge. Both shapers import the
// same fake CRM and split its top-level sites by [fleet]'s list rule
// (alternate sites; with four sites a hash split may well put all on one
// shaper); the
// lab's traffic all crosses the first shaper's bridge, so the second one
// shapes (queues, mappings) without traffic, and the first counts the
// second one's subscribers as unknown IPs. A management veth from the root
// namespace reaches its web UI and /metrics.
const (
	NSShaper2       = "lqdemo-shaper2"
	s2Bridge        = "br-lqdemo2"
	s2Inet, s2Sub   = "lqd2-inet", "lqd2-sub"
	s2InetPeer      = "lqd2-inet-p"
	s2SubPeer       = "lqd2-sub-p"
	mgmtRoot        = "lqd2-mgmt"
	mgmtPeer        = "lqd2-mgmt-p"
	MgmtRootAddr    = "10.254.23.1"
	MgmtShaper2Addr = "10.254.23.2"
	// PinDirName2 is the second shaper's pinned-map directory.
	PinDirName2 = "lqos-demo2"
	// Shaper names (node_name) in the two-shaper demo.
	Shaper1Name = "Demo Shaper"
	Shaper2Name = "Demo Shaper 2"
	// MetricsPort is where both shapers of the two-shaper demo serve /metrics.
	MetricsPort = 9124
)

// Shaper2 describes the second shaper of a running two-shaper demo.
type Shaper2 struct {
	BusPath, WebURL, MetricsURL string
}

func setupShaper2() error {
	q := fmt.Sprint(TxQueues)
	steps := [][]string{
		{"netns", "add", NSShaper2},
		{"-n", NSShaper2, "link", "add", s2Inet, "numtxqueues", q, "numrxqueues", q, "type", "veth", "peer", "name", s2InetPeer, "numtxqueues", q, "numrxqueues", q},
		{"-n", NSShaper2, "link", "add", s2Sub, "numtxqueues", q, "numrxqueues", q, "type", "veth", "peer", "name", s2SubPeer, "numtxqueues", q, "numrxqueues", q},
		{"-n", NSShaper2, "link", "add", s2Bridge, "type", "bridge"},
		{"-n", NSShaper2, "link", "set", s2Inet, "master", s2Bridge},
		{"-n", NSShaper2, "link", "set", s2Sub, "master", s2Bridge},
		{"link", "add", mgmtRoot, "type", "veth", "peer", "name", mgmtPeer, "netns", NSShaper2},
		{"addr", "add", MgmtRootAddr + "/30", "dev", mgmtRoot},
		{"link", "set", mgmtRoot, "up"},
		{"-n", NSShaper2, "addr", "add", MgmtShaper2Addr + "/30", "dev", mgmtPeer},
	}
	for _, l := range []string{"lo", s2Bridge, s2Inet, s2Sub, s2InetPeer, s2SubPeer, mgmtPeer} {
		steps = append(steps, []string{"-n", NSShaper2, "link", "set", l, "up"})
	}
	for _, s := range steps {
		if err := ipCmd(s...); err != nil {
			return err
		}
	}
	return nil
}

func teardownShaper2() {
	exec.Command("ip", "link", "del", mgmtRoot).Run()
	exec.Command("ip", "netns", "del", NSShaper2).Run()
}

func leftoversShaper2(netns string) []string {
	var left []string
	if exec.Command("ip", "link", "show", mgmtRoot).Run() == nil {
		left = append(left, "link "+mgmtRoot)
	}
	if strings.Contains(netns, NSShaper2) {
		left = append(left, "netns "+NSShaper2)
	}
	return left
}

// fleetConfig is the part of lqos.conf for one shaper of two: the same
// [fleet.sites] on both (alternate sites), and /metrics on metricsListen.
func fleetConfig(isp *ISP, metricsListen string) string {
	var lists [2][]string
	for i, s := range isp.Sites {
		lists[i%2] = append(lists[i%2], fmt.Sprintf("%q", s.Title()))
	}
	return fmt.Sprintf(`
[fleet.sites]
%q = [%s]
%q = [%s]

[metrics]
listen = %q
per_circuit = "top"
`, Shaper1Name, strings.Join(lists[0], ", "), Shaper2Name, strings.Join(lists[1], ", "), metricsListen)
}

// startShaper2 brings up the second shaper and its scheduler on the same
// CRM. The processes are appended to procs for the caller's teardown.
func startShaper2(ctx context.Context, o Options, isp *ISP, runDir string, crm *CRM, procs *[]*child, say func(string, ...any)) (*Shaper2, error) {
	if err := setupShaper2(); err != nil {
		return nil, err
	}
	dir := filepath.Join(runDir, "shaper2")
	logs := filepath.Join(dir, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return nil, err
	}
	web := MgmtShaper2Addr + ":9123"
	cfgPath, err := writeConfig(dir, shaperConfig{listen: web, node: Shaper2Name, toInternet: s2Inet, toNetwork: s2Sub,
		extra: fleetConfig(isp, fmt.Sprintf("%s:%d", MgmtShaper2Addr, MetricsPort))}, crm)
	if err != nil {
		return nil, err
	}
	pinDir := filepath.Join("/sys/fs/bpf", PinDirName2)
	os.RemoveAll(pinDir)
	s2 := &Shaper2{BusPath: filepath.Join(dir, "run", "bus"), WebURL: "http://" + web,
		MetricsURL: fmt.Sprintf("http://%s:%d/metrics", MgmtShaper2Addr, MetricsPort)}
	// Network namespace only: the pins stay visible under the root's bpffs.
	lqosd, err := start("nsenter", filepath.Join(logs, "lqosd.log"), "--net=/run/netns/"+NSShaper2, "--",
		filepath.Join(o.BinDir, "lqosd"), "--config", cfgPath, "--run-dir", filepath.Join(dir, "run"), "--pin-dir", pinDir)
	if err != nil {
		return nil, err
	}
	*procs = append(*procs, lqosd)
	if err := waitBus(ctx, s2.BusPath, lqosd); err != nil {
		return nil, fmt.Errorf("the second lqosd did not come up (log: %s): %w", lqosd.logPath, err)
	}
	sched, err := start(filepath.Join(o.BinDir, "lqos_scheduler"), filepath.Join(logs, "lqos_scheduler.log"),
		"--config", cfgPath, "--bus", s2.BusPath, "--lock", filepath.Join(dir, "run", "apply.lock"),
		"--log-dir", logs, "--poll-interval", "5s")
	if err != nil {
		return nil, err
	}
	*procs = append(*procs, sched)
	say("second shaper %q is up in namespace %s; web UI %s, metrics %s", Shaper2Name, NSShaper2, s2.WebURL, s2.MetricsURL)
	return s2, nil
}

// waitFleetMappings waits until both shapers hold mappings and together
// hold at least n.
func waitFleetMappings(ctx context.Context, buses []string, n int) ([]int, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for {
		counts := make([]int, len(buses))
		total, all := 0, true
		for i, path := range buses {
			if c, err := bus.Dial(ctx, path); err == nil {
				if l, err := c.ListIPs(ctx, 0, 1); err == nil {
					counts[i] = l.Total
				}
				c.Close()
			}
			total += counts[i]
			all = all && counts[i] > 0
		}
		if all && total >= n {
			return counts, nil
		}
		select {
		case <-ctx.Done():
			return counts, fmt.Errorf("shapers hold %v mappings, want all above 0 and %d together: %w", counts, n, ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

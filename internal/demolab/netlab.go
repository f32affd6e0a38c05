// Package demolab builds the demo: a small ISP in network namespaces with
// the shaper in the middle, a synthetic CRM feeding it, and traffic flowing.
//
//	[lqdemo-inet] inet0 --- lqd-inet ==br-lqdemo== lqd-sub --- subs0 [lqdemo-subs]
//	 "Internet" hosts        (root namespace: lqosd shapes          subscriber
//	 198.51.100.0/24 etc.     these two bridge ports)               addresses 100.64.x.y
//
// The shaper runs in the root namespace so the web UI is on 127.0.0.1:9123.
package demolab

import (
	"fmt"
	"net/netip"
	"os/exec"
	"strings"
)

// Names of everything the lab creates; Teardown removes exactly these.
const (
	NSInternet  = "lqdemo-inet"
	NSSubs      = "lqdemo-subs"
	Bridge      = "br-lqdemo"
	IfInternet  = "lqd-inet" // shaper side, towards the Internet (upload egress)
	IfSubs      = "lqd-sub"  // shaper side, towards subscribers (download egress)
	peerInet    = "inet0"
	peerSubs    = "subs0"
	TxQueues    = 4
	GatewayAddr = "100.64.255.254" // the "Internet" host's address on the subscriber LAN
)

// ServerAddrs are the "Internet" hosts the traffic generator talks to
// (documentation ranges, assigned only inside the lab's namespace).
var ServerAddrs = []netip.Addr{
	netip.MustParseAddr("198.51.100.10"),
	netip.MustParseAddr("198.51.100.20"),
	netip.MustParseAddr("203.0.113.30"),
	netip.MustParseAddr("203.0.113.40"),
	netip.MustParseAddr("192.0.2.50"),
}

// Lab is the namespaces, links and addresses of one demo run.
type Lab struct {
	SubscriberAddrs []netip.Addr
	log             func(string, ...any)
}

func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Setup creates the lab. On error, whatever was made is removed again.
func Setup(subscriberAddrs []netip.Addr, log func(string, ...any)) (lab *Lab, err error) {
	if log == nil {
		log = func(string, ...any) {}
	}
	Teardown() // a previous run killed with -9 may have left pieces behind
	lab = &Lab{SubscriberAddrs: subscriberAddrs, log: log}
	defer func() {
		if err != nil {
			Teardown()
		}
	}()
	q := fmt.Sprint(TxQueues)
	steps := [][]string{
		{"netns", "add", NSInternet},
		{"netns", "add", NSSubs},
		{"link", "add", IfInternet, "numtxqueues", q, "numrxqueues", q, "type", "veth", "peer", "name", peerInet, "netns", NSInternet, "numtxqueues", q, "numrxqueues", q},
		{"link", "add", IfSubs, "numtxqueues", q, "numrxqueues", q, "type", "veth", "peer", "name", peerSubs, "netns", NSSubs, "numtxqueues", q, "numrxqueues", q},
		{"link", "add", Bridge, "type", "bridge"},
		{"link", "set", IfInternet, "master", Bridge},
		{"link", "set", IfSubs, "master", Bridge},
		{"link", "set", Bridge, "up"},
		{"link", "set", IfInternet, "up"},
		{"link", "set", IfSubs, "up"},
		{"-n", NSInternet, "link", "set", "lo", "up"},
		{"-n", NSInternet, "link", "set", peerInet, "up"},
		{"-n", NSInternet, "addr", "add", GatewayAddr + "/16", "dev", peerInet},
		{"-n", NSSubs, "link", "set", "lo", "up"},
		{"-n", NSSubs, "link", "set", peerSubs, "up"},
	}
	for _, a := range ServerAddrs {
		steps = append(steps, []string{"-n", NSInternet, "addr", "add", a.String() + "/32", "dev", "lo"})
	}
	for i, a := range subscriberAddrs {
		if i == 0 {
			steps = append(steps, []string{"-n", NSSubs, "addr", "add", a.String() + "/16", "dev", peerSubs})
			continue
		}
		steps = append(steps, []string{"-n", NSSubs, "addr", "add", a.String() + "/32", "dev", peerSubs})
	}
	steps = append(steps, []string{"-n", NSSubs, "route", "add", "default", "via", GatewayAddr})
	for _, s := range steps {
		if err := ipCmd(s...); err != nil {
			return nil, err
		}
	}
	// Native XDP on veth carries TCP without checksums unless offload is off;
	// the bridge ports also must not aggregate (GRO) past the shaper.
	for _, c := range [][]string{
		{"ethtool", "-K", IfInternet, "tx", "off", "gro", "off", "gso", "off", "tso", "off"},
		{"ethtool", "-K", IfSubs, "tx", "off", "gro", "off", "gso", "off", "tso", "off"},
		{"ip", "netns", "exec", NSInternet, "ethtool", "-K", peerInet, "tx", "off", "gso", "off", "tso", "off"},
		{"ip", "netns", "exec", NSSubs, "ethtool", "-K", peerSubs, "tx", "off", "gso", "off", "tso", "off"},
	} {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			log("offload change failed (continuing)", "cmd", strings.Join(c, " "), "err", strings.TrimSpace(string(out)))
		}
	}
	// Bridged frames must not be filtered by the host firewall.
	exec.Command("sysctl", "-qw", "net.bridge.bridge-nf-call-iptables=0").Run()
	log("lab up", "subscribers", len(subscriberAddrs), "bridge", Bridge)
	return lab, nil
}

// Teardown removes every namespace and link the lab creates. It is safe to
// call at any time and reports nothing: absent pieces are fine.
func Teardown() {
	for _, args := range [][]string{
		{"link", "del", Bridge},
		{"link", "del", IfInternet},
		{"link", "del", IfSubs},
		{"netns", "del", NSInternet},
		{"netns", "del", NSSubs},
	} {
		exec.Command("ip", args...).Run()
	}
	teardownShaper2()
}

// Leftovers lists lab objects that still exist (for tests of teardown).
func Leftovers() []string {
	var left []string
	for _, l := range []string{Bridge, IfInternet, IfSubs} {
		if exec.Command("ip", "link", "show", l).Run() == nil {
			left = append(left, "link "+l)
		}
	}
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, ns := range []string{NSInternet, NSSubs} {
		if strings.Contains(string(out), ns) {
			left = append(left, "netns "+ns)
		}
	}
	return append(left, leftoversShaper2(string(out))...)
}

//go:build linux

package datapath

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/testwait"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

// inNS runs fn on a thread switched into ns. The thread is never unlocked, so
// Go discards it afterwards instead of reusing a thread in a foreign netns.
func inNS(ns netns.NsHandle, fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := netns.Set(ns); err != nil {
			errc <- fmt.Errorf("setns: %w", err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// newNS creates a network namespace for the test, removed when it ends.
func newNS(t *testing.T) netns.NsHandle {
	t.Helper()
	ns := kerneltest.NetNS(t, "lqtdp")
	// No IPv6 on test links: router solicitations and MLD would add noise
	// to the default classes.
	_ = ns.Do(func() error {
		for _, f := range []string{"all", "default"} {
			_ = os.WriteFile("/proc/sys/net/ipv6/conf/"+f+"/disable_ipv6", []byte("1"), 0o644)
		}
		return nil
	})
	return ns.Handle
}

func nlHandle(t *testing.T, ns netns.NsHandle) *netlink.Handle {
	t.Helper()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatalf("netlink handle: %v", err)
	}
	t.Cleanup(h.Close)
	return h
}

const testQueues = 4

// topo is inet <-> [wan | shaper | lan] <-> cust, routed or bridged, with
// mq + per-queue HTB on both shaper ports (upload shaped on wan, download on
// lan).
type topo struct {
	inet, shp, cust    netns.NsHandle
	hInet, hShp, hCust *netlink.Handle
	wan, lan           netlink.Link // shaper side
	inetIP             string       // the Internet host's address
}

const (
	wanAddr    = "10.66.0.1"
	lanAddr    = "10.55.0.1"
	custMapped = "10.55.0.2"
	custOther  = "10.55.0.3"
)

func buildTopo(t *testing.T, bridged bool) *topo {
	t.Helper()
	tp := &topo{inet: newNS(t), shp: newNS(t), cust: newNS(t), inetIP: "10.66.0.2"}
	if bridged {
		tp.inetIP = "10.55.0.10" // one L2 segment through the bridge
	}
	tp.hInet, tp.hShp, tp.hCust = nlHandle(t, tp.inet), nlHandle(t, tp.shp), nlHandle(t, tp.cust)

	mkVeth := func(name, peer string, peerNS netns.NsHandle) {
		v := &netlink.Veth{
			LinkAttrs:       netlink.LinkAttrs{Name: name, NumTxQueues: testQueues, NumRxQueues: testQueues},
			PeerName:        peer,
			PeerNamespace:   netlink.NsFd(peerNS),
			PeerNumTxQueues: testQueues,
			PeerNumRxQueues: testQueues,
		}
		if err := tp.hShp.LinkAdd(v); err != nil {
			t.Fatalf("veth %s: %v", name, err)
		}
	}
	mkVeth("lqtdpwan", "lqtdpinet", tp.inet)
	mkVeth("lqtdplan", "lqtdpcust", tp.cust)

	type ifcfg struct {
		h     *netlink.Handle
		name  string
		addrs []string
	}
	cfgs := []ifcfg{
		{tp.hInet, "lqtdpinet", []string{tp.inetIP + "/24"}},
		{tp.hShp, "lqtdpwan", []string{wanAddr + "/24"}},
		{tp.hShp, "lqtdplan", []string{lanAddr + "/24"}},
		{tp.hCust, "lqtdpcust", []string{custMapped + "/24", custOther + "/24"}},
	}
	if bridged {
		cfgs[1].addrs, cfgs[2].addrs = nil, nil
	}
	links := map[string]netlink.Link{}
	for _, c := range cfgs {
		l, err := c.h.LinkByName(c.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range c.addrs {
			addr, _ := netlink.ParseAddr(a)
			if err := c.h.AddrAdd(l, addr); err != nil {
				t.Fatalf("addr %s on %s: %v", a, c.name, err)
			}
		}
		if err := c.h.LinkSetUp(l); err != nil {
			t.Fatal(err)
		}
		if lo, err := c.h.LinkByName("lo"); err == nil {
			_ = c.h.LinkSetUp(lo)
		}
		links[c.name] = l
	}
	tp.wan, tp.lan = links["lqtdpwan"], links["lqtdplan"]
	inet, cust := links["lqtdpinet"], links["lqtdpcust"]

	// Static neighbours: no ARP traffic racing the measured packets.
	neigh := func(h *netlink.Handle, dev netlink.Link, ip string, peer netlink.Link) {
		n := &netlink.Neigh{LinkIndex: dev.Attrs().Index, State: netlink.NUD_PERMANENT, IP: net.ParseIP(ip), HardwareAddr: peer.Attrs().HardwareAddr}
		if err := h.NeighAdd(n); err != nil {
			t.Fatalf("neigh %s: %v", ip, err)
		}
	}
	if bridged {
		// Enslave only ports whose operstate is already up (linkwatch
		// updates it asynchronously) into a bridge that is already up: the
		// port then starts forwarding at once instead of on a later event.
		br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: "lqtdpbr"}}
		if err := tp.hShp.LinkAdd(br); err != nil {
			t.Fatalf("bridge: %v", err)
		}
		if err := tp.hShp.LinkSetUp(br); err != nil {
			t.Fatal(err)
		}
		for _, port := range []netlink.Link{tp.wan, tp.lan} {
			name := port.Attrs().Name
			waitFor(t, name+" operstate up", func() bool {
				l, err := tp.hShp.LinkByName(name)
				return err == nil && l.Attrs().OperState == netlink.OperUp
			})
			if err := tp.hShp.LinkSetMaster(port, br); err != nil {
				t.Fatalf("enslave %s: %v", name, err)
			}
		}
		neigh(tp.hInet, inet, custMapped, cust)
		neigh(tp.hInet, inet, custOther, cust)
		neigh(tp.hCust, cust, tp.inetIP, inet)
	} else {
		route := func(h *netlink.Handle, dev netlink.Link, gw string) {
			r := &netlink.Route{LinkIndex: dev.Attrs().Index, Gw: net.ParseIP(gw), Dst: &net.IPNet{IP: net.IPv4zero, Mask: net.CIDRMask(0, 32)}}
			if err := h.RouteAdd(r); err != nil {
				t.Fatalf("route via %s: %v", gw, err)
			}
		}
		route(tp.hInet, inet, wanAddr)
		route(tp.hCust, cust, lanAddr)
		neigh(tp.hInet, inet, wanAddr, tp.wan)
		neigh(tp.hShp, tp.wan, tp.inetIP, inet)
		neigh(tp.hShp, tp.lan, custMapped, cust)
		neigh(tp.hShp, tp.lan, custOther, cust)
		neigh(tp.hCust, cust, lanAddr, tp.lan)
		if err := inNS(tp.shp, func() error {
			return os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1"), 0o644)
		}); err != nil {
			t.Fatalf("ip_forward: %v", err)
		}
	}
	shapeTree(t, tp.hShp, tp.wan)
	shapeTree(t, tp.hShp, tp.lan)
	udpSink(t, tp.cust)
	udpSink(t, tp.inet)
	return tp
}

// shapeTree builds mq 7fff: with, per queue N, htb N: (default N:2) whose
// classes N:1 (parent), N:2 (default leaf) and N:3 (shaped leaf) have pfifo
// leaves: the layout the shaper builds, minus the SQM qdiscs.
func shapeTree(t *testing.T, h *netlink.Handle, l netlink.Link) {
	t.Helper()
	idx := l.Attrs().Index
	mq := &netlink.GenericQdisc{QdiscAttrs: netlink.QdiscAttrs{LinkIndex: idx, Handle: netlink.MakeHandle(0x7fff, 0), Parent: netlink.HANDLE_ROOT}, QdiscType: "mq"}
	if err := h.QdiscAdd(mq); err != nil {
		t.Fatalf("mq: %v", err)
	}
	for q := uint16(1); q <= testQueues; q++ {
		htb := netlink.NewHtb(netlink.QdiscAttrs{LinkIndex: idx, Handle: netlink.MakeHandle(q, 0), Parent: netlink.MakeHandle(0x7fff, q)})
		htb.Defcls = 2
		if err := h.QdiscAdd(htb); err != nil {
			t.Fatalf("htb %d: %v", q, err)
		}
		for _, c := range []struct{ minor, parent uint16 }{{1, 0}, {2, 1}, {3, 1}} {
			parent := netlink.MakeHandle(q, 0)
			if c.parent != 0 {
				parent = netlink.MakeHandle(q, c.parent)
			}
			cls := netlink.NewHtbClass(netlink.ClassAttrs{LinkIndex: idx, Handle: netlink.MakeHandle(q, c.minor), Parent: parent},
				netlink.HtbClassAttrs{Rate: 1e9, Ceil: 1e9})
			if err := h.ClassAdd(cls); err != nil {
				t.Fatalf("class %d:%d: %v", q, c.minor, err)
			}
			if c.minor == 1 {
				continue
			}
			leaf := &netlink.GenericQdisc{QdiscAttrs: netlink.QdiscAttrs{LinkIndex: idx, Handle: netlink.MakeHandle(0x100+q*0x10+c.minor, 0), Parent: netlink.MakeHandle(q, c.minor)}, QdiscType: "pfifo"}
			if err := h.QdiscAdd(leaf); err != nil {
				t.Fatalf("pfifo under %d:%d: %v", q, c.minor, err)
			}
		}
	}
}

// classCounts returns packets and bytes per HTB class handle on l.
func classCounts(t *testing.T, h *netlink.Handle, l netlink.Link) map[tchandle.Handle][2]uint64 {
	t.Helper()
	classes, err := h.ClassList(l, netlink.HANDLE_NONE)
	if err != nil {
		t.Fatalf("class list: %v", err)
	}
	out := map[tchandle.Handle][2]uint64{}
	for _, c := range classes {
		a := c.Attrs()
		if c.Type() != "htb" || a.Statistics == nil || a.Statistics.Basic == nil {
			continue
		}
		out[tchandle.Handle(a.Handle)] = [2]uint64{uint64(a.Statistics.Basic.Packets), a.Statistics.Basic.Bytes}
	}
	return out
}

// defaultClassPackets sums N:2 over all queues.
func defaultClassPackets(c map[tchandle.Handle][2]uint64) uint64 {
	var n uint64
	for q := uint16(1); q <= testQueues; q++ {
		n += c[tchandle.Make(q, 2)][0]
	}
	return n
}

// sendUDP sends n datagrams with payload bytes each from inside ns
// (from src, or the routed source address when src is ""). The socket is
// unconnected so ICMP errors never turn into send failures.
func sendUDP(t *testing.T, ns netns.NsHandle, src, dst string, n, payload int) {
	t.Helper()
	var conn *net.UDPConn
	if err := inNS(ns, func() error {
		var laddr *net.UDPAddr
		if src != "" {
			laddr = net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(src), 0))
		}
		c, err := net.ListenUDP("udp4", laddr)
		conn = c
		return err
	}); err != nil {
		t.Fatalf("socket in netns: %v", err)
	}
	defer conn.Close()
	to := net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.MustParseAddr(dst), sinkPort))
	buf := make([]byte, payload)
	for i := range n {
		if _, err := conn.WriteToUDP(buf, to); err != nil {
			t.Fatalf("send %d to %s: %v", i, dst, err)
		}
	}
}

const sinkPort = 9

// udpSink binds the discard port in ns so datagrams are not answered with
// ICMP port-unreachable (which would show up as extra upload traffic).
func udpSink(t *testing.T, ns netns.NsHandle) {
	t.Helper()
	if err := inNS(ns, func() error {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{Port: sinkPort})
		if err == nil {
			t.Cleanup(func() { c.Close() })
		}
		return err
	}); err != nil {
		t.Fatalf("udp sink: %v", err)
	}
}

// waitFor polls cond until it holds; packets cross CPUs (cpumap) and
// qdiscs asynchronously. Not a timing assertion: only the test deadline
// bounds it.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, what, cond)
}

func TestShapingThroughHTB(t *testing.T) {
	requireRoot(t)
	variants := []struct {
		name     string
		xdp      XDPMode
		tc       TCMode
		redirect bool
		wantMeta bool // metadata must reach TC (native XDP); generic may or may not
		bridged  bool // Linux bridge between the ports instead of routing
	}{
		{"native xdp, cpumap, tcx", XDPDriver, TCX, true, true, false},
		{"native xdp, no cpumap, clsact", XDPDriver, TCLegacy, false, true, false},
		{"generic xdp, cpumap, tcx", XDPGeneric, TCX, true, false, false},
		{"generic xdp, no cpumap, tcx", XDPGeneric, TCX, false, false, false},
		{"bridge, native xdp, cpumap, tcx", XDPDriver, TCX, true, true, true},
		{"bridge, generic xdp, no cpumap, clsact", XDPGeneric, TCLegacy, false, false, true},
		{"bridge, native xdp, no cpumap, tcx", XDPDriver, TCX, false, true, true},
		{"bridge, generic xdp, cpumap, tcx", XDPGeneric, TCX, true, false, true},
	}
	for _, mode := range classifyModes(t) {
		for _, v := range variants {
			t.Run(mode.Describe()+"/"+v.name, func(t *testing.T) {
				testShapingThroughHTB(t, mode, v.xdp, v.tc, v.redirect, v.wantMeta, v.bridged, nil)
			})
		}
	}
	// A kernel without CPUMAP: the programs load with the redirect pruned
	// and packets stay on the receiving CPU.
	noCPUMap := ProbeFeatures()
	noCPUMap.Have[FeatureCPUMap] = false
	noCPUMap.Missing[FeatureCPUMap] = "simulated"
	t.Run("no cpumap on this kernel", func(t *testing.T) {
		testShapingThroughHTB(t, ClassifyTCLookup, XDPDriver, TCAuto, true, false, true, &noCPUMap)
	})
}

// testShapingThroughHTB sends mapped and unmapped traffic through a shaper
// namespace and checks classes, counters and the path TC took. wantMeta:
// native XDP in metadata mode must hand the class over.
func testShapingThroughHTB(t *testing.T, mode Classification, xdp XDPMode, tcm TCMode, redirect, wantMeta, bridged bool, fs *Features) {
	v := struct {
		xdp      XDPMode
		tc       TCMode
		redirect bool
		wantMeta bool
		bridged  bool
	}{xdp, tcm, redirect, wantMeta && mode == ClassifyMetadata, bridged}
	tp := buildTopo(t, v.bridged)
	d, _ := openTest(t, Options{CPURedirect: v.redirect, Classify: mode, Features: fs})
	if fs != nil && !fs.Has(FeatureCPUMap) {
		v.redirect = false
		if !slices.ContainsFunc(d.Status().Degraded, func(dg Degradation) bool { return dg.Feature == FeatureCPUMap }) {
			t.Errorf("status does not report the missing CPU map: %+v", d.Status().Degraded)
		}
	}
	if err := inNS(tp.shp, func() error {
		return d.Attach(
			Interface{Name: "lqtdpwan", Role: RoleInternet, XDP: v.xdp, TC: v.tc},
			Interface{Name: "lqtdplan", Role: RoleISP, XDP: v.xdp, TC: v.tc},
		)
	}); err != nil {
		if errors.Is(err, ebpf.ErrNotSupported) && v.tc == TCX {
			// Kernels before 6.6 have no TCX: the clsact variants
			// cover the classifier there.
			kerneltest.Feature(t, string(FeatureTCX), false, err.Error())
			return
		}
		t.Fatalf("attach: %v", err)
	}
	cpu := d.ncpu - 1
	down, up := tchandle.Make(2, 3), tchandle.Make(3, 3)
	if err := d.Add(mustPrefix(custMapped+"/32"), Mapping{CPU: cpu, ClassID: down, UploadClassID: up, CircuitHash: 77}); err != nil {
		t.Fatal(err)
	}

	const n, payload = 50, 100
	frameLen := uint64(14 + 20 + 8 + payload)

	// Download to the mapped host lands in 2:3 on the LAN port.
	sendUDP(t, tp.inet, "", custMapped, n, payload)
	waitFor(t, "download in 2:3", func() bool { return classCounts(t, tp.hShp, tp.lan)[down][0] >= n })
	lan := classCounts(t, tp.hShp, tp.lan)
	if got := lan[down]; got != [2]uint64{n, n * frameLen} {
		t.Errorf("class 2:3 packets/bytes = %v, want [%d %d]", got, n, n*frameLen)
	}

	// Upload from the mapped host lands in 3:3 on the WAN port.
	sendUDP(t, tp.cust, custMapped, tp.inetIP, n, payload)
	waitFor(t, "upload in 3:3", func() bool { return classCounts(t, tp.hShp, tp.wan)[up][0] >= n })
	if got := classCounts(t, tp.hShp, tp.wan)[up]; got != [2]uint64{n, n * frameLen} {
		t.Errorf("wan class 3:3 packets/bytes = %v, want [%d %d]", got, n, n*frameLen)
	}

	// Host counters match what was sent.
	hosts, err := d.HostCounters()
	if err != nil {
		t.Fatal(err)
	}
	var h HostCounters
	for _, x := range hosts {
		if x.Addr == netip.MustParseAddr(custMapped) {
			h = x
		}
	}
	if h.Packets != [2]uint64{n, n} || h.Bytes != [2]uint64{n * frameLen, n * frameLen} {
		t.Errorf("host counters %s: packets %v bytes %v, want [%d %d] and [%d %d]", custMapped, h.Packets, h.Bytes, n, n, n*frameLen, n*frameLen)
	}
	if h.CircuitHash != 77 {
		t.Errorf("circuit hash %d, want 77", h.CircuitHash)
	}

	// Unmapped traffic goes to the default classes, never 2:3.
	before := defaultClassPackets(classCounts(t, tp.hShp, tp.lan))
	sendUDP(t, tp.inet, "", custOther, n, payload)
	waitFor(t, "unmapped in N:2", func() bool { return defaultClassPackets(classCounts(t, tp.hShp, tp.lan)) >= before+n })
	if got := classCounts(t, tp.hShp, tp.lan)[down][0]; got != n {
		t.Errorf("unmapped traffic reached 2:3: %d packets, want still %d", got, n)
	}

	// Deleting the mapping takes effect for the very next packet.
	if err := d.Delete(mustPrefix(custMapped + "/32")); err != nil {
		t.Fatal(err)
	}
	before = defaultClassPackets(classCounts(t, tp.hShp, tp.lan))
	sendUDP(t, tp.inet, "", custMapped, n, payload)
	waitFor(t, "deleted host in N:2", func() bool { return defaultClassPackets(classCounts(t, tp.hShp, tp.lan)) >= before+n })
	if got := classCounts(t, tp.hShp, tp.lan)[down][0]; got != n {
		t.Errorf("after delete, 2:3 has %d packets, want still %d", got, n)
	}

	st, err := d.Stats()
	if err != nil {
		t.Fatal(err)
	}
	// 2n mapped packets met a TC classifier (n down, n up): each was
	// classified from metadata or by the TC-side lookup.
	if st.TCMeta+st.TCFallbackMapped != 2*n {
		t.Errorf("TC classified %d+%d mapped packets (meta+fallback), want %d: %+v", st.TCMeta, st.TCFallbackMapped, 2*n, st)
	}
	if v.wantMeta && st.TCMeta == 0 {
		t.Errorf("native XDP: TC never saw metadata: %+v", st)
	}
	if mode == ClassifyTCLookup && (st.TCMeta != 0 || st.TCFallbackMapped != 2*n) {
		t.Errorf("TC-lookup mode: TC saw metadata %d times and looked up %d mapped packets, want 0 and %d: %+v", st.TCMeta, st.TCFallbackMapped, 2*n, st)
	}
	if v.redirect && st.XDPRedirect == 0 {
		t.Errorf("cpumap on but nothing redirected: %+v", st)
	}
	if !v.redirect && st.XDPRedirect != 0 {
		t.Errorf("cpumap off but %d redirects", st.XDPRedirect)
	}
}

func TestAttachAutoAndClose(t *testing.T) {
	requireRoot(t)
	ns := newNS(t)
	h := nlHandle(t, ns)
	if err := h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "lqtdpa0"}, PeerName: "lqtdpa1"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"lqtdpa0", "lqtdpa1"} {
		l, _ := h.LinkByName(n)
		if err := h.LinkSetUp(l); err != nil {
			t.Fatal(err)
		}
	}
	d, pin := openTest(t, Options{})
	err := inNS(ns, func() error {
		return d.Attach(Interface{Name: "lqtdpa0", Role: RoleStick, InternetVLAN: 10, ISPVLAN: 20})
	})
	if err != nil {
		t.Fatal(err)
	}
	got := d.Attached()
	// TCAuto takes TCX where the kernel has it (6.6+), clsact elsewhere.
	wantTC := "clsact"
	if fs := ProbeFeatures(); kerneltest.Feature(t, string(FeatureTCX), fs.Has(FeatureTCX), fs.Missing[FeatureTCX]) {
		wantTC = "tcx"
	}
	want := []AttachInfo{{Name: "lqtdpa0", Role: RoleStick, XDP: "driver", TC: wantTC}}
	if len(got) != 1 || got[0].Name != want[0].Name || got[0].Role != want[0].Role || got[0].XDP != want[0].XDP || got[0].TC != want[0].TC || len(got[0].Adopted) != 0 {
		t.Errorf("Attached() = %+v, want %+v", got, want)
	}
	xdpAttached := func() bool {
		l, err := h.LinkByName("lqtdpa0")
		if err != nil {
			t.Fatal(err)
		}
		return l.Attrs().Xdp != nil && l.Attrs().Xdp.Attached
	}
	if !xdpAttached() {
		t.Error("no XDP program on lqtdpa0 after Attach")
	}

	// A second attach to the same interface must fail cleanly.
	err = inNS(ns, func() error { return d.Attach(Interface{Name: "lqtdpa0", Role: RoleISP}) })
	if err == nil {
		t.Error("second Attach to the same interface succeeded")
	}
	if err := inNS(ns, func() error { return d.Attach(Interface{Name: "lqtdpnope", Role: RoleISP}) }); err == nil || !strings.Contains(err.Error(), "lqtdpnope") {
		t.Errorf("attach to a missing interface: %v", err)
	}

	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if xdpAttached() {
		t.Error("XDP program still attached after Close")
	}
	if _, err := os.Stat(filepath.Join(pin, mapLPM)); err != nil {
		t.Errorf("pinned trie gone after Close: %v", err)
	}
}

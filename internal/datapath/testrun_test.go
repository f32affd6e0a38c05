//go:build linux

package datapath

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

const (
	xdpAborted  = 0
	xdpPass     = 2
	xdpRedirect = 4

	classDown4 = 0x00020003
	classUp4   = 0x00010003
	classDown6 = 0x00030004
	classUp6   = 0x00010004
)

func testMappings(t testing.TB, d *Datapath, cpu uint32) {
	t.Helper()
	err := d.BatchUpdate([]Entry{
		{Prefix: mustPrefix("10.1.0.0/16"), Mapping: Mapping{CPU: cpu, ClassID: classDown4, UploadClassID: classUp4, CircuitHash: 11, DeviceHash: 12}},
		{Prefix: mustPrefix("2001:db8:1::/48"), Mapping: Mapping{CPU: cpu, ClassID: classDown6, UploadClassID: classUp6, CircuitHash: 21, DeviceHash: 22}},
	})
	if err != nil {
		t.Fatalf("BatchUpdate: %v", err)
	}
}

// runXDP runs the program once and returns the verdict and the class found
// in the metadata XDP prepended (0 if none).
func runXDP(t testing.TB, prog *ebpf.Program, pkt []byte) (uint32, uint32) {
	t.Helper()
	out := make([]byte, len(pkt)+256)
	opts := ebpf.RunOptions{Data: pkt, DataOut: out}
	ret, err := prog.Run(&opts)
	if err != nil {
		t.Fatalf("prog.Run: %v", err)
	}
	out = opts.DataOut
	// The kernel returns metadata + frame: anything beyond the frame is ours.
	if extra := len(out) - len(pkt); extra >= 8 {
		if c, ok := decodeMeta(out[:8]); ok {
			return ret, c
		}
		t.Fatalf("%d bytes of metadata without our magic: % x", extra, out[:extra])
	}
	return ret, 0
}

func udp4(src, dst string) *frame { return eth().ipv4(src, dst, 17).udp(1234, 53, 18) }

// Every frame is classified on both paths where the kernel has them: XDP
// handing the class over in metadata, and TC looking it up (TC-lookup mode).
func TestXDPClassifiesEncapsulations(t *testing.T) {
	for _, mode := range classifyModes(t) {
		t.Run(mode.Describe(), func(t *testing.T) { testEncapsulations(t, mode) })
	}
}

func testEncapsulations(t *testing.T, mode Classification) {
	d, _ := openTest(t, Options{Classify: mode})
	testMappings(t, d, 0)

	roles := map[string]Interface{
		"internet": {Name: "t", Role: RoleInternet},
		"isp":      {Name: "t", Role: RoleISP},
		"stick":    {Name: "t", Role: RoleStick, InternetVLAN: 100, ISPVLAN: 200},
	}
	progs := map[string]*classifier{}
	for name, ifc := range roles {
		progs[name] = newClassifier(t, d, ifc)
	}

	const in4, out4 = "10.1.2.3", "192.0.2.9"
	const in6, out6 = "2001:db8:1::5", "2001:db8:ffff::1"
	tests := []struct {
		name      string
		role      string
		frame     []byte
		wantClass uint32
	}{
		{"ipv4 download", "internet", udp4(out4, in4).bytes(), classDown4},
		{"ipv4 upload on isp side uses source", "isp", udp4(in4, out4).bytes(), classUp4},
		{"ipv4 internet side ignores source", "internet", udp4(in4, out4).bytes(), 0},
		{"unmapped", "internet", udp4(out4, "10.2.0.1").bytes(), 0},
		{"802.1Q", "internet", eth().vlan(0x8100, 7).ipv4(out4, in4, 17).udp(1, 2, 10).bytes(), classDown4},
		{"QinQ", "internet", eth().vlan(0x88a8, 30).vlan(0x8100, 7).ipv4(out4, in4, 17).udp(1, 2, 10).bytes(), classDown4},
		{"PPPoE ipv4", "internet", eth().pppoe(0).ipv4(out4, in4, 17).udp(1, 2, 10).bytes(), classDown4},
		{"PPPoE ipv6", "isp", eth().pppoe(0).ipv6(in6, out6, 17).udp(1, 2, 10).bytes(), classUp6},
		{"PPPoE LCP is passed", "internet", eth().pppoe(0xc021).raw(0, make([]byte, 30)).bytes(), 0},
		{"QinQ+PPPoE", "internet", eth().vlan(0x88a8, 30).vlan(0x8100, 7).pppoe(0).ipv4(out4, in4, 6).tcp(tcpSeg{sport: 80, dport: 5555, flags: 0x10}).bytes(), classDown4},
		{"MPLS ipv4", "internet", eth().mpls(16, 17).ipv4(out4, in4, 17).udp(1, 2, 10).bytes(), classDown4},
		{"MPLS ipv6", "internet", eth().mpls(16).ipv6(out6, in6, 17).udp(1, 2, 10).bytes(), classDown6},
		{"ipv6 download", "internet", eth().ipv6(out6, in6, 6).tcp(tcpSeg{sport: 443, dport: 40000, flags: 0x18, payload: 100}).bytes(), classDown6},
		{"ipv6 upload", "isp", eth().ipv6(in6, out6, 58).raw(0, []byte{128, 0, 0, 0}).bytes(), classUp6},
		{"ipv6 unmapped", "internet", eth().ipv6(out6, "2001:db8:2::1", 17).udp(1, 2, 10).bytes(), 0},
		{"ARP is passed", "internet", eth().raw(0x0806, make([]byte, 28)).bytes(), 0},
		{"802.3 length frame (STP) is passed", "internet", eth().raw(0x0026, make([]byte, 38)).bytes(), 0},
		{"truncated ipv4", "internet", eth().raw(0x0800, []byte{0x45, 0, 0, 20}).b, 0},
		{"stick: internet VLAN is download", "stick", eth().vlan(0x8100, 100).ipv4(out4, in4, 17).udp(1, 2, 10).bytes(), classDown4},
		{"stick: PCP bits do not matter", "stick", eth().vlan(0x8100, 0xe000|100).ipv4(out4, in4, 17).udp(1, 2, 10).bytes(), classDown4},
		{"stick: isp VLAN is upload", "stick", eth().vlan(0x8100, 200).ipv4(in4, out4, 17).udp(1, 2, 10).bytes(), classUp4},
		{"stick: QinQ inner tag decides", "stick", eth().vlan(0x88a8, 100).vlan(0x8100, 200).ipv4(in4, out4, 17).udp(1, 2, 10).bytes(), classUp4},
		{"stick: other VLAN untouched", "stick", eth().vlan(0x8100, 300).ipv4(out4, in4, 17).udp(1, 2, 10).bytes(), 0},
		{"stick: untagged untouched", "stick", udp4(out4, in4).bytes(), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, err := d.Stats()
			if err != nil {
				t.Fatal(err)
			}
			ret, class := progs[tc.role].class(t, tc.frame)
			if ret != xdpPass {
				t.Errorf("verdict %d, want XDP_PASS (%d) with redirect off", ret, xdpPass)
			}
			if class != tc.wantClass {
				t.Errorf("class %s, want %s", tchandle.Handle(class), tchandle.Handle(tc.wantClass))
			}
			// XDP finds the subscriber in both modes (it counts and steers).
			after, err := d.Stats()
			if err != nil {
				t.Fatal(err)
			}
			if mapped := after.XDPMapped - before.XDPMapped; mapped != b2u64(tc.wantClass != 0) {
				t.Errorf("XDP counted %d mapped packets, want %d", mapped, b2u64(tc.wantClass != 0))
			}
		})
	}
}

func TestXDPRedirectsMappedToCPU(t *testing.T) {
	d, _ := openTest(t, Options{CPURedirect: true})
	testMappings(t, d, d.ncpu-1)
	p, err := d.loadPrograms(Interface{Name: "t", Role: RoleInternet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	tests := []struct {
		name  string
		frame []byte
		want  uint32
	}{
		{"mapped is redirected", udp4("192.0.2.1", "10.1.9.9").bytes(), xdpRedirect},
		{"unmapped is passed", udp4("192.0.2.1", "10.9.9.9").bytes(), xdpPass},
	}
	for _, tc := range tests {
		if ret, _ := runXDP(t, p.LqosXdp, tc.frame); ret != tc.want {
			t.Errorf("%s: verdict %d, want %d", tc.name, ret, tc.want)
		}
	}
}

// TC test-run frames carry no XDP metadata, so this exercises the TC-side
// lookup (the generic-XDP path). skb->priority comes back in the context.
func TestTCFallbackSetsPriority(t *testing.T) {
	d, _ := openTest(t, Options{})
	testMappings(t, d, 0)
	load := func(ifc Interface) *ebpf.Program {
		p, err := d.loadPrograms(ifc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		return p.LqosTcEgress
	}
	isp := load(Interface{Name: "t", Role: RoleISP})       // egress = download
	inet := load(Interface{Name: "t", Role: RoleInternet}) // egress = upload
	stick := load(Interface{Name: "t", Role: RoleStick, InternetVLAN: 100, ISPVLAN: 200})

	tests := []struct {
		name  string
		prog  *ebpf.Program
		frame []byte
		want  uint32
	}{
		{"download to mapped v4", isp, udp4("192.0.2.1", "10.1.2.3").bytes(), classDown4},
		{"upload from mapped v4", inet, udp4("10.1.2.3", "192.0.2.1").bytes(), classUp4},
		{"download to mapped v6", isp, eth().ipv6("2001:db8:9::1", "2001:db8:1::1", 17).udp(1, 2, 3).bytes(), classDown6},
		{"unmapped keeps priority", isp, udp4("192.0.2.1", "10.7.0.1").bytes(), 0},
		{"non-IP keeps priority", isp, eth().raw(0x0806, make([]byte, 46)).bytes(), 0},
		{"stick: leaving on internet VLAN is upload", stick, eth().vlan(0x8100, 100).ipv4("10.1.2.3", "192.0.2.1", 17).udp(1, 2, 3).bytes(), classUp4},
		{"stick: leaving on isp VLAN is download", stick, eth().vlan(0x8100, 200).ipv4("192.0.2.1", "10.1.2.3", 17).udp(1, 2, 3).bytes(), classDown4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctxIn := make([]byte, skbCtxSize)
			ctxOut := make([]byte, skbCtxSize)
			opts := ebpf.RunOptions{Data: tc.frame, Context: ctxIn, ContextOut: ctxOut}
			ret, err := tc.prog.Run(&opts)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if ret != 0 {
				t.Errorf("verdict %d, want TC_ACT_OK", ret)
			}
			if got := binary.LittleEndian.Uint32(ctxOut[skbPriorityOff:]); got != tc.want {
				t.Errorf("priority %s, want %s", tchandle.Handle(got), tchandle.Handle(tc.want))
			}
		})
	}
}

// Offsets in struct __sk_buff (uapi, stable).
const (
	skbCtxSize     = 192
	skbPriorityOff = 32
)

func TestDeleteTakesEffectAtOnce(t *testing.T) {
	for _, mode := range classifyModes(t) {
		t.Run(mode.Describe(), func(t *testing.T) { testDeleteTakesEffectAtOnce(t, mode) })
	}
}

func testDeleteTakesEffectAtOnce(t *testing.T, mode Classification) {
	d, _ := openTest(t, Options{Classify: mode})
	testMappings(t, d, 0)
	p := newClassifier(t, d, Interface{Name: "t", Role: RoleInternet})
	pkt := udp4("192.0.2.1", "10.1.2.3").bytes()
	steps := []struct {
		do   func() error
		want uint32
	}{
		{func() error { return nil }, classDown4}, // fills the hot cache
		{func() error { return nil }, classDown4}, // served from the cache
		{func() error { return d.Delete(mustPrefix("10.1.0.0/16")) }, 0},
		{func() error {
			return d.Add(mustPrefix("10.1.2.0/24"), Mapping{ClassID: 0x00040005, UploadClassID: 0x00010005})
		}, 0x00040005},
		{func() error {
			return d.Add(mustPrefix("10.1.2.3/32"), Mapping{ClassID: 0x00040006, UploadClassID: 0x00010006})
		}, 0x00040006},
		{func() error {
			return d.BatchDelete([]netip.Prefix{mustPrefix("192.0.2.0/24"), mustPrefix("10.1.2.3/32"), mustPrefix("10.9.0.0/16")})
		}, 0x00040005}, // missing prefixes are skipped, the /32 is gone
		{d.Clear, 0},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if _, c := p.class(t, pkt); c != s.want {
			t.Errorf("step %d: class %s, want %s", i, tchandle.Handle(c), tchandle.Handle(s.want))
		}
	}
}

func TestHostCountersFromTestRun(t *testing.T) {
	d, _ := openTest(t, Options{})
	testMappings(t, d, 0)
	inet, err := d.loadPrograms(Interface{Name: "t", Role: RoleInternet})
	if err != nil {
		t.Fatal(err)
	}
	defer inet.Close()
	isp, err := d.loadPrograms(Interface{Name: "t", Role: RoleISP})
	if err != nil {
		t.Fatal(err)
	}
	defer isp.Close()

	down := udp4("192.0.2.1", "10.1.2.3").bytes()
	up := eth().ipv4("10.1.2.3", "192.0.2.1", 17).udp(5, 6, 500).bytes()
	for range 3 {
		runXDP(t, inet.LqosXdp, down)
	}
	runXDP(t, isp.LqosXdp, up)
	runXDP(t, inet.LqosXdp, udp4("192.0.2.1", "10.200.0.1").bytes()) // unmapped host is counted too

	hosts, err := d.HostCounters()
	if err != nil {
		t.Fatal(err)
	}
	got := map[netip.Addr]HostCounters{}
	for _, h := range hosts {
		got[h.Addr] = h
	}
	h, ok := got[netip.MustParseAddr("10.1.2.3")]
	if !ok {
		t.Fatalf("no counters for 10.1.2.3 in %v", hosts)
	}
	wantBytes := [2]uint64{3 * uint64(len(down)), uint64(len(up))}
	if h.Bytes != wantBytes || h.Packets != [2]uint64{3, 1} {
		t.Errorf("10.1.2.3: bytes %v packets %v, want %v [3 1]", h.Bytes, h.Packets, wantBytes)
	}
	if h.CircuitHash != 11 {
		t.Errorf("circuit hash %d, want 11", h.CircuitHash)
	}
	if h.LastSeen.IsZero() {
		t.Error("last seen not set")
	}
	if u, ok := got[netip.MustParseAddr("10.200.0.1")]; !ok || u.Packets[Download] != 1 {
		t.Errorf("unmapped host counters = %+v (present %v), want 1 download packet", u, ok)
	}
	if len(got) != 2 {
		t.Errorf("%d hosts counted, want 2 (remote addresses must not be counted): %v", len(got), hosts)
	}
}

func TestFlowsRTTAndRetransmits(t *testing.T) {
	d, _ := openTest(t, Options{})
	testMappings(t, d, 0)
	inet, err := d.loadPrograms(Interface{Name: "t", Role: RoleInternet}) // sees download
	if err != nil {
		t.Fatal(err)
	}
	defer inet.Close()
	isp, err := d.loadPrograms(Interface{Name: "t", Role: RoleISP}) // sees upload
	if err != nil {
		t.Fatal(err)
	}
	defer isp.Close()

	const sub, srv = "10.1.2.3", "192.0.2.1"
	up := func(s tcpSeg) []byte {
		s.sport, s.dport = 40000, 443
		return eth().ipv4(sub, srv, 6).tcp(s).bytes()
	}
	down := func(s tcpSeg) []byte {
		s.sport, s.dport = 443, 40000
		return eth().ipv4(srv, sub, 6).tcp(s).bytes()
	}
	const syn, ack, psh, rst = 0x02, 0x10, 0x08, 0x04
	steps := []struct {
		prog  *ebpf.Program
		frame []byte
	}{
		{isp.LqosXdp, up(tcpSeg{seq: 100, flags: syn, tsval: 1000})},
		{inet.LqosXdp, down(tcpSeg{seq: 7000, ack: 101, flags: syn | ack, tsval: 5000, tsecr: 1000})}, // upload RTT sample
		{isp.LqosXdp, up(tcpSeg{seq: 101, ack: 7001, flags: ack, tsval: 1001, tsecr: 5000})},          // download RTT sample
		{inet.LqosXdp, down(tcpSeg{seq: 7001, ack: 101, flags: psh | ack, tsval: 5001, tsecr: 1001, payload: 100})},
		{inet.LqosXdp, down(tcpSeg{seq: 7101, ack: 101, flags: psh | ack, tsval: 5002, tsecr: 1001, payload: 100})},
		{inet.LqosXdp, down(tcpSeg{seq: 7001, ack: 101, flags: psh | ack, tsval: 5003, tsecr: 1001, payload: 100})}, // retransmit
		{isp.LqosXdp, up(tcpSeg{seq: 101, flags: rst})},
		// Mid-flow TCP for an unmapped subscriber must not create a flow...
		{inet.LqosXdp, eth().ipv4(srv, "10.9.9.9", 6).tcp(tcpSeg{sport: 80, dport: 1234, flags: ack, payload: 10}).bytes()},
		// ...but UDP always does.
		{inet.LqosXdp, eth().ipv4(srv, "10.9.9.9", 17).udp(53, 5353, 20).bytes()},
	}
	var wantBytes [2]uint64
	for i, s := range steps {
		if i < 7 {
			dir := Upload
			if s.prog == inet.LqosXdp {
				dir = Download
			}
			wantBytes[dir] += uint64(len(s.frame))
		}
		runXDP(t, s.prog, s.frame)
		time.Sleep(time.Millisecond) // RTT samples are > 0 only if time passes
	}

	flows, err := d.Flows()
	if err != nil {
		t.Fatal(err)
	}
	if len(flows) != 2 {
		t.Fatalf("%d flows, want 2 (one TCP, one UDP): %+v", len(flows), flows)
	}
	var tcp, udp Flow
	for _, f := range flows {
		if f.Key.Proto == 6 {
			tcp = f
		} else {
			udp = f
		}
	}
	wantKey := FlowKey{Remote: netip.MustParseAddr(srv), Local: netip.MustParseAddr(sub), RemotePort: 443, LocalPort: 40000, Proto: 6}
	if tcp.Key != wantKey {
		t.Errorf("tcp key %+v, want %+v", tcp.Key, wantKey)
	}
	if tcp.Packets != [2]uint64{4, 3} || tcp.Bytes != wantBytes {
		t.Errorf("tcp packets %v bytes %v, want [4 3] %v", tcp.Packets, tcp.Bytes, wantBytes)
	}
	if tcp.Retransmits != [2]uint32{1, 0} {
		t.Errorf("retransmits %v, want [1 0]", tcp.Retransmits)
	}
	for dir, r := range tcp.RTT {
		if r.Count != 1 || r.Last <= 0 || r.Min != r.Last || r.Sum != r.Last {
			t.Errorf("rtt[%d] = %+v, want exactly one positive sample", dir, r)
		}
	}
	if tcp.End != FlowRST {
		t.Errorf("end status %d, want RST", tcp.End)
	}
	if tcp.ClassID != classDown4 {
		t.Errorf("flow class %s, want %s", tchandle.Handle(tcp.ClassID), tchandle.Handle(classDown4))
	}
	if tcp.Start.IsZero() || tcp.LastSeen.Before(tcp.Start) {
		t.Errorf("start %v last seen %v", tcp.Start, tcp.LastSeen)
	}
	if udp.Key.Local != netip.MustParseAddr("10.9.9.9") || udp.Key.LocalPort != 5353 || udp.ClassID != 0 {
		t.Errorf("udp flow %+v", udp)
	}

	if n, err := d.ExpireFlows(time.Hour); err != nil || n != 0 {
		t.Errorf("ExpireFlows(1h) = %d, %v; want 0 expired", n, err)
	}
	time.Sleep(20 * time.Millisecond) // coarse clock ticks at most every 4 ms at HZ=250
	if n, err := d.ExpireFlows(time.Millisecond); err != nil || n != 2 {
		t.Errorf("ExpireFlows(1ms) = %d, %v; want 2", n, err)
	}
	if left, _ := d.Flows(); len(left) != 0 {
		t.Errorf("%d flows left after expiry", len(left))
	}
}

func TestPinnedMapsSurviveReopen(t *testing.T) {
	requireRoot(t)
	pin := filepath.Join(privateBPFFS(t), "lqos")
	open := func() *Datapath {
		d, err := Open(Options{PinDir: pin, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d := open()
	want := Entry{Prefix: mustPrefix("10.1.0.0/16"), Mapping: Mapping{CPU: 0, ClassID: classDown4, UploadClassID: classUp4, CircuitHash: 1, DeviceHash: 2}}
	if err := d.Add(want.Prefix, want.Mapping); err != nil {
		t.Fatal(err)
	}
	d.Close()

	d = open()
	got, err := d.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0] != want {
		t.Errorf("after reopen: %+v, want [%+v]", got, want)
	}
	if m, ok, err := d.Resolve(netip.MustParseAddr("10.1.200.7")); err != nil || !ok || m != want.Mapping {
		t.Errorf("Resolve(10.1.200.7) = %+v %v %v", m, ok, err)
	}
	if _, ok, err := d.Resolve(netip.MustParseAddr("10.2.0.1")); ok || err != nil {
		t.Errorf("Resolve of an unmapped address: found %v, err %v", ok, err)
	}
	d.Close()

	// A pin with another layout (an older build) is replaced, not reused.
	os.Remove(filepath.Join(pin, mapLPM))
	old, err := ebpf.NewMap(&ebpf.MapSpec{Name: mapLPM, Type: ebpf.LPMTrie, KeySize: 20, ValueSize: 24, MaxEntries: 10, Flags: unix.BPF_F_NO_PREALLOC})
	if err != nil {
		t.Fatal(err)
	}
	if err := old.Pin(filepath.Join(pin, mapLPM)); err != nil {
		t.Fatal(err)
	}
	old.Close()
	d = open()
	defer d.Close()
	if err := d.Add(want.Prefix, want.Mapping); err != nil {
		t.Errorf("Add after replacing a stale pin: %v", err)
	}
	if err := d.Unpin(); err != nil {
		t.Errorf("Unpin: %v", err)
	}
}

func TestAddRejectsBadInput(t *testing.T) {
	d, _ := openTest(t, Options{})
	tests := []struct {
		name string
		err  error
	}{
		{"no class", d.Add(mustPrefix("10.0.0.0/8"), Mapping{})},
		{"cpu out of range", d.Add(mustPrefix("10.0.0.0/8"), Mapping{CPU: 100000, ClassID: 0x10003})},
		{"invalid prefix", d.Add(netip.Prefix{}, Mapping{ClassID: 0x10003})},
		{"bad batch entry", d.BatchUpdate([]Entry{{Prefix: mustPrefix("10.0.0.0/8"), Mapping: Mapping{ClassID: 0x3}}})},
	}
	for _, tc := range tests {
		if tc.err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if l, _ := d.List(); len(l) != 0 {
		t.Errorf("rejected input left %d entries", len(l))
	}
	if _, err := d.loadPrograms(Interface{Name: "x", Role: RoleStick, InternetVLAN: 5, ISPVLAN: 5}); err == nil {
		t.Error("stick mode with equal VLANs accepted")
	}
	if _, err := d.loadPrograms(Interface{Name: "x", Role: 9}); err == nil {
		t.Error("role 9 accepted")
	}
}

func TestBatchUpdateOverCapacity(t *testing.T) {
	d, _ := openTest(t, Options{MaxMappings: 100})
	err := d.BatchUpdate(benchEntries(150))
	if err == nil || !strings.Contains(err.Error(), "of 150 applied") {
		t.Fatalf("err %v, want a partial-apply error", err)
	}
}

// fillHosts writes n hosts straight into the per-CPU counter map: host i has
// i+1 download bytes on every CPU.
func fillHosts(t testing.TB, d *Datapath, n int) {
	t.Helper()
	ncpu := int(d.ncpu)
	keys := make([]lqosLqosAddr, n)
	vals := make([]lqosLqosHostCounters, n*ncpu)
	for i := range n {
		keys[i] = addrKey(netip.AddrFrom4([4]byte{100, byte(i >> 16), byte(i >> 8), byte(i)}))
		for c := range ncpu {
			vals[i*ncpu+c] = lqosLqosHostCounters{Bytes: [2]uint64{uint64(i + 1), 0}, Packets: [2]uint64{1, 0}, LastSeenNs: 1}
		}
	}
	if _, err := d.maps[mapHosts].BatchUpdate(keys, vals, nil); err != nil {
		t.Fatalf("fill hosts: %v", err)
	}
}

// More hosts than one batch chunk: every host must come back exactly once.
func TestHostCountersManyHosts(t *testing.T) {
	d, _ := openTest(t, Options{})
	const n = 3*batchChunk + 17
	fillHosts(t, d, n)
	hosts, err := d.HostCounters()
	if err != nil {
		t.Fatal(err)
	}
	if len(hosts) != n {
		t.Fatalf("%d hosts read, want %d", len(hosts), n)
	}
	seen := map[netip.Addr]bool{}
	for _, h := range hosts {
		a := h.Addr.As4()
		i := int(a[1])<<16 | int(a[2])<<8 | int(a[3])
		if seen[h.Addr] || h.Bytes[Download] != uint64(i+1)*uint64(d.ncpu) || h.Packets[Download] != uint64(d.ncpu) {
			t.Fatalf("host %s: dup %v bytes %v packets %v", h.Addr, seen[h.Addr], h.Bytes, h.Packets)
		}
		seen[h.Addr] = true
	}
	if n, err := d.ExpireHosts(time.Millisecond); err != nil || n != len(hosts) {
		t.Errorf("ExpireHosts = %d, %v; want all %d (last seen at boot)", n, err, len(hosts))
	}
}

func TestMethodsAfterCloseFail(t *testing.T) {
	d, _ := openTest(t, Options{})
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	checks := map[string]error{
		"Add":         d.Add(mustPrefix("10.0.0.0/8"), Mapping{ClassID: 0x10003}),
		"Delete":      d.Delete(mustPrefix("10.0.0.0/8")),
		"Clear":       d.Clear(),
		"BatchUpdate": d.BatchUpdate([]Entry{{Prefix: mustPrefix("10.0.0.0/8"), Mapping: Mapping{ClassID: 0x10003}}}),
		"Invalidate":  d.Invalidate(),
		"Attach":      d.Attach(Interface{Name: "lo", Role: RoleISP}),
	}
	_, checks["List"] = d.List()
	_, checks["HostCounters"] = d.HostCounters()
	_, checks["Flows"] = d.Flows()
	_, checks["Stats"] = d.Stats()
	_, _, checks["Resolve"] = d.Resolve(netip.MustParseAddr("10.0.0.1"))
	for name, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: %v, want ErrClosed", name, err)
		}
	}
	if d.Capacity() != 0 {
		t.Error("Capacity after Close not 0")
	}
}

// FuzzXDPVerdict feeds arbitrary frames (plain `go test` runs the seeds):
// the program must only ever pass or redirect, never drop or abort, and
// metadata, when written, must carry a mapped class.
func FuzzXDPVerdict(f *testing.F) {
	seeds := [][]byte{
		udp4("192.0.2.1", "10.1.2.3").bytes(),
		eth().vlan(0x88a8, 1).vlan(0x8100, 2).pppoe(0).ipv6("2001:db8::1", "2001:db8:1::1", 6).tcp(tcpSeg{flags: 2, tsval: 1}).bytes(),
		eth().mpls(1, 2, 3, 4, 5, 6, 7, 8, 9).ipv4("192.0.2.1", "10.1.2.3", 17).udp(1, 2, 3).bytes(),
		eth().vlan(0x8100, 1).vlan(0x8100, 1).vlan(0x8100, 1).vlan(0x8100, 1).vlan(0x8100, 1).vlan(0x8100, 1).vlan(0x8100, 1).vlan(0x8100, 1).vlan(0x8100, 1).ipv4("192.0.2.1", "10.1.2.3", 17).udp(1, 2, 3).bytes(),
		{},
		make([]byte, 14),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	d, _ := openTest(f, Options{})
	testMappings(f, d, 0)
	p, err := d.loadPrograms(Interface{Name: "fuzz", Role: RoleInternet})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { p.Close() })
	f.Fuzz(func(t *testing.T, frame []byte) {
		if len(frame) < 14 || len(frame) > 1500 {
			return // test_run rejects frames shorter than an Ethernet header
		}
		ret, class := runXDP(t, p.LqosXdp, frame)
		if ret != xdpPass {
			t.Fatalf("verdict %d for % x", ret, frame)
		}
		if class != 0 && class != classDown4 && class != classDown6 {
			t.Fatalf("metadata class %#x for % x", class, frame)
		}
	})
}

func TestIPv6ExtensionHeadersReachL4(t *testing.T) {
	for _, mode := range classifyModes(t) {
		t.Run(mode.Describe(), func(t *testing.T) { testIPv6ExtensionHeaders(t, mode) })
	}
}

func testIPv6ExtensionHeaders(t *testing.T, mode Classification) {
	d, _ := openTest(t, Options{Classify: mode})
	testMappings(t, d, 0)
	p := newClassifier(t, d, Interface{Name: "t", Role: RoleInternet})
	const remote, local = "2001:db8:ffff::1", "2001:db8:1::5"
	frames := []struct {
		name  string
		frame []byte
	}{
		{"hop-by-hop + dest options + TCP SYN", eth().ipv6(remote, local, 0).ext6(0, 60, 0).ext6(60, 6, 0).tcp(tcpSeg{sport: 443, dport: 1111, flags: 0x02}).bytes()},
		{"first fragment + UDP", eth().ipv6(remote, local, 44).ext6(44, 17, 0).udp(53, 2222, 20).bytes()},
		{"later fragment (no L4)", eth().ipv6(remote, local, 44).ext6(44, 17, 100).raw(0, make([]byte, 40)).bytes()},
	}
	for _, f := range frames {
		if _, class := p.class(t, f.frame); class != classDown6 {
			t.Errorf("%s: class %s, want %s (addresses must classify whatever the L4)", f.name, tchandle.Handle(class), tchandle.Handle(classDown6))
		}
	}
	flows, err := d.Flows()
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint16]FlowKey{}
	for _, f := range flows {
		got[f.Key.LocalPort] = f.Key
	}
	if len(flows) != 2 || got[1111].Proto != 6 || got[1111].RemotePort != 443 || got[2222].Proto != 17 || got[2222].RemotePort != 53 {
		t.Errorf("flows %+v, want TCP 443->1111 and UDP 53->2222 only", flows)
	}
}

func b2u64(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

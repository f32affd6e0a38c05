//go:build linux

package datapath

import (
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/cilium/ebpf"
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

func TestXDPClassifiesEncapsulations(t *testing.T) {
	d, _ := openTest(t, Options{})
	testMappings(t, d, 0)

	roles := map[string]Interface{
		"internet": {Name: "t", Role: RoleInternet},
		"isp":      {Name: "t", Role: RoleISP},
		"stick":    {Name: "t", Role: RoleStick, InternetVLAN: 100, ISPVLAN: 200},
	}
	progs := map[string]*ebpf.Program{}
	for name, ifc := range roles {
		p, err := d.loadPrograms(ifc)
		if err != nil {
			t.Fatalf("load %s: %v", name, err)
		}
		t.Cleanup(func() { p.Close() })
		progs[name] = p.LqosXdp
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
			ret, class := runXDP(t, progs[tc.role], tc.frame)
			if ret != xdpPass {
				t.Errorf("verdict %d, want XDP_PASS (%d) with redirect off", ret, xdpPass)
			}
			if class != tc.wantClass {
				t.Errorf("metadata class %s, want %s", FormatClassID(class), FormatClassID(tc.wantClass))
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
				t.Errorf("priority %s, want %s", FormatClassID(got), FormatClassID(tc.want))
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
	d, _ := openTest(t, Options{})
	testMappings(t, d, 0)
	p, err := d.loadPrograms(Interface{Name: "t", Role: RoleInternet})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
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
		{d.Clear, 0},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if _, c := runXDP(t, p.LqosXdp, pkt); c != s.want {
			t.Errorf("step %d: class %s, want %s", i, FormatClassID(c), FormatClassID(s.want))
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

//go:build linux

package datapath

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

func TestEncodePrefix(t *testing.T) {
	v4 := func(a, b, c, d byte) [16]byte {
		return [16]byte{10: 0xff, 11: 0xff, 12: a, 13: b, 14: c, 15: d}
	}
	key := func(bits uint32, addr [16]byte) lqosLqosLpmKey {
		return lqosLqosLpmKey{Prefixlen: bits, Addr: lqosLqosAddr{B: addr}}
	}
	tests := []struct {
		in      string
		want    lqosLqosLpmKey
		back    string // decodeKey result
		wantErr string
	}{
		{in: "10.1.2.3/32", want: key(128, v4(10, 1, 2, 3)), back: "10.1.2.3/32"},
		{in: "10.1.0.0/16", want: key(112, v4(10, 1, 0, 0)), back: "10.1.0.0/16"},
		{in: "10.1.2.3/16", want: key(112, v4(10, 1, 0, 0)), back: "10.1.0.0/16"}, // host bits cleared
		{in: "0.0.0.0/0", want: key(96, v4(0, 0, 0, 0)), back: "0.0.0.0/0"},
		{in: "::ffff:10.1.2.3/128", want: key(128, v4(10, 1, 2, 3)), back: "10.1.2.3/32"},
		{in: "2001:db8::/32", want: key(32, [16]byte{0x20, 0x01, 0x0d, 0xb8}), back: "2001:db8::/32"},
		{in: "::/0", want: key(0, [16]byte{}), back: "::/0"},
		{in: "::ffff:0.0.0.0/80", wantErr: "IPv4-mapped prefix shorter than /96"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			k, err := encodePrefix(netip.MustParsePrefix(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if k != tc.want {
				t.Errorf("key %+v, want %+v", k, tc.want)
			}
			back, err := decodeKey(k)
			if err != nil || back.String() != tc.back {
				t.Errorf("decode = %v, %v; want %s", back, err, tc.back)
			}
		})
	}
	if _, err := encodePrefix(netip.Prefix{}); err == nil {
		t.Error("zero prefix accepted")
	}
	if _, err := decodeKey(lqosLqosLpmKey{Prefixlen: 129}); err == nil {
		t.Error("prefix length 129 decoded")
	}
}

func TestMappingValidate(t *testing.T) {
	tests := []struct {
		name    string
		m       Mapping
		maxCPU  uint32
		wantErr string
	}{
		{"ok", Mapping{CPU: 1, ClassID: 0x10003, UploadClassID: 0x20003}, 2, ""},
		{"download only", Mapping{ClassID: 0x10003}, 0, ""},
		{"nothing to shape", Mapping{}, 0, "both 0"},
		{"zero minor", Mapping{ClassID: 0x10000}, 0, "ClassID 1:0"},
		{"zero major upload", Mapping{ClassID: 0x10003, UploadClassID: 0x3}, 0, "UploadClassID 0:3"},
		{"cpu out of range", Mapping{CPU: 2, ClassID: 0x10003}, 2, "CPU 2 out of range"},
	}
	for _, tc := range tests {
		err := tc.m.Validate(tc.maxCPU)
		if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}

func TestEncodeEntriesNamesBadEntry(t *testing.T) {
	_, _, err := encodeEntries([]Entry{
		{Prefix: netip.MustParsePrefix("10.0.0.0/8"), Mapping: Mapping{ClassID: 0x10003}},
		{Prefix: netip.MustParsePrefix("10.1.0.0/16"), Mapping: Mapping{}},
	}, 0)
	if err == nil || !strings.Contains(err.Error(), "entry 1 (10.1.0.0/16)") {
		t.Fatalf("err %v, want it to name entry 1", err)
	}
}

func TestDecodeMeta(t *testing.T) {
	tests := []struct {
		in     []byte
		want   uint32
		wantOK bool
	}{
		{[]byte{3, 0, 2, 0, 0x53, 0x4f, 0x51, 0x4c}, 0x00020003, true},
		{[]byte{3, 0, 2, 0, 0, 0, 0, 0}, 0, false},
		{[]byte{3, 0, 2}, 0, false},
	}
	for _, tc := range tests {
		got, ok := decodeMeta(tc.in)
		if got != tc.want || ok != tc.wantOK {
			t.Errorf("decodeMeta(% x) = %#x %v, want %#x %v", tc.in, got, ok, tc.want, tc.wantOK)
		}
	}
}

func TestSumHostAndFlowDecode(t *testing.T) {
	base := time.Unix(1000, 0)
	mono := func(ns uint64) time.Time {
		if ns == 0 {
			return time.Time{}
		}
		return base.Add(time.Duration(ns))
	}
	addr := addrKey(netip.MustParseAddr("10.0.0.1"))
	h := sumHost(addr, []lqosLqosHostCounters{
		{Bytes: [2]uint64{100, 10}, Packets: [2]uint64{1, 1}, LastSeenNs: 50, CircuitHash: 1},
		{},
		{Bytes: [2]uint64{200, 0}, Packets: [2]uint64{2, 0}, LastSeenNs: 70, CircuitHash: 2},
	}, mono)
	want := HostCounters{Addr: netip.MustParseAddr("10.0.0.1"), Bytes: [2]uint64{300, 10}, Packets: [2]uint64{3, 1}, LastSeen: base.Add(70), CircuitHash: 2}
	if diff := cmp.Diff(want, h, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("sumHost (-want +got):\n%s", diff)
	}

	rf := lqosLqosFlow{StartNs: 10, LastSeenNs: 20, Bytes: [2]uint64{5, 6}, Packets: [2]uint64{1, 2}, Retransmits: [2]uint32{3, 0},
		Classid: 0x10003, EndStatus: 1, RttLastNs: [2]uint64{2e6, 0}, RttMinNs: [2]uint64{1e6, 0}, RttSumNs: [2]uint64{3e6, 0}, RttCount: [2]uint32{2, 0}}
	k := lqosLqosFlowKey{Remote: addrKey(netip.MustParseAddr("2001:db8::1")), Local: addr, RemotePort: 443, LocalPort: 5000, Proto: 6}
	f := rf.flow(k, mono)
	if f.Key.Remote.String() != "2001:db8::1" || f.Key.Local.String() != "10.0.0.1" || f.End != FlowFIN || f.RTT[0].Mean() != 1500*time.Microsecond || f.RTT[1].Mean() != 0 {
		t.Errorf("flow decode: %+v", f)
	}
	if !f.Start.Equal(base.Add(10)) || !f.LastSeen.Equal(base.Add(20)) {
		t.Errorf("times: %v %v", f.Start, f.LastSeen)
	}
}

func TestMemStore(t *testing.T) {
	s := &MemStore{MaxCPU: 4, Capacity: 3}
	var _ MappingStore = s
	m := func(c uint16) Mapping {
		return Mapping{ClassID: tchandle.Make(1, c), UploadClassID: tchandle.Make(2, c)}
	}
	if err := s.Add(netip.MustParsePrefix("10.0.0.0/8"), m(3)); err != nil {
		t.Fatal(err)
	}
	if err := s.BatchUpdate([]Entry{
		{Prefix: netip.MustParsePrefix("10.1.2.3/24"), Mapping: m(4)}, // stored as 10.1.2.0/24
		{Prefix: netip.MustParsePrefix("2001:db8::/32"), Mapping: m(5)},
	}); err != nil {
		t.Fatal(err)
	}
	var ce *CapacityError
	if err := s.Add(netip.MustParsePrefix("192.0.2.0/24"), m(6)); !errors.As(err, &ce) {
		t.Errorf("4th prefix with capacity 3: err %v, want CapacityError", err)
	}
	if err := s.Add(netip.MustParsePrefix("10.0.0.0/8"), m(7)); err != nil {
		t.Errorf("replacing an existing prefix at capacity: %v", err)
	}
	if err := s.Add(netip.MustParsePrefix("10.9.0.0/16"), Mapping{CPU: 9, ClassID: 0x10003}); err == nil {
		t.Error("CPU 9 accepted with MaxCPU 4")
	}
	lookups := []struct{ addr, want string }{
		{"10.1.2.200", "10.1.2.0/24"},
		{"10.200.0.1", "10.0.0.0/8"},
		{"::ffff:10.1.2.1", "10.1.2.0/24"},
		{"2001:db8::77", "2001:db8::/32"},
		{"192.0.2.1", ""},
	}
	for _, l := range lookups {
		e, ok := s.Lookup(netip.MustParseAddr(l.addr))
		got := ""
		if ok {
			got = e.Prefix.String()
		}
		if got != l.want {
			t.Errorf("Lookup(%s) = %q, want %q", l.addr, got, l.want)
		}
	}
	list, _ := s.List()
	var got []string
	for _, e := range list {
		got = append(got, e.Prefix.String())
	}
	if diff := cmp.Diff([]string{"10.0.0.0/8", "10.1.2.0/24", "2001:db8::/32"}, got); diff != "" {
		t.Errorf("List (-want +got):\n%s", diff)
	}
	if list[0].Mapping != m(7) {
		t.Errorf("10.0.0.0/8 mapping %+v, want replaced value", list[0].Mapping)
	}
	if err := s.Delete(netip.MustParsePrefix("10.1.2.0/24")); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Lookup(netip.MustParseAddr("10.1.2.200")); e.Prefix.String() != "10.0.0.0/8" {
		t.Errorf("after delete, lookup found %v", e.Prefix)
	}
	if err := s.BatchDelete([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("198.51.100.0/24")}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Lookup(netip.MustParseAddr("10.200.0.1")); ok {
		t.Error("10.0.0.0/8 still present after BatchDelete")
	}
	if err := s.BatchDelete([]netip.Prefix{{}}); err == nil {
		t.Error("BatchDelete accepted an invalid prefix")
	}
	if err := s.Clear(); err != nil {
		t.Fatal(err)
	}
	if list, _ := s.List(); len(list) != 0 {
		t.Errorf("%d entries after Clear", len(list))
	}
}

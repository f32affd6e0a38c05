package stats

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/libreqos-go/lqos/internal/datapath"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func hc(addr string, down, up, pdown, pup uint64, circuit uint64) datapath.HostCounters {
	return datapath.HostCounters{Addr: netip.MustParseAddr(addr), Bytes: [2]uint64{down, up}, Packets: [2]uint64{pdown, pup}, CircuitHash: circuit}
}

var addrCmp = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

func names(h uint64) string {
	return map[uint64]string{1: "c1", 2: "c2"}[h]
}

func TestRates(t *testing.T) {
	tests := []struct {
		name    string
		samples [][]datapath.HostCounters
		step    time.Duration
		want    Totals // of the last sample, At filled in by the test
		hosts   []HostRate
	}{
		{
			name:    "first sample has no rate",
			samples: [][]datapath.HostCounters{{hc("10.0.0.1", 1000, 100, 10, 1, 1)}},
			step:    time.Second,
			want:    Totals{Hosts: 1, ShapedHosts: 1},
			hosts:   []HostRate{{Addr: netip.MustParseAddr("10.0.0.1"), CircuitID: "c1", Bytes: DownUp{1000, 100}}},
		},
		{
			name: "delta over one second, shaped and unshaped",
			samples: [][]datapath.HostCounters{
				{hc("10.0.0.1", 1000, 100, 10, 1, 1), hc("10.0.0.2", 0, 0, 0, 0, 0)},
				{hc("10.0.0.1", 2000, 300, 20, 3, 1), hc("10.0.0.2", 500, 50, 5, 1, 0)},
			},
			step: time.Second,
			want: Totals{
				All:      Rate{Bits: DownUp{12000, 2000}, Packets: DownUp{15, 3}},
				Shaped:   Rate{Bits: DownUp{8000, 1600}, Packets: DownUp{10, 2}},
				Unshaped: Rate{Bits: DownUp{4000, 400}, Packets: DownUp{5, 1}},
				Hosts:    2, ShapedHosts: 1,
			},
			hosts: []HostRate{
				{Addr: netip.MustParseAddr("10.0.0.1"), CircuitID: "c1", Rate: Rate{Bits: DownUp{8000, 1600}, Packets: DownUp{10, 2}}, Bytes: DownUp{2000, 300}},
				{Addr: netip.MustParseAddr("10.0.0.2"), Rate: Rate{Bits: DownUp{4000, 400}, Packets: DownUp{5, 1}}, Bytes: DownUp{500, 50}},
			},
		},
		{
			name: "two second step halves the rate",
			samples: [][]datapath.HostCounters{
				{hc("2001:db8::1", 0, 0, 0, 0, 2)},
				{hc("2001:db8::1", 1000, 0, 4, 0, 2)},
			},
			step:  2 * time.Second,
			want:  Totals{All: Rate{Bits: DownUp{4000, 0}, Packets: DownUp{2, 0}}, Shaped: Rate{Bits: DownUp{4000, 0}, Packets: DownUp{2, 0}}, Hosts: 1, ShapedHosts: 1},
			hosts: []HostRate{{Addr: netip.MustParseAddr("2001:db8::1"), CircuitID: "c2", Rate: Rate{Bits: DownUp{4000, 0}, Packets: DownUp{2, 0}}, Bytes: DownUp{1000, 0}}},
		},
		{
			name: "counter reset restarts the host",
			samples: [][]datapath.HostCounters{
				{hc("10.0.0.1", 5000, 0, 5, 0, 1)},
				{hc("10.0.0.1", 100, 0, 1, 0, 1)},
			},
			step:  time.Second,
			want:  Totals{Hosts: 1, ShapedHosts: 1},
			hosts: []HostRate{{Addr: netip.MustParseAddr("10.0.0.1"), CircuitID: "c1", Bytes: DownUp{100, 0}}},
		},
		{
			name: "absurd rate is dropped",
			samples: [][]datapath.HostCounters{
				{hc("10.0.0.1", 0, 0, 0, 0, 0)},
				{hc("10.0.0.1", 20_000_000_000, 0, 1, 0, 0)},
			},
			step:  time.Second,
			want:  Totals{Hosts: 1},
			hosts: []HostRate{{Addr: netip.MustParseAddr("10.0.0.1"), Bytes: DownUp{20_000_000_000, 0}}},
		},
		{
			name: "unknown circuit hash gets a hex name, vanished host is forgotten",
			samples: [][]datapath.HostCounters{
				{hc("10.0.0.1", 0, 0, 0, 0, 0xabc), hc("10.0.0.9", 0, 0, 0, 0, 0)},
				{hc("10.0.0.1", 125, 0, 1, 0, 0xabc)},
			},
			step:  time.Second,
			want:  Totals{All: Rate{Bits: DownUp{1000, 0}, Packets: DownUp{1, 0}}, Shaped: Rate{Bits: DownUp{1000, 0}, Packets: DownUp{1, 0}}, Hosts: 1, ShapedHosts: 1},
			hosts: []HostRate{{Addr: netip.MustParseAddr("10.0.0.1"), CircuitID: "hash:0000000000000abc", Rate: Rate{Bits: DownUp{1000, 0}, Packets: DownUp{1, 0}}, Bytes: DownUp{125, 0}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{Circuit: names})
			at := t0
			for _, s := range tt.samples {
				c.Update(at, s)
				at = at.Add(tt.step)
			}
			want := tt.want
			want.At = at.Add(-tt.step)
			if d := cmp.Diff(want, c.Totals()); d != "" {
				t.Errorf("totals (-want +got):\n%s", d)
			}
			got := c.TopHosts(ByTotal, 0, 100)
			if d := cmp.Diff(tt.hosts, got, addrCmp); d != "" {
				t.Errorf("hosts (-want +got):\n%s", d)
			}
			if h := c.History(); len(h) != len(tt.samples) {
				t.Errorf("history has %d samples, want %d", len(h), len(tt.samples))
			}
		})
	}
}

func TestTopAndCircuits(t *testing.T) {
	c := New(Options{Circuit: func(h uint64) string { return fmt.Sprintf("circuit-%d", h) }})
	var a, b []datapath.HostCounters
	for i := range 10 {
		addr := fmt.Sprintf("10.0.0.%d", i+1)
		a = append(a, hc(addr, 0, 0, 0, 0, uint64(i%3+1)))
		// Host i downloads (i+1)*1000 bytes and uploads (10-i)*100.
		b = append(b, hc(addr, uint64(i+1)*1000, uint64(10-i)*100, 1, 1, uint64(i%3+1)))
	}
	c.Update(t0, a)
	c.Update(t0.Add(time.Second), b)

	top := c.TopHosts(ByDown, 0, 3)
	var got []string
	for _, h := range top {
		got = append(got, h.Addr.String())
	}
	if d := cmp.Diff([]string{"10.0.0.10", "10.0.0.9", "10.0.0.8"}, got); d != "" {
		t.Errorf("top down (-want +got):\n%s", d)
	}
	up := c.TopHosts(ByUp, 1, 2)
	if len(up) != 2 || up[0].Addr.String() != "10.0.0.2" || up[1].Addr.String() != "10.0.0.3" {
		t.Errorf("top up with offset 1: %+v", up)
	}
	if got := c.TopHosts(ByDown, 50, 5); len(got) != 0 {
		t.Errorf("offset past the end: %d entries", len(got))
	}

	// circuit-1: hosts 0,3,6,9 -> down (1+4+7+10)*8000 bits.
	circ := c.TopCircuits(ByDown, 0, 10)
	if len(circ) != 3 || circ[0].CircuitID != "circuit-1" || circ[0].Bits.Down != 22*8000 || circ[0].Hosts != 4 {
		t.Errorf("top circuits: %+v", circ)
	}
	sel := c.Circuits("circuit-2", "nope", "circuit-2")
	if len(sel) != 2 || sel[0].CircuitID != "circuit-2" || sel[0].Hosts != 3 || sel[1].CircuitID != "nope" || sel[1].Hosts != 0 {
		t.Errorf("selected circuits: %+v", sel)
	}
	if info := c.Info(); info.Updates != 2 || info.Hosts != 10 || info.Circuits != 3 {
		t.Errorf("info: %+v", info)
	}
}

func TestRetireIdleHosts(t *testing.T) {
	c := New(Options{Retire: 2})
	s := []datapath.HostCounters{hc("10.0.0.1", 10, 10, 1, 1, 0)}
	for i := range 4 {
		c.Update(t0.Add(time.Duration(i)*time.Second), s)
		want := 1
		if i >= 2 { // idle twice after the first sample
			want = 0
		}
		if got := len(c.TopHosts(ByDown, 0, 10)); got != want {
			t.Errorf("after sample %d: %d hosts in top list, want %d", i, got, want)
		}
	}
}

func TestParseOrder(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Order
		err  bool
	}{{"", ByDown, false}, {"down", ByDown, false}, {"up", ByUp, false}, {"total", ByTotal, false}, {"sideways", 0, true}} {
		got, err := ParseOrder(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseOrder(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestRing(t *testing.T) {
	r := NewRing[int](3)
	if _, ok := r.Last(); ok {
		t.Fatal("empty ring has a last value")
	}
	for i := 1; i <= 5; i++ {
		r.Push(i)
	}
	if d := cmp.Diff([]int{3, 4, 5}, r.Snapshot()); d != "" {
		t.Errorf("snapshot (-want +got):\n%s", d)
	}
	if v, _ := r.Last(); v != 5 || r.Len() != 3 {
		t.Errorf("last %d len %d", v, r.Len())
	}
	r2 := NewRing[int](4)
	r2.Push(7)
	if d := cmp.Diff([]int{7}, r2.Snapshot()); d != "" {
		t.Errorf("partial snapshot (-want +got):\n%s", d)
	}
}

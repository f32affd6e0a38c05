package plan

import (
	"fmt"
	"math"
	mrand "math/rand"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/quick"

	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"github.com/libreqos-go/lqos/internal/topology"
)

func sum64(xs []uint64) uint64 {
	var s uint64
	for _, x := range xs {
		s += x
	}
	return s
}

func TestFitGuarantees(t *testing.T) {
	const f = floorBytes
	tests := []struct {
		name    string
		mins    []uint64
		avail   uint64
		want    []uint64
		scaled  bool
		floored int
	}{
		{"fits exactly: untouched", []uint64{100_000, 200_000}, 300_000, []uint64{100_000, 200_000}, false, 0},
		{"fits with room: untouched", []uint64{5000, 5000}, 1_000_000, []uint64{5000, 5000}, false, 0},
		{"proportional, rounded down to whole bytes", []uint64{3_750_000, 3_750_000}, 6_125_000, []uint64{3_062_500, 3_062_500}, true, 0},
		{"uneven mins keep their ratio", []uint64{1_000_000, 3_000_000}, 2_000_000, []uint64{500_000, 1_500_000}, true, 0},
		{"rounding never adds up past the parent", []uint64{100_000, 100_000, 100_000}, 100_000, []uint64{33_333, 33_333, 33_333}, true, 0},
		// 6 x 237,500 + 2 x 12,500 into 125,000: the small ones would get
		// 1,077 bytes/s, so they are held at the floor and the big ones share
		// the remaining 122,500.
		{"small children held at the floor, the rest share what is left",
			[]uint64{237_500, 237_500, 237_500, 237_500, 237_500, 237_500, 12_500, 12_500}, 125_000,
			[]uint64{20_416, 20_416, 20_416, 20_416, 20_416, 20_416, f, f}, true, 2},
		{"not even the floors fit: all at the floor", slices.Repeat([]uint64{125_000}, 150), 125_000, slices.Repeat([]uint64{f}, 150), true, 150},
		{"one child asking for more than the parent gets the parent's rate", []uint64{7_500_000}, 6_125_000, []uint64{6_125_000}, true, 0},
		{"10 Tbit/s figures do not overflow", []uint64{1_250_000_000_000, 1_250_000_000_000}, 1_250_000_000_000, []uint64{625_000_000_000, 625_000_000_000}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orig := slices.Clone(tt.mins)
			got := slices.Clone(tt.mins)
			r := fitGuarantees(got, tt.avail)
			if !slices.Equal(got, tt.want) || r.scaled != tt.scaled || r.floored != tt.floored {
				t.Fatalf("fit %v into %d = %v (scaled %v, floored %d), want %v (scaled %v, floored %d)", orig, tt.avail, got, r.scaled, r.floored, tt.want, tt.scaled, tt.floored)
			}
			if r.sum != sum64(orig) || r.avail != tt.avail {
				t.Errorf("reported sum %d avail %d, want %d %d", r.sum, r.avail, sum64(orig), tt.avail)
			}
			if uint64(len(got))*f <= tt.avail && sum64(got) > tt.avail {
				t.Errorf("fitted sum %d exceeds the parent's %d", sum64(got), tt.avail)
			}
			for i := range got {
				if got[i] > orig[i] || got[i] < min(orig[i], f) {
					t.Errorf("child %d: %d from %d, want within [floor, own minimum]", i, got[i], orig[i])
				}
			}
		})
	}
}

// fittedBits is a rate in bit/s as the plan stores it after fitting: whole bytes.
func fittedBits(availMbps, minMbps, sumMbps float64) uint64 {
	return mulDiv(uint64(minMbps*1e6/8), uint64(availMbps*1e6/8), uint64(sumMbps*1e6/8)) * 8
}

// Our answers to the situations of TestCheck16To19CircuitRates (which
// reproduce upstream's rule), and the per-direction and floor behaviour.
func TestOversubscribedCircuitRates(t *testing.T) {
	tests := []struct {
		name     string
		network  string
		rows     string
		down, up []rateWant
		over     []string // "node direction" reported, in order
	}{
		{
			name:    "two 30 Mbps mins under a 49 Mbps rate share it: 24.5 each, both directions",
			network: towerNet,
			rows:    "a,A,a,,Tower,,,,,,30,30,40,40,,\nb,B,b,,Tower,,,,,,30,30,40,40,,\n",
			down:    []rateWant{{tchandle.Make(1, 5), 24.5e6, 40e6, "cake diffserv4"}, {tchandle.Make(1, 6), 24.5e6, 40e6, "cake diffserv4"}},
			up:      []rateWant{{tchandle.Make(1, 5), 24.5e6, 40e6, "cake diffserv4"}, {tchandle.Make(1, 6), 24.5e6, 40e6, "cake diffserv4"}},
			over:    []string{"Tower download", "Tower upload"},
		},
		{
			name:    "a direction that fits is untouched",
			network: towerNet,
			rows:    "a,A,a,,Tower,,,,,,30,5,40,10,,\nb,B,b,,Tower,,,,,,30,5,40,10,,\n",
			down:    []rateWant{{tchandle.Make(1, 5), 24.5e6, 40e6, "cake diffserv4"}, {tchandle.Make(1, 6), 24.5e6, 40e6, "cake diffserv4"}},
			up:      []rateWant{{tchandle.Make(1, 5), 5e6, 10e6, "cake diffserv4"}, {tchandle.Make(1, 6), 5e6, 10e6, "cake diffserv4"}},
			over:    []string{"Tower download"},
		},
		{
			name:    "three circuits under a 3 Mbps node split its 2 Mbps rate in whole bytes",
			network: `{"Tower":{"downloadBandwidthMbps":3,"uploadBandwidthMbps":3}}`,
			rows:    "a,A,a,,Tower,,,,,,3,3,4,4,,\nb,B,b,,Tower,,,,,,3,3,4,4,,\nc,C,c,,Tower,,,,,,3,3,4,4,,\n",
			down: []rateWant{{tchandle.Make(1, 4), 2e6, 3e6, ""}, {tchandle.Make(1, 5), 666_664, 3e6, "cake diffserv4 rtt 140ms"},
				{tchandle.Make(1, 6), 666_664, 3e6, "cake diffserv4 rtt 140ms"}, {tchandle.Make(1, 7), 666_664, 3e6, "cake diffserv4 rtt 140ms"}},
			over: []string{"Tower download", "Tower upload"},
		},
		{
			name:    "a min above the node's ceil is capped below it, which fits",
			network: towerNet,
			rows:    "a,A,a,,Tower,,,,,,60,5,100,10,,\n",
			down:    []rateWant{{tchandle.Make(1, 5), 49e6, 50e6, "cake diffserv4"}},
			up:      []rateWant{{tchandle.Make(1, 5), 5e6, 10e6, "cake diffserv4"}},
		},
		{
			name:    "more circuits than 10 kbit/s floors fit: all at the floor",
			network: `{"Tower":{"downloadBandwidthMbps":0.02,"uploadBandwidthMbps":50}}`,
			rows:    "a,A,a,,Tower,,,,,,1,1,2,2,,\nb,B,b,,Tower,,,,,,1,1,2,2,,\nc,C,c,,Tower,,,,,,1,1,2,2,,\n",
			down: []rateWant{{tchandle.Make(1, 5), 10e3, 20e3, "cake diffserv4 rtt 300ms"}, {tchandle.Make(1, 6), 10e3, 20e3, "cake diffserv4 rtt 300ms"},
				{tchandle.Make(1, 7), 10e3, 20e3, "cake diffserv4 rtt 300ms"}},
			up:   []rateWant{{tchandle.Make(1, 5), 1e6, 2e6, "cake diffserv4 rtt 180ms"}},
			over: []string{"Tower download"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planRows(t, tt.network, tt.rows)
			checkRates(t, p, "eth1", tt.down)
			checkRates(t, p, "eth0", tt.up)
			var over []string
			for _, o := range p.Oversubscribed {
				over = append(over, o.Node+" "+o.Direction.String())
			}
			if !slices.Equal(over, tt.over) {
				t.Errorf("oversubscribed %q, want %q", over, tt.over)
			}
			checkGuaranteesFit(t, p, mustDevices(t, tt.rows))
		})
	}
}

// The upstream rule, kept behind upstream_oversubscription: one direction
// not fitting sets every circuit's minimum to 1 Mbps in both directions,
// and nodes are not fitted to their parent.
func TestUpstreamRuleOption(t *testing.T) {
	net := `{"Site":{"downloadBandwidthMbps":1000,"uploadBandwidthMbps":1000,"children":{
		"AP1":{"downloadBandwidthMbps":500,"uploadBandwidthMbps":500},"AP2":{"downloadBandwidthMbps":500,"uploadBandwidthMbps":500},
		"AP3":{"downloadBandwidthMbps":500,"uploadBandwidthMbps":500}}}}`
	rows := "a,A,a,,AP1,,,,,,300,5,400,10,,\nb,B,b,,AP1,,,,,,300,5,400,10,,\n"
	p := planRows(t, net, rows, upstreamRule)
	for _, c := range p.Circuits {
		if c.Down.RateBps != 1e6 || c.Up.RateBps != 1e6 {
			t.Errorf("circuit %s: %d/%d bit/s, want 1 Mbps both ways", c.ID, c.Down.RateBps, c.Up.RateBps)
		}
	}
	for _, ap := range []string{"AP1", "AP2", "AP3"} {
		if n := nodeByName(t, p, ap); n.Down.RateBps != 499e6 {
			t.Errorf("%s: rate %d, want 499 Mbps (not fitted to Site)", ap, n.Down.RateBps)
		}
	}
	if len(p.Oversubscribed) != 1 || !p.Oversubscribed[0].Upstream || p.Oversubscribed[0].Node != "AP1" || p.Oversubscribed[0].Direction != Download {
		t.Fatalf("oversubscribed %+v, want AP1 download under the upstream rule", p.Oversubscribed)
	}
	if msg := p.Oversubscribed[0].Message(); !strings.Contains(msg, "1 Mbps in both directions") || !slices.Contains(p.Warnings, msg) {
		t.Errorf("message %q not in warnings %q", msg, p.Warnings)
	}

	// The default fits every level: the APs share Site's 999 Mbps, AP1's
	// circuits share AP1's share, upload is untouched.
	p = planRows(t, net, rows)
	ap1 := nodeByName(t, p, "AP1")
	if want := fittedBits(999, 499, 3*499); ap1.Down.RateBps != want || ap1.Up.RateBps != want || ap1.Down.CeilBps != 500e6 {
		t.Errorf("AP1: rate %d/%d ceil %d, want %d both ways and ceil 500 Mbps", ap1.Down.RateBps, ap1.Up.RateBps, ap1.Down.CeilBps, want)
	}
	for _, c := range p.Circuits {
		if want := fittedBits(float64(ap1.Down.RateBps)/1e6, 300, 600); c.Down.RateBps != want || c.Up.RateBps != 5e6 {
			t.Errorf("circuit %s: %d/%d bit/s, want %d / 5 Mbps", c.ID, c.Down.RateBps, c.Up.RateBps, want)
		}
	}
	var got []string
	for _, o := range p.Oversubscribed {
		got = append(got, o.Short())
	}
	want := []string{"Site download 1497/999 Mbps x0.6673", "Site upload 1497/999 Mbps x0.6673", "AP1 download 600/333 Mbps x0.5550"}
	if !slices.Equal(got, want) {
		t.Errorf("oversubscribed %q, want %q", got, want)
	}
	o := p.Oversubscribed[0]
	if o.Path() != "Site" || o.Line != 1 || o.Children != 3 {
		t.Errorf("Site finding %+v: want path Site, line 1, 3 children", o)
	}
	checkGuaranteesFit(t, p, mustDevices(t, rows))
}

// The upstream example: Site_1's children ask for 1023 Mbps of its 999; they
// are scaled, everything below them keeps fitting, and nothing else moves.
func TestExampleScaled(t *testing.T) {
	in := loadExample(t)
	p := mustBuild(t, in)
	in.Config = mustConfig(t, bridgeConf, upstreamRule)
	up := mustBuild(t, in)
	var got []string
	for _, o := range p.Oversubscribed {
		got = append(got, o.Short())
	}
	if want := []string{"Site_1 download 1023/999 Mbps x0.9765", "Site_1 upload 1003/999 Mbps x0.9960"}; !slices.Equal(got, want) {
		t.Errorf("oversubscribed %q, want %q", got, want)
	}
	scaled := map[string]bool{"AP_A": true, "Site_3": true, "10011": true}
	for i, c := range p.Tree.Classes {
		u := up.Tree.Classes[i]
		if c.RateBps == u.RateBps {
			continue
		}
		// Below them everything still fits (Site_3's only child PoP_5 asks
		// for 199 Mbps of its ~487), so nothing else changes.
		if !scaled[c.Name] && !scaled[c.CircuitID] {
			t.Errorf("class %s on %s (%q) changed from %d to %d", c.ID, c.Interface, c.Name, u.RateBps, c.RateBps)
		}
		if c.RateBps > u.RateBps || c.RateBps%8 != 0 {
			t.Errorf("class %s (%q): %d from %d, want lower and in whole bytes", c.ID, c.Name, c.RateBps, u.RateBps)
		}
	}
	checkGuaranteesFit(t, p, in.Devices)
}

// The situation of the issue: a 500 Mbit/s AP with 62 subscribers whose
// download minimums add up to just under its rate. The 63rd moves each
// sibling's download guarantee by about 1%, and no upload guarantee at all.
func TestOneMoreCircuitIsNoCliff(t *testing.T) {
	net := `{"AP":{"downloadBandwidthMbps":500,"uploadBandwidthMbps":500}}`
	var rows strings.Builder
	for i := range 63 {
		fmt.Fprintf(&rows, "c%02d,C%02d,d%02d,,AP,,,,100.64.0.%d,,8,2,50,10,,\n", i, i, i, i+1)
	}
	all := rows.String()
	sixtyTwo := all[:strings.LastIndex(strings.TrimSuffix(all, "\n"), "\n")+1]
	before := planRows(t, net, sixtyTwo)
	in := Input{Config: mustConfig(t, bridgeConf), Network: mustNetwork(t, net), Devices: mustDevices(t, all), TXQueues: 2, Previous: before.Identities}
	after := mustBuild(t, in)
	if len(before.Oversubscribed) != 0 || len(after.Oversubscribed) != 1 || after.Oversubscribed[0].Direction != Download {
		t.Fatalf("oversubscribed before %v after %v, want none then AP download", before.Oversubscribed, after.Oversubscribed)
	}
	want := fittedBits(499, 8, 63*8) // 7.92 Mbps
	added, removed, changed := diffTrees(before.Tree, after.Tree)
	if len(added) != 2 || len(removed) != 0 || len(changed) != 62 {
		t.Fatalf("+%d -%d ~%d classes, want +2 -0 ~62 (the siblings' download classes)", len(added), len(removed), len(changed))
	}
	for _, c := range changed {
		if c.Direction != Download || c.RateBps != want || c.CeilBps != 50e6 {
			t.Errorf("%s %s: rate %d ceil %d, want download rate %d ceil 50 Mbps", c.Direction, c.ID, c.RateBps, c.CeilBps, want)
		}
	}
	if drop := 8e6 - float64(want); drop > 0.01*8e6 {
		t.Errorf("each sibling lost %.0f bit/s, want at most 1%%", drop)
	}
	checkGuaranteesFit(t, after, in.Devices)
}

// Deeper than six levels the extra nodes hang from the level-5 node; they
// are fitted there together, and none gets more than its original parent.
func TestFlattenedChainFits(t *testing.T) {
	net := `{"L1":{"downloadBandwidthMbps":100,"uploadBandwidthMbps":100,"children":{"L2":{"downloadBandwidthMbps":100,"uploadBandwidthMbps":100,"children":{
		"L3":{"downloadBandwidthMbps":100,"uploadBandwidthMbps":100,"children":{"L4":{"downloadBandwidthMbps":100,"uploadBandwidthMbps":100,"children":{
		"L5":{"downloadBandwidthMbps":100,"uploadBandwidthMbps":100,"children":{"L6":{"downloadBandwidthMbps":80,"uploadBandwidthMbps":80,"children":{
		"L7":{"downloadBandwidthMbps":60,"uploadBandwidthMbps":60,"children":{"L8":{"downloadBandwidthMbps":40,"uploadBandwidthMbps":40}}}}}}}}}}}}}}}}`
	p := planRows(t, net, "a,A,a,,L8,,,,,,10,10,20,20,,\n")
	l5, l6, l7, l8 := nodeByName(t, p, "L5"), nodeByName(t, p, "L6"), nodeByName(t, p, "L7"), nodeByName(t, p, "L8")
	if l6.Parent != "L5" || l7.Parent != "L5" || l8.Parent != "L5" {
		t.Fatalf("parents %s %s %s, want L5 for all", l6.Parent, l7.Parent, l8.Parent)
	}
	if s := l6.Down.RateBps + l7.Down.RateBps + l8.Down.RateBps; s > l5.Down.RateBps {
		t.Errorf("L6+L7+L8 = %d exceeds L5's %d", s, l5.Down.RateBps)
	}
	if !(l8.Down.RateBps <= l7.Down.RateBps && l7.Down.RateBps <= l6.Down.RateBps) {
		t.Errorf("rates L6 %d L7 %d L8 %d: a node gets more than its original parent", l6.Down.RateBps, l7.Down.RateBps, l8.Down.RateBps)
	}
	checkGuaranteesFit(t, p, mustDevices(t, "a,A,a,,L8,,,,,,10,10,20,20,,\n"))
}

// checkGuaranteesFit asserts the rule on every node class: its children's
// guarantees, in the bytes the kernel keeps, add up to no more than its own
// (unless the 10 kbit/s floors alone do not fit, when all are at the
// floor); no guarantee exceeds its ceil; fitted ones are whole bytes; and a
// node and direction not reported as oversubscribed has circuits with the
// rates they asked for.
func checkGuaranteesFit(t *testing.T, p *Plan, f *devices.File) {
	t.Helper()
	type key struct {
		ifc string
		h   tchandle.Handle
	}
	byID := map[key]*Class{}
	kids := map[key][]*Class{}
	for i := range p.Tree.Classes {
		c := &p.Tree.Classes[i]
		byID[key{c.Interface, c.ID}] = c
		kids[key{c.Interface, c.Parent}] = append(kids[key{c.Interface, c.Parent}], c)
	}
	over := map[string]bool{}
	for _, o := range p.Oversubscribed {
		over[o.Node+"/"+o.Direction.String()] = true
	}
	for k, cs := range kids {
		parent := byID[k]
		if parent == nil || parent.Kind != KindNode {
			continue
		}
		var sum uint64
		allFloor := true
		for _, c := range cs {
			sum += c.RateBps / 8
			allFloor = allFloor && c.RateBps == 10_000
			if c.RateBps > c.CeilBps {
				t.Errorf("class %s (%q) rate %d above its ceil %d", c.ID, c.Name, c.RateBps, c.CeilBps)
			}
			if over[parent.NodeName+"/"+c.Direction.String()] && c.RateBps%8 != 0 {
				t.Errorf("fitted class %s (%q) rate %d is not whole bytes", c.ID, c.Name, c.RateBps)
			}
		}
		if sum > parent.RateBps/8 && !(allFloor && uint64(len(cs))*floorBytes > parent.RateBps/8) {
			t.Errorf("children of %s %s (%q) guarantee %d bytes/s, more than its %d", parent.Direction, parent.ID, parent.NodeName, sum, parent.RateBps/8)
		}
	}
	nodes := map[string]*NodePlan{}
	for _, n := range p.Nodes {
		nodes[n.Name] = n
	}
	inputs := map[string]*devices.Circuit{}
	for _, c := range f.Circuits {
		inputs[c.ID] = c
	}
	for _, c := range p.Circuits {
		n, in := nodes[c.Node], inputs[c.ID]
		for _, d := range []struct {
			dir          Direction
			min, max, nm float64
			got          uint64
		}{{Download, in.DownloadMin, in.DownloadMax, n.Down.MaxMbps, c.Down.RateBps}, {Upload, in.UploadMin, in.UploadMax, n.Up.MaxMbps, c.Up.RateBps}} {
			if over[c.Node+"/"+d.dir.String()] {
				continue
			}
			want, _ := circuitRates(d.min, d.max, d.nm, false, false)
			if d.got != bitsPerSecond(want) {
				t.Errorf("circuit %s %s: rate %d, want %d (its node fits)", c.ID, d.dir, d.got, bitsPerSecond(want))
			}
		}
	}
}

// randomTree builds a random network (up to 8 levels, some inherited and
// explicit rates) and circuits (some unparented) from a seed.
func randomTree(seed uint64) (*topology.Network, *devices.File) {
	r := rand.New(rand.NewPCG(seed, 17))
	nw := &topology.Network{Path: "network.json"}
	var all []*topology.Node
	line := 1
	rate := func() float64 {
		switch r.IntN(6) {
		case 0:
			return 0 // inherit
		case 1:
			return math.Round(r.Float64()*100) / 100 // tiny, fractional
		}
		return float64(1 + r.IntN(2000))
	}
	var grow func(parent *topology.Node, depth int)
	grow = func(parent *topology.Node, depth int) {
		n := &topology.Node{Name: fmt.Sprintf("N%d", len(all)), DownloadMbps: rate(), UploadMbps: rate(), Parent: parent, Line: line}
		if r.IntN(8) == 0 {
			n.DownloadMinMbps = float64(1 + r.IntN(500))
		}
		line++
		all = append(all, n)
		if parent == nil {
			nw.Roots = append(nw.Roots, n)
		} else {
			parent.Children = append(parent.Children, n)
		}
		if depth < 8 {
			for range r.IntN(4) {
				grow(n, depth+1)
			}
		}
	}
	for range 1 + r.IntN(3) {
		grow(nil, 1)
	}
	f := &devices.File{Path: "ShapedDevices.csv"}
	for i := range r.IntN(120) {
		maxD, maxU := 0.1+r.Float64()*500, 0.1+r.Float64()*200
		c := &devices.Circuit{ID: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("C%d", i), Line: i + 2,
			DownloadMax: maxD, UploadMax: maxU, DownloadMin: max(0.1, r.Float64()*maxD), UploadMin: max(0.1, r.Float64()*maxU)}
		if r.IntN(10) > 0 {
			c.ParentNode = all[r.IntN(len(all))].Name
		}
		c.Devices = []*devices.Device{{ID: fmt.Sprintf("d%d", i), Line: i + 2}}
		f.Circuits = append(f.Circuits, c)
	}
	return nw, f
}

// Property: on random trees and configurations the rule holds at every
// node, and the two directions are independent (changing every upload
// minimum changes no download class).
func TestGuaranteesFitRandomTrees(t *testing.T) {
	scaledGroups := 0
	prop := func(seed uint64, queues uint8, binpack bool) bool {
		nw, f := randomTree(seed)
		extra := []string{"downlink_bandwidth_mbps = 1500", "uplink_bandwidth_mbps = 700"}
		if binpack {
			extra = append(extra, "use_binpacking = true")
		}
		in := Input{Config: mustConfig(t, bridgeConf, extra...), Network: nw, Devices: f, TXQueues: 1 + int(queues%4)}
		p, err := Build(in)
		if err != nil {
			t.Logf("seed %d: %v", seed, err)
			return false
		}
		checkGuaranteesFit(t, p, f)
		scaledGroups += len(p.Oversubscribed)
		g := &devices.File{Path: f.Path}
		for _, c := range f.Circuits {
			cc := *c
			cc.UploadMin = cc.UploadMax
			g.Circuits = append(g.Circuits, &cc)
		}
		in.Devices = g
		q := mustBuild(t, in)
		for i, c := range q.Tree.Classes {
			if o := p.Tree.Classes[i]; c.Direction == Download && c.RateBps != o.RateBps {
				t.Errorf("seed %d: download class %s changed %d -> %d when only upload minimums did", seed, c.ID, o.RateBps, c.RateBps)
			}
		}
		return !t.Failed()
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 300, Rand: mrand.New(mrand.NewSource(17))}); err != nil {
		t.Error(err)
	}
	if scaledGroups < 300 {
		t.Errorf("only %d oversubscribed groups in 300 random trees: the generator does not exercise the rule", scaledGroups)
	}
	t.Logf("%d oversubscribed node/direction groups checked", scaledGroups)
}

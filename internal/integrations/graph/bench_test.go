package graph

import (
	"fmt"
	"testing"
)

// benchGraph: 50 sites × 10 APs × 40 clients (20 000 circuits, one device each).
func benchGraph() *Graph {
	pol := RatePolicy{Overhead: 1.15, ClientMultiplier: 1, Commit: 0.98, Floor: 1}
	g := New()
	n := 0
	for s := 0; s < 50; s++ {
		sid := fmt.Sprintf("site%d", s)
		g.Add(Node{ID: sid, Name: "Site " + sid, Kind: KindSite, NetworkID: "b:" + sid})
		for a := 0; a < 10; a++ {
			aid := fmt.Sprintf("%s-ap%d", sid, a)
			g.Add(Node{ID: aid, Name: "AP " + aid, ParentID: sid, Kind: KindAP, NetworkID: "b:" + aid, DownloadMbps: 500, UploadMbps: 100})
			for c := 0; c < 40; c++ {
				cid := fmt.Sprintf("c%d", n)
				g.Add(Node{ID: cid, Name: "Customer " + cid, ParentID: aid, Kind: KindClient, Rates: pol.Plan(100, 20)})
				g.Add(Node{ID: cid + "d", ParentID: cid, Kind: KindDevice, IPs: []string{fmt.Sprintf("100.%d.%d.%d", 64+n/65536, n/256%256, n%256), fmt.Sprintf("2001:db8:%x::/48", n)}})
				n++
			}
		}
	}
	return g
}

func BenchmarkCompile20kCircuits(b *testing.B) {
	g := benchGraph()
	f, _ := NewIPFilter([]string{"100.64.0.0/10"}, []string{"100.127.0.0/16"})
	for _, mode := range []string{ModeFull, ModeAPSite} {
		b.Run(mode, func(b *testing.B) {
			for b.Loop() {
				res, err := Compile(g, Options{Mode: mode, Filter: f})
				if err != nil || len(res.Circuits) != 20000 {
					b.Fatal(err, len(res.Circuits))
				}
			}
		})
	}
}

func BenchmarkEncodeOutputs20k(b *testing.B) {
	res, err := Compile(benchGraph(), Options{Mode: ModeFull})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if len(res.NetworkJSON()) == 0 || len(res.ShapedDevicesCSV()) == 0 {
			b.Fatal("empty")
		}
	}
}

func BenchmarkValidate20k(b *testing.B) {
	res, err := Compile(benchGraph(), Options{Mode: ModeFull})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := res.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}

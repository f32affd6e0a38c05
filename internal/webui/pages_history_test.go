package webui

import (
	"fmt"
	"math"
	"runtime"
	"testing"
	"time"
)

func TestRingGapsAndOrder(t *testing.T) {
	r := newRing(1, 5)
	t0 := int64(1_000_000)
	for _, s := range []int64{0, 1, 2, 4} { // second 3 missing
		r.put(t0+s, sample{float32(s), 0, 0, 0})
	}
	r.put(t0+4, sample{40, 0, 0, 0}) // same slot again: overwritten
	got := r.points(0)
	want := [][2]float64{{0, 0}, {1, 1}, {2, 2}, {4, 40}}
	if len(got) != len(want) {
		t.Fatalf("points %v", got)
	}
	for i, w := range want {
		if got[i][0] != float64((t0+int64(w[0]))*1000) || got[i][1] != w[1] {
			t.Errorf("point %d = %v, want t+%vs value %v", i, got[i], w[0], w[1])
		}
	}
	// Wrapping drops the oldest; a gap longer than the ring empties it.
	r.put(t0+6, sample{6, 0, 0, 0})
	if p := r.points(0); p[0][0] != float64((t0+2)*1000) {
		t.Errorf("after wrap first point %v", p[0])
	}
	r.put(t0+100, sample{100, 0, 0, 0})
	if p := r.points(0); len(p) != 1 || p[0][1] != 100 {
		t.Errorf("after a long gap %v", p)
	}
	if p := r.points(t0 + 101); len(p) != 0 {
		t.Errorf("since after the newest: %v", p)
	}
}

func TestHistoryMinuteAveragesAndWatchedCircuits(t *testing.T) {
	hs := newHistoryStore()
	base := time.Unix(1_800_000_000, 0).Truncate(time.Minute)
	nodes := []TreeNode{{ID: "n1"}}
	circuits := []CircuitRow{{ID: "c1"}, {ID: "c2"}}
	for s := 0; s < 150; s++ { // two full minutes and a half
		nodes[0].Live.BitsPerSecond.Down = uint64(1000 * (s / 60)) // 0, 1000, 2000 per minute
		circuits[0].Live.BitsPerSecond.Down = 500
		hs.record(base.Add(time.Duration(s)*time.Second), nodes, circuits, map[string]bool{"c1": true})
	}
	now := base.Add(150 * time.Second)
	sec := hs.series("node", "n1", "5m", now)
	if sec.StepSeconds != 1 || len(sec.Points) != 150 {
		t.Errorf("5m: step %d, %d points", sec.StepSeconds, len(sec.Points))
	}
	min := hs.series("node", "n1", "1h", now)
	if min.StepSeconds != 60 || len(min.Points) != 2 || min.Points[0][1] != 0 || min.Points[1][1] != 1000 {
		t.Errorf("1h: %+v", min)
	}
	if c := hs.series("circuit", "c1", "5m", now); c.StepSeconds != 1 || len(c.Points) != 150 {
		t.Errorf("watched circuit: step %d, %d points", c.StepSeconds, len(c.Points))
	}
	if c := hs.series("circuit", "c2", "5m", now); c.StepSeconds != 60 || len(c.Points) != 2 {
		t.Errorf("unwatched circuit falls back to minutes: step %d, %d points", c.StepSeconds, len(c.Points))
	}
	// Removed nodes and circuits lose their history.
	hs.record(now, nil, circuits[:1], nil)
	if n := hs.series("node", "n1", "1h", now); len(n.Points) != 0 {
		t.Errorf("removed node kept %d points", len(n.Points))
	}
	if c := hs.series("circuit", "c1", "5m", now); c.StepSeconds != 60 {
		t.Errorf("no longer watched: step %d", c.StepSeconds)
	}
	if v := hs.series("node", "n1", "bogus", now); v.Range != "5m" {
		t.Errorf("bad range → %q", v.Range)
	}
	if math.IsNaN(float64(nanSample[0])) == false {
		t.Fatal("nanSample must be NaN")
	}
}

// TestHistoryMemoryAtScale states the history's memory at 10,000 circuits
// and 2,000 nodes (10 circuits viewed): the ring bytes exactly, and the
// Go heap growth for comparison (logged, not asserted: other goroutines
// allocate too).
func TestHistoryMemoryAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~100 MB; skipped with -short")
	}
	nodes := make([]TreeNode, 2000)
	for i := range nodes {
		nodes[i] = TreeNode{ID: fmt.Sprintf("n%d", i)}
	}
	circuits := make([]CircuitRow, 10000)
	for i := range circuits {
		circuits[i] = CircuitRow{ID: fmt.Sprintf("c%d", i)}
	}
	watched := map[string]bool{}
	for i := range 10 {
		watched[circuits[i].ID] = true
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	hs := newHistoryStore()
	hs.record(time.Unix(1_800_000_000, 0), nodes, circuits, watched)
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	est := hs.sizeBytes()
	t.Logf("history at 10k circuits, 2k nodes: rings %.1f MiB, Go heap %.1f MiB", float64(est)/(1<<20), float64(heap)/(1<<20))
	// Nodes: (300+1440)*16 B each; circuits: 60*16 B; watched: +300*16 B.
	if want := 2000*(300+1440)*16 + 10000*60*16 + 10*300*16; est != want {
		t.Errorf("ring bytes %d, want %d", est, want)
	}
	runtime.KeepAlive(hs)
}

// BenchmarkHistoryRecord is one second of sampling at 10k circuits and 2k nodes.
func BenchmarkHistoryRecord(b *testing.B) {
	nodes := make([]TreeNode, 2000)
	for i := range nodes {
		nodes[i] = TreeNode{ID: fmt.Sprintf("n%d", i)}
	}
	circuits := make([]CircuitRow, 10000)
	for i := range circuits {
		circuits[i] = CircuitRow{ID: fmt.Sprintf("c%d", i)}
	}
	hs := newHistoryStore()
	t0 := time.Unix(1_800_000_000, 0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		hs.record(t0.Add(time.Duration(i)*time.Second), nodes, circuits, nil)
	}
}

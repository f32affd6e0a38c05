package plan

import (
	"math"
	"sort"
	"time"
)

// BinItem is something to place on a bin (a top-level node or a circuit).
type BinItem struct {
	ID     string
	Weight float64
}

// BinParams tunes StableGreedy, the placement that moves few items per run.
type BinParams struct {
	MoveBudget int           // most existing items moved per run
	Cooldown   time.Duration // an item is not moved again within this
	Hysteresis float64       // a move must shrink the load gap by more than this share of the total weight
}

// BinResult is where every item goes.
type BinResult struct {
	Assign  map[string]int // item ID -> bin index
	Changed []string       // items whose bin differs from a valid previous one, in weight order
}

// StableGreedy places items on bins 0..bins-1, keeping previous placements
// unless moving one clearly evens the load out. prev and lastChange are keyed
// by item ID; a missing lastChange counts as long ago. Pure and deterministic.
func StableGreedy(items []BinItem, bins int, prev map[string]int, lastChange map[string]time.Time, now time.Time, p BinParams) BinResult {
	res := BinResult{Assign: make(map[string]int, len(items))}
	if bins <= 0 || len(items) == 0 {
		return res
	}
	its := make([]BinItem, len(items))
	total := 0.0
	for i, it := range items {
		if it.Weight <= 0 || math.IsNaN(it.Weight) || math.IsInf(it.Weight, 0) {
			it.Weight = 1
		}
		its[i] = it
		total += it.Weight
	}
	// Weight descending, then ID ascending.
	sort.SliceStable(its, func(i, j int) bool {
		if its[i].Weight != its[j].Weight {
			return its[i].Weight > its[j].Weight
		}
		return its[i].ID < its[j].ID
	})
	greedy := make(map[string]int, len(its))
	gl := make([]float64, bins)
	for _, it := range its {
		b := 0
		for k := 1; k < bins; k++ {
			if gl[k] < gl[b] {
				b = k
			}
		}
		greedy[it.ID] = b
		gl[b] += it.Weight
	}
	load := make([]float64, bins)
	validPrev := func(id string) (int, bool) {
		b, ok := prev[id]
		return b, ok && b >= 0 && b < bins
	}
	for _, it := range its {
		b, ok := validPrev(it.ID)
		if !ok {
			b = greedy[it.ID]
		}
		res.Assign[it.ID] = b
		load[b] += it.Weight
	}
	gap := func() float64 {
		lo, hi := load[0], load[0]
		for _, l := range load[1:] {
			lo, hi = math.Min(lo, l), math.Max(hi, l)
		}
		return hi - lo
	}
	budget := p.MoveBudget
	for _, it := range its {
		if budget <= 0 {
			break
		}
		cur, g := res.Assign[it.ID], greedy[it.ID]
		if cur == g {
			continue
		}
		if t, ok := lastChange[it.ID]; ok && now.Sub(t) < p.Cooldown {
			continue
		}
		before := gap()
		load[cur] -= it.Weight
		load[g] += it.Weight
		if before-gap() > p.Hysteresis*total {
			res.Assign[it.ID] = g
			budget--
			continue
		}
		load[g] -= it.Weight
		load[cur] += it.Weight
	}
	// Everything piled on one bin: move one item even within its cooldown.
	if bins > 1 && len(its) > 1 && budget > 0 {
		first := res.Assign[its[0].ID]
		oneBin := true
		for _, it := range its {
			if res.Assign[it.ID] != first {
				oneBin = false
				break
			}
		}
		if oneBin {
			for _, it := range its {
				if g := greedy[it.ID]; g != first {
					res.Assign[it.ID] = g
					break
				}
			}
		}
	}
	for _, it := range its {
		if b, ok := validPrev(it.ID); ok && b != res.Assign[it.ID] {
			res.Changed = append(res.Changed, it.ID)
		}
	}
	return res
}

// stickyRoundRobin places n items (already in the wanted order) on bins
// 0..bins-1: an item with a valid previous bin (prev(i)) keeps it, every other
// item goes to the bin holding the fewest items (lowest index on ties).
// Without previous placements this is exactly upstream's round robin (i-th
// item -> bin i mod bins), but adding an item no longer shifts every later
// one to another bin.
func stickyRoundRobin(n, bins int, prev func(i int) (int, bool)) []int {
	out := make([]int, n)
	count := make([]int, bins)
	placed := make([]bool, n)
	for i := range n {
		if b, ok := prev(i); ok && b >= 0 && b < bins {
			out[i], placed[i] = b, true
			count[b]++
		}
	}
	// Fewest-items bin, lowest index first. Counts only grow and the chosen
	// bin is always the lowest one at the current minimum, so one cursor that
	// sweeps the bins level by level finds it in amortised constant time.
	level, cur := 0, 0
	if bins > 0 {
		level = count[0]
		for _, c := range count {
			level = min(level, c)
		}
	}
	for i := range n {
		if placed[i] {
			continue
		}
		for count[cur] != level {
			cur++
			if cur == bins {
				cur, level = 0, level+1
			}
		}
		out[i] = cur
		count[cur]++
	}
	return out
}

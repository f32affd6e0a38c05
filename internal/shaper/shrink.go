package shaper

import (
	"fmt"
	"slices"

	"github.com/libreqos-go/lqos/internal/plan"
)

// ShrinkError holds back a run that would remove more than the configured
// share of the applied circuits (a ShapedDevices.csv cut short, an
// integration that returned half its customers). The previous tree stays
// applied until the run is confirmed (Options.ConfirmShrink).
type ShrinkError struct {
	Applied, Planned, Removed int
	LimitPercent              float64
	Examples                  []string // a few removed circuit IDs
}

func (e *ShrinkError) Error() string {
	return fmt.Sprintf("held back: this run would remove %d of %d applied circuits (%.0f%%, more than the %.0f%% allowed by queues.max_circuit_removal_percent; e.g. %v); the previous queues stay. If the inputs are right, confirm with `libreqos --confirm-shrink`",
		e.Removed, e.Applied, 100*float64(e.Removed)/float64(e.Applied), e.LimitPercent, e.Examples)
}

// treeCircuits lists the circuit IDs a tree shapes or maps, less those
// ignore names.
func treeCircuits(t *plan.Tree, ignore func(string) bool) map[string]bool {
	out := map[string]bool{}
	if t == nil {
		return out
	}
	add := func(id string) {
		if id != "" && (ignore == nil || !ignore(id)) {
			out[id] = true
		}
	}
	for _, c := range t.Classes {
		if c.Kind == plan.KindCircuit {
			add(c.CircuitID)
		}
	}
	for _, m := range t.Mappings {
		add(m.CircuitID)
	}
	return out
}

// checkShrink compares the applied tree with the planned one.
func checkShrink(applied, planned *plan.Tree, share float64, ignore func(string) bool) *ShrinkError {
	before := treeCircuits(applied, ignore)
	if len(before) == 0 || share >= 1 {
		return nil
	}
	after := treeCircuits(planned, ignore)
	var removed []string
	for id := range before {
		if !after[id] {
			removed = append(removed, id)
		}
	}
	if float64(len(removed)) <= share*float64(len(before)) {
		return nil
	}
	slices.Sort(removed)
	return &ShrinkError{Applied: len(before), Planned: len(after), Removed: len(removed),
		LimitPercent: share * 100, Examples: removed[:min(len(removed), 3)]}
}

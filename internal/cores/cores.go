// Package cores finds the efficiency cores (E-cores) of a hybrid CPU from
// sysfs, so shaping can stay on the performance cores and background work
// (integration imports) can be pinned to the efficiency ones, as upstream's
// exclude_efficiency_cores does.
//
// Two sysfs sources are read, in order: the Intel hybrid PMU lists
// (devices/cpu_core/cpus and devices/cpu_atom/cpus) and, for big.LITTLE
// style CPUs, devices/system/cpu/cpuN/cpu_capacity (CPUs below the highest
// capacity are efficiency cores). A machine where neither shows two kinds is
// not hybrid and every online CPU shapes.
package cores

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// DefaultRoot is where sysfs is mounted.
const DefaultRoot = "/sys"

// Split is the machine's online CPUs by kind.
type Split struct {
	Online      []int
	Performance []int // every online CPU when the machine is not hybrid
	Efficiency  []int // empty when the machine is not hybrid
	// Method names the sysfs source that showed the split ("" = not hybrid).
	Method string
}

// Hybrid reports whether both kinds of core are online.
func (s Split) Hybrid() bool { return len(s.Efficiency) > 0 && len(s.Performance) > 0 }

// Shaping returns the CPUs to shape on: the performance cores when exclude
// is set and the machine is hybrid, else every online CPU.
func (s Split) Shaping(exclude bool) []int {
	if exclude && s.Hybrid() {
		return s.Performance
	}
	return s.Online
}

// Detect reads the split under root (DefaultRoot on a real machine; tests
// pass a testdata tree).
func Detect(root string) (Split, error) {
	online, err := readList(filepath.Join(root, "devices/system/cpu/online"))
	if err != nil {
		return Split{}, fmt.Errorf("online CPUs: %w", err)
	}
	s := Split{Online: online, Performance: online}
	if core, atom, ok := pmuLists(root); ok {
		p, e := intersect(online, core), intersect(online, atom)
		if len(p) > 0 && len(e) > 0 {
			s.Performance, s.Efficiency, s.Method = p, e, "cpu_core/cpu_atom"
			return s, nil
		}
	}
	if p, e, ok := byCapacity(root, online); ok {
		s.Performance, s.Efficiency, s.Method = p, e, "cpu_capacity"
	}
	return s, nil
}

// ShapingCount is the number of CPUs to shape on for this machine; it falls
// back to fallback when sysfs cannot be read.
func ShapingCount(root string, exclude bool, fallback int) int {
	s, err := Detect(root)
	if err != nil || len(s.Online) == 0 {
		return fallback
	}
	return len(s.Shaping(exclude))
}

func pmuLists(root string) (core, atom []int, ok bool) {
	core, err1 := readList(filepath.Join(root, "devices/cpu_core/cpus"))
	atom, err2 := readList(filepath.Join(root, "devices/cpu_atom/cpus"))
	return core, atom, err1 == nil && err2 == nil
}

func byCapacity(root string, online []int) (perf, eff []int, ok bool) {
	capOf := map[int]int{}
	best := 0
	for _, c := range online {
		b, err := os.ReadFile(filepath.Join(root, "devices/system/cpu", "cpu"+strconv.Itoa(c), "cpu_capacity"))
		if err != nil {
			return nil, nil, false
		}
		v, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return nil, nil, false
		}
		capOf[c] = v
		best = max(best, v)
	}
	for _, c := range online {
		if capOf[c] < best {
			eff = append(eff, c)
		} else {
			perf = append(perf, c)
		}
	}
	return perf, eff, len(eff) > 0
}

// readList parses a sysfs CPU list such as "0-3,8,10-11".
func readList(path string) ([]int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseList(strings.TrimSpace(string(b)))
}

// ParseList parses the kernel's CPU list format.
func ParseList(s string) ([]int, error) {
	var out []int
	if s == "" {
		return out, nil
	}
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, fmt.Errorf("bad CPU list %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("bad CPU list %q", s)
			}
		}
		for c := a; c <= b; c++ {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func intersect(a, b []int) []int {
	var out []int
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// ErrNoCPUs is returned by Pin for an empty set.
var ErrNoCPUs = errors.New("no CPUs to pin to")

package cores

import (
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestDetect(t *testing.T) {
	tests := []struct {
		tree             string
		perf, eff, shape []int
		method           string
		wantErr          bool
	}{
		{tree: "intel-hybrid", perf: []int{0, 1, 2, 3, 4, 5, 6, 7}, eff: []int{8, 9, 10}, shape: []int{0, 1, 2, 3, 4, 5, 6, 7}, method: "cpu_core/cpu_atom"},
		{tree: "arm-biglittle", perf: []int{4, 5}, eff: []int{0, 1, 2, 3}, shape: []int{4, 5}, method: "cpu_capacity"},
		{tree: "uniform", perf: []int{0, 1, 2, 3}, shape: []int{0, 1, 2, 3}},
		{tree: "ecores-offline", perf: []int{0, 1, 2, 3}, shape: []int{0, 1, 2, 3}},
		{tree: "no-sysfs", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.tree, func(t *testing.T) {
			s, err := Detect("testdata/" + tc.tree)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("no error for a tree without devices/system/cpu/online: %+v", s)
				}
				if n := ShapingCount("testdata/"+tc.tree, true, 7); n != 7 {
					t.Errorf("ShapingCount fallback = %d, want 7", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.Performance, tc.perf) || !slices.Equal(s.Efficiency, tc.eff) || s.Method != tc.method {
				t.Errorf("split %+v, want perf %v eff %v method %q", s, tc.perf, tc.eff, tc.method)
			}
			if got := s.Shaping(true); !slices.Equal(got, tc.shape) {
				t.Errorf("Shaping(exclude) = %v, want %v", got, tc.shape)
			}
			if got := s.Shaping(false); !slices.Equal(got, s.Online) {
				t.Errorf("Shaping(keep E-cores) = %v, want every online CPU %v", got, s.Online)
			}
			if n := ShapingCount("testdata/"+tc.tree, true, 99); n != len(tc.shape) {
				t.Errorf("ShapingCount = %d, want %d", n, len(tc.shape))
			}
		})
	}
}

func TestParseList(t *testing.T) {
	tests := []struct {
		in   string
		want []int
		bad  bool
	}{
		{in: "0", want: []int{0}},
		{in: "0-3,8,10-11", want: []int{0, 1, 2, 3, 8, 10, 11}},
		{in: "4,0-1,1", want: []int{0, 1, 4}},
		{in: "", want: nil},
		{in: "3-1", bad: true},
		{in: "x", bad: true},
		{in: "-1", bad: true},
	}
	for _, tc := range tests {
		got, err := ParseList(tc.in)
		if (err != nil) != tc.bad || !slices.Equal(got, tc.want) {
			t.Errorf("ParseList(%q) = %v, %v", tc.in, got, err)
		}
	}
}

// A child forked while the thread is pinned starts pinned; the thread gets
// its old set back afterwards.
func TestPinThreadPinsAChild(t *testing.T) {
	var before unix.CPUSet
	if err := unix.SchedGetaffinity(0, &before); err != nil {
		t.Fatal(err)
	}
	last := -1
	for c := 0; c < 1024; c++ {
		if before.IsSet(c) {
			last = c
		}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	restore, err := PinThread([]int{last})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("grep", "Cpus_allowed_list", "/proc/self/status").Output()
	restore()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "Cpus_allowed_list:")); got != strconv.Itoa(last) {
		t.Errorf("child allowed CPUs %q, want %d", got, last)
	}
	var after unix.CPUSet
	if err := unix.SchedGetaffinity(0, &after); err != nil || after != before {
		t.Errorf("thread affinity not restored: %v", err)
	}
	if _, err := PinThread(nil); err != ErrNoCPUs {
		t.Errorf("empty set: %v", err)
	}
	if r, err := PinThread([]int{1023}); err == nil {
		r()
		t.Error("pinning to a CPU that does not exist succeeded")
	}
}

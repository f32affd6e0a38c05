package cores

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// PinThread sets the calling OS thread's CPU affinity to cpus and returns a
// function that restores the previous affinity. The caller must hold the
// thread (runtime.LockOSThread) until it calls restore. A child forked from
// this thread in between inherits the set: that is how a child is pinned
// before it runs a single instruction.
func PinThread(cpus []int) (restore func(), err error) {
	if len(cpus) == 0 {
		return nil, ErrNoCPUs
	}
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, fmt.Errorf("read affinity: %w", err)
	}
	var set unix.CPUSet
	for _, c := range cpus {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return nil, err
	}
	return func() { _ = unix.SchedSetaffinity(0, &old) }, nil
}

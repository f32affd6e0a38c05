package testwait

import (
	"sync/atomic"
	"testing"
)

func TestUntilSeesTheState(t *testing.T) {
	var n atomic.Int32
	go func() {
		for range 100 {
			n.Add(1)
		}
	}()
	Until(t, "100 increments", func() bool { return n.Load() == 100 })
	if n.Load() != 100 {
		t.Fatalf("n = %d", n.Load())
	}
}

func TestDeadlineBeforeTestDeadline(t *testing.T) {
	end, ok := Deadline(t)
	d, tok := t.Deadline()
	if ok != tok || (ok && !end.Before(d)) {
		t.Fatalf("Deadline = %v %v, test deadline %v %v", end, ok, d, tok)
	}
}

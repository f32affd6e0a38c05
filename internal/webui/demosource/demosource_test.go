package demosource

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
)

func TestNumbersChangeAndStayConsistent(t *testing.T) {
	s := New(1)
	ctx := context.Background()
	a, _ := s.Throughput(ctx)
	b, _ := s.Throughput(ctx)
	if a == b {
		t.Fatal("two throughput samples are identical; the dashboard would not move")
	}
	for _, tp := range []webui.Throughput{a, b} {
		if tp.ShapedBitsPerSecond.Down == 0 || tp.ShapedBitsPerSecond.Down > tp.BitsPerSecond.Down {
			t.Errorf("shaped %d must be >0 and ≤ total %d", tp.ShapedBitsPerSecond.Down, tp.BitsPerSecond.Down)
		}
	}
	top, _ := s.TopCircuits(ctx, 10)
	if len(top) != 10 || top[0].Down < top[9].Down {
		t.Errorf("top circuits not 10 sorted by download: %d rows", len(top))
	}
	worst, _ := s.WorstRTT(ctx, 5)
	if len(worst) != 5 || worst[0].RTTMs < worst[4].RTTMs {
		t.Errorf("worst RTT not sorted: %v", worst)
	}
}

func TestSchedulerModes(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := New(1)
	s.SetNow(func() time.Time { return now })
	for _, mode := range SchedulerModes {
		if err := s.SetScheduler(mode); err != nil {
			t.Fatal(err)
		}
		st, _ := s.SchedulerStatus(context.Background())
		want := map[string]string{"healthy": webui.SchedHealthy, "running": webui.SchedRunning, "setup": webui.SchedSetup,
			"stale": webui.SchedStale, "error": webui.SchedError, "unavailable": webui.SchedUnavailable}[mode]
		if got := webui.DeriveSchedulerState(st, now).State; got != want {
			t.Errorf("mode %s derives %s, want %s", mode, got, want)
		}
	}
	if err := s.SetScheduler("sleepy"); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestAck(t *testing.T) {
	s := New(1)
	ctx := context.Background()
	id := s.AddUrgent(webui.UrgentIssue{Code: "X", Clearable: false})
	if err := s.AckUrgent(ctx, id, "a"); !errors.Is(err, webui.ErrNotClearable) {
		t.Errorf("ack of non-clearable: %v", err)
	}
	if err := s.AckUrgent(ctx, 999, "a"); !errors.Is(err, webui.ErrNotFound) {
		t.Errorf("ack of unknown: %v", err)
	}
	if err := s.AckAllUrgent(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	left, _ := s.UrgentIssues(ctx)
	if len(left) != 1 || left[0].ID != id {
		t.Errorf("after ack-all %v, want only the non-clearable issue", left)
	}
}

package webui

import (
	"strings"
	"testing"
	"time"
)

func TestDeriveSchedulerState(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	fresh := now.Add(-30 * time.Second)
	old := now.Add(-6 * time.Minute)
	long := strings.Repeat("x", 500)
	cases := []struct {
		name string
		in   SchedulerStatus
		want string
	}{
		{"never heard", SchedulerStatus{}, SchedUnavailable},
		{"idle and fresh", SchedulerStatus{LastHeartbeat: fresh, Phase: "ready"}, SchedHealthy},
		{"running", SchedulerStatus{LastHeartbeat: fresh, Active: true, Phase: "partial_reload"}, SchedRunning},
		{"silent for 6 minutes", SchedulerStatus{LastHeartbeat: old, Phase: "ready"}, SchedStale},
		{"exactly 5 minutes is not stale", SchedulerStatus{LastHeartbeat: now.Add(-StaleAfter), Phase: "ready"}, SchedHealthy},
		{"setup required", SchedulerStatus{LastHeartbeat: fresh, SetupRequired: true}, SchedSetup},
		{"setup beats stale", SchedulerStatus{LastHeartbeat: old, SetupRequired: true}, SchedSetup},
		{"live error", SchedulerStatus{LastHeartbeat: fresh, Phase: "degraded", LastError: "boom"}, SchedError},
		{"error beats setup", SchedulerStatus{LastHeartbeat: fresh, SetupRequired: true, LastError: "boom"}, SchedError},
		{"old error while idle+ready is not live", SchedulerStatus{LastHeartbeat: fresh, Phase: "ready", LastError: "boom"}, SchedHealthy},
		{"error while stale is live", SchedulerStatus{LastHeartbeat: old, Phase: "ready", LastError: "boom"}, SchedError},
		{"long error", SchedulerStatus{LastHeartbeat: fresh, Active: true, LastError: long}, SchedError},
	}
	sourceStates := []struct {
		name string
		in   SchedulerStatus
		want string
	}{
		{"source says healthy", SchedulerStatus{State: "healthy", LastHeartbeat: fresh, LastError: "old"}, SchedHealthy},
		{"source healthy but silent", SchedulerStatus{State: "healthy", LastHeartbeat: old}, SchedStale},
		{"source unknown", SchedulerStatus{State: "unknown"}, SchedUnavailable},
		{"source setup_required", SchedulerStatus{State: "setup_required", LastHeartbeat: fresh}, SchedSetup},
		{"source error", SchedulerStatus{State: "error", LastHeartbeat: fresh, Phase: "ready", LastError: "boom"}, SchedError},
		{"unknown source word falls back to deriving", SchedulerStatus{State: "weird", LastHeartbeat: fresh, Active: true}, SchedRunning},
	}
	cases = append(cases, sourceStates...)
	for _, tc := range cases {
		v := DeriveSchedulerState(tc.in, now)
		if v.State != tc.want {
			t.Errorf("%s: state %q, want %q", tc.name, v.State, tc.want)
		}
		if v.State == SchedError && (v.ErrorPreview == "" || len([]rune(v.ErrorPreview)) > errorPreviewLen+1) {
			t.Errorf("%s: bad error preview %q", tc.name, v.ErrorPreview)
		}
	}
	v := DeriveSchedulerState(SchedulerStatus{LastHeartbeat: old, Active: true, StepIndex: 1, StepCount: 4}, now)
	if v.UpdatedAgoSeconds != 360 || v.Percent != 25 {
		t.Errorf("age %d percent %v, want 360 and 25", v.UpdatedAgoSeconds, v.Percent)
	}
}

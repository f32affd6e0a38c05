package schedstatus

import (
	"strings"
	"testing"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *fakeClock               { return &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }
func pct(p Progress) Progress            { return p }
func progress(active bool, step, steps, percent int, phase string) Progress {
	return Progress{Active: active, Phase: phase, Step: step, Steps: steps, Percent: percent}
}

func TestStateMachine(t *testing.T) {
	type step struct {
		name    string
		advance time.Duration
		do      func(tr *Tracker)
		want    State
	}
	steps := []step{
		{"fresh daemon", 0, nil, StateUnknown},
		{"first heartbeat", 0, func(tr *Tracker) { tr.Heartbeat(time.Time{}) }, StateHealthy},
		{"integration running", time.Second, func(tr *Tracker) { tr.Progress(progress(true, 2, 5, -1, "running_integration")) }, StateRunning},
		{"integration failed", time.Second, func(tr *Tracker) { tr.Error("splynx", "boom", "/tmp/x.log") }, StateError},
		{"still failed after ready", time.Second, func(tr *Tracker) { tr.Progress(progress(false, 5, 5, -1, "ready")) }, StateError},
		{"success clears error", time.Second, func(tr *Tracker) { tr.Success(time.Time{}, 3*time.Second) }, StateHealthy},
		{"exactly 5 minutes silent is fine", StaleAfter, nil, StateHealthy},
		{"one second more is stale", time.Second, nil, StateStale},
		{"heartbeat revives", 0, func(tr *Tracker) { tr.Heartbeat(time.Time{}) }, StateHealthy},
		{"setup required dominates", 0, func(tr *Tracker) { tr.SetSetupRequired("Choose a topology source.") }, StateSetupRequired},
		{"setup cleared", 0, func(tr *Tracker) { tr.SetSetupRequired("") }, StateHealthy},
		{"error then silence shows error", 0, func(tr *Tracker) { tr.Error("", "bad", "") }, StateError},
		{"error stays over stale", 10 * time.Minute, nil, StateError},
		{"empty error text clears", 0, func(tr *Tracker) { tr.Error("", "  ", "") }, StateHealthy},
	}
	clk := newClock()
	tr := New(clk.now)
	for _, s := range steps {
		clk.add(s.advance)
		if s.do != nil {
			s.do(tr)
		}
		if got := tr.Status().State; got != s.want {
			t.Fatalf("%s: state %s, want %s (status %+v)", s.name, got, s.want, tr.Status())
		}
	}
}

func TestStatusFields(t *testing.T) {
	clk := newClock()
	tr := New(clk.now)
	next := clk.t.Add(30 * time.Minute)
	tr.Heartbeat(next)
	tr.Progress(progress(true, 3, 5, -1, "applying_overrides"))
	start := clk.t
	clk.add(time.Minute)
	tr.Error("uisp", "\x1b[31mline\r\nline2\x1b[0m", "/tmp/lqos_scheduler_uisp.log")
	tr.Output("done", "/tmp/out.log")
	st := tr.Status()
	if !st.Available || st.Stale || !st.NextRun.Equal(next) || st.Phase != "applying_overrides" {
		t.Fatalf("status %+v", st)
	}
	if st.Progress.Percent != 40 || !st.Progress.Updated.Equal(start) {
		t.Fatalf("progress %+v", st.Progress)
	}
	if st.LastError.Preview != "line\nline2" || st.LastError.Integration != "uisp" || st.LastError.LogPath == "" || !st.LastError.At.Equal(clk.t) {
		t.Fatalf("error %+v", st.LastError)
	}
	if st.LastOutput.LogPath != "/tmp/out.log" || !st.LastSeen.Equal(clk.t) {
		t.Fatalf("output %+v, last seen %v", st.LastOutput, st.LastSeen)
	}
	// A success that finished before the error does not clear it.
	tr.Success(start, time.Second)
	if tr.Status().LastError == nil {
		t.Fatal("older success cleared a newer error")
	}
	tr.Success(time.Time{}, time.Second)
	if st := tr.Status(); st.LastError != nil || st.LastSuccess.Duration != time.Second || !st.LastSuccess.At.Equal(clk.t) {
		t.Fatalf("after success %+v", st)
	}
	// The snapshot is a copy.
	st = tr.Status()
	st.Progress.Phase = "changed"
	if tr.Status().Phase != "applying_overrides" {
		t.Fatal("snapshot aliases tracker state")
	}
}

func TestPercent(t *testing.T) {
	tests := []struct {
		p    Progress
		want int
	}{
		{progress(true, 1, 5, -1, "x"), 0},
		{progress(true, 2, 5, -1, "x"), 20},
		{progress(true, 5, 5, -1, "x"), 80},
		{progress(true, 4, 4, -1, "x"), 75},
		{progress(false, 5, 5, -1, "x"), 100},
		{progress(false, 0, 0, -1, "x"), 0},
		{progress(true, 2, 3, -1, "x"), 33},
		{progress(true, 1, 5, 55, "x"), 55},
		{progress(true, 1, 5, 140, "x"), 100},
	}
	for _, tc := range tests {
		if got := percent(pct(tc.p)); got != tc.want {
			t.Errorf("percent(%+v) = %d, want %d", tc.p, got, tc.want)
		}
	}
}

func TestPreviewText(t *testing.T) {
	long := strings.Repeat("x", 5000)
	var forty []string
	for i := range 40 {
		forty = append(forty, strings.Repeat("y", i%3+1))
	}
	tests := []struct {
		name, in, want string
	}{
		{"empty", " \n\t", ""},
		{"short kept", "a\r\nb\n", "a\nb"},
		{"ansi stripped", "\x1b[1;31mred\x1b[0m", "red"},
		{"30 lines kept", strings.Join(forty[:30], "\n"), strings.Join(forty[:30], "\n")},
		{"31 lines cut", strings.Join(forty[:31], "\n"), strings.Join(forty[:30], "\n") + "\n..."},
		{"4000 chars", long[:4000], long[:4000]},
		{"4001 chars cut", long[:4001], long[:4000] + "\n..."},
		{"cut then right-trimmed", strings.Repeat("z", 3995) + "      abc", strings.Repeat("z", 3995) + "\n..."},
	}
	for _, tc := range tests {
		if got := PreviewText(tc.in); got != tc.want {
			t.Errorf("%s: got %q (%d), want %q (%d)", tc.name, trunc(got), len(got), trunc(tc.want), len(tc.want))
		}
	}
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:20] + "…" + s[len(s)-20:]
	}
	return s
}

func TestRecentAndChanged(t *testing.T) {
	clk := newClock()
	tr := New(clk.now)
	ch := tr.Changed()
	tr.Heartbeat(time.Time{})
	select {
	case <-ch:
	default:
		t.Fatal("heartbeat did not signal Changed")
	}
	tr.Progress(Progress{Active: true, Phase: "partial_integration", Label: "Running scheduled integration refresh", Step: 1, Steps: 4, Percent: -1})
	tr.Progress(Progress{Active: true, Phase: "partial_integration", Step: 1, Steps: 4, Percent: 10}) // same phase: not an event
	tr.Output("line one\nline two", "")
	tr.Error("sonar", "sonar exited with code 1. Continuing.\nOutput preview:\nboom", "")
	clk.add(time.Second)
	tr.Success(time.Time{}, 1500*time.Millisecond)
	want := []Event{
		{Kind: "success", Text: "run finished in 1.5s"},
		{Kind: "error", Text: "sonar exited with code 1. Continuing."},
		{Kind: "output", Text: "line two"},
		{Kind: "progress", Text: "Running scheduled integration refresh (0%)"},
	}
	got := tr.Status().Recent
	if len(got) != len(want) {
		t.Fatalf("recent = %+v", got)
	}
	for i := range want {
		if got[i].Kind != want[i].Kind || got[i].Text != want[i].Text {
			t.Errorf("recent[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	for i := range 2 * HistorySize {
		tr.Progress(Progress{Phase: strings.Repeat("p", i+1), Percent: -1})
	}
	got = tr.Status().Recent
	if len(got) != HistorySize || got[0].Text != strings.Repeat("p", 2*HistorySize)+" (0%)" {
		t.Fatalf("history not bounded to newest %d: %d entries, first %+v", HistorySize, len(got), got[0])
	}
}

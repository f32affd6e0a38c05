// Package schedstatus keeps lqosd's view of the lqos_scheduler service: the
// latest heartbeat, progress, error, output and success reports it sent over
// the bus, and derives a single State from them.
//
// Only the latest value of each report is kept (no history); the tracker is
// safe for concurrent use and takes an injectable clock so staleness can be
// tested without sleeping.
package schedstatus

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"time"
)

// StaleAfter is how long the scheduler may stay silent before it is reported
// stale. Every scheduler report counts as a heartbeat; the scheduler sends one
// at least every minute, so five missed minutes means it is dead or wedged.
const StaleAfter = 5 * time.Minute

// Preview limits for error texts (same as the upstream scheduler).
const (
	PreviewMaxLines = 30
	PreviewMaxChars = 4000
)

// State is the one-word summary of the scheduler's health.
type State string

const (
	// StateUnknown: the scheduler has never reported since lqosd started.
	StateUnknown State = "unknown"
	// StateSetupRequired: onboarding is incomplete (no topology source yet);
	// the scheduler has nothing useful to do, other fields are not meaningful.
	StateSetupRequired State = "setup_required"
	// StateError: the latest integration/refresh failed and no success has
	// been reported since.
	StateError State = "error"
	// StateStale: the scheduler reported before but has been silent for
	// longer than StaleAfter.
	StateStale State = "stale"
	// StateRunning: a job is in progress (Progress.Active).
	StateRunning State = "running"
	// StateHealthy: recently seen, idle, no live error.
	StateHealthy State = "healthy"
)

// Progress is a structured progress report. Percent < 0 means "not given";
// it is then derived from Step/Steps.
type Progress struct {
	Active  bool   `json:"active"`
	Phase   string `json:"phase"`
	Label   string `json:"label,omitempty"`
	Step    int    `json:"step,omitempty"`
	Steps   int    `json:"steps,omitempty"`
	Percent int    `json:"percent"`
	// Updated is stamped by the tracker when the report arrives.
	Updated time.Time `json:"updated"`
}

// ErrorReport is the latest failure.
type ErrorReport struct {
	Integration string    `json:"integration,omitempty"`
	Preview     string    `json:"preview"`
	LogPath     string    `json:"log_path,omitempty"`
	At          time.Time `json:"at"`
}

// SuccessReport is the latest successful run.
type SuccessReport struct {
	At       time.Time     `json:"at"`
	Duration time.Duration `json:"duration_ns"`
}

// OutputReport is the latest informational output.
type OutputReport struct {
	Text    string    `json:"text,omitempty"`
	LogPath string    `json:"log_path,omitempty"`
	At      time.Time `json:"at"`
}

// HistorySize is how many recent events Status.Recent keeps.
const HistorySize = 20

// Event is one entry of the recent-activity list.
type Event struct {
	At time.Time `json:"at"`
	// Kind is "progress", "error", "output" or "success".
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// Status is a snapshot of the scheduler as seen by lqosd.
type Status struct {
	State State `json:"state"`
	// Available: any report within StaleAfter.
	Available bool `json:"available"`
	// Stale: reported at least once, but not within StaleAfter.
	Stale        bool           `json:"stale"`
	LastSeen     time.Time      `json:"last_seen,omitzero"`
	NextRun      time.Time      `json:"next_run,omitzero"`
	Progress     *Progress      `json:"progress,omitempty"`
	LastError    *ErrorReport   `json:"last_error,omitempty"`
	LastSuccess  *SuccessReport `json:"last_success,omitempty"`
	LastOutput   *OutputReport  `json:"last_output,omitempty"`
	SetupMessage string         `json:"setup_message,omitempty"`
	// Phase is Progress.Phase copied up for convenience ("" if none).
	Phase string `json:"phase,omitempty"`
	// Recent lists the last HistorySize progress changes, errors, outputs
	// and successes, newest first (heartbeats are not recorded).
	Recent []Event `json:"recent,omitempty"`
}

// Tracker accumulates scheduler reports.
type Tracker struct {
	now func() time.Time

	mu       sync.Mutex
	lastSeen time.Time
	nextRun  time.Time
	progress *Progress
	lastErr  *ErrorReport
	success  *SuccessReport
	output   *OutputReport
	setup    string
	history  []Event // ring, oldest first
	changed  chan struct{}
}

// New returns a tracker using clock (time.Now if nil).
func New(clock func() time.Time) *Tracker {
	if clock == nil {
		clock = time.Now
	}
	return &Tracker{now: clock, changed: make(chan struct{})}
}

// Changed returns a channel closed at the next change of the reported
// state, so a web UI can push updates instead of polling. Staleness is a
// function of time and does not signal: combine with a ticker.
func (t *Tracker) Changed() <-chan struct{} {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.changed
}

// touchLocked records an event (if kind is set) and wakes Changed waiters.
func (t *Tracker) touchLocked(at time.Time, kind, text string) {
	if kind != "" {
		if len(t.history) == HistorySize {
			t.history = append(t.history[:0], t.history[1:]...)
		}
		t.history = append(t.history, Event{At: at, Kind: kind, Text: text})
	}
	close(t.changed)
	t.changed = make(chan struct{})
}

// Heartbeat records that the scheduler is alive. A non-zero nextRun updates
// the announced time of the next scheduled refresh.
func (t *Tracker) Heartbeat(nextRun time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.lastSeen = t.now()
	if !nextRun.IsZero() {
		t.nextRun = nextRun
	}
	t.touchLocked(t.lastSeen, "", "")
}

// Progress records a progress report (also a heartbeat).
func (t *Tracker) Progress(p Progress) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.lastSeen = now
	p.Phase = clean(p.Phase)
	p.Label = clean(p.Label)
	p.Percent = percent(p)
	p.Updated = now
	if t.progress == nil || t.progress.Phase != p.Phase || t.progress.Active != p.Active {
		label := p.Label
		if label == "" {
			label = p.Phase
		}
		t.touchLocked(now, "progress", fmt.Sprintf("%s (%d%%)", label, p.Percent))
	} else {
		t.touchLocked(now, "", "")
	}
	t.progress = &p
}

// Error records a failure (also a heartbeat). The text is cut to a preview;
// an empty text clears the error, matching the upstream contract.
func (t *Tracker) Error(integration, text, logPath string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.lastSeen = now
	text = PreviewText(text)
	if text == "" {
		t.lastErr = nil
		t.touchLocked(now, "", "")
		return
	}
	t.lastErr = &ErrorReport{Integration: clean(integration), Preview: text, LogPath: logPath, At: now}
	first, _, _ := strings.Cut(text, "\n")
	t.touchLocked(now, "error", first)
}

// Output records informational output or the path of a full log (also a
// heartbeat). Empty text and path clear it.
func (t *Tracker) Output(text, logPath string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.lastSeen = now
	text = PreviewText(text)
	if text == "" && logPath == "" {
		t.output = nil
		t.touchLocked(now, "", "")
		return
	}
	t.output = &OutputReport{Text: text, LogPath: logPath, At: now}
	line := logPath
	if text != "" {
		lines := strings.Split(text, "\n")
		line = lines[len(lines)-1] // the latest line is the most recent result
	}
	t.touchLocked(now, "output", line)
}

// Success records a successful run that finished at `at` (now if zero) and
// took d. A success clears a live error: failures stay visible until the
// next successful run.
func (t *Tracker) Success(at time.Time, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	t.lastSeen = now
	if at.IsZero() {
		at = now
	}
	t.success = &SuccessReport{At: at, Duration: d}
	if t.lastErr != nil && !t.lastErr.At.After(at) {
		t.lastErr = nil
	}
	t.touchLocked(now, "success", "run finished in "+d.Round(time.Millisecond).String())
}

// SetSetupRequired marks onboarding as incomplete with a message for the
// operator; an empty message clears it. This is decided by lqosd (config
// inspection), not reported by the scheduler.
func (t *Tracker) SetSetupRequired(msg string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.setup = strings.TrimSpace(msg)
	t.touchLocked(t.now(), "", "")
}

// Status returns a snapshot with the derived state.
func (t *Tracker) Status() Status {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	s := Status{LastSeen: t.lastSeen, NextRun: t.nextRun, SetupMessage: t.setup}
	if t.setup != "" {
		// Everything else is meaningless until onboarding is done.
		s.State = StateSetupRequired
		return s
	}
	seen := !t.lastSeen.IsZero()
	s.Available = seen && now.Sub(t.lastSeen) <= StaleAfter
	s.Stale = seen && !s.Available
	if t.progress != nil {
		p := *t.progress
		s.Progress = &p
		s.Phase = p.Phase
	}
	if t.lastErr != nil {
		e := *t.lastErr
		s.LastError = &e
	}
	if t.success != nil {
		v := *t.success
		s.LastSuccess = &v
	}
	if t.output != nil {
		o := *t.output
		s.LastOutput = &o
	}
	for i := len(t.history) - 1; i >= 0; i-- {
		s.Recent = append(s.Recent, t.history[i])
	}
	switch {
	case s.LastError != nil:
		s.State = StateError
	case s.Stale:
		s.State = StateStale
	case !seen:
		s.State = StateUnknown
	case s.Progress != nil && s.Progress.Active:
		s.State = StateRunning
	default:
		s.State = StateHealthy
	}
	return s
}

// percent returns the reported percent, or derives it from the step counter:
// an active step i of n is (i-1)/n done, an inactive one i/n. Clamped 0..100.
func percent(p Progress) int {
	v := p.Percent
	if v < 0 {
		v = 0
		if p.Steps > 0 {
			done := p.Step
			if p.Active {
				done--
			}
			v = int(math.Round(float64(done) / float64(p.Steps) * 100))
		}
	}
	return min(max(v, 0), 100)
}

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]`)

// clean strips ANSI escapes and surrounding space.
func clean(s string) string {
	return strings.TrimSpace(ansiRE.ReplaceAllString(s, ""))
}

// PreviewText normalises a (possibly long) output text for display: CRLF to
// LF, ANSI escapes removed, trimmed, then cut to the first PreviewMaxLines
// lines and PreviewMaxChars characters; "\n..." marks a cut.
func PreviewText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = clean(s)
	if s == "" {
		return ""
	}
	cut := false
	if lines := strings.SplitN(s, "\n", PreviewMaxLines+1); len(lines) > PreviewMaxLines {
		s = strings.Join(lines[:PreviewMaxLines], "\n")
		cut = true
	}
	if r := []rune(s); len(r) > PreviewMaxChars {
		s = strings.TrimRight(string(r[:PreviewMaxChars]), " \t\n")
		cut = true
	}
	if cut {
		s += "\n..."
	}
	return s
}

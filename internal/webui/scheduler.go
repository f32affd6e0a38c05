package webui

import (
	"errors"
	"time"
	"unicode/utf8"
)

// Errors a Source may return from AckUrgent.
var (
	ErrNotFound     = errors.New("not found")
	ErrNotClearable = errors.New("issue cannot be acknowledged")
)

// Scheduler states shown by the navigation indicator.
const (
	SchedHealthy     = "healthy"
	SchedRunning     = "running"
	SchedSetup       = "setup"
	SchedStale       = "stale"
	SchedError       = "error"
	SchedUnavailable = "unavailable"
)

// StaleAfter is how long the scheduler may stay silent before it is "stale".
const StaleAfter = 5 * time.Minute

const errorPreviewLen = 300

// SchedulerView is what the UI receives: the raw report plus derived fields.
type SchedulerView struct {
	SchedulerStatus
	State        string `json:"state"`
	ErrorPreview string `json:"error_preview,omitempty"`
	// UpdatedAgoSeconds is the age of LastHeartbeat (-1 = never).
	UpdatedAgoSeconds int64 `json:"updated_ago_s"`
}

// DeriveSchedulerState applies the upstream decision order: a live error
// first, then setup required, stale, running, healthy, else unavailable.
func DeriveSchedulerState(s SchedulerStatus, now time.Time) SchedulerView {
	v := SchedulerView{SchedulerStatus: s, UpdatedAgoSeconds: -1}
	heard := !s.LastHeartbeat.IsZero()
	available := heard && now.Sub(s.LastHeartbeat) <= StaleAfter
	if heard {
		v.UpdatedAgoSeconds = int64(now.Sub(s.LastHeartbeat) / time.Second)
	}
	// An old error is not live once the scheduler is up, idle and ready.
	liveErr := s.LastError != "" && !(available && !s.Active && s.Phase == "ready")
	if st, ok := sourceState(s.State); ok {
		// The source already decided; only staleness is ours to apply,
		// because the source may not re-evaluate while nobody reports.
		if (st == SchedHealthy || st == SchedRunning) && heard && !available {
			st = SchedStale
		}
		v.State = st
		if st == SchedError {
			v.ErrorPreview = preview(s.LastError, errorPreviewLen)
		}
	} else {
		v.State = deriveState(s, heard, available, liveErr)
		if v.State == SchedError {
			v.ErrorPreview = preview(s.LastError, errorPreviewLen)
		}
	}
	if v.Percent == 0 && s.StepCount > 0 {
		v.Percent = 100 * float64(s.StepIndex) / float64(s.StepCount)
	}
	return v
}

func sourceState(s string) (string, bool) {
	switch s {
	case SchedHealthy, SchedRunning, SchedSetup, SchedStale, SchedError, SchedUnavailable:
		return s, true
	case "unknown":
		return SchedUnavailable, true
	case "setup_required":
		return SchedSetup, true
	}
	return "", false
}

func deriveState(s SchedulerStatus, heard, available, liveErr bool) string {
	switch {
	case liveErr:
		return SchedError
	case s.SetupRequired:
		return SchedSetup
	case heard && !available:
		return SchedStale
	case s.Active:
		return SchedRunning
	case available:
		return SchedHealthy
	}
	return SchedUnavailable
}

// preview cuts s to at most n runes, marking the cut.
func preview(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

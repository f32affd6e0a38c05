package scheduler

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/libreqos-go/lqos/internal/integrations"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// Reporter sends the scheduler's status to lqosd. Every call also counts as
// a heartbeat there. Implementations must be safe for concurrent use (the
// heartbeat runs on its own goroutine). Errors are logged and otherwise
// ignored: a missing lqosd must never stop shaping work.
type Reporter interface {
	Heartbeat(ctx context.Context, nextRun time.Time) error
	Progress(ctx context.Context, p Progress) error
	// Output is informational text; "" clears it.
	Output(ctx context.Context, text, logPath string) error
	// Error is the latest failure (a preview, see Preview); "" clears it.
	Error(ctx context.Context, integration, text, logPath string) error
	Success(ctx context.Context, finishedAt time.Time, took time.Duration) error
	RaiseUrgent(ctx context.Context, u Urgent) error
}

// Progress is one phase of a job. Step/Steps count the phases of the job
// (1-based); lqosd derives the percentage from them.
type Progress struct {
	Active bool
	Phase  string
	Label  string
	Step   int
	Steps  int
}

// Urgent is an urgent issue raised in lqosd.
type Urgent struct {
	Code     string
	Severity urgent.Severity
	Message  string
	Context  map[string]any
}

// BusWaiter answers whether lqosd's bus is up.
type BusWaiter interface {
	Ping(ctx context.Context) error
}

// Phase keys (upstream's where the meaning is the same, so the UI and the
// operators' habits carry over).
const (
	PhaseWaitingForBus   = "waiting_for_bus"
	PhaseIntegration     = "running_integration"
	PhaseCheckInputs     = "checking_inputs"
	PhaseInitialReload   = "initial_shaping_reload"
	PhasePartialIntegr   = "partial_integration"
	PhasePartialCheck    = "partial_runtime_hash"
	PhasePartialReload   = "partial_reload"
	PhaseInputChange     = "input_change"
	PhaseWaitingForLock  = "waiting_for_apply_lock"
	PhaseReady           = "ready"
	PhaseDegraded        = "degraded"
	PhaseValidationFail  = "validation_failed"
	PhaseSetupRequired   = "setup_required"
	UrgentRepeatedFailed = "SCHEDULER_REPEATED_FAILURES"
)

// Preview limits for error texts sent to lqosd.
const (
	PreviewLines = 30
	PreviewChars = 4000
)

// Normalize turns captured output into the form that is previewed and
// logged: CRLF as LF, surrounding space trimmed.
func Normalize(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// Preview cuts normalised output to the first PreviewLines lines and
// PreviewChars characters; "\n..." marks a cut.
func Preview(s string) string {
	cut := false
	if lines := strings.SplitN(s, "\n", PreviewLines+1); len(lines) > PreviewLines {
		s = strings.Join(lines[:PreviewLines], "\n")
		cut = true
	}
	if r := []rune(s); len(r) > PreviewChars {
		s = strings.TrimRightFunc(string(r[:PreviewChars]), unicode.IsSpace)
		cut = true
	}
	if cut {
		s += "\n..."
	}
	return s
}

// Label is the human name of an integration (integrations.Label), used in
// messages; log file tokens derive from it so the file names match
// upstream's (lqos_scheduler_uisp_integration_...).
func Label(name string) string { return integrations.Label(name) }

// Token is the log file name part for a label: lower case, every other
// character than a-z0-9 replaced by "_", outer "_" trimmed.
func Token(label string) string {
	b := []byte(strings.ToLower(label))
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			b[i] = '_'
		}
	}
	t := strings.Trim(string(b), "_")
	if t == "" {
		return "integration"
	}
	return t
}

// LogName is the base name of a full-output log written at t.
func LogName(token string, t time.Time) string {
	return fmt.Sprintf("lqos_scheduler_%s_%s.log", token, t.Format("20060102_150405"))
}

// writeLog writes content plus a newline to dir/LogName. Two failures in the
// same second get "_2", "_3"... before ".log" instead of overwriting.
func writeLog(dir, token string, t time.Time, content string) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	base := strings.TrimSuffix(LogName(token, t), ".log")
	for i := 1; i < 100; i++ {
		name := base + ".log"
		if i > 1 {
			name = fmt.Sprintf("%s_%d.log", base, i)
		}
		p := filepath.Join(dir, name)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.WriteString(content + "\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", fmt.Errorf("write %s: %w", p, err)
		}
		return p, nil
	}
	return "", fmt.Errorf("log directory %s: too many logs named %s*", dir, base)
}

// NopReporter drops every report (lqosd unreachable in --once mode).
type NopReporter struct{}

func (NopReporter) Heartbeat(context.Context, time.Time) error              { return nil }
func (NopReporter) Progress(context.Context, Progress) error                { return nil }
func (NopReporter) Output(context.Context, string, string) error            { return nil }
func (NopReporter) Error(context.Context, string, string, string) error     { return nil }
func (NopReporter) Success(context.Context, time.Time, time.Duration) error { return nil }
func (NopReporter) RaiseUrgent(context.Context, Urgent) error               { return nil }

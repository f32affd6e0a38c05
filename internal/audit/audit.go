// Package audit records who did what and when: logins (successful or not,
// with the client address) and administrative actions. Each event is one
// JSON line appended to a file in the state directory and is also logged
// with slog, so it reaches the journal even when the file cannot be written.
//
// The file is opened write-only with O_APPEND (earlier lines are never
// rewritten), without following a symlink at its path, mode 0600 in a 0700
// directory.
package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

// Outcomes of an event.
const (
	Success = "success"
	Failure = "failure"
	Refused = "refused"
)

// Event is one audit record.
type Event struct {
	Time time.Time `json:"ts"`
	// Action names what was attempted, e.g. "login", "user.create".
	Action string `json:"action"`
	// Actor is the user who acted (for a failed login: the name tried).
	Actor string `json:"actor,omitempty"`
	// Addr is the client address.
	Addr    string `json:"addr,omitempty"`
	Outcome string `json:"outcome"`
	// Target is what the action was applied to (a user name, an issue id).
	Target string `json:"target,omitempty"`
	// Reason explains a failure or refusal.
	Reason string `json:"reason,omitempty"`
}

// Log appends events to a file. A nil *Log records nothing.
type Log struct {
	path string
	log  *slog.Logger
	now  func() time.Time

	mu sync.Mutex
	f  *os.File
}

// Open opens (creating) the audit file at path for appending.
func Open(path string, log *slog.Logger, now func() time.Time) (*Log, error) {
	if log == nil {
		log = slog.Default()
	}
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	if st, err := f.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			f.Close()
			return nil, fmt.Errorf("audit log: %w", err)
		}
	}
	return &Log{path: path, log: log.With("component", "audit"), now: now, f: f}, nil
}

// LoggerOnly returns a Log that records to log without a file.
func LoggerOnly(log *slog.Logger) *Log {
	if log == nil {
		log = slog.Default()
	}
	return &Log{log: log.With("component", "audit"), now: time.Now}
}

// Path is the file the log appends to.
func (l *Log) Path() string { return l.path }

// Record stamps e with the current time (unless set) and appends it. A
// failed write is logged, never returned: auditing must not block a login.
func (l *Log) Record(e Event) {
	if l == nil {
		return
	}
	if e.Time.IsZero() {
		e.Time = l.now().UTC()
	}
	l.log.Info("audit", "action", e.Action, "actor", e.Actor, "addr", e.Addr, "outcome", e.Outcome,
		"target", e.Target, "reason", e.Reason)
	line, err := json.Marshal(e)
	if err != nil {
		return
	}
	line = append(line, '\n')
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return
	}
	// One write per line: with O_APPEND concurrent writers never interleave
	// inside a line.
	if _, err := l.f.Write(line); err != nil {
		l.log.Error("audit log write failed", "path", l.path, "err", err)
	}
}

// Close closes the file; later events go to slog only.
func (l *Log) Close() error {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	err := l.f.Close()
	l.f = nil
	return err
}

// Tail returns up to n of the newest events in the file at path that keep
// says to keep, newest first. Lines that do not decode are skipped.
func Tail(path string, n int, keep func(Event) bool) ([]Event, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return []Event{}, nil
		}
		return nil, fmt.Errorf("audit log: %w", err)
	}
	out := []Event{}
	lines := bytes.Split(b, []byte{'\n'})
	for i := len(lines) - 1; i >= 0 && len(out) < n; i-- {
		var e Event
		if len(lines[i]) == 0 || json.Unmarshal(lines[i], &e) != nil {
			continue
		}
		if keep == nil || keep(e) {
			out = append(out, e)
		}
	}
	return out, nil
}

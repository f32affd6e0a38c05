// Package urgent stores "urgent issues": conditions an operator must look at
// (mapping apply failures, capacity limits, ...), raised by lqosd itself or by
// the scheduler over the bus, shown in the web UI and the lqos CLI.
//
// Semantics (deliberate differences from upstream, which kept a volatile ring
// and deleted issues on acknowledgement):
//
//   - Issues are de-duplicated by code: raising a code that already has an
//     open (unacknowledged) issue bumps its count and last_seen and replaces
//     its message, context and severity with the newest values.
//   - Acknowledging keeps the issue as history (who/when). Raising the same
//     code after acknowledgement opens a NEW issue (new id, count 1): the
//     condition came back, so the operator must see it again, and the record
//     of the earlier acknowledgement is not rewritten.
//   - Resolve closes open issues of a code automatically (e.g. a later
//     successful mapping apply); it is recorded as acknowledged by "auto".
//   - The store keeps at most Max issues. When full, acknowledged issues are
//     dropped first (oldest last_seen first), then the oldest open ones.
//   - Every change is written to a small JSON file atomically (temp file,
//     fsync, rename, fsync dir), so issues survive lqosd restarts. A corrupt
//     file is moved aside to <path>.bad and the store starts empty, recording
//     an URGENT_STORE_CORRUPT issue about it.
package urgent

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/libreqos-go/lqos/internal/atomicfile"
)

// Severity of an issue.
type Severity string

const (
	Info    Severity = "info"
	Warning Severity = "warning"
	Error   Severity = "error"
)

// Valid reports whether s is one of the known severities.
func (s Severity) Valid() bool { return s == Info || s == Warning || s == Error }

// Limits on what a raiser may store.
const (
	DefaultMax      = 200
	MaxCodeLen      = 64
	MaxMessageLen   = 4000
	MaxContextBytes = 16 << 10
	MaxSourceLen    = 64
	fileVersion     = 1
)

// CodeStoreCorrupt is raised by the store itself when its file was unreadable.
const CodeStoreCorrupt = "URGENT_STORE_CORRUPT"

// ErrCorrupt is wrapped by Open's error when the file could not be parsed.
// The returned store is still usable (empty except for one issue about it).
var ErrCorrupt = errors.New("urgent issue file is corrupt")

// ErrInvalid is wrapped by Raise's error when the raise itself is invalid
// (as opposed to a failure to persist it).
var ErrInvalid = errors.New("invalid urgent issue")

// ErrNotFound is returned by Acknowledge when nothing matched.
var ErrNotFound = errors.New("no such urgent issue")

// Issue is one urgent issue.
type Issue struct {
	ID       uint64   `json:"id"`
	Code     string   `json:"code"`
	Severity Severity `json:"severity"`
	// Source names the raiser (scheduler, lqosd, api, ...); informational.
	Source  string `json:"source,omitempty"`
	Message string `json:"message"`
	// Context is optional structured detail, any JSON value.
	Context   json.RawMessage `json:"context,omitempty"`
	FirstSeen time.Time       `json:"first_seen"`
	LastSeen  time.Time       `json:"last_seen"`
	Count     uint64          `json:"count"`

	Acknowledged   bool      `json:"acknowledged"`
	AcknowledgedBy string    `json:"acknowledged_by,omitempty"`
	AcknowledgedAt time.Time `json:"acknowledged_at,omitzero"`
}

// Raise is what a raiser supplies.
type Raise struct {
	Code     string
	Severity Severity
	Source   string
	Message  string
	Context  json.RawMessage
}

// Options configure a Store.
type Options struct {
	// Max issues kept (DefaultMax if <= 0).
	Max int
	// Clock (time.Now if nil).
	Clock func() time.Time
}

// Store is a persistent, bounded, concurrency-safe urgent issue store.
type Store struct {
	path string
	max  int
	now  func() time.Time

	mu     sync.Mutex
	nextID uint64
	issues []*Issue // ordered by id (oldest first)
}

type fileFormat struct {
	Version int      `json:"version"`
	NextID  uint64   `json:"next_id"`
	Issues  []*Issue `json:"issues"`
}

// Open loads the store at path (the file need not exist; its directory is
// created 0700). If the file is corrupt it is renamed to path+".bad", the
// store starts empty, and the error wraps ErrCorrupt while the returned store
// is usable. Any other error returns a nil store.
func Open(path string, opts Options) (*Store, error) {
	s := &Store{path: path, max: opts.Max, now: opts.Clock, nextID: 1}
	if s.max <= 0 {
		s.max = DefaultMax
	}
	if s.now == nil {
		s.now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("urgent store: %w", err)
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("urgent store: %w", err)
	}
	perr := s.load(data)
	if perr == nil {
		return s, nil
	}
	bad := path + ".bad"
	if err := os.Rename(path, bad); err != nil {
		return nil, fmt.Errorf("urgent store %s: %v; and moving it aside failed: %w", path, perr, err)
	}
	cerr := fmt.Errorf("%w: %s: %v (moved to %s, starting empty)", ErrCorrupt, path, perr, bad)
	ctx, _ := json.Marshal(map[string]string{"path": path, "moved_to": bad, "error": perr.Error()})
	if _, err := s.Raise(Raise{Code: CodeStoreCorrupt, Severity: Warning, Source: "lqosd",
		Message: "The urgent issue file could not be read; earlier issues were lost. A copy was kept.", Context: ctx}); err != nil {
		return nil, errors.Join(cerr, err)
	}
	return s, cerr
}

// load parses and validates the file contents.
func (s *Store) load(data []byte) error {
	var f fileFormat
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return describeJSONError(data, err)
	}
	if dec.More() {
		return errors.New("trailing data after JSON object")
	}
	if f.Version != fileVersion {
		return fmt.Errorf("field version: unsupported value %d (want %d)", f.Version, fileVersion)
	}
	seen := map[uint64]bool{}
	maxID := uint64(0)
	for i, is := range f.Issues {
		if is == nil {
			return fmt.Errorf("issues[%d]: null", i)
		}
		if is.ID == 0 || seen[is.ID] {
			return fmt.Errorf("issues[%d].id: missing or duplicate id %d", i, is.ID)
		}
		seen[is.ID] = true
		if err := validateCode(is.Code); err != nil {
			return fmt.Errorf("issues[%d].code: %v", i, err)
		}
		if !is.Severity.Valid() {
			return fmt.Errorf("issues[%d].severity: unknown value %q", i, is.Severity)
		}
		maxID = max(maxID, is.ID)
	}
	slices.SortFunc(f.Issues, func(a, b *Issue) int { return cmpU64(a.ID, b.ID) })
	s.issues = f.Issues
	s.nextID = max(f.NextID, maxID+1)
	s.trim()
	return nil
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// describeJSONError adds a line number to JSON syntax/type errors.
func describeJSONError(data []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		if te.Field != "" {
			err = fmt.Errorf("field %s: %w", te.Field, err)
		}
	}
	if off >= 0 && off <= int64(len(data)) {
		line := 1 + bytes.Count(data[:off], []byte("\n"))
		return fmt.Errorf("line %d: %w", line, err)
	}
	return err
}

var codeRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)

func validateCode(c string) error {
	switch {
	case c == "":
		return errors.New("empty")
	case len(c) > MaxCodeLen:
		return fmt.Errorf("longer than %d bytes", MaxCodeLen)
	case !codeRE.MatchString(c):
		return fmt.Errorf("%q may contain only letters, digits and _ . : -", c)
	}
	return nil
}

var ansiRE = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]`)

// Validate checks a Raise and returns an error naming the bad field.
func (r *Raise) Validate() error {
	if err := validateCode(r.Code); err != nil {
		return fmt.Errorf("code: %v", err)
	}
	if !r.Severity.Valid() {
		return fmt.Errorf("severity: unknown value %q (want info, warning or error)", r.Severity)
	}
	if len(r.Source) > MaxSourceLen {
		return fmt.Errorf("source: longer than %d bytes", MaxSourceLen)
	}
	if !utf8.ValidString(r.Message) {
		return errors.New("message: not valid UTF-8")
	}
	if strings.TrimSpace(r.Message) == "" {
		return errors.New("message: empty")
	}
	if len(r.Context) > MaxContextBytes {
		return fmt.Errorf("context: %d bytes, limit %d", len(r.Context), MaxContextBytes)
	}
	if len(r.Context) > 0 && !json.Valid(r.Context) {
		return errors.New("context: not valid JSON")
	}
	return nil
}

// Raise records an issue (see the package doc for de-duplication) and
// persists the store. It returns a copy of the stored issue. If persisting
// fails the in-memory state is still updated and the error is returned.
func (s *Store) Raise(r Raise) (Issue, error) {
	if err := r.Validate(); err != nil {
		return Issue{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	msg := strings.TrimSpace(ansiRE.ReplaceAllString(r.Message, ""))
	if msg == "" {
		return Issue{}, fmt.Errorf("%w: message: empty once terminal escape sequences are removed", ErrInvalid)
	}
	if rs := []rune(msg); len(rs) > MaxMessageLen {
		msg = string(rs[:MaxMessageLen]) + "..."
	}
	var ctx json.RawMessage
	if len(r.Context) > 0 {
		var buf bytes.Buffer
		if err := json.Compact(&buf, r.Context); err == nil && buf.String() != "null" {
			ctx = buf.Bytes()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now().UTC()
	var is *Issue
	for _, x := range s.issues {
		if x.Code == r.Code && !x.Acknowledged {
			is = x
			break
		}
	}
	if is != nil {
		is.Count++
		is.LastSeen = now
		is.Severity, is.Source, is.Message, is.Context = r.Severity, r.Source, msg, ctx
	} else {
		is = &Issue{ID: s.nextID, Code: r.Code, Severity: r.Severity, Source: r.Source, Message: msg,
			Context: ctx, FirstSeen: now, LastSeen: now, Count: 1}
		s.nextID++
		s.issues = append(s.issues, is)
		s.trim()
	}
	out := clone(is)
	return out, s.saveLocked()
}

// trim enforces the size bound. Caller holds mu (or owns s exclusively).
func (s *Store) trim() {
	for len(s.issues) > s.max {
		victim := -1
		for pass := 0; pass < 2 && victim < 0; pass++ {
			for i, x := range s.issues {
				if pass == 0 && !x.Acknowledged {
					continue
				}
				if victim < 0 || x.LastSeen.Before(s.issues[victim].LastSeen) {
					victim = i
				}
			}
		}
		s.issues = slices.Delete(s.issues, victim, victim+1)
	}
}

// ListOptions filter List.
type ListOptions struct {
	// OpenOnly returns only unacknowledged issues.
	OpenOnly bool
}

// List returns copies of the issues, newest last_seen first.
func (s *Store) List(o ListOptions) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, 0, len(s.issues))
	for _, x := range s.issues {
		if o.OpenOnly && x.Acknowledged {
			continue
		}
		out = append(out, clone(x))
	}
	slices.SortStableFunc(out, func(a, b Issue) int {
		if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
			return c
		}
		return cmpU64(b.ID, a.ID)
	})
	return out
}

// Get returns the issue with id.
func (s *Store) Get(id uint64) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.issues {
		if x.ID == id {
			return clone(x), true
		}
	}
	return Issue{}, false
}

// OpenCount returns how many issues are unacknowledged (for a UI badge).
func (s *Store) OpenCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, x := range s.issues {
		if !x.Acknowledged {
			n++
		}
	}
	return n
}

// Acknowledge marks the issue with id as acknowledged by `by`. Acknowledging
// an already acknowledged issue is a no-op (the first who/when is kept).
// If the store cannot be saved nothing is acknowledged.
func (s *Store) Acknowledge(id uint64, by string) (Issue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range s.issues {
		if x.ID == id {
			if x.Acknowledged {
				return clone(x), nil
			}
			out, err := s.ackLocked(func(y *Issue) bool { return y == x }, by, true)
			if err != nil {
				return Issue{}, err
			}
			return out[0], nil
		}
	}
	return Issue{}, fmt.Errorf("%w: id %d", ErrNotFound, id)
}

// AcknowledgeCode acknowledges every open issue with code and returns them.
// ErrNotFound if none was open. All or nothing: if the store cannot be
// saved, none of them is acknowledged.
func (s *Store) AcknowledgeCode(code, by string) ([]Issue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := s.ackLocked(func(x *Issue) bool { return x.Code == code }, by, true)
	if err == nil && len(out) == 0 {
		return nil, fmt.Errorf("%w: no open issue with code %q", ErrNotFound, code)
	}
	return out, err
}

// AcknowledgeAll acknowledges every open issue in one save and returns
// them (none open is not an error). All or nothing: if the store cannot be
// saved, none of them is acknowledged.
func (s *Store) AcknowledgeAll(by string) ([]Issue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ackLocked(func(*Issue) bool { return true }, by, true)
}

// Resolve acknowledges open issues of code as "auto" because the condition
// went away. It returns how many were closed; no match is not an error. The
// condition is gone either way, so a failed save still closes them in
// memory (and the error is returned).
func (s *Store) Resolve(code string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := s.ackLocked(func(x *Issue) bool { return x.Code == code }, "auto", false)
	return len(out), err
}

// ackLocked acknowledges the open issues matching and saves once. With
// allOrNothing a failed save restores the issues as they were.
func (s *Store) ackLocked(match func(*Issue) bool, by string, allOrNothing bool) ([]Issue, error) {
	var changed []*Issue
	var before []Issue
	for _, x := range s.issues {
		if !x.Acknowledged && match(x) {
			before = append(before, *x)
			s.ack(x, by)
			changed = append(changed, x)
		}
	}
	if len(changed) == 0 {
		return nil, nil
	}
	if err := s.saveLocked(); err != nil {
		if allOrNothing {
			for i, x := range changed {
				*x = before[i]
			}
			return nil, err
		}
		return cloneAll(changed), err
	}
	return cloneAll(changed), nil
}

func cloneAll(xs []*Issue) []Issue {
	out := make([]Issue, len(xs))
	for i, x := range xs {
		out[i] = clone(x)
	}
	return out
}

func (s *Store) ack(x *Issue, by string) {
	if by == "" {
		by = "unknown"
	}
	x.Acknowledged = true
	x.AcknowledgedBy = by
	x.AcknowledgedAt = s.now().UTC()
}

func clone(x *Issue) Issue {
	c := *x
	c.Context = slices.Clone(x.Context)
	return c
}

// saveLocked writes the file atomically. Caller holds mu.
func (s *Store) saveLocked() error {
	data, err := json.MarshalIndent(fileFormat{Version: fileVersion, NextID: s.nextID, Issues: s.issues}, "", "  ")
	if err != nil {
		return fmt.Errorf("urgent store: encode: %w", err)
	}
	data = append(data, '\n')
	if err := writeAtomic(s.path, data); err != nil {
		return fmt.Errorf("urgent store: %w", err)
	}
	return nil
}

// writeAtomic replaces path so a crash leaves the old or the new store.
func writeAtomic(path string, data []byte) error { return atomicfile.Write(path, data, 0o600) }

// Package configedit changes the operator's files (lqos.conf, network.json,
// ShapedDevices.csv) on behalf of the web UI, safely: every save is checked
// by the same validation as `libreqos validate` with the candidate in place
// of the file, refused when it was based on a copy that has changed on disk
// since, and written atomically with the previous content kept as a
// timestamped backup that can be restored.
package configedit

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/atomicfile"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/inputs"
)

// The files the editors change.
const (
	ConfigFile  = "lqos.conf"
	NetworkFile = inputs.NetworkFile
	DevicesFile = inputs.ShapedDevicesFile
)

// KeepBackups is how many earlier versions are kept per file.
const KeepBackups = 50

// Errors of Save; the web UI maps them to HTTP statuses.
var (
	// ErrStale: the file changed on disk since the copy the edit is based on.
	ErrStale = errors.New("the file changed on disk since this page loaded it; reload the page and make the change again")
	// ErrUnknownFile: not one of the editable files.
	ErrUnknownFile = errors.New("unknown file")
)

// OwnedError: an enabled integration writes this file on every run, so an
// edit would be overwritten.
type OwnedError struct{ Integrations []string }

func (e *OwnedError) Error() string {
	return "editing is disabled because these integrations are the source of truth: " + strings.Join(e.Integrations, ", ") +
		" (they overwrite the file on their next run)"
}

// ValidationError lists every problem that refused a save.
type ValidationError struct{ Problems []diag.Problem }

func (e *ValidationError) Error() string {
	msgs := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		msgs = append(msgs, p.String())
	}
	return "not saved: " + strings.Join(msgs, "; ")
}

// Store edits the files of one installation.
type Store struct {
	// ConfigPath is lqos.conf.
	ConfigPath string
	// HistoryDir keeps the backups, one sub-directory per file.
	HistoryDir string
	// Queues is the queue count the planner's checks assume (0: the
	// config's override, else this machine's shaping cores).
	Queues int
	// Now stamps backups (default time.Now).
	Now func() time.Time

	mu sync.Mutex
}

// Doc is one file as read.
type Doc struct {
	Name    string `json:"name"`
	Path    string `json:"path"`
	Data    []byte `json:"-"`
	Exists  bool   `json:"exists"`
	Version string `json:"version"`
}

// Version identifies file content ("" for a missing file).
func Version(data []byte, exists bool) string {
	if !exists {
		return "absent"
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:12])
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// currentConfig loads lqos.conf as it is on disk (nil when it does not load).
func (s *Store) currentConfig() *config.Config {
	cfg, _, err := config.Load(s.ConfigPath)
	if err != nil {
		return nil
	}
	return cfg
}

// Path is where name lives.
func (s *Store) Path(name string) (string, error) {
	switch name {
	case ConfigFile:
		return s.ConfigPath, nil
	case NetworkFile, DevicesFile:
		cfg := s.currentConfig()
		if cfg == nil {
			return "", fmt.Errorf("%s cannot be located: lqos.conf does not load; fix it first", name)
		}
		return filepath.Join(cfg.LqosDirectory, name), nil
	}
	return "", ErrUnknownFile
}

// Read returns a file and its version.
func (s *Store) Read(name string) (Doc, error) {
	p, err := s.Path(name)
	if err != nil {
		return Doc{}, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return Doc{Name: name, Path: p, Version: Version(nil, false)}, nil
	}
	if err != nil {
		return Doc{}, err
	}
	return Doc{Name: name, Path: p, Data: b, Exists: true, Version: Version(b, true)}, nil
}

// Owners lists the enabled integrations that write name (none for lqos.conf).
func (s *Store) Owners(name string) []string {
	if name == ConfigFile {
		return nil
	}
	if cfg := s.currentConfig(); cfg != nil {
		return cfg.EnabledIntegrations()
	}
	return nil
}

// SaveResult is a successful save.
type SaveResult struct {
	Version  string         `json:"version"`
	Backup   string         `json:"backup,omitempty"` // history id of the previous content
	Warnings []diag.Problem `json:"warnings,omitempty"`
}

// Check validates the inputs with data in place of name, without writing.
func (s *Store) Check(name string, data []byte) (diag.List, error) {
	if _, err := s.Path(name); err != nil {
		return diag.List{}, err
	}
	return s.check(map[string][]byte{name: data})
}

// Save replaces name with data when base is the version on disk and the
// inputs validate with it; the previous content becomes a backup.
func (s *Store) Save(name, base string, data []byte, actor string) (SaveResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveLocked(name, base, data, actor)
}

func (s *Store) saveLocked(name, base string, data []byte, actor string) (SaveResult, error) {
	if owners := s.Owners(name); len(owners) > 0 {
		return SaveResult{}, &OwnedError{Integrations: owners}
	}
	cur, err := s.Read(name)
	if err != nil {
		return SaveResult{}, err
	}
	if base != cur.Version {
		return SaveResult{}, ErrStale
	}
	l, err := s.check(map[string][]byte{name: data})
	if err != nil {
		return SaveResult{}, err
	}
	if l.HasErrors() {
		return SaveResult{}, &ValidationError{Problems: l.Errors()}
	}
	res := SaveResult{Version: Version(data, true), Warnings: l.Warnings()}
	perm := fs.FileMode(0o644)
	if name == ConfigFile {
		perm = 0o600 // it holds integration credentials
	}
	if cur.Exists {
		if st, err := os.Stat(cur.Path); err == nil {
			perm = st.Mode().Perm()
		}
		if res.Backup, err = s.backup(name, cur.Data, actor); err != nil {
			return SaveResult{}, fmt.Errorf("not saved: keeping a backup of %s failed: %w", name, err)
		}
	}
	if err := atomicfile.Write(cur.Path, data, perm); err != nil {
		return SaveResult{}, fmt.Errorf("not saved: %w", err)
	}
	return res, nil
}

// Backup is one earlier version of a file.
type Backup struct {
	ID    string    `json:"id"`
	Time  time.Time `json:"ts"`
	Actor string    `json:"actor"`
	Size  int64     `json:"size"`
}

const stampLayout = "20060102T150405.000000000Z"

func (s *Store) historyDir(name string) string { return filepath.Join(s.HistoryDir, name) }

func (s *Store) backup(name string, data []byte, actor string) (string, error) {
	dir := s.historyDir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if actor == "" || strings.ContainsAny(actor, "/\\") || strings.HasPrefix(actor, ".") {
		actor = "unknown"
	}
	id := s.now().UTC().Format(stampLayout) + "_" + actor
	if err := atomicfile.Write(filepath.Join(dir, id), data, 0o600); err != nil {
		return "", err
	}
	list, _ := s.History(name)
	for _, old := range list[min(len(list), KeepBackups):] {
		os.Remove(filepath.Join(dir, old.ID))
	}
	return id, nil
}

// History lists the backups of name, newest first.
func (s *Store) History(name string) ([]Backup, error) {
	if _, err := s.Path(name); errors.Is(err, ErrUnknownFile) {
		return nil, err
	}
	ents, err := os.ReadDir(s.historyDir(name))
	if errors.Is(err, fs.ErrNotExist) {
		return []Backup{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := []Backup{}
	for _, e := range ents {
		stamp, actor, ok := strings.Cut(e.Name(), "_")
		t, err := time.Parse(stampLayout, stamp)
		if !ok || err != nil || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, Backup{ID: e.Name(), Time: t, Actor: actor, Size: info.Size()})
	}
	slices.SortFunc(out, func(a, b Backup) int { return strings.Compare(b.ID, a.ID) })
	return out, nil
}

// Restore puts backup id of name back, validated and backed up like a save.
func (s *Store) Restore(name, id, base, actor string) (SaveResult, error) {
	list, err := s.History(name)
	if err != nil {
		return SaveResult{}, err
	}
	if !slices.ContainsFunc(list, func(b Backup) bool { return b.ID == id }) {
		return SaveResult{}, fmt.Errorf("no backup %q of %s", id, name)
	}
	data, err := os.ReadFile(filepath.Join(s.historyDir(name), id))
	if err != nil {
		return SaveResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.saveLocked(name, base, data, actor)
}

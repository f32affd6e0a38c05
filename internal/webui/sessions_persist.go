package webui

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/atomicfile"
)

// Sessions survive an lqosd restart: the store is written to a file next
// to the users file (mode 0600) whenever a session starts or ends, and
// every SlowInterval while idle timers moved. The file holds SHA-256
// hashes of the cookies, never the cookies, so reading it does not let
// anyone log in. On load, sessions past their expiry and sessions of users
// that no longer exist (or whose role changed) are dropped.

const sessionsFileVersion = 1

type sessionsFile struct {
	Version  int             `json:"version"`
	Sessions []storedSession `json:"sessions"`
}

type storedSession struct {
	ID       string    `json:"id"` // hex SHA-256 of the cookie
	Username string    `json:"username"`
	Role     Role      `json:"role"`
	CSRF     string    `json:"csrf"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// sessionPersister writes the session table; saves are serialized so an
// older snapshot never overwrites a newer one.
type sessionPersister struct {
	path   string
	log    *slog.Logger
	mu     sync.Mutex
	closed bool // guarded by mu; set by Server.Close
}

// sessionsPath is "webusers.json" → "webusers.sessions.json".
func sessionsPath(usersFile string) string {
	return strings.TrimSuffix(usersFile, filepath.Ext(usersFile)) + ".sessions.json"
}

// enablePersistence loads saved sessions (valid only if users still has
// the user with the same role) and saves on every change from now on.
func (s *sessionStore) enablePersistence(path string, users *UserStore, log *slog.Logger) error {
	p := &sessionPersister{path: path, log: log}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return fmt.Errorf("sessions file %s: %w", path, err)
	default:
		var f sessionsFile
		if err := json.Unmarshal(data, &f); err != nil || f.Version != sessionsFileVersion {
			if err == nil {
				err = fmt.Errorf("version %d, want %d", f.Version, sessionsFileVersion)
			}
			// Only logins are lost; carry on with an empty table.
			log.Warn("web UI sessions file unreadable; everyone logs in again", "file", path, "err", err)
			break
		}
		now := s.now()
		s.mu.Lock()
		for i, st := range f.Sessions {
			raw, err := hex.DecodeString(st.ID)
			if err != nil || len(raw) != 32 {
				log.Warn("web UI sessions file: bad entry skipped", "file", path, "entry", i, "field", "id")
				continue
			}
			u, ok := users.Get(st.Username)
			if !ok || u.Role != st.Role || now.Sub(st.LastSeen) > s.idle || now.Sub(st.Created) > s.absolute {
				continue
			}
			var id [32]byte
			copy(id[:], raw)
			s.byID[id] = &Session{Username: u.Username, Role: st.Role, CSRF: st.CSRF, Created: st.Created, LastSeen: st.LastSeen}
		}
		s.mu.Unlock()
	}
	s.mu.Lock()
	s.persist = p.save
	s.stopPersist = p.close
	s.mu.Unlock()
	s.save()
	return nil
}

// closePersistence waits for a save in progress and stops further saves
// (the server is closing; its files may be removed next).
func (s *sessionStore) closePersistence() {
	s.mu.Lock()
	stop := s.stopPersist
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
}

func (p *sessionPersister) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
}

// touchSaveEvery bounds how often mere use (a moved idle timer) is saved;
// logins and logouts are saved at once.
const touchSaveEvery = time.Minute

// saveIfTouched saves when a session was used since the last save, at
// most once per touchSaveEvery.
func (s *sessionStore) saveIfTouched() {
	s.mu.Lock()
	due := s.touched && s.now().Sub(s.lastSave) >= touchSaveEvery
	s.mu.Unlock()
	if due {
		s.save()
	}
}

// save writes the current table (no-op without persistence).
func (s *sessionStore) save() {
	s.mu.Lock()
	fn := s.persist
	s.mu.Unlock()
	if fn != nil {
		fn(s.snapshot)
	}
}

func (s *sessionStore) snapshot() sessionsFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.touched, s.lastSave = false, s.now()
	f := sessionsFile{Version: sessionsFileVersion, Sessions: make([]storedSession, 0, len(s.byID))}
	for id, sess := range s.byID {
		f.Sessions = append(f.Sessions, storedSession{ID: hex.EncodeToString(id[:]), Username: sess.Username, Role: sess.Role,
			CSRF: sess.CSRF, Created: sess.Created, LastSeen: sess.LastSeen})
	}
	return f
}

// save takes the snapshot and writes it under one lock, so saves land in
// the order their snapshots were taken (a logout is never undone by an
// older snapshot written late).
func (p *sessionPersister) save(snapshot func() sessionsFile) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	b, err := json.Marshal(snapshot())
	if err == nil {
		err = atomicfile.Write(p.path, append(b, '\n'), 0o600)
	}
	if err != nil {
		p.log.Warn("saving web UI sessions", "file", p.path, "err", err)
	}
}

package webui

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"time"
)

// Session is one logged-in browser. The table is kept in memory and, when
// persistence is on (sessions_persist.go), saved on every start and end of
// a session so a daemon restart keeps people logged in.
type Session struct {
	Username string
	Role     Role
	CSRF     string
	Created  time.Time
	LastSeen time.Time
}

// sessionStore maps sha256(token) to sessions so a memory dump or timing
// side channel on the map does not reveal usable cookies.
type sessionStore struct {
	idle, absolute time.Duration
	now            func() time.Time

	mu          sync.Mutex
	byID        map[[32]byte]*Session
	persist     func(snapshot func() sessionsFile) // nil = memory only
	stopPersist func()
	touched     bool      // a LastSeen moved since the last save
	lastSave    time.Time // of the persisted table
}

func newSessionStore(idle, absolute time.Duration, now func() time.Time) *sessionStore {
	return &sessionStore{idle: idle, absolute: absolute, now: now, byID: map[[32]byte]*Session{}}
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// create returns the cookie value of a new session.
func (s *sessionStore) create(username string, role Role) (string, Session) {
	tok := randomToken()
	now := s.now()
	sess := &Session{Username: username, Role: role, CSRF: randomToken(), Created: now, LastSeen: now}
	s.mu.Lock()
	s.gcLocked(now)
	s.byID[sha256.Sum256([]byte(tok))] = sess
	s.mu.Unlock()
	s.save()
	return tok, *sess
}

// get validates a token and refreshes its idle timer.
func (s *sessionStore) get(tok string) (Session, bool) {
	if tok == "" {
		return Session{}, false
	}
	id := sha256.Sum256([]byte(tok))
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.byID[id]
	if !ok {
		return Session{}, false
	}
	if now.Sub(sess.LastSeen) > s.idle || now.Sub(sess.Created) > s.absolute {
		delete(s.byID, id)
		return Session{}, false
	}
	sess.LastSeen = now
	s.touched = true
	return *sess, true
}

func (s *sessionStore) revoke(tok string) {
	s.mu.Lock()
	delete(s.byID, sha256.Sum256([]byte(tok)))
	s.mu.Unlock()
	s.save()
}

// revokeUser ends every session of a user (user deleted).
func (s *sessionStore) revokeUser(username string) {
	n := normUser(username)
	s.mu.Lock()
	for id, sess := range s.byID {
		if normUser(sess.Username) == n {
			delete(s.byID, id)
		}
	}
	s.mu.Unlock()
	s.save()
}

func (s *sessionStore) gcLocked(now time.Time) {
	for id, sess := range s.byID {
		if now.Sub(sess.LastSeen) > s.idle || now.Sub(sess.Created) > s.absolute {
			delete(s.byID, id)
		}
	}
}

func tokensEqual(a, b string) bool {
	return len(a) == len(b) && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

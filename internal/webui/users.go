package webui

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/libreqos-go/lqos/internal/atomicfile"

	"golang.org/x/crypto/bcrypt"
)

// Role is a user's permission level.
type Role string

// The two roles. Every route declares the minimum role it needs.
const (
	RoleReadOnly Role = "readonly"
	RoleAdmin    Role = "admin"
)

// ParseRole accepts "admin" or "readonly" (case-insensitive).
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "admin":
		return RoleAdmin, nil
	case "readonly", "read-only", "read_only":
		return RoleReadOnly, nil
	}
	return "", fmt.Errorf("role %q: want \"admin\" or \"readonly\"", s)
}

// atLeast reports whether r grants everything min grants.
func (r Role) atLeast(min Role) bool {
	if min == RoleAdmin {
		return r == RoleAdmin
	}
	return r == RoleAdmin || r == RoleReadOnly
}

// User is one stored account.
type User struct {
	Username     string    `json:"username"`
	PasswordHash string    `json:"password_hash"`
	Role         Role      `json:"role"`
	Created      time.Time `json:"created"`
}

type usersFile struct {
	Version int    `json:"version"`
	Users   []User `json:"users"`
}

// Errors from the user store.
var (
	ErrUserExists   = errors.New("user already exists")
	ErrNoSuchUser   = errors.New("no such user")
	ErrLastAdmin    = errors.New("cannot remove or demote the last admin")
	ErrBadUsername  = errors.New("username must be 1-64 characters of letters, digits and . _ - @")
	ErrWeakPassword = errors.New("password must be at least 8 characters")
	ErrAlreadySetUp = errors.New("already configured: users exist")
)

// MinPasswordLen is the shortest accepted password.
const MinPasswordLen = 8

// UserStore keeps users in a JSON file (mode 0600, written atomically).
type UserStore struct {
	path string
	cost int

	mu    sync.Mutex
	users map[string]User
	// dummy is a hash checked for unknown users so that a login for an
	// unknown name costs as much as one for a known name.
	dummy []byte
}

// OpenUserStore loads path; a missing file is an empty store.
// cost is the bcrypt cost (0 = bcrypt.DefaultCost).
func OpenUserStore(path string, cost int) (*UserStore, error) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte("not-a-real-password"), cost)
	if err != nil {
		return nil, fmt.Errorf("users: bcrypt cost %d: %w", cost, err)
	}
	st := &UserStore{path: path, cost: cost, users: map[string]User{}, dummy: dummy}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	if len(strings.TrimSpace(string(b))) == 0 {
		return st, nil
	}
	var f usersFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	if f.Version != 1 {
		return nil, fmt.Errorf("users file %s: field version: got %d, want 1", path, f.Version)
	}
	for i, u := range f.Users {
		if err := validUsername(u.Username); err != nil {
			return nil, fmt.Errorf("users file %s: users[%d].username: %w", path, i, err)
		}
		r, err := ParseRole(string(u.Role))
		if err != nil {
			return nil, fmt.Errorf("users file %s: users[%d].role: %w", path, i, err)
		}
		if _, err := bcrypt.Cost([]byte(u.PasswordHash)); err != nil {
			return nil, fmt.Errorf("users file %s: users[%d].password_hash: not a bcrypt hash", path, i)
		}
		key := normUser(u.Username)
		if _, dup := st.users[key]; dup {
			return nil, fmt.Errorf("users file %s: users[%d].username: duplicate %q", path, i, u.Username)
		}
		u.Role = r
		st.users[key] = u
	}
	return st, nil
}

func normUser(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func validUsername(s string) error {
	if len(s) == 0 || len(s) > 64 || strings.TrimSpace(s) != s {
		return ErrBadUsername
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("._-@", r)) {
			return ErrBadUsername
		}
	}
	return nil
}

func validPassword(p string) error {
	if len([]rune(p)) < MinPasswordLen {
		return ErrWeakPassword
	}
	if len(p) > 72 { // bcrypt ignores bytes past 72
		return errors.New("password must be at most 72 bytes")
	}
	return nil
}

// Empty reports whether no users exist (first run).
func (s *UserStore) Empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.users) == 0
}

// Verify checks a password. It returns the user on success. Its cost does
// not depend on whether the user exists.
func (s *UserStore) Verify(username, password string) (User, bool) {
	s.mu.Lock()
	u, ok := s.users[normUser(username)]
	s.mu.Unlock()
	hash := s.dummy
	if ok {
		hash = []byte(u.PasswordHash)
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if !ok || err != nil {
		return User{}, false
	}
	return u, true
}

// Get returns a user by name.
func (s *UserStore) Get(username string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[normUser(username)]
	return u, ok
}

// List returns all users sorted by name.
func (s *UserStore) List() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Username < out[j].Username })
	return out
}

// Create adds a new user; it fails if the name exists.
func (s *UserStore) Create(username, password string, role Role) (User, error) {
	return s.create(username, password, role, false)
}

// CreateFirstAdmin adds an admin only while the store is empty, checked
// under the same lock as the insert so two racing requests cannot both win.
func (s *UserStore) CreateFirstAdmin(username, password string) (User, error) {
	return s.create(username, password, RoleAdmin, true)
}

func (s *UserStore) create(username, password string, role Role, firstOnly bool) (User, error) {
	if err := validUsername(username); err != nil {
		return User{}, err
	}
	if err := validPassword(password); err != nil {
		return User{}, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return User{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), s.cost)
	if err != nil {
		return User{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if firstOnly && len(s.users) > 0 {
		return User{}, ErrAlreadySetUp
	}
	key := normUser(username)
	if _, ok := s.users[key]; ok {
		return User{}, ErrUserExists
	}
	u := User{Username: username, PasswordHash: string(hash), Role: role, Created: time.Now().UTC().Truncate(time.Second)}
	s.users[key] = u
	if err := s.saveLocked(); err != nil {
		delete(s.users, key)
		return User{}, err
	}
	return u, nil
}

// Delete removes a user, refusing to remove the last admin.
func (s *UserStore) Delete(username string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := normUser(username)
	u, ok := s.users[key]
	if !ok {
		return ErrNoSuchUser
	}
	if u.Role == RoleAdmin && s.adminCountLocked() == 1 {
		return ErrLastAdmin
	}
	delete(s.users, key)
	if err := s.saveLocked(); err != nil {
		s.users[key] = u
		return err
	}
	return nil
}

func (s *UserStore) adminCountLocked() int {
	n := 0
	for _, u := range s.users {
		if u.Role == RoleAdmin {
			n++
		}
	}
	return n
}

// saveLocked writes the file atomically: temp file in the same directory,
// fsync, rename, fsync the directory.
func (s *UserStore) saveLocked() error {
	f := usersFile{Version: 1}
	for _, u := range s.users {
		f.Users = append(f.Users, u)
	}
	sort.Slice(f.Users, func(i, j int) bool { return f.Users[i].Username < f.Users[j].Username })
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(s.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("users file %s: %w", s.path, err)
	}
	if err := atomicfile.Write(s.path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("users file %s: %w", s.path, err)
	}
	return nil
}

// Update changes a user's role and/or password (nil = unchanged), refusing
// to demote the last admin.
func (s *UserStore) Update(username string, role *Role, password *string) (User, error) {
	var hash []byte
	if password != nil {
		if err := validPassword(*password); err != nil {
			return User{}, err
		}
		var err error
		if hash, err = bcrypt.GenerateFromPassword([]byte(*password), s.cost); err != nil {
			return User{}, err
		}
	}
	if role != nil {
		r, err := ParseRole(string(*role))
		if err != nil {
			return User{}, err
		}
		role = &r
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := normUser(username)
	old, ok := s.users[key]
	if !ok {
		return User{}, ErrNoSuchUser
	}
	u := old
	if role != nil {
		if old.Role == RoleAdmin && *role != RoleAdmin && s.adminCountLocked() == 1 {
			return User{}, ErrLastAdmin
		}
		u.Role = *role
	}
	if hash != nil {
		u.PasswordHash = string(hash)
	}
	s.users[key] = u
	if err := s.saveLocked(); err != nil {
		s.users[key] = old
		return User{}, err
	}
	return u, nil
}

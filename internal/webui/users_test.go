package webui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

func TestUserStorePersistsAndValidates(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "users.json")
	st, err := OpenUserStore(path, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Empty() {
		t.Fatal("new store not empty")
	}
	if _, err := st.CreateFirstAdmin("Root", "password-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateFirstAdmin("other", "password-1"); err != ErrAlreadySetUp {
		t.Fatalf("second first admin: %v, want ErrAlreadySetUp", err)
	}
	if _, err := st.Create("ro", "password-2", RoleReadOnly); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Create("RO", "password-3", RoleAdmin); err != ErrUserExists {
		t.Fatalf("case-insensitive duplicate: %v", err)
	}
	re, err := OpenUserStore(path, bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := re.Verify("root", "password-1"); !ok || u.Role != RoleAdmin {
		t.Fatalf("reloaded admin: %v %v", u, ok)
	}
	if _, ok := re.Verify("ro", "wrong-password"); ok {
		t.Fatal("wrong password accepted")
	}
	if _, ok := re.Verify("ghost", "password-1"); ok {
		t.Fatal("unknown user accepted")
	}
	if err := re.Delete("root"); err != ErrLastAdmin {
		t.Fatalf("delete last admin: %v", err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".users-*"))
	if len(left) != 0 {
		t.Errorf("temp files left behind: %v", left)
	}
}

func TestUserStoreBadFiles(t *testing.T) {
	hash, _ := bcrypt.GenerateFromPassword([]byte("password-1"), bcrypt.MinCost)
	h := string(hash)
	cases := []struct {
		name, content, want string
	}{
		{"not json", `{"version":1,`, "unexpected end"},
		{"wrong version", `{"version":2,"users":[]}`, "field version"},
		{"bad role", `{"version":1,"users":[{"username":"a","password_hash":"` + h + `","role":"root"}]}`, "users[0].role"},
		{"bad hash", `{"version":1,"users":[{"username":"a","password_hash":"plain","role":"admin"}]}`, "users[0].password_hash"},
		{"bad name", `{"version":1,"users":[{"username":"","password_hash":"` + h + `","role":"admin"}]}`, "users[0].username"},
		{"duplicate", `{"version":1,"users":[{"username":"a","password_hash":"` + h + `","role":"admin"},{"username":"A","password_hash":"` + h + `","role":"admin"}]}`, "users[1].username"},
	}
	for _, tc := range cases {
		p := filepath.Join(t.TempDir(), "users.json")
		os.WriteFile(p, []byte(tc.content), 0o600)
		_, err := OpenUserStore(p, bcrypt.MinCost)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want mention of %q and the file", tc.name, err, tc.want)
		}
	}
}

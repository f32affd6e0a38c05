package atomicfile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/kerneltest"
)

// A symlink planted at a state file's path is replaced, never followed:
// its target keeps its content, and reading the path refuses the link.
func TestSymlinkAtPathIsNotFollowed(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "precious")
	os.WriteFile(target, []byte("keep"), 0o644)
	path := filepath.Join(dir, "state.json")
	if err := os.Symlink(target, path); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), "symlink") {
		t.Errorf("ReadFile through a symlink: %v, want a refusal naming the symlink", err)
	}
	if err := Write(path, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(target); string(got) != "keep" {
		t.Errorf("symlink target changed to %q", got)
	}
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() {
		t.Fatalf("path is not a regular file after Write: %v %v", st.Mode(), err)
	}
	if got, err := ReadFile(path); err != nil || string(got) != "new" {
		t.Errorf("ReadFile = %q, %v", got, err)
	}
}

func TestPrivateDir(t *testing.T) {
	base := t.TempDir()
	tests := []struct {
		name  string
		setup func(dir string)
		want  string // "" = accepted
	}{
		{"missing: created 0700", func(string) {}, ""},
		{"private", func(d string) { os.Mkdir(d, 0o700) }, ""},
		{"readable by others is fine", func(d string) { os.Mkdir(d, 0o755); os.Chmod(d, 0o755) }, ""},
		{"group-writable", func(d string) { os.Mkdir(d, 0o700); os.Chmod(d, 0o770) }, "writable by group or others"},
		{"sticky and world-writable like /tmp", func(d string) { os.Mkdir(d, 0o700); os.Chmod(d, 0o1777) }, "writable by group or others"},
		{"a file", func(d string) { os.WriteFile(d, nil, 0o600) }, "is not a directory"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(base, string(rune('a'+i)))
			tt.setup(dir)
			err := PrivateDir(dir)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), dir)):
				t.Fatalf("error %v, want one naming %s and saying %q", err, dir, tt.want)
			}
			if tt.name == "missing: created 0700" {
				if st, _ := os.Stat(dir); st == nil || st.Mode().Perm() != 0o700 {
					t.Errorf("created with mode %v, want 0700", st.Mode())
				}
			}
		})
	}
}

// Owned by another user: only root can set that up (chown).
func TestPrivateDirOwnedByAnotherUser(t *testing.T) {
	kerneltest.RequireRoot(t) // chown to another user
	dir := filepath.Join(t.TempDir(), "other")
	os.Mkdir(dir, 0o700)
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := PrivateDir(dir); err == nil || !strings.Contains(err.Error(), "owned by uid 65534") {
		t.Fatalf("error %v, want one saying the owner", err)
	}
}

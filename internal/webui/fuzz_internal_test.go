package webui

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// FuzzUsersFile: any users file either loads into a store that works or
// is refused with an error; it never panics.
func FuzzUsersFile(f *testing.F) {
	f.Add([]byte(`{"version":1,"users":[{"username":"admin","password_hash":"$2a$04$abcdefghijklmnopqrstuuVYdl0bqh0hW8/r0s1fYw3Vq1mHQmsNa","role":"admin","created":"2026-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"users":[{"username":"","role":"root"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "users.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := OpenUserStore(path, bcrypt.MinCost)
		if err != nil {
			return
		}
		for _, u := range s.List() {
			if _, ok := s.Get(u.Username); !ok {
				t.Fatalf("listed user %q not found", u.Username)
			}
			s.Verify(u.Username, "wrong-password")
		}
		s.Empty()
	})
}

// FuzzProcTCP: the /proc/net/tcp parser used by the first-run check never
// panics and returns only valid addresses.
func FuzzProcTCP(f *testing.F) {
	f.Add([]byte("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
		"   0: 0100007F:2383 0100007F:A1B2 01 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 20 4 30 10 -1\n" +
		"   1: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2345 1\n"))
	f.Add([]byte("x\n 0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 0 0 0 0 0 77\n"))
	f.Add([]byte("x\n 0: ZZ:1 0:0 GG\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		table, err := parseTCPTable(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, s := range table {
			if !s.local.IsValid() || !s.remote.IsValid() || s.state < 0 || s.state > 255 {
				t.Fatalf("invalid row accepted: %+v", s)
			}
		}
	})
}

func TestParseProcAddr(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0100007F:1F90", "127.0.0.1:8080"},
		{"0F02000A:0016", "10.0.2.15:22"},
		{"00000000000000000000000001000000:23AB", "[::1]:9131"},
		{"0000000000000000FFFF00000100007F:0050", "127.0.0.1:80"}, // IPv4-mapped
		{"B80D0120000000000000000001000000:01BB", "[2001:db8::1]:443"},
	} {
		got, err := parseProcAddr(tc.in)
		if err != nil || got.String() != tc.want {
			t.Errorf("parseProcAddr(%q) = %v, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "0100007F", "0100007F:XYZ", "01007F:0016", "zz00007F:0016"} {
		if _, err := parseProcAddr(bad); err == nil {
			t.Errorf("parseProcAddr(%q) accepted", bad)
		}
	}
}

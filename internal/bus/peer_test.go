package bus

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// When LQTBUS_PING is set the test binary acts as a bus client: it pings the
// socket and exits 0, or prints the error and exits 3. TestNonRootPeer runs
// it as an unprivileged user.
func TestMain(m *testing.M) {
	if path := os.Getenv("LQTBUS_PING"); path != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		c, err := Dial(ctx, path)
		if err == nil {
			_, err = c.Ping(ctx)
			c.Close()
		}
		if err != nil {
			fmt.Println(err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// A real non-root peer: SO_PEERCRED must refuse it by default and admit it
// when its uid is allowed. Filesystem permissions are opened up for the test
// so the credential check is the only guard.
func TestNonRootPeer(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a client as another user")
	}
	const nobody = 65534
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	binDir, err := os.MkdirTemp("", "lqtbusbin")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(binDir) })
	helper := filepath.Join(binDir, "bus.test")
	if err := copyFile(exe, helper); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{binDir, helper} {
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name   string
		allow  []uint32
		wantOK bool
	}{
		{"root only by default", nil, false},
		{"allowed uid", []uint32{nobody}, true},
		{"other uid allowed only", []uint32{4242}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, path := testServer(t, newFake(t), ServerOptions{AllowUIDs: tc.allow})
			for _, p := range []string{filepath.Dir(filepath.Dir(path)), filepath.Dir(path)} {
				if err := os.Chmod(p, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Chmod(path, 0o666); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(helper, "-test.run=^$")
			cmd.Env = append(os.Environ(), "LQTBUS_PING="+path)
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
			out, err := cmd.CombinedOutput()
			if tc.wantOK {
				if err != nil {
					t.Fatalf("uid %d refused: %v: %s", nobody, err, out)
				}
				return
			}
			if err == nil || !strings.Contains(string(out), "permission_denied") || !strings.Contains(string(out), fmt.Sprintf("uid %d", nobody)) {
				t.Fatalf("uid %d not refused properly: %v: %s", nobody, err, out)
			}
			if srv.Stats().Refused != 1 {
				t.Fatalf("refusal not counted: %+v", srv.Stats())
			}
		})
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

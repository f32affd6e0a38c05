// Package e2e runs the browser tests in web/e2e against the real server on
// the fake source. It needs node, web/node_modules (npm ci in web/) and
// Debian's chromium; without them it skips and says what is missing.
package e2e

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/libreqos-go/lqos/internal/webui/demosource"
	"golang.org/x/crypto/bcrypt"
)

// TestBrowser: first run, dashboard, shell, users (web/e2e/ui.test.mjs).
func TestBrowser(t *testing.T) {
	runBrowser(t, "e2e/ui.test.mjs", false, nil)
}

// TestBrowserPages: the network pages and the shell around them
// (web/e2e/pages.test.mjs), with an admin and a read-only user made up front.
func TestBrowserPages(t *testing.T) {
	runBrowser(t, "e2e/pages.test.mjs", true, nil)
}

// TestBrowserGeo: ASN Analysis, Flow Globe (WebGL and the flat fallback)
// and Site Map (web/e2e/geo.test.mjs).
func TestBrowserGeo(t *testing.T) {
	runBrowser(t, "e2e/geo.test.mjs", true, nil)
}

func runBrowser(t *testing.T, script string, withUsers bool, mod func(*webui.Config) []string) {
	webDir, err := filepath.Abs("../../../web")
	if err != nil {
		t.Fatal(err)
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("browser tests skipped: node not found (apt-get install nodejs)")
	}
	if _, err := os.Stat(filepath.Join(webDir, "node_modules", "playwright-core")); err != nil {
		t.Skip("browser tests skipped: web/node_modules missing (run: cd web && npm ci)")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("browser tests skipped: %s missing (apt-get install chromium)", chromium)
	}

	usersFile := filepath.Join(t.TempDir(), "users.json")
	env := []string{}
	if withUsers {
		us, err := webui.OpenUserStore(usersFile, bcrypt.MinCost)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct {
			name, pass string
			role       webui.Role
		}{{"admin", "admin-password-1", webui.RoleAdmin}, {"viewer", "viewer-password-1", webui.RoleReadOnly}} {
			if _, err := us.Create(u.name, u.pass, u.role); err != nil {
				t.Fatal(err)
			}
		}
		env = append(env, "ADMIN_USER=admin", "ADMIN_PASS=admin-password-1", "VIEWER_USER=viewer", "VIEWER_PASS=viewer-password-1")
	}

	src := demosource.New(42)
	wc := webui.Config{
		UsersFile:    usersFile,
		Source:       src,
		Logger:       slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn})),
		BcryptCost:   bcrypt.MinCost,
		SlowInterval: time.Second,
		Version:      "e2e",
	}
	if mod != nil {
		env = append(env, mod(&wc)...)
	}
	srv, err := webui.New(wc)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })

	cln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cs := &http.Server{Handler: src.Control(), ReadHeaderTimeout: 5 * time.Second}
	go cs.Serve(cln)
	t.Cleanup(func() { cs.Close() })

	rctx, rcancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer rcancel()
	cmd := exec.CommandContext(rctx, node, "--test", "--test-reporter=spec", script)
	cmd.Dir = webDir
	cmd.Env = append(append(os.Environ(),
		"BASE_URL=http://"+ln.Addr().String(),
		"CONTROL_URL=http://"+cln.Addr().String(),
		"CHROMIUM="+chromium), env...)
	out, err := cmd.CombinedOutput()
	t.Logf("node --test output:\n%s", out)
	if err != nil {
		t.Fatalf("browser tests failed: %v", err)
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

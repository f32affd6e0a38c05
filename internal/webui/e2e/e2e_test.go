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

	"github.com/libreqos-go/lqos/internal/kerneltest"
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
	// What the browser tests need is installed by scripts/deps.sh; a
	// missing piece is reported as not exercised, and fails under CI.
	node := kerneltest.Binary(t, "node", "nodejs")
	if node == "" {
		t.SkipNow()
	}
	if _, err := os.Stat(filepath.Join(webDir, "node_modules", "playwright-core")); err != nil {
		missing(t, "web/node_modules missing (run: bash scripts/deps.sh)")
	}
	if _, err := os.Stat(chromium); err != nil {
		missing(t, chromium+" missing (apt-get install chromium)")
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

// missing stops a browser test that cannot run here: a failure under CI
// (which installs everything), otherwise reported as not exercised.
func missing(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("browser tests: %s; CI=true requires them", why)
	}
	kerneltest.Feature(t, "browser", false, why)
	t.SkipNow()
}

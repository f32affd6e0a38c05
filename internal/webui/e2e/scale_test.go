package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/libreqos-go/lqos/internal/webui/demosource"
	"golang.org/x/crypto/bcrypt"
)

// BenchmarkBrowserScale measures the web UI in Chromium on a fake network
// of 10,000 circuits, 2,000 nodes and 100,000 flows (web/e2e/scale.mjs):
// first render and first-load payload per page, live update size, and the
// JS heap after SCALE_MINUTES (default 10) open. One run per invocation:
//
//	go test -run - -bench BrowserScale -benchtime 1x ./internal/webui/e2e/
func BenchmarkBrowserScale(b *testing.B) {
	webDir, _ := filepath.Abs("../../../web")
	node, err := exec.LookPath("node")
	if err != nil {
		b.Skip("node not found")
	}
	if _, err := os.Stat(filepath.Join(webDir, "node_modules", "playwright-core")); err != nil {
		b.Skip("web/node_modules missing (run: cd web && npm ci)")
	}
	usersFile := filepath.Join(b.TempDir(), "users.json")
	us, err := webui.OpenUserStore(usersFile, bcrypt.MinCost)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := us.Create("admin", "admin-password-1", webui.RoleAdmin); err != nil {
		b.Fatal(err)
	}
	src := demosource.NewScaled(1, demosource.Scale{Circuits: 10000, Nodes: 2000, Flows: 100000})
	srv, err := webui.New(webui.Config{UsersFile: usersFile, Source: src, BcryptCost: bcrypt.MinCost,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})), Version: "scale"})
	if err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	defer func() { cancel(); <-done }()
	for i := 0; i < b.N; i++ {
		minutes := os.Getenv("SCALE_MINUTES")
		if minutes == "" {
			minutes = "10"
		}
		rctx, rcancel := context.WithTimeout(context.Background(), 40*time.Minute)
		cmd := exec.CommandContext(rctx, node, "e2e/scale.mjs")
		cmd.Dir = webDir
		cmd.Env = append(os.Environ(), "BASE_URL=http://"+ln.Addr().String(), "ADMIN_USER=admin", "ADMIN_PASS=admin-password-1", "SCALE_MINUTES="+minutes)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		rcancel()
		if err != nil {
			b.Fatalf("scale.mjs: %v\n%s", err, stderr.String())
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			b.Log(sc.Text())
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) != nil {
				continue
			}
			id, _ := m["page"].(string)
			for _, k := range []string{"first_render_cold_ms", "live_update_bytes_max", "js_heap_used_bytes"} {
				if v, ok := m[k].(float64); ok {
					b.ReportMetric(v, id+"_"+k)
				}
			}
		}
	}
}

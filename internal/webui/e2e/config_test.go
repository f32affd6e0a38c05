package e2e

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/libreqos-go/lqos/internal/configedit"
	"github.com/libreqos-go/lqos/internal/webui"
)

// TestBrowserConfig: the configuration editors (web/e2e/config.test.mjs) on
// a copy of examples/, with a fake Netzur server for "Test connection".
func TestBrowserConfig(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"lqos.conf", "ShapedDevices.csv", "network.json", "lqos_overrides.json"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "lqos.conf" {
			b = bytes.Replace(b, []byte(`lqos_directory = "."`), []byte("lqos_directory = \".\"\nstate_directory = \"state\""), 1)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	reply, err := os.ReadFile(filepath.Join("..", "..", "integrations", "netzur", "testdata", "reply.json"))
	if err != nil {
		t.Fatal(err)
	}
	const key = "netzur-e2e-key-5678"
	crm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+key {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.Write(reply)
	}))
	defer crm.Close()
	runBrowser(t, "e2e/config.test.mjs", true, func(c *webui.Config) []string {
		c.Editor = &configedit.Store{ConfigPath: filepath.Join(dir, "lqos.conf"), HistoryDir: filepath.Join(dir, "history"), Queues: 4}
		c.AuditFile = filepath.Join(dir, "audit.log")
		c.ApplyConfig = func(context.Context, string) (string, error) { return "applied by the test", nil }
		return []string{"CONFIG_DIR=" + dir, "NETZUR_URL=" + crm.URL, "NETZUR_KEY=" + key}
	})
}

//go:build linux

package daemon

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/libreqos-go/lqos/internal/webui/demosource"
)

// The web UI options written in lqos.conf reach the running server:
// token-only first run, self-signed TLS in the state directory (key 0600),
// connection limits and the audit file.
func TestWebUIOptionsFromLqosConf(t *testing.T) {
	dir := t.TempDir()
	text := "version = \"1.5\"\nstate_directory = \"" + dir + "\"\n[bridge]\nto_internet = \"a\"\nto_network = \"b\"\n" +
		"[ssl]\nenabled = true\n[web_ui]\nfirst_run_token_only = true\nmax_connections_per_ip = 7\n"
	cfg, _, err := config.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	wc := webUIConfig(cfg)
	if !wc.FirstRunTokenOnly || wc.MaxConnsPerIP != 7 || wc.SelfSignedDir != filepath.Join(dir, "lqosd", "tls") ||
		wc.AuditFile != filepath.Join(dir, "lqosd", "audit.log") {
		t.Fatalf("webui config from lqos.conf: %+v", wc)
	}
	wc.Source, wc.Logger = demosource.New(1), slog.New(slog.DiscardHandler)
	srv, err := webui.New(wc)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, "lqosd", "tls", webui.SelfSignedKeyName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("self-signed key: %v %v, want mode 0600", err, st)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	base := "https://" + ln.Addr().String()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	req, _ := http.NewRequest("POST", base+"/api/first-run", strings.NewReader(`{"username":"admin","password":"correct-horse-1"}`))
	req.Header.Set("Origin", base)
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		t.Fatalf("HTTPS with the self-signed certificate: %v", err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("first run without token with first_run_token_only = %d, want 403", res.StatusCode)
	}
	if res.TLS == nil || len(res.TLS.PeerCertificates) == 0 || !strings.Contains(res.TLS.PeerCertificates[0].Subject.Organization[0], "self-signed") {
		t.Fatalf("not served with the generated certificate: %+v", res.TLS)
	}
}

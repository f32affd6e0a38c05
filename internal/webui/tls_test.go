package webui_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/libreqos-go/lqos/internal/webui/demosource"
	"golang.org/x/crypto/bcrypt"
)

func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certFile, keyFile = filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return certFile, keyFile
}

func TestTLSMarksCookieSecure(t *testing.T) {
	dir := t.TempDir()
	cert, key := selfSigned(t, dir)
	if _, err := webui.New(webui.Config{UsersFile: filepath.Join(dir, "u.json"), Source: demosource.New(1), CertFile: cert}); err == nil {
		t.Fatal("CertFile without KeyFile accepted")
	}
	srv, err := webui.New(webui.Config{UsersFile: filepath.Join(dir, "u.json"), Source: demosource.New(1),
		CertFile: cert, KeyFile: key, BcryptCost: bcrypt.MinCost, Logger: discardLogger()})
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

	base := "https://" + ln.Addr().String()
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	req, _ := http.NewRequest("POST", base+"/api/first-run", strings.NewReader(`{"username":"admin","password":"`+adminPass+`"}`))
	req.Header.Set("Origin", base)
	req.Header.Set("Content-Type", "application/json")
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("first run over TLS: %d", res.StatusCode)
	}
	if sc := res.Header.Get("Set-Cookie"); !strings.Contains(sc, "; Secure") {
		t.Errorf("Set-Cookie over TLS %q lacks Secure", sc)
	}
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header over TLS")
	}
}

func TestSelfSignedGeneratedOnceAndRenewed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	now := time.Now()
	cert, key, err := webui.EnsureSelfSigned(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{key: 0o600, cert: 0o644, dir: 0o700} {
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v mode %v, want %v", path, err, st.Mode().Perm(), want)
		}
	}
	first, _ := os.ReadFile(cert)
	if _, _, err := webui.EnsureSelfSigned(dir, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(cert); string(again) != string(first) {
		t.Error("a valid certificate was replaced on the next start")
	}
	// Close to expiry (or damaged) it is replaced.
	if _, _, err := webui.EnsureSelfSigned(dir, now.Add(2*365*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if renewed, _ := os.ReadFile(cert); string(renewed) == string(first) {
		t.Error("an expiring certificate was kept")
	}
	os.WriteFile(key, []byte("garbage"), 0o600)
	if _, _, err := webui.EnsureSelfSigned(dir, now); err != nil {
		t.Fatal(err)
	}
	if _, err := tls.LoadX509KeyPair(cert, key); err != nil {
		t.Errorf("damaged pair not regenerated: %v", err)
	}
}

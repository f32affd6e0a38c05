package webui_test

import (
	"io/fs"
	"net/http"
	"path"
	"testing"

	"github.com/libreqos-go/lqos/web"
)

// builtAsset returns the path ("assets/…") of the one built file matching
// a glob such as "app-*.css" (names carry a content hash).
func builtAsset(t *testing.T, glob string) string {
	t.Helper()
	m, err := fs.Glob(web.Dist(), path.Join("assets", glob))
	if err != nil || len(m) != 1 {
		t.Fatalf("built assets matching %s: %v %v", glob, m, err)
	}
	return m[0]
}

// Hashed assets may be cached forever; pages never.
func TestAssetCaching(t *testing.T) {
	e := newEnv(t, nil)
	c := e.client()
	for _, glob := range []string{"app-*.css", "tree-*.js", "chunk-*.js", "bootstrap-icons-*.woff2"} {
		m, _ := fs.Glob(web.Dist(), path.Join("assets", glob))
		if len(m) == 0 {
			t.Fatalf("no built asset matches %s", glob)
		}
		r := c.do(t, "GET", "/"+m[0], nil, nil)
		if r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d Cache-Control %q, want immutable", m[0], r.Status, r.Header.Get("Cache-Control"))
		}
	}
	_, c = e.setup(t)
	for _, p := range []string{"/index.html", "/tree.html", "/node.html", "/circuit.html", "/cpu.html", "/devices.html", "/unknown.html"} {
		r := c.do(t, "GET", p, nil, nil)
		if r.Status != http.StatusOK || r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: %d Cache-Control %q, want 200 no-store", p, r.Status, r.Header.Get("Cache-Control"))
		}
	}
	if r := c.do(t, "GET", "/nope.html", nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("unknown page: %d, want 404", r.Status)
	}
}

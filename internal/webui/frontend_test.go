package webui

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/web"
)

// Our front-end sources must never parse strings as HTML: all data goes
// through text nodes (web/src/js/lib/dom.js). This guards against a later
// edit reintroducing innerHTML with integration-controlled names.
func TestFrontendHasNoHTMLSinks(t *testing.T) {
	sinks := regexp.MustCompile(`\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function\(`)
	root := filepath.Join("..", "..", "web", "src")
	n := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".js") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		for i, line := range strings.Split(string(b), "\n") {
			if sinks.MatchString(line) {
				t.Errorf("%s:%d: HTML sink: %s", p, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Fatalf("found only %d JS sources under %s", n, root)
	}
}

// Pages may load scripts only from files (CSP has no 'unsafe-inline' for
// scripts) and must not use inline event handlers.
func TestBuiltPagesHaveNoInlineScripts(t *testing.T) {
	script := regexp.MustCompile(`(?is)<script([^>]*)>(.*?)</script>`)
	handler := regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	pages, _ := fs.Glob(web.Dist(), "*.html")
	if len(pages) < 3 {
		t.Fatalf("built pages: %v", pages)
	}
	for _, p := range pages {
		b, _ := fs.ReadFile(web.Dist(), p)
		tags := script.FindAllStringSubmatch(string(b), -1)
		if len(tags) == 0 {
			t.Errorf("%s: no script tag", p)
		}
		for _, m := range tags {
			if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
				t.Errorf("%s: inline script %q", p, m[0])
			}
		}
		if h := handler.FindString(string(b)); h != "" {
			t.Errorf("%s: inline event handler %q", p, h)
		}
	}
}

package webui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The committed declarations must match the Go types; regenerate with
// go generate ./internal/webui.
func TestTypeScriptDeclarationsFresh(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTypeScript(&b); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "web", "src", "js", "api-types.d.ts")
	have, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, b.Bytes()) {
		t.Fatalf("%s is stale: run go generate ./internal/webui", path)
	}
	for _, want := range []string{"export interface TreeNode {", "  live: NodeLive;", "export interface CircuitView extends CircuitDetail {",
		"  rows: [number, number, number, number, number, number, number, number, number, number][] | null;", "  history?: History;"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("declarations lack %q", want)
		}
	}
}

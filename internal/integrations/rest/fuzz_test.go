package rest

import (
	"os"
	"testing"

	"github.com/libreqos-go/lqos/internal/integrations/graph"
)

// FuzzParse: any reply is either refused with an error or yields a document
// that compiles into outputs the shaper's readers accept.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile(exampleFile); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"nodes":[],"circuits":[]}`))
	f.Add([]byte(`{"nodes":[{"id":"a","name":"A","type":"ap","parent_id":"a"}],"circuits":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := Parse(data)
		if err != nil {
			return
		}
		res, err := graph.Compile(Build(doc, 0.98), graph.Options{Mode: graph.ModeFull})
		if err != nil {
			return
		}
		if err := res.Validate(); err != nil {
			t.Fatalf("accepted document compiles to invalid outputs: %v\n%s", err, data)
		}
	})
}

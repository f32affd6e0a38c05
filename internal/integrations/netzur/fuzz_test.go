package netzur

import (
	"os"
	"testing"

	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
)

// FuzzBuild: whatever Netzur replies that decodes, Build and Compile never
// panic and the outputs validate.
func FuzzBuild(f *testing.F) {
	body, _ := os.ReadFile("testdata/reply.json")
	f.Add(body)
	f.Add([]byte(`{"zones":[],"customers":[]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var r reply
		if apiclient.DecodeJSON("api_url", body, &r) != nil {
			return
		}
		cfg := cfgFor("http://127.0.0.1")
		g, _ := Build(r, graph.RatePolicyFromConfig(cfg))
		opts, err := graph.OptionsFromConfig(cfg, "Netzur", graph.ModeFull)
		if err != nil {
			t.Fatal(err)
		}
		res, err := graph.Compile(g, opts)
		if err != nil {
			return // a graph the compiler refuses is reported, not shaped
		}
		if err := res.Validate(); err != nil {
			t.Fatal(err)
		}
	})
}

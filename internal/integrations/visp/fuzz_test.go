package visp

import (
	"os"
	"testing"

	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
)

// FuzzBuild: whatever VISP replies that decodes, Build and Compile never
// panic and the outputs validate.
func FuzzBuild(f *testing.F) {
	read := func(n string) []byte { b, _ := os.ReadFile("testdata/" + n); return b }
	f.Add(read("subscribers.json"), read("bulk.json"), read("equipment.json"), read("assemblies.json"))
	f.Add([]byte(`[]`), []byte(`[]`), []byte(`[]`), []byte(`[]`))
	f.Fuzz(func(t *testing.T, subs, bulk, equipment, assemblies []byte) {
		d := &Data{ISPID: 1, Backfill: map[int64][]customerService{}, IPLists: map[int64][]string{}}
		if apiclient.DecodeJSON("subscribers", subs, &d.Subscribers) != nil ||
			apiclient.DecodeJSON("bulk", bulk, &d.Bulk) != nil ||
			apiclient.DecodeJSON("equipment", equipment, &d.Equipment) != nil ||
			apiclient.DecodeJSON("assemblies", assemblies, &d.Assemblies) != nil {
			return
		}
		cfg := integtest.Config()
		g, _ := Build(d, graph.RatePolicyFromConfig(cfg), nil)
		for _, mode := range []string{graph.ModeFlat, graph.ModeFull} {
			opts, err := graph.OptionsFromConfig(cfg, "VISP", mode)
			if err != nil {
				t.Fatal(err)
			}
			res, err := graph.Compile(g, opts)
			if err != nil {
				continue
			}
			if err := res.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

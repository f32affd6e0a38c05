package splynx

import (
	"os"
	"testing"

	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
)

// FuzzBuild: whatever Splynx replies that decodes, Build and Compile never
// panic and the outputs validate, in every compile mode.
func FuzzBuild(f *testing.F) {
	read := func(n string) []byte { b, _ := os.ReadFile("testdata/" + n); return b }
	f.Add(read("customers.json"), read("services.json"), read("tariffs.json"), read("routers.json"), read("sectors.json"), read("network-sites.json"))
	f.Add([]byte(`[]`), []byte(`[]`), []byte(`[]`), []byte(`[]`), []byte(`[]`), []byte(`[]`))
	f.Fuzz(func(t *testing.T, customers, services, tariffs, routers, sectors, sites []byte) {
		var d Data
		if apiclient.DecodeJSON("customers", customers, &d.Customers) != nil ||
			apiclient.DecodeJSON("services", services, &d.Services) != nil ||
			apiclient.DecodeJSON("tariffs", tariffs, &d.Tariffs) != nil ||
			apiclient.DecodeJSON("routers", routers, &d.Routers) != nil ||
			apiclient.DecodeJSON("sectors", sectors, &d.Sectors) != nil ||
			apiclient.DecodeJSON("sites", sites, &d.NetworkSites) != nil {
			return
		}
		cfg := integtest.Config()
		for _, mode := range []string{graph.ModeFlat, graph.ModeAPOnly, graph.ModeAPSite, graph.ModeFull} {
			opts, err := graph.OptionsFromConfig(cfg, "Splynx", mode)
			if err != nil {
				t.Fatal(err)
			}
			g, _ := Build(&d, mode, graph.RatePolicyFromConfig(cfg), opts.Suspended)
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

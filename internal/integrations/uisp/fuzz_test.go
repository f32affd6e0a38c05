package uisp

import (
	"os"
	"testing"

	"github.com/libreqos-go/lqos/internal/integrations/apiclient"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/integrations/integtest"
)

// FuzzBuild: whatever UISP sends that decodes, Build and Compile never panic
// and the outputs validate.
func FuzzBuild(f *testing.F) {
	s, _ := os.ReadFile("testdata/sites.json")
	d, _ := os.ReadFile("testdata/devices.json")
	l, _ := os.ReadFile("testdata/data-links.json")
	f.Add(s, d, l, true)
	f.Add(s, d, []byte(`[]`), false)
	f.Fuzz(func(t *testing.T, sites, devs, links []byte, auto bool) {
		var data Data
		if apiclient.DecodeJSON("sites", sites, &data.Sites) != nil ||
			apiclient.DecodeJSON("devices", devs, &data.Devices) != nil ||
			apiclient.DecodeJSON("data-links", links, &data.Links) != nil {
			return
		}
		cfg := integtest.Config()
		cfg.UISP.Site = "Core"
		if auto {
			cfg.UISP.Site = ""
		}
		for _, mode := range []string{graph.ModeAPSite, graph.ModeFull} {
			g, _, err := Build(&data, cfg, mode)
			if err != nil {
				continue
			}
			opts, _ := graph.OptionsFromConfig(cfg, "UISP", mode)
			res, err := graph.Compile(g, opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

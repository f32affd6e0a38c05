// Package integrations imports subscribers and topology from CRM/NMS systems
// (UISP, Splynx, VISP, Netzur, Powercode, Sonar, WISPGate and a generic
// REST/JSON source) and turns them into network.json and
// ShapedDevices.csv.
//
// The scheduler calls it like this:
//
//	integ := integrations.First(cfg)        // nil when none is enabled (DIY mode)
//	res, err := integ.Import(ctx, cfg)      // talks to the API; nothing written yet
//	err = integrations.WriteOutputs(cfg.LqosDirectory, res, nil)
//
// or simply integrations.Run(ctx, cfg, dir). Import never writes files and
// WriteOutputs replaces them atomically, so a failed or refused import keeps
// the last good files. See README.md for the behaviour and the deliberate
// differences from upstream LibreQoS.
package integrations

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/fleet"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/integrations/netzur"
	"github.com/libreqos-go/lqos/internal/integrations/powercode"
	"github.com/libreqos-go/lqos/internal/integrations/rest"
	"github.com/libreqos-go/lqos/internal/integrations/sonar"
	"github.com/libreqos-go/lqos/internal/integrations/splynx"
	"github.com/libreqos-go/lqos/internal/integrations/uisp"
	"github.com/libreqos-go/lqos/internal/integrations/visp"
	"github.com/libreqos-go/lqos/internal/integrations/wispgate"
	"github.com/libreqos-go/lqos/internal/topology"
)

// Result is one compiled import (network tree, circuits and a summary).
type Result = graph.Result

// Summary counts what an import produced and skipped.
type Summary = graph.Summary

// Integration is one CRM/NMS source.
type Integration interface {
	// Name is the label used in messages ("UISP integration", "Splynx", "Sonar", ...).
	Name() string
	// Import fetches everything and compiles it. It writes nothing. It
	// honours ctx for cancellation and deadlines.
	Import(ctx context.Context, cfg *config.Config) (*Result, error)
}

// implementations are the importers by short name; their priority order is
// config.IntegrationNames.
var implementations = map[string]Integration{
	"uisp":      uisp.Integration{},
	"splynx":    splynx.Integration{},
	"visp":      visp.Integration{},
	"netzur":    netzur.Integration{},
	"powercode": powercode.Integration{},
	"sonar":     sonar.Integration{},
	"wispgate":  wispgate.Integration{},
	"rest":      rest.Integration{},
}

// Enabled returns the enabled integrations in priority order (that of
// config.EnabledIntegrations).
func Enabled(cfg *config.Config) []Integration {
	var out []Integration
	for _, name := range cfg.EnabledIntegrations() {
		if i, ok := implementations[name]; ok {
			out = append(out, i)
		}
	}
	return out
}

// Label is the human name of the integration with this short name (as in
// config.IntegrationNames): "UISP integration", "Splynx", ...; name itself
// when unknown.
func Label(name string) string {
	if i, ok := implementations[name]; ok {
		return i.Name()
	}
	return name
}

// lookup finds an integration by its short name or its label,
// case-insensitively; nil when unknown.
func lookup(name string) Integration {
	n := strings.ToLower(strings.TrimSpace(name))
	if i, ok := implementations[n]; ok {
		return i
	}
	for _, i := range implementations {
		if n == strings.ToLower(i.Name()) {
			return i
		}
	}
	return nil
}

// First returns the integration the scheduler runs (the first enabled), or nil.
func First(cfg *config.Config) Integration {
	if l := Enabled(cfg); len(l) > 0 {
		return l[0]
	}
	return nil
}

// DefaultTimeout bounds a whole import when ctx has no deadline (upstream had none).
const DefaultTimeout = 15 * time.Minute

// Run imports with the first enabled integration and writes the outputs into
// dir. It returns (nil, nil) when no integration is enabled. Warnings are in
// res.Summary.Problems for the caller to show; Run logs only the outcome.
func Run(ctx context.Context, cfg *config.Config, dir string) (*Result, error) {
	integ := First(cfg)
	if integ == nil {
		return nil, nil
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	start := time.Now()
	res, err := integ.Import(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("%s import failed; keeping the last good files: %w", integ.Name(), err)
	}
	ShareOf(cfg, res)
	if err := WriteOutputs(dir, res, nil); err != nil {
		return res, err
	}
	slog.Info("integration import written", "integration", integ.Name(), "summary", res.Summary.String(), "elapsed", time.Since(start).Round(time.Millisecond))
	return res, nil
}

// ShareOf cuts res down to this shaper's part of the network when
// lqos.conf's [fleet] splits it between shapers (see package fleet): only
// that part is written and applied. The split is logged and its warnings
// join the import's problems.
func ShareOf(cfg *config.Config, res *Result) {
	share := fleet.New(cfg)
	if share == nil || res == nil {
		return
	}
	nw, circuits, sum := share.Filter(res.Network, res.Circuits)
	res.Network, res.Circuits = nw, circuits
	res.Summary.Circuits = len(circuits)
	res.Summary.Problems = append(res.Summary.Problems, sum.Warnings()...)
	devs, nodes := 0, 0
	for _, c := range circuits {
		devs += len(c.Devices)
	}
	nw.Walk(func(*topology.Node) bool { nodes++; return true })
	res.Summary.Devices, res.Summary.Nodes = devs, nodes
	slog.Info(sum.String(), "rule", share.Rule())
}

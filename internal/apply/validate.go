package apply

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"runtime"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/cores"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/shaper"
	"github.com/vishvananda/netns"
)

// Validate loads the inputs cfg names (ShapedDevices.csv, network.json,
// lqos_overrides.json) and checks them exactly as a refresh would: every
// input problem, then, when there is no error, the planner's checks
// (CheckPlan). Nothing is applied. queues is the TX queue count to plan for;
// 0 takes it as the next apply would (PlannedQueues). The inputs come back
// too (nil when they could not be read) for reports such as the fleet split.
//
// `libreqos validate` prints this list; the web UI's editors call it on the
// files they are about to save.
func Validate(cfg *config.Config, queues int) (*inputs.Inputs, diag.List) {
	in, l := inputs.Load(cfg)
	if !l.HasErrors() {
		l.Merge(CheckPlan(cfg, in, PlannedQueues(cfg, queues, nil, nil)))
	}
	return in, l
}

// PlannedQueues is the TX queue count a plan that does not apply is made
// for: queues when set, else the config's override (0 here lets the engine
// read it), else the interfaces' count, else this machine's CPUs (so it
// works on a laptop). note, when set, is told why the interfaces were not
// used.
func PlannedQueues(cfg *config.Config, queues int, log *slog.Logger, note io.Writer) int {
	if queues != 0 || cfg.Queues.OverrideAvailableQueues != 0 {
		return queues
	}
	tx := cores.ShapingCount(cores.DefaultRoot, cfg.ExcludeEfficiencyCores, runtime.NumCPU())
	k, err := shaper.OpenKernel(netns.None())
	if err != nil {
		return tx
	}
	defer k.Close()
	n, err := shaper.New(cfg, k, nil, log).DetectQueues()
	if err == nil {
		return n
	}
	if note != nil {
		fmt.Fprintf(note, "# %v; planning for %d queues\n", err, tx)
	}
	return tx
}

// CheckPlan plans the validated inputs (nothing is applied), so validation
// refuses exactly what a refresh would refuse, and reports what only the
// plan shows: each node whose children's guarantees exceed its own (with
// the node's network.json line), circuits the plan cannot shape, and a plan
// that cannot be built. queues 0 plans for override_available_queues, else
// this machine's shaping cores (the real count comes from the interfaces at
// apply time; it changes placement, not what is valid).
func CheckPlan(cfg *config.Config, in *inputs.Inputs, queues int) diag.List {
	var l diag.List
	if queues == 0 {
		queues = int(cfg.Queues.OverrideAvailableQueues)
	}
	if queues == 0 {
		queues = max(cores.ShapingCount(cores.DefaultRoot, cfg.ExcludeEfficiencyCores, runtime.NumCPU()), 2)
	}
	prev, err := shaper.LoadIdentities(cfg)
	if err != nil {
		prev = nil // placements are dealt afresh, as the next apply would
	}
	netFile, csvFile := filepath.Base(in.Network.Path), filepath.Base(in.Devices.Path)
	p, err := plan.Build(plan.Input{Config: cfg, Devices: in.Devices, Network: in.Network, TXQueues: queues, Previous: prev})
	if err != nil {
		l.Errorf(netFile, 0, "", "the queue plan cannot be built: %v", err)
		return l
	}
	oversub := map[string]bool{}
	for _, o := range p.Oversubscribed {
		oversub[o.Message()] = true
		if o.Line > 0 {
			l.Warnf(netFile, o.Line, o.Path(), "%s", o.Message())
		} else {
			// A generated parent node: its circuits come from the CSV.
			l.Warnf(csvFile, 0, o.Node, "%s", o.Message())
		}
	}
	for _, w := range p.Warnings {
		if !oversub[w] {
			l.Warnf("plan", 0, "", "%s", w)
		}
	}
	for _, u := range p.Unshaped {
		if u.Reason == "unknown_parent" {
			l.Errorf(csvFile, u.Line, "Parent Node", "circuit %q: parent node %q is neither in network.json nor one of the %d generated parent nodes", u.CircuitID, u.ParentNode, p.Queues)
			continue
		}
		l.Warnf(csvFile, u.Line, "", "circuit %q is not shaped: %s", u.CircuitID, u.Reason)
	}
	return l
}

// Package inputs loads everything an operator edits (lqos.conf,
// ShapedDevices.csv, network.json, lqos_overrides.json), applies the
// overrides and checks the files against each other. It is the single entry
// point used by libreqos, lqosd and the scheduler, so all three agree on what
// is valid.
package inputs

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/overrides"
	"github.com/libreqos-go/lqos/internal/topology"
)

// File names inside lqos_directory.
const (
	ShapedDevicesFile = "ShapedDevices.csv"
	NetworkFile       = "network.json"
)

// Inputs is a consistent, validated set of inputs.
type Inputs struct {
	Config    *config.Config
	Devices   *devices.File
	Network   *topology.Network
	Overrides *overrides.File
}

// Paths of the input files for a configuration.
type Paths struct {
	ShapedDevices string
	Network       string
	Overrides     string
}

// PathsFor returns where cfg says the inputs live.
func PathsFor(cfg *config.Config) Paths {
	return Paths{
		ShapedDevices: filepath.Join(cfg.LqosDirectory, ShapedDevicesFile),
		Network:       filepath.Join(cfg.LqosDirectory, NetworkFile),
		Overrides:     filepath.Join(cfg.LqosDirectory, overrides.FileName),
	}
}

// LoadConfig reads lqos.conf and turns its warnings and errors into problems.
func LoadConfig(path string) (*config.Config, diag.List) {
	var l diag.List
	cfg, warns, err := config.Load(path)
	for _, w := range config.SortedWarnings(warns) {
		l.Warnf(filepath.Base(path), 0, w.Key, "%s", w.Message)
	}
	if err != nil {
		l.Errorf(filepath.Base(path), 0, "", "%v", err)
	}
	return cfg, l
}

// Load reads the files cfg points at. The returned Inputs is usable only
// when the list has no errors.
func Load(cfg *config.Config) (*Inputs, diag.List) {
	p := PathsFor(cfg)
	var l diag.List
	sd, dl := devices.Load(p.ShapedDevices)
	l.Merge(dl)
	nw, nl := topology.Load(p.Network)
	l.Merge(nl)
	ov, ol := overrides.Load(p.Overrides)
	l.Merge(ol)
	in := &Inputs{Config: cfg, Devices: sd, Network: nw, Overrides: ov}
	if !l.HasErrors() {
		l.Merge(ov.Apply(sd, nw))
		l.Merge(in.CrossCheck())
	}
	l.Sort()
	return in, l
}

// CrossCheck verifies what no single file can: that every circuit's parent
// exists and that virtual nodes can be removed cleanly.
func (in *Inputs) CrossCheck() diag.List {
	var l diag.List
	csv := filepath.Base(in.Devices.Path)
	if in.Network.Flat() {
		named := 0
		for _, c := range in.Devices.Circuits {
			if c.ParentNode != "" || c.ParentNodeID != "" {
				named++
			}
		}
		if named > 0 {
			l.Warnf(filepath.Base(in.Network.Path), 0, "", "network.json is empty (flat network): the Parent Node of %d circuit(s) is ignored and they are spread over generated parent nodes", named)
		}
		return l
	}
	if _, _, err := in.Network.Physical(); err != nil {
		l.Errorf(filepath.Base(in.Network.Path), 0, "", "%v", err)
	}
	r := topology.NewResolver(in.Network)
	for _, c := range in.Devices.Circuits {
		if c.ParentNode == "" && c.ParentNodeID == "" {
			continue
		}
		if n := r.Resolve(c.ParentNodeID, c.ParentNode); n != nil {
			if other := r.Disagreement(c.ParentNodeID, c.ParentNode); other != nil {
				l.Warnf(csv, c.Line, "Parent Node ID", "circuit %q: Parent Node %q and Parent Node ID %q name different nodes (the ID is node %q); shaped under the named node %q, as upstream does, and the ID is ignored", c.ID, c.ParentNode, c.ParentNodeID, other.Name, n.Name)
			} else if c.ParentNode != "" && n.Name != c.ParentNode && n.DisplayName != c.ParentNode && n.ActiveAttachmentName != c.ParentNode {
				l.Warnf(csv, c.Line, "Parent Node", "circuit %q: Parent Node %q is not in network.json; shaped under node %q, found by Parent Node ID %q", c.ID, c.ParentNode, n.Name, c.ParentNodeID)
			}
			continue
		}
		if isGeneratedName(c.ParentNode) && c.ParentNodeID == "" {
			// Generated parent nodes exist in every plan; whether this one
			// does depends on the queue count, which the planner checks.
			continue
		}
		// Upstream silently leaves such circuits unshaped; we refuse the
		// inputs so a typo never turns a subscriber's shaping off.
		field := "Parent Node"
		name := c.ParentNode
		if name == "" {
			field, name = "Parent Node ID", c.ParentNodeID
		}
		l.Errorf(csv, c.Line, field, "circuit %q: parent node %q does not exist in network.json%s", c.ID, name, suggest(in.Network, name))
	}
	return l
}

// isGeneratedName reports whether name is "Generated_PN_<k>", a node the
// planner creates.
func isGeneratedName(name string) bool {
	rest, ok := strings.CutPrefix(name, "Generated_PN_")
	return ok && rest != "" && strings.Trim(rest, "0123456789") == ""
}

// suggest names a node that differs only in case or surrounding spaces.
func suggest(nw *topology.Network, name string) string {
	var hint string
	nw.Walk(func(n *topology.Node) bool {
		if hint == "" && equalFoldTrim(n.Name, name) {
			hint = fmt.Sprintf(" (did you mean %q?)", n.Name)
		}
		return hint == ""
	})
	return hint
}

package inputs

import (
	"fmt"
	"io"
	"strings"

	"github.com/libreqos-go/lqos/internal/diag"
)

func equalFoldTrim(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// Summary counts what the inputs describe.
type Summary struct {
	Circuits         int
	Devices          int
	Nodes            int
	VirtualNodes     int
	IPv4             int
	IPv6             int
	Overrides        int
	FlatNetwork      bool
	CircuitsNoParent int
}

// Summarise counts the inputs.
func (in *Inputs) Summarise() Summary {
	s := Summary{FlatNetwork: in.Network.Flat()}
	for _, c := range in.Devices.Circuits {
		s.Circuits++
		if c.ParentNode == "" && c.ParentNodeID == "" {
			s.CircuitsNoParent++
		}
		for _, d := range c.Devices {
			s.Devices++
			s.IPv4 += len(d.IPv4)
			s.IPv6 += len(d.IPv6)
		}
	}
	for _, n := range in.Network.Nodes() {
		s.Nodes++
		if n.IsVirtual() {
			s.VirtualNodes++
		}
	}
	if in.Overrides != nil {
		s.Overrides = len(in.Overrides.PersistentDevices) + len(in.Overrides.CircuitAdjustments) + len(in.Overrides.NetworkAdjustments)
	}
	return s
}

// WriteReport prints the validation report an operator reads: counts, then
// every warning and every error.
func WriteReport(w io.Writer, in *Inputs, l diag.List) {
	if in != nil && in.Devices != nil && in.Network != nil {
		s := in.Summarise()
		mode := "hierarchical"
		if s.FlatNetwork {
			mode = "flat"
		}
		fmt.Fprintf(w, "Circuits: %d\nDevices:  %d (IPv4 entries %d, IPv6 entries %d)\nNodes:    %d (%d virtual), %s network\nOverrides: %d\n",
			s.Circuits, s.Devices, s.IPv4, s.IPv6, s.Nodes, s.VirtualNodes, mode, s.Overrides)
		if s.CircuitsNoParent > 0 && !s.FlatNetwork {
			fmt.Fprintf(w, "Circuits without a parent node (go to generated parent nodes): %d\n", s.CircuitsNoParent)
		}
	}
	warns, errs := l.Warnings(), l.Errors()
	fmt.Fprintf(w, "Warnings: %d\nErrors:   %d\n", len(warns), len(errs))
	for _, p := range warns {
		fmt.Fprintln(w, "  "+p.String())
	}
	for _, p := range errs {
		fmt.Fprintln(w, "  "+p.String())
	}
	if len(errs) == 0 {
		fmt.Fprintln(w, "OK: inputs are valid")
	} else {
		fmt.Fprintln(w, "FAILED: fix the errors above; nothing was applied")
	}
}

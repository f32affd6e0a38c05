// Package builder is the body of the libreqos command: validate the inputs,
// plan the queue tree, apply it.
package builder

import (
	"context"
	"fmt"
	"io"

	"github.com/libreqos-go/lqos/internal/inputs"
)

// Options are libreqos's flags.
type Options struct {
	ConfigPath string
	Debug      bool
	DryRun     bool
}

// Exit codes.
const (
	ExitOK      = 0
	ExitInvalid = 1 // inputs rejected; nothing applied
	ExitFailed  = 3 // applying failed; the previous tree is kept
)

// Validate loads and checks every input and prints the report.
func Validate(opts Options, out io.Writer) int {
	cfg, l := inputs.LoadConfig(opts.ConfigPath)
	if cfg == nil {
		inputs.WriteReport(out, nil, l)
		return ExitInvalid
	}
	fmt.Fprintf(out, "Config:   %s\nInputs:   %s\n", cfg.Path, cfg.LqosDirectory)
	in, il := inputs.Load(cfg)
	l.Merge(il)
	inputs.WriteReport(out, in, l)
	if l.HasErrors() {
		return ExitInvalid
	}
	return ExitOK
}

// Run validates, plans and applies.
func Run(ctx context.Context, opts Options, out io.Writer) int {
	if code := Validate(opts, out); code != ExitOK {
		return code
	}
	fmt.Fprintln(out, "applying queues is not wired yet")
	return ExitFailed
}

// Package shaper is the apply engine shared by libreqos and lqosd:
// load and validate the inputs, plan the queue tree, apply it to the kernel
// and the IP mappings to the data path, then record what was applied.
//
// It follows validate -> apply -> roll back: nothing touches the kernel
// until the inputs are valid and the plan is built, and a failed apply
// leaves the previously applied tree in place.
package shaper

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/plan"
)

// MappingStore receives the IP -> class mappings (the data path, or a fake).
type MappingStore interface {
	// ReplaceAll makes the store hold exactly these mappings.
	ReplaceAll(ctx context.Context, ms []plan.Mapping) error
}

// Options tune one refresh.
type Options struct {
	Reason string // why (logged): "libreqos", "scheduler", "bus", "file change"...
	DryRun bool   // plan only; return the tc commands without applying
	Debug  bool   // log each step with its timing
	// TxQueues overrides TX queue detection (0 = detect from the interfaces,
	// or config queues.override_available_queues).
	TxQueues int
}

// Result says what a refresh did.
type Result struct {
	Plan       *plan.Plan
	Commands   []string // dry run: the equivalent tc commands
	Circuits   int
	Nodes      int
	Classes    int
	Mappings   int
	FullReload bool
	Steps      []Step
}

// Step is one timed phase, for --debug and the scheduler's progress.
type Step struct {
	Name     string
	Duration time.Duration
}

// Engine applies plans for one configuration.
type Engine struct {
	cfg      *config.Config
	mappings MappingStore
	log      *slog.Logger
}

// New returns an engine. mappings may be nil when no data path is loaded
// (libreqos run without lqosd): mappings are then skipped with a warning.
func New(cfg *config.Config, mappings MappingStore, log *slog.Logger) *Engine {
	if log == nil {
		log = slog.Default()
	}
	return &Engine{cfg: cfg, mappings: mappings, log: log}
}

// ErrNotReady is returned until the apply path is wired.
var ErrNotReady = errors.New("shaper: apply path not implemented yet")

// Refresh loads the inputs, plans and applies. Input errors come back as
// *diag.InputError (every problem listed); kernel errors name the object.
func (e *Engine) Refresh(ctx context.Context, opts Options) (*Result, error) {
	return nil, ErrNotReady
}

package cli

import (
	"context"
	"github.com/libreqos-go/lqos/internal/bus"
)

func (a *app) reload(ctx context.Context, args []string) error {
	fs := newFlags("reload")
	full := fs.Bool("full", false, "")
	reason := fs.String("reason", "lqos reload", "")
	// Applies a run held back for removing too many circuits.
	confirm := fs.Bool("confirm-shrink", false, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	res, err := c.Reload(ctx, &bus.ReloadPlan{Reason: *reason, Full: *full, ConfirmShrink: *confirm})
	if err != nil {
		return err
	}
	return a.planResult(res)
}

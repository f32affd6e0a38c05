package cli

import (
	"context"
	"fmt"
	"github.com/libreqos-go/lqos/internal/bus"
	"time"
)

func (a *app) apply(ctx context.Context, args []string) error {
	fs := newFlags("apply")
	dry := fs.Bool("dry-run", false, "")
	reason := fs.String("reason", "lqos apply", "")
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
	res, err := c.ApplyPlan(ctx, *reason, *dry)
	if err != nil {
		return err
	}
	return a.planResult(res)
}

func (a *app) planResult(res *bus.PlanResult) error {
	if a.json {
		return a.emitJSON(res)
	}
	state := "applied"
	if !res.Applied {
		state = "not applied"
	}
	fmt.Fprintf(a.out, "%s in %v: %s\n", state, res.Duration.Round(time.Millisecond), res.Summary)
	for _, w := range res.Warnings {
		fmt.Fprintf(a.out, "warning: %s\n", w)
	}
	return nil
}

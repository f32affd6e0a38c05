package cli

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"
)

func (a *app) urgent(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("want list or ack")
	}
	switch args[0] {
	case "list", "ls":
		return a.urgentList(ctx, args[1:])
	case "ack":
		return a.urgentAck(ctx, args[1:])
	}
	return usagef("urgent %q: want list or ack", args[0])
}

func (a *app) urgentList(ctx context.Context, args []string) error {
	fs := newFlags("urgent list")
	all := fs.Bool("all", false, "")
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
	is, err := c.ListUrgent(ctx, !*all)
	if err != nil {
		return err
	}
	if a.json {
		return a.emitJSON(is)
	}
	if len(is) == 0 {
		fmt.Fprintln(a.out, "no urgent issues")
		return nil
	}
	w := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSEVERITY\tCODE\tCOUNT\tLAST SEEN\tSTATE\tMESSAGE")
	for _, x := range is {
		state := "open"
		if x.Acknowledged {
			state = "acked by " + x.AcknowledgedBy
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%d\t%s\t%s\t%s\n", x.ID, x.Severity, x.Code, x.Count, x.LastSeen.Local().Format(time.DateTime), state, x.Message)
	}
	return w.Flush()
}

func (a *app) urgentAck(ctx context.Context, args []string) error {
	fs := newFlags("urgent ack")
	code := fs.String("code", "", "")
	by := fs.String("by", "", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	var id uint64
	switch {
	case *code != "" && fs.NArg() == 0:
	case *code == "" && fs.NArg() == 1:
		v, err := strconv.ParseUint(fs.Arg(0), 10, 64)
		if err != nil || v == 0 {
			return usagef("issue id %q: want a positive number (see `lqos urgent list`)", fs.Arg(0))
		}
		id = v
	default:
		return usagef("give one issue id, or --code CODE")
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	is, err := c.AckUrgent(ctx, id, *code, *by)
	if err != nil {
		return err
	}
	if a.json {
		return a.emitJSON(is)
	}
	for _, x := range is {
		fmt.Fprintf(a.out, "acknowledged #%d %s\n", x.ID, x.Code)
	}
	return nil
}

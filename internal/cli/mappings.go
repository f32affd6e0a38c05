package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/libreqos-go/lqos/internal/plan"
	"net/netip"
	"strings"
	"text/tabwriter"

	"github.com/libreqos-go/lqos/internal/tchandle"
)

func (a *app) mappings(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usagef("want list, add, del or clear")
	}
	switch args[0] {
	case "list", "ls":
		return a.mapList(ctx, args[1:])
	case "add":
		return a.mapAdd(ctx, args[1:])
	case "del", "delete", "rm":
		return a.mapDel(ctx, args[1:])
	case "clear":
		return a.mapClear(ctx, args[1:])
	}
	return usagef("mappings %q: want list, add, del or clear", args[0])
}

func (a *app) mapList(ctx context.Context, args []string) error {
	fs := newFlags("mappings list")
	off := fs.Int("offset", 0, "")
	lim := fs.Int("limit", 0, "")
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
	l, err := c.ListIPs(ctx, *off, *lim)
	if err != nil {
		return err
	}
	if a.json {
		return a.emitJSON(l)
	}
	w := tabwriter.NewWriter(a.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PREFIX\tCPU\tCLASS\tUPLOAD CLASS\tCIRCUIT\tDEVICE")
	for _, m := range l.Mappings {
		fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", m.Prefix, m.CPU, classText(m.ClassID), classText(m.UploadClassID), m.CircuitID, m.DeviceID)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(a.out, "%d of %d mappings\n", len(l.Mappings), l.Total)
	return nil
}

func classText(id tchandle.Handle) string {
	if id == 0 {
		return "-"
	}
	return id.String()
}

func (a *app) mapAdd(ctx context.Context, args []string) error {
	fs := newFlags("mappings add")
	ip := fs.String("ip", "", "")
	class := fs.String("class", "", "")
	upClass := fs.String("upload-class", "", "")
	cpu := fs.Uint("cpu", 0, "")
	circuit := fs.String("circuit", "", "")
	device := fs.String("device", "", "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *ip == "" {
		return usagef("--ip is required (address or prefix)")
	}
	p, err := parsePrefix(*ip)
	if err != nil {
		return usagef("--ip: %v", err)
	}
	if *circuit == "" {
		return usagef("--circuit is required")
	}
	m := plan.Mapping{Prefix: p, CPU: uint32(*cpu), CircuitID: *circuit, DeviceID: *device}
	if *class == "" && *upClass == "" {
		return usagef("--class or --upload-class is required (major:minor in hex, as tc prints it)")
	}
	if *class != "" {
		h, err := tchandle.Parse(*class)
		m.ClassID = h
		if err != nil {
			return usagef("--class: %v", err)
		}
	}
	if *upClass != "" {
		h, err := tchandle.Parse(*upClass)
		m.UploadClassID = h
		if err != nil {
			return usagef("--upload-class: %v", err)
		}
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	res, err := c.MapIPs(ctx, []plan.Mapping{m})
	if err != nil {
		return err
	}
	if len(res.Failed) > 0 {
		return fmt.Errorf("lqosd refused %s: %s", res.Failed[0].Prefix, res.Failed[0].Error)
	}
	if a.json {
		return a.emitJSON(res)
	}
	fmt.Fprintf(a.out, "mapped %s\n", p)
	return nil
}

// parsePrefix accepts an address (host prefix) or a prefix.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return p, err
		}
		if p != p.Masked() {
			return p, fmt.Errorf("%s has host bits set (did you mean %s?)", p, p.Masked())
		}
		return p, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (a *app) mapDel(ctx context.Context, args []string) error {
	fs := newFlags("mappings del")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("give one or more addresses or prefixes")
	}
	var ps []netip.Prefix
	for _, s := range fs.Args() {
		p, err := parsePrefix(s)
		if err != nil {
			return usagef("%q: %v", s, err)
		}
		ps = append(ps, p)
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	res, err := c.DelIPs(ctx, ps)
	if err != nil {
		return err
	}
	if a.json {
		return a.emitJSON(res)
	}
	fmt.Fprintf(a.out, "deleted %d, not found %d\n", res.Deleted, res.NotFound)
	if res.NotFound > 0 && res.Deleted == 0 {
		return errors.New("no such mapping")
	}
	return nil
}

func (a *app) mapClear(ctx context.Context, args []string) error {
	fs := newFlags("mappings clear")
	yes := fs.Bool("yes", false, "")
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if !*yes {
		return usagef("this unmaps every subscriber; add --yes to confirm")
	}
	c, err := a.lqosd(ctx)
	if err != nil {
		return err
	}
	res, err := c.ClearIPs(ctx)
	if err != nil {
		return err
	}
	if a.json {
		return a.emitJSON(res)
	}
	fmt.Fprintf(a.out, "cleared %d mappings\n", res.Cleared)
	return nil
}

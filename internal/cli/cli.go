// Package cli is `lqos`, the command-line client of the lqosd bus. Each
// subcommand lives in its own file; the table in commands is the one list
// of them, and the usage text is printed from it. cmd/lqos parses the global
// flags (--bus, --json, --timeout, --config) and hands the rest to Run.
//
// Exit codes: 0 success, 1 lqosd answered with an error, 2 bad command
// line, 3 lqosd not reachable.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/config"
)

// Exit codes.
const (
	ExitOK          = 0
	ExitFailed      = 1
	ExitUsage       = 2
	ExitUnreachable = 3
)

// DefaultTimeout bounds a command when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Options are the global flags, parsed by cmd/lqos.
type Options struct {
	BusPath    string        // lqosd bus socket; "" is bus.DefaultSocketPath
	JSON       bool          // print JSON instead of text
	Timeout    time.Duration // give up after this long; 0 is DefaultTimeout
	ConfigPath string        // lqos.conf to check before talking to lqosd; "" reads none
}

// command is one subcommand of lqos.
type command struct {
	name     string
	synopsis []string // usage lines, each starting with the name
	summary  string   // printed after the first synopsis line
	run      func(*app, context.Context, []string) error
}

// commands is the one table of subcommands; Usage is printed from it.
var commands = []command{
	{name: "status", synopsis: []string{"status"}, summary: "daemon, shaping, scheduler and urgent summary", run: (*app).status},
	{name: "ping", synopsis: []string{"ping"}, summary: "check that lqosd answers", run: (*app).ping},
	{name: "mappings", synopsis: []string{
		"mappings list [--offset N] [--limit N]",
		"mappings add --ip PREFIX --class MAJ:MIN [--upload-class MAJ:MIN] --cpu N --circuit ID [--device ID]",
		"mappings del PREFIX...",
		"mappings clear --yes",
	}, run: (*app).mappings},
	{name: "top", synopsis: []string{"top [--circuits] [--by down|up|total] [-n N]"}, run: (*app).top},
	{name: "urgent", synopsis: []string{"urgent list [--all]", "urgent ack ID | urgent ack --code CODE [--by NAME]"}, run: (*app).urgent},
	{name: "apply", synopsis: []string{"apply [--dry-run] [--reason TEXT]"}, run: (*app).apply},
	{name: "reload", synopsis: []string{"reload [--full] [--reason TEXT] [--confirm-shrink]"}, run: (*app).reload},
	{name: "dynamic", synopsis: []string{"dynamic"}, summary: "RADIUS accounting sessions and their circuits", run: (*app).dynamic},
}

// Usage prints the usage text of lqos.
func Usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("usage: lqos [--bus PATH] [--json] [--timeout D] [--config PATH] <command>\n")
	b.WriteString("(global flags may also be written after the command)\n\ncommands:\n")
	for _, c := range commands {
		for i, line := range c.synopsis {
			if i == 0 && c.summary != "" {
				fmt.Fprintf(&b, "  %-31s %s\n", line, c.summary)
				continue
			}
			fmt.Fprintf(&b, "  %s\n", line)
		}
	}
	fmt.Fprint(w, b.String())
}

func lookup(name string) (command, bool) {
	for _, c := range commands {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

type app struct {
	out, errw io.Writer
	json      bool
	busPath   string
	c         *bus.Client // dialled by lqosd once the command line is known good
}

// withoutArgs checks that a command got no flags or arguments of its own,
// then dials lqosd.
func (a *app) withoutArgs(ctx context.Context, name string, args []string) (*bus.Client, error) {
	fs := newFlags(name)
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	if err := noArgs(fs); err != nil {
		return nil, err
	}
	return a.lqosd(ctx)
}

// unreachableError: lqosd's bus could not be dialled.
type unreachableError struct{ err error }

func (e *unreachableError) Error() string { return e.err.Error() }

// lqosd returns the bus client, dialling on first use: a command checks its
// own flags first, so a bad command line is a usage error even while lqosd
// is down.
func (a *app) lqosd(ctx context.Context) (*bus.Client, error) {
	if a.c == nil {
		c, err := bus.Dial(ctx, a.busPath)
		if err != nil {
			return nil, &unreachableError{err}
		}
		a.c = c
	}
	return a.c, nil
}

// Run executes one command (args[0], with its own arguments after it) and
// returns the exit code.
func Run(ctx context.Context, o Options, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		Usage(stderr)
		return ExitUsage
	}
	if o.BusPath == "" {
		o.BusPath = bus.DefaultSocketPath
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConfigPath != "" {
		// lqos talks to lqosd over the bus, not to the files; a named
		// config is loaded so a broken one is reported, never ignored.
		if _, _, err := config.Load(o.ConfigPath); err != nil {
			fmt.Fprintf(stderr, "lqos: %v\n", err)
			return ExitUsage
		}
	}
	name, rest := args[0], args[1:]
	if strings.HasPrefix(name, "-") {
		fmt.Fprintf(stderr, "lqos: flag provided but not defined: %s\n", name)
		Usage(stderr)
		return ExitUsage
	}
	cmd, ok := lookup(name)
	if !ok {
		fmt.Fprintf(stderr, "lqos: unknown command %q\n", name)
		Usage(stderr)
		return ExitUsage
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	a := &app{out: stdout, errw: stderr, json: o.JSON, busPath: o.BusPath}
	defer func() {
		if a.c != nil {
			a.c.Close()
		}
	}()
	if err := cmd.run(a, ctx, rest); err != nil {
		var ue *usageError
		var be *bus.Error
		var ne *unreachableError
		if errors.As(err, &ne) {
			fmt.Fprintf(stderr, "lqos: %v\n", err)
			return ExitUnreachable
		}
		fmt.Fprintf(stderr, "lqos %s: %v\n", name, err)
		switch {
		case errors.As(err, &ue):
			return ExitUsage
		case errors.As(err, &be):
			return ExitFailed
		case errors.Is(err, bus.ErrClosed), strings.Contains(err.Error(), "connection lost"):
			return ExitUnreachable
		}
		return ExitFailed
	}
	return ExitOK
}

func (a *app) emitJSON(v any) error {
	enc := json.NewEncoder(a.out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse accepts flags before and after positional arguments ("ack 4 --by
// me"); the positionals are then available as fs.Args().
func parse(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return usagef("%v", err)
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

func noArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return usagef("unexpected arguments %q", fs.Args())
	}
	return nil
}

// Package cmdline lets a program's own flags appear anywhere on its command
// line, before or after a subcommand ("libreqos validate --config X" and
// "libreqos --config X validate" mean the same). Go's flag package stops at
// the first positional argument, which silently ignored flags written after
// the subcommand.
package cmdline

import (
	"flag"
	"fmt"
	"strings"
)

// Parse sets the flags of fs found anywhere in args and returns the other
// arguments in order: positionals and flags fs does not define (a
// subcommand's own flags), for the caller to parse or refuse. "--" ends flag
// processing; everything after it is returned as is.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var mine, rest []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			rest = append(rest, args[i:]...)
			break
		}
		name, hasValue := flagName(a)
		f := fs.Lookup(name)
		if name == "" || f == nil {
			if name == "help" || name == "h" {
				mine = append(mine, a)
				continue
			}
			rest = append(rest, a)
			continue
		}
		mine = append(mine, a)
		if !hasValue && !isBool(f) {
			if i+1 >= len(args) {
				// fs.Parse reports the missing value the usual way.
				break
			}
			i++
			mine = append(mine, args[i])
		}
	}
	if err := fs.Parse(mine); err != nil {
		return nil, err
	}
	return rest, nil
}

// Positionals returns rest when it holds no flags, else an error naming the
// first unknown flag.
func Positionals(rest []string) ([]string, error) {
	for i, a := range rest {
		if a == "--" {
			return append(rest[:i:i], rest[i+1:]...), nil
		}
		if name, _ := flagName(a); name != "" {
			return nil, fmt.Errorf("unknown flag %q", a)
		}
	}
	return rest, nil
}

// flagName returns the name of a "-x", "--x" or "--x=v" argument and whether
// the value is attached; "" for a positional (including "-" alone).
func flagName(a string) (string, bool) {
	if len(a) < 2 || a[0] != '-' {
		return "", false
	}
	s := strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-")
	if s == "" || s[0] == '-' || s[0] == '=' {
		return "", false
	}
	name, _, found := strings.Cut(s, "=")
	return name, found
}

func isBool(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

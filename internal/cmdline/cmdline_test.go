package cmdline

import (
	"flag"
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestParseAnywhere(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		config   string
		debug    bool
		rest     []string
		errFrag  string
		posError string // error from Positionals(rest)
	}{
		{name: "before", args: []string{"--config", "a.conf", "validate"}, config: "a.conf", rest: []string{"validate"}},
		{name: "after", args: []string{"validate", "--config", "a.conf"}, config: "a.conf", rest: []string{"validate"}},
		{name: "equals form after", args: []string{"validate", "--config=b.conf", "--debug"}, config: "b.conf", debug: true, rest: []string{"validate"}},
		{name: "single dash", args: []string{"-debug", "validate", "-config", "c"}, config: "c", debug: true, rest: []string{"validate"}},
		{name: "bool with value", args: []string{"validate", "--debug=false"}, rest: []string{"validate"}},
		{name: "subcommand flag kept for the subcommand", args: []string{"apply", "--reason", "x", "--config", "d"}, config: "d", rest: []string{"apply", "--reason", "x"}, posError: `unknown flag "--reason"`},
		{name: "double dash ends flags", args: []string{"del", "--", "--config"}, rest: []string{"del", "--", "--config"}},
		{name: "missing value", args: []string{"validate", "--config"}, errFrag: "needs an argument"},
		{name: "bad value", args: []string{"--queues", "many"}, errFrag: "invalid value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("x", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			cfg := fs.String("config", "", "")
			debug := fs.Bool("debug", false, "")
			fs.Int("queues", 0, "")
			rest, err := Parse(fs, tc.args)
			if tc.errFrag != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errFrag) {
					t.Fatalf("err = %v, want %q", err, tc.errFrag)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if *cfg != tc.config || *debug != tc.debug || !reflect.DeepEqual(rest, tc.rest) {
				t.Errorf("config=%q debug=%v rest=%q, want %q %v %q", *cfg, *debug, rest, tc.config, tc.debug, tc.rest)
			}
			_, perr := Positionals(rest)
			if (perr != nil) != (tc.posError != "") || (perr != nil && perr.Error() != tc.posError) {
				t.Errorf("Positionals error = %v, want %q", perr, tc.posError)
			}
		})
	}
}

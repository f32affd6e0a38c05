package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestFlagsBeforeAndAfterTheCommand(t *testing.T) {
	const example = "../../examples/lqos.conf"
	tests := []struct {
		name    string
		args    []string
		exit    int
		stdout  string
		stderr  string
		noStdio string // must not appear in stdout
	}{
		{name: "config before", args: []string{"--config", example, "validate"}, stdout: "examples/lqos.conf"},
		{name: "config after", args: []string{"validate", "--config", example}, stdout: "examples/lqos.conf"},
		{name: "config after, equals form", args: []string{"validate", "--config=" + example, "--debug"}, stdout: "examples/lqos.conf"},
		{name: "config after is not ignored", args: []string{"validate", "--config", "testdata/none.conf"}, exit: 1, stdout: "none.conf", noStdio: "/etc/lqos.conf"},
		{name: "unknown flag after the command", args: []string{"validate", "--bogus"}, exit: exitUsage, stderr: `unknown flag "--bogus"`},
		{name: "unknown flag before the command", args: []string{"--bogus", "validate"}, exit: exitUsage, stderr: `unknown flag "--bogus"`},
		{name: "extra argument", args: []string{"validate", "now", "--config", example}, exit: exitUsage, stderr: `unexpected argument "now"`},
		{name: "unknown command", args: []string{"--config", example, "shape"}, exit: exitUsage, stderr: `unknown command "shape"`},
		{name: "migrate-check, flag after the directory", args: []string{"migrate-check", "testdata/upstream_ok", "--queues", "2"}, stdout: "Result: every file loads unchanged."},
		{name: "migrate-check needs a directory", args: []string{"migrate-check"}, exit: exitUsage, stderr: "exactly one"},
		{name: "flag without value", args: []string{"validate", "--config"}, exit: exitUsage, stderr: "needs an argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errb)
			if code != tc.exit {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.exit, out.String(), errb.String())
			}
			if !strings.Contains(out.String(), tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, out.String())
			}
			if !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, errb.String())
			}
			if tc.noStdio != "" && strings.Contains(out.String(), tc.noStdio) {
				t.Errorf("stdout mentions %q:\n%s", tc.noStdio, out.String())
			}
		})
	}
}

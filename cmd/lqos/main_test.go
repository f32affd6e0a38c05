package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/cli"
)

func TestRunWithoutDaemon(t *testing.T) {
	nowhere := filepath.Join(t.TempDir(), "bus")
	tests := []struct {
		args    []string
		exit    int
		wantErr string
	}{
		{nil, cli.ExitUsage, "usage: lqos"},
		{[]string{"--bus", nowhere, "teleport"}, cli.ExitUsage, `unknown command "teleport"`},
		{[]string{"--bogus"}, cli.ExitUsage, "flag provided but not defined"},
		{[]string{"--bus", nowhere, "status"}, cli.ExitUnreachable, "is lqosd running?"},
		// The command line is checked before lqosd is dialled.
		{[]string{"--bus", nowhere, "status", "extra"}, cli.ExitUsage, "unexpected"},
		{[]string{"--bus", nowhere, "top", "--bogus"}, cli.ExitUsage, "flag provided but not defined"},
		{[]string{"--help"}, cli.ExitOK, "usage: lqos"},
		// Global flags work after the command too, and are not ignored there.
		{[]string{"status", "--bus", nowhere}, cli.ExitUnreachable, nowhere},
		{[]string{"status", "--bus=" + nowhere, "--json"}, cli.ExitUnreachable, nowhere},
		{[]string{"--config", "../../examples/lqos.conf", "--bus", nowhere, "status"}, cli.ExitUnreachable, nowhere},
		{[]string{"status", "--config", "../../examples/lqos.conf", "--bus", nowhere}, cli.ExitUnreachable, nowhere},
		{[]string{"--config", "testdata/missing.conf", "status"}, cli.ExitUsage, "missing.conf"},
		{[]string{"status", "--config", "testdata/missing.conf"}, cli.ExitUsage, "missing.conf"},
		{[]string{"status", "--config"}, cli.ExitUsage, "needs an argument"},
		{[]string{"--bogus", "status"}, cli.ExitUsage, "flag provided but not defined: --bogus"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(context.Background(), tt.args, &out, &errb); code != tt.exit {
				t.Fatalf("exit %d, want %d (stderr %q)", code, tt.exit, errb.String())
			}
			if !strings.Contains(errb.String(), tt.wantErr) {
				t.Errorf("stderr %q lacks %q", errb.String(), tt.wantErr)
			}
		})
	}
}

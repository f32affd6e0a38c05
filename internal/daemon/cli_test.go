//go:build linux

package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/cli"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// TestCLI runs the lqos client against a running lqosd.
func TestCLI(t *testing.T) {
	l := newLab(t)
	p := l.start()
	l.waitReady(p)
	is, err := l.client().RaiseUrgent(context.Background(), bus.RaiseUrgent{Code: "CLI_TEST", Severity: urgent.Warning, Message: "raised by the CLI test"})
	if err != nil {
		t.Fatal(err)
	}
	type step struct {
		args     []string
		exit     int
		want     []string // in stdout
		wantErr  string   // in stderr
		jsonPath string   // stdout must be JSON with this top-level key
	}
	steps := []step{
		{args: []string{"ping"}, want: []string{"lqosd is alive"}},
		{args: []string{"status"}, want: []string{"lqosd", "mappings", "3", "scheduler", "unknown", "CLI_TEST", "classification", "interface"}},
		{args: []string{"--json", "status"}, jsonPath: "mappings"},
		{args: []string{"status", "--json"}, jsonPath: "mappings"},
		{args: []string{"status", "extra"}, exit: cli.ExitUsage, wantErr: "unexpected arguments"},
		{args: []string{"status", "--bogus"}, exit: cli.ExitUsage, wantErr: "bogus"},
		{args: []string{"mappings", "list"}, want: []string{"PREFIX", "10.10.0.1/32", "c1", "d1", "10.10.1.0/24", "3 of 3 mappings"}},
		{args: []string{"mappings", "add", "--ip", "10.60.0.1", "--class", "1:9", "--upload-class", "0x1:0xa", "--cpu", "1", "--circuit", "cx", "--device", "dx"}, want: []string{"mapped 10.60.0.1/32"}},
		{args: []string{"mappings", "list", "--offset", "3", "--limit", "1"}, want: []string{"10.60.0.1/32", "1:9", "1:a", "cx", "dx", "1 of 4 mappings"}},
		{args: []string{"mappings", "add", "--ip", "10.60.0.2", "--class", "1:9"}, exit: cli.ExitUsage, wantErr: "--circuit is required"},
		{args: []string{"mappings", "add", "--ip", "10.60.0.2", "--class", "nine", "--circuit", "x"}, exit: cli.ExitUsage, wantErr: "--class"},
		{args: []string{"mappings", "add", "--ip", "10.60.0.2/24", "--class", "1:9", "--circuit", "x"}, exit: cli.ExitUsage, wantErr: "host bits"},
		{args: []string{"mappings", "add", "--ip", "10.60.0.2", "--class", "1:9", "--cpu", "4000", "--circuit", "x"}, exit: cli.ExitFailed, wantErr: "CPU 4000 out of range"},
		{args: []string{"mappings", "del", "10.60.0.1"}, want: []string{"deleted 1, not found 0"}},
		{args: []string{"mappings", "del", "10.60.0.1"}, exit: cli.ExitFailed, wantErr: "no such mapping"},
		{args: []string{"mappings", "frobnicate"}, exit: cli.ExitUsage, wantErr: "want list, add, del or clear"},
		{args: []string{"top", "-n", "5"}, want: []string{"HOST", "DOWN", "UP"}},
		{args: []string{"top", "--circuits", "--by", "up"}, want: []string{"CIRCUIT", "NAME"}},
		{args: []string{"top", "--by", "sideways"}, exit: cli.ExitFailed, wantErr: "invalid_argument"},
		{args: []string{"urgent", "list"}, want: []string{"CLI_TEST", "open"}},
		{args: []string{"urgent", "ack", fmt.Sprint(is.ID), "--by", "me"}, want: []string{fmt.Sprintf("acknowledged #%d CLI_TEST", is.ID)}},
		{args: []string{"urgent", "list", "--all"}, want: []string{"CLI_TEST", "acked by"}},
		{args: []string{"urgent", "ack", "abc"}, exit: cli.ExitUsage, wantErr: "positive number"},
		{args: []string{"urgent", "ack", "--code", "NOPE_NOT_THERE"}, exit: cli.ExitFailed, wantErr: "not_found"},
		{args: []string{"apply", "--dry-run"}, want: []string{"not applied", "3 circuits", "dry run"}},
		{args: []string{"reload", "--reason", "cli test"}, want: []string{"applied", "3 circuits"}},
		{args: []string{"mappings", "clear"}, exit: cli.ExitUsage, wantErr: "--yes"},
		{args: []string{"mappings", "clear", "--yes"}, want: []string{"cleared 3 mappings"}},
		{args: []string{"--json", "mappings", "list"}, jsonPath: "total"},
	}
	for _, s := range steps {
		t.Run(strings.Join(s.args, " "), func(t *testing.T) {
			// --json is a global flag: cmd/lqos parses it (wherever it is
			// written) into the options.
			o := cli.Options{BusPath: l.bus}
			var args []string
			for _, a := range s.args {
				if a == "--json" {
					o.JSON = true
					continue
				}
				args = append(args, a)
			}
			var out, errb bytes.Buffer
			code := cli.Run(context.Background(), o, args, &out, &errb)
			if code != s.exit {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, s.exit, out.String(), errb.String())
			}
			for _, w := range s.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, out.String())
				}
			}
			if s.wantErr != "" && !strings.Contains(errb.String(), s.wantErr) {
				t.Errorf("stderr lacks %q:\n%s", s.wantErr, errb.String())
			}
			if s.jsonPath != "" {
				var m map[string]any
				if err := json.Unmarshal(out.Bytes(), &m); err != nil {
					t.Fatalf("not JSON: %v\n%s", err, out.String())
				}
				if _, ok := m[s.jsonPath]; !ok {
					t.Errorf("JSON lacks %q: %s", s.jsonPath, out.String())
				}
			}
		})
	}
}

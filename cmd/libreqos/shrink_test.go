package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/bus"
)

// shrinkDaemon is an lqosd stand-in on a real bus that holds back runs
// not confirmed, as lqosd does for a run that removes too many circuits.
type shrinkDaemon struct {
	bus.Unimplemented
	confirms []bool
}

func (d *shrinkDaemon) ReloadPlan(_ context.Context, r *bus.ReloadPlan) (*bus.PlanResult, error) {
	d.confirms = append(d.confirms, r.ConfirmShrink)
	if !r.ConfirmShrink {
		return nil, bus.Errorf(bus.CodeShrinkHeld, "held back: this run would remove 100 of 200 applied circuits")
	}
	return &bus.PlanResult{Applied: true, Summary: "100 circuits"}, nil
}

func TestConfirmShrinkThroughLqosd(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "bus")
	d := &shrinkDaemon{}
	srv, err := bus.Listen(d, bus.ServerOptions{SocketPath: sock, AllowUIDs: []uint32{uint32(os.Getuid())}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	defer func() { cancel(); <-served }()
	conf := filepath.Join("..", "..", "examples", "lqos.conf")

	tests := []struct {
		confirm bool
		code    int
		want    string
	}{
		{false, exitHeld, "held back"},
		{true, exitOK, "100 circuits"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		code := runApply(context.Background(), options{ConfigPath: conf, BusPath: sock, ConfirmShrink: tt.confirm}, &out)
		if code != tt.code || !strings.Contains(out.String(), tt.want) {
			t.Errorf("confirm=%v: exit %d, want %d; output:\n%s", tt.confirm, code, tt.code, out.String())
		}
	}
	if len(d.confirms) != 2 || d.confirms[0] || !d.confirms[1] {
		t.Errorf("lqosd saw confirm_shrink %v, want [false true]", d.confirms)
	}
}

package daemon

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// fakeKernel is the shaper's Kernel interface standing in for netlink: it
// takes every tree, or refuses them as a kernel out of buffer space does.
type fakeKernel struct{ refuse bool }

func (k *fakeKernel) TxQueues(string) (int, error) { return 2, nil }
func (k *fakeKernel) SyncRecord(...string)         {}
func (k *fakeKernel) NoteRecord(...string)         {}
func (k *fakeKernel) Apply(_ context.Context, t *plan.Tree, _ *slog.Logger) (*tc.Result, error) {
	if k.refuse {
		return &tc.Result{}, errors.New("netlink: no buffer space available")
	}
	return &tc.Result{Done: len(t.Classes)}, nil
}

// startupDaemon is a daemon with valid inputs and nothing applied before.
func startupDaemon(t *testing.T, log *bytes.Buffer, store *datapath.MemStore) *Daemon {
	t.Helper()
	o := testOptions(t, log)
	dir := filepath.Dir(writeTestConfig(t, ""))
	o.ConfigPath = filepath.Join(dir, "lqos.conf")
	conf := "version = \"1.5\"\nlqos_directory = \".\"\nstate_directory = \"state\"\n[bridge]\nto_internet = \"a\"\nto_network = \"b\"\n[queues]\noverride_available_queues = 2\n"
	for name, body := range map[string]string{
		"lqos.conf":         conf,
		"network.json":      "{}\n",
		"ShapedDevices.csv": twoCircuits,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := loadConfig(o)
	if err != nil {
		t.Fatal(err)
	}
	d, err := openState(o, cfg)
	if err != nil {
		t.Fatal(err)
	}
	d.pre = &Preflight{}
	d.fakeKernel = &fakeKernel{}
	if d.names, err = loadNames(filepath.Join(cfg.StateDirectory, "lqosd", "mapping_names.json")); err != nil {
		t.Fatal(err)
	}
	if d.maps, err = newMirror(store); err != nil {
		t.Fatal(err)
	}
	return d
}

const twoCircuits = devicesHeader + "c1,One,d1,Dev,,,,,10.10.0.1,,10,5,50,20,,\nc2,Two,d2,Dev,,,,,10.10.0.2,,10,5,50,20,,\n"

// The first apply at start (nothing applied before) puts the queues in the
// kernel, then the data path's trie is too small for the mappings (as
// bench/rss.sh's 150,000 mappings in a 131,072-entry trie were). The queues
// stay and the plan stays recorded for the drift check to complete: the
// log must not claim that previous queues stay (there were none, and the
// new ones are in), and the urgent issue closes once the drift check finds
// the recorded plan in place.
func TestFirstStartApplyCutShortSaysWhatStays(t *testing.T) {
	var log bytes.Buffer
	store := &datapath.MemStore{Capacity: 1}
	d := startupDaemon(t, &log, store)
	d.startupApply(context.Background())

	out := log.String()
	if strings.Contains(out, "previous queues (if any) stay") {
		t.Errorf("the log claims previous queues stay, but nothing was applied before and the new queues are in:\n%s", out)
	}
	if !strings.Contains(out, "the drift check completes it") {
		t.Errorf("the log does not say the drift check completes the recorded plan:\n%s", out)
	}
	is := d.urgent.List(urgent.ListOptions{OpenOnly: true})
	if len(is) != 1 || is[0].Code != CodeStartupApply || !strings.Contains(is[0].Message, "drift check") {
		t.Fatalf("urgent issues %+v, want %s saying the drift check completes it", is, CodeStartupApply)
	}
	if tree, err := d.appliedTree(); err != nil || tree == nil || len(tree.Mappings) != 2 {
		t.Fatalf("the plan is not recorded for the drift check: %+v %v", tree, err)
	}

	// The drift check found (or made) the kernel and the maps equal to the record.
	d.recordInPlace()
	if is := d.urgent.List(urgent.ListOptions{OpenOnly: true}); len(is) != 0 {
		t.Errorf("issues still open once the recorded plan is in place: %+v", is)
	}
	if !strings.Contains(log.String(), "shaping plan of the start-up is in place") {
		t.Errorf("the completion is not logged:\n%s", log.String())
	}
}

// A start-up apply refused after an earlier good one: the previous tree is
// restored, the log says the previous queues stay, and the drift check
// finding that (restored) record in place does not close the issue: the
// new plan is still not applied.
func TestStartApplyRolledBackKeepsTheIssue(t *testing.T) {
	var log bytes.Buffer
	d := startupDaemon(t, &log, &datapath.MemStore{})
	d.startupApply(context.Background())
	if !strings.Contains(log.String(), "shaping plan applied at start") {
		t.Fatalf("first start:\n%s", log.String())
	}
	log.Reset()
	d.fakeKernel = &fakeKernel{refuse: true}
	d.startupApply(context.Background())
	if !strings.Contains(log.String(), "previous queues (if any) stay") {
		t.Errorf("log:\n%s", log.String())
	}
	d.recordInPlace()
	if is := d.urgent.List(urgent.ListOptions{OpenOnly: true}); len(is) != 1 || is[0].Code != CodeStartupApply {
		t.Errorf("issues %+v, want %s still open", is, CodeStartupApply)
	}
}

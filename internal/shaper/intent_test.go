package shaper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/libreqos-go/lqos/internal/atomicfile"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tc"
)

// memKernel keeps the last tree applied to it, as the kernel would after a
// successful apply; failNext makes the next Apply fail (the real applier
// rolls itself back, so the tree stays as it was).
type memKernel struct {
	tree     *plan.Tree
	applies  int
	failNext bool
}

func (k *memKernel) TxQueues(string) (int, error) { return 2, nil }
func (k *memKernel) SyncRecord(...string)         {}
func (k *memKernel) NoteRecord(...string)         {}
func (k *memKernel) Apply(_ context.Context, t *plan.Tree, _ *slog.Logger) (*tc.Result, error) {
	k.applies++
	if k.failNext {
		k.failNext = false
		return &tc.Result{}, errors.New("netlink: device busy")
	}
	k.tree = t
	return &tc.Result{}, nil
}

// memStore keeps the mappings; fail makes ReplaceAll fail once after
// changing half of them, as a failure half-way through a batch does.
type memStore struct {
	ms   []plan.Mapping
	fail bool
}

func (s *memStore) ReplaceAll(_ context.Context, ms []plan.Mapping) error {
	if s.fail {
		s.fail = false
		s.ms = append(append([]plan.Mapping(nil), s.ms[:len(s.ms)/2]...), ms[len(ms)/2:]...)
		return errors.New("map update: no memory")
	}
	s.ms = append([]plan.Mapping(nil), ms...)
	return nil
}

// diskFull fails every write under dir with ENOSPC while full is set.
type diskFull struct {
	dir  string
	full bool
}

func (d *diskFull) write(path string, data []byte, perm fs.FileMode) error {
	if d.full && strings.HasPrefix(path, d.dir) {
		return &fs.PathError{Op: "write", Path: path + ".tmp", Err: syscall.ENOSPC}
	}
	return atomicfile.Write(path, data, perm)
}

func addCircuit(t *testing.T, dir string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, "ShapedDevices.csv"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "10100,New Customer,100,Dev,AP_A,,,,100.64.5.5,,5,5,20,10,,")
	f.Close()
}

func hasPrefix(ms []plan.Mapping, p string) bool {
	for _, m := range ms {
		if m.Prefix.String() == p {
			return true
		}
	}
	return false
}

func sameTree(t *testing.T, a, b *plan.Tree) bool {
	t.Helper()
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return bytes.Equal(ja, jb)
}

// classIDs are the classes a tree has, by interface and handle.
func classIDs(t *plan.Tree) map[string]bool {
	out := map[string]bool{}
	for _, c := range t.Classes {
		out[c.Interface+" "+c.ID.String()] = true
	}
	return out
}

// A refresh that fails at any point leaves the kernel, the mappings and the
// record describing one and the same tree, and every mapping points at a
// class of the recorded tree.
func TestFailedRefreshKeepsKernelMappingsAndRecordInStep(t *testing.T) {
	tests := []struct {
		name     string
		break_   func(d *diskFull, k *memKernel, s *memStore)
		wantErr  func(error) bool
		restored bool // kernel and mappings were changed, then put back
	}{
		{"state directory full", func(d *diskFull, _ *memKernel, _ *memStore) { d.full = true },
			func(err error) bool {
				return errors.Is(err, ErrStateWrite) && strings.Contains(err.Error(), "no space left on device")
			}, false},
		{"kernel apply fails", func(_ *diskFull, k *memKernel, _ *memStore) { k.failNext = true },
			func(err error) bool {
				return strings.Contains(err.Error(), "device busy") && strings.Contains(err.Error(), "previous tree and mappings restored")
			}, false},
		{"mapping update fails half-way", func(_ *diskFull, _ *memKernel, s *memStore) { s.fail = true },
			func(err error) bool {
				return strings.Contains(err.Error(), "no memory") && strings.Contains(err.Error(), "previous tree and mappings restored")
			}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, cfg := lab(t, "eth0", "eth1")
			disk := &diskFull{dir: cfg.StateDirectory}
			k, store := &memKernel{}, &memStore{}
			eng := New(cfg, k, store, nil)
			eng.SetWriteFile(disk.write)
			ctx := context.Background()
			if _, err := eng.Refresh(ctx, Options{}); err != nil {
				t.Fatal(err)
			}
			recordBefore, err := os.ReadFile(AppliedTreePath(cfg))
			if err != nil {
				t.Fatal(err)
			}
			identBefore, _ := os.ReadFile(eng.IdentitiesPath())
			treeBefore, appliesBefore := k.tree, k.applies

			addCircuit(t, dir)
			tt.break_(disk, k, store)
			_, err = eng.Refresh(ctx, Options{})
			if err == nil || !tt.wantErr(err) {
				t.Fatalf("refresh error = %v", err)
			}
			if k.tree != treeBefore && !tt.restored {
				t.Errorf("the kernel holds a new tree after the failed refresh")
			}
			if tt.restored && k.applies == appliesBefore {
				t.Errorf("the kernel was not put back")
			}
			if !tt.restored && tt.name == "state directory full" && k.applies != appliesBefore {
				t.Errorf("the kernel was touched although the record could not be written (%d applies)", k.applies-appliesBefore)
			}
			if hasPrefix(store.ms, "100.64.5.5/32") {
				t.Errorf("the new circuit is mapped after the failed refresh")
			}
			recordAfter, err := os.ReadFile(AppliedTreePath(cfg))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(recordAfter, recordBefore) {
				t.Errorf("the record changed although the refresh failed")
			}
			if identAfter, _ := os.ReadFile(eng.IdentitiesPath()); !bytes.Equal(identAfter, identBefore) {
				t.Errorf("the identities changed although the refresh failed")
			}
			rec, err := LoadAppliedTree(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !sameTree(t, rec, k.tree) {
				t.Errorf("kernel and record disagree")
			}
			classes := classIDs(rec)
			for _, m := range store.ms {
				if !classes["eth1 "+m.ClassID.String()] {
					t.Errorf("mapping %s points at class %s, not in the recorded tree", m.Prefix, m.ClassID)
				}
			}

			// The cause goes away: the same refresh now applies everything.
			disk.full = false
			if _, err := eng.Refresh(ctx, Options{}); err != nil {
				t.Fatalf("retry: %v", err)
			}
			if !hasPrefix(store.ms, "100.64.5.5/32") {
				t.Errorf("the retry did not map the new circuit")
			}
			rec, _ = LoadAppliedTree(cfg)
			if !sameTree(t, rec, k.tree) {
				t.Errorf("after the retry, kernel and record disagree")
			}
		})
	}
}

// The same with the real kernel (fifo leaves in a netns) and a real full
// file system: a small tmpfs as the state directory.
func TestFullStateDirInNetns(t *testing.T) {
	ns := newNetns(t)
	dir, cfg := lab(t, "eth0", "eth1")
	if err := os.MkdirAll(cfg.StateDirectory, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", cfg.StateDirectory, "tmpfs", 0, "size=256k,mode=0700"); err != nil {
		t.Fatalf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(cfg.StateDirectory, syscall.MNT_DETACH) })
	k, err := OpenKernel(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	store := &memStore{}
	eng := New(cfg, k, store, nil)
	ctx := context.Background()
	if _, err := eng.Refresh(ctx, Options{}); err != nil {
		t.Fatal(err)
	}
	before := dump(t, k)
	mapped := len(store.ms)

	// Fill the file system.
	filler := filepath.Join(cfg.StateDirectory, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for chunk := make([]byte, 16<<10); ; {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			break
		}
	}
	f.Close()

	addCircuit(t, dir)
	_, err = eng.Refresh(ctx, Options{})
	if !errors.Is(err, ErrStateWrite) {
		t.Fatalf("refresh on a full state directory: %v", err)
	}
	if d := tc.CompareLive(before, dump(t, k)); len(d) != 0 {
		t.Errorf("the kernel changed although the record could not be written: %v", d)
	}
	if len(store.ms) != mapped || hasPrefix(store.ms, "100.64.5.5/32") {
		t.Errorf("mappings changed although the record could not be written")
	}
	rec, err := LoadAppliedTree(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if d, err := tc.Compare(rec, dump(t, k)); err != nil || len(d) != 0 {
		t.Errorf("kernel and record disagree: %v %v", err, d)
	}

	os.Remove(filler)
	res, err := eng.Refresh(ctx, Options{})
	if err != nil {
		t.Fatalf("retry once space is back: %v", err)
	}
	if d, err := tc.Compare(res.Plan.Tree, dump(t, k)); err != nil || len(d) != 0 || !hasPrefix(store.ms, "100.64.5.5/32") {
		t.Errorf("after the retry the kernel or the mappings lack the new circuit: %v %v", err, d)
	}
}

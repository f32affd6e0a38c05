package shaper

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// keepCircuits rewrites ShapedDevices.csv keeping only rows of the first n
// circuits, as a file cut at a row boundary would be.
func keepCircuits(t *testing.T, dir string, n int) {
	t.Helper()
	path := filepath.Join(dir, "ShapedDevices.csv")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if strings.HasPrefix(line, "1") {
			id := strings.SplitN(line, ",", 2)[0]
			if !seen[id] && len(seen) == n {
				continue
			}
			seen[id] = true
		}
		out = append(out, line)
	}
	if err := os.WriteFile(path, []byte(strings.Join(out, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The example applies 12 circuits (11 rows plus one the overrides add); the
// limit is the default 20% unless set.
func TestShrinkIsHeldUntilConfirmed(t *testing.T) {
	pct := func(v float64) *float64 { return &v }
	tests := []struct {
		name    string
		keep    int
		limit   *float64
		confirm bool
		ignore  func(string) bool
		held    bool
	}{
		{"one of twelve removed", 10, nil, false, nil, false},
		{"two of twelve removed (17%)", 9, nil, false, nil, false},
		{"three of twelve removed (25%)", 8, nil, false, nil, true},
		{"half removed", 5, nil, false, nil, true},
		{"half removed, confirmed", 5, nil, true, nil, false},
		{"half removed, limit 60%", 5, pct(60), false, nil, false},
		{"one removed, limit 0%", 10, pct(0), false, nil, true},
		{"half removed, all of them runtime circuits", 5, nil, false, func(id string) bool { return id > "10005" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, cfg := lab(t, "eth0", "eth1")
			cfg.Queues.MaxCircuitRemovalPercent = tt.limit
			k, store := &memKernel{}, &memStore{}
			eng := New(cfg, k, store, nil)
			ctx := context.Background()
			if _, err := eng.Refresh(ctx, Options{}); err != nil {
				t.Fatal(err)
			}
			applied, mapped, applies := k.tree, len(store.ms), k.applies
			record, _ := os.ReadFile(AppliedTreePath(cfg))

			keepCircuits(t, dir, tt.keep)
			res, err := eng.Refresh(ctx, Options{ConfirmShrink: tt.confirm, ShrinkIgnores: tt.ignore})
			var se *ShrinkError
			if got := errors.As(err, &se); got != tt.held {
				t.Fatalf("held = %v (err %v), want %v", got, err, tt.held)
			}
			if !tt.held {
				if err != nil {
					t.Fatal(err)
				}
				if res.Circuits != tt.keep+1 {
					t.Errorf("applied %d circuits, want %d", res.Circuits, tt.keep+1)
				}
				return
			}
			if se.Applied != 12 || se.Removed != 11-tt.keep || !strings.Contains(err.Error(), "--confirm-shrink") {
				t.Errorf("error %+v / %q does not say what would be removed and how to confirm", se, err)
			}
			if k.tree != applied || k.applies != applies || len(store.ms) != mapped {
				t.Errorf("a held run touched the kernel or the mappings")
			}
			if now, _ := os.ReadFile(AppliedTreePath(cfg)); string(now) != string(record) {
				t.Errorf("a held run changed the record")
			}
			// A dry run says so without failing.
			dry, err := eng.Refresh(ctx, Options{DryRun: true})
			if err != nil || !strings.Contains(strings.Join(dry.Warnings, "\n"), "held back") {
				t.Errorf("dry run: %v, warnings %v", err, dry.Warnings)
			}
		})
	}
}

package shaper

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/atomicfile"
	"github.com/libreqos-go/lqos/internal/plan"
)

// A refresh that changes a few circuits appends to the journal; a reader in
// another process (no memory of the writes) replays it over the base files
// and gets exactly the tree and identities that were applied. A torn last
// line is ignored, and rewriting a base file voids the journal.
func TestRecordJournalReplaysToTheAppliedTree(t *testing.T) {
	dir, cfg := lab(t, "eth0", "eth1")
	k := &memKernel{}
	eng := New(cfg, k, &memStore{}, nil)
	ctx := context.Background()
	res, err := eng.Refresh(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	journal := eng.journalPath()
	if _, err := os.Stat(journal); err == nil {
		t.Fatal("the first refresh wrote a journal; it must write the base files")
	}
	baseTree := k.tree
	csvPath := filepath.Join(dir, "ShapedDevices.csv")

	check := func(what string) {
		t.Helper()
		eng.forgetRecord() // as another process would see it
		rec, ids, terr, ierr := eng.loadRecord()
		if terr != nil || ierr != nil {
			t.Fatalf("%s: read the record: %v %v", what, terr, ierr)
		}
		if !sameTree(t, rec, k.tree) {
			t.Fatalf("%s: the replayed record differs from the applied tree", what)
		}
		a, err1 := plan.MarshalIdentities(ids)
		b, err2 := plan.MarshalIdentities(res.Plan.Identities)
		if err1 != nil || err2 != nil || string(a) != string(b) {
			t.Fatalf("%s: replayed identities differ from the planned ones", what)
		}
	}
	steps := []struct {
		name string
		edit func()
	}{
		{"circuit added", func() { addCircuit(t, dir) }},
		{"rate changed", func() {
			data, _ := os.ReadFile(csvPath)
			os.WriteFile(csvPath, []byte(strings.Replace(string(data), ",5,5,20,10,,", ",5,5,30,10,,", 1)), 0o644)
		}},
		{"circuit removed", func() {
			data, _ := os.ReadFile(csvPath)
			os.WriteFile(csvPath, []byte(strings.Replace(string(data), "10100,New Customer,100,Dev,AP_A,,,,100.64.5.5,,5,5,20,10,,\n", "", 1)), 0o644)
		}},
	}
	for _, s := range steps {
		s.edit()
		if res, err = eng.Refresh(ctx, Options{}); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if _, err := os.Stat(journal); err != nil {
			t.Fatalf("%s: no journal after a one-circuit change: %v", s.name, err)
		}
		check(s.name)
	}

	// A torn last line (a crash while appending) is ignored.
	f, _ := os.OpenFile(journal, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`0badc0de {"changed":[{"Interface":"eth1"`)
	f.Close()
	check("torn line")

	// New base files void the journal, even when it is left behind.
	data, _ := os.ReadFile(AppliedTreePath(cfg))
	if err := atomicfile.Write(AppliedTreePath(cfg), data, 0o600); err != nil {
		t.Fatal(err)
	}
	eng.forgetRecord()
	rec, _, err, _ := eng.loadRecord()
	if err != nil || sameTree(t, rec, k.tree) || !sameTree(t, rec, baseTree) {
		t.Fatalf("a journal written for other base files was replayed (err %v)", err)
	}
}

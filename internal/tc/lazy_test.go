package tc

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestParseLazyMode(t *testing.T) {
	for in, want := range map[string]LazyMode{"": LazyOff, "No": LazyOff, "htb": LazyHTB, "Full": LazyFull} {
		if got, err := ParseLazyMode(in); err != nil || got != want {
			t.Errorf("ParseLazyMode(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseLazyMode("sometimes"); err == nil {
		t.Error("bad mode accepted")
	}
}

func TestLazyQueues(t *testing.T) {
	tn := newTestNet(t, 2)
	ctx := context.Background()
	now := time.Unix(1_000_000, 0)
	tests := []struct {
		mode                LazyMode
		activate, expire    []OpKind
		classesWhenInactive int
	}{
		{LazyHTB, []OpKind{OpReplaceLeaf}, []OpKind{OpDeleteLeaf}, 0},
		{LazyFull, []OpKind{OpAddClass, OpReplaceLeaf}, []OpKind{OpDeleteClass}, 0},
	}
	for _, tt := range tests {
		full := testTree("a0", 2, 2, 8)
		lz := &Lazy{Mode: tt.mode, Expire: 10 * time.Minute}
		a := &Applier{H: tn.h, Opts: Options{Logger: quiet}}
		if _, err := a.Apply(ctx, lz.Tree(full)); err != nil {
			t.Fatal(err)
		}
		live, err := Dump(tn.h, []string{"a0"})
		if err != nil {
			t.Fatal(err)
		}
		leaves := 0
		for _, q := range live.Qdiscs {
			if q.Handle.Major() >= 0x9000 {
				leaves++
			}
		}
		if leaves != 0 {
			t.Fatalf("mode %d: %d circuit leaves before any activity", tt.mode, leaves)
		}
		if !lz.Touch("c3", now) || lz.Touch("c3", now.Add(time.Second)) {
			t.Fatal("Touch must report only the first activity")
		}
		res, err := a.Apply(ctx, lz.Tree(full))
		if err != nil || !slices.Equal(opKinds(res.Planned), tt.activate) {
			t.Fatalf("mode %d activation: %v %v", tt.mode, res.Planned, err)
		}
		if got := lz.ExpireIdle(now.Add(5 * time.Minute)); len(got) != 0 {
			t.Fatalf("expired early: %v", got)
		}
		if got := lz.ExpireIdle(now.Add(11 * time.Minute)); !slices.Equal(got, []string{"c3"}) {
			t.Fatalf("expired %v", got)
		}
		res, err = a.Apply(ctx, lz.Tree(full))
		if err != nil || !slices.Equal(opKinds(res.Planned), tt.expire) {
			t.Fatalf("mode %d expiry: %v %v", tt.mode, res.Planned, err)
		}
		// Back to the full tree for the next mode.
		lz.Mode = LazyOff
		if _, err := a.Apply(ctx, lz.Tree(full)); err != nil {
			t.Fatal(err)
		}
	}
}

package audit_test

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"log/slog"

	"github.com/libreqos-go/lqos/internal/audit"
)

func TestAppendsOneLinePerEventAndKeepsOldLines(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "audit.log")
	now := func() time.Time { return time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC) }
	l, err := audit.Open(path, slog.New(slog.DiscardHandler), now)
	if err != nil {
		t.Fatal(err)
	}
	l.Record(audit.Event{Action: "login", Actor: "admin", Addr: "192.0.2.1", Outcome: audit.Success})
	l.Close()
	// Reopening appends instead of truncating.
	l, err = audit.Open(path, slog.New(slog.DiscardHandler), now)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Go(func() {
			l.Record(audit.Event{Action: "login", Actor: "mallory", Addr: "203.0.113.9", Outcome: audit.Failure, Reason: "invalid_credentials"})
		})
	}
	wg.Wait()
	l.Close()

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var evs []audit.Event
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e audit.Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("line %d is not one JSON event: %v: %q", len(evs)+1, err, sc.Text())
		}
		evs = append(evs, e)
	}
	if len(evs) != 51 {
		t.Fatalf("%d events in the file, want 51", len(evs))
	}
	if evs[0].Actor != "admin" || evs[0].Outcome != audit.Success || !evs[0].Time.Equal(now()) {
		t.Errorf("first event = %+v", evs[0])
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("audit file mode %v, want 0600", st.Mode().Perm())
	}
	dst, _ := os.Stat(dir)
	if dst.Mode().Perm() != 0o700 {
		t.Errorf("audit directory mode %v, want 0700", dst.Mode().Perm())
	}
}

func TestRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "victim")
	os.WriteFile(target, []byte("keep me\n"), 0o644)
	link := filepath.Join(dir, "audit.log")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.Open(link, nil, nil); err == nil {
		t.Fatal("audit log opened through a symlink")
	}
	if b, _ := os.ReadFile(target); string(b) != "keep me\n" {
		t.Errorf("symlink target changed: %q", b)
	}
}

func TestNilLogIsUsable(t *testing.T) {
	var l *audit.Log
	l.Record(audit.Event{Action: "login", Outcome: audit.Failure})
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

package urgent

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)} }

func open(t *testing.T, path string, c *clock, max int) *Store {
	t.Helper()
	s, err := Open(path, Options{Clock: c.now, Max: max})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func raise(t *testing.T, s *Store, code string, sev Severity, msg string) Issue {
	t.Helper()
	is, err := s.Raise(Raise{Code: code, Severity: sev, Message: msg})
	if err != nil {
		t.Fatal(err)
	}
	return is
}

func TestRaiseDedupAckReraise(t *testing.T) {
	c := newClock()
	s := open(t, filepath.Join(t.TempDir(), "urgent.json"), c, 0)
	a := raise(t, s, "TC_QDISC_CAPACITY", Error, "too many qdiscs")
	t0 := c.now()
	c.add(time.Minute)
	a2, err := s.Raise(Raise{Code: "TC_QDISC_CAPACITY", Severity: Warning, Source: "scheduler", Message: "still \x1b[31mtoo\x1b[0m many", Context: json.RawMessage(`{ "n" : 3 }`)})
	if err != nil {
		t.Fatal(err)
	}
	if a2.ID != a.ID || a2.Count != 2 || !a2.FirstSeen.Equal(t0) || !a2.LastSeen.Equal(c.now()) ||
		a2.Message != "still too many" || a2.Severity != Warning || string(a2.Context) != `{"n":3}` || a2.Source != "scheduler" {
		t.Fatalf("bumped issue %+v", a2)
	}
	b := raise(t, s, "XDP_IP_MAPPING_CAPACITY", Error, "full")
	if b.ID == a.ID {
		t.Fatal("different codes share an id")
	}
	if n := s.OpenCount(); n != 2 {
		t.Fatalf("open count %d", n)
	}
	c.add(time.Minute)
	acked, err := s.Acknowledge(a.ID, "alice")
	if err != nil || !acked.Acknowledged || acked.AcknowledgedBy != "alice" || !acked.AcknowledgedAt.Equal(c.now()) {
		t.Fatalf("ack = %+v, %v", acked, err)
	}
	// Acknowledging again keeps the first who/when.
	c.add(time.Minute)
	again, _ := s.Acknowledge(a.ID, "bob")
	if again.AcknowledgedBy != "alice" {
		t.Fatalf("re-ack overwrote: %+v", again)
	}
	// Re-raise after ack opens a new issue and leaves the history alone.
	a3 := raise(t, s, "TC_QDISC_CAPACITY", Error, "back again")
	if a3.ID == a.ID || a3.Count != 1 || a3.Acknowledged {
		t.Fatalf("re-raise after ack = %+v", a3)
	}
	if old, _ := s.Get(a.ID); !old.Acknowledged || old.Count != 2 {
		t.Fatalf("history changed: %+v", old)
	}
	open := s.List(ListOptions{OpenOnly: true})
	if len(open) != 2 || open[0].ID != a3.ID || open[1].ID != b.ID {
		t.Fatalf("open list (newest first) = %+v", open)
	}
	if all := s.List(ListOptions{}); len(all) != 3 {
		t.Fatalf("full list has %d", len(all))
	}
	if _, err := s.Acknowledge(999, "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ack unknown id err = %v", err)
	}
	if n, err := s.Resolve("XDP_IP_MAPPING_CAPACITY"); n != 1 || err != nil {
		t.Fatalf("resolve = %d, %v", n, err)
	}
	if n, err := s.Resolve("XDP_IP_MAPPING_CAPACITY"); n != 0 || err != nil {
		t.Fatalf("second resolve = %d, %v", n, err)
	}
	if is, _ := s.Get(b.ID); is.AcknowledgedBy != "auto" {
		t.Fatalf("resolved issue %+v", is)
	}
	if _, err := s.AcknowledgeCode("NOPE", "x"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ack unknown code err = %v", err)
	}
}

func TestRaiseValidation(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "u.json"), newClock(), 0)
	tests := []struct {
		name string
		r    Raise
		want string
	}{
		{"empty code", Raise{Severity: Error, Message: "m"}, "code: empty"},
		{"bad code", Raise{Code: "A B", Severity: Error, Message: "m"}, "code:"},
		{"long code", Raise{Code: strings.Repeat("A", 65), Severity: Error, Message: "m"}, "code: longer"},
		{"bad severity", Raise{Code: "A", Severity: "fatal", Message: "m"}, "severity:"},
		{"empty message", Raise{Code: "A", Severity: Info, Message: " "}, "message: empty"},
		{"bad utf8", Raise{Code: "A", Severity: Info, Message: "\xff"}, "message: not valid UTF-8"},
		{"bad context", Raise{Code: "A", Severity: Info, Message: "m", Context: json.RawMessage(`{`)}, "context: not valid JSON"},
		{"huge context", Raise{Code: "A", Severity: Info, Message: "m", Context: json.RawMessage(`"` + strings.Repeat("a", MaxContextBytes) + `"`)}, "context:"},
	}
	for _, tc := range tests {
		if _, err := s.Raise(tc.r); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if len(s.List(ListOptions{})) != 0 {
		t.Fatal("invalid raises were stored")
	}
	long := raise(t, s, "LONG", Info, strings.Repeat("é", MaxMessageLen+10))
	if n := len([]rune(long.Message)); n != MaxMessageLen+3 {
		t.Fatalf("long message kept %d runes", n)
	}
}

func TestPersistAndReload(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "state", "urgent.json")
	s := open(t, path, c, 0)
	a := raise(t, s, "A", Error, "a")
	raise(t, s, "A", Error, "a again")
	b := raise(t, s, "B", Warning, "b")
	if _, err := s.Acknowledge(b.ID, "root"); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("file mode %v, %v", st, err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".urgent.json.tmp*")); len(tmp) != 0 {
		t.Fatalf("temp files left: %v", tmp)
	}

	s2 := open(t, path, c, 0)
	got := s2.List(ListOptions{})
	if len(got) != 2 {
		t.Fatalf("reloaded %d issues", len(got))
	}
	ra, _ := s2.Get(a.ID)
	rb, _ := s2.Get(b.ID)
	if ra.Count != 2 || ra.Message != "a again" || !rb.Acknowledged || rb.AcknowledgedBy != "root" {
		t.Fatalf("reloaded a=%+v b=%+v", ra, rb)
	}
	// Ids continue after the reload instead of being reused.
	if n := raise(t, s2, "C", Info, "c"); n.ID <= b.ID {
		t.Fatalf("id %d reused (b was %d)", n.ID, b.ID)
	}
	// Dedup survives the restart too.
	if r := raise(t, s2, "A", Error, "third"); r.ID != a.ID || r.Count != 3 {
		t.Fatalf("dedup after reload %+v", r)
	}
}

func TestCorruptFile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    string
	}{
		{"truncated", `{"version":1,"next_id":3,"issues":[{"id":1,`, "unexpected EOF"},
		{"garbage", "\x00\x01not json", "line 1"},
		{"wrong type on line 3", "{\n  \"version\": 1,\n  \"next_id\": \"x\"\n}", "line 3"},
		{"future version", `{"version":7,"next_id":1,"issues":[]}`, "field version: unsupported value 7"},
		{"bad severity", `{"version":1,"next_id":2,"issues":[{"id":1,"code":"A","severity":"meh","message":"m"}]}`, "issues[0].severity"},
		{"duplicate id", `{"version":1,"next_id":2,"issues":[{"id":1,"code":"A","severity":"info","message":"m"},{"id":1,"code":"B","severity":"info","message":"m"}]}`, "issues[1].id"},
		{"unknown field", `{"version":1,"next_id":1,"issues":[],"extra":true}`, "unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "urgent.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(path, Options{Clock: newClock().now})
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want ErrCorrupt naming %s and %q", err, path, tc.want)
			}
			if s == nil {
				t.Fatal("no usable store returned")
			}
			bad, rerr := os.ReadFile(path + ".bad")
			if rerr != nil || string(bad) != tc.content {
				t.Fatalf(".bad copy = %q, %v", bad, rerr)
			}
			l := s.List(ListOptions{})
			if len(l) != 1 || l[0].Code != CodeStoreCorrupt || !strings.Contains(string(l[0].Context), ".bad") {
				t.Fatalf("store after corruption: %+v", l)
			}
			// The fresh file is valid and reloads cleanly.
			if _, err := Open(path, Options{}); err != nil {
				t.Fatalf("reopen: %v", err)
			}
		})
	}
}

func TestBounded(t *testing.T) {
	c := newClock()
	path := filepath.Join(t.TempDir(), "u.json")
	s := open(t, path, c, 3)
	var ids []uint64
	for _, code := range []string{"A", "B", "C"} {
		ids = append(ids, raise(t, s, code, Error, code).ID)
		c.add(time.Second)
	}
	// B is acknowledged: it goes first even though A is older.
	if _, err := s.Acknowledge(ids[1], "x"); err != nil {
		t.Fatal(err)
	}
	raise(t, s, "D", Error, "d")
	c.add(time.Second)
	if codes := codesOf(s.List(ListOptions{})); codes != "D,C,A" {
		t.Fatalf("after D: %s", codes)
	}
	// No acknowledged left: the oldest open one (A) goes.
	raise(t, s, "E", Error, "e")
	c.add(time.Second)
	if codes := codesOf(s.List(ListOptions{})); codes != "E,D,C" {
		t.Fatalf("after E: %s", codes)
	}
	// Bumping C makes it newest, so D is now oldest.
	raise(t, s, "C", Error, "c2")
	c.add(time.Second)
	raise(t, s, "F", Error, "f")
	if codes := codesOf(s.List(ListOptions{})); codes != "F,C,E" {
		t.Fatalf("after F: %s", codes)
	}
	// A smaller bound on reload trims too.
	if s2 := open(t, path, c, 2); codesOf(s2.List(ListOptions{})) != "F,C" {
		t.Fatalf("reloaded with max 2: %s", codesOf(s2.List(ListOptions{})))
	}
}

func codesOf(is []Issue) string {
	var s []string
	for _, i := range is {
		s = append(s, i.Code)
	}
	return strings.Join(s, ",")
}

func TestConcurrentRaise(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "u.json"), newClock(), 0)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if _, err := s.Raise(Raise{Code: "SAME", Severity: Error, Message: "m"}); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	l := s.List(ListOptions{})
	if len(l) != 1 || l[0].Count != 160 {
		t.Fatalf("%+v", l)
	}
}

func TestSaveFailureStillInMemory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "u.json")
	s := open(t, path, newClock(), 0)
	// Replace the target with a directory so the rename fails.
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	is, err := s.Raise(Raise{Code: "X", Severity: Error, Message: "m"})
	if err == nil || is.ID == 0 || s.OpenCount() != 1 {
		t.Fatalf("raise = %+v, %v", is, err)
	}
}

func TestMessageOnlyEscapes(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "u.json"), newClock(), 0)
	if _, err := s.Raise(Raise{Code: "A", Severity: Error, Message: "\x1b[31m\x1b[0m"}); err == nil || !strings.Contains(err.Error(), "message: empty") {
		t.Fatalf("err = %v", err)
	}
}

// breakStore makes every save fail (as a full disk would): the store's
// directory is replaced by a plain file. The returned func repairs it.
func breakStore(t *testing.T, dir string) func() {
	t.Helper()
	aside := dir + ".aside"
	if err := os.Rename(dir, aside); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	return func() {
		os.Remove(dir)
		if err := os.Rename(aside, dir); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAcknowledgeIsAllOrNothingWhenSaveFails(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "lqosd")
	path := filepath.Join(dir, "urgent.json")
	c := newClock()
	s := open(t, path, c, 0)
	for _, code := range []string{"A_ONE", "B_TWO", "C_THREE"} {
		if _, err := s.Raise(Raise{Code: code, Severity: Warning, Source: "test", Message: code}); err != nil {
			t.Fatal(err)
		}
	}
	ids := []uint64{}
	for _, is := range s.List(ListOptions{OpenOnly: true}) {
		ids = append(ids, is.ID)
	}
	repair := breakStore(t, dir)
	ops := []struct {
		name string
		do   func() error
	}{
		{"acknowledge all", func() error { _, err := s.AcknowledgeAll("web:admin"); return err }},
		{"acknowledge one", func() error { _, err := s.Acknowledge(ids[0], "web:admin"); return err }},
		{"acknowledge by code", func() error { _, err := s.AcknowledgeCode("B_TWO", "web:admin"); return err }},
	}
	for _, op := range ops {
		if err := op.do(); err == nil {
			t.Fatalf("%s with an unwritable store: no error", op.name)
		}
		if n := s.OpenCount(); n != 3 {
			t.Fatalf("%s failed to save but left %d of 3 issues open", op.name, n)
		}
		for _, is := range s.List(ListOptions{}) {
			if is.AcknowledgedBy != "" || !is.AcknowledgedAt.IsZero() {
				t.Fatalf("%s: failed acknowledgement left traces: %+v", op.name, is)
			}
		}
	}
	repair()
	acked, err := s.AcknowledgeAll("web:admin")
	if err != nil || len(acked) != 3 || s.OpenCount() != 0 {
		t.Fatalf("acknowledge all after repair: %d acked, %d open, err %v", len(acked), s.OpenCount(), err)
	}
	again := open(t, path, c, 0)
	if n := again.OpenCount(); n != 0 {
		t.Fatalf("reopened store has %d open issues, want 0", n)
	}
}

// FuzzOpen: the urgent.json loader never panics and what it accepts is a
// consistent store (Open moves a refused file aside).
func FuzzOpen(f *testing.F) {
	f.Add([]byte(`{"version":1,"next_id":3,"issues":[{"id":1,"code":"A_B","severity":"error","source":"lqosd","message":"m","first_seen":"2026-01-01T00:00:00Z","last_seen":"2026-01-01T00:00:00Z","count":1}]}`))
	f.Add([]byte(`{"version":1,"next_id":1,"issues":[]}`))
	f.Add([]byte(`{"version":2}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := &Store{max: DefaultMax, now: time.Now, nextID: 1}
		if err := s.load(data); err != nil {
			return // Open moves such a file aside (TestCorruptFile)
		}
		// A loaded store never hands out an id it already holds, and every
		// issue it lists is valid.
		for _, is := range s.List(ListOptions{}) {
			if is.ID >= s.nextID {
				t.Fatalf("issue id %d not below next_id %d", is.ID, s.nextID)
			}
			if !is.Severity.Valid() || validateCode(is.Code) != nil {
				t.Fatalf("invalid issue loaded: %+v", is)
			}
		}
	})
}

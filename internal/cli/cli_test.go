package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/bus"
)

func TestRate(t *testing.T) {
	for _, tt := range []struct {
		in   uint64
		want string
	}{{0, "0 bit/s"}, {999, "999 bit/s"}, {1500, "1.50 kbit/s"}, {25_000_000, "25.00 Mbit/s"}, {3_210_000_000, "3.21 Gbit/s"}} {
		if got := Rate(tt.in); got != tt.want {
			t.Errorf("Rate(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParsePrefix(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		err      string
	}{
		{"10.0.0.1", "10.0.0.1/32", ""},
		{"2001:db8::1", "2001:db8::1/128", ""},
		{"10.1.0.0/16", "10.1.0.0/16", ""},
		{"10.1.0.1/16", "", "host bits"},
		{"ten", "", "ParseAddr"},
	} {
		p, err := parsePrefix(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("parsePrefix(%q) error %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || p.String() != tt.want {
			t.Errorf("parsePrefix(%q) = %v, %v", tt.in, p, err)
		}
	}
}

func TestParseInterleaved(t *testing.T) {
	fs := newFlags("x")
	by := fs.String("by", "", "")
	n := fs.Int("n", 0, "")
	if err := parse(fs, []string{"4", "--by", "me", "5", "-n", "3"}); err != nil {
		t.Fatal(err)
	}
	if *by != "me" || *n != 3 || !slices.Equal(fs.Args(), []string{"4", "5"}) {
		t.Fatalf("by %q n %d args %v", *by, *n, fs.Args())
	}
	if err := parse(newFlags("y"), []string{"--nope"}); err == nil {
		t.Fatal("unknown flag accepted")
	}
}

func TestTopLabel(t *testing.T) {
	tests := []struct {
		e        bus.TopEntry
		circuits bool
		want     string
	}{
		{bus.TopEntry{Key: "c1", CircuitID: "c1", CircuitName: "Alice"}, true, "Alice"},
		{bus.TopEntry{Key: "c1", CircuitID: "c1"}, true, "-"},
		{bus.TopEntry{Key: "10.0.0.1", CircuitID: "c1", CircuitName: "Alice"}, false, "Alice (c1)"},
		{bus.TopEntry{Key: "10.0.0.1", CircuitID: "c1", CircuitName: "c1"}, false, "c1"},
		{bus.TopEntry{Key: "10.0.0.1"}, false, "(unshaped)"},
	}
	for _, tc := range tests {
		if got := topLabel(tc.e, tc.circuits); got != tc.want {
			t.Errorf("topLabel(%+v, %v) = %q, want %q", tc.e, tc.circuits, got, tc.want)
		}
	}
}

// TestUsageFromTable: the usage text is printed from the command table, so
// every command there is listed and dispatched under its name.
func TestUsageFromTable(t *testing.T) {
	var b strings.Builder
	Usage(&b)
	for _, c := range commands {
		if _, ok := lookup(c.name); !ok {
			t.Errorf("command %q not found by its name", c.name)
		}
		for _, line := range c.synopsis {
			if !strings.HasPrefix(line, c.name) || !strings.Contains(b.String(), "  "+line) {
				t.Errorf("synopsis %q of %q missing from the usage or not starting with the name", line, c.name)
			}
		}
	}
}

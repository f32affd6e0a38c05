package kerneltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRequired(t *testing.T) {
	tests := []struct {
		env, feature string
		want         bool
	}{
		{"", "xdp_metadata", false},
		{"xdp_metadata", "xdp_metadata", true},
		{"cake, xdp_metadata", "xdp_metadata", true},
		{"cake", "xdp_metadata", false},
		{"all", "anything", true},
	}
	for _, tc := range tests {
		t.Setenv("LQOS_REQUIRE_FEATURES", tc.env)
		if got := Required(tc.feature); got != tc.want {
			t.Errorf("Required(%q) with %q = %v, want %v", tc.feature, tc.env, got, tc.want)
		}
	}
}

func TestFeatureMissingIsReported(t *testing.T) {
	report := filepath.Join(t.TempDir(), "not-exercised.txt")
	t.Setenv("LQOS_NOT_EXERCISED_FILE", report)
	t.Setenv("LQOS_REQUIRE_FEATURES", "")
	if !Feature(t, "xdp_metadata", true, "") {
		t.Fatal("present feature reported missing")
	}
	if _, err := os.Stat(report); !os.IsNotExist(err) {
		t.Fatalf("a present feature wrote the report: %v", err)
	}
	if Feature(t, "xdp_metadata", false, "helper refused") {
		t.Fatal("missing feature reported present")
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); !strings.Contains(got, "TestFeatureMissingIsReported") || !strings.Contains(got, "xdp_metadata path (helper refused)") {
		t.Errorf("report = %q", got)
	}
}

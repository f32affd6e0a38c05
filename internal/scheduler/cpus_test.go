package scheduler

import (
	"bytes"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
)

func TestIntegrationCPUs(t *testing.T) {
	const trees = "../cores/testdata/"
	tests := []struct {
		name    string
		tree    string
		exclude bool
		want    []int
		logs    string
	}{
		{name: "hybrid: efficiency cores", tree: "intel-hybrid", exclude: true, want: []int{8, 9, 10}, logs: "pinned to efficiency cores"},
		{name: "hybrid, exclusion off", tree: "intel-hybrid", exclude: false},
		{name: "not hybrid", tree: "uniform", exclude: true},
		{name: "sysfs unreadable: unpinned, with an error", tree: "no-sysfs", exclude: true, logs: "Failed to determine efficiency cores"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, _, err := config.Parse([]byte("version = \"1.5\"\n[bridge]\n"))
			if err != nil {
				t.Fatal(err)
			}
			cfg.ExcludeEfficiencyCores = tc.exclude
			var logs bytes.Buffer
			got := IntegrationCPUs(cfg, trees+tc.tree, slog.New(slog.NewTextHandler(&logs, nil)))
			if !slices.Equal(got, tc.want) {
				t.Errorf("CPUs %v, want %v", got, tc.want)
			}
			if !strings.Contains(logs.String(), tc.logs) {
				t.Errorf("logs lack %q:\n%s", tc.logs, logs.String())
			}
		})
	}
}

//go:build linux

package daemon

import (
	"context"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// lqosd starts on any kernel: where XDP may not call bpf_xdp_adjust_meta it
// runs the TC-lookup variant and says so (status, urgent WARNING); a switch
// forces TC lookup everywhere. Both modes shape: the plan is applied and
// traffic lands in the circuits' classes.
func TestDataPathModes(t *testing.T) {
	requireRoot(t)
	fs := datapath.ProbeFeatures()
	haveMeta := kerneltest.Feature(t, string(datapath.FeatureXDPMeta), fs.Has(datapath.FeatureXDPMeta), fs.Missing[datapath.FeatureXDPMeta])
	type modeCase struct {
		name     string
		args     []string
		wantMode string
		// wantIssue: an urgent WARNING LQOSD_FEATURE_MISSING:xdp_metadata.
		wantIssue bool
	}
	tests := []modeCase{{name: "forced TC lookup", args: []string{"--classify", "tc-lookup"}, wantMode: "TC lookup"}}
	if haveMeta {
		tests = append(tests, modeCase{name: "auto picks metadata", wantMode: "XDP+TC metadata"})
	} else {
		tests = append(tests, modeCase{name: "auto falls back to TC lookup", wantMode: "TC lookup (kernel refuses bpf_xdp_adjust_meta in XDP)", wantIssue: true})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := newLab(t)
			p := l.start(tc.args...)
			l.waitReady(p)
			ctx := context.Background()
			c := l.client()
			dp, err := c.DataPath(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(dp.Classification, tc.wantMode) {
				t.Errorf("classification %q, want %q", dp.Classification, tc.wantMode)
			}
			if dp.Features["xdp_metadata"] != haveMeta {
				t.Errorf("features %v: xdp_metadata should be %v", dp.Features, haveMeta)
			}
			if len(dp.Interfaces) != 2 {
				t.Errorf("interfaces %+v, want lqtdA and lqtdB", dp.Interfaces)
			}
			issues, err := c.ListUrgent(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			var found *urgent.Issue
			for i, is := range issues {
				if is.Severity == urgent.Error {
					t.Errorf("healthy start raised an urgent ERROR: %s %s", is.Code, is.Message)
				}
				if is.Code == CodeFeatureMissing+":xdp_metadata" {
					found = &issues[i]
				}
			}
			if (found != nil) != tc.wantIssue {
				t.Fatalf("urgent LQOSD_FEATURE_MISSING:xdp_metadata present=%v, want %v (issues %+v)", found != nil, tc.wantIssue, issues)
			}
			if found != nil && (found.Severity != urgent.Warning || !strings.Contains(found.Message, "TC looks every packet up")) {
				t.Errorf("issue %+v: want a WARNING saying what it costs", *found)
			}
			// Shaping works in this mode: a subscriber's packets reach its class.
			l.traffic("10.10.0.1", 20)
			waitFor(t, "c1's classes to count its traffic both ways", func() bool {
				qs, err := c.QueueStats(ctx, "c1")
				if err != nil {
					t.Fatal(err)
				}
				return qs.Down.Packets >= 20 && qs.Up.Packets >= 20
			})
		})
	}
}

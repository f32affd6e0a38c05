package fleet

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/topology"
)

func load(t *testing.T) (*topology.Network, []*devices.Circuit) {
	t.Helper()
	data, err := os.ReadFile("testdata/network.json")
	if err != nil {
		t.Fatal(err)
	}
	nw, l := topology.Parse("network.json", data)
	if l.HasErrors() {
		t.Fatal(l)
	}
	data, err = os.ReadFile("testdata/ShapedDevices.csv")
	if err != nil {
		t.Fatal(err)
	}
	f, l := devices.Parse("ShapedDevices.csv", data)
	if l.HasErrors() {
		t.Fatal(l)
	}
	return nw, f.Circuits
}

func cfgWith(node string, f *config.Fleet) *config.Config {
	c := config.Defaults()
	c.NodeName = node
	c.Fleet = f
	return c
}

func ids(cs []*devices.Circuit) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func roots(nw *topology.Network) []string {
	var out []string
	for _, r := range nw.Roots {
		out = append(out, r.Name)
	}
	return out
}

func TestFilterByList(t *testing.T) {
	nw, cs := load(t)
	sites := map[string][]string{"east": {"North", "East"}, "west": {"West", "Gone"}}
	tests := []struct {
		node       string
		roots      []string
		circuits   []string
		unassigned int
	}{
		// c5 hangs under South, which no shaper lists; c6 has no parent.
		{"east", []string{"North", "East"}, []string{"c1", "c2", "c3"}, 2},
		{"west", []string{"West"}, []string{"c4"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.node, func(t *testing.T) {
			s := New(cfgWith(tc.node, &config.Fleet{Sites: sites}))
			kept, got, sum := s.Filter(nw, cs)
			if !slices.Equal(roots(kept), tc.roots) {
				t.Errorf("sites %v, want %v", roots(kept), tc.roots)
			}
			if !slices.Equal(ids(got), tc.circuits) {
				t.Errorf("circuits %v, want %v", ids(got), tc.circuits)
			}
			if sum.Unassigned != tc.unassigned || sum.Circuits != len(tc.circuits) || sum.Circuits+sum.LeftOut+sum.Unassigned != len(cs) {
				t.Errorf("summary %+v", sum)
			}
			w := strings.Join(sum.Warnings(), "\n")
			for _, want := range []string{`"South" is not listed`, `lists "Gone", which is not a top-level site`, "1 circuits have no top-level site"} {
				if !strings.Contains(w, want) {
					t.Errorf("warnings lack %q:\n%s", want, w)
				}
			}
		})
	}
	if len(nw.Roots) != 4 || len(cs) != 6 {
		t.Fatal("Filter changed its inputs")
	}
}

// TestFilterByHash: the shapers of a hash split together shape every
// circuit exactly once, each site whole.
func TestFilterByHash(t *testing.T) {
	nw, cs := load(t)
	for _, k := range []int{1, 2, 3} {
		seen := map[string]int{}
		siteOwner := map[string]int{}
		for i := range k {
			s := New(cfgWith(fmt.Sprintf("s%d", i), &config.Fleet{ShaperCount: k, ShaperIndex: i}))
			kept, got, sum := s.Filter(nw, cs)
			for _, c := range got {
				seen[c.ID]++
			}
			for _, r := range roots(kept) {
				siteOwner[r]++
				if HashIndex(r, k) != i {
					t.Errorf("k=%d: shaper %d kept %s, whose hash index is %d", k, i, r, HashIndex(r, k))
				}
			}
			if sum.Unassigned != 0 {
				t.Errorf("k=%d: %d circuits unassigned under the hash rule", k, sum.Unassigned)
			}
		}
		for _, c := range cs {
			if seen[c.ID] != 1 {
				t.Errorf("k=%d: circuit %s shaped %d times", k, c.ID, seen[c.ID])
			}
		}
		for _, r := range roots(nw) {
			if siteOwner[r] != 1 {
				t.Errorf("k=%d: site %s kept by %d shapers", k, r, siteOwner[r])
			}
		}
	}
}

func TestNoFleet(t *testing.T) {
	if New(cfgWith("x", nil)) != nil || New(cfgWith("x", &config.Fleet{})) != nil {
		t.Fatal("a config without a split gave a share")
	}
}

func TestReportGolden(t *testing.T) {
	nw, cs := load(t)
	var b strings.Builder
	Report(&b, cfgWith("east", &config.Fleet{Sites: map[string][]string{"east": {"North", "East"}, "west": {"West"}}}), nw, cs)
	Report(&b, cfgWith("s0", &config.Fleet{ShaperCount: 2, ShaperNames: []string{"s0", "s1"}}), nw, cs)
	const golden = "testdata/report.golden"
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		os.WriteFile(golden, []byte(b.String()), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("report differs from %s (UPDATE_GOLDEN=1 to accept):\n%s", golden, b.String())
	}
}

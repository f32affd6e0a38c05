// Package integtest holds helpers shared by the integration tests: golden
// files (go test -update rewrites them), configs and output checks.
package integtest

import (
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/integrations/graph"
	"github.com/libreqos-go/lqos/internal/topology"
)

// Update is set by go test -update.
var Update = flag.Bool("update", false, "rewrite golden files")

// Golden compares got with testdata/<name>, rewriting it under -update.
func Golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *Update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from the golden file (check, then go test -update):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// Config returns defaults with a bridge, as Parse would produce.
func Config() *config.Config {
	c := config.Defaults()
	c.Bridge = &config.Bridge{UseXDPBridge: true, ToInternet: "eth0", ToNetwork: "eth1"}
	c.StateDirectory = "/nonexistent-state"
	return c
}

// CheckOutputs asserts both outputs parse without errors or warnings and
// validate against each other; it returns the parsed files.
func CheckOutputs(t *testing.T, res *graph.Result) (*topology.Network, *devices.File) {
	t.Helper()
	if err := res.Validate(); err != nil {
		t.Fatalf("outputs do not validate: %v", err)
	}
	nw, nd := topology.Parse("network.json", res.NetworkJSON())
	if len(nd.Problems) > 0 {
		t.Errorf("network.json problems: %v", nd.Problems)
	}
	f, dd := devices.Parse("ShapedDevices.csv", res.ShapedDevicesCSV())
	if len(dd.Problems) > 0 {
		t.Errorf("ShapedDevices.csv problems: %v", dd.Problems)
	}
	return nw, f
}

// Row finds a circuit in a parsed file.
func Row(t *testing.T, f *devices.File, id string) *devices.Circuit {
	t.Helper()
	c := f.Circuit(id)
	if c == nil {
		t.Fatalf("circuit %q missing", id)
	}
	return c
}

// Stall is a handler for a server that never answers: it blocks until the
// client gives up (its request context ends) or the test ends. Tests pair it
// with a short client timeout instead of sleeping.
func Stall(t *testing.T) func(w http.ResponseWriter, r *http.Request) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
}

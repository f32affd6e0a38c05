package plan

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"github.com/libreqos-go/lqos/internal/topology"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// bridgeConf is the default of the upstream-parity tests: bridge eth0/eth1,
// uplink = downlink = generated = 1000, cake diffserv4.
const bridgeConf = `
version = "1.5"
[bridge]
to_internet = "eth0"
to_network = "eth1"
[queues]
default_sqm = "cake diffserv4"
`

const stickConf = `
version = "1.5"
[single_interface]
interface = "eth0"
[queues]
default_sqm = "cake diffserv4"
`

// csvHeader is the documented 16-column header with sqm.
const csvHeader = "Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment,sqm\n"

func mustConfig(t testing.TB, text string, extraQueues ...string) *config.Config {
	t.Helper()
	if len(extraQueues) > 0 {
		text += strings.Join(extraQueues, "\n") + "\n"
	}
	cfg, _, err := config.Parse([]byte(text))
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	return cfg
}

func mustNetwork(t testing.TB, text string) *topology.Network {
	t.Helper()
	nw, diags := topology.Parse("network.json", []byte(text))
	if diags.HasErrors() {
		t.Fatalf("network.json: %v", diags.Errors())
	}
	return nw
}

func mustDevices(t testing.TB, rows string) *devices.File {
	t.Helper()
	f, diags := devices.Parse("ShapedDevices.csv", []byte(csvHeader+rows))
	if diags.HasErrors() {
		t.Fatalf("ShapedDevices.csv: %v", diags.Errors())
	}
	return f
}

func mustBuild(t testing.TB, in Input) *Plan {
	t.Helper()
	p, err := Build(in)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return p
}

func findClass(t testing.TB, tr *Tree, ifc string, id tchandle.Handle) *Class {
	t.Helper()
	for i := range tr.Classes {
		if tr.Classes[i].Interface == ifc && tr.Classes[i].ID == id {
			return &tr.Classes[i]
		}
	}
	t.Fatalf("class %s on %s not in tree", id, ifc)
	return nil
}

func nodeByName(t testing.TB, p *Plan, name string) *NodePlan {
	t.Helper()
	for _, n := range p.Nodes {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("node %q not planned", name)
	return nil
}

func circuitByID(t testing.TB, p *Plan, id string) *CircuitPlan {
	t.Helper()
	for _, c := range p.Circuits {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("circuit %q not planned", id)
	return nil
}

// golden compares got with testdata/name, rewriting it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from golden file; run go test ./internal/plan -update and review the diff\n--- got ---\n%s", path, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n want: " + w + "\n  got: " + g
		}
	}
	return ""
}

// formatRate prints bit/s the way RenderTC does ("kbit" when divisible by 1000, else "bit").
func formatRate(bps uint64) string { return string(appendRate(nil, bps)) }

package graph

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
)

var update = flag.Bool("update", false, "rewrite golden files")

func f64(v float64) *float64 { return &v }

// fixture has every node kind: nested sites, APs, clients directly under a
// site, a client with a child client, a duplicate AP name, a suspended
// subscriber, a client without addresses and an unparented client.
func fixture() *Graph {
	pol := RatePolicy{Overhead: 1.15, ClientMultiplier: 1, Commit: 0.98, Floor: 1}
	g := New()
	g.Add(Node{ID: "core", Name: "Core", Kind: KindSite, NetworkID: "t:site:core", DownloadMbps: 5000, UploadMbps: 5000})
	g.Add(Node{ID: "twra", Name: "Tower A", ParentID: "core", Kind: KindSite, NetworkID: "t:site:twra", DownloadMbps: 500, UploadMbps: 500, Latitude: f64(40.1), Longitude: f64(-75.2)})
	g.Add(Node{ID: "ap1", Name: "AP1", ParentID: "twra", Kind: KindAP, NetworkID: "t:ap:1", DownloadMbps: 180, UploadMbps: 60})
	g.Add(Node{ID: "ap2", Name: "AP2", ParentID: "core", Kind: KindAP, NetworkID: "t:ap:2"})
	g.Add(Node{ID: "twrb", Name: "Tower B", ParentID: "core", Kind: KindSite, NetworkID: "t:site:twrb", DownloadMbps: 800, UploadMbps: 800})
	g.Add(Node{ID: "ap1b", Name: "AP1", ParentID: "twrb", Kind: KindAP, NetworkID: "t:ap:1b", DownloadMbps: 300, UploadMbps: 100})
	g.Add(Node{ID: "lonely", Name: "Lonely AP", Kind: KindAP, NetworkID: "t:ap:lonely"})

	g.Add(Node{ID: "c1", Name: "Alice", Address: "1 Elm St", ParentID: "ap1", Kind: KindClient, Rates: pol.Plan(100, 20)})
	g.Add(Node{ID: "d1", Name: "alice-cpe", ParentID: "c1", Kind: KindDevice, MAC: "AA:BB:CC:00:00:01", IPs: []string{"100.64.1.2", "", "100.64.6.1/29"}})
	g.Add(Node{ID: "c2", Name: "Bob", ParentID: "ap2", Kind: KindClient, Rates: pol.Plan(50, 10), Suspended: true})
	g.Add(Node{ID: "d2", Name: "bob-cpe", ParentID: "c2", Kind: KindDevice, IPs: []string{"100.64.2.0/29", "2001:db8:2::/56"}})
	g.Add(Node{ID: "c3", Name: "Carol", ParentID: "twrb", Kind: KindClient, Rates: pol.Plan(25, 5)})
	g.Add(Node{ID: "d3", Name: "carol-cpe", ParentID: "c3", Kind: KindDevice, IPs: []string{"100.64.3.3", "not-an-ip", "100.64.1.2"}})
	g.Add(Node{ID: "c4", Name: "Dave", ParentID: "ap1", Kind: KindClient, Rates: pol.Plan(10, 1)})
	g.Add(Node{ID: "d4", Name: "dave-cpe", ParentID: "c4", Kind: KindDevice, MAC: "AA:BB:CC:00:00:04"})
	g.Add(Node{ID: "c5", Name: "Parent Cust", ParentID: "twra", Kind: KindClient, Rates: pol.Plan(200, 50)})
	g.Add(Node{ID: "d5", Name: "parent-router", ParentID: "c5", Kind: KindDevice, IPs: []string{"100.64.5.1"}})
	g.Add(Node{ID: "c6", Name: "Child Cust", ParentID: "c5", Kind: KindClient, Rates: pol.Plan(20, 5)})
	g.Add(Node{ID: "d6", Name: "child-cpe", ParentID: "c6", Kind: KindDevice, IPs: []string{"100.64.5.2"}})
	g.Add(Node{ID: "c7", Name: "Eve", ParentID: "ap1b", Kind: KindClient, Rates: pol.Plan(1, 1)})
	g.Add(Node{ID: "d7", Name: "eve-cpe", ParentID: "c7", Kind: KindDevice, IPs: []string{"100.64.7.7"}})
	g.Add(Node{ID: "c8", Name: "Frank", ParentID: "nowhere", Kind: KindClient, Rates: pol.Plan(30, 30)})
	g.Add(Node{ID: "d8", Name: "frank-cpe", ParentID: "c8", Kind: KindDevice, IPs: []string{"100.64.8.8"}})
	return g
}

func baseOptions(mode string) Options {
	return Options{Source: "test", Mode: mode, Suspended: SuspendSlow, SlowMbps: DefaultSlowMbps,
		DefaultDownloadMbps: 1000, DefaultUploadMbps: 1000, CapDownloadMbps: 10000, CapUploadMbps: 2000}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s differs from golden file (run go test -update after checking):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestCompileGolden(t *testing.T) {
	for _, mode := range []string{ModeFlat, ModeAPOnly, ModeAPSite, ModeFull} {
		t.Run(mode, func(t *testing.T) {
			res, err := Compile(fixture(), baseOptions(mode))
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Validate(); err != nil {
				t.Fatalf("outputs do not validate: %v", err)
			}
			golden(t, mode+".network.json", res.NetworkJSON())
			golden(t, mode+".ShapedDevices.csv", res.ShapedDevicesCSV())
			if got := res.Summary.SkippedNoIP; len(got) != 1 || got[0] != "c4" {
				t.Errorf("SkippedNoIP = %v, want [c4]", got)
			}
			if res.Summary.SuspendedSlowed != 1 {
				t.Errorf("SuspendedSlowed = %d, want 1", res.Summary.SuspendedSlowed)
			}
		})
	}
}

func circuitByID(res *Result, id string) *devices.Circuit {
	for _, c := range res.Circuits {
		if c.ID == id {
			return c
		}
	}
	return nil
}

func TestModesParents(t *testing.T) {
	cases := []struct {
		mode    string
		circuit string
		parent  string
		id      string
	}{
		{ModeFull, "c1", "AP1", "t:ap:1"},
		{ModeFull, "c7", "AP1 (ap1b)", "t:ap:1b"},
		{ModeFull, "c3", "Tower B", "t:site:twrb"},
		{ModeFull, "c6", "Tower A", "t:site:twra"}, // never the generated site
		{ModeFull, "c5", "Tower A", "t:site:twra"},
		{ModeFull, "c8", "", ""},
		{ModeFlat, "c1", "", ""},
		{ModeAPOnly, "c1", "AP1", "t:ap:1"},
		{ModeAPOnly, "c3", "", ""},
		{ModeAPSite, "c3", "Tower B", "t:site:twrb"},
		{ModeAPSite, "c2", "AP2", "t:ap:2"},
	}
	for _, tc := range cases {
		res, err := Compile(fixture(), baseOptions(tc.mode))
		if err != nil {
			t.Fatal(err)
		}
		c := circuitByID(res, tc.circuit)
		if c == nil {
			t.Fatalf("%s: circuit %s missing", tc.mode, tc.circuit)
		}
		if c.ParentNode != tc.parent || c.ParentNodeID != tc.id {
			t.Errorf("%s %s: parent %q/%q, want %q/%q", tc.mode, tc.circuit, c.ParentNode, c.ParentNodeID, tc.parent, tc.id)
		}
	}
}

// Acceptance 36: flat → {}; ap_only → only APs with circuits; ap_site → sites holding only APs with circuits.
func TestModeTrees(t *testing.T) {
	names := func(mode string) []string {
		res, err := Compile(fixture(), baseOptions(mode))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, n := range res.Network.Nodes() {
			out = append(out, n.Path())
		}
		return out
	}
	if got := names(ModeFlat); len(got) != 0 {
		t.Errorf("flat tree = %v, want empty", got)
	}
	if got, want := strings.Join(names(ModeAPOnly), "|"), "AP1|AP2|AP1 (ap1b)"; got != want {
		t.Errorf("ap_only = %s, want %s", got, want)
	}
	if got, want := strings.Join(names(ModeAPSite), "|"), "Tower A|Tower A > AP1|Core|Core > AP2|Tower B|Tower B > AP1 (ap1b)"; got != want {
		t.Errorf("ap_site = %s, want %s", got, want)
	}
	full := strings.Join(names(ModeFull), "|")
	for _, want := range []string{"Core > Tower A > (Generated Site) Parent Cust", "Lonely AP"} {
		if !strings.Contains(full, want) {
			t.Errorf("full tree %s lacks %s", full, want)
		}
	}
}

func TestAPSiteSyntheticSite(t *testing.T) {
	g := New()
	g.Add(Node{ID: "ap", Name: "Orphan AP", Kind: KindAP, NetworkID: "x:ap"})
	g.Add(Node{ID: "c", Name: "C", ParentID: "ap", Kind: KindClient, Rates: Rates{10, 10, 10, 10}})
	g.Add(Node{ID: "d", ParentID: "c", Kind: KindDevice, IPs: []string{"10.0.0.1"}})
	res, err := Compile(g, baseOptions(ModeAPSite))
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Validate(); err != nil {
		t.Fatal(err)
	}
	top := res.Network.Roots
	if len(top) != 1 || top[0].ID != "libreqos:generated:ap_site:1" || top[0].Name != "Orphan AP (site)" || len(top[0].Children) != 1 {
		t.Fatalf("synthetic site wrong: %+v", top)
	}
}

// Acceptance 30: rates, floors and the commit multiplier.
func TestRatePolicy(t *testing.T) {
	cfg := config.Defaults()
	cfg.UISP.BandwidthOverheadFactor = 1.15
	p := RatePolicyFromConfig(cfg)
	if r := p.Plan(100, 20); r != (Rates{112.7, 22.54, 115, 23}) {
		t.Errorf("100/20 = %+v", r)
	}
	if r := p.Plan(1/1.15, 1/1.15); r != (Rates{1, 1, 1, 1}) {
		t.Errorf("1/1 = %+v", r)
	}
	if r := p.Plan(0, -5); r != (Rates{1, 1, 1, 1}) {
		t.Errorf("0/-5 = %+v", r)
	}
	cfg.UISP.CommitBandwidthMultiplier = 0.5 // honoured (upstream ignored it for billing integrations)
	cfg.IntegrationCommon.ClientBandwidthMultiplier = 1.2
	if r := RatePolicyFromConfig(cfg).Plan(100, 20); r != (Rates{60, 12, 120, 24}) {
		t.Errorf("commit 0.5, client multiplier 1.2: %+v", r)
	}
}

// Acceptance 28/29: ignore and allow subnets.
func TestIPFilter(t *testing.T) {
	mk := func(allow, ignore []string, ips ...string) (*Result, error) {
		g := New()
		g.Add(Node{ID: "c", Name: "C", Kind: KindClient, Rates: Rates{1, 1, 1, 1}})
		g.Add(Node{ID: "d", ParentID: "c", Kind: KindDevice, IPs: ips})
		f, err := NewIPFilter(allow, ignore)
		if err != nil {
			return nil, err
		}
		o := baseOptions(ModeFull)
		o.Filter = f
		return Compile(g, o)
	}
	res, err := mk(nil, []string{"100.64.0.0/10"}, "100.64.1.10/32")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Circuits) != 0 || string(res.ShapedDevicesCSV()) != string(devices.Encode(nil)) {
		t.Errorf("ignored-only circuit kept: %s", res.ShapedDevicesCSV())
	}
	res, _ = mk([]string{"0.0.0.0/0"}, []string{"100.64.0.0/10"}, "100.64.1.10/32", "203.0.113.10/32", "2001:db8::1")
	if len(res.Circuits) != 1 || len(res.Circuits[0].Devices[0].IPv4) != 1 || res.Circuits[0].Devices[0].IPv4[0].String() != "203.0.113.10/32" || len(res.Circuits[0].Devices[0].IPv6) != 1 {
		t.Errorf("mixed: %s", res.ShapedDevicesCSV())
	}
	// A filter built with an allow list enforces it (OptionsFromConfig builds
	// one only for UISP, see TestAllowSubnetsOnlyForUISP).
	res, _ = mk([]string{"10.0.0.0/8"}, nil, "203.0.113.10")
	if len(res.Circuits) != 0 {
		t.Errorf("address outside allow_subnets kept: %s", res.ShapedDevicesCSV())
	}
	// An allow list without IPv6 entries does not restrict IPv6.
	res, _ = mk([]string{"10.0.0.0/8"}, nil, "203.0.113.10", "2001:db8::/48")
	if len(res.Circuits) != 1 || len(res.Circuits[0].Devices[0].IPv4) != 0 {
		t.Errorf("ipv6 with v4-only allow list: %s", res.ShapedDevicesCSV())
	}
	if _, err := NewIPFilter([]string{"bogus"}, nil); err == nil || !strings.Contains(err.Error(), "allow_subnets[0]") {
		t.Errorf("bad allow entry error = %v", err)
	}
}

func TestParseIP(t *testing.T) {
	for in, want := range map[string]string{
		"100.64.6.1/29":   "100.64.6.1/32", // acceptance 45
		"100.64.6.0/29":   "100.64.6.0/29",
		"100.64.10.5/24":  "100.64.10.5/32",
		" 10.0.0.1 ":      "10.0.0.1/32",
		"2001:db8::/56":   "2001:db8::/56",
		"2001:db8::5/64":  "2001:db8::5/128",
		"::ffff:10.1.2.3": "10.1.2.3/32",
		"0.0.0.0":         "error",
		"255.255.255.255": "error",
		"fe80::1%eth0":    "error",
		"":                "error",
		"300.1.1.1":       "error",
		"10.0.0.0/33":     "error",
	} {
		p, err := ParseIP(in)
		got := p.String()
		if err != nil {
			got = "error"
		}
		if got != want {
			t.Errorf("ParseIP(%q) = %s, want %s", in, got, want)
		}
	}
}

// Acceptance 31: exclude_sites drops the node (with its subtree) and same-named clients.
func TestExcludeSites(t *testing.T) {
	o := baseOptions(ModeFull)
	o.ExcludeSites = []string{"tower b", "Bob"}
	res, err := Compile(fixture(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Network.Find("Tower B") != nil || circuitByID(res, "c3") != nil || circuitByID(res, "c7") != nil || circuitByID(res, "c2") != nil {
		t.Errorf("excluded nodes survived:\n%s\n%s", res.NetworkJSON(), res.ShapedDevicesCSV())
	}
	if res.Network.Find("AP1") == nil || circuitByID(res, "c1") == nil {
		t.Errorf("too much excluded")
	}
}

// Acceptance 32 (deliberate deviation): the listed node itself becomes top level.
func TestPromoteToRoot(t *testing.T) {
	o := baseOptions(ModeFull)
	o.PromoteToRoot = []string{"Tower A"}
	res, err := Compile(fixture(), o)
	if err != nil {
		t.Fatal(err)
	}
	n := res.Network.Find("Tower A")
	if n == nil || n.Parent != nil {
		t.Fatalf("Tower A not top level:\n%s", res.NetworkJSON())
	}
	var ap1 string
	for _, x := range res.Network.Nodes() {
		if x.ID == "t:ap:1" {
			if x.Parent != n {
				t.Errorf("AP1 should stay under Tower A")
			}
			ap1 = x.Name
		}
	}
	if c := circuitByID(res, "c1"); c.ParentNode != ap1 || c.ParentNodeID != "t:ap:1" {
		t.Errorf("circuit parent %q/%q, want %q", c.ParentNode, c.ParentNodeID, ap1)
	}
	// The promoted node is no longer capped by its old parent but by the interface.
	if n.DownloadMbps != 500 {
		t.Errorf("download %v", n.DownloadMbps)
	}
}

// Acceptance 33: exception CPEs.
func TestExceptionCPEs(t *testing.T) {
	g := fixture()
	g.Add(Node{ID: "cpe-x", Name: "X", Kind: KindClient, Rates: Rates{5, 5, 5, 5}})
	g.Add(Node{ID: "dx", ParentID: "cpe-x", Kind: KindDevice, IPs: []string{"100.64.9.9"}})
	o := baseOptions(ModeFull)
	o.ExceptionCPEs = []config.ExceptionCPE{{CPE: "cpe-x", Parent: "twrb"}, {CPE: "alice-cpe", Parent: "Tower B"}, {CPE: "ghost", Parent: "twrb"}, {CPE: "x"}}
	res, err := Compile(g, o)
	if err != nil {
		t.Fatal(err)
	}
	if c := circuitByID(res, "cpe-x"); c == nil || c.ParentNode != "Tower B" {
		t.Errorf("cpe-x parent: %+v", c)
	}
	if c := circuitByID(res, "c1"); c == nil || c.ParentNode != "Tower B" {
		t.Errorf("device-matched exception should move its circuit: %+v", c)
	}
	probs := strings.Join(res.Summary.Problems, "\n")
	if !strings.Contains(probs, `cpe "ghost" not found`) || !strings.Contains(probs, "exception_cpes[3]") {
		t.Errorf("problems = %s", probs)
	}
}

// Acceptance 34: generated site for a client with a child client.
func TestGeneratedSite(t *testing.T) {
	res, err := Compile(fixture(), baseOptions(ModeFull))
	if err != nil {
		t.Fatal(err)
	}
	n := res.Network.Find("(Generated Site) Parent Cust")
	if n == nil || n.ID != "libreqos:generated:graph:site:parent-cust" || n.Parent == nil || n.Parent.Name != "Tower A" {
		t.Fatalf("generated site wrong: %+v", n)
	}
}

func TestSuspendedStrategies(t *testing.T) {
	for _, tc := range []struct {
		strategy string
		want     *devices.Circuit
	}{
		{SuspendNone, &devices.Circuit{DownloadMin: 56.35, UploadMin: 11.27, DownloadMax: 57.5, UploadMax: 11.5}},
		{SuspendSlow, &devices.Circuit{DownloadMin: 0.256, UploadMin: 0.256, DownloadMax: 0.256, UploadMax: 0.256}},
		{SuspendBlock, &devices.Circuit{DownloadMin: 0.1, UploadMin: 0.1, DownloadMax: 0.1, UploadMax: 0.1}},
		{SuspendIgnore, nil},
	} {
		o := baseOptions(ModeFull)
		o.Suspended = tc.strategy
		res, err := Compile(fixture(), o)
		if err != nil {
			t.Fatal(err)
		}
		c := circuitByID(res, "c2")
		if tc.want == nil {
			if c != nil || res.Summary.SuspendedIgnored != 1 {
				t.Errorf("ignore: circuit kept (%v) or not counted (%d)", c != nil, res.Summary.SuspendedIgnored)
			}
			continue
		}
		if c == nil || c.DownloadMin != tc.want.DownloadMin || c.UploadMin != tc.want.UploadMin || c.DownloadMax != tc.want.DownloadMax || c.UploadMax != tc.want.UploadMax {
			t.Errorf("%s: got %+v", tc.strategy, c)
		}
	}
	if _, err := Compile(New(), Options{Suspended: "sometimes"}); err == nil {
		t.Error("unknown strategy accepted")
	}
}

func TestDuplicatesAndCycles(t *testing.T) {
	g := New()
	g.Add(Node{ID: "a", Name: "Same", ParentID: "b", Kind: KindSite, NetworkID: "s:a"})
	g.Add(Node{ID: "b", Name: "Same", ParentID: "a", Kind: KindSite, NetworkID: "s:b"})
	g.Add(Node{ID: "c", Name: "Same", Kind: KindAP, NetworkID: "s:c"})
	if g.Add(Node{ID: "c", Name: "Other", Kind: KindAP}) {
		t.Error("duplicate id accepted")
	}
	g.Add(Node{ID: "cl", Name: "Client", ParentID: "c", Kind: KindClient, Rates: Rates{1, 1, 1, 1}})
	g.Add(Node{ID: "d", ParentID: "cl", Kind: KindDevice, IPs: []string{"10.0.0.1"}})
	g.Add(Node{ID: "cl2", Name: "Client2", ParentID: "a", Kind: KindClient, Rates: Rates{1, 1, 1, 1}})
	g.Add(Node{ID: "d", ParentID: "cl2", Kind: KindDevice, IPs: []string{"10.0.0.2"}})
	g.Add(Node{ID: "d2", ParentID: "cl2", Kind: KindDevice, IPs: []string{"10.0.0.1"}})
	res, err := Compile(g, baseOptions(ModeFull))
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Validate(); err != nil {
		t.Fatalf("validate: %v\n%s", err, res.NetworkJSON())
	}
	var names []string
	for _, n := range res.Network.Nodes() {
		names = append(names, n.Name)
	}
	if got := strings.Join(names, "|"); got != "Same|Same (a)|Same (c)" {
		t.Errorf("names = %s", got)
	}
	probs := strings.Join(res.Summary.Problems, "\n")
	for _, want := range []string{"loops back", `duplicate node id "c"`, `already used by circuit "cl"`} {
		if !strings.Contains(probs, want) {
			t.Errorf("problems lack %q:\n%s", want, probs)
		}
	}
	if len(res.Circuits) != 1 {
		t.Errorf("circuits = %d, want 1 (cl2 lost every address)", len(res.Circuits))
	}
}

func TestCircuitNameAsAddressAndCaps(t *testing.T) {
	o := baseOptions(ModeFull)
	o.CircuitNameAsAddress = true
	o.CapDownloadMbps, o.CapUploadMbps = 300, 40
	res, err := Compile(fixture(), o)
	if err != nil {
		t.Fatal(err)
	}
	if c := circuitByID(res, "c1"); c.Name != "1 Elm St" {
		t.Errorf("name %q", c.Name)
	}
	if c := circuitByID(res, "c3"); c.Name != "Carol" {
		t.Errorf("no address must keep the name, got %q", c.Name)
	}
	n := res.Network.Find("Tower A")
	if n.DownloadMbps != 300 || n.UploadMbps != 40 {
		t.Errorf("caps: %v/%v, want 300/40 (download and upload capped separately)", n.DownloadMbps, n.UploadMbps)
	}
}

func TestNormalizeMode(t *testing.T) {
	if m, _ := NormalizeMode("full2", ModeFlat); m != ModeFull {
		t.Error("full2")
	}
	if m, _ := NormalizeMode("", ModeAPSite); m != ModeAPSite {
		t.Error("default")
	}
	if _, err := NormalizeMode("tree", ModeFull); err == nil {
		t.Error("unknown accepted")
	}
}

func TestNodeUnderDevice(t *testing.T) {
	g := New()
	g.Add(Node{ID: "s", Name: "S", Kind: KindSite, NetworkID: "x:s"})
	g.Add(Node{ID: "c", Name: "C", ParentID: "s", Kind: KindClient, Rates: Rates{DownloadMin: 1, UploadMin: 1, DownloadMax: 1, UploadMax: 1}})
	g.Add(Node{ID: "d", ParentID: "c", Kind: KindDevice, IPs: []string{"10.0.0.1"}})
	g.Add(Node{ID: "ap", Name: "AP under a device", ParentID: "d", Kind: KindAP, NetworkID: "x:ap"})
	g.Add(Node{ID: "c2", Name: "C2", ParentID: "ap", Kind: KindClient, Rates: Rates{DownloadMin: 1, UploadMin: 1, DownloadMax: 1, UploadMax: 1}})
	g.Add(Node{ID: "d2", ParentID: "c2", Kind: KindDevice, IPs: []string{"10.0.0.2"}})
	res, err := Compile(g, baseOptions(ModeFull))
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Validate(); err != nil {
		t.Fatal(err)
	}
	// The AP lands in the generated site of C (C now has topology below it).
	n := res.Network.Find("AP under a device")
	if n == nil || n.Parent == nil || n.Parent.Name != "(Generated Site) C" {
		t.Fatalf("AP placement:\n%s", res.NetworkJSON())
	}
	if c := circuitByID(res, "c2"); c.ParentNode != "AP under a device" {
		t.Errorf("c2 parent %q", c.ParentNode)
	}
}

func TestSummaryString(t *testing.T) {
	res, err := Compile(fixture(), baseOptions(ModeFull))
	if err != nil {
		t.Fatal(err)
	}
	s := res.Summary.String()
	for _, want := range []string{"test (full)", "7 circuits", "7 devices", "2 addresses dropped", "skipped 1 circuits without usable IPs", "1 slow"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary %q lacks %q", s, want)
		}
	}
}

func TestDuplicateNetworkIDs(t *testing.T) {
	g := New()
	g.Add(Node{ID: "a", Name: "North", Kind: KindSite, NetworkID: "z:north"})
	g.Add(Node{ID: "b", Name: "NORTH", Kind: KindSite, NetworkID: "z:north"})
	g.Add(Node{ID: "c", Name: "C", ParentID: "b", Kind: KindClient, Rates: Rates{DownloadMin: 1, UploadMin: 1, DownloadMax: 1, UploadMax: 1}})
	g.Add(Node{ID: "d", ParentID: "c", Kind: KindDevice, IPs: []string{"10.0.0.1"}})
	res, err := Compile(g, baseOptions(ModeFull))
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Validate(); err != nil {
		t.Fatal(err)
	}
	if c := circuitByID(res, "c"); c.ParentNode != "NORTH" || c.ParentNodeID != "z:north:b" {
		t.Errorf("parent %q %q", c.ParentNode, c.ParentNodeID)
	}
}

// Upstream prunes billing imports only by ignore_subnets; allow_subnets is
// UISP's alone. A circuit that loses every address is never dropped
// silently: a warning names it and the summary counts it.
func TestAllowSubnetsOnlyForUISP(t *testing.T) {
	tests := []struct {
		source      string
		ignore      []string
		wantKept    bool
		wantWarning string
	}{
		{source: "Splynx", wantKept: true},
		{source: "VISP", wantKept: true},
		{source: "Netzur", wantKept: true},
		{source: "UISP", wantWarning: `circuit "c" (Public Customer) dropped: every address was removed by ip_ranges (203.0.113.10/32 outside allow_subnets)`},
		{source: "Splynx", ignore: []string{"203.0.113.0/24"}, wantWarning: "203.0.113.10/32 inside ignore subnet 203.0.113.0/24"},
	}
	for _, tc := range tests {
		t.Run(tc.source+strings.Join(tc.ignore, ","), func(t *testing.T) {
			cfg, _, err := config.Parse([]byte("version = \"1.5\"\n[bridge]\n"))
			if err != nil {
				t.Fatal(err)
			}
			cfg.IPRanges.IgnoreSubnets = tc.ignore
			o, err := OptionsFromConfig(cfg, tc.source, ModeFull)
			if err != nil {
				t.Fatal(err)
			}
			g := New()
			g.Add(Node{ID: "c", Name: "Public Customer", Kind: KindClient, Rates: Rates{1, 1, 1, 1}})
			g.Add(Node{ID: "d", ParentID: "c", Kind: KindDevice, IPs: []string{"203.0.113.10"}})
			res, err := Compile(g, o)
			if err != nil {
				t.Fatal(err)
			}
			if kept := len(res.Circuits) == 1; kept != tc.wantKept {
				t.Fatalf("kept = %v, want %v (stock allow_subnets %v)", kept, tc.wantKept, cfg.IPRanges.AllowSubnets)
			}
			if tc.wantKept {
				return
			}
			if res.Summary.FilteredOut != 1 || !strings.Contains(res.Summary.String(), "(1 by ip_ranges)") {
				t.Errorf("summary %q does not count the dropped circuit", res.Summary.String())
			}
			found := false
			for _, p := range res.Summary.Problems {
				found = found || strings.Contains(p, tc.wantWarning)
			}
			if !found {
				t.Errorf("no warning %q in %q", tc.wantWarning, res.Summary.Problems)
			}
		})
	}
}

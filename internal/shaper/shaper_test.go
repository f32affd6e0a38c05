package shaper

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// recordingStore is a MappingStore that keeps the last set it was given.
type recordingStore struct {
	calls int
	last  []plan.Mapping
}

func (r *recordingStore) ReplaceAll(_ context.Context, ms []plan.Mapping) error {
	r.calls++
	r.last = append([]plan.Mapping(nil), ms...)
	return nil
}

// lab copies the example inputs into a temp dir with a config for the
// given interfaces; pfifo leaves because this kernel has no cake/fq_codel.
func lab(t *testing.T, toInternet, toNetwork string) (dir string, cfg *config.Config) {
	t.Helper()
	dir = t.TempDir()
	for _, f := range []string{"network.json", "lqos_overrides.json"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, f), data, 0o644)
	}
	csv, err := os.ReadFile(filepath.Join("..", "..", "examples", "ShapedDevices.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// The example's one sqm override asks for cake/fq_codel, which this kernel lacks.
	os.WriteFile(filepath.Join(dir, "ShapedDevices.csv"), []byte(strings.ReplaceAll(string(csv), "cake/fq_codel", "")), 0o644)
	conf := fmt.Sprintf("version = \"1.5\"\nlqos_directory = \".\"\nstate_directory = \"state\"\n[bridge]\nto_internet = %q\nto_network = %q\n[queues]\ndefault_sqm = \"pfifo limit 100\"\n", toInternet, toNetwork)
	path := filepath.Join(dir, "lqos.conf")
	os.WriteFile(path, []byte(conf), 0o644)
	cfg, warns, err := config.Load(path)
	if err != nil || len(warns) > 0 {
		t.Fatal(err, warns)
	}
	return dir, cfg
}

func TestDryRunNeedsNoKernel(t *testing.T) {
	_, cfg := lab(t, "eth0", "eth1")
	res, err := New(cfg, nil, nil, nil).Refresh(context.Background(), Options{DryRun: true, TxQueues: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Commands) == 0 || !strings.Contains(strings.Join(res.Commands, "\n"), "qdisc add dev eth1 root handle 7fff: mq") {
		t.Fatalf("commands:\n%s", strings.Join(res.Commands, "\n"))
	}
	if _, err := os.Stat(filepath.Join(cfg.StateDirectory, "shaping")); !os.IsNotExist(err) {
		t.Error("a dry run must not write state")
	}
}

func TestInvalidInputsTouchNothing(t *testing.T) {
	dir, cfg := lab(t, "eth0", "eth1")
	os.WriteFile(filepath.Join(dir, "ShapedDevices.csv"), []byte("Circuit ID,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps\n,1,1,2,2\n"), 0o644)
	store := &recordingStore{}
	_, err := New(cfg, failingKernel{}, store, nil).Refresh(context.Background(), Options{TxQueues: 2})
	var ie *diag.InputError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "ShapedDevices.csv:2 [Circuit ID]") {
		t.Fatalf("err = %v", err)
	}
	if store.calls != 0 {
		t.Error("mappings were touched")
	}
}

// failingKernel fails the test if anything reaches the kernel.
type failingKernel struct{}

func (failingKernel) TxQueues(string) (int, error) { return 0, errors.New("unexpected") }
func (failingKernel) SyncRecord(...string)         {}
func (failingKernel) NoteRecord(...string)         {}
func (failingKernel) Apply(context.Context, *plan.Tree, *slog.Logger) (*tc.Result, error) {
	return nil, errors.New("unexpected")
}

// newNetns makes a namespace holding a veth pair eth0/eth1 with 4 TX queues.
func newNetns(t testing.TB) netns.NsHandle {
	t.Helper()
	ns, _ := newNetnsNamed(t)
	return ns
}

// newNetnsNamed is newNetns that also returns the namespace's name.
func newNetnsNamed(t testing.TB) (netns.NsHandle, string) {
	t.Helper()
	ns := kerneltest.NetNS(t, "lqtsh")
	kerneltest.Veth(t, ns, "eth0", ns, "eth1", 4)
	ns.IP(t, "link", "set", "eth0", "up")
	ns.IP(t, "link", "set", "eth1", "up")
	return ns.Handle, ns.Name
}

func dump(t testing.TB, k *NetlinkKernel) *tc.Live {
	t.Helper()
	live, err := tc.Dump(k.TC(), []string{"eth1", "eth0"})
	if err != nil {
		t.Fatal(err)
	}
	return live
}

func TestApplyInNetns(t *testing.T) {
	ns := newNetns(t)
	dir, cfg := lab(t, "eth0", "eth1")
	k, err := OpenKernel(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	store := &recordingStore{}
	eng := New(cfg, k, store, nil)
	ctx := context.Background()

	// First apply: TX queues detected (4), the whole tree built.
	res, err := eng.Refresh(ctx, Options{Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if want := min(4, runtime.NumCPU()); res.Plan.Queues != want {
		t.Errorf("detected %d queues, want %d (TX queues capped by CPUs)", res.Plan.Queues, want)
	}
	if diffs, err := tc.Compare(res.Plan.Tree, dump(t, k)); err != nil || len(diffs) != 0 {
		t.Fatalf("kernel differs from plan: %v %v", err, diffs)
	}
	if store.calls != 1 || len(store.last) != len(res.Plan.Tree.Mappings) || len(store.last) == 0 {
		t.Errorf("mappings: %d calls, %d entries", store.calls, len(store.last))
	}
	for _, f := range []string{"shaping/queuingStructure.json", "shaping/planner_state.json", "shaping/lastGoodConfig.csv", "stats/lastRun.txt", "debug/tc_commands.txt"} {
		if _, err := os.Stat(filepath.Join(cfg.StateDirectory, f)); err != nil {
			t.Errorf("state file missing: %v", err)
		}
	}

	// Same inputs again: nothing to send to the kernel.
	res, err = eng.Refresh(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kernel.Done != 0 || len(res.Kernel.Planned) != 0 {
		t.Errorf("unchanged inputs sent %d kernel requests", len(res.Kernel.Planned))
	}

	// One more circuit: only its classes and leaves are added; no existing
	// class changes identity.
	before := dump(t, k)
	f, _ := os.OpenFile(filepath.Join(dir, "ShapedDevices.csv"), os.O_APPEND|os.O_WRONLY, 0)
	fmt.Fprintln(f, "10100,New Customer,100,Dev,AP_A,,,,100.64.5.5,,5,5,50,10,,")
	f.Close()
	res, err = eng.Refresh(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	after := dump(t, k)
	if got := len(after.Classes) - len(before.Classes); got != 2 {
		t.Errorf("adding a circuit added %d classes, want 2 (one per direction)", got)
	}
	for _, c := range before.Classes {
		a, ok := after.Class(c.Interface, c.ID)
		if !ok || a.Parent != c.Parent || a.RateBps != c.RateBps || a.CeilBps != c.CeilBps {
			t.Errorf("class %s on %s changed: before %+v after %+v", c.ID, c.Interface, c, a)
		}
	}
	if res.Kernel.Done != 4 {
		t.Errorf("adding a circuit took %d kernel requests, want 4 (class + leaf on each interface)", res.Kernel.Done)
	}

	// A leaf the kernel refuses: the error names the circuit, and the tree
	// applied before stays exactly as it was. Where the kernel lacks a kind,
	// circuit 10100's sqm column asks for it; where it has cake and fq_codel
	// (stock kernels), the default leaf asks fq_codel for more flows than
	// the kernel allows.
	before = dump(t, k)
	have, err := ProbeQdiscs([]string{"cake", "fq_codel"})
	if err != nil {
		t.Fatal(err)
	}
	refuser, want := eng, []string{"10100"}
	switch {
	case !have["cake"], !have["fq_codel"]:
		kind := "cake"
		if have["cake"] {
			kind = "fq_codel"
		}
		want = append(want, kind)
		csv, _ := os.ReadFile(filepath.Join(dir, "ShapedDevices.csv"))
		text := strings.Replace(string(csv), "10100,New Customer,100,Dev,AP_A,,,,100.64.5.5,,5,5,50,10,,", "10100,New Customer,100,Dev,AP_A,,,,100.64.5.5,,5,5,50,10,,"+kind, 1)
		os.WriteFile(filepath.Join(dir, "ShapedDevices.csv"), []byte(text), 0o644)
	default:
		c := *cfg
		c.Queues.DefaultSQM = "fq_codel flows 70000"
		refuser, want = New(&c, k, store, nil), []string{"add leaf fq_codel: invalid argument", "previous tree and mappings restored"}
	}
	_, err = refuser.Refresh(ctx, Options{})
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Fatalf("want an error naming %q, got %v", want, err)
		}
	}
	if d := tc.CompareLive(before, dump(t, k)); len(d) != 0 {
		t.Errorf("failed apply changed the kernel: %v", d)
	}
}

// checkingStore verifies, at the moment mappings change, that every class a
// mapping points at (old or new) exists in the kernel.
type checkingStore struct {
	t       *testing.T
	k       *NetlinkKernel
	last    []plan.Mapping
	missing []string
}

func (s *checkingStore) ReplaceAll(_ context.Context, ms []plan.Mapping) error {
	live := dump(s.t, s.k)
	for _, set := range [][]plan.Mapping{s.last, ms} {
		for _, m := range set {
			if _, ok := live.Class("eth1", m.ClassID); !ok {
				s.missing = append(s.missing, fmt.Sprintf("%s -> %s", m.Prefix, m.ClassID))
			}
		}
	}
	s.last = append([]plan.Mapping(nil), ms...)
	return nil
}

func TestMoveIsStaged(t *testing.T) {
	ns := newNetns(t)
	dir, cfg := lab(t, "eth0", "eth1")
	k, err := OpenKernel(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	store := &checkingStore{t: t, k: k}
	eng := New(cfg, k, store, nil)
	ctx := context.Background()
	res, err := eng.Refresh(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	classOf := func(p *plan.Plan, id string) tchandle.Handle {
		for _, m := range p.Tree.Mappings {
			if m.CircuitID == id {
				return m.ClassID
			}
		}
		t.Fatalf("no mapping for circuit %s", id)
		return 0
	}
	before := classOf(res.Plan, "10002")

	// Move circuit 10002 from AP_A to AP_9 and remove circuit 10001.
	csv, _ := os.ReadFile(filepath.Join(dir, "ShapedDevices.csv"))
	text := strings.Replace(string(csv), ",2,Device 2,AP_A,", ",2,Device 2,AP_9,", 1)
	var kept []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "10001,") {
			kept = append(kept, line)
		}
	}
	os.WriteFile(filepath.Join(dir, "ShapedDevices.csv"), []byte(strings.Join(kept, "\n")), 0o644)

	res, err = eng.Refresh(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	after := classOf(res.Plan, "10002")
	if after == before {
		t.Fatalf("moved circuit kept class %s", after)
	}
	var names []string
	for _, s := range res.Steps {
		names = append(names, s.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "apply queues, old classes kept,apply IP mappings,remove old classes") {
		t.Errorf("steps = %v, want the three-step move", names)
	}
	if len(store.missing) > 0 {
		t.Errorf("mappings pointed at classes missing from the kernel: %v", store.missing)
	}
	live := dump(t, k)
	if _, ok := live.Class("eth1", before); ok {
		t.Errorf("old class %s still in the kernel after the move", before)
	}
	if d, err := tc.Compare(res.Plan.Tree, live); err != nil || len(d) != 0 {
		t.Errorf("kernel differs from the plan after the move: %v %v", err, d)
	}
}

func TestLazyQueues(t *testing.T) {
	ns := newNetns(t)
	_, cfg := lab(t, "eth0", "eth1")
	k, err := OpenKernel(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	lazy := &tc.Lazy{Mode: tc.LazyHTB}
	store := &recordingStore{}
	res, err := New(cfg, k, store, nil).Refresh(context.Background(), Options{KernelTree: lazy.Tree})
	if err != nil {
		t.Fatal(err)
	}
	leaves := func() int {
		n := 0
		for _, q := range dump(t, k).Qdiscs {
			if q.Kind == "pfifo" && q.Handle.Major() >= 0x9000 {
				n++
			}
		}
		return n
	}
	if n := leaves(); n != 0 {
		t.Errorf("lazy htb: %d circuit leaves before any traffic, want 0", n)
	}
	if len(store.last) != len(res.Plan.Tree.Mappings) {
		t.Errorf("mappings must follow the plan, not the lazy tree")
	}
	// First traffic of one circuit: its leaf appears on both interfaces.
	if !lazy.Touch("10001", time.Now()) {
		t.Fatal("first touch must activate")
	}
	kres, err := k.Apply(context.Background(), lazy.Tree(res.Plan.Tree), nil)
	if err != nil {
		t.Fatal(err)
	}
	if kres.Done != 2 || leaves() != 2 {
		t.Errorf("activation took %d requests and left %d leaves, want 2 and 2", kres.Done, leaves())
	}
}

// Two appliers on one machine (lqosd's long-lived handle, and libreqos run
// while lqosd was away): the long-lived one must notice the other's apply.
func TestStaleApplierMemory(t *testing.T) {
	ns := newNetns(t)
	dir, cfg := lab(t, "eth0", "eth1")
	open := func() *NetlinkKernel {
		k, err := OpenKernel(ns)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(k.Close)
		return k
	}
	long, other := open(), open()
	ctx := context.Background()
	if _, err := New(cfg, long, nil, nil).Refresh(ctx, Options{}); err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(dir, "ShapedDevices.csv")
	orig, _ := os.ReadFile(csvPath)
	changed := strings.Replace(string(orig), ",1,Device 1,AP_A,,,,100.64.0.1,,25,5,155,20,", ",1,Device 1,AP_A,,,,100.64.0.1,,25,5,140,20,", 1)
	if changed == string(orig) {
		t.Fatal("test edit did not apply")
	}
	os.WriteFile(csvPath, []byte(changed), 0o644)
	time.Sleep(10 * time.Millisecond) // distinct modification times of the record
	if _, err := New(cfg, other, nil, nil).Refresh(ctx, Options{}); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(csvPath, orig, 0o644)
	res, err := New(cfg, long, nil, nil).Refresh(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d, err := tc.Compare(res.Plan.Tree, dump(t, long)); err != nil || len(d) != 0 {
		t.Fatalf("the long-lived applier trusted stale memory; kernel differs from plan: %v %v", err, d)
	}
}

// exclude_efficiency_cores: one queue per shaping CPU, and on a hybrid CPU
// the efficiency cores do not shape. The sysfs trees are testdata; the
// interfaces (4 TX queues each) are real.
func TestQueuesSkipEfficiencyCores(t *testing.T) {
	ns := newNetns(t)
	_, cfg := lab(t, "eth0", "eth1")
	k, err := OpenKernel(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	tests := []struct {
		tree    string
		exclude bool
		want    int
	}{
		{"arm-biglittle", true, 2},  // 2 performance cores
		{"arm-biglittle", false, 4}, // 6 CPUs, capped by 4 TX queues
		{"uniform", true, 4},
		{"no-sysfs", true, min(4, runtime.NumCPU())}, // unreadable: every CPU
	}
	for _, tc := range tests {
		c := *cfg
		c.ExcludeEfficiencyCores = tc.exclude
		eng := New(&c, k, nil, nil)
		eng.SysfsRoot = filepath.Join("..", "cores", "testdata", tc.tree)
		if n, err := eng.DetectQueues(); err != nil || n != tc.want {
			t.Errorf("%s exclude=%v: %d queues (%v), want %d", tc.tree, tc.exclude, n, err, tc.want)
		}
	}
}

// A circuit naming a generated parent node hangs from it when the plan has
// that node, and is refused (like any unknown parent) when it does not.
func TestGeneratedParentNamedInCSV(t *testing.T) {
	const header = "Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment\n"
	tests := []struct {
		parent  string
		wantErr string
	}{
		{parent: "Generated_PN_2"},
		{parent: "Generated_PN_9", wantErr: `ShapedDevices.csv:2 [Parent Node]: circuit "g1": parent node "Generated_PN_9" is neither in network.json nor one of the 2 generated parent nodes`},
	}
	for _, tc := range tests {
		t.Run(tc.parent, func(t *testing.T) {
			dir, cfg := lab(t, "eth0", "eth1")
			os.WriteFile(filepath.Join(dir, "ShapedDevices.csv"), []byte(header+"g1,G,gd1,,"+tc.parent+",,,,100.64.9.1,,5,5,10,10,\n"), 0o644)
			os.WriteFile(filepath.Join(dir, "lqos_overrides.json"), []byte("{}"), 0o644)
			res, err := New(cfg, nil, nil, nil).Refresh(context.Background(), Options{DryRun: true, TxQueues: 2})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Plan.Circuits) != 1 || res.Plan.Circuits[0].Node != tc.parent {
				t.Errorf("circuits %+v", res.Plan.Circuits)
			}
		})
	}
}

// With exclude_efficiency_cores on a big.LITTLE machine whose efficiency
// cores are CPUs 0-3, the queues' subscribers are steered to CPUs 4 and 5.
func TestQueueCPUsSkipEfficiencyCores(t *testing.T) {
	for _, exclude := range []bool{true, false} {
		dir, cfg := lab(t, "eth0", "eth1")
		const header = "Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment\n"
		rows := header
		for i := 1; i <= 8; i++ {
			rows += fmt.Sprintf("c%d,C%d,d%d,,,,,,100.64.19.%d,,5,5,10,10,\n", i, i, i, i)
		}
		os.WriteFile(filepath.Join(dir, "ShapedDevices.csv"), []byte(rows), 0o644)
		os.WriteFile(filepath.Join(dir, "network.json"), []byte("{}"), 0o644)
		c := *cfg
		c.ExcludeEfficiencyCores = exclude
		eng := New(&c, nil, nil, nil)
		eng.SysfsRoot = filepath.Join("..", "cores", "testdata", "arm-biglittle")
		res, err := eng.Refresh(context.Background(), Options{DryRun: true, TxQueues: 2})
		if err != nil {
			t.Fatal(err)
		}
		want := map[uint32]bool{4: true, 5: true}
		if !exclude {
			want = map[uint32]bool{0: true, 1: true}
		}
		got := map[uint32]bool{}
		for _, m := range res.Plan.Tree.Mappings {
			got[m.CPU] = true
		}
		if !maps.Equal(got, want) {
			t.Errorf("exclude=%v: mappings on CPUs %v, want %v", exclude, got, want)
		}
	}
}

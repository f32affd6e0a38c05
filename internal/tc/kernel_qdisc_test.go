package tc

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/plan"
)

// requireQdiscsEnv names the leaf kinds a test run insists on. The kernel
// matrix sets LQOS_REQUIRE_QDISCS=cake,fq_codel inside its VMs, so a kernel
// there that lacks one fails instead of reporting the test as not exercised.
const requireQdiscsEnv = "LQOS_REQUIRE_QDISCS"

var qdiscKinds struct {
	sync.Mutex
	have map[string]bool
}

// kernelHasQdisc reports whether this kernel can create a qdisc of the given
// kind, by adding one on the loopback of tn's namespace A and removing it.
// The answer is kept for the rest of the test binary.
func kernelHasQdisc(tb testing.TB, tn *testNet, kind string) bool {
	tb.Helper()
	qdiscKinds.Lock()
	defer qdiscKinds.Unlock()
	if have, ok := qdiscKinds.have[kind]; ok {
		return have
	}
	out, err := exec.Command("tc", "-n", tn.A, "qdisc", "add", "dev", "lo", "root", "handle", "ffe0:", kind).CombinedOutput()
	have := err == nil
	if have {
		run(tb, "tc", "-n", tn.A, "qdisc", "del", "dev", "lo", "root")
	} else if !strings.Contains(string(out), "kind is unknown") && !strings.Contains(string(out), "No such file") {
		tb.Fatalf("probing qdisc %s: %v\n%s", kind, err, out)
	}
	if qdiscKinds.have == nil {
		qdiscKinds.have = map[string]bool{}
	}
	qdiscKinds.have[kind] = have
	return have
}

// requireQdiscs stops the test when the kernel lacks one of kinds: with
// LQOS_REQUIRE_QDISCS set that is a failure naming the kind; unset, the test
// is skipped with a message saying it was not exercised on this kernel.
func requireQdiscs(t *testing.T, tn *testNet, kinds ...string) {
	t.Helper()
	required := os.Getenv(requireQdiscsEnv)
	for _, k := range kinds {
		if kernelHasQdisc(t, tn, k) {
			continue
		}
		if required != "" {
			t.Fatalf("%s=%s but this kernel has no sch_%s", requireQdiscsEnv, required, k)
		}
		// Recorded with the other paths this kernel cannot run.
		kerneltest.Feature(t, "sch_"+k, false, "this kernel has no sch_"+k)
		t.Skipf("not exercised on this kernel: no sch_%s (set %s=%s to make this a failure)", k, requireQdiscsEnv, k)
	}
}

// refusal is a leaf this kernel refuses to create and the texts the apply
// error must then contain.
type refusal struct {
	leaf    plan.Leaf
	errText string // the failing request and the kernel's errno
	hint    string // what the error adds for the operator, if anything
}

// matches reports whether err is the refusal's error.
func (r refusal) matches(err error) bool {
	return err != nil && strings.Contains(err.Error(), r.errText) && strings.Contains(err.Error(), r.hint)
}

// refusedLeaf picks a leaf the kernel under test refuses, so the roll-back
// tests run on every kernel: cake where sch_cake is missing (the error then
// names the missing module), otherwise fq_codel with more flows than the
// kernel's limit of 65536, which it rejects with EINVAL. The mode is logged.
func refusedLeaf(t *testing.T, tn *testNet) refusal {
	t.Helper()
	if !kernelHasQdisc(t, tn, "cake") {
		t.Log("refused leaf: cake (this kernel has no sch_cake)")
		return refusal{leaf: plan.Leaf{Kind: "cake", Args: []string{"diffserv4", "rtt", "100ms"}}, errText: "add leaf cake: no such file or directory", hint: "(kernel lacks sch_cake)"}
	}
	if !kernelHasQdisc(t, tn, "fq_codel") {
		t.Log("refused leaf: fq_codel (this kernel has no sch_fq_codel)")
		return refusal{leaf: plan.Leaf{Kind: "fq_codel", Args: []string{"limit", "1000"}}, errText: "add leaf fq_codel: no such file or directory", hint: "(kernel lacks sch_fq_codel)"}
	}
	t.Log("refused leaf: fq_codel flows 70000 (this kernel has cake and fq_codel; it rejects the flow count)")
	return refusal{leaf: plan.Leaf{Kind: "fq_codel", Args: []string{"flows", "70000"}}, errText: "add leaf fq_codel: invalid argument"}
}

// TestRequireQdiscsGate runs one cake test in a child test binary with
// LQOS_REQUIRE_QDISCS=cake,fq_codel and without it: where the kernel lacks
// sch_cake the first fails naming the module and the second is skipped as
// not exercised; where it has it, both pass.
func TestRequireQdiscsGate(t *testing.T) {
	tn := newTestNet(t, 2)
	hasCake := kernelHasQdisc(t, tn, "cake") && kernelHasQdisc(t, tn, "fq_codel")
	child := func(env string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLeafEncodingsParsedByKernel$/^cake_empty$", "-test.v", "-test.count=1")
		cmd.Env = append(slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, requireQdiscsEnv+"=") }), env)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	required, errReq := child(requireQdiscsEnv + "=cake,fq_codel")
	optional, errOpt := child(requireQdiscsEnv + "=")
	if hasCake {
		if errReq != nil || errOpt != nil || !strings.Contains(required, "--- PASS: TestLeafEncodingsParsedByKernel") {
			t.Fatalf("kernel has cake and fq_codel, child runs failed: %v %v\n%s\n%s", errReq, errOpt, required, optional)
		}
		return
	}
	if errReq == nil || !strings.Contains(required, requireQdiscsEnv+"=cake,fq_codel but this kernel has no sch_") {
		t.Fatalf("with %s set the child should fail naming the missing qdisc (err %v):\n%s", requireQdiscsEnv, errReq, required)
	}
	if errOpt != nil || !strings.Contains(optional, "not exercised on this kernel: no sch_") {
		t.Fatalf("without %s the child should skip as not exercised (err %v):\n%s", requireQdiscsEnv, errOpt, optional)
	}
}

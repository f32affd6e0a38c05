package plan

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/kerneltest"
)

// TestRenderTCAcceptedByKernel feeds RenderTC's output for the example tree
// to `tc -batch` inside a private network namespace and checks that the kernel
// ends up with exactly the planned classes. This kernel has no cake or
// fq_codel, so leafs are swapped for pfifo first.
func TestRenderTCAcceptedByKernel(t *testing.T) {
	kerneltest.RequireRoot(t)
	if kerneltest.Binary(t, "tc", "iproute2") == "" {
		return
	}
	lab := kerneltest.NetNS(t, "lqtplan")
	ns := lab.Name
	run := func(args ...string) string {
		t.Helper()
		return kerneltest.Run(t, args[0], args[1:]...)
	}
	kerneltest.Veth(t, lab, "lqtpl0", lab, "lqtpl1", 2)

	in := loadExample(t)
	in.Config = mustConfig(t, strings.NewReplacer(`"eth0"`, `"lqtpl0"`, `"eth1"`, `"lqtpl1"`).Replace(bridgeConf))
	p := mustBuild(t, in)
	want := map[string]int{}
	for i := range p.Tree.Classes {
		c := &p.Tree.Classes[i]
		want[c.Interface]++
		if !c.Leaf.IsZero() {
			c.Leaf = Leaf{Kind: "pfifo"}
		}
	}
	batch := filepath.Join(t.TempDir(), "batch")
	if err := os.WriteFile(batch, []byte(strings.Join(RenderTC(p.Tree), "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run("ip", "netns", "exec", ns, "tc", "-batch", batch)
	for ifc, n := range want {
		// Plain text: this iproute2 (6.1) prints classes without JSON.
		out := run("ip", "netns", "exec", ns, "tc", "class", "show", "dev", ifc)
		htb := strings.Count(out, "class htb ")
		if ifc == "lqtpl1" && !strings.Contains(out, "class htb 1:22 parent 1:b leaf 9003: prio 3 rate 1250Kbit ceil 10500Kbit") {
			t.Errorf("circuit 10003 (1:22) not as planned in:\n%s", out)
		}
		if htb != n {
			t.Errorf("%s: kernel has %d htb classes, plan has %d", ifc, htb, n)
		}
	}
}

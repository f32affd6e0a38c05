//go:build linux

package datapath

import (
	"encoding/binary"
	"errors"
	"io"
	"log/slog"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/tchandle"

	"golang.org/x/sys/unix"
)

func requireRoot(t testing.TB) {
	t.Helper()
	kerneltest.RequireRoot(t)
}

// classifyModes are the program variants a kernel test covers: TC lookup on
// every kernel, and XDP+TC metadata where the kernel lets XDP programs call
// bpf_xdp_adjust_meta (reported as not exercised elsewhere).
func classifyModes(t testing.TB) []Classification {
	t.Helper()
	requireRoot(t)
	fs := ProbeFeatures()
	modes := []Classification{ClassifyTCLookup}
	if kerneltest.Feature(t, string(FeatureXDPMeta), fs.Has(FeatureXDPMeta), fs.Missing[FeatureXDPMeta]) {
		modes = append([]Classification{ClassifyMetadata}, modes...)
	}
	return modes
}

// egressTwin is the interface whose TC egress sees traffic in the direction
// that ifc's XDP ingress does: a download arriving on the Internet side
// leaves on the ISP side; on a stick it leaves tagged with the other VLAN.
func egressTwin(ifc Interface) Interface {
	switch ifc.Role {
	case RoleInternet:
		ifc.Role = RoleISP
	case RoleISP:
		ifc.Role = RoleInternet
	case RoleStick:
		ifc.InternetVLAN, ifc.ISPVLAN = ifc.ISPVLAN, ifc.InternetVLAN
	}
	return ifc
}

// classifier runs frames through the programs of one interface and its
// egress twin, the way a packet crosses the shaper.
type classifier struct {
	d       *Datapath
	xdp, tc *ebpf.Program
}

func newClassifier(t testing.TB, d *Datapath, ifc Interface) *classifier {
	t.Helper()
	in, err := d.loadPrograms(ifc)
	if err != nil {
		t.Fatalf("load %s: %v", ifc.Role, err)
	}
	t.Cleanup(func() { in.Close() })
	out, err := d.loadPrograms(egressTwin(ifc))
	if err != nil {
		t.Fatalf("load twin of %s: %v", ifc.Role, err)
	}
	t.Cleanup(func() { out.Close() })
	return &classifier{d: d, xdp: in.LqosXdp, tc: out.LqosTcEgress}
}

// class is the HTB class the data path gives frame, and XDP's verdict. In
// metadata mode that is the class XDP hands over, and TC's own lookup (what
// a packet without metadata gets) must agree; in TC-lookup mode XDP must
// hand nothing over and the class is TC's.
func (c *classifier) class(t testing.TB, frame []byte) (verdict, class uint32) {
	t.Helper()
	verdict, meta := runXDP(t, c.xdp, frame)
	tcClass, ok := runTC(t, c.tc, frame)
	if !ok {
		// The kernel refuses to build an skb from a frame whose network
		// header is cut short, so such a frame never reaches TC: only
		// XDP's answer counts.
		tcClass = meta
	}
	switch c.d.classify {
	case ClassifyMetadata:
		if meta != tcClass {
			t.Errorf("XDP metadata says %s but the TC lookup says %s", tchandle.Handle(meta), tchandle.Handle(tcClass))
		}
		return verdict, meta
	default:
		if meta != 0 {
			t.Errorf("TC-lookup mode, yet XDP wrote metadata class %s", tchandle.Handle(meta))
		}
		return verdict, tcClass
	}
}

// runTC runs the egress classifier once and returns skb->priority; ok is
// false when the kernel refuses to make an skb of the frame (EINVAL).
func runTC(t testing.TB, prog *ebpf.Program, frame []byte) (priority uint32, ok bool) {
	t.Helper()
	ctxIn := make([]byte, skbCtxSize)
	ctxOut := make([]byte, skbCtxSize)
	opts := ebpf.RunOptions{Data: frame, Context: ctxIn, ContextOut: ctxOut}
	ret, err := prog.Run(&opts)
	if errors.Is(err, unix.EINVAL) {
		return 0, false
	}
	if err != nil {
		t.Fatalf("TC Run: %v", err)
	}
	if ret != 0 {
		t.Errorf("TC verdict %d, want TC_ACT_OK", ret)
	}
	return binary.LittleEndian.Uint32(ctxOut[skbPriorityOff:]), true
}

// privateBPFFS mounts a bpffs of our own so pins never touch /sys/fs/bpf.
func privateBPFFS(t testing.TB) string {
	t.Helper()
	return kerneltest.BPFFS(t)
}

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// openTest opens a Datapath pinned in a private bpffs.
func openTest(t testing.TB, opts Options) (*Datapath, string) {
	t.Helper()
	requireRoot(t)
	pin := filepath.Join(privateBPFFS(t), "lqos")
	opts.PinDir = pin
	if opts.Logger == nil {
		opts.Logger = quietLogger()
	}
	d, err := Open(opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d, pin
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

//go:build linux

package datapath

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// hooks is what is attached to one interface, read from the kernel.
type hooks struct {
	xdpProg  uint32 // IFLA_XDP_PROG_ID (0: none)
	xdpMulti bool   // driver and generic programs at once
	tcx      []ebpf.ProgramID
	clsact   []uint32 // program IDs of bpf filters on clsact egress
}

func readHooks(t *testing.T, tp *topo, l netlink.Link) hooks {
	t.Helper()
	var h hooks
	nl, err := tp.hShp.LinkByIndex(l.Attrs().Index)
	if err != nil {
		t.Fatal(err)
	}
	if x := nl.Attrs().Xdp; x != nil && x.Attached {
		h.xdpProg, h.xdpMulti = x.ProgId, x.AttachMode == xdpAttachedMulti
	}
	if err := inNS(tp.shp, func() error {
		// Kernels before 6.6 have no TCX to query (EINVAL).
		if ProbeFeatures().Has(FeatureTCX) {
			res, err := link.QueryPrograms(link.QueryOptions{Target: l.Attrs().Index, Attach: ebpf.AttachTCXEgress})
			if err != nil {
				return err
			}
			for _, p := range res.Programs {
				h.tcx = append(h.tcx, p.ID)
			}
		}
		fs, err := netlink.FilterList(l, netlink.HANDLE_MIN_EGRESS)
		if err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
			return err
		}
		for _, f := range fs {
			if b, ok := f.(*netlink.BpfFilter); ok {
				h.clsact = append(h.clsact, uint32(b.Id))
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("query TCX egress: %v", err)
	}
	return h
}

func progID(t *testing.T, p *ebpf.Program) ebpf.ProgramID {
	t.Helper()
	info, err := p.Info()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := info.ID()
	return id
}

// TestPinnedLinksKeepClassifying: a Datapath that goes away without
// detaching (Release, as in a crash) leaves its pinned links classifying;
// the next one adopts them (one program per hook, now its own) and Close
// detaches everything.
func TestPinnedLinksKeepClassifying(t *testing.T) {
	requireRoot(t)
	for _, v := range []struct {
		xdp XDPMode
		tc  TCMode
	}{{XDPDriver, TCX}, {XDPGeneric, TCX}, {XDPDriver, TCLegacy}} {
		xdp := v.xdp
		name := map[XDPMode]string{XDPDriver: "driver", XDPGeneric: "generic"}[xdp]
		tcName := map[TCMode]string{TCX: "tcx", TCLegacy: "clsact"}[v.tc]
		t.Run(name+" "+tcName, func(t *testing.T) {
			if fs := ProbeFeatures(); v.tc == TCX && !kerneltest.Feature(t, string(FeatureTCX), fs.Has(FeatureTCX), fs.Missing[FeatureTCX]) {
				return // the clsact variant covers pinned classification on this kernel
			}
			tp := buildTopo(t, false)
			pin := filepath.Join(privateBPFFS(t), "lqos")
			open := func() *Datapath {
				d, err := Open(Options{PinDir: pin, Logger: quietLogger()})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { d.Close() })
				if err := inNS(tp.shp, func() error {
					return d.Attach(Interface{Name: "lqtdpwan", Role: RoleInternet, XDP: xdp, TC: v.tc}, Interface{Name: "lqtdplan", Role: RoleISP, XDP: xdp, TC: v.tc})
				}); err != nil {
					t.Fatalf("attach: %v", err)
				}
				return d
			}
			down := tchandle.Make(2, 3)
			const n, payload = 30, 100
			sendDown := func(what string) {
				t.Helper()
				before := classCounts(t, tp.hShp, tp.lan)[down][0]
				sendUDP(t, tp.inet, "", custMapped, n, payload)
				waitFor(t, what, func() bool { return classCounts(t, tp.hShp, tp.lan)[down][0] >= before+n })
			}

			d1 := open()
			for _, a := range d1.Attached() {
				if len(a.Adopted) != 0 {
					t.Fatalf("first attach adopted %v", a.Adopted)
				}
			}
			pins := []string{"xdp_lqtdpwan", "xdp_lqtdplan"}
			if v.tc == TCX {
				pins = append(pins, "tcx_lqtdpwan", "tcx_lqtdplan")
			}
			for _, f := range pins {
				if _, err := os.Stat(filepath.Join(pin, linkDir, f)); err != nil {
					t.Fatalf("link pin %s: %v", f, err)
				}
			}
			if ents, _ := os.ReadDir(filepath.Join(pin, linkDir)); len(ents) != len(pins) {
				t.Fatalf("link pins %v, want %v", ents, pins)
			}
			if err := d1.Add(mustPrefix(custMapped+"/32"), Mapping{ClassID: down, UploadClassID: tchandle.Make(3, 3)}); err != nil {
				t.Fatal(err)
			}
			old := readHooks(t, tp, tp.lan)
			if err := d1.Release(); err != nil {
				t.Fatalf("Release: %v", err)
			}

			// No process holds the programs now: only the pins do.
			if got := readHooks(t, tp, tp.lan); got.xdpProg != old.xdpProg || !slices.Equal(got.tcx, old.tcx) || !slices.Equal(got.clsact, old.clsact) || len(got.tcx)+len(got.clsact) != 1 {
				t.Fatalf("hooks after Release %+v, want %+v with one TC program", got, old)
			}
			sendDown("download in 2:3 with no Datapath open")

			d2 := open()
			for _, a := range d2.Attached() {
				want := []string{"xdp", "tcx"}
				if v.tc == TCLegacy {
					want = want[:1] // the clsact filter is replaced in place, not adopted
				}
				if !slices.Equal(a.Adopted, want) || a.XDP != name || a.TC != tcName {
					t.Errorf("%s: adopted %v mode %s/%s, want %v %s/%s", a.Name, a.Adopted, a.XDP, a.TC, want, name, tcName)
				}
			}
			for _, l := range []netlink.Link{tp.wan, tp.lan} {
				var a *attachment
				for _, x := range d2.attached {
					if x.ifc.Name == l.Attrs().Name {
						a = x
					}
				}
				got := readHooks(t, tp, l)
				wantXDP, wantTC := progID(t, a.progs.LqosXdp), progID(t, a.progs.LqosTcEgress)
				tcOK := slices.Equal(got.tcx, []ebpf.ProgramID{wantTC}) && len(got.clsact) == 0
				if v.tc == TCLegacy {
					tcOK = len(got.tcx) == 0 && slices.Equal(got.clsact, []uint32{uint32(wantTC)})
				}
				if got.xdpMulti || ebpf.ProgramID(got.xdpProg) != wantXDP || !tcOK {
					t.Errorf("%s after adoption: %+v, want XDP prog %d alone and one TC program %d", l.Attrs().Name, got, wantXDP, wantTC)
				}
			}
			sendDown("download in 2:3 after adoption")

			if err := d2.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			for _, l := range []netlink.Link{tp.wan, tp.lan} {
				if got := readHooks(t, tp, l); got.xdpProg != 0 || len(got.tcx) != 0 || len(got.clsact) != 0 {
					t.Errorf("%s still has hooks after Close: %+v", l.Attrs().Name, got)
				}
			}
			if ents, _ := os.ReadDir(filepath.Join(pin, linkDir)); len(ents) != 0 {
				t.Errorf("link pins left after Close: %v", ents)
			}
			if _, err := os.Stat(filepath.Join(pin, mapLPM)); err != nil {
				t.Errorf("map pin gone after Close: %v", err)
			}
		})
	}
}

// bpffs refuses dots in names; VLAN interfaces have them.
func TestLinkPinNames(t *testing.T) {
	d := &Datapath{opts: Options{PinDir: "/p"}}
	tests := []struct{ iface, kind, want string }{
		{"eth0", "xdp", "/p/links/xdp_eth0"},
		{"eth0.100", "tcx", "/p/links/tcx_eth0%2E100"},
		{"a%2Eb", "xdp", "/p/links/xdp_a%252Eb"},
	}
	for _, tc := range tests {
		if got := d.linkPin(tc.iface, tc.kind); got != tc.want {
			t.Errorf("linkPin(%q, %q) = %q, want %q", tc.iface, tc.kind, got, tc.want)
		}
	}
	if got := (&Datapath{}).linkPin("eth0", "xdp"); got != "" {
		t.Errorf("without PinDir: %q", got)
	}
}

// TestDisableXPSInNetns: XPS masks of a veth inside a netns (whose /sys
// this process did not mount) are found and cleared.
func TestDisableXPSInNetns(t *testing.T) {
	requireRoot(t)
	ns := newNS(t)
	h := nlHandle(t, ns)
	if err := h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "lqtdpx0", NumTxQueues: 4, NumRxQueues: 4}, PeerName: "lqtdpx1"}); err != nil {
		t.Fatal(err)
	}
	masks := func() []string {
		var out []string
		if err := inNS(ns, func() error {
			return sysClassNet("lqtdpx0", func(root string) error {
				for q := range 4 {
					b, err := os.ReadFile(filepath.Join(root, "lqtdpx0", "queues", "tx-"+string(rune('0'+q)), "xps_cpus"))
					if err != nil {
						return err
					}
					out = append(out, string(b))
				}
				return nil
			})
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	if err := inNS(ns, func() error {
		return sysClassNet("lqtdpx0", func(root string) error {
			for q := range 4 {
				if err := os.WriteFile(filepath.Join(root, "lqtdpx0", "queues", "tx-"+string(rune('0'+q)), "xps_cpus"), []byte("1\n"), 0); err != nil {
					return err
				}
			}
			return nil
		})
	}); err != nil {
		t.Fatalf("set XPS: %v", err)
	}
	for _, m := range masks() {
		if maskIsZero(m) {
			t.Fatalf("XPS masks not set up: %q", masks())
		}
	}
	var changes []XPSChange
	if err := inNS(ns, func() (err error) { changes, err = DisableXPS("lqtdpx0"); return err }); err != nil {
		t.Fatalf("DisableXPS: %v", err)
	}
	if len(changes) != 4 {
		t.Errorf("changes %+v, want 4 queues", changes)
	}
	for i, m := range masks() {
		if !maskIsZero(m) {
			t.Errorf("tx-%d xps_cpus = %q after DisableXPS", i, m)
		}
	}
	if err := inNS(ns, func() error { _, err := DisableXPS("lqtdpnope"); return err }); err == nil {
		t.Error("DisableXPS of a missing interface succeeded")
	}
}

// A pinned link whose interface was deleted and recreated (same name, new
// ifindex) is dropped and the hooks are attached afresh.
func TestStalePinnedLinkReplaced(t *testing.T) {
	requireRoot(t)
	ns := newNS(t)
	h := nlHandle(t, ns)
	mk := func() {
		t.Helper()
		if err := h.LinkAdd(&netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: "lqtdps0"}, PeerName: "lqtdps1"}); err != nil {
			t.Fatal(err)
		}
		for _, n := range []string{"lqtdps0", "lqtdps1"} {
			l, _ := h.LinkByName(n)
			if err := h.LinkSetUp(l); err != nil {
				t.Fatal(err)
			}
		}
	}
	mk()
	pin := filepath.Join(privateBPFFS(t), "lqos")
	attach := func() *Datapath {
		t.Helper()
		d, err := Open(Options{PinDir: pin, Logger: quietLogger()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if err := inNS(ns, func() error { return d.Attach(Interface{Name: "lqtdps0", Role: RoleISP}) }); err != nil {
			t.Fatalf("attach: %v", err)
		}
		return d
	}
	if err := attach().Release(); err != nil {
		t.Fatal(err)
	}
	l, _ := h.LinkByName("lqtdps0")
	if err := h.LinkDel(l); err != nil {
		t.Fatal(err)
	}
	mk()
	d := attach()
	if a := d.Attached(); len(a) != 1 || len(a[0].Adopted) != 0 {
		t.Errorf("Attached() = %+v, want a fresh attachment", a)
	}
	nl, _ := h.LinkByName("lqtdps0")
	if x := nl.Attrs().Xdp; x == nil || !x.Attached {
		t.Error("no XDP program on the recreated interface")
	}
	if err := d.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(pin, linkDir)); len(ents) != 0 {
		t.Errorf("link pins left after Close: %v", ents)
	}
}

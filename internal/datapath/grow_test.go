//go:build linux

package datapath

import (
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/cilium/ebpf"

	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// The host-prefix hash starts small and grows with the mappings: attached
// interfaces keep classifying (their programs are swapped onto the grown
// map, TCX links and the clsact filter alike), the pin follows, and a
// reopen keeps the grown size and every entry.
func TestHostMapGrowsWhileAttached(t *testing.T) {
	requireRoot(t)
	for _, tcm := range []TCMode{TCX, TCLegacy} {
		name := map[TCMode]string{TCX: "tcx", TCLegacy: "clsact"}[tcm]
		t.Run(name, func(t *testing.T) {
			if fs := ProbeFeatures(); tcm == TCX && !kerneltest.Feature(t, string(FeatureTCX), fs.Has(FeatureTCX), fs.Missing[FeatureTCX]) {
				return
			}
			tp := buildTopo(t, false)
			pin := filepath.Join(privateBPFFS(t), "lqos")
			d, err := Open(Options{PinDir: pin, Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			if err := inNS(tp.shp, func() error {
				return d.Attach(Interface{Name: "lqtdpwan", Role: RoleInternet, TC: tcm}, Interface{Name: "lqtdplan", Role: RoleISP, TC: tcm})
			}); err != nil {
				t.Fatalf("attach: %v", err)
			}
			if got := d.maps[mapExact].MaxEntries(); got != exactInitial {
				t.Fatalf("host map starts at %d entries, want %d", got, exactInitial)
			}
			down := tchandle.Make(2, 3)
			// More host prefixes than the initial size, the lab's customer last.
			es := benchEntries(exactInitial + 4000)
			es = append(es, Entry{Prefix: mustPrefix(custMapped + "/32"), Mapping: Mapping{ClassID: down, UploadClassID: tchandle.Make(3, 3)}})
			if err := inNS(tp.shp, func() error { return d.BatchUpdate(es) }); err != nil {
				t.Fatalf("BatchUpdate of %d: %v", len(es), err)
			}
			if got := d.maps[mapExact].MaxEntries(); got <= exactInitial {
				t.Fatalf("host map still %d entries after %d mappings", got, len(es))
			}
			const n = 30
			before := classCounts(t, tp.hShp, tp.lan)[down][0]
			sendUDP(t, tp.inet, "", custMapped, n, 100)
			waitFor(t, "download in 2:3 through the grown map", func() bool { return classCounts(t, tp.hShp, tp.lan)[down][0] >= before+n })

			// One more Add past the size grows it again.
			size := d.maps[mapExact].MaxEntries()
			more := benchEntries(int(size) + 1)[len(es)-1:]
			if err := inNS(tp.shp, func() error { return d.BatchUpdate(more) }); err != nil {
				t.Fatalf("second BatchUpdate: %v", err)
			}
			if err := inNS(tp.shp, func() error {
				return d.Add(netip.PrefixFrom(netip.MustParseAddr("100.99.0.1"), 32), Mapping{ClassID: down})
			}); err != nil {
				t.Fatalf("Add past the size: %v", err)
			}
			if d.maps[mapExact].MaxEntries() <= size {
				t.Errorf("host map did not grow past %d", size)
			}
			grown := d.maps[mapExact].MaxEntries()
			want, err := d.List()
			if err != nil {
				t.Fatal(err)
			}
			if err := d.Release(); err != nil {
				t.Fatal(err)
			}
			pinned, err := ebpf.LoadPinnedMap(filepath.Join(pin, mapExact), nil)
			if err != nil || pinned.MaxEntries() != grown {
				t.Fatalf("pinned host map: %v, size %v, want %d", err, pinned, grown)
			}
			pinned.Close()
			d2, err := Open(Options{PinDir: pin, Logger: quietLogger()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d2.Close() })
			got, err := d2.List()
			if err != nil || len(got) != len(want) || d2.maps[mapExact].MaxEntries() != grown {
				t.Fatalf("reopened: %d mappings (want %d), size %d (want %d), %v", len(got), len(want), d2.maps[mapExact].MaxEntries(), grown, err)
			}
		})
	}
}

//go:build linux

package datapath

import (
	"reflect"
	"testing"

	"github.com/cilium/ebpf/btf"
)

// The Go mirrors in encoding.go must match the C structs byte for byte; this
// compares sizes and field offsets against the BTF in the committed object.
// Needs no privileges.
func TestGoStructsMatchBTF(t *testing.T) {
	spec, err := loadLqos()
	if err != nil {
		t.Fatal(err)
	}
	pairs := []struct {
		c     string
		goVal any
	}{
		{"lqos_lpm_key", lpmKey{}},
		{"lqos_mapping", rawMapping{}},
		{"lqos_cache_entry", rawCacheEntry{}},
		{"lqos_host_counters", rawHostCounters{}},
		{"lqos_flow_key", rawFlowKey{}},
		{"lqos_flow", rawFlow{}},
	}
	for _, p := range pairs {
		var st *btf.Struct
		if err := spec.Types.TypeByName(p.c, &st); err != nil {
			t.Errorf("%s: %v", p.c, err)
			continue
		}
		gt := reflect.TypeOf(p.goVal)
		if int(st.Size) != int(gt.Size()) {
			t.Errorf("%s: C size %d, Go %s size %d", p.c, st.Size, gt.Name(), gt.Size())
			continue
		}
		if len(st.Members) != gt.NumField() {
			t.Errorf("%s: C has %d members, Go %d fields", p.c, len(st.Members), gt.NumField())
			continue
		}
		for i, m := range st.Members {
			if off := gt.Field(i).Offset; uint32(off) != m.Offset.Bytes() {
				t.Errorf("%s.%s: C offset %d, Go %s offset %d", p.c, m.Name, m.Offset.Bytes(), gt.Field(i).Name, off)
			}
		}
	}
	// Map key/value sizes as the loader will create them.
	for name, want := range map[string][2]uint32{
		mapLPM: {20, 32}, mapHotCache: {16, 40}, mapHosts: {16, 48}, mapFlows: {40, 152}, mapEpoch: {4, 4},
	} {
		ms := spec.Maps[name]
		if ms == nil || [2]uint32{ms.KeySize, ms.ValueSize} != want {
			t.Errorf("map %s key/value sizes = %v, want %v", name, ms, want)
		}
	}
}

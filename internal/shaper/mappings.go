package shaper

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/netip"

	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/plan"
)

// DatapathStore writes mappings straight into the data path's maps, changing
// only what differs so live traffic is never unmapped during a refresh.
type DatapathStore struct {
	Store datapath.MappingStore
}

// Hash64 is the stable id of a circuit or device in the data path's maps.
func Hash64(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

// ToDatapath converts a planned mapping.
func ToDatapath(m plan.Mapping) datapath.Entry {
	return datapath.Entry{Prefix: m.Prefix, Mapping: datapath.Mapping{
		CPU:           m.CPU,
		ClassID:       m.ClassID,
		UploadClassID: m.UploadClassID,
		CircuitHash:   Hash64(m.CircuitID),
		DeviceHash:    Hash64(m.DeviceID),
	}}
}

// ReplaceAll upserts new and changed entries first, then deletes stale ones.
func (s DatapathStore) ReplaceAll(_ context.Context, ms []plan.Mapping) error {
	have, err := s.Store.List()
	if err != nil {
		return fmt.Errorf("list mappings: %w", err)
	}
	current := make(map[netip.Prefix]datapath.Mapping, len(have))
	for _, e := range have {
		current[e.Prefix] = e.Mapping
	}
	want := make(map[netip.Prefix]bool, len(ms))
	var upserts []datapath.Entry
	for _, m := range ms {
		e := ToDatapath(m)
		want[e.Prefix] = true
		if old, ok := current[e.Prefix]; !ok || old != e.Mapping {
			upserts = append(upserts, e)
		}
	}
	if len(upserts) > 0 {
		if err := s.Store.BatchUpdate(upserts); err != nil {
			return fmt.Errorf("update %d mappings: %w", len(upserts), err)
		}
	}
	for p := range current {
		if !want[p] {
			if err := s.Store.Delete(p); err != nil {
				return fmt.Errorf("delete mapping %s: %w", p, err)
			}
		}
	}
	return nil
}

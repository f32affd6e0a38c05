package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/libreqos-go/lqos/internal/atomicfile"
)

// IdentitiesVersion is the state file format version.
const IdentitiesVersion = 1

// Minor numbers: 1 and 2 are the per-queue root and default classes; planned
// objects use 3..MaxMinor.
const (
	FirstMinor = 3
	MaxMinor   = 0xFFFE
)

// Identities is the planner's memory between runs: which queue and minor each
// node and circuit had, so an unchanged object keeps its class ID. It is small
// JSON, written next to the other state files.
type Identities struct {
	Version int `json:"version"`
	// Queues is the per-direction queue count the state was planned with.
	// Placements (which queue a top-level node, which generated node an
	// unparented circuit) are only sticky while it stays the same, so new
	// CPUs get work; minors are kept wherever queue and parent still match.
	Queues int `json:"queues"`
	// Nodes are keyed by NodeKey; circuits by circuit ID.
	Nodes    map[string]NodeIdentity    `json:"nodes"`
	Circuits map[string]CircuitIdentity `json:"circuits"`
}

// NodeIdentity is a node's (or generated node's, or CPU bin's) last placement.
type NodeIdentity struct {
	Name   string `json:"name"`
	Queue  int    `json:"queue"`
	Minor  uint16 `json:"minor"`
	Parent string `json:"parent,omitempty"` // parent's NodeKey; "" = top level
	// Since is when the node last changed queue (unix seconds); binpacking's cooldown.
	Since int64 `json:"since,omitempty"`
}

// CircuitIdentity is a circuit's last placement.
type CircuitIdentity struct {
	Queue  int    `json:"queue"`
	Minor  uint16 `json:"minor"`
	Parent string `json:"parent"` // parent's NodeKey
	// Leaf is the major of the circuit's leaf qdisc handle (same on both interfaces).
	Leaf  uint16 `json:"leaf,omitempty"`
	Since int64  `json:"since,omitempty"`
}

// NewIdentities returns empty state.
func NewIdentities() *Identities {
	return &Identities{Version: IdentitiesVersion, Nodes: map[string]NodeIdentity{}, Circuits: map[string]CircuitIdentity{}}
}

// LoadIdentities reads the state file. A missing file is not an error (first
// run): it returns empty state.
func LoadIdentities(path string) (*Identities, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return NewIdentities(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("identity state %s: %w", path, err)
	}
	ids := NewIdentities()
	if err := json.Unmarshal(data, ids); err != nil {
		return nil, fmt.Errorf("identity state %s: %w (delete the file to start numbering afresh)", path, err)
	}
	if ids.Version != IdentitiesVersion {
		return nil, fmt.Errorf("identity state %s: version %d, want %d", path, ids.Version, IdentitiesVersion)
	}
	if ids.Nodes == nil {
		ids.Nodes = map[string]NodeIdentity{}
	}
	if ids.Circuits == nil {
		ids.Circuits = map[string]CircuitIdentity{}
	}
	return ids, nil
}

// SaveIdentities writes the state atomically (temporary file, fsync, rename),
// so a crash leaves either the old or the new file.
func SaveIdentities(path string, ids *Identities) error {
	data, err := MarshalIdentities(ids)
	if err != nil {
		return fmt.Errorf("identity state %s: %w", path, err)
	}
	return writeFileAtomic(path, data)
}

// MarshalIdentities is the file content SaveIdentities writes.
func MarshalIdentities(ids *Identities) ([]byte, error) {
	if ids == nil {
		ids = NewIdentities()
	}
	data, err := json.MarshalIndent(ids, "", " ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

func writeFileAtomic(path string, data []byte) error {
	if err := atomicfile.Write(path, data, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func unixOrZero(t int64) (time.Time, bool) {
	if t <= 0 {
		return time.Time{}, false
	}
	return time.Unix(t, 0), true
}

// bitset over the 16-bit minor (or handle) space.
type bitset [1024]uint64

func (b *bitset) has(i uint16) bool { return b[i>>6]&(1<<(i&63)) != 0 }
func (b *bitset) set(i uint16)      { b[i>>6] |= 1 << (i & 63) }

// identObj is one thing needing a minor in one queue.
type identObj struct {
	circuit     bool
	hasChildren bool // nodes: the upstream layout leaves a gap after parents
	group       int  // circuits: index of their node, groups are contiguous
	prevMinor   uint16
	keep        bool // previous identity still valid (same queue and parent)
	minor       uint16
	kept        bool // result: previous minor reused
}

// CircuitPadding is upstream's gap after each node's circuits in the fresh layout.
const CircuitPadding = 8

// allocMinors assigns minors to the objects of one queue. objs lists nodes
// first (traversal order) then circuits (traversal order, grouped by node).
// stale lists minors held last run by objects that are gone or moved: nobody
// may take them in this run, so a class ID never changes owner within one
// apply. When the queue has no history at all, upstream's layout is used
// (depth-first over sorted keys, minors from 3) so fresh plans match
// upstream numbers; otherwise kept objects
// keep their minors and new ones fill the lowest free minors.
// It returns the highest minor used + 1 (upstream's "last used" counter in
// fresh layout).
func allocMinors(objs []identObj, stale []uint16) (int, error) {
	history := len(stale) > 0
	for i := range objs {
		if objs[i].keep {
			history = true
			break
		}
	}
	if !history {
		if last, ok := freshLayout(objs); ok {
			return last, nil
		}
	}
	var used bitset
	used.set(0)
	used.set(1)
	used.set(2)
	used.set(0xFFFF)
	for _, m := range stale {
		used.set(m)
	}
	var claimed bitset
	for i := range objs {
		o := &objs[i]
		if o.keep && o.prevMinor >= FirstMinor && o.prevMinor <= MaxMinor && !claimed.has(o.prevMinor) {
			claimed.set(o.prevMinor)
			used.set(o.prevMinor)
			o.minor, o.kept = o.prevMinor, true
		}
	}
	next := uint32(FirstMinor)
	last := FirstMinor
	for i := range objs {
		o := &objs[i]
		if o.kept {
			last = max(last, int(o.minor)+1)
			continue
		}
		for next <= MaxMinor && used.has(uint16(next)) {
			next++
		}
		if next > MaxMinor {
			return 0, fmt.Errorf("out of class minors: %d objects do not fit in %d..%d", len(objs), FirstMinor, MaxMinor)
		}
		o.minor = uint16(next)
		used.set(o.minor)
		last = max(last, int(next)+1)
		next++
	}
	return last, nil
}

// freshLayout is upstream's numbering: nodes take consecutive minors with one
// spare after every node that has children; circuits follow, node by node,
// with CircuitPadding spare minors after each node's circuits. It reports false
// if that would overflow the minor space (the caller then packs densely).
func freshLayout(objs []identObj) (int, bool) {
	site := FirstMinor
	for i := range objs {
		o := &objs[i]
		if o.circuit {
			continue
		}
		if site > MaxMinor {
			return 0, false
		}
		o.minor = uint16(site)
		site++
		if o.hasChildren {
			site++
		}
	}
	c := site
	group := -1
	for i := range objs {
		o := &objs[i]
		if !o.circuit {
			continue
		}
		if group != -1 && o.group != group {
			c += CircuitPadding
		}
		group = o.group
		if c > MaxMinor {
			return 0, false
		}
		o.minor = uint16(c)
		c++
	}
	if group != -1 {
		c += CircuitPadding
	}
	return max(site, c), true
}

// Leaf qdisc handle majors for circuits are allocated from 0x9000 up, then
// from 1 up to 0x8FFF, skipping the reserved ones.
const (
	leafHandleStart = 0x9000
	leafHandleMax   = 0xFFFE
)

// leafAllocator hands out circuit leaf qdisc handle majors, unique per interface.
type leafAllocator struct {
	used bitset
	next uint32
	wrap bool
}

func newLeafAllocator(majors []uint16) *leafAllocator {
	a := &leafAllocator{next: leafHandleStart}
	a.used.set(0)
	a.used.set(0x7FFF) // mq root
	a.used.set(0xFFFF)
	for _, m := range majors {
		a.used.set(m)
		a.used.set(infraLeafMajor(m))
		a.used.set(infraLeafMajor(m) + 1)
	}
	return a
}

// infraLeafMajor is the deterministic handle of a queue's primary infrastructure leaf.
func infraLeafMajor(major uint16) uint16 { return 0x2000 + 2*major }

// reserve marks a handle as taken (stale ones, and kept ones).
func (a *leafAllocator) reserve(h uint16) { a.used.set(h) }

// keep claims a previous handle if it is still free.
func (a *leafAllocator) keep(h uint16) bool {
	if h == 0 || a.used.has(h) {
		return false
	}
	a.used.set(h)
	return true
}

// take returns a fresh handle, or 0 when the space is exhausted.
func (a *leafAllocator) take() uint16 {
	for {
		if a.next > leafHandleMax {
			if a.wrap {
				return 0
			}
			a.wrap, a.next = true, 1
		}
		if a.wrap && a.next >= leafHandleStart {
			return 0
		}
		h := uint16(a.next)
		a.next++
		if !a.used.has(h) {
			a.used.set(h)
			return h
		}
	}
}

package shaper

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"

	"github.com/libreqos-go/lqos/internal/atomicfile"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// The record is two base files (applied_tree.json, planner_state.json) plus
// a journal of changes to them (record.journal). A refresh that changes a few
// circuits appends one checksummed line to the journal and fsyncs it instead
// of rewriting both files: the record is still on disk before the kernel is
// touched, and a failed apply truncates the journal back. Readers replay the
// journal over the base files.
//
// The journal's first line names the base files it applies to (inode, size,
// modification time): rewriting a base file (atomically, so a new inode)
// voids the journal at once, so a crash between writing new base files and
// removing the old journal cannot apply stale changes. A line that is torn
// or fails its checksum ends the replay: it was never confirmed, so no
// kernel change followed it. The journal is folded into new base files when
// it grows past a quarter of the base tree.

const (
	journalFormat = 1
	journalName   = "record.journal"
)

func (e *Engine) journalPath() string { return e.statePath("shaping", journalName) }

// fileSig tells one version of a file from another.
type fileSig struct {
	Ino   uint64 `json:"ino"`
	Size  int64  `json:"size"`
	MTime int64  `json:"mtime"`
}

func statSig(path string) (fileSig, bool) {
	st, err := os.Lstat(path)
	if err != nil {
		return fileSig{}, false
	}
	s := fileSig{Size: st.Size(), MTime: st.ModTime().UnixNano()}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		s.Ino = sys.Ino
	}
	return s, true
}

type journalHeader struct {
	Format     int     `json:"format"`
	Tree       fileSig `json:"tree"`
	Identities fileSig `json:"identities"`
}

type classKey struct {
	Iface string          `json:"i"`
	ID    tchandle.Handle `json:"id"`
}

func keyOf(c *plan.Class) classKey { return classKey{c.Interface, c.ID} }

// classInsert places a new class right after another one (nil: first).
type classInsert struct {
	After *classKey  `json:"after,omitempty"`
	Class plan.Class `json:"class"`
}

type mappingInsert struct {
	After   *netip.Prefix `json:"after,omitempty"`
	Mapping plan.Mapping  `json:"mapping"`
}

// journalEntry is one refresh's change to the record.
type journalEntry struct {
	Changed        []plan.Class                    `json:"changed,omitempty"`
	Added          []classInsert                   `json:"added,omitempty"`
	Removed        []classKey                      `json:"removed,omitempty"`
	ChangedMaps    []plan.Mapping                  `json:"changed_maps,omitempty"`
	AddedMaps      []mappingInsert                 `json:"added_maps,omitempty"`
	RemovedMaps    []netip.Prefix                  `json:"removed_maps,omitempty"`
	Queues         int                             `json:"queues"`
	SetNodes       map[string]plan.NodeIdentity    `json:"set_nodes,omitempty"`
	DelNodes       []string                        `json:"del_nodes,omitempty"`
	SetCircuits    map[string]plan.CircuitIdentity `json:"set_circuits,omitempty"`
	DelCircuits    []string                        `json:"del_circuits,omitempty"`
	IdentitiesNone bool                            `json:"identities_none,omitempty"`
}

// recordState is what this process last recorded in one state directory,
// valid while the files still carry the signatures it left.
type recordState struct {
	tree, ids, journal fileSig
	journalOK          bool // a journal exists
	t                  *plan.Tree
	identities         *plan.Identities
	classIdx           map[classKey]int
	mapIdx             map[netip.Prefix]int
	baseSize           int64
}

var (
	recordsMu sync.Mutex
	records   = map[string]*recordState{}
)

func (e *Engine) cachedRecord() *recordState {
	recordsMu.Lock()
	r := records[e.cfg.StateDirectory]
	recordsMu.Unlock()
	if r == nil {
		return nil
	}
	ts, ok1 := statSig(e.appliedTreePath())
	is, ok2 := statSig(e.IdentitiesPath())
	js, ok3 := statSig(e.journalPath())
	if !ok1 || !ok2 || ts != r.tree || is != r.ids || ok3 != r.journalOK || (ok3 && js != r.journal) {
		e.forgetRecord()
		return nil
	}
	return r
}

func (e *Engine) forgetRecord() {
	recordsMu.Lock()
	delete(records, e.cfg.StateDirectory)
	recordsMu.Unlock()
}

func (e *Engine) rememberRecord(ids *plan.Identities, t *plan.Tree) { e.remember(ids, t, e.sigs()) }

func (e *Engine) remember(ids *plan.Identities, t *plan.Tree, s recordSigs) {
	r := &recordState{t: t, identities: ids, tree: s.tree, ids: s.ids, journal: s.journal, journalOK: s.journalOK}
	if !s.ok || !indexTree(r) {
		e.forgetRecord()
		return
	}
	if old := e.cachedBaseSize(); old > 0 && r.journalOK {
		r.baseSize = old
	} else {
		r.baseSize = r.tree.Size
	}
	recordsMu.Lock()
	records[e.cfg.StateDirectory] = r
	recordsMu.Unlock()
}

func (e *Engine) cachedBaseSize() int64 {
	recordsMu.Lock()
	defer recordsMu.Unlock()
	if r := records[e.cfg.StateDirectory]; r != nil {
		return r.baseSize
	}
	return 0
}

// indexTree fills the position maps; false when keys repeat (the journal
// then cannot name objects unambiguously).
func indexTree(r *recordState) bool {
	if r.t == nil {
		return false
	}
	r.classIdx = make(map[classKey]int, len(r.t.Classes))
	for i := range r.t.Classes {
		k := keyOf(&r.t.Classes[i])
		if _, dup := r.classIdx[k]; dup {
			return false
		}
		r.classIdx[k] = i
	}
	r.mapIdx = make(map[netip.Prefix]int, len(r.t.Mappings))
	for i, m := range r.t.Mappings {
		if _, dup := r.mapIdx[m.Prefix]; dup {
			return false
		}
		r.mapIdx[m.Prefix] = i
	}
	return true
}

func sameClass(a, b *plan.Class) bool {
	return a.Interface == b.Interface && a.Direction == b.Direction && a.ID == b.ID && a.Parent == b.Parent &&
		a.Kind == b.Kind && a.RateBps == b.RateBps && a.CeilBps == b.CeilBps && a.Quantum == b.Quantum &&
		a.Prio == b.Prio && a.Leaf.Kind == b.Leaf.Kind && (a.Leaf.Args == nil) == (b.Leaf.Args == nil) &&
		slices.Equal(a.Leaf.Args, b.Leaf.Args) && a.LeafHandle == b.LeafHandle && a.NodeName == b.NodeName &&
		a.CircuitID == b.CircuitID && a.Name == b.Name && a.Queue == b.Queue
}

// diffRecord is the journal entry turning r's record into (ids, t); false
// when the change is not one a journal entry can carry (interfaces, qdiscs
// or mode changed, objects reordered, repeated keys).
func diffRecord(r *recordState, ids *plan.Identities, t *plan.Tree) (*journalEntry, bool) {
	old := r.t
	if t.Observe != old.Observe || !slices.Equal(t.Interfaces, old.Interfaces) || !slices.Equal(t.Qdiscs, old.Qdiscs) {
		return nil, false
	}
	e := &journalEntry{}
	seen := make([]bool, len(old.Classes))
	last := -1
	for i := range t.Classes {
		c := &t.Classes[i]
		j, ok := r.classIdx[keyOf(c)]
		if !ok {
			ins := classInsert{Class: *c}
			if i > 0 {
				k := keyOf(&t.Classes[i-1])
				ins.After = &k
			}
			e.Added = append(e.Added, ins)
			continue
		}
		if seen[j] || j < last {
			return nil, false // repeated or reordered
		}
		seen[j], last = true, j
		if !sameClass(&old.Classes[j], c) {
			e.Changed = append(e.Changed, *c)
		}
	}
	for j, s := range seen {
		if !s {
			e.Removed = append(e.Removed, keyOf(&old.Classes[j]))
		}
	}
	seenM := make([]bool, len(old.Mappings))
	last = -1
	for i, m := range t.Mappings {
		j, ok := r.mapIdx[m.Prefix]
		if !ok {
			ins := mappingInsert{Mapping: m}
			if i > 0 {
				p := t.Mappings[i-1].Prefix
				ins.After = &p
			}
			e.AddedMaps = append(e.AddedMaps, ins)
			continue
		}
		if seenM[j] || j < last {
			return nil, false
		}
		seenM[j], last = true, j
		if old.Mappings[j] != m {
			e.ChangedMaps = append(e.ChangedMaps, m)
		}
	}
	for j, s := range seenM {
		if !s {
			e.RemovedMaps = append(e.RemovedMaps, old.Mappings[j].Prefix)
		}
	}
	oi := r.identities
	if ids == nil || oi == nil {
		if ids != oi {
			return nil, false
		}
		return e, true
	}
	if ids.Version != oi.Version {
		return nil, false
	}
	e.Queues = ids.Queues
	for k, v := range ids.Nodes {
		if ov, ok := oi.Nodes[k]; !ok || ov != v {
			if e.SetNodes == nil {
				e.SetNodes = map[string]plan.NodeIdentity{}
			}
			e.SetNodes[k] = v
		}
	}
	for k := range oi.Nodes {
		if _, ok := ids.Nodes[k]; !ok {
			e.DelNodes = append(e.DelNodes, k)
		}
	}
	for k, v := range ids.Circuits {
		if ov, ok := oi.Circuits[k]; !ok || ov != v {
			if e.SetCircuits == nil {
				e.SetCircuits = map[string]plan.CircuitIdentity{}
			}
			e.SetCircuits[k] = v
		}
	}
	for k := range oi.Circuits {
		if _, ok := ids.Circuits[k]; !ok {
			e.DelCircuits = append(e.DelCircuits, k)
		}
	}
	slices.Sort(e.DelNodes)
	slices.Sort(e.DelCircuits)
	return e, true
}

// replay applies one entry to a tree and identities read from the base files.
func (j *journalEntry) replay(t *plan.Tree, ids *plan.Identities) {
	if len(j.Changed)+len(j.Added)+len(j.Removed) > 0 {
		changed := make(map[classKey]plan.Class, len(j.Changed))
		for _, c := range j.Changed {
			changed[keyOf(&c)] = c
		}
		removed := make(map[classKey]bool, len(j.Removed))
		for _, k := range j.Removed {
			removed[k] = true
		}
		var head []plan.Class
		after := map[classKey][]plan.Class{}
		for _, a := range j.Added {
			if a.After == nil {
				head = append(head, a.Class)
			} else {
				after[*a.After] = append(after[*a.After], a.Class)
			}
		}
		out := make([]plan.Class, 0, len(t.Classes)+len(j.Added))
		var emit func(c plan.Class)
		emit = func(c plan.Class) {
			out = append(out, c)
			for _, x := range after[keyOf(&c)] {
				emit(x)
			}
		}
		for _, c := range head {
			emit(c)
		}
		for _, c := range t.Classes {
			k := keyOf(&c)
			if removed[k] {
				continue
			}
			if ch, ok := changed[k]; ok {
				c = ch
			}
			emit(c)
		}
		t.Classes = out
	}
	if len(j.ChangedMaps)+len(j.AddedMaps)+len(j.RemovedMaps) > 0 {
		changed := make(map[netip.Prefix]plan.Mapping, len(j.ChangedMaps))
		for _, m := range j.ChangedMaps {
			changed[m.Prefix] = m
		}
		removed := make(map[netip.Prefix]bool, len(j.RemovedMaps))
		for _, p := range j.RemovedMaps {
			removed[p] = true
		}
		var head []plan.Mapping
		after := map[netip.Prefix][]plan.Mapping{}
		for _, a := range j.AddedMaps {
			if a.After == nil {
				head = append(head, a.Mapping)
			} else {
				after[*a.After] = append(after[*a.After], a.Mapping)
			}
		}
		out := make([]plan.Mapping, 0, len(t.Mappings)+len(j.AddedMaps))
		var emit func(m plan.Mapping)
		emit = func(m plan.Mapping) {
			out = append(out, m)
			for _, x := range after[m.Prefix] {
				emit(x)
			}
		}
		for _, m := range head {
			emit(m)
		}
		for _, m := range t.Mappings {
			if removed[m.Prefix] {
				continue
			}
			if ch, ok := changed[m.Prefix]; ok {
				m = ch
			}
			emit(m)
		}
		t.Mappings = out
	}
	if ids == nil {
		return
	}
	ids.Queues = j.Queues
	for k, v := range j.SetNodes {
		ids.Nodes[k] = v
	}
	for _, k := range j.DelNodes {
		delete(ids.Nodes, k)
	}
	for k, v := range j.SetCircuits {
		ids.Circuits[k] = v
	}
	for _, k := range j.DelCircuits {
		delete(ids.Circuits, k)
	}
}

// readJournal returns the valid entries of the journal in dir that apply
// to the base files as they are now (none when it is missing or void).
func readJournal(path, treePath, idsPath string) ([]journalEntry, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, len(data)+1)
	var out []journalEntry
	first := true
	for sc.Scan() {
		body, ok := checkLine(sc.Bytes())
		if !ok {
			break // torn or damaged: never confirmed
		}
		if first {
			first = false
			var h journalHeader
			if json.Unmarshal(body, &h) != nil || h.Format != journalFormat {
				return nil, nil
			}
			ts, ok1 := statSig(treePath)
			is, ok2 := statSig(idsPath)
			if !ok1 || !ok2 || ts != h.Tree || is != h.Identities {
				return nil, nil // written for other base files
			}
			continue
		}
		var e journalEntry
		if json.Unmarshal(body, &e) != nil {
			break
		}
		out = append(out, e)
	}
	return out, nil
}

// line is "crc32 hex" SP json LF.
func line(body []byte) []byte {
	b := make([]byte, 0, len(body)+10)
	b = fmt.Appendf(b, "%08x ", crc32.ChecksumIEEE(body))
	b = append(b, body...)
	return append(b, '\n')
}

func checkLine(l []byte) ([]byte, bool) {
	if len(l) < 9 || l[8] != ' ' {
		return nil, false
	}
	var sum uint32
	if _, err := fmt.Sscanf(string(l[:8]), "%08x", &sum); err != nil {
		return nil, false
	}
	body := l[9:]
	return body, crc32.ChecksumIEEE(body) == sum
}

// loadRecord returns the recorded tree (nil when none) and identities,
// from this process's memory when the files are as it left them, else from
// the base files and the journal.
func (e *Engine) loadRecord() (*plan.Tree, *plan.Identities, error, error) {
	if r := e.cachedRecord(); r != nil {
		return r.t, r.identities, nil, nil
	}
	before := e.sigs()
	t, terr := readTree(e.appliedTreePath())
	ids, ierr := plan.LoadIdentities(e.IdentitiesPath())
	entries, jerr := readJournal(e.journalPath(), e.appliedTreePath(), e.IdentitiesPath())
	if jerr != nil && terr == nil {
		terr = jerr
	}
	if terr == nil && t != nil {
		for i := range entries {
			if ierr != nil {
				entries[i].replay(t, nil)
			} else {
				entries[i].replay(t, ids)
			}
		}
	}
	// Unchanged while read: later refreshes of this process append to it.
	if terr == nil && ierr == nil && t != nil && before.ok && e.sigs() == before {
		e.remember(ids, t, before)
	}
	return t, ids, terr, ierr
}

// recordSigs are the signatures of the record's three files.
type recordSigs struct {
	tree, ids, journal fileSig
	journalOK, ok      bool
}

func (e *Engine) sigs() recordSigs {
	var s recordSigs
	var ok1, ok2 bool
	s.tree, ok1 = statSig(e.appliedTreePath())
	s.ids, ok2 = statSig(e.IdentitiesPath())
	s.journal, s.journalOK = statSig(e.journalPath())
	s.ok = ok1 && ok2
	return s
}

func readTree(path string) (*plan.Tree, error) {
	data, err := atomicfile.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var t plan.Tree
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &t, nil
}

// appendJournal appends entry (starting the journal when there is none) and
// flushes it to disk. It returns the journal's length before, to truncate
// back to; -1 when the journal did not exist (remove it).
func (e *Engine) appendJournal(r *recordState, entry *journalEntry) (int64, error) {
	body, err := json.Marshal(entry)
	if err != nil {
		return 0, err
	}
	path := e.journalPath()
	var data []byte
	before := int64(-1)
	if r.journalOK {
		before = r.journal.Size
	} else {
		h, err := json.Marshal(journalHeader{Format: journalFormat, Tree: r.tree, Identities: r.ids})
		if err != nil {
			return 0, err
		}
		data = line(h)
	}
	data = append(data, line(body)...)
	if e.writeFile != nil {
		// An injected writer sees every state write: the journal goes
		// through it whole.
		old, err := atomicfile.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return 0, err
		}
		if before < 0 {
			old = nil
		}
		return before, e.writeFile(path, append(old, data...), 0o600)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return 0, err
	}
	if before < 0 {
		if err := f.Truncate(0); err != nil {
			f.Close()
			return 0, err
		}
	}
	_, werr := f.Write(data)
	if werr == nil {
		werr = f.Sync()
	}
	cerr := f.Close()
	if werr == nil {
		werr = cerr
	}
	if werr != nil {
		truncateJournal(path, before)
		return 0, werr
	}
	if before < 0 {
		syncDir(filepath.Dir(path))
	}
	return before, nil
}

// truncateJournal puts the journal back to n bytes (-1: removes it).
func truncateJournal(path string, n int64) error {
	if n < 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	err = f.Truncate(n)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

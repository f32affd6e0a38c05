package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sync"

	"github.com/libreqos-go/lqos/internal/atomicfile"
	"github.com/libreqos-go/lqos/internal/shaper"
)

// names remembers the circuit and device IDs of each mapped prefix. The
// kernel maps only hold 64-bit hashes of them, so without this table a
// restarted lqosd could list mappings and rates only by hash. It is written
// to the state directory after every change.
type names struct {
	path   string
	saveMu sync.Mutex // orders snapshot+write so an older table never wins

	mu       sync.RWMutex
	byPrefix map[netip.Prefix]idPair
	circuits map[uint64]string // hash -> circuit ID
}

type idPair struct {
	Circuit string `json:"circuit_id"`
	Device  string `json:"device_id,omitempty"`
}

// namesFile is the on-disk form. Mappings are [prefix, circuit, device]
// triples: a list encodes several times faster than a JSON object, whose
// keys encoding/json sorts (it matters at 100k mappings).
type namesFile struct {
	Version  int         `json:"version"`
	Mappings [][3]string `json:"mappings"`
}

// loadNames reads the table; a missing file is an empty table. A corrupt
// file is moved aside (the hashes still work) and reported.
func loadNames(path string) (*names, error) {
	n := &names{path: path, byPrefix: map[netip.Prefix]idPair{}, circuits: map[uint64]string{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return n, nil
	}
	if err != nil {
		return n, fmt.Errorf("mapping names %s: %w", path, err)
	}
	var f namesFile
	if err := json.Unmarshal(data, &f); err != nil || f.Version != 1 {
		if err == nil {
			err = fmt.Errorf("version %d, want 1", f.Version)
		}
		_ = os.Rename(path, path+".bad")
		return n, fmt.Errorf("mapping names %s unreadable (%v); moved to %s.bad, IDs show as hashes until the next apply", path, err, path)
	}
	for _, r := range f.Mappings {
		p, err := netip.ParsePrefix(r[0])
		if err != nil {
			continue // one bad entry costs one name, not the table
		}
		n.byPrefix[p] = idPair{Circuit: r[1], Device: r[2]}
		n.circuits[shaper.Hash64(r[1])] = r[1]
	}
	return n, nil
}

func (n *names) circuit(hash uint64) string {
	n.mu.RLock()
	defer n.mu.RUnlock()
	return n.circuits[hash]
}

func (n *names) get(p netip.Prefix) (idPair, bool) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	v, ok := n.byPrefix[p]
	return v, ok
}

func (n *names) has(p netip.Prefix) bool {
	_, ok := n.get(p)
	return ok
}

func (n *names) set(ps []netip.Prefix, ids []idPair) error {
	n.mu.Lock()
	for i, p := range ps {
		n.byPrefix[p] = ids[i]
		n.circuits[shaper.Hash64(ids[i].Circuit)] = ids[i].Circuit
	}
	n.mu.Unlock()
	return n.save()
}

// replace makes the table hold exactly these prefixes.
func (n *names) replace(ps []netip.Prefix, ids []idPair) error {
	n.mu.Lock()
	n.byPrefix = make(map[netip.Prefix]idPair, len(ps))
	n.circuits = make(map[uint64]string)
	n.mu.Unlock()
	return n.set(ps, ids)
}

func (n *names) del(ps []netip.Prefix) error {
	n.mu.Lock()
	for _, p := range ps {
		delete(n.byPrefix, p)
	}
	n.mu.Unlock()
	return n.save()
}

func (n *names) clear() error {
	n.mu.Lock()
	n.byPrefix = map[netip.Prefix]idPair{}
	n.circuits = map[uint64]string{}
	n.mu.Unlock()
	return n.save()
}

// keep drops every prefix not in live (the kernel's view wins).
func (n *names) keep(live []netip.Prefix) error {
	set := make(map[netip.Prefix]bool, len(live))
	for _, p := range live {
		set[p] = true
	}
	n.mu.Lock()
	dropped := 0
	for p := range n.byPrefix {
		if !set[p] {
			delete(n.byPrefix, p)
			dropped++
		}
	}
	n.mu.Unlock()
	if dropped == 0 {
		return nil
	}
	return n.save()
}

func (n *names) save() error {
	n.saveMu.Lock()
	defer n.saveMu.Unlock()
	n.mu.RLock()
	f := namesFile{Version: 1, Mappings: make([][3]string, 0, len(n.byPrefix))}
	for p, v := range n.byPrefix {
		f.Mappings = append(f.Mappings, [3]string{p.String(), v.Circuit, v.Device})
	}
	n.mu.RUnlock()
	data, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return writeAtomic(n.path, data)
}

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(path, data, 0o600)
}

// counts returns the number of distinct circuits and devices mapped.
func (n *names) counts() (circuits, devices int) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	cs, ds := map[string]bool{}, map[string]bool{}
	for _, v := range n.byPrefix {
		cs[v.Circuit] = true
		if v.Device != "" {
			ds[v.Device] = true
		}
	}
	return len(cs), len(ds)
}

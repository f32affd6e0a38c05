//go:build linux

package datapath

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"
)

// Role says what a shaping interface faces; it fixes the direction of the
// traffic its XDP (ingress) and TC (egress) programs see.
type Role uint32

const (
	RoleInternet Role = 1 // ingress = download, egress = upload
	RoleISP      Role = 2 // ingress = upload, egress = download
	RoleStick    Role = 3 // one NIC; direction from the VLAN ID
)

func (r Role) String() string {
	switch r {
	case RoleInternet:
		return "internet"
	case RoleISP:
		return "isp"
	case RoleStick:
		return "stick"
	}
	return fmt.Sprintf("role(%d)", uint32(r))
}

// XDPMode selects how XDP is attached.
type XDPMode uint8

const (
	XDPAuto    XDPMode = iota // driver mode, falling back to generic
	XDPDriver                 // native only
	XDPGeneric                // SKB mode only (metadata never reaches TC)
)

// TCMode selects how the egress classifier is attached.
type TCMode uint8

const (
	TCAuto   TCMode = iota // TCX, falling back to clsact + cls_bpf
	TCX                    // TCX only (kernel >= 6.6)
	TCLegacy               // clsact + direct-action cls_bpf only
)

// Interface is one shaping interface to attach to.
type Interface struct {
	Name string
	Role Role
	// On a stick: frames tagged InternetVLAN arrive from the Internet
	// (download), frames tagged ISPVLAN from subscribers (upload).
	InternetVLAN uint16
	ISPVLAN      uint16
	XDP          XDPMode
	TC           TCMode
}

// Options configure Open. Zero values pick the defaults noted.
type Options struct {
	// PinDir is a directory on a bpffs mount where the shared maps are
	// pinned, so mappings and counters survive a daemon restart. Empty
	// disables pinning.
	PinDir string
	// CPURedirect steers mapped packets to Mapping.CPU through the CPU map.
	// Off: packets stay on the receiving CPU (XDP_PASS).
	CPURedirect bool
	// CPUs to enable in the CPU map (default: every possible CPU).
	CPUs []uint32
	// CPUQueueSize is the per-CPU map queue length (default 2048).
	CPUQueueSize uint32
	// DisableFlows turns off per-flow tracking (and with it RTT and
	// retransmit data).
	DisableFlows bool
	// DisableHotCache makes every lookup that misses the host-prefix hash
	// walk the LPM trie (for measuring and debugging; the cache is always
	// correct thanks to epochs).
	DisableHotCache bool

	// Classify picks how packets get their class (default: XDP+TC
	// metadata where the kernel allows it, TC lookup otherwise).
	Classify Classification
	// Features overrides the kernel probe: tests use it to run the
	// degraded variants on a kernel that has everything. Nil probes.
	Features *Features

	// MaxMappings caps host prefixes and shorter prefixes, each (default
	// 1,048,576). The host-prefix hash grows to it on demand; the trie is
	// not preallocated, so the cap costs nothing until used.
	MaxMappings  uint32
	HotCacheSize uint32 // exact-address cache (default 32768)
	MaxHosts     uint32 // per-host counter entries (default 65536)
	MaxFlows     uint32 // tracked flows (default 65536)

	Logger *slog.Logger
}

// Map names as declared in bpf/lqos_maps.h.
const (
	mapLPM      = "lqos_lpm"
	mapExact    = "lqos_exact"
	mapTrieUse  = "lqos_trie_use"
	mapHotCache = "lqos_hotcache"
	mapEpoch    = "lqos_epoch"
	mapHosts    = "lqos_hosts"
	mapFlows    = "lqos_flows"
	mapCPU      = "lqos_cpumap"
	mapStats    = "lqos_stats"
)

// Datapath owns the loaded maps and the programs attached to interfaces.
type Datapath struct {
	opts Options
	log  *slog.Logger
	spec *ebpf.CollectionSpec
	maps map[string]*ebpf.Map
	ncpu uint32

	features Features
	classify Classification // ClassifyMetadata or ClassifyTCLookup, never auto
	redirect bool           // CPU steering through the CPU map is on
	degraded []Degradation  // optional features the programs run without

	mu       sync.Mutex // serialises epoch bumps and attach/close
	attached []*attachment
	closed   atomic.Bool
}

var _ MappingStore = (*Datapath)(nil)
var _ Telemetry = (*Datapath)(nil)

// Open creates (or re-opens pinned) maps and fills the CPU map. Nothing is
// attached yet; call Attach.
func Open(opts Options) (*Datapath, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.CPUQueueSize == 0 {
		opts.CPUQueueSize = 2048
	}
	spec, err := loadLqos()
	if err != nil {
		return nil, fmt.Errorf("datapath: parse embedded BPF object: %w", err)
	}
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return nil, fmt.Errorf("datapath: possible CPUs: %w", err)
	}
	d := &Datapath{opts: opts, log: opts.Logger, spec: spec, maps: map[string]*ebpf.Map{}, ncpu: uint32(ncpu)}
	sizes := map[string]uint32{mapLPM: d.mappingCap(), mapExact: d.exactSize(), mapHotCache: opts.HotCacheSize, mapHosts: opts.MaxHosts, mapFlows: opts.MaxFlows}
	for name, n := range sizes {
		if n != 0 {
			spec.Maps[name].MaxEntries = n
		}
	}
	if err := d.chooseVariant(); err != nil {
		return nil, err
	}

	if opts.PinDir != "" {
		if err := os.MkdirAll(opts.PinDir, 0o700); err != nil {
			return nil, fmt.Errorf("datapath: pin dir: %w", err)
		}
	}
	for name, ms := range spec.Maps {
		if strings.HasPrefix(name, ".") {
			continue // .rodata: per-interface, created by each program load
		}
		m, err := d.openMap(ms)
		if err != nil {
			d.closeMaps()
			return nil, err
		}
		d.maps[name] = m
	}
	if d.redirect {
		if err := d.fillCPUMap(); err != nil {
			d.closeMaps()
			return nil, err
		}
	}
	if err := d.migrateHostPrefixes(); err != nil {
		d.closeMaps()
		return nil, err
	}
	// Pinned cache entries may predate a trie that was just recreated (or
	// changed by a previous process without a bump): start a fresh epoch.
	if err := d.Invalidate(); err != nil {
		d.closeMaps()
		return nil, err
	}
	return d, nil
}

// openMap creates a map or re-uses its pin. A pin whose layout no longer
// matches (an upgrade changed a struct) is replaced: stale layouts would be
// misread by the new programs.
func (d *Datapath) openMap(ms *ebpf.MapSpec) (*ebpf.Map, error) {
	ms = ms.Copy()
	if d.opts.PinDir == "" {
		ms.Pinning = ebpf.PinNone
	}
	m, err := ebpf.NewMapWithOptions(ms, ebpf.MapOptions{PinPath: d.opts.PinDir})
	if errors.Is(err, ebpf.ErrMapIncompatible) {
		pin := filepath.Join(d.opts.PinDir, ms.Name)
		d.log.Warn("replacing incompatible pinned map", "pin", pin, "err", err)
		if rerr := os.Remove(pin); rerr != nil {
			return nil, fmt.Errorf("datapath: remove stale pin %s: %w", pin, rerr)
		}
		m, err = ebpf.NewMapWithOptions(ms, ebpf.MapOptions{PinPath: d.opts.PinDir})
	}
	if err != nil {
		return nil, fmt.Errorf("datapath: map %s: %w", ms.Name, err)
	}
	return m, nil
}

func (d *Datapath) fillCPUMap() error {
	cpus := d.opts.CPUs
	if len(cpus) == 0 {
		for c := range d.ncpu {
			cpus = append(cpus, c)
		}
	}
	ok := 0
	for _, c := range cpus {
		if c >= d.ncpu {
			return fmt.Errorf("datapath: Options.CPUs: CPU %d out of range (%d possible)", c, d.ncpu)
		}
		// Offline CPUs are rejected by the kernel; skip them.
		if err := d.maps[mapCPU].Put(c, lqosBpfCpumapVal{Qsize: d.opts.CPUQueueSize}); err != nil {
			d.log.Warn("cpu map entry rejected", "cpu", c, "err", err)
			continue
		}
		ok++
	}
	if ok == 0 {
		return errors.New("datapath: no CPU could be added to the CPU map")
	}
	return nil
}

func (d *Datapath) closeMaps() {
	for _, m := range d.maps {
		m.Close()
	}
}

// ErrClosed is returned by every method after Close.
var ErrClosed = errors.New("datapath: closed")

func (d *Datapath) live() error {
	if d.closed.Load() {
		return ErrClosed
	}
	return nil
}

// Close detaches every program (unpinning and closing its links, also
// pinned links of interfaces no longer attached) and closes the maps. Pinned
// maps (and with them mappings and counters) stay in the bpffs for the next
// Open. Release is the variant that leaves the programs attached.
func (d *Datapath) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed.Swap(true) {
		return nil
	}
	var errs []error
	for _, a := range d.attached {
		errs = append(errs, a.close(true))
	}
	d.attached = nil
	errs = append(errs, d.dropStaleLinks())
	d.closeMaps()
	return errors.Join(errs...)
}

// Release closes this process's handles but leaves the programs attached
// through their pinned links (and a clsact filter in place), exactly as a
// crash would: classification continues on these programs and the pinned
// maps until the next Attach adopts the links or Close detaches them.
// Without a PinDir the XDP/TCX links die with their handles (only a clsact
// filter stays).
func (d *Datapath) Release() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed.Swap(true) {
		return nil
	}
	var errs []error
	for _, a := range d.attached {
		errs = append(errs, a.close(false))
	}
	d.attached = nil
	d.closeMaps()
	return errors.Join(errs...)
}

// Unpin removes the pins, so the maps die with the last user.
func (d *Datapath) Unpin() error {
	if err := d.live(); err != nil {
		return err
	}
	var errs []error
	for _, m := range d.maps {
		if m.IsPinned() {
			errs = append(errs, m.Unpin())
		}
	}
	return errors.Join(errs...)
}

// Capacity is the cap on mappings of one kind (Options.MaxMappings).
func (d *Datapath) Capacity() int {
	if d.live() != nil {
		return 0
	}
	return int(d.maps[mapLPM].MaxEntries())
}

// loadPrograms loads both programs with the constants for one interface,
// sharing this Datapath's maps.
func (d *Datapath) loadPrograms(ifc Interface) (*lqosPrograms, error) {
	if ifc.Role < RoleInternet || ifc.Role > RoleStick {
		return nil, fmt.Errorf("interface %q: Role %d is not internet, isp or stick", ifc.Name, ifc.Role)
	}
	if ifc.Role == RoleStick && (ifc.InternetVLAN == 0 || ifc.ISPVLAN == 0 || ifc.InternetVLAN == ifc.ISPVLAN) {
		return nil, fmt.Errorf("interface %q: stick mode needs two different non-zero VLANs (InternetVLAN %d, ISPVLAN %d)", ifc.Name, ifc.InternetVLAN, ifc.ISPVLAN)
	}
	if ifc.InternetVLAN > 4095 || ifc.ISPVLAN > 4095 {
		return nil, fmt.Errorf("interface %q: VLAN IDs must be 1..4095", ifc.Name)
	}
	cs := d.spec.Copy()
	vars := map[string]uint32{
		"cfg_direction":     uint32(ifc.Role),
		"cfg_internet_vlan": uint32(ifc.InternetVLAN),
		"cfg_isp_vlan":      uint32(ifc.ISPVLAN),
		"cfg_redirect_cpu":  b2u(d.redirect),
		"cfg_xdp_meta":      b2u(d.classify == ClassifyMetadata),
		"cfg_coarse_clock":  b2u(d.features.Has(FeatureCoarseClock)),
		"cfg_track_flows":   b2u(!d.opts.DisableFlows),
		"cfg_hot_cache":     b2u(!d.opts.DisableHotCache),
	}
	for name, v := range vars {
		vs, ok := cs.Variables[name]
		if !ok {
			return nil, fmt.Errorf("datapath: BPF object lacks variable %s", name)
		}
		if err := vs.Set(v); err != nil {
			return nil, fmt.Errorf("datapath: set %s: %w", name, err)
		}
	}
	var progs lqosPrograms
	if err := cs.LoadAndAssign(&progs, &ebpf.CollectionOptions{MapReplacements: d.maps}); err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("datapath: verifier rejected programs for %q: %+v", ifc.Name, ve)
		}
		return nil, fmt.Errorf("datapath: load programs for %q: %w", ifc.Name, err)
	}
	return &progs, nil
}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// ---- mappings ----

// Host prefixes (IPv4 /32, IPv6 /128) live in the exact hash lqos_exact,
// shorter ones in the LPM trie lqos_lpm: the data path tries the hash first
// and walks the trie only for families that have trie prefixes
// (lqos_trie_use). Every method below keeps that split.

// isHostKey reports whether k is a /32 or /128 (both are 128 bits in the
// 128-bit form).
func isHostKey(k lqosLqosLpmKey) bool { return k.Prefixlen == 128 }

// keyFamily is the lqos_trie_use index of k: 0 IPv4, 1 IPv6.
func keyFamily(k lqosLqosLpmKey) uint32 {
	if netip.AddrFrom16(k.Addr.B).Is4In6() && k.Prefixlen >= 96 {
		return 0
	}
	return 1
}

// useTrie marks the families of keys as having trie prefixes. It runs before
// the trie is written, so no packet misses a prefix that is already there.
func (d *Datapath) useTrie(keys []lqosLqosLpmKey) error {
	var seen [2]bool
	for _, k := range keys {
		f := keyFamily(k)
		if seen[f] {
			continue
		}
		seen[f] = true
		if err := d.maps[mapTrieUse].Put(f, uint32(1)); err != nil {
			return fmt.Errorf("datapath: mark trie in use: %w", err)
		}
	}
	return nil
}

// splitKeys separates host keys (exact hash) from prefix keys (trie),
// keeping vals (if any) parallel.
func splitKeys[V any](keys []lqosLqosLpmKey, vals []V) (hostKeys []lqosLqosAddr, hostVals []V, trieKeys []lqosLqosLpmKey, trieVals []V) {
	for i, k := range keys {
		if isHostKey(k) {
			hostKeys = append(hostKeys, k.Addr)
			if vals != nil {
				hostVals = append(hostVals, vals[i])
			}
		} else {
			trieKeys = append(trieKeys, k)
			if vals != nil {
				trieVals = append(trieVals, vals[i])
			}
		}
	}
	return
}

// Add inserts or replaces one mapping; effective for the next packet.
func (d *Datapath) Add(p netip.Prefix, m Mapping) error {
	if err := d.live(); err != nil {
		return err
	}
	k, err := encodePrefix(p)
	if err != nil {
		return err
	}
	if err := m.Validate(d.ncpu); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if isHostKey(k) {
		err = d.maps[mapExact].Put(k.Addr, m.raw())
		if errors.Is(err, unix.E2BIG) || errors.Is(err, unix.ENOSPC) {
			if err = d.ensureExact(int(d.maps[mapExact].MaxEntries()) + 1); err == nil {
				err = d.maps[mapExact].Put(k.Addr, m.raw())
			}
		}
	} else if err = d.useTrie([]lqosLqosLpmKey{k}); err == nil {
		err = d.maps[mapLPM].Put(k, m.raw())
	}
	if err != nil {
		return fmt.Errorf("datapath: add %s: %w", p, err)
	}
	return d.Invalidate()
}

// Delete removes one mapping; effective for the next packet.
func (d *Datapath) Delete(p netip.Prefix) error {
	if err := d.live(); err != nil {
		return err
	}
	k, err := encodePrefix(p)
	if err != nil {
		return err
	}
	if isHostKey(k) {
		err = d.maps[mapExact].Delete(k.Addr)
	} else {
		err = d.maps[mapLPM].Delete(k)
	}
	if err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("datapath: delete %s: %w", p, err)
	}
	return d.Invalidate()
}

// Resolve returns the mapping the data path would use for addr (exact host
// entry, else longest prefix match in the trie; bypassing the hot cache).
func (d *Datapath) Resolve(addr netip.Addr) (Mapping, bool, error) {
	if err := d.live(); err != nil {
		return Mapping{}, false, err
	}
	bits := 128
	if addr.Unmap().Is4() {
		bits = 32
	}
	k, err := encodePrefix(netip.PrefixFrom(addr.Unmap(), bits))
	if err != nil {
		return Mapping{}, false, err
	}
	var raw lqosLqosMapping
	err = d.maps[mapExact].Lookup(k.Addr, &raw)
	if errors.Is(err, ebpf.ErrKeyNotExist) {
		err = d.maps[mapLPM].Lookup(k, &raw)
	}
	if err != nil {
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return Mapping{}, false, nil
		}
		return Mapping{}, false, fmt.Errorf("datapath: resolve %s: %w", addr, err)
	}
	return raw.mapping(), true, nil
}

// List returns all mappings sorted by prefix.
func (d *Datapath) List() ([]Entry, error) {
	if err := d.live(); err != nil {
		return nil, err
	}
	var out []Entry
	var (
		a lqosLqosAddr
		v lqosLqosMapping
	)
	it := d.maps[mapExact].Iterate()
	for it.Next(&a, &v) {
		p, err := decodeKey(lqosLqosLpmKey{Prefixlen: 128, Addr: a})
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{Prefix: p, Mapping: v.mapping()})
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("datapath: list host mappings: %w", err)
	}
	var k lqosLqosLpmKey
	it = d.maps[mapLPM].Iterate()
	for it.Next(&k, &v) {
		p, err := decodeKey(k)
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{Prefix: p, Mapping: v.mapping()})
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("datapath: list mappings: %w", err)
	}
	sortEntries(out)
	return out, nil
}

// Clear removes all mappings and empties the hot cache.
func (d *Datapath) Clear() error {
	if err := d.live(); err != nil {
		return err
	}
	if err := deleteAll[lqosLqosAddr](d.maps[mapExact]); err != nil {
		return fmt.Errorf("datapath: clear host mappings: %w", err)
	}
	if err := deleteAll[lqosLqosLpmKey](d.maps[mapLPM]); err != nil {
		return fmt.Errorf("datapath: clear mappings: %w", err)
	}
	for f := range uint32(2) {
		if err := d.maps[mapTrieUse].Put(f, uint32(0)); err != nil {
			return fmt.Errorf("datapath: clear trie use: %w", err)
		}
	}
	if err := d.Invalidate(); err != nil {
		return err
	}
	return d.FlushHotCache()
}

// batchPut writes keys/vals with one batch syscall where the map supports
// it, else one update per element; it returns how many were written.
func batchPut[K, V any](m *ebpf.Map, keys []K, vals []V) (int, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	n, err := m.BatchUpdate(keys, vals, nil)
	if errors.Is(err, ebpf.ErrNotSupported) {
		n, err = 0, nil
		for i := range keys {
			if err = m.Put(keys[i], vals[i]); err != nil {
				break
			}
			n++
		}
	}
	return n, err
}

// BatchUpdate inserts or replaces many mappings with one batch syscall per
// map (per-element updates on kernels without batch support for LPM tries),
// then invalidates the hot cache once.
func (d *Datapath) BatchUpdate(entries []Entry) error {
	if err := d.live(); err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	keys, vals, err := encodeEntries(entries, d.ncpu)
	if err != nil {
		return err
	}
	hostKeys, hostVals, trieKeys, trieVals := splitKeys(keys, vals)
	// A batch this size needs at least this many slots (replacements of
	// present entries are counted as new: the headroom is cheap).
	if err := d.ensureExact(len(hostKeys)); err != nil {
		return err
	}
	n, err := batchPut(d.maps[mapExact], hostKeys, hostVals)
	if errors.Is(err, unix.E2BIG) || errors.Is(err, unix.ENOSPC) {
		// Full with what was there before: grow once more, write the rest.
		if gerr := d.ensureExact(int(d.maps[mapExact].MaxEntries()) + len(hostKeys) - n); gerr == nil {
			var m int
			m, err = batchPut(d.maps[mapExact], hostKeys[n:], hostVals[n:])
			n += m
		}
	}
	full := d.maps[mapExact]
	if err == nil {
		if err = d.useTrie(trieKeys); err == nil {
			var m int
			m, err = batchPut(d.maps[mapLPM], trieKeys, trieVals)
			n += m
			full = d.maps[mapLPM]
		}
	}
	ierr := d.Invalidate() // even after a partial update: some entries changed
	if err != nil {
		if errors.Is(err, unix.ENOSPC) || errors.Is(err, unix.E2BIG) {
			return fmt.Errorf("datapath: batch update: %d of %d applied, %s full (capacity %d): %w", n, len(entries), full, full.MaxEntries(), err)
		}
		return fmt.Errorf("datapath: batch update: %d of %d applied: %w", n, len(entries), err)
	}
	return ierr
}

// BatchDelete removes many prefixes (missing ones are skipped) and
// invalidates the hot cache once.
func (d *Datapath) BatchDelete(prefixes []netip.Prefix) error {
	if err := d.live(); err != nil {
		return err
	}
	keys := make([]lqosLqosLpmKey, len(prefixes))
	for i, p := range prefixes {
		k, err := encodePrefix(p)
		if err != nil {
			return fmt.Errorf("prefix %d: %w", i, err)
		}
		keys[i] = k
	}
	hostKeys, _, trieKeys, _ := splitKeys[struct{}](keys, nil)
	err := batchDelete(d.maps[mapExact], hostKeys)
	if err == nil {
		err = batchDelete(d.maps[mapLPM], trieKeys)
	}
	if err != nil {
		_ = d.Invalidate()
		return fmt.Errorf("datapath: batch delete: %w", err)
	}
	return d.Invalidate()
}

// batchDelete deletes keys, skipping missing ones.
func batchDelete[K any](m *ebpf.Map, keys []K) error {
	for len(keys) > 0 {
		n, err := m.BatchDelete(keys, nil)
		switch {
		case err == nil:
			keys = nil
		case errors.Is(err, ebpf.ErrKeyNotExist) && n < len(keys):
			keys = keys[n+1:] // the kernel stops at the missing key
		case errors.Is(err, ebpf.ErrNotSupported):
			for _, k := range keys {
				if err := m.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
					return err
				}
			}
			keys = nil
		default:
			return err
		}
	}
	return nil
}

// migrateHostPrefixes moves host prefixes a previous version left in the
// pinned trie into the exact hash (the data path looks there first, and
// Delete of a host prefix only looks there), then recomputes which families
// the trie serves.
func (d *Datapath) migrateHostPrefixes() error {
	lpm := d.maps[mapLPM]
	keys, err := allKeys[lqosLqosLpmKey](lpm)
	if err != nil {
		return fmt.Errorf("datapath: read trie: %w", err)
	}
	var use [2]uint32
	for _, k := range keys {
		if !isHostKey(k) {
			use[keyFamily(k)] = 1
			continue
		}
		var v lqosLqosMapping
		if err := lpm.Lookup(k, &v); err != nil {
			continue
		}
		if err := d.maps[mapExact].Put(k.Addr, v); err != nil {
			return fmt.Errorf("datapath: move host prefix to the exact map: %w", err)
		}
		if err := lpm.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return fmt.Errorf("datapath: move host prefix out of the trie: %w", err)
		}
	}
	for f, u := range use {
		if err := d.maps[mapTrieUse].Put(uint32(f), u); err != nil {
			return fmt.Errorf("datapath: trie use: %w", err)
		}
	}
	return nil
}

// Invalidate makes every hot-cache entry stale by bumping the mapping epoch.
// Add, Delete, Clear and BatchUpdate call it; code that writes the trie some
// other way must too.
func (d *Datapath) Invalidate() error {
	if err := d.live(); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var epoch uint32
	ep := d.maps[mapEpoch]
	if err := ep.Lookup(uint32(0), &epoch); err != nil {
		return fmt.Errorf("datapath: read epoch: %w", err)
	}
	if err := ep.Put(uint32(0), epoch+1); err != nil {
		return fmt.Errorf("datapath: bump epoch: %w", err)
	}
	return nil
}

// FlushHotCache empties the cache (Invalidate already makes it stale; this
// only frees the slots).
func (d *Datapath) FlushHotCache() error {
	if err := d.live(); err != nil {
		return err
	}
	return deleteAll[lqosLqosAddr](d.maps[mapHotCache])
}

// deleteAll collects every key first (deleting while iterating restarts the
// walk) and deletes them in batches where the map supports it.
func deleteAll[K any](m *ebpf.Map) error {
	keys, err := allKeys[K](m)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return nil
	}
	if _, err := m.BatchDelete(keys, nil); err == nil {
		return nil
	} else if !errors.Is(err, ebpf.ErrNotSupported) && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return err
	}
	for _, k := range keys {
		if err := m.Delete(k); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			return err
		}
	}
	return nil
}

// allKeys walks the map with GET_NEXT_KEY (no value copies).
func allKeys[K any](m *ebpf.Map) ([]K, error) {
	var (
		keys []K
		prev any // nil: start from the first key
	)
	for {
		var next K
		if err := m.NextKey(prev, &next); err != nil {
			if errors.Is(err, ebpf.ErrKeyNotExist) {
				return keys, nil
			}
			return nil, err
		}
		keys = append(keys, next)
		prev = next
	}
}

// ---- attach ----

type attachment struct {
	ifc     Interface
	progs   *lqosPrograms
	links   []link.Link
	legacy  func(detach bool) error // removes a clsact filter, if used
	XDP     string                  // mode actually used
	TC      string
	adopted []string // "xdp", "tcx": links taken over from a previous process
	// nativeErr is why driver-mode XDP was refused when auto fell back to
	// generic mode.
	nativeErr error
}

// AttachInfo describes one attached interface.
type AttachInfo struct {
	Name string
	Role Role
	XDP  string // "driver" or "generic"
	TC   string // "tcx" or "clsact"
	// Adopted lists the hooks ("xdp", "tcx") whose pinned links, left by a
	// previous process, now run this Datapath's programs.
	Adopted []string
}

// Attached lists the interfaces attached so far and the modes in use.
func (d *Datapath) Attached() []AttachInfo {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]AttachInfo, 0, len(d.attached))
	for _, a := range d.attached {
		out = append(out, AttachInfo{Name: a.ifc.Name, Role: a.ifc.Role, XDP: a.XDP, TC: a.TC, Adopted: a.adopted})
	}
	return out
}

// close detaches (unpin + close) or, with detach false, only closes the
// handles so pinned links and the clsact filter stay attached.
func (a *attachment) close(detach bool) error {
	var errs []error
	for _, l := range a.links {
		if detach {
			errs = append(errs, dropLink(l))
		} else {
			errs = append(errs, l.Close())
		}
	}
	if a.legacy != nil {
		errs = append(errs, a.legacy(detach))
	}
	errs = append(errs, a.progs.Close())
	return errors.Join(errs...)
}

// Attach loads the programs for each interface and attaches XDP (ingress)
// and the TC classifier (egress). Programs are loaded before touching the
// interface, so a verifier failure leaves the interface as it was. Interface
// names resolve in the calling thread's network namespace.
func (d *Datapath) Attach(ifaces ...Interface) error {
	if err := d.live(); err != nil {
		return err
	}
	for _, ifc := range ifaces {
		d.mu.Lock()
		dup := slices.ContainsFunc(d.attached, func(a *attachment) bool { return a.ifc.Name == ifc.Name })
		d.mu.Unlock()
		if dup {
			return fmt.Errorf("datapath: interface %q is already attached", ifc.Name)
		}
		a, err := d.attachOne(ifc)
		if err != nil {
			return err
		}
		d.mu.Lock()
		d.attached = append(d.attached, a)
		d.mu.Unlock()
		if len(a.adopted) > 0 {
			d.log.Info("datapath attached, adopting the pinned links of the previous process", "iface", ifc.Name, "role", ifc.Role, "xdp", a.XDP, "tc", a.TC, "adopted", strings.Join(a.adopted, ","))
		} else {
			d.log.Info("datapath attached", "iface", ifc.Name, "role", ifc.Role, "xdp", a.XDP, "tc", a.TC)
		}
	}
	return nil
}

func (d *Datapath) attachOne(ifc Interface) (*attachment, error) {
	nic, err := net.InterfaceByName(ifc.Name)
	if err != nil {
		return nil, fmt.Errorf("datapath: interface %q: %w", ifc.Name, err)
	}
	progs, err := d.loadPrograms(ifc)
	if err != nil {
		return nil, err
	}
	a := &attachment{ifc: ifc, progs: progs}
	fail := func(err error) (*attachment, error) {
		a.close(true)
		return nil, err
	}

	// XDP: adopt a pinned link (atomic program swap) or attach afresh.
	xl, mode, err := d.adoptXDP(ifc, nic.Index, progs.LqosXdp)
	if err != nil {
		return fail(err)
	}
	if xl != nil {
		a.links = append(a.links, xl)
		a.XDP = mode
		a.adopted = append(a.adopted, "xdp")
	} else {
		modes := []struct {
			name  string
			flags link.XDPAttachFlags
		}{{"driver", link.XDPDriverMode}, {"generic", link.XDPGenericMode}}
		switch ifc.XDP {
		case XDPDriver:
			modes = modes[:1]
		case XDPGeneric:
			modes = modes[1:]
		}
		var xerr error
		for _, m := range modes {
			l, err := link.AttachXDP(link.XDPOptions{Program: progs.LqosXdp, Interface: nic.Index, Flags: m.flags})
			if err == nil {
				a.links = append(a.links, l)
				a.XDP = m.name
				d.pinLink(l, d.linkPin(ifc.Name, "xdp"))
				break
			}
			xerr = errors.Join(xerr, fmt.Errorf("%s mode: %w", m.name, err))
		}
		if a.XDP == "" {
			return fail(fmt.Errorf("datapath: attach XDP to %q failed in all modes (check `ip link show %s` for another XDP program): %w", ifc.Name, ifc.Name, xerr))
		}
		if a.XDP == "generic" && ifc.XDP == XDPAuto {
			a.nativeErr = xerr
		}
	}

	// TC egress: TCX link (adopted or new), else clsact + cls_bpf.
	if ifc.TC != TCLegacy {
		tl, err := d.adoptTCX(ifc, nic.Index, progs.LqosTcEgress)
		if err != nil {
			return fail(err)
		}
		if tl == nil {
			tl, err = link.AttachTCX(link.TCXOptions{Program: progs.LqosTcEgress, Interface: nic.Index, Attach: ebpf.AttachTCXEgress})
			if err == nil {
				d.pinLink(tl, d.linkPin(ifc.Name, "tcx"))
			}
		} else {
			a.adopted = append(a.adopted, "tcx")
		}
		if err == nil {
			a.links = append(a.links, tl)
			a.TC = "tcx"
			removeLegacyFilter(nic.Index) // a previous TCLegacy run's filter would classify twice
			return a, nil
		}
		if ifc.TC == TCX || !errors.Is(err, ebpf.ErrNotSupported) {
			return fail(fmt.Errorf("datapath: attach TCX egress to %q: %w", ifc.Name, err))
		}
	}
	// FilterReplace swaps a previous process's filter in place.
	undo, err := attachLegacyTC(nic.Index, progs.LqosTcEgress)
	if err != nil {
		return fail(fmt.Errorf("datapath: attach clsact egress filter to %q: %w", ifc.Name, err))
	}
	a.legacy = undo
	a.TC = "clsact"
	// A TCX link pinned by a previous run would classify twice: drop it now
	// that the filter is in place.
	if old, err := d.loadPinned(d.linkPin(ifc.Name, "tcx"), nic.Index, "tcx"); err == nil && old != nil {
		if err := dropLink(old); err != nil {
			d.log.Warn("detaching the previous TCX link", "iface", ifc.Name, "err", err)
		}
	}
	return a, nil
}

// ---- telemetry ----

// monoClock converts kernel CLOCK_MONOTONIC nanoseconds to wall time.
func monoClock() func(uint64) time.Time {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	nowMono := uint64(ts.Nano())
	now := time.Now()
	return func(ns uint64) time.Time {
		if ns == 0 {
			return time.Time{}
		}
		return now.Add(-time.Duration(int64(nowMono - ns)))
	}
}

// batchChunk is how many entries one BPF_MAP_LOOKUP_BATCH call returns.
const batchChunk = 4096

// readAll dumps a hash map with batch lookups (one syscall per chunk instead
// of two per entry), falling back to iteration on kernels without support.
// For per-CPU maps each key gets perCPU consecutive values.
func readAll[K, V any](m *ebpf.Map, perCPU int, each func(k K, v []V)) error {
	var cursor ebpf.MapBatchCursor
	keys := make([]K, batchChunk)
	vals := make([]V, batchChunk*perCPU)
	for {
		n, err := m.BatchLookup(&cursor, keys, vals, nil)
		for i := range n {
			each(keys[i], vals[i*perCPU:(i+1)*perCPU])
		}
		if errors.Is(err, ebpf.ErrKeyNotExist) {
			return nil
		}
		if errors.Is(err, ebpf.ErrNotSupported) && n == 0 {
			break
		}
		if err != nil {
			return err
		}
	}
	var k K
	if perCPU == 1 {
		var v V
		it := m.Iterate()
		for it.Next(&k, &v) {
			each(k, []V{v})
		}
		return it.Err()
	}
	var v []V
	it := m.Iterate()
	for it.Next(&k, &v) {
		each(k, v)
	}
	return it.Err()
}

// HostCounters returns every host's counters summed over CPUs.
func (d *Datapath) HostCounters() ([]HostCounters, error) {
	if err := d.live(); err != nil {
		return nil, err
	}
	mono := monoClock()
	var out []HostCounters
	err := readAll(d.maps[mapHosts], int(d.ncpu), func(k lqosLqosAddr, v []lqosLqosHostCounters) {
		out = append(out, sumHost(k, v, mono))
	})
	if err != nil {
		return nil, fmt.Errorf("datapath: read host counters: %w", err)
	}
	return out, nil
}

// Flows returns every tracked flow.
func (d *Datapath) Flows() ([]Flow, error) {
	if err := d.live(); err != nil {
		return nil, err
	}
	mono := monoClock()
	var out []Flow
	err := readAll(d.maps[mapFlows], 1, func(k lqosLqosFlowKey, v []lqosLqosFlow) {
		out = append(out, v[0].flow(k, mono))
	})
	if err != nil {
		return nil, fmt.Errorf("datapath: read flows: %w", err)
	}
	return out, nil
}

// ExpireFlows deletes flows idle for longer than idle and returns how many.
func (d *Datapath) ExpireFlows(idle time.Duration) (int, error) {
	if err := d.live(); err != nil {
		return 0, err
	}
	return expire[lqosLqosFlowKey, lqosLqosFlow](d.maps[mapFlows], idle, func(v *lqosLqosFlow) uint64 { return v.LastSeenNs })
}

// ExpireHosts deletes host counters idle for longer than idle.
func (d *Datapath) ExpireHosts(idle time.Duration) (int, error) {
	if err := d.live(); err != nil {
		return 0, err
	}
	return expire[lqosLqosAddr, []lqosLqosHostCounters](d.maps[mapHosts], idle, func(v *[]lqosLqosHostCounters) uint64 {
		var last uint64
		for _, c := range *v {
			last = max(last, c.LastSeenNs)
		}
		return last
	})
}

func expire[K, V any](m *ebpf.Map, idle time.Duration, lastSeen func(*V) uint64) (int, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, err
	}
	now := uint64(ts.Nano())
	if uint64(idle) >= now {
		return 0, nil // nothing can be older than boot
	}
	cutoff := now - uint64(idle)
	var (
		k    K
		v    V
		dead []K
	)
	it := m.Iterate()
	for it.Next(&k, &v) {
		if lastSeen(&v) < cutoff {
			dead = append(dead, k)
		}
	}
	if err := it.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, k := range dead {
		if err := m.Delete(k); err == nil {
			n++
		} else if !errors.Is(err, ebpf.ErrKeyNotExist) {
			return n, err
		}
	}
	return n, nil
}

// Stats are data path event counters summed over CPUs. Field order must
// match enum lqos_stat in bpf/lqos_maps.h. Exact hits and cache hits/misses
// count lookups from both XDP and the TC fallback; the cache is consulted only
// for addresses without a host entry, in families that have trie prefixes.
type Stats struct {
	XDPPackets, XDPNotIP, XDPMapped, XDPUnmapped         uint64
	CacheHits, CacheMisses, XDPMetaFail, XDPRedirect     uint64
	TCPackets, TCMeta, TCFallbackMapped, TCFallbackUnmap uint64
	TCNotIP                                              uint64
	ExactHits                                            uint64 // lookups answered by the host-prefix hash
}

// Stats reads the event counters.
func (d *Datapath) Stats() (Stats, error) {
	if err := d.live(); err != nil {
		return Stats{}, err
	}
	var s Stats
	fields := []*uint64{&s.XDPPackets, &s.XDPNotIP, &s.XDPMapped, &s.XDPUnmapped, &s.CacheHits, &s.CacheMisses,
		&s.XDPMetaFail, &s.XDPRedirect, &s.TCPackets, &s.TCMeta, &s.TCFallbackMapped, &s.TCFallbackUnmap, &s.TCNotIP, &s.ExactHits}
	var rows []lqosLqosStatRow // one per CPU
	if err := d.maps[mapStats].Lookup(uint32(0), &rows); err != nil {
		return s, fmt.Errorf("datapath: read stats: %w", err)
	}
	for _, r := range rows {
		for i, f := range fields {
			*f += r.V[i]
		}
	}
	return s, nil
}

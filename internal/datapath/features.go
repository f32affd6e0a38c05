//go:build linux

package datapath

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
)

// Feature names an optional kernel capability the data path can do without.
type Feature string

const (
	// FeatureXDPMeta: XDP programs may call bpf_xdp_adjust_meta, so XDP hands
	// the class to TC in the packet metadata. Without it TC looks every
	// packet up again (one more trie or cache lookup per packet).
	FeatureXDPMeta Feature = "xdp_metadata"
	// FeatureCPUMap: CPUMAP and bpf_redirect_map, so XDP steers each
	// subscriber to its CPU. Without it packets stay on the CPU that
	// received them (RSS decides) and a queue's HTB lock may be contended.
	FeatureCPUMap Feature = "cpumap_redirect"
	// FeatureTCX: TCX links (kernel 6.6). Without them the classifier is a
	// clsact + cls_bpf filter, which works the same but survives a crash as
	// a filter rather than a pinned link.
	FeatureTCX Feature = "tcx"
	// FeatureCoarseClock: bpf_ktime_get_coarse_ns (kernel 5.11). Without it
	// the counters use the precise clock, a few ns more per packet.
	FeatureCoarseClock Feature = "coarse_clock"
	// FeatureBatchOps: batched map updates on the LPM trie. Without them a
	// bulk mapping upload is one syscall per prefix.
	FeatureBatchOps Feature = "map_batch_ops"
)

// AllFeatures lists the optional features in the order they are reported.
var AllFeatures = []Feature{FeatureXDPMeta, FeatureCPUMap, FeatureTCX, FeatureCoarseClock, FeatureBatchOps}

// Cost says what running without f costs, for logs and urgent issues.
func (f Feature) Cost() string {
	switch f {
	case FeatureXDPMeta:
		return "XDP cannot hand the class to TC in packet metadata, so TC looks every packet up again (classification still complete, slightly more CPU per packet)"
	case FeatureCPUMap:
		return "packets cannot be steered to their subscriber's CPU; they stay on the receiving CPU (RSS), so queues may contend for HTB locks"
	case FeatureTCX:
		return "the egress classifier is attached as a clsact/cls_bpf filter instead of a TCX link (same classification)"
	case FeatureCoarseClock:
		return "the data path reads the precise clock instead of the coarse one (a few ns more per packet)"
	case FeatureBatchOps:
		return "bulk mapping uploads go one prefix per syscall (slower reloads of many mappings)"
	}
	return "unknown feature"
}

// Features is what the kernel offers the data path. Missing holds the
// probe's reason for each feature that is absent.
type Features struct {
	Have    map[Feature]bool
	Missing map[Feature]string
}

// Has reports whether f is available.
func (fs Features) Has(f Feature) bool { return fs.Have[f] }

// MissingList is the absent features in report order.
func (fs Features) MissingList() []Feature {
	var out []Feature
	for _, f := range AllFeatures {
		if !fs.Have[f] {
			out = append(out, f)
		}
	}
	return out
}

// String is a one-line summary: "xdp_metadata=no cpumap_redirect=yes ...".
func (fs Features) String() string {
	parts := make([]string, 0, len(AllFeatures))
	for _, f := range AllFeatures {
		v := "no"
		if fs.Have[f] {
			v = "yes"
		}
		parts = append(parts, string(f)+"="+v)
	}
	return strings.Join(parts, " ")
}

// ProbeFeatures asks the kernel which optional features it supports. Each
// probe loads a tiny program or map and needs the same privileges as Open.
// Results are cached by cilium/ebpf for the life of the process.
func ProbeFeatures() Features {
	fs := Features{Have: map[Feature]bool{}, Missing: map[Feature]string{}}
	probes := map[Feature]func() error{
		FeatureXDPMeta: func() error { return features.HaveProgramHelper(ebpf.XDP, asm.FnXdpAdjustMeta) },
		FeatureCPUMap: func() error {
			if err := features.HaveMapType(ebpf.CPUMap); err != nil {
				return err
			}
			return features.HaveProgramHelper(ebpf.XDP, asm.FnRedirectMap)
		},
		FeatureTCX:         probeTCX,
		FeatureCoarseClock: func() error { return features.HaveProgramHelper(ebpf.XDP, asm.FnKtimeGetCoarseNs) },
		FeatureBatchOps:    probeLPMBatch,
	}
	for _, f := range AllFeatures {
		if err := probes[f](); err != nil {
			fs.Missing[f] = err.Error()
			continue
		}
		fs.Have[f] = true
	}
	return fs
}

// probeTCX attaches a trivial program to an ifindex that cannot exist: a
// kernel with TCX answers "no such device", one without rejects the link
// type (cilium/ebpf reports that as ErrNotSupported).
func probeTCX() error {
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
		Type: ebpf.SchedCLS, License: "GPL",
		Instructions: asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()},
	})
	if err != nil {
		return fmt.Errorf("load probe program: %w", err)
	}
	defer prog.Close()
	l, err := link.AttachTCX(link.TCXOptions{Program: prog, Interface: math.MaxInt32, Attach: ebpf.AttachTCXEgress})
	if err == nil {
		l.Close()
		return nil
	}
	if errors.Is(err, ebpf.ErrNotSupported) {
		return err
	}
	return nil // ENODEV: the link type exists
}

// probeLPMBatch updates a throwaway LPM trie in one batch call.
func probeLPMBatch() error {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.LPMTrie, KeySize: 8, ValueSize: 4, MaxEntries: 1, Flags: 1 /* BPF_F_NO_PREALLOC */})
	if err != nil {
		return fmt.Errorf("create probe trie: %w", err)
	}
	defer m.Close()
	keys := [][8]byte{{32, 0, 0, 0, 192, 0, 2, 1}}
	vals := []uint32{1}
	_, err = m.BatchUpdate(keys, vals, nil)
	return err
}

// Classification is how packets get their HTB class.
type Classification string

const (
	// ClassifyAuto picks ClassifyMetadata where the kernel allows it and
	// ClassifyTCLookup otherwise.
	ClassifyAuto Classification = ""
	// ClassifyMetadata: XDP looks the subscriber up and hands the class to
	// TC in the packet metadata; TC looks up only packets without it
	// (generic XDP). Open fails on a kernel without bpf_xdp_adjust_meta.
	ClassifyMetadata Classification = "xdp+tc-metadata"
	// ClassifyTCLookup: XDP counts and steers, TC looks every packet up.
	// Works on every kernel.
	ClassifyTCLookup Classification = "tc-lookup"
)

// ParseClassification reads a --classify value.
func ParseClassification(s string) (Classification, error) {
	switch s {
	case "", "auto":
		return ClassifyAuto, nil
	case "metadata", string(ClassifyMetadata):
		return ClassifyMetadata, nil
	case "tc-lookup", "tc":
		return ClassifyTCLookup, nil
	}
	return "", fmt.Errorf("classification %q: want auto, metadata or tc-lookup", s)
}

// Describe is the operator-facing name of the mode.
func (c Classification) Describe() string {
	switch c {
	case ClassifyMetadata:
		return "XDP+TC metadata"
	case ClassifyTCLookup:
		return "TC lookup"
	}
	return "auto"
}

// Degradation is one thing the data path runs without, and why.
type Degradation struct {
	Feature Feature
	Subject string // the interface, for per-interface features
	Reason  string // why it is off (the probe's error, or an operator switch)
	Cost    string // what it costs
}

// FeatureNativeXDP is reported per interface: its driver refused XDP in
// driver mode and auto fell back to generic (SKB) mode, which is slower and
// never carries metadata to TC, so TC looks up every packet there.
const FeatureNativeXDP Feature = "native_xdp"

// chooseVariant decides, from the probe and the options, which program
// variant every later load uses and what runs degraded. It edits the spec
// so that the maps it creates fit the variant.
func (d *Datapath) chooseVariant() error {
	if d.opts.Features != nil {
		d.features = *d.opts.Features
	} else {
		d.features = ProbeFeatures()
	}
	fs := d.features
	missing := func(f Feature) {
		d.degraded = append(d.degraded, Degradation{Feature: f, Reason: fs.Missing[f], Cost: f.Cost()})
	}
	switch d.opts.Classify {
	case ClassifyAuto:
		d.classify = ClassifyMetadata
		if !fs.Has(FeatureXDPMeta) {
			d.classify = ClassifyTCLookup
			missing(FeatureXDPMeta)
		}
	case ClassifyMetadata:
		if !fs.Has(FeatureXDPMeta) {
			return fmt.Errorf("datapath: classification %s needs bpf_xdp_adjust_meta in XDP programs, which this kernel refuses (%s); use auto or tc-lookup", ClassifyMetadata.Describe(), fs.Missing[FeatureXDPMeta])
		}
		d.classify = ClassifyMetadata
	case ClassifyTCLookup:
		d.classify = ClassifyTCLookup
	default:
		return fmt.Errorf("datapath: unknown classification %q", d.opts.Classify)
	}
	d.redirect = d.opts.CPURedirect
	if !fs.Has(FeatureCPUMap) {
		// The program still names the CPU map; an array of the same shape
		// loads everywhere, and cfg_redirect_cpu=0 prunes the redirect.
		cm := d.spec.Maps[mapCPU]
		cm.Type = ebpf.Array
		cm.Flags = 0
		if d.redirect {
			missing(FeatureCPUMap)
		}
		d.redirect = false
	}
	for _, f := range []Feature{FeatureTCX, FeatureCoarseClock, FeatureBatchOps} {
		if !fs.Has(f) {
			missing(f)
		}
	}
	return nil
}

// Status is the data path's mode: the program variant, the kernel's
// features, what runs degraded and the attached interfaces.
type Status struct {
	Classification Classification
	// ClassificationForced: the operator chose TC lookup on a kernel that
	// could hand metadata over.
	ClassificationForced bool
	CPURedirect          bool
	Features             Features
	Degraded             []Degradation
	Interfaces           []AttachInfo
}

// Status reports the mode in use. Interfaces whose XDP fell back to generic
// mode appear in Degraded as FeatureNativeXDP with the interface name.
func (d *Datapath) Status() Status {
	st := Status{
		Classification:       d.classify,
		ClassificationForced: d.opts.Classify == ClassifyTCLookup && d.features.Has(FeatureXDPMeta),
		CPURedirect:          d.redirect,
		Features:             d.features,
		Degraded:             append([]Degradation(nil), d.degraded...),
		Interfaces:           d.Attached(),
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, a := range d.attached {
		if a.nativeErr != nil {
			st.Degraded = append(st.Degraded, Degradation{Feature: FeatureNativeXDP, Subject: a.ifc.Name,
				Reason: a.nativeErr.Error(), Cost: "XDP runs in generic (SKB) mode on this interface: more CPU per packet, and TC looks up every packet because generic XDP's metadata never reaches TC"})
		}
	}
	return st
}

// Describe is the one-line mode for status output: "XDP+TC metadata",
// "TC lookup (kernel lacks xdp_metadata)", ...
func (st Status) Describe() string {
	s := st.Classification.Describe()
	switch {
	case st.ClassificationForced:
		s += " (forced by option)"
	case st.Classification == ClassifyTCLookup:
		s += " (kernel refuses bpf_xdp_adjust_meta in XDP)"
	}
	var generic []string
	for _, dg := range st.Degraded {
		if dg.Feature == FeatureNativeXDP {
			generic = append(generic, dg.Subject)
		}
	}
	if st.Classification == ClassifyMetadata && len(generic) > 0 {
		s += "; TC lookup on generic-XDP " + strings.Join(generic, ", ")
	}
	return s
}

//go:build linux

package datapath

import (
	"slices"
	"strings"
	"testing"

	"github.com/cilium/ebpf"
)

// featuresWithout is a kernel that has everything but the named features.
func featuresWithout(missing ...Feature) Features {
	fs := Features{Have: map[Feature]bool{}, Missing: map[Feature]string{}}
	for _, f := range AllFeatures {
		if slices.Contains(missing, f) {
			fs.Missing[f] = "not on this kernel"
			continue
		}
		fs.Have[f] = true
	}
	return fs
}

// The variant choice is pure: no kernel needed, so it runs as any user.
func TestChooseVariant(t *testing.T) {
	tests := []struct {
		name         string
		missing      []Feature
		classify     Classification
		redirect     bool
		wantClassify Classification
		wantRedirect bool
		wantDegraded []Feature
		wantErr      string
	}{
		{name: "everything", redirect: true, wantClassify: ClassifyMetadata, wantRedirect: true},
		{name: "no adjust_meta falls back to TC lookup", missing: []Feature{FeatureXDPMeta}, redirect: true,
			wantClassify: ClassifyTCLookup, wantRedirect: true, wantDegraded: []Feature{FeatureXDPMeta}},
		{name: "forced TC lookup is no degradation", classify: ClassifyTCLookup, wantClassify: ClassifyTCLookup},
		{name: "metadata demanded but missing", missing: []Feature{FeatureXDPMeta}, classify: ClassifyMetadata,
			wantErr: "needs bpf_xdp_adjust_meta"},
		{name: "no cpumap turns steering off", missing: []Feature{FeatureCPUMap}, redirect: true,
			wantClassify: ClassifyMetadata, wantDegraded: []Feature{FeatureCPUMap}},
		{name: "no cpumap without steering asked is fine", missing: []Feature{FeatureCPUMap},
			wantClassify: ClassifyMetadata},
		{name: "old kernel", missing: []Feature{FeatureXDPMeta, FeatureTCX, FeatureCoarseClock, FeatureBatchOps}, redirect: true,
			wantClassify: ClassifyTCLookup, wantRedirect: true,
			wantDegraded: []Feature{FeatureXDPMeta, FeatureTCX, FeatureCoarseClock, FeatureBatchOps}},
		{name: "unknown mode", classify: "bogus", wantErr: "unknown classification"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := loadLqos()
			if err != nil {
				t.Fatal(err)
			}
			fs := featuresWithout(tc.missing...)
			d := &Datapath{spec: spec, opts: Options{Classify: tc.classify, CPURedirect: tc.redirect, Features: &fs}}
			err = d.chooseVariant()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.classify != tc.wantClassify || d.redirect != tc.wantRedirect {
				t.Errorf("classify %q redirect %v, want %q %v", d.classify, d.redirect, tc.wantClassify, tc.wantRedirect)
			}
			var got []Feature
			for _, dg := range d.degraded {
				got = append(got, dg.Feature)
				if dg.Cost == "" || dg.Reason == "" {
					t.Errorf("degradation %s lacks reason or cost: %+v", dg.Feature, dg)
				}
			}
			if !slices.Equal(got, tc.wantDegraded) {
				t.Errorf("degraded %v, want %v", got, tc.wantDegraded)
			}
			cpumapType := spec.Maps[mapCPU].Type
			if fs.Has(FeatureCPUMap) != (cpumapType == ebpf.CPUMap) {
				t.Errorf("CPU map spec type %v with cpumap feature %v", cpumapType, fs.Has(FeatureCPUMap))
			}
		})
	}
}

func TestStatusDescribe(t *testing.T) {
	tests := []struct {
		st   Status
		want string
	}{
		{Status{Classification: ClassifyMetadata}, "XDP+TC metadata"},
		{Status{Classification: ClassifyTCLookup}, "TC lookup (kernel refuses bpf_xdp_adjust_meta in XDP)"},
		{Status{Classification: ClassifyTCLookup, ClassificationForced: true}, "TC lookup (forced by option)"},
		{Status{Classification: ClassifyMetadata, Degraded: []Degradation{{Feature: FeatureNativeXDP, Subject: "eth1"}}},
			"XDP+TC metadata; TC lookup on generic-XDP eth1"},
	}
	for _, tc := range tests {
		if got := tc.st.Describe(); got != tc.want {
			t.Errorf("Describe() = %q, want %q", got, tc.want)
		}
	}
}

func TestParseClassification(t *testing.T) {
	for in, want := range map[string]Classification{"": ClassifyAuto, "auto": ClassifyAuto, "metadata": ClassifyMetadata, "tc-lookup": ClassifyTCLookup} {
		got, err := ParseClassification(in)
		if err != nil || got != want {
			t.Errorf("ParseClassification(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseClassification("xdp"); err == nil {
		t.Error("ParseClassification(xdp) accepted")
	}
}

// The probe answers on this kernel; whatever it finds, each feature is
// either present or missing with a reason.
func TestProbeFeaturesOnThisKernel(t *testing.T) {
	requireRoot(t)
	fs := ProbeFeatures()
	for _, f := range AllFeatures {
		if fs.Has(f) == (fs.Missing[f] != "") {
			t.Errorf("%s: have %v, missing reason %q", f, fs.Has(f), fs.Missing[f])
		}
	}
	t.Logf("kernel features: %s", fs)
}

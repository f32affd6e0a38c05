package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestParseVMResults(t *testing.T) {
	b, err := os.ReadFile("testdata/results.log")
	if err != nil {
		t.Fatal(err)
	}
	k := &kernelResult{Label: "debian12-6.1", Pkgs: map[string]*pkgResult{}}
	parseVMResults(k, b)
	if k.Version != "6.1.0-57-cloud-amd64" || k.Done {
		t.Errorf("version %q done %v", k.Version, k.Done)
	}
	if !strings.HasPrefix(k.Features, "xdp_metadata=yes") || len(k.FeatureNotes) != 1 {
		t.Errorf("features %q notes %q", k.Features, k.FeatureNotes)
	}
	tests := []struct {
		pkg                  string
		status               string
		passed, failed, skip int
		secs                 int
	}{
		{"datapath", "pass", 2, 0, 1, 3},
		{"tc", "fail", 0, 1, 0, 9},
		// The VM died inside the package: what it printed, as a failure.
		{"shaper", "fail", 0, 0, 0, 0},
	}
	for _, tt := range tests {
		p := k.Pkgs[tt.pkg]
		if p == nil {
			t.Fatalf("%s: no result", tt.pkg)
		}
		if p.status() != tt.status || p.Passed != tt.passed || p.Failed != tt.failed || p.Skipped != tt.skip || p.Secs != tt.secs {
			t.Errorf("%s: %s %+v, want %s %d/%d/%d in %ds", tt.pkg, p.status(), p, tt.status, tt.passed, tt.failed, tt.skip, tt.secs)
		}
	}
	if got := k.Pkgs["datapath"].Skips; len(got) != 2 || !strings.HasPrefix(got[0], "TestB: not exercised on this kernel: no sch_cake") ||
		!strings.HasPrefix(got[1], "TestC/sub: not exercised on this kernel: no sch_fq_codel") {
		t.Errorf("skips %q", got)
	}
	if _, ok := k.Pkgs["daemon"]; ok || !k.failed() {
		t.Error("a package that never ran must fail the kernel")
	}
}

func TestPkgStatus(t *testing.T) {
	tests := []struct {
		p    pkgResult
		want string
	}{
		{pkgResult{Passed: 3}, "pass"},
		{pkgResult{Passed: 3, Skipped: 1}, "pass"},
		{pkgResult{Skipped: 2}, "skip"},
		{pkgResult{}, "fail"},                     // ran nothing
		{pkgResult{Passed: 3, RC: 2}, "fail"},     // build or panic outside a test
		{pkgResult{Passed: 3, Failed: 1}, "fail"}, //
	}
	for i, tt := range tests {
		if got := tt.p.status(); got != tt.want {
			t.Errorf("%d: %+v: %s, want %s", i, tt.p, got, tt.want)
		}
	}
}

func TestParseKernelList(t *testing.T) {
	ks, err := parseKernelList("k.txt", []byte("# comment\n\na linux-image-cloud-amd64\nb linux-image-6.12-cloud-amd64 xdp_metadata,tcx\n"))
	if err != nil || len(ks) != 2 || ks[1].Require != "xdp_metadata,tcx" || ks[0].Package != "linux-image-cloud-amd64" {
		t.Fatalf("%+v %v", ks, err)
	}
	for _, bad := range []string{"", "# only\n", "a\n", "a foo\n", "a linux-image-x b c\n"} {
		if _, err := parseKernelList("k.txt", []byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	if _, err := parseKernelList("k.txt", []byte("a linux-image-x\nb foo\n")); err == nil || !strings.Contains(err.Error(), "k.txt:2:") {
		t.Errorf("error %v, want it to name k.txt:2", err)
	}
}

// The initramfs is a gzip'd newc cpio archive the kernel can unpack: every
// header is well-formed, names and data are 4-byte aligned, parents come
// before children and it ends with the trailer.
func TestInitramfsFormat(t *testing.T) {
	r := newInitramfs()
	r.file("etc/lqkm/env", 0o644, []byte("export A=1\n"))
	r.symlink("bin/sh", "busybox")
	r.file("init", 0o755, []byte("#!/bin/sh\n"))
	var buf bytes.Buffer
	if err := r.writeTo(&buf); err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	type entry struct {
		name string
		mode uint64
		data string
	}
	var got []entry
	for off := 0; ; {
		if len(raw[off:]) < 110 || string(raw[off:off+6]) != "070701" {
			t.Fatalf("bad header at %d", off)
		}
		field := func(i int) uint64 {
			v, err := strconv.ParseUint(string(raw[off+6+8*i:off+14+8*i]), 16, 32)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		mode, size, nameLen := field(1), int(field(6)), int(field(11))
		name := string(raw[off+110 : off+110+nameLen-1])
		off += 110 + nameLen
		off += pad4(off)
		data := string(raw[off : off+size])
		off += size
		off += pad4(off)
		if name == "TRAILER!!!" {
			if off != len(raw) {
				t.Fatalf("%d bytes after the trailer", len(raw)-off)
			}
			break
		}
		got = append(got, entry{name, mode, data})
	}
	want := []entry{
		{"bin", modeDir | 0o755, ""}, {"bin/sh", modeSymlink | 0o777, "busybox"},
		{"etc", modeDir | 0o755, ""}, {"etc/lqkm", modeDir | 0o755, ""}, {"etc/lqkm/env", modeFile | 0o644, "export A=1\n"},
		{"init", modeFile | 0o755, "#!/bin/sh\n"},
	}
	if len(got) != len(want) {
		t.Fatalf("entries %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestKnownFailures(t *testing.T) {
	known, err := parseKnownFailures("kf.txt", []byte("# why\nk1 tc TestD assumes TCX\nk1 tc TestGone fixed since\nk2 tc TestD other kernel\n"))
	if err != nil || len(known) != 3 || known[0].Reason != "assumes TCX" {
		t.Fatalf("%+v %v", known, err)
	}
	if _, err := parseKnownFailures("kf.txt", []byte("k1 tc TestD\n")); err == nil || !strings.Contains(err.Error(), "kf.txt:1:") {
		t.Errorf("a line without a reason: %v", err)
	}
	mk := func(failed ...string) *kernelResult {
		return &kernelResult{Label: "k1", Pkgs: map[string]*pkgResult{"tc": {Pkg: "tc", RC: 1, Passed: 2, Failed: len(failed), FailedTests: failed}}}
	}
	// TestD is known, TestGone is listed but passed: stale, so still a failure.
	k := mk("TestD")
	applyKnownFailures(k, known)
	if p := k.Pkgs["tc"]; len(p.KnownFailed) != 1 || len(p.StaleKnown) != 1 || p.status() != "fail" {
		t.Errorf("known %v stale %v status %s", p.KnownFailed, p.StaleKnown, p.status())
	}
	// Only listed failures, nothing stale: the package passes.
	k = mk("TestD")
	applyKnownFailures(k, known[:1])
	if p := k.Pkgs["tc"]; p.status() != "pass" || !strings.Contains(p.cell(), "1 known fail") {
		t.Errorf("status %s cell %q", p.status(), p.cell())
	}
	// An unlisted failure fails it.
	k = mk("TestD", "TestE")
	applyKnownFailures(k, known[:1])
	if p := k.Pkgs["tc"]; p.status() != "fail" {
		t.Errorf("status %s with an unlisted failure", p.status())
	}
}

// Command kernel-matrix runs the kernel-touching test binaries on this
// machine's kernel and on stock Debian kernels booted under QEMU, and prints
// one table: kernel x package (pass/fail/skip) plus the optional data-path
// features each kernel has.
//
// Every kernel comes from the Debian archive through `apt-get download`; the
// initramfs is built here from busybox-static, iproute2 (ip, tc), ethtool,
// their shared libraries (ldd) and the modules the tests need (resolved with
// depmod -b / modprobe --show-depends). Results come back over the VM's
// second serial port. A kernel that cannot be downloaded, does not boot, or
// fails a package fails the run.
//
// Usage (as root, from the repository root): go run ./scripts/kernel-matrix
package main

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

//go:embed init.sh
var initScript []byte

// testPackages are the packages whose tests touch the kernel.
var testPackages = []string{"datapath", "tc", "shaper", "daemon"}

// vmModules are loaded in the VM (with their dependencies) before the tests;
// mq is always built in with the qdisc core, fq_codel often is.
var vmModules = []string{
	"sch_cake", "sch_fq_codel", "sch_htb", "sch_prio", "sch_sfq", "sch_fq",
	"sch_ingress", "cls_bpf", "cls_u32", "act_bpf", "veth", "bridge", "8021q",
	// vishvananda/netlink handles open xfrm and netfilter sockets too.
	"xfrm_user", "nfnetlink",
}

// tcgSkip are tests not run in a TCG guest, with the reason printed in the
// report: they time packets or rates against the wall clock, which an
// emulated CPU cannot keep up with. Shaping in the VM is measured by
// TestLeafShapesTrafficToPlanRate (low rates, offered load above the rate).
var tcgSkip = []struct{ pkg, test, why string }{
	{"tc", "TestTrafficShapedAndUnshaped", "10 Mbit/s TCP beside a 1 Gbit/s flow: the emulated CPU holds the shaped class below its rate"},
	{"tc", "TestRebuildWindowKeepsTrafficFlowing", "counts losses of a 1 packet/ms flow: the emulated CPU drops more than the grafts do"},
}

// guestSkip are tests of the kernel packages that are not kernel tests and
// need files of the repository a guest does not get: they run on the host.
var guestSkip = []struct{ pkg, test, why string }{
	{"daemon", "TestOpenGeoDegraded", "reads the shipped IP databases (built from web/node_modules, 140 MB): no kernel involved, run on the host"},
	{"daemon", "TestEnrichFlows", "reads the shipped IP databases (built from web/node_modules, 140 MB): no kernel involved, run on the host"},
}

// skipPattern is the -test.skip pattern of a guest: guestSkip, and tcgSkip
// under TCG.
func skipPattern(tcg bool) string {
	var names []string
	for _, s := range guestSkip {
		names = append(names, s.test)
	}
	if tcg {
		for _, s := range tcgSkip {
			names = append(names, s.test)
		}
	}
	return "^(" + strings.Join(names, "|") + ")$"
}

// requiredQdiscs is exported into the VM as LQOS_REQUIRE_QDISCS: the tc
// tests fail there, instead of reporting "not exercised", when one is missing.
const requiredQdiscs = "cake,fq_codel"

type options struct {
	work        string
	kernelsFile string
	knownFile   string
	only        string
	skipHost    bool
	testTimeout time.Duration
	runFilter   string
	vmTimeout   time.Duration
	kvmBoot     time.Duration
	memoryMB    int
	tcg         string
	parallel    int
	cpus        int
}

func main() {
	var o options
	flag.StringVar(&o.work, "work", "bin/kernel-matrix", "work directory (downloads, initramfs, logs)")
	flag.StringVar(&o.kernelsFile, "kernels", "scripts/kernel-matrix/kernels.txt", "kernel list: one `label apt-package` a line")
	flag.StringVar(&o.knownFile, "known-failures", "scripts/kernel-matrix/known-failures.txt", "tests known to fail on a kernel: `kernel package TestName reason` a line")
	flag.StringVar(&o.only, "only", "", "comma-separated labels of the kernels to run (\"host\" is this machine's); default all")
	flag.BoolVar(&o.skipHost, "skip-host", false, "do not run the tests on this machine's kernel")
	// Under TCG (no KVM) the data path's traffic tests alone take about 14
	// minutes on a 2-core machine running two guests; the limits leave room.
	flag.DurationVar(&o.testTimeout, "test-timeout", 30*time.Minute, "go test -timeout for one package")
	flag.DurationVar(&o.vmTimeout, "vm-timeout", 45*time.Minute, "wall-clock limit for one VM")
	flag.DurationVar(&o.kvmBoot, "kvm-boot", 20*time.Second, "how long a KVM guest may take to report boot before falling back to TCG")
	flag.IntVar(&o.memoryMB, "memory", 4096, "VM memory in MiB (tc keeps a 2 GiB floor free)")
	flag.IntVar(&o.cpus, "cpus", 2, "VM CPUs")
	flag.IntVar(&o.parallel, "parallel", 2, "VMs booted at the same time")
	flag.StringVar(&o.tcg, "tcg", "-accel tcg,thread=multi -cpu max", "QEMU arguments for a TCG guest")
	flag.StringVar(&o.runFilter, "run", "", "go test -run pattern (default: every test)")
	pkgs := flag.String("packages", strings.Join(testPackages, ","), "comma-separated packages under internal/ to test")
	flag.Parse()
	testPackages = strings.Split(*pkgs, ",")
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kernel-matrix:", err)
		os.Exit(1)
	}
}

func run(o options, out io.Writer) error {
	start := time.Now()
	kernels, err := readKernelList(o.kernelsFile)
	if err != nil {
		return err
	}
	var known []knownFailure
	if b, err := os.ReadFile(o.knownFile); err == nil {
		if known, err = parseKnownFailures(o.knownFile, b); err != nil {
			return err
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if o.work, err = filepath.Abs(o.work); err != nil {
		return err
	}
	repo, err := os.Getwd()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(o.work, 0o755); err != nil {
		return err
	}
	logf(out, "building test binaries (CGO_ENABLED=0)")
	bins, err := buildTests(repo, o.work)
	if err != nil {
		return err
	}
	var results []*kernelResult
	selected := func(label string) bool {
		return o.only == "" || slices.Contains(strings.Split(o.only, ","), label)
	}
	if !o.skipHost && selected("host") {
		results = append(results, runHost(o, out, repo, bins))
	}
	var kvm atomic.Bool
	kvm.Store(kvmUsable())
	var picked []kernelSpec
	for _, k := range kernels {
		if selected(k.Label) {
			picked = append(picked, k)
		}
	}
	// VMs run side by side (o.parallel at a time); rows keep list order.
	rows := make([]*kernelResult, len(picked))
	sem := make(chan struct{}, max(1, o.parallel))
	var wg sync.WaitGroup
	for i, k := range picked {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			rows[i] = runKernel(o, out, repo, bins, k, &kvm)
		}()
	}
	wg.Wait()
	results = append(results, rows...)
	if len(results) == 0 {
		return errors.New("no kernel selected")
	}
	for _, r := range results {
		applyKnownFailures(r, known)
	}
	fmt.Fprintln(out)
	printTable(out, results)
	fmt.Fprintf(out, "\nkernel matrix: %s total\n", time.Since(start).Round(time.Second))
	failed := 0
	for _, r := range results {
		if r.failed() {
			failed++
		}
	}
	fmt.Fprintf(out, "kernels: %d passed, %d failed\n", len(results)-failed, failed)
	if failed > 0 {
		return fmt.Errorf("%d of %d kernels failed", failed, len(results))
	}
	return nil
}

func logf(out io.Writer, format string, args ...any) {
	fmt.Fprintf(out, "[%s] %s\n", time.Now().UTC().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// kernelSpec is one line of the kernel list.
type kernelSpec struct {
	Label   string // column heading, e.g. "debian12-6.1"
	Package string // apt package: a linux-image-* package or a meta package depending on one
	// Require is LQOS_REQUIRE_FEATURES in the VM: data-path features whose
	// tests must run there (a missing one fails instead of being reported).
	Require string
}

func readKernelList(path string) ([]kernelSpec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseKernelList(path, b)
}

func parseKernelList(name string, b []byte) ([]kernelSpec, error) {
	var ks []kernelSpec
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 || len(f) > 3 || !strings.HasPrefix(f[1], "linux-image-") {
			return nil, fmt.Errorf("%s:%d: want `label linux-image-package [required-features]`, got %q", name, i+1, line)
		}
		k := kernelSpec{Label: f[0], Package: f[1]}
		if len(f) == 3 {
			k.Require = f[2]
		}
		ks = append(ks, k)
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("%s: no kernels listed", name)
	}
	return ks, nil
}

// buildTests compiles one static test binary per package (CGO_ENABLED=0, so
// it needs no libc in the VM), plus the feature probe when it exists.
func buildTests(repo, work string) (map[string]string, error) {
	dir := filepath.Join(work, "tests")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	bins := map[string]string{}
	for _, p := range testPackages {
		bin := filepath.Join(dir, p+".test")
		cmd := exec.Command("go", "test", "-c", "-o", bin, "./internal/"+p)
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go test -c ./internal/%s: %v\n%s", p, err, b)
		}
		bins[p] = bin
	}
	if _, err := os.Stat(filepath.Join(repo, "scripts/kernel-matrix/features/main.go")); err == nil {
		bin := filepath.Join(dir, "features")
		cmd := exec.Command("go", "build", "-o", bin, "./scripts/kernel-matrix/features")
		cmd.Dir = repo
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build ./scripts/kernel-matrix/features: %v\n%s", err, b)
		}
		bins["features"] = bin
	}
	return bins, nil
}

// runHost runs the same binaries on this machine's kernel, from each
// package's directory so testdata/ is found.
func runHost(o options, out io.Writer, repo string, bins map[string]string) *kernelResult {
	start := time.Now()
	rel, _ := exec.Command("uname", "-r").Output()
	r := &kernelResult{Label: "host", Version: strings.TrimSpace(string(rel)), Accel: "none (no VM)", Pkgs: map[string]*pkgResult{}}
	logdir := filepath.Join(o.work, "logs", "host")
	_ = os.MkdirAll(logdir, 0o755)
	if f, ok := bins["features"]; ok {
		b, err := exec.Command(f).CombinedOutput()
		for _, line := range strings.Split(string(b), "\n") {
			addFeatureLine(r, line)
		}
		if err != nil {
			r.FeatureNotes = append(r.FeatureNotes, "probe failed: "+err.Error())
		}
	}
	notExercised := filepath.Join(logdir, "not-exercised")
	_ = os.Remove(notExercised)
	for _, p := range testPackages {
		logf(out, "host %s: running %s tests", r.Version, p)
		t0 := time.Now()
		// This kernel is tested as it is: nothing is required of it.
		env := []string{"LQOS_NOT_EXERCISED_FILE=" + notExercised}
		for _, e := range os.Environ() {
			if !strings.HasPrefix(e, "LQOS_REQUIRE_") && !strings.HasPrefix(e, "LQOS_NOT_EXERCISED_FILE=") {
				env = append(env, e)
			}
		}
		cmd := exec.Command(bins[p], "-test.v", "-test.count=1", "-test.timeout="+o.testTimeout.String(), "-test.run="+o.runFilter)
		cmd.Dir = filepath.Join(repo, "internal", p)
		cmd.Env = env
		b, err := cmd.CombinedOutput()
		_ = os.WriteFile(filepath.Join(logdir, p+".log"), b, 0o644)
		rc := 0
		if err != nil {
			rc = -1
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				rc = ee.ExitCode()
			}
		}
		pr := parseGoTest(p, b, rc)
		pr.Secs = int(time.Since(t0).Seconds())
		r.Pkgs[p] = pr
		logf(out, "host %s: %s %s", r.Version, p, pr.cell())
	}
	if b, err := os.ReadFile(notExercised); err == nil {
		r.NotExercised = strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	r.Secs = int(time.Since(start).Seconds())
	return r
}

// runKernel downloads, boots and collects one kernel of the list.
func runKernel(o options, out io.Writer, repo string, bins map[string]string, k kernelSpec, kvm *atomic.Bool) *kernelResult {
	start := time.Now()
	r := &kernelResult{Label: k.Label, Package: k.Package, Required: k.Require, Pkgs: map[string]*pkgResult{}}
	defer func() { r.Secs = int(time.Since(start).Seconds()) }()
	kdir := filepath.Join(o.work, "kernels", k.Label)
	logf(out, "%s: apt-get download %s", k.Label, k.Package)
	img, err := fetchKernel(kdir, k.Package)
	if err != nil {
		r.Err = "download failed: " + err.Error()
		logf(out, "%s: %s", k.Label, r.Err)
		return r
	}
	r.Package, r.Version = img.Package+" "+img.DebVersion, img.Release
	logf(out, "%s: building initramfs for %s", k.Label, img.Release)
	initrd := filepath.Join(kdir, "initramfs.gz")
	if err := buildInitramfs(initrd, repo, img, bins, o, k.Require); err != nil {
		r.Err = "initramfs: " + err.Error()
		logf(out, "%s: %s", k.Label, r.Err)
		return r
	}
	logdir := filepath.Join(o.work, "logs", k.Label)
	_ = os.MkdirAll(logdir, 0o755)
	res, accel, err := bootVM(o, out, k.Label, img.Vmlinuz, initrd, logdir, kvm)
	r.Accel = accel
	if err != nil {
		r.Err = err.Error()
	}
	parseVMResults(r, res)
	if r.Err == "" && !r.Done {
		r.Err = "VM stopped before reporting all packages (see " + filepath.Join(logdir, "console.log") + ")"
	}
	for _, p := range testPackages {
		if pr, ok := r.Pkgs[p]; ok {
			_ = os.WriteFile(filepath.Join(logdir, p+".log"), pr.Output, 0o644)
		}
	}
	return r
}

// kernelImage is an unpacked linux-image package.
type kernelImage struct {
	Package, DebVersion string
	Release             string // uname -r
	Root                string // unpacked package (boot/, lib/modules/)
	Vmlinuz             string
}

// fetchKernel downloads pkg with apt-get; a meta package is followed to the
// linux-image package it depends on.
func fetchKernel(dir, pkg string) (*kernelImage, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for range 3 {
		deb, err := aptDownload(dir, pkg)
		if err != nil {
			return nil, err
		}
		root := filepath.Join(dir, "root")
		_ = os.RemoveAll(root)
		if b, err := exec.Command("dpkg-deb", "-x", deb, root).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("dpkg-deb -x %s: %v\n%s", deb, err, b)
		}
		vmlinuz, _ := filepath.Glob(filepath.Join(root, "boot", "vmlinuz-*"))
		if len(vmlinuz) == 1 {
			ver, _ := exec.Command("dpkg-deb", "-f", deb, "Version").Output()
			return &kernelImage{
				Package: pkg, DebVersion: strings.TrimSpace(string(ver)), Root: root, Vmlinuz: vmlinuz[0],
				Release: strings.TrimPrefix(filepath.Base(vmlinuz[0]), "vmlinuz-"),
			}, nil
		}
		deps, err := exec.Command("dpkg-deb", "-f", deb, "Depends").Output()
		if err != nil {
			return nil, fmt.Errorf("dpkg-deb -f %s Depends: %v", deb, err)
		}
		next := ""
		for _, d := range strings.Split(string(deps), ",") {
			name := strings.Fields(strings.TrimSpace(d) + " ")[0]
			if strings.HasPrefix(name, "linux-image-") {
				next = name
				break
			}
		}
		if next == "" {
			return nil, fmt.Errorf("%s has no kernel and depends on no linux-image package (Depends: %s)", pkg, strings.TrimSpace(string(deps)))
		}
		pkg = next
	}
	return nil, fmt.Errorf("%s: meta packages nest too deep", pkg)
}

func aptDownload(dir, pkg string) (string, error) {
	cmd := exec.Command("apt-get", "download", pkg)
	cmd.Dir = dir
	b, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("apt-get download %s: %v: %s", pkg, err, lastLines(b, 3))
	}
	debs, _ := filepath.Glob(filepath.Join(dir, pkg+"_*.deb"))
	if len(debs) != 1 {
		return "", fmt.Errorf("apt-get download %s: expected one .deb, found %d", pkg, len(debs))
	}
	return debs[0], nil
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// buildInitramfs writes the VM's root filesystem.
func buildInitramfs(dst, repo string, img *kernelImage, bins map[string]string, o options, require string) error {
	r := newInitramfs()
	for _, d := range []string{"proc", "sys", "dev", "run", "tmp", "root", "etc", "usr/sbin", "usr/bin", "sbin", "bin", "var"} {
		r.dir(d)
	}
	r.symlink("var/run", "/run")
	r.file("init", 0o755, initScript)
	if err := r.copyFile("bin/busybox", "/bin/busybox"); err != nil {
		return fmt.Errorf("busybox-static: %w", err)
	}
	applets, err := exec.Command("/bin/busybox", "--list").Output()
	if err != nil {
		return fmt.Errorf("busybox --list: %w", err)
	}
	tools := map[string]string{"ip": "/usr/sbin/ip", "tc": "/usr/sbin/tc", "ethtool": "/usr/sbin/ethtool"}
	for _, a := range strings.Fields(string(applets)) {
		if _, real := tools[a]; !real && a != "busybox" {
			r.symlink("bin/"+a, "busybox")
		}
	}
	for _, name := range []string{"ip", "tc", "ethtool"} {
		if err := addWithLibs(r, tools[name]); err != nil {
			return err
		}
	}
	// The daemon's lab runs lqosd under nsenter; busybox provides it.
	for pkg, bin := range bins {
		if pkg == "features" {
			if err := r.copyFile("lqkm/features", bin); err != nil {
				return err
			}
			continue
		}
		if err := r.copyFile("lqkm/"+pkg+".test", bin); err != nil {
			return err
		}
		r.dir("src/internal/" + pkg)
		if err := addTree(r, repo, "internal/"+pkg+"/testdata"); err != nil {
			return err
		}
	}
	// Trees the tests read from outside their own package: the examples,
	// and the sysfs trees of internal/cores that the shaper's tests use.
	for _, tree := range []string{"examples", "internal/cores/testdata"} {
		if err := addTree(r, repo, tree); err != nil {
			return err
		}
	}
	mods, err := resolveModules(img, filepath.Join(filepath.Dir(dst), "modules"))
	if err != nil {
		return err
	}
	var list bytes.Buffer
	for _, m := range mods {
		rel := filepath.Base(m)
		if err := r.copyFile("lib/modules/"+rel, m); err != nil {
			return err
		}
		fmt.Fprintln(&list, rel)
	}
	r.file("etc/lqkm/modules", 0o644, list.Bytes())
	r.file("etc/lqkm/packages", 0o644, []byte(strings.Join(testPackages, "\n")+"\n"))
	r.file("etc/lqkm/env", 0o644, []byte(fmt.Sprintf("export LQOS_REQUIRE_QDISCS=%s LQOS_REQUIRE_FEATURES='%s' LQKM_TEST_TIMEOUT=%s LQKM_RUN='%s'\n",
		requiredQdiscs, require, o.testTimeout, o.runFilter)))
	r.file("etc/passwd", 0o644, []byte("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"))
	r.file("etc/group", 0o644, []byte("root:x:0:\nnogroup:x:65534:\n"))
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	if err := r.writeTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// addWithLibs adds a dynamically linked host binary and the libraries ldd
// lists for it, each at the path the loader looks for.
func addWithLibs(r *initramfs, bin string) error {
	if err := r.copyFile(bin, bin); err != nil {
		return fmt.Errorf("%s (iproute2/ethtool installed?): %w", bin, err)
	}
	b, err := exec.Command("ldd", bin).Output()
	if err != nil {
		return fmt.Errorf("ldd %s: %w", bin, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		var lib string
		switch {
		case len(f) >= 3 && f[1] == "=>" && strings.HasPrefix(f[2], "/"):
			lib = f[2]
		case len(f) >= 1 && strings.HasPrefix(f[0], "/"):
			lib = f[0]
		default:
			continue
		}
		if !r.has(lib) {
			real, err := filepath.EvalSymlinks(lib)
			if err != nil {
				return fmt.Errorf("ldd %s: %w", bin, err)
			}
			if err := r.copyFile(lib, real); err != nil {
				return err
			}
		}
	}
	return nil
}

// addTree copies a repository directory (if it exists) under /src.
func addTree(r *initramfs, repo, rel string) error {
	root := filepath.Join(repo, rel)
	if _, err := os.Stat(root); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	return filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		in, _ := filepath.Rel(repo, p)
		if info.IsDir() {
			r.dir("src/" + in)
			return nil
		}
		if info.Mode().IsRegular() {
			return r.copyFile("src/"+in, p)
		}
		return nil
	})
}

// resolveModules runs depmod -b on the unpacked package and returns the
// module files to load, dependencies first, decompressed into dir.
func resolveModules(img *kernelImage, dir string) ([]string, error) {
	if b, err := exec.Command("depmod", "-b", img.Root, img.Release).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("depmod -b (kmod installed?): %v\n%s", err, b)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	insmod := regexp.MustCompile(`^insmod (\S+)`)
	for _, m := range vmModules {
		b, err := exec.Command("modprobe", "-d", img.Root, "-S", img.Release, "--show-depends", m).CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("modprobe --show-depends %s for %s: %v\n%s", m, img.Release, err, b)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		for sc.Scan() {
			mm := insmod.FindStringSubmatch(sc.Text())
			if mm == nil || seen[mm[1]] {
				continue // "builtin sch_fq_codel": nothing to load
			}
			seen[mm[1]] = true
			ko, err := decompressModule(mm[1], dir)
			if err != nil {
				return nil, err
			}
			out = append(out, ko)
		}
	}
	return out, nil
}

func decompressModule(src, dir string) (string, error) {
	base := filepath.Base(src)
	var tool string
	switch {
	case strings.HasSuffix(base, ".ko"):
		return src, nil
	case strings.HasSuffix(base, ".ko.xz"):
		tool = "xz"
	case strings.HasSuffix(base, ".ko.zst"):
		tool = "zstd"
	case strings.HasSuffix(base, ".ko.gz"):
		tool = "gzip"
	default:
		return "", fmt.Errorf("module %s: unknown compression", src)
	}
	dst := filepath.Join(dir, base[:strings.Index(base, ".ko")+3])
	b, err := exec.Command(tool, "-dc", src).Output()
	if err != nil {
		return "", fmt.Errorf("%s -dc %s: %w", tool, src, err)
	}
	return dst, os.WriteFile(dst, b, 0o644)
}

// kvmUsable reports whether /dev/kvm can be opened at all.
func kvmUsable() bool {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// bootVM runs the VM to completion and returns what it wrote to the results
// port. KVM is tried first; a guest that does not report boot within
// o.kvmBoot (nested KVM can hang) is killed and TCG is used from then on.
func bootVM(o options, out io.Writer, label, kernel, initrd, logdir string, kvm *atomic.Bool) ([]byte, string, error) {
	results := filepath.Join(logdir, "results.log")
	console := filepath.Join(logdir, "console.log")
	try := func(accel string, bootLimit time.Duration) ([]byte, error) {
		_ = os.Remove(results)
		args := []string{
			"-nodefaults", "-no-reboot", "-display", "none", "-monitor", "none",
			"-m", fmt.Sprint(o.memoryMB), "-smp", fmt.Sprint(o.cpus),
			"-kernel", kernel, "-initrd", initrd,
			"-append", "console=ttyS0 panic=-1 quiet loglevel=4",
			"-serial", "file:" + console, "-serial", "file:" + results,
		}
		if accel == "kvm" {
			args = append(args, "-accel", "kvm", "-cpu", "host")
		} else {
			args = append(args, strings.Fields(o.tcg)...)
		}
		args[slices.Index(args, "-append")+1] += " lqkm_skip=" + skipPattern(accel != "kvm")
		ctx, cancel := context.WithTimeout(context.Background(), o.vmTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, "qemu-system-x86_64", args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			return nil, fmt.Errorf("qemu-system-x86_64 (qemu-system-x86 installed?): %w", err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		booted := false
		deadline := time.After(bootLimit)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case err := <-done:
				b, _ := os.ReadFile(results)
				if ctx.Err() != nil {
					return b, fmt.Errorf("VM (%s) killed after %s", accel, o.vmTimeout)
				}
				if err != nil {
					return b, fmt.Errorf("qemu (%s): %v: %s", accel, err, lastLines(stderr.Bytes(), 3))
				}
				if !bytes.Contains(b, []byte("LQKM BOOTED")) {
					return b, errNoBoot
				}
				return b, nil
			case <-tick.C:
				if !booted {
					b, _ := os.ReadFile(results)
					if bytes.Contains(b, []byte("LQKM BOOTED")) {
						booted = true
						logf(out, "%s: booted (%s) %s", label, accel, firstLine(b))
					}
				}
			case <-deadline:
				if !booted {
					_ = cmd.Process.Kill()
					<-done
					return nil, errNoBoot
				}
			}
		}
	}
	if kvm.Load() {
		logf(out, "%s: booting under KVM", label)
		b, err := try("kvm", o.kvmBoot)
		if !errors.Is(err, errNoBoot) {
			return b, "kvm", err
		}
		logf(out, "%s: no boot under KVM within %s; TCG from now on", label, o.kvmBoot)
		kvm.Store(false)
	}
	logf(out, "%s: booting under TCG", label)
	b, err := try("tcg", 3*time.Minute)
	if errors.Is(err, errNoBoot) {
		err = fmt.Errorf("VM did not boot (see %s)", console)
	}
	return b, "tcg", err
}

var errNoBoot = errors.New("no boot")

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return strings.TrimSpace(string(line))
}

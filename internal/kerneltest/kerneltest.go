// Package kerneltest holds the rules every kernel-touching test follows:
// who may run it, and what happens when the kernel lacks a feature.
//
// A missing kernel feature never skips a test silently. The test reports
// the path it could not exercise (in its log and, when
// $LQOS_NOT_EXERCISED_FILE names a file, as a line appended there so the
// test run can print a summary) and goes on to test the other path. Where a
// path must run, for example on the stock kernels of the kernel matrix,
// $LQOS_REQUIRE_FEATURES lists it (comma-separated names, or "all") and the
// report becomes a failure.
//
// The helpers here (NetNS, Veth, BPFFS, Run) are the one set every kernel
// test builds its namespaces, links and pin directories with.
package kerneltest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// RequireRoot skips a test that needs root (BPF, netns, bpffs, qdiscs)
// when it runs as a normal user: unit tests must pass there, and kernel
// tests run as root in CI. It is the one skip a kernel test may take, and
// only outside CI: with $CI "true" a missing root fails the test, so a CI
// run that lost its privileges cannot pass by skipping everything.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("kernel test: needs root (BPF, network namespaces, bpffs), and CI=true runs every test as root")
	}
	t.Skip("kernel test: needs root (BPF, network namespaces, bpffs)")
}

// Required reports whether feature must be present on this kernel.
func Required(feature string) bool {
	for _, f := range strings.Split(os.Getenv("LQOS_REQUIRE_FEATURES"), ",") {
		f = strings.TrimSpace(f)
		if f == "all" || f == feature {
			return true
		}
	}
	return false
}

var reportMu sync.Mutex

// Feature returns have. When the feature is missing it reports that the
// path depending on it was not exercised (and why), or fails the test when
// the feature is required. Callers test the remaining path either way.
func Feature(t testing.TB, feature string, have bool, why string) bool {
	t.Helper()
	if have {
		return true
	}
	msg := fmt.Sprintf("NOT EXERCISED on this kernel: %s path (%s)", feature, why)
	if Required(feature) {
		t.Fatalf("%s, but LQOS_REQUIRE_FEATURES requires it", msg)
	}
	t.Log(msg)
	if path := os.Getenv("LQOS_NOT_EXERCISED_FILE"); path != "" {
		reportMu.Lock()
		defer reportMu.Unlock()
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			t.Errorf("kerneltest: report file: %v", err)
			return false
		}
		defer f.Close()
		fmt.Fprintf(f, "%s: %s\n", t.Name(), msg)
	}
	return false
}

// Binary looks up a program a test runs (a real Prometheus, InfluxDB, ...)
// and returns its path. When it is missing, the test fails with a message
// naming the Debian package if $CI is "true" (CI installs it), and
// otherwise reports the path as not exercised, as Feature does, and
// returns "" so the caller stops that part.
func Binary(t testing.TB, name, debianPackage string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	why := fmt.Sprintf("%s not found in PATH; install the Debian package %q (apt-get install %s)", name, debianPackage, debianPackage)
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: CI=true requires it (.ci/run installs it)", why)
	}
	Feature(t, name, false, why)
	return ""
}

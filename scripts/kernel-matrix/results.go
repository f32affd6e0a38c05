package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// pkgResult is one package's test binary on one kernel.
type pkgResult struct {
	Pkg                     string
	RC                      int // exit code; -1 when the binary never reported one
	Passed, Failed, Skipped int // top-level tests
	FailedTests             []string
	KnownFailed             []knownFailure // failures listed in known-failures.txt
	StaleKnown              []knownFailure // listed but did not fail: the list is out of date
	Skips                   []string       // "TestName[/subtest]: skip message", subtests too
	Secs                    int
	Output                  []byte
}

// status is pass, fail or skip (every test skipped). Failures of tests in
// the known-failures list do not fail the package; anything else that
// makes the binary exit non-zero does.
func (p *pkgResult) status() string {
	unexpected := p.Failed - len(p.KnownFailed)
	switch {
	case unexpected > 0, p.RC != 0 && p.Failed == 0, len(p.StaleKnown) > 0:
		return "fail"
	case p.Passed == 0 && p.Skipped > 0:
		return "skip"
	case p.Passed == 0:
		return "fail" // ran nothing: a broken binary, not a pass
	}
	return "pass"
}

func (p *pkgResult) cell() string {
	s := fmt.Sprintf("%s %d/%d", p.status(), p.Passed, p.Passed+p.Failed+p.Skipped)
	if p.Skipped > 0 {
		s += fmt.Sprintf(" (%d skip)", p.Skipped)
	}
	if len(p.KnownFailed) > 0 {
		s += fmt.Sprintf(" (%d known fail)", len(p.KnownFailed))
	}
	if p.RC != 0 && p.Failed == 0 {
		s += fmt.Sprintf(" rc=%d", p.RC)
	}
	return s
}

// knownFailure is one line of known-failures.txt: a test that fails on a
// kernel for a reason recorded there, until it is fixed.
type knownFailure struct {
	Kernel, Pkg, Test, Reason string
}

func parseKnownFailures(name string, b []byte) ([]knownFailure, error) {
	var out []knownFailure
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[2], "Test") {
			return nil, fmt.Errorf("%s:%d: want `kernel package TestName reason...`, got %q", name, i+1, line)
		}
		out = append(out, knownFailure{Kernel: f[0], Pkg: f[1], Test: f[2], Reason: strings.Join(f[3:], " ")})
	}
	return out, nil
}

// applyKnownFailures marks the listed failures of one kernel as known, and
// a listed test that passed (or did not fail) as stale, which fails the
// package so the list is kept true.
func applyKnownFailures(k *kernelResult, known []knownFailure) {
	for _, kf := range known {
		if kf.Kernel != k.Label {
			continue
		}
		p, ok := k.Pkgs[kf.Pkg]
		if !ok {
			continue
		}
		if slices.Contains(p.FailedTests, kf.Test) {
			p.KnownFailed = append(p.KnownFailed, kf)
		} else {
			p.StaleKnown = append(p.StaleKnown, kf)
		}
	}
}

// kernelResult is one row of the table.
type kernelResult struct {
	Label, Package, Version string
	Required                string // LQOS_REQUIRE_FEATURES inside the VM
	Accel                   string
	Err                     string // download, boot or VM failure
	Features                string
	FeatureNotes            []string // why each missing feature is missing
	NotExercised            []string // paths the tests report as not exercised
	Skipped                 string   // -test.skip pattern the VM applied (TCG)
	Done                    bool     // the VM reported the end of every package
	Secs                    int
	Pkgs                    map[string]*pkgResult
}

func (k *kernelResult) failed() bool {
	if k.Err != "" {
		return true
	}
	for _, p := range testPackages {
		pr, ok := k.Pkgs[p]
		if !ok || pr.status() == "fail" {
			return true
		}
	}
	return false
}

var (
	topLevelResult = regexp.MustCompile(`^--- (PASS|FAIL|SKIP): (\S+)`)
	subtestSkip    = regexp.MustCompile(`^\s+--- SKIP: (\S+)`)
	endMarker      = regexp.MustCompile(`^LQKM END (\S+) rc=(-?\d+) secs=(\d+)`)
)

// parseGoTest counts the top-level results of `go test -v` output.
func parseGoTest(pkg string, out []byte, rc int) *pkgResult {
	p := &pkgResult{Pkg: pkg, RC: rc, Output: out}
	lines := strings.Split(strings.ReplaceAll(string(out), "\r", ""), "\n")
	for i, line := range lines {
		if m := subtestSkip.FindStringSubmatch(line); m != nil {
			p.Skips = append(p.Skips, m[1]+": "+skipMessage(lines, i, m[1]))
			continue
		}
		m := topLevelResult.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		switch m[1] {
		case "PASS":
			p.Passed++
		case "FAIL":
			p.Failed++
			p.FailedTests = append(p.FailedTests, m[2])
		case "SKIP":
			p.Skipped++
			p.Skips = append(p.Skips, m[2]+": "+skipMessage(lines, i, m[2]))
		}
	}
	return p
}

// skipMessage finds the skip reason of test name, reported at lines[i]:
// with -v a test's log is streamed after its "=== RUN" line (before its
// own or its parent's result lines), as "    file_test.go:12: message";
// the reason is the last such line.
func skipMessage(lines []string, i int, name string) string {
	start := -1
	for j := i - 1; j >= 0; j-- {
		if strings.TrimSpace(lines[j]) == "=== RUN   "+name {
			start = j
			break
		}
	}
	msg := "(no message)"
	for j := start + 1; start >= 0 && j < i && !strings.HasPrefix(lines[j], "=== RUN"); j++ {
		if file, after, ok := strings.Cut(strings.TrimSpace(lines[j]), ": "); ok && strings.Contains(file, ".go:") {
			msg = after
		}
	}
	return msg
}

// parseVMResults splits the results port output into packages.
func parseVMResults(k *kernelResult, b []byte) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	var cur string
	var buf bytes.Buffer
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.HasPrefix(line, "LQKM BOOTED "):
			if k.Version == "" {
				k.Version = strings.TrimPrefix(line, "LQKM BOOTED ")
			}
		case strings.HasPrefix(line, "LQKM FEATURES "):
			addFeatureLine(k, strings.TrimPrefix(line, "LQKM FEATURES "))
		case strings.HasPrefix(line, "LQKM SKIPPED "):
			k.Skipped = strings.TrimPrefix(line, "LQKM SKIPPED ")
		case strings.HasPrefix(line, "LQKM NOT-EXERCISED "):
			k.NotExercised = append(k.NotExercised, strings.TrimPrefix(line, "LQKM NOT-EXERCISED "))
		case strings.HasPrefix(line, "LQKM MODULE-FAILED "):
			k.Features = strings.TrimSpace(k.Features + " module-failed:" + strings.TrimPrefix(line, "LQKM MODULE-FAILED "))
		case strings.HasPrefix(line, "LQKM BEGIN "):
			cur = strings.TrimPrefix(line, "LQKM BEGIN ")
			buf.Reset()
		case strings.HasPrefix(line, "LQKM END "):
			m := endMarker.FindStringSubmatch(line)
			if m == nil || m[1] != cur {
				continue
			}
			rc, _ := strconv.Atoi(m[2])
			p := parseGoTest(cur, bytes.Clone(buf.Bytes()), rc)
			p.Secs, _ = strconv.Atoi(m[3])
			k.Pkgs[cur] = p
			cur = ""
		case line == "LQKM DONE":
			k.Done = true
		default:
			if cur != "" {
				buf.WriteString(line)
				buf.WriteByte('\n')
			}
		}
	}
	if cur != "" {
		// The VM died inside a package: keep what it printed, as a failure.
		k.Pkgs[cur] = parseGoTest(cur, bytes.Clone(buf.Bytes()), -1)
	}
}

// addFeatureLine takes one line of the features probe's output: the first
// is the summary, the others say why a feature is missing.
func addFeatureLine(k *kernelResult, line string) {
	line = strings.TrimSpace(line)
	if k.Features == "" {
		k.Features = line
	} else if line != "" {
		k.FeatureNotes = append(k.FeatureNotes, line)
	}
}

// printTable writes the kernel x package table, then the failures and the
// tests each kernel did not exercise.
func printTable(out io.Writer, rs []*kernelResult) {
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "KERNEL\tRELEASE\tACCEL")
	for _, p := range testPackages {
		fmt.Fprint(tw, "\t"+strings.ToUpper(p))
	}
	fmt.Fprint(tw, "\tTIME\tRESULT\n")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s", r.Label, orDash(r.Version), orDash(r.Accel))
		for _, p := range testPackages {
			if pr, ok := r.Pkgs[p]; ok {
				fmt.Fprintf(tw, "\t%s", pr.cell())
			} else {
				fmt.Fprint(tw, "\tnot run")
			}
		}
		res := "PASS"
		if r.failed() {
			res = "FAIL"
		}
		fmt.Fprintf(tw, "\t%dm%02ds\t%s\n", r.Secs/60, r.Secs%60, res)
	}
	tw.Flush()
	fmt.Fprintln(out)
	for _, r := range rs {
		fmt.Fprintf(out, "%s: package %s; features: %s\n", r.Label, orDash(r.Package), orDash(r.Features))
		if r.Required != "" {
			fmt.Fprintf(out, "  required features (LQOS_REQUIRE_FEATURES): %s\n", r.Required)
		}
		for _, n := range r.FeatureNotes {
			fmt.Fprintf(out, "  %s\n", n)
		}
		if r.Err != "" {
			fmt.Fprintf(out, "  ERROR: %s\n", r.Err)
		}
		if r.Skipped != "" {
			for _, sk := range guestSkip {
				fmt.Fprintf(out, "  not run in a guest: %s %s (%s)\n", sk.pkg, sk.test, sk.why)
			}
			for _, sk := range tcgSkip {
				if strings.Contains(r.Skipped, sk.test) {
					fmt.Fprintf(out, "  not run under TCG: %s %s (%s)\n", sk.pkg, sk.test, sk.why)
				}
			}
		}
		for _, n := range r.NotExercised {
			fmt.Fprintf(out, "  not exercised: %s\n", n)
		}
		for _, p := range testPackages {
			pr, ok := r.Pkgs[p]
			if !ok {
				continue
			}
			for _, t := range pr.FailedTests {
				known := ""
				for _, kf := range pr.KnownFailed {
					if kf.Test == t {
						known = " (known failure: " + kf.Reason + ")"
					}
				}
				fmt.Fprintf(out, "  FAIL %s %s%s\n", p, t, known)
			}
			for _, kf := range pr.StaleKnown {
				fmt.Fprintf(out, "  STALE %s %s: listed in known-failures.txt but did not fail; remove the line\n", p, kf.Test)
			}
			for _, s := range pr.Skips {
				fmt.Fprintf(out, "  skip %s %s\n", p, s)
			}
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

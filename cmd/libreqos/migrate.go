package main

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/libreqos-go/lqos/internal/apply"
	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/diag"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/overrides"
)

// upstreamSQMIndex is the cell upstream's planner reads as the sqm override
// whatever the header says (0-based; Upload Max Mbps under the 15-column
// header).
const upstreamSQMIndex = 13

// migrateCheck reads an upstream LibreQoS install directory (the one holding
// ShapedDevices.csv and network.json, normally /opt/libreqos/src) and
// reports, per file, whether it loads here unchanged and then what would
// shape differently from upstream. lqos.conf is taken from DIR when present,
// else from the resolved --config path. Nothing is applied or written. The
// exit code is exitOK only when every file loads unchanged.
func migrateCheck(dir string, opts options, out io.Writer) int {
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		fmt.Fprintf(out, "migrate-check: %s is not a directory: %v\n", dir, err)
		return exitInvalid
	}
	confPath := filepath.Join(dir, "lqos.conf")
	if _, err := os.Stat(confPath); err != nil {
		confPath = opts.ConfigPath
	}
	fmt.Fprintf(out, "Upstream install: %s\n\n", dir)
	ok := true

	cfg, warns, err := config.Load(confPath)
	switch {
	case err != nil:
		ok = false
		fmt.Fprintf(out, "lqos.conf (%s): does NOT load\n  %v\n", confPath, strings.ReplaceAll(err.Error(), "\n", "\n  "))
	default:
		var unknown, notUsed []string
		for _, w := range config.SortedWarnings(warns) {
			if strings.HasPrefix(w.Message, config.NotUsedMessage) {
				notUsed = append(notUsed, w.Message)
			} else {
				unknown = append(unknown, w.String())
			}
		}
		if len(unknown) == 0 {
			fmt.Fprintf(out, "lqos.conf (%s): loads unchanged\n", confPath)
		} else {
			fmt.Fprintf(out, "lqos.conf (%s): loads, with %d unknown keys ignored\n", confPath, len(unknown))
		}
		for _, line := range append(unknown, notUsed...) {
			fmt.Fprintf(out, "  %s\n", line)
		}
		if abs, _ := filepath.Abs(dir); cfg.LqosDirectory != abs {
			fmt.Fprintf(out, "  lqos_directory is %s; this check reads the inputs from %s\n", cfg.LqosDirectory, abs)
		}
		cfg.LqosDirectory = dir
	}
	if cfg == nil {
		// The input files are still worth checking against the defaults.
		cfg = config.Defaults()
		cfg.Bridge = &config.Bridge{ToInternet: "eth0", ToNetwork: "eth1"}
		cfg.LqosDirectory = dir
		fmt.Fprintln(out, "  (the input files below are checked with the default settings)")
	}

	in, l := inputs.Load(cfg)
	if !l.HasErrors() {
		l.Merge(apply.CheckPlan(cfg, in, opts.TxQueues))
	}
	byFile := map[string][]diag.Problem{}
	for _, p := range l.Problems {
		byFile[p.File] = append(byFile[p.File], p)
	}
	for _, name := range []string{inputs.ShapedDevicesFile, inputs.NetworkFile, overrides.FileName} {
		ps := byFile[name]
		delete(byFile, name)
		path := filepath.Join(dir, name)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			if name == overrides.FileName {
				fmt.Fprintf(out, "%s: absent (no overrides)\n", name)
				continue
			}
		}
		if !fileReport(out, name, ps) {
			ok = false
		}
	}
	// Cross-file findings (the planner's) that name no input file.
	rest := make([]string, 0, len(byFile))
	for f := range byFile {
		rest = append(rest, f)
	}
	sort.Strings(rest)
	for _, f := range rest {
		if !fileReport(out, f, byFile[f]) {
			ok = false
		}
	}

	fmt.Fprintln(out, "\nWhat would shape differently from upstream:")
	diffs := shapingDifferences(filepath.Join(dir, inputs.ShapedDevicesFile), cfg)
	for _, p := range l.Errors() {
		parentField := p.Field == "Parent Node" || p.Field == "Parent Node ID"
		if p.File == inputs.ShapedDevicesFile && parentField && strings.Contains(p.Message, "does not exist") {
			diffs = append(diffs, fmt.Sprintf("%s: upstream leaves this circuit unshaped without a word; here the inputs are refused until it is fixed", p))
		}
	}
	for _, p := range l.Warnings() {
		if strings.Contains(p.Message, "name different nodes") || strings.Contains(p.Message, "found by Parent Node ID") {
			diffs = append(diffs, fmt.Sprintf("%s (same node as upstream)", p))
		}
	}
	diffs = append(diffs, "class numbering: queue identities are kept stable across runs here; upstream renumbers class minors on every full reload (the tc class ids differ, the rates do not)")
	for _, d := range diffs {
		fmt.Fprintf(out, "  - %s\n", d)
	}
	if ok {
		fmt.Fprintln(out, "\nResult: every file loads unchanged.")
		return exitOK
	}
	fmt.Fprintln(out, "\nResult: some files need changes before this version shapes with them (see above).")
	return exitInvalid
}

// fileReport prints one file's verdict; it reports whether the file loads.
func fileReport(out io.Writer, name string, ps []diag.Problem) bool {
	var errs, warns []diag.Problem
	for _, p := range ps {
		if p.Severity == diag.Error {
			errs = append(errs, p)
		} else {
			warns = append(warns, p)
		}
	}
	switch {
	case len(errs) > 0:
		fmt.Fprintf(out, "%s: does NOT load unchanged (%d errors, %d warnings)\n", name, len(errs), len(warns))
	case len(warns) > 0:
		fmt.Fprintf(out, "%s: loads unchanged, %d warnings\n", name, len(warns))
	default:
		fmt.Fprintf(out, "%s: loads unchanged\n", name)
	}
	for _, p := range errs {
		fmt.Fprintf(out, "  %s\n", p)
	}
	for _, p := range warns {
		fmt.Fprintf(out, "  %s\n", p)
	}
	return len(errs) == 0
}

// shapingDifferences finds what upstream reads differently from the raw
// ShapedDevices.csv: the sqm override it takes from a fixed cell, and
// Parent Node cells it does not trim.
func shapingDifferences(path string, cfg *config.Config) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.FieldsPerRecord = -1
	var header []string
	var sqmLines, spaceLines []string
	hasSQM := false
	parentCol := -1
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		line, _ := r.FieldPos(0)
		if header == nil {
			header = rec
			for i, h := range rec {
				switch strings.ToLower(strings.TrimSpace(h)) {
				case "sqm":
					hasSQM = true
				case "parent node":
					parentCol = i
				}
			}
			continue
		}
		if !hasSQM && len(rec) > upstreamSQMIndex && strings.TrimSpace(rec[upstreamSQMIndex]) != "" {
			sqmLines = append(sqmLines, fmt.Sprintf("line %d %q", line, rec[upstreamSQMIndex]))
		}
		if parentCol >= 0 && parentCol < len(rec) && rec[parentCol] != strings.TrimSpace(rec[parentCol]) {
			spaceLines = append(spaceLines, fmt.Sprintf("line %d %q", line, rec[parentCol]))
		}
	}
	var out []string
	if len(sqmLines) > 0 && len(header) > upstreamSQMIndex {
		out = append(out, fmt.Sprintf("%s: upstream reads column %d (%q) as a per-circuit sqm override for %d rows (%s): those circuits lose the fq_codel switch at %v Mbps there; here sqm comes only from a column named sqm",
			inputs.ShapedDevicesFile, upstreamSQMIndex+1, strings.TrimSpace(header[upstreamSQMIndex]), len(sqmLines), sample(sqmLines), cfg.FastQueuesThreshold()))
	}
	if len(spaceLines) > 0 {
		out = append(out, fmt.Sprintf("%s: %d Parent Node cells have surrounding spaces (%s): upstream looks them up as written (usually no such node: unshaped); here they are trimmed",
			inputs.ShapedDevicesFile, len(spaceLines), sample(spaceLines)))
	}
	return out
}

func sample(s []string) string {
	if len(s) > 3 {
		return strings.Join(s[:3], ", ") + fmt.Sprintf(" and %d more", len(s)-3)
	}
	return strings.Join(s, ", ")
}

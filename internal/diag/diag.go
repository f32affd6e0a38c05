// Package diag collects problems found in the operator's input files, each
// naming the file, line and field so it can be fixed without guessing.
package diag

import (
	"fmt"
	"sort"
	"strings"
)

// Severity tells whether a problem stops the inputs from being applied: an
// Error refuses them (nothing is applied), a Warning is reported and they are
// applied. It is a verdict on input files, told to whoever ran the check, and
// not urgent.Severity, which says how loudly lqosd alerts the operator about
// a condition of the running system (info, warning, error); a caller that
// turns problems into urgent issues chooses that level itself.
type Severity int

const (
	Warning Severity = iota
	Error
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Problem is one finding in one input file.
type Problem struct {
	Severity Severity
	File     string // base name or path of the input
	Line     int    // 1-based; 0 when the problem is not tied to a line
	Field    string // column, JSON path or TOML key; may be empty
	Message  string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Severity.String())
	b.WriteString(": ")
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Field != "" {
		fmt.Fprintf(&b, " [%s]", p.Field)
	}
	b.WriteString(": ")
	b.WriteString(p.Message)
	return b.String()
}

// List accumulates problems. The zero value is ready to use.
type List struct {
	Problems []Problem
}

// Errorf records an error.
func (l *List) Errorf(file string, line int, field, format string, args ...any) {
	l.Problems = append(l.Problems, Problem{Error, file, line, field, fmt.Sprintf(format, args...)})
}

// Warnf records a warning.
func (l *List) Warnf(file string, line int, field, format string, args ...any) {
	l.Problems = append(l.Problems, Problem{Warning, file, line, field, fmt.Sprintf(format, args...)})
}

// Merge appends another list's problems.
func (l *List) Merge(o List) { l.Problems = append(l.Problems, o.Problems...) }

// Errors returns only the errors.
func (l *List) Errors() []Problem { return l.filter(Error) }

// Warnings returns only the warnings.
func (l *List) Warnings() []Problem { return l.filter(Warning) }

// HasErrors reports whether anything stops the inputs from being applied.
func (l *List) HasErrors() bool {
	for _, p := range l.Problems {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

func (l *List) filter(s Severity) []Problem {
	var out []Problem
	for _, p := range l.Problems {
		if p.Severity == s {
			out = append(out, p)
		}
	}
	return out
}

// Sort orders problems by file, then line, keeping insertion order otherwise.
func (l *List) Sort() {
	sort.SliceStable(l.Problems, func(i, j int) bool {
		a, b := l.Problems[i], l.Problems[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
}

// Err returns an error summarising every error, or nil when there is none.
func (l *List) Err() error {
	errs := l.Errors()
	if len(errs) == 0 {
		return nil
	}
	lines := make([]string, len(errs))
	for i, p := range errs {
		lines[i] = p.String()
	}
	return &InputError{Problems: errs, text: strings.Join(lines, "\n")}
}

// InputError carries every error found in the inputs.
type InputError struct {
	Problems []Problem
	text     string
}

func (e *InputError) Error() string { return e.text }

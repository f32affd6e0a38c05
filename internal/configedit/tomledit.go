package configedit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// lqos.conf is edited surgically: only the value text of the keys the
// operator changed is replaced (or a key line added or removed); every other
// byte, comments and unknown keys included, stays as it was. After each edit
// the document is decoded again and the edited key must hold the new value,
// so an edit the scanner misread is refused instead of written.

// entry is one key/value line of a TOML document.
type entry struct {
	path       string // table + "." + key, dotted ("queues.default_sqm"; "node_name" at the top)
	lineStart  int    // offset of the line's first byte
	valueStart int    // first byte of the value
	valueEnd   int    // one past the value's last byte
	lineEnd    int    // one past the line's newline (or len(doc))
}

// table is one [header] and the span up to the next header.
type table struct {
	name     string
	array    bool // [[array of tables]]
	start    int  // offset of the header line
	bodyEnd  int  // offset of the next header line (or len(doc))
	lastLine int  // one past the newline of its last key entry (or of the header)
}

type tomlDoc struct {
	src     []byte
	entries []entry
	tables  []table
	// topEnd is one past the last top-level key line (0 = none).
	topEnd int
}

// scanTOML finds the key lines and table headers of a TOML document. It
// understands strings (basic, literal, multi-line), arrays and inline
// tables spanning lines, and comments; anything it cannot read is an error.
func scanTOML(src []byte) (*tomlDoc, error) {
	d := &tomlDoc{src: src}
	cur := ""
	curTable := -1
	i := 0
	lineNo := 1
	for i < len(src) {
		lineStart := i
		for i < len(src) && (src[i] == ' ' || src[i] == '\t') {
			i++
		}
		if i >= len(src) {
			break
		}
		switch c := src[i]; {
		case c == '\n' || c == '\r':
			i = nextLine(src, i)
			lineNo++
			continue
		case c == '#':
			i = nextLine(src, i)
			lineNo++
			continue
		case c == '[':
			arr := i+1 < len(src) && src[i+1] == '['
			j := i + 1
			if arr {
				j++
			}
			end := bytes.IndexByte(src[j:], ']')
			if end < 0 {
				return nil, fmt.Errorf("line %d: table header without ]", lineNo)
			}
			name := normaliseKey(string(src[j : j+end]))
			if curTable >= 0 {
				d.tables[curTable].bodyEnd = lineStart
			}
			i = nextLine(src, i)
			lineNo++
			d.tables = append(d.tables, table{name: name, array: arr, start: lineStart, bodyEnd: len(src), lastLine: i})
			curTable = len(d.tables) - 1
			cur = name
			continue
		}
		// key = value
		eq := i
		for eq < len(src) && src[eq] != '=' && src[eq] != '\n' {
			if src[eq] == '"' || src[eq] == '\'' {
				q := src[eq]
				eq++
				for eq < len(src) && src[eq] != q && src[eq] != '\n' {
					if q == '"' && src[eq] == '\\' {
						eq++
					}
					eq++
				}
			}
			eq++
		}
		if eq >= len(src) || src[eq] != '=' {
			return nil, fmt.Errorf("line %d: expected key = value", lineNo)
		}
		key := normaliseKey(string(src[i:eq]))
		vs := eq + 1
		for vs < len(src) && (src[vs] == ' ' || src[vs] == '\t') {
			vs++
		}
		ve, lines, err := valueEnd(src, vs)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", lineNo, err)
		}
		lineNo += lines
		le := nextLine(src, ve)
		lineNo++
		path := key
		if cur != "" {
			path = cur + "." + key
		}
		d.entries = append(d.entries, entry{path: path, lineStart: lineStart, valueStart: vs, valueEnd: ve, lineEnd: le})
		if curTable >= 0 {
			d.tables[curTable].lastLine = le
		} else {
			d.topEnd = le
		}
		i = le
	}
	return d, nil
}

// normaliseKey turns `a . "b"` into a.b (quotes dropped; keys here are bare).
func normaliseKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

func nextLine(src []byte, i int) int {
	n := bytes.IndexByte(src[i:], '\n')
	if n < 0 {
		return len(src)
	}
	return i + n + 1
}

// valueEnd returns one past the end of the value starting at i (trailing
// blanks and comment excluded) and how many newlines it spans.
func valueEnd(src []byte, i int) (int, int, error) {
	depth := 0
	lines := 0
	end := i
	for i < len(src) {
		c := src[i]
		switch {
		case bytes.HasPrefix(src[i:], []byte(`"""`)) || bytes.HasPrefix(src[i:], []byte(`'''`)):
			q := src[i : i+3]
			j := i + 3
			for {
				k := bytes.Index(src[j:], q)
				if k < 0 {
					return 0, 0, fmt.Errorf("unterminated multi-line string")
				}
				j += k
				if q[0] == '"' && escaped(src, j) {
					j++
					continue
				}
				break
			}
			j += 3
			for j < len(src) && src[j] == q[0] { // up to two extra quotes belong to the string
				j++
			}
			lines += bytes.Count(src[i:j], []byte{'\n'})
			i, end = j, j
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\n' {
					return 0, 0, fmt.Errorf("unterminated string")
				}
				if c == '"' && src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				return 0, 0, fmt.Errorf("unterminated string")
			}
			i, end = j+1, j+1
		case c == '[' || c == '{':
			depth++
			i++
			end = i
		case c == ']' || c == '}':
			depth--
			i++
			end = i
		case c == '#':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '\n' || c == '\r':
			if depth <= 0 {
				return end, lines, nil
			}
			if c == '\n' {
				lines++
			}
			i++
		case c == ' ' || c == '\t' || c == ',':
			i++
			if depth > 0 {
				end = i
			}
		default:
			i++
			end = i
		}
	}
	if depth > 0 {
		return 0, 0, fmt.Errorf("unterminated array or inline table")
	}
	return end, lines, nil
}

func escaped(src []byte, j int) bool {
	n := 0
	for k := j - 1; k >= 0 && src[k] == '\\'; k-- {
		n++
	}
	return n%2 == 1
}

// encodeValue renders v as a TOML value (string, bool, number, []string).
func encodeValue(v any) (string, error) {
	var b bytes.Buffer
	if err := toml.NewEncoder(&b).Encode(map[string]any{"v": v}); err != nil {
		return "", err
	}
	s := strings.TrimSpace(b.String())
	_, val, ok := strings.Cut(s, "=")
	if !ok {
		return "", fmt.Errorf("cannot encode %T", v)
	}
	return strings.TrimSpace(val), nil
}

// Edit is one change to lqos.conf: Set a key (table "" = top level) to
// Value, or Delete it.
type Edit struct {
	Key    string // dotted path, e.g. "queues.default_sqm"
	Value  any
	Delete bool
}

func splitKey(path string) (string, string) {
	i := strings.LastIndexByte(path, '.')
	if i < 0 {
		return "", path
	}
	return path[:i], path[i+1:]
}

// applyEdit returns doc with one edit made.
func applyEdit(src []byte, e Edit) ([]byte, error) {
	d, err := scanTOML(src)
	if err != nil {
		return nil, fmt.Errorf("lqos.conf cannot be edited safely (%v); edit it by hand", err)
	}
	for _, en := range d.entries {
		if en.path != e.Key {
			continue
		}
		if e.Delete {
			return splice(src, en.lineStart, en.lineEnd, ""), nil
		}
		val, err := encodeValue(e.Value)
		if err != nil {
			return nil, err
		}
		return splice(src, en.valueStart, en.valueEnd, val), nil
	}
	if e.Delete {
		return src, nil
	}
	val, err := encodeValue(e.Value)
	if err != nil {
		return nil, err
	}
	tbl, key := splitKey(e.Key)
	line := key + " = " + val + "\n"
	if tbl == "" {
		at := d.topEnd
		if at == 0 && len(d.tables) > 0 {
			at = d.tables[0].start
		} else if at == 0 {
			at = len(src)
		}
		return splice(src, at, at, ensureNL(src, at)+line), nil
	}
	for _, t := range d.tables {
		if t.name == tbl && !t.array {
			return splice(src, t.lastLine, t.lastLine, ensureNL(src, t.lastLine)+line), nil
		}
	}
	at := len(src)
	return splice(src, at, at, ensureNL(src, at)+"\n["+tbl+"]\n"+line), nil
}

// deleteTable removes a whole [table] (header to the next header).
func deleteTable(src []byte, name string) ([]byte, error) {
	d, err := scanTOML(src)
	if err != nil {
		return nil, fmt.Errorf("lqos.conf cannot be edited safely (%v); edit it by hand", err)
	}
	for _, t := range d.tables {
		if t.name == name {
			return splice(src, t.start, t.bodyEnd, ""), nil
		}
	}
	return src, nil
}

// ensureNL is "\n" when the byte before at is not a newline.
func ensureNL(src []byte, at int) string {
	if at > 0 && src[at-1] != '\n' {
		return "\n"
	}
	return ""
}

func splice(src []byte, from, to int, with string) []byte {
	out := make([]byte, 0, len(src)-(to-from)+len(with))
	out = append(out, src[:from]...)
	out = append(out, with...)
	return append(out, src[to:]...)
}

// EditTOML applies the edits in order and checks the result: it must
// decode, and every edited key must decode to its new value (or be gone).
func EditTOML(src []byte, edits []Edit) ([]byte, error) {
	out := src
	var err error
	for _, e := range edits {
		if out, err = applyEdit(out, e); err != nil {
			return nil, err
		}
	}
	var m map[string]any
	if _, err := toml.Decode(string(out), &m); err != nil {
		return nil, fmt.Errorf("lqos.conf would not be valid TOML after the edit (%v); nothing written", err)
	}
	for _, e := range edits {
		got, ok := lookup(m, e.Key)
		if e.Delete {
			if ok {
				return nil, fmt.Errorf("%s: could not be removed safely; edit lqos.conf by hand", e.Key)
			}
			continue
		}
		if !ok || !sameValue(got, e.Value) {
			return nil, fmt.Errorf("%s: could not be edited safely (the key is written in a form this editor does not change); edit lqos.conf by hand", e.Key)
		}
	}
	return out, nil
}

func lookup(m map[string]any, path string) (any, bool) {
	var cur any = m
	for _, p := range strings.Split(path, ".") {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = mm[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// sameValue compares through JSON so int64/uint64/float64 and []any/[]string agree.
func sameValue(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

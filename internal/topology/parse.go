package topology

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/libreqos-go/lqos/internal/diag"
)

// Load reads and checks the file at path.
func Load(path string) (*Network, diag.List) {
	data, err := os.ReadFile(path)
	if err != nil {
		var l diag.List
		l.Errorf(path, 0, "", "%v", err)
		return &Network{Path: path}, l
	}
	return Parse(path, data)
}

// Parse reads network.json text. It never panics and reports every problem.
func Parse(name string, data []byte) (*Network, diag.List) {
	p := &jparser{file: filepath.Base(name), data: data, names: map[string]*Node{}}
	nw := &Network{Path: name}
	data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
	p.data = data
	p.dec = json.NewDecoder(bytes.NewReader(data))
	p.dec.UseNumber()
	roots, err := p.parseTop()
	if err != nil {
		p.diags.Errorf(p.file, p.line(), "", "%v", err)
		return nw, p.diags
	}
	if _, err := p.dec.Token(); !errors.Is(err, io.EOF) {
		p.diags.Errorf(p.file, p.line(), "", "unexpected data after the top-level object")
	}
	nw.Roots = roots
	return nw, p.diags
}

type jparser struct {
	file  string
	data  []byte
	dec   *json.Decoder
	diags diag.List
	names map[string]*Node
	// keyRaw is the source text of the key read last (the decoder turns
	// invalid UTF-8 into U+FFFD, so validity is checked on the source).
	keyRaw []byte
}

// textProblem says what is wrong with a name or string value: invalid
// UTF-8 in its source text, or a control character such as NUL (which
// would truncate or garble it in tc, logs and terminals). "" when fine.
func textProblem(raw []byte, s string) string {
	if !utf8.Valid(raw) {
		return "is not valid UTF-8"
	}
	for i, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Sprintf("contains control character %U at byte %d", r, i)
		}
	}
	return ""
}

// line converts the decoder's byte offset to a 1-based line number.
func (p *jparser) line() int {
	off := int(p.dec.InputOffset())
	if off > len(p.data) {
		off = len(p.data)
	}
	return bytes.Count(p.data[:off], []byte{'\n'}) + 1
}

func (p *jparser) expectDelim(want json.Delim, what string) error {
	tok, err := p.dec.Token()
	if err != nil {
		return syntaxError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("%s: expected %q, found %v", what, want, describe(tok))
	}
	return nil
}

func syntaxError(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: unexpected end of file")
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

func describe(tok json.Token) string {
	switch v := tok.(type) {
	case json.Delim:
		return string(v)
	case string:
		return fmt.Sprintf("string %q", v)
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%v", v)
	}
}

// parseTop reads the top-level object. Every object-valued key is a node;
// anything else there is ignored with a warning.
func (p *jparser) parseTop() ([]*Node, error) {
	if err := p.expectDelim('{', "network.json"); err != nil {
		return nil, err
	}
	var roots []*Node
	entries := 0
	for p.dec.More() {
		entries++
		key, line, err := p.key()
		if err != nil {
			return nil, err
		}
		if !p.peekObject() {
			p.diags.Warnf(p.file, line, key, "top-level value is not an object; ignored")
			if err := p.skip(); err != nil {
				return nil, err
			}
			continue
		}
		n, err := p.parseNode(key, line, nil)
		if err != nil {
			return nil, err
		}
		roots = append(roots, n)
	}
	if err := p.expectDelim('}', "network.json"); err != nil {
		return nil, err
	}
	if entries > 0 && len(roots) == 0 {
		p.diags.Errorf(p.file, 1, "", "the file has %d entries but no node objects; use {} for a flat network", entries)
	}
	return roots, nil
}

func (p *jparser) key() (string, int, error) {
	start := p.dec.InputOffset()
	tok, err := p.dec.Token()
	if err != nil {
		return "", p.line(), syntaxError(err)
	}
	k, ok := tok.(string)
	if !ok {
		return "", p.line(), fmt.Errorf("expected an object key, found %v", describe(tok))
	}
	p.keyRaw = p.data[start:p.dec.InputOffset()]
	return k, p.line(), nil
}

// peekObject reports whether the next value starts an object.
func (p *jparser) peekObject() bool {
	rest := bytes.TrimLeft(p.data[p.dec.InputOffset():], " \t\r\n:")
	return len(rest) > 0 && rest[0] == '{'
}

func (p *jparser) skip() error {
	var v json.RawMessage
	if err := p.dec.Decode(&v); err != nil {
		return syntaxError(err)
	}
	return nil
}

func (p *jparser) parseNode(name string, line int, parent *Node) (*Node, error) {
	n := &Node{Name: name, Parent: parent, Line: line}
	field := func(k string) string { return n.Path() + "." + k }
	if why := textProblem(p.keyRaw, name); why != "" {
		where := "(top level)"
		if parent != nil {
			where = parent.Path() + ".children"
		}
		p.diags.Errorf(p.file, line, where, "node name %s %s", strconv.QuoteToASCII(name), why)
	} else if strings.TrimSpace(name) == "" {
		p.diags.Errorf(p.file, line, n.Path(), "node name is empty")
	}
	if first, dup := p.names[name]; dup {
		p.diags.Errorf(p.file, line, n.Path(), "node name %q is not unique (also at %s, line %d); names must be unique across the whole tree", name, first.Path(), first.Line)
	} else {
		p.names[name] = n
	}
	if err := p.expectDelim('{', n.Path()); err != nil {
		return nil, err
	}
	for p.dec.More() {
		k, kline, err := p.key()
		if err != nil {
			return nil, err
		}
		switch k {
		case "children":
			if !p.peekObject() {
				p.diags.Errorf(p.file, kline, field(k), "children must be an object of nodes")
				if err := p.skip(); err != nil {
					return nil, err
				}
				continue
			}
			if err := p.expectDelim('{', field(k)); err != nil {
				return nil, err
			}
			for p.dec.More() {
				ck, cline, err := p.key()
				if err != nil {
					return nil, err
				}
				if !p.peekObject() {
					p.diags.Errorf(p.file, cline, field("children."+ck), "child node must be an object")
					if err := p.skip(); err != nil {
						return nil, err
					}
					continue
				}
				c, err := p.parseNode(ck, cline, n)
				if err != nil {
					return nil, err
				}
				n.Children = append(n.Children, c)
			}
			if err := p.expectDelim('}', field(k)); err != nil {
				return nil, err
			}
		case "downloadBandwidthMbps", "uploadBandwidthMbps", "downloadBandwidthMbpsMin", "uploadBandwidthMbpsMin":
			v, err := p.number(kline, field(k))
			if err != nil {
				return nil, err
			}
			switch k {
			case "downloadBandwidthMbps":
				n.DownloadMbps = v
			case "uploadBandwidthMbps":
				n.UploadMbps = v
			case "downloadBandwidthMbpsMin":
				n.DownloadMinMbps = v
			case "uploadBandwidthMbpsMin":
				n.UploadMinMbps = v
			}
		case "latitude", "longitude":
			v, err := p.optionalFloat(kline, field(k))
			if err != nil {
				return nil, err
			}
			if k == "latitude" {
				n.Latitude = v
			} else {
				n.Longitude = v
			}
		case "type", "id", "name", "active_attachment_name":
			s, err := p.str(kline, field(k))
			if err != nil {
				return nil, err
			}
			switch k {
			case "type":
				n.Type = s
			case "id":
				n.ID = s
			case "name":
				n.DisplayName = s
			case "active_attachment_name":
				n.ActiveAttachmentName = s
			}
		case "virtual":
			var v any
			if err := p.dec.Decode(&v); err != nil {
				return nil, syntaxError(err)
			}
			b, ok := v.(bool)
			if !ok && v != nil {
				p.diags.Errorf(p.file, kline, field(k), "must be true or false, got %v", v)
			}
			n.Virtual = b
		default:
			// Vendor metadata and future keys: not ours to judge.
			if err := p.skip(); err != nil {
				return nil, err
			}
		}
	}
	if err := p.expectDelim('}', n.Path()); err != nil {
		return nil, err
	}
	return n, nil
}

// number reads a bandwidth: a non-negative finite number (null counts as 0).
func (p *jparser) number(line int, field string) (float64, error) {
	var v any
	if err := p.dec.Decode(&v); err != nil {
		return 0, syntaxError(err)
	}
	switch x := v.(type) {
	case nil:
		return 0, nil
	case json.Number:
		f, err := x.Float64()
		if err != nil || math.IsInf(f, 0) || f < 0 {
			p.diags.Errorf(p.file, line, field, "must be a non-negative number of Mbps, got %s", x)
			return 0, nil
		}
		return f, nil
	default:
		p.diags.Errorf(p.file, line, field, "must be a number of Mbps, got %v", describeValue(v))
		return 0, nil
	}
}

func (p *jparser) optionalFloat(line int, field string) (*float64, error) {
	var v any
	if err := p.dec.Decode(&v); err != nil {
		return nil, syntaxError(err)
	}
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err == nil {
			return &f, nil
		}
	case nil:
		return nil, nil
	}
	p.diags.Warnf(p.file, line, field, "not a number (%v); ignored", describeValue(v))
	return nil, nil
}

func (p *jparser) str(line int, field string) (string, error) {
	var v any
	start := p.dec.InputOffset()
	if err := p.dec.Decode(&v); err != nil {
		return "", syntaxError(err)
	}
	switch x := v.(type) {
	case string:
		if why := textProblem(p.data[start:p.dec.InputOffset()], x); why != "" {
			p.diags.Errorf(p.file, line, field, "value %s %s", strconv.QuoteToASCII(x), why)
			return "", nil
		}
		return x, nil
	case nil:
		return "", nil
	case json.Number:
		return x.String(), nil
	}
	p.diags.Errorf(p.file, line, field, "must be a string, got %v", describeValue(v))
	return "", nil
}

func describeValue(v any) string {
	switch x := v.(type) {
	case string:
		return fmt.Sprintf("string %q", x)
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case bool:
		return fmt.Sprintf("%v", x)
	}
	return fmt.Sprintf("%v", v)
}

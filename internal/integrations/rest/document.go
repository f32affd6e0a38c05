package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"sort"
	"strconv"
	"strings"
)

// Document is a validated reply: the topology nodes and the circuits.
type Document struct {
	Nodes    []Node
	Circuits []Circuit
}

// Node is a site or access point of the operator's network.
type Node struct {
	ID, Name, Type, ParentID string
	DownloadMbps, UploadMbps float64 // 0 = not given
	Latitude, Longitude      *float64
}

// Circuit is one shaped subscriber service.
type Circuit struct {
	ID, Name, ParentID, Address                    string
	DownloadMin, UploadMin, DownloadMax, UploadMax float64 // min 0 = not given
	Suspended                                      bool
	Devices                                        []Device
}

// Device is a CPE or router with its addresses.
type Device struct {
	ID, Name, MAC string
	IPv4, IPv6    []string
}

// kind is the JSON type a field must have.
type kind int

const (
	kString kind = iota
	kStringOrNull
	kNumber
	kBool
	kArray
	kInteger
)

// field describes one allowed key of an object.
type field struct {
	name     string
	kind     kind
	required bool
}

// The allowed keys per object. docs/rest-integration.schema.json describes the
// same shape; a test keeps the two in step.
var (
	documentFields = []field{{"version", kInteger, false}, {"nodes", kArray, true}, {"circuits", kArray, true}}
	nodeFields     = []field{{"id", kString, true}, {"name", kString, true}, {"type", kString, true}, {"parent_id", kStringOrNull, false},
		{"download_mbps", kNumber, false}, {"upload_mbps", kNumber, false}, {"latitude", kNumber, false}, {"longitude", kNumber, false}}
	circuitFields = []field{{"id", kString, true}, {"name", kString, true}, {"parent_id", kStringOrNull, false}, {"address", kString, false},
		{"download_min_mbps", kNumber, false}, {"upload_min_mbps", kNumber, false}, {"download_max_mbps", kNumber, true}, {"upload_max_mbps", kNumber, true},
		{"suspended", kBool, false}, {"devices", kArray, true}}
	deviceFields = []field{{"id", kString, true}, {"name", kString, false}, {"mac", kString, false}, {"ipv4", kArray, false}, {"ipv6", kArray, false}}
)

// MaxErrors is how many problems one validation reports before it stops.
const MaxErrors = 20

// ValidationError lists every problem found, each naming its JSON path.
type ValidationError struct {
	Problems []string
	More     bool // more than MaxErrors problems
}

func (e *ValidationError) Error() string {
	s := "invalid document: " + strings.Join(e.Problems, "; ")
	if e.More {
		s += fmt.Sprintf("; (stopped after %d problems)", MaxErrors)
	}
	return s
}

type validator struct {
	errs *ValidationError
}

func (v *validator) fail(path, format string, args ...any) {
	if len(v.errs.Problems) >= MaxErrors {
		v.errs.More = true
		return
	}
	v.errs.Problems = append(v.errs.Problems, path+": "+fmt.Sprintf(format, args...))
}

// object checks obj against fields: unknown keys, missing required keys and
// types. It returns false when obj is not an object.
func (v *validator) object(path string, val any, fields []field) (map[string]any, bool) {
	obj, ok := val.(map[string]any)
	if !ok {
		v.fail(path, "must be an object, got %s", typeName(val))
		return nil, false
	}
	known := map[string]field{}
	for _, f := range fields {
		known[f.name] = f
		x, present := obj[f.name]
		if !present {
			if f.required {
				v.fail(path, "required field %q is missing", f.name)
			}
			continue
		}
		v.kind(path+"."+f.name, x, f.kind)
	}
	var unknown []string
	for k := range obj {
		if _, ok := known[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		v.fail(path+"."+k, "unknown field")
	}
	return obj, true
}

func (v *validator) kind(path string, x any, k kind) {
	ok := false
	want := ""
	switch k {
	case kString:
		_, ok = x.(string)
		want = "a string"
	case kStringOrNull:
		_, ok = x.(string)
		ok = ok || x == nil
		want = "a string or null"
	case kNumber, kInteger:
		var n json.Number
		n, ok = x.(json.Number)
		want = "a number"
		if ok {
			f, err := n.Float64()
			switch {
			case err != nil || math.IsInf(f, 0) || math.IsNaN(f):
				ok = false
			case k == kInteger && f != math.Trunc(f):
				ok, want = false, "an integer"
			}
		}
	case kBool:
		_, ok = x.(bool)
		want = "true or false"
	case kArray:
		_, ok = x.([]any)
		want = "an array"
	}
	if !ok {
		v.fail(path, "must be %s, got %s", want, describe(x))
	}
}

func typeName(x any) string {
	switch x.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", x)
}

func describe(x any) string {
	switch t := x.(type) {
	case string:
		if len(t) > 40 {
			t = t[:40] + "…"
		}
		return "the string " + strconv.Quote(t)
	case json.Number:
		return "the number " + t.String()
	}
	return typeName(x)
}

func str(obj map[string]any, k string) string { s, _ := obj[k].(string); return strings.TrimSpace(s) }

func num(obj map[string]any, k string) (float64, bool) {
	n, ok := obj[k].(json.Number)
	if !ok {
		return 0, false
	}
	f, err := n.Float64()
	return f, err == nil
}

// Parse decodes and strictly validates a reply. Syntax errors give the line,
// column and byte offset; every other problem names its JSON path
// ("$.circuits[3].devices[0].ipv4[1]").
func Parse(body []byte) (*Document, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, errors.New("empty reply, expected a JSON document")
	}
	if trimmed[0] == '<' {
		return nil, errors.New("reply is HTML, not JSON (check url)")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var root any
	if err := dec.Decode(&root); err != nil {
		return nil, syntaxError(body, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: data after the JSON document", position(body, dec.InputOffset()))
	}
	v := &validator{errs: &ValidationError{}}
	doc := &Document{}
	top, ok := v.object("$", root, documentFields)
	if ok {
		if n, ok := num(top, "version"); ok && n != 1 {
			v.fail("$.version", "unsupported version %v (this build reads version 1)", n)
		}
		nodeIDs := v.nodes(top, doc)
		v.circuits(top, doc, nodeIDs)
	}
	if len(v.errs.Problems) > 0 {
		return nil, v.errs
	}
	return doc, nil
}

var nodeTypes = map[string]bool{"site": true, "ap": true}

func (v *validator) nodes(top map[string]any, doc *Document) map[string]string {
	ids := map[string]string{} // id -> path
	list, _ := top["nodes"].([]any)
	for i, x := range list {
		path := fmt.Sprintf("$.nodes[%d]", i)
		obj, ok := v.object(path, x, nodeFields)
		if !ok {
			continue
		}
		n := Node{ID: str(obj, "id"), Name: str(obj, "name"), Type: str(obj, "type"), ParentID: str(obj, "parent_id")}
		v.nonEmpty(path, obj, "id", "name")
		if n.ID != "" {
			if first, dup := ids[n.ID]; dup {
				v.fail(path+".id", "duplicate node id %q (first at %s)", n.ID, first)
			}
			ids[n.ID] = path
		}
		if _, isStr := obj["type"].(string); isStr && !nodeTypes[n.Type] {
			v.fail(path+".type", "must be \"site\" or \"ap\", got %q", n.Type)
		}
		n.DownloadMbps = v.positive(path, obj, "download_mbps")
		n.UploadMbps = v.positive(path, obj, "upload_mbps")
		if f, ok := num(obj, "latitude"); ok {
			if f < -90 || f > 90 {
				v.fail(path+".latitude", "must be -90..90, got %v", f)
			}
			n.Latitude = &f
		}
		if f, ok := num(obj, "longitude"); ok {
			if f < -180 || f > 180 {
				v.fail(path+".longitude", "must be -180..180, got %v", f)
			}
			n.Longitude = &f
		}
		if (n.Latitude == nil) != (n.Longitude == nil) {
			v.fail(path, "latitude and longitude go together")
		}
		doc.Nodes = append(doc.Nodes, n)
	}
	for i, n := range doc.Nodes {
		if n.ParentID == "" {
			continue
		}
		if _, ok := ids[n.ParentID]; !ok {
			v.fail(fmt.Sprintf("$.nodes[%d].parent_id", i), "no node has id %q", n.ParentID)
		} else if n.ParentID == n.ID {
			v.fail(fmt.Sprintf("$.nodes[%d].parent_id", i), "a node cannot be its own parent")
		}
	}
	return ids
}

func (v *validator) nonEmpty(path string, obj map[string]any, keys ...string) {
	for _, k := range keys {
		if s, ok := obj[k].(string); ok && strings.TrimSpace(s) == "" {
			v.fail(path+"."+k, "must not be empty")
		}
	}
}

// positive reads an optional rate: when present it must be > 0.
func (v *validator) positive(path string, obj map[string]any, k string) float64 {
	f, ok := num(obj, k)
	if ok && f <= 0 {
		v.fail(path+"."+k, "must be greater than 0, got %v", f)
		return 0
	}
	return f
}

func (v *validator) circuits(top map[string]any, doc *Document, nodeIDs map[string]string) {
	circuitIDs := map[string]string{}
	deviceIDs := map[string]string{}
	list, _ := top["circuits"].([]any)
	for i, x := range list {
		path := fmt.Sprintf("$.circuits[%d]", i)
		obj, ok := v.object(path, x, circuitFields)
		if !ok {
			continue
		}
		c := Circuit{ID: str(obj, "id"), Name: str(obj, "name"), ParentID: str(obj, "parent_id"), Address: str(obj, "address")}
		c.Suspended, _ = obj["suspended"].(bool)
		v.nonEmpty(path, obj, "id", "name")
		if c.ID != "" {
			if first, dup := circuitIDs[c.ID]; dup {
				v.fail(path+".id", "duplicate circuit id %q (first at %s)", c.ID, first)
			}
			circuitIDs[c.ID] = path
		}
		if c.ParentID != "" {
			if _, ok := nodeIDs[c.ParentID]; !ok {
				v.fail(path+".parent_id", "no node has id %q", c.ParentID)
			}
		}
		c.DownloadMax = v.positive(path, obj, "download_max_mbps")
		c.UploadMax = v.positive(path, obj, "upload_max_mbps")
		c.DownloadMin = v.minimum(path, obj, "download_min_mbps", c.DownloadMax)
		c.UploadMin = v.minimum(path, obj, "upload_min_mbps", c.UploadMax)
		devs, _ := obj["devices"].([]any)
		for j, dx := range devs {
			dpath := fmt.Sprintf("%s.devices[%d]", path, j)
			dobj, ok := v.object(dpath, dx, deviceFields)
			if !ok {
				continue
			}
			d := Device{ID: str(dobj, "id"), Name: str(dobj, "name"), MAC: str(dobj, "mac")}
			v.nonEmpty(dpath, dobj, "id")
			if d.ID != "" {
				if first, dup := deviceIDs[d.ID]; dup {
					v.fail(dpath+".id", "duplicate device id %q (first at %s)", d.ID, first)
				}
				deviceIDs[d.ID] = dpath
			}
			d.IPv4 = v.addresses(dpath+".ipv4", dobj["ipv4"], true)
			d.IPv6 = v.addresses(dpath+".ipv6", dobj["ipv6"], false)
			c.Devices = append(c.Devices, d)
		}
		doc.Circuits = append(doc.Circuits, c)
	}
}

// minimum reads an optional guarantee: 0 ≤ min ≤ max; absent = 0.
func (v *validator) minimum(path string, obj map[string]any, k string, maxRate float64) float64 {
	f, ok := num(obj, k)
	if !ok {
		return 0
	}
	switch {
	case f < 0:
		v.fail(path+"."+k, "must not be negative, got %v", f)
	case maxRate > 0 && f > maxRate:
		v.fail(path+"."+k, "%v is greater than the max rate %v", f, maxRate)
	}
	return f
}

// addresses checks a list of addresses or prefixes of one family.
func (v *validator) addresses(path string, x any, v4 bool) []string {
	list, ok := x.([]any)
	if !ok {
		return nil // absent; a wrong type was reported by object
	}
	var out []string
	for i, a := range list {
		p := fmt.Sprintf("%s[%d]", path, i)
		s, ok := a.(string)
		if !ok {
			v.fail(p, "must be a string, got %s", describe(a))
			continue
		}
		s = strings.TrimSpace(s)
		var addr netip.Addr
		if pre, err := netip.ParsePrefix(s); err == nil {
			addr = pre.Addr()
		} else if ad, err := netip.ParseAddr(s); err == nil {
			addr = ad
		} else {
			v.fail(p, "%q is not an IP address or prefix", s)
			continue
		}
		if addr.Unmap().Is4() != v4 {
			fam := "IPv6"
			if v4 {
				fam = "IPv4"
			}
			v.fail(p, "%q is not an %s address", s, fam)
			continue
		}
		out = append(out, s)
	}
	return out
}

// syntaxError turns a decoder error into one with line, column and offset.
func syntaxError(body []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		// Offset counts the bytes read including the offending one.
		return fmt.Errorf("%s: malformed JSON: %v", position(body, max(se.Offset-1, 0)), se)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "unexpected EOF") {
		return fmt.Errorf("%s: the JSON document ends early (truncated reply?)", position(body, int64(len(body))))
	}
	return fmt.Errorf("malformed JSON: %v", err)
}

// position names a 0-based byte offset as a 1-based line and column.
func position(body []byte, off int64) string {
	if off > int64(len(body)) {
		off = int64(len(body))
	}
	line := 1 + bytes.Count(body[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(body[:off], '\n'))
	return fmt.Sprintf("line %d, column %d (byte %d)", line, col, off)
}

package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"strconv"

	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
)

// The one fast path of the bus: bulk mappings (100k are ~13 MB of JSON).
// encoding/json spends most of its time on them in reflection and
// TextMarshaler calls (bench/bus.sh measured plain encoding/json at more
// than twice the CPU of this path end to end), so one mapping is written
// by hand, byte for byte what json.Marshal writes, and read by a strict
// reader of that canonical form. Anything else in a mapping (escapes,
// non-ASCII, other keys or number forms) goes to encoding/json, so what is
// accepted and the error messages are exactly those of encoding/json;
// FuzzMappingJSON checks the two agree. The envelope around the mappings
// is always read with json.Decoder, one mapping at a time.

// appendMapping appends m as json.Marshal would.
func appendMapping(b []byte, m *plan.Mapping) []byte {
	b = append(b, `{"prefix":"`...)
	if m.Prefix.IsValid() {
		b = m.Prefix.AppendTo(b)
	}
	b = append(b, `","cpu":`...)
	b = strconv.AppendUint(b, uint64(m.CPU), 10)
	b = append(b, `,"class_id":`...)
	b = strconv.AppendUint(b, uint64(m.ClassID), 10)
	if m.UploadCPU != 0 {
		b = append(b, `,"upload_cpu":`...)
		b = strconv.AppendUint(b, uint64(m.UploadCPU), 10)
	}
	if m.UploadClassID != 0 {
		b = append(b, `,"upload_class_id":`...)
		b = strconv.AppendUint(b, uint64(m.UploadClassID), 10)
	}
	b = append(b, `,"circuit_id":`...)
	b = appendJSONString(b, m.CircuitID)
	if m.DeviceID != "" {
		b = append(b, `,"device_id":`...)
		b = appendJSONString(b, m.DeviceID)
	}
	return append(b, '}')
}

// appendJSONString appends s as json.Marshal would.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // escapes and invalid UTF-8 exactly as encoding/json
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonSize is the length of the list answer as json.Marshal writes it, counted with one small
// scratch buffer, so the answer can be sent with its length (and checked
// against the limit) without holding all of it.
func (r *MappingList) jsonSize() int {
	b := make([]byte, 0, 512)
	n := len(`{"total":,"mappings":[]}`) + len(strconv.AppendInt(b, int64(r.Total), 10))
	for i := range r.Mappings {
		n += len(appendMapping(b[:0], &r.Mappings[i]))
	}
	return n + max(len(r.Mappings)-1, 0)
}

// writeJSON writes the list answer as json.Marshal would, and a newline, to w through one
// 64 KiB buffer.
func (r *MappingList) writeJSON(w io.Writer) error {
	const flushAt = 60 << 10
	b := make([]byte, 0, 64<<10)
	b = append(b, `{"total":`...)
	b = strconv.AppendInt(b, int64(r.Total), 10)
	b = append(b, `,"mappings":[`...)
	for i := range r.Mappings {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendMapping(b, &r.Mappings[i])
		if len(b) >= flushAt {
			if _, err := w.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := w.Write(append(b, "]}\n"...))
	return err
}

// decodeMapping decodes one mapping: the canonical form directly, anything
// else with encoding/json (unknown fields are errors).
func decodeMapping(raw []byte, m *plan.Mapping) error {
	c := cursor{b: raw}
	if c.mapping(m) && c.end() {
		return nil
	}
	*m = plan.Mapping{}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	return dec.Decode(m)
}

// decodeMappings reads a JSON array of mappings (or null) from dec, one at
// a time, appending them to ms. With placeholder, the array's first element
// stands for ms (already read) and is skipped.
func decodeMappings(dec *json.Decoder, ms []plan.Mapping, placeholder bool) ([]plan.Mapping, error) {
	t, err := dec.Token()
	if err != nil {
		return ms, err
	}
	if t == nil {
		return ms, nil
	}
	if t != json.Delim('[') {
		return ms, errors.New("field mappings: want an array")
	}
	var raw json.RawMessage
	for dec.More() {
		if err := dec.Decode(&raw); err != nil {
			return ms, err
		}
		if placeholder {
			placeholder = false
			continue
		}
		ms = append(ms, plan.Mapping{})
		if err := decodeMapping(raw, &ms[len(ms)-1]); err != nil {
			return ms, indexError{len(ms) - 1, err}
		}
	}
	_, err = dec.Token() // ]
	return ms, err
}

// indexError names the mapping an error is about.
type indexError struct {
	i   int
	err error
}

func (e indexError) Error() string {
	return "mappings[" + strconv.Itoa(e.i) + "]: " + jsonError(e.err).Error()
}
func (e indexError) Unwrap() error { return e.err }

// decodeWhole reads the list answer (the client holds it whole anyway, as
// the server does to check its size) in the canonical form our server
// writes; false means encoding/json must decide.
func (r *MappingList) decodeWhole(b []byte) bool {
	c := cursor{b: b}
	if !c.lit('{') {
		return false
	}
	key, ok := c.str()
	if !ok || string(key) != "total" || !c.lit(':') {
		return false
	}
	total, ok := c.uint32()
	if !ok || total > 1<<31-1 || !c.lit(',') {
		return false
	}
	if key, ok = c.str(); !ok || string(key) != "mappings" || !c.lit(':') || !c.lit('[') {
		return false
	}
	ms := make([]plan.Mapping, 0, min(total, 1<<20))
	for first := true; !c.lit(']'); first = false {
		if !first && !c.lit(',') {
			return false
		}
		ms = append(ms, plan.Mapping{})
		if !c.mapping(&ms[len(ms)-1]) {
			return false
		}
	}
	if !c.lit('}') || !c.end() {
		return false
	}
	r.Total, r.Mappings = int(total), ms
	return true
}

// decodeObject reads one JSON object from dec, calling field for each key
// to read its value. An empty body is no object.
func decodeObject(dec *json.Decoder, field func(key string) error) error {
	t, err := dec.Token()
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	if t != json.Delim('{') {
		return errors.New("want a JSON object")
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		if err := field(t.(string)); err != nil {
			return err
		}
	}
	_, err = dec.Token() // }
	return err
}

// cursor is a minimal strict JSON reader for the canonical form.
type cursor struct {
	b []byte
	i int
}

func (c *cursor) ws() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\n', '\r':
			c.i++
		default:
			return
		}
	}
}

func (c *cursor) lit(ch byte) bool {
	c.ws()
	if c.i < len(c.b) && c.b[c.i] == ch {
		c.i++
		return true
	}
	return false
}

// str reads a string of printable ASCII without escapes.
func (c *cursor) str() ([]byte, bool) {
	if !c.lit('"') {
		return nil, false
	}
	start := c.i
	for c.i < len(c.b) {
		ch := c.b[c.i]
		switch {
		case ch == '"':
			c.i++
			return c.b[start : c.i-1], true
		case ch == '\\' || ch < 0x20 || ch >= 0x80:
			return nil, false
		}
		c.i++
	}
	return nil, false
}

// uint reads a non-negative integer without sign, fraction or exponent
// that fits in 32 bits.
func (c *cursor) uint32() (uint32, bool) {
	c.ws()
	start := c.i
	for c.i < len(c.b) && c.b[c.i] >= '0' && c.b[c.i] <= '9' {
		c.i++
	}
	d := c.b[start:c.i]
	if len(d) == 0 || (len(d) > 1 && d[0] == '0') {
		return 0, false
	}
	if c.i < len(c.b) && (c.b[c.i] == '.' || c.b[c.i] == 'e' || c.b[c.i] == 'E') {
		return 0, false
	}
	v, err := strconv.ParseUint(string(d), 10, 32)
	return uint32(v), err == nil
}

func (c *cursor) end() bool {
	c.ws()
	return c.i == len(c.b)
}

func (c *cursor) mapping(m *plan.Mapping) bool {
	if !c.lit('{') {
		return false
	}
	var seen uint8
	for first := true; ; first = false {
		if c.lit('}') {
			return !first || seen == 0
		}
		if !first && !c.lit(',') {
			return false
		}
		key, ok := c.str()
		if !ok || !c.lit(':') {
			return false
		}
		var bit uint8
		switch string(key) {
		case "prefix":
			bit = 1
			s, ok := c.str()
			if !ok || len(s) == 0 {
				return false
			}
			p, err := netip.ParsePrefix(string(s))
			if err != nil {
				return false
			}
			m.Prefix = p
		case "cpu", "class_id", "upload_cpu", "upload_class_id":
			v, ok := c.uint32()
			if !ok {
				return false
			}
			switch string(key) {
			case "cpu":
				bit, m.CPU = 2, v
			case "class_id":
				bit, m.ClassID = 4, tchandle.Handle(v)
			case "upload_cpu":
				bit, m.UploadCPU = 64, v
			default:
				bit, m.UploadClassID = 8, tchandle.Handle(v)
			}
		case "circuit_id", "device_id":
			s, ok := c.str()
			if !ok {
				return false
			}
			if key[0] == 'c' {
				bit, m.CircuitID = 16, string(s)
			} else {
				bit, m.DeviceID = 32, string(s)
			}
		default:
			return false
		}
		if seen&bit != 0 {
			return false // a duplicate key: encoding/json decides
		}
		seen |= bit
	}
}

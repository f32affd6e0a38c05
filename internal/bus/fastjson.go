package bus

import (
	"encoding/json"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"net/netip"
	"slices"
	"strconv"
)

// Bulk mapping transfers (MapIPs, ListIPs) dominate bus traffic: 100k
// mappings are ~13 MB of JSON. encoding/json spends most of that time in
// reflection, Marshaler output compaction and repeated scanning, so these
// messages get hand-written encoders and a strict decoder for the canonical
// form our own encoder produces. Anything the fast decoder does not
// recognise (escapes, non-ASCII, unusual keys or numbers, null) falls back to
// encoding/json, so the accepted language and the error messages are exactly
// those of the generic path; FuzzMappingsFastPath checks the two agree.

// fastEncoder is implemented by messages with a hand-written encoder whose
// output equals json.Marshal's.
type fastEncoder interface {
	appendJSON(b []byte) []byte
}

// fastDecoder is implemented by messages with a fast decoder; it reports
// false (leaving the value unspecified) when the generic decoder must run.
type fastDecoder interface {
	decodeFast(data []byte) bool
}

// appendJSONString appends s as json.Marshal would.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // escapes and invalid UTF-8 exactly as the generic path
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendPrefix(b []byte, p netip.Prefix) []byte {
	b = append(b, '"')
	if p.IsValid() {
		b = p.AppendTo(b)
	}
	return append(b, '"')
}

func appendMapping(b []byte, m *plan.Mapping) []byte {
	b = append(b, `{"prefix":`...)
	b = appendPrefix(b, m.Prefix)
	b = append(b, `,"cpu":`...)
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

func appendMappings(b []byte, ms []plan.Mapping) []byte {
	if ms == nil {
		return append(b, "null"...)
	}
	// Reserve room up front (typical mapping ~110-140 bytes) to avoid
	// repeated regrowth of a multi-megabyte buffer.
	b = slices.Grow(b, len(ms)*160)
	b = append(b, '[')
	for i := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendMapping(b, &ms[i])
	}
	return append(b, ']')
}

func (r *MapIPs) appendJSON(b []byte) []byte {
	b = append(b, `{"mappings":`...)
	b = appendMappings(b, r.Mappings)
	return append(b, '}')
}

func (r *MappingList) appendJSON(b []byte) []byte {
	b = append(b, `{"total":`...)
	b = strconv.AppendInt(b, int64(r.Total), 10)
	b = append(b, `,"mappings":`...)
	b = appendMappings(b, r.Mappings)
	return append(b, '}')
}

// cursor is a minimal strict JSON reader for the canonical subset.
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

// peek reports whether the next non-space byte is ch, without consuming.
func (c *cursor) peek(ch byte) bool {
	c.ws()
	return c.i < len(c.b) && c.b[c.i] == ch
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

// uint reads a non-negative integer without sign, fraction or exponent that
// fits in bits.
func (c *cursor) uint(bits int) (uint64, bool) {
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
	v, err := strconv.ParseUint(string(d), 10, bits)
	return v, err == nil
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
		case "cpu", "class_id", "upload_class_id":
			v, ok := c.uint(32)
			if !ok {
				return false
			}
			switch key[0] {
			case 'c':
				if key[1] == 'p' {
					bit, m.CPU = 2, uint32(v)
				} else {
					bit, m.ClassID = 4, tchandle.Handle(v)
				}
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
			return false // duplicate key: let the generic path decide
		}
		seen |= bit
	}
}

func (c *cursor) mappings() ([]plan.Mapping, bool) {
	if !c.lit('[') {
		return nil, false
	}
	// Estimate the count from the size to avoid regrowing (~110 B each).
	out := make([]plan.Mapping, 0, min((len(c.b)-c.i)/80+1, 1<<20))
	if c.lit(']') {
		return out, true
	}
	for {
		out = append(out, plan.Mapping{})
		if !c.mapping(&out[len(out)-1]) {
			return nil, false
		}
		if c.lit(']') {
			return out, true
		}
		if !c.lit(',') {
			return nil, false
		}
	}
}

func (r *MapIPs) decodeFast(data []byte) bool {
	c := cursor{b: data}
	if !c.lit('{') {
		return false
	}
	if c.peek('}') {
		c.i++
		return c.end()
	}
	key, ok := c.str()
	if !ok || string(key) != "mappings" || !c.lit(':') {
		return false
	}
	ms, ok := c.mappings()
	if !ok || !c.lit('}') || !c.end() {
		return false
	}
	r.Mappings = ms
	return true
}

func (r *MappingList) decodeFast(data []byte) bool {
	c := cursor{b: data}
	if !c.lit('{') {
		return false
	}
	var total uint64
	var ms []plan.Mapping
	for i := 0; i < 2; i++ {
		if i > 0 && !c.lit(',') {
			return false
		}
		key, ok := c.str()
		if !ok || !c.lit(':') {
			return false
		}
		switch string(key) {
		case "total":
			if total, ok = c.uint(31); !ok {
				return false
			}
		case "mappings":
			if ms, ok = c.mappings(); !ok {
				return false
			}
		default:
			return false
		}
	}
	if !c.lit('}') || !c.end() || ms == nil {
		return false
	}
	r.Total, r.Mappings = int(total), ms
	return true
}

// skipValue returns the next JSON value without validating it (the caller
// validates it by decoding). It only has to find where a valid value ends.
func (c *cursor) skipValue() ([]byte, bool) {
	c.ws()
	start, depth := c.i, 0
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case '"':
			if !c.skipString() {
				return nil, false
			}
			if depth == 0 {
				return c.b[start:c.i], true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return c.b[start:c.i], c.i > start
			}
			depth--
			if depth == 0 {
				c.i++
				return c.b[start:c.i], true
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return c.b[start:c.i], c.i > start
			}
		}
		c.i++
	}
	return nil, false
}

// skipString moves past a string starting at c.i (the opening quote).
func (c *cursor) skipString() bool {
	for c.i++; c.i < len(c.b); c.i++ {
		switch c.b[c.i] {
		case '\\':
			c.i++
		case '"':
			c.i++
			return true
		}
	}
	return false
}

// fastEnvelope parses {"<key>":[{"id":N,"type":"T","body":V},...]} in the
// canonical form our encoder writes. Bodies alias data and are not
// validated here: each is decoded (and so validated) per request, and an
// undecodable body is reported for that request only. Anything else returns
// false and the generic decoder handles (and reports) it.
func fastEnvelope(data []byte, key string) ([]wireRequest, bool) {
	c := cursor{b: data}
	if !c.lit('{') {
		return nil, false
	}
	k, ok := c.str()
	if !ok || string(k) != key || !c.lit(':') || !c.lit('[') || c.peek(']') {
		return nil, false
	}
	var out []wireRequest
	for {
		if !c.lit('{') {
			return nil, false
		}
		var w wireRequest
		var seen uint8
		for first := true; ; first = false {
			if c.lit('}') {
				if first {
					return nil, false
				}
				break
			}
			if !first && !c.lit(',') {
				return nil, false
			}
			k, ok := c.str()
			if !ok || !c.lit(':') {
				return nil, false
			}
			var bit uint8
			switch string(k) {
			case "id":
				bit = 1
				if w.ID, ok = c.uint(64); !ok {
					return nil, false
				}
			case "type":
				bit = 2
				s, ok := c.str()
				if !ok {
					return nil, false
				}
				w.Type = string(s)
			case "body":
				bit = 4
				if w.Body, ok = c.skipValue(); !ok {
					return nil, false
				}
			default:
				return nil, false
			}
			if seen&bit != 0 {
				return nil, false
			}
			seen |= bit
		}
		out = append(out, w)
		if len(out) > MaxBatch {
			return nil, false
		}
		if c.lit(']') {
			break
		}
		if !c.lit(',') {
			return nil, false
		}
	}
	if !c.lit('}') || !c.end() {
		return nil, false
	}
	return out, true
}

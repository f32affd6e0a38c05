package apiclient

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
)

// Str accepts a JSON string, number or boolean (CRMs mix them for ids and
// flags) and keeps it as text; null and missing are "".
type Str string

// UnmarshalJSON implements json.Unmarshaler.
func (s *Str) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = ""
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = Str(v)
	case len(b) > 0 && (b[0] == '{' || b[0] == '['):
		return &json.UnmarshalTypeError{Value: kind(b), Type: reflect.TypeOf("")}
	default:
		*s = Str(b) // number or true/false, verbatim
	}
	return nil
}

// String returns the trimmed text.
func (s Str) String() string { return strings.TrimSpace(string(s)) }

// ID returns the text as an id, treating "", "0" and "null" as no id.
func (s Str) ID() string {
	v := s.String()
	if v == "0" || strings.EqualFold(v, "null") {
		return ""
	}
	return v
}

// Num accepts a JSON number or a numeric string; null, "" and missing are 0
// with Set false.
type Num struct {
	V   float64
	Set bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (n *Num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*n = Num{}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	text := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
		text = strings.TrimSpace(text)
		if text == "" {
			return nil
		}
	} else if len(b) > 0 && (b[0] == '{' || b[0] == '[' || b[0] == 't' || b[0] == 'f') {
		return &json.UnmarshalTypeError{Value: kind(b), Type: reflect.TypeOf(0.0)}
	}
	v, err := strconv.ParseFloat(text, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(text), Type: reflect.TypeOf(0.0)}
	}
	*n = Num{V: v, Set: true}
	return nil
}

// Bool accepts true/false, 1/0 and their string forms ("1", "true", "yes").
type Bool struct {
	V   bool
	Set bool
}

// UnmarshalJSON implements json.Unmarshaler.
func (x *Bool) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*x = Bool{}
	if bytes.Equal(b, []byte("null")) {
		return nil
	}
	text := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &text); err != nil {
			return err
		}
	}
	switch strings.ToLower(strings.TrimSpace(text)) {
	case "1", "true", "yes", "y", "on":
		*x = Bool{V: true, Set: true}
	case "0", "false", "no", "n", "off":
		*x = Bool{Set: true}
	case "":
	default:
		return &json.UnmarshalTypeError{Value: kind(b), Type: reflect.TypeOf(true)}
	}
	return nil
}

// StrList accepts a list of strings/numbers or one comma-separated string.
type StrList []string

// UnmarshalJSON implements json.Unmarshaler.
func (l *StrList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	*l = nil
	switch {
	case bytes.Equal(b, []byte("null")):
		return nil
	case len(b) > 0 && b[0] == '[':
		var raw []Str
		if err := json.Unmarshal(b, &raw); err != nil {
			return err
		}
		for _, r := range raw {
			*l = append(*l, splitList(r.String())...)
		}
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = splitList(s)
	default:
		return &json.UnmarshalTypeError{Value: kind(b), Type: reflect.TypeOf([]string{})}
	}
	return nil
}

// splitList splits on commas, trims, drops blanks and duplicates, keeps order.
func splitList(s string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}

func kind(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string " + string(b)
	case 't', 'f':
		return "bool"
	}
	return "number " + string(b)
}

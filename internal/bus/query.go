package bus

import (
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Read calls take their parameters in the query string, named as the JSON
// fields of the request (GET /v1/top?kind=hosts&by=down&n=20). A list is a
// repeated parameter (circuit_ids=a&circuit_ids=b).

// queryFields maps parameter names to struct field indexes.
func queryFields(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = i
	}
	return out
}

// encodeQuery returns the non-zero fields of the struct v points to.
func encodeQuery(v any) string {
	rv := reflect.ValueOf(v).Elem()
	q := url.Values{}
	for name, i := range queryFields(rv.Type()) {
		f := rv.Field(i)
		if f.IsZero() {
			continue
		}
		switch f.Kind() {
		case reflect.Slice:
			for j := range f.Len() {
				q.Add(name, fmt.Sprint(f.Index(j).Interface()))
			}
		default:
			q.Set(name, fmt.Sprint(f.Interface()))
		}
	}
	return q.Encode()
}

// decodeQuery sets the fields of the struct v points to from q. Unknown
// parameters and values that do not parse are errors naming the parameter.
func decodeQuery(q url.Values, v any) error {
	rv := reflect.ValueOf(v).Elem()
	fields := queryFields(rv.Type())
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range q {
			if !yield(k) {
				return
			}
		}
	}) {
		i, ok := fields[name]
		if !ok {
			return fmt.Errorf("unknown parameter %q", name)
		}
		vals, f := q[name], rv.Field(i)
		if f.Kind() == reflect.Slice {
			for _, s := range vals {
				e := reflect.New(f.Type().Elem()).Elem()
				if err := setValue(e, s); err != nil {
					return fmt.Errorf("parameter %s: %v", name, err)
				}
				f.Set(reflect.Append(f, e))
			}
			continue
		}
		if len(vals) != 1 {
			return fmt.Errorf("parameter %s: given %d times", name, len(vals))
		}
		if err := setValue(f, vals[0]); err != nil {
			return fmt.Errorf("parameter %s: %v", name, err)
		}
	}
	return nil
}

func setValue(f reflect.Value, s string) error {
	switch f.Kind() {
	case reflect.String:
		f.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		f.SetBool(b)
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, err := strconv.ParseInt(s, 10, f.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		f.SetInt(n)
	case reflect.Uint, reflect.Uint64, reflect.Uint32:
		n, err := strconv.ParseUint(s, 10, f.Type().Bits())
		if err != nil {
			return fmt.Errorf("%q is not a non-negative whole number", s)
		}
		f.SetUint(n)
	default:
		return fmt.Errorf("type %s cannot be a parameter", f.Type())
	}
	return nil
}

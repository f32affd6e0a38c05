package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/plan"
)

func mappingCases() []plan.Mapping {
	return []plan.Mapping{
		{},
		{Prefix: netip.MustParsePrefix("192.0.2.7/32"), CPU: 3, ClassID: 0x10003, UploadClassID: 0x20003, CircuitID: "c-17", DeviceID: "d-42"},
		{Prefix: netip.MustParsePrefix("2001:db8::/56"), CPU: 4294967295, ClassID: 4294967295, UploadCPU: 7, CircuitID: "c"},
		{Prefix: netip.MustParsePrefix("10.0.0.0/8"), CircuitID: `quote " back \ <tag> & é`, DeviceID: "\x01\u2028"},
		{Prefix: netip.MustParsePrefix("::ffff:10.0.0.1/128"), CircuitID: "\xff invalid utf8"},
	}
}

// The hand-written encoder writes exactly what json.Marshal writes.
func TestAppendMappingMatchesEncodingJSON(t *testing.T) {
	for _, m := range mappingCases() {
		want, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendMapping(nil, &m); !bytes.Equal(got, want) {
			t.Errorf("appendMapping(%+v)\n got %s\nwant %s", m, got, want)
		}
	}
	l := MappingList{Total: 9, Mappings: mappingCases()}
	want, _ := json.Marshal(&l)
	if got := listJSON(t, &l); !bytes.Equal(got, want) {
		t.Errorf("MappingList.writeJSON\n got %s\nwant %s", got, want)
	}
}

// What the fast reader takes, it reads as encoding/json does; what it
// declines, encoding/json decides.
func FuzzMappingJSON(f *testing.F) {
	for _, m := range mappingCases() {
		b, _ := json.Marshal(m)
		f.Add(b)
	}
	f.Add([]byte(`{"prefix":"10.0.0.1/32","cpu":1,"cpu":2,"circuit_id":"x"}`))
	f.Add([]byte(`{"prefix":"10.0.0.1/32","cpu":1.0,"circuit_id":"x"}`))
	f.Add([]byte(`{"prefix":"10.0.0.1/32","extra":1}`))
	f.Add([]byte(` { "prefix" : "10.0.0.1/32" , "class_id" : 07 } `))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var fast plan.Mapping
		fastErr := decodeMapping(raw, &fast)
		var slow plan.Mapping
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		slowErr := dec.Decode(&slow)
		if slowErr == nil && dec.More() {
			return // trailing data: decodeMapping only ever sees one value
		}
		if (fastErr == nil) != (slowErr == nil) {
			t.Fatalf("%q: fast err %v, encoding/json err %v", raw, fastErr, slowErr)
		}
		if fastErr == nil && !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%q: fast %+v, encoding/json %+v", raw, fast, slow)
		}
	})
}

// The client's reader of the list answer takes the canonical form whole
// and declines the rest (encoding/json then reads it).
func TestMappingListDecodeWhole(t *testing.T) {
	plain := MappingList{Total: 3, Mappings: mappingCases()[1:3]}
	var got MappingList
	if !got.decodeWhole(listJSON(t, &plain)) || !reflect.DeepEqual(got, plain) {
		t.Fatalf("canonical list: %+v, want %+v", got, plain)
	}
	for _, in := range []string{
		string(listJSON(t, &MappingList{Total: 5, Mappings: mappingCases()})), // escapes
		`{"mappings":[],"total":0}`,
		`{"total":1,"mappings":[],"next":2}`,
	} {
		if (&MappingList{}).decodeWhole([]byte(in)) {
			t.Errorf("decodeWhole took %s", in)
		}
	}
}

// listJSON is the list answer as the server writes it, checked against the
// length it announces, without the newline.
func listJSON(t *testing.T, l *MappingList) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := l.writeJSON(&buf); err != nil {
		t.Fatal(err)
	}
	b, ok := bytes.CutSuffix(buf.Bytes(), []byte("\n"))
	if !ok || len(b) != l.jsonSize() {
		t.Fatalf("writeJSON wrote %d bytes (newline %v), jsonSize says %d", len(b), ok, l.jsonSize())
	}
	return b
}

// The list answer in pieces (longer than one 64 KiB piece) is json.Marshal's.
func TestMappingListWriteJSONLong(t *testing.T) {
	l := MappingList{Total: 2000, Mappings: mappings(2000)}
	want, _ := json.Marshal(&l)
	if got := listJSON(t, &l); !bytes.Equal(got, want) {
		t.Errorf("writeJSON of 2000 mappings differs from json.Marshal")
	}
}

// The server's stream reader of an upload takes a body exactly as
// encoding/json does (unknown fields and trailing data are errors), on a
// table of odd bodies (a top-level null stays refused, by the envelope's
// reader); syntax errors are at the offsets the plain streaming reader
// (json.Decoder over the whole body) reports.
func TestMapIPsDecodeStreamMatchesEncodingJSON(t *testing.T) {
	m1 := `{"prefix":"10.0.0.1/32","cpu":1,"class_id":65537,"circuit_id":"c1"}`
	m2 := `{"prefix":"2001:db8::/56","cpu":2,"class_id":65538,"upload_cpu":3,"upload_class_id":131074,"circuit_id":"c2","device_id":"d2"}`
	long := `{"prefix":"10.0.0.2/32","cpu":1,"class_id":1,"circuit_id":"` + strings.Repeat("x", 5000) + `"}`
	for _, in := range []string{
		``, `{}`, `{"mappings":null}`, `{"mappings":[]}`, `{"mappings":[` + m1 + `]}`,
		`{"mappings":[` + m1 + `,` + m2 + `]}`, `{"mappings":[` + m1 + `,` + m2 + `]} `, `{"mappings":[` + m1 + `,` + m2 + `]}{}`,
		`{"mappings":[` + m1 + `,]}`, `{"mappings":[` + m1 + `,,` + m2 + `]}`, `{"mappings":[` + m1 + ` ` + m2 + `]}`,
		`{"mappings":[` + m1 + `,` + m2, `{"mappings":[` + m1 + `,`, `{"mappings":[` + m1, `{"mappings":[` + m1[:20],
		`{"mappings":[` + m1 + `],"mappings":[` + m2 + `]}`, `{"mappings":[` + m1 + `],"x":1}`, `{"x":1,"mappings":[]}`,
		`{"mappings":[` + m1 + `,` + long + `,` + m2 + `]}`, `{"mappings":[` + m1 + `, ` + m2 + `]}`, ` {"mappings":[` + m1 + `]}`,
		`{"mappings":[` + m1 + `,{"prefix":"10.0.0.1/32","cpu":1,"cpu":2,"circuit_id":"x"}]}`,
		`{"mappings":[` + m1 + `,{"prefix":"010.0.0.1/32","circuit_id":"x"}]}`,
		`{"mappings":[` + m1 + `,{"prefix":"10.0.0.1/032","circuit_id":"x"}]}`,
		`{"mappings":[` + m1 + `,{"prefix":"10.0.0.1/33","circuit_id":"x"}]}`,
		`{"mappings":[` + m1 + `,{"prefix":"10.0.0.256/8","circuit_id":"x"}]}`,
		`{"mappings":[` + m1 + `,{"prefix":"10.0.0.1/8","cpu":-1,"circuit_id":"x"}]}`,
		`{"mappings":[` + m1 + `,{"prefix":"10.0.0.1/8","cpu":4294967296,"circuit_id":"x"}]}`,
		`{"mappings":[` + m1 + `,{"prefix":"10.0.0.1/8","cpu":1e2,"circuit_id":"x"}]}`,
		`{"mappings":[` + m1 + `,{"prefix":"10.0.0.1/8","circuit_id":"\u00e9\n"}]}`,
		`{"mappings":[` + m1 + `,{"prefix":"","circuit_id":"x"}]}`, `{"mappings":[` + m1 + `,{"prefix":"10.0.0.1/8","extra":1}]}`,
		`{"mappings":[` + m1 + `,17]}`, `{"mappings":[` + m1 + `,null]}`, `{"mappings":{}}`, `{"mappings":[` + m1 + `]`,
		`{"mappings":[` + m1 + "]}\x00",
	} {
		checkDecodeStream(t, in)
	}
}

// The same against random bodies, seeded with canonical ones.
func FuzzMapIPsDecodeStream(f *testing.F) {
	b, _ := json.Marshal(&MapIPs{Mappings: mappings(3)})
	f.Add(b)
	f.Add(append(b[:len(b)-3:len(b)-3], " ,{}]}"...))
	f.Add([]byte(`{"mappings":[{"prefix":"10.0.0.1/32","cpu":1,"class_id":1,"circuit_id":"c\u0041"}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		if bytes.Equal(bytes.TrimSpace(in), []byte("null")) {
			return // the envelope's reader refuses a top-level null
		}
		checkDecodeStream(t, string(in))
	})
}

// checkDecodeStream compares the stream reader on one body with
// encoding/json (acceptance and values) and with json.Decoder reading the
// whole body as a stream (syntax error offsets).
func checkDecodeStream(t *testing.T, in string) {
	t.Helper()
	var fast MapIPs
	dec, fastErr := fast.decodeStream(strings.NewReader(in))
	if fastErr == nil {
		if _, err := dec.Token(); err != io.EOF {
			fastErr = errors.New("trailing data")
		}
	}
	var slow MapIPs
	sd := json.NewDecoder(strings.NewReader(in))
	sd.DisallowUnknownFields()
	slowErr := sd.Decode(&slow)
	if slowErr == io.EOF {
		slowErr = nil
	}
	if slowErr == nil {
		if _, err := sd.Token(); err != io.EOF {
			slowErr = errors.New("trailing data")
		}
	}
	if (fastErr == nil) != (slowErr == nil) {
		t.Errorf("%.80q: stream reader err %v, encoding/json err %v", in, fastErr, slowErr)
		return
	}
	var plain MapIPs
	pd := json.NewDecoder(strings.NewReader(in))
	plainErr := decodeObject(pd, func(string) error {
		var err error
		plain.Mappings, err = decodeMappings(pd, nil, false)
		return err
	})
	var fse, sse *json.SyntaxError
	if errors.As(fastErr, &fse) && errors.As(plainErr, &sse) && !errors.As(fastErr, new(indexError)) && fse.Offset != sse.Offset {
		t.Errorf("%.80q: syntax error at %d (%v), encoding/json at %d (%v)", in, fse.Offset, fse, sse.Offset, sse)
	}
	if fastErr == nil && (len(fast.Mappings) != len(slow.Mappings) || (len(slow.Mappings) > 0 && !reflect.DeepEqual(fast.Mappings, slow.Mappings))) {
		t.Errorf("%.80q: stream reader %+v, encoding/json %+v", in, fast.Mappings, slow.Mappings)
	}
}

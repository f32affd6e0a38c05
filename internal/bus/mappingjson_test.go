package bus

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"reflect"
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
	if got := l.appendJSON(nil); !bytes.Equal(got, want) {
		t.Errorf("MappingList.appendJSON\n got %s\nwant %s", got, want)
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
	if !got.decodeWhole(plain.appendJSON(nil)) || !reflect.DeepEqual(got, plain) {
		t.Fatalf("canonical list: %+v, want %+v", got, plain)
	}
	for _, in := range []string{
		string((&MappingList{Total: 5, Mappings: mappingCases()}).appendJSON(nil)), // escapes
		`{"mappings":[],"total":0}`,
		`{"total":1,"mappings":[],"next":2}`,
	} {
		if (&MappingList{}).decodeWhole([]byte(in)) {
			t.Errorf("decodeWhole took %s", in)
		}
	}
}

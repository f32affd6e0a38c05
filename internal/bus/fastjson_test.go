package bus

import (
	"bytes"
	"encoding/json"
	"github.com/libreqos-go/lqos/internal/plan"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Shadow types without the fast methods: the reference behaviour.
type (
	plainMapIPs      MapIPs
	plainMappingList MappingList
)

func fastCases() []plan.Mapping {
	return []plan.Mapping{
		{},
		{Prefix: pfx("192.0.2.7/32"), CPU: 3, ClassID: 0x10003, UploadClassID: 0x20003, CircuitID: "c-17", DeviceID: "d-42"},
		{Prefix: pfx("2001:db8::/56"), CPU: 4294967295, ClassID: 0, CircuitID: "", DeviceID: ""},
		{Prefix: pfx("::ffff:10.0.0.1/128"), CircuitID: `quo"te\back<html>&`, DeviceID: "ünïcode\x00\n"},
		{Prefix: pfx("0.0.0.0/0"), CircuitID: "bad utf8 \xff\xfe"},
	}
}

func TestFastEncoderMatchesEncodingJSON(t *testing.T) {
	for _, ms := range [][]plan.Mapping{nil, {}, fastCases()} {
		want, err := json.Marshal((*plainMapIPs)(&MapIPs{Mappings: ms}))
		if err != nil {
			t.Fatal(err)
		}
		if got := (&MapIPs{Mappings: ms}).appendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("MapIPs:\n got %s\nwant %s", got, want)
		}
		l := &MappingList{Total: 7, Mappings: ms}
		want, _ = json.Marshal((*plainMappingList)(l))
		if got := l.appendJSON(nil); !bytes.Equal(got, want) {
			t.Errorf("MappingList:\n got %s\nwant %s", got, want)
		}
	}
}

func TestFastDecoderAcceptsCanonical(t *testing.T) {
	ms := mappings(1000)
	body := (&MapIPs{Mappings: ms}).appendJSON(nil)
	var r MapIPs
	if !r.decodeFast(body) {
		t.Fatal("fast decoder rejected canonical output")
	}
	if diff := cmp.Diff(ms, r.Mappings, prefixCmp); diff != "" {
		t.Fatal(diff)
	}
	var l MappingList
	if !l.decodeFast((&MappingList{Total: 1000, Mappings: ms}).appendJSON(nil)) || l.Total != 1000 || len(l.Mappings) != 1000 {
		t.Fatalf("MappingList fast decode: %d %d", l.Total, len(l.Mappings))
	}
}

func TestFastDecoderDefersOddInput(t *testing.T) {
	for _, in := range []string{
		`{"mappings":null}`,
		`{"Mappings":[]}`,
		`{"mappings":[{"prefix":"10.0.0.1/32","CPU":1}]}`,
		`{"mappings":[{"prefix":"10.0.0.1/32","cpu":1,"cpu":2}]}`,
		`{"mappings":[{"prefix":"10.0.0.1/32","cpu":1.0}]}`,
		`{"mappings":[{"prefix":"10.0.0.1/32","cpu":4294967296}]}`,
		`{"mappings":[{"prefix":"10.0.0.1/32","cpu":01}]}`,
		`{"mappings":[{"prefix":"","cpu":1}]}`,
		`{"mappings":[{"prefix":"10.0.0.1/33"}]}`,
		`{"mappings":[{"circuit_id":"a\u0041"}]}`,
		`{"mappings":[{"circuit_id":"é"}]}`,
		`{"mappings":[],}`,
		`{"mappings":[]} x`,
		`{"mappings":[{"prefix":"10.0.0.1/32",}]}`,
	} {
		var r MapIPs
		if r.decodeFast([]byte(in)) {
			t.Errorf("fast path accepted %s", in)
		}
	}
}

func FuzzMappingsFastPath(f *testing.F) {
	f.Add((&MapIPs{Mappings: fastCases()[1:3]}).appendJSON(nil))
	f.Add([]byte(`{"mappings":[ {"cpu":1 , "prefix":"10.0.0.0/8"} ]}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"total":2,"mappings":[{"prefix":"::/0","class_id":5}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var fast MapIPs
		if fast.decodeFast(in) {
			var ref plainMapIPs
			if err := strictUnmarshal(in, &ref); err != nil {
				t.Fatalf("fast path accepted what encoding/json rejects (%v): %q", err, in)
			}
			if diff := cmp.Diff(ref.Mappings, fast.Mappings, prefixCmp, cmp.Comparer(func(a, b []plan.Mapping) bool {
				return len(a) == len(b) && (len(a) == 0 || cmp.Equal(a, b, prefixCmp))
			})); diff != "" {
				t.Fatalf("fast and generic decoders disagree on %q:\n%s", in, diff)
			}
		}
		var fl MappingList
		if fl.decodeFast(in) {
			var ref plainMappingList
			if err := json.Unmarshal(in, &ref); err != nil {
				t.Fatalf("list fast path accepted invalid %q: %v", in, err)
			}
			if ref.Total != fl.Total || len(ref.Mappings) != len(fl.Mappings) {
				t.Fatalf("list decoders disagree on %q", in)
			}
		}
	})
}

package bus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"testing"
)

func rawHeader(m string, ver, flags uint16, n uint32) []byte {
	b := make([]byte, HeaderSize)
	copy(b, m)
	binary.BigEndian.PutUint16(b[4:], ver)
	binary.BigEndian.PutUint16(b[6:], flags)
	binary.BigEndian.PutUint32(b[8:], n)
	return b
}

func TestDecodeFrame(t *testing.T) {
	good := AppendFrame(nil, []byte(`{"x":1}`))
	tests := []struct {
		name     string
		in       []byte
		max      int
		wantBody string
		wantRest int
		wantErr  error
	}{
		{"ok", good, 100, `{"x":1}`, 0, nil},
		{"ok with trailing frame", append(append([]byte{}, good...), good...), 100, `{"x":1}`, len(good), nil},
		{"exactly max", good, 7, `{"x":1}`, 0, nil},
		{"one over max", good, 6, "", 0, ErrFrameTooLarge},
		{"empty input", nil, 100, "", 0, io.ErrUnexpectedEOF},
		{"short header", good[:5], 100, "", 0, io.ErrUnexpectedEOF},
		{"truncated body", good[:len(good)-1], 100, "", 0, io.ErrUnexpectedEOF},
		{"bad magic", append(rawHeader("HTTP", 1, 0, 1), 'x'), 100, "", 0, ErrBadMagic},
		{"future version", append(rawHeader("LQBS", 2, 0, 1), 'x'), 100, "", 0, ErrUnsupportedVersion},
		{"version zero", append(rawHeader("LQBS", 0, 0, 1), 'x'), 100, "", 0, ErrUnsupportedVersion},
		{"flags set", append(rawHeader("LQBS", 1, 1, 1), 'x'), 100, "", 0, ErrBadFlags},
		{"zero length", rawHeader("LQBS", 1, 0, 0), 100, "", 0, ErrEmptyFrame},
		{"4 GiB length", rawHeader("LQBS", 1, 0, 0xFFFFFFFF), DefaultMaxFrameSize, "", 0, ErrFrameTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body, rest, err := DecodeFrame(tc.in, tc.max)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				tc.wantRest = len(tc.in) // on error nothing is consumed
			}
			if string(body) != tc.wantBody || len(rest) != tc.wantRest {
				t.Fatalf("body %q rest %d, want %q rest %d", body, len(rest), tc.wantBody, tc.wantRest)
			}
			// ReadFrame must agree with DecodeFrame.
			rb, rerr := ReadFrame(bytes.NewReader(tc.in), tc.max)
			if len(tc.in) == 0 && rerr == io.EOF {
				return // a clean end of stream before any byte
			}
			if !errors.Is(rerr, tc.wantErr) || string(rb) != tc.wantBody {
				t.Fatalf("ReadFrame = %q, %v; want %q, %v", rb, rerr, tc.wantBody, tc.wantErr)
			}
		})
	}
}

// A header announcing a huge (but allowed) body followed by a few bytes must
// not make ReadFrame allocate the announced size.
func TestReadFrameLyingHeaderDoesNotPreallocate(t *testing.T) {
	in := append(rawHeader("LQBS", 1, 0, 15<<20), "short"...)
	before := memAlloc()
	_, err := ReadFrame(bytes.NewReader(in), DefaultMaxFrameSize)
	grew := memAlloc() - before
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
	if grew > 1<<20 {
		t.Fatalf("ReadFrame allocated %d bytes for a 5-byte body", grew)
	}
}

func FuzzDecodeFrame(f *testing.F) {
	f.Add(AppendFrame(nil, []byte(`{"requests":[{"id":1,"type":"ping"}]}`)))
	f.Add(rawHeader("LQBS", 1, 0, 0xFFFFFFFF))
	f.Add(rawHeader("LQBS", 1, 0, 0))
	f.Add(append(rawHeader("LQBS", 2, 0, 1), 'x'))
	f.Add([]byte("LQB"))
	const max = 1 << 16
	f.Fuzz(func(t *testing.T, in []byte) {
		body, rest, err := DecodeFrame(in, max)
		rb, rerr := ReadFrame(bytes.NewReader(in), max)
		if (err == nil) != (rerr == nil) {
			t.Fatalf("DecodeFrame err %v, ReadFrame err %v", err, rerr)
		}
		if err != nil {
			if body != nil || len(rest) != len(in) {
				t.Fatalf("error %v but body %d bytes, rest %d", err, len(body), len(rest))
			}
			return
		}
		if len(body) == 0 || len(body) > max {
			t.Fatalf("body length %d outside 1..%d", len(body), max)
		}
		if !bytes.Equal(body, rb) {
			t.Fatal("DecodeFrame and ReadFrame disagree")
		}
		if !bytes.Equal(AppendFrame(nil, body), in[:len(in)-len(rest)]) {
			t.Fatal("re-encoding does not reproduce the frame")
		}
	})
}

func FuzzDecodeRequests(f *testing.F) {
	seeds := []string{
		`{"requests":[{"id":1,"type":"ping"}]}`,
		`{"requests":[{"id":1,"type":"map_ips","body":{"mappings":[{"prefix":"10.0.0.1/32","cpu":1,"class_id":65537,"circuit_id":"c1"}]}}]}`,
		`{"requests":[{"id":1,"type":"del_ips","body":{"prefixes":["x"]}},{"id":1,"type":"nope"}]}`,
		`{"requests":[{"id":2,"type":"raise_urgent","body":{"code":"X","severity":"error","message":"m","context":{"a":[1]}}}]}`,
		`{"requests":[{"id":1,"type":"ping","body":null},{"id":2,"type":"ping","body": {} }]}`,
		`{"requests":[{"id":1,"type":"ping","body":{]}]}`,
		`{"requests":[]}`, `[]`, `null`, `{"requests":[{"id":3,"type":"get_top_n","body":{"kind":"hosts","n":-1}}]}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		// The fast envelope parser must agree with encoding/json whenever
		// both accept the input.
		if fast, ok := fastEnvelope(body, "requests"); ok {
			var g wireRequestBatch
			if err := strictUnmarshal(body, &g); err == nil {
				if len(g.Requests) != len(fast) {
					t.Fatalf("fast envelope: %d requests, generic %d", len(fast), len(g.Requests))
				}
				for i, w := range g.Requests {
					f := fast[i]
					if f.ID != w.ID || f.Type != w.Type || !bytes.Equal(f.Body, w.Body) {
						t.Fatalf("element %d: fast %+v generic %+v", i, f, w)
					}
				}
			}
		}
		reqs, ferr := DecodeRequests(body)
		if ferr != nil {
			if reqs != nil {
				t.Fatal("frame error with requests")
			}
			if ferr.Code != CodeBadFrame || ferr.Message == "" {
				t.Fatalf("frame error %+v", ferr)
			}
			return
		}
		ids := make([]uint64, 0, len(reqs))
		var ok []Request
		for _, d := range reqs {
			if (d.Req == nil) == (d.Err == nil) {
				t.Fatalf("request %d: want exactly one of Req/Err, got %v / %v", d.ID, d.Req, d.Err)
			}
			if d.Req != nil {
				ids = append(ids, d.ID)
				ok = append(ok, d.Req)
			}
		}
		if len(ok) == 0 {
			return
		}
		// Whatever decoded must survive a re-encode/decode round trip.
		again, err := EncodeRequests(ids, ok)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		reqs2, ferr := DecodeRequests(again)
		if ferr != nil {
			t.Fatalf("re-decode: %v\n%s", ferr, again)
		}
		for i, d := range reqs2 {
			if d.Err != nil || d.Req.RequestType() != ok[i].RequestType() {
				t.Fatalf("round trip of %s: %v", ok[i].RequestType(), d.Err)
			}
		}
	})
}

func memAlloc() int {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int(ms.TotalAlloc)
}

package bus

import (
	"bufio"
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// FuzzServerStream sends arbitrary bytes to a real server over its socket:
// every frame it answers must decode as a response batch, and another
// client must still get answers afterwards.
func FuzzServerStream(f *testing.F) {
	ping := AppendFrame(nil, []byte(`{"requests":[{"id":1,"type":"ping"}]}`))
	f.Add(ping)
	f.Add(append(append([]byte{}, ping...), ping...))
	f.Add(AppendFrame(nil, []byte(`{"requests":[{"id":1,"type":"map_ips","body":{"mappings":[{"prefix":"10.0.0.1/32","cpu":1,"class_id":65537,"circuit_id":"c1"}]}},{"id":2,"type":"list_ips"}]}`)))
	f.Add(AppendFrame(nil, []byte(`{"requests":[{"id":1,"type":"raise_urgent","body":{"code":"X_Y","severity":"error","message":"m"}},{"id":2,"type":"list_urgent"},{"id":3,"type":"ack_urgent","body":{"code":"X_Y"}}]}`)))
	f.Add(rawHeader("LQBS", 1, 0, 0xFFFFFFFF))
	f.Add(append(rawHeader("LQBS", 1, 0, 3), "{]}"...))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))

	_, path := testServer(f, newFake(f), ServerOptions{MaxFrameSize: 1 << 16, FrameTimeout: 200 * time.Millisecond})
	bystander := dial(f, path)
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(in) // the server may close first (bad frame); that is fine
		c.(*net.UnixConn).CloseWrite()
		br := bufio.NewReader(c)
		for {
			body, err := ReadFrame(br, DefaultMaxResponseSize)
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatal("server neither answered nor closed the connection")
				}
				if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !isReset(err) {
					t.Fatalf("reading answers: %v", err)
				}
				break
			}
			if _, err := DecodeResponses(body); err != nil {
				t.Fatalf("server sent an undecodable response batch: %v: %q", err, body)
			}
		}
		if _, err := bystander.Ping(ctxT(t)); err != nil {
			t.Fatalf("another client lost its answers: %v", err)
		}
	})
}

func isReset(err error) bool {
	var op *net.OpError
	return errors.As(err, &op)
}

// FuzzDecodeResponses: the client's reply decoder never panics and what it
// accepts re-encodes.
func FuzzDecodeResponses(f *testing.F) {
	for _, s := range []string{
		`{"responses":[{"id":1,"type":"pong","body":{"server_time":"2026-01-02T03:04:05Z"}}]}`,
		`{"responses":[{"id":2,"type":"map_ips_result","body":{"applied":1}},{"id":3,"type":"error","body":{"code":"busy","message":"m"}}]}`,
		`{"responses":[{"id":1,"type":"urgent_list","body":{"issues":[{"id":1,"code":"X","severity":"error"}]}}]}`,
		`{"responses":[]}`, `null`, `{"responses":[{"id":1,"type":"nope"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		rs, err := DecodeResponses(body)
		if err != nil {
			return
		}
		ids := make([]uint64, len(rs))
		resps := make([]Response, len(rs))
		for i, r := range rs {
			ids[i] = r.ID
			resps[i] = r.Resp
		}
		if _, err := EncodeResponses(ids, resps); err != nil {
			t.Fatalf("accepted responses do not re-encode: %v", err)
		}
	})
}

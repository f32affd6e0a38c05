package bus

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// FuzzServerStream sends arbitrary bytes to a real server over its socket:
// every answer must be an HTTP response whose error body decodes, and
// another client must still get answers afterwards.
func FuzzServerStream(f *testing.F) {
	f.Add(rawRequest("GET", "/v1/ping", ""))
	f.Add(append(rawRequest("GET", "/v1/ping", ""), rawRequest("GET", "/v1/version", "")...))
	f.Add(rawRequest("POST", "/v1/mappings", `{"mappings":[{"prefix":"10.0.0.1/32","cpu":1,"class_id":65537,"circuit_id":"c1"}]}`))
	f.Add(rawRequest("POST", "/v1/urgent", `{"code":"X_Y","severity":"error","message":"m"}`))
	f.Add(rawRequest("GET", "/v1/top?kind=hosts&n=3", ""))
	f.Add([]byte("POST /v1/mappings HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"map\r\n0\r\n\r\n"))
	f.Add([]byte("LQBS\x00\x01\x00\x00\x00\x00\x00\x02{}"))

	_, path := testServer(f, newFake(f), ServerOptions{MaxRequestSize: 1 << 16, ReadTimeout: 200 * time.Millisecond})
	bystander := dial(f, path)
	f.Fuzz(func(t *testing.T, in []byte) {
		c, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(in) // the server may close first; that is fine
		c.(*net.UnixConn).CloseWrite()
		br := bufio.NewReader(c)
		for {
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatal("server neither answered nor closed the connection")
				}
				break // closed, or the end of what it sent
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				break
			}
			var e Error
			if res.StatusCode != http.StatusOK && res.Header.Get("Content-Type") == "application/json" && (json.Unmarshal(body, &e) != nil || e.Code == "") {
				t.Fatalf("HTTP %d with an undecodable error body %q", res.StatusCode, body)
			}
		}
		if _, err := bystander.Ping(ctxT(t)); err != nil {
			t.Fatalf("another client lost its answers: %v", err)
		}
	})
}

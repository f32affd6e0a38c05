package webui_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/libreqos-go/lqos/internal/testwait"
)

func (c *client) dial(t *testing.T, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := testwait.Context(t) // bounded by the test deadline only
	defer cancel()
	hdr := http.Header{}
	if origin != "" {
		hdr.Set("Origin", origin)
	}
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(c.base, "http")+"/ws", &websocket.DialOptions{HTTPClient: c.hc, HTTPHeader: hdr})
	if conn != nil {
		t.Cleanup(func() { conn.CloseNow() })
	}
	return conn, res, err
}

type wsMsg struct {
	Type    string          `json:"type"`
	Channel string          `json:"channel"`
	Data    json.RawMessage `json:"data"`
	Message string          `json:"message"`
	Role    string          `json:"role"`
}

func read(t *testing.T, conn *websocket.Conn) (wsMsg, error) {
	t.Helper()
	ctx, cancel := testwait.Context(t) // bounded by the test deadline only
	defer cancel()
	_, b, err := conn.Read(ctx)
	if err != nil {
		return wsMsg{}, err
	}
	var m wsMsg
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("bad frame %s: %v", b, err)
	}
	return m, nil
}

// readUntil reads until a message matches or n messages passed.
func readUntil(t *testing.T, conn *websocket.Conn, n int, match func(wsMsg) bool) wsMsg {
	t.Helper()
	for i := 0; i < n; i++ {
		m, err := read(t, conn)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if match(m) {
			return m
		}
	}
	t.Fatalf("no matching message in %d frames", n)
	return wsMsg{}
}

func send(t *testing.T, conn *websocket.Conn, v any) {
	t.Helper()
	b, _ := json.Marshal(v)
	if err := conn.Write(context.Background(), websocket.MessageText, b); err != nil {
		t.Fatal(err)
	}
}

func TestWebsocketAuthAndOrigin(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t)
	cases := []struct {
		name   string
		c      *client
		origin string
		want   int
	}{
		{"no session", e.client(), e.ts.URL, http.StatusUnauthorized},
		{"cross origin", viewer, "http://evil.example", http.StatusForbidden},
		{"missing origin", viewer, "", http.StatusForbidden},
	}
	for _, tc := range cases {
		_, res, err := tc.c.dial(t, tc.origin)
		if err == nil || res == nil || res.StatusCode != tc.want {
			code := 0
			if res != nil {
				code = res.StatusCode
			}
			t.Errorf("%s: err %v status %d, want %d", tc.name, err, code, tc.want)
		}
	}
}

func TestWebsocketSubscribe(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t)
	conn, _, err := viewer.dial(t, e.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	if m, _ := read(t, conn); m.Type != "hello" || m.Role != "readonly" {
		t.Fatalf("first frame %+v, want hello for readonly", m)
	}
	send(t, conn, map[string]string{"type": "subscribe", "channel": "nope"})
	if m := readUntil(t, conn, 3, func(m wsMsg) bool { return m.Type == "error" }); !strings.Contains(m.Message, "unknown channel") {
		t.Errorf("unknown channel error = %q", m.Message)
	}
	send(t, conn, map[string]string{"type": "subscribe", "channel": "throughput"})
	readUntil(t, conn, 3, func(m wsMsg) bool { return m.Type == "subscribed" && m.Channel == "throughput" })
	// Several distinct values arrive (ticker every 50 ms in tests).
	seen := map[string]bool{}
	for len(seen) < 3 {
		m := readUntil(t, conn, 10, func(m wsMsg) bool { return m.Type == "data" })
		if m.Channel != "throughput" {
			t.Fatalf("data for unsubscribed channel %q", m.Channel)
		}
		var tp struct {
			BPS struct{ Down uint64 } `json:"bps"`
		}
		json.Unmarshal(m.Data, &tp)
		if tp.BPS.Down == 0 {
			t.Fatalf("zero throughput in %s", m.Data)
		}
		seen[string(m.Data)] = true
	}
	send(t, conn, map[string]string{"type": "subscribe", "channel": "scheduler"})
	m := readUntil(t, conn, 50, func(m wsMsg) bool { return m.Channel == "scheduler" && m.Type == "data" })
	if !strings.Contains(string(m.Data), `"state":"healthy"`) {
		t.Errorf("scheduler data %s, want state healthy", m.Data)
	}
	e.src.SetScheduler("error")
	m = readUntil(t, conn, 100, func(m wsMsg) bool {
		return m.Channel == "scheduler" && strings.Contains(string(m.Data), `"state":"error"`)
	})
	if !strings.Contains(string(m.Data), "error_preview") {
		t.Errorf("error state without preview: %s", m.Data)
	}
	send(t, conn, map[string]string{"type": "unsubscribe", "channel": "throughput"})
	readUntil(t, conn, 50, func(m wsMsg) bool { return m.Type == "unsubscribed" })
	// After the ack no throughput frame may follow; wait for a few
	// scheduler frames and check.
	for i := 0; i < 3; i++ {
		m := readUntil(t, conn, 50, func(m wsMsg) bool { return m.Type == "data" })
		if m.Channel == "throughput" {
			t.Fatal("throughput after unsubscribe")
		}
	}
}

func TestWebsocketClosedOnLogout(t *testing.T) {
	e := newEnv(t, nil)
	admin, _ := e.setup(t)
	conn, _, err := admin.dial(t, e.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	read(t, conn) // hello
	if r := admin.do(t, "POST", "/api/logout", nil, nil); r.Status != 200 {
		t.Fatal(r.Status)
	}
	for {
		_, err := read(t, conn)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Reason != "logged out" {
			t.Fatalf("socket ended with %v, want close reason \"logged out\"", err)
		}
		return
	}
}

// A socket that floods the server with messages is closed.
func TestWebsocketFloodClosed(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t)
	conn, _, err := viewer.dial(t, e.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := 0; i < 200; i++ {
			b, _ := json.Marshal(map[string]string{"type": "unsubscribe", "channel": "cpu"})
			if conn.Write(context.Background(), websocket.MessageText, b) != nil {
				return
			}
		}
	}()
	for {
		_, err := read(t, conn)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Reason != "too many messages" {
			t.Fatalf("socket ended with %v, want close reason \"too many messages\"", err)
		}
		return
	}
}

func TestWebsocketPerSessionLimit(t *testing.T) {
	e := newEnv(t, nil)
	_, viewer := e.setup(t)
	for i := 0; i < 16; i++ {
		conn, _, err := viewer.dial(t, e.ts.URL)
		if err != nil {
			t.Fatalf("socket %d: %v", i+1, err)
		}
		read(t, conn) // hello: the server has registered it
	}
	_, res, err := viewer.dial(t, e.ts.URL)
	if err == nil || res == nil || res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("17th socket: err %v, want HTTP 429", err)
	}
	// Another login is not affected.
	other := e.client()
	other.login(t, "viewer", roPass)
	if _, _, err := other.dial(t, e.ts.URL); err != nil {
		t.Fatalf("other session: %v", err)
	}
}

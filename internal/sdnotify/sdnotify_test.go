package sdnotify

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listen creates a fake systemd notify socket and points NOTIFY_SOCKET at it.
func listen(t *testing.T) *net.UnixConn {
	t.Helper()
	dir, err := os.MkdirTemp("", "lqtsdn")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	path := filepath.Join(dir, "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	t.Setenv("NOTIFY_SOCKET", path)
	return c
}

func recv(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestMessages(t *testing.T) {
	c := listen(t)
	tests := []struct {
		name string
		send func() (bool, error)
		want string
	}{
		{"ready", func() (bool, error) { return Ready("") }, "READY=1"},
		{"ready with status", func() (bool, error) { return Ready("shaping 10 circuits") }, "READY=1\nSTATUS=shaping 10 circuits"},
		{"status newline flattened", func() (bool, error) { return Status("degraded:\ninterface missing") }, "STATUS=degraded: interface missing"},
		{"stopping", func() (bool, error) { return Stopping("SIGTERM") }, "STOPPING=1\nSTATUS=SIGTERM"},
	}
	for _, tc := range tests {
		ok, err := tc.send()
		if !ok || err != nil {
			t.Fatalf("%s: sent=%v err=%v", tc.name, ok, err)
		}
		if got := recv(t, c); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	if ok, err := Reloading(""); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if got := recv(t, c); !strings.HasPrefix(got, "RELOADING=1\nMONOTONIC_USEC=") {
		t.Errorf("reloading: %q", got)
	}
	// NOTIFY_SOCKET is kept so later notifications still work.
	if os.Getenv("NOTIFY_SOCKET") == "" {
		t.Fatal("NOTIFY_SOCKET was cleared")
	}
}

func TestNoSystemd(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if ok, err := Ready("x"); ok || err != nil {
		t.Fatalf("without systemd: sent=%v err=%v", ok, err)
	}
	if Watchdog(context.Background(), nil, nil) {
		t.Fatal("watchdog ran without WATCHDOG_USEC")
	}
}

func TestWatchdog(t *testing.T) {
	c := listen(t)
	t.Setenv("WATCHDOG_USEC", "20000")
	t.Setenv("WATCHDOG_PID", strconv.Itoa(os.Getpid()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan bool)
	go func() { done <- Watchdog(ctx, func() bool { return true }, nil) }()
	for range 2 {
		if got := recv(t, c); got != "WATCHDOG=1" {
			t.Fatalf("got %q", got)
		}
	}
	cancel()
	if !<-done {
		t.Fatal("Watchdog reported no watchdog")
	}
}

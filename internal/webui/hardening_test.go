package webui_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/audit"
	"github.com/libreqos-go/lqos/internal/testwait"
	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/libreqos-go/lqos/internal/webui/demosource"
	"golang.org/x/crypto/bcrypt"
)

// forwarderEnv makes the test binary a plain TCP forwarder (like socat or
// a container port proxy): it listens on every address and relays to the
// address in the variable.
const (
	forwarderEnv       = "LQOS_WEBUI_TEST_FORWARD_TO"
	forwarderListenEnv = "LQOS_WEBUI_TEST_FORWARD_LISTEN" // default 0.0.0.0
)

func TestMain(m *testing.M) {
	if target := os.Getenv(forwarderEnv); target != "" {
		runForwarder(target)
		return
	}
	os.Exit(m.Run())
}

func runForwarder(target string) {
	listen := os.Getenv(forwarderListenEnv)
	if listen == "" {
		listen = "0.0.0.0"
	}
	ln, err := net.Listen("tcp4", listen+":0")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	for {
		c, err := ln.Accept()
		if err != nil {
			os.Exit(0)
		}
		go func() {
			defer c.Close()
			up, err := net.Dial("tcp", target)
			if err != nil {
				return
			}
			defer up.Close()
			go io.Copy(up, c)
			io.Copy(c, up)
		}()
	}
}

// startForwarder runs the forwarder in a child process and returns its port.
func startForwarder(t *testing.T, target string) int { return startForwarderOn(t, target, "") }

// startForwarderOn runs the forwarder listening on listen (default all
// addresses).
func startForwarderOn(t *testing.T, target, listen string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), forwarderEnv+"="+target, forwarderListenEnv+"="+listen)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("forwarder: %v", err)
	}
	var port int
	if _, err := fmt.Sscanf(line, "%d", &port); err != nil {
		t.Fatalf("forwarder said %q", line)
	}
	return port
}

// liveServer runs a Server on a real loopback listener (so connection
// limits, timeouts and the first-run process check see real sockets).
func liveServer(t *testing.T, mod func(*webui.Config)) (*webui.Server, string) {
	t.Helper()
	cfg := webui.Config{
		UsersFile:  filepath.Join(t.TempDir(), "users.json"),
		Source:     demosource.New(3),
		BcryptCost: bcrypt.MinCost,
		Logger:     discardLogger(),
	}
	if mod != nil {
		mod(&cfg)
	}
	srv, err := webui.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	return srv, ln.Addr().String()
}

// clientFrom is an HTTP client whose connections come from local address ip
// (any 127.x.y.z works on Linux without privileges).
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Transport: &http.Transport{DialContext: d.DialContext}}
}

// post sends a same-origin JSON POST to http://addr+path with the given Host.
func post(t *testing.T, hc *http.Client, addr, host, path, body string, hdr map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://"+addr+path, strings.NewReader(body))
	req.Host = host
	req.Header.Set("Origin", "http://"+host)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// firstNonLoopbackIPv4 is an address of this machine to play a remote
// client from (a connection from it to 127.0.0.1 looks remote to the kernel).
func firstNonLoopbackIPv4(t *testing.T) string {
	t.Helper()
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP.String()
		}
	}
	t.Skip("this machine has no non-loopback IPv4 address to play a remote client: only the listening-forwarder case is tested")
	return ""
}

// eventually polls cond a bounded number of times.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, what, cond)
}

// First run without the token: only a browser on this box, talking to us
// directly. A local TCP forwarder, a proxy header, a LAN address or a
// non-loopback Host all need the token.
func TestFirstRunOnlyFromThisBox(t *testing.T) {
	body := `{"username":"admin","password":"` + adminPass + `"}`
	cases := []struct {
		name   string
		from   string // client source address
		host   string // Host header; "" = the server's own address
		hdr    map[string]string
		viaFwd bool
		want   int
	}{
		{name: "TCP forwarder listening on all addresses", from: "127.0.0.1", viaFwd: true, want: 403},
		{name: "X-Forwarded-For from a reverse proxy", from: "127.0.0.1", hdr: map[string]string{"X-Forwarded-For": "127.0.0.1"}, want: 403},
		{name: "Forwarded header", from: "127.0.0.1", hdr: map[string]string{"Forwarded": "for=127.0.0.1"}, want: 403},
		{name: "Via header", from: "127.0.0.1", hdr: map[string]string{"Via": "1.1 proxy"}, want: 403},
		{name: "DNS-rebound name as Host", from: "127.0.0.1", host: "evil.example:9123", want: 403},
		{name: "LAN address as Host", from: "127.0.0.1", host: "192.168.7.1:9123", want: 403},
		{name: "browser on this box, Host localhost", from: "127.0.0.1", host: "localhost", want: 200},
		{name: "browser on this box, other loopback address", from: "127.0.0.9", want: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, addr := liveServer(t, nil)
			target := addr
			if tc.viaFwd {
				target = fmt.Sprintf("127.0.0.1:%d", startForwarder(t, addr))
			}
			host := tc.host
			if host == "" {
				host = target
			}
			if got := post(t, clientFrom(tc.from), target, host, "/api/first-run", body, tc.hdr); got != tc.want {
				t.Fatalf("first run without token = %d, want %d", got, tc.want)
			}
			if tc.want == 403 {
				// The token still works through the same path.
				tb := `{"username":"admin","password":"` + adminPass + `","token":"` + srv.SetupToken() + `"}`
				if got := post(t, clientFrom(tc.from), target, host, "/api/first-run", tb, tc.hdr); got != 200 {
					t.Fatalf("first run with token = %d, want 200", got)
				}
			}
		})
	}
	t.Run("browser on this box over IPv6 loopback", func(t *testing.T) {
		srv, err := webui.New(webui.Config{UsersFile: filepath.Join(t.TempDir(), "users.json"), Source: demosource.New(3),
			BcryptCost: bcrypt.MinCost, Logger: discardLogger()})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp6", "[::1]:0")
		if err != nil {
			t.Skipf("no IPv6 loopback on this machine (%v): the IPv4 cases above cover the check", err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ctx, ln) }()
		t.Cleanup(func() { cancel(); <-done })
		addr := ln.Addr().String()
		if got := post(t, clientFrom("::1"), addr, addr, "/api/first-run", body, nil); got != 200 {
			t.Fatalf("first run from [::1] without token = %d, want 200", got)
		}
	})
	// Like ssh -L's sshd: the forwarder listens on loopback only, but the
	// connection it relays was accepted from a remote address.
	t.Run("forwarder relaying a remote client, listening on loopback", func(t *testing.T) {
		remote := firstNonLoopbackIPv4(t)
		srv, addr := liveServer(t, nil)
		fwd := fmt.Sprintf("127.0.0.1:%d", startForwarderOn(t, addr, "127.0.0.1"))
		if got := post(t, clientFrom(remote), fwd, fwd, "/api/first-run", body, nil); got != 403 {
			t.Fatalf("first run relayed from %s without token = %d, want 403", remote, got)
		}
		tb := `{"username":"admin","password":"` + adminPass + `","token":"` + srv.SetupToken() + `"}`
		if got := post(t, clientFrom(remote), fwd, fwd, "/api/first-run", tb, nil); got != 200 {
			t.Fatalf("first run relayed with token = %d, want 200", got)
		}
	})
	t.Run("token only", func(t *testing.T) {
		_, addr := liveServer(t, func(c *webui.Config) { c.FirstRunTokenOnly = true })
		if got := post(t, clientFrom("127.0.0.1"), addr, addr, "/api/first-run", body, nil); got != 403 {
			t.Fatalf("token-only first run from this box without token = %d, want 403", got)
		}
	})
}

// 200 simultaneous guesses from one address: at most the limit reach the
// password check, the rest are refused before it, and the right password
// sent afterwards is refused too.
func TestLoginBruteForceConcurrent(t *testing.T) {
	// A real bcrypt cost: the guesses overlap the way they do in production.
	srv, addr := liveServer(t, func(c *webui.Config) { c.BcryptCost = bcrypt.DefaultCost })
	if got := post(t, clientFrom("127.0.0.1"), addr, addr, "/api/first-run", `{"username":"admin","password":"`+adminPass+`"}`, nil); got != 200 {
		t.Fatalf("first run: %d", got)
	}
	_ = srv
	const guesses = 200
	hc := clientFrom("127.0.0.5")
	// Under the per-address connection limit; requests queue on the
	// client's connections and still arrive all at once.
	hc.Transport.(*http.Transport).MaxConnsPerHost = 32
	hc.Transport.(*http.Transport).MaxIdleConnsPerHost = 32
	var counts sync.Map
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < guesses; i++ {
		pass := fmt.Sprintf("guess-%03d-xx", i)
		if i == guesses/2 {
			pass = adminPass
		}
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest("POST", "http://"+addr+"/api/login", strings.NewReader(`{"username":"admin","password":"`+pass+`"}`))
			req.Header.Set("Origin", "http://"+addr)
			req.Header.Set("Content-Type", "application/json")
			res, err := hc.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			v, _ := counts.LoadOrStore(res.StatusCode, new(atomic.Int64))
			v.(*atomic.Int64).Add(1)
		})
	}
	close(start)
	wg.Wait()
	n := func(code int) int64 {
		if v, ok := counts.Load(code); ok {
			return v.(*atomic.Int64).Load()
		}
		return 0
	}
	checked := n(200) + n(401)
	if checked > 5 || n(429) < guesses-5 || checked+n(429) != guesses {
		t.Fatalf("200 concurrent guesses: %d x 200, %d x 401, %d x 429; want at most 5 checked", n(200), n(401), n(429))
	}
	if n(200) == 0 {
		if got := post(t, hc, addr, addr, "/api/login", `{"username":"admin","password":"`+adminPass+`"}`, nil); got != 429 {
			t.Fatalf("right password after the burst = %d, want 429", got)
		}
	}
}

// A stranger guessing the admin's password, from one address or spread
// over many networks, does not lock out the admin's own address.
func TestLoginStrangerDoesNotLockOutAdmin(t *testing.T) {
	_, addr := liveServer(t, nil)
	admin := clientFrom("127.0.0.1")
	if got := post(t, admin, addr, addr, "/api/first-run", `{"username":"admin","password":"`+adminPass+`"}`, nil); got != 200 {
		t.Fatalf("first run: %d", got)
	}
	good := `{"username":"admin","password":"` + adminPass + `"}`
	bad := `{"username":"admin","password":"wrong-password"}`
	if got := post(t, admin, addr, addr, "/api/login", good, nil); got != 200 {
		t.Fatalf("admin login: %d", got)
	}
	stranger := clientFrom("127.0.9.9")
	for i := 0; i < 5; i++ {
		if got := post(t, stranger, addr, addr, "/api/login", bad, nil); got != 401 {
			t.Fatalf("stranger guess %d = %d, want 401", i+1, got)
		}
	}
	if got := post(t, stranger, addr, addr, "/api/login", good, nil); got != 429 {
		t.Fatalf("stranger after 5 failures = %d, want 429", got)
	}
	// Rotating addresses inside one /24 does not give more guesses.
	if got := post(t, clientFrom("127.0.9.10"), addr, addr, "/api/login", bad, nil); got != 429 {
		t.Fatalf("neighbour address in the stranger's /24 = %d, want 429", got)
	}
	// Spread over many networks the name's global limit (50) is reached…
	for i := 0; i < 60; i++ {
		post(t, clientFrom(fmt.Sprintf("127.%d.1.1", 100+i)), addr, addr, "/api/login", bad, nil)
	}
	if got := post(t, clientFrom("127.250.1.1"), addr, addr, "/api/login", good, nil); got != 429 {
		t.Fatalf("new address after a distributed attack = %d, want 429", got)
	}
	// …but the admin from the address they logged in from still gets in.
	if got := post(t, admin, addr, addr, "/api/login", good, nil); got != 200 {
		t.Fatalf("admin from their own address during the attack = %d, want 200", got)
	}
}

// Slowloris: many connections from one address that trickle a body. The
// address gets MaxConnsPerIP connections, the rest are closed at accept,
// and other clients are still served.
func TestSlowConnectionsLimitedPerAddress(t *testing.T) {
	srv, addr := liveServer(t, func(c *webui.Config) { c.MaxConnsPerIP = 8; c.MaxConns = 12; c.EvictAfter = time.Hour })
	const attack = 40
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.7")}}
	var conns []net.Conn
	for i := 0; i < attack; i++ {
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "POST /api/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", addr)
	}
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	eventually(t, "all attack connections accepted or refused", func() bool {
		st := srv.ConnStats()
		return st.Open+int(st.RefusedPerIP) == attack
	})
	if st := srv.ConnStats(); st.Open != 8 || st.RefusedPerIP != attack-8 {
		t.Fatalf("after %d slow connections: %+v, want 8 open and %d refused", attack, st, attack-8)
	}
	res, err := clientFrom("127.0.0.8").Get("http://" + addr + "/health")
	if err != nil {
		t.Fatalf("/health from another address during the attack: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/health = %d", res.StatusCode)
	}
	// The listener's total limit holds against many addresses too.
	for i := 0; i < 8; i++ {
		c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(fmt.Sprintf("127.0.1.%d", i+1))}}).Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "GET /health HTTP/1.1\r\nHost: %s\r\n", addr) // headers never finished
	}
	eventually(t, "total limit reached", func() bool { return srv.ConnStats().RefusedTotal > 0 })
	if st := srv.ConnStats(); st.Open > 12 {
		t.Fatalf("open connections %d over MaxConns 12", st.Open)
	}
}

// Slowloris from many addresses fills the listener: a new client still
// gets its answer, because the connection stuck longest in its first
// request makes room; served (keep-alive) connections are never evicted.
func TestFullListenerEvictsStuckConnections(t *testing.T) {
	srv, addr := liveServer(t, func(c *webui.Config) { c.MaxConnsPerIP = 4; c.MaxConns = 8; c.EvictAfter = time.Nanosecond })
	// A browser that has been served keeps its keep-alive connection.
	browser := clientFrom("127.0.0.2")
	get := func(hc *http.Client) int {
		res, err := hc.Get("http://" + addr + "/health")
		if err != nil {
			t.Fatalf("/health: %v", err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	if get(browser) != 200 {
		t.Fatal("/health before the attack")
	}
	// The server marks the connection served when it goes idle after the
	// response, which may come after the client has read it; a second
	// request on the same connection is read only after that.
	if get(browser) != 200 {
		t.Fatal("second /health before the attack")
	}
	var conns []net.Conn
	t.Cleanup(func() {
		for _, c := range conns {
			c.Close()
		}
	})
	for i := range 20 {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 3, byte(i), 1)}}
		c, err := d.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "POST /api/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", addr)
	}
	eventually(t, "attack connections accepted and evicted", func() bool {
		st := srv.ConnStats()
		return st.Open == 8 && st.Evicted >= 13
	})
	if got := get(clientFrom("127.0.0.9")); got != 200 {
		t.Fatalf("/health from a new client while the listener is full = %d", got)
	}
	// The browser's request goes out on its kept connection (not a new one).
	var reused bool
	req, _ := http.NewRequest("GET", "http://"+addr+"/health", nil)
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
	}))
	res, err := browser.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("/health from the browser during the attack: %v", err)
	}
	res.Body.Close()
	if !reused {
		t.Fatal("the browser's served keep-alive connection was evicted")
	}
	if st := srv.ConnStats(); st.Open > 8 || st.RefusedTotal != 0 {
		t.Fatalf("stats %+v: want at most 8 open and nobody refused", st)
	}
}

// A body trickled slower than ReadTimeout allows is cut off by the server.
func TestSlowBodyTimesOut(t *testing.T) {
	_, addr := liveServer(t, func(c *webui.Config) {
		c.ReadTimeout = 300 * time.Millisecond
		c.ReadHeaderTimeout = 300 * time.Millisecond
	})
	for _, tc := range []struct{ name, prefix string }{
		{"slow body", "POST /api/login HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"},
		{"slow headers", "GET /health HTTP/1.1\r\nHost: " + addr + "\r\nX-A: "},
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, tc.prefix)
		// Safety net only: the server must end the connection long before.
		c.SetReadDeadline(time.Now().Add(20 * time.Second))
		_, err = io.Copy(io.Discard, c)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("%s: the server kept the connection open", tc.name)
		}
		c.Close()
	}
}

// 64 simultaneous websocket upgrades of one session: exactly 16 succeed.
// The race is narrow, so the burst is repeated with fresh sessions.
func TestWebsocketLimitUnderConcurrency(t *testing.T) {
	e := newEnv(t, nil)
	e.setup(t)
	for round := range 10 {
		viewer := e.client()
		if st := viewer.login(t, "viewer", roPass); st != http.StatusOK {
			t.Fatalf("login: %d", st)
		}
		var ok, refused atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 64 {
			wg.Go(func() {
				<-start
				conn, res, err := viewer.dial(t, e.ts.URL)
				switch {
				case err == nil && conn != nil:
					ok.Add(1) // stays open until the test ends (dial's cleanup)
				case res != nil && res.StatusCode == http.StatusTooManyRequests:
					refused.Add(1)
				default:
					t.Errorf("dial: %v", err)
				}
			})
		}
		close(start)
		wg.Wait()
		if ok.Load() != 16 || refused.Load() != 48 {
			t.Fatalf("round %d, 64 concurrent upgrades: %d open, %d refused; want 16 and 48", round, ok.Load(), refused.Load())
		}
	}
}

// Logins (with address) and admin actions land in the audit file.
func TestAuditLogRecordsLoginsAndAdminActions(t *testing.T) {
	file := filepath.Join(t.TempDir(), "state", "audit.log")
	e := newEnv(t, func(c *webui.Config) { c.AuditFile = file })
	admin, _ := e.setup(t)
	if st := e.client().login(t, "admin", "wrong-password"); st != http.StatusUnauthorized {
		t.Fatalf("bad login = %d", st)
	}
	// A flood of refused guesses is recorded once, not once per guess.
	for range 30 {
		e.client().login(t, "admin", "wrong-password")
	}
	if r := admin.do(t, "DELETE", "/api/users/viewer", nil, nil); r.Status != 200 {
		t.Fatalf("delete viewer: %d", r.Status)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
		var ev audit.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		if ev.Addr != "127.0.0.1" || ev.Time.IsZero() {
			t.Errorf("event without address or time: %+v", ev)
		}
		got = append(got, ev.Action+" "+ev.Actor+" "+ev.Outcome+" "+ev.Target)
	}
	want := []string{
		"first_run admin success admin",
		"login admin success ",
		"user.create admin success viewer (readonly)",
		"login viewer success ",
		"login admin failure ",
		"login admin failure ",
		"login admin failure ",
		"login admin failure ",
		"login admin failure ",
		"login admin refused ",
		"user.delete admin success viewer",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("audit events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// BenchmarkSlowlorisFlood opens 15,000 connections from 100 loopback
// addresses that each send headers and one byte of a body, then reports
// what the server holds (open connections, goroutines, heap) and whether a
// new client's /health is answered once the flood is older than EvictAfter
// (100 ms here, 2 s by default).
//
//	go test -run '^$' -bench SlowlorisFlood -benchtime 1x ./internal/webui
func BenchmarkSlowlorisFlood(b *testing.B) {
	for range b.N {
		cfg := webui.Config{UsersFile: filepath.Join(b.TempDir(), "users.json"), Source: demosource.New(3),
			BcryptCost: bcrypt.MinCost, Logger: discardLogger(), EvictAfter: 100 * time.Millisecond}
		srv, err := webui.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ctx, ln) }()
		addr := ln.Addr().String()
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		g0 := runtime.NumGoroutine()
		const total, sources = 15000, 100
		var conns []net.Conn
		for i := range total {
			d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 1, byte(i%sources), 1)}}
			c, err := d.Dial("tcp", addr)
			if err != nil {
				continue
			}
			conns = append(conns, c)
			fmt.Fprintf(c, "POST /api/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", addr)
		}
		for range 2000 {
			st := srv.ConnStats()
			if st.Open+int(st.RefusedPerIP+st.RefusedTotal+st.Evicted) >= len(conns) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		st := srv.ConnStats()
		b.ReportMetric(float64(st.Open), "open_conns")
		b.ReportMetric(float64(st.RefusedPerIP), "refused_per_ip")
		b.ReportMetric(float64(st.RefusedTotal), "refused_total")
		b.ReportMetric(float64(st.Evicted), "evicted")
		b.ReportMetric(float64(runtime.NumGoroutine()-g0), "goroutines")
		b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/(1<<20), "heap_MiB")
		time.Sleep(150 * time.Millisecond) // the flood is now older than EvictAfter
		res, err := clientFrom("127.0.0.8").Get("http://" + addr + "/health")
		if err == nil {
			res.Body.Close()
		} else {
			b.Logf("/health during the flood: %v", err)
		}
		ok := 0.0
		if err == nil && res.StatusCode == 200 {
			ok = 1
		}
		b.ReportMetric(ok, "health_ok")
		for _, c := range conns {
			c.Close()
		}
		cancel()
		<-done
	}
}

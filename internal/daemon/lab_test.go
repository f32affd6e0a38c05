//go:build linux

package daemon

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/bus"
	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/testwait"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// TestMain lets the test binary double as lqosd: the lab starts it again
// (inside the shaper's network namespace) with LQTD_DAEMON=1.
func TestMain(m *testing.M) {
	if os.Getenv("LQTD_DAEMON") == "1" {
		os.Exit(Main(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

func requireRoot(t testing.TB) {
	t.Helper()
	kerneltest.RequireRoot(t)
	for _, tool := range [][2]string{{"ip", "iproute2"}, {"nsenter", "util-linux"}, {"tc", "iproute2"}} {
		if kerneltest.Binary(t, tool[0], tool[1]) == "" {
			t.FailNow() // Binary said why; a lab cannot be built without it
		}
	}
}

func sh(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// lab is three network namespaces: a client (subscribers 10.10.0.1, .2 and
// the unmapped .99), an Internet host (10.10.0.254) and the shaper between
// them bridging lqtdA (Internet side) and lqtdB (subscriber side), both veths
// with 4 TX queues. It also holds the temp config/state/run dirs and the
// bpffs mount point (left unmounted: lqosd mounts it itself).
type lab struct {
	t                  testing.TB
	shaper, cli, inet  string // netns names
	dir, conf, run     string
	bpffs, pins, state string
	bus                string
	env                []string // extra environment for lqosd
}

func newLab(t testing.TB) *lab {
	requireRoot(t)
	l := &lab{t: t, shaper: "lqtds", cli: "lqtdc", inet: "lqtdi", dir: t.TempDir()}
	for _, ns := range []*string{&l.shaper, &l.cli, &l.inet} {
		*ns = kerneltest.NetNS(t, *ns).Name
	}
	q := []string{"numtxqueues", "4", "numrxqueues", "4"}
	sh(t, append(append(append([]string{"ip", "-n", l.shaper, "link", "add", "lqtdA"}, q...), "type", "veth", "peer", "name", "lqtdX", "netns", l.inet), q...)...)
	sh(t, append(append(append([]string{"ip", "-n", l.shaper, "link", "add", "lqtdB"}, q...), "type", "veth", "peer", "name", "lqtdY", "netns", l.cli), q...)...)
	sh(t, "ip", "-n", l.shaper, "link", "add", "lqtdbr", "type", "bridge")
	for _, dev := range []string{"lqtdA", "lqtdB"} {
		sh(t, "ip", "-n", l.shaper, "link", "set", dev, "master", "lqtdbr")
		sh(t, "ip", "-n", l.shaper, "link", "set", dev, "up")
	}
	sh(t, "ip", "-n", l.shaper, "link", "set", "lqtdbr", "up")
	sh(t, "ip", "-n", l.shaper, "link", "set", "lo", "up") // web UI tests
	for _, a := range []string{"10.10.0.1/16", "10.10.0.2/16", "10.10.0.99/16"} {
		sh(t, "ip", "-n", l.cli, "addr", "add", a, "dev", "lqtdY")
	}
	sh(t, "ip", "-n", l.cli, "link", "set", "lqtdY", "up")
	sh(t, "ip", "-n", l.inet, "addr", "add", "10.10.0.254/16", "dev", "lqtdX")
	sh(t, "ip", "-n", l.inet, "link", "set", "lqtdX", "up")

	l.conf = filepath.Join(l.dir, "etc", "lqos.conf")
	l.run = filepath.Join(l.dir, "run")
	l.bpffs = filepath.Join(l.dir, "bpffs")
	l.pins = filepath.Join(l.bpffs, "lqos")
	l.state = filepath.Join(l.dir, "state")
	l.bus = filepath.Join(l.run, "bus")
	t.Cleanup(func() {
		// lqosd mounted it; the test unmounts it so the pins die with it.
		_ = unix.Unmount(l.bpffs, unix.MNT_DETACH)
	})
	l.writeConfig(`[bridge]
to_internet = "lqtdA"
to_network = "lqtdB"
`)
	l.writeDevices(defaultDevices)
	l.write("network.json", "{}\n")
	return l
}

const devicesHeader = "Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment,sqm\n"

const defaultDevices = devicesHeader + `c1,Circuit One,d1,Dev 1,,,,,10.10.0.1,,10,5,50,20,,
c2,Circuit Two,d2,Dev 2,,,,,10.10.0.2,,10,5,100,40,,
c3,Circuit Three,d3,Dev 3,,,,,10.10.1.0/24,,10,5,20,10,,
`

func (l *lab) write(name, text string) {
	l.t.Helper()
	p := filepath.Join(l.dir, "etc", name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		l.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		l.t.Fatal(err)
	}
}

func (l *lab) writeConfig(ifaces string) {
	l.write("lqos.conf", `version = "1.5"
lqos_directory = "."
state_directory = "`+l.state+`"
node_name = "lab"
`+ifaces+`
[queues]
default_sqm = "cake diffserv4"
uplink_bandwidth_mbps = 1000
downlink_bandwidth_mbps = 1000
# Lab edits remove circuits freely; TestShrinkHeldUntilConfirmed tests the guard.
max_circuit_removal_percent = 100
`)
}

func (l *lab) writeDevices(csv string) { l.write("ShapedDevices.csv", csv) }

// proc is one lqosd process.
type proc struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	done   chan struct{}
	err    error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs lqosd inside the shaper namespace (network namespace only, so
// its bpffs mount is visible to the test and outlives the process).
func (l *lab) start(extra ...string) *proc {
	l.t.Helper()
	args := []string{"--net=/run/netns/" + l.shaper, "--", os.Args[0],
		"--config", l.conf, "--run-dir", l.run, "--bpffs", l.bpffs, "--sample-interval", "200ms", "--log-level", "debug"}
	args = append(args, extra...)
	cmd := exec.Command("nsenter", args...)
	cmd.Env = append(append(os.Environ(), "LQTD_DAEMON=1"), l.env...)
	p := &proc{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = p.stderr
	cmd.Stdout = p.stderr
	if err := cmd.Start(); err != nil {
		l.t.Fatalf("start lqosd: %v", err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	l.t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = cmd.Process.Kill()
			<-p.done
		}
		if l.t.Failed() {
			l.t.Logf("lqosd (pid %d) log:\n%s", cmd.Process.Pid, p.stderr.String())
		}
	})
	return p
}

// waitReady waits until the bus answers or the process exits.
func (l *lab) waitReady(p *proc) {
	l.t.Helper()
	ctx, cancel := testwait.Context(l.t)
	defer cancel()
	for {
		select {
		case <-p.done:
			l.t.Fatalf("lqosd exited before it was ready: %v\n%s", p.err, p.stderr.String())
		default:
		}
		if c, err := bus.Dial(ctx, l.bus); err == nil {
			_, err = c.Ping(ctx)
			c.Close()
			if err == nil {
				return
			}
		}
		select {
		case <-ctx.Done():
			l.t.Fatalf("lqosd not ready before the test deadline\n%s", p.stderr.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// exit waits for the process to end and returns its exit code.
func (p *proc) exit(t testing.TB) int {
	t.Helper()
	ctx, cancel := testwait.Context(t)
	defer cancel()
	select {
	case <-p.done:
	case <-ctx.Done():
		t.Fatalf("lqosd did not exit before the test deadline\n%s", p.stderr.String())
	}
	if p.cmd.ProcessState == nil {
		t.Fatalf("no process state: %v", p.err)
	}
	if ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return -int(ws.Signal())
	}
	return p.cmd.ProcessState.ExitCode()
}

func (l *lab) client() *bus.Client {
	l.t.Helper()
	c, err := bus.Dial(context.Background(), l.bus)
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { c.Close() })
	return c
}

// traffic sends n UDP packets each way between the subscriber address sub
// (client namespace) and the Internet host.
func (l *lab) traffic(sub string, n int) {
	l.t.Helper()
	sendUDP(l.t, l.cli, sub, "10.10.0.254", n)
	sendUDP(l.t, l.inet, "10.10.0.254", sub, n)
}

// sendUDP sends n datagrams from src to dst:9 from inside namespace ns.
func sendUDP(t testing.TB, ns, src, dst string, n int) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		h, err := netns.GetFromName(ns)
		if err != nil {
			errc <- err
			return
		}
		defer h.Close()
		if err := netns.Set(h); err != nil {
			errc <- err
			return
		}
		conn, derr := net.DialUDP("udp", &net.UDPAddr{IP: net.ParseIP(src)}, &net.UDPAddr{IP: net.ParseIP(dst), Port: 9})
		if err := netns.Set(orig); err != nil {
			errc <- err // thread stays locked and dies with the goroutine
			return
		}
		runtime.UnlockOSThread()
		if derr != nil {
			errc <- derr
			return
		}
		defer conn.Close()
		buf := make([]byte, 200)
		for range n {
			// Errors (ICMP unreachable echoes) do not matter: the
			// packets crossed the shaper.
			_, _ = conn.Write(buf)
			time.Sleep(2 * time.Millisecond)
		}
		errc <- nil
	}()
	if err := <-errc; err != nil {
		t.Fatalf("send UDP %s -> %s in %s: %v", src, dst, ns, err)
	}
}

// waitFor polls cond until it holds; only the test deadline bounds a
// broken run.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, what, cond)
}

// xdpAttached reports whether an XDP program is attached to dev.
func (l *lab) xdpAttached(dev string) bool {
	out := sh(l.t, "ip", "-n", l.shaper, "-d", "link", "show", dev)
	return strings.Contains(out, "prog/xdp") || strings.Contains(out, " xdp")
}

// notifySocket listens like systemd's NOTIFY_SOCKET and makes the next lqosd
// started from l send its notifications there.
func (l *lab) notifySocket() *net.UnixConn {
	l.t.Helper()
	path := filepath.Join(l.dir, "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		l.t.Fatal(err)
	}
	l.t.Cleanup(func() { c.Close() })
	l.env = []string{"NOTIFY_SOCKET=" + path}
	return c
}

// readNotify returns the next notification (bounded wait).
func readNotify(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	_ = c.SetReadDeadline(time.Now().Add(60 * time.Second))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("no sd_notify message: %v", err)
	}
	return string(buf[:n])
}

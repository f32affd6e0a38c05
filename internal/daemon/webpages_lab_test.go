//go:build linux

package daemon

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/webui"
	"github.com/vishvananda/netns"
	"golang.org/x/crypto/bcrypt"
)

// TestWebPagesShowKernelTraffic runs lqosd in the netns lab, sends UDP
// between a subscriber and the Internet host, and reads the web UI's tree
// and circuit API as a logged-in browser would: the node rates (host
// counters rolled up through the tree), the circuit's flow (flow map) and
// its HTB class counters (kernel statistics) must show the traffic.
func TestWebPagesShowKernelTraffic(t *testing.T) {
	l := newLab(t)
	l.write("network.json", `{"Site A": {"downloadBandwidthMbps": 500, "uploadBandwidthMbps": 100, "type": "site",
  "children": {"AP 1": {"downloadBandwidthMbps": 200, "uploadBandwidthMbps": 50, "type": "ap"}}}}
`)
	l.writeDevices(devicesHeader + `c1,Circuit One,d1,Dev 1,AP 1,,,02:00:00:00:00:01,10.10.0.1,,10,5,50,20,,
c2,Circuit Two,d2,Dev 2,Site A,,,,10.10.0.2,,10,5,100,40,,
`)
	users, err := webui.OpenUserStore(filepath.Join(l.state, "lqosd", "webusers.json"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.Create("admin", "admin-password-1", webui.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	p := l.start()
	l.waitReady(p)
	waitFor(t, "the web UI", func() bool { return bytes.Contains([]byte(p.stderr.String()), []byte("web UI listening")) })

	web := newNSWebClient(t, l.shaper, "http://127.0.0.1:9123")
	if st := web.post(t, "/api/login", map[string]string{"username": "admin", "password": "admin-password-1"}); st != http.StatusOK {
		t.Fatalf("login: %d", st)
	}

	stop := make(chan struct{})
	sent := make(chan error, 3)
	go func() { sent <- udpUntil(l.cli, "10.10.0.1", "10.10.0.254", stop) }()
	go func() { sent <- udpUntil(l.inet, "10.10.0.254", "10.10.0.1", stop) }()
	go func() { sent <- udpUntil(l.cli, "10.10.0.99", "10.10.0.254", stop) }() // in no circuit
	defer func() {
		close(stop)
		for range 3 {
			if err := <-sent; err != nil {
				t.Errorf("sending traffic: %v", err)
			}
		}
	}()

	var tree webui.TreeView
	byName := map[string]webui.TreeNode{}
	waitFor(t, "the tree API to show the AP's traffic", func() bool {
		web.get(t, "/api/tree", &tree)
		clear(byName)
		for _, n := range tree.Nodes {
			byName[n.Name] = n
		}
		return byName["AP 1"].Live.BitsPerSecond.Down > 0 && byName["AP 1"].Live.BitsPerSecond.Up > 0
	})
	site, ap := byName["Site A"], byName["AP 1"]
	if site.Parent != -1 || ap.Parent != site.Index || site.Circuits != 2 || ap.Circuits != 1 {
		t.Errorf("tree shape: site %+v ap %+v", site, ap)
	}
	if site.MaxMbps.Down != 500 || ap.MaxMbps.Down != 200 {
		t.Errorf("limits: site %v ap %v", site.MaxMbps, ap.MaxMbps)
	}
	// Circuit Two sends nothing, so the site carries what its AP carries
	// (both read from the same counters at nearly the same time).
	if site.Live.BitsPerSecond.Down < ap.Live.BitsPerSecond.Down/2 {
		t.Errorf("site rate %d below its only busy child's %d", site.Live.BitsPerSecond.Down, ap.Live.BitsPerSecond.Down)
	}

	var node webui.NodeView
	web.get(t, "/api/node?id="+url.QueryEscape(site.ID), &node)
	if len(node.Children) != 1 || node.Children[0].Name != "AP 1" || len(node.Circuits) != 1 || node.Circuits[0].ID != "c2" {
		t.Errorf("site page: children %+v circuits %+v", node.Children, node.Circuits)
	}

	var c webui.CircuitView
	waitFor(t, "the circuit API to show the flow and queue counters", func() bool {
		web.get(t, "/api/circuit?id=c1", &c)
		return len(c.Flows) > 0 && len(c.Queues) == 2 && c.Queues[0].Class.Bytes > 0 && c.Circuit.Live.BitsPerSecond.Down > 0
	})
	if c.Circuit.Name != "Circuit One" || c.Circuit.ParentName != "AP 1" || len(c.Path) != 2 || c.Path[0].Name != "Site A" {
		t.Errorf("circuit: %+v path %+v", c.Circuit, c.Path)
	}
	if c.Circuit.MaxMbps != (webui.DownUp{Down: 50, Up: 20}) || len(c.Devices) != 1 || c.Devices[0].MAC != "02:00:00:00:00:01" {
		t.Errorf("plan/devices: %+v %+v", c.Circuit.MaxMbps, c.Devices)
	}
	// One socket each way: a flow carrying download and one carrying upload.
	var flowBytes webui.DownUp
	for _, f := range c.Flows {
		if f.RemoteIP != "10.10.0.254" || f.LocalIP != "10.10.0.1" || f.Protocol != "UDP" {
			t.Errorf("flow %+v", f)
		}
		flowBytes.Down += f.Bytes.Down
		flowBytes.Up += f.Bytes.Up
	}
	if flowBytes.Down == 0 || flowBytes.Up == 0 {
		t.Errorf("flows carry %+v bytes, want both ways", flowBytes)
	}
	if q := c.Queues[0]; q.Interface != "lqtdB" || q.Class.Kind != "htb" || q.Class.Packets == 0 {
		t.Errorf("download queue %+v", q)
	}
	var cpu webui.CPUView
	web.get(t, "/api/cpu", &cpu)
	circuits, siteOnCPU := 0, false
	for _, q := range cpu.Plan.CPUs {
		circuits += q.Circuits
		for _, n := range q.Nodes {
			siteOnCPU = siteOnCPU || n.Name == "Site A"
		}
	}
	// One queue per CPU, at most the 4 TX queues of the veths.
	if cpu.Plan.Mode != "multi-queue" || len(cpu.Plan.CPUs) < 1 || len(cpu.Plan.CPUs) > 4 || circuits != 2 || !siteOnCPU {
		t.Errorf("cpu plan (4 TX queues): %+v", cpu.Plan)
	}
	var devs webui.DevicesView
	web.get(t, "/api/devices?sort=device_name", &devs)
	if devs.Total != 2 || devs.Rows[0].DeviceName != "Dev 1" || devs.Rows[0].IPv4[0] != "10.10.0.1" {
		t.Errorf("devices %+v", devs)
	}
	var unknown webui.UnknownView
	waitFor(t, "the unshaped sender among the unknown IPs", func() bool {
		web.get(t, "/api/unknown", &unknown)
		return len(unknown.Rows) > 0 && unknown.Rows[0].IP == "10.10.0.99" && unknown.Rows[0].Bytes.Up > 0
	})

	t.Logf("tree: site %d bps down, AP %d; circuit c1 class %s %d bytes, leaf %s %s; %d flows",
		site.Live.BitsPerSecond.Down, ap.Live.BitsPerSecond.Down, c.Queues[0].Class.Handle, c.Queues[0].Class.Bytes,
		c.Queues[0].Leaf.Handle, c.Queues[0].Leaf.Kind, len(c.Flows))
}

// udpUntil sends 200-byte datagrams from src to dst:9 inside namespace ns
// every 2 ms until stop closes.
func udpUntil(ns, src, dst string, stop <-chan struct{}) error {
	runtime.LockOSThread()
	orig, err := netns.Get()
	if err != nil {
		return err
	}
	defer orig.Close()
	h, err := netns.GetFromName(ns)
	if err != nil {
		return err
	}
	defer h.Close()
	if err := netns.Set(h); err != nil {
		return err
	}
	conn, derr := net.DialUDP("udp", &net.UDPAddr{IP: net.ParseIP(src)}, &net.UDPAddr{IP: net.ParseIP(dst), Port: 9})
	if err := netns.Set(orig); err != nil {
		return err // the thread stays locked and dies with the goroutine
	}
	runtime.UnlockOSThread()
	if derr != nil {
		return derr
	}
	defer conn.Close()
	buf := make([]byte, 200)
	for {
		select {
		case <-stop:
			return nil
		case <-time.After(2 * time.Millisecond):
			_, _ = conn.Write(buf) // ICMP unreachable echoes do not matter
		}
	}
}

// nsWebClient is a browser-like client (cookies, Origin, CSRF) whose
// connections are made inside a network namespace.
type nsWebClient struct {
	base string
	hc   *http.Client
}

func newNSWebClient(t *testing.T, ns, base string) *nsWebClient {
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		type res struct {
			c   net.Conn
			err error
		}
		ch := make(chan res, 1)
		go func() {
			runtime.LockOSThread()
			orig, err := netns.Get()
			if err != nil {
				ch <- res{nil, err}
				return
			}
			defer orig.Close()
			h, err := netns.GetFromName(ns)
			if err != nil {
				ch <- res{nil, err}
				return
			}
			defer h.Close()
			if err := netns.Set(h); err != nil {
				ch <- res{nil, err}
				return
			}
			c, derr := (&net.Dialer{}).DialContext(ctx, network, addr)
			if netns.Set(orig) == nil {
				runtime.UnlockOSThread()
			}
			ch <- res{c, derr}
		}()
		r := <-ch
		return r.c, r.err
	}
	jar, _ := cookiejar.New(nil)
	return &nsWebClient{base: base, hc: &http.Client{Jar: jar, Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: dial}}}
}

func (c *nsWebClient) post(t *testing.T, path string, body any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", c.base)
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	res.Body.Close()
	return res.StatusCode
}

func (c *nsWebClient) get(t *testing.T, path string, into any) {
	t.Helper()
	res, err := c.hc.Get(c.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// TestConfigEditorSaveReachesKernel: an admin changes a circuit's maximum
// in the Shaped Devices editor's API of a running lqosd; the save is
// validated, written, and applied through the incremental path: the same
// HTB class (same handle, same leaf) now has the new ceiling. A refused
// save leaves the file and the class as they were.
func TestConfigEditorSaveReachesKernel(t *testing.T) {
	l := newLab(t)
	l.write("network.json", `{"Site A": {"downloadBandwidthMbps": 500, "uploadBandwidthMbps": 100}}
`)
	l.writeDevices(devicesHeader + `c1,Circuit One,d1,Dev 1,Site A,,,,10.10.0.1,,10,5,50,20,,
`)
	users, err := webui.OpenUserStore(filepath.Join(l.state, "lqosd", "webusers.json"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.Create("admin", "admin-password-1", webui.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	p := l.start()
	l.waitReady(p)
	waitFor(t, "the web UI", func() bool { return bytes.Contains([]byte(p.stderr.String()), []byte("web UI listening")) })
	web := newNSWebClient(t, l.shaper, "http://127.0.0.1:9123")
	if st := web.post(t, "/api/login", map[string]string{"username": "admin", "password": "admin-password-1"}); st != http.StatusOK {
		t.Fatalf("login: %d", st)
	}
	var sess struct {
		CSRF string `json:"csrf_token"`
	}
	web.get(t, "/api/session", &sess)
	var c webui.CircuitView
	web.get(t, "/api/circuit?id=c1", &c)
	handle, leaf := c.Queues[0].Class.Handle, c.Queues[0].Leaf.Handle
	classLine := func() string {
		for _, line := range strings.Split(sh(t, "tc", "-n", l.shaper, "class", "show", "dev", "lqtdB"), "\n") {
			if strings.Contains(line, "htb "+handle+" ") {
				return line
			}
		}
		t.Fatalf("class %s not in the kernel", handle)
		return ""
	}
	if line := classLine(); !strings.Contains(line, "ceil 50Mbit") {
		t.Fatalf("before: %s", line)
	}
	var devs struct {
		Version string `json:"version"`
	}
	web.get(t, "/api/config/devices", &devs)
	row := map[string]any{"circuit_id": "c1", "circuit_name": "Circuit One", "device_id": "d1", "device_name": "Dev 1", "parent_node": "Site A",
		"mac": "", "ipv4": "10.10.0.1", "ipv6": "", "download_min_mbps": 10, "upload_min_mbps": 5, "download_max_mbps": 80, "upload_max_mbps": 20, "comment": "", "sqm": ""}
	csvPath := filepath.Join(l.dir, "etc", "ShapedDevices.csv")
	before, _ := os.ReadFile(csvPath)

	bad := maps.Clone(row)
	bad["download_min_mbps"] = 90 // above the maximum
	if st, body := web.send(t, "POST", "/api/config/devices", sess.CSRF, map[string]any{"version": devs.Version, "op": "update", "device_id": "d1", "row": bad}); st != 422 {
		t.Fatalf("invalid save: %d %s", st, body)
	}
	if now, _ := os.ReadFile(csvPath); !bytes.Equal(now, before) {
		t.Fatal("a refused save changed ShapedDevices.csv")
	}
	st, body := web.send(t, "POST", "/api/config/devices", sess.CSRF, map[string]any{"version": devs.Version, "op": "update", "device_id": "d1", "row": row})
	if st != 200 || !strings.Contains(body, `"applied"`) {
		t.Fatalf("save: %d %s", st, body)
	}
	if line := classLine(); !strings.Contains(line, "ceil 80Mbit") || !strings.Contains(line, "leaf "+leaf) {
		t.Fatalf("after the save the class is %s; want ceil 80Mbit on the same class and leaf %s", line, leaf)
	}
}

func (c *nsWebClient) send(t *testing.T, method, path, csrf string, body any) (int, string) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, c.base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", c.base)
	req.Header.Set("X-CSRF-Token", csrf)
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

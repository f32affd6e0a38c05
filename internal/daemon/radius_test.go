//go:build linux

package daemon

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/libreqos-go/lqos/internal/kerneltest"
	"github.com/libreqos-go/lqos/internal/webui"
	"golang.org/x/crypto/bcrypt"
)

const radiusPort = 18130

// radclient sends one accounting request with FreeRADIUS's radclient from
// namespace ns and reports whether lqosd answered.
func (l *lab) radclient(t *testing.T, ns, server, secret, attrs string) bool {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns, "radclient", "-D", "/usr/share/freeradius", "-t", "1", "-r", "1", "-x",
		fmt.Sprintf("%s:%d", server, radiusPort), "acct", secret)
	cmd.Stdin = strings.NewReader(attrs)
	out, err := cmd.CombinedOutput()
	answered := strings.Contains(string(out), "Received Accounting-Response")
	if err != nil && answered {
		t.Fatalf("radclient: %v\n%s", err, out)
	}
	return answered
}

// ceilOf reads the ceil tc reports for classid on dev in the shaper namespace.
func (l *lab) ceilOf(t *testing.T, dev string, classid uint32) string {
	t.Helper()
	out := sh(t, "ip", "netns", "exec", l.shaper, "tc", "class", "show", "dev", dev, "classid", fmt.Sprintf("%x:%x", classid>>16, classid&0xffff))
	m := regexp.MustCompile(`ceil (\S+)`).FindStringSubmatch(out)
	if m == nil {
		return ""
	}
	return m[1]
}

// RADIUS accounting against a running lqosd with FreeRADIUS's radclient:
// Start creates a shaped circuit, Interim-Update changes its rate, a
// restart keeps it, Stop removes it; a wrong secret and a source outside
// the client's CIDRs get no answer.
func TestRadiusAccounting(t *testing.T) {
	requireRoot(t)
	// radclient comes with .ci/run; the kernel matrix's VMs have no
	// FreeRADIUS, and report the test as not exercised there.
	if kerneltest.Binary(t, "radclient", "freeradius-utils") == "" {
		return
	}
	l := newLab(t)
	secretFile := filepath.Join(l.dir, "radius-secret")
	if err := os.WriteFile(secretFile, []byte("lab-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	l.writeConfig(fmt.Sprintf(`[bridge]
to_internet = "lqtdA"
to_network = "lqtdB"

[dynamic_circuits]
enabled = true

[radius_accounting]
enabled = true
listen = "0.0.0.0:%d"

[radius_accounting.dynamic_circuit_application]
enabled = true
match_shaped_devices_by_username = true

[[radius_accounting.clients]]
name = "bng"
source = ["127.0.0.1/32"]
secret_file = %q
`, radiusPort, secretFile))
	// The bridge gets an address so a host in the client namespace can
	// reach the listener from outside the client CIDRs.
	// Native XDP on a veth loses the sender's checksum offload state, so
	// datagrams delivered locally need real checksums.
	sh(t, "ip", "-n", l.shaper, "addr", "add", "10.10.0.250/16", "dev", "lqtdbr")
	sh(t, "ip", "netns", "exec", l.cli, "ethtool", "-K", "lqtdY", "tx", "off")
	users, err := webui.OpenUserStore(filepath.Join(l.state, "lqosd", "webusers.json"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := users.Create("admin", "admin-password-1", webui.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	p := l.start()
	l.waitReady(p)
	ctx := context.Background()
	c := l.client()

	const start = `Acct-Status-Type = Start, Acct-Session-Id = "s-1", User-Name = "dyn1", Framed-IP-Address = 10.10.0.99, Mikrotik-Rate-Limit = "5M/20M"`
	if !l.radclient(t, l.shaper, "127.0.0.1", "lab-secret", start) {
		t.Fatal("Accounting-Request Start not answered")
	}
	classOf := func() uint32 {
		qs, err := c.QueueStats(ctx, "radius:dyn1")
		if err != nil {
			return 0
		}
		return uint32(qs.Down.ClassID)
	}
	waitFor(t, "the dynamic circuit's class", func() bool { return classOf() != 0 })
	if got := l.ceilOf(t, "lqtdB", classOf()); got != "20Mbit" {
		t.Errorf("download ceil %q, want 20Mbit from Mikrotik-Rate-Limit tx", got)
	}
	if !slices.Contains(prefixes(listAll(t, c)), "10.10.0.99/32=radius:dyn1") {
		t.Errorf("mapping of 10.10.0.99 to radius:dyn1 missing: %v", prefixes(listAll(t, c)))
	}
	// The web UI's circuit page and Shaped Devices list mark it dynamic.
	waitFor(t, "the web UI", func() bool { return strings.Contains(p.stderr.String(), "web UI listening") })
	web := newNSWebClient(t, l.shaper, "http://127.0.0.1:9123")
	if st := web.post(t, "/api/login", map[string]string{"username": "admin", "password": "admin-password-1"}); st != http.StatusOK {
		t.Fatalf("login: %d", st)
	}
	var cv webui.CircuitView
	web.get(t, "/api/circuit?id="+url.QueryEscape("radius:dyn1"), &cv)
	if !cv.Circuit.Dynamic || cv.Circuit.MaxMbps.Down != 20 || len(cv.Devices) != 1 || !cv.Devices[0].Dynamic {
		t.Errorf("circuit page of the session: %+v devices %+v", cv.Circuit, cv.Devices)
	}
	var devs webui.DevicesView
	web.get(t, "/api/devices?sort=device_name", &devs)
	dynamic := 0
	for _, d := range devs.Rows {
		if d.Dynamic {
			dynamic++
			if d.CircuitID != "radius:dyn1" {
				t.Errorf("device %+v marked dynamic", d)
			}
		}
	}
	if dynamic != 1 || devs.Total != 4 {
		t.Errorf("Shaped Devices: %d rows, %d dynamic; want 4 and 1", devs.Total, dynamic)
	}

	// Interim-Update with a new plan changes the rate, same class.
	class := classOf()
	if !l.radclient(t, l.shaper, "127.0.0.1", "lab-secret", `Acct-Status-Type = Interim-Update, Acct-Session-Id = "s-1", User-Name = "dyn1", Framed-IP-Address = 10.10.0.99, Mikrotik-Rate-Limit = "10M/40M"`) {
		t.Fatal("Interim-Update not answered")
	}
	waitFor(t, "the new ceil", func() bool { return l.ceilOf(t, "lqtdB", class) == "40Mbit" })
	if classOf() != class {
		t.Errorf("the rate change moved the circuit from class %x to %x", class, classOf())
	}

	// Refused: a wrong secret, and a source outside the client CIDRs.
	if l.radclient(t, l.shaper, "127.0.0.1", "wrong-secret", `Acct-Status-Type = Start, Acct-Session-Id = "s-2", User-Name = "evil", Framed-IP-Address = 10.10.0.2`) {
		t.Error("a request with the wrong secret was answered")
	}
	if l.radclient(t, l.cli, "10.10.0.250", "lab-secret", `Acct-Status-Type = Start, Acct-Session-Id = "s-3", User-Name = "evil", Framed-IP-Address = 10.10.0.2`) {
		t.Error("a request from outside the client CIDRs was answered")
	}
	dc, err := c.DynamicCircuits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if dc.Counters.BadAuth == 0 || dc.Counters.UnknownSource == 0 || len(dc.Sessions) != 1 || dc.Sessions[0].State != "shaped" {
		t.Errorf("dynamic circuits %+v", dc)
	}

	// A restart keeps the session and its circuit.
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	if code := p.exit(t); code != ExitOK {
		t.Fatalf("SIGTERM exit %d", code)
	}
	p = l.start()
	l.waitReady(p)
	c = l.client()
	waitFor(t, "the dynamic circuit after a restart", func() bool { return classOf() == class })
	if got := l.ceilOf(t, "lqtdB", class); got != "40Mbit" {
		t.Errorf("after restart the ceil is %q, want 40Mbit", got)
	}

	// Stop removes the circuit and its mapping.
	if !l.radclient(t, l.shaper, "127.0.0.1", "lab-secret", `Acct-Status-Type = Stop, Acct-Session-Id = "s-1", User-Name = "dyn1"`) {
		t.Fatal("Stop not answered")
	}
	waitFor(t, "the dynamic circuit to go", func() bool {
		_, err := c.QueueStats(ctx, "radius:dyn1")
		return err != nil
	})
	if slices.Contains(prefixes(listAll(t, c)), "10.10.0.99/32=radius:dyn1") {
		t.Error("the mapping outlived the session")
	}
	if l.ceilOf(t, "lqtdB", class) != "" {
		t.Errorf("class %x still in the kernel after Stop", class)
	}
}

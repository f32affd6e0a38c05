package integrations

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/integrations/integtest"
)

// wispgateServer answers with body; the WISPGate integration is the
// simplest real import to drive these entry points with.
func wispgateServer(t *testing.T, status int, body string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

const before = `Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment
keep,keep,wispgate:keep:r,r,,,,,100.64.0.1,,9.8,1.96,10,2,
change,change,wispgate:change:r,r,,,,,100.64.0.2,,9.8,1.96,10,2,
gone,gone,wispgate:gone:r,r,,,,,100.64.0.3,,9.8,1.96,10,2,
`

const after = `[
 {"Circuit ID":"keep","Device Name":"r","IPv4":"100.64.0.1","Download Max Mbps":10,"Upload Max Mbps":2},
 {"Circuit ID":"change","Device Name":"r","IPv4":"100.64.0.22","Download Max Mbps":50,"Upload Max Mbps":2},
 {"Circuit ID":"new","Device Name":"n","IPv4":"100.64.0.4","Download Max Mbps":25,"Upload Max Mbps":5}
]`

func TestDryRunAndTestCommand(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, DevicesFile), []byte(before), 0o644)
	os.WriteFile(filepath.Join(dir, NetworkFile), []byte("{}\n"), 0o644)
	cfg := integtest.Config()
	cfg.WISPGate.Enable = true
	cfg.WISPGate.APIToken = "wg-SECRET-token"
	cfg.WISPGate.APIURL = wispgateServer(t, 200, after)
	cfg.WISPGate.TimeoutSecs = 5

	var out bytes.Buffer
	if code := DryRunCommand(context.Background(), cfg, dir, &out); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	for _, want := range []string{
		"WISPGate dry run against " + dir + " (nothing written)",
		"circuits: 1 added, 1 removed, 1 changed, 1 unchanged; network.json unchanged",
		`+ new "new" 25/5 Mbps, parent (none), 1 devices`,
		`- gone "gone"`,
		`~ change "change": download min 9.8 → 49; download max 10 → 50; device "wispgate:change:r": mac "" ips [100.64.0.2/32] → mac "" ips [100.64.0.22/32]`,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out.String())
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, DevicesFile)); string(b) != before {
		t.Error("the dry run wrote ShapedDevices.csv")
	}

	out.Reset()
	cfg.WISPGate.Enable = false // a configuration can be tested before it is switched on
	if code := TestCommand(context.Background(), cfg, "wispgate", &out); code != ExitOK {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
	if !strings.Contains(out.String(), "WISPGate: connection test OK") || !strings.Contains(out.String(), "0 network nodes, 3 circuits, 3 devices") {
		t.Errorf("test output:\n%s", out.String())
	}

	cases := []struct {
		name, integ, url, want string
	}{
		{"401", "wispgate", wispgateServer(t, 401, `{"message":"bad token wg-SECRET-token"}`), "connection test FAILED"},
		{"unknown name", "nosuch", "", `unknown integration "nosuch" (known: uisp, splynx, visp, netzur, powercode, sonar, wispgate, rest)`},
	}
	for _, tc := range cases {
		out.Reset()
		cfg.WISPGate.APIURL = tc.url
		if code := TestCommand(context.Background(), cfg, tc.integ, &out); code != ExitFailed || !strings.Contains(out.String(), tc.want) {
			t.Errorf("%s: exit %d:\n%s", tc.name, code, out.String())
		}
		if strings.Contains(out.String(), "wg-SECRET-token") {
			t.Errorf("%s: token printed:\n%s", tc.name, out.String())
		}
	}
}

// A dry run reports that the plausibility rule would refuse the write.
func TestDryRunRefused(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment\n")
	for i := 0; i < 20; i++ {
		b.WriteString("c" + string(rune('a'+i)) + ",n,d" + string(rune('a'+i)) + ",d,,,,,100.64.1." + string(rune('0'+i%10)) + string(rune('0'+i/10)) + ",,1,1,2,2,\n")
	}
	os.WriteFile(filepath.Join(dir, DevicesFile), []byte(b.String()), 0o644)
	cfg := integtest.Config()
	cfg.WISPGate.Enable = true
	cfg.WISPGate.APIToken = "tok"
	cfg.WISPGate.APIURL = wispgateServer(t, 200, `[]`)
	cfg.WISPGate.TimeoutSecs = 5
	var out bytes.Buffer
	if code := DryRunCommand(context.Background(), cfg, dir, &out); code != ExitFailed || !strings.Contains(out.String(), "the write would be REFUSED: implausible import: WISPGate returned 0 circuits but the current ShapedDevices.csv has 20") {
		t.Errorf("exit %d:\n%s", code, out.String())
	}
}

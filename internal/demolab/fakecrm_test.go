package demolab

import (
	"context"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/integrations/splynx"
)

func TestISPIsDeterministicAndUnique(t *testing.T) {
	a, b := NewISP(200), NewISP(200)
	if len(a.Subscribers) != 200 || len(a.Sites) != 4 {
		t.Fatalf("got %d subscribers, %d sites", len(a.Subscribers), len(a.Sites))
	}
	seen := map[string]bool{}
	for i, s := range a.Subscribers {
		if s != b.Subscribers[i] {
			t.Fatalf("subscriber %d differs between runs", i)
		}
		if seen[s.Addr.String()] || s.Addr.String() == GatewayAddr {
			t.Fatalf("address %s reused", s.Addr)
		}
		seen[s.Addr.String()] = true
	}
}

// The fake CRM speaks enough Splynx for the real importer.
func TestFakeCRMImportsThroughSplynx(t *testing.T) {
	isp := NewISP(200)
	crm, err := ServeCRM(isp)
	if err != nil {
		t.Fatal(err)
	}
	defer crm.Close()
	cfg, _, err := config.Parse([]byte("version = \"1.5\"\n[bridge]\n[topology]\ncompile_mode = \"ap_site\"\n[splynx_integration]\nenable_splynx = true\napi_key = \"" + crm.Key + "\"\napi_secret = \"" + crm.Secret + "\"\nurl = \"" + crm.URL + "\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := splynx.Integration{}.Import(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Circuits); n != 200 {
		t.Errorf("imported %d circuits, want 200", n)
	}
	if n := len(res.Network.Nodes()); n != 16 {
		t.Errorf("imported %d nodes, want 4 sites + 12 APs", n)
	}
}

func TestEchoRequestChecksum(t *testing.T) {
	b := echoRequest(7, 9)
	// A correct ICMP checksum makes the sum over the message come out as zero.
	if c := checksum(b); c != 0 {
		t.Fatalf("checksum over the message = %#x, want 0", c)
	}
	if b[0] != 8 || b[5] != 7 || b[7] != 9 {
		t.Fatalf("header = % x", b[:8])
	}
}

package radius

import (
	"context"
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/inputs"
	"github.com/libreqos-go/lqos/internal/topology"
	"layeh.com/radius"
	"layeh.com/radius/rfc2865"
	"layeh.com/radius/rfc2866"
	"layeh.com/radius/rfc2869"
	"layeh.com/radius/rfc3162"
	"layeh.com/radius/vendors/mikrotik"
	"layeh.com/radius/vendors/wispr"
)

var secret = []byte("s3cret")

// acct builds an Accounting-Request the way a NAS does.
type acct struct {
	status             rfc2866.AcctStatusType
	session, user, csi string
	ip                 string
	v6                 string
	rate               string // Mikrotik-Rate-Limit
	wisprDown, wisprUp uint32
	interim            uint32
	nas                string
}

func (a acct) packet(t testing.TB) *radius.Packet {
	t.Helper()
	p := radius.New(radius.CodeAccountingRequest, secret)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(rfc2866.AcctStatusType_Set(p, a.status))
	if a.session != "" {
		must(rfc2866.AcctSessionID_SetString(p, a.session))
	}
	if a.user != "" {
		must(rfc2865.UserName_SetString(p, a.user))
	}
	if a.csi != "" {
		must(rfc2865.CallingStationID_SetString(p, a.csi))
	}
	if a.ip != "" {
		must(rfc2865.FramedIPAddress_Set(p, net.ParseIP(a.ip)))
	}
	if a.v6 != "" {
		_, n, err := net.ParseCIDR(a.v6)
		must(err)
		must(rfc3162.FramedIPv6Prefix_Set(p, n))
	}
	if a.rate != "" {
		must(mikrotik.MikrotikRateLimit_SetString(p, a.rate))
	}
	if a.wisprDown != 0 {
		must(wispr.WISPrBandwidthMaxDown_Set(p, wispr.WISPrBandwidthMaxDown(a.wisprDown)))
		must(wispr.WISPrBandwidthMaxUp_Set(p, wispr.WISPrBandwidthMaxUp(a.wisprUp)))
	}
	if a.interim != 0 {
		must(rfc2869.AcctInterimInterval_Set(p, rfc2869.AcctInterimInterval(a.interim)))
	}
	if a.nas != "" {
		must(rfc2865.NASIdentifier_SetString(p, a.nas))
	}
	return p
}

func TestParseEvent(t *testing.T) {
	tests := []struct {
		name    string
		in      acct
		want    Event
		wantErr string
	}{
		{"start with mikrotik rates", acct{status: rfc2866.AcctStatusType_Value_Start, session: "s1", user: "alice", csi: "AA-BB-CC-DD-EE-01", ip: "100.64.1.2", rate: "10M/50M 20M/60M", interim: 300, nas: "bng1"},
			Event{Kind: Start, Client: "c", NAS: "bng1", SessionID: "s1", Username: "alice", MAC: "aa:bb:cc:dd:ee:01",
				Addrs: []netip.Prefix{netip.MustParsePrefix("100.64.1.2/32")}, Rates: &Rates{DownloadMbps: 50, UploadMbps: 10}, Interim: 300 * time.Second}, ""},
		{"interim with wispr rates and an IPv6 prefix", acct{status: rfc2866.AcctStatusType_Value_InterimUpdate, session: "s2", v6: "2001:db8:5::/56", wisprDown: 20_000_000, wisprUp: 5_000_000},
			Event{Kind: Interim, Client: "c", NAS: "c", SessionID: "s2", Addrs: []netip.Prefix{netip.MustParsePrefix("2001:db8:5::/56")}, Rates: &Rates{DownloadMbps: 20, UploadMbps: 5}}, ""},
		{"stop", acct{status: rfc2866.AcctStatusType_Value_Stop, session: "s1", nas: "bng1"},
			Event{Kind: Stop, Client: "c", NAS: "bng1", SessionID: "s1"}, ""},
		{"accounting-on needs no session", acct{status: rfc2866.AcctStatusType_Value_AccountingOn, nas: "bng1"},
			Event{Kind: AccountingOn, Client: "c", NAS: "bng1"}, ""},
		{"no session id", acct{status: rfc2866.AcctStatusType_Value_Start}, Event{}, "Acct-Session-Id missing"},
		{"bad rate", acct{status: rfc2866.AcctStatusType_Value_Start, session: "s", rate: "fast"}, Event{}, "Mikrotik-Rate-Limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseEvent(tc.in.packet(t), "c")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Kind != tc.want.Kind || got.NAS != tc.want.NAS || got.SessionID != tc.want.SessionID || got.Username != tc.want.Username ||
				got.MAC != tc.want.MAC || !slices.Equal(got.Addrs, tc.want.Addrs) || got.Interim != tc.want.Interim ||
				(got.Rates == nil) != (tc.want.Rates == nil) || (got.Rates != nil && *got.Rates != *tc.want.Rates) {
				t.Errorf("got %+v (rates %+v)\nwant %+v (rates %+v)", got, got.Rates, tc.want, tc.want.Rates)
			}
		})
	}
}

func TestParseMikrotikRateLimit(t *testing.T) {
	tests := []struct {
		in       string
		down, up float64
		err      bool
	}{
		{"10M/50M", 50, 10, false},
		{"512k/2M 1M/4M 256k/1M 10/10", 2, 0.512, false},
		{"20M", 20, 20, false},
		{"1G/1G", 1000, 1000, false},
		{"1500000/3000000", 3, 1.5, false},
		{"0/10M", 0, 0, true},
		{"x/10M", 0, 0, true},
	}
	for _, tc := range tests {
		r, err := ParseMikrotikRateLimit(tc.in)
		if tc.err {
			if err == nil {
				t.Errorf("%q accepted: %+v", tc.in, r)
			}
			continue
		}
		if err != nil || r.DownloadMbps != tc.down || r.UploadMbps != tc.up {
			t.Errorf("%q = %+v, %v; want down %v up %v", tc.in, r, err, tc.down, tc.up)
		}
	}
}

func TestNormalizeMAC(t *testing.T) {
	for in, want := range map[string]string{
		"AA-BB-CC-DD-EE-FF": "aa:bb:cc:dd:ee:ff", "aabb.ccdd.eeff": "aa:bb:cc:dd:ee:ff", "AABBCCDDEEFF": "aa:bb:cc:dd:ee:ff",
		"aa:bb:cc:dd:ee:ff": "aa:bb:cc:dd:ee:ff", "alice": "", "": "",
	} {
		if got := NormalizeMAC(in); got != want {
			t.Errorf("NormalizeMAC(%q) = %q, want %q", in, got, want)
		}
	}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func TestSessionsLifecycle(t *testing.T) {
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	s := NewSessions(900*time.Second, 120*time.Second, c.now)
	ip := []netip.Prefix{netip.MustParsePrefix("100.64.1.2/32")}
	start := Event{Kind: Start, NAS: "bng1", SessionID: "s1", Username: "alice", Addrs: ip, Rates: &Rates{50, 10}, Interim: 60 * time.Second}
	if !s.Apply(start) {
		t.Fatal("start did not change anything")
	}
	// An interim update that repeats the session changes nothing to plan.
	c.t = c.t.Add(50 * time.Second)
	if s.Apply(Event{Kind: Interim, NAS: "bng1", SessionID: "s1", Username: "alice", Interim: 60 * time.Second}) {
		t.Error("an interim update without news changed the shaping inputs")
	}
	list, _ := s.Snapshot()
	if len(list) != 1 || !slices.Equal(list[0].Addrs, ip) || list[0].Rates.DownloadMbps != 50 || !list[0].Expires.Equal(c.t.Add(180*time.Second)) {
		t.Fatalf("after interim: %+v", list)
	}
	// A rate change is news.
	if !s.Apply(Event{Kind: Interim, NAS: "bng1", SessionID: "s1", Username: "alice", Rates: &Rates{100, 20}, Interim: 60 * time.Second}) {
		t.Error("a rate change was not reported")
	}
	// Silence past interval + grace expires it.
	c.t = c.t.Add(179 * time.Second)
	if n := s.Expire(); n != 0 {
		t.Fatalf("expired %d sessions before their time", n)
	}
	c.t = c.t.Add(2 * time.Second)
	if n := s.Expire(); n != 1 || s.Len() != 0 {
		t.Fatalf("expired %d, %d left; want 1, 0", n, s.Len())
	}
	// Stop removes; Accounting-On of the NAS clears all of its sessions.
	s.Apply(start)
	s.Apply(Event{Kind: Start, NAS: "bng2", SessionID: "x", Addrs: ip})
	if !s.Apply(Event{Kind: Stop, NAS: "bng1", SessionID: "s1"}) || s.Len() != 1 {
		t.Fatalf("stop: %d left", s.Len())
	}
	if s.Apply(Event{Kind: Stop, NAS: "bng1", SessionID: "s1"}) {
		t.Error("a repeated stop (retransmission) changed something")
	}
	if !s.Apply(Event{Kind: AccountingOn, NAS: "bng2"}) || s.Len() != 0 {
		t.Fatalf("accounting-on left %d sessions", s.Len())
	}
}

func TestSessionsSurviveRestart(t *testing.T) {
	c := &clock{time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	path := t.TempDir() + "/sessions.json"
	s := NewSessions(900*time.Second, 0, c.now)
	s.Apply(Event{Kind: Start, NAS: "n", SessionID: "keep", Addrs: []netip.Prefix{netip.MustParsePrefix("100.64.0.1/32")}, Rates: &Rates{10, 5}})
	s.Apply(Event{Kind: Start, NAS: "n", SessionID: "short", Addrs: []netip.Prefix{netip.MustParsePrefix("100.64.0.2/32")}, Interim: 10 * time.Second})
	if err := s.Save(path); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(time.Minute) // lqosd was down for a minute
	r := NewSessions(900*time.Second, 0, c.now)
	if err := r.Load(path); err != nil {
		t.Fatal(err)
	}
	list, _ := r.Snapshot()
	if len(list) != 1 || list[0].SessionID != "keep" || list[0].Rates.UploadMbps != 5 {
		t.Fatalf("after restart: %+v (the short one expired while down)", list)
	}
}

const header = "Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment\n"

func testInputs(t *testing.T, csv string) *inputs.Inputs {
	t.Helper()
	f, l := devices.Parse("ShapedDevices.csv", []byte(header+csv))
	if l.HasErrors() {
		t.Fatal(l.Err())
	}
	nw, nl := topology.Parse("network.json", []byte(`{"Site":{"downloadBandwidthMbps":1000,"uploadBandwidthMbps":1000,"children":{"BNG":{"downloadBandwidthMbps":500,"uploadBandwidthMbps":500}}}}`))
	if nl.HasErrors() {
		t.Fatal(nl.Err())
	}
	return &inputs.Inputs{Devices: f, Network: nw}
}

func TestOverlay(t *testing.T) {
	csv := "c1,Alice,d1,router,Site,,,alice,100.64.0.1,,5,5,20,20,\n" +
		"c2,Bob,d2,router,Site,,,AA:BB:CC:00:00:02,100.64.0.2,,5,5,30,30,\n" +
		"c3,Dup1,d3,,Site,,,dup,100.64.0.3,,5,5,10,10,\n" +
		"c4,Dup2,d4,,Site,,,dup,100.64.0.4,,5,5,10,10,\n"
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ses := func(key, user, mac, ip string, r *Rates, started int) Session {
		return Session{Key: key, Username: user, MAC: mac, Addrs: []netip.Prefix{netip.MustParsePrefix(ip)}, Rates: r, Started: t0.Add(time.Duration(started) * time.Second)}
	}
	rc := config.RadiusAccounting{DynamicCircuitApplication: config.RadiusApplication{Enabled: true,
		MatchShapedDevicesByMAC: true, MatchShapedDevicesByUsername: true, FallbackParentNode: "BNG"},
		FallbackSpeedProfile: &config.RadiusFallbackProfile{DownloadMinMbps: 2, UploadMinMbps: 1, DownloadMaxMbps: 25, UploadMaxMbps: 8}}
	in := testInputs(t, csv)
	out := Overlay([]Session{
		ses("n/1", "alice", "", "100.64.9.1/32", nil, 0),                                 // row c1 by username
		ses("n/2", "bob-pppoe", "aa:bb:cc:00:00:02", "100.64.9.2/32", &Rates{80, 20}, 1), // row c2 by MAC, packet rates win
		ses("n/3", "carol", "", "100.64.9.3/32", &Rates{40, 10}, 2),                      // own circuit, packet rates
		ses("n/4", "dave", "", "100.64.9.4/32", nil, 3),                                  // own circuit, fallback profile
		ses("n/5", "dup", "", "100.64.9.5/32", nil, 4),                                   // two rows: pending
		ses("n/6", "erin", "", "100.64.0.2/32", nil, 5),                                  // Bob's static address: pending
		ses("n/7", "carol", "", "100.64.9.7/32", nil, 6),                                 // carol again: pending
		{Key: "n/8", Username: "frank", Started: t0.Add(7 * time.Second)},                // no address yet
	}, in, rc)
	applied := map[string]Applied{}
	for _, a := range out.Applied {
		applied[a.Session] = a
	}
	wantApplied := map[string]Applied{
		"n/1": {"n/1", "c1", true}, "n/2": {"n/2", "c2", true},
		"n/3": {"n/3", "radius:carol", false}, "n/4": {"n/4", "radius:dave", false},
	}
	if len(applied) != len(wantApplied) {
		t.Errorf("applied %+v, want %+v", out.Applied, wantApplied)
	}
	for k, w := range wantApplied {
		if applied[k] != w {
			t.Errorf("session %s: %+v, want %+v", k, applied[k], w)
		}
	}
	pending := map[string]string{}
	for _, p := range out.Pending {
		pending[p.Session] = p.Reason
	}
	for k, want := range map[string]string{"n/5": "matches 2 rows: ShapedDevices.csv:4", "n/6": `already shaped in circuit "c2"`,
		"n/7": "already used by session n/3", "n/8": "no Framed-IP-Address"} {
		if !strings.Contains(pending[k], want) {
			t.Errorf("session %s pending reason %q, want it to contain %q", k, pending[k], want)
		}
	}
	if len(out.Duplicates) != 2 {
		t.Errorf("duplicates %v, want the two-row match and the reused identity", out.Duplicates)
	}
	c := func(id string) *devices.Circuit { return in.Devices.Circuit(id) }
	if c1 := c("c1"); len(c1.Devices) != 2 || c1.DownloadMax != 20 || c1.Devices[1].IPv4[0] != netip.MustParsePrefix("100.64.9.1/32") {
		t.Errorf("c1 %+v", c1)
	}
	if c2 := c("c2"); c2.DownloadMax != 80 || c2.UploadMax != 20 || c2.DownloadMin != 5 {
		t.Errorf("c2 rates %v/%v min %v, want the packet's 80/20 and the row's min 5", c2.DownloadMax, c2.UploadMax, c2.DownloadMin)
	}
	if carol := c("radius:carol"); carol == nil || carol.ParentNode != "BNG" || carol.DownloadMax != 40 || carol.DownloadMin != 2 || carol.UploadMin != 1 {
		t.Errorf("carol %+v: want under BNG at 40/10 with the fallback minimums", carol)
	}
	if dave := c("radius:dave"); dave == nil || dave.DownloadMax != 25 || dave.UploadMax != 8 || dave.DownloadMin != 2 {
		t.Errorf("dave %+v: want the fallback profile", dave)
	}
}

func TestOverlayRefusesAMissingFallbackParent(t *testing.T) {
	in := testInputs(t, "c1,A,d1,,Site,,,,100.64.0.1,,5,5,20,20,\n")
	rc := config.RadiusAccounting{DynamicCircuitApplication: config.RadiusApplication{Enabled: true, FallbackParentNode: "Nowhere"},
		FallbackSpeedProfile: &config.RadiusFallbackProfile{DownloadMaxMbps: 10, UploadMaxMbps: 10}}
	out := Overlay([]Session{{Key: "n/1", Username: "x", Addrs: []netip.Prefix{netip.MustParsePrefix("100.64.5.5/32")}}}, in, rc)
	if len(out.Applied) != 0 || len(out.Pending) != 1 || !strings.Contains(out.Pending[0].Reason, `"Nowhere" is not in network.json`) {
		t.Fatalf("outcome %+v", out)
	}
	if len(in.Devices.Circuits) != 1 {
		t.Fatalf("a circuit was added under a parent that does not exist")
	}
}

// The listener over a real UDP socket: accepted requests are answered and
// recorded; a wrong secret, an unknown source and junk get no answer.
func TestServer(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var got []Event
	srv := &Server{Clients: []Client{{Name: "nas", Sources: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Secret: secret}},
		Handle: func(ev Event) { got = append(got, ev) }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, pc) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	addr := pc.LocalAddr().String()

	resp, err := radius.Exchange(context.Background(), acct{status: rfc2866.AcctStatusType_Value_Start, session: "s1", user: "alice", ip: "100.64.1.2"}.packet(t), addr)
	if err != nil || resp.Code != radius.CodeAccountingResponse {
		t.Fatalf("start: %v %v", resp, err)
	}
	// A wrong secret is not answered. The listener handles datagrams in
	// order, so when the good request sent after it is answered, the bad
	// one has been handled: the first answer on the socket must be the
	// good one's.
	conn, err := net.Dial("udp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	wrong := acct{status: rfc2866.AcctStatusType_Value_Start, session: "s2"}.packet(t)
	wrong.Secret = []byte("guess")
	wrong.Identifier = 7
	good := acct{status: rfc2866.AcctStatusType_Value_Stop, session: "s1"}.packet(t)
	good.Identifier = 8
	for _, p := range []*radius.Packet{wrong, good} {
		if _, err := conn.Write(mustEncode(t, p)); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	if answer, err := radius.Parse(buf[:n], secret); err != nil || answer.Identifier != 8 {
		t.Fatalf("first answer %+v (%v), want the reply to request 8, not to the wrong-secret request 7", answer, err)
	}
	if v := srv.Values(); v.Accepted != 2 || v.BadAuth != 1 {
		t.Errorf("counters %+v, want 2 accepted and 1 bad authenticator", v)
	}
	// Unknown source: a server whose only client is elsewhere.
	srv.Clients[0].Sources = []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}
	if r := srv.handleDatagram(mustEncode(t, acct{status: rfc2866.AcctStatusType_Value_Start, session: "s3"}.packet(t)), &net.UDPAddr{IP: net.ParseIP("127.0.0.1"), Port: 1}); r != nil {
		t.Error("a packet from outside the client CIDRs was answered")
	}
	srv.Clients[0].Sources = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	if r := srv.handleDatagram([]byte("not radius at all"), &net.UDPAddr{IP: net.ParseIP("127.0.0.1"), Port: 1}); r != nil {
		t.Error("junk was answered")
	}
	v := srv.Values()
	if v.UnknownSource != 1 || v.BadAuth+v.Malformed < 2 {
		t.Errorf("counters %+v", v)
	}
	if len(got) != 2 || got[0].Username != "alice" || got[1].Kind != Stop {
		t.Errorf("events %+v", got)
	}
}

func mustEncode(t testing.TB, p *radius.Packet) []byte {
	t.Helper()
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzDatagram: whatever arrives, the listener never panics, and it only
// answers authentic Accounting-Requests.
func FuzzDatagram(f *testing.F) {
	f.Add(mustEncode(&testing.T{}, acct{status: rfc2866.AcctStatusType_Value_Start, session: "s1", user: "alice", ip: "100.64.1.2", rate: "1M/2M"}.packet(&testing.T{})))
	f.Add([]byte{4, 1, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{})
	srv := &Server{Clients: []Client{{Name: "nas", Sources: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Secret: secret}}}
	from := &net.UDPAddr{IP: net.ParseIP("127.0.0.1"), Port: 1}
	f.Fuzz(func(t *testing.T, b []byte) {
		resp := srv.handleDatagram(b, from)
		if resp != nil && !radius.IsAuthenticRequest(b, secret) {
			t.Fatalf("answered an unauthentic packet % x", b)
		}
	})
}

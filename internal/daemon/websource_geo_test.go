package daemon

import (
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/geoip"
	"github.com/libreqos-go/lqos/internal/geoip/geotest"
	"github.com/libreqos-go/lqos/internal/urgent"
)

func geoDaemon(t testing.TB) *Daemon {
	us, err := urgent.Open(filepath.Join(t.TempDir(), "urgent.json"), urgent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return &Daemon{log: slog.New(slog.DiscardHandler), urgent: us}
}

// A missing database is an urgent warning naming the file and what the
// pages lose; lqosd goes on, and the next start with the files resolves it.
func TestOpenGeoDegraded(t *testing.T) {
	d := geoDaemon(t)
	missing := filepath.Join(t.TempDir(), "asn.mmdb")
	cfg := config.Defaults()
	cfg.Geo = &config.Geo{ASNDatabase: missing, CityDatabases: []string{filepath.Join(t.TempDir(), "city.mmdb")}}
	db := d.openGeo(cfg)
	if db == nil || db.HasASN() || db.HasCity() {
		t.Fatalf("db %v", db)
	}
	if in := db.Lookup(netip.MustParseAddr("8.8.8.8")); in != (geoip.Info{}) {
		t.Errorf("lookup without data: %+v", in)
	}
	issues := d.urgent.List(urgent.ListOptions{})
	if len(issues) != 1 || issues[0].Code != CodeGeoData || issues[0].Severity != urgent.Warning ||
		!strings.Contains(issues[0].Message, missing+": file not found") || !strings.Contains(issues[0].Message, "make install-geo") {
		t.Fatalf("urgent issues: %+v", issues)
	}
	asn, city := geotest.Paths(t)
	cfg.Geo = &config.Geo{ASNDatabase: asn, CityDatabases: city}
	d.openGeo(cfg).Close()
	if issues := d.urgent.List(urgent.ListOptions{OpenOnly: true}); len(issues) != 0 {
		t.Errorf("with the files the issue is resolved: %+v", issues)
	}
}

func fakeFlows(n, distinct int) ([]datapath.Flow, map[netip.Addr]string) {
	r := rand.New(rand.NewPCG(3, 4))
	now := time.Now()
	pool := make([]netip.Addr, distinct)
	for i := range pool {
		pool[i] = netip.AddrFrom4([4]byte{byte(1 + r.IntN(222)), byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())})
	}
	circuitOf := map[netip.Addr]string{}
	flows := make([]datapath.Flow, n)
	for i := range flows {
		local := netip.AddrFrom4([4]byte{100, 64 + byte(i/65536%64), byte(i / 256), byte(i)})
		circuitOf[local] = "c" + local.String()
		flows[i] = datapath.Flow{Key: datapath.FlowKey{Remote: pool[r.IntN(distinct)], Local: local, RemotePort: 443, LocalPort: uint16(i), Proto: 6},
			Start: now.Add(-time.Minute), LastSeen: now, Bytes: [2]uint64{uint64(i) * 1000, uint64(i) * 50}}
		flows[i].RTT[0] = datapath.RTTStats{Sum: 20 * time.Millisecond, Count: 1}
	}
	return flows, circuitOf
}

func TestEnrichFlows(t *testing.T) {
	asn, city := geotest.Paths(t)
	db := geoip.Open(geoip.Options{ASN: asn, City: city})
	defer db.Close()
	now := time.Now()
	flows := []datapath.Flow{
		{Key: datapath.FlowKey{Remote: netip.MustParseAddr("8.8.8.8"), Local: netip.MustParseAddr("100.64.0.1"), Proto: 17, RemotePort: 53}, LastSeen: now, Bytes: [2]uint64{100, 50}},
		{Key: datapath.FlowKey{Remote: netip.MustParseAddr("2606:4700:4700::1111"), Local: netip.MustParseAddr("2001:db8::5"), Proto: 6}, LastSeen: now,
			RTT: [2]datapath.RTTStats{{Sum: 30 * time.Millisecond, Count: 3}, {Sum: 20 * time.Millisecond, Count: 1}}},
		{Key: datapath.FlowKey{Remote: netip.MustParseAddr("1.1.1.1")}, LastSeen: now.Add(-2 * time.Minute)}, // too old
	}
	got := enrichFlows(db, flows, map[netip.Addr]string{netip.MustParseAddr("100.64.0.1"): "c1"}, func(id string) string { return "Name of " + id }, now.Add(-time.Minute))
	if len(got) != 2 {
		t.Fatalf("%d flows, want 2 (the old one is left out)", len(got))
	}
	if g := got[0]; g.ASN != 15169 || g.Country != "US" || !g.HasLocation || g.CircuitID != "c1" || g.CircuitName != "Name of c1" || g.Bytes != [2]uint64{100, 50} || g.RTTMs != 0 {
		t.Errorf("flow 0: %+v", g)
	}
	if g := got[1]; g.ASN != 13335 || g.CircuitID != "" || g.RTTMs != 15 {
		t.Errorf("flow 1 (RTT is the mean of both directions' means): %+v", g)
	}
}

// BenchmarkEnrichFlows100k: lqosd's enrichment of 100,000 active flows to
// 30,000 distinct remote addresses (warm cache, as every pass after the
// first), in flows per second.
func BenchmarkEnrichFlows100k(b *testing.B) {
	asn, city := geotest.Paths(b)
	db := geoip.Open(geoip.Options{ASN: asn, City: city})
	defer db.Close()
	flows, circuitOf := fakeFlows(100000, 30000)
	name := func(id string) string { return id }
	since := time.Now().Add(-time.Hour)
	enrichFlows(db, flows, circuitOf, name, since)
	b.ResetTimer()
	for b.Loop() {
		enrichFlows(db, flows, circuitOf, name, since)
	}
	b.ReportMetric(float64(len(flows))*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
}

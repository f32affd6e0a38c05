package daemon

import (
	"context"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/geoip"
	"github.com/libreqos-go/lqos/internal/urgent"
	"github.com/libreqos-go/lqos/internal/webui"
)

// The web UI's ASN Analysis, Flow Globe and Site Map pages: each flow's
// remote address gets its AS and location from the IP databases
// (internal/geoip), and nodes their network.json coordinates.

var _ webui.GeoSource = (*webSource)(nil)

// CodeGeoData is raised when an IP database is missing or unreadable: the
// geo pages then show what the other files know.
const CodeGeoData = "LQOSD_GEO_DATA"

// openGeo opens the IP databases named by [geo]. Trouble is a warning,
// never a failed start.
func (d *Daemon) openGeo(cfg *config.Config) *geoip.DB {
	g := cfg.GeoSettings()
	db := geoip.Open(geoip.Options{ASN: g.ASNDatabase, City: g.CityDatabases})
	if p := db.Problems(); len(p) > 0 {
		msg := "IP data for the ASN and map pages is incomplete: " + strings.Join(p, "; ") +
			". Run `make install-geo` (or point lqos.conf [geo] asn_database / city_databases at MMDB files) and restart lqosd."
		d.log.Warn(msg, "code", CodeGeoData)
		d.raise(CodeGeoData, urgent.Warning, msg)
	} else {
		d.resolve(CodeGeoData)
		d.log.Info("IP data loaded", "asn", g.ASNDatabase, "city", g.CityDatabases)
	}
	return db
}

// geoCache is the enriched flow table, kept as long as the flow snapshot.
type geoCache struct {
	mu   sync.Mutex
	from *flowSnapshot
	out  webui.GeoFlows
}

func geoFiles(db *geoip.DB) []webui.GeoFile {
	var out []webui.GeoFile
	for _, f := range db.Files() {
		out = append(out, webui.GeoFile{Path: f.Path, Kind: f.Kind, Loaded: f.Loaded, Error: f.Error, DatabaseType: f.DatabaseType, Built: f.Built, Bytes: f.Bytes})
	}
	return out
}

// GeoFlows enriches the flows of the last minute.
func (w *webSource) GeoFlows(context.Context) (webui.GeoFlows, error) {
	fs := w.flowSnap()
	w.geoc.mu.Lock()
	defer w.geoc.mu.Unlock()
	if w.geoc.from == fs {
		return w.geoc.out, nil
	}
	g := w.d.config().GeoSettings()
	out := webui.GeoFlows{GlobeMax: g.GlobeFlows, Files: geoFiles(w.geo)}
	if g.Latitude != nil && g.Longitude != nil {
		out.Origin = &webui.LatLon{Lat: *g.Latitude, Lon: *g.Longitude}
	}
	out.Flows = enrichFlows(w.geo, fs.all, fs.circuitOf, w.d.circuitName, fs.at.Add(-time.Minute))
	w.geoc.from, w.geoc.out = fs, out
	return out, nil
}

// enrichFlows turns the flows seen since `since` into GeoFlows.
func enrichFlows(db *geoip.DB, flows []datapath.Flow, circuitOf map[netip.Addr]string, name func(string) string, since time.Time) []webui.GeoFlow {
	out := make([]webui.GeoFlow, 0, len(flows))
	for i := range flows {
		f := &flows[i]
		if f.LastSeen.Before(since) {
			continue
		}
		in := db.Lookup(f.Key.Remote)
		g := webui.GeoFlow{Local: f.Key.Local, Remote: f.Key.Remote, Proto: f.Key.Proto, LocalPort: f.Key.LocalPort, RemotePort: f.Key.RemotePort,
			Bytes: f.Bytes, Packets: f.Packets, Retransmits: f.Retransmits, Start: f.Start, LastSeen: f.LastSeen,
			ASN: in.ASN, ASName: in.ASName, Country: in.Country, City: in.City, Lat: in.Lat, Lon: in.Lon, HasLocation: in.HasLocation}
		var sum time.Duration
		n := 0
		for d := range 2 {
			if m := f.RTT[d].Mean(); m > 0 {
				sum += m
				n++
			}
		}
		if n > 0 {
			g.RTTMs = float64(sum) / float64(n) / 1e6
		}
		if id, ok := circuitOf[f.Key.Local]; ok {
			g.CircuitID, g.CircuitName = id, name(id)
		}
		out = append(out, g)
	}
	return out
}

// integrationOf names the integration that wrote a node's id ("uisp:site:1"
// → "UISP"); "" for hand-written ids.
var integrationNames = map[string]string{"uisp": "UISP", "splynx": "Splynx", "sonar": "Sonar", "powercode": "Powercode",
	"visp": "VISP", "wispgate": "WISPGate", "netzur": "Netzur", "rest": "REST integration"}

// NodeLocations returns the applied plan's nodes that have coordinates.
func (w *webSource) NodeLocations(context.Context) ([]webui.NodeLocation, error) {
	p := w.d.webPlan.Load()
	if p == nil {
		return nil, nil
	}
	var out []webui.NodeLocation
	for i, n := range p.Nodes {
		if n.Latitude == nil || n.Longitude == nil {
			continue
		}
		from := "network.json"
		if pre, _, ok := strings.Cut(n.ID, ":"); ok && integrationNames[pre] != "" {
			from = integrationNames[pre]
		}
		out = append(out, webui.NodeLocation{Index: i, Lat: *n.Latitude, Lon: *n.Longitude, From: from})
	}
	return out, nil
}

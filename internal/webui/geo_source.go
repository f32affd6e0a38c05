package webui

import (
	"context"
	"net/netip"
	"time"
)

// GeoSource feeds the ASN Analysis, Flow Globe and Site Map pages. A Source
// that also implements GeoSource (and PageSource, for the tree the site map
// draws) gets those pages; otherwise their API answers 501.
type GeoSource interface {
	// GeoFlows returns the flows seen in the last minute, each with its
	// remote end's AS and location as far as the IP databases know them.
	GeoFlows(ctx context.Context) (GeoFlows, error)
	// NodeLocations returns the coordinates of the nodes of NetworkTree that
	// have them (network.json's latitude/longitude, written by hand or by
	// an integration such as UISP).
	NodeLocations(ctx context.Context) ([]NodeLocation, error)
}

// GeoFlows is one read of the flow table with its enrichment.
type GeoFlows struct {
	Flows []GeoFlow
	// Origin is the shaper's location (lqos.conf [geo]); nil when unset
	// (the pages then use the middle of the mapped sites).
	Origin *LatLon
	// GlobeMax is the most endpoints the Flow Globe may ask for.
	GlobeMax int
	// Files are the IP databases and whether each is in use.
	Files []GeoFile
}

// GeoFlow is one flow with its remote end's AS and location.
type GeoFlow struct {
	CircuitID   string // "" when the local address matches no circuit
	CircuitName string
	Local       netip.Addr
	Remote      netip.Addr
	Proto       uint8
	LocalPort   uint16
	RemotePort  uint16
	// Totals so far: [0] towards the subscriber, [1] towards the Internet.
	Bytes       [2]uint64
	Packets     [2]uint64
	Retransmits [2]uint32
	// RTTMs is the flow's mean TCP RTT (0 = no sample).
	RTTMs    float64
	Start    time.Time
	LastSeen time.Time

	ASN         uint32
	ASName      string
	Country     string // ISO 3166-1 alpha-2
	City        string
	Lat, Lon    float64
	HasLocation bool
}

// NodeLocation places one node of the tree.
type NodeLocation struct {
	Index    int     // NetworkTree index
	Lat, Lon float64 // degrees
	// From says where the coordinates come from: "network.json" or the
	// integration that wrote them ("UISP", "Splynx", …).
	From string
}

// LatLon is a point in degrees.
type LatLon struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// GeoFile is one IP database file (the About box lists them).
type GeoFile struct {
	Path         string    `json:"path"`
	Kind         string    `json:"kind"` // asn or city
	Loaded       bool      `json:"loaded"`
	Error        string    `json:"error,omitempty"`
	DatabaseType string    `json:"database_type,omitempty"`
	Built        time.Time `json:"built"`
	Bytes        int64     `json:"bytes"`
}

package config

import (
	"fmt"
	"net/netip"
	"strings"
)

// DynamicCircuits is the global switch for circuits that come from sessions
// (RADIUS accounting) rather than ShapedDevices.csv.
type DynamicCircuits struct {
	Enabled bool `toml:"enabled"`
	// TTLSeconds is upstream's lifetime of circuits promoted from unknown
	// IPs, which this version does not do (accepted, not used).
	TTLSeconds uint64 `toml:"ttl_seconds"`
}

// RadiusAccounting configures lqosd's RADIUS accounting listener.
type RadiusAccounting struct {
	Enabled bool `toml:"enabled"`
	// Listen is the UDP address, e.g. "0.0.0.0:1813".
	Listen string `toml:"listen"`
	// DefaultTTLSeconds: a session with no accounting packet for this long
	// (plus StaleGraceSeconds) is dropped. The NAS's Acct-Interim-Interval,
	// when it sends one, replaces it for that session.
	DefaultTTLSeconds uint64 `toml:"default_ttl_seconds"`
	StaleGraceSeconds uint64 `toml:"stale_grace_seconds"`

	DynamicCircuitApplication RadiusApplication      `toml:"dynamic_circuit_application"`
	FallbackSpeedProfile      *RadiusFallbackProfile `toml:"fallback_speed_profile"`
	Clients                   []RadiusClient         `toml:"clients"`
}

// RadiusApplication says whether and how sessions become shaped circuits.
type RadiusApplication struct {
	Enabled bool `toml:"enabled"`
	// MatchShapedDevicesByMAC: a session whose normalised Calling-Station-Id
	// equals a ShapedDevices row's MAC attaches to that row's circuit.
	MatchShapedDevicesByMAC bool `toml:"match_shaped_devices_by_mac"`
	// MatchShapedDevicesByUsername: a row whose MAC cell equals the
	// session's User-Name verbatim (the column doubles as RADIUS username).
	MatchShapedDevicesByUsername bool `toml:"match_shaped_devices_by_username"`
	// Where circuits of sessions that match no row hang in network.json.
	FallbackParentNode   string `toml:"fallback_parent_node"`
	FallbackParentNodeID string `toml:"fallback_parent_node_id"`
	FallbackAnchorNodeID string `toml:"fallback_anchor_node_id"`
}

// RadiusFallbackProfile is the plan of a session that carries no rate
// attributes and matches no ShapedDevices row (Mbps).
type RadiusFallbackProfile struct {
	DownloadMinMbps float64 `toml:"download_min_mbps"`
	UploadMinMbps   float64 `toml:"upload_min_mbps"`
	DownloadMaxMbps float64 `toml:"download_max_mbps"`
	UploadMaxMbps   float64 `toml:"upload_max_mbps"`
}

// RadiusClient is one trusted NAS (or RADIUS proxy): packets are accepted
// only from its source CIDRs and only with its shared secret, which lives
// in a file so lqos.conf can be shared without it.
type RadiusClient struct {
	Name       string   `toml:"name"`
	Source     []string `toml:"source"`
	SecretFile string   `toml:"secret_file"`
}

// ShapesSessions reports whether sessions become circuits: both the global
// dynamic circuits switch and the listener's application switch are on.
func (c *Config) ShapesSessions() bool {
	return c.DynamicCircuits.Enabled && c.RadiusAccounting.Enabled && c.RadiusAccounting.DynamicCircuitApplication.Enabled
}

// ClientSources parses a client's source CIDRs (a bare address is a host).
func (rc RadiusClient) ClientSources() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range rc.Source {
		s = strings.TrimSpace(s)
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, fmt.Errorf("source %q: %v", s, err)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("source %q: %v", s, err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (r RadiusAccounting) validate() []error {
	if !r.Enabled {
		return nil
	}
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("radius_accounting.%s: %s", key, fmt.Sprintf(format, args...)))
	}
	if _, err := netip.ParseAddrPort(r.Listen); err != nil {
		bad("listen", "%q is not an address:port (%v)", r.Listen, err)
	}
	if r.DefaultTTLSeconds == 0 {
		bad("default_ttl_seconds", "must be greater than 0")
	}
	if len(r.Clients) == 0 {
		bad("clients", "at least one [[radius_accounting.clients]] is needed: packets from anyone else are dropped")
	}
	names := map[string]bool{}
	for i, c := range r.Clients {
		key := fmt.Sprintf("clients[%d]", i)
		if c.Name == "" {
			bad(key+".name", "must not be empty")
		} else if names[c.Name] {
			bad(key+".name", "%q is used twice", c.Name)
		}
		names[c.Name] = true
		if len(c.Source) == 0 {
			bad(key+".source", "must list the CIDRs the client sends from")
		} else if _, err := c.ClientSources(); err != nil {
			bad(key+".source", "%v", err)
		}
		if c.SecretFile == "" {
			bad(key+".secret_file", "must name the file holding the shared secret")
		}
	}
	a := r.DynamicCircuitApplication
	if a.FallbackParentNode == "" && (a.FallbackParentNodeID != "" || a.FallbackAnchorNodeID != "") {
		bad("dynamic_circuit_application.fallback_parent_node", "is required when fallback_parent_node_id or fallback_anchor_node_id is set")
	}
	if p := r.FallbackSpeedProfile; p != nil {
		if p.DownloadMaxMbps <= 0 || p.UploadMaxMbps <= 0 {
			bad("fallback_speed_profile", "download_max_mbps and upload_max_mbps must be greater than 0")
		}
		if p.DownloadMinMbps > p.DownloadMaxMbps || p.UploadMinMbps > p.UploadMaxMbps {
			bad("fallback_speed_profile", "a minimum exceeds its maximum")
		}
	}
	return errs
}

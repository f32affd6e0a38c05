package config

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// InfluxDB is upstream's [influxdb] section: where lqosd sends its figures
// in InfluxDB line protocol. The last three keys are this version's.
type InfluxDB struct {
	Enable bool   `toml:"enable_influxdb"`
	URL    string `toml:"url"`
	Org    string `toml:"org"`
	Bucket string `toml:"bucket"`
	Token  string `toml:"token"`
	// IntervalSeconds between exports (default 10).
	IntervalSeconds int `toml:"interval_seconds"`
	// BufferPoints bounds the points kept while the server is unreachable
	// (default 100000); beyond it the oldest are dropped and counted.
	BufferPoints int `toml:"buffer_points"`
	// PerCircuit adds one point per circuit with traffic to every export.
	PerCircuit bool `toml:"per_circuit"`
}

// Metrics is this version's [metrics] section: the Prometheus endpoint.
type Metrics struct {
	// Enable serves /metrics (default true).
	Enable bool `toml:"enable"`
	// Listen is an address of its own for /metrics; "" serves it on the
	// web UI's listener.
	Listen string `toml:"listen"`
	// BearerToken, when set, is required as "Authorization: Bearer <token>".
	BearerToken string `toml:"bearer_token"`
	// PerCircuit is "off" (default), "top" (the PerCircuitTop busiest
	// circuits) or "all".
	PerCircuit    string `toml:"per_circuit"`
	PerCircuitTop int    `toml:"per_circuit_top"`
}

// Per-circuit series choices.
const (
	PerCircuitOff = "off"
	PerCircuitTop = "top"
	PerCircuitAll = "all"
)

// Fleet is this version's [fleet] section: which part of the network this
// shaper shapes when several shapers share one CRM. Either Sites names, per
// shaper node_name, the top-level sites it owns, or ShaperCount splits the
// top-level sites by a hash of their names into that many shapers, of which
// this one is ShaperIndex.
type Fleet struct {
	Sites       map[string][]string `toml:"sites"`
	ShaperCount int                 `toml:"shaper_count"`
	ShaperIndex int                 `toml:"shaper_index"`
	// ShaperNames optionally names the hash rule's shapers by index (for
	// reports); default "shaper-<index>", this one being node_name.
	ShaperNames []string `toml:"shaper_names"`
}

// Enabled reports whether the section splits the network.
func (f *Fleet) Enabled() bool { return f != nil && (len(f.Sites) > 0 || f.ShaperCount > 0) }

func defaultMetrics() *Metrics {
	return &Metrics{Enable: true, PerCircuit: PerCircuitOff, PerCircuitTop: 100}
}

func defaultInfluxDB() *InfluxDB {
	return &InfluxDB{URL: "http://localhost:8086", IntervalSeconds: 10, BufferPoints: 100000}
}

// metricsWarnings checks [metrics] and [influxdb]. Their mistakes never
// stop lqosd: the bad setting falls back (a warning says to what) and
// shaping goes on.
func (c *Config) metricsWarnings() []Warning {
	var ws []Warning
	warn := func(key, format string, args ...any) {
		ws = append(ws, Warning{Key: key, Message: fmt.Sprintf(format, args...)})
	}
	if m := c.Metrics; m != nil {
		switch m.PerCircuit {
		case PerCircuitOff, PerCircuitTop, PerCircuitAll:
		default:
			warn("metrics.per_circuit", "must be %q, %q or %q, got %q; using %q", PerCircuitOff, PerCircuitTop, PerCircuitAll, m.PerCircuit, PerCircuitOff)
			m.PerCircuit = PerCircuitOff
		}
		if m.PerCircuitTop < 1 {
			warn("metrics.per_circuit_top", "must be at least 1, got %d; using 100", m.PerCircuitTop)
			m.PerCircuitTop = 100
		}
		if m.Listen != "" {
			if _, _, err := net.SplitHostPort(m.Listen); err != nil {
				warn("metrics.listen", "must be host:port or :port, got %q (%v); /metrics is off", m.Listen, err)
				m.Enable = false
			}
		}
	}
	if in := c.InfluxDB; in != nil && in.Enable {
		off := func(key, format string, args ...any) {
			warn(key, format+"; the InfluxDB export is off", args...)
			in.Enable = false
		}
		u, err := url.Parse(in.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			off("influxdb.url", "must be an http:// or https:// URL, got %q", in.URL)
		}
		if strings.TrimSpace(in.Bucket) == "" {
			off("influxdb.bucket", "must name the bucket (or v1 database) to write to")
		}
		if in.IntervalSeconds < 1 {
			warn("influxdb.interval_seconds", "must be at least 1, got %d; using 10", in.IntervalSeconds)
			in.IntervalSeconds = 10
		}
		if in.BufferPoints < 1 {
			warn("influxdb.buffer_points", "must be at least 1, got %d; using 100000", in.BufferPoints)
			in.BufferPoints = 100000
		}
	}
	return ws
}

// validateFleet checks [fleet]: a wrong split would shape the wrong part of
// the network, so its mistakes are errors.
func (c *Config) validateFleet(bad func(key, format string, args ...any)) {
	if f := c.Fleet; f != nil {
		if len(f.Sites) > 0 && f.ShaperCount > 0 {
			bad("fleet", "set either fleet.sites or fleet.shaper_count, not both")
		}
		if f.ShaperCount < 0 {
			bad("fleet.shaper_count", "must not be negative, got %d", f.ShaperCount)
		}
		if f.ShaperCount > 0 && (f.ShaperIndex < 0 || f.ShaperIndex >= f.ShaperCount) {
			bad("fleet.shaper_index", "must be from 0 to %d (shaper_count - 1), got %d", f.ShaperCount-1, f.ShaperIndex)
		}
		if len(f.ShaperNames) > 0 && len(f.ShaperNames) != f.ShaperCount {
			bad("fleet.shaper_names", "names %d shapers but shaper_count is %d", len(f.ShaperNames), f.ShaperCount)
		}
		if len(f.Sites) > 0 {
			if _, ok := f.Sites[c.NodeName]; !ok {
				bad("fleet.sites", "has no entry for this shaper's node_name %q", c.NodeName)
			}
			owner := map[string]string{}
			for shaper, sites := range f.Sites {
				for _, s := range sites {
					if o, dup := owner[s]; dup && o != shaper {
						a, b := min(o, shaper), max(o, shaper)
						bad("fleet.sites", "site %q is given to both %q and %q", s, a, b)
					}
					owner[s] = shaper
				}
			}
		}
	}
}

// MetricsSettings returns [metrics] with defaults when the file has none.
func (c *Config) MetricsSettings() Metrics {
	if c.Metrics == nil {
		return *defaultMetrics()
	}
	return *c.Metrics
}

// String names the rule, for logs.
func (f *Fleet) String() string {
	if !f.Enabled() {
		return "whole network"
	}
	if f.ShaperCount > 0 {
		return fmt.Sprintf("hash of top-level site names into %d shapers, this is #%d", f.ShaperCount, f.ShaperIndex)
	}
	return fmt.Sprintf("listed top-level sites (%d shapers)", len(f.Sites))
}

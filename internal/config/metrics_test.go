package config

import (
	"strings"
	"testing"
)

func TestMetricsFleetInflux(t *testing.T) {
	tests := []struct {
		name, text string
		err        string // "" = loads
		warn       string // a warning that must be given
		check      func(*testing.T, *Config)
	}{
		{"defaults", "", "", "", func(t *testing.T, c *Config) {
			m := c.MetricsSettings()
			if !m.Enable || m.Listen != "" || m.PerCircuit != PerCircuitOff || m.PerCircuitTop != 100 {
				t.Errorf("metrics defaults %+v", m)
			}
			if c.InfluxDB.Enable || c.InfluxDB.IntervalSeconds != 10 || c.InfluxDB.BufferPoints != 100000 {
				t.Errorf("influxdb defaults %+v", c.InfluxDB)
			}
			if c.Fleet.Enabled() {
				t.Error("fleet enabled by default")
			}
		}},
		{"metrics set", "[metrics]\nlisten = \"127.0.0.1:9124\"\nbearer_token = \"t\"\nper_circuit = \"top\"\nper_circuit_top = 50\n", "", "", func(t *testing.T, c *Config) {
			if m := c.MetricsSettings(); m.Listen != "127.0.0.1:9124" || m.BearerToken != "t" || m.PerCircuit != "top" || m.PerCircuitTop != 50 || !m.Enable {
				t.Errorf("metrics %+v", m)
			}
		}},
		{"bad per_circuit", "[metrics]\nper_circuit = \"some\"\n", "", `metrics.per_circuit: must be "off", "top" or "all", got "some"; using "off"`, func(t *testing.T, c *Config) {
			if c.Metrics.PerCircuit != PerCircuitOff {
				t.Errorf("per_circuit %q", c.Metrics.PerCircuit)
			}
		}},
		{"bad listen", "[metrics]\nlisten = \"9124\"\n", "", "metrics.listen: must be host:port or :port", func(t *testing.T, c *Config) {
			if c.Metrics.Enable {
				t.Error("/metrics left on with a bad listen address")
			}
		}},
		{"influx on", "[influxdb]\nenable_influxdb = true\nurl = \"http://db:8086\"\norg = \"isp\"\nbucket = \"lqos\"\ntoken = \"x\"\n", "", "", func(t *testing.T, c *Config) {
			if in := c.InfluxDB; !in.Enable || in.URL != "http://db:8086" || in.Org != "isp" || in.Token != "x" || in.IntervalSeconds != 10 {
				t.Errorf("influxdb %+v", in)
			}
		}},
		{"influx bad url", "[influxdb]\nenable_influxdb = true\nurl = \"db:8086\"\nbucket = \"b\"\n", "", `influxdb.url: must be an http:// or https:// URL, got "db:8086"; the InfluxDB export is off`, func(t *testing.T, c *Config) {
			if c.InfluxDB.Enable {
				t.Error("export left on with a bad URL")
			}
		}},
		{"influx no bucket", "[influxdb]\nenable_influxdb = true\nbucket = \"\"\n", "", "influxdb.bucket: must name the bucket", nil},
		{"influx off ignores bad url", "[influxdb]\nenable_influxdb = false\nurl = \"nonsense\"\n", "", "", nil},
		{"fleet hash", "[fleet]\nshaper_count = 3\nshaper_index = 2\n", "", "", func(t *testing.T, c *Config) {
			if !c.Fleet.Enabled() || c.Fleet.ShaperCount != 3 || c.Fleet.ShaperIndex != 2 {
				t.Errorf("fleet %+v", c.Fleet)
			}
		}},
		{"fleet index out of range", "[fleet]\nshaper_count = 2\nshaper_index = 2\n", "fleet.shaper_index: must be from 0 to 1", "", nil},
		{"fleet both rules", "[fleet]\nshaper_count = 2\n[fleet.sites]\nLibreQoS = [\"A\"]\n", "set either fleet.sites or fleet.shaper_count", "", nil},
		{"fleet list lacks this shaper", "[fleet.sites]\nother = [\"A\"]\n", `fleet.sites: has no entry for this shaper's node_name "LibreQoS"`, "", nil},
		{"fleet site twice", "[fleet.sites]\nLibreQoS = [\"A\"]\nother = [\"A\"]\n", `site "A" is given to both "LibreQoS" and "other"`, "", nil},
		{"fleet names count", "[fleet]\nshaper_count = 2\nshaper_names = [\"a\"]\n", "fleet.shaper_names: names 1 shapers but shaper_count is 2", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, warns, err := Parse([]byte(minimal + tc.text))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.warn != "" {
				found := false
				for _, w := range warns {
					found = found || strings.Contains(w.String(), tc.warn)
				}
				if !found {
					t.Errorf("no warning %q in %v", tc.warn, warns)
				}
			}
			if tc.check != nil {
				tc.check(t, c)
			}
		})
	}
}

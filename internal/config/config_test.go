package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const minimal = `
version = "1.5"
[bridge]
to_internet = "ens1"
to_network = "ens2"
`

func TestDefaults(t *testing.T) {
	cfg, warns, err := Parse([]byte(minimal))
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("unexpected warnings: %v", warns)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"queue_refresh_interval_mins", cfg.IntegrationCommon.QueueRefreshIntervalMins, 30},
		{"default_sqm", cfg.Queues.DefaultSQM, "cake diffserv4"},
		{"queue_mode", cfg.Queues.QueueMode, "shape"},
		{"uplink", cfg.Queues.UplinkBandwidthMbps, uint64(1000)},
		{"downlink", cfg.Queues.DownlinkBandwidthMbps, uint64(1000)},
		{"generated_pn_download", cfg.Queues.GeneratedPNDownloadMbps, uint64(1000)},
		{"lqos_directory", cfg.LqosDirectory, "/opt/libreqos/src"},
		{"state_directory", cfg.StateDirectory, "/opt/libreqos/state"},
		{"use_xdp_bridge", cfg.Bridge.UseXDPBridge, true},
		{"to_internet", cfg.InternetInterface(), "ens1"},
		{"to_network", cfg.NetworkInterface(), "ens2"},
		{"fast queues", cfg.FastQueuesThreshold(), 1000.0},
		{"upstream_oversubscription", cfg.Queues.UpstreamOversubscription, false},
		{"port limit multiplier", cfg.IntegrationCommon.EthernetPortLimitMultiplier, 0.94},
		{"allow subnets", len(cfg.IPRanges.AllowSubnets), 4},
		{"flow timeout", cfg.Flows.FlowTimeoutSeconds, 30},
		{"webserver_listen", cfg.WebserverListen, ":9123"},
		{"on a stick", cfg.OnAStick(), false},
		{"node id set", cfg.NodeID != "", true},
		{"powercode port", cfg.Powercode.Port, 444},
		{"powercode verify_tls", cfg.Powercode.VerifyTLS, true},
		{"powercode timeout", cfg.Powercode.TimeoutSecs, 30},
		{"sonar snmp_discovery", cfg.Sonar.SNMPDiscovery, true},
		{"sonar community", cfg.Sonar.SNMPCommunity, "public"},
		{"sonar timeout", cfg.Sonar.TimeoutSecs, 60},
		{"sonar page_size", cfg.Sonar.PageSize, 100},
		{"wispgate timeout", cfg.WISPGate.TimeoutSecs, 120},
		{"rest verify_tls", cfg.REST.VerifyTLS, true},
		{"rest timeout", cfg.REST.TimeoutSecs, 30},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestParseErrorsAndWarnings(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		errs    []string // fragments that must appear in the error
		warnKey string   // a key that must be warned about
	}{
		{name: "wrong type names the key", text: minimal + "[queues]\nuplink_bandwidth_mbps = \"fast\"\n", errs: []string{"uplink_bandwidth_mbps", "line 7"}},
		{name: "bool as string", text: minimal + "[queues]\nuse_binpacking = \"yes\"\n", errs: []string{"use_binpacking"}},
		{name: "upstream_oversubscription as string", text: minimal + "[queues]\nupstream_oversubscription = \"on\"\n", errs: []string{"upstream_oversubscription"}},
		{name: "syntax error names the line", text: "version = \"1.5\"\nnode_name = = \"x\"\n[bridge]\n", errs: []string{"line 2"}},
		{name: "unclosed table header is on its own line", text: "version = \"1.5\"\nnode_name = \"x\"\n[bridge\nto_internet = \"a\"\n", errs: []string{"line 3:"}},
		{name: "every syntax and type error is reported", text: "version = \"1.5\"\nnode_name = = \"x\"\n[bridge]\nto_internet = \"a\"\nmtu = \"big\"\n[queues]\nuplink_bandwidth_mbps = \"fast\"\ndefault_sqm = \n",
			errs: []string{"line 2", "line 5, key \"bridge.mtu\"", "line 7, key \"queues.uplink_bandwidth_mbps\"", "line 8"}},
		{name: "ssl cert without key", text: minimal + "[ssl]\nenabled = true\ncert = \"/etc/c.pem\"\n", errs: []string{"ssl: set both cert and key"}},
		{name: "negative connection limit", text: minimal + "[web_ui]\nmax_connections_per_ip = -1\n", errs: []string{"web_ui.max_connections_per_ip"}},
		{name: "no interface section", text: `version = "1.5"`, errs: []string{"[bridge] or [single_interface]"}},
		{name: "both interface sections", text: minimal + "[single_interface]\ninterface = \"eth0\"\n", errs: []string{"both present"}},
		{name: "bad version", text: strings.Replace(minimal, "1.5", "1.4", 1), errs: []string{"version: must be \"1.5\""}},
		{name: "same interface twice", text: "version = \"1.5\"\n[bridge]\nto_internet = \"a\"\nto_network = \"a\"\n", errs: []string{"bridge.to_network: must differ"}},
		{name: "bad queue mode", text: minimal + "[queues]\nqueue_mode = \"shaping\"\n", errs: []string{"queues.queue_mode"}},
		{name: "bad lazy mode", text: minimal + "[queues]\nlazy_queues = \"Sometimes\"\n", errs: []string{"queues.lazy_queues"}},
		{name: "zero uplink", text: minimal + "[queues]\nuplink_bandwidth_mbps = 0\n", errs: []string{"queues.uplink_bandwidth_mbps: must be greater than 0"}},
		{name: "refresh interval", text: minimal + "[integration_common]\nqueue_refresh_interval_mins = 0\n", errs: []string{"queue_refresh_interval_mins"}},
		{name: "port multiplier", text: minimal + "[integration_common]\nethernet_port_limit_multiplier = 1.5\n", errs: []string{"ethernet_port_limit_multiplier"}},
		{name: "bad subnet", text: minimal + "[ip_ranges]\nallow_subnets = [\"10.0.0.1/8\"]\n", errs: []string{"ip_ranges.allow_subnets[0]", "host bits"}},
		{name: "bad compile mode", text: minimal + "[topology]\ncompile_mode = \"tree\"\n", errs: []string{"topology.compile_mode"}},
		{name: "two integrations", text: minimal + "[uisp_integration]\nenable_uisp = true\n[splynx_integration]\nenable_spylnx = true\n", errs: []string{"2 integrations are enabled (uisp, splynx)"}},
		{name: "powercode port", text: minimal + "[powercode_integration]\nport = 70000\n", errs: []string{"powercode_integration.port: must be 1..65535"}},
		{name: "sonar page size", text: minimal + "[sonar_integration]\npage_size = 0\n", errs: []string{"sonar_integration.page_size"}},
		{name: "integration timeout", text: minimal + "[wispgate_integration]\ntimeout_secs = 0\n", errs: []string{"wispgate_integration.timeout_secs: must be at least 1"}},
		{name: "rest two kinds of auth", text: minimal + "[rest_integration]\nbearer_token = \"t\"\nusername = \"u\"\n", errs: []string{"rest_integration.bearer_token: set either"}},
		{name: "new integrations count", text: minimal + "[sonar_integration]\nenable_sonar = true\n[rest_integration]\nenable_rest = true\n", errs: []string{"2 integrations are enabled (sonar, rest)"}},
		{name: "several errors at once", text: minimal + "[queues]\nqueue_mode = \"x\"\nlazy_queues = \"y\"\n", errs: []string{"queues.queue_mode", "queues.lazy_queues"}},
		{name: "unknown key warns", text: minimal + "[queues]\ndefualt_sqm = \"cake\"\n", warnKey: "queues.defualt_sqm"},
		{name: "unknown section warns", text: minimal + "[mystery]\nx = 1\n", warnKey: "mystery.x"},
		{name: "raw sections are known", text: minimal + "[stormguard]\nenabled = true\n[treeguard]\nx = 1\n", warnKey: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, warns, err := Parse([]byte(tc.text))
			if len(tc.errs) == 0 && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			for _, frag := range tc.errs {
				if err == nil || !strings.Contains(err.Error(), frag) {
					t.Errorf("error %v does not mention %q", err, frag)
				}
			}
			if tc.warnKey != "" {
				found := false
				for _, w := range warns {
					found = found || w.Key == tc.warnKey
				}
				if !found {
					t.Errorf("no warning for %s, got %v", tc.warnKey, warns)
				}
			}
			for _, w := range warns {
				if strings.Contains(w.Message, "unknown key") && tc.warnKey == "" {
					t.Errorf("unexpected warning %v", w)
				}
			}
			if tc.warnKey == "" && len(tc.errs) == 0 && len(warns) > 0 && !strings.HasPrefix(warns[0].Message, NotUsedMessage) {
				t.Errorf("unexpected warnings %v", warns)
			}
		})
	}
}

func TestMonitorOnlyAlias(t *testing.T) {
	cfg, _, err := Parse([]byte(minimal + "[queues]\nmonitor_only = true\n"))
	if err != nil || !cfg.Observe() {
		t.Fatalf("monitor_only = true should mean observe: %v %+v", err, cfg.Queues)
	}
	cfg, _, err = Parse([]byte(minimal + "[queues]\nmonitor_only = true\nqueue_mode = \"shape\"\n"))
	if err != nil || cfg.Observe() {
		t.Fatalf("explicit queue_mode must win over monitor_only: %v", err)
	}
}

func TestSingleInterface(t *testing.T) {
	cfg, _, err := Parse([]byte("version = \"1.5\"\n[single_interface]\ninterface = \"enp1s0\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.OnAStick() || cfg.SingleInterface.InternetVLAN != 2 || cfg.SingleInterface.NetworkVLAN != 3 || cfg.NetworkInterface() != "enp1s0" {
		t.Errorf("single interface = %+v", cfg.SingleInterface)
	}
	_, _, err = Parse([]byte("version = \"1.5\"\n[single_interface]\ninterface = \"e\"\ninternet_vlan = 5\nnetwork_vlan = 5\n"))
	if err == nil || !strings.Contains(err.Error(), "single_interface.network_vlan") {
		t.Errorf("same VLAN twice: %v", err)
	}
}

func TestStateDirectory(t *testing.T) {
	for _, tc := range []struct{ lqos, want string }{
		{"/opt/libreqos/src", "/opt/libreqos/state"},
		{"/srv/shaper", "/srv/shaper/state"},
	} {
		if got := defaultStateDir(tc.lqos); got != tc.want {
			t.Errorf("defaultStateDir(%q) = %q, want %q", tc.lqos, got, tc.want)
		}
	}
}

func TestResolvePath(t *testing.T) {
	t.Setenv(EnvPath, "")
	if got := ResolvePath(""); got != DefaultPath {
		t.Errorf("default = %q", got)
	}
	t.Setenv(EnvPath, "/tmp/x.conf")
	if got := ResolvePath(""); got != "/tmp/x.conf" {
		t.Errorf("env = %q", got)
	}
	if got := ResolvePath("/flag.conf"); got != "/flag.conf" {
		t.Errorf("flag = %q", got)
	}
}

func TestLoadRelativeDirectories(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "lqos.conf")
	text := "version = \"1.5\"\nlqos_directory = \"inputs\"\n[bridge]\n"
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.LqosDirectory != filepath.Join(dir, "inputs") || cfg.StateDirectory != filepath.Join(dir, "inputs", "state") {
		t.Errorf("dirs = %q %q", cfg.LqosDirectory, cfg.StateDirectory)
	}
	if _, _, err := Load(filepath.Join(dir, "missing.conf")); err == nil || !strings.Contains(err.Error(), "missing.conf") {
		t.Errorf("missing file error = %v", err)
	}
}

func TestExampleConfig(t *testing.T) {
	cfg, warns, err := Load(filepath.Join("..", "..", "examples", "lqos.conf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) > 0 {
		t.Errorf("example config warns: %v", warns)
	}
	if cfg.NodeName != "Example Shaper" || cfg.Bridge == nil {
		t.Errorf("example config = %+v", cfg)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(minimal))
	f.Add([]byte(minimal + "[queues]\nuplink_bandwidth_mbps = -1\n"))
	f.Add([]byte("version = 1.5\n[[bridge]]\n"))
	f.Add([]byte("[uisp_integration]\nexception_cpes = [{cpe = \"a\", parent = 3}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, _, err := Parse(data)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
		if err == nil && len(cfg.Validate()) > 0 {
			t.Fatal("accepted a config that does not validate")
		}
	})
}

// upstreamFull is every section and key of a current upstream lqos.conf.
const upstreamFull = "testdata/upstream-v15-full.conf"

func TestUpstreamFullConfigLoadsUnchanged(t *testing.T) {
	cfg, warns, err := Load(upstreamFull)
	if err != nil {
		t.Fatalf("upstream config refused: %v", err)
	}
	var notUsed []Warning
	for _, w := range warns {
		if strings.HasPrefix(w.Message, NotUsedMessage) {
			notUsed = append(notUsed, w)
			continue
		}
		t.Errorf("unexpected warning: %s", w)
	}
	if len(notUsed) != 1 {
		t.Fatalf("want the accepted-not-used keys listed once, got %d lines: %v", len(notUsed), notUsed)
	}
	for _, key := range []string{"display_cobrand", "enable_circuit_heatmaps", "local_api", "rtt_thresholds",
		"integration_common.topology_attachment_health", "integration_common.always_overwrite_network_json",
		"tuning", "stormguard", "treeguard", "dynamic_circuits.ttl_seconds", "mikrotik_ipv6"} {
		if !strings.Contains(notUsed[0].Message, key) {
			t.Errorf("not-used line lacks %s: %s", key, notUsed[0].Message)
		}
	}
	// [influxdb] is used: the line-protocol export reads it.
	if strings.Contains(notUsed[0].Message, "influxdb") {
		t.Errorf("influxdb listed as not used: %s", notUsed[0].Message)
	}
	if in := cfg.InfluxDB; in == nil || in.Enable || in.URL != "http://localhost:8086" || in.Org != "libreqos" || in.Bucket != "Your ISP Name Here" {
		t.Errorf("[influxdb] decoded as %+v", cfg.InfluxDB)
	}
	if n := strings.Count(notUsed[0].Message, "treeguard"); n != 1 {
		t.Errorf("treeguard listed %d times (its sub-tables must not be listed apart): %s", n, notUsed[0].Message)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"display_cobrand", cfg.DisplayCobrand, false},
		{"enable_circuit_heatmaps", cfg.EnableCircuitHeatmaps, true},
		{"enable_asn_heatmaps", cfg.EnableASNHeatmaps, false},
		{"rtt red_ms", cfg.RTTThresholds.RedMs, uint32(200)},
		{"local_api.bearer_token", cfg.LocalAPI.BearerToken, "lqos_api_0123456789"},
		{"refresh_debounce_seconds", cfg.IntegrationCommon.TopologyAttachmentHealth.RefreshDebounceSeconds, uint64(3)},
		{"always_overwrite_network_json", cfg.IntegrationCommon.AlwaysOverwriteNetworkJSON, true},
		{"integer into float key", cfg.UISP.BandwidthOverheadFactor, 1.0},
		{"override_available_queues", cfg.Queues.OverrideAvailableQueues, uint32(4)},
		{"exclude_efficiency_cores", cfg.ExcludeEfficiencyCores, true},
		{"state_directory", cfg.StateDirectory, "/opt/libreqos/state"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestUpstreamTypes(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		errFrag string // empty: must load
		check   func(*Config) bool
	}{
		{name: "display_cobrand is a bool", text: "display_cobrand = true\n", check: func(c *Config) bool { return c.DisplayCobrand }},
		{name: "display_cobrand as a string is a type error", text: "display_cobrand = \"logo.png\"\n", errFrag: "display_cobrand"},
		{name: "heatmaps default on", text: "", check: func(c *Config) bool { return c.EnableCircuitHeatmaps && c.EnableSiteHeatmaps && c.EnableASNHeatmaps }},
		{name: "heatmap off", text: "enable_site_heatmaps = false\n", check: func(c *Config) bool { return !c.EnableSiteHeatmaps }},
		{name: "rtt thresholds in ms", text: "[rtt_thresholds]\ngreen_ms = 10\nyellow_ms = 50\nred_ms = 90\n", check: func(c *Config) bool { return c.RTTThresholds.YellowMs == 50 }},
		{name: "bearer token", text: "[local_api]\nbearer_token = \"x\"\n", check: func(c *Config) bool { return c.LocalAPI.BearerToken == "x" }},
		{name: "float in an integer key", text: "queue_check_period_ms = 1000.5\n", errFrag: "queue_check_period_ms"},
		{name: "misspelt splynx section", text: "[spylnx_integration]\nenable_spylnx = true\nurl = \"https://s.example\"\n", check: func(c *Config) bool { return c.Splynx.Enabled() && c.Splynx.URL == "https://s.example" }},
		{name: "canonical splynx section wins", text: "[splynx_integration]\nurl = \"https://a.example\"\n[spylnx_integration]\nurl = \"https://b.example\"\n", check: func(c *Config) bool { return c.Splynx.URL == "https://a.example" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Top-level keys must come before the first table.
			cfg, warns, err := Parse([]byte("version = \"1.5\"\n" + tc.text + "[bridge]\n"))
			if tc.errFrag != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errFrag) {
					t.Fatalf("error = %v, want one naming %q", err, tc.errFrag)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range warns {
				if strings.Contains(w.Message, "unknown key") {
					t.Errorf("upstream key reported unknown: %s", w)
				}
			}
			if !tc.check(cfg) {
				t.Errorf("value not read: %+v", cfg)
			}
		})
	}
}

func TestAcceptedNotUsedListedOnce(t *testing.T) {
	_, warns, err := Parse([]byte("version = \"1.5\"\npacket_capture_time = 5\n[bridge]\nuse_xdp_bridge = true\n[treeguard]\nenabled = true\n[treeguard.cpu]\nmode = \"x\"\n[treeguard.links]\nenabled = false\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 1 || warns[0].Message != NotUsedMessage+": packet_capture_time, bridge.use_xdp_bridge, treeguard" {
		t.Errorf("warnings = %v", warns)
	}
}

func TestWebUIOptions(t *testing.T) {
	cfg, warns, err := Parse([]byte(minimal + "[web_ui]\nfirst_run_token_only = true\nsecure_cookies = true\nmax_connections = 100\nmax_connections_per_ip = 10\n[ssl]\nenabled = true\n"))
	if err != nil || len(warns) != 0 {
		t.Fatalf("err %v warns %v", err, warns)
	}
	w := cfg.WebUI
	if !w.FirstRunTokenOnly || !w.SecureCookies || w.MaxConnections != 100 || w.MaxConnectionsPerIP != 10 {
		t.Errorf("web_ui = %+v", w)
	}
	if !cfg.SSL.SelfSigned() {
		t.Error("[ssl] enabled without cert/key is not self-signed")
	}
	d, _, _ := Parse([]byte(minimal))
	if d.WebUI.FirstRunTokenOnly || d.WebUI.SecureCookies || d.SSL.SelfSigned() {
		t.Errorf("defaults turned options on: %+v", d.WebUI)
	}
}

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
		{"port limit multiplier", cfg.IntegrationCommon.EthernetPortLimitMultiplier, 0.94},
		{"allow subnets", len(cfg.IPRanges.AllowSubnets), 4},
		{"flow timeout", cfg.Flows.FlowTimeoutSeconds, 30},
		{"webserver_listen", cfg.WebserverListen, ":9123"},
		{"on a stick", cfg.OnAStick(), false},
		{"node id set", cfg.NodeID != "", true},
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
		{name: "several errors at once", text: minimal + "[queues]\nqueue_mode = \"x\"\nlazy_queues = \"y\"\n", errs: []string{"queues.queue_mode", "queues.lazy_queues"}},
		{name: "unknown key warns", text: minimal + "[queues]\ndefualt_sqm = \"cake\"\n", warnKey: "queues.defualt_sqm"},
		{name: "unknown section warns", text: minimal + "[mystery]\nx = 1\n", warnKey: "mystery.x"},
		{name: "raw sections are known", text: minimal + "[stormguard]\nenabled = true\n[treeguard]\nx = 1\n"},
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
			if tc.warnKey == "" && len(tc.errs) == 0 && len(warns) > 0 {
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

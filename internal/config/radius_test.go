package config

import (
	"strings"
	"testing"
)

func TestRadiusAccountingConfig(t *testing.T) {
	base := "version = \"1.5\"\n[bridge]\n"
	tests := []struct {
		name, toml, wantErr string
	}{
		{"off by default", "", ""},
		{"upstream example", `[dynamic_circuits]
enabled = true
[radius_accounting]
enabled = true
listen = "192.0.2.10:1813"
default_ttl_seconds = 900
stale_grace_seconds = 120
[radius_accounting.dynamic_circuit_application]
enabled = true
match_shaped_devices_by_mac = true
match_shaped_devices_by_username = true
fallback_parent_node = "BNG Access"
fallback_parent_node_id = "bng-access"
fallback_anchor_node_id = "core"
[radius_accounting.fallback_speed_profile]
download_min_mbps = 5.0
upload_min_mbps = 2.0
download_max_mbps = 30.0
upload_max_mbps = 10.0
[[radius_accounting.clients]]
name = "radius-proxy-1"
source = ["192.0.2.20/32"]
secret_file = "/etc/libreqos/radius-secrets/radius-proxy-1"
`, ""},
		{"no clients", "[radius_accounting]\nenabled = true\n", "radius_accounting.clients: at least one"},
		{"bad listen", "[radius_accounting]\nenabled = true\nlisten = \"1813\"\n[[radius_accounting.clients]]\nname = \"a\"\nsource = [\"10.0.0.1\"]\nsecret_file = \"/s\"\n", "radius_accounting.listen"},
		{"bad source", "[radius_accounting]\nenabled = true\n[[radius_accounting.clients]]\nname = \"a\"\nsource = [\"10.0.0.300/32\"]\nsecret_file = \"/s\"\n", "radius_accounting.clients[0].source"},
		{"no secret file", "[radius_accounting]\nenabled = true\n[[radius_accounting.clients]]\nname = \"a\"\nsource = [\"10.0.0.1\"]\n", "clients[0].secret_file"},
		{"fallback ids without a parent", "[radius_accounting]\nenabled = true\n[radius_accounting.dynamic_circuit_application]\nfallback_parent_node_id = \"x\"\n[[radius_accounting.clients]]\nname = \"a\"\nsource = [\"10.0.0.1\"]\nsecret_file = \"/s\"\n", "fallback_parent_node: is required"},
		{"profile min above max", "[radius_accounting]\nenabled = true\n[radius_accounting.fallback_speed_profile]\ndownload_min_mbps = 50.0\ndownload_max_mbps = 30.0\nupload_max_mbps = 10.0\n[[radius_accounting.clients]]\nname = \"a\"\nsource = [\"10.0.0.1\"]\nsecret_file = \"/s\"\n", "a minimum exceeds its maximum"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, warns, err := Parse([]byte(base + tc.toml))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range warns {
				if strings.Contains(w.String(), "radius") {
					t.Errorf("warning about a RADIUS key: %s", w)
				}
			}
			if tc.name == "upstream example" {
				if !cfg.ShapesSessions() || cfg.RadiusAccounting.FallbackSpeedProfile.DownloadMaxMbps != 30 || len(cfg.RadiusAccounting.Clients) != 1 {
					t.Errorf("decoded %+v", cfg.RadiusAccounting)
				}
				src, err := cfg.RadiusAccounting.Clients[0].ClientSources()
				if err != nil || len(src) != 1 || src[0].String() != "192.0.2.20/32" {
					t.Errorf("sources %v %v", src, err)
				}
			}
		})
	}
}

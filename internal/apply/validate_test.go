package apply

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
)

func loadTestConfig(t *testing.T, devices string) *config.Config {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"lqos.conf": "version = \"1.5\"\nlqos_directory = \".\"\nstate_directory = \"state\"\n[bridge]\nto_internet = \"lqtest-none0\"\nto_network = \"lqtest-none1\"\n" +
			"[queues]\noverride_available_queues = 2\n",
		"network.json":      "{\n  \"Site\": {\"downloadBandwidthMbps\": 1000, \"uploadBandwidthMbps\": 1000, \"children\": {\n    \"AP_1\": {\"downloadBandwidthMbps\": 500, \"uploadBandwidthMbps\": 500}}}\n}\n",
		"ShapedDevices.csv": "Circuit ID,Device ID,Parent Node,IPv4,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps\n" + devices,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, _, err := config.Load(filepath.Join(dir, "lqos.conf"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Validate is what `libreqos validate` and the web UI's editors check: the
// input checks, then the planner's.
func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		devices string
		errors  int
		want    string // in one of the problems
	}{
		{"valid", "c1,d1,AP_1,10.0.0.1,10,5,50,20\n", 0, ""},
		{"input error names file, line and field", "c1,d1,AP_9,10.0.0.1,10,5,50,20\n", 1, `ShapedDevices.csv:2 [Parent Node]`},
		{"planner warning", "c1,d1,AP_1,10.0.0.1,300,5,400,20\nc2,d2,AP_1,10.0.0.2,300,5,400,20\n", 0, `node "AP_1" is oversubscribed for download`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, l := Validate(loadTestConfig(t, tt.devices), 0)
			if in == nil {
				t.Fatal("no inputs returned")
			}
			if got := len(l.Errors()); got != tt.errors {
				t.Errorf("%d errors, want %d: %v", got, tt.errors, l.Problems)
			}
			if tt.want == "" {
				return
			}
			for _, p := range l.Problems {
				if strings.Contains(p.String(), tt.want) {
					return
				}
			}
			t.Errorf("no problem says %q: %v", tt.want, l.Problems)
		})
	}
}

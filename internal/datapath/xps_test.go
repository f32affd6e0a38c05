package datapath

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDisableXPS(t *testing.T) {
	root := t.TempDir()
	for _, q := range []string{"tx-0", "tx-1", "rx-0"} {
		dir := filepath.Join(root, "eth9", "queues", q)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(q, "tx") {
			if err := os.WriteFile(filepath.Join(dir, "xps_cpus"), []byte("3\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	ch, err := disableXPS(root, "eth9")
	if err != nil {
		t.Fatal(err)
	}
	if len(ch) != 2 || ch[0] != (XPSChange{"tx-0", "3"}) || ch[1] != (XPSChange{"tx-1", "3"}) {
		t.Errorf("changes %+v, want tx-0 and tx-1 from 3", ch)
	}
	if ch, err := disableXPS(root, "eth9"); err != nil || len(ch) != 0 {
		t.Errorf("second run: changes %+v, %v; want none", ch, err)
	}
	for _, q := range []string{"tx-0", "tx-1"} {
		b, _ := os.ReadFile(filepath.Join(root, "eth9", "queues", q, "xps_cpus"))
		if string(b) != "0\n" {
			t.Errorf("%s xps_cpus = %q, want 0", q, b)
		}
	}
	tests := []struct{ iface, want string }{
		{"eth0", "no "},
		{"../etc", "bad interface name"},
		{"", "bad interface name"},
	}
	for _, tc := range tests {
		if _, err := disableXPS(root, tc.iface); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("disableXPS(%q) err %v, want %q", tc.iface, err, tc.want)
		}
	}
}

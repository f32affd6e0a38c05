package kerneltest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

func TestRequired(t *testing.T) {
	tests := []struct {
		env, feature string
		want         bool
	}{
		{"", "xdp_metadata", false},
		{"xdp_metadata", "xdp_metadata", true},
		{"cake, xdp_metadata", "xdp_metadata", true},
		{"cake", "xdp_metadata", false},
		{"all", "anything", true},
	}
	for _, tc := range tests {
		t.Setenv("LQOS_REQUIRE_FEATURES", tc.env)
		if got := Required(tc.feature); got != tc.want {
			t.Errorf("Required(%q) with %q = %v, want %v", tc.feature, tc.env, got, tc.want)
		}
	}
}

func TestFeatureMissingIsReported(t *testing.T) {
	report := filepath.Join(t.TempDir(), "not-exercised.txt")
	t.Setenv("LQOS_NOT_EXERCISED_FILE", report)
	t.Setenv("LQOS_REQUIRE_FEATURES", "")
	if !Feature(t, "xdp_metadata", true, "") {
		t.Fatal("present feature reported missing")
	}
	if _, err := os.Stat(report); !os.IsNotExist(err) {
		t.Fatalf("a present feature wrote the report: %v", err)
	}
	if Feature(t, "xdp_metadata", false, "helper refused") {
		t.Fatal("missing feature reported present")
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); !strings.Contains(got, "TestFeatureMissingIsReported") || !strings.Contains(got, "xdp_metadata path (helper refused)") {
		t.Errorf("report = %q", got)
	}
}

func TestBinary(t *testing.T) {
	if p := Binary(t, "sh", "dash"); p == "" {
		t.Fatal("sh not found")
	}
	report := filepath.Join(t.TempDir(), "not-exercised.txt")
	t.Setenv("LQOS_NOT_EXERCISED_FILE", report)
	t.Setenv("CI", "")
	if p := Binary(t, "lqos-no-such-program", "lqos-none"); p != "" {
		t.Fatalf("missing program found at %q", p)
	}
	data, err := os.ReadFile(report)
	if err != nil || !strings.Contains(string(data), `install the Debian package "lqos-none"`) {
		t.Fatalf("report %q (%v) does not name the package", data, err)
	}
}

func TestNetNSVethBPFFS(t *testing.T) {
	a, b := NetNS(t, "lqtkt"), NetNS(t, "lqtkt")
	if a.Name == b.Name {
		t.Fatalf("two namespaces named %s", a.Name)
	}
	Veth(t, a, "kt0", b, "kt1", 2)
	if out := b.IP(t, "-o", "link", "show", "kt1"); !strings.Contains(out, "kt1@") {
		t.Fatalf("kt1 not in %s: %s", b.Name, out)
	}
	if _, err := a.Netlink(t).LinkByName("kt0"); err != nil {
		t.Fatalf("kt0 not in %s: %v", a.Name, err)
	}
	var st unix.Statfs_t
	dir := BPFFS(t)
	if err := unix.Statfs(dir, &st); err != nil || st.Type != unix.BPF_FS_MAGIC {
		t.Fatalf("%s is not a bpffs (type %x, %v)", dir, st.Type, err)
	}
	var inside string
	if err := a.Do(func() error {
		l, err := netlink.LinkByName("kt0")
		if err == nil {
			inside = l.Attrs().Name
		}
		return err
	}); err != nil || inside != "kt0" {
		t.Fatalf("Do did not run in %s: %q, %v", a.Name, inside, err)
	}
}

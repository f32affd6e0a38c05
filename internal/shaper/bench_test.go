package shaper

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
)

// flatLab writes n flat circuits (one IPv4 each, no parent node).
func flatLab(b *testing.B, n int) *config.Config {
	b.Helper()
	dir := b.TempDir()
	var csv strings.Builder
	csv.WriteString("Circuit ID,Circuit Name,Device ID,Device Name,Parent Node,Parent Node ID,Anchor Node ID,MAC,IPv4,IPv6,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps,Comment,sqm\n")
	for i := range n {
		fmt.Fprintf(&csv, "c%d,Circuit %d,d%d,Dev,,,,,100.%d.%d.%d,,10,5,100,20,,\n", i, i, i, 64+i>>16, i>>8&255, i&255)
	}
	os.WriteFile(filepath.Join(dir, "ShapedDevices.csv"), []byte(csv.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "network.json"), []byte("{}\n"), 0o644)
	conf := "version = \"1.5\"\nlqos_directory = \".\"\nstate_directory = \"state\"\n[bridge]\nto_internet = \"eth0\"\nto_network = \"eth1\"\n[queues]\ndefault_sqm = \"pfifo limit 100\"\nuplink_bandwidth_mbps = 100000\ndownlink_bandwidth_mbps = 100000\n"
	path := filepath.Join(dir, "lqos.conf")
	os.WriteFile(path, []byte(conf), 0o644)
	cfg, _, err := config.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	return cfg
}

// The cost recording the intent adds to every apply: the tree with its
// mappings and the identities, written and fsynced before the kernel is
// touched (plus reading the previous files for the roll-back).
func benchIntent(b *testing.B, n int) {
	cfg := flatLab(b, n)
	eng := New(cfg, &memKernel{}, &memStore{}, nil)
	res, err := eng.Refresh(context.Background(), Options{TxQueues: 16})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := eng.writeIntent(res.Plan.Identities, res.Plan.Tree); err != nil {
			b.Fatal(err)
		}
	}
	st, _ := os.Stat(AppliedTreePath(cfg))
	b.ReportMetric(float64(st.Size()), "record-bytes")
}

func BenchmarkWriteIntent10k(b *testing.B)  { benchIntent(b, 10_000) }
func BenchmarkWriteIntent100k(b *testing.B) { benchIntent(b, 100_000) }

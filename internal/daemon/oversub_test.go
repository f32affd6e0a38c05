package daemon

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/devices"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/topology"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// planFor builds a real plan: one 500 Mbit/s AP with three circuits of the
// given download minimum.
func planFor(t *testing.T, downMin string) *plan.Plan {
	t.Helper()
	cfg, _, err := config.Parse([]byte("version = \"1.5\"\n[bridge]\nto_internet = \"eth0\"\nto_network = \"eth1\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	nw, nd := topology.Parse("network.json", []byte(`{"AP":{"downloadBandwidthMbps":500,"uploadBandwidthMbps":500}}`))
	csv := "Circuit ID,Device ID,Parent Node,IPv4,Download Min Mbps,Upload Min Mbps,Download Max Mbps,Upload Max Mbps\n"
	for i, ip := range []string{"10.0.0.1", "10.0.0.2", "10.0.0.3"} {
		csv += fmt.Sprintf("c%d,d%d,AP,%s,%s,5,300,10\n", i+1, i+1, ip, downMin)
	}
	f, dd := devices.Parse("ShapedDevices.csv", []byte(csv))
	if nd.HasErrors() || dd.HasErrors() {
		t.Fatal(nd.Errors(), dd.Errors())
	}
	p, err := plan.Build(plan.Input{Config: cfg, Network: nw, Devices: f, TXQueues: 2})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Each applied plan with an oversubscribed node raises one WARNING listing
// it (not one per circuit; the count grows by one per run), and the first
// plan without one resolves it.
func TestOversubscriptionRaisesOneWarning(t *testing.T) {
	store, err := urgent.Open(filepath.Join(t.TempDir(), "urgent.json"), urgent.Options{})
	if err != nil {
		t.Fatal(err)
	}
	d := &Daemon{urgent: store, log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	over := planFor(t, "200")
	d.noteOversubscription(over)
	d.noteOversubscription(over)
	open := store.List(urgent.ListOptions{OpenOnly: true})
	if len(open) != 1 || open[0].Code != CodeOversubscribed || open[0].Severity != urgent.Warning || open[0].Count != 2 {
		t.Fatalf("open issues %+v, want one WARNING %s raised twice", open, CodeOversubscribed)
	}
	msg := open[0].Message
	if !strings.Contains(msg, "1 node/direction pair(s)") || !strings.Contains(msg, "AP download 600/499 Mbps x0.8317") || strings.Contains(msg, "c1") {
		t.Errorf("message %q: want AP's download listed once, no circuits", msg)
	}
	if ctx := string(open[0].Context); !strings.Contains(ctx, `"node":"AP","direction":"download","sum_of_minimums_mbps":600,"node_rate_mbps":499`) {
		t.Errorf("context %s lacks the node, direction and figures", ctx)
	}

	d.noteOversubscription(planFor(t, "100"))
	all := store.List(urgent.ListOptions{})
	if len(store.List(urgent.ListOptions{OpenOnly: true})) != 0 ||
		!slices.ContainsFunc(all, func(x urgent.Issue) bool { return x.Code == CodeOversubscribed && x.AcknowledgedBy == "auto" }) {
		t.Errorf("after the AP fits: %+v, want the issue resolved", all)
	}
}

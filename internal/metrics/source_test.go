package metrics

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/stats"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// testSource is a Source over the daemon's real parts (statistics
// collector, urgent store, scheduler tracker) fed with known figures; only
// the kernel reads (CPU, flows, tc) are given as values.
type testSource struct {
	st     *stats.Collector
	siteOf map[string]string
	us     *urgent.Store
	tr     *schedstatus.Tracker
	flows  []datapath.Flow
	nodes  []NodeQueue
	cpu    []float64
}

var t0 = time.Unix(1_700_000_000, 0)

// newTestSource has circuits c0..c(n-1): circuit i has one host that moved
// (i+1)*1000 bytes down and (i+1)*100 up in one second, and hangs under
// site "site-<i%sites>".
func newTestSource(t testing.TB, n, sites int) *testSource {
	t.Helper()
	names := map[uint64]string{}
	siteOf := map[string]string{}
	hs := make([]datapath.HostCounters, n+1)
	for i := range n {
		id := fmt.Sprintf("c%d", i)
		names[uint64(i+1)] = id
		siteOf[id] = fmt.Sprintf("site-%d", i%sites)
		hs[i] = datapath.HostCounters{Addr: netip.AddrFrom4([4]byte{100, 64, byte(i >> 8), byte(i)}), CircuitHash: uint64(i + 1)}
	}
	hs[n] = datapath.HostCounters{Addr: netip.MustParseAddr("192.0.2.9")} // unshaped
	st := stats.New(stats.Options{Circuit: func(h uint64) string { return names[h] }})
	st.Update(t0, hs)
	for i := range hs {
		hs[i].Bytes = [2]uint64{uint64(i+1) * 1000, uint64(i+1) * 100}
		hs[i].Packets = [2]uint64{uint64(i + 1), 1}
	}
	st.Update(t0.Add(time.Second), hs)
	us, err := urgent.Open(filepath.Join(t.TempDir(), "urgent.json"), urgent.Options{Clock: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []urgent.Raise{
		{Code: "A", Severity: urgent.Error, Source: "test", Message: "an error"},
		{Code: "B", Severity: urgent.Warning, Source: "test", Message: "a warning"},
		{Code: "C", Severity: urgent.Warning, Source: "test", Message: "another warning"},
	} {
		if _, err := us.Raise(r); err != nil {
			t.Fatal(err)
		}
	}
	tr := schedstatus.New(func() time.Time { return t0 })
	tr.Heartbeat(t0.Add(30 * time.Minute))
	tr.Success(t0, time.Second)
	// The first flow is c0's host (site-0), the second an unshaped host.
	flows := []datapath.Flow{
		{Key: datapath.FlowKey{Local: hs[0].Addr}, Retransmits: [2]uint32{3, 1}, RTT: [2]datapath.RTTStats{{Sum: 20 * time.Millisecond, Count: 1}, {Sum: 40 * time.Millisecond, Count: 1}}},
		{Key: datapath.FlowKey{Local: hs[n].Addr}, Retransmits: [2]uint32{2, 0}, RTT: [2]datapath.RTTStats{{Sum: 30 * time.Millisecond, Count: 1}}},
	}
	nodes := []NodeQueue{{Node: "site-0", Site: "site-0", Drops: [2]uint64{7, 1}, Marks: [2]uint64{4, 0}, Overlimit: [2]uint64{70, 10}, Bytes: [2]uint64{9000, 900}, Packets: [2]uint64{9, 3}}}
	return &testSource{st: st, siteOf: siteOf, us: us, tr: tr, flows: flows, nodes: nodes, cpu: []float64{25, 50}}
}

func (s *testSource) Stats() *stats.Collector     { return s.st }
func (s *testSource) SiteOf(id string) string     { return s.siteOf[id] }
func (s *testSource) CPULoad() ([]float64, error) { return s.cpu, nil }
func (s *testSource) Queues() Queues {
	return Queues{CPUQueues: 2, CircuitQueues: len(s.siteOf), ShapedDevices: len(s.siteOf), MappedIPs: len(s.siteOf)}
}
func (s *testSource) Scheduler() schedstatus.Status { return s.tr.Status() }
func (s *testSource) Urgent() []urgent.Issue {
	return s.us.List(urgent.ListOptions{OpenOnly: true})
}
func (s *testSource) DataPath() datapath.Status {
	return datapath.Status{Classification: datapath.ClassifyTCLookup, CPURedirect: true,
		Degraded: []datapath.Degradation{{Feature: "xdp_metadata"}}}
}
func (s *testSource) Flows() ([]datapath.Flow, error)  { return s.flows, nil }
func (s *testSource) NodeQueues() ([]NodeQueue, error) { return s.nodes, nil }

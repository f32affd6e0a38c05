package daemon

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/geoip"
	"github.com/libreqos-go/lqos/internal/stats"
	"github.com/libreqos-go/lqos/internal/urgent"
	"github.com/libreqos-go/lqos/internal/webui"
)

// webSource feeds the web UI from the running daemon.
type webSource struct {
	d    *Daemon
	cpu  cpuSampler
	live liveCache // network pages (websource_pages.go)
	geo  *geoip.DB // IP databases (websource_geo.go)
	geoc geoCache
}

var _ webui.Source = (*webSource)(nil)

func (w *webSource) NodeName() string { return w.d.config().NodeName }

func (w *webSource) Throughput(context.Context) (webui.Throughput, error) {
	t := w.d.coll.Totals()
	q := w.d.config().Queues
	return webui.Throughput{
		BitsPerSecond:       webui.DownUp{Down: t.All.Bits.Down, Up: t.All.Bits.Up},
		PacketsPerSecond:    webui.DownUp{Down: t.All.Packets.Down, Up: t.All.Packets.Up},
		ShapedBitsPerSecond: webui.DownUp{Down: t.Shaped.Bits.Down, Up: t.Shaped.Bits.Up},
		MaxMbps:             webui.DownUp{Down: q.DownlinkBandwidthMbps, Up: q.UplinkBandwidthMbps},
	}, nil
}

func (w *webSource) TopCircuits(_ context.Context, n int) ([]webui.CircuitStat, error) {
	rtt := w.circuitRTT()
	var out []webui.CircuitStat
	for _, c := range w.d.coll.TopCircuits(stats.ByDown, 0, n) {
		out = append(out, w.describe(webui.CircuitStat{CircuitID: c.CircuitID, Down: c.Bits.Down, Up: c.Bits.Up, RTTMs: rtt[c.CircuitID]}))
	}
	return out, nil
}

func (w *webSource) WorstRTT(_ context.Context, n int) ([]webui.CircuitStat, error) {
	rtt := w.circuitRTT()
	ids := make([]string, 0, len(rtt))
	for id := range rtt {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if rtt[a] != rtt[b] {
			if rtt[a] > rtt[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	ids = ids[:min(n, len(ids))]
	rates := map[string]stats.CircuitRate{}
	for _, c := range w.d.coll.Circuits(ids...) {
		rates[c.CircuitID] = c
	}
	out := make([]webui.CircuitStat, 0, len(ids))
	for _, id := range ids {
		out = append(out, w.describe(webui.CircuitStat{CircuitID: id, RTTMs: rtt[id], Down: rates[id].Bits.Down, Up: rates[id].Bits.Up}))
	}
	return out, nil
}

// circuitRTT is the worst mean TCP RTT (ms) among each circuit's live flows.
func (w *webSource) circuitRTT() map[string]float64 {
	flows, err := w.d.dp.Flows()
	if err != nil {
		return nil
	}
	circuitOf := map[netip.Addr]string{}
	for _, h := range w.d.coll.TopHosts(stats.ByDown, 0, -1) {
		if h.CircuitID != "" {
			circuitOf[h.Addr] = h.CircuitID
		}
	}
	out := map[string]float64{}
	for _, f := range flows {
		id, ok := circuitOf[f.Key.Local]
		if !ok {
			continue
		}
		for _, r := range f.RTT {
			if ms := float64(r.Mean()) / 1e6; ms > out[id] {
				out[id] = ms
			}
		}
	}
	return out
}

func (w *webSource) CPULoad(context.Context) ([]float64, error) { return w.cpu.load() }

func (w *webSource) QueueCounts(context.Context) (webui.QueueCounts, error) {
	t := w.d.coll.Totals()
	circuits, devices := w.d.names.counts()
	return webui.QueueCounts{CPUQueues: int(w.d.ncpu), CircuitQueues: circuits, ShapedDevices: devices, UnknownIPs: t.Hosts - t.ShapedHosts,
		Classification: w.d.dp.Status().Describe()}, nil
}

func (w *webSource) SchedulerStatus(context.Context) (webui.SchedulerStatus, error) {
	s := w.d.sched.Status()
	out := webui.SchedulerStatus{
		SetupRequired: s.SetupMessage != "",
		SetupMessage:  s.SetupMessage,
		LastHeartbeat: s.LastSeen,
		NextRun:       s.NextRun,
		Phase:         s.Phase,
	}
	if p := s.Progress; p != nil {
		out.Active, out.PhaseLabel, out.StepIndex, out.StepCount, out.Percent = p.Active, p.Label, p.Step, p.Steps, float64(p.Percent)
	}
	if s.LastSuccess != nil {
		out.LastSuccess = s.LastSuccess.At
	}
	if s.LastError != nil {
		out.LastError = s.LastError.Preview
	}
	if s.LastOutput != nil && s.LastOutput.Text != "" {
		out.Output = strings.Split(s.LastOutput.Text, "\n")
	}
	return out, nil
}

func (w *webSource) UrgentIssues(context.Context) ([]webui.UrgentIssue, error) {
	var out []webui.UrgentIssue
	for _, is := range w.d.urgent.List(urgent.ListOptions{OpenOnly: true}) {
		sev := "Warning"
		if is.Severity == urgent.Error {
			sev = "Error"
		}
		out = append(out, webui.UrgentIssue{ID: is.ID, Time: is.LastSeen, Source: is.Source, Severity: sev, Code: is.Code,
			Message: is.Message, Context: string(is.Context), Clearable: true})
	}
	return out, nil
}

func (w *webSource) AckUrgent(_ context.Context, id uint64, user string) error {
	if _, err := w.d.urgent.Acknowledge(id, "web:"+user); err != nil {
		if errors.Is(err, urgent.ErrNotFound) {
			return webui.ErrNotFound
		}
		return err
	}
	return nil
}

func (w *webSource) AckAllUrgent(_ context.Context, user string) error {
	_, err := w.d.urgent.AcknowledgeAll("web:" + user)
	return err
}

// cpuSampler turns /proc/stat into per-core busy percentages between calls.
type cpuSampler struct {
	mu   sync.Mutex
	prev map[string][2]uint64 // cpuN -> (busy, total)
	at   time.Time
}

func (c *cpuSampler) load() ([]float64, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil, err
	}
	cur, order, err := parseProcStat(data)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]float64, len(order))
	for i, name := range order {
		p, ok := c.prev[name]
		v := cur[name]
		if ok && v[1] > p[1] {
			out[i] = 100 * float64(v[0]-p[0]) / float64(v[1]-p[1])
		}
	}
	c.prev, c.at = cur, time.Now()
	return out, nil
}

// parseProcStat reads the per-CPU lines ("cpu0 user nice system idle
// iowait irq softirq steal ...") into busy and total jiffies.
func parseProcStat(data []byte) (map[string][2]uint64, []string, error) {
	out := map[string][2]uint64{}
	var order []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		var total, idle uint64
		for i, s := range f[1:] {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return nil, nil, fmt.Errorf("/proc/stat %s field %d: %w", f[0], i+1, err)
			}
			if i >= 8 { // guest time is already in user/nice
				break
			}
			total += v
			if i == 3 || i == 4 { // idle, iowait
				idle += v
			}
		}
		out[f[0]] = [2]uint64{total - idle, total}
		order = append(order, f[0])
	}
	return out, order, sc.Err()
}

// describe fills a circuit's name, address, MAC and parent from the applied plan.
func (w *webSource) describe(s webui.CircuitStat) webui.CircuitStat {
	s.Name = s.CircuitID
	if m := w.d.circuits.Load(); m != nil {
		if ci, ok := (*m)[s.CircuitID]; ok {
			s.Name, s.IP, s.MAC, s.Parent = ci.Name, ci.IP, ci.MAC, ci.Parent
		}
	}
	return s
}

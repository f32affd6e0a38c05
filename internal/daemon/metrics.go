package daemon

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/metrics"
	"github.com/libreqos-go/lqos/internal/plan"
	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/stats"
	"github.com/libreqos-go/lqos/internal/tc"
	"github.com/libreqos-go/lqos/internal/tchandle"
	"github.com/libreqos-go/lqos/internal/urgent"
)

// CodeMetrics is raised when the metrics endpoint or export cannot start.
const CodeMetrics = "LQOSD_METRICS_FAILED"

// metricsSource feeds package metrics from the running daemon.
type metricsSource struct {
	d   *Daemon
	cpu cpuSampler

	// Node queue counters come from one tc dump, reused for queueCacheFor
	// so several scrapers (or a scrape and an export) cost one dump.
	qmu   sync.Mutex
	qAt   time.Time
	qLast []metrics.NodeQueue
	qErr  error
}

const queueCacheFor = 5 * time.Second

var _ metrics.Source = (*metricsSource)(nil)

// planShape is what the metrics need of the applied plan: each circuit's
// top-level site and each tree node's classes.
type planShape struct {
	siteOf map[string]string // circuit ID -> top-level site
	nodes  []nodeClasses
}

type nodeClasses struct {
	name, site   string
	down, up     tchandle.Handle
	downIf, upIf string
}

// notePlanShape keeps the applied plan's sites and node classes.
func (d *Daemon) notePlanShape(p *plan.Plan) {
	byName := make(map[string]*plan.NodePlan, len(p.Nodes))
	for _, n := range p.Nodes {
		byName[n.Name] = n
	}
	// top is the top-level site above a node: the highest ancestor that is
	// not a CPU bin (binpacking puts bins at level 1).
	top := func(name string) string {
		site := ""
		for n := byName[name]; n != nil; n = byName[n.Parent] {
			if n.Kind != plan.NodeCPUBin {
				site = n.Name
			}
			if n.Parent == "" {
				break
			}
		}
		return site
	}
	ps := &planShape{siteOf: make(map[string]string, len(p.Circuits))}
	for _, c := range p.Circuits {
		if s := top(c.Node); s != "" {
			ps.siteOf[c.ID] = s
		}
	}
	for _, n := range p.Nodes {
		if n.Kind == plan.NodeCPUBin {
			continue
		}
		ps.nodes = append(ps.nodes, nodeClasses{name: n.Name, site: top(n.Name), down: n.ClassID, up: n.UpClassID,
			downIf: p.DownloadInterface, upIf: p.UploadInterface})
	}
	d.planShape.Store(ps)
}

func (m *metricsSource) Stats() *stats.Collector { return m.d.coll }

func (m *metricsSource) SiteOf(id string) string {
	if ps := m.d.planShape.Load(); ps != nil {
		return ps.siteOf[id]
	}
	return ""
}

func (m *metricsSource) CPULoad() ([]float64, error) { return m.cpu.load() }

func (m *metricsSource) Queues() metrics.Queues {
	circuits, devices := m.d.names.counts()
	return metrics.Queues{CPUQueues: int(m.d.ncpu), CircuitQueues: circuits, ShapedDevices: devices, MappedIPs: m.d.maps.Len()}
}

func (m *metricsSource) Scheduler() schedstatus.Status { return m.d.sched.Status() }

func (m *metricsSource) Urgent() []urgent.Issue {
	return m.d.urgent.List(urgent.ListOptions{OpenOnly: true})
}

func (m *metricsSource) DataPath() datapath.Status { return m.d.dp.Status() }

func (m *metricsSource) Flows() ([]datapath.Flow, error) { return m.d.dp.Flows() }

func (m *metricsSource) NodeQueues() ([]metrics.NodeQueue, error) {
	ps := m.d.planShape.Load()
	if ps == nil || len(ps.nodes) == 0 || m.d.kernel == nil {
		return nil, nil
	}
	m.qmu.Lock()
	defer m.qmu.Unlock()
	if time.Since(m.qAt) < queueCacheFor {
		return m.qLast, m.qErr
	}
	ifaces := []string{ps.nodes[0].downIf}
	if up := ps.nodes[0].upIf; up != ifaces[0] {
		ifaces = append(ifaces, up)
	}
	live, err := tc.Dump(m.d.kernel.TC(), ifaces)
	m.qAt, m.qErr = time.Now(), err
	if err != nil {
		m.qLast = nil
		return nil, err
	}
	sums := subtreeDrops(live)
	out := make([]metrics.NodeQueue, 0, len(ps.nodes))
	for _, n := range ps.nodes {
		dn := sums[classKey{n.downIf, n.down}]
		up := sums[classKey{n.upIf, n.up}]
		out = append(out, metrics.NodeQueue{Node: n.name, Site: n.site,
			Drops: [2]uint64{dn.drops, up.drops}, Marks: [2]uint64{dn.marks, up.marks}, Overlimit: [2]uint64{dn.overlimits, up.overlimits},
			Bytes: [2]uint64{dn.bytes, up.bytes}, Packets: [2]uint64{dn.packets, up.packets}})
	}
	m.qLast = out
	return out, nil
}

type classKey struct {
	iface string
	id    tchandle.Handle
}

type dropSum struct{ drops, marks, overlimits, bytes, packets uint64 }

// subtreeDrops sums, for every class, the drops and ECN marks of the leaf
// qdiscs below it
// and gives its own HTB overlimits. A class's own drop counter is left out:
// HTB counts there only the enqueues its leaf refused, which the leaf has
// counted already.
func subtreeDrops(l *tc.Live) map[classKey]dropSum {
	parent := make(map[classKey]classKey, len(l.Classes))
	out := make(map[classKey]dropSum, len(l.Classes))
	for _, c := range l.Classes {
		k := classKey{c.Interface, c.ID}
		parent[k] = classKey{c.Interface, c.Parent}
		// HTB charges every class on a packet's path, so an inner class's
		// bytes and packets are its subtree's.
		out[k] = dropSum{overlimits: uint64(c.Stats.Overlimits), bytes: c.Stats.Bytes, packets: c.Stats.Packets}
	}
	add := func(k classKey, drops, marks uint64) {
		for range 64 { // a tree is never deeper; guards a malformed dump
			s, ok := out[k]
			if !ok {
				return
			}
			s.drops += drops
			s.marks += marks
			out[k] = s
			k = parent[k]
		}
	}
	for _, q := range l.Qdiscs {
		if q.Stats.Drops == 0 && q.Stats.Marks == 0 {
			continue
		}
		// A leaf qdisc hangs from its circuit's class.
		add(classKey{q.Interface, q.Parent}, uint64(q.Stats.Drops), q.Stats.Marks)
	}
	return out
}

// startMetrics serves /metrics on its own listener when [metrics] listen
// is set (returning nil), or returns the handler for the web UI's listener;
// and starts the InfluxDB export when [influxdb] enables it. Failures are
// raised, never fatal: shaping does not depend on them.
func (d *Daemon) startMetrics(ctx context.Context, wg *sync.WaitGroup) http.Handler {
	cfg := d.config()
	mc := cfg.MetricsSettings()
	src := &metricsSource{d: d}
	col := metrics.NewCollector(src, metrics.Options{NodeName: cfg.NodeName, Version: d.o.Version, PerCircuit: mc.PerCircuit, PerCircuitTop: mc.PerCircuitTop})
	reg := metrics.Registry(col)
	if in := cfg.InfluxDB; in != nil && in.Enable {
		exp, err := metrics.NewExporter(src, metrics.InfluxOptions{InfluxDB: *in, NodeName: cfg.NodeName, Logger: d.log.With("component", "influxdb")})
		if err != nil {
			d.raise(CodeMetrics, urgent.Warning, "The InfluxDB export could not start: "+err.Error())
		} else {
			reg.MustRegister(exp)
			d.log.Info("InfluxDB export started", "url", exp.Endpoint(), "interval_s", in.IntervalSeconds)
			wg.Go(func() { exp.Run(ctx) })
		}
	}
	if !mc.Enable {
		return nil
	}
	h := metrics.Handler(reg, mc.BearerToken, d.log.With("component", "metrics"))
	if mc.Listen == "" {
		return h
	}
	wg.Go(func() {
		d.log.Info("serving /metrics", "listen", mc.Listen, "per_circuit", mc.PerCircuit)
		if err := metrics.Serve(ctx, mc.Listen, h); err != nil {
			d.log.Error("metrics endpoint stopped", "err", err)
			d.raise(CodeMetrics, urgent.Warning, "The /metrics endpoint on "+mc.Listen+" stopped: "+err.Error())
		}
	})
	return nil
}

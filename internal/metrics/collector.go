package metrics

import (
	"cmp"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/libreqos-go/lqos/internal/config"
	"github.com/libreqos-go/lqos/internal/datapath"
	"github.com/libreqos-go/lqos/internal/schedstatus"
	"github.com/libreqos-go/lqos/internal/stats"
	"github.com/libreqos-go/lqos/internal/urgent"
	"github.com/prometheus/client_golang/prometheus"
)

// Source is what lqosd knows, read at each scrape or export.
type Source interface {
	// Stats is the live traffic collector.
	Stats() *stats.Collector
	// SiteOf is the top-level network.json site a circuit hangs under
	// ("" for circuits without a parent node). It is called under the
	// statistics collector's read lock and must not call back into it.
	SiteOf(circuitID string) string
	// CPULoad is the busy share (0-100) of each CPU since the last call.
	CPULoad() ([]float64, error)
	Queues() Queues
	Scheduler() schedstatus.Status
	// Urgent lists the open urgent issues.
	Urgent() []urgent.Issue
	DataPath() datapath.Status
	// Flows are the tracked TCP/UDP flows (RTT and retransmits).
	Flows() ([]datapath.Flow, error)
	// NodeQueues are the drop counters of each network.json node's
	// subtree (leaf qdiscs summed up the tree).
	NodeQueues() ([]NodeQueue, error)
}

// Queues counts what the applied plan and the mapping table hold.
type Queues struct {
	CPUQueues, CircuitQueues, ShapedDevices, MappedIPs int
}

// NodeQueue is one network.json node's queue counters, download first.
type NodeQueue struct {
	Node, Site                       string
	Drops, Overlimit, Bytes, Packets [2]uint64
	// Marks are ECN marks of the leaf qdiscs below the node (cake tins,
	// fq_codel), summed up the tree like Drops.
	Marks [2]uint64
}

// Options tune a Collector.
type Options struct {
	NodeName string
	Version  string
	// PerCircuit is config.PerCircuitOff, Top or All; Top exports the
	// PerCircuitTop busiest circuits.
	PerCircuit    string
	PerCircuitTop int
}

// Collector is the prometheus.Collector over a Source.
type Collector struct {
	src Source
	o   Options

	buildInfo, throughputBytes, throughputPackets, hosts                    *prometheus.Desc
	siteBytes, sitePackets, siteCircuits                                    *prometheus.Desc
	nodeDrops, nodeOverlimits, nodeBytes, nodePackets                       *prometheus.Desc
	nodeMarks                                                               *prometheus.Desc
	rtt, siteRTT, retransmits, flows                                        *prometheus.Desc
	cpuLoad, cpuQueues, circuitQueues, shapedDevices, mappedIPs, unknownIPs *prometheus.Desc
	schedAvailable, schedHeartbeat, schedSuccess, schedNext                 *prometheus.Desc
	schedSetup, schedFailed, schedRunning                                   *prometheus.Desc
	urgentOpen, dpMode, dpDegraded, dpInterfaces                            *prometheus.Desc
	statsUpdates, statsPoll, scrapeErrors                                   *prometheus.Desc
	circuitBytes, circuitPackets, circuitsOmitted                           *prometheus.Desc
}

// NodeLabel is the label every series carries: lqos.conf's node_name.
const NodeLabel = "node_name"

// NewCollector returns a collector reading src.
func NewCollector(src Source, o Options) *Collector {
	if o.PerCircuit == "" {
		o.PerCircuit = config.PerCircuitOff
	}
	if o.PerCircuitTop <= 0 {
		o.PerCircuitTop = 100
	}
	node := prometheus.Labels{NodeLabel: o.NodeName}
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("lqos_"+name, help, labels, node)
	}
	return &Collector{src: src, o: o,
		buildInfo:         d("build_info", "Build of this lqosd (always 1).", "version", "goversion"),
		throughputBytes:   d("throughput_bytes_per_second", "Traffic crossing the shaper in the latest sample, by direction (down = towards subscribers) and class (shaped = hosts with a circuit).", "direction", "traffic"),
		throughputPackets: d("throughput_packets_per_second", "Packets crossing the shaper in the latest sample, by direction and class.", "direction", "traffic"),
		hosts:             d("hosts", "Hosts seen in the latest sample, by class.", "traffic"),
		siteBytes:         d("site_throughput_bytes_per_second", "Shaped traffic of each top-level site's circuits, by direction.", "site", "direction"),
		sitePackets:       d("site_throughput_packets_per_second", "Packets of each top-level site's circuits, by direction.", "site", "direction"),
		siteCircuits:      d("site_active_circuits", "Circuits with hosts seen under each top-level site.", "site"),
		nodeDrops:         d("node_queue_drops_total", "Packets dropped by the queues under each network.json node (leaf qdiscs summed up the tree); resets when queues are rebuilt.", "tree_node", "site", "direction"),
		nodeMarks:         d("node_queue_ecn_marks_total", "Packets ECN-marked by the leaf queues (cake, fq_codel) under each network.json node, summed up the tree; resets when queues are rebuilt.", "tree_node", "site", "direction"),
		nodeBytes:         d("node_queue_bytes_total", "Bytes sent by each network.json node's HTB class (its whole subtree); resets when queues are rebuilt.", "tree_node", "site", "direction"),
		nodePackets:       d("node_queue_packets_total", "Packets sent by each network.json node's HTB class (its whole subtree); resets when queues are rebuilt.", "tree_node", "site", "direction"),
		nodeOverlimits:    d("node_queue_overlimits_total", "HTB overlimit events of each network.json node's class; resets when queues are rebuilt.", "tree_node", "site", "direction"),
		rtt:               d("tcp_rtt_seconds", "Mean TCP round-trip time of each live flow direction with samples."),
		siteRTT:           d("site_tcp_rtt_seconds", "Mean TCP round-trip time of each live flow direction with samples, of the circuits under each top-level site.", "site"),
		retransmits:       d("tcp_retransmits_live_flows", "TCP retransmissions counted in the flows tracked now, by direction.", "direction"),
		flows:             d("tracked_flows", "Flows tracked by the data path now."),
		cpuLoad:           d("cpu_load_ratio", "Busy share of each CPU since the previous scrape (0 to 1).", "cpu"),
		cpuQueues:         d("cpu_queues", "CPU queues (HTB roots) per direction."),
		circuitQueues:     d("circuit_queues", "Circuits in the applied plan."),
		shapedDevices:     d("shaped_devices", "Devices in the applied plan."),
		mappedIPs:         d("mapped_ip_prefixes", "IP prefixes mapped to a circuit in the data path."),
		unknownIPs:        d("unknown_ips", "Hosts seen in the latest sample without a circuit (unshaped)."),
		schedAvailable:    d("scheduler_available", "1 when lqos_scheduler reported within its stale limit."),
		schedHeartbeat:    d("scheduler_last_heartbeat_timestamp_seconds", "When lqos_scheduler last reported (0 = never)."),
		schedSuccess:      d("scheduler_last_success_timestamp_seconds", "When lqos_scheduler last finished a refresh successfully (0 = never)."),
		schedNext:         d("scheduler_next_run_timestamp_seconds", "When lqos_scheduler plans its next refresh (0 = unknown)."),
		schedSetup:        d("scheduler_setup_required", "1 while lqos_scheduler says the first setup has not been done."),
		schedFailed:       d("scheduler_last_run_failed", "1 when lqos_scheduler's latest report is an error newer than its latest success."),
		schedRunning:      d("scheduler_running", "1 while a refresh is in progress."),
		urgentOpen:        d("urgent_issues", "Open urgent issues, by severity.", "severity"),
		dpMode:            d("datapath_mode_info", "The data path's classification mode (always 1).", "classification", "cpu_redirect"),
		dpDegraded:        d("datapath_degraded_features", "Optional kernel features the data path runs without."),
		dpInterfaces:      d("datapath_attached_interfaces", "Interfaces the data path is attached to."),
		statsUpdates:      d("stats_samples_total", "Counter samples taken by lqosd since it started."),
		statsPoll:         d("stats_last_sample_seconds", "Time the latest counter sample took."),
		scrapeErrors:      d("metrics_source_errors", "1 when a part of this scrape could not be read (its series are missing).", "part"),
		circuitBytes:      d("circuit_throughput_bytes_per_second", "Each exported circuit's traffic, by direction (per_circuit in [metrics]).", "circuit_id", "site", "direction"),
		circuitPackets:    d("circuit_throughput_packets_per_second", "Each exported circuit's packets, by direction.", "circuit_id", "site", "direction"),
		circuitsOmitted:   d("metrics_circuits_omitted", "Circuits with traffic left out of the per-circuit series by per_circuit = \"top\" or \"off\"."),
	}
}

// Describe sends nothing: the collector is unchecked, because the label
// values (sites, CPUs, circuits) are only known at scrape time.
func (c *Collector) Describe(chan<- *prometheus.Desc) {}

var directions = [2]string{"down", "up"}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func unix(t time.Time) float64 {
	if t.IsZero() {
		return 0
	}
	return float64(t.UnixNano()) / 1e9
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Collect reads the source once and sends every series.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	gauge(ch, c.buildInfo, 1, c.o.Version, runtime.Version())
	st := c.src.Stats()
	t := st.Totals()
	for class, r := range map[string]stats.Rate{"all": t.All, "shaped": t.Shaped, "unshaped": t.Unshaped} {
		gauge(ch, c.throughputBytes, float64(r.Bits.Down)/8, "down", class)
		gauge(ch, c.throughputBytes, float64(r.Bits.Up)/8, "up", class)
		gauge(ch, c.throughputPackets, float64(r.Packets.Down), "down", class)
		gauge(ch, c.throughputPackets, float64(r.Packets.Up), "up", class)
	}
	gauge(ch, c.hosts, float64(t.Hosts), "all")
	gauge(ch, c.hosts, float64(t.ShapedHosts), "shaped")
	gauge(ch, c.unknownIPs, float64(t.Hosts-t.ShapedHosts))
	info := st.Info()
	ch <- prometheus.MustNewConstMetric(c.statsUpdates, prometheus.CounterValue, float64(info.Updates))
	gauge(ch, c.statsPoll, info.LastPoll.Seconds())

	c.collectCircuits(ch, st)
	gauge(ch, c.scrapeErrors, b2f(!c.collectFlows(ch)), "flows")
	gauge(ch, c.scrapeErrors, b2f(!c.collectNodes(ch)), "queues")

	load, err := c.src.CPULoad()
	for i, v := range load {
		gauge(ch, c.cpuLoad, v/100, strconv.Itoa(i))
	}
	gauge(ch, c.scrapeErrors, b2f(err != nil), "cpu")
	q := c.src.Queues()
	gauge(ch, c.cpuQueues, float64(q.CPUQueues))
	gauge(ch, c.circuitQueues, float64(q.CircuitQueues))
	gauge(ch, c.shapedDevices, float64(q.ShapedDevices))
	gauge(ch, c.mappedIPs, float64(q.MappedIPs))

	s := c.src.Scheduler()
	gauge(ch, c.schedAvailable, b2f(s.Available))
	gauge(ch, c.schedHeartbeat, unix(s.LastSeen))
	gauge(ch, c.schedNext, unix(s.NextRun))
	gauge(ch, c.schedSetup, b2f(s.SetupMessage != ""))
	gauge(ch, c.schedRunning, b2f(s.Progress != nil && s.Progress.Active))
	var lastOK time.Time
	if s.LastSuccess != nil {
		lastOK = s.LastSuccess.At
	}
	gauge(ch, c.schedSuccess, unix(lastOK))
	gauge(ch, c.schedFailed, b2f(s.LastError != nil && s.LastError.At.After(lastOK)))

	var errs, warns int
	for _, is := range c.src.Urgent() {
		if is.Severity == urgent.Error {
			errs++
		} else {
			warns++
		}
	}
	gauge(ch, c.urgentOpen, float64(errs), "error")
	gauge(ch, c.urgentOpen, float64(warns), "warning")

	dp := c.src.DataPath()
	gauge(ch, c.dpMode, 1, string(dp.Classification), strconv.FormatBool(dp.CPURedirect))
	gauge(ch, c.dpDegraded, float64(len(dp.Degraded)))
	gauge(ch, c.dpInterfaces, float64(len(dp.Interfaces)))
}

// siteAgg sums one site's circuits.
type siteAgg struct {
	rate     stats.Rate
	circuits int
}

// collectCircuits sends the per-site sums and, when asked, per-circuit
// series, in one pass over the collector's circuits.
func (c *Collector) collectCircuits(ch chan<- prometheus.Metric, st *stats.Collector) {
	type top struct {
		id, site string
		rate     stats.Rate
	}
	sites := map[string]*siteAgg{}
	var all []top
	n := 0
	st.EachCircuit(func(cr *stats.CircuitRate) {
		n++
		site := c.src.SiteOf(cr.CircuitID)
		if site != "" {
			a := sites[site]
			if a == nil {
				a = &siteAgg{}
				sites[site] = a
			}
			a.rate.Bits.Down += cr.Bits.Down
			a.rate.Bits.Up += cr.Bits.Up
			a.rate.Packets.Down += cr.Packets.Down
			a.rate.Packets.Up += cr.Packets.Up
			a.circuits++
		}
		if c.o.PerCircuit != config.PerCircuitOff {
			all = append(all, top{cr.CircuitID, site, cr.Rate})
		}
	})
	for site, a := range sites {
		gauge(ch, c.siteBytes, float64(a.rate.Bits.Down)/8, site, "down")
		gauge(ch, c.siteBytes, float64(a.rate.Bits.Up)/8, site, "up")
		gauge(ch, c.sitePackets, float64(a.rate.Packets.Down), site, "down")
		gauge(ch, c.sitePackets, float64(a.rate.Packets.Up), site, "up")
		gauge(ch, c.siteCircuits, float64(a.circuits), site)
	}
	if c.o.PerCircuit == config.PerCircuitTop && len(all) > c.o.PerCircuitTop {
		slices.SortFunc(all, func(x, y top) int {
			if r := cmp.Compare(y.rate.Bits.Down, x.rate.Bits.Down); r != 0 {
				return r
			}
			return cmp.Compare(x.id, y.id)
		})
		all = all[:c.o.PerCircuitTop]
	}
	for _, x := range all {
		gauge(ch, c.circuitBytes, float64(x.rate.Bits.Down)/8, x.id, x.site, "down")
		gauge(ch, c.circuitBytes, float64(x.rate.Bits.Up)/8, x.id, x.site, "up")
		gauge(ch, c.circuitPackets, float64(x.rate.Packets.Down), x.id, x.site, "down")
		gauge(ch, c.circuitPackets, float64(x.rate.Packets.Up), x.id, x.site, "up")
	}
	gauge(ch, c.circuitsOmitted, float64(n-len(all)))
}

// rttQuantiles are the quantiles of lqos_tcp_rtt_seconds.
var rttQuantiles = []float64{0.5, 0.9, 0.99}

func (c *Collector) collectFlows(ch chan<- prometheus.Metric) bool {
	flows, err := c.src.Flows()
	if err != nil {
		return false
	}
	var rtts []float64
	var retrans [2]uint64
	bySite := map[string][]float64{}
	st := c.src.Stats()
	for i := range flows {
		f := &flows[i]
		site := ""
		for d := range 2 {
			retrans[d] += uint64(f.Retransmits[d])
			m := f.RTT[d].Mean()
			if m <= 0 {
				continue
			}
			rtts = append(rtts, m.Seconds())
			if site == "" {
				site = c.src.SiteOf(st.CircuitOf(f.Key.Local))
			}
			if site != "" {
				bySite[site] = append(bySite[site], m.Seconds())
			}
		}
	}
	gauge(ch, c.flows, float64(len(flows)))
	gauge(ch, c.retransmits, float64(retrans[0]), "down")
	gauge(ch, c.retransmits, float64(retrans[1]), "up")
	ch <- summary(c.rtt, rtts)
	for site, v := range bySite {
		ch <- summary(c.siteRTT, v, site)
	}
	return true
}

// summary sorts vs and makes a summary of their rttQuantiles.
func summary(d *prometheus.Desc, vs []float64, labels ...string) prometheus.Metric {
	slices.Sort(vs)
	var sum float64
	for _, v := range vs {
		sum += v
	}
	qs := make(map[float64]float64, len(rttQuantiles))
	if len(vs) > 0 {
		for _, q := range rttQuantiles {
			qs[q] = vs[min(len(vs)-1, int(q*float64(len(vs))))]
		}
	}
	return prometheus.MustNewConstSummary(d, uint64(len(vs)), sum, qs, labels...)
}

func (c *Collector) collectNodes(ch chan<- prometheus.Metric) bool {
	nodes, err := c.src.NodeQueues()
	if err != nil {
		return false
	}
	for _, n := range nodes {
		for d, dir := range directions {
			ch <- prometheus.MustNewConstMetric(c.nodeDrops, prometheus.CounterValue, float64(n.Drops[d]), n.Node, n.Site, dir)
			ch <- prometheus.MustNewConstMetric(c.nodeMarks, prometheus.CounterValue, float64(n.Marks[d]), n.Node, n.Site, dir)
			ch <- prometheus.MustNewConstMetric(c.nodeOverlimits, prometheus.CounterValue, float64(n.Overlimit[d]), n.Node, n.Site, dir)
			ch <- prometheus.MustNewConstMetric(c.nodeBytes, prometheus.CounterValue, float64(n.Bytes[d]), n.Node, n.Site, dir)
			ch <- prometheus.MustNewConstMetric(c.nodePackets, prometheus.CounterValue, float64(n.Packets[d]), n.Node, n.Site, dir)
		}
	}
	return true
}

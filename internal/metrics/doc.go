// Package metrics exports lqosd's figures to the time-series systems
// operators already run: a Prometheus collector for /metrics, and an
// InfluxDB line-protocol exporter.
//
// # Prometheus
//
// Collector is a custom prometheus.Collector. Each scrape reads the
// daemon's current figures through Source (the statistics collector, the
// urgent store, the scheduler tracker, the data path status) and turns them
// into const metrics; nothing is copied or kept between scrapes. Every
// series carries node_name (lqos.conf's node_name) so one Prometheus can sum
// a fleet of shapers.
//
// Per-circuit series are off by default. With per_circuit = "top" the
// per_circuit_top busiest circuits (by download) are exported; with "all"
// every circuit with traffic is. Each exported circuit has 4 series
// (bits and packets per second, each direction), so 10 000 circuits under
// "all" add 40 000 series to the roughly 60 + 4 per top-level site + 2 per
// tree node + 1 per CPU that are always there. lqos_metrics_circuits_omitted
// says how many were left out by "top".
//
// # InfluxDB
//
// Exporter writes line protocol to an InfluxDB v1 (/write?db=) or v2
// (/api/v2/write?org=&bucket=) endpoint, per upstream's [influxdb] section.
// Points are queued in a bounded buffer (oldest dropped first, counted) and
// sent in batches by their own goroutine with retry and backoff, so a slow
// or absent server never blocks lqosd's loops.
package metrics

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
// (bytes and packets per second, each direction), so 10 000 circuits under
// "all" add 40 000 series to the roughly 50 + 5 per top-level site (+5
// for its TCP RTT summary when it has TCP flows) + 8 per
// tree node + 1 per CPU that are always there (about 550 at 10 000 circuits
// under 100 sites). lqos_metrics_circuits_omitted says how many were left
// out by "top" or "off".
//
// Rates are gauges of the latest one-second sample (Prometheus' base unit
// is bytes, so throughput is bytes per second; multiply by 8 for bits).
// Per-circuit figures are copied out of the statistics collector as small
// (id, site, rate) rows under its read lock and turned into series after
// it is released, so a large scrape never holds up the sampling loop.
//
// # InfluxDB
//
// Exporter writes line protocol to an InfluxDB v1 (/write?db=) or v2
// (/api/v2/write?org=&bucket=) endpoint, per upstream's [influxdb] section.
// Points are queued in a bounded buffer (oldest dropped first, counted) and
// sent in batches by their own goroutine with retry and backoff, so a slow
// or absent server never blocks lqosd's loops.
package metrics

// Package datapath loads and drives the eBPF data path: an XDP program that
// classifies subscriber traffic and steers it to a CPU, and a TC egress
// classifier that hands the HTB class to the kernel via skb->priority.
//
// The C sources live in bpf/ (one header per concern: lqos_maps.h,
// lqos_dissector.h, lqos_lookup.h, lqos_telemetry.h; programs in lqos.c) and
// are compiled by bpf2go into the committed lqos_{x86,arm64}_bpfel.{go,o}.
// Regenerate with `go generate ./internal/datapath/...` (Debian clang 14);
// scripts/check-generated.sh verifies the committed objects are fresh.
//
// Usage:
//
//	d, err := datapath.Open(datapath.Options{PinDir: "/sys/fs/bpf/lqos", CPURedirect: true})
//	err = d.Attach(
//		datapath.Interface{Name: "eth1", Role: datapath.RoleInternet},
//		datapath.Interface{Name: "eth2", Role: datapath.RoleISP})
//	err = d.BatchUpdate(entries) // or Add / Delete / Clear
//	hosts, err := d.HostCounters()
//	flows, err := d.Flows()
//	defer d.Close() // detaches; d.Release() leaves the programs attached
//
// With a PinDir the XDP and TCX attachments are pinned bpf_links: they
// outlive the process (crash, kill -9, Release) and keep classifying with
// the pinned maps; the next Attach adopts them by swapping in its programs.
// DisableXPS turns XPS off on a shaping interface (XPS would override the TX
// queue the classifier picks).
//
// Control-plane code should depend on the MappingStore and Telemetry
// interfaces; MemStore is an in-memory MappingStore for tests without root.
// See README.md for the design.
package datapath

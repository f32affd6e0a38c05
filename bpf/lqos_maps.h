// SPDX-License-Identifier: GPL-2.0
/*
 * Shared structs and maps. bpf2go generates the Go types from these structs
 * (lqosLqos* in internal/datapath); keep layouts explicit (padding, natural
 * alignment) so both sides agree without surprises.
 */
#ifndef LQOS_MAPS_H
#define LQOS_MAPS_H

#include <linux/bpf.h>
#include <bpf_helpers.h>

/* Direction indices used in every [2] array: 0 = download (toward the
 * subscriber), 1 = upload (toward the Internet). */
#define DIR_DOWN 0
#define DIR_UP 1

/* Values of cfg_direction (what the interface faces). */
#define IFACE_UNSET 0
#define IFACE_INTERNET 1 /* ingress = download, egress = upload */
#define IFACE_ISP 2      /* ingress = upload, egress = download */
#define IFACE_STICK 3    /* one NIC, direction from the VLAN tag */

/* A 128-bit address. IPv4 is stored IPv4-mapped (::ffff:a.b.c.d) so one trie
 * serves both families; Go's netip.Addr.As16 produces the same bytes. */
struct lqos_addr {
	union {
		__u8 b[16]; /* first member: what the generated Go type holds */
		__u32 w[4];
	};
};

/* LPM trie key: prefixlen counts bits of the 128-bit form (IPv4 /n -> n+96). */
struct lqos_lpm_key {
	__u32 prefixlen;
	struct lqos_addr addr;
};

/* What a subscriber prefix maps to. classid = major<<16 | minor (HTB). */
struct lqos_mapping {
	__u32 cpu;
	__u32 classid_down;
	__u32 classid_up;
	__u32 reserved; /* must be zero; keeps the u64s aligned */
	__u64 circuit_hash;
	__u64 device_hash;
};

/* Hot-cache value: a trie result (positive or negative) for one exact
 * address that is not in lqos_exact, tagged with the mapping epoch that was current *before* the LPM
 * lookup. Userspace bumps the epoch after changing the trie, which makes every
 * older cache entry stale without having to walk the cache. */
struct lqos_cache_entry {
	struct lqos_mapping m;
	__u32 epoch;
	__u32 flags;
};
#define CACHE_F_MAPPED 1

/* Per-host, per-CPU traffic counters (bytes are L2 frame lengths at XDP). */
struct lqos_host_counters {
	__u64 bytes[2];
	__u64 packets[2];
	__u64 last_seen_ns; /* CLOCK_MONOTONIC (coarse) */
	__u64 circuit_hash;
};

/* Flow key: "local" is always the subscriber side, whatever the packet
 * direction, so both directions of a conversation share one entry. Ports are
 * host order; for ICMP they carry type and code. */
struct lqos_flow_key {
	struct lqos_addr remote;
	struct lqos_addr local;
	__u16 remote_port;
	__u16 local_port;
	__u8 proto;
	__u8 pad[3];
};

#define FLOW_END_NONE 0
#define FLOW_END_FIN 1
#define FLOW_END_RST 2

struct lqos_flow {
	__u64 start_ns;     /* CLOCK_MONOTONIC (coarse) */
	__u64 last_seen_ns; /* CLOCK_MONOTONIC (coarse) */
	__u64 bytes[2];
	__u64 packets[2];
	__u32 next_seq[2];    /* highest seq+len seen per direction */
	__u32 retransmits[2]; /* segments starting below next_seq */
	__u32 ts_val[2];      /* TSval waiting for its echo, 0 = none */
	__u32 classid; /* subscriber's download class, 0 = unmapped */
	__u8 end_status;
	__u8 pad[3];
	__u64 ts_time[2];     /* CLOCK_MONOTONIC (fine) when ts_val was first seen */
	__u64 rtt_last_ns[2]; /* index = direction of the timed segment */
	__u64 rtt_min_ns[2];
	__u64 rtt_sum_ns[2];
	__u32 rtt_count[2];
};

/* XDP -> TC hand-off in the packet metadata area. The magic lets TC ignore
 * metadata written by some other XDP program. */
struct lqos_meta {
	__u32 classid;
	__u32 magic;
};
#define LQOS_META_MAGIC 0x4c514f53 /* "LQOS" */

/* Datapath statistics (index into lqos_stat_row.v). */
enum lqos_stat {
	STAT_XDP_PACKETS,
	STAT_XDP_NOT_IP,
	STAT_XDP_MAPPED,
	STAT_XDP_UNMAPPED,
	STAT_CACHE_HIT,
	STAT_CACHE_MISS,
	STAT_XDP_META_FAIL,
	STAT_XDP_REDIRECT,
	STAT_TC_PACKETS,
	STAT_TC_META,
	STAT_TC_FALLBACK_MAPPED,
	STAT_TC_FALLBACK_UNMAPPED,
	STAT_TC_NOT_IP,
	STAT_EXACT_HIT,
	STAT_MAX,
};

/* Sizes are defaults; userspace sizes them from the mappings before loading. */

/* Host prefixes (IPv4 /32, IPv6 /128), most subscriber entries: one hash
 * lookup instead of a trie walk (the kernel's LPM trie costs ~130 ns at 100k
 * prefixes), and no per-packet writes. Userspace keeps every host prefix here
 * and only shorter prefixes in lqos_lpm. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__type(key, struct lqos_addr);
	__type(value, struct lqos_mapping);
	__uint(max_entries, 131072);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* memory follows the entries, not max_entries */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lqos_exact SEC(".maps");

/* Index 0: IPv4, 1: IPv6. Non-zero when lqos_lpm may hold prefixes of that
 * family: an address missing lqos_exact skips the hot cache and the trie
 * otherwise. Userspace sets it before adding a prefix and clears it only when
 * the trie is emptied, so a stale 1 costs time, never a wrong answer. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 2);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lqos_trie_use SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__type(key, struct lqos_lpm_key);
	__type(value, struct lqos_mapping);
	__uint(max_entries, 131072);
	__uint(map_flags, BPF_F_NO_PREALLOC); /* required for LPM tries */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lqos_lpm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lqos_addr);
	__type(value, struct lqos_cache_entry);
	__uint(max_entries, 32768);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lqos_hotcache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, __u32);
	__uint(max_entries, 1);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lqos_epoch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__type(key, struct lqos_addr);
	__type(value, struct lqos_host_counters);
	__uint(max_entries, 65536);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lqos_hosts SEC(".maps");

/* LRU so a full table evicts the stalest flows instead of refusing new ones
 * (measured within 3 ns/packet of a plain hash); userspace still expires
 * idle flows itself (ExpireFlows). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__type(key, struct lqos_flow_key);
	__type(value, struct lqos_flow);
	__uint(max_entries, 65536);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} lqos_flows SEC(".maps");

/* Not pinned: filled for the present CPUs on every start. The kernel caps
 * max_entries at NR_CPUS (cilium/ebpf clamps to the possible CPUs). */
struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__type(key, __u32);
	__type(value, struct bpf_cpumap_val);
	__uint(max_entries, 256);
} lqos_cpumap SEC(".maps");

/* All event counters of one CPU in one value: a program looks the row up
 * once per packet instead of once per counter. */
struct lqos_stat_row {
	__u64 v[STAT_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct lqos_stat_row);
	__uint(max_entries, 1);
} lqos_stats SEC(".maps");

static __always_inline struct lqos_stat_row *stat_row(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&lqos_stats, &zero);
}

static __always_inline void stat_inc(struct lqos_stat_row *st, __u32 idx)
{
	if (st && idx < STAT_MAX)
		st->v[idx] += 1;
}

#endif

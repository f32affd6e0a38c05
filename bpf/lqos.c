// SPDX-License-Identifier: GPL-2.0
/*
 * LibreQoS-Go data path.
 *
 * XDP (ingress of each shaping interface): find the subscriber address for the
 * packet's direction, resolve it to a mapping, count the host and flow, hand
 * the HTB class to TC in the packet metadata and steer the packet to the
 * mapping's CPU through a CPUMAP.
 *
 * TC egress: turn the class into skb->priority (HTB picks the leaf directly,
 * no tc filters) and skb->queue_mapping = major (the stack then transmits on
 * queue major-1, i.e. the mq slot whose HTB has handle major:). When the
 * metadata is missing (generic XDP, no XDP at all, or a kernel whose XDP
 * programs may not call bpf_xdp_adjust_meta) TC does the lookup itself.
 *
 * The object is loaded once per interface with different constants; all maps
 * are shared (pinned) between the loads.
 */
#include <linux/bpf.h>
#include <bpf_helpers.h>
#include <bpf_endian.h>
#include "lqos_maps.h"
#include "lqos_dissector.h"
#include "lqos_lookup.h"
#include "lqos_telemetry.h"

/* Set by the loader per interface (rodata: dead branches are pruned). */
volatile const __u32 cfg_direction = IFACE_UNSET;
volatile const __u32 cfg_internet_vlan = 0; /* stick mode: VID facing the Internet */
volatile const __u32 cfg_isp_vlan = 0;      /* stick mode: VID facing subscribers */
volatile const __u32 cfg_redirect_cpu = 1;  /* 0: XDP_PASS on the RX CPU instead */
volatile const __u32 cfg_track_flows = 1;
volatile const __u32 cfg_hot_cache = 1; /* 0: every lookup walks the trie */
/* Optional kernel features, probed by the loader. A constant 0 makes the
 * verifier prune the branch, so a kernel that lacks the helper never sees
 * the call and still loads the program. */
volatile const __u32 cfg_xdp_meta = 1;     /* 0: no metadata hand-off; TC looks up */
volatile const __u32 cfg_coarse_clock = 1; /* 0: bpf_ktime_get_ns (kernels < 5.11) */

#define TC_ACT_OK 0

/* Direction of a packet arriving on this interface, or -1 to leave it alone. */
static __always_inline int ingress_dir(struct lqos_packet *pkt)
{
	if (cfg_direction == IFACE_INTERNET)
		return DIR_DOWN;
	if (cfg_direction == IFACE_ISP)
		return DIR_UP;
	if (cfg_direction == IFACE_STICK) {
		if (pkt->vlan == cfg_internet_vlan)
			return DIR_DOWN;
		if (pkt->vlan == cfg_isp_vlan)
			return DIR_UP;
	}
	return -1;
}

SEC("xdp")
int lqos_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct lqos_packet pkt = {};

	if (cfg_direction == IFACE_UNSET)
		return XDP_PASS;
	struct lqos_stat_row *st = stat_row();
	stat_inc(st, STAT_XDP_PACKETS);
	if (dissect(data, end, &pkt, cfg_track_flows) < 0) {
		stat_inc(st, STAT_XDP_NOT_IP);
		return XDP_PASS;
	}
	int dir = ingress_dir(&pkt);
	if (dir < 0) {
		stat_inc(st, STAT_XDP_NOT_IP);
		return XDP_PASS;
	}
	struct lqos_addr *host = dir == DIR_DOWN ? &pkt.dst : &pkt.src;

	struct lqos_mapping *m = lookup_mapping(host, pkt.is_v6, cfg_hot_cache, st);
	__u32 classid = 0, cpu = 0, classid_down = 0;
	__u64 circuit_hash = 0;
	if (m) {
		classid = dir == DIR_DOWN ? m->classid_down : m->classid_up;
		classid_down = m->classid_down;
		circuit_hash = m->circuit_hash;
		cpu = m->cpu;
	}

	__u64 bytes = end - data;
	__u64 now = cfg_coarse_clock ? bpf_ktime_get_coarse_ns() : bpf_ktime_get_ns();
	count_host(host, dir, bytes, now, circuit_hash);
	if (cfg_track_flows)
		track_flow(&pkt, dir, bytes, now, classid_down);

	if (classid == 0) {
		/* Unmapped: normal stack on this CPU; TC leaves priority alone
		 * and HTB uses its default class. */
		stat_inc(st, STAT_XDP_UNMAPPED);
		return XDP_PASS;
	}
	stat_inc(st, STAT_XDP_MAPPED);

	/* Drivers without metadata support (and generic XDP, whose metadata
	 * never reaches the skb) fail here or lose it; TC then looks up. */
	if (!cfg_xdp_meta) {
		/* TC-lookup mode: TC classifies every packet itself. */
	} else if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct lqos_meta)) == 0) {
		struct lqos_meta *md = (void *)(long)ctx->data_meta;
		if ((void *)(md + 1) > (void *)(long)ctx->data)
			return XDP_PASS;
		md->classid = classid;
		md->magic = LQOS_META_MAGIC;
	} else {
		stat_inc(st, STAT_XDP_META_FAIL);
	}

	if (!cfg_redirect_cpu)
		return XDP_PASS;
	stat_inc(st, STAT_XDP_REDIRECT);
	/* Low flag bits = action when the CPU slot is empty: pass rather than
	 * drop, so a bad CPU number degrades to unsteered, not lost. */
	return bpf_redirect_map(&lqos_cpumap, cpu, XDP_PASS);
}

/* TC egress direction: leaving toward the Internet = upload. */
static __always_inline int egress_dir(struct __sk_buff *skb, struct lqos_packet *pkt)
{
	if (cfg_direction == IFACE_INTERNET)
		return DIR_UP;
	if (cfg_direction == IFACE_ISP)
		return DIR_DOWN;
	if (cfg_direction == IFACE_STICK) {
		/* The tag usually sits in skb->vlan_tci (offloaded), else in
		 * the packet where the dissector found it. */
		__u32 vid = skb->vlan_present ? (skb->vlan_tci & 0x0fff) : pkt->vlan;
		if (vid == cfg_internet_vlan)
			return DIR_UP;
		if (vid == cfg_isp_vlan)
			return DIR_DOWN;
	}
	return -1;
}

static __always_inline void set_class(struct __sk_buff *skb, __u32 classid)
{
	skb->priority = classid;
	__u32 major = classid >> 16;
	if (major)
		skb->queue_mapping = major;
}

SEC("tc")
int lqos_tc_egress(struct __sk_buff *skb)
{
	if (cfg_direction == IFACE_UNSET)
		return TC_ACT_OK;
	struct lqos_stat_row *st = stat_row();
	stat_inc(st, STAT_TC_PACKETS);

	void *data = (void *)(long)skb->data;
	if (cfg_xdp_meta) {
		struct lqos_meta *md = (void *)(long)skb->data_meta;
		if ((void *)(md + 1) <= data && md->magic == LQOS_META_MAGIC) {
			stat_inc(st, STAT_TC_META);
			if (md->classid)
				set_class(skb, md->classid);
			return TC_ACT_OK;
		}
	}

	struct lqos_packet pkt = {};
	void *end = (void *)(long)skb->data_end;
	if (dissect(data, end, &pkt, 0) < 0) {
		/* Headers may sit in paged data; pull once and retry. */
		if (bpf_skb_pull_data(skb, 128) < 0 && bpf_skb_pull_data(skb, skb->len) < 0) {
			stat_inc(st, STAT_TC_NOT_IP);
			return TC_ACT_OK;
		}
		data = (void *)(long)skb->data;
		end = (void *)(long)skb->data_end;
		if (dissect(data, end, &pkt, 0) < 0) {
			stat_inc(st, STAT_TC_NOT_IP);
			return TC_ACT_OK;
		}
	}
	int dir = egress_dir(skb, &pkt);
	if (dir < 0) {
		stat_inc(st, STAT_TC_NOT_IP);
		return TC_ACT_OK;
	}
	struct lqos_mapping *m = lookup_mapping(dir == DIR_DOWN ? &pkt.dst : &pkt.src, pkt.is_v6, cfg_hot_cache, st);
	if (!m) {
		stat_inc(st, STAT_TC_FALLBACK_UNMAPPED);
		return TC_ACT_OK;
	}
	__u32 classid = dir == DIR_DOWN ? m->classid_down : m->classid_up;
	stat_inc(st, STAT_TC_FALLBACK_MAPPED);
	if (classid)
		set_class(skb, classid);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";

// SPDX-License-Identifier: GPL-2.0
/*
 * Per-host counters and per-flow state (bytes/packets each way, TCP
 * retransmits, RTT from TCP timestamps). Userspace reads and expires both.
 */
#ifndef LQOS_TELEMETRY_H
#define LQOS_TELEMETRY_H

#include <linux/bpf.h>
#include <bpf_helpers.h>
#include "lqos_maps.h"
#include "lqos_dissector.h"

/* A TSval with no echo after this long is dropped (lost segment, idle flow). */
#define TS_STALE_NS 10000000000ULL

static __always_inline void count_host(struct lqos_addr *host, int dir, __u64 bytes, __u64 now,
				       __u64 circuit_hash)
{
	/* Per-CPU value: plain adds are race free. */
	struct lqos_host_counters *hc = bpf_map_lookup_elem(&lqos_hosts, host);
	if (hc) {
		hc->bytes[dir] += bytes;
		hc->packets[dir] += 1;
		hc->last_seen_ns = now;
		hc->circuit_hash = circuit_hash;
		return;
	}
	/* Unmapped hosts are counted too: that is how unknown subscriber
	 * addresses are discovered. NOEXIST: another CPU may have raced us;
	 * losing this one packet's count is fine. */
	struct lqos_host_counters init = { .last_seen_ns = now, .circuit_hash = circuit_hash };
	init.bytes[dir] = bytes;
	init.packets[dir] = 1;
	bpf_map_update_elem(&lqos_hosts, host, &init, BPF_NOEXIST);
}

/* RFC 7323 style wrap-aware sequence comparison: a before b. */
static __always_inline int seq_before(__u32 a, __u32 b)
{
	return (__s32)(a - b) < 0;
}

static __always_inline void tcp_rtt(struct lqos_flow *f, struct lqos_packet *pkt, int dir)
{
	int rev = dir ^ 1;
	/* Echo of a TSval the other direction sent: time since we first saw
	 * that TSval = RTT from here to the far end of that direction and back. */
	if (pkt->tsecr != 0 && f->ts_val[rev] == pkt->tsecr && f->ts_time[rev] != 0) {
		__u64 now = bpf_ktime_get_ns();
		__u64 rtt = now - f->ts_time[rev];
		f->rtt_last_ns[rev] = rtt;
		if (f->rtt_min_ns[rev] == 0 || rtt < f->rtt_min_ns[rev])
			f->rtt_min_ns[rev] = rtt;
		f->rtt_sum_ns[rev] += rtt;
		f->rtt_count[rev] += 1;
		f->ts_val[rev] = 0;
		f->ts_time[rev] = 0;
	}
	/* Time one TSval at a time, and only on segments that will be echoed
	 * promptly (data or SYN). Keeping the first-seen time of a TSval, not
	 * the latest, makes delayed ACKs not shorten the sample. */
	if (pkt->tsval != 0 && (pkt->payload_len > 0 || (pkt->tcp_flags & TCP_SYN))) {
		if (f->ts_val[dir] == 0) {
			f->ts_val[dir] = pkt->tsval;
			f->ts_time[dir] = bpf_ktime_get_ns();
		} else if (f->ts_val[dir] != pkt->tsval) {
			__u64 now = bpf_ktime_get_ns();
			if (now - f->ts_time[dir] > TS_STALE_NS) {
				f->ts_val[dir] = pkt->tsval;
				f->ts_time[dir] = now;
			}
		}
	}
}

/* classid: the subscriber's download class, 0 when unmapped. */
static __always_inline void track_flow(struct lqos_packet *pkt, int dir, __u64 bytes, __u64 now,
				       __u32 classid)
{
	if (!pkt->has_l4)
		return;
	struct lqos_flow_key key = { .proto = pkt->proto };
	if (dir == DIR_DOWN) {
		key.remote = pkt->src;
		key.local = pkt->dst;
		key.remote_port = pkt->sport;
		key.local_port = pkt->dport;
	} else {
		key.remote = pkt->dst;
		key.local = pkt->src;
		key.remote_port = pkt->dport;
		key.local_port = pkt->sport;
	}

	int is_tcp = pkt->proto == IPPROTO_TCP;
	struct lqos_flow *f = bpf_map_lookup_elem(&lqos_flows, &key);
	if (!f) {
		/* TCP: start on a SYN, or mid-flow for shaped hosts (covers a
		 * daemon restart) without letting scans of unshaped space fill
		 * the table. UDP/ICMP: always. */
		if (is_tcp && !(pkt->tcp_flags & TCP_SYN) && classid == 0)
			return;
		struct lqos_flow init = { .start_ns = now, .last_seen_ns = now, .classid = classid };
		bpf_map_update_elem(&lqos_flows, &key, &init, BPF_NOEXIST);
		f = bpf_map_lookup_elem(&lqos_flows, &key);
		if (!f)
			return;
	}
	/* Plain adds: each direction has its own slots, and RSS delivers one
	 * direction of one flow to one CPU, so writers do not collide in
	 * practice. Atomics measured ~8 ns/packet more. */
	f->bytes[dir] += bytes;
	f->packets[dir] += 1;
	f->last_seen_ns = now;
	f->classid = classid;
	if (!is_tcp)
		return;

	if (pkt->tcp_flags & TCP_RST)
		f->end_status = FLOW_END_RST;
	else if (pkt->tcp_flags & TCP_FIN)
		f->end_status = FLOW_END_FIN;
	else
		f->end_status = FLOW_END_NONE;

	/* Retransmit: a data segment starting below the highest end seen.
	 * Reordering counts too; it is rare enough to be a useful signal. */
	if (pkt->payload_len > 0) {
		__u32 seg_end = pkt->seq + pkt->payload_len;
		if (f->next_seq[dir] != 0 && seq_before(pkt->seq, f->next_seq[dir]))
			f->retransmits[dir] += 1;
		if (f->next_seq[dir] == 0 || seq_before(f->next_seq[dir], seg_end))
			f->next_seq[dir] = seg_end;
	}
	if (pkt->has_ts)
		tcp_rtt(f, pkt, dir);
}

#endif

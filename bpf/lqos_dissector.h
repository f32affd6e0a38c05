// SPDX-License-Identifier: GPL-2.0
/*
 * Packet dissector shared by XDP and TC: walks L2 encapsulations down to the
 * IP header and pulls out what classification and flow tracking need. It works
 * on a [pos, end) window so the same code serves xdp_md and __sk_buff direct
 * packet access.
 */
#ifndef LQOS_DISSECTOR_H
#define LQOS_DISSECTOR_H

#include <linux/bpf.h>
#include <bpf_helpers.h>
#include <bpf_endian.h>
#include "lqos_maps.h"

#define ETH_P_IP 0x0800
#define ETH_P_IPV6 0x86DD
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88A8
#define ETH_P_PPP_SES 0x8864
#define ETH_P_MPLS_UC 0x8847
#define ETH_P_MPLS_MC 0x8848
#define PPP_IP 0x0021
#define PPP_IPV6 0x0057

#define IPPROTO_ICMP 1
#define IPPROTO_TCP 6
#define IPPROTO_UDP 17
#define IPPROTO_ICMPV6 58

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* Enough for QinQ + PPPoE + a few MPLS labels; bounds the unrolled walk. */
#define MAX_ENCAP 8
/* IPv6 extension headers walked before giving up on L4. */
#define MAX_IPV6_EXT 4
#define NEXTHDR_HOP 0
#define NEXTHDR_ROUTING 43
#define NEXTHDR_FRAGMENT 44
#define NEXTHDR_DEST 60
#define MAX_TCP_OPTS 10

struct eth_hdr {
	__u8 dst[6];
	__u8 src[6];
	__be16 proto;
};

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct pppoe_hdr {
	__u8 ver_type;
	__u8 code;
	__be16 session;
	__be16 length;
	__be16 ppp_proto;
};

struct ipv4_hdr {
	__u8 ihl_ver; /* little-endian bitfield order avoided on purpose */
	__u8 tos;
	__be16 tot_len;
	__be16 id;
	__be16 frag_off;
	__u8 ttl;
	__u8 proto;
	__be16 check;
	__be32 saddr;
	__be32 daddr;
};

struct ipv6_hdr {
	__be32 ver_tc_flow;
	__be16 payload_len;
	__u8 nexthdr;
	__u8 hop_limit;
	struct lqos_addr saddr;
	struct lqos_addr daddr;
};

struct tcp_hdr {
	__be16 sport;
	__be16 dport;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff_res; /* data offset in the high nibble */
	__u8 flags;
	__be16 window;
	__be16 check;
	__be16 urg_ptr;
};

struct udp_hdr {
	__be16 sport;
	__be16 dport;
	__be16 len;
	__be16 check;
};

struct icmp_hdr {
	__u8 type;
	__u8 code;
};

/* Everything the programs need from one packet. */
struct lqos_packet {
	struct lqos_addr src;
	struct lqos_addr dst;
	__u32 seq;
	__u32 payload_len; /* TCP payload bytes */
	__u32 tsval;       /* host order; valid when has_ts */
	__u32 tsecr;
	__u16 sport; /* host order */
	__u16 dport;
	__u16 vlan; /* innermost VLAN ID (12 bits), 0 = untagged */
	__u8 proto;
	__u8 tcp_flags;
	__u8 has_ts;
	__u8 has_l4;
	__u8 is_v6;
};

static __always_inline void addr_from_v4(struct lqos_addr *a, __be32 v4)
{
	a->w[0] = 0;
	a->w[1] = 0;
	a->w[2] = bpf_htonl(0x0000ffff);
	a->w[3] = v4;
}

/*
 * Walk Ethernet, 802.1Q/802.1ad (any depth, innermost tag wins), PPPoE session
 * and MPLS labels. Returns the IP EtherType (network order) with *pos at the IP
 * header, or 0 for anything that is not IP (ARP, STP, LLC, PPP control...),
 * which the callers pass through untouched.
 */
static __always_inline __be16 parse_l2(void **pos, void *end, __u16 *vlan)
{
	struct eth_hdr *eth = *pos;
	if ((void *)(eth + 1) > end)
		return 0;
	__be16 proto = eth->proto;
	void *p = eth + 1;

#pragma unroll
	for (int i = 0; i < MAX_ENCAP; i++) {
		if (proto == bpf_htons(ETH_P_IP) || proto == bpf_htons(ETH_P_IPV6)) {
			*pos = p;
			return proto;
		}
		if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
			struct vlan_hdr *v = p;
			if ((void *)(v + 1) > end)
				return 0;
			/* VID only: PCP/DEI bits must not change the direction. */
			*vlan = bpf_ntohs(v->tci) & 0x0fff;
			proto = v->proto;
			p = v + 1;
		} else if (proto == bpf_htons(ETH_P_PPP_SES)) {
			struct pppoe_hdr *ph = p;
			if ((void *)(ph + 1) > end)
				return 0;
			if (ph->ppp_proto == bpf_htons(PPP_IP))
				proto = bpf_htons(ETH_P_IP);
			else if (ph->ppp_proto == bpf_htons(PPP_IPV6))
				proto = bpf_htons(ETH_P_IPV6);
			else
				return 0; /* LCP/IPCP/... */
			p = ph + 1;
		} else if (proto == bpf_htons(ETH_P_MPLS_UC) || proto == bpf_htons(ETH_P_MPLS_MC)) {
			__be32 *label = p;
			if ((void *)(label + 1) > end)
				return 0;
			p = label + 1;
			/* MPLS carries no payload type: at bottom of stack, peek the
			 * IP version nibble. */
			if (bpf_ntohl(*label) & 0x100) {
				__u8 *ver = p;
				if ((void *)(ver + 1) > end)
					return 0;
				if ((*ver >> 4) == 4)
					proto = bpf_htons(ETH_P_IP);
				else if ((*ver >> 4) == 6)
					proto = bpf_htons(ETH_P_IPV6);
				else
					return 0;
			}
		} else {
			return 0;
		}
	}
	return 0;
}

/* TCP timestamp option. Fast path for the usual NOP,NOP,TS layout that Linux
 * and most stacks send; otherwise a bounded option walk. */
static __always_inline void parse_tcp_ts(struct tcp_hdr *tcp, void *end, struct lqos_packet *pkt)
{
	__u32 doff = (tcp->doff_res >> 4) * 4;
	if (doff <= sizeof(*tcp))
		return;
	__u8 *opt = (void *)(tcp + 1);
	if ((void *)(opt + 12) <= end && doff >= 32 && opt[0] == 1 && opt[1] == 1 && opt[2] == 8 && opt[3] == 10) {
		pkt->tsval = bpf_ntohl(*(__be32 *)(opt + 4));
		pkt->tsecr = bpf_ntohl(*(__be32 *)(opt + 8));
		pkt->has_ts = 1;
		return;
	}
	__u32 off = 0;
	__u32 optlen = doff - sizeof(*tcp);
#pragma unroll
	for (int i = 0; i < MAX_TCP_OPTS; i++) {
		if (off + 1 > optlen || off > 40)
			return;
		__u8 *o = opt + off;
		if ((void *)(o + 2) > end)
			return;
		__u8 kind = o[0];
		if (kind == 0)
			return;
		if (kind == 1) {
			off++;
			continue;
		}
		__u8 len = o[1];
		if (len < 2)
			return;
		if (kind == 8 && len == 10) {
			if ((void *)(o + 10) > end || off + 10 > optlen)
				return;
			pkt->tsval = bpf_ntohl(*(__be32 *)(o + 2));
			pkt->tsecr = bpf_ntohl(*(__be32 *)(o + 6));
			pkt->has_ts = 1;
			return;
		}
		off += len;
	}
}

static __always_inline void parse_l4(void *l4, void *end, __u32 l4_len, struct lqos_packet *pkt)
{
	if (pkt->proto == IPPROTO_TCP) {
		struct tcp_hdr *tcp = l4;
		if ((void *)(tcp + 1) > end)
			return;
		pkt->sport = bpf_ntohs(tcp->sport);
		pkt->dport = bpf_ntohs(tcp->dport);
		pkt->seq = bpf_ntohl(tcp->seq);
		pkt->tcp_flags = tcp->flags;
		__u32 doff = (tcp->doff_res >> 4) * 4;
		pkt->payload_len = l4_len > doff ? l4_len - doff : 0;
		pkt->has_l4 = 1;
		parse_tcp_ts(tcp, end, pkt);
	} else if (pkt->proto == IPPROTO_UDP) {
		struct udp_hdr *udp = l4;
		if ((void *)(udp + 1) > end)
			return;
		pkt->sport = bpf_ntohs(udp->sport);
		pkt->dport = bpf_ntohs(udp->dport);
		pkt->has_l4 = 1;
	} else if (pkt->proto == IPPROTO_ICMP || pkt->proto == IPPROTO_ICMPV6) {
		struct icmp_hdr *icmp = l4;
		if ((void *)(icmp + 1) > end)
			return;
		pkt->sport = icmp->type;
		pkt->dport = icmp->code;
		pkt->has_l4 = 1;
	}
}

/*
 * Skip IPv6 extension headers (hop-by-hop, routing, destination options,
 * fragment) so flows see the real L4 header. Returns the L4 header, setting
 * pkt->proto and *l4_len, or NULL when L4 is unreachable (non-first
 * fragment, too many headers, truncated).
 */
static __always_inline void *skip_ipv6_ext(void *p, void *end, struct lqos_packet *pkt, __u32 *l4_len)
{
#pragma unroll
	for (int i = 0; i < MAX_IPV6_EXT; i++) {
		__u8 nh = pkt->proto;
		if (nh != NEXTHDR_HOP && nh != NEXTHDR_ROUTING && nh != NEXTHDR_DEST && nh != NEXTHDR_FRAGMENT)
			return p;
		__u8 *h = p;
		if ((void *)(h + 8) > end)
			return 0;
		__u32 len = 8;
		if (nh == NEXTHDR_FRAGMENT) {
			/* Offset != 0: a later fragment, no L4 header in it. */
			if ((h[2] << 8 | h[3]) & 0xfff8)
				return 0;
		} else {
			len = (h[1] + 1) * 8;
		}
		if (*l4_len < len)
			return 0;
		*l4_len -= len;
		pkt->proto = h[0];
		p += len;
	}
	return 0;
}

/*
 * Fill pkt from the frame at [start, end). Returns 0 for IP packets, -1 for
 * anything to pass unclassified. want_l4 = 0 stops at the addresses (all that
 * classification needs; TC and flow-less XDP skip the L4 walk).
 */
static __always_inline int dissect(void *start, void *end, struct lqos_packet *pkt, int want_l4)
{
	void *p = start;
	__be16 proto = parse_l2(&p, end, &pkt->vlan);

	if (proto == bpf_htons(ETH_P_IP)) {
		struct ipv4_hdr *ip = p;
		if ((void *)(ip + 1) > end)
			return -1;
		__u32 ihl = (ip->ihl_ver & 0x0f) * 4;
		if (ihl < sizeof(*ip))
			return -1;
		addr_from_v4(&pkt->src, ip->saddr);
		addr_from_v4(&pkt->dst, ip->daddr);
		pkt->proto = ip->proto;
		/* Non-first fragments carry no L4 header. */
		if (!want_l4 || (ip->frag_off & bpf_htons(0x1fff)))
			return 0;
		__u32 tot = bpf_ntohs(ip->tot_len);
		parse_l4(p + ihl, end, tot > ihl ? tot - ihl : 0, pkt);
		return 0;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6_hdr *ip6 = p;
		if ((void *)(ip6 + 1) > end)
			return -1;
		pkt->src = ip6->saddr;
		pkt->dst = ip6->daddr;
		pkt->proto = ip6->nexthdr;
		pkt->is_v6 = 1;
		if (!want_l4)
			return 0;
		__u32 l4_len = bpf_ntohs(ip6->payload_len);
		void *l4 = skip_ipv6_ext(ip6 + 1, end, pkt, &l4_len);
		if (l4)
			parse_l4(l4, end, l4_len, pkt);
		return 0;
	}
	return -1;
}

#endif

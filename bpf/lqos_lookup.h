// SPDX-License-Identifier: GPL-2.0
/*
 * Address -> mapping resolution: exact-address hot cache in front of the LPM
 * trie. The trie walk costs ~100 ns at 100k prefixes; the hash hit is a
 * fraction of that, and most packets belong to a few thousand active hosts.
 */
#ifndef LQOS_LOOKUP_H
#define LQOS_LOOKUP_H

#include <linux/bpf.h>
#include <bpf_helpers.h>
#include "lqos_maps.h"

/*
 * Resolve addr. Returns 1 and fills *out when mapped, 0 when unmapped.
 * Negative results are cached too, so unmapped traffic (most of the Internet
 * side of a scan) does not walk the trie on every packet.
 */
static __always_inline int lookup_mapping(struct lqos_addr *addr, struct lqos_mapping *out, int use_cache)
{
	if (!use_cache) {
		struct lqos_lpm_key key = { .prefixlen = 128, .addr = *addr };
		struct lqos_mapping *m = bpf_map_lookup_elem(&lqos_lpm, &key);
		if (!m)
			return 0;
		*out = *m;
		return 1;
	}

	__u32 zero = 0;
	__u32 epoch = 0;
	/* Read the epoch before the trie: if userspace changes the trie and
	 * bumps the epoch while we run, our cache entry carries the old epoch
	 * and is ignored by the next packet. */
	__u32 *ep = bpf_map_lookup_elem(&lqos_epoch, &zero);
	if (ep)
		epoch = *ep;

	struct lqos_cache_entry *ce = bpf_map_lookup_elem(&lqos_hotcache, addr);
	if (ce && ce->epoch == epoch) {
		stat_inc(STAT_CACHE_HIT);
		if (!(ce->flags & CACHE_F_MAPPED))
			return 0;
		*out = ce->m;
		return 1;
	}
	stat_inc(STAT_CACHE_MISS);

	struct lqos_lpm_key key = { .prefixlen = 128, .addr = *addr };
	struct lqos_mapping *m = bpf_map_lookup_elem(&lqos_lpm, &key);
	struct lqos_cache_entry fresh = { .epoch = epoch };
	if (m) {
		fresh.m = *m;
		fresh.flags = CACHE_F_MAPPED;
	}
	/* BPF_ANY: a stale entry must be overwritten. */
	bpf_map_update_elem(&lqos_hotcache, addr, &fresh, BPF_ANY);
	if (!m)
		return 0;
	*out = fresh.m;
	return 1;
}

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Address -> mapping resolution. Host prefixes (/32, /128) sit in an exact
 * hash (one lookup, no writes); shorter prefixes in the LPM trie, fronted by
 * an epoch-tagged LRU hot cache of trie results because the trie walk costs
 * ~100 ns. Families without any trie prefix skip both.
 */
#ifndef LQOS_LOOKUP_H
#define LQOS_LOOKUP_H

#include <linux/bpf.h>
#include <bpf_helpers.h>
#include "lqos_maps.h"

/*
 * Resolve addr (is_v6: which family, for lqos_trie_use). Returns the mapping
 * (valid for the rest of the program run) or NULL when unmapped. Negative
 * trie results are cached too, so unmapped traffic does not walk the trie on
 * every packet.
 */
static __always_inline struct lqos_mapping *lookup_mapping(struct lqos_addr *addr, __u32 is_v6, int use_cache,
							   struct lqos_stat_row *st)
{
	struct lqos_mapping *m = bpf_map_lookup_elem(&lqos_exact, addr);
	if (m) {
		stat_inc(st, STAT_EXACT_HIT);
		return m;
	}
	__u32 *use = bpf_map_lookup_elem(&lqos_trie_use, &is_v6);
	if (!use || !*use)
		return NULL;

	struct lqos_lpm_key key = { .prefixlen = 128, .addr = *addr };
	if (!use_cache)
		return bpf_map_lookup_elem(&lqos_lpm, &key);

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
		stat_inc(st, STAT_CACHE_HIT);
		if (!(ce->flags & CACHE_F_MAPPED))
			return NULL;
		return &ce->m;
	}
	stat_inc(st, STAT_CACHE_MISS);

	m = bpf_map_lookup_elem(&lqos_lpm, &key);
	struct lqos_cache_entry fresh = { .epoch = epoch };
	if (m) {
		fresh.m = *m;
		fresh.flags = CACHE_F_MAPPED;
	}
	/* BPF_ANY: a stale entry must be overwritten. */
	bpf_map_update_elem(&lqos_hotcache, addr, &fresh, BPF_ANY);
	return m;
}

#endif

/* keytab — fixed-size keys (agg_key) to dense indexes 0, 1, 2, ... in the
 * order first seen: the group lookup of agg, the analyzer's hottest loop. */
#ifndef SOCKSCOPE_KEYTAB_H
#define SOCKSCOPE_KEYTAB_H

#include <stddef.h>
#include <stdint.h>

#include "agg.h"

/* Open addressing, linear probing, at most half full. A slot is 8 bytes:
 * the index + 1 and the high 32 bits of the key's hash (its tag, which
 * also picks its home slot: growing the table reads no key), so a probe that meets
 * another key is told apart without reading that key; the keys sit in
 * their own array of 20-byte entries, not in the (much larger) groups.
 * With 10^5 .. 10^6 keys, the table and the groups no longer fit in the
 * caches: a lookup then costs about one cache miss in the slots and one
 * in the keys, where reading the groups' keys cost several. */
struct keytab {
	uint64_t *slot;          /* 0: empty; else tag << 32 | (index + 1) */
	size_t nslot;            /* power of two */
	struct agg_key *key;     /* by index */
	size_t n, cap;
};

/* An empty table. 0 or -ENOMEM. */
int keytab_init(struct keytab *t);
void keytab_fini(struct keytab *t);

/* splitmix64's finaliser: a bijection, every input bit reaching every
 * output bit (the groups' keys here, agg.c's peer sets). */
static inline uint64_t keytab_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* The hash of k: what keytab_get and keytab_prefetch take (computed once
 * when a caller prefetches, then looks up). */
uint64_t keytab_hash(const struct agg_key *k);

/* Room for n keys in the key array (the slots still grow as keys come:
 * they are read at random, so slots made ahead would all be touched). 0 or
 * -ENOMEM. */
int keytab_reserve(struct keytab *t, size_t n);

/* The index of k, added (as the next index, n) when new: *added then 1,
 * else 0 (added may be NULL). The index, or -ENOMEM (the table unchanged). */
long keytab_get(struct keytab *t, const struct agg_key *k, uint64_t h, int *added);

/* The index of k, or -1. */
long keytab_find(const struct keytab *t, const struct agg_key *k, uint64_t h);

/* A lookup of hash h comes soon: stage 0 fetches its slot (and returns
 * -1), stage 1 (when the slot has arrived) the key it names, and returns
 * that key's index (a likely match: the caller may prefetch its own data
 * for it), or -1 for an empty slot. */
long keytab_prefetch(const struct keytab *t, uint64_t h, int stage);

#endif

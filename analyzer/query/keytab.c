/* keytab — agg_key to dense index: tagged open-addressing slots over a
 * compact key array (see keytab.h for why this shape). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "keytab.h"

#define FIRST_SLOTS 1024

int keytab_init(struct keytab *t)
{
	memset(t, 0, sizeof *t);
	t->slot = calloc(FIRST_SLOTS, sizeof *t->slot);
	if (!t->slot)
		return -ENOMEM;
	t->nslot = FIRST_SLOTS;
	return 0;
}

void keytab_fini(struct keytab *t)
{
	free(t->slot);
	free(t->key);
	memset(t, 0, sizeof *t);
}

/* splitmix64's finaliser: a bijection, every input bit reaching every
 * output bit */
static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t keytab_hash(const struct agg_key *k)
{
	uint64_t w0, w1;
	uint32_t w2;

	_Static_assert(AGG_KEY_LEN == 20, "keytab_hash reads 8 + 8 + 4 bytes");
	memcpy(&w0, k->b, 8);
	memcpy(&w1, k->b + 8, 8);
	memcpy(&w2, k->b + 16, 4);
	/* keys that differ in the first word alone (IPv4 addresses, ports,
	 * states) never collide: mix64 is a bijection */
	return mix64(w0 ^ mix64(w1 ^ ((uint64_t)w2 << 32 | 0x9e3779b9u)));
}

static uint64_t slot_of(uint64_t h, size_t i)
{
	return (h & 0xffffffff00000000ULL) | (uint64_t)(i + 1);
}

static int grow_slots(struct keytab *t)
{
	size_t n = t->nslot * 2;
	uint64_t *s = calloc(n, sizeof *s);

	if (!s)
		return -ENOMEM;
	grow_hint_huge(s, n * sizeof *s);
	/* by index: the hashes are computed again (the slots keep only 32
	 * bits of each), once per doubling */
	for (size_t i = 0; i < t->n; i++) {
		uint64_t h = keytab_hash(&t->key[i]);
		size_t j = (size_t)h & (n - 1);

		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = slot_of(h, i);
	}
	free(t->slot);
	t->slot = s;
	t->nslot = n;
	return 0;
}

long keytab_find(const struct keytab *t, const struct agg_key *k, uint64_t h)
{
	uint64_t tag = h & 0xffffffff00000000ULL;
	size_t j = (size_t)h & (t->nslot - 1);

	for (uint64_t s; (s = t->slot[j]); j = (j + 1) & (t->nslot - 1)) {
		size_t i = (size_t)(s & 0xffffffffu) - 1;

		if ((s & 0xffffffff00000000ULL) == tag && !memcmp(t->key[i].b, k->b, AGG_KEY_LEN))
			return (long)i;
	}
	return -1;
}

long keytab_get(struct keytab *t, const struct agg_key *k, uint64_t h, int *added)
{
	uint64_t tag = h & 0xffffffff00000000ULL;
	struct agg_key *nk;
	size_t j;

	if (added)
		*added = 0;
	j = (size_t)h & (t->nslot - 1);
	for (uint64_t s; (s = t->slot[j]); j = (j + 1) & (t->nslot - 1)) {
		size_t i = (size_t)(s & 0xffffffffu) - 1;

		if ((s & 0xffffffff00000000ULL) == tag && !memcmp(t->key[i].b, k->b, AGG_KEY_LEN))
			return (long)i;
	}
	/* new: an index that fits the slot's 32 bits, room in both arrays */
	if (t->n >= 0xfffffffeu)
		return -ENOMEM;
	if (!(nk = grow(t->key, &t->cap, t->n, sizeof *nk, 256)))
		return -ENOMEM;
	t->key = nk;
	if ((t->n + 1) * 2 > t->nslot) {
		if (grow_slots(t) < 0)
			return -ENOMEM;
		j = (size_t)h & (t->nslot - 1);
		while (t->slot[j])
			j = (j + 1) & (t->nslot - 1);
	}
	t->key[t->n] = *k;
	t->slot[j] = slot_of(h, t->n);
	if (added)
		*added = 1;
	return (long)t->n++;
}

void keytab_prefetch(const struct keytab *t, uint64_t h, int stage)
{
	size_t j = (size_t)h & (t->nslot - 1);

	if (stage == 0) {
		__builtin_prefetch(&t->slot[j]);
	} else if (t->slot[j]) {
		__builtin_prefetch(&t->key[(t->slot[j] & 0xffffffffu) - 1]);
	}
}

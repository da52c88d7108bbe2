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
	return keytab_mix64(w0 ^ keytab_mix64(w1 ^ ((uint64_t)w2 << 32 | 0x9e3779b9u)));
}

static uint64_t slot_of(uint64_t h, size_t i)
{
	return (h & 0xffffffff00000000ULL) | (uint64_t)(i + 1);
}

/* A key's home slot: from the tag's bits, so that growing the table reads
 * only the slots, never the keys, and needs no hash again. */
static size_t home(uint64_t h, size_t nslot)
{
	return (size_t)(h >> 32) & (nslot - 1);
}

static int grow_slots(struct keytab *t)
{
	size_t n = t->nslot * 2;
	uint64_t *s = big_alloc(n, sizeof *s, true);

	if (!s)
		return -ENOMEM;
	/* in slot order: a slot's new home is 2j or 2j + 1 of its old one,
	 * so both tables are walked about in order */
	for (size_t i = 0; i < t->nslot; i++) {
		size_t j;

		if (!t->slot[i])
			continue;
		j = home(t->slot[i], n);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = s;
	t->nslot = n;
	return 0;
}

int keytab_reserve(struct keytab *t, size_t n)
{
	struct agg_key *nk;

	if (n <= t->cap)
		return 0;
	if (!(nk = grow_big_to(t->key, &t->cap, n, sizeof *nk, 256)))
		return -ENOMEM;
	t->key = nk;
	return 0;
}

long keytab_find(const struct keytab *t, const struct agg_key *k, uint64_t h)
{
	uint64_t tag = h & 0xffffffff00000000ULL;
	size_t j = home(h, t->nslot);

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
	j = home(h, t->nslot);
	for (uint64_t s; (s = t->slot[j]); j = (j + 1) & (t->nslot - 1)) {
		size_t i = (size_t)(s & 0xffffffffu) - 1;

		if ((s & 0xffffffff00000000ULL) == tag && !memcmp(t->key[i].b, k->b, AGG_KEY_LEN))
			return (long)i;
	}
	/* new: an index that fits the slot's 32 bits, room in both arrays */
	if (t->n >= 0xfffffffeu)
		return -ENOMEM;
	if (t->n == t->cap) {
		if (!(nk = grow_big(t->key, &t->cap, t->n, sizeof *nk, 256)))
			return -ENOMEM;
		t->key = nk;
	}
	if ((t->n + 1) * 2 > t->nslot) {
		if (grow_slots(t) < 0)
			return -ENOMEM;
		j = home(h, t->nslot);
		while (t->slot[j])
			j = (j + 1) & (t->nslot - 1);
	}
	t->key[t->n] = *k;
	t->slot[j] = slot_of(h, t->n);
	if (added)
		*added = 1;
	return (long)t->n++;
}

long keytab_prefetch(const struct keytab *t, uint64_t h, int stage)
{
	uint64_t s;

	if (stage == 0) {
		__builtin_prefetch(&t->slot[home(h, t->nslot)]);
		return -1;
	}
	if (!(s = t->slot[home(h, t->nslot)]))
		return -1;
	__builtin_prefetch(&t->key[(s & 0xffffffffu) - 1]);
	return (long)(s & 0xffffffffu) - 1;
}

/* agg — grouping socket rows in C: an open-addressing table of groups, a
 * pool of per-group state lists and a set of (group, peer) pairs. A group
 * folds its count for a snapshot when the next snapshot's first row for it
 * arrives (or at agg_end), so rows are touched once. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "agg.h"
#include "agg_int.h"
#include "tcpstate.h"

void agg_key_addr(struct agg_key *k, const struct addr *a, unsigned prefix4, unsigned prefix6)
{
	struct addr m = *a;
	unsigned p = m.family == AF_INET ? prefix4 : prefix6;

	if (p)
		addr_mask(&m, p);
	memset(k, 0, sizeof *k);
	k->b[0] = m.family;
	memcpy(k->b + 1, m.a, 16);
}

void agg_key_cidr(const struct agg_key *k, unsigned prefix4, unsigned prefix6, struct cidr *c)
{
	unsigned p;

	memset(c, 0, sizeof *c);
	c->addr.family = k->b[0];
	memcpy(c->addr.a, k->b + 1, 16);
	p = c->addr.family == AF_INET ? prefix4 : prefix6;
	c->prefix = (uint8_t)(p ? p : addr_maxprefix(&c->addr));
}

size_t agg_key_addr_format(const struct agg_key *k, unsigned prefix4, unsigned prefix6,
			   char *out, size_t n)
{
	struct addr a = {.family = k->b[0]};
	unsigned p = a.family == AF_INET ? prefix4 : prefix6;
	size_t l;

	memcpy(a.a, k->b + 1, 16);
	l = addr_format(&a, out, n);
	if (p && l < n) {
		int w = snprintf(out + l, n - l, "/%u", p);

		l += w > 0 ? (size_t)w : 0;
	}
	return l < n ? l : n - 1;
}

const char *agg_state_name(unsigned st)
{
	return st == AGG_UNCONN ? "UNCONN" : tcpstate_name((int)st);
}

int agg_state_parse(const char *s, size_t len)
{
	int st;

	if (len == 6 && !memcmp(s, "UNCONN", 6))
		return AGG_UNCONN;
	st = tcpstate_parse(s, len);
	return st > 0 && st < AGG_NSTATE ? st : -1;
}

static uint64_t hash_bytes(const uint8_t *b, size_t n, uint64_t h)
{
	while (n >= 8) {
		uint64_t w;

		memcpy(&w, b, 8);
		h = keytab_mix64(h ^ w);
		b += 8;
		n -= 8;
	}
	if (n) {
		uint64_t w = 0;

		memcpy(&w, b, n);
		h = keytab_mix64(h ^ w ^ (uint64_t)n << 56);
	}
	return h;
}

struct agg *agg_new(unsigned flags)
{
	struct agg *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	a->flags = flags;
	a->snap = NONE;
	a->tstate = NONE;
	if (keytab_init(&a->kt) < 0) {
		free(a);
		return NULL;
	}
	return a;
}

void agg_free(struct agg *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->ng; i++)
		free(a->g[i].cells);
	free(a->g);
	keytab_fini(&a->kt);
	free(a->mix);
	free(a->peer);
	free(a->peer4);
	free(a->bits);
	free(a->sev);
	free(a);
}

int agg_reserve(struct agg *a, size_t groups, size_t spans)
{
	struct agg_group *ng;
	struct agg_sev *v;

	if (groups > a->capg) {
		if (!(ng = grow_big_to(a->g, &a->capg, groups, sizeof *ng, 256)))
			return -ENOMEM;
		a->g = ng;
	}
	if (spans > a->capsev) {
		if (!(v = grow_big_to(a->sev, &a->capsev, spans, sizeof *v, 1024)))
			return -ENOMEM;
		a->sev = v;
	}
	return keytab_reserve(&a->kt, groups);
}

void agg_host_bits(struct agg *a, unsigned bits)
{
	a->host_bits = bits <= 12 ? bits : 0;
}

void agg_state_total(struct agg *a, unsigned state)
{
	a->tstate = state == ST_NEW_SYN_RECV ? ST_SYN_RECV : state;
}

int agg_snapshot(struct agg *a, uint32_t snap, usec_t time)
{
	if (snap == NONE)
		return -EINVAL;
	a->snap = snap;
	a->time = time;
	return 0;
}

long agg_group_of(struct agg *a, const struct agg_key *k)
{
	return agg_group_of_h(a, k, keytab_hash(k));
}

long agg_group_of_h(struct agg *a, const struct agg_key *k, uint64_t h)
{
	struct agg_group *g, *ng;
	int added;
	long i;

	/* room for a new group first: the key table then never holds a key
	 * without its group */
	if (!(ng = grow_big(a->g, &a->capg, a->ng, sizeof *ng, 256)))
		return -ENOMEM;
	a->g = ng;
	i = keytab_get(&a->kt, k, h, &added);
	if (i < 0 || !added)
		return i;
	g = &a->g[a->ng];
	memset(g, 0, sizeof *g);
	g->key = *k;
	g->cur_snap = NONE;
	g->mix = NONE;
	g->bits = NONE;
	return (long)a->ng++;
}

void agg_prefetch(const struct agg *a, const struct agg_key *k, int stage)
{
	uint64_t h = keytab_hash(k);

	if (stage == 0) {
		keytab_prefetch(&a->kt, h, 0);
	} else {
		long i = keytab_prefetch(&a->kt, h, 1);

		if (i >= 0) {
			__builtin_prefetch(&a->g[i]);
			__builtin_prefetch((const char *)&a->g[i] + 64);
		}
	}
}

/* Folds g's count of the snapshot it was last counted in. */
static int close_snap(struct agg *a, struct agg_group *g)
{
	usec_t time = g->cur_time;

	if (g->cur_snap == NONE || g->cur == 0)
		return 0;
	if (g->present == 0 || time < g->first)
		g->first = time;
	if (g->present == 0 || time > g->last)
		g->last = time;
	g->present++;
	g->total += g->cur;
	if (g->cur > g->peak || (g->cur == g->peak && (time < g->peak_time ||
	    (time == g->peak_time && g->cur_snap < g->peak_snap)))) {
		g->peak = g->cur;
		g->peak_time = time;
		g->peak_snap = g->cur_snap;
		for (uint32_t m = g->mix; m != NONE; m = a->mix[m].next)
			a->mix[m].peak = a->mix[m].cur;
	}
	for (uint32_t m = g->mix; m != NONE; m = a->mix[m].next)
		a->mix[m].cur = 0;
	if (a->flags & AGG_CELLS) {
		if (g->ncells == g->capcells) {
			size_t cap = g->capcells ? g->capcells * 2 : 4;
			struct agg_cell *c = realloc(g->cells, cap * sizeof *c);

			if (!c)
				return -ENOMEM;
			g->cells = c;
			g->capcells = cap;
		}
		g->cells[g->ncells++] = (struct agg_cell){g->cur_snap, g->cur};
	}
	g->cur = 0;
	g->cur_snap = NONE;
	return 0;
}

int agg_mix_add(struct agg *a, struct agg_group *g, unsigned state, uint32_t n, bool peak)
{
	struct mix *nm;
	uint32_t *link;

	for (uint32_t m = g->mix; m != NONE; m = a->mix[m].next) {
		if (a->mix[m].state == state) {
			if (peak)
				a->mix[m].peak += n;
			else
				a->mix[m].cur += n;
			return 0;
		}
	}
	if (!(nm = grow(a->mix, &a->capmix, a->nmix, sizeof *nm, 256)))
		return -ENOMEM;
	a->mix = nm;
	if (a->nmix >= NONE)
		return -ENOMEM;
	/* the end of g's list, found after the pool may have moved */
	link = &g->mix;
	while (*link != NONE)
		link = &a->mix[*link].next;
	*link = (uint32_t)a->nmix;
	a->mix[a->nmix++] = (struct mix){NONE, state, peak ? 0 : n, peak ? n : 0};
	return 0;
}

/* Two open-addressing sets of (group, peer): IPv4 peers in 8-byte slots,
 * IPv6 in 20-byte ones, so the common case stays in cache. */
static int grow_peers(struct agg *a)
{
	size_t n = a->npeerslot ? a->npeerslot * 2 : 4096;
	struct peer *p = big_alloc(n, sizeof *p, true);

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < a->npeerslot; i++) {
		size_t j;

		if (!a->peer[i].group1)
			continue;
		j = hash_bytes(a->peer[i].addr, 16, a->peer[i].group1) & (n - 1);
		while (p[j].group1)
			j = (j + 1) & (n - 1);
		p[j] = a->peer[i];
	}
	free(a->peer);
	a->peer = p;
	a->npeerslot = n;
	return 0;
}

static int peer6_add(struct agg *a, uint32_t group, const uint8_t addr[16])
{
	size_t j;

	if ((a->npeer + 1) * 2 > a->npeerslot && grow_peers(a) < 0)
		return -ENOMEM;
	j = hash_bytes(addr, 16, group + 1) & (a->npeerslot - 1);
	while (a->peer[j].group1) {
		if (a->peer[j].group1 == group + 1 && !memcmp(a->peer[j].addr, addr, 16))
			return 0;
		j = (j + 1) & (a->npeerslot - 1);
	}
	a->peer[j].group1 = group + 1;
	memcpy(a->peer[j].addr, addr, 16);
	a->npeer++;
	return 1;
}

static int grow_peers4(struct agg *a)
{
	size_t n = a->npeer4slot ? a->npeer4slot * 2 : 4096;
	uint64_t *p = big_alloc(n, sizeof *p, true);

	if (!p)
		return -ENOMEM;
	for (size_t i = 0; i < a->npeer4slot; i++) {
		size_t j;

		if (!a->peer4[i])
			continue;
		j = keytab_mix64(a->peer4[i]) & (n - 1);
		while (p[j])
			j = (j + 1) & (n - 1);
		p[j] = a->peer4[i];
	}
	free(a->peer4);
	a->peer4 = p;
	a->npeer4slot = n;
	return 0;
}

/* A slot holds (group + 1) << 32 | address: never 0, the empty slot. */
static int peer4_add(struct agg *a, uint32_t group, uint32_t v4)
{
	uint64_t v = (uint64_t)(group + 1) << 32 | v4;
	size_t j;

	if ((a->npeer4 + 1) * 2 > a->npeer4slot && grow_peers4(a) < 0)
		return -ENOMEM;
	j = keytab_mix64(v) & (a->npeer4slot - 1);
	while (a->peer4[j]) {
		if (a->peer4[j] == v)
			return 0;
		j = (j + 1) & (a->npeer4slot - 1);
	}
	a->peer4[j] = v;
	a->npeer4++;
	return 1;
}

/* With host bits set, an IPv4 peer is a bit in its group's bitmap (the
 * group is its /p, so the low bits name it): no lookup at all. */
static int peer4_bit(struct agg *a, struct agg_group *g, uint32_t v4)
{
	uint32_t h = v4 & ((1u << a->host_bits) - 1);
	uint8_t *b;

	if (g->bits == NONE) {
		size_t bytes = (((size_t)1 << a->host_bits) + 7) / 8;

		if (a->nbits + bytes > a->capbits) {
			size_t cap = a->capbits ? a->capbits * 2 : 4096;
			uint8_t *nb;

			while (cap < a->nbits + bytes)
				cap *= 2;
			if (cap >= NONE)
				return -ENOMEM;
			nb = realloc(a->bits, cap);
			if (!nb)
				return -ENOMEM;
			a->bits = nb;
			a->capbits = cap;
		}
		memset(a->bits + a->nbits, 0, bytes);
		g->bits = (uint32_t)a->nbits;
		a->nbits += bytes;
	}
	b = a->bits + g->bits + h / 8;
	if (*b & (1u << (h % 8)))
		return 0;
	*b = (uint8_t)(*b | 1u << (h % 8));
	return 1;
}

static uint32_t v4_of(const uint8_t *a)
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

int agg_peer_add(struct agg *a, uint32_t group, const struct addr *p)
{
	if (p->family == AF_INET)
		return a->host_bits ? peer4_bit(a, &a->g[group], v4_of(p->a))
				    : peer4_add(a, group, v4_of(p->a));
	return peer6_add(a, group, p->a);
}

int agg_add(struct agg *a, const struct agg_key *k, const struct addr *peer, unsigned state)
{
	struct agg_group *g;
	long i;
	int rc;

	if (a->snap == NONE)
		return -EINVAL;   /* rows belong to a snapshot */
	i = agg_group_of(a, k);
	if (i < 0)
		return (int)i;
	g = &a->g[i];
	if (g->cur_snap != a->snap) {
		/* the snapshot g was counted in ended before this one began */
		if ((rc = close_snap(a, g)) < 0)
			return rc;
		g->cur_snap = a->snap;
		g->cur_time = a->time;
	}
	g->cur++;
	if (state == ST_NEW_SYN_RECV)
		state = ST_SYN_RECV;   /* one name, one count */
	if (state >= AGG_NSTATE)
		state = 0;
	if (state == a->tstate)
		g->state_total++;
	if ((rc = agg_mix_add(a, g, state, 1, false)) < 0)
		return rc;
	if (peer && (a->flags & AGG_PEERS)) {
		rc = agg_peer_add(a, (uint32_t)i, peer);
		if (rc < 0)
			return rc;
		a->g[i].peers += (uint32_t)rc;
	}
	return 0;
}

int agg_end(struct agg *a)
{
	int rc;

	if (a->ended)
		return 0;
	if ((rc = agg_span_flush(a)) < 0)
		return rc;
	/* rows leave a snapshot open in their groups; spans alone, none */
	for (size_t i = 0; a->snap != NONE && i < a->ng; i++)
		if ((rc = close_snap(a, &a->g[i])) < 0)
			return rc;
	if ((rc = agg_span_end(a)) < 0)
		return rc;
	a->ended = true;
	return 0;
}

/* Adds from's group f into a's group i. */
static int merge_group(struct agg *a, size_t i, const struct agg *from,
		       const struct agg_group *f)
{
	struct agg_group *g = &a->g[i];
	int rc;

	/* spans counted as totals alone (AGG_TOTALS) leave present 0 */
	g->state_total += f->state_total;
	if (f->present == 0) {
		g->total += f->total;
		return 0;
	}
	if (f->peak > g->peak ||
	    (f->peak == g->peak && (f->peak_time < g->peak_time ||
	     (f->peak_time == g->peak_time && f->peak_snap < g->peak_snap))) ||
	    g->present == 0) {
		g->peak = f->peak;
		g->peak_time = f->peak_time;
		g->peak_snap = f->peak_snap;
		for (uint32_t m = g->mix; m != NONE; m = a->mix[m].next)
			a->mix[m].peak = 0;
		for (uint32_t m = f->mix; m != NONE; m = from->mix[m].next)
			if ((rc = agg_mix_add(a, &a->g[i], from->mix[m].state, from->mix[m].peak,
					  true)) < 0)
				return rc;
		g = &a->g[i];
	}
	if (g->present == 0 || f->first < g->first)
		g->first = f->first;
	if (g->present == 0 || f->last > g->last)
		g->last = f->last;
	g->present += f->present;
	g->total += f->total;
	if (f->ncells) {
		size_t n = g->ncells + f->ncells;

		if (n > g->capcells) {
			struct agg_cell *c = realloc(g->cells, n * sizeof *c);

			if (!c)
				return -ENOMEM;
			g->cells = c;
			g->capcells = n;
		}
		memcpy(g->cells + g->ncells, f->cells, f->ncells * sizeof *f->cells);
		g->ncells = n;
	}
	return 0;
}

int agg_merge(struct agg *a, const struct agg *from)
{
	uint32_t *map = NULL;
	int rc = -ENOMEM, n4;

	if (!(map = malloc((from->ng ? from->ng : 1) * sizeof *map)))
		return -ENOMEM;
	for (size_t i = 0; i < from->ng; i++) {
		long j;

		/* the slot of a group 8 ahead, on its way while this one is
		 * looked up (the groups of a flood: most miss the caches) */
		if (i + 8 < from->ng)
			agg_prefetch(a, &from->g[i + 8].key, 0);
		j = agg_group_of(a, &from->g[i].key);
		if (j < 0 || merge_group(a, (size_t)j, from, &from->g[i]) < 0)
			goto out;
		map[i] = (uint32_t)j;
	}
	for (size_t i = 0; i < from->npeerslot; i++) {
		const struct peer *p = &from->peer[i];
		int n;

		if (!p->group1)
			continue;
		n = peer6_add(a, map[p->group1 - 1], p->addr);
		if (n < 0)
			goto out;
		a->g[map[p->group1 - 1]].peers += (uint32_t)n;
	}
	for (size_t i = 0; i < from->npeer4slot; i++) {
		uint64_t v = from->peer4[i];
		int n;

		if (!v)
			continue;
		n = peer4_add(a, map[(v >> 32) - 1], (uint32_t)v);
		if (n < 0)
			goto out;
		a->g[map[(v >> 32) - 1]].peers += (uint32_t)n;
	}
	/* bitmaps: each bit the other had is a peer added here */
	for (size_t i = 0; i < from->ng; i++) {
		const struct agg_group *f = &from->g[i];
		size_t nbit = (size_t)1 << a->host_bits;

		if (f->bits == NONE || !a->host_bits)
			continue;
		for (size_t w = 0; w < nbit; w++) {
			if (!(from->bits[f->bits + w / 8] & (1u << (w % 8))))
				continue;
			n4 = peer4_bit(a, &a->g[map[i]], (uint32_t)w);
			if (n4 < 0)
				goto out;
			a->g[map[i]].peers += (uint32_t)n4;
		}
	}
	rc = 0;
out:
	free(map);
	return rc;
}

void agg_mix(const struct agg *a, const struct agg_group *g, uint32_t mix[AGG_NSTATE])
{
	memset(mix, 0, AGG_NSTATE * sizeof *mix);
	for (uint32_t m = g->mix; m != NONE; m = a->mix[m].next)
		mix[a->mix[m].state] = a->mix[m].peak;
}

const struct agg_group *agg_find(const struct agg *a, const struct agg_key *k)
{
	long i = keytab_find(&a->kt, k, keytab_hash(k));

	return i < 0 ? NULL : &a->g[i];
}

size_t agg_ngroups(const struct agg *a)
{
	return a->ng;
}

struct agg_group *agg_groups(struct agg *a)
{
	return a->g;
}

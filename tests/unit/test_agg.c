/* Unit tests for analyzer/agg: every group field on hand-made snapshots,
 * peers (hash and host-bit paths), merges against one agg fed everything,
 * state names, a table grown to 300000 groups, and spans (agg_span, also
 * counted as totals alone: AGG_TOTALS) against
 * the same rows fed one by one — exact numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "agg.h"
#include "tcpstate.h"

#define SEC ((usec_t)1000000)
#define T0 ((usec_t)1700000000 * SEC) /* 2023-11-14T22:13:20Z */

static struct addr ip(const char *s)
{
	struct addr a;

	if (addr_parse(s, strlen(s), &a) != 0)
		fail_msg("addr_parse(\"%s\") failed", s);
	return a;
}

/* A key made of a short name: the rest of the bytes stay 0. */
static struct agg_key key_name(const char *s)
{
	struct agg_key k = {{0}};

	assert_true(strlen(s) <= AGG_KEY_LEN);
	memcpy(k.b, s, strlen(s));
	return k;
}

/* The key report_top builds for `--by subnet`: family, then the masked
 * address. */
static struct agg_key key_net(const struct addr *a, unsigned prefix)
{
	struct agg_key k = {{0}};
	struct addr m = *a;

	addr_mask(&m, prefix);
	k.b[0] = m.family;
	memcpy(k.b + 1, m.a, 16);
	return k;
}

static struct agg_group *find(struct agg *a, const struct agg_key *k)
{
	struct agg_group *g = agg_groups(a);

	for (size_t i = 0; i < agg_ngroups(a); i++)
		if (!memcmp(g[i].key.b, k->b, AGG_KEY_LEN))
			return &g[i];
	return NULL;
}

/* The group of k; the test stops when there is none. */
static struct agg_group *must_key(struct agg *a, const struct agg_key *k)
{
	struct agg_group *g = find(a, k);

	if (!g) {
		fail_msg("no group with key %02x %02x %02x %02x...", k->b[0], k->b[1], k->b[2],
			 k->b[3]);
		abort(); /* not reached: fail_msg does not return */
	}
	return g;
}

static struct agg_group *must_find(struct agg *a, const char *name)
{
	struct agg_key k = key_name(name);

	return must_key(a, &k);
}

static void snap(struct agg *a, uint32_t s, usec_t t)
{
	assert_int_equal(agg_snapshot(a, s, t), 0);
}

static void add(struct agg *a, const char *name, const char *peer, unsigned st)
{
	struct agg_key k = key_name(name);
	struct addr p;

	if (peer)
		p = ip(peer);
	assert_int_equal(agg_add(a, &k, peer ? &p : NULL, st), 0);
}

static void add_n(struct agg *a, const char *name, const char *peer, unsigned st, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		add(a, name, peer, st);
}

/* The mix at the peak as a list of (state, count); every other state 0. */
static void assert_mix(const struct agg *a, const struct agg_group *g, const unsigned *want,
		       size_t npairs)
{
	uint32_t mix[AGG_NSTATE], exp[AGG_NSTATE] = {0};

	for (size_t i = 0; i < npairs; i++)
		exp[want[2 * i]] = want[2 * i + 1];
	agg_mix(a, g, mix);
	for (unsigned s = 0; s < AGG_NSTATE; s++)
		if (mix[s] != exp[s])
			fail_msg("mix[%s] = %u, want %u", agg_state_name(s), mix[s], exp[s]);
}

static void assert_cells(const struct agg_group *g, const uint32_t *want, size_t n)
{
	assert_int_equal(g->ncells, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(g->cells[i].snap, want[2 * i]);
		assert_int_equal(g->cells[i].count, want[2 * i + 1]);
	}
}

static void assert_fields(const struct agg_group *g, uint32_t peak, usec_t peak_time,
			  uint64_t total, uint32_t present, usec_t first, usec_t last,
			  uint32_t peers)
{
	assert_int_equal(g->peak, peak);
	assert_int_equal(g->peak_time, peak_time);
	assert_int_equal(g->total, total);
	assert_int_equal(g->present, present);
	assert_int_equal(g->first, first);
	assert_int_equal(g->last, last);
	assert_int_equal(g->peers, peers);
}

/*
 * Three snapshots fed out of time order (20 s, 10 s, 30 s), three groups,
 * rows of the groups interleaved:
 *   snap 10 @T0+20  A: EST EST TIME_WAIT    B: LISTEN
 *   snap 11 @T0+10  A: EST SYN_RECV x2      C: UNCONN x4
 *   snap 12 @T0+30  A: EST                  B: LISTEN CLOSE_WAIT  C: UNCONN x4
 * A ties at 3 (snaps 10 and 11): the earlier time wins though fed later.
 * C ties at 4 (snaps 11 and 12): the earlier time was fed first.
 */
static void feed_three(struct agg *a)
{
	snap(a, 10, T0 + 20 * SEC);
	add(a, "A", "192.0.2.1", ST_ESTABLISHED);
	add(a, "B", NULL, ST_LISTEN);
	add(a, "A", "192.0.2.1", ST_ESTABLISHED);
	add(a, "A", "192.0.2.2", ST_TIME_WAIT);
	snap(a, 11, T0 + 10 * SEC);
	add(a, "C", "198.51.100.7", AGG_UNCONN);
	add(a, "A", "2001:db8::1", ST_SYN_RECV);
	add(a, "C", "198.51.100.7", AGG_UNCONN);
	add(a, "A", "192.0.2.1", ST_ESTABLISHED);
	add_n(a, "C", "198.51.100.7", AGG_UNCONN, 2);
	add(a, "A", "2001:db8::1", ST_SYN_RECV);
	snap(a, 12, T0 + 30 * SEC);
	add(a, "B", NULL, ST_CLOSE_WAIT);
	add(a, "C", "198.51.100.7", AGG_UNCONN);
	add(a, "A", NULL, ST_ESTABLISHED);
	add_n(a, "C", "198.51.100.7", AGG_UNCONN, 3);
	add(a, "B", NULL, ST_LISTEN);
}

static void test_three_snapshots(void **state)
{
	static const unsigned mix_a[] = {ST_ESTABLISHED, 1, ST_SYN_RECV, 2};
	static const unsigned mix_b[] = {ST_LISTEN, 1, ST_CLOSE_WAIT, 1};
	static const unsigned mix_c[] = {AGG_UNCONN, 4};
	static const uint32_t cells_a[] = {10, 3, 11, 3, 12, 1};
	static const uint32_t cells_b[] = {10, 1, 12, 2};
	static const uint32_t cells_c[] = {11, 4, 12, 4};
	struct agg *a = agg_new(AGG_PEERS | AGG_CELLS);
	struct agg_group *g;
	uint64_t sum = 0;

	(void)state;
	assert_non_null(a);
	feed_three(a);
	assert_int_equal(agg_end(a), 0);
	assert_int_equal(agg_ngroups(a), 3);

	g = must_find(a, "A");
	assert_fields(g, 3, T0 + 10 * SEC, 7, 3, T0 + 10 * SEC, T0 + 30 * SEC, 3);
	assert_mix(a, g, mix_a, 2);
	assert_cells(g, cells_a, 3);

	g = must_find(a, "B");
	assert_fields(g, 2, T0 + 30 * SEC, 3, 2, T0 + 20 * SEC, T0 + 30 * SEC, 0);
	assert_mix(a, g, mix_b, 2);
	assert_cells(g, cells_b, 2);

	g = must_find(a, "C");
	assert_fields(g, 4, T0 + 10 * SEC, 8, 2, T0 + 10 * SEC, T0 + 30 * SEC, 1);
	assert_mix(a, g, mix_c, 1);
	assert_cells(g, cells_c, 2);

	for (size_t i = 0; i < agg_ngroups(a); i++)
		sum += agg_groups(a)[i].total;
	assert_int_equal(sum, 18);
	agg_free(a);

	/* without the flags: same counts, no peers, no cells */
	a = agg_new(0);
	assert_non_null(a);
	feed_three(a);
	assert_int_equal(agg_end(a), 0);
	g = must_find(a, "A");
	assert_fields(g, 3, T0 + 10 * SEC, 7, 3, T0 + 10 * SEC, T0 + 30 * SEC, 0);
	assert_mix(a, g, mix_a, 2);
	assert_int_equal(g->ncells, 0);
	assert_null(g->cells);
	g = must_find(a, "C");
	assert_fields(g, 4, T0 + 10 * SEC, 8, 2, T0 + 10 * SEC, T0 + 30 * SEC, 0);
	agg_free(a);
	agg_free(NULL);
}

/* A larger, later peak replaces the mix; a smaller one does not touch it;
 * a tie fed later with a later time neither. */
static void test_peak_moves(void **state)
{
	static const unsigned mix1[] = {ST_LISTEN, 2, ST_ESTABLISHED, 3};
	static const unsigned mix2[] = {ST_ESTABLISHED, 1, ST_TIME_WAIT, 4};
	struct agg *a = agg_new(0);
	struct agg_group *g;

	(void)state;
	assert_non_null(a);
	snap(a, 1, T0);
	add_n(a, "X", NULL, ST_LISTEN, 2);
	add_n(a, "X", NULL, ST_ESTABLISHED, 3);
	snap(a, 2, T0 + SEC);
	add_n(a, "X", NULL, ST_ESTABLISHED, 4);
	snap(a, 3, T0 + 2 * SEC);
	add_n(a, "X", NULL, ST_SYN_SENT, 5);
	assert_int_equal(agg_end(a), 0);
	g = must_find(a, "X");
	assert_fields(g, 5, T0, 14, 3, T0, T0 + 2 * SEC, 0);
	assert_mix(a, g, mix1, 2);
	agg_free(a);

	/* peak in the middle, states new in the peak snapshot */
	a = agg_new(0);
	assert_non_null(a);
	snap(a, 1, T0);
	add_n(a, "X", NULL, ST_LISTEN, 2);
	snap(a, 2, T0 - 5 * SEC);
	add(a, "X", NULL, ST_ESTABLISHED);
	add_n(a, "X", NULL, ST_TIME_WAIT, 4);
	snap(a, 3, T0 + 5 * SEC);
	add_n(a, "X", NULL, ST_LISTEN, 3);
	add(a, "X", NULL, ST_CLOSING);
	assert_int_equal(agg_end(a), 0);
	g = must_find(a, "X");
	assert_fields(g, 5, T0 - 5 * SEC, 11, 3, T0 - 5 * SEC, T0 + 5 * SEC, 0);
	assert_mix(a, g, mix2, 2);
	agg_free(a);
}

/* States past the last one count as 0 (UNKNOWN). */
static void test_state_out_of_range(void **state)
{
	static const unsigned mix[] = {ST_UNKNOWN, 3, ST_LISTEN, 1};
	struct agg *a = agg_new(0);

	(void)state;
	assert_non_null(a);
	snap(a, 0, T0);
	add(a, "X", NULL, AGG_NSTATE);
	add(a, "X", NULL, 255);
	add(a, "X", NULL, 0);
	add(a, "X", NULL, ST_LISTEN);
	assert_int_equal(agg_end(a), 0);
	assert_mix(a, must_find(a, "X"), mix, 2);
	agg_free(a);
}

static void test_peers(void **state)
{
	struct agg *a = agg_new(AGG_PEERS);
	struct agg_group *g;

	(void)state;
	assert_non_null(a);
	snap(a, 1, T0);
	add(a, "G", "0.0.0.1", ST_ESTABLISHED);
	add(a, "G", "::1", ST_ESTABLISHED);
	add(a, "G", "0.0.0.1", ST_ESTABLISHED);
	add(a, "G", "::1", ST_ESTABLISHED);
	add(a, "G", NULL, ST_LISTEN);
	add(a, "G", "192.0.2.1", ST_ESTABLISHED);
	/* mapped addresses are not folded here: the importer folds */
	add(a, "G", "::ffff:192.0.2.1", ST_ESTABLISHED);
	/* same low byte, other network: the hash path keys the whole address */
	add(a, "G", "198.51.100.1", ST_ESTABLISHED);
	add(a, "G", "2001:db8::1", ST_ESTABLISHED);
	add(a, "G", "2001:db8::2", ST_ESTABLISHED);
	add(a, "G", "2001:db8::1", ST_ESTABLISHED);
	add(a, "H", "0.0.0.1", ST_ESTABLISHED);
	add(a, "H", NULL, ST_ESTABLISHED);
	add(a, "N", NULL, ST_LISTEN);
	add(a, "N", NULL, ST_LISTEN);
	snap(a, 2, T0 + SEC);
	/* known in an earlier snapshot: not new */
	add(a, "G", "::1", ST_ESTABLISHED);
	add(a, "G", "192.0.2.1", ST_ESTABLISHED);
	add(a, "H", "::1", ST_ESTABLISHED);
	add(a, "H", "0.0.0.1", ST_ESTABLISHED);
	assert_int_equal(agg_end(a), 0);
	assert_int_equal(agg_ngroups(a), 3);

	g = must_find(a, "G");
	assert_fields(g, 11, T0, 13, 2, T0, T0 + SEC, 7);
	g = must_find(a, "H");
	assert_fields(g, 2, T0, 4, 2, T0, T0 + SEC, 2);
	g = must_find(a, "N");
	assert_fields(g, 2, T0, 2, 1, T0, T0, 0);
	agg_free(a);
}

/* /24 groups with peers .1 to .255 (and .0): exact counts through the
 * bitmap, the same as through the hash sets. */
static void feed_hosts(struct agg *a)
{
	char s[64];

	for (uint32_t sn = 0; sn < 3; sn++) {
		snap(a, sn, T0 + (usec_t)sn * SEC);
		for (unsigned h = 1; h <= 255; h++) {
			struct addr p;
			struct agg_key k;

			/* every host once in snapshot 0, a third again later */
			if (sn > 0 && h % 3 != sn)
				continue;
			snprintf(s, sizeof s, "192.0.2.%u", h);
			p = ip(s);
			k = key_net(&p, 24);
			assert_int_equal(agg_add(a, &k, &p, ST_ESTABLISHED), 0);
			/* even hosts only, and twice */
			if (h <= 100 && h % 2 == 0) {
				snprintf(s, sizeof s, "198.51.100.%u", h);
				p = ip(s);
				k = key_net(&p, 24);
				assert_int_equal(agg_add(a, &k, &p, ST_TIME_WAIT), 0);
				assert_int_equal(agg_add(a, &k, &p, ST_TIME_WAIT), 0);
			}
			if (h <= 20) {
				snprintf(s, sizeof s, "2001:db8:1::%u", h);
				p = ip(s);
				k = key_net(&p, 48);
				assert_int_equal(agg_add(a, &k, &p, ST_ESTABLISHED), 0);
			}
		}
		/* host 0 and 255 of a third /24, and a row without a peer */
		for (unsigned h = 0; h <= 255; h += 255) {
			snprintf(s, sizeof s, "203.0.113.%u", h);
			struct addr p = ip(s);
			struct agg_key k = key_net(&p, 24);

			assert_int_equal(agg_add(a, &k, &p, ST_LISTEN), 0);
			assert_int_equal(agg_add(a, &k, NULL, ST_LISTEN), 0);
		}
	}
}

static uint32_t peers_of(struct agg *a, const char *net, unsigned prefix)
{
	struct addr p = ip(net);
	struct agg_key k = key_net(&p, prefix);

	return must_key(a, &k)->peers;
}

static void test_host_bits(void **state)
{
	const struct agg_group *g;
	struct agg *x[2];

	(void)state;
	for (int i = 0; i < 2; i++) {
		x[i] = agg_new(AGG_PEERS);
		assert_non_null(x[i]);
		if (i)
			agg_host_bits(x[i], 8);
		feed_hosts(x[i]);
		assert_int_equal(agg_end(x[i]), 0);
		assert_int_equal(agg_ngroups(x[i]), 4);
		assert_int_equal(peers_of(x[i], "192.0.2.0", 24), 255);
		assert_int_equal(peers_of(x[i], "198.51.100.0", 24), 50);
		assert_int_equal(peers_of(x[i], "203.0.113.0", 24), 2);
		assert_int_equal(peers_of(x[i], "2001:db8:1::", 48), 20);
	}
	/* everything else alike */
	for (size_t i = 0; i < agg_ngroups(x[0]); i++) {
		const struct agg_group *h;

		g = &agg_groups(x[0])[i];
		h = must_key(x[1], &g->key);
		assert_int_equal(g->peers, h->peers);
		assert_int_equal(g->total, h->total);
		assert_int_equal(g->peak, h->peak);
		assert_int_equal(g->present, h->present);
	}
	/* 192.0.2.0/24: 255 + 85 + 85 rows, 255 at T0 */
	g = must_key(x[1], &(struct agg_key){{AF_INET, 192, 0, 2}});
	assert_fields(g, 255, T0, 425, 3, T0, T0 + 2 * SEC, 255);
	agg_free(x[0]);
	agg_free(x[1]);

	/* bits past 12 turn the bitmap off, 12 is allowed */
	for (unsigned bits = 12; bits <= 13; bits++) {
		struct agg *a = agg_new(AGG_PEERS);

		assert_non_null(a);
		agg_host_bits(a, bits);
		snap(a, 0, T0);
		for (uint32_t h = 0; h < 4096; h += 7) {
			struct addr p = {.family = AF_INET,
					 .a = {198, 18, (uint8_t)(h >> 8), (uint8_t)h}};
			struct agg_key k = key_net(&p, 20);

			assert_int_equal(agg_add(a, &k, &p, ST_ESTABLISHED), 0);
			assert_int_equal(agg_add(a, &k, &p, ST_ESTABLISHED), 0);
		}
		assert_int_equal(agg_end(a), 0);
		assert_int_equal(agg_ngroups(a), 1);
		assert_int_equal(agg_groups(a)[0].peers, 586);
		assert_int_equal(agg_groups(a)[0].total, 1172);
		agg_free(a);
	}
}

/*
 * A deterministic stream: 40 snapshots (fed out of time order), ~20000
 * rows; peers from 198.18.0.0/18 grouped by /24 (64 groups, each missing
 * from some snapshots), 2001:db8:X::/48 (4 groups) and no peer (0.0.0.0/24,
 * like a listener in `top --by subnet`). A plain model computes what every
 * field must be.
 */
#define NSNAP 40
#define NGRP 69 /* 64 IPv4 /24s, 4 IPv6 /48s, the no-peer group */

struct stream_row {
	uint8_t snap, grp, state, host;
};

struct model {
	struct stream_row *rows;
	size_t nrows;
	uint32_t cnt[NGRP][NSNAP];
	uint32_t mix[NGRP][NSNAP][AGG_NSTATE];
	uint8_t seen[NGRP][256];
};

static uint32_t xorshift(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static uint32_t snap_id(unsigned s)
{
	return 1000 + 3 * s;
}

/* Distinct times, a permutation of the feeding order (17 is prime to 40). */
static usec_t snap_time(unsigned s)
{
	return T0 + (usec_t)((s * 17) % NSNAP) * 10 * SEC;
}

static struct model *model_new(void)
{
	struct model *m = calloc(1, sizeof *m);
	uint32_t r = 0x9e3779b9u;

	assert_non_null(m);
	m->rows = calloc(NSNAP * 750, sizeof *m->rows);
	assert_non_null(m->rows);
	for (unsigned s = 0; s < NSNAP; s++) {
		uint32_t n = 250 + xorshift(&r) % 500;

		for (uint32_t i = 0; i < n; i++) {
			uint32_t v = xorshift(&r);
			struct stream_row *w = &m->rows[m->nrows++];
			unsigned kind = v % 16, g;

			if (kind == 0) {
				g = 68;
			} else if (kind <= 2) {
				g = 64 + (v >> 4) % 4;
			} else {
				g = (v >> 4) % 64;
				/* each /24 sits out some snapshots */
				if ((g + s) % 7 == 0)
					g ^= 1;
			}
			w->snap = (uint8_t)s;
			w->grp = (uint8_t)g;
			w->host = (uint8_t)(v >> 12);
			w->state = (uint8_t)((v >> 20) % AGG_NSTATE);
			if (w->state == ST_NEW_SYN_RECV)
				w->state = ST_SYN_RECV;   /* agg counts it as SYN_RECV */
			m->cnt[g][s]++;
			m->mix[g][s][w->state]++;
			if (g != 68)
				m->seen[g][w->host] = 1;
		}
	}
	return m;
}

static void row_peer(const struct stream_row *w, struct addr *p, struct agg_key *k)
{
	memset(p, 0, sizeof *p);
	if (w->grp < 64) {
		*p = (struct addr){.family = AF_INET, .a = {198, 18, w->grp, w->host}};
		*k = key_net(p, 24);
	} else if (w->grp < 68) {
		p->family = AF_INET6;
		p->a[0] = 0x20;
		p->a[1] = 0x01;
		p->a[2] = 0x0d;
		p->a[3] = 0xb8;
		p->a[5] = (uint8_t)(w->grp - 64);
		p->a[15] = w->host;
		*k = key_net(p, 48);
	} else {
		p->family = AF_INET;
		*k = key_net(p, 24);
	}
}

static int grp_of(const struct agg_key *k)
{
	if (k->b[0] == AF_INET && k->b[1] == 198)
		return k->b[3];
	if (k->b[0] == AF_INET6)
		return 64 + k->b[1 + 5];
	if (k->b[0] == AF_INET && k->b[1] == 0)
		return 68;
	fail_msg("unexpected key");
	return -1;
}

/* Feeds the snapshots whose bit is set in `which` (bit s: snapshot s). */
static struct agg *feed_stream(const struct model *m, uint64_t which, unsigned bits)
{
	struct agg *a = agg_new(AGG_PEERS | AGG_CELLS);
	int cur = -1;

	assert_non_null(a);
	agg_host_bits(a, bits);
	for (size_t i = 0; i < m->nrows; i++) {
		const struct stream_row *w = &m->rows[i];
		struct addr p;
		struct agg_key k;

		if (!(which >> w->snap & 1))
			continue;
		if (w->snap != cur) {
			cur = w->snap;
			snap(a, snap_id(w->snap), snap_time(w->snap));
		}
		row_peer(w, &p, &k);
		assert_int_equal(agg_add(a, &k, w->grp == 68 ? NULL : &p, w->state), 0);
	}
	assert_int_equal(agg_end(a), 0);
	return a;
}

/* Every field of the single agg as the model says. */
static void check_model(const struct model *m, struct agg *a)
{
	bool got[NGRP] = {0};

	assert_int_equal(agg_ngroups(a), NGRP);
	for (size_t i = 0; i < agg_ngroups(a); i++) {
		const struct agg_group *g = &agg_groups(a)[i];
		int gi = grp_of(&g->key);
		uint32_t peak = 0, present = 0, peers = 0, mix[AGG_NSTATE];
		usec_t pt = 0, first = INT64_MAX, last = INT64_MIN;
		uint64_t total = 0;
		size_t nc = 0;
		int ps = -1;

		assert_false(got[gi]);
		got[gi] = true;
		for (unsigned s = 0; s < NSNAP; s++) {
			uint32_t c = m->cnt[gi][s];

			if (!c)
				continue;
			assert_true(nc < g->ncells);
			assert_int_equal(g->cells[nc].snap, snap_id(s));
			assert_int_equal(g->cells[nc].count, c);
			nc++;
			present++;
			total += c;
			first = snap_time(s) < first ? snap_time(s) : first;
			last = snap_time(s) > last ? snap_time(s) : last;
			if (c > peak || (c == peak && snap_time(s) < pt)) {
				peak = c;
				pt = snap_time(s);
				ps = (int)s;
			}
		}
		for (unsigned h = 0; h < 256; h++)
			peers += m->seen[gi][h];
		assert_true(ps >= 0);
		/* the stream leaves /24s out of some snapshots: present varies */
		if (gi < 64)
			assert_true(present < NSNAP);
		assert_int_equal(g->ncells, nc);
		assert_fields(g, peak, pt, total, present, first, last, peers);
		agg_mix(a, g, mix);
		assert_memory_equal(mix, m->mix[gi][ps], sizeof mix);
	}
}

static int cmp_cell(const void *x, const void *y)
{
	const struct agg_cell *a = x, *b = y;

	return (a->snap > b->snap) - (a->snap < b->snap);
}

/* Merged groups equal the single agg's, cells compared as sets. */
static void check_same(struct agg *one, struct agg *merged)
{
	assert_int_equal(agg_ngroups(merged), agg_ngroups(one));
	for (size_t i = 0; i < agg_ngroups(one); i++) {
		const struct agg_group *g = &agg_groups(one)[i];
		const struct agg_group *h = must_key(merged, &g->key);
		uint32_t mg[AGG_NSTATE], mh[AGG_NSTATE];
		struct agg_cell *cg, *ch;

		assert_fields(h, g->peak, g->peak_time, g->total, g->present, g->first, g->last,
			      g->peers);
		agg_mix(one, g, mg);
		agg_mix(merged, h, mh);
		assert_memory_equal(mg, mh, sizeof mg);
		assert_int_equal(h->ncells, g->ncells);
		cg = malloc(g->ncells * sizeof *cg);
		ch = malloc(g->ncells * sizeof *ch);
		assert_non_null(cg);
		assert_non_null(ch);
		memcpy(cg, g->cells, g->ncells * sizeof *cg);
		memcpy(ch, h->cells, g->ncells * sizeof *ch);
		qsort(cg, g->ncells, sizeof *cg, cmp_cell);
		qsort(ch, g->ncells, sizeof *ch, cmp_cell);
		assert_memory_equal(cg, ch, g->ncells * sizeof *cg);
		free(cg);
		free(ch);
	}
}

/* check_model wants cells in order: a merged agg's are sorted first. */
static void sort_all_cells(struct agg *a)
{
	for (size_t i = 0; i < agg_ngroups(a); i++)
		qsort(agg_groups(a)[i].cells, agg_groups(a)[i].ncells, sizeof(struct agg_cell),
		      cmp_cell);
}

static void test_merge(void **state)
{
	static const uint64_t all = (1ull << NSNAP) - 1;
	static const uint64_t splits[] = {
	    (1ull << 20) - 1,	   /* first 20 snapshots / last 20 */
	    0x5555555555ull & all, /* even / odd */
	    0x0f0f0f0f0full & all, /* blocks of four */
	    all,		   /* everything / nothing */
	};
	struct model *m = model_new();

	(void)state;
	assert_in_range(m->nrows, 15000, 25000);
	for (unsigned bits = 0; bits <= 8; bits += 8) {
		struct agg *one = feed_stream(m, all, bits);

		check_model(m, one);
		for (size_t i = 0; i < sizeof splits / sizeof splits[0]; i++) {
			for (int dir = 0; dir < 2; dir++) {
				uint64_t w = dir ? all & ~splits[i] : splits[i];
				struct agg *x = feed_stream(m, w, bits);
				struct agg *y = feed_stream(m, all & ~w, bits);

				assert_int_equal(agg_merge(x, y), 0);
				check_same(one, x);
				sort_all_cells(x);
				check_model(m, x);
				agg_free(x);
				agg_free(y);
			}
		}
		agg_free(one);
	}
	free(m->rows);
	free(m);
}

/* Three ways of merging: into an empty agg, an empty one in, and a chain
 * of four aggs of ten snapshots each. */
static void test_merge_chain(void **state)
{
	static const uint64_t all = (1ull << NSNAP) - 1;
	struct model *m = model_new();
	struct agg *part[4], *empty, *one;

	(void)state;
	one = feed_stream(m, all, 8);
	empty = feed_stream(m, 0, 8);
	assert_int_equal(agg_ngroups(empty), 0);
	assert_int_equal(agg_merge(empty, one), 0);
	check_same(one, empty);
	agg_free(empty);

	empty = feed_stream(m, 0, 8);
	assert_int_equal(agg_merge(one, empty), 0);
	check_model(m, one);
	agg_free(empty);

	for (unsigned i = 0; i < 4; i++)
		part[i] = feed_stream(m, 0x3ffull << (10 * (3 - i)), 0);
	for (unsigned i = 1; i < 4; i++)
		assert_int_equal(agg_merge(part[0], part[i]), 0);
	sort_all_cells(part[0]);
	check_model(m, part[0]);
	for (unsigned i = 0; i < 4; i++)
		agg_free(part[i]);
	agg_free(one);
	free(m->rows);
	free(m);
}

/* In snapshot 1, not in 2, back in 3, then gone for 4 and 5: the fold at
 * agg_end uses snapshot 3's time, not the last snapshot's. */
static void feed_gap(struct agg *a, unsigned from, unsigned to)
{
	for (unsigned s = from; s <= to; s++) {
		snap(a, s, T0 + (usec_t)s * SEC);
		if (s == 1 || s == 3)
			add_n(a, "GAP", "192.0.2.9", ST_ESTABLISHED, s);
		add(a, "ALWAYS", NULL, ST_LISTEN);
	}
	/* a snapshot without any row */
	snap(a, 90 + from, T0 + 99 * SEC);
}

static void test_gap(void **state)
{
	static const uint32_t cells_gap[] = {1, 1, 3, 3};
	static const uint32_t cells_always[] = {1, 1, 2, 1, 3, 1, 4, 1, 5, 1};
	static const unsigned mix_gap[] = {ST_ESTABLISHED, 3};
	struct agg *a = agg_new(AGG_PEERS | AGG_CELLS), *b;
	struct agg_group *g;

	(void)state;
	assert_non_null(a);
	feed_gap(a, 1, 5);
	assert_int_equal(agg_end(a), 0);
	assert_int_equal(agg_ngroups(a), 2);
	g = must_find(a, "GAP");
	assert_fields(g, 3, T0 + 3 * SEC, 4, 2, T0 + SEC, T0 + 3 * SEC, 1);
	assert_cells(g, cells_gap, 2);
	assert_mix(a, g, mix_gap, 1);
	g = must_find(a, "ALWAYS");
	assert_fields(g, 1, T0 + SEC, 5, 5, T0 + SEC, T0 + 5 * SEC, 0);
	assert_cells(g, cells_always, 5);
	agg_free(a);

	/* the same split: 1..2 and 3..5 */
	a = agg_new(AGG_PEERS | AGG_CELLS);
	b = agg_new(AGG_PEERS | AGG_CELLS);
	assert_non_null(a);
	assert_non_null(b);
	feed_gap(a, 1, 2);
	feed_gap(b, 3, 5);
	assert_int_equal(agg_end(a), 0);
	assert_int_equal(agg_end(b), 0);
	assert_int_equal(agg_merge(a, b), 0);
	g = must_find(a, "GAP");
	assert_fields(g, 3, T0 + 3 * SEC, 4, 2, T0 + SEC, T0 + 3 * SEC, 1);
	assert_cells(g, cells_gap, 2);
	assert_mix(a, g, mix_gap, 1);
	g = must_find(a, "ALWAYS");
	assert_fields(g, 1, T0 + SEC, 5, 5, T0 + SEC, T0 + 5 * SEC, 0);
	agg_free(a);
	agg_free(b);
}

/* agg.h: "any number, unique per snapshot" — also the largest one. The agg
 * lives in the test state so that a failure does not leak it. */
static int setup_agg_cells(void **state)
{
	*state = agg_new(AGG_CELLS);
	return *state ? 0 : -1;
}

static int teardown_agg(void **state)
{
	agg_free(*state);
	return 0;
}

/* UINT32_MAX is no snapshot number (agg.h), and rows need a snapshot. */
static void test_snapshot_number_max(void **state)
{
	struct agg *a = *state;
	struct agg_key k = {{0}};

	k.b[0] = 'M';
	assert_int_equal(agg_add(a, &k, NULL, ST_LISTEN), -EINVAL);
	assert_int_equal(agg_snapshot(a, UINT32_MAX, T0), -EINVAL);
	assert_int_equal(agg_add(a, &k, NULL, ST_LISTEN), -EINVAL);
	snap(a, 7, T0 + SEC);
	assert_int_equal(agg_add(a, &k, NULL, ST_ESTABLISHED), 0);
	assert_int_equal(agg_end(a), 0);
	assert_int_equal(agg_ngroups(a), 1);
	assert_int_equal(agg_groups(a)[0].total, 1);
	assert_int_equal(agg_groups(a)[0].present, 1);
}

static void test_state_names(void **state)
{
	static const char *const want[AGG_NSTATE] = {
	    "UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT",
	    "CLOSE",   "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",   "SYN_RECV",	"UNCONN",
	};
	static const struct {
		const char *s;
		int st;
	} other[] = {
	    {"ESTAB", ST_ESTABLISHED},
	    {"SYN-RECV", ST_SYN_RECV},
	    {"NEW_SYN_RECV", ST_SYN_RECV},
	    {"SYN_RCVD", ST_SYN_RECV},
	    {"closed", ST_CLOSE},
	    {"LISTENING", ST_LISTEN},
	    {"FIN-WAIT-1", ST_FIN_WAIT1},
	    {"", -1},
	    {"UNKNOWN", -1},
	    {"UNCON", -1},
	    {"UNCONNX", -1},
	    {"BOGUS", -1},
	    {"ESTABLISHED ", -1},
	};

	(void)state;
	for (unsigned st = 0; st < AGG_NSTATE; st++) {
		const char *n = agg_state_name(st);
		int back = agg_state_parse(n, strlen(n));

		assert_string_equal(n, want[st]);
		if (st == ST_UNKNOWN)
			assert_int_equal(back, -1);
		else if (st == ST_NEW_SYN_RECV)
			/* a request socket is reported as SYN_RECV */
			assert_int_equal(back, ST_SYN_RECV);
		else
			assert_int_equal(back, (int)st);
	}
	/* UNCONN is its own state here, not CLOSE as for tcpstate_parse */
	assert_int_equal(agg_state_parse("UNCONN", 6), AGG_UNCONN);
	assert_int_equal(agg_state_parse("CLOSE", 5), ST_CLOSE);
	/* exactly len bytes: a prefix of a longer text */
	assert_int_equal(agg_state_parse("LISTENER", 6), ST_LISTEN);
	assert_int_equal(agg_state_parse("ESTABLISHED", 5), ST_ESTABLISHED);
	for (size_t i = 0; i < sizeof other / sizeof other[0]; i++)
		if (agg_state_parse(other[i].s, strlen(other[i].s)) != other[i].st)
			fail_msg("agg_state_parse(\"%s\") != %d", other[i].s, other[i].st);
	assert_string_equal(agg_state_name(AGG_NSTATE), "UNKNOWN");
	assert_string_equal(agg_state_name(1000), "UNKNOWN");
	assert_string_equal(agg_state_name(UINT32_MAX), "UNKNOWN");
}

/* 300000 groups: the slot table doubles many times over. */
#define NBIG 300000u

static struct agg_key big_key(uint32_t i)
{
	struct agg_key k = {{0}};

	/* the index at the end: keys compare whole */
	k.b[16] = (uint8_t)(i >> 24);
	k.b[17] = (uint8_t)(i >> 16);
	k.b[18] = (uint8_t)(i >> 8);
	k.b[19] = (uint8_t)i;
	return k;
}

static void test_large(void **state)
{
	struct agg *a = agg_new(AGG_PEERS);
	uint8_t *seen = calloc(NBIG, 1);
	uint64_t sum = 0;

	(void)state;
	assert_non_null(a);
	assert_non_null(seen);
	/* snapshot 1 is later in time than snapshot 2 */
	snap(a, 1, T0 + 60 * SEC);
	for (uint32_t i = 0; i < NBIG; i++) {
		struct agg_key k = big_key(i);
		struct addr p = {
		    .family = AF_INET,
		    .a = {100, (uint8_t)(64 + (i >> 16)), (uint8_t)(i >> 8), (uint8_t)i}};

		for (uint32_t n = 0; n <= i % 3; n++)
			assert_int_equal(agg_add(a, &k, &p, ST_ESTABLISHED), 0);
	}
	snap(a, 2, T0);
	for (uint32_t i = 0; i < NBIG; i += 2) {
		struct agg_key k = big_key(i);
		struct addr p = {.family = AF_INET6, .a = {0x20, 0x01, 0x0d, 0xb8}};

		p.a[15] = 1;
		assert_int_equal(agg_add(a, &k, &p, ST_TIME_WAIT), 0);
	}
	assert_int_equal(agg_end(a), 0);
	assert_int_equal(agg_ngroups(a), NBIG);
	for (size_t j = 0; j < NBIG; j++) {
		const struct agg_group *g = &agg_groups(a)[j];
		uint32_t i = (uint32_t)g->key.b[16] << 24 | (uint32_t)g->key.b[17] << 16 |
			     (uint32_t)g->key.b[18] << 8 | g->key.b[19];
		bool even = i % 2 == 0;
		/* a tie at 1 goes to the earlier snapshot 2 */
		usec_t pt = i % 3 == 0 && even ? T0 : T0 + 60 * SEC;
		uint32_t mix[AGG_NSTATE];

		assert_true(i < NBIG);
		assert_false(seen[i]);
		seen[i] = 1;
		assert_fields(g, i % 3 + 1, pt, i % 3 + 1 + even, 1 + even,
			      even ? T0 : T0 + 60 * SEC, T0 + 60 * SEC, 1 + even);
		agg_mix(a, g, mix);
		assert_int_equal(mix[ST_ESTABLISHED], pt == T0 ? 0 : i % 3 + 1);
		assert_int_equal(mix[ST_TIME_WAIT], pt == T0 ? 1 : 0);
		sum += g->total;
	}
	assert_int_equal(sum, 600000 + 150000);
	free(seen);
	agg_free(a);
}

/* ---- spans: agg_span against the same rows fed one by one ---------------- */

struct tspan {
	uint32_t first, last, copies, state;
	struct agg_key key;
	struct addr peer;
};

static uint64_t rnd_state;

static uint32_t rnd(uint32_t n)
{
	rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rnd_state >> 33) % n;
}

static int by_cell(const void *x, const void *y)
{
	const struct agg_cell *a = x, *b = y;

	return a->snap < b->snap ? -1 : a->snap > b->snap;
}

/* Every figure of every group of a equals b's (cells in any order). */
/* Every group of a is b's group of its key, figure for figure. */
static void assert_groups_in(struct agg *a, struct agg *b)
{
	for (size_t i = 0; i < agg_ngroups(a); i++) {
		struct agg_group *x = &agg_groups(a)[i], *y = must_key(b, &agg_groups(a)[i].key);
		uint32_t mx[AGG_NSTATE], my[AGG_NSTATE];

		assert_int_equal(x->peak, y->peak);
		assert_int_equal(x->peak_time, y->peak_time);
		assert_int_equal(x->peak_snap, y->peak_snap);
		assert_int_equal(x->present, y->present);
		assert_int_equal(x->total, y->total);
		assert_int_equal(x->state_total, y->state_total);
		assert_int_equal(x->first, y->first);
		assert_int_equal(x->last, y->last);
		assert_int_equal(x->peers, y->peers);
		agg_mix(a, x, mx);
		agg_mix(b, y, my);
		assert_memory_equal(mx, my, sizeof mx);
		assert_int_equal(x->ncells, y->ncells);
		if (x->ncells) {   /* (no AGG_CELLS: no array for qsort) */
			qsort(x->cells, x->ncells, sizeof *x->cells, by_cell);
			qsort(y->cells, y->ncells, sizeof *y->cells, by_cell);
			assert_memory_equal(x->cells, y->cells, x->ncells * sizeof *x->cells);
		}
	}
}

static void assert_same_aggs(struct agg *a, struct agg *b)
{
	assert_int_equal(agg_ngroups(a), agg_ngroups(b));
	assert_groups_in(a, b);
}

/* Seeded recordings: positions cut into chains, snapshots numbered by
 * (time, id) with ties and, in half of them, chains whose k order is not
 * their time order; spans of a few groups, states and peers, some
 * touching a chain's ends. Fed as spans (one agg, and two merged, split
 * at a position as scan's threads are) and as rows: every figure equal. */
static void test_spans_equal_rows(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 60; seed++) {
		uint32_t n = 2 + (rnd_state = seed, rnd(60)), nch = 1 + rnd(4), cut = rnd(n);
		uint32_t chain_end[8], snapof[64], *order = calloc(n, sizeof *order);
		usec_t timeof[64], t[64];
		struct agg_timebase tb = {snapof, timeof, n, true};
		struct tspan sp[200];
		size_t ns = 50 + rnd(150);
		bool shuffle = seed % 2 == 0;
		struct agg *rows = agg_new(AGG_PEERS | AGG_CELLS), *one = agg_new(AGG_PEERS | AGG_CELLS);
		struct agg *half[2] = {agg_new(AGG_PEERS | AGG_CELLS), agg_new(AGG_PEERS | AGG_CELLS)};
		struct agg *tot = agg_new(AGG_PEERS | AGG_TOTALS);
		struct agg *thalf[2] = {agg_new(AGG_PEERS | AGG_TOTALS), agg_new(AGG_PEERS | AGG_TOTALS)};

		unsigned tstate = 1 + seed % (AGG_NSTATE - 1);

		assert_non_null(order);
		assert_true(rows && one && half[0] && half[1] && tot && thalf[0] && thalf[1]);
		/* every agg also sums one state's rows per group */
		agg_state_total(rows, tstate);
		agg_state_total(one, tstate);
		agg_state_total(half[0], tstate);
		agg_state_total(half[1], tstate);
		agg_state_total(tot, tstate);
		agg_state_total(thalf[0], tstate);
		agg_state_total(thalf[1], tstate);
		for (uint32_t c = 0; c < nch; c++)   /* chain c ends before chain_end[c] */
			chain_end[c] = c == nch - 1 ? n : 1 + rnd(n);
		for (uint32_t c = 1; c < nch; c++)
			if (chain_end[c] < chain_end[c - 1])
				chain_end[c] = chain_end[c - 1];
		/* times: rising along each chain, or shuffled; ties on purpose */
		for (uint32_t p = 0; p < n; p++)
			t[p] = T0 + (shuffle ? rnd(n / 2 + 1) : p / 2) * SEC;
		/* snapshot numbers: by (time, position as id) */
		for (uint32_t p = 0; p < n; p++)
			order[p] = p;
		for (uint32_t i = 1; i < n; i++)
			for (uint32_t j = i; j > 0 && (t[order[j - 1]] > t[order[j]] ||
						       (t[order[j - 1]] == t[order[j]] &&
							order[j - 1] > order[j])); j--) {
				uint32_t x = order[j];

				order[j] = order[j - 1];
				order[j - 1] = x;
			}
		for (uint32_t i = 0; i < n; i++) {
			snapof[order[i]] = i;
			timeof[order[i]] = t[order[i]];
		}
		for (uint32_t p = 1, c = 0; p < n; p++) {
			while (c < nch && chain_end[c] <= p - 1)
				c++;
			if (p < chain_end[c] && snapof[p] < snapof[p - 1])
				tb.ordered = false;
		}
		for (size_t i = 0; i < ns; i++) {
			uint32_t c = rnd(nch), lo = c ? chain_end[c - 1] : 0, hi = chain_end[c];
			char name[8];

			if (lo >= hi) {
				lo = 0;
				hi = chain_end[0];
			}
			sp[i].first = lo + rnd(hi - lo);
			sp[i].last = rnd(3) ? sp[i].first + rnd(hi - sp[i].first) : hi - 1;
			sp[i].copies = 1 + (rnd(5) == 0 ? rnd(3) : 0);
			sp[i].state = 1 + rnd(AGG_NSTATE - 1);
			snprintf(name, sizeof name, "g%u", rnd(5));
			sp[i].key = key_name(name);
			sp[i].peer = ip(rnd(2) ? "198.51.100.1" : "2001:db8::1");
			sp[i].peer.a[sp[i].peer.family == 2 ? 3 : 15] = (uint8_t)rnd(4);
		}
		/* the spans in first order as the chain index hands them, or
		 * (even seeds) in last order, as a chain's rowid range does */
		for (size_t i = 1; i < ns; i++)
			for (size_t j = i; j > 0 && (seed % 2 ? sp[j - 1].first > sp[j].first
							      : sp[j - 1].last > sp[j].last);
			     j--) {
				struct tspan x = sp[j];

				sp[j] = sp[j - 1];
				sp[j - 1] = x;
			}
		for (size_t i = 0; i < ns; i++) {
			assert_int_equal(agg_span(one, &tb, &sp[i].key, &sp[i].peer, sp[i].state,
						  sp[i].first, sp[i].last, sp[i].copies), 0);
			assert_int_equal(agg_span(tot, &tb, &sp[i].key, &sp[i].peer, sp[i].state,
						  sp[i].first, sp[i].last, sp[i].copies), 0);
			/* two threads: positions below cut, and from cut */
			for (int h = 0; h < 2; h++) {
				uint32_t a = h ? (sp[i].first > cut ? sp[i].first : cut) : sp[i].first;
				uint32_t b = h ? sp[i].last : (sp[i].last < cut ? sp[i].last : cut - 1);

				if (a <= b && (h || cut > 0)) {
					assert_int_equal(agg_span(half[h], &tb, &sp[i].key, &sp[i].peer,
								  sp[i].state, a, b, sp[i].copies), 0);
					assert_int_equal(agg_span(thalf[h], &tb, &sp[i].key, &sp[i].peer,
								  sp[i].state, a, b, sp[i].copies), 0);
				}
			}
		}
		for (uint32_t i = 0; i < n; i++) {   /* rows, snapshot by snapshot */
			uint32_t p = order[i];

			snap(rows, i, timeof[p]);
			for (size_t j = 0; j < ns; j++)
				for (uint32_t c = 0; p >= sp[j].first && p <= sp[j].last && c < sp[j].copies; c++)
					assert_int_equal(agg_add(rows, &sp[j].key, &sp[j].peer, sp[j].state), 0);
		}
		assert_int_equal(agg_end(rows), 0);
		assert_int_equal(agg_end(one), 0);
		assert_int_equal(agg_end(half[0]), 0);
		assert_int_equal(agg_end(half[1]), 0);
		assert_int_equal(agg_merge(half[0], half[1]), 0);
		assert_same_aggs(one, rows);
		assert_same_aggs(half[0], rows);
		/* totals alone: each group's rows and distinct peers, in one
		 * agg and in two merged */
		assert_int_equal(agg_end(tot), 0);
		assert_int_equal(agg_end(thalf[0]), 0);
		assert_int_equal(agg_end(thalf[1]), 0);
		assert_int_equal(agg_merge(thalf[0], thalf[1]), 0);
		assert_int_equal(agg_ngroups(tot), agg_ngroups(rows));
		assert_int_equal(agg_ngroups(thalf[0]), agg_ngroups(rows));
		for (size_t i = 0; i < agg_ngroups(rows); i++) {
			const struct agg_group *x = &agg_groups(rows)[i];
			const struct agg_group *y = agg_find(tot, &x->key);
			const struct agg_group *z = agg_find(thalf[0], &x->key);

			assert_non_null(y);
			assert_non_null(z);
			assert_int_equal(y->total, x->total);
			assert_int_equal(y->peers, x->peers);
			assert_int_equal(z->total, x->total);
			assert_int_equal(z->peers, x->peers);
			assert_int_equal(y->state_total, x->state_total);
			assert_int_equal(z->state_total, x->state_total);
		}
		/* ... and that sum is the spans' own (not one agg's copy of
		 * another's) */
		for (size_t i = 0; i < agg_ngroups(rows); i++) {
			const struct agg_group *x = &agg_groups(rows)[i];
			uint64_t want = 0;

			for (size_t j = 0; j < ns; j++) {
				/* as agg counts states: NEW_SYN_RECV is SYN_RECV */
				unsigned st = sp[j].state == ST_NEW_SYN_RECV ? ST_SYN_RECV : sp[j].state;

				if (st == (tstate == ST_NEW_SYN_RECV ? ST_SYN_RECV : tstate) &&
				    !memcmp(&sp[j].key, &x->key, sizeof x->key))
					want += (uint64_t)sp[j].copies * (sp[j].last - sp[j].first + 1);
			}
			assert_int_equal(x->state_total, want);
		}
		agg_free(tot);
		agg_free(thalf[0]);
		agg_free(thalf[1]);
		agg_free(rows);
		agg_free(one);
		agg_free(half[0]);
		agg_free(half[1]);
		free(order);
	}
}

/* A span is refused with another timebase, beyond it, or after rows. */
static void test_span_refused(void **state)
{
	uint32_t sn[2] = {0, 1};
	usec_t tm[2] = {T0, T0 + SEC};
	struct agg_timebase tb = {sn, tm, 2, true}, tb2 = tb;
	struct agg_key k = key_name("a");
	struct agg *a = agg_new(0);

	(void)state;
	assert_non_null(a);
	assert_int_equal(agg_span(a, &tb, &k, NULL, 1, 0, 2, 1), -EINVAL);
	assert_int_equal(agg_span(a, &tb, &k, NULL, 1, 1, 0, 1), -EINVAL);
	assert_int_equal(agg_span(a, &tb, &k, NULL, 1, 0, 1, 1), 0);
	assert_int_equal(agg_span(a, &tb2, &k, NULL, 1, 0, 1, 1), -EINVAL);
	agg_free(a);
	a = agg_new(0);
	assert_non_null(a);
	snap(a, 0, T0);
	assert_int_equal(agg_span(a, &tb, &k, NULL, 1, 0, 1, 1), -EINVAL);
	agg_free(a);
}

/* Subnets from their peers' spans (agg_span_regroup, what blocklist does)
 * against the subnets fed every span with its peer: in one agg, and in two
 * parts that split the subnets between them (each part's peers fed all
 * their spans); every figure of every subnet equal, peers included. */
static void test_regroup(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 40; seed++) {
		uint32_t n = 2 + (rnd_state = seed * 7919u, rnd(50));
		uint32_t snapof[64];
		usec_t timeof[64];
		struct agg_timebase tb = {snapof, timeof, n, true};
		struct agg *direct = agg_new(AGG_PEERS), *hosts[2], *subs[2];
		size_t ns = 20 + rnd(300);

		assert_non_null(direct);
		agg_host_bits(direct, 8);
		for (int h = 0; h < 2; h++) {
			hosts[h] = agg_new(0);
			subs[h] = agg_new(AGG_PEERS);
			assert_true(hosts[h] && subs[h]);
			agg_host_bits(subs[h], 8);
		}
		for (uint32_t p = 0; p < n; p++) {
			snapof[p] = p;
			timeof[p] = T0 + p * SEC;
		}
		for (size_t i = 0; i < ns; i++) {
			static const char *const nets[] = {"198.51.100.0", "203.0.113.0", "192.0.2.0",
							   "2001:db8::", "2001:db8:0:1::"};
			unsigned net = rnd(5);
			struct addr peer = ip(nets[net]);
			uint32_t first = rnd(n), last = first + rnd(n - first);
			uint32_t copies = 1 + (rnd(4) == 0 ? rnd(3) : 0), st = 1 + rnd(AGG_NSTATE - 1);
			struct agg_key hk, sk;

			/* a few hosts a subnet, each in several spans */
			peer.a[peer.family == 2 ? 3 : 15] = (uint8_t)(1 + rnd(12));
			agg_key_addr(&hk, &peer, 0, 0);
			agg_key_addr(&sk, &peer, 24, 64);
			assert_int_equal(agg_span(direct, &tb, &sk, &peer, st, first, last, copies), 0);
			assert_int_equal(agg_span(hosts[net % 2], &tb, &hk, NULL, st, first, last,
						  copies),
					 0);
		}
		for (int h = 0; h < 2; h++) {
			assert_int_equal(agg_span_regroup(subs[h], hosts[h], 24, 64), 0);
			assert_int_equal(agg_end(hosts[h]), 0);
			assert_int_equal(agg_end(subs[h]), 0);
			/* ended: no more */
			assert_int_equal(agg_span_regroup(subs[h], hosts[h], 24, 64), -EINVAL);
		}
		assert_int_equal(agg_end(direct), 0);
		assert_int_equal(agg_ngroups(subs[0]) + agg_ngroups(subs[1]), agg_ngroups(direct));
		assert_groups_in(subs[0], direct);
		assert_groups_in(subs[1], direct);
		agg_free(direct);
		for (int h = 0; h < 2; h++) {
			agg_free(hosts[h]);
			agg_free(subs[h]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_three_snapshots),
	    cmocka_unit_test(test_peak_moves),
	    cmocka_unit_test(test_state_out_of_range),
	    cmocka_unit_test(test_peers),
	    cmocka_unit_test(test_host_bits),
	    cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_merge_chain),
	    cmocka_unit_test(test_gap),
	    cmocka_unit_test_setup_teardown(test_snapshot_number_max, setup_agg_cells,
					    teardown_agg),
	    cmocka_unit_test(test_state_names),
	    cmocka_unit_test(test_large),
	    cmocka_unit_test(test_spans_equal_rows),
	    cmocka_unit_test(test_regroup),
	    cmocka_unit_test(test_span_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

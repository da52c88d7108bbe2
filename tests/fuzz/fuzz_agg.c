/* fuzz_agg — bytes as a stream of snapshots and rows fed to analyzer/agg:
 * one agg, two aggs merged, the host-bit path; all must equal a plain model
 * of agg.h's definitions and keep its invariants. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agg.h"
#include "tcpstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Input: a 4-byte header, then ops.
 *   h0: bit 0 mode (0: 240 arbitrary keys; 1: keys are IPv4 /(32-b) networks
 *       of the peer, or IPv6 /64s), bit 1 AGG_CELLS, bit 2 no AGG_PEERS,
 *       bit 3 split by each snapshot op's low bit (else at snapshot h2)
 *   h1: b = h1 % 12 + 1, the host bits of mode 1
 *   h2: the snapshot index where the second agg takes over
 *   h3: scrambles snapshot numbers
 *   op >= 0xF0: a new snapshot, two bytes of time follow
 *   op <  0xF0: a row, bytes p and x follow: key from op, peer and state
 *       from p and x
 * Rows before the first snapshot op belong to snapshot 0 at T0.
 */
#define HDR 4
#define MAX_ROWS 4096
#define MAX_SNAPS 64
#define NKEY (4096 + 16)
#define T0 ((usec_t)1700000000 * 1000000)

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			abort();                                                                   \
	} while (0)

struct pair {
	uint32_t key;
	struct addr peer;
};

struct rcell {
	uint32_t snap, count;
	uint32_t next; /* cell index + 1; 0: none */
};

/* What every group must come out as, computed the obvious way. */
struct model {
	struct agg_key key[NKEY];
	bool used[NKEY];
	uint32_t cur[NKEY], curmix[NKEY][AGG_NSTATE];
	uint32_t peak[NKEY], peakmix[NKEY][AGG_NSTATE], present[NKEY], peers[NKEY];
	uint64_t total[NKEY];
	usec_t first[NKEY], last[NKEY], peak_time[NKEY];
	uint32_t head[NKEY], tail[NKEY]; /* cell index + 1; 0: none */
	struct rcell cell[MAX_ROWS];
	uint32_t ncell;
	uint32_t touched[MAX_ROWS], ntouched;
	uint32_t keys[NKEY], nkeys;
	struct pair pair[MAX_ROWS];
	uint32_t npair;
	uint32_t snap, nsnaps, rows;
	usec_t time;
};

static struct model m;

/* One configuration fed everything, and the same split over two aggs. */
struct variant {
	struct agg *one, *side[2];
};

/* Clears what the last input used: the whole model is large for a
 * memset per run. */
static void model_reset(void)
{
	for (uint32_t i = 0; i < m.nkeys; i++) {
		uint32_t k = m.keys[i];

		m.used[k] = false;
		m.cur[k] = m.peak[k] = m.present[k] = m.peers[k] = 0;
		m.head[k] = m.tail[k] = 0;
		m.total[k] = 0;
		m.first[k] = m.last[k] = m.peak_time[k] = 0;
		memset(m.curmix[k], 0, sizeof m.curmix[k]);
		memset(m.peakmix[k], 0, sizeof m.peakmix[k]);
	}
	m.nkeys = m.ncell = m.ntouched = m.npair = 0;
	m.snap = m.nsnaps = m.rows = 0;
	m.time = 0;
}

static void model_close(void)
{
	for (uint32_t i = 0; i < m.ntouched; i++) {
		uint32_t k = m.touched[i], c = m.cur[k];
		struct rcell *rc = &m.cell[m.ncell];

		if (m.present[k] == 0 || m.time < m.first[k])
			m.first[k] = m.time;
		if (m.present[k] == 0 || m.time > m.last[k])
			m.last[k] = m.time;
		if (c > m.peak[k] || (c == m.peak[k] && m.time < m.peak_time[k])) {
			m.peak[k] = c;
			m.peak_time[k] = m.time;
			memcpy(m.peakmix[k], m.curmix[k], sizeof m.peakmix[k]);
		}
		m.present[k]++;
		m.total[k] += c;
		*rc = (struct rcell){m.snap, c, 0};
		if (!m.head[k])
			m.head[k] = m.ncell + 1;
		else
			m.cell[m.tail[k] - 1].next = m.ncell + 1;
		m.tail[k] = ++m.ncell;
		m.cur[k] = 0;
		memset(m.curmix[k], 0, sizeof m.curmix[k]);
	}
	m.ntouched = 0;
}

static void model_add(uint32_t k, const struct agg_key *key, const struct addr *peer, unsigned st)
{
	if (!m.used[k]) {
		m.used[k] = true;
		m.key[k] = *key;
		m.keys[m.nkeys++] = k;
	}
	if (m.cur[k]++ == 0)
		m.touched[m.ntouched++] = k;
	m.curmix[k][st == ST_NEW_SYN_RECV ? ST_SYN_RECV : st < AGG_NSTATE ? st : 0]++;
	if (peer)
		m.pair[m.npair++] = (struct pair){k, *peer};
	m.rows++;
}

static int cmp_pair(const void *x, const void *y)
{
	const struct pair *a = x, *b = y;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->peer.family != b->peer.family)
		return a->peer.family < b->peer.family ? -1 : 1;
	return memcmp(a->peer.a, b->peer.a, sizeof a->peer.a);
}

static void model_peers(void)
{
	qsort(m.pair, m.npair, sizeof *m.pair, cmp_pair);
	for (uint32_t i = 0; i < m.npair; i++)
		if (i == 0 || cmp_pair(&m.pair[i - 1], &m.pair[i]))
			m.peers[m.pair[i].key]++;
}

/* The key id of a group, from its key; NKEY for none. */
static uint32_t key_id(unsigned mode, unsigned bits, const struct agg_key *k)
{
	uint32_t nz = 0, id = 239;

	if (mode == 1) {
		if (k->b[0] == AF_INET)
			return ((uint32_t)k->b[3] << 8 | k->b[4]) >> bits;
		if (k->b[0] == AF_INET6)
			return 4096 + (k->b[8] & 15u);
		return NKEY;
	}
	for (uint32_t i = 0; i < AGG_KEY_LEN; i++) {
		if (!k->b[i])
			continue;
		nz++;
		id = (k->b[i] - 1u) * AGG_KEY_LEN + i;
	}
	return nz <= 1 && id < 240 ? id : NKEY;
}

static int cmp_cell(const void *x, const void *y)
{
	const struct agg_cell *a = x, *b = y;

	return (a->snap > b->snap) - (a->snap < b->snap);
}

/* Every group of a against the model; cells in the order fed unless the
 * agg is a merge (then as sets). */
static void check(struct agg *a, unsigned mode, unsigned bits, unsigned flags, bool merged)
{
	bool seen[NKEY] = {0};
	uint64_t sum = 0;

	CHECK(agg_ngroups(a) == m.nkeys);
	for (size_t i = 0; i < agg_ngroups(a); i++) {
		struct agg_group *g = &agg_groups(a)[i];
		uint32_t k = key_id(mode, bits, &g->key), mix[AGG_NSTATE], msum = 0;
		struct agg_cell want[MAX_SNAPS], got[MAX_SNAPS];
		size_t nw = 0;
		uint64_t csum = 0;

		CHECK(k < NKEY && m.used[k] && !seen[k]);
		CHECK(!memcmp(m.key[k].b, g->key.b, AGG_KEY_LEN));
		seen[k] = true;
		/* the invariants, whatever the model says */
		CHECK(g->peak >= 1 && g->peak <= g->total);
		CHECK(g->present >= 1 && g->present <= m.nsnaps);
		CHECK(g->peers <= g->total);
		CHECK(g->first <= g->peak_time && g->peak_time <= g->last);
		agg_mix(a, g, mix);
		for (unsigned s = 0; s < AGG_NSTATE; s++)
			msum += mix[s];
		CHECK(msum == g->peak);
		for (size_t c = 0; c < g->ncells; c++)
			csum += g->cells[c].count;
		CHECK(flags & AGG_CELLS ? csum == g->total && g->ncells == g->present
					: g->ncells == 0);
		sum += g->total;
		/* the model */
		CHECK(g->peak == m.peak[k] && g->peak_time == m.peak_time[k]);
		CHECK(g->total == m.total[k] && g->present == m.present[k]);
		CHECK(g->first == m.first[k] && g->last == m.last[k]);
		CHECK(g->peers == (flags & AGG_PEERS ? m.peers[k] : 0));
		CHECK(!memcmp(mix, m.peakmix[k], sizeof mix));
		if (!(flags & AGG_CELLS))
			continue;
		for (uint32_t c = m.head[k]; c; c = m.cell[c - 1].next) {
			CHECK(nw < MAX_SNAPS);
			want[nw++] = (struct agg_cell){m.cell[c - 1].snap, m.cell[c - 1].count};
		}
		CHECK(g->ncells == nw);
		memcpy(got, g->cells, nw * sizeof *got);
		if (merged) {
			qsort(want, nw, sizeof *want, cmp_cell);
			qsort(got, nw, sizeof *got, cmp_cell);
		}
		CHECK(!memcmp(want, got, nw * sizeof *got));
	}
	CHECK(sum == m.rows);
}

static void var_new(struct variant *v, unsigned flags, unsigned bits)
{
	CHECK((v->one = agg_new(flags)) != NULL);
	CHECK((v->side[0] = agg_new(flags)) != NULL);
	CHECK((v->side[1] = agg_new(flags)) != NULL);
	agg_host_bits(v->one, bits);
	agg_host_bits(v->side[0], bits);
	agg_host_bits(v->side[1], bits);
}

static void var_free(struct variant *v)
{
	agg_free(v->one);
	agg_free(v->side[0]);
	agg_free(v->side[1]);
}

static void feed_snap(struct variant *v, size_t nv, unsigned side, uint32_t snap, usec_t t)
{
	if (m.nsnaps)
		model_close();
	m.snap = snap;
	m.time = t;
	m.nsnaps++;
	for (size_t i = 0; i < nv; i++) {
		CHECK(agg_snapshot(v[i].one, snap, t) == 0);
		CHECK(agg_snapshot(v[i].side[side], snap, t) == 0);
	}
}

static void feed_row(struct variant *v, size_t nv, unsigned side, uint32_t k,
		     const struct agg_key *key, const struct addr *peer, unsigned st)
{
	model_add(k, key, peer, st);
	for (size_t i = 0; i < nv; i++) {
		CHECK(agg_add(v[i].one, key, peer, st) == 0);
		CHECK(agg_add(v[i].side[side], key, peer, st) == 0);
	}
}

/* A row of mode 0: one of 240 keys (one byte set somewhere, or all 0); peers
 * that collide in some bytes across families. */
static uint32_t row0(uint8_t op, uint8_t p, uint8_t x, struct agg_key *k, struct addr *peer,
		     bool *has_peer)
{
	static const uint8_t v6[4] = {0x20, 0x01, 0x0d, 0xb8};

	memset(k, 0, sizeof *k);
	if (op < 239)
		k->b[op % AGG_KEY_LEN] = (uint8_t)(op / AGG_KEY_LEN + 1);
	memset(peer, 0, sizeof *peer);
	*has_peer = true;
	switch (p & 7) {
	case 1:
		*peer = (struct addr){.family = AF_INET, .a = {203, 0, 113, x}};
		break;
	case 2:
		peer->family = AF_INET6;
		memcpy(peer->a, v6, sizeof v6);
		peer->a[15] = x;
		break;
	case 3: /* 0.0.0.x */
		*peer = (struct addr){.family = AF_INET, .a = {0, 0, 0, x}};
		break;
	case 4: /* ::x */
		peer->family = AF_INET6;
		peer->a[15] = x;
		break;
	case 5: /* ::ffff:203.0.113.x, not folded */
		*peer =
		    (struct addr){.family = AF_INET6,
				  .a = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, x}};
		break;
	case 6:
		*peer = (struct addr){.family = AF_INET, .a = {198, 18, x, 1}};
		break;
	default:
		*has_peer = false;
	}
	return op < 239 ? op : 239;
}

/* A row of mode 1: the peer 198.18.K.x keyed by its /(32 - bits), or
 * 2001:db8:0:K::x by its /64, or no peer in a v4 group. */
static uint32_t row1(uint8_t op, uint8_t x, unsigned bits, struct agg_key *k, struct addr *peer,
		     bool *has_peer)
{
	unsigned kk = op & 15u, kind = (op >> 4) % 3u;
	uint32_t host = (uint32_t)kk << 8 | x;

	memset(k, 0, sizeof *k);
	memset(peer, 0, sizeof *peer);
	*has_peer = kind != 2;
	if (kind == 1) {
		peer->family = AF_INET6;
		peer->a[0] = 0x20;
		peer->a[1] = 0x01;
		peer->a[2] = 0x0d;
		peer->a[3] = 0xb8;
		peer->a[7] = (uint8_t)kk;
		peer->a[15] = x;
		k->b[0] = AF_INET6;
		memcpy(k->b + 1, peer->a, 8);
		return 4096 + kk;
	}
	*peer = (struct addr){.family = AF_INET, .a = {198, 18, (uint8_t)kk, x}};
	host = host >> bits << bits;
	k->b[0] = AF_INET;
	k->b[1] = 198;
	k->b[2] = 18;
	k->b[3] = (uint8_t)(host >> 8);
	k->b[4] = (uint8_t)host;
	return host >> bits;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct variant v[2];
	unsigned mode, flags, bits, by_op, side, nv;
	uint8_t split;
	uint32_t mult;
	size_t pos = HDR;

	if (size < HDR)
		return 0;
	mode = data[0] & 1u;
	flags = (data[0] & 2u ? AGG_CELLS : 0) | (data[0] & 4u ? 0 : AGG_PEERS);
	by_op = data[0] & 8u;
	bits = data[1] % 12u + 1;
	split = data[2];
	/* low byte 0: snapshot 0's number is never UINT32_MAX */
	mult = data[3] * 0x01010100u;

	model_reset();
	/* mode 0 counts peers by hashing only; mode 1 also through bitmaps */
	nv = mode ? 2 : 1;
	var_new(&v[0], flags, 0);
	if (mode)
		var_new(&v[1], flags, bits);
	side = !by_op && split == 0;
	feed_snap(v, nv, side, mult, T0);
	while (pos < size) {
		uint8_t op = data[pos++];
		struct agg_key k;
		struct addr peer;
		bool has_peer;
		uint32_t id;

		if (op >= 0xf0) {
			uint32_t i = m.nsnaps, snap = i * 2654435761u ^ mult;
			int t;

			/* UINT32_MAX is left out: test_agg covers it */
			if (pos + 2 > size || i == MAX_SNAPS || snap == UINT32_MAX)
				break;
			t = (data[pos] | data[pos + 1] << 8) - 32768;
			pos += 2;
			side = by_op ? op & 1u : i >= split;
			/* distinct times, in any order */
			feed_snap(v, nv, side, snap, T0 + (usec_t)t * 1000000 + i);
			continue;
		}
		if (pos + 2 > size || m.rows == MAX_ROWS)
			break;
		if (mode)
			id = row1(op, data[pos + 1], bits, &k, &peer, &has_peer);
		else
			id = row0(op, data[pos], data[pos + 1], &k, &peer, &has_peer);
		feed_row(v, nv, side, id, &k, has_peer ? &peer : NULL,
			 (mode ? data[pos] : data[pos] >> 3) & 31u);
		pos += 2;
	}
	model_close();
	model_peers();
	for (unsigned i = 0; i < nv; i++) {
		/* the key stays a /(32 - bits) in both variants: only the
		 * agg's peer counting differs */
		unsigned kb = mode ? bits : 0;

		CHECK(agg_end(v[i].one) == 0);
		CHECK(agg_end(v[i].side[0]) == 0);
		CHECK(agg_end(v[i].side[1]) == 0);
		check(v[i].one, mode, kb, flags, false);
		CHECK(agg_merge(v[i].side[0], v[i].side[1]) == 0);
		check(v[i].side[0], mode, kb, flags, true);
		var_free(&v[i]);
	}
	return 0;
}

/* agg_span — groups fed spans instead of rows: a span is kept as one event
 * and agg_end sweeps each group's spans in position order, so a group's
 * per-snapshot count is known stretch by stretch (between two span ends)
 * and never snapshot by snapshot, except for the cells (AGG_CELLS). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "agg.h"
#include "agg_int.h"
#include "tcpstate.h"

/* Counts one held-back span: its group (found or made), peer, and event. */
static int span_now(struct agg *a, const struct agg_pend *p)
{
	struct agg_sev *v;
	long i = agg_group_of_h(a, &p->key, p->h);
	int rc;

	if (i < 0)
		return (int)i;
	if (p->has_peer) {
		rc = agg_peer_add(a, (uint32_t)i, &p->peer);
		if (rc < 0)
			return rc;
		a->g[i].peers += (uint32_t)rc;
	}
	if (p->state == a->tstate)
		a->g[i].state_total += (uint64_t)p->copies * (p->last - p->first + 1);
	if (a->flags & AGG_TOTALS) {
		a->g[i].total += (uint64_t)p->copies * (p->last - p->first + 1);
		return 0;
	}
	if (!(v = grow_big(a->sev, &a->capsev, a->nsev, sizeof *v, 1024)))
		return -ENOMEM;
	a->sev = v;
	a->sev[a->nsev++] = (struct agg_sev){(uint32_t)i, p->first, p->last, p->copies, p->state};
	return 0;
}

int agg_span_flush(struct agg *a)
{
	int rc = 0;

	for (; rc == 0 && a->npend; a->npend--) {
		rc = span_now(a, &a->pend[a->pend0]);
		a->pend0 = (a->pend0 + 1) % AGG_PIPE;
	}
	a->npend = 0;
	return rc;
}

int agg_span(struct agg *a, const struct agg_timebase *tb, const struct agg_key *k,
	     const struct addr *peer, unsigned state, uint32_t first, uint32_t last,
	     uint32_t copies)
{
	struct agg_pend *p;
	int rc = 0;

	if (a->snap != NONE || a->ended || (a->tb && a->tb != tb) || first > last ||
	    last >= tb->n)
		return -EINVAL;
	a->tb = tb;
	if (copies == 0)
		return 0;
	if (state == ST_NEW_SYN_RECV)
		state = ST_SYN_RECV;
	if (state >= AGG_NSTATE)
		state = 0;
	/* the oldest counted when the ring is full: its slot has arrived */
	if (a->npend == AGG_PIPE) {
		rc = span_now(a, &a->pend[a->pend0]);
		a->pend0 = (a->pend0 + 1) % AGG_PIPE;
		a->npend--;
	}
	p = &a->pend[(a->pend0 + a->npend) % AGG_PIPE];
	p->key = *k;
	p->h = keytab_hash(k);
	p->has_peer = peer && (a->flags & AGG_PEERS);
	if (p->has_peer)
		p->peer = *peer;
	p->state = (uint8_t)state;
	p->first = first;
	p->last = last;
	p->copies = copies;
	a->npend++;
	keytab_prefetch(&a->kt, p->h, 0);
	/* halfway: the slot is in, fetch the key it names and its group's
	 * record (its figures and peer bitmap's place: a miss per span when
	 * the groups outgrow the caches, e.g. 16k /24s) */
	if (a->npend > AGG_PIPE / 2) {
		long gi = keytab_prefetch(&a->kt,
					  a->pend[(a->pend0 + a->npend - 1 - AGG_PIPE / 2) % AGG_PIPE].h,
					  1);

		if (gi >= 0 && (size_t)gi < a->ng) {
			__builtin_prefetch(&a->g[gi]);
			__builtin_prefetch((const char *)&a->g[gi] + 64);
		}
	}
	return rc;
}

/* k (a single address's key) as the key of its network under the
 * prefixes. */
static void key_under(const struct agg_key *k, unsigned prefix4, unsigned prefix6,
		      struct agg_key *out)
{
	struct cidr c;

	agg_key_cidr(k, 0, 0, &c);
	agg_key_addr(out, &c.addr, prefix4, prefix6);
}

int agg_span_regroup(struct agg *to, struct agg *from, unsigned prefix4, unsigned prefix6)
{
	uint32_t *map = NULL;
	int rc;

	if (to->ended || from->ended || to->snap != NONE || from->snap != NONE ||
	    (to->tb && from->tb && to->tb != from->tb))
		return -EINVAL;
	if ((rc = agg_span_flush(from)) < 0)
		return rc;
	if (from->nsev == 0)
		return 0;
	if (!(map = malloc(from->ng * sizeof *map)))
		return -ENOMEM;
	rc = -ENOMEM;
	for (size_t i = 0; i < from->ng; i++) {
		struct agg_key k;
		long j;

		key_under(&from->g[i].key, prefix4, prefix6, &k);
		if ((j = agg_group_of(to, &k)) < 0)
			goto out;
		map[i] = (uint32_t)j;
		to->g[j].peers++;
	}
	if (to->nsev + from->nsev > to->capsev) {
		struct agg_sev *v = grow_big_to(to->sev, &to->capsev, to->nsev + from->nsev,
						sizeof *v, 1024);

		if (!v)
			goto out;
		to->sev = v;
	}
	for (size_t i = 0; i < from->nsev; i++) {
		struct agg_sev e = from->sev[i];

		e.group = map[e.group];
		to->sev[to->nsev++] = e;
	}
	to->tb = from->tb;
	rc = 0;
out:
	free(map);
	return rc;
}

static int by_last(const void *x, const void *y)
{
	const struct agg_sev *a = x, *b = y;

	return a->last < b->last ? -1 : a->last > b->last;
}

/* The group's figures as they stand, and its count per state now. */
struct sweep {
	uint64_t cnt;
	uint64_t st[AGG_NSTATE];
	uint32_t peakmix[AGG_NSTATE];
	bool have_mix;
};

/* (time, snap) of position p before that of q: the order rows are fed in. */
static bool earlier(const struct agg_timebase *tb, size_t p, size_t q)
{
	return tb->time[p] < tb->time[q] || (tb->time[p] == tb->time[q] && tb->snap[p] < tb->snap[q]);
}

/* Positions [p, q) hold sw->cnt rows of g each (one chain: no span starts
 * or ends inside). */
static int fold_run(struct agg *a, struct agg_group *g, struct sweep *sw, uint32_t p, uint32_t q)
{
	const struct agg_timebase *tb = a->tb;
	uint32_t lo = p, hi = q - 1, cnt = sw->cnt > UINT32_MAX ? UINT32_MAX : (uint32_t)sw->cnt;

	if (!tb->ordered)
		for (uint32_t x = p; x < q; x++) {
			lo = earlier(tb, x, lo) ? x : lo;
			hi = tb->time[x] > tb->time[hi] ? x : hi;
		}
	if (g->present == 0 || tb->time[lo] < g->first)
		g->first = tb->time[lo];
	if (g->present == 0 || tb->time[hi] > g->last)
		g->last = tb->time[hi];
	if (g->present == 0 || cnt > g->peak ||
	    (cnt == g->peak && (tb->time[lo] < g->peak_time ||
				(tb->time[lo] == g->peak_time && tb->snap[lo] < g->peak_snap)))) {
		g->peak = cnt;
		g->peak_time = tb->time[lo];
		g->peak_snap = tb->snap[lo];
		for (unsigned s = 0; s < AGG_NSTATE; s++)
			sw->peakmix[s] = (uint32_t)sw->st[s];
		sw->have_mix = true;
	}
	g->present += q - p;
	g->total += (uint64_t)cnt * (q - p);
	if (!(a->flags & AGG_CELLS))
		return 0;
	for (uint32_t x = p; x < q; x++) {
		if (g->ncells == g->capcells) {
			size_t cap = g->capcells ? g->capcells * 2 : 4;
			struct agg_cell *c = realloc(g->cells, cap * sizeof *c);

			if (!c)
				return -ENOMEM;
			g->cells = c;
			g->capcells = cap;
		}
		g->cells[g->ncells++] = (struct agg_cell){tb->snap[x], cnt};
	}
	return 0;
}

static int by_cell_snap(const void *x, const void *y)
{
	const struct agg_cell *a = x, *b = y;

	return a->snap < b->snap ? -1 : a->snap > b->snap;
}

/* e[0..n) = s[0..n) sorted by last (any order among equal lasts: the sweep
 * takes all ends at one position together). A group's ends are mostly few
 * (insertion), or many over a short range of positions (counting, with
 * *cnt, a scratch of *ncnt counters grown here): a group of every SYN_RECV
 * has a span per socket over a few thousand snapshots, where qsort was
 * most of the sweep. 0 or -ENOMEM. */
static int sort_ends(const struct agg_sev *s, struct agg_sev *e, size_t n, uint32_t **cnt,
		     size_t *ncnt)
{
	uint32_t lo = UINT32_MAX, hi = 0;
	size_t range;

	if (n <= 16) {
		for (size_t i = 0; i < n; i++) {
			size_t j = i;

			for (; j > 0 && e[j - 1].last > s[i].last; j--)
				e[j] = e[j - 1];
			e[j] = s[i];
		}
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		lo = s[i].last < lo ? s[i].last : lo;
		hi = s[i].last > hi ? s[i].last : hi;
	}
	range = (size_t)(hi - lo) + 1;
	if (range > 8 * n) {
		memcpy(e, s, n * sizeof *e);
		qsort(e, n, sizeof *e, by_last);
		return 0;
	}
	if (range + 1 > *ncnt) {
		uint32_t *c = realloc(*cnt, (range + 1) * sizeof *c);

		if (!c)
			return -ENOMEM;
		*cnt = c;
		*ncnt = range + 1;
	}
	memset(*cnt, 0, (range + 1) * sizeof **cnt);
	for (size_t i = 0; i < n; i++)
		(*cnt)[s[i].last - lo + 1]++;
	for (size_t r = 1; r <= range; r++)
		(*cnt)[r] += (*cnt)[r - 1];
	for (size_t i = 0; i < n; i++)
		e[(*cnt)[s[i].last - lo]++] = s[i];
	return 0;
}

/* One group's spans s[0..n) (by first) swept with their ends (e, sorted by
 * last): the count changes only where a span starts or ends. */
static int sweep_group(struct agg *a, struct agg_group *g, const struct agg_sev *s,
		       struct agg_sev *e, size_t n, uint32_t **cnt, size_t *ncnt)
{
	struct sweep sw = {0};
	size_t si = 0, ei = 0;
	int rc;

	if ((rc = sort_ends(s, e, n, cnt, ncnt)) < 0)
		return rc;
	while (rc == 0 && ei < n) {
		uint64_t p = si < n && s[si].first <= (uint64_t)e[ei].last + 1 ? s[si].first
										 : (uint64_t)e[ei].last + 1;
		uint64_t q;

		for (; ei < n && (uint64_t)e[ei].last + 1 == p; ei++) {
			sw.cnt -= e[ei].copies;
			sw.st[e[ei].state] -= e[ei].copies;
		}
		for (; si < n && s[si].first == p; si++) {
			sw.cnt += s[si].copies;
			sw.st[s[si].state] += s[si].copies;
		}
		if (ei == n)
			break;
		q = (uint64_t)e[ei].last + 1;
		if (si < n && s[si].first < q)
			q = s[si].first;
		if (sw.cnt > 0)
			rc = fold_run(a, g, &sw, (uint32_t)p, (uint32_t)q);
	}
	if (rc == 0 && sw.have_mix) {
		for (uint32_t m = g->mix; m != NONE; m = a->mix[m].next)
			a->mix[m].peak = 0;
		for (unsigned st = 0; rc == 0 && st < AGG_NSTATE; st++)
			if (sw.peakmix[st])
				rc = agg_mix_add(a, g, st, sw.peakmix[st], true);
	}
	if (rc == 0 && g->ncells > 1) {
		bool sorted = true;

		for (size_t i = 1; sorted && i < g->ncells; i++)
			sorted = g->cells[i - 1].snap < g->cells[i].snap;
		if (!sorted)
			qsort(g->cells, g->ncells, sizeof *g->cells, by_cell_snap);
	}
	return rc;
}

/* The spans by group, each group's by first: two stable counting sorts,
 * by first (positions: tb->n) then by group, so that no group needs a
 * comparison sort whatever order the spans came in (a chain's spans are
 * stored as they end, by last). Takes a->sev (NULL there after): the
 * caller frees the result. */
static struct agg_sev *by_group(struct agg *a, size_t **startp)
{
	size_t npos = a->tb->n;
	size_t *start = big_alloc(a->ng + 1, sizeof *start, true);
	size_t *at = big_alloc(npos + 1, sizeof *at, true);
	/* zeroed: every slot is written below, but the analyzer cannot tell */
	struct agg_sev *tmp = big_alloc(a->nsev, sizeof *tmp, true), *out = a->sev;

	if (!start || !at || !tmp) {
		free(start);
		free(at);
		free(tmp);
		return NULL;
	}
	for (size_t i = 0; i < a->nsev; i++)
		at[out[i].first + 1]++;
	for (size_t p = 0; p < npos; p++)
		at[p + 1] += at[p];
	for (size_t i = 0; i < a->nsev; i++)
		tmp[at[out[i].first]++] = out[i];
	for (size_t i = 0; i < a->nsev; i++)
		start[tmp[i].group + 1]++;
	for (size_t g = 0; g < a->ng; g++)
		start[g + 1] += start[g];
	for (size_t i = 0; i < a->nsev; i++)
		out[start[tmp[i].group]++] = tmp[i];
	/* start[g] is now g's end: shift back */
	memmove(start + 1, start, a->ng * sizeof *start);
	start[0] = 0;
	free(at);
	free(tmp);
	a->sev = NULL;
	a->nsev = a->capsev = 0;
	*startp = start;
	return out;
}

int agg_span_end(struct agg *a)
{
	struct agg_sev *e = NULL, *s = NULL;
	size_t *start = NULL, most = 0, ncnt = 0;
	uint32_t *cnt = NULL;
	int rc = -ENOMEM;

	if (a->nsev == 0)
		return 0;
	if (!(s = by_group(a, &start)))
		goto out;
	for (size_t g = 0; g < a->ng; g++)
		most = start[g + 1] - start[g] > most ? start[g + 1] - start[g] : most;
	if (!(e = malloc((most ? most : 1) * sizeof *e)))
		goto out;
	rc = 0;
	for (size_t g = 0; rc == 0 && g < a->ng; g++)
		if (start[g + 1] > start[g])
			rc = sweep_group(a, &a->g[g], s + start[g], e, start[g + 1] - start[g], &cnt,
					 &ncnt);
out:
	free(cnt);
	free(e);
	free(s);
	free(start);
	free(a->sev);
	a->sev = NULL;
	a->nsev = a->capsev = 0;
	return rc;
}

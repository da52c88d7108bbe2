/* blocklist — the decisions of `sockscope blocklist` from peers' and
 * subnets' evidence: baseline and threshold, subnets whose hosts behave
 * alike, the spoofed-spread verdict, rails, scores and the reasons of near
 * misses. The rules and their reasoning are in docs/BLOCKLIST.md. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "grow.h"
#include "blocklist.h"

void blocklist_params_default(struct blocklist_params *p)
{
	*p = (struct blocklist_params){
		.min_conns = 0,
		.min_snapshots = 0,
		.min_share = 0.1,
		.min_hosts = 8,
		.spread = 64,
		.prefix4 = 24,
		.prefix6 = 64,
		.max_near = 20,
	};
}

const char *blocklist_pattern_name(enum blocklist_pattern p)
{
	switch (p) {
	case BLOCKLIST_SYN: return "syn-flood";
	case BLOCKLIST_HELD: return "held";
	case BLOCKLIST_CHURN: return "churn";
	case BLOCKLIST_MIXED:
	default: return "mixed";
	}
}

static int u32_cmp(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

/* The median of v[0..n) (reordered); 0 when n is 0. */
static uint32_t median(uint32_t *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof *v, u32_cmp);
	return v[(n - 1) / 2];
}

/* A peer that only ever showed SYN_RECV, at most two at once: what a
 * spoofed source looks like (and what a client caught mid-handshake looks
 * like, which the surge condition tells apart). */
static bool is_oneoff(const struct blocklist_group *h)
{
	return h->total > 0 && h->syn_total == h->total && h->peak <= 2;
}

/* Behaves like an attacker: many sockets, or mostly SYN_RECV. */
static bool is_alike(const struct blocklist_group *h, uint32_t threshold)
{
	return h->peak >= threshold || (h->total > 0 && h->syn_total * 2 >= h->total);
}

/* Completed handshakes at a client's rate: never inside a named subnet. */
static bool is_legit(const struct blocklist_group *h, uint32_t threshold)
{
	return !is_alike(h, threshold) && h->total > h->syn_total;
}

static int cidr_cmp(const struct cidr *a, const struct cidr *b)
{
	int c = addr_cmp(&a->addr, &b->addr);

	return c ? c : (a->prefix > b->prefix) - (a->prefix < b->prefix);
}

static enum blocklist_pattern pattern_of(const struct blocklist_group *g)
{
	if (g->peak && g->syn * 2u >= g->peak)
		return BLOCKLIST_SYN;
	if (g->peak && g->est * 2u >= g->peak)
		return BLOCKLIST_HELD;
	if (g->peak && g->closing * 2u >= g->peak)
		return BLOCKLIST_CHURN;
	return BLOCKLIST_MIXED;
}

static double share_of(const struct blocklist_group *g, uint64_t rows)
{
	return rows ? (double)g->total * 100.0 / (double)rows : 0;
}

/* 40 for size (4 x the threshold is full marks), 25 for persistence, 20
 * for a one-sided state mix, 15 for share (5% is full marks); one decimal,
 * as the firewall comments print it. */
static double score_of(const struct blocklist_group *g, uint32_t threshold, size_t nsnaps,
		       uint64_t rows)
{
	double size = threshold ? (double)g->peak / (4.0 * threshold) : 1;
	double pers = nsnaps ? (double)g->present / (double)nsnaps : 0;
	uint32_t side = g->syn > g->est ? g->syn : g->est;
	double one = g->peak ? (double)(side > g->closing ? side : g->closing) / g->peak : 0;
	double share = share_of(g, rows) / 5.0;
	double s = 40 * (size < 1 ? size : 1) + 25 * (pers < 1 ? pers : 1) +
		   20 * (one < 1 ? one : 1) + 15 * (share < 1 ? share : 1);

	s = round(s * 10) / 10;
	return s < 0 ? 0 : s > 100 ? 100 : s;
}

static void why(struct blocklist_rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void why(struct blocklist_rec *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->why, sizeof r->why, fmt, ap);
	va_end(ap);
}

/* The thresholds every candidate meets; false with r->why set. */
static bool thresholds_met(struct blocklist_rec *r, const struct blocklist_input *in,
			   const struct blocklist_result *res, const struct blocklist_params *p)
{
	const struct blocklist_group *g = &r->g;
	double share = share_of(g, in->rows);

	if (g->peak < res->threshold) {
		why(r, "%" PRIu32 " sockets at peak, below %" PRIu32 " (--min-conns)", g->peak,
		    res->threshold);
		return false;
	}
	if (g->present < res->min_snapshots) {
		why(r, "present in %" PRIu32 " of %zu snapshots, fewer than %" PRIu32
		       " (--min-snapshots)", g->present, in->nsnaps, res->min_snapshots);
		return false;
	}
	if (share < p->min_share) {
		why(r, "%.3f%% of all sockets, below %.3f%% (--min-share)", share, p->min_share);
		return false;
	}
	return true;
}

static bool rails_ok(struct blocklist_rec *r, const struct blockrail *rails)
{
	char buf[160];
	const char *reason = blockrail_check(rails, &r->g.net, buf, sizeof buf);

	if (reason)
		why(r, "%s", reason);
	return !reason;
}

struct work {
	const struct blocklist_group **sub;   /* subnets sorted by network */
	uint32_t *slot;                /* sub's index + 1 by network hash; 0: empty */
	size_t mask;                   /* slots - 1 (a power of two) */
	uint32_t *alike, *legit, *oneoff;
	size_t *legit_ex;              /* a legitimate-looking host of each */
	bool *blocked;
	long *sub_of;                  /* each host's subnet (index in sub), or -1 */
};

static int sub_cmp(const void *x, const void *y)
{
	return cidr_cmp(&(*(const struct blocklist_group *const *)x)->net,
			&(*(const struct blocklist_group *const *)y)->net);
}

static uint64_t net_hash(const struct cidr *c)
{
	uint64_t h = 14695981039346656037ull ^ c->addr.family ^ ((uint64_t)c->prefix << 8);

	for (unsigned i = 0; i < 16; i++)
		h = (h ^ c->addr.a[i]) * 1099511628211ull;
	return h ^ (h >> 29);
}

/* The subnets by network, for sub_find: one probe a host instead of a
 * binary search (the hosts are the spread's 10^5 .. 10^6). 0 or -ENOMEM. */
static int sub_index(struct work *w, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	if (!(w->slot = calloc(cap, sizeof *w->slot)))
		return -ENOMEM;
	w->mask = cap - 1;
	for (size_t i = 0; i < n; i++) {
		size_t at = (size_t)net_hash(&w->sub[i]->net) & w->mask;

		while (w->slot[at])
			at = (at + 1) & w->mask;
		w->slot[at] = (uint32_t)i + 1;
	}
	return 0;
}

/* The index of the subnet holding host h, or -1. */
static long sub_find(const struct work *w, const struct blocklist_group *h,
		     const struct blocklist_params *p)
{
	struct cidr key = {h->net.addr, 0};
	size_t at;

	key.prefix = (uint8_t)(key.addr.family == AF_INET ? p->prefix4 : p->prefix6);
	addr_mask(&key.addr, key.prefix);
	for (at = (size_t)net_hash(&key) & w->mask; w->slot[at]; at = (at + 1) & w->mask)
		if (cidr_cmp(&w->sub[w->slot[at] - 1]->net, &key) == 0)
			return (long)w->slot[at] - 1;
	return -1;
}

static int push(struct blocklist_rec **v, size_t *n, size_t *cap, const struct blocklist_rec *r)
{
	struct blocklist_rec *nv = grow(*v, cap, *n, sizeof *nv, 16);

	if (!nv)
		return -ENOMEM;
	*v = nv;
	(*v)[(*n)++] = *r;
	return 0;
}

static int by_score(const void *x, const void *y)
{
	const struct blocklist_rec *a = x, *b = y;

	if (a->score != b->score)
		return a->score < b->score ? 1 : -1;
	if (a->g.peak != b->g.peak)
		return a->g.peak < b->g.peak ? 1 : -1;
	return cidr_cmp(&a->g.net, &b->g.net);
}

static int by_peak(const void *x, const void *y)
{
	const struct blocklist_rec *a = x, *b = y;

	if (a->g.peak != b->g.peak)
		return a->g.peak < b->g.peak ? 1 : -1;
	if (a->subnet != b->subnet)
		return a->subnet ? -1 : 1;
	return cidr_cmp(&a->g.net, &b->g.net);
}

/* The baseline: the peers that completed a handshake, their median peak
 * and robust deviation, and the threshold. */
static int baseline(const struct blocklist_input *in, const struct blocklist_params *p, struct blocklist_result *r)
{
	uint32_t *v = malloc((in->nhosts ? in->nhosts : 1) * sizeof *v);
	size_t n = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < in->nhosts; i++)
		if (in->hosts[i].total > in->hosts[i].syn_total)
			v[n++] = in->hosts[i].peak;
	/* none: every peer may be an attacker, so none is the norm; the
	 * floor alone decides */
	r->clients = n;
	r->typical = median(v, n);
	for (size_t i = 0; i < n; i++)
		v[i] = v[i] > r->typical ? v[i] - r->typical : r->typical - v[i];
	r->sigma = 1.4826 * median(v, n);
	free(v);
	if (p->min_conns) {
		r->threshold = p->min_conns;
	} else {
		double t = fmax(fmax(BLOCKLIST_FLOOR, 5.0 * r->typical), ceil(r->typical + 6 * r->sigma));

		r->threshold = t > UINT32_MAX ? UINT32_MAX : (uint32_t)t;
	}
	r->min_snapshots = p->min_snapshots ? p->min_snapshots : in->nsnaps > 1 ? 2 : 1;
	return 0;
}

/* SYN_RECV rose: its busiest snapshot holds at least the threshold, and
 * four times the lower-quartile snapshot's (a flood that started before the
 * recording has no quiet quarter) or as many as all other sockets: a busy
 * server's clients caught mid-handshake are neither. */
static bool syn_surge(const struct blocklist_input *in, struct blocklist_result *r)
{
	uint32_t *v;
	size_t at = 0;

	if (in->nsnaps == 0 || !in->syn)
		return false;
	for (size_t i = 1; i < in->nsnaps; i++)
		if (in->syn[i] > in->syn[at])
			at = i;
	r->spoof.syn_peak = in->syn[at];
	r->spoof.peak_time = in->time ? in->time[at] : 0;
	if (in->all && in->all[at])
		r->spoof.syn_share = (uint32_t)((uint64_t)in->syn[at] * 100 / in->all[at]);
	if (!(v = malloc(in->nsnaps * sizeof *v)))
		return false;
	memcpy(v, in->syn, in->nsnaps * sizeof *v);
	qsort(v, in->nsnaps, sizeof *v, u32_cmp);
	r->spoof.syn_q1 = v[(in->nsnaps - 1) / 4];
	free(v);
	return r->spoof.syn_peak >= r->threshold &&
	       (r->spoof.syn_peak >= 4ull * r->spoof.syn_q1 || r->spoof.syn_share >= 50);
}

/* What each subnet's hosts are: alike, one-off SYN sources, legitimate
 * (the first of those kept as an example); and each host's subnet. */
static void classify_hosts(struct work *w, const struct blocklist_input *in,
			   const struct blocklist_result *r, const struct blocklist_params *p)
{
	for (size_t i = 0; i < in->nhosts; i++) {
		const struct blocklist_group *h = &in->hosts[i];
		long s = w->sub_of[i] = sub_find(w, h, p);

		if (s < 0)
			continue;
		if (is_alike(h, r->threshold))
			w->alike[s]++;
		if (is_oneoff(h))
			w->oneoff[s]++;
		if (is_legit(h, r->threshold) && w->legit[s]++ == 0)
			w->legit_ex[s] = i;
	}
}

/* The tests a subnet c (index s) passes before the rails, in the order
 * docs/BLOCKLIST.md gives them; the first that fails says why. need: the
 * alike hosts a subnet must hold (more inside a spread: med is its median
 * subnet's one-off hosts). */
static bool subnet_ok(struct blocklist_rec *c, const struct work *w, size_t s, uint32_t need,
		      uint32_t med, const struct blocklist_input *in,
		      const struct blocklist_result *r, const struct blocklist_params *p)
{
	if (!thresholds_met(c, in, r, p))
		return false;
	if (c->alike < p->min_hosts) {
		why(c, "%" PRIu32 " of its %" PRIu32 " hosts behave alike, fewer than %" PRIu32
		       " (--min-hosts)", c->alike, c->g.hosts, p->min_hosts);
		return false;
	}
	if ((uint64_t)c->alike * 2 < c->g.hosts) {
		why(c, "only %" PRIu32 " of its %" PRIu32 " hosts behave alike", c->alike,
		    c->g.hosts);
		return false;
	}
	if (w->legit[s]) {
		char ex[ADDR_STRLEN];

		addr_format(&in->hosts[w->legit_ex[s]].net.addr, ex, sizeof ex);
		why(c, "holds %" PRIu32 " peer%s that look%s legitimate, e.g. %s", w->legit[s],
		    w->legit[s] == 1 ? "" : "s", w->legit[s] == 1 ? "s" : "", ex);
		return false;
	}
	if (c->alike < need) {
		why(c, "part of a spread SYN flood (likely spoofed): %" PRIu32
		       " hosts alike here, a median of %" PRIu32 " per subnet", c->alike, med);
		return false;
	}
	return true;
}

int blocklist_decide(const struct blocklist_input *in, const struct blockrail *rails,
		     const struct blocklist_params *p, struct blocklist_result *r)
{
	size_t ns = in->nsubnets, cap = 0, capnear = 0, nnear = 0;
	struct blocklist_rec *near = NULL;
	struct work w = {0};
	uint32_t *tmp = NULL, med = 0;
	bool spread = false;
	size_t nsp = 0;
	int rc = -ENOMEM;

	memset(r, 0, sizeof *r);
	if (baseline(in, p, r) < 0)
		return -ENOMEM;
	w.sub = malloc((ns ? ns : 1) * sizeof *w.sub);
	w.alike = calloc(ns ? ns : 1, sizeof *w.alike);
	w.legit = calloc(ns ? ns : 1, sizeof *w.legit);
	w.oneoff = calloc(ns ? ns : 1, sizeof *w.oneoff);
	w.legit_ex = calloc(ns ? ns : 1, sizeof *w.legit_ex);
	w.blocked = calloc(ns ? ns : 1, sizeof *w.blocked);
	w.sub_of = malloc((in->nhosts ? in->nhosts : 1) * sizeof *w.sub_of);
	tmp = malloc((ns ? ns : 1) * sizeof *tmp);
	if (!w.sub || !w.alike || !w.legit || !w.oneoff || !w.legit_ex || !w.blocked || !w.sub_of ||
	    !tmp)
		goto out;
	for (size_t i = 0; i < ns; i++)
		w.sub[i] = &in->subnets[i];
	qsort(w.sub, ns, sizeof *w.sub, sub_cmp);
	if (sub_index(&w, ns) < 0)
		goto out;
	classify_hosts(&w, in, r, p);

	/* a spread: one-off SYN sources in many subnets; a subnet stands out of
	 * it only with many times the median subnet's hosts */
	for (size_t s = 0; s < ns; s++)
		if (w.oneoff[s])
			tmp[nsp++] = w.oneoff[s];
	if (nsp >= p->spread && nsp > 0) {
		spread = true;
		med = median(tmp, nsp);
	}

	/* subnets */
	for (size_t s = 0; s < ns; s++) {
		struct blocklist_rec c = {.g = *w.sub[s], .subnet = true, .alike = w.alike[s]};
		uint32_t need = p->min_hosts;
		bool ok;

		if (c.alike < 2)
			continue;
		c.pattern = pattern_of(&c.g);
		c.score = score_of(&c.g, r->threshold, in->nsnaps, in->rows);
		if (spread && 8u * med > need)
			need = 8u * med;
		ok = subnet_ok(&c, &w, s, need, med, in, r, p) && rails_ok(&c, rails);
		c.action = ok ? BLOCKLIST_BLOCK : BLOCKLIST_SKIP;
		if (ok) {
			w.blocked[s] = true;
			if (push(&r->v, &r->n, &cap, &c) < 0)
				goto out;
		} else if (c.g.peak * 2ull >= r->threshold) {
			if (push(&near, &nnear, &capnear, &c) < 0)
				goto out;
		}
	}

	/* peers outside named subnets; the spread's one-off sources */
	for (size_t i = 0; i < in->nhosts; i++) {
		const struct blocklist_group *h = &in->hosts[i];
		long s = w.sub_of[i];
		struct blocklist_rec c;
		bool ok;

		if (s >= 0 && w.blocked[s])
			continue;
		if (spread && is_oneoff(h)) {
			if (r->spoof.sources++ == 0 || h->first < r->spoof.first)
				r->spoof.first = h->first;
			if (h->last > r->spoof.last)
				r->spoof.last = h->last;
		}
		if (h->peak * 2ull < r->threshold)
			continue;
		/* made only here: a record (its why) is 300 bytes, and most
		 * hosts stop above */
		c = (struct blocklist_rec){.g = *h, .alike = 1};
		c.pattern = pattern_of(h);
		c.score = score_of(h, r->threshold, in->nsnaps, in->rows);
		ok = thresholds_met(&c, in, r, p) && rails_ok(&c, rails);
		c.action = ok ? BLOCKLIST_BLOCK : BLOCKLIST_SKIP;
		if (push(ok ? &r->v : &near, ok ? &r->n : &nnear, ok ? &cap : &capnear, &c) < 0)
			goto out;
	}
	if (spread) {
		for (size_t s = 0; s < ns; s++)
			if (w.oneoff[s] && !w.blocked[s])
				r->spoof.subnets++;
		r->spoof.found = syn_surge(in, r) && r->spoof.subnets >= p->spread;
	}

	if (r->n)   /* qsort's base may not be NULL */
		qsort(r->v, r->n, sizeof *r->v, by_score);
	r->nblock = r->n;
	if (nnear)
		qsort(near, nnear, sizeof *near, by_peak);
	for (size_t i = 0; i < nnear && i < p->max_near; i++)
		if (push(&r->v, &r->n, &cap, &near[i]) < 0)
			goto out;
	rc = 0;
out:
	free(near);
	free(tmp);
	free(w.sub);
	free(w.slot);
	free(w.alike);
	free(w.legit);
	free(w.oneoff);
	free(w.legit_ex);
	free(w.blocked);
	free(w.sub_of);
	if (rc < 0)
		blocklist_result_fini(r);
	return rc;
}

void blocklist_result_fini(struct blocklist_result *r)
{
	free(r->v);
	memset(r, 0, sizeof *r);
}

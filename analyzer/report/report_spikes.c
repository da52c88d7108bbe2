/* report_spikes — series per host (state counts from one scan, counter rates
 * from the counters table), spike.c on each, then for every spike a scan of
 * the snapshots before and during it for what grew. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "grow.h"
#include "agg.h"
#include "buf.h"
#include "intern.h"
#include "report_spikes.h"
#include "tcpstate.h"

const char *const report_spikes_default_counters[] = {
	"TcpExt.SyncookiesSent", "TcpExt.ListenOverflows", "TcpExt.ListenDrops",
	"TcpExt.TCPReqQFullDrop", "TcpExt.TCPReqQFullDoCookies",
};
const size_t report_spikes_ndefault_counters =
	sizeof report_spikes_default_counters / sizeof report_spikes_default_counters[0];

/* A host's snapshots: indices into the scan_snaps, in time order. */
struct host {
	const char *name;        /* borrowed from the scan_snaps */
	size_t *snap;
	size_t n;
};

/* A spike and what it was found in. */
struct found {
	struct report_spikes_found f;
	size_t host;
	int state;               /* its series' state, or -1: a counter's rate */
	bool rate;
};

struct run {
	const struct report_spikes_opts *o;
	const struct filter *flt;
	struct scan_src *src;
	struct scan_snaps snaps;
	struct host *hosts;
	size_t nhosts;
	uint32_t *count[AGG_NSTATE];   /* per snapshot, for the series' states */
	struct found *found;
	size_t nfound, capfound;
	char *err;
	size_t errsz;
};

static int oom(struct run *r)
{
	snprintf(r->err, r->errsz, "out of memory");
	return -ENOMEM;
}

static int hosts_build(struct run *r)
{
	for (size_t i = 0; i < r->snaps.n; i++) {
		const char *name = r->snaps.v[i].host;
		struct host *h = NULL;
		size_t *v;

		for (size_t j = 0; j < r->nhosts; j++)
			if (!strcmp(r->hosts[j].name, name))
				h = &r->hosts[j];
		if (!h) {
			struct host *nh = realloc(r->hosts, (r->nhosts + 1) * sizeof *nh);

			if (!nh)
				return oom(r);
			r->hosts = nh;
			h = &r->hosts[r->nhosts++];
			*h = (struct host){.name = name};
		}
		v = realloc(h->snap, (h->n + 1) * sizeof *v);
		if (!v)
			return oom(r);
		h->snap = v;
		h->snap[h->n++] = i;
	}
	return 0;
}

/* ---- state counts per snapshot: one scan, grouped by state ------------- */

static int state_counts(struct run *r)
{
	struct filter f = *r->flt;
	struct agg *agg = NULL;
	int rc;

	f.states = r->o->states;
	rc = scan_count_states(r->src, &r->snaps, &f, &agg, r->err, r->errsz);
	for (int st = 1; rc == 0 && st < AGG_NSTATE; st++) {
		struct agg_key k = {{0}};
		const struct agg_group *g;

		if (!(r->o->states & (1u << st)))
			continue;
		if (!(r->count[st] = calloc(r->snaps.n ? r->snaps.n : 1, sizeof *r->count[st]))) {
			rc = oom(r);
			break;
		}
		/* a state mask bit stands for UNCONN too (CLOSE of UDP) */
		for (unsigned alias = 0; alias < 2; alias++) {
			k.b[0] = (uint8_t)(alias ? (st == ST_CLOSE ? AGG_UNCONN : 0) : st);
			if (!k.b[0] || !(g = agg_find(agg, &k)))
				continue;
			for (size_t j = 0; j < g->ncells; j++)
				r->count[st][g->cells[j].snap] += g->cells[j].count;
		}
	}
	agg_free(agg);
	return rc;
}

/* ---- finding ------------------------------------------------------------ */

static int add_found(struct run *r, size_t host, const char *series, int state, bool rate,
		     const struct spike *s)
{
	struct found *f;

	if (!(f = grow(r->found, &r->capfound, r->nfound, sizeof *f, 16)))
		return oom(r);
	r->found = f;
	f = &r->found[r->nfound++];
	memset(f, 0, sizeof *f);
	snprintf(f->f.host, sizeof f->f.host, "%s", r->hosts[host].name);
	snprintf(f->f.series, sizeof f->f.series, "%s", series);
	f->f.s = *s;
	f->host = host;
	f->state = state;
	f->rate = rate;
	return 0;
}

/* spike_find over p[0..n), each spike recorded. */
static int find(struct run *r, size_t host, const char *series, int state, bool rate,
		const struct spike_point *p, size_t n)
{
	const struct spike_params *prm = rate ? &r->o->rate : &r->o->count;
	struct spike *sp;
	long k = spike_find(p, n, prm, NULL, 0);
	int rc = 0;

	if (k < 0) {
		snprintf(r->err, r->errsz, "bad spike parameters");
		return (int)k;
	}
	if (k == 0)
		return 0;
	if (!(sp = calloc((size_t)k, sizeof *sp)))
		return oom(r);
	k = spike_find(p, n, prm, sp, (size_t)k);
	for (long i = 0; rc == 0 && i < k; i++)
		rc = add_found(r, host, series, state, rate, &sp[i]);
	free(sp);
	return rc;
}

/* A host's series of one state: snapshots at the same time count once
 * (the larger), as the series must move forward in time. */
static int state_series(struct run *r, size_t host, int st, struct spike_point *p)
{
	const struct host *h = &r->hosts[host];
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++) {
		const struct scan_snap *sn = &r->snaps.v[h->snap[i]];
		double v = r->count[st][h->snap[i]];

		if (n && p[n - 1].t == sn->time) {
			if (v > p[n - 1].v)
				p[n - 1].v = v;
			continue;
		}
		p[n++] = (struct spike_point){sn->time, v};
	}
	return find(r, host, agg_state_name((unsigned)st), st, false, p, n);
}

/* A counter's rates for one host: its spikes. */
struct counter_ctx {
	struct run *r;
	char series[128];
};

static int counter_found(void *ctx, const char *host, const struct spike_point *p, size_t n)
{
	struct counter_ctx *c = ctx;
	size_t hi;

	for (hi = 0; hi < c->r->nhosts && strcmp(c->r->hosts[hi].name, host); hi++)
		;
	return hi < c->r->nhosts ? find(c->r, hi, c->series, -1, true, p, n) : 0;
}

static int counter_series(struct run *r, const struct report_spikes_snaps *sn, const char *name)
{
	struct counter_ctx c = {.r = r};

	snprintf(c.series, sizeof c.series, "%s/s", name);
	return (int)report_spikes_rates_of(r->src->db, r->flt, sn, name, counter_found, &c, r->err,
					   r->errsz);
}

/* "SyncookiesSent" is TcpExt's, as in nstat; "Tcp.ActiveOpens" as given. */
static void counter_name(const char *in, char *out, size_t n)
{
	if (strchr(in, '.'))
		snprintf(out, n, "%s", in);
	else
		snprintf(out, n, "TcpExt.%s", in);
}

/* ---- what grew during a spike ------------------------------------------ */

enum { G_SUBNET, G_PORT, G_PROGRAM, G_N };

struct grow {
	const struct report_spikes_opts *o;
	size_t nbefore;          /* sub-list snapshots [0, nbefore) are before */
	struct agg *agg[2][G_N]; /* before, during */
	struct intern names;
	unsigned period;
};

static int grow_snap(void *ctx, uint32_t snap, usec_t time)
{
	struct grow *g = ctx;
	int rc = 0;

	g->period = snap < g->nbefore ? 0 : 1;
	for (int k = 0; rc == 0 && k < G_N; k++)
		rc = agg_snapshot(g->agg[g->period][k], snap, time);
	return rc;
}

/* A row (sp NULL) or a span into the period's groups. */
static int grow_add(struct grow *g, const struct scan_row *row, const struct scan_span *sp)
{
	struct agg_key k;
	int rc = 0;

#define GROW_ADD(agg)                                                                   \
	(sp ? agg_span(agg, sp->tb, &k, NULL, row->state, sp->first, sp->last, sp->copies) \
	    : agg_add(agg, &k, NULL, row->state))
	if (row->peer.family && !addr_is_unspecified(&row->peer)) {
		agg_key_addr(&k, &row->peer, g->o->prefix4, g->o->prefix6);
		rc = GROW_ADD(g->agg[g->period][G_SUBNET]);
	}
	memset(&k, 0, sizeof k);
	k.b[0] = (uint8_t)(row->lport >> 8);
	k.b[1] = (uint8_t)row->lport;
	if (rc == 0)
		rc = GROW_ADD(g->agg[g->period][G_PORT]);
	if (rc == 0 && row->program) {
		long id = intern_id(&g->names, row->program);

		if (id < 0)
			return (int)id;
		memset(&k, 0, sizeof k);
		memcpy(k.b, &id, sizeof id);
		rc = GROW_ADD(g->agg[g->period][G_PROGRAM]);
	}
#undef GROW_ADD
	return rc;
}

static int grow_row(void *ctx, const struct scan_row *row)
{
	return grow_add(ctx, row, NULL);
}

static int grow_span(void *ctx, const struct scan_row *row, const struct scan_span *sp)
{
	return grow_add(ctx, row, sp);
}

struct growth {
	double d;
	const struct agg_group *g;
	char name[ADDR_STRLEN + 8 > 128 ? ADDR_STRLEN + 8 : 128];
};

static int by_growth(const void *x, const void *y)
{
	const struct growth *a = x, *b = y;

	if (a->d != b->d)
		return a->d < b->d ? 1 : -1;
	return strcmp(a->name, b->name);
}

/*
 * A spread: when this many subnets or more grew (blocklist's --spread
 * default), a subnet is named only when it rose SPREAD_STANDOUT times the
 * median subnet's rise (blocklist's rule for a subnet standing out of a
 * spread of one-off sources), and the rest is "spread over N subnets": the
 * top three of thousands of forged /24s at +2.8 each are noise, not
 * attackers (docs/REPORTS.md).
 */
#define SPREAD_SUBNETS 64
#define SPREAD_STANDOUT 8

/* "198.18.0.0/24 +812, 198.19.0.0/24 +790": mean rows per snapshot during
 * minus before, the largest rises first; "spread over 2981 subnets", or
 * "198.18.0.0/24 +812, spread over 2980 more subnets", for a spread. */
static int grew_text(const struct grow *g, int kind, size_t nbefore, size_t nduring,
		     struct buf *out)
{
	struct agg *during = g->agg[1][kind];
	size_t n = agg_ngroups(during), m = 0;
	struct growth *v = calloc(n ? n : 1, sizeof *v);
	size_t named;
	int rc = 0;

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct agg_group *d = &agg_groups(during)[i];
		const struct agg_group *b = agg_find(g->agg[0][kind], &d->key);
		double delta = (double)d->total / (double)nduring -
			       (b && nbefore ? (double)b->total / (double)nbefore : 0);
		long id;

		if (delta <= 0)
			continue;
		v[m].d = delta;
		v[m].g = d;
		if (kind == G_SUBNET) {
			agg_key_addr_format(&d->key, g->o->prefix4, g->o->prefix6, v[m].name,
					    sizeof v[m].name);
		} else if (kind == G_PORT) {
			snprintf(v[m].name, sizeof v[m].name, "%u",
				 (unsigned)d->key.b[0] << 8 | d->key.b[1]);
		} else {
			memcpy(&id, d->key.b, sizeof id);
			snprintf(v[m].name, sizeof v[m].name, "%s",
				 id >= 0 && (size_t)id < g->names.n ? g->names.v[id] : "?");
		}
		m++;
	}
	qsort(v, m, sizeof *v, by_growth);
	buf_reset(out);
	named = m < g->o->top ? m : g->o->top;
	if (kind == G_SUBNET && m >= SPREAD_SUBNETS) {
		/* sorted by rise, largest first: those that stand out lead */
		double med = (v[(m - 1) / 2].d + v[m / 2].d) / 2;
		size_t stand = 0;

		while (stand < named && v[stand].d >= SPREAD_STANDOUT * med)
			stand++;
		named = stand;
	}
	for (size_t i = 0; rc == 0 && i < named; i++)
		rc = buf_printf(out, v[i].d >= 10 ? "%s%s +%.0f" : "%s%s +%.1f", i ? ", " : "",
				v[i].name, v[i].d);
	if (rc == 0 && named < m && kind == G_SUBNET && m >= SPREAD_SUBNETS)
		rc = buf_printf(out, "%sspread over %zu %ssubnets", named ? ", " : "", m - named,
				named ? "more " : "");
	if (rc == 0)
		rc = buf_putc(out, '\0');
	free(v);
	return rc < 0 ? -ENOMEM : 0;
}

/* t's program keys renumbered to g's names (interned there): t's groups
 * are then only merged from (agg_merge reads them by index). */
static int grow_renumber(struct grow *g, const struct grow *t, struct agg *a)
{
	struct agg_group *v = agg_groups(a);

	for (size_t i = 0; i < agg_ngroups(a); i++) {
		long id;

		memcpy(&id, v[i].key.b, sizeof id);
		if ((id = intern_id(&g->names, t->names.v[id])) < 0)
			return (int)id;
		memcpy(v[i].key.b, &id, sizeof id);
	}
	return 0;
}

/* What a growth was computed for: the same again (a flood's counters
 * spike together, over the same snapshots) leaves texts as they are. */
struct grow_key {
	size_t host, lo, hi, nb;
	int state;
	bool valid;
};

/* Scans the host's snapshots before (as many as the spike has, at most
 * the baseline window) and during the spike, each half by the report's
 * readers (their totals added up); texts[kind] get what grew, unless they
 * hold it already (*last: what they hold). */
static int growth(struct run *r, const struct found *fd, struct buf texts[G_N],
		  struct grow_key *last)
{
	const struct host *h = &r->hosts[fd->host];
	const struct spike_params *prm = fd->rate ? &r->o->rate : &r->o->count;
	unsigned nt = r->src->threads < 1 ? 1
		      : r->src->threads > SCAN_MAX_THREADS ? SCAN_MAX_THREADS : r->src->threads;
	struct scan_snaps sub = {0};
	struct grow g[SCAN_MAX_THREADS];
	struct scan_sink sinks[SCAN_MAX_THREADS];
	struct scan_snaps part[2] = {{0}};   /* before, during: sub's two halves */
	struct filter f = *r->flt;
	size_t lo = 0, hi, nb;
	int rc = -ENOMEM;

	memset(g, 0, sizeof g);
	while (lo < h->n && r->snaps.v[h->snap[lo]].time < fd->f.s.start)
		lo++;
	for (hi = lo; hi < h->n && r->snaps.v[h->snap[hi]].time <= fd->f.s.end; hi++)
		;
	nb = hi - lo;
	if (nb > prm->window)
		nb = prm->window;
	if (nb == 0)
		nb = 1;
	if (nb > lo)
		nb = lo;
	if (last->valid && last->host == fd->host && last->lo == lo && last->hi == hi &&
	    last->nb == nb && last->state == fd->state)
		return 0;
	last->valid = false;
	if (!(sub.v = calloc(hi - lo + nb + 1, sizeof *sub.v)))
		goto out;
	for (size_t i = lo - nb; i < hi; i++) {
		sub.v[sub.n] = r->snaps.v[h->snap[i]];
		sub.v[sub.n++].host = NULL;
		sub.rows += (uint64_t)r->snaps.v[h->snap[i]].n;
	}
	/* spans count as totals: grew_text compares the periods' totals */
	for (unsigned t = 0; t < nt; t++) {
		g[t].o = r->o;
		g[t].nbefore = nb;
		sinks[t] = (struct scan_sink){grow_snap, grow_row, &g[t], NULL, grow_span, NULL};
		for (int p = 0; p < 2; p++)
			for (int k = 0; k < G_N; k++)
				if (!(g[t].agg[p][k] = agg_new(AGG_TOTALS)))
					goto out;
	}
	/* a state's spike: what grew in that state; a counter's: in any */
	if (fd->state >= 0)
		f.states = 1u << (fd->state == AGG_UNCONN ? ST_CLOSE : fd->state);
	/* each half read on its own: a span across the spike's start counts
	 * in both, as its rows would */
	for (unsigned p = 0; p < 2; p++) {
		part[p].v = sub.v + (p ? nb : 0);
		part[p].n = p ? sub.n - nb : nb;
		for (size_t i = 0; i < part[p].n; i++)
			part[p].rows += (uint64_t)part[p].v[i].n;
	}
	rc = 0;
	for (unsigned p = 0; rc == 0 && p < 2; p++) {
		for (unsigned t = 0; t < nt; t++)
			g[t].period = p;
		if ((rc = scan_snaps_order(&part[p])) == 0)
			rc = scan_db(r->src->db, &part[p], &f, SCAN_PEER | SCAN_LPORT | SCAN_PROGRAM,
				     nt, sinks, r->err, r->errsz);
	}
	for (unsigned t = 0; rc == 0 && t < nt; t++)
		for (int p = 0; rc == 0 && p < 2; p++)
			for (int k = 0; rc == 0 && k < G_N; k++) {
				rc = agg_end(g[t].agg[p][k]);
				if (rc == 0 && t > 0 && k == G_PROGRAM)
					rc = grow_renumber(&g[0], &g[t], g[t].agg[p][k]);
				if (rc == 0 && t > 0)
					rc = agg_merge(g[0].agg[p][k], g[t].agg[p][k]);
			}
	for (int k = 0; rc == 0 && k < G_N; k++)
		rc = grew_text(&g[0], k, nb, hi - lo ? hi - lo : 1, &texts[k]);
	if (rc == 0)
		*last = (struct grow_key){fd->host, lo, hi, nb, fd->state, true};
	if (rc == -ENOMEM)
		oom(r);
out:
	if (rc == -ENOMEM && !r->err[0])
		oom(r);
	for (unsigned t = 0; t < nt; t++) {
		for (int p = 0; p < 2; p++)
			for (int k = 0; k < G_N; k++)
				agg_free(g[t].agg[p][k]);
		intern_fini(&g[t].names);
	}
	for (unsigned p = 0; p < 2; p++) {
		free(part[p].pos_snap);
		free(part[p].pos_time);
	}
	free(sub.v);
	return rc;
}

/* ---- the report ---------------------------------------------------------- */

static int by_start(const void *x, const void *y)
{
	const struct found *a = x, *b = y;
	int c;

	if (a->f.s.start != b->f.s.start)
		return a->f.s.start < b->f.s.start ? -1 : 1;
	if ((c = strcmp(a->f.host, b->f.host)) != 0)
		return c;
	return strcmp(a->f.series, b->f.series);
}

static int write_report(struct run *r, enum output_format fmt, FILE *f, unsigned width, bool color)
{
	static const struct output_col cols[] = {
		{"host", OUTPUT_STR, false, true},
		{"series", OUTPUT_STR, false, false},
		{"start", OUTPUT_STR, false, false},
		{"end", OUTPUT_STR, false, false},
		{"secs", OUTPUT_INT, true, false},
		{"peak", OUTPUT_REAL, true, false},
		{"peak_at", OUTPUT_STR, false, false},
		{"baseline", OUTPUT_REAL, true, false},
		{"threshold", OUTPUT_REAL, true, false},
		{"points", OUTPUT_INT, true, false},
		{"open", OUTPUT_STR, false, false},
		{"subnets", OUTPUT_STR, false, true},
		{"ports", OUTPUT_STR, false, true},
		{"programs", OUTPUT_STR, false, true},
	};
	struct output *out = output_new(fmt, f, cols, sizeof cols / sizeof cols[0], width, color);
	struct buf texts[G_N];
	struct grow_key last = {.valid = false};
	int rc = 0, digits = 0;

	if (!out)
		return oom(r);
	/* a recorder at sub-second intervals: milliseconds, in every row alike */
	for (size_t i = 0; i < r->nfound; i++)
		if (r->found[i].f.s.start % USEC_PER_SEC || r->found[i].f.s.end % USEC_PER_SEC ||
		    r->found[i].f.s.peak_t % USEC_PER_SEC)
			digits = 3;
	for (int k = 0; k < G_N; k++)
		buf_init(&texts[k]);
	for (size_t i = 0; rc == 0 && i < r->nfound; i++) {
		const struct found *fd = &r->found[i];
		const struct spike *s = &fd->f.s;
		struct report_spikes_cells c;
		const char *cells[14];

		if ((rc = growth(r, fd, texts, &last)) < 0)
			break;
		report_spikes_cells_fill(s, digits, &c);
		cells[0] = fd->f.host;
		cells[1] = fd->f.series;
		cells[2] = c.start;
		cells[3] = c.end;
		cells[4] = c.secs;
		cells[5] = c.peak;
		cells[6] = c.at;
		cells[7] = c.base;
		cells[8] = c.thr;
		cells[9] = c.pts;
		cells[10] = s->open ? "yes" : "no";
		for (int k = 0; k < G_N; k++)
			cells[11 + k] = texts[k].len > 1 ? texts[k].data : NULL;
		if (output_row(out, cells) < 0) {
			snprintf(r->err, r->errsz, "writing the report failed");
			rc = -EIO;
		}
	}
	if (rc == 0 && output_end(out) < 0) {
		snprintf(r->err, r->errsz, "writing the report failed");
		rc = -EIO;
	}
	for (int k = 0; k < G_N; k++)
		buf_fini(&texts[k]);
	output_free(out);
	return rc;
}

long report_spikes(struct scan_src *src, const struct filter *flt,
		   const struct report_spikes_opts *o, enum output_format fmt, FILE *f,
		   unsigned width, bool color, struct report_spikes_found *found, size_t max_found,
		   char *err, size_t errsz)
{
	struct run r = {.o = o, .flt = flt, .src = src, .err = err, .errsz = errsz};
	struct report_spikes_snaps *sn = NULL;
	struct spike_point *p = NULL;
	long rc;

	err[0] = '\0';
	rc = scan_snaps_load(src->db, flt, false, 0, &r.snaps, err, errsz);
	if (rc < 0)
		return rc;
	if ((rc = hosts_build(&r)) < 0)
		goto out;
	if (o->states && (rc = state_counts(&r)) < 0)
		goto out;
	if (!(p = calloc(r.snaps.n ? r.snaps.n : 1, sizeof *p))) {
		rc = oom(&r);
		goto out;
	}
	for (size_t h = 0; h < r.nhosts; h++)
		for (int st = 1; st < AGG_NSTATE; st++)
			if ((o->states & (1u << st)) && (rc = state_series(&r, h, st, p)) < 0)
				goto out;
	if (o->ncounters && (rc = report_spikes_snaps_load(src->db, flt, &sn, err, errsz)) < 0)
		goto out;
	for (size_t i = 0; i < o->ncounters; i++) {
		char name[96];   /* series names add "/s" */

		counter_name(o->counters[i], name, sizeof name);
		if ((rc = counter_series(&r, sn, name)) < 0)
			goto out;
	}
	if (r.nfound)   /* r.found is NULL when nothing was found */
		qsort(r.found, r.nfound, sizeof *r.found, by_start);
	for (size_t i = 0; found && i < r.nfound && i < max_found; i++)
		found[i] = r.found[i].f;
	if (f && (rc = write_report(&r, fmt, f, width, color)) < 0)
		goto out;
	rc = (long)r.nfound;
out:
	report_spikes_snaps_free(sn);
	free(p);
	for (int st = 0; st < AGG_NSTATE; st++)
		free(r.count[st]);
	for (size_t h = 0; h < r.nhosts; h++)
		free(r.hosts[h].snap);
	free(r.hosts);
	free(r.found);
	scan_snaps_fini(&r.snaps);
	return rc;
}

void report_spikes_cells_fill(const struct spike *s, int digits, struct report_spikes_cells *c)
{
	utctime_format(s->start, digits, c->start, sizeof c->start);
	utctime_format(s->end, digits, c->end, sizeof c->end);
	utctime_format(s->peak_t, digits, c->at, sizeof c->at);
	/* to the nearest second, as summary does: 8.99997 s is 9 */
	snprintf(c->secs, sizeof c->secs, "%" PRId64,
		 (s->end - s->start + USEC_PER_SEC / 2) / USEC_PER_SEC);
	snprintf(c->peak, sizeof c->peak, "%.1f", s->peak);
	snprintf(c->base, sizeof c->base, "%.1f", s->baseline);
	snprintf(c->thr, sizeof c->thr, "%.1f", s->threshold);
	snprintf(c->pts, sizeof c->pts, "%zu", s->points);
}

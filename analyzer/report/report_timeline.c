/* report_timeline — per snapshot and series counts from SQL, folded in C into
 * buckets (a bucket's value is its busiest snapshot's), the series with the
 * most connections kept, gaps (buckets without a snapshot) marked. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agg.h"
#include "buf.h"
#include "num.h"
#include "report_timeline.h"
#include "termsafe.h"

/* More buckets than this is a typo in --bucket, not a report. */
#define MAX_BUCKETS 100000
#define MAX_SERIES 4096

void report_timeline_result_fini(struct report_timeline_result *t)
{
	for (size_t i = 0; i < t->ns; i++) {
		free(t->s[i].name);
		free(t->s[i].v);
	}
	free(t->s);
	free(t->has);
	memset(t, 0, sizeof *t);
}

/* The bucket size when none was given: the smallest round one that keeps
 * the span within 60 buckets and is no finer than the closest two
 * snapshots (finer would show gaps that are only the recording interval). */
static usec_t auto_bucket(usec_t span, usec_t spacing)
{
	static const int64_t secs[] = {1, 5, 10, 30, 60, 300, 600, 1800, 3600, 21600, 86400};

	for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++)
		if (span / (secs[i] * USEC_PER_SEC) < 60 && secs[i] * USEC_PER_SEC >= spacing)
			return secs[i] * USEC_PER_SEC;
	return 7 * 86400 * USEC_PER_SEC;
}

/*
 * A snapshot dated after the report's time (plus a day for clocks that run
 * a little ahead) was taken by a wrong clock or written by hand: nothing
 * recorded comes from the future. One in year 9999 would stretch the time
 * axis over 8,000 years, so it is left out, and said so once.
 */
#define FUTURE_SLACK (86400 * USEC_PER_SEC)

static bool future(const struct report_timeline_opts *o, usec_t t)
{
	return o->now && t > o->now + FUTURE_SLACK;
}

/* "left out 2 snapshots dated after now (a wrong clock?): 9999-12-31T23:59:00Z
 * (snapshot 7), 9999-12-31T23:59:10Z (snapshot 8)"; the first three named. */
static void warn_future(const struct scan_snaps *sn, const struct report_timeline_opts *o, size_t n)
{
	char when[UTCTIME_STRLEN];
	size_t named = 0;

	if (!o->warn || n == 0)
		return;
	fprintf(o->warn, "sockscope timeline: left out %zu snapshot%s dated after now (a wrong clock?):",
		n, n == 1 ? "" : "s");
	for (size_t i = 0; i < sn->n && named < 3; i++) {
		if (!future(o, sn->v[i].time))
			continue;
		utctime_format(sn->v[i].time, 0, when, sizeof when);
		fprintf(o->warn, "%s %s", named ? "," : "", when);
		if (sn->v[i].id)
			fprintf(o->warn, " (snapshot %" PRId64 ")", sn->v[i].id);
		named++;
	}
	if (n > named)
		fprintf(o->warn, " and %zu more", n - named);
	fputc('\n', o->warn);
}

/* The buckets: the span of the snapshots read (but those from the future),
 * and which buckets hold one. 0 (no snapshot: nb = 0), or -errno with err
 * set. */
static int buckets(const struct scan_snaps *sn, const struct report_timeline_opts *o, struct report_timeline_result *t,
		   char *err, size_t errsz)
{
	usec_t lo = 0, hi = 0, spacing = 0;
	size_t kept = 0;

	t->nb = 0;
	/* snapshots come by time (database) or as read (dumps): both ways */
	for (size_t i = 0; i < sn->n; i++) {
		if (future(o, sn->v[i].time))
			continue;
		if (!kept++ || sn->v[i].time < lo)
			lo = sn->v[i].time;
		if (kept == 1 || sn->v[i].time > hi)
			hi = sn->v[i].time;
	}
	warn_future(sn, o, sn->n - kept);
	if (kept == 0)
		return 0;
	if (!o->bucket) {
		usec_t *times = malloc(kept * sizeof *times);
		size_t k = 0;

		if (!times) {
			snprintf(err, errsz, "out of memory");
			return -ENOMEM;
		}
		for (size_t i = 0; i < sn->n; i++)
			if (!future(o, sn->v[i].time))
				times[k++] = sn->v[i].time;
		qsort(times, kept, sizeof *times, utctime_cmp);
		for (size_t i = 1; i < kept; i++)
			if (times[i] > times[i - 1] && (!spacing || times[i] - times[i - 1] < spacing))
				spacing = times[i] - times[i - 1];
		free(times);
	}
	t->bucket = o->bucket ? o->bucket : auto_bucket(hi - lo, spacing);
	t->b0 = lo / t->bucket * t->bucket;
	if ((hi - t->b0) / t->bucket >= MAX_BUCKETS) {
		char a[UTCTIME_STRLEN], b[UTCTIME_STRLEN];

		utctime_format(lo, 0, a, sizeof a);
		utctime_format(hi, 0, b, sizeof b);
		snprintf(err, errsz,
			 "more than %d buckets from %s to %s: choose a larger --bucket or a "
			 "shorter --since/--until",
			 MAX_BUCKETS, a, b);
		return -E2BIG;
	}
	t->nb = (size_t)((hi - t->b0) / t->bucket) + 1;
	t->has = calloc(t->nb, 1);
	if (!t->has) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; i < sn->n; i++)
		if (!future(o, sn->v[i].time))
			t->has[(sn->v[i].time - t->b0) / t->bucket] = 1;
	return 0;
}

static struct report_timeline_series *series_get(struct report_timeline_result *t, const char *name)
{
	struct report_timeline_series *s;

	for (size_t i = 0; i < t->ns; i++)
		if (!strcmp(t->s[i].name, name))
			return &t->s[i];
	if (t->ns == MAX_SERIES)
		return NULL;
	s = realloc(t->s, (t->ns + 1) * sizeof *s);
	if (!s)
		return NULL;
	t->s = s;
	s = &t->s[t->ns];
	s->name = strdup(name);
	s->v = malloc(t->nb * sizeof *s->v);
	s->total = 0;
	if (!s->name || !s->v) {
		free(s->name);
		free(s->v);
		return NULL;
	}
	for (size_t i = 0; i < t->nb; i++)
		s->v[i] = t->has[i] ? 0 : -1;
	t->ns++;
	return s;
}

/* One reading thread's state: counts per series (a state, or a subnet)
 * and snapshot. */
struct tl_ctx {
	const struct report_timeline_opts *o;
	struct agg *agg;
};

static int on_snap(void *ctx, uint32_t snap, usec_t time)
{
	struct tl_ctx *c = ctx;

	return agg_snapshot(c->agg, snap, time);
}

static void row_key(const struct tl_ctx *c, const struct scan_row *r, struct agg_key *k)
{
	memset(k, 0, sizeof *k);
	if (c->o->by == REPORT_TIMELINE_SUBNET)
		agg_key_addr(k, &r->peer, c->o->prefix4, c->o->prefix6);
	else
		k->b[0] = r->state;
}

static int on_row(void *ctx, const struct scan_row *r)
{
	struct tl_ctx *c = ctx;
	struct agg_key k;

	row_key(c, r, &k);
	return agg_add(c->agg, &k, NULL, r->state);
}

static int on_span(void *ctx, const struct scan_row *r, const struct scan_span *sp)
{
	struct tl_ctx *c = ctx;
	struct agg_key k;

	row_key(c, r, &k);
	return agg_span(c->agg, sp->tb, &k, NULL, r->state, sp->first, sp->last, sp->copies);
}

static void series_name(const struct report_timeline_opts *o, const struct agg_key *k, char *out,
			size_t n)
{
	if (o->by == REPORT_TIMELINE_SUBNET)
		agg_key_addr_format(k, o->prefix4, o->prefix6, out, n);
	else
		snprintf(out, n, "%s", agg_state_name(k->b[0]));
}

/* One group's values per bucket (its busiest snapshot's count; -1: none)
 * into v, returning their sum. */
static int64_t bucketize(const struct agg_group *g, const struct scan_snaps *sn,
			 const struct report_timeline_result *t, int64_t *v)
{
	int64_t total = 0;

	for (size_t b = 0; b < t->nb; b++)
		v[b] = t->has[b] ? 0 : -1;
	for (size_t j = 0; j < g->ncells; j++) {
		size_t b = (size_t)((sn->v[g->cells[j].snap].time - t->b0) / t->bucket);
		int64_t c = g->cells[j].count;

		if (b < t->nb && c > v[b]) {
			total += c - v[b];
			v[b] = c;
		}
	}
	return total;
}

/* The thread's share read: its counts closed there, side by side. */
static int on_done(void *ctx)
{
	return agg_end(((struct tl_ctx *)ctx)->agg);
}

struct rank {
	int64_t total;
	size_t group;
	char name[ADDR_STRLEN + 8];
};

static int by_total(const void *x, const void *y)
{
	const struct rank *a = x, *b = y;

	if (a->total != b->total)
		return a->total < b->total ? 1 : -1;
	return strcmp(a->name, b->name);
}

/* The series: the `keep` biggest groups (by the sum of their bucket
 * values), the rest summed into "other", shown last. */
static int values(struct agg *agg, const struct scan_snaps *sn,
		  const struct report_timeline_opts *o, struct report_timeline_result *t, char *err, size_t errsz)
{
	size_t ng = agg_ngroups(agg), keep = o->series ? o->series : ng;
	struct rank *rk = calloc(ng ? ng : 1, sizeof *rk);
	int64_t *v = malloc(t->nb * sizeof *v);
	struct report_timeline_series *other;
	int64_t *rest = NULL;
	int rc = -ENOMEM;

	if (!rk || !v)
		goto out;
	if (keep > MAX_SERIES)
		keep = MAX_SERIES;
	for (size_t i = 0; i < ng; i++) {
		rk[i].group = i;
		rk[i].total = bucketize(&agg_groups(agg)[i], sn, t, v);
		series_name(o, &agg_groups(agg)[i].key, rk[i].name, sizeof rk[i].name);
	}
	qsort(rk, ng, sizeof *rk, by_total);
	for (size_t r = 0; r < ng; r++) {
		struct report_timeline_series *s;

		bucketize(&agg_groups(agg)[rk[r].group], sn, t, v);
		if (r < keep) {
			if (!(s = series_get(t, rk[r].name)))
				goto out;
			memcpy(s->v, v, t->nb * sizeof *v);
			s->total = rk[r].total;
			continue;
		}
		/* "other" is a series of its own: per snapshot the sum of the
		 * rest, per bucket the busiest snapshot's sum */
		if (!rest && !(rest = calloc(sn->n, sizeof *rest)))
			goto out;
		for (size_t j = 0; j < agg_groups(agg)[rk[r].group].ncells; j++) {
			const struct agg_cell *c = &agg_groups(agg)[rk[r].group].cells[j];

			rest[c->snap] += c->count;
		}
	}
	if (rest) {
		if (!(other = series_get(t, "other")))
			goto out;
		for (size_t i = 0; i < sn->n; i++) {
			size_t b = (size_t)((sn->v[i].time - t->b0) / t->bucket);

			if (b < t->nb && rest[i] > other->v[b]) {
				other->total += rest[i] - other->v[b];
				other->v[b] = rest[i];
			}
		}
	}
	rc = 0;
out:
	if (rc < 0)
		snprintf(err, errsz, "out of memory");
	free(rest);
	free(v);
	free(rk);
	return rc;
}

/* Below the table, on request: each series as a sparkline, the buckets
 * folded to what the terminal's width leaves after the names. */
static int write_sparklines(const struct report_timeline_result *t, enum sparkline_style st,
			    FILE *f, unsigned width)
{
	size_t namew = 4, room;
	struct buf b;
	int rc = 0;

	if (st == SPARKLINE_NONE)
		return 0;
	for (size_t i = 0; i < t->ns; i++)
		if (strlen(t->s[i].name) > namew)
			namew = strlen(t->s[i].name);
	if (namew > 24)
		namew = 24;
	room = width > namew + 12 ? width - namew - 2 : 80;
	buf_init(&b);
	for (size_t i = 0; rc == 0 && i < t->ns; i++) {
		char *name = termsafe_dup(t->s[i].name);

		buf_reset(&b);
		rc = name ? buf_printf(&b, "%-*.*s  ", (int)namew, (int)namew, name) : -ENOMEM;
		free(name);
		if (rc == 0)
			rc = sparkline_append(&b, t->s[i].v, t->nb, room, st);
		if (rc == 0)
			rc = buf_putc(&b, '\n');
		if (rc == 0 && fwrite(b.data, 1, b.len, f) != b.len)
			rc = -EIO;
	}
	buf_fini(&b);
	return rc;
}

static int write_table(const struct report_timeline_result *t, enum sparkline_style st, FILE *f,
		       unsigned width, bool color)
{
	struct output_col *cols = calloc(t->ns + 2, sizeof *cols);
	const char **cells = calloc(t->ns + 2, sizeof *cells);
	char (*num)[24] = calloc(t->ns + 1, sizeof *num);
	char when[UTCTIME_STRLEN], *bar = NULL;
	struct output *o = NULL;
	int64_t peak = 1;
	size_t barmax;
	int rc = -ENOMEM;

	if (!cols || !cells || !num)
		goto out;
	cols[0] = (struct output_col){"time", OUTPUT_STR, false, false};
	for (size_t i = 0; i < t->ns; i++)
		cols[i + 1] = (struct output_col){t->s[i].name, OUTPUT_INT, true, false};
	cols[t->ns + 1] = (struct output_col){"chart", OUTPUT_STR, false, true};
	for (size_t b = 0; b < t->nb; b++) {
		int64_t sum = 0;

		for (size_t i = 0; i < t->ns; i++)
			sum += t->s[i].v[b] > 0 ? t->s[i].v[b] : 0;
		if (sum > peak)
			peak = sum;
	}
	/* the bar gets what the other columns leave of the terminal */
	barmax = width > 22 + 9 * t->ns + 10 ? width - 22 - 9 * t->ns : 50;
	if (barmax > 200)
		barmax = 200;
	bar = malloc(barmax + 16);
	o = output_new(OUTPUT_TABLE, f, cols, t->ns + 2, width, color);
	if (!bar || !o)
		goto out;
	for (size_t b = 0; b < t->nb; b++) {
		int64_t sum = 0;

		utctime_format(t->b0 + (usec_t)b * t->bucket, 0, when, sizeof when);
		cells[0] = when;
		for (size_t i = 0; i < t->ns; i++) {
			int64_t v = t->s[i].v[b];

			snprintf(num[i], sizeof num[i], "%" PRId64, v);
			cells[i + 1] = v < 0 ? NULL : num[i];
			sum += v > 0 ? v : 0;
		}
		if (!t->has[b]) {
			snprintf(bar, barmax + 16, "(no snapshot)");
		} else {
			size_t n = (size_t)((double)sum * (double)barmax / (double)peak + 0.5);

			memset(bar, '#', n);
			bar[n] = '\0';
		}
		cells[t->ns + 1] = bar;
		if ((rc = output_row(o, cells)) < 0)
			goto out;
	}
	rc = output_end(o);
	if (rc == 0)
		rc = write_sparklines(t, st, f, width);
out:
	output_free(o);
	free(bar);
	free(num);
	free(cells);
	free(cols);
	return rc;
}

/* Long format for plotting: one row per bucket and series. */
static int write_long(const struct report_timeline_result *t, enum output_format fmt, FILE *f)
{
	static const struct output_col cols[] = {
		{"time", OUTPUT_STR, false, false},
		{"series", OUTPUT_STR, false, false},
		{"count", OUTPUT_INT, true, false},
	};
	struct output *o = output_new(fmt, f, cols, 3, 0, false);
	char when[UTCTIME_STRLEN], num[24];
	int rc = 0;

	if (!o)
		return -ENOMEM;
	for (size_t b = 0; rc == 0 && b < t->nb; b++) {
		utctime_format(t->b0 + (usec_t)b * t->bucket, 0, when, sizeof when);
		for (size_t i = 0; rc == 0 && i < t->ns; i++) {
			const char *cells[3] = {when, t->s[i].name, NULL};

			snprintf(num, sizeof num, "%" PRId64, t->s[i].v[b]);
			cells[2] = t->s[i].v[b] < 0 ? NULL : num;   /* a gap: null */
			rc = output_row(o, cells);
		}
	}
	if (rc == 0)
		rc = output_end(o);
	output_free(o);
	return rc;
}

/* Series per state or subnet, read by nt threads into ctx[0].agg (ended,
 * merged); sn gets the snapshots. */
static long timeline_read(struct scan_src *src, const struct filter *flt,
			  const struct report_timeline_opts *o, struct tl_ctx *ctx, unsigned nt,
			  struct scan_snaps *sn, char *err, size_t errsz)
{
	struct scan_sink sinks[SCAN_MAX_THREADS] = {{0}};   /* nt > 0: the loop fills those read */
	long rc;

	/* states from a database: the counts import stored per snapshot
	 * (snapshot_states); spans are read only for a filter those cannot
	 * answer (scan_count_states) */
	if (src->db && o->by != REPORT_TIMELINE_SUBNET) {
		rc = scan_snaps_load(src->db, flt, false, 0, sn, err, errsz);
		if (rc == 0)
			rc = scan_count_states(src, sn, flt, &ctx[0].agg, err, errsz);
		return rc;
	}
	for (unsigned i = 0; i < nt; i++) {
		ctx[i].o = o;
		if (!(ctx[i].agg = agg_new(AGG_CELLS))) {
			snprintf(err, errsz, "out of memory");
			return -ENOMEM;
		}
		sinks[i] = (struct scan_sink){on_snap, on_row, &ctx[i], NULL, on_span, on_done};
	}
	rc = scan_run(src, flt, false, 0, o->by == REPORT_TIMELINE_SUBNET ? SCAN_PEER | SCAN_HAS_PEER : 0, nt,
		      sinks, sn, err, errsz);
	for (unsigned i = 0; rc == 0 && i < nt; i++)
		if ((rc = agg_end(ctx[i].agg)) < 0 ||
		    (i > 0 && (rc = agg_merge(ctx[0].agg, ctx[i].agg)) < 0))
			snprintf(err, errsz, "out of memory");
	return rc;
}

long report_timeline_run(struct scan_src *src, const struct filter *flt,
			 const struct report_timeline_opts *o, struct report_timeline_result *t,
			 char *err, size_t errsz)
{
	unsigned nt = !src->db ? 1 : src->threads ? src->threads : 1;
	struct tl_ctx ctx[SCAN_MAX_THREADS] = {{0}};
	struct scan_snaps sn = {0};
	long rc;

	memset(t, 0, sizeof *t);
	if (nt > SCAN_MAX_THREADS)
		nt = SCAN_MAX_THREADS;
	rc = timeline_read(src, flt, o, ctx, nt, &sn, err, errsz);
	if (rc == 0)
		rc = buckets(&sn, o, t, err, errsz);
	if (rc == 0 && t->nb)
		rc = values(ctx[0].agg, &sn, o, t, err, errsz);
	if (rc == 0)
		rc = (long)t->nb;
	if (rc < 0)
		report_timeline_result_fini(t);
	for (unsigned i = 0; i < nt; i++)
		agg_free(ctx[i].agg);
	scan_snaps_fini(&sn);
	return rc;
}

long report_timeline(struct scan_src *src, const struct filter *flt,
		     const struct report_timeline_opts *o, enum output_format fmt, FILE *f,
		     unsigned width, bool color, char *err, size_t errsz)
{
	struct report_timeline_result t;
	long rc = report_timeline_run(src, flt, o, &t, err, errsz);

	if (rc > 0) {
		int wr = fmt == OUTPUT_TABLE ? write_table(&t, o->chart, f, width, color)
					     : write_long(&t, fmt, f);

		if (wr < 0) {
			snprintf(err, errsz, "writing the report failed");
			rc = wr;
		}
	}
	report_timeline_result_fini(&t);
	return rc;
}

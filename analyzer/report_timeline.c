/* report_timeline — per snapshot and series counts from SQL, folded in C into
 * buckets (a bucket's value is its busiest snapshot's), the series with the
 * most connections kept, gaps (buckets without a snapshot) marked. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "num.h"
#include "report_timeline.h"

/* More buckets than this is a typo in --bucket, not a report. */
#define MAX_BUCKETS 100000
#define MAX_SERIES 4096

int timeline_bucket_parse(const char *s, usec_t *bucket)
{
	static const struct {
		const char *unit;
		int64_t us;
	} units[] = {{"ms", 1000}, {"s", USEC_PER_SEC}, {"m", 60 * USEC_PER_SEC},
		     {"h", 3600 * USEC_PER_SEC}, {"d", 86400 * USEC_PER_SEC}};
	size_t n = 0;
	uint64_t v;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n == 0 || num_parse_dec(s, n, 1000000, &v) < 0 || v == 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (!strcmp(s + n, units[i].unit)) {
			*bucket = (usec_t)v * units[i].us;
			return 0;
		}
	return -EINVAL;
}

struct series {
	char *name;
	int64_t total;
	int64_t *v;              /* per bucket; -1: no value */
};

struct tl {
	usec_t b0, bucket;       /* first bucket start, size */
	size_t nb;               /* buckets from first to last */
	unsigned char *has;      /* bucket holds a snapshot */
	struct series *s;
	size_t ns;
};

static void tl_fini(struct tl *t)
{
	for (size_t i = 0; i < t->ns; i++) {
		free(t->s[i].name);
		free(t->s[i].v);
	}
	free(t->s);
	free(t->has);
}

static int prepare(sqlite3 *db, const char *sql, const struct filter_params *p,
		   sqlite3_stmt **st, char *err, size_t errsz)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK ||
	    filter_bind(*st, p) != SQLITE_OK) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		return -EIO;
	}
	return 0;
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

/* The buckets: the span of the selected snapshots, and which buckets hold
 * one. 0 (no snapshot: nb = 0), or -errno. */
static int buckets(sqlite3 *db, const struct filter *flt, const struct timeline_opts *o,
		   struct tl *t, char *err, size_t errsz)
{
	struct filter_params p = {0};
	sqlite3_stmt *st = NULL;
	struct buf sql;
	usec_t lo, hi;
	int rc;

	buf_init(&sql);
	rc = buf_puts(&sql, "SELECT min(t), max(t), count(*), min(d) FROM (SELECT s.time AS t,"
			    " s.time - lag(s.time) OVER (ORDER BY s.time) AS d FROM snapshots s"
			    " WHERE s.first_socket IS NOT NULL");
	if (rc == 0)
		rc = filter_sql_snapshots(flt, &sql, &p);
	if (rc == 0)
		rc = buf_putc(&sql, ')');
	if (rc < 0 || (rc = prepare(db, sql.data, &p, &st, err, errsz)) < 0)
		goto out;
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int64(st, 2) == 0) {
		t->nb = 0;
		goto out;
	}
	lo = sqlite3_column_int64(st, 0);
	hi = sqlite3_column_int64(st, 1);
	t->bucket = o->bucket ? o->bucket : auto_bucket(hi - lo, sqlite3_column_int64(st, 3));
	t->b0 = lo / t->bucket * t->bucket;
	if ((hi - t->b0) / t->bucket >= MAX_BUCKETS) {
		snprintf(err, errsz, "more than %d buckets: choose a larger --bucket", MAX_BUCKETS);
		rc = -E2BIG;
		goto out;
	}
	t->nb = (size_t)((hi - t->b0) / t->bucket) + 1;
	t->has = calloc(t->nb, 1);
	if (!t->has) {
		rc = -ENOMEM;
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	buf_reset(&sql);
	p.n = 0;
	rc = buf_puts(&sql, "SELECT DISTINCT s.time FROM snapshots s WHERE s.first_socket IS NOT NULL");
	if (rc == 0)
		rc = filter_sql_snapshots(flt, &sql, &p);
	if (rc < 0 || (rc = prepare(db, sql.data, &p, &st, err, errsz)) < 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		t->has[(sqlite3_column_int64(st, 0) - t->b0) / t->bucket] = 1;
	rc = rc == SQLITE_DONE ? 0 : -EIO;
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	sqlite3_finalize(st);
	buf_fini(&sql);
	return rc;
}

static struct series *series_get(struct tl *t, const char *name)
{
	struct series *s;

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

/* Per snapshot and series counts; a bucket keeps its busiest snapshot's. */
static int values(sqlite3 *db, const struct filter *flt, const struct timeline_opts *o,
		  struct tl *t, char *err, size_t errsz)
{
	struct filter_params p = {0};
	sqlite3_stmt *st = NULL;
	struct buf sql;
	int rc;

	buf_init(&sql);
	rc = filter_sql_snaps(flt, false, 0, &sql, &p);
	if (rc == 0)
		rc = buf_puts(&sql, " SELECT sn.time, ");
	if (rc == 0)
		rc = o->by == TL_SUBNET ? filter_sql_subnet(o->prefix4, o->prefix6, &sql, &p)
					: buf_puts(&sql, "k.state");
	if (rc == 0)
		rc = buf_puts(&sql, " AS g");
	if (rc == 0)
		rc = buf_puts(&sql, ", count(*) FROM snaps sn JOIN sockets k"
				    " ON k.rowid BETWEEN sn.f AND sn.f + sn.n - 1 WHERE 1");
	if (rc == 0)
		rc = filter_sql_sockets(flt, &sql, &p);
	if (rc == 0 && o->by == TL_SUBNET)
		rc = filter_sql_has_peer(&sql);
	if (rc == 0)
		rc = buf_puts(&sql, " GROUP BY sn.id, g");
	if (rc < 0 || (rc = prepare(db, sql.data, &p, &st, err, errsz)) < 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *g = (const char *)sqlite3_column_text(st, 1);
		size_t b = (size_t)((sqlite3_column_int64(st, 0) - t->b0) / t->bucket);
		int64_t c = sqlite3_column_int64(st, 2);
		struct series *s = series_get(t, g ? g : "-");

		if (!s) {
			snprintf(err, errsz, "out of memory (or more than %d series)", MAX_SERIES);
			rc = -ENOMEM;
			goto out;
		}
		if (b < t->nb && c > s->v[b]) {
			s->total += c - (s->v[b] > 0 ? s->v[b] : 0);
			s->v[b] = c;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : -EIO;
	if (rc < 0)
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	buf_fini(&sql);
	return rc;
}

static int by_total(const void *a, const void *b)
{
	const struct series *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Keeps the `keep` biggest series, the rest summed into "other". */
static int fold_others(struct tl *t, unsigned keep)
{
	struct series *other;

	if (t->ns == 0)
		return 0;
	qsort(t->s, t->ns, sizeof *t->s, by_total);
	if (keep == 0 || t->ns <= keep)
		return 0;
	other = &t->s[keep];   /* reused as "other" */
	free(other->name);
	other->name = strdup("other");
	if (!other->name)
		return -ENOMEM;
	for (size_t i = keep + 1; i < t->ns; i++) {
		for (size_t b = 0; b < t->nb; b++)
			if (t->s[i].v[b] > 0)
				other->v[b] += t->s[i].v[b];
		other->total += t->s[i].total;
		free(t->s[i].name);
		free(t->s[i].v);
	}
	t->ns = keep + 1;
	return 0;
}

static int write_table(const struct tl *t, FILE *f, unsigned width, bool color)
{
	struct out_col *cols = calloc(t->ns + 2, sizeof *cols);
	const char **cells = calloc(t->ns + 2, sizeof *cells);
	char (*num)[24] = calloc(t->ns, sizeof *num);
	char when[UTCTIME_STRLEN], *bar = NULL;
	struct out *o = NULL;
	int64_t peak = 1;
	size_t barmax;
	int rc = -ENOMEM;

	if (!cols || !cells || !num)
		goto out;
	cols[0] = (struct out_col){"time", OUT_STR, false, false};
	for (size_t i = 0; i < t->ns; i++)
		cols[i + 1] = (struct out_col){t->s[i].name, OUT_INT, true, false};
	cols[t->ns + 1] = (struct out_col){"chart", OUT_STR, false, true};
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
	o = out_new(OUT_TABLE, f, cols, t->ns + 2, width, color);
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
		if ((rc = out_row(o, cells)) < 0)
			goto out;
	}
	rc = out_end(o);
out:
	out_free(o);
	free(bar);
	free(num);
	free(cells);
	free(cols);
	return rc;
}

/* Long format for plotting: one row per bucket and series. */
static int write_long(const struct tl *t, enum out_format fmt, FILE *f)
{
	static const struct out_col cols[] = {
		{"time", OUT_STR, false, false},
		{"series", OUT_STR, false, false},
		{"count", OUT_INT, true, false},
	};
	struct out *o = out_new(fmt, f, cols, 3, 0, false);
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
			rc = out_row(o, cells);
		}
	}
	if (rc == 0)
		rc = out_end(o);
	out_free(o);
	return rc;
}

long report_timeline(sqlite3 *db, const struct filter *flt, const struct timeline_opts *o,
		     enum out_format fmt, FILE *f, unsigned width, bool color, char *err,
		     size_t errsz)
{
	struct tl t = {0};
	long rc;

	rc = buckets(db, flt, o, &t, err, errsz);
	if (rc == 0 && t.nb)
		rc = values(db, flt, o, &t, err, errsz);
	if (rc == 0 && fold_others(&t, o->series) < 0) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
	}
	if (rc == 0 && t.nb) {
		rc = fmt == OUT_TABLE ? write_table(&t, f, width, color) : write_long(&t, fmt, f);
		if (rc < 0)
			snprintf(err, errsz, "writing the report failed");
	}
	if (rc == 0)
		rc = (long)t.nb;
	tl_fini(&t);
	return rc;
}

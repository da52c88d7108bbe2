/* ship_ranges — the series_ranges rows of a batch (seriesrange.h): for each
 * host, its SYN_RECV per snapshot time and each counter, summarised from
 * the database with the same grouping fleet spikes asks ClickHouse for. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chtsv.h"
#include "grow.h"
#include "seriesrange.h"
#include "ship_int.h"
#include "intern.h"

/* A point of one counter (name by index) or of SYN_RECV. */
struct npoint {
	uint32_t name;
	int64_t t, v;
};

struct collect {
	struct npoint *p;
	size_t n, cap;
	struct intern nm;
};

static int add(struct collect *c, uint32_t name, int64_t t, int64_t v)
{
	struct npoint *nv = grow(c->p, &c->cap, c->n, sizeof *nv, 1024);

	if (!nv)
		return -ENOMEM;
	c->p = nv;
	c->p[c->n++] = (struct npoint){name, t, v};
	return 0;
}

static int by_name_time(const void *x, const void *y)
{
	const struct npoint *a = x, *b = y;

	if (a->name != b->name)
		return a->name < b->name ? -1 : 1;
	return (a->t > b->t) - (a->t < b->t);
}

/* Reads sql's rows (name or NULL for SYN_RECV, time, value) for each piece. */
static int read_pieces(sqlite3 *db, const char *sql, bool named, const struct ship_piece *p,
		       size_t n, struct collect *c, char *err, size_t errsz)
{
	sqlite3_stmt *st = NULL;
	int rc = 0, sr = SQLITE_DONE;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "series_ranges: %s", sqlite3_errmsg(db));
		return -EBADMSG;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, p[i].chain);
		sqlite3_bind_int64(st, 2, p[i].a);
		sqlite3_bind_int64(st, 3, p[i].b);
		while (rc == 0 && (sr = sqlite3_step(st)) == SQLITE_ROW) {
			long id = 0;

			if (named) {
				const char *s = (const char *)sqlite3_column_text(st, 0);

				id = s ? intern_id(&c->nm, s) : -EBADMSG;
			}
			rc = id < 0 ? (int)id
				    : add(c, (uint32_t)id, sqlite3_column_int64(st, 1),
					  sqlite3_column_int64(st, 2));
		}
		if (rc == 0 && sr != SQLITE_DONE) {
			snprintf(err, errsz, "series_ranges: %s", sqlite3_errmsg(db));
			rc = -EBADMSG;
		}
	}
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	sqlite3_finalize(st);
	return rc;
}

/* One row of series_ranges. */
static int put_row(struct buf *b, const char *host, const char *series,
		   const struct seriesrange *r, uint64_t batch)
{
	const int64_t iv[] = {r->t_first, r->t_last, r->v_first, r->v_last,
			      r->vmin,    r->vmax,   r->points,  r->rates};

	if (chtsv_put_str(b, host) < 0 || buf_putc(b, '\t') < 0 || chtsv_put_str(b, series) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++)
		if (buf_putc(b, '\t') < 0 || chtsv_put_i64(b, iv[i], false) < 0)
			return -ENOMEM;
	/* %.17g: the double read back is this one, bit for bit */
	return buf_printf(b, "\t%.17g\t%.17g\t%d\t%" PRIu64 "\n", r->rmin, r->rmax,
			  r->exact ? 1 : 0, batch) < 0 ? -ENOMEM : 0;
}

/* Rows for the runs of c->p (sorted) into body; their number. */
static long put_runs(struct collect *c, bool named, const char *host, uint64_t batch,
		     struct buf *body)
{
	long rows = 0;

	for (size_t i = 0, j; i < c->n; i = j) {
		struct seriesrange r;

		for (j = i + 1; j < c->n && c->p[j].name == c->p[i].name; j++)
			;
		{
			struct seriesrange_point *sp = malloc((j - i) * sizeof *sp);

			if (!sp)
				return -ENOMEM;
			for (size_t k = i; k < j; k++)
				sp[k - i] = (struct seriesrange_point){c->p[k].t, c->p[k].v};
			seriesrange_of(sp, j - i, &r);
			free(sp);
		}
		if (!isfinite(r.rmin) || !isfinite(r.rmax))
			return -EINVAL;
		if (put_row(body, host, named ? c->nm.v[c->p[i].name] : "SYN_RECV", &r, batch) < 0)
			return -ENOMEM;
		rows++;
	}
	return rows;
}

/* SYN_RECV: one point per snapshot time, 0 without SYN_RECV (two
 * snapshots at one time summed, as fleet spikes adds them up). */
static void merge_times(struct collect *c)
{
	size_t k = 0;

	for (size_t i = 0; i < c->n; i++) {
		if (k && c->p[k - 1].t == c->p[i].t)
			c->p[k - 1].v += c->p[i].v;
		else
			c->p[k++] = c->p[i];
	}
	c->n = k;
}

long ship_ranges_rows(sqlite3 *db, const char *host, const struct ship_piece *p, size_t n,
		      uint64_t batch, struct buf *body, char *err, size_t errsz)
{
	static const char syn_sql[] =
		"SELECT NULL, s.time, coalesce(sum(CASE WHEN t.state = 'SYN_RECV' THEN t.n END), 0) "
		"FROM snapshots s LEFT JOIN snapshot_states t ON t.snapshot_id = s.id "
		"WHERE s.chain = ?1 AND s.k BETWEEN ?2 AND ?3 GROUP BY s.id";
	static const char ctr_sql[] =
		"SELECT c.name, s.time, c.value FROM snapshots s JOIN counters c "
		"ON c.snapshot_id = s.id WHERE s.chain = ?1 AND s.k BETWEEN ?2 AND ?3";
	struct collect c = {.nm = {.v = NULL}};
	long rows = 0, r;
	int rc;

	rc = read_pieces(db, syn_sql, false, p, n, &c, err, errsz);
	if (rc == 0 && c.n) {
		qsort(c.p, c.n, sizeof *c.p, by_name_time);
		merge_times(&c);
		rows = r = put_runs(&c, false, host, batch, body);
		rc = r < 0 ? (int)r : 0;
	}
	c.n = 0;
	if (rc == 0)
		rc = read_pieces(db, ctr_sql, true, p, n, &c, err, errsz);
	if (rc == 0 && c.n) {
		qsort(c.p, c.n, sizeof *c.p, by_name_time);
		r = put_runs(&c, true, host, batch, body);
		rc = r < 0 ? (int)r : 0;
		rows += r > 0 ? r : 0;
	}
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	else if (rc == -EINVAL)
		snprintf(err, errsz, "series_ranges: a rate that is not finite");
	free(c.p);
	intern_fini(&c.nm);
	return rc < 0 ? rc : rows;
}

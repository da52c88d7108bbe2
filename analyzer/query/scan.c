/* scan — the snapshots a report reads (loaded, numbered by chain and k) and
 * scan_run, which picks the source: the database (scan_db.c) or dumps (scan_files.c). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "agg.h"
#include "buf.h"
#include "scan.h"
#include "scan_int.h"

void scan_parallel(void *(*run)(void *), void *args, size_t size, unsigned n)
{
	pthread_t tid[SCAN_MAX_THREADS];
	bool started[SCAN_MAX_THREADS] = {false};
	char *a = args;

	if (n == 1) {
		run(a);
		return;
	}
	for (unsigned i = 0; i < n && i < SCAN_MAX_THREADS; i++)
		started[i] = pthread_create(&tid[i], NULL, run, a + i * size) == 0;
	for (unsigned i = 0; i < n && i < SCAN_MAX_THREADS; i++)
		if (!started[i])
			run(a + i * size);
	for (unsigned i = 0; i < n && i < SCAN_MAX_THREADS; i++)
		if (started[i])
			pthread_join(tid[i], NULL);
}

void scan_snaps_fini(struct scan_snaps *s)
{
	intern_fini(&s->hosts);
	free(s->v);
	free(s->pos_snap);
	free(s->pos_time);
	memset(s, 0, sizeof *s);
}

static int by_chain_k(const void *x, const void *y, void *arg)
{
	const struct scan_snap *v = arg;
	const struct scan_snap *a = &v[*(const uint32_t *)x], *b = &v[*(const uint32_t *)y];

	if (a->chain != b->chain)
		return a->chain < b->chain ? -1 : 1;
	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

int scan_snaps_order(struct scan_snaps *s)
{
	size_t n = s->n;
	bool sorted = true;

	free(s->pos_snap);
	free(s->pos_time);
	s->pos_snap = malloc((n ? n : 1) * sizeof *s->pos_snap);
	s->pos_time = malloc((n ? n : 1) * sizeof *s->pos_time);
	if (!s->pos_snap || !s->pos_time) {
		free(s->pos_snap);
		free(s->pos_time);
		s->pos_snap = NULL;
		s->pos_time = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		s->pos_snap[i] = (uint32_t)i;
	/* one chain at a time in time order (a recorder's segments) needs no
	 * sort */
	for (size_t i = 1; sorted && i < n; i++)
		sorted = by_chain_k(&s->pos_snap[i - 1], &s->pos_snap[i], s->v) < 0;
	if (!sorted)
		qsort_r(s->pos_snap, n, sizeof *s->pos_snap, by_chain_k, s->v);
	s->tb = (struct agg_timebase){s->pos_snap, s->pos_time, n, true};
	for (size_t p = 0; p < n; p++) {
		s->pos_time[p] = s->v[s->pos_snap[p]].time;
		/* snapshots are numbered by time: a chain whose k order is not
		 * theirs makes the sweep look for each stretch's earliest */
		if (p > 0 && s->v[s->pos_snap[p]].chain == s->v[s->pos_snap[p - 1]].chain &&
		    s->pos_snap[p] < s->pos_snap[p - 1])
			s->tb.ordered = false;
	}
	return 0;
}

/* s's copy of host h, made when new (a copy per snapshot was a tenth of
 * loading the day's 86,400). NULL when out of memory. */
static char *host_of(struct scan_snaps *s, const char *h)
{
	long id = intern_id(&s->hosts, h);

	return id < 0 ? NULL : s->hosts.v[id];
}

int scan_snaps_add(struct scan_snaps *s, const struct scan_snap *sn)
{
	struct scan_snap *v = grow(s->v, &s->cap, s->n, sizeof *v, 64);

	if (!v)
		return -ENOMEM;
	s->v = v;
	if (s->n >= UINT32_MAX - 1)
		return -E2BIG;
	s->v[s->n] = *sn;
	if (!(s->v[s->n].host = host_of(s, sn->host ? sn->host : "unknown")))
		return -ENOMEM;
	s->rows += (uint64_t)sn->n;
	s->n++;
	return 0;
}

int scan_prepare(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		 const char *tail, sqlite3_stmt **st, char *err, size_t errsz)
{
	struct filter_params p = {0};
	struct buf sql;
	int rc;

	*st = NULL;
	buf_init(&sql);
	rc = filter_sql_snaps(flt, have_at, at, &sql, &p);
	if (rc == 0)
		rc = buf_puts(&sql, tail);
	if (rc < 0) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(db, sql.data, -1, st, NULL) != SQLITE_OK ||
	    filter_bind(*st, &p) != SQLITE_OK) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(*st);
		*st = NULL;
		rc = -EIO;
	}
out:
	buf_fini(&sql);
	return rc;
}

static int by_time_id(const void *x, const void *y)
{
	const struct scan_snap *a = x, *b = y;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

int scan_snaps_load(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		    struct scan_snaps *out, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	rc = scan_prepare(
	    db, flt, have_at, at,
	    " SELECT sn.id, sn.time, sn.c, sn.kk, sn.n, s.host, coalesce(s.interval_us, 0)"
	    " FROM snaps sn JOIN snapshots s USING (id)",
	    &st, err, errsz);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct scan_snap sn = {
			.id = sqlite3_column_int64(st, 0),
			.time = sqlite3_column_int64(st, 1),
			.chain = sqlite3_column_int64(st, 2),
			.k = sqlite3_column_int64(st, 3),
			.n = sqlite3_column_int64(st, 4),
			.host = (char *)sqlite3_column_text(st, 5),
			.interval = sqlite3_column_int64(st, 6),
		};

		if ((rc = scan_snaps_add(out, &sn)) < 0) {
			snprintf(err, errsz, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		rc = -EIO;
		goto out;
	}
	/* by time and id: SQLite's sorter took most of this load (86,400
	 * snapshots: 110 -> 25 ms), and they mostly come in that order */
	for (size_t i = 1; i < out->n; i++)
		if (by_time_id(&out->v[i - 1], &out->v[i]) > 0) {
			qsort(out->v, out->n, sizeof *out->v, by_time_id);
			break;
		}
	if ((rc = scan_snaps_order(out)) < 0)
		snprintf(err, errsz, "out of memory");
out:
	if (rc < 0)
		scan_snaps_fini(out);
	sqlite3_finalize(st);
	return rc;
}

int scan_run(struct scan_src *src, const struct filter *flt, bool have_at, usec_t at,
	     unsigned cols, unsigned nsinks, const struct scan_sink *sinks,
	     struct scan_snaps *snaps, char *err, size_t errsz)
{
	struct import_totals tot = {0};
	int rc;

	memset(snaps, 0, sizeof *snaps);
	if (src->db) {
		rc = scan_snaps_load(src->db, flt, have_at, at, snaps, err, errsz);
		if (rc == 0)
			rc = scan_db(src->db, snaps, flt, cols, nsinks, sinks, err, errsz);
		return rc;
	}
	if (have_at) {
		snprintf(err, errsz, "--at needs every snapshot first (a database)");
		return -EINVAL;
	}
	rc = scan_files(src->files, src->nfiles, &src->io, flt, cols, snaps, &sinks[0], src->msg,
			&tot);
	if (rc >= 0 && sinks[0].done) {
		int drc = sinks[0].done(sinks[0].ctx);

		rc = drc < 0 ? drc : rc;
	}
	if (rc < 0) {
		snprintf(err, errsz, "%s", rc == -ENOMEM ? "out of memory" : strerror(-rc));
		return rc;
	}
	src->status = rc;
	src->named_peers = tot.named_peers;
	if (tot.snapshots == 0) {
		snprintf(err, errsz, "nothing to report: no snapshot could be read");
		return -ENODATA;
	}
	return 0;
}

/* counterrise — counters' rises over selected snapshots, chain by chain
 * from the stored changes (see counterrise.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "counterrise.h"
#include "grow.h"
#include "utctime.h"

/* A chain's selected snapshots: its host and boot, k range, times. */
struct crange {
	int64_t chain, ka, kb;
	usec_t t0, t1;
	char *host, *boot;
};

static bool same_part(const struct crange *a, const struct crange *b)
{
	return !strcmp(a->host, b->host) && !strcmp(a->boot, b->boot);
}

static int by_part_time(const void *x, const void *y)
{
	const struct crange *a = x, *b = y;
	int c;

	if ((c = strcmp(a->host, b->host)) != 0 || (c = strcmp(a->boot, b->boot)) != 0)
		return c;
	if (a->t0 != b->t0)
		return a->t0 < b->t0 ? -1 : 1;
	return a->chain < b->chain ? -1 : a->chain > b->chain;
}

/* The chains of the selected snapshots into *v (*nv), by host, boot and
 * time. 0, or -errno. */
static int load_chains(sqlite3 *db, const struct filter *flt, struct crange **v, size_t *nv)
{
	struct filter_params p = {0};
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	struct buf sql;
	int rc;

	buf_init(&sql);
	rc = buf_puts(&sql, "SELECT s.chain, s.host, coalesce(s.boot_id, ''), min(s.k), max(s.k),"
			    " min(s.time), max(s.time) FROM snapshots s WHERE s.chain IS NOT NULL");
	if (rc == 0)
		rc = filter_sql_snapshots(flt, &sql, &p);
	if (rc == 0)
		rc = buf_puts(&sql, " GROUP BY s.chain");
	if (rc < 0)
		goto out;
	rc = -EIO;
	if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, &p) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct crange *g = grow(*v, &cap, *nv, sizeof **v, 64), *c;

		if (!g) {
			rc = -ENOMEM;
			goto out;
		}
		*v = g;
		c = &g[(*nv)++];
		memset(c, 0, sizeof *c);
		c->chain = sqlite3_column_int64(st, 0);
		c->ka = sqlite3_column_int64(st, 3);
		c->kb = sqlite3_column_int64(st, 4);
		c->t0 = sqlite3_column_int64(st, 5);
		c->t1 = sqlite3_column_int64(st, 6);
		c->host = strdup((const char *)sqlite3_column_text(st, 1));
		c->boot = strdup((const char *)sqlite3_column_text(st, 2));
		if (!c->host || !c->boot) {
			rc = -ENOMEM;
			goto out;
		}
	}
	rc = rc == SQLITE_DONE ? 0 : -EIO;
	if (rc == 0 && *nv > 1)
		qsort(*v, *nv, sizeof **v, by_part_time);
out:
	sqlite3_finalize(st);
	buf_fini(&sql);
	return rc;
}

/* What one counter's walk keeps across the chains of a host and boot. */
struct walk {
	long long prev;
	bool have;
};

/* len snapshots with value cur (null: none) after the walk w: 0, or 1 on
 * an overflow. */
static int segment(struct walk *w, bool null, long long cur, int64_t len, long long *rose,
		   long long *samples)
{
	long long d;

	if (null || len <= 0)
		return 0;
	*samples += len;
	if (w->have) {
		if (__builtin_sub_overflow(cur, w->prev, &d) ||
		    (d > 0 && __builtin_add_overflow(*rose, d, rose)))
			return 1;
	}
	w->prev = cur;
	w->have = true;
	return 0;
}

/* Counter id's changes in chain c up to c->kb (st: its statement). 0, 1
 * (overflow), or -EIO. */
static int walk_chain(sqlite3_stmt *st, const struct crange *c, int64_t id, struct walk *w,
		      long long *rose, long long *samples)
{
	bool null = true;
	long long cur = 0;
	int64_t pos = c->ka;
	int rc = 0, step;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, c->chain);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, c->kb);
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t k = sqlite3_column_int64(st, 0);
		bool vnull = sqlite3_column_type(st, 1) == SQLITE_NULL;
		long long v = sqlite3_column_int64(st, 1);

		if (k > c->ka) {
			rc = segment(w, null, cur, k - pos, rose, samples);
			pos = k;
		}
		null = vnull;
		cur = v;
	}
	if (rc == 0 && step != SQLITE_DONE)
		return -EIO;
	if (rc == 0)
		rc = segment(w, null, cur, c->kb + 1 - pos, rose, samples);
	return rc;
}

int counter_rises(sqlite3 *db, const struct filter *flt, const char *const *names, size_t n,
		  long long *rose, long long *samples, bool *seen, char *err, size_t errsz)
{
	struct crange *v = NULL;
	struct walk *w = calloc(n ? n : 1, sizeof *w);
	int64_t *ids = calloc(n ? n : 1, sizeof *ids);
	sqlite3_stmt *nm = NULL, *ch = NULL;
	size_t nv = 0;
	int rc = -ENOMEM;

	if (!w || !ids || (rc = load_chains(db, flt, &v, &nv)) < 0)
		goto out;
	/* chains of one host and boot must follow each other in time */
	for (size_t i = 1; i < nv; i++)
		if (same_part(&v[i - 1], &v[i]) && v[i].t0 <= v[i - 1].t1) {
			rc = 1;
			goto out;
		}
	rc = -EIO;
	if (sqlite3_prepare_v2(db, "SELECT id FROM counter_names WHERE name = ?1", -1, &nm,
			       NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT k, value FROM counter_changes WHERE chain = ?1"
				   " AND name_id = ?2 AND k <= ?3 ORDER BY k",
			       -1, &ch, NULL) != SQLITE_OK)
		goto out;
	for (size_t j = 0; j < n; j++) {
		sqlite3_reset(nm);
		sqlite3_bind_text(nm, 1, names[j], -1, SQLITE_STATIC);
		ids[j] = sqlite3_step(nm) == SQLITE_ROW ? sqlite3_column_int64(nm, 0) : -1;
	}
	rc = 0;
	for (size_t i = 0; rc == 0 && i < nv; i++) {
		if (i == 0 || !same_part(&v[i - 1], &v[i]))
			memset(w, 0, n * sizeof *w);
		for (size_t j = 0; rc == 0 && j < n; j++)
			if (ids[j] >= 0)
				rc = walk_chain(ch, &v[i], ids[j], &w[j], &rose[j], &samples[j]);
	}
	for (size_t j = 0; rc == 0 && j < n; j++)
		seen[j] = samples[j] > 0;
out:
	if (rc == -EIO)
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
	else if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	sqlite3_finalize(nm);
	sqlite3_finalize(ch);
	for (size_t i = 0; i < nv; i++) {
		free(v[i].host);
		free(v[i].boot);
	}
	free(v);
	free(w);
	free(ids);
	return rc;
}

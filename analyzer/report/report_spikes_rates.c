/* report_spikes_rates — a counter's rates per host for spikes and the HTML
 * charts: its values read where they changed (counter_changes), not through
 * the `counters` view's lookup per snapshot. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "grow.h"
#include "report_spikes.h"

/* One change of the counter: from the chain's snapshot k on, value (null:
 * absent). The changes of all selected chains, by chain and k. */
struct change {
	int64_t chain, k;
	long long value;
	bool null;
};

struct changes {
	struct change *v;
	size_t n, cap;
};

/* The value of the counter at (chain, k), as the view gives it: the last
 * change at or before k. false: none there (absent, or no change yet). */
static bool changes_at(const struct changes *c, int64_t chain, int64_t k, long long *value)
{
	size_t lo = 0, hi = c->n;

	/* the first change after (chain, k) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct change *m = &c->v[mid];

		if (m->chain < chain || (m->chain == chain && m->k <= k))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || c->v[lo - 1].chain != chain || c->v[lo - 1].null)
		return false;
	*value = c->v[lo - 1].value;
	return true;
}

/* The changes of counter name in the chains the filter selects (prm: ?1
 * the counter's id, then the filter's). 0, or -errno. */
static int changes_load(sqlite3 *db, const char *filter_sql, const struct filter_params *prm,
			struct changes *c)
{
	sqlite3_stmt *st = NULL;
	struct buf sql;
	int rc;

	buf_init(&sql);
	/* chain by chain through the key (chain, name_id, k) */
	rc = buf_printf(&sql, "SELECT c.chain, c.k, c.value FROM counter_changes c"
			      " WHERE c.name_id = ?1 AND c.chain IN (SELECT s.chain FROM snapshots s"
			      " WHERE s.chain IS NOT NULL%s) ORDER BY c.chain, c.k",
			filter_sql);
	if (rc < 0)
		goto out;
	rc = -EIO;
	if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, prm) != SQLITE_OK)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct change *v = grow(c->v, &c->cap, c->n, sizeof *v, 256);

		if (!v) {
			rc = -ENOMEM;
			goto out;
		}
		c->v = v;
		v[c->n++] = (struct change){
			.chain = sqlite3_column_int64(st, 0),
			.k = sqlite3_column_int64(st, 1),
			.value = sqlite3_column_int64(st, 2),
			.null = sqlite3_column_type(st, 2) == SQLITE_NULL,
		};
	}
	rc = rc == SQLITE_DONE ? 0 : -EIO;
out:
	sqlite3_finalize(st);
	buf_fini(&sql);
	return rc;
}

/* The samples of one host, growing together. */
struct samples {
	int64_t *t, *v;
	bool *restart;
	struct spike_point *p;
	size_t n, cap;
};

static int samples_add(struct samples *s, int64_t t, int64_t v, bool restart)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		int64_t *nt = realloc(s->t, nc * sizeof *nt), *nv;
		bool *nr;
		struct spike_point *np;

		if (nt)
			s->t = nt;
		if ((nv = realloc(s->v, nc * sizeof *nv)))
			s->v = nv;
		if ((nr = realloc(s->restart, nc * sizeof *nr)))
			s->restart = nr;
		if ((np = realloc(s->p, nc * sizeof *np)))
			s->p = np;
		if (!nt || !nv || !nr || !np)
			return -ENOMEM;
		s->cap = nc;
	}
	s->t[s->n] = t;
	s->v[s->n] = v;
	s->restart[s->n++] = restart;
	return 0;
}

static void samples_fini(struct samples *s)
{
	free(s->t);
	free(s->v);
	free(s->restart);
	free(s->p);
}

/* The counter's id (0 with *found false: no such counter). 0 or -EIO. */
static int counter_id(sqlite3 *db, const char *name, int64_t *id, bool *found)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	*found = false;
	if (sqlite3_prepare_v2(db, "SELECT id FROM counter_names WHERE name = ?1", -1, &st,
			       NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC) != SQLITE_OK)
		goto out;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*found = true;
	}
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
out:
	sqlite3_finalize(st);
	return rc;
}

/* The selected snapshots by host and time, each with its value when it
 * has one: a host's samples to each() when they are complete. */
static long walk_hosts(sqlite3_stmt *st, const struct changes *c, report_spikes_rates_fn *each,
		       void *ctx)
{
	struct samples s = {0};
	char *host = NULL, *boot = NULL;
	long hosts = 0;
	int rc = 0;

	for (;;) {
		int step = sqlite3_step(st);
		const char *h = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
		const char *b = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 1) : NULL;
		long long v;

		if (step != SQLITE_ROW && step != SQLITE_DONE) {
			rc = -EIO;
			goto out;
		}
		if (step == SQLITE_ROW &&
		    (sqlite3_column_type(st, 4) == SQLITE_NULL ||
		     !changes_at(c, sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), &v)))
			continue;   /* no value there: no sample, as in the view */
		/* a host's samples are complete: its rates, its spikes */
		if (s.n && (step == SQLITE_DONE || strcmp(h, host))) {
			size_t np = spike_rates(s.t, s.v, s.restart, s.n, s.p);

			hosts++;
			if ((rc = each(ctx, host, s.p, np)) < 0)
				goto out;
			s.n = 0;
		}
		if (step == SQLITE_DONE)
			break;
		if (s.n == 0) {
			free(host);
			if (!(host = strdup(h))) {
				rc = -ENOMEM;
				goto out;
			}
		}
		if ((rc = samples_add(&s, sqlite3_column_int64(st, 2), v,
				      s.n == 0 || strcmp(b, boot))) < 0)
			goto out;
		/* the boot changes rarely: copied only then */
		if (!boot || strcmp(b, boot)) {
			free(boot);
			if (!(boot = strdup(b))) {
				rc = -ENOMEM;
				goto out;
			}
		}
	}
out:
	samples_fini(&s);
	free(host);
	free(boot);
	return rc < 0 ? rc : hosts;
}

long report_spikes_rates(sqlite3 *db, const struct filter *flt, const char *name,
			 report_spikes_rates_fn *each, void *ctx, char *err, size_t errsz)
{
	struct filter_params prm = {0}, prm_snaps = {0};
	struct changes c = {0};
	sqlite3_stmt *st = NULL;
	struct buf fsql, fsql_snaps, sql;
	int64_t id = 0;
	bool found;
	long rc;

	buf_init(&fsql);
	buf_init(&fsql_snaps);
	buf_init(&sql);
	if ((rc = counter_id(db, name, &id, &found)) < 0)
		goto out;
	if (!found)
		goto out;   /* no such counter: no host has samples */
	/* ?1 is the counter's id: the filter's parameters are numbered after it */
	if ((rc = filter_param_int(&prm, id)) < 0 ||
	    (rc = filter_sql_snapshots(flt, &fsql, &prm)) < 0 ||
	    (rc = filter_sql_snapshots(flt, &fsql_snaps, &prm_snaps)) < 0 ||
	    (rc = buf_printf(&sql, "SELECT s.host, coalesce(s.boot_id, ''), s.time, s.chain, s.k"
				   " FROM snapshots s WHERE s.chain IS NOT NULL%s"
				   " ORDER BY s.host, s.time, s.id",
			     fsql_snaps.data ? fsql_snaps.data : "")) < 0)
		goto out;
	if ((rc = changes_load(db, fsql.data ? fsql.data : "", &prm, &c)) < 0)
		goto out;
	if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, &prm_snaps) != SQLITE_OK) {
		rc = -EIO;
		goto out;
	}
	rc = walk_hosts(st, &c, each, ctx);
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	else if (rc < 0)
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	buf_fini(&sql);
	buf_fini(&fsql_snaps);
	buf_fini(&fsql);
	free(c.v);
	return rc;
}

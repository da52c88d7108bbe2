/* report_spikes_rates — a counter's rates per host for spikes and the HTML
 * charts: its values read where they changed (counter_changes), not through
 * the `counters` view's lookup per snapshot. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "grow.h"
#include "intern.h"
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
	rc = buf_printf(&sql,
			"SELECT c.chain, c.k, c.value FROM counter_changes c"
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
	if (sqlite3_prepare_v2(db, "SELECT id FROM counter_names WHERE name = ?1", -1, &st, NULL) !=
		SQLITE_OK ||
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

/* A selected snapshot, by host, time and id. */
struct rsnap {
	const char *host, *boot; /* owned by the list (one copy each) */
	int64_t time, chain, k;
	bool has_k;
};

struct report_spikes_snaps {
	struct rsnap *v;
	size_t n, cap;
	struct intern strs; /* the hosts' and boots' copies */
};

void report_spikes_snaps_free(struct report_spikes_snaps *s)
{
	if (!s)
		return;
	intern_fini(&s->strs);
	free(s->v);
	free(s);
}

/* t as the list keeps it: one copy of each (walk_hosts tells hosts apart
 * by pointer). NULL when out of memory. */
static const char *snaps_str(struct report_spikes_snaps *s, const char *t)
{
	long id = intern_id(&s->strs, t);

	return id < 0 ? NULL : s->strs.v[id];
}

static int snaps_read(sqlite3_stmt *st, struct report_spikes_snaps *s)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rsnap *v = grow(s->v, &s->cap, s->n, sizeof *v, 256), *r;

		if (!v)
			return -ENOMEM;
		s->v = v;
		r = &v[s->n];
		r->host = snaps_str(s, (const char *)sqlite3_column_text(st, 0));
		r->boot = snaps_str(s, (const char *)sqlite3_column_text(st, 1));
		if (!r->host || !r->boot)
			return -ENOMEM;
		r->time = sqlite3_column_int64(st, 2);
		r->chain = sqlite3_column_int64(st, 3);
		r->has_k = sqlite3_column_type(st, 4) != SQLITE_NULL;
		r->k = sqlite3_column_int64(st, 4);
		s->n++;
	}
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int report_spikes_snaps_load(sqlite3 *db, const struct filter *flt,
			     struct report_spikes_snaps **out, char *err, size_t errsz)
{
	struct report_spikes_snaps *s = calloc(1, sizeof *s);
	struct filter_params prm = {0};
	sqlite3_stmt *st = NULL;
	struct buf sql;
	int rc;

	*out = NULL;
	buf_init(&sql);
	if (!s) {
		rc = -ENOMEM;
		goto out;
	}
	/* by the index (host, time), whose entries end in the id */
	if ((rc = buf_puts(&sql, "SELECT s.host, coalesce(s.boot_id, ''), s.time, s.chain, s.k"
				 " FROM snapshots s WHERE s.chain IS NOT NULL")) < 0 ||
	    (rc = filter_sql_snapshots(flt, &sql, &prm)) < 0 ||
	    (rc = buf_puts(&sql, " ORDER BY s.host, s.time, s.id")) < 0)
		goto out;
	if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, &prm) != SQLITE_OK) {
		rc = -EIO;
		goto out;
	}
	rc = snaps_read(st, s);
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	else if (rc < 0)
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	buf_fini(&sql);
	if (rc < 0)
		report_spikes_snaps_free(s);
	else
		*out = s;
	return rc;
}

/* The selected snapshots by host and time, each with its value when it
 * has one: a host's samples to each() when they are complete. */
static long walk_hosts(const struct report_spikes_snaps *sn, const struct changes *c,
		       report_spikes_rates_fn *each, void *ctx)
{
	struct samples s = {0};
	const char *host = NULL, *boot = NULL;
	long hosts = 0;
	int rc = 0;

	for (size_t i = 0; i <= sn->n; i++) {
		const struct rsnap *r = i < sn->n ? &sn->v[i] : NULL;
		long long v = 0;

		if (r && (!r->has_k || !changes_at(c, r->chain, r->k, &v)))
			continue; /* no value there: no sample, as in the view */
		/* a host's samples are complete: its rates, its spikes (the
		 * list keeps one copy of each name) */
		if (s.n && (!r || r->host != host)) {
			size_t np = spike_rates(s.t, s.v, s.restart, s.n, s.p);

			hosts++;
			if ((rc = each(ctx, host, s.p, np)) < 0)
				goto out;
			s.n = 0;
		}
		if (!r)
			break;
		if ((rc = samples_add(&s, r->time, v, s.n == 0 || strcmp(r->boot, boot))) < 0)
			goto out;
		host = r->host;
		boot = r->boot;
	}
out:
	samples_fini(&s);
	return rc < 0 ? rc : hosts;
}

long report_spikes_rates_of(sqlite3 *db, const struct filter *flt,
			    const struct report_spikes_snaps *sn, const char *name,
			    report_spikes_rates_fn *each, void *ctx, char *err, size_t errsz)
{
	struct filter_params prm = {0};
	struct changes c = {0};
	struct buf fsql;
	int64_t id = 0;
	bool found;
	long rc;

	buf_init(&fsql);
	if ((rc = counter_id(db, name, &id, &found)) < 0)
		goto out;
	if (!found)
		goto out; /* no such counter: no host has samples */
	/* ?1 is the counter's id: the filter's parameters are numbered after it */
	if ((rc = filter_param_int(&prm, id)) < 0 ||
	    (rc = filter_sql_snapshots(flt, &fsql, &prm)) < 0)
		goto out;
	if ((rc = changes_load(db, fsql.data ? fsql.data : "", &prm, &c)) < 0)
		goto out;
	rc = c.n ? walk_hosts(sn, &c, each, ctx) : 0;
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	else if (rc == -EIO)
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
	buf_fini(&fsql);
	free(c.v);
	return rc;
}

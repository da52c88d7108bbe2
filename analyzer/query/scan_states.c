/* scan_states — sockets per state and snapshot for reports (timeline,
 * summary, spikes): the counts import stored per snapshot (snapshot_states),
 * or, when a filter needs the sockets themselves, their spans (scan_db). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "buf.h"
#include "scan.h"
#include "scan_int.h"

static int count_snap(void *ctx, uint32_t snap, usec_t time)
{
	return agg_snapshot(ctx, snap, time);
}

static int count_row(void *ctx, const struct scan_row *row)
{
	struct agg_key k = {{0}};

	k.b[0] = row->state;
	return agg_add(ctx, &k, NULL, row->state);
}

static int count_span(void *ctx, const struct scan_row *row, const struct scan_span *sp)
{
	struct agg_key k = {{0}};

	k.b[0] = row->state;
	return agg_span(ctx, sp->tb, &k, NULL, row->state, sp->first, sp->last, sp->copies);
}

static int count_done(void *ctx)
{
	return agg_end(ctx);
}

struct idpos {
	int64_t id;
	uint32_t pos;
};

static int by_id(const void *x, const void *y)
{
	const struct idpos *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* The counts import stored per snapshot and state (snapshot_states), each
 * a span of one position: only --state and --proto filter them. 0, or
 * -errno with err set. */
static int count_stored(sqlite3 *db, const struct scan_snaps *s, const struct filter *flt,
			struct agg *agg, char *err, size_t errsz)
{
	struct filter f = {
	    .port = -1, .lport = -1, .rport = -1, .states = flt->states, .protos = flt->protos};
	struct filter_params p = {0};
	struct idpos *ids = malloc((s->n ? s->n : 1) * sizeof *ids);
	bool sorted = true;
	sqlite3_stmt *st = NULL;
	struct buf sql;
	int rc;

	buf_init(&sql);
	if (!ids) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < s->n; i++) {
		ids[i] = (struct idpos){s->v[s->pos_snap[i]].id, (uint32_t)i};
		sorted = sorted && (i == 0 || ids[i - 1].id < ids[i].id);
	}
	if (!sorted) /* positions are by chain and k: mostly by id too */
		qsort(ids, s->n, sizeof *ids, by_id);
	/* the range of the selected ids, read in key order; those between
	 * that are not selected (another host's) are left out by the search
	 * below: a probe of the selection per row cost twice the read */
	rc = filter_param_int(&p, s->n ? ids[0].id : 1);
	if (rc == 0)
		rc = filter_param_int(&p, s->n ? ids[s->n - 1].id : 0);
	if (rc == 0)
		rc = buf_puts(&sql, "SELECT k.snapshot_id, k.state, k.n FROM snapshot_states k"
				    " WHERE k.snapshot_id BETWEEN ?1 AND ?2");
	if (rc == 0)
		rc = filter_sql_sockets(&f, &sql, &p);
	if (rc < 0)
		goto out;
	if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, &p) != SQLITE_OK) {
		rc = -EIO;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct idpos key = {sqlite3_column_int64(st, 0), 0}, *at;
		int stn = agg_state_parse((const char *)sqlite3_column_text(st, 1),
					  (size_t)sqlite3_column_bytes(st, 1));
		int64_t n = sqlite3_column_int64(st, 2);
		struct agg_key k = {{0}};

		at = bsearch(&key, ids, s->n, sizeof *ids, by_id);
		if (!at || n <= 0)
			continue;
		k.b[0] = (uint8_t)(stn < 0 ? 0 : stn);
		rc = agg_span(agg, &s->tb, &k, NULL, k.b[0], at->pos, at->pos,
			      n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
		if (rc < 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : -EIO;
out:
	if (rc == -EIO)
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	buf_fini(&sql);
	free(ids);
	return rc;
}

int scan_count_states(const struct scan_src *src, const struct scan_snaps *s,
		      const struct filter *flt, struct agg **out, char *err, size_t errsz)
{
	unsigned nt = src->threads ? src->threads : 1;
	struct agg *agg[SCAN_MAX_THREADS] = {NULL};
	struct scan_sink sinks[SCAN_MAX_THREADS];
	int rc = -ENOMEM;

	*out = NULL;
	if (nt > SCAN_MAX_THREADS)
		nt = SCAN_MAX_THREADS;
	for (unsigned i = 0; i < nt; i++) {
		if (!(agg[i] = agg_new(AGG_CELLS)))
			goto out;
		sinks[i] =
		    (struct scan_sink){count_snap, count_row, agg[i], NULL, count_span, count_done};
	}
	if (!s->pos_snap) {
		snprintf(err, errsz, "spans need the snapshots' order");
		rc = -EINVAL;
		goto out;
	}
	/* other socket filters than state and protocol: the spans, counted */
	if (flt->port < 0 && flt->lport < 0 && flt->rport < 0 && !flt->family && !flt->program)
		rc = count_stored(src->db, s, flt, agg[0], err, errsz);
	else
		rc = scan_db(src->db, s, flt, 0, nt, sinks, err, errsz);
	if (rc < 0)
		goto out;
	rc = -ENOMEM;
	for (unsigned i = 0; i < nt; i++)
		if (agg_end(agg[i]) < 0 || (i > 0 && agg_merge(agg[0], agg[i]) < 0))
			goto out;
	*out = agg[0];
	agg[0] = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	for (unsigned i = 0; i < nt; i++)
		agg_free(agg[i]);
	return rc;
}

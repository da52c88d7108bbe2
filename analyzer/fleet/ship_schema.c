/* ship_schema — the server's tables against chschema's: checked before
 * anything is shipped (a mismatch is an error, not a retry), created on
 * request (--create). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "chtsv.h"
#include "ship.h"

/* Whether table name (on this server) exists: 1, 0, or chhttp's errors. */
static int exists(struct chhttp *h, const char *database, const char *name, const char *suffix,
		  struct buf *q, struct buf *resp, char *err, size_t errsz)
{
	int rc;

	buf_reset(q);
	/* database is an identifier (checked by the caller): no quoting needed */
	if (buf_printf(q, "SELECT count() FROM system.tables WHERE database = '%s' AND "
			  "name = '%s%s' FORMAT TabSeparated", database, name, suffix) < 0)
		return -ENOMEM;
	rc = chhttp_query(h, q->data, NULL, 0, resp, err, errsz);
	if (rc < 0)
		return rc;
	return resp->len && resp->data[0] != '0';
}

/*
 * A database from before series_ranges holds snapshots that no summary
 * covers; fleet spikes would skip their series. When --create adds the
 * table to such a database, each host gets a row "*" over the times of its
 * snapshots on this server (in a cluster: the _local tables, a host lives
 * on one shard): fleet spikes reads those hosts' series whole there.
 */
static int mark_old(struct chhttp *h, const struct chschema_opts *o, struct buf *q,
		    struct buf *resp, char *err, size_t errsz)
{
	const char *sfx = o->cluster ? "_local" : "";

	buf_reset(q);
	if (buf_printf(q, "INSERT INTO %s.%s%s (", o->database,
		       chschema_tables[CHSCHEMA_RANGES].name, sfx) < 0 ||
	    chschema_collist(CHSCHEMA_RANGES, q) < 0 ||
	    buf_printf(q, ") SELECT host, '*', min(time), max(time), 0, 0, 0, 0, count(), 0, 0, 0, "
			  "0, 0 FROM %s.snapshots%s GROUP BY host", o->database, sfx) < 0)
		return -ENOMEM;
	return chhttp_query(h, q->data, NULL, 0, resp, err, errsz);
}

int ship_create_schema(struct chhttp *h, const struct chschema_opts *o, char *err, size_t errsz)
{
	struct buf stmt = BUF_INIT, resp = BUF_INIT;
	const char *sfx = o->cluster ? "_local" : "";
	int rc, old;

	rc = old = exists(h, o->database, "snapshots", sfx, &stmt, &resp, err, errsz);
	if (rc == 1)
		rc = exists(h, o->database, chschema_tables[CHSCHEMA_RANGES].name, sfx, &stmt, &resp,
			    err, errsz);
	if (rc >= 0)
		old = old == 1 && rc == 0;
	for (size_t n = 0; rc >= 0 && (rc = chschema_stmt(o, n, &stmt)) == 1; n++) {
		rc = chhttp_query(h, stmt.data, NULL, 0, &resp, err, errsz);
		if (rc < 0)
			break;
	}
	if (rc == 0 && old)
		rc = mark_old(h, o, &stmt, &resp, err, errsz);
	buf_fini(&stmt);
	buf_fini(&resp);
	return rc;
}

/* Whether table t's column col has type ty in the answer. */
static int find_col(const struct buf *resp, const char *table, const char *col, const char *ty)
{
	struct chtsv r;
	int rc, found = -ENOENT;

	chtsv_init(&r, resp->data ? resp->data : "", resp->len);
	while ((rc = chtsv_next(&r)) == 1) {
		const char *a = chtsv_field(&r, 0), *b = chtsv_field(&r, 1), *c = chtsv_field(&r, 2);

		if (r.n == 3 && a && b && c && !strcmp(a, table) && !strcmp(b, col)) {
			found = strcmp(c, ty) ? -EMEDIUMTYPE : 0;
			break;
		}
	}
	chtsv_fini(&r);
	return rc < 0 ? rc : found;
}

int ship_check_schema(struct chhttp *h, const char *database, char *err, size_t errsz)
{
	struct buf q = BUF_INIT, resp = BUF_INIT;
	int rc = -ENOMEM;

	/* database is an identifier (checked by the caller): no quoting needed */
	if (buf_printf(&q, "SELECT table, name, type FROM system.columns WHERE database = '%s' "
			   "FORMAT TabSeparated", database) < 0)
		goto out;
	rc = chhttp_query(h, q.data, NULL, 0, &resp, err, errsz);
	for (size_t t = 0; rc == 0 && t < CHSCHEMA_NTABLES; t++) {
		const struct chschema_table_def *d = &chschema_tables[t];

		for (size_t i = 0; rc == 0 && i < d->ncols; i++) {
			rc = find_col(&resp, d->name, d->cols[i].name, d->cols[i].type);
			if (rc == -ENOENT)
				snprintf(err, errsz, "schema does not match: no %s.%s.%s "
						     "(sockscope ship --create, or --print-schema)",
					 database, d->name, d->cols[i].name);
			else if (rc == -EMEDIUMTYPE)
				snprintf(err, errsz, "schema does not match: %s.%s.%s is not %s",
					 database, d->name, d->cols[i].name, d->cols[i].type);
			else if (rc < 0)
				snprintf(err, errsz, "unreadable answer from system.columns");
			if (rc < 0)
				rc = -ENOENT;
		}
	}
out:
	buf_fini(&q);
	buf_fini(&resp);
	return rc;
}

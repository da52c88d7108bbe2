/* named — peers known by name only: one grouped query over the selected
 * snapshots' rows, and the note reports print about them. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "named.h"

/* 1 when some source was imported in names mode (sources.names, set for
 * every dump with a row that named a host), 0 when none, -EIO. Only such a
 * source has a span with rhost: without one, the grouped query (a scan of
 * every span, ~10% of `top`'s time on 10M socket-snapshots) is skipped. */
static int any_names(sqlite3 *db, char *err, size_t errsz)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM sources WHERE names > 0)", -1,
			       &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		rc = sqlite3_column_int(st, 0) != 0;
	else
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc;
}

int named_peers_load(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		     size_t limit, struct named_peers *out, char *err, size_t errsz)
{
	struct filter_params p = {0};
	sqlite3_stmt *st = NULL;
	struct buf sql;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = any_names(db, err, errsz)) <= 0)
		return rc;
	buf_init(&sql);
	rc = filter_sql_snaps(flt, have_at, at, &sql, &p);
	if (rc == 0)
		rc = buf_puts(&sql, ", per AS (SELECT sn.id, k.rhost h, count(*) c"
				    FILTER_FROM_SPANS " AND k.rhost IS NOT NULL");
	if (rc == 0)
		rc = filter_sql_spans(flt, &sql, &p);
	if (rc == 0)
		rc = buf_puts(&sql, " GROUP BY sn.id, k.rhost)"
				    " SELECT h, max(c), sum(c) FROM per GROUP BY h"
				    " ORDER BY max(c) DESC, sum(c) DESC, h");
	if (rc < 0) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, &p) != SQLITE_OK) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		rc = -EIO;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 0);
		uint64_t total = (uint64_t)sqlite3_column_int64(st, 2);

		out->groups++;
		out->rows += total;
		if (limit && out->n >= limit)
			continue;
		if (out->n % 16 == 0) {
			struct named_peer *v = realloc(out->v, (out->n + 16) * sizeof *v);

			if (!v) {
				rc = -ENOMEM;
				snprintf(err, errsz, "out of memory");
				goto out;
			}
			out->v = v;
		}
		out->v[out->n].host = strdup(h ? h : "");
		if (!out->v[out->n].host) {
			rc = -ENOMEM;
			snprintf(err, errsz, "out of memory");
			goto out;
		}
		out->v[out->n].peak = (uint32_t)sqlite3_column_int64(st, 1);
		out->v[out->n].total = total;
		out->n++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		rc = -EIO;
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	buf_fini(&sql);
	if (rc < 0)
		named_peers_fini(out);
	return rc;
}

void named_peers_fini(struct named_peers *p)
{
	for (size_t i = 0; p->v && i < p->n; i++)
		free(p->v[i].host);
	free(p->v);
	memset(p, 0, sizeof *p);
}

void named_peers_note(FILE *f, const struct named_peers *p, const char *what)
{
	if (p->rows == 0)
		return;
	fprintf(f, "named: %" PRIu64 " socket%s had a peer known by name only (%" PRIu64
		   " name%s: a dump saved without -n); %s. Grouped by name, never resolved:\n",
		p->rows, p->rows == 1 ? "" : "s", p->groups, p->groups == 1 ? "" : "s", what);
	for (size_t i = 0; i < p->n; i++) {
		/* the dump's text: only printable ASCII reaches the terminal */
		fputs("  name ", f);
		for (const char *c = p->v[i].host; *c; c++)
			fputc((unsigned char)*c > ' ' && (unsigned char)*c < 0x7f ? *c : '?', f);
		fprintf(f, "  peak %" PRIu32 ", %" PRIu64 " in all\n", p->v[i].peak, p->v[i].total);
	}
	if (p->n < p->groups)
		fprintf(f, "  ... and %" PRIu64 " more\n", p->groups - p->n);
	fputs("  (save netstat -n / ss -n output to get addresses)\n", f);
}

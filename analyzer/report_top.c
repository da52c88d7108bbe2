/* report_top — one SQL statement over the selected snapshots' row ranges:
 * per group and snapshot counts, then peak, average, presence, peers and
 * the state mix; values bound, keys chosen from a fixed table. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "report_top.h"

int top_by_parse(const char *s, enum top_by *by)
{
	static const char *const names[] = {"ip", "subnet", "port", "program", "state"};

	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(s, names[i])) {
			*by = (enum top_by)i;
			return 0;
		}
	return -EINVAL;
}

/* The grouping key of each --by: fixed SQL, parameters bound. */
static int key_sql(const struct top_opts *o, struct buf *sql, struct filter_params *p)
{
	switch (o->by) {
	case TOP_IP:
		return buf_puts(sql, "k.raddr");
	case TOP_SUBNET:
		return filter_sql_subnet(o->prefix4, o->prefix6, sql, p);
	case TOP_PORT:
		return buf_puts(sql, "k.lport");
	case TOP_PROGRAM:
		return buf_puts(sql, "coalesce(k.program, '-')");
	case TOP_STATE:
	default:
		return buf_puts(sql, "k.state");
	}
}

static const char *const by_name[] = {"ip", "subnet", "port", "program", "state"};

static int build(const struct filter *flt, const struct top_opts *o, struct buf *sql,
		 struct filter_params *p)
{
	int rc;

	/* the snapshots: a range, or each host's newest at or before --at */
	rc = filter_sql_snaps(flt, o->have_at, o->at, sql, p);
	if (rc == 0)
		rc = buf_puts(sql, ", r AS MATERIALIZED (SELECT sn.id AS sid, sn.time AS t, ");
	if (rc == 0)
		rc = key_sql(o, sql, p);
	if (rc == 0)
		rc = buf_puts(sql, " AS g, k.raddr AS peer, k.state AS st FROM snaps sn"
				   " JOIN sockets k ON k.rowid BETWEEN sn.f AND sn.f + sn.n - 1 WHERE 1");
	if (rc == 0)
		rc = filter_sql_sockets(flt, sql, p);
	/* a listener's or unconnected socket's "peer" is nobody */
	if (rc == 0 && (o->by == TOP_IP || o->by == TOP_SUBNET))
		rc = filter_sql_has_peer(sql);
	if (rc == 0)
		rc = buf_puts(sql,
			      "), per AS (SELECT g, sid, t, count(*) AS c FROM r GROUP BY g, sid),"
			      " agg AS (SELECT g, max(c) AS peak, sum(c) AS total, count(*) AS present,"
			      " min(t) AS first, max(t) AS last FROM per GROUP BY g),"
			      " peers AS (SELECT g, count(DISTINCT peer) AS peers FROM r GROUP BY g),"
			      " mix AS (SELECT g, group_concat(st || ' ' || c, ', ') AS states FROM"
			      " (SELECT g, st, count(*) AS c FROM r GROUP BY g, st ORDER BY g, c DESC, st)"
			      " GROUP BY g)"
			      " SELECT agg.g, peak, total * 1.0 / (SELECT count(*) FROM snaps),"
			      " total * 100.0 / (SELECT sum(total) FROM agg), peers.peers, mix.states,"
			      " first, last, present, (SELECT count(*) FROM snaps)"
			      " FROM agg JOIN peers USING (g) JOIN mix USING (g)"
			      " ORDER BY peak DESC, total DESC, agg.g");
	if (rc == 0 && o->limit && (rc = filter_param_int(p, o->limit)) == 0)
		rc = buf_printf(sql, " LIMIT ?%u", p->n);
	return rc;
}

long report_top(sqlite3 *db, const struct filter *flt, const struct top_opts *o,
		enum out_format fmt, FILE *f, unsigned width, bool color, char *err, size_t errsz)
{
	const struct out_col cols[] = {
		{by_name[o->by], o->by == TOP_PORT ? OUT_INT : OUT_STR, o->by == TOP_PORT, true},
		{"conns", OUT_INT, true, false},
		{"share", OUT_REAL, true, false},
		{"avg", OUT_REAL, true, false},
		{"peers", OUT_INT, true, false},
		{"states", OUT_STR, false, true},
		{"first", OUT_STR, false, false},
		{"last", OUT_STR, false, false},
		{"snapshots", OUT_STR, true, false},
	};
	struct filter_params p = {0};
	struct out *out = NULL;
	sqlite3_stmt *st = NULL;
	struct buf sql;
	long rows = 0;
	int rc;

	buf_init(&sql);
	if (build(flt, o, &sql, &p) < 0 || !sql.data) {
		snprintf(err, errsz, "out of memory");
		rows = -ENOMEM;
		goto out;
	}
	if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, &p) != SQLITE_OK) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		rows = -EIO;
		goto out;
	}
	out = out_new(fmt, f, cols, sizeof cols / sizeof cols[0], width, color);
	if (!out) {
		snprintf(err, errsz, "out of memory");
		rows = -ENOMEM;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char conns[24], share[24], avg[24], peers[24], first[UTCTIME_STRLEN],
			last[UTCTIME_STRLEN], snaps[48];
		const char *cells[9];

		snprintf(conns, sizeof conns, "%lld", sqlite3_column_int64(st, 1));
		snprintf(avg, sizeof avg, "%.1f", sqlite3_column_double(st, 2));
		snprintf(share, sizeof share, "%.1f", sqlite3_column_double(st, 3));
		snprintf(peers, sizeof peers, "%lld", sqlite3_column_int64(st, 4));
		utctime_format(sqlite3_column_int64(st, 6), 0, first, sizeof first);
		utctime_format(sqlite3_column_int64(st, 7), 0, last, sizeof last);
		snprintf(snaps, sizeof snaps, "%lld/%lld", sqlite3_column_int64(st, 8),
			 sqlite3_column_int64(st, 9));
		cells[0] = (const char *)sqlite3_column_text(st, 0);
		cells[1] = conns;
		cells[2] = share;
		cells[3] = avg;
		cells[4] = peers;
		cells[5] = (const char *)sqlite3_column_text(st, 5);
		cells[6] = first;
		cells[7] = last;
		cells[8] = snaps;
		if (out_row(out, cells) < 0) {
			snprintf(err, errsz, "writing the report failed");
			rows = -EIO;
			goto out;
		}
		rows++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		rows = -EIO;
		goto out;
	}
	if (out_end(out) < 0) {
		snprintf(err, errsz, "writing the report failed");
		rows = -EIO;
	}
out:
	out_free(out);
	sqlite3_finalize(st);
	buf_fini(&sql);
	return rows;
}

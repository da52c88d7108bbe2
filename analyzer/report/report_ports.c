/* report_ports — listeners and programs: SQL over the selected snapshots'
 * rows (listening = TCP LISTEN or an unconnected UDP/raw socket), every
 * value bound, the result written through output.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "report_ports.h"

#define LISTENING "((r.proto = 'tcp' AND r.state = 'LISTEN') OR (r.proto <> 'tcp' AND r.state = 'UNCONN'))"

/* The selected snapshots, then "r": the rows the report reads. */
static int rows_sql(const struct filter *flt, bool have_at, usec_t at, struct buf *sql,
		    struct filter_params *p)
{
	int rc = filter_sql_snaps(flt, have_at, at, sql, p);

	if (rc == 0)
		rc = buf_puts(sql, ", r AS MATERIALIZED (SELECT sn.id AS sid, k.proto, k.state,"
				   " k.laddr, k.lport, k.raddr, coalesce(k.program, '-') AS program"
				   FILTER_FROM_SPANS);
	if (rc == 0)
		rc = filter_sql_sockets(flt, sql, p);
	if (rc == 0)
		rc = buf_putc(sql, ')');
	return rc;
}

/* Runs sql (with p) and writes every row's columns as text cells. */
static long run(sqlite3 *db, const char *sql, const struct filter_params *p,
		const struct output_col *cols, size_t ncols, enum output_format fmt, FILE *f,
		unsigned width, bool color, char *err, size_t errsz)
{
	sqlite3_stmt *st = NULL;
	struct output *o = NULL;
	const char *cells[16];
	long rows = 0;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, p) != SQLITE_OK) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		rows = -EIO;
		goto out;
	}
	o = output_new(fmt, f, cols, ncols, width, color);
	if (!o) {
		snprintf(err, errsz, "out of memory");
		rows = -ENOMEM;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (size_t i = 0; i < ncols && i < 16; i++)
			cells[i] = (const char *)sqlite3_column_text(st, (int)i);
		if (output_row(o, cells) < 0) {
			snprintf(err, errsz, "writing the report failed");
			rows = -EIO;
			goto out;
		}
		rows++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		rows = -EIO;
	} else if (output_end(o) < 0) {
		snprintf(err, errsz, "writing the report failed");
		rows = -EIO;
	}
out:
	output_free(o);
	sqlite3_finalize(st);
	return rows;
}

/* rows_sql's rows, the report's own SQL after them, run and printed. */
static long report(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		   const char *tail, const struct output_col *cols, size_t ncols, enum output_format fmt,
		   FILE *f, unsigned width, bool color, char *err, size_t errsz)
{
	struct filter_params p = {0};
	struct buf sql;
	long rc;

	buf_init(&sql);
	rc = rows_sql(flt, have_at, at, &sql, &p);
	if (rc == 0)
		rc = buf_puts(&sql, tail);
	if (rc < 0) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
	} else {
		rc = run(db, sql.data, &p, cols, ncols, fmt, f, width, color, err, errsz);
	}
	buf_fini(&sql);
	return rc;
}

long report_ports(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		  enum output_format fmt, FILE *f, unsigned width, bool color, char *err, size_t errsz)
{
	static const struct output_col cols[] = {
		{"proto", OUTPUT_STR, false, false},  {"port", OUTPUT_INT, true, false},
		{"programs", OUTPUT_STR, false, true}, {"listen", OUTPUT_STR, false, true},
		{"conns", OUTPUT_INT, true, false},   {"peers", OUTPUT_INT, true, false},
		{"states", OUTPUT_STR, false, true},  {"snapshots", OUTPUT_STR, true, false},
	};
	static const char tail[] =
		", l AS (SELECT proto, lport, group_concat(DISTINCT program) AS programs,"
		" group_concat(DISTINCT laddr) AS addrs, count(DISTINCT sid) AS present"
		" FROM r WHERE " LISTENING " GROUP BY proto, lport),"
		" c AS (SELECT proto, lport, sid, raddr, state FROM r WHERE NOT " LISTENING "),"
		" cp AS (SELECT proto, lport, max(n) AS peak FROM (SELECT proto, lport, sid,"
		" count(*) AS n FROM c GROUP BY proto, lport, sid) GROUP BY proto, lport),"
		" pe AS (SELECT proto, lport, count(DISTINCT raddr) AS peers FROM c"
		" GROUP BY proto, lport),"
		" mix AS (SELECT proto, lport, group_concat(state || ' ' || n, ', ') AS states"
		" FROM (SELECT proto, lport, state, count(*) AS n FROM c GROUP BY proto, lport,"
		" state ORDER BY proto, lport, n DESC, state) GROUP BY proto, lport)"
		" SELECT l.proto, l.lport, l.programs, l.addrs, coalesce(cp.peak, 0),"
		" coalesce(pe.peers, 0), mix.states,"
		" l.present || '/' || (SELECT count(*) FROM snaps)"
		" FROM l LEFT JOIN cp USING (proto, lport) LEFT JOIN pe USING (proto, lport)"
		" LEFT JOIN mix USING (proto, lport)"
		" ORDER BY coalesce(cp.peak, 0) DESC, l.proto, l.lport";

	return report(db, flt, have_at, at, tail, cols, sizeof cols / sizeof cols[0], fmt, f,
		      width, color, err, errsz);
}

long report_programs(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		     enum output_format fmt, FILE *f, unsigned width, bool color, char *err,
		     size_t errsz)
{
	static const struct output_col cols[] = {
		{"program", OUTPUT_STR, false, true}, {"sockets", OUTPUT_INT, true, false},
		{"listening", OUTPUT_STR, false, true}, {"conns", OUTPUT_INT, true, false},
		{"peers", OUTPUT_INT, true, false},   {"snapshots", OUTPUT_STR, true, false},
	};
	static const char tail[] =
		", per AS (SELECT program, sid, count(*) AS n,"
		" sum(NOT " LISTENING ") AS conns FROM r GROUP BY program, sid),"
		" agg AS (SELECT program, max(n) AS peak, max(conns) AS cpeak,"
		" count(*) AS present FROM per GROUP BY program),"
		" li AS (SELECT program, group_concat(pp, ', ') AS ports FROM (SELECT DISTINCT"
		" program, proto || '/' || lport AS pp FROM r WHERE " LISTENING
		" ORDER BY program, proto, lport) GROUP BY program),"
		" pe AS (SELECT program, count(DISTINCT raddr) AS peers FROM r WHERE NOT "
		LISTENING " GROUP BY program)"
		" SELECT agg.program, peak, li.ports, cpeak, coalesce(pe.peers, 0),"
		" present || '/' || (SELECT count(*) FROM snaps)"
		" FROM agg LEFT JOIN li USING (program) LEFT JOIN pe USING (program)"
		" ORDER BY peak DESC, agg.program";

	return report(db, flt, have_at, at, tail, cols, sizeof cols / sizeof cols[0], fmt, f,
		      width, color, err, errsz);
}

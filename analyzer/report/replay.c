/* replay — netstat output of the past: the snapshot at or before a time, its
 * stored rendering if the import kept it, else net-tools' format rendered
 * from the sockets table in /proc order. */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "netstat.h"
#include "replay.h"
#include "spancode.h"
#include "tcpstate.h"
#include "termsafe.h"

/* Writes n bytes of netstat output; a stored section is whatever the
 * segment said (import --keep-raw of a crafted one: OSC 52, clear screen,
 * forged lines), so unless raw it is made visible. 0 or -ENOMEM. */
static int emit(FILE *out, const void *p, size_t n, bool raw)
{
	struct buf b = BUF_INIT;
	int rc;

	if (raw || termsafe_clean(p, n, TS_KEEP_LF | TS_KEEP_TAB)) {
		fwrite(p, 1, n, out);
		return 0;
	}
	rc = termsafe_append(&b, p, n, TS_KEEP_LF | TS_KEEP_TAB);
	if (rc == 0)
		fwrite(b.data, 1, b.len, out);
	buf_fini(&b);
	return rc;
}

static int find_snapshot(sqlite3 *db, const char *host, usec_t at, struct replay_info *info,
			 char *err, size_t errsz)
{
	sqlite3_stmt *st = NULL;
	int rc = -EIO, n = 0;

	if (!host) {
		/* without --host there must be exactly one host to choose from */
		if (sqlite3_prepare_v2(db,
				       "SELECT DISTINCT host FROM snapshots WHERE time <= ?1 LIMIT 3",
				       -1, &st, NULL) != SQLITE_OK)
			goto dberr;
		sqlite3_bind_int64(st, 1, at);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *h = (const char *)sqlite3_column_text(st, 0);

			if (n++ == 0)
				snprintf(info->host, sizeof info->host, "%s", h ? h : "");
		}
		sqlite3_finalize(st);
		st = NULL;
		if (n > 1) {
			snprintf(err, errsz, "snapshots of several hosts: choose one with --host");
			return -EEXIST;
		}
		host = info->host;
	}
	if (sqlite3_prepare_v2(db,
			       "SELECT id, time, host, sockets FROM snapshots"
			       " WHERE host = ?1 AND time <= ?2"
			       " ORDER BY time DESC, id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		goto dberr;
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, at);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		info->snapshot_id = sqlite3_column_int64(st, 0);
		info->time = sqlite3_column_int64(st, 1);
		snprintf(info->host, sizeof info->host, "%s",
			 (const char *)sqlite3_column_text(st, 2));
		info->sockets = sqlite3_column_int64(st, 3);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		char t[UTCTIME_STRLEN];

		utctime_format(at, 0, t, sizeof t);
		snprintf(err, errsz, "no snapshot%s%s at or before %s", host[0] ? " of " : "",
			 host, t);
		rc = -ENOENT;
	} else {
		goto dberr;
	}
	sqlite3_finalize(st);
	return rc;
dberr:
	snprintf(err, errsz, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return -EIO;
}

/* The verbatim section "netstat ARGS" (or the real binary's "netstat-exec
 * ARGS"); 1 printed, 0 not stored, -EIO. */
static int print_stored(sqlite3 *db, long long snap, const char *args, bool raw, FILE *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	/* the raw table exists from schema version 2 on, always here */
	if (sqlite3_prepare_v2(db,
			       "SELECT text FROM raw WHERE snapshot_id = ?1 AND section IN"
			       " ('netstat ' || ?2, 'netstat-exec ' || ?2) ORDER BY section LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, snap);
	sqlite3_bind_text(st, 2, args, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = emit(out, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), raw);
		rc = rc < 0 ? rc : 1;
	} else {
		rc = rc == SQLITE_DONE ? 0 : -EIO;
	}
	sqlite3_finalize(st);
	return rc;
}

/* A stored address (schema 6, spancode.h): an IPv4 number or text. 0 or
 * -EINVAL (a name: NULL). */
static int addr_of(sqlite3_stmt *st, int col, struct addr *a)
{
	switch (sqlite3_column_type(st, col)) {
	case SQLITE_INTEGER: {
		uint32_t v = (uint32_t)sqlite3_column_int64(st, col);

		memset(a, 0, sizeof *a);
		a->family = AF_INET;
		a->a[0] = (uint8_t)(v >> 24);
		a->a[1] = (uint8_t)(v >> 16);
		a->a[2] = (uint8_t)(v >> 8);
		a->a[3] = (uint8_t)v;
		return 0;
	}
	case SQLITE_TEXT:
		return addr_parse((const char *)sqlite3_column_text(st, col),
				  (size_t)sqlite3_column_bytes(st, col), a);
	default:
		return -EINVAL;
	}
}

/* A stored row back into a sock_row; 0 or -EINVAL (not renderable: a host
 * named instead of an address, a state without a name). Columns: render's
 * statement's. */
static int row_of(sqlite3_stmt *st, struct sock_row *r)
{
	int64_t kind = sqlite3_column_int64(st, 0);
	int s = spancode_state(kind);
	int t;

	memset(r, 0, sizeof *r);
	if (s == 0)
		return -EINVAL;   /* UNKNOWN: net-tools has no row for it here */
	r->proto = (uint8_t)spancode_proto(kind);
	r->family = spancode_family(kind) == 6 ? AF_INET6 : AF_INET;
	if (addr_of(st, 1, &r->local) < 0 || sqlite3_column_int(st, 15) ||
	    addr_of(st, sqlite3_column_type(st, 3) == SQLITE_NULL ? 4 : 3, &r->remote) < 0)
		return -EINVAL;
	r->state = (uint8_t)(s == SPANCODE_UNCONN ? ST_CLOSE : s);
	r->lport = (uint16_t)sqlite3_column_int(st, 2);
	r->rport = (uint16_t)sqlite3_column_int(st, 5);
	r->rxq = (uint32_t)sqlite3_column_int64(st, 6);
	/* sock_diag and ss give a listener's backlog as its send queue; net-tools
	 * reads /proc, where a listener's tx_queue is always 0 */
	r->txq = r->state == ST_LISTEN ? 0 : (uint32_t)sqlite3_column_int64(st, 7);
	r->uid = (uint32_t)sqlite3_column_int64(st, 8);
	r->inode = (uint64_t)sqlite3_column_int64(st, 9);
	r->pid = (int32_t)sqlite3_column_int64(st, 10);
	if (sqlite3_column_type(st, 11) == SQLITE_INTEGER &&
	    (t = sqlite3_column_int(st, 11)) >= 0 && sockrow_timer_name(t))
		r->timer = (uint8_t)t;
	r->expires_ms = (uint32_t)sqlite3_column_int64(st, 12);
	r->retrans = (uint32_t)sqlite3_column_int64(st, 13);
	r->program = (const char *)sqlite3_column_text(st, 14);
	if (r->pid <= 0)
		r->program = NULL;   /* net-tools shows "-" without a pid */
	return 0;
}

static int render(sqlite3 *db, const struct netstat_opts *o, struct replay_info *info,
		  bool raw, FILE *out, char *err, size_t errsz)
{
	sqlite3_stmt *st = NULL;
	struct buf b;
	struct sock_row r;
	int rc;

	buf_init(&b);
	if (netstat_render_header(o, &b) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	/* the snapshot's spans (?1: its id), each as its copies, in the order
	 * its rows came in; net-tools reads tcp, tcp6, udp, udp6, raw, raw6 in
	 * turn. The chain's spans by its rowid range (span_chains), as there
	 * is no index on chain; CROSS JOIN keeps the planner's hands off the
	 * order (it would scan span_copy first and build an index) */
	if (sqlite3_prepare_v2(db,
			       "SELECT p.kind, p.laddr, p.lport, p.raddr, p.rnet, p.rport, p.rxq, p.txq,"
			       " p.uid, p.inode, p.pid, p.timer, p.expires_ms, p.retrans, p.program,"
			       " p.rhost IS NOT NULL FROM snapshots s CROSS JOIN span_chains r"
			       " ON r.chain = s.chain CROSS JOIN spans_packed p"
			       " ON p.rowid BETWEEN r.lo AND r.hi AND p.chain = s.chain"
			       " AND s.k BETWEEN p.k_first AND p.k_last CROSS JOIN span_copy c"
			       " ON c.i <= p.copies WHERE s.id = ?1"
			       " ORDER BY (p.kind >> 1) & 3, p.kind & 1, p.ord, p.rowid",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = -EIO;
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		goto out;
	}
	/* the spans that cover it, in the order its rows came in (ord) */
	sqlite3_bind_int64(st, 1, info->snapshot_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (row_of(st, &r) < 0)
			continue;
		rc = netstat_render_row(o, &r, &b);
		if (rc < 0)
			goto out;
		info->rows += rc;
		if (b.len > 1 << 16) {
			/* whole rows: a character is never split */
			rc = emit(out, b.data, b.len, raw);
			if (rc < 0)
				goto out;
			buf_reset(&b);
		}
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		rc = -EIO;
		goto out;
	}
	rc = emit(out, b.data, b.len, raw);
out:
	sqlite3_finalize(st);
	buf_fini(&b);
	return rc;
}

int replay_netstat(sqlite3 *db, const char *host, usec_t at, const char *args, bool raw,
		   FILE *out, struct replay_info *info, char *err, size_t errsz)
{
	struct netstat_opts o;
	const char *bad;
	int rc;

	memset(info, 0, sizeof *info);
	if (netstat_opts_parse(args, &o, &bad) < 0) {
		snprintf(err, errsz, "netstat %s: cannot replay %s (supported: -a -t -u -w -l -n -p -e -o -W and their long forms; -n is required)",
			 args, bad);
		return -EINVAL;
	}
	rc = find_snapshot(db, host, at, info, err, errsz);
	if (rc < 0)
		return rc;
	rc = print_stored(db, info->snapshot_id, args, raw, out);
	if (rc == -ENOMEM) {
		snprintf(err, errsz, "out of memory");
		return rc;
	}
	if (rc < 0) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		return -EIO;
	}
	if (rc == 1) {
		info->stored = true;
		return 0;
	}
	return render(db, &o, info, raw, out, err, errsz);
}

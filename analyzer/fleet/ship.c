/* ship — a database's chains to ClickHouse in batches: one host per batch
 * (so a batch lands on one shard, each insert all or nothing), a batch id
 * derived from its content, the plan written to the state file before it
 * is sent, and a count by batch id before anything is sent again. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chtsv.h"
#include "fleet_int.h"
#include "ship.h"
#include "ship_int.h"
#include "spans.h"

/* Each SELECT yields its table's columns in chschema's order, for the
 * pieces ?1 = chain, ?2 = a, ?3 = b, with ?4 = host, ?5 = the chain's
 * fleet-wide id, ?6 = the batch id. */
static const char *const sel[CHSCHEMA_NTABLES] = {
	[CHSCHEMA_SOURCES] =
		"SELECT ?4, src.sha256, src.path, src.format, src.bytes, src.imported_at, "
		"src.snapshots, src.sockets, src.bad_lines, src.first_error, ?6 "
		"FROM snapshots s JOIN sources src ON src.id = s.source_id "
		"WHERE s.chain = ?1 AND s.k BETWEEN ?2 AND ?3 "
		"AND s.id = (SELECT min(id) FROM snapshots WHERE source_id = src.id)",
	[CHSCHEMA_SNAPSHOTS] =
		"SELECT s.host, s.time, src.sha256, s.time_from, s.seq, s.boot_id, s.kernel, "
		"s.reason, s.interval_us, s.sockets, ?5, s.k, ?6 "
		"FROM snapshots s JOIN sources src ON src.id = s.source_id "
		"WHERE s.chain = ?1 AND s.k BETWEEN ?2 AND ?3 ORDER BY s.k",
	[CHSCHEMA_STATES] =
		"SELECT s.host, s.time, t.proto, t.state, t.n, ?6 FROM snapshots s "
		"JOIN snapshot_states t ON t.snapshot_id = s.id "
		"WHERE s.chain = ?1 AND s.k BETWEEN ?2 AND ?3 ORDER BY s.k",
	[CHSCHEMA_COUNTERS] =
		"SELECT s.host, s.time, c.name, c.value, ?6 FROM snapshots s "
		"JOIN counters c ON c.snapshot_id = s.id "
		"WHERE s.chain = ?1 AND s.k BETWEEN ?2 AND ?3 ORDER BY s.k",
	[CHSCHEMA_PROCESSES] =
		"SELECT s.host, s.time, p.pid, p.program, p.comm, p.sockets, ?6 FROM snapshots s "
		"JOIN processes p ON p.snapshot_id = s.id "
		"WHERE s.chain = ?1 AND s.k BETWEEN ?2 AND ?3 ORDER BY s.k",
	/* a span is cut to the batch's snapshots: each socket of each snapshot
	 * is on the server once, whatever the batches were */
	[CHSCHEMA_SPANS] =
		"SELECT ?4, ?5, fa.time, fb.time, max(p.k_first, ?2), min(p.k_last, ?3), p.copies, "
		"p.ord, p.proto, p.family, p.state, p.laddr, p.lport, p.raddr, p.rport, p.rnet, "
		"p.rxq, p.txq, p.uid, p.inode, p.timer, p.expires_ms, p.retrans, p.pid, p.program, "
		"p.lhost, p.rhost, p.max_retrans, ?6 FROM spans p "
		"JOIN snapshots fa ON fa.chain = p.chain AND fa.k = max(p.k_first, ?2) "
		"JOIN snapshots fb ON fb.chain = p.chain AND fb.k = min(p.k_last, ?3) "
		"WHERE p.chain = ?1 AND p.k_first <= ?3 AND p.k_last >= ?2",
};

/* The order of inserts: snapshots last, so a snapshot on the server means
 * its rows are there too. */
static const enum chschema_table order[CHSCHEMA_NTABLES] = {
	CHSCHEMA_SOURCES, CHSCHEMA_STATES,  CHSCHEMA_COUNTERS,
	CHSCHEMA_PROCESSES, CHSCHEMA_SPANS, CHSCHEMA_SNAPSHOTS,
};

struct shipper {
	sqlite3 *db;
	struct chhttp *h;
	const struct ship_opts *o;
	struct ship_totals *t;
	FILE *msg;
	struct ship_state st;
	char host[256];
	int64_t tmin, tmax;       /* the batch's snapshot times */
	uint64_t last_insert[CHSCHEMA_NTABLES];   /* monotonic µs */
	struct buf body, q, resp;
	char *err;
	size_t errsz;
};

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void sleep_us(uint64_t us)
{
	struct timespec ts = {(time_t)(us / 1000000u), (long)(us % 1000000u) * 1000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A chain's id across the fleet: host, boot, source and first time. */
static int chain_gid(struct shipper *s, int64_t chain, uint64_t *gid)
{
	sqlite3_stmt *st = NULL;
	int rc = -EBADMSG;
	uint64_t h = 1469598103934665603ull;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT s.host, coalesce(s.boot_id, ''), s.time, src.sha256 "
			       "FROM snapshots s JOIN sources src ON src.id = s.source_id "
			       "WHERE s.chain = ?1 AND s.k = 0", -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, chain);
	if (sqlite3_step(st) != SQLITE_ROW)
		goto out;
	h = spans_hash_str(h, (const char *)sqlite3_column_text(st, 0));
	h = spans_hash_str(h, (const char *)sqlite3_column_text(st, 1));
	{
		int64_t t = sqlite3_column_int64(st, 2);

		h = spans_hash(h, &t, sizeof t);
	}
	h = spans_hash_str(h, (const char *)sqlite3_column_text(st, 3));
	*gid = h & (uint64_t)INT64_MAX;
	rc = 0;
out:
	if (rc < 0)
		snprintf(s->err, s->errsz, "chain %" PRId64 ": %s", chain, sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return rc;
}

/* Appends the rows of one piece of table t to s->body; their number. */
static long piece_rows(struct shipper *s, enum chschema_table t, const struct ship_piece *p,
		       uint64_t gid, uint64_t batch)
{
	sqlite3_stmt *st = NULL;
	long n = 0;
	int rc;

	if (sqlite3_prepare_v2(s->db, sel[t], -1, &st, NULL) != SQLITE_OK) {
		snprintf(s->err, s->errsz, "%s: %s", chschema_tables[t].name, sqlite3_errmsg(s->db));
		return -EBADMSG;
	}
	sqlite3_bind_int64(st, 1, p->chain);
	sqlite3_bind_int64(st, 2, p->a);
	sqlite3_bind_int64(st, 3, p->b);
	sqlite3_bind_text(st, 4, s->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)gid);
	sqlite3_bind_int64(st, 6, (int64_t)batch);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int nc = sqlite3_column_count(st);

		for (int i = 0; i < nc; i++) {
			int ty = sqlite3_column_type(st, i);

			if (i && buf_putc(&s->body, '\t') < 0)
				goto nomem;
			if (ty == SQLITE_NULL) {
				rc = chtsv_put_str(&s->body, NULL);
			} else if (ty == SQLITE_INTEGER) {
				rc = chtsv_put_i64(&s->body, sqlite3_column_int64(st, i), false);
			} else {
				rc = chtsv_put_str(&s->body, (const char *)sqlite3_column_text(st, i));
			}
			if (rc < 0)
				goto nomem;
		}
		if (buf_putc(&s->body, '\n') < 0)
			goto nomem;
		n++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(s->err, s->errsz, "%s: %s", chschema_tables[t].name, sqlite3_errmsg(s->db));
		n = -EBADMSG;
	}
	sqlite3_finalize(st);
	return n;
nomem:
	sqlite3_finalize(st);
	snprintf(s->err, s->errsz, "out of memory");
	return -ENOMEM;
}

/* Rows of batch already on the server in table t. */
static int server_count(struct shipper *s, enum chschema_table t, uint64_t batch, int64_t *n)
{
	struct chtsv r;
	int rc;

	/* the host and times lead the table's ORDER BY: a range of one host,
	 * not a scan of the whole batch column */
	buf_reset(&s->q);
	if (buf_printf(&s->q, "SELECT count() FROM %s.%s WHERE host = ", s->o->database,
		       chschema_tables[t].name) < 0 ||
	    fleet_sql_str(&s->q, s->host) < 0 ||
	    (t != CHSCHEMA_SOURCES &&
	     buf_printf(&s->q, " AND %s BETWEEN %" PRId64 " AND %" PRId64, chschema_tables[t].tcol,
			s->tmin, s->tmax) < 0) ||
	    buf_printf(&s->q, " AND batch = %" PRIu64 " FORMAT TabSeparated", batch) < 0)
		return -ENOMEM;
	rc = chhttp_query(s->h, s->q.data, NULL, 0, &s->resp, s->err, s->errsz);
	if (rc < 0)
		return rc;
	chtsv_init(&r, s->resp.data ? s->resp.data : "", s->resp.len);
	rc = chtsv_next(&r);
	rc = rc == 1 && r.n == 1 ? chtsv_i64(&r, 0, n) : -EBADMSG;
	chtsv_fini(&r);
	if (rc < 0)
		snprintf(s->err, s->errsz, "the server's count of batch %" PRIu64 " is unreadable",
			 batch);
	return rc;
}

/* Sends s->body (rows lines) into t unless the server has it: after a
 * failure or when resuming, it asks first. Retries what may pass, with
 * backoff, for o->retry_for. */
static int send_table(struct shipper *s, enum chschema_table t, long rows, uint64_t batch,
		      bool check)
{
	uint64_t start = mono_us(), backoff = 500000;
	int rc;

	buf_reset(&s->q);
	if (buf_printf(&s->q, "INSERT INTO %s.%s (", s->o->database, chschema_tables[t].name) < 0 ||
	    chschema_collist(t, &s->q) < 0 || buf_puts(&s->q, ") FORMAT TabSeparated") < 0)
		return -ENOMEM;
	for (;;) {
		int64_t have = 0;
		uint64_t now = mono_us();

		if (now < s->last_insert[t] + s->o->min_gap)
			sleep_us(s->last_insert[t] + s->o->min_gap - now);
		rc = check ? server_count(s, t, batch, &have) : 0;
		if (rc == 0 && have == rows) {
			s->t->found++;
			return 0;
		}
		if (rc == 0 && have) {
			snprintf(s->err, s->errsz, "%s holds %" PRId64 " of batch %" PRIu64 "'s %ld rows",
				 chschema_tables[t].name, have, batch, rows);
			return -EPROTO;
		}
		if (rc == 0) {
			/* the query text was reset by server_count: rebuild it */
			buf_reset(&s->q);
			if (buf_printf(&s->q, "INSERT INTO %s.%s (", s->o->database,
				       chschema_tables[t].name) < 0 ||
			    chschema_collist(t, &s->q) < 0 ||
			    buf_puts(&s->q, ") FORMAT TabSeparated") < 0)
				return -ENOMEM;
			rc = chhttp_query(s->h, s->q.data, s->body.data, s->body.len, &s->resp, s->err,
					  s->errsz);
			s->last_insert[t] = mono_us();
		}
		if (rc != -EAGAIN)
			break;
		if (s->o->retry_for && mono_us() - start > s->o->retry_for)
			break;
		s->t->retries++;
		if (s->msg)
			fprintf(s->msg, "sockscope ship: %s; retrying in %.1f s\n", s->err,
				(double)backoff / 1e6);
		sleep_us(backoff);
		backoff = backoff * 2 > 30000000u ? 30000000u : backoff * 2;
		check = true;   /* it may have landed before the failure */
	}
	if (rc == 0)
		s->t->rows[t] += (uint64_t)rows;
	return rc;
}

/* The first and last snapshot times of the batch in flight. */
static int batch_times(struct shipper *s)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	s->tmin = INT64_MAX;
	s->tmax = INT64_MIN;
	if (sqlite3_prepare_v2(s->db, "SELECT min(time), max(time) FROM snapshots "
				      "WHERE chain = ?1 AND k BETWEEN ?2 AND ?3", -1, &st, NULL) != SQLITE_OK)
		rc = -EBADMSG;
	for (size_t i = 0; rc == 0 && i < s->st.npend; i++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, s->st.pend[i].chain);
		sqlite3_bind_int64(st, 2, s->st.pend[i].a);
		sqlite3_bind_int64(st, 3, s->st.pend[i].b);
		if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL) {
			rc = -EBADMSG;
			break;
		}
		if (sqlite3_column_int64(st, 0) < s->tmin)
			s->tmin = sqlite3_column_int64(st, 0);
		if (sqlite3_column_int64(st, 1) > s->tmax)
			s->tmax = sqlite3_column_int64(st, 1);
	}
	if (rc < 0)
		snprintf(s->err, s->errsz, "the batch's snapshots: %s", sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return rc;
}

/* Sends the batch in s->st.pend, table by table; check: ask first. */
static int send_batch(struct shipper *s, bool check)
{
	int rc = batch_times(s);

	for (size_t ti = 0; ti < CHSCHEMA_NTABLES && rc == 0; ti++) {
		enum chschema_table t = order[ti];
		long rows = 0;

		buf_reset(&s->body);
		for (size_t i = 0; i < s->st.npend && rc == 0; i++) {
			uint64_t gid;
			long n;

			rc = chain_gid(s, s->st.pend[i].chain, &gid);
			n = rc == 0 ? piece_rows(s, t, &s->st.pend[i], gid, s->st.pend_batch) : 0;
			if (n < 0)
				rc = (int)n;
			rows += n;
		}
		if (rc == 0 && rows)
			rc = send_table(s, t, rows, s->st.pend_batch, check);
	}
	return rc;
}

/* The host of a chain into s->host. */
static int chain_host(struct shipper *s, int64_t chain)
{
	sqlite3_stmt *st = NULL;
	int rc = -EBADMSG;

	if (sqlite3_prepare_v2(s->db, "SELECT host FROM snapshots WHERE chain = ?1 AND k = 0", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, chain);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(s->host, sizeof s->host, "%s", sqlite3_column_text(st, 0));
			rc = 0;
		}
	}
	if (rc < 0)
		snprintf(s->err, s->errsz, "chain %" PRId64 " has no first snapshot", chain);
	sqlite3_finalize(st);
	return rc;
}

/* Plans the next batch into s->st.pend: the unshipped snapshots of one
 * host's chains, in chain order, up to o->max_snapshots. 1 planned, 0
 * nothing left. */
static int plan(struct shipper *s)
{
	sqlite3_stmt *st = NULL;
	uint64_t budget = s->o->max_snapshots ? s->o->max_snapshots : 2000;
	uint64_t h = 1469598103934665603ull;
	int rc = SQLITE_DONE;

	s->st.npend = 0;
	s->host[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT chain, host, max(k) FROM snapshots "
				      "WHERE chain IS NOT NULL GROUP BY chain ORDER BY host, chain",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(s->err, s->errsz, "%s", sqlite3_errmsg(s->db));
		return -EBADMSG;
	}
	while (budget && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t chain = sqlite3_column_int64(st, 0), maxk = sqlite3_column_int64(st, 2);
		const char *host = (const char *)sqlite3_column_text(st, 1);
		int64_t done = ship_state_done(&s->st, chain);
		struct ship_piece p;
		uint64_t gid;

		if (done >= maxk || !host)
			continue;
		if (s->host[0] && strcmp(host, s->host))
			break;
		snprintf(s->host, sizeof s->host, "%s", host);
		p.chain = chain;
		p.a = done + 1;
		p.b = (uint64_t)(maxk - p.a) + 1 > budget ? p.a + (int64_t)budget - 1 : maxk;
		budget -= (uint64_t)(p.b - p.a + 1);
		if (chain_gid(s, chain, &gid) < 0 || ship_state_add_piece(&s->st, &p) < 0) {
			sqlite3_finalize(st);
			return -ENOMEM;
		}
		h = spans_hash(h, &gid, sizeof gid);
		h = spans_hash(h, &p.a, sizeof p.a);
		h = spans_hash(h, &p.b, sizeof p.b);
	}
	sqlite3_finalize(st);
	if (budget && rc != SQLITE_DONE && rc != SQLITE_ROW) {
		snprintf(s->err, s->errsz, "%s", sqlite3_errstr(rc));
		return -EBADMSG;
	}
	s->st.pend_batch = h & (uint64_t)INT64_MAX;
	return s->st.npend ? 1 : 0;
}

/* The batch in flight is on the server: its chains move on. */
static int commit(struct shipper *s)
{
	for (size_t i = 0; i < s->st.npend; i++)
		if (ship_state_set(&s->st, s->st.pend[i].chain, s->st.pend[i].b) < 0)
			return -ENOMEM;
	s->st.npend = 0;
	s->t->batches++;
	return ship_state_save(&s->st, s->o->state);
}

long ship_db(sqlite3 *db, struct chhttp *h, const struct ship_opts *o, struct ship_totals *t,
	     FILE *msg, char *err, size_t errsz)
{
	struct shipper s = {.db = db, .h = h, .o = o, .t = t, .msg = msg, .err = err,
			    .errsz = errsz};
	long sent = 0;
	int rc = ship_state_load(&s.st, o->state);

	if (rc < 0) {
		snprintf(err, errsz, "state file %s: %s", o->state,
			 rc == -EBADMSG ? "not a sockscope ship state" : strerror(-rc));
		goto out;
	}
	if (s.st.npend) {   /* a batch was in flight: the server may hold any part */
		rc = chain_host(&s, s.st.pend[0].chain);
		if (rc == 0)
			rc = send_batch(&s, true);
		if (rc == 0)
			rc = commit(&s);
		if (rc < 0)
			goto out;
		sent++;
	}
	while ((rc = plan(&s)) == 1) {
		rc = ship_state_save(&s.st, o->state);
		if (rc == 0)
			rc = send_batch(&s, true);   /* also safe without the state file */
		if (rc == 0)
			rc = commit(&s);
		if (rc < 0)
			break;
		sent++;
	}
out:
	if (rc == -EIO || (rc < 0 && rc != -EAGAIN && rc != -EACCES && rc != -EINVAL &&
			   rc != -EBADMSG && rc != -EPROTO && rc != -ENOMEM && !err[0]))
		snprintf(err, errsz, "state file %s: %s", o->state, strerror(-rc));
	ship_state_fini(&s.st);
	buf_fini(&s.body);
	buf_fini(&s.q);
	buf_fini(&s.resp);
	return rc < 0 ? rc : sent;
}

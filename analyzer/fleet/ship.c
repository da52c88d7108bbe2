/* ship — a database's chains to ClickHouse in batches of one or more hosts
 * (each host's rows of an insert land on one shard, all or nothing), a
 * batch id derived from its content, the plan written to the state file
 * before it is sent, and a count per host by batch id before anything is
 * sent again. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chtsv.h"
#include "fleet_int.h"
#include "grow.h"
#include "ship.h"
#include "ship_int.h"
#include "spancode.h"
#include "spans.h"
#include "intern.h"

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
		/* from process_spans (schema 6), each row once, to the snapshots
		 * it covers: the processes view would search the chain's rows
		 * for every snapshot */
		"SELECT s.host, s.time, p.pid, p.program, p.comm, p.sockets, ?6 FROM process_spans p "
		"JOIN snapshots s ON s.chain = p.chain "
		"AND s.k BETWEEN max(p.k_first, ?2) AND min(p.k_last, ?3) "
		"WHERE p.chain = ?1 AND p.k_first <= ?3 AND p.k_last >= ?2 ORDER BY s.k, p.pid",
	/* a span is cut to the batch's snapshots: each socket of each snapshot
	 * is on the server once, whatever the batches were; a chain's spans
	 * are its rowid range (span_chains, schema 7; the + keeps SQLite from
	 * building an index on spans_packed.chain for the query) */
	[CHSCHEMA_SPANS] =
		"SELECT ?4, ?5, fa.time, fb.time, max(p.k_first, ?2), min(p.k_last, ?3), p.copies, "
		"p.ord, " SPANCODE_SQL_PROTO("p") ", " SPANCODE_SQL_FAMILY("p") ", "
		SPANCODE_SQL_STATE("p") ", " SPANCODE_SQL_LADDR("p") ", p.lport, "
		SPANCODE_SQL_RADDR("p") ", p.rport, " SPANCODE_SQL_RNET("p") ", p.rxq, p.txq, p.uid, p.inode, "
		SPANCODE_SQL_TIMER("p") ", p.expires_ms, p.retrans, p.pid, p.program, "
		"p.lhost, p.rhost, p.max_retrans, ?6 FROM span_chains r "
		"CROSS JOIN spans_packed p ON p.rowid BETWEEN r.lo AND r.hi AND +p.chain = r.chain "
		"JOIN snapshots fa ON fa.chain = p.chain AND fa.k = max(p.k_first, ?2) "
		"JOIN snapshots fb ON fb.chain = p.chain AND fb.k = min(p.k_last, ?3) "
		"WHERE r.chain = ?1 AND p.k_first <= ?3 AND p.k_last >= ?2",
};

/* The order of inserts: snapshots last, so a snapshot on the server means
 * its rows are there too. */
static const enum chschema_table order[CHSCHEMA_NTABLES] = {
	CHSCHEMA_SOURCES, CHSCHEMA_STATES, CHSCHEMA_COUNTERS, CHSCHEMA_PROCESSES,
	CHSCHEMA_SPANS,   CHSCHEMA_RANGES, CHSCHEMA_SNAPSHOTS,
};

/* A piece of the batch in flight: its host and fleet-wide chain id. */
struct pinfo {
	char host[256];
	uint64_t gid;
};

/* One host of the batch in flight: pieces [first, end) (consecutive: the
 * plan is by host), and, for the table being sent, its rows in the body. */
struct hgroup {
	size_t first, end;
	size_t off, len;
	long rows;
	int64_t have;            /* on the server already */
};

struct shipper {
	sqlite3 *db;
	struct chhttp *h;
	const struct ship_opts *o;
	struct ship_totals *t;
	FILE *msg;
	struct ship_state st;
	struct pinfo *pi;
	size_t picap;
	struct hgroup *g;
	size_t ng, gcap;
	int64_t tmin, tmax;       /* the batch's snapshot times */
	uint64_t last_insert[CHSCHEMA_NTABLES];   /* monotonic µs */
	struct buf body, send, q, resp;
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

/* A chain's host and its id across the fleet (host, boot, source, first
 * time). */
static int chain_info(struct shipper *s, int64_t chain, struct pinfo *pi)
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
	if (sqlite3_step(st) != SQLITE_ROW || sqlite3_column_type(st, 0) == SQLITE_NULL)
		goto out;
	snprintf(pi->host, sizeof pi->host, "%s", (const char *)sqlite3_column_text(st, 0));
	h = spans_hash_str(h, (const char *)sqlite3_column_text(st, 0));
	h = spans_hash_str(h, (const char *)sqlite3_column_text(st, 1));
	{
		int64_t t = sqlite3_column_int64(st, 2);

		h = spans_hash(h, &t, sizeof t);
	}
	h = spans_hash_str(h, (const char *)sqlite3_column_text(st, 3));
	pi->gid = h & (uint64_t)INT64_MAX;
	rc = 0;
out:
	if (rc < 0)
		snprintf(s->err, s->errsz, "chain %" PRId64 " has no first snapshot", chain);
	sqlite3_finalize(st);
	return rc;
}

/* Appends the rows of one piece of table t to s->body; their number. */
static long piece_rows(struct shipper *s, enum chschema_table t, const struct ship_piece *p,
		       const struct pinfo *pi, uint64_t batch)
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
	sqlite3_bind_text(st, 4, pi->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, (int64_t)pi->gid);
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

/* Each host's rows of batch already on the server in table t, into
 * s->g[].have. */
static int server_counts(struct shipper *s, enum chschema_table t, uint64_t batch)
{
	struct chtsv r;
	int rc;

	/* the host and times lead the table's ORDER BY: ranges of the batch's
	 * hosts, not a scan of the whole batch column */
	buf_reset(&s->q);
	if (buf_printf(&s->q, "SELECT host, count() FROM %s.%s WHERE host IN (", s->o->database,
		       chschema_tables[t].name) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < s->ng; i++)
		if ((i && buf_puts(&s->q, ", ") < 0) ||
		    fleet_sql_str(&s->q, s->pi[s->g[i].first].host) < 0)
			return -ENOMEM;
	if (buf_putc(&s->q, ')') < 0 ||
	    (t != CHSCHEMA_SOURCES &&
	     buf_printf(&s->q, " AND %s BETWEEN %" PRId64 " AND %" PRId64, chschema_tables[t].tcol,
			s->tmin, s->tmax) < 0) ||
	    buf_printf(&s->q, " AND batch = %" PRIu64 " GROUP BY host FORMAT TabSeparated",
		       batch) < 0)
		return -ENOMEM;
	rc = chhttp_query(s->h, s->q.data, NULL, 0, &s->resp, s->err, s->errsz);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < s->ng; i++)
		s->g[i].have = 0;
	chtsv_init(&r, s->resp.data ? s->resp.data : "", s->resp.len);
	while ((rc = chtsv_next(&r)) == 1) {
		const char *host = chtsv_field(&r, 0);
		int64_t n;
		size_t i;

		if (r.n != 2 || !host || chtsv_i64(&r, 1, &n) < 0) {
			rc = -EBADMSG;
			break;
		}
		for (i = 0; i < s->ng && strcmp(s->pi[s->g[i].first].host, host); i++)
			;
		if (i < s->ng)
			s->g[i].have = n;
	}
	chtsv_fini(&r);
	if (rc < 0)
		snprintf(s->err, s->errsz, "the server's count of batch %" PRIu64 " is unreadable",
			 batch);
	return rc;
}

/* After server_counts: into s->send the rows of the hosts the server does
 * not hold (their number into *rows). 1: something to send, 0: all there,
 * -EPROTO: a host's rows are there in part (err says which). */
static int missing(struct shipper *s, enum chschema_table t, uint64_t batch, long *rows)
{
	*rows = 0;
	buf_reset(&s->send);
	for (size_t i = 0; i < s->ng; i++) {
		const struct hgroup *g = &s->g[i];

		if (g->have == g->rows)
			continue;
		if (g->have) {
			snprintf(s->err, s->errsz, "%s holds %" PRId64 " of batch %" PRIu64 "'s %ld rows of %s",
				 chschema_tables[t].name, g->have, batch, g->rows,
				 s->pi[g->first].host);
			return -EPROTO;
		}
		if (buf_append(&s->send, s->body.data + g->off, g->len) < 0)
			return -ENOMEM;
		*rows += g->rows;
	}
	return *rows ? 1 : 0;
}

/* Sends table t's rows of the batch (s->body, by host in s->g) unless the
 * server has them: it asks first, and sends only the hosts it lacks (in a
 * cluster one shard may have taken its hosts' rows and the other not).
 * Retries what may pass, with backoff, for o->retry_for. */
static int send_table(struct shipper *s, enum chschema_table t, uint64_t batch, bool check)
{
	uint64_t start = mono_us(), backoff = 500000;
	long rows = 0;
	int rc;

	for (size_t i = 0; i < s->ng; i++)
		rows += s->g[i].rows;
	for (;;) {
		const struct buf *body = &s->body;
		uint64_t now = mono_us();

		if (now < s->last_insert[t] + s->o->min_gap)
			sleep_us(s->last_insert[t] + s->o->min_gap - now);
		rc = check ? server_counts(s, t, batch) : 0;
		if (rc == 0 && check) {
			rc = missing(s, t, batch, &rows);
			if (rc == 0) {
				s->t->found++;
				return 0;
			}
			if (rc == 1) {
				body = &s->send;
				rc = 0;
			}
		}
		if (rc == 0) {
			buf_reset(&s->q);
			if (buf_printf(&s->q, "INSERT INTO %s.%s (", s->o->database,
				       chschema_tables[t].name) < 0 ||
			    chschema_collist(t, &s->q) < 0 ||
			    buf_puts(&s->q, ") FORMAT TabSeparated") < 0)
				return -ENOMEM;
			rc = chhttp_query(s->h, s->q.data, body->data, body->len, &s->resp, s->err,
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

/* The hosts and chain ids of the batch in flight into s->pi and s->g. */
static int batch_hosts(struct shipper *s)
{
	int rc = 0;

	if (s->picap < s->st.npend) {
		struct pinfo *pi = grow_to(s->pi, &s->picap, s->st.npend, sizeof *pi, 16);

		if (!pi)
			return -ENOMEM;
		s->pi = pi;
	}
	s->ng = 0;
	for (size_t i = 0; rc == 0 && i < s->st.npend; i++) {
		rc = chain_info(s, s->st.pend[i].chain, &s->pi[i]);
		if (rc < 0)
			break;
		if (s->ng && !strcmp(s->pi[s->g[s->ng - 1].first].host, s->pi[i].host)) {
			s->g[s->ng - 1].end = i + 1;
			continue;
		}
		{
			struct hgroup *g = grow(s->g, &s->gcap, s->ng, sizeof *g, 16);

			if (!g)
				return -ENOMEM;
			s->g = g;
			s->g[s->ng++] = (struct hgroup){.first = i, .end = i + 1};
		}
	}
	return rc;
}

/* Table t's rows of host group g appended to s->body. */
static int group_rows(struct shipper *s, enum chschema_table t, struct hgroup *g)
{
	uint64_t batch = s->st.pend_batch;
	long n = 0;

	g->off = s->body.len;
	g->rows = 0;
	if (t == CHSCHEMA_RANGES) {
		n = ship_ranges_rows(s->db, s->pi[g->first].host, s->st.pend + g->first,
				     g->end - g->first, batch, &s->body, s->err, s->errsz);
		g->rows = n > 0 ? n : 0;
	}
	for (size_t i = g->first; t != CHSCHEMA_RANGES && n >= 0 && i < g->end; i++) {
		n = piece_rows(s, t, &s->st.pend[i], &s->pi[i], batch);
		g->rows += n > 0 ? n : 0;
	}
	g->len = s->body.len - g->off;
	return n < 0 ? (int)n : 0;
}

/* Sends the batch in s->st.pend, table by table; check: ask first. */
static int send_batch(struct shipper *s, bool check)
{
	int rc = batch_times(s);

	if (rc == 0)
		rc = batch_hosts(s);
	for (size_t ti = 0; ti < CHSCHEMA_NTABLES && rc == 0; ti++) {
		enum chschema_table t = order[ti];
		long rows = 0;

		buf_reset(&s->body);
		for (size_t i = 0; i < s->ng && rc == 0; i++) {
			rc = group_rows(s, t, &s->g[i]);
			rows += s->g[i].rows;
		}
		if (rc == 0 && rows)
			rc = send_table(s, t, s->st.pend_batch, check);
	}
	return rc;
}

/* The largest table's rows per snapshot of chain (from its snapshot k): a
 * batch's size in rows is estimated from it. */
static int64_t rows_per_snapshot(struct shipper *s, int64_t chain, int64_t k)
{
	sqlite3_stmt *st = NULL;
	int64_t n = 1;

	if (sqlite3_prepare_v2(s->db,
			       "SELECT max((SELECT count(*) FROM counters WHERE snapshot_id = s.id), "
			       "(SELECT count(*) FROM snapshot_states WHERE snapshot_id = s.id), "
			       "(SELECT count(*) FROM processes WHERE snapshot_id = s.id), 1) "
			       "FROM snapshots s WHERE s.chain = ?1 AND s.k = ?2", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, chain);
		sqlite3_bind_int64(st, 2, k);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return n > 0 ? n : 1;
}

#define DAY_US (86400 * (int64_t)1000000)

/* The piece of chain from snapshot a that lies in the UTC day starting at
 * day (µs), up to k = b: its last k into *b. 1, or 0 when snapshot a is
 * not in that day. */
static int in_day(struct shipper *s, int64_t chain, int64_t a, int64_t *day, int64_t *b)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_prepare_v2(s->db, "SELECT time, (SELECT max(k) FROM snapshots WHERE chain = ?1 "
				      "AND k BETWEEN ?2 AND ?3 AND time < ?4) FROM snapshots "
				      "WHERE chain = ?1 AND k = ?2", -1, &st, NULL) != SQLITE_OK)
		return 0;
	for (int pass = 0; pass < 2; pass++) {
		int64_t t;

		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, chain);
		sqlite3_bind_int64(st, 2, a);
		sqlite3_bind_int64(st, 3, *b);
		sqlite3_bind_int64(st, 4, *day >= 0 ? *day + DAY_US : INT64_MAX);
		if (sqlite3_step(st) != SQLITE_ROW)
			break;
		t = sqlite3_column_int64(st, 0);
		if (*day < 0) {   /* the batch's first piece chooses the day */
			*day = t - ((t % DAY_US) + DAY_US) % DAY_US;
			continue;
		}
		if (t >= *day && t < *day + DAY_US && sqlite3_column_type(st, 1) != SQLITE_NULL) {
			*b = sqlite3_column_int64(st, 1);
			rc = 1;
		}
		break;
	}
	sqlite3_finalize(st);
	return rc;
}

/* The UTC day (µs) its source was imported on, for a piece that starts a
 * chain (it carries the source's row, partitioned by that day); -1 for
 * others. */
static int64_t source_day(struct shipper *s, int64_t chain, int64_t a)
{
	sqlite3_stmt *st = NULL;
	int64_t day = -1;

	if (a != 0)
		return -1;
	if (sqlite3_prepare_v2(s->db, "SELECT src.imported_at FROM snapshots s JOIN sources src "
				      "ON src.id = s.source_id WHERE s.chain = ?1 AND s.k = 0", -1,
			       &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, chain);
		if (sqlite3_step(st) == SQLITE_ROW) {
			int64_t t = sqlite3_column_int64(st, 0);

			day = t - ((t % DAY_US) + DAY_US) % DAY_US;
		}
	}
	sqlite3_finalize(st);
	return day;
}

/* Plans the next batch into s->st.pend: the unshipped snapshots of chains
 * in (host, chain) order, several hosts when they are small, up to
 * o->max_snapshots snapshots and about o->max_rows rows of the largest
 * per-snapshot table, all in one UTC day, and the sources it carries
 * imported on one UTC day (the tables are partitioned by day, sources by
 * imported_at: so each host's rows of an insert are one part, all or
 * nothing). 1 planned, 0 nothing left. */
static int plan(struct shipper *s)
{
	sqlite3_stmt *st = NULL;
	uint64_t budget = s->o->max_snapshots ? s->o->max_snapshots : 10000;
	uint64_t rbudget = s->o->max_rows ? s->o->max_rows : 500000;
	uint64_t h = 1469598103934665603ull;
	int64_t day = -1, iday = -1;
	int rc = SQLITE_DONE;

	s->st.npend = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT chain, max(k) FROM snapshots "
				      "WHERE chain IS NOT NULL GROUP BY chain ORDER BY min(host), chain",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(s->err, s->errsz, "%s", sqlite3_errmsg(s->db));
		return -EBADMSG;
	}
	while (budget && rbudget && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t chain = sqlite3_column_int64(st, 0), maxk = sqlite3_column_int64(st, 1);
		int64_t done = ship_state_done(&s->st, chain);
		struct ship_piece p;
		struct pinfo pi = {"", 0};
		uint64_t per, n;

		if (done >= maxk)
			continue;
		p.chain = chain;
		p.a = done + 1;
		per = (uint64_t)rows_per_snapshot(s, chain, p.a);
		n = rbudget / per ? rbudget / per : 1;   /* at least a snapshot */
		if (n > budget)
			n = budget;
		p.b = (uint64_t)(maxk - p.a) + 1 > n ? p.a + (int64_t)n - 1 : maxk;
		{
			int64_t sd = source_day(s, chain, p.a);

			if (sd >= 0 && iday >= 0 && sd != iday)
				continue;   /* its source's row is of another day: a later batch */
			if (!in_day(s, chain, p.a, &day, &p.b))
				continue;   /* another day: a later batch */
			if (sd >= 0)
				iday = sd;
		}
		n = (uint64_t)(p.b - p.a + 1);
		budget -= n;
		rbudget = n * per >= rbudget ? 0 : rbudget - n * per;
		if (chain_info(s, chain, &pi) < 0) {
			sqlite3_finalize(st);
			return -EBADMSG;
		}
		if (ship_state_add_piece(&s->st, &p) < 0) {
			sqlite3_finalize(st);
			snprintf(s->err, s->errsz, "out of memory");
			return -ENOMEM;
		}
		h = spans_hash(h, &pi.gid, sizeof pi.gid);
		h = spans_hash(h, &p.a, sizeof p.a);
		h = spans_hash(h, &p.b, sizeof p.b);
	}
	sqlite3_finalize(st);
	if (budget && rbudget && rc != SQLITE_DONE && rc != SQLITE_ROW) {
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

/*
 * Without a state file (lost, or a first run against a database already
 * shipped): each chain's last snapshot on the server, from the snapshots
 * table (chain, k), which a batch fills last. Batches are planned from
 * there, so a database that grew since cannot plan other batches over rows
 * the server has. 0 or -errno with err set.
 */
static int recover(struct shipper *s)
{
	sqlite3_stmt *st = NULL;
	struct intern gids = {.v = NULL};
	int64_t *maxk = NULL;
	size_t nk = 0, kcap = 0;
	struct chtsv r;
	int rc = -ENOMEM, sr, n;

	buf_reset(&s->q);
	if (buf_printf(&s->q, "SELECT toString(chain), max(k) FROM %s.snapshots WHERE host IN (",
		       s->o->database) < 0)
		goto out;
	if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT host FROM snapshots WHERE chain IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = -EBADMSG;
		goto out;
	}
	for (n = 0; (sr = sqlite3_step(st)) == SQLITE_ROW; n++)
		if ((n && buf_puts(&s->q, ", ") < 0) ||
		    fleet_sql_str(&s->q, (const char *)sqlite3_column_text(st, 0)) < 0)
			goto out;
	sqlite3_finalize(st);
	st = NULL;
	rc = sr == SQLITE_DONE ? 0 : -EBADMSG;
	if (rc < 0)
		goto out;
	if (!n)
		goto out;   /* nothing to ship */
	if (buf_puts(&s->q, ") GROUP BY chain FORMAT TabSeparated") < 0) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = chhttp_query(s->h, s->q.data, NULL, 0, &s->resp, s->err, s->errsz)) < 0)
		goto out;
	chtsv_init(&r, s->resp.data ? s->resp.data : "", s->resp.len);
	while ((rc = chtsv_next(&r)) == 1) {
		int64_t k;
		long id;

		if (r.n != 2 || !chtsv_field(&r, 0) || chtsv_i64(&r, 1, &k) < 0) {
			rc = -EBADMSG;
			break;
		}
		if ((id = intern_id(&gids, chtsv_field(&r, 0))) < 0) {
			rc = -ENOMEM;
			break;
		}
		while ((size_t)id >= nk) {   /* new: ids are dense */
			int64_t *nv = grow(maxk, &kcap, nk, sizeof *nv, 64);

			if (!nv)
				break;
			maxk = nv;
			nk++;
		}
		if (!maxk || (size_t)id >= nk) {
			rc = -ENOMEM;
			break;
		}
		maxk[id] = k;
	}
	chtsv_fini(&r);
	if (rc < 0)
		goto out;
	/* each local chain by its fleet-wide id */
	if (sqlite3_prepare_v2(s->db, "SELECT DISTINCT chain FROM snapshots WHERE chain IS NOT NULL",
			       -1, &st, NULL) != SQLITE_OK) {
		rc = -EBADMSG;
		goto out;
	}
	while (rc == 0 && (sr = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t chain = sqlite3_column_int64(st, 0);
		struct pinfo pi = {"", 0};
		char g[24];
		long id;

		if ((rc = chain_info(s, chain, &pi)) < 0)
			break;
		snprintf(g, sizeof g, "%" PRIu64, pi.gid);
		if (maxk && (id = intern_find(&gids, g)) >= 0 && (size_t)id < nk)
			rc = ship_state_set(&s->st, chain, maxk[id]);
	}
	if (rc == 0 && sr != SQLITE_DONE)
		rc = -EBADMSG;
out:
	if (rc == -EBADMSG && !s->err[0])
		snprintf(s->err, s->errsz, "recovering from the server: %s", sqlite3_errmsg(s->db));
	else if (rc == -ENOMEM)
		snprintf(s->err, s->errsz, "out of memory");
	sqlite3_finalize(st);
	intern_fini(&gids);
	free(maxk);
	return rc;
}

long ship_db(sqlite3 *db, struct chhttp *h, const struct ship_opts *o, struct ship_totals *t,
	     FILE *msg, char *err, size_t errsz)
{
	struct shipper s = {.db = db, .h = h, .o = o, .t = t, .msg = msg, .err = err,
			    .errsz = errsz};
	bool fresh = access(o->state, F_OK) < 0 && errno == ENOENT;
	long sent = 0;
	int rc = ship_state_load(&s.st, o->state);

	if (rc < 0) {
		snprintf(err, errsz, "state file %s: %s", o->state,
			 rc == -EBADMSG ? "not a sockscope ship state" : strerror(-rc));
		goto out;
	}
	if (fresh && (rc = recover(&s)) < 0)
		goto out;
	if (s.st.npend) {   /* a batch was in flight: the server may hold any part */
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
	free(s.pi);
	free(s.g);
	buf_fini(&s.body);
	buf_fini(&s.send);
	buf_fini(&s.q);
	buf_fini(&s.resp);
	return rc < 0 ? rc : sent;
}

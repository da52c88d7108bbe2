/* store — the database side of an import: one prepared statement per
 * table, rows bound field by field, unknown values stored as NULL. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "counterlog.h"
#include "grow.h"
#include "intern.h"
#include "proclog.h"
#include "spancode.h"
#include "spans.h"
#include "store.h"
#include "store_int.h"

enum {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO,
	Q_SOURCE_FIND, Q_SOURCE_ADD, Q_SOURCE_FINISH,
	Q_SNAP_SEEN, Q_SNAP_ADD, Q_SNAP_FINISH, Q_SNAP_MATCH, Q_SPAN, Q_STATES, Q_COUNTER, Q_NAME_FIND,
	Q_NAME_ADD, Q_PROCESS, Q_RAW, Q_CHAIN_RANGE,
	Q_N_
};

static const char *const sql[Q_N_] = {
	[Q_BEGIN] = "BEGIN IMMEDIATE",
	[Q_COMMIT] = "COMMIT",
	[Q_ROLLBACK] = "ROLLBACK",
	[Q_SAVEPOINT] = "SAVEPOINT snap",
	[Q_RELEASE] = "RELEASE snap",
	[Q_ROLLBACK_TO] = "ROLLBACK TO snap",
	[Q_SOURCE_FIND] = "SELECT id FROM sources WHERE sha256 = ?1",
	[Q_SOURCE_ADD] = "INSERT INTO sources (path, sha256, format, bytes, imported_at)"
			 " VALUES (?1, ?2, ?3, ?4, ?5)",
	[Q_SOURCE_FINISH] = "UPDATE sources SET sha256 = ?2, bytes = ?3, snapshots = ?4,"
			    " sockets = ?5, bad_lines = ?6, first_error = ?7 WHERE id = ?1",
	/* a recorder snapshot already stored (docs/SCHEMA.md §7): through
	 * snapshots_host_time, one descent; ?3 is never NULL */
	[Q_SNAP_SEEN] = "SELECT 1 FROM snapshots WHERE host = ?1 AND time = ?2 AND seq = ?3"
			" AND coalesce(boot_id, '') = coalesce(?4, '') LIMIT 1",
	[Q_SNAP_ADD] = "INSERT INTO snapshots (source_id, host, time, time_from, seq,"
		       " boot_id, kernel, reason, interval_us, offset, line)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[Q_SNAP_FINISH] = "UPDATE snapshots SET sockets = ?2, chain = ?3, k = ?4, digest = ?5"
			  " WHERE id = ?1",
	/* the snapshots of other sources, of a dump's host, that snapshot ?1
	 * may repeat: those at its time and, when ?2 (its time is only the
	 * file's mtime or the import's), those as weakly timed with as many
	 * rows; each with whether its rows are ?1's, field by field, in order
	 * (the digest of its rows: docs/SCHEMA.md §7). Within one file a
	 * repeat is what the file says, as a report reading it without a
	 * database sees it. */
	[Q_SNAP_MATCH] =
		"WITH n AS (SELECT * FROM snapshots WHERE id = ?1),"
		" cand AS ("
		"  SELECT c.id, c.source_id, c.time, c.sockets, c.digest FROM snapshots c, n"
		"  WHERE c.host = n.host AND c.time = n.time AND c.source_id <> n.source_id"
		"   AND c.seq IS NULL"
		"  UNION"
		"  SELECT c.id, c.source_id, c.time, c.sockets, c.digest FROM snapshots c, n"
		"  WHERE ?2 AND c.host = n.host AND c.time_from IN ('mtime', 'now')"
		"   AND c.sockets = n.sockets AND c.source_id <> n.source_id AND c.seq IS NULL)"
		" SELECT c.id, c.time = n.time, c.sockets = n.sockets AND c.digest IS n.digest,"
		"  (SELECT path FROM sources WHERE id = c.source_id)"
		" FROM cand c, n ORDER BY 3 DESC, 2 DESC, c.id LIMIT 1",
	/* schema 6's narrow row (spancode.h): state, proto and family as kind,
	 * the timer a code, an IPv4 laddr its number, an IPv4 peer no text */
	[Q_SPAN] = "INSERT INTO spans_packed (chain, k_first, k_last, copies, ord, kind, lport,"
		   " rport, rnet, laddr, raddr, rxq, txq, uid, inode, timer, expires_ms, retrans,"
		   " pid, program, max_retrans, lhost, rhost) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
		   " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
	[Q_STATES] = "INSERT INTO snapshot_states (snapshot_id, proto, state, n) VALUES (?1, ?2, ?3, ?4)",
	[Q_COUNTER] = "INSERT OR REPLACE INTO counter_changes (chain, name_id, k, value)"
		      " VALUES (?1, ?2, ?3, ?4)",
	[Q_NAME_FIND] = "SELECT id FROM counter_names WHERE name = ?1",
	[Q_NAME_ADD] = "INSERT INTO counter_names (name, id)"
		       " SELECT ?1, coalesce(max(id), 0) + 1 FROM counter_names RETURNING id",
	/* a chain's rowid range in spans_packed (schema 7), widened */
	[Q_CHAIN_RANGE] = "INSERT INTO span_chains (chain, lo, hi) VALUES (?1, ?2, ?3)"
			  " ON CONFLICT (chain) DO UPDATE SET lo = min(lo, excluded.lo),"
			  " hi = max(hi, excluded.hi)",
	[Q_PROCESS] = "INSERT INTO process_spans (chain, pid, k_first, k_last, program, comm, sockets)"
		      " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[Q_RAW] = "INSERT OR REPLACE INTO raw (snapshot_id, section, text) VALUES (?1, ?2, ?3)",
};

struct store {
	sqlite3 *db;             /* NULL: a tap store */
	sqlite3_stmt *q[Q_N_];
	const struct store_tap *tap;
	bool skip;               /* the tap does not want this snapshot */
	int64_t next_id;
	struct intern recorded;  /* tap: recorder snapshots taken (host, boot, seq, time) */
	char pending[512];       /* tap: the key of the one being read, "" if none */
	/* the database's: spans built as snapshots come (spans.h) */
	struct spans *spans;
	bool snap_open;          /* a snapshot is in the builder, not yet ended */
	bool snap_done;          /* ... and store_snapshot_finish was called */
	bool want_digest;        /* its digest is taken: a dump's snapshot (no
	                          * seq), the only kind store_snapshot_match compares */
	int64_t snap_id;
	uint64_t chain_no;       /* the builder's number of the current chain */
	int64_t chain_id;        /* its snapshots.chain: its first snapshot's id */
	uint32_t k;
	uint64_t digest;         /* of the current snapshot's rows */
	struct {                 /* its sockets by proto and state */
		const char *proto, *state;
		uint64_t n;
	} states[32];
	size_t nstates;
	size_t last_state;       /* states[] index the last row counted towards */
	/* spans closed, written only outside a snapshot's savepoint (one that
	 * is rolled back must not take them with it) */
	struct pend {
		struct span sp;
		int64_t chain;
		char *program, *lhost, *rhost;
	} *pend;
	size_t npend, cpend;
	int emit_rc;
	/* counters: stored where they change (schema 5); names' ids in the
	 * database by counterlog number, 0 not known yet */
	struct counterlog counters;
	/* processes: stored as runs, each written when it ends (proclog.h) */
	struct proclog procs;
	int64_t *name_id;
	size_t cname_id;
	/* the rowid range of each chain's spans written in this transaction
	 * (span_chains, schema 7), stored at its commit */
	struct chain_range {
		int64_t chain, lo, hi;
	} *ranges;
	size_t nranges, cranges;
	bool direct;             /* no savepoint open: closed spans are written at once */
};

int store_new_tap(const struct store_tap *tap, struct store **out)
{
	struct store *s = calloc(1, sizeof *s);

	*out = s;
	if (!s)
		return -ENOMEM;
	s->tap = tap;
	s->next_id = 1;
	return 0;
}

static void pend_clear(struct store *s)
{
	for (size_t i = 0; i < s->npend; i++) {
		free(s->pend[i].program);
		free(s->pend[i].lhost);
		free(s->pend[i].rhost);
	}
	s->npend = 0;
}

static int dup_or_null(const char *t, char **out)
{
	*out = t ? strdup(t) : NULL;
	return t && !*out ? -ENOMEM : 0;
}

static int write_span_all(struct store *s, const struct span *sp, int64_t chain);

/* A closed span, kept until it may be written (or written now, when no
 * snapshot's savepoint is open: a source's last spans, a copy of each of
 * which would cost as much as writing it). */
static int on_span(void *ctx, const struct span *sp)
{
	struct store *s = ctx;
	struct pend *p;

	if (s->direct)
		return write_span_all(s, sp, s->chain_id);
	p = grow(s->pend, &s->cpend, s->npend, sizeof *p, 256);

	if (!p)
		return -ENOMEM;
	s->pend = p;
	p = &s->pend[s->npend];
	memset(p, 0, sizeof *p);
	p->sp = *sp;
	p->chain = s->chain_id;   /* spans close before their chain's number moves on */
	if (dup_or_null(sp->row.program, &p->program) < 0 ||
	    dup_or_null(sp->row.lhost, &p->lhost) < 0 || dup_or_null(sp->row.rhost, &p->rhost) < 0) {
		free(p->program);
		free(p->lhost);
		free(p->rhost);
		return -ENOMEM;
	}
	p->sp.row.program = p->program;
	p->sp.row.lhost = p->lhost;
	p->sp.row.rhost = p->rhost;
	s->npend++;
	return 0;
}

int store_new(sqlite3 *db, struct store **out, char *err, size_t errsz)
{
	struct store *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s || spans_new(SPANS_QUEUES, on_span, s, &s->spans) < 0) {
		free(s);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	s->db = db;
	counterlog_init(&s->counters);
	proclog_init(&s->procs);
	for (int i = 0; i < Q_N_; i++) {
		if (sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL) !=
		    SQLITE_OK) {
			snprintf(err, errsz, "preparing \"%s\": %s", sql[i], sqlite3_errmsg(db));
			store_free(s);
			return -EIO;
		}
	}
	*out = s;
	return 0;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	for (int i = 0; i < Q_N_; i++)
		sqlite3_finalize(s->q[i]);
	intern_fini(&s->recorded);
	spans_free(s->spans);
	pend_clear(s);
	free(s->pend);
	counterlog_fini(&s->counters);
	proclog_fini(&s->procs);
	free(s->ranges);
	free(s->name_id);
	free(s);
}

const char *store_error(const struct store *s)
{
	return s->db ? sqlite3_errmsg(s->db) : "the report failed (out of memory?)";
}

/* Steps a statement without a result row; resets it for reuse. */
static int run(struct store *s, int q)
{
	int rc = sqlite3_step(s->q[q]);

	sqlite3_reset(s->q[q]);
	sqlite3_clear_bindings(s->q[q]);
	if (rc == SQLITE_DONE)
		return 0;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return -EEXIST;
	return -EIO;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *t);

/* Span rowid of chain written: its chain's range takes it. A source's
 * spans are written chain after chain, so the last range is the one. */
static int range_widen(struct store *s, int64_t chain, int64_t rowid)
{
	struct chain_range *r = NULL;

	for (size_t i = s->nranges; s->ranges && i > 0 && !r; i--)
		if (s->ranges[i - 1].chain == chain)
			r = &s->ranges[i - 1];
	if (!r) {
		struct chain_range *v = grow(s->ranges, &s->cranges, s->nranges, sizeof *v, 8);

		if (!v)
			return -ENOMEM;
		s->ranges = v;
		v[s->nranges++] = (struct chain_range){chain, rowid, rowid};
		return 0;
	}
	if (rowid < r->lo)
		r->lo = rowid;
	if (rowid > r->hi)
		r->hi = rowid;
	return 0;
}

/* The ranges into span_chains (before the commit). */
static int write_ranges(struct store *s)
{
	sqlite3_stmt *st = s->q[Q_CHAIN_RANGE];
	int rc = 0;

	for (size_t i = 0; i < s->nranges && rc == 0; i++) {
		sqlite3_bind_int64(st, 1, s->ranges[i].chain);
		sqlite3_bind_int64(st, 2, s->ranges[i].lo);
		sqlite3_bind_int64(st, 3, s->ranges[i].hi);
		rc = run(s, Q_CHAIN_RANGE);
	}
	s->nranges = 0;
	return rc;
}

/* A span's row (schema 6, spancode.h): unknown values NULL; every
 * parameter bound, so no clear_bindings on the hot path. */
static int write_span(struct store *s, const struct span *sp, int64_t chain, uint32_t copies)
{
	sqlite3_stmt *st = s->q[Q_SPAN];
	const struct store_row *in = &sp->row;
	int kind = spancode_kind(in->proto, in->family, in->state);
	int64_t v4;
	int rc;

	if (kind < 0)
		return -EIO;   /* store_row_prepare gives only names with a code */
	sqlite3_bind_int64(st, 1, chain);
	sqlite3_bind_int64(st, 2, sp->k_first);
	sqlite3_bind_int64(st, 3, sp->k_last);
	sqlite3_bind_int64(st, 4, copies);
	sqlite3_bind_int64(st, 5, sp->ord);
	sqlite3_bind_int(st, 6, kind);
	sqlite3_bind_int(st, 7, in->lport);
	sqlite3_bind_int(st, 8, in->rport);
	/* an IPv4 peer's rnet signed, as laddr: 4 bytes in the file, not 6 */
	if (!in->rhost && !memchr(in->raddr, ':', in->rlen))
		sqlite3_bind_int64(st, 9, (int32_t)(uint32_t)in->rnet);
	else
		sqlite3_bind_int64(st, 9, in->rnet);
	if (in->lhost)
		sqlite3_bind_null(st, 10);
	else if (spancode_ipv4(in->laddr, in->llen, &v4))
		sqlite3_bind_int64(st, 10, v4);
	else
		sqlite3_bind_text(st, 10, in->laddr, in->llen, SQLITE_STATIC);
	/* an IPv4 peer is its rnet; only IPv6 text is kept */
	if (in->rhost || !memchr(in->raddr, ':', in->rlen))
		sqlite3_bind_null(st, 11);
	else
		sqlite3_bind_text(st, 11, in->raddr, in->rlen, SQLITE_STATIC);
	if (!(in->unknown & SOCKROW_UNKNOWN_QUEUES)) {
		sqlite3_bind_int64(st, 12, in->rxq);
		sqlite3_bind_int64(st, 13, in->txq);
	} else {
		sqlite3_bind_null(st, 12);
		sqlite3_bind_null(st, 13);
	}
	if (!(in->unknown & SOCKROW_UNKNOWN_UID))
		sqlite3_bind_int64(st, 14, in->uid);
	else
		sqlite3_bind_null(st, 14);
	if (!(in->unknown & SOCKROW_UNKNOWN_INODE))
		sqlite3_bind_int64(st, 15, (sqlite3_int64)in->inode);
	else
		sqlite3_bind_null(st, 15);
	if (!(in->unknown & SOCKROW_UNKNOWN_TIMER)) {
		if (sockrow_timer_name(in->timer))   /* the code is the timer's number */
			sqlite3_bind_int(st, 16, in->timer);
		else
			sqlite3_bind_null(st, 16);
		sqlite3_bind_int64(st, 17, in->expires_ms);
		sqlite3_bind_int64(st, 18, in->retrans);
		sqlite3_bind_int64(st, 21, sp->max_retrans);
	} else {
		sqlite3_bind_null(st, 16);
		sqlite3_bind_null(st, 17);
		sqlite3_bind_null(st, 18);
		sqlite3_bind_null(st, 21);
	}
	if (in->pid > 0)
		sqlite3_bind_int64(st, 19, in->pid);
	else
		sqlite3_bind_null(st, 19);
	bind_text_or_null(st, 20, in->program);
	bind_text_or_null(st, 22, in->lhost);
	bind_text_or_null(st, 23, in->rhost);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? range_widen(s, chain, sqlite3_last_insert_rowid(s->db)) : -EIO;
}

#define COPIES_MAX 1024u   /* schema/004_spans.sql: span_copy */

/* The database's id of counter name number i (counterlog.h): known, looked
 * up, or added. 0 or -errno. */
static int name_id(struct store *s, uint32_t i, int64_t *id)
{
	sqlite3_stmt *st = s->q[Q_NAME_FIND];
	int rc;

	while (i >= s->cname_id) {
		size_t old = s->cname_id;
		int64_t *nv = grow(s->name_id, &s->cname_id, old, sizeof *nv, 128);

		if (!nv)
			return -ENOMEM;
		s->name_id = nv;
		memset(nv + old, 0, (s->cname_id - old) * sizeof *nv);
	}
	if ((*id = s->name_id[i]) > 0)
		return 0;
	sqlite3_bind_text(st, 1, counterlog_name(&s->counters, i), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -EIO;
	if (rc == SQLITE_DONE) {
		st = s->q[Q_NAME_ADD];
		sqlite3_bind_text(st, 1, counterlog_name(&s->counters, i), -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			*id = sqlite3_column_int64(st, 0);
		while (rc == SQLITE_ROW)
			rc = sqlite3_step(st);
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		if (rc != SQLITE_DONE)
			return -EIO;
	}
	s->name_id[i] = *id;
	return 0;
}

/* The counters' changes of the snapshots kept (counterlog.h). */
static int write_counters(struct store *s)
{
	sqlite3_stmt *st = s->q[Q_COUNTER];
	int rc = 0;

	for (size_t i = 0; i < s->counters.npend && rc == 0; i++) {
		const struct counterlog_change *c = &s->counters.pend[i];
		int64_t id;

		if ((rc = name_id(s, c->name, &id)) < 0)
			break;
		sqlite3_bind_int64(st, 1, c->chain);
		sqlite3_bind_int64(st, 2, id);
		sqlite3_bind_int64(st, 3, c->k);
		if (c->present)
			sqlite3_bind_int64(st, 4, c->value);
		else
			sqlite3_bind_null(st, 4);
		rc = run(s, Q_COUNTER);
	}
	s->counters.npend = 0;
	return rc;
}

/* A closed span: its rows, COPIES_MAX copies at most to a row. */
static int write_span_all(struct store *s, const struct span *sp, int64_t chain)
{
	uint32_t left = sp->copies;
	int rc = 0;

	while (left > 0 && rc == 0) {
		uint32_t c = left > COPIES_MAX ? COPIES_MAX : left;

		rc = write_span(s, sp, chain, c);
		left -= c;
	}
	return rc;
}

/* The processes' runs that ended (proclog.h). */
static int write_processes(struct store *s)
{
	sqlite3_stmt *st = s->q[Q_PROCESS];
	int rc = 0;

	for (size_t i = 0; i < s->procs.npend && rc == 0; i++) {
		const struct proclog_row *r = &s->procs.pend[i];

		sqlite3_bind_int64(st, 1, r->chain);
		sqlite3_bind_int64(st, 2, r->run.pid);
		sqlite3_bind_int64(st, 3, r->run.k_first);
		sqlite3_bind_int64(st, 4, r->run.k_last);
		bind_text_or_null(st, 5, r->run.program);
		bind_text_or_null(st, 6, r->run.comm);
		sqlite3_bind_int64(st, 7, (sqlite3_int64)r->run.sockets);
		rc = run(s, Q_PROCESS);
	}
	proclog_pend_clear(&s->procs);
	return rc;
}

/* The closed spans, the counters' changes and the processes' ended runs,
 * written (outside any snapshot's savepoint). */
static int write_pending(struct store *s)
{
	int rc = write_counters(s);

	if (rc == 0)
		rc = write_processes(s);

	for (size_t i = 0; i < s->npend && rc == 0; i++)
		rc = write_span_all(s, &s->pend[i].sp, s->pend[i].chain);
	pend_clear(s);
	return rc;
}

/* The open snapshot is kept: its spans go on, its counters' changes are
 * due. */
static int snap_keep(struct store *s)
{
	int rc = spans_end(s->spans);

	if (rc == 0)
		rc = counterlog_keep(&s->counters, s->chain_id, s->k);
	return rc < 0 ? rc : proclog_keep(&s->procs, s->chain_id, s->k);
}

/* The builder's open snapshot, outside a savepoint of its own: kept when
 * it was finished (its rows stay), forgotten when not. */
static int snap_close(struct store *s)
{
	if (!s->snap_open)
		return 0;
	s->snap_open = false;
	if (s->snap_done)
		return snap_keep(s);
	spans_discard(s->spans);
	counterlog_drop(&s->counters);
	proclog_drop(&s->procs);
	return 0;
}

/* A tap store has no transactions: what it forgets is the snapshot the
 * tap is collecting. */
int store_begin(struct store *s) { return s->tap ? 0 : run(s, Q_BEGIN); }
int store_savepoint(struct store *s) { return s->tap ? 0 : run(s, Q_SAVEPOINT); }

int store_commit(struct store *s)
{
	int rc;

	if (s->tap)
		return 0;
	if ((rc = snap_close(s)) < 0)
		return rc;
	/* a source's chains end with it (docs/SCHEMA.md, "Spans"); what is
	 * pending goes first, so the rows keep their order */
	rc = proclog_end(&s->procs);
	if (rc == 0)
		rc = write_pending(s);
	if (rc == 0) {
		s->direct = true;
		rc = spans_flush(s->spans);
		s->direct = false;
	}
	if (rc == 0)
		rc = write_ranges(s);
	return rc < 0 ? rc : run(s, Q_COMMIT);
}

int store_release(struct store *s)
{
	int rc = 0;

	if (s->tap)
		return 0;
	if (s->snap_open) {
		s->snap_open = false;
		rc = snap_keep(s);
	}
	if (rc == 0)
		rc = run(s, Q_RELEASE);
	return rc < 0 ? rc : write_pending(s);
}

void store_rollback(struct store *s)
{
	struct spans *fresh;

	if (s->tap) {
		s->tap->discard(s->tap->ctx);
		return;
	}
	(void)run(s, Q_ROLLBACK);
	/* what the builder holds was never written: start afresh; names
	 * the transaction added are gone too */
	pend_clear(s);
	counterlog_reset(&s->counters);
	proclog_reset(&s->procs);
	s->nranges = 0;
	if (s->name_id)
		memset(s->name_id, 0, s->cname_id * sizeof *s->name_id);
	s->snap_open = false;
	if (spans_new(SPANS_QUEUES, on_span, s, &fresh) == 0) {
		spans_free(s->spans);
		s->spans = fresh;
	} else {
		(void)spans_flush(s->spans);   /* out of memory: forget by flushing */
		pend_clear(s);
	}
}

int store_rollback_savepoint(struct store *s)
{
	int rc;

	if (s->tap) {
		s->tap->discard(s->tap->ctx);
		return 0;
	}
	if (s->snap_open) {
		spans_discard(s->spans);
		counterlog_drop(&s->counters);
		proclog_drop(&s->procs);
		s->snap_open = false;
	}
	rc = run(s, Q_ROLLBACK_TO);
	return rc ? rc : run(s, Q_RELEASE);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(st, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void bind_int_or_null(sqlite3_stmt *st, int i, int64_t v)
{
	if (v >= 0)
		sqlite3_bind_int64(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

int store_source_find(struct store *s, const char *sha256, int64_t *id)
{
	sqlite3_stmt *st = s->q[Q_SOURCE_FIND];
	int rc;

	if (s->tap)
		return 0;
	sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -EIO;
}

int store_source_add(struct store *s, const struct store_source *src, int64_t *id)
{
	sqlite3_stmt *st = s->q[Q_SOURCE_ADD];
	struct timespec now;
	int rc;

	if (s->tap) {
		*id = 1;
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	sqlite3_bind_text(st, 1, src->path, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, src->sha256, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, src->format, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)src->bytes);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)now.tv_sec * USEC_PER_SEC + now.tv_nsec / 1000);
	rc = run(s, Q_SOURCE_ADD);
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

int store_source_finish(struct store *s, int64_t id, const char *sha256, uint64_t bytes,
			uint64_t snapshots, uint64_t sockets, uint64_t bad_lines,
			const char *first_error)
{
	sqlite3_stmt *st = s->q[Q_SOURCE_FINISH];

	if (s->tap)
		return 0;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, sha256, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)bytes);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)snapshots);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)sockets);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)bad_lines);
	bind_text_or_null(st, 7, first_error);
	return run(s, Q_SOURCE_FINISH);
}

/* 1 when a recorder snapshot with snap's host, boot, seq and time is
 * stored (this transaction's included), 0 when not, -EIO. */
static int recorded_seen(struct store *s, const struct store_snapshot *snap)
{
	sqlite3_stmt *st = s->q[Q_SNAP_SEEN];
	int rc;

	sqlite3_bind_text(st, 1, snap->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, snap->time);
	sqlite3_bind_int64(st, 3, snap->seq);
	bind_text_or_null(st, 4, snap->boot_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -EIO;
}

int store_snapshot_add(struct store *s, const struct store_snapshot *snap, int64_t *id)
{
	sqlite3_stmt *st = s->q[Q_SNAP_ADD];
	int rc;

	if (s->tap) {
		/* a recorder snapshot is taken once, as a database import
		 * takes it (recorded_seen) */
		s->pending[0] = '\0';
		if (snap->seq >= 0) {
			snprintf(s->pending, sizeof s->pending, "%s\n%s\n%" PRId64 "\n%" PRId64,
				 snap->host, snap->boot_id ? snap->boot_id : "", snap->seq,
				 (int64_t)snap->time);
			/* taken only when whole: a torn copy does not hide a good one */
			if (intern_find(&s->recorded, s->pending) >= 0)
				return 1;
		}
		rc = s->tap->snapshot(s->tap->ctx, snap);
		s->skip = rc == 1;
		*id = s->next_id++;
		return rc < 0 ? rc : 0;
	}
	if (snap->seq >= 0 && (rc = recorded_seen(s, snap)) != 0)
		return rc;   /* 1: the recorded snapshot is already there */
	sqlite3_bind_int64(st, 1, snap->source_id);
	sqlite3_bind_text(st, 2, snap->host, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, snap->time);
	sqlite3_bind_text(st, 4, snap->time_from, -1, SQLITE_STATIC);
	bind_int_or_null(st, 5, snap->seq);
	bind_text_or_null(st, 6, snap->boot_id);
	bind_text_or_null(st, 7, snap->kernel);
	bind_text_or_null(st, 8, snap->reason);
	bind_int_or_null(st, 9, snap->interval_us);
	bind_int_or_null(st, 10, snap->offset);
	bind_int_or_null(st, 11, snap->line);
	rc = run(s, Q_SNAP_ADD);
	if (rc < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(s->db);
	{
		struct spans_snap sn = {
			.id = *id, .host = snap->host, .boot_id = snap->boot_id, .time = snap->time,
			.interval = snap->interval_us > 0 ? snap->interval_us : 0, .seq = snap->seq,
		};
		uint64_t chain;

		if ((rc = snap_close(s)) < 0)
			return rc;
		rc = spans_begin(s->spans, &sn, &chain, &s->k);
		if (rc < 0)
			return rc;
		if (s->k == 0) {
			s->chain_no = chain;
			s->chain_id = *id;
		}
		counterlog_drop(&s->counters);
		proclog_drop(&s->procs);
		s->snap_open = true;
		s->snap_done = false;
		s->snap_id = *id;
		s->digest = 0xcbf29ce484222325ull;
		s->want_digest = snap->seq < 0;
		s->nstates = 0;
		s->last_state = 0;
	}
	return 0;
}

int store_snapshot_finish(struct store *s, int64_t id, uint64_t sockets)
{
	sqlite3_stmt *st = s->q[Q_SNAP_FINISH];
	int rc;

	if (s->tap) {
		if (s->pending[0] && intern_id(&s->recorded, s->pending) < 0)
			return -ENOMEM;
		return s->skip ? 0 : s->tap->finish(s->tap->ctx);
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)sockets);
	if (s->snap_open && id == s->snap_id) {
		sqlite3_bind_int64(st, 3, s->chain_id);
		sqlite3_bind_int64(st, 4, s->k);
		if (s->want_digest)
			sqlite3_bind_int64(st, 5, (sqlite3_int64)s->digest);
		else
			sqlite3_bind_null(st, 5);
	}
	rc = run(s, Q_SNAP_FINISH);
	if (rc == 0 && s->snap_open && id == s->snap_id)
		s->snap_done = true;
	for (size_t i = 0; rc == 0 && s->snap_open && i < s->nstates; i++) {
		sqlite3_stmt *q = s->q[Q_STATES];

		sqlite3_bind_int64(q, 1, id);
		sqlite3_bind_text(q, 2, s->states[i].proto, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, s->states[i].state, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 4, (sqlite3_int64)s->states[i].n);
		rc = run(s, Q_STATES);
	}
	return rc;
}

int store_snapshot_match(struct store *s, int64_t id, bool weak_time, int64_t *other,
			 char *other_path, size_t pathsz)
{
	sqlite3_stmt *st = s->q[Q_SNAP_MATCH];
	int rc;

	if (s->tap)
		return 0;   /* its rows went on as they were read */
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, weak_time);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *p = sqlite3_column_text(st, 3);

		*other = sqlite3_column_int64(st, 0);
		snprintf(other_path, pathsz, "%s", p ? (const char *)p : "?");
		rc = sqlite3_column_int(st, 2) ? 1 : sqlite3_column_int(st, 1) ? 2 : 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : -EIO;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

/* What every stored row counts towards: the state counts and, for a dump's
 * snapshot, the digest. A recorder snapshot's digest is not taken: it is
 * recognised by its (host, boot, seq, time), never by content (docs/SCHEMA.md
 * §7), and hashing every byte of every row was the largest part of storing a
 * segment. Rows come in runs of one state, so the last state is tried first. */
static int row_account(struct store *s, const struct store_row *in)
{
	size_t i = s->last_state;

	if (s->want_digest)
		s->digest = store_row_digest(s->digest, in);
	if (i < s->nstates && s->states[i].proto == in->proto && s->states[i].state == in->state)
		goto found;
	for (i = 0; i < s->nstates; i++)
		if (s->states[i].proto == in->proto && s->states[i].state == in->state)
			goto found;
	if (i == sizeof s->states / sizeof s->states[0])
		return -E2BIG;   /* protos x states: cannot happen */
	s->states[i].proto = in->proto;
	s->states[i].state = in->state;
	s->states[i].n = 0;
	s->nstates++;
found:
	s->last_state = i;
	s->states[i].n++;
	return 0;
}

int store_row_insert(struct store *s, int64_t snapshot, const struct store_row *in)
{
	int rc;

	if (s->tap)
		return s->skip ? 0 : s->tap->row(s->tap->ctx, in);
	if (!s->snap_open || snapshot != s->snap_id)
		return -EINVAL;
	if ((rc = row_account(s, in)) < 0)
		return rc;
	return spans_row(s->spans, in);
}

bool store_repeat_light(const struct store *s, int64_t snapshot, int64_t prev, uint32_t j,
			uint32_t n)
{
	return !s->tap && !s->want_digest && s->snap_open && snapshot == s->snap_id &&
	       spans_prev_fast(s->spans, prev, j, n);
}

int store_row_repeat(struct store *s, int64_t snapshot, const struct store_row *in,
		     int64_t prev, uint32_t j)
{
	int rc;

	if (s->tap)
		return s->skip ? 0 : s->tap->row(s->tap->ctx, in);
	if (!s->snap_open || snapshot != s->snap_id)
		return -EINVAL;
	if ((rc = row_account(s, in)) < 0)
		return rc;
	return spans_row_prev(s->spans, prev, j, in);
}

int store_socket(struct store *s, int64_t snapshot, const struct sock_row *in)
{
	struct store_row r;
	int rc;

	if (s->tap) {
		if (!store_row_ok(in))
			return -EINVAL;
		return s->skip ? 0 : s->tap->sock(s->tap->ctx, in);
	}
	rc = store_row_prepare(in, &r);

	return rc < 0 ? rc : store_row_insert(s, snapshot, &r);
}

int store_counter(struct store *s, int64_t snapshot, const char *name, size_t nlen,
		  int64_t value)
{
	if (s->tap)
		return 0;   /* reports without a database read sockets only */
	if (!s->snap_open || snapshot != s->snap_id)
		return -EINVAL;
	/* stored where it changes, once the snapshot is kept (snap_keep) */
	return counterlog_set(&s->counters, name, nlen, value);
}

int store_process(struct store *s, int64_t snapshot, int64_t pid, const char *program,
		  const char *comm, uint64_t sockets)
{
	if (s->tap)
		return 0;   /* reports without a database read sockets only */
	if (!s->snap_open || snapshot != s->snap_id)
		return -EINVAL;
	return proclog_set(&s->procs, pid, program, comm, sockets);
}

int store_raw(struct store *s, int64_t snapshot, const char *section, const void *text,
	      size_t len)
{
	sqlite3_stmt *st = s->q[Q_RAW];

	if (s->tap)
		return 0;   /* reports without a database read sockets only */
	sqlite3_bind_int64(st, 1, snapshot);
	sqlite3_bind_text(st, 2, section, -1, SQLITE_STATIC);
	sqlite3_bind_blob64(st, 3, text, len, SQLITE_STATIC);
	return run(s, Q_RAW);
}

int store_source_names(struct store *s, int64_t id, uint64_t names)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (s->tap || names == 0)
		return 0;
	/* once per source: not worth a statement kept prepared */
	if (sqlite3_prepare_v2(s->db, "UPDATE sources SET names = ?2 WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)names);
	if (sqlite3_step(st) != SQLITE_DONE)
		rc = -EIO;
	sqlite3_finalize(st);
	return rc;
}

/* store — the database side of an import: one prepared statement per
 * table, rows bound field by field, unknown values stored as NULL. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "intern.h"
#include "store.h"
#include "tcpstate.h"

enum {
	Q_BEGIN, Q_COMMIT, Q_ROLLBACK, Q_SAVEPOINT, Q_RELEASE, Q_ROLLBACK_TO,
	Q_SOURCE_FIND, Q_SOURCE_ADD, Q_SOURCE_FINISH,
	Q_SNAP_ADD, Q_SNAP_FINISH, Q_SNAP_MATCH, Q_SOCKET, Q_COUNTER, Q_PROCESS, Q_RAW,
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
	[Q_SNAP_ADD] = "INSERT OR IGNORE INTO snapshots (source_id, host, time, time_from, seq,"
		       " boot_id, kernel, reason, interval_us, offset, line, first_socket)"
		       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		       " (SELECT coalesce(max(rowid), 0) + 1 FROM sockets))",
	[Q_SNAP_FINISH] = "UPDATE snapshots SET sockets = ?2 WHERE id = ?1",
	/* the snapshots of other sources, of a dump's host, that snapshot ?1
	 * may repeat: those at its time and, when ?2 (its time is only the
	 * file's mtime or the import's), those as weakly timed with as many
	 * rows; each with whether its rows are ?1's, field by field, in order
	 * (a snapshot's rows are a rowid range: docs/SCHEMA.md). Within one
	 * file a repeat is what the file says, as a report reading it without
	 * a database sees it. */
	[Q_SNAP_MATCH] =
		"WITH n AS (SELECT * FROM snapshots WHERE id = ?1),"
		" cand AS ("
		"  SELECT c.id, c.source_id, c.time, c.sockets, c.first_socket FROM snapshots c, n"
		"  WHERE c.host = n.host AND c.time = n.time AND c.source_id <> n.source_id"
		"   AND c.seq IS NULL"
		"  UNION"
		"  SELECT c.id, c.source_id, c.time, c.sockets, c.first_socket FROM snapshots c, n"
		"  WHERE ?2 AND c.host = n.host AND c.time_from IN ('mtime', 'now')"
		"   AND c.sockets = n.sockets AND c.source_id <> n.source_id AND c.seq IS NULL)"
		" SELECT c.id, c.time = n.time, c.sockets = n.sockets AND NOT EXISTS ("
		"   SELECT 1 FROM sockets a LEFT JOIN sockets b"
		"    ON b.rowid = a.rowid - n.first_socket + c.first_socket"
		"   WHERE a.rowid BETWEEN n.first_socket AND n.first_socket + n.sockets - 1"
		"    AND (b.rowid IS NULL OR NOT (a.proto IS b.proto AND a.family IS b.family"
		"     AND a.state IS b.state AND a.laddr IS b.laddr AND a.lport IS b.lport"
		"     AND a.raddr IS b.raddr AND a.rport IS b.rport AND a.rxq IS b.rxq"
		"     AND a.txq IS b.txq AND a.uid IS b.uid AND a.inode IS b.inode"
		"     AND a.timer IS b.timer AND a.expires_ms IS b.expires_ms"
		"     AND a.retrans IS b.retrans AND a.pid IS b.pid AND a.program IS b.program"
		"     AND a.lhost IS b.lhost AND a.rhost IS b.rhost))),"
		"  (SELECT path FROM sources WHERE id = c.source_id)"
		" FROM cand c, n ORDER BY 3 DESC, 2 DESC, c.id LIMIT 1",
	[Q_SOCKET] = "INSERT INTO sockets (snapshot_id, proto, family, state, laddr, lport,"
		     " raddr, rport, rnet, rxq, txq, uid, inode, timer, expires_ms, retrans,"
		     " pid, program, lhost, rhost) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
		     " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
	[Q_COUNTER] = "INSERT OR REPLACE INTO counters (snapshot_id, name, value) VALUES (?1, ?2, ?3)",
	[Q_PROCESS] = "INSERT OR REPLACE INTO processes (snapshot_id, pid, program, comm, sockets)"
		      " VALUES (?1, ?2, ?3, ?4, ?5)",
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

int store_new(sqlite3 *db, struct store **out, char *err, size_t errsz)
{
	struct store *s = calloc(1, sizeof *s);

	*out = NULL;
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	s->db = db;
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

/* The hot path: every parameter was bound, so no clear_bindings. */
static int step_socket(struct store *s)
{
	int rc = sqlite3_step(s->q[Q_SOCKET]);

	sqlite3_reset(s->q[Q_SOCKET]);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/* A tap store has no transactions: what it forgets is the snapshot the
 * tap is collecting. */
int store_begin(struct store *s) { return s->tap ? 0 : run(s, Q_BEGIN); }
int store_commit(struct store *s) { return s->tap ? 0 : run(s, Q_COMMIT); }
int store_savepoint(struct store *s) { return s->tap ? 0 : run(s, Q_SAVEPOINT); }
int store_release(struct store *s) { return s->tap ? 0 : run(s, Q_RELEASE); }

void store_rollback(struct store *s)
{
	if (s->tap)
		s->tap->discard(s->tap->ctx);
	else
		(void)run(s, Q_ROLLBACK);
}

int store_rollback_savepoint(struct store *s)
{
	int rc;

	if (s->tap) {
		s->tap->discard(s->tap->ctx);
		return 0;
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

int store_snapshot_add(struct store *s, const struct store_snapshot *snap, int64_t *id)
{
	sqlite3_stmt *st = s->q[Q_SNAP_ADD];
	int rc;

	if (s->tap) {
		/* a recorder snapshot is taken once, as the database's unique
		 * index (snapshots_recorded) takes it */
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
	if (sqlite3_changes(s->db) == 0)
		return 1;   /* OR IGNORE: the recorded snapshot is already there */
	*id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

int store_snapshot_finish(struct store *s, int64_t id, uint64_t sockets)
{
	sqlite3_stmt *st = s->q[Q_SNAP_FINISH];

	if (s->tap) {
		if (s->pending[0] && intern_id(&s->recorded, s->pending) < 0)
			return -ENOMEM;
		return s->skip ? 0 : s->tap->finish(s->tap->ctx);
	}
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)sockets);
	return run(s, Q_SNAP_FINISH);
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

static const char *proto_name(int proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_RAW: return "raw";
	default: return NULL;
	}
}

/* rnet: what subnet grouping needs as one integer (docs/SCHEMA.md). */
static int64_t rnet_of(const struct addr *a)
{
	uint64_t v = 0;

	if (a->family == AF_INET)
		return (int64_t)((uint32_t)a->a[0] << 24 | (uint32_t)a->a[1] << 16 |
				 (uint32_t)a->a[2] << 8 | a->a[3]);
	for (int i = 0; i < 8; i++)
		v = v << 8 | a->a[i];
	return (int64_t)v;   /* two's complement: keeps order within the sign */
}

/* A row some table can hold: a known protocol, addresses of its family. */
static bool row_ok(const struct sock_row *in)
{
	const struct addr *la = &in->local, *ra = &in->remote;

	return proto_name(in->proto) && tcpstate_db_name(in->proto, in->state) &&
	       (in->family == AF_INET || in->family == AF_INET6) &&
	       (in->family != AF_INET || (la->family == AF_INET && ra->family == AF_INET)) &&
	       la->family == ra->family;
}

int store_row_prepare(const struct sock_row *in, struct store_row *out)
{
	struct addr la = in->local, ra = in->remote;

	if (!row_ok(in))
		return -EINVAL;
	out->proto = proto_name(in->proto);
	out->state = tcpstate_db_name(in->proto, in->state);
	addr_fold(&la);
	addr_fold(&ra);
	out->llen = (uint8_t)addr_format(&la, out->laddr, sizeof out->laddr);
	out->rlen = (uint8_t)addr_format(&ra, out->raddr, sizeof out->raddr);
	out->family = in->family == AF_INET ? 4 : 6;
	out->lport = in->lport;
	out->rport = in->rport;
	out->rnet = rnet_of(&ra);
	out->unknown = in->unknown;
	out->rxq = in->rxq;
	out->txq = in->txq;
	out->uid = in->uid;
	out->inode = in->inode;
	out->timer = in->timer;
	out->expires_ms = in->expires_ms;
	out->retrans = in->retrans;
	out->pid = in->pid;
	out->program = in->program;
	out->lhost = in->lhost;
	out->rhost = in->rhost;
	if (in->rhost)
		out->rnet = 0;   /* no address to group by */
	return 0;
}

int store_row_insert(struct store *s, int64_t snapshot, const struct store_row *in)
{
	sqlite3_stmt *st = s->q[Q_SOCKET];

	if (s->tap)
		return s->skip ? 0 : s->tap->row(s->tap->ctx, in);
	sqlite3_bind_int64(st, 1, snapshot);
	sqlite3_bind_text(st, 2, in->proto, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, in->family);
	sqlite3_bind_text(st, 4, in->state, -1, SQLITE_STATIC);
	if (in->lhost)
		sqlite3_bind_null(st, 5);
	else
		sqlite3_bind_text(st, 5, in->laddr, in->llen, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, in->lport);
	if (in->rhost)
		sqlite3_bind_null(st, 7);
	else
		sqlite3_bind_text(st, 7, in->raddr, in->rlen, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, in->rport);
	sqlite3_bind_int64(st, 9, in->rnet);
	/* every parameter is bound on every row (NULL when unknown), so the
	 * hot path needs no sqlite3_clear_bindings() */
	if (!(in->unknown & SOCKROW_UNKNOWN_QUEUES)) {
		sqlite3_bind_int64(st, 10, in->rxq);
		sqlite3_bind_int64(st, 11, in->txq);
	} else {
		sqlite3_bind_null(st, 10);
		sqlite3_bind_null(st, 11);
	}
	if (!(in->unknown & SOCKROW_UNKNOWN_UID))
		sqlite3_bind_int64(st, 12, in->uid);
	else
		sqlite3_bind_null(st, 12);
	if (!(in->unknown & SOCKROW_UNKNOWN_INODE))
		sqlite3_bind_int64(st, 13, (sqlite3_int64)in->inode);
	else
		sqlite3_bind_null(st, 13);
	if (!(in->unknown & SOCKROW_UNKNOWN_TIMER)) {
		sqlite3_bind_text(st, 14, sockrow_timer_name(in->timer), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 15, in->expires_ms);
		sqlite3_bind_int64(st, 16, in->retrans);
	} else {
		sqlite3_bind_null(st, 14);
		sqlite3_bind_null(st, 15);
		sqlite3_bind_null(st, 16);
	}
	if (in->pid > 0)
		sqlite3_bind_int64(st, 17, in->pid);
	else
		sqlite3_bind_null(st, 17);
	if (in->program)
		sqlite3_bind_text(st, 18, in->program, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 18);
	/* NULL or a name, as 18 */
	if (in->lhost)
		sqlite3_bind_text(st, 19, in->lhost, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 19);
	if (in->rhost)
		sqlite3_bind_text(st, 20, in->rhost, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 20);
	return step_socket(s);
}

int store_socket(struct store *s, int64_t snapshot, const struct sock_row *in)
{
	struct store_row r;
	int rc;

	if (s->tap) {
		if (!row_ok(in))
			return -EINVAL;
		return s->skip ? 0 : s->tap->sock(s->tap->ctx, in);
	}
	rc = store_row_prepare(in, &r);

	return rc < 0 ? rc : store_row_insert(s, snapshot, &r);
}

int store_counter(struct store *s, int64_t snapshot, const char *name, size_t nlen,
		  int64_t value)
{
	sqlite3_stmt *st = s->q[Q_COUNTER];

	if (s->tap)
		return 0;   /* reports without a database read sockets only */
	sqlite3_bind_int64(st, 1, snapshot);
	sqlite3_bind_text(st, 2, name, (int)nlen, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, value);
	return run(s, Q_COUNTER);
}

int store_process(struct store *s, int64_t snapshot, int64_t pid, const char *program,
		  const char *comm, uint64_t sockets)
{
	sqlite3_stmt *st = s->q[Q_PROCESS];

	if (s->tap)
		return 0;   /* reports without a database read sockets only */
	sqlite3_bind_int64(st, 1, snapshot);
	sqlite3_bind_int64(st, 2, pid);
	bind_text_or_null(st, 3, program);
	bind_text_or_null(st, 4, comm);
	sqlite3_bind_int64(st, 5, (sqlite3_int64)sockets);
	return run(s, Q_PROCESS);
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

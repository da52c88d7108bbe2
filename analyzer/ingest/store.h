/* store — writing imported data into the database: prepared statements for
 * sources, snapshots, sockets, counters, processes and raw sections, all
 * values bound (never spliced into SQL text). */
#ifndef SOCKSCOPE_STORE_H
#define SOCKSCOPE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "addr.h"
#include "sockrow.h"
#include "utctime.h"

struct store;

struct store_source {
	const char *path;
	const char *sha256;      /* hex; may be a unique placeholder, see store_source_finish */
	const char *format;
	uint64_t bytes;
};

struct store_snapshot {
	int64_t source_id;
	const char *host;
	usec_t time;
	const char *time_from;   /* header dateline at filename mtime now */
	int64_t seq;             /* recorder seq, or -1 (NULL) */
	const char *boot_id, *kernel, *reason;   /* NULL allowed */
	int64_t interval_us;     /* -1: NULL */
	int64_t offset, line;    /* -1: NULL */
};

/* A store that keeps nothing, for reports without a database: each
 * snapshot's rows go to the tap, which holds them until finish() (a torn
 * snapshot is discard()ed instead); counters, processes and raw text are
 * dropped, transactions and the duplicate check do nothing. */
struct store_row;
struct store_tap {
	/* 0: take the snapshot's rows, 1: skip them, or -errno */
	int (*snapshot)(void *ctx, const struct store_snapshot *snap);
	int (*row)(void *ctx, const struct store_row *r);   /* 0 or -errno */
	/* a dump's row, checked but not formatted (store_socket) */
	int (*sock)(void *ctx, const struct sock_row *r);
	int (*finish)(void *ctx);                           /* 0 or -errno */
	void (*discard)(void *ctx);
	void *ctx;
};

/* 0 or -ENOMEM. Caller frees (store_free). */
int store_new_tap(const struct store_tap *tap, struct store **out);

/* Prepares the statements. 0 or -EIO with err set. Caller frees. */
int store_new(sqlite3 *db, struct store **out, char *err, size_t errsz);
void store_free(struct store *s);   /* NULL is a no-op */
/* The last SQLite error message. */
const char *store_error(const struct store *s);

int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);
/* Per-snapshot savepoint inside the source transaction: a torn snapshot of
 * a segment is undone without losing the good ones before it. */
int store_savepoint(struct store *s);
int store_release(struct store *s);
int store_rollback_savepoint(struct store *s);

/* 1 and *id when a source with this hash exists, 0 when not, -EIO. */
int store_source_find(struct store *s, const char *sha256, int64_t *id);
int store_source_add(struct store *s, const struct store_source *src, int64_t *id);
/* Sets the final hash, size and counts. -EEXIST when another source has
 * this hash (the same content arrived through stdin): roll back. */
int store_source_finish(struct store *s, int64_t id, const char *sha256, uint64_t bytes,
			uint64_t snapshots, uint64_t sockets, uint64_t bad_lines,
			const char *first_error);

/* 0 with *id, 1 when this recorder snapshot is already stored (same host,
 * boot id, seq and time: a segment re-imported after it grew), -EIO. */
int store_snapshot_add(struct store *s, const struct store_snapshot *snap, int64_t *id);
int store_snapshot_finish(struct store *s, int64_t id, uint64_t sockets);
/* After store_snapshot_finish of a dump's snapshot id: is it a copy? 1 when
 * another source's dump snapshot of the same host holds the same rows
 * (every field, in order) at the same time, or, with weak_time (id's time
 * is only a file's mtime or the import's), at any time that was as weakly
 * found; 2 when one at the same host and time holds other rows; 0 when
 * neither (snapshots of id's own source are never compared);
 * -EIO. *other and other_path (its source's path) name it. A tap store
 * always says 0. */
int store_snapshot_match(struct store *s, int64_t id, bool weak_time, int64_t *other,
			 char *other_path, size_t pathsz);

/* A socket row as the sockets table holds it: addresses folded and
 * formatted, names chosen, rnet computed. Plain data: it may be prepared in
 * one thread and stored in another. */
struct store_row {
	char laddr[ADDR_STRLEN], raddr[ADDR_STRLEN];
	uint8_t llen, rlen;
	uint8_t family;          /* 4 or 6 */
	uint8_t unknown;         /* SOCKROW_UNKNOWN_* */
	uint16_t lport, rport;
	const char *proto;       /* static strings */
	const char *state;
	int64_t rnet;
	uint32_t uid;
	int32_t pid;
	uint64_t inode;
	const char *program;     /* borrowed, NULL when unknown */
	const char *lhost, *rhost;   /* borrowed: a named host, whose address is
	                              * then stored as NULL; NULL when numeric */
	/* the values that vary within a span, last: with the span's summary
	 * after them (struct span), what each snapshot touches is together */
	uint32_t rxq, txq, expires_ms, retrans;
	uint8_t timer;
};

/* Pure: r into out. 0 or -EINVAL (a row no table can hold: unknown
 * protocol, family/address mismatch). */
int store_row_prepare(const struct sock_row *r, struct store_row *out);
/* Inserts a prepared row. 0 or -EIO. */
int store_row_insert(struct store *s, int64_t snapshot, const struct store_row *r);
/* The same for a row that repeats row j of snapshot prev (stored just before
 * it, from the same segment): identical but for expires_ms (rowreuse.h). */
int store_row_repeat(struct store *s, int64_t snapshot, const struct store_row *r,
		     int64_t prev, uint32_t j);
/* Whether store_row_repeat of rows j .. j+n-1 of prev into snapshot reads
 * only their proto, state and varying values (rxq, txq, expires_ms,
 * retrans, timer): no tap, no digest, and the spans find them by place.
 * A row repeated in a run costs then no copy of its addresses. */
bool store_repeat_light(const struct store *s, int64_t snapshot, int64_t prev, uint32_t j,
			uint32_t n);

/* store_row_prepare + store_row_insert: folds IPv4-mapped addresses, names
 * the state as docs/SCHEMA.md says, stores unknown fields as NULL. 0,
 * -EINVAL or -EIO. */
int store_socket(struct store *s, int64_t snapshot, const struct sock_row *r);
int store_counter(struct store *s, int64_t snapshot, const char *name, size_t nlen,
		  int64_t value);
/* One process that owned `sockets` socket inodes in the snapshot. */
int store_process(struct store *s, int64_t snapshot, int64_t pid, const char *program,
		  const char *comm, uint64_t sockets);
/* The number of rows of a source that carried names (sources.names). 0 or
 * -EIO. */
int store_source_names(struct store *s, int64_t id, uint64_t names);
int store_raw(struct store *s, int64_t snapshot, const char *section, const void *text,
	      size_t len);

#endif

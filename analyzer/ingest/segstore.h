/* segstore — the storing side of segment import: the operations the
 * parsing thread (import_segment.c) hands over in batches, their layout,
 * and their replay into the store (savepoints, rows, spans, counters). */
#ifndef SOCKSCOPE_SEGSTORE_H
#define SOCKSCOPE_SEGSTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "import_int.h"
#include "rowreuse.h"
#include "snap.h"

/* ---- the operation stream ------------------------------------------------
 * Each op is a header followed by its payload, padded to 8 bytes, in a
 * batch buffer. The parser appends; the storer replays them in order. */

enum op_type {
	OP_BEGIN,      /* struct op_begin */
	OP_ROW,        /* struct store_row, then the program (NUL-terminated) */
	OP_SAME,       /* struct op_same: the previous snapshot's row again */
	OP_RUN,        /* struct op_run, then n expires_ms (uint64_t): rows j..j+n-1
	                * of the previous snapshot again (a format 2 copy) */
	OP_COUNTER,    /* struct op_counter, then the name */
	OP_PROCESS,    /* struct op_process, then program and comm */
	OP_RAW,        /* struct op_raw, then the section name, NUL, the text */
	OP_END,        /* the snapshot verified */
	OP_BAD,        /* a message for import_bad (NUL-terminated) */
	OP_TORN,       /* the open snapshot is torn: roll back, then a message */
};

struct op_hdr {
	uint32_t type;
	uint32_t len;            /* payload bytes (before padding) */
};

struct op_begin {
	struct snap_header h;
	uint64_t offset;
};

struct op_counter {
	int64_t value;
	uint32_t nlen;
};

struct op_process {
	int32_t pid;
	uint32_t sockets;
	uint32_t plen, clen;     /* UINT32_MAX: NULL */
};

struct op_raw {
	uint64_t len;
};

struct op_same {
	uint64_t expires_ms;     /* the one column that may differ (or ROWREUSE_SAME) */
	uint32_t j;              /* its index among the previous snapshot's rows */
	uint32_t pad;
};

struct op_run {
	uint32_t j, n;
};

/* Rows in one OP_RUN at most (its payload stays within a batch). */
#define RUN_MAX 32768u


/* The storer: the calling thread's state while it replays a segment's ops. */
struct segstore {
	struct import_source *src;
	bool open;               /* a snapshot is being stored (savepoint held) */
	bool dup;                /* ... or skipped: already in the database */
	int64_t snap_id;
	uint64_t rows;           /* sockets of the open snapshot */
	const char *raw_section; /* OP_RAW comes in two ops: name, then text */
	uint64_t raw_len;
	char raw_name[80];       /* ... the name kept across a batch's hand-over */
	struct rowreuse_rows reuse;   /* what OP_SAME refers to */
	int64_t prev_id;         /* the previous snapshot's id if it was stored, or -1 */
};

void segstore_init(struct segstore *s, struct import_source *src);
void segstore_fini(struct segstore *s);
/* Replays one batch of ops. 0 or -errno (the import of the source fails). */
int segstore_apply_batch(struct segstore *s, const struct buf *b);

#endif

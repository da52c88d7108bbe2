/* rowreuse — the fast path of segment import: a sockets row that repeats a
 * row of the previous snapshot (every column the same but the countdown
 * expires_ms) is neither parsed nor prepared again. The parsing thread finds
 * such rows by their text (rowreuse_lines), the storing thread keeps the
 * previous snapshot's prepared rows to stand for them (rowreuse_rows). Both
 * sides follow the same rule, so they agree on what "the previous snapshot"
 * is: rows of a snapshot count from its BEGIN, and become the previous ones
 * at its END; a torn snapshot's rows are dropped and the previous stay. */
#ifndef SOCKSCOPE_ROWREUSE_H
#define SOCKSCOPE_ROWREUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "store.h"

/* An expires_ms that says "as in the previous row" (the line was the same
 * byte for byte). */
#define ROWREUSE_SAME UINT64_MAX

/* ---- parsing side: the text of the rows ---- */
struct rowreuse_lines {
	struct buf text[2];      /* previous, current: the rows' lines */
	uint32_t *off[2];        /* line i is text[off[i]] .. off[i+1] */
	size_t n[2], cap[2];
	unsigned cur;            /* index of the current snapshot's side */
	size_t next;             /* where in the previous the next row is expected */
	size_t misses;           /* rows of this snapshot found nowhere near */
	uint32_t *idx;           /* previous rows by their text before expires_ms */
	size_t nidx;
	bool idx_built;
	/* the sockets section's lines, previous and current: the row each
	 * became, or ROWREUSE_NOROW (a header, a bad line), so that a line a
	 * format 2 delta copies is known by its base line's number */
	uint32_t *lrow[2];
	size_t nl[2], lcap[2];
	/* a format 2 delta copied rows: from then on no row's text is kept
	 * (rowreuse_lines_add) */
	bool copies_seen;
};

#define ROWREUSE_NOROW UINT32_MAX
/* The sockets TSV column (0-based) of expires_ms: the one a repeated row
 * may differ in. */
#define ROWREUSE_COL_EXPIRES 12

void rowreuse_lines_init(struct rowreuse_lines *l);
void rowreuse_lines_fini(struct rowreuse_lines *l);
/* Is line the previous snapshot's row *j but for a canonical expires_ms
 * (returned in *expires, or ROWREUSE_SAME)? It looks where the rows before it left off, and a
 * few rows further (rows that vanished). Pure lookup. */
bool rowreuse_lines_match(struct rowreuse_lines *l, const char *line, size_t len, uint32_t *j,
			  uint64_t *expires);
/* The current snapshot's next row (every row handed on, parsed or not),
 * which is also the sockets section's next line. Its text is kept for
 * rowreuse_lines_match, unless rows of the stream came as format 2 copies:
 * a delta's rows are then found by their base lines, never by text, and a
 * keyframe's, whose text would be the largest kept (a flood's 50,000
 * rows), are matched only against a delta, whose rows are mostly copies
 * without text anyway. 0 or -ENOMEM. */
int rowreuse_lines_add(struct rowreuse_lines *l, const char *line, size_t len);
/* The same for a row a format 2 delta copies: its text is not kept (the
 * next delta names its rows by number; a keyframe's rows that repeat it are
 * parsed again). 0 or -ENOMEM. */
int rowreuse_lines_add_copy(struct rowreuse_lines *l);
/* n of them at once. 0 or -ENOMEM. */
int rowreuse_lines_add_copies(struct rowreuse_lines *l, size_t n);
/* The sockets section's next line is no row (not handed on). 0 or -ENOMEM. */
int rowreuse_lines_norow(struct rowreuse_lines *l);
/* The row that line k of the previous snapshot's sockets section became:
 * true and *j, or false (no such line, or it was no row). A line a delta
 * copies from there is that row again (docs/SCHEMA.md, "Import"): no text
 * is compared. The next text match looks on from *j. */
bool rowreuse_lines_base(struct rowreuse_lines *l, size_t k, uint32_t *j);
/* The snapshot ended good: its rows become the previous ones. */
void rowreuse_lines_commit(struct rowreuse_lines *l);
/* The snapshot was torn: its rows are forgotten. */
void rowreuse_lines_drop(struct rowreuse_lines *l);

/* ---- storing side: the prepared rows ----
 * Held compact (a flood holds ~50,000 of them twice): the fixed columns in
 * 64 bytes, the addresses' text in an arena both snapshots share, so a
 * repeated row copies its 64 bytes and no address. The arena is compacted
 * when a snapshot ends holding more than twice what the rows point to. A
 * program is copied per side as before: the pointer rowreuse_rows_get
 * hands out must survive the rows added after it in the snapshot. */
struct rowreuse_held;

struct rowreuse_rows {
	struct rowreuse_held *r[2];
	struct buf names[2];     /* programs, NUL-terminated, per side */
	uint32_t last_prog[2];   /* 1 + where the last name put in each side
	                          * starts (0: none): the next row's, mostly */
	size_t n[2], cap[2];
	unsigned cur;
	struct buf text;         /* both sides' rows' laddr then raddr */
	size_t live[2];          /* text bytes each side's rows point to */
	const char *strs[64];    /* the proto and state strings rows name */
	unsigned nstrs;
};

void rowreuse_rows_init(struct rowreuse_rows *s);
void rowreuse_rows_fini(struct rowreuse_rows *s);
/* Keeps r (lhost/rhost must be NULL: segments name no hosts; proto and
 * state static strings). 0, -ENOMEM or -E2BIG. */
int rowreuse_rows_add(struct rowreuse_rows *s, const struct store_row *r);
/* The previous snapshot's row j with expires_ms replaced (unless SAME), into *out (its
 * program points into s until the next commit). 0 or -EINVAL (no such row). */
int rowreuse_rows_get(const struct rowreuse_rows *s, uint32_t j, uint64_t expires,
		      struct store_row *out);
/* Rows j..j+n-1 of the previous snapshot again (a format 2 copy run),
 * appended at once: expires holds n uint64_t expires_ms (ROWREUSE_SAME: as
 * they were), unaligned. 0, -EINVAL (no such rows), -ENOMEM, -E2BIG. */
int rowreuse_rows_repeat(struct rowreuse_rows *s, uint32_t j, uint32_t n, const void *expires);
/* Rows of the current snapshot so far, and row k of them (its program
 * points into s until the next row is added). */
size_t rowreuse_rows_count(const struct rowreuse_rows *s);
void rowreuse_rows_cur(const struct rowreuse_rows *s, size_t k, struct store_row *out);
/* Only what a repeated row taken by its place needs (store_repeat_light):
 * proto, state and the varying values; out's other fields are left as
 * they are. */
void rowreuse_rows_cur_light(const struct rowreuse_rows *s, size_t k, struct store_row *out);
void rowreuse_rows_commit(struct rowreuse_rows *s);
void rowreuse_rows_drop(struct rowreuse_rows *s);

#endif

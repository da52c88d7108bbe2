/* snapdelta_int — what the whole-text encoder and decoder (snapdelta.c)
 * share with the streaming encoder (snapenc.c): line splitting and the
 * delta's building blocks. Internal to common/. */
#ifndef SOCKSCOPE_SNAPDELTA_INT_H
#define SOCKSCOPE_SNAPDELTA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* How a section's lines are split into a stable part and moving numbers. */
enum mode {
	M_PLAIN = 0,   /* lines as they are */
	M_PROC = 1,    /* /proc/net files: "%*d: " row number, and tm->when in hex */
	M_TSV = 2,     /* TSV: one decimal column counts down (expires_ms) */
};

struct xform {
	unsigned mode;
	uint64_t width;   /* M_PROC: printf width of the row number */
	uint64_t col;     /* M_TSV: 0-based column of the countdown */
};

/* One line, seen as stable pieces a and b around a moving number. */
struct line {
	const char *a, *b;
	size_t alen, blen;
	bool t;            /* transformed: a + number + b (M_PROC: sl prefix too) */
	uint64_t sl, when;
	uint32_t h;
};

struct lines {
	struct line *v;
	size_t n;
	bool final_nl;     /* the text ends with LF (or is empty) */
};

enum { RUN_COPY = 0, RUN_LITERAL = 1, RUN_EDIT = 2 };

/* Splits line s[0..n) (no LF) into l; hash: also its 32-bit table hash. */
void sd_split_line(const struct xform *x, const char *s, size_t n, struct line *l, bool hash);
/* The split of section `name` from its content (or the content's start). */
void sd_pick_xform(const char *name, const char *cur, size_t curlen, struct xform *x);
/* tick: the most common fall (smallest on a tie) among the first
 * SD_TICK_SAMPLES copied split lines whose countdowns are both non-zero. */
#define SD_TICK_SAMPLES 1024
uint64_t sd_tick_of(uint64_t *d, size_t n);   /* sorts d */
int sd_put_uv(struct buf *b, uint64_t v);
uint64_t sd_zz(uint64_t d);
/* The residuals of split line l (pl: its base line, NULL for a literal). */
int sd_put_resid(struct buf *b, const struct xform *x, const struct line *l,
		 const struct line *pl, uint64_t *last_sl, uint64_t tick);
/* Worth an edit: same shape, and at least half of the row unchanged. */
bool sd_similar(const struct line *base, const struct line *l);
/* cur as base with its middle replaced: prefix, suffix kept, middle given. */
int sd_put_edit(struct buf *b, const char *base, size_t bn, const char *cur, size_t cn);

#endif

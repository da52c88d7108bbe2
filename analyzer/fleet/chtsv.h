/* chtsv — ClickHouse's TabSeparated format: values escaped into INSERT
 * bodies, and answers (untrusted bytes) split back into rows of fields. */
#ifndef SOCKSCOPE_CHTSV_H
#define SOCKSCOPE_CHTSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define CHTSV_MAX_FIELDS 64

/* Appends s (NULL: \N) escaped: backslash, TAB, LF, CR, NUL-free text. */
int chtsv_put_str(struct buf *b, const char *s);
/* Appends a signed decimal, or \N when null. Then no separator. */
int chtsv_put_i64(struct buf *b, int64_t v, bool null);

/* A reader over a whole answer (the bytes must outlive it). */
struct chtsv {
	const char *p, *end;
	struct buf field;          /* the current row's unescaped fields, NUL-separated */
	size_t off[CHTSV_MAX_FIELDS];
	bool null[CHTSV_MAX_FIELDS];
	size_t n;                  /* fields of the current row */
};

void chtsv_init(struct chtsv *t, const char *data, size_t len);
void chtsv_fini(struct chtsv *t);

/* Reads the next row. 1 (a row of t->n fields), 0 at the end, -EBADMSG
 * for a row without its final LF, more than CHTSV_MAX_FIELDS fields or a
 * bad escape; -ENOMEM. */
int chtsv_next(struct chtsv *t);

/* Field i of the current row (i < t->n), NULL for \N. */
const char *chtsv_field(const struct chtsv *t, size_t i);

/* Field i as an integer (NULL or junk: -EBADMSG). */
int chtsv_i64(const struct chtsv *t, size_t i, int64_t *v);
int chtsv_double(const struct chtsv *t, size_t i, double *v);

#endif

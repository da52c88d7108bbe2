/* textfmtfeed — how the parser tests hand a dump to a parser: line by line as
 * the importer does (no '\n', a trailing '\r' dropped, 1-based numbers),
 * then end(). Header-only: each test is one program. */
#ifndef SOCKSCOPE_TEST_TEXTFMTFEED_H
#define SOCKSCOPE_TEST_TEXTFMTFEED_H

#include <stdlib.h>
#include <string.h>

#include "textfmt.h"

/* A row's strings are borrowed for the sink call only: a test that keeps the
 * row copies each into dst (dstsz bytes, asserted to fit). Returns the copy,
 * or NULL for NULL. */
static inline const char *textfmt_keep(char *dst, size_t dstsz, const char *s)
{
	if (!s)
		return NULL;
	assert_true(strlen(s) < dstsz);
	strcpy(dst, s);
	return dst;
}

/* Runs f over text[0..len) with name_hint; returns the first non-zero
 * result of line() (end() is then not called) or end()'s. */
static inline int textfmt_feed(const struct textfmt *f, const char *name_hint, const char *text,
			       size_t len, const struct row_sink *sink)
{
	void *st = malloc(f->state_size ? f->state_size : 1);
	size_t pos = 0, lineno = 0;
	int rc = 0;

	assert_non_null(st);
	f->begin(st, name_hint);
	while (pos < len && rc == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len, l = end - pos;

		if (l > 0 && text[end - 1] == '\r')
			l--;
		rc = f->line(st, text + pos, l, ++lineno, sink);
		pos = end + 1;
	}
	if (rc == 0)
		rc = f->end(st, sink);
	free(st);
	return rc;
}

#endif

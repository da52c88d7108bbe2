/* lines — an input's decoded text as lines: UTF-8 (a BOM skipped) or
 * UTF-16LE with BOM (as PowerShell's `>` writes) converted to UTF-8, LF or
 * CRLF line ends (the CR is dropped), lines over LINES_MAX skipped. */
#ifndef SOCKSCOPE_LINES_H
#define SOCKSCOPE_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "input.h"

/* Longest line handed on; longer ones are reported (-E2BIG) and skipped.
 * The dump parsers (textfmt.h) rely on it as their bound. */
#define LINES_MAX 65536

struct lines {
	struct input *in;      /* borrowed */
	char *buf;             /* decoded text window [start, end) */
	size_t cap, start, end;
	uint64_t lineno;       /* of the line last returned */
	bool eof;              /* the input is exhausted */
	bool started;          /* the BOM check was done */
	bool utf16;
	bool skipping;         /* inside an over-long line */
	uint8_t half[3];       /* UTF-16 bytes carried between reads */
	size_t nhalf;
	uint8_t *raw;          /* UTF-16 read buffer */
};

/* 0 or -ENOMEM. */
int lines_init(struct lines *l, struct input *in);
void lines_fini(struct lines *l);

/* Makes at least `want` decoded bytes (or all that remain) visible without
 * consuming them: *text and *len are the window, starting at the next line.
 * 0 or -errno (input_error() says why). */
int lines_peek(struct lines *l, size_t want, const char **text, size_t *len);

/* The next line without its end: 1 with *line and *len set (valid until the
 * next call), 0 at the end, -E2BIG for a line longer than LINES_MAX
 * (skipped; lines_lineno() is its number), -errno on a read error. A last
 * line without '\n' is returned too. */
int lines_next(struct lines *l, const char **line, size_t *len);

static inline uint64_t lines_lineno(const struct lines *l) { return l->lineno; }

#endif

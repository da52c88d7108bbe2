/* sparkline — a series drawn as one line of text, a character per value:
 * the eighth blocks ▁▂▃▄▅▆▇█ on a UTF-8 terminal, " .:-=+*#" in ASCII,
 * a space for a gap; for `timeline` and `summary` at a terminal. */
#ifndef SOCKSCOPE_SPARKLINE_H
#define SOCKSCOPE_SPARKLINE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum sparkline_style { SPARKLINE_NONE, SPARKLINE_ASCII, SPARKLINE_UTF8 };

/* "none", "ascii" or "utf8" ("auto" is the command line's, not this). 0 or
 * -EINVAL. */
int sparkline_style_parse(const char *s, enum sparkline_style *st);

/* The style for a terminal whose locale variables are lc_all, lc_ctype and
 * lang (each NULL when unset; the first set one counts, as setlocale(3)
 * reads them): UTF-8 when its codeset is UTF-8, else ASCII. */
enum sparkline_style sparkline_style_for(const char *lc_all, const char *lc_ctype,
					 const char *lang);

/* Appends v[0..n) to b, at most width characters (0: n): when n is larger,
 * consecutive values are folded into one character by their maximum (a gap
 * only when all of them are). A value < 0 is a gap (a space); the others
 * are scaled from 0 to max(v) into eight levels, level 0 only for 0 so that
 * a small non-zero value still shows. SPARKLINE_NONE appends nothing.
 * 0 or -ENOMEM. */
int sparkline_append(struct buf *b, const int64_t *v, size_t n, size_t width,
		     enum sparkline_style st);

#endif

/* sparkline — one line of text per series: eight levels of block (UTF-8)
 * or of ASCII density, gaps as spaces, folded by maximum to a width. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sparkline.h"

int sparkline_style_parse(const char *s, enum sparkline_style *st)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "none"))
		*st = SPARKLINE_NONE;
	else if (!strcmp(s, "ascii"))
		*st = SPARKLINE_ASCII;
	else if (!strcmp(s, "utf8"))
		*st = SPARKLINE_UTF8;
	else
		return -EINVAL;
	return 0;
}

static int is_utf8(const char *loc)
{
	const char *dot = strchr(loc, '.');
	size_t n;

	if (!dot)
		return 0;
	dot++;
	n = strcspn(dot, "@");
	return (n == 5 && !strncasecmp(dot, "utf-8", 5)) || (n == 4 && !strncasecmp(dot, "utf8", 4));
}

enum sparkline_style sparkline_style_for(const char *lc_all, const char *lc_ctype,
					 const char *lang)
{
	const char *loc = lc_all && *lc_all ? lc_all : lc_ctype && *lc_ctype ? lc_ctype : lang;

	return loc && is_utf8(loc) ? SPARKLINE_UTF8 : SPARKLINE_ASCII;
}

int sparkline_append(struct buf *b, const int64_t *v, size_t n, size_t width,
		     enum sparkline_style st)
{
	static const char *const utf8[8] = {"\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83",
					    "\xe2\x96\x84", "\xe2\x96\x85", "\xe2\x96\x86",
					    "\xe2\x96\x87", "\xe2\x96\x88"};
	static const char ascii[8] = {' ', '.', ':', '-', '=', '+', '*', '#'};
	int64_t max = 0;
	size_t cols;
	int rc = 0;

	if (st == SPARKLINE_NONE || n == 0)
		return 0;
	cols = width && width < n ? width : n;
	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	for (size_t c = 0; rc == 0 && c < cols; c++) {
		/* the values of column c: [lo, hi) */
		size_t lo = c * n / cols, hi = (c + 1) * n / cols;
		int64_t x = -1;
		unsigned lvl;

		for (size_t i = lo; i < hi; i++)
			if (v[i] > x)
				x = v[i];
		if (x < 0) {
			rc = buf_putc(b, ' ');
			continue;
		}
		/* rounded up: 0 alone is the lowest level, max the highest */
		if (x == 0 || max == 0) {
			lvl = 0;
		} else {
			double q = (double)x * 7.0 / (double)max;

			lvl = (unsigned)q;
			if ((double)lvl < q)
				lvl++;
			if (lvl > 7)
				lvl = 7;
		}
		if (st == SPARKLINE_UTF8)
			rc = buf_puts(b, utf8[lvl]);
		else
			/* ASCII level 0 is '_', not a space: a space is a gap */
			rc = buf_putc(b, lvl ? ascii[lvl] : '_');
	}
	return rc;
}

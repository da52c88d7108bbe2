/* toolopt — what the test tools share around their command lines: an option
 * table that generates both getopt_long's table and --help, and strict
 * number arguments. Header-only: each tool is one program. */
#ifndef SOCKSCOPE_TOOLOPT_H
#define SOCKSCOPE_TOOLOPT_H

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "num.h"

struct tool_option {
	const char *name;
	int has_arg;
	int key;
	const char *arg;     /* metavariable in --help, NULL without argument */
	const char *help;
};

/* Fills lo[0..n] (n + 1 entries, the last one zero) from opts. */
static inline void tool_longopts(const struct tool_option *opts, size_t n, struct option *lo)
{
	memset(lo, 0, (n + 1) * sizeof *lo);
	for (size_t i = 0; i < n; i++) {
		lo[i].name = opts[i].name;
		lo[i].has_arg = opts[i].has_arg;
		lo[i].val = opts[i].key;
	}
}

/* One line per option, help text in a column `width` wide. */
static inline void tool_usage(FILE *f, const struct tool_option *opts, size_t n, int width)
{
	for (size_t i = 0; i < n; i++) {
		char left[40];

		snprintf(left, sizeof left, "--%s%s%s", opts[i].name, opts[i].arg ? " " : "",
			 opts[i].arg ? opts[i].arg : "");
		fprintf(f, "  %-*s %s\n", width, left, opts[i].help);
	}
}

/* Decimal without sign, <= max. 0 or -EINVAL. */
static inline int tool_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	return s ? num_parse_dec(s, strlen(s), max, out) : -EINVAL;
}

/* A non-negative number <= max, fractions allowed. 0 or -EINVAL. */
static inline int tool_parse_double(const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0) || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

#endif

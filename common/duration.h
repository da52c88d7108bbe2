/* duration — the one grammar of a duration on every command line (the
 * recorder's intervals and retention, the analyzer's buckets and TTLs). */
#ifndef SOCKSCOPE_DURATION_H
#define SOCKSCOPE_DURATION_H

#include "utctime.h"

/* The longest duration accepted: a million days. */
#define DURATION_MAX ((usec_t)86400 * 1000000 * USEC_PER_SEC)

/* Parses all of s as one or more terms NUMBER UNIT ("1h30m", "1d12h"), or
 * a lone NUMBER (seconds). NUMBER is decimal digits with an optional
 * fraction of at most 6 digits ("1.5", "0.25"; no sign, space or exponent),
 * UNIT one of ms, s, m, h, d, w. The sum, cut to whole microseconds, must be
 * 1 ms .. DURATION_MAX. 0, or -EINVAL (not the grammar) or -ERANGE (out of
 * range). Callers narrow the range further. */
int duration_parse(const char *s, usec_t *out);

/* The spellings, for help and error texts. */
#define DURATION_EXAMPLES "30, 0.5, 500ms, 10s, 5m, 1h, 7d"

#endif

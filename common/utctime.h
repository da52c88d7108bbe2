/* utctime — UTC timestamps in microseconds since the epoch: format and parse
 * ISO 8601 / RFC 3339 and the `date` spellings people log. Pure functions. */
#ifndef SOCKSCOPE_UTCTIME_H
#define SOCKSCOPE_UTCTIME_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t usec_t;   /* microseconds since 1970-01-01T00:00:00Z */

#define USEC_PER_SEC 1000000LL
/* "2026-11-25T14:10:00.123456Z" */
#define UTCTIME_STRLEN 28

/* Writes "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (frac_digits = 6) or with fewer
 * fractional digits (0 omits the dot). Returns length. */
size_t utctime_format(usec_t t, int frac_digits, char *out, size_t outsz);
/* "YYYYMMDDTHHMMSSZ", for file names. */
size_t utctime_format_compact(usec_t t, char *out, size_t outsz);

/* Parses exactly s[0..len) in any of:
 *   2026-11-25T14:10:00Z, 2026-11-25 14:10:00, ...T14:10:00.5+01:00,
 *   ...+0100, 2026-11-25T14:10Z, 2026-11-25 (midnight), @1764079800[.5]
 * Without a zone the time is UTC. Returns 0 or -EINVAL. */
int utctime_parse(const char *s, size_t len, usec_t *out);

/* Days-from-civil helpers (proleptic Gregorian), exposed for other parsers. */
int64_t utctime_days_from_civil(int64_t y, unsigned m, unsigned d);
void utctime_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif

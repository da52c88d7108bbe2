/* utctime — UTC timestamps in microseconds since the epoch: format and parse
 * ISO 8601 / RFC 3339 and the `date` spellings people log. Pure functions. */
#ifndef SOCKSCOPE_UTCTIME_H
#define SOCKSCOPE_UTCTIME_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t usec_t;   /* microseconds since 1970-01-01T00:00:00Z */

#define USEC_PER_SEC ((int64_t)1000000) /* int64_t: PRId64 must match */
/* "2026-11-25T14:10:00.123456Z" */
#define UTCTIME_STRLEN 28

/* Writes "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (frac_digits = 6) or with fewer
 * fractional digits (0 omits the dot; out-of-range values are clamped to
 * 0..6). The fraction is truncated, never rounded up into the next second.
 * Returns the length; a smaller out gets a truncated, NUL-terminated text
 * (snprintf rules). Years outside 0000..9999 are written in the ISO 8601
 * expanded form ("-0001-...", "+10000-...") which may exceed
 * UTCTIME_STRLEN and which utctime_parse does not accept. */
size_t utctime_format(usec_t t, int frac_digits, char *out, size_t outsz);
/* qsort's comparison of two usec_t, earliest first. */
int utctime_cmp(const void *x, const void *y);
/* "YYYYMMDDTHHMMSSZ", for file names. */
size_t utctime_format_compact(usec_t t, char *out, size_t outsz);

/* Parses exactly s[0..len) in any of:
 *   2026-11-25T14:10:00Z, 2026-11-25 14:10:00, ...T14:10:00.5+01:00,
 *   ...+0100, 2026-11-25T14:10Z, 2026-11-25 (midnight), @1764079800[.5]
 * Without a zone the time is UTC. Returns 0 or -EINVAL.
 * Details: the year has exactly four digits; 'T', 't' or one space between
 * date and time; seconds optional, fraction only after seconds, '.' or ',',
 * 1..9 digits truncated to microseconds; zone Z, z, UTC, +hh, +hhmm, +hh:mm
 * or '-' forms (hh <= 23, mm <= 59), optionally after one space; a date
 * alone takes no zone. Ranges are checked (Feb 29 only in leap years, no
 * leap second :60, no 24:00). "@" takes an optional '-', 1..12 digits and
 * an optional fraction as above. */
int utctime_parse(const char *s, size_t len, usec_t *out);

/* Days-from-civil helpers (proleptic Gregorian, day 0 = 1970-01-01, year 0
 * exists and is leap), exposed for other parsers. m is 1..12, d 1..31, not
 * checked; |y| and |z| must stay below 2^40 or the arithmetic overflows. */
int64_t utctime_days_from_civil(int64_t y, unsigned m, unsigned d);
void utctime_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

#endif

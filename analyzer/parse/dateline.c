/* dateline — recognises the `date` lines cron logs put between dumps and the
 * timestamps people put in file names. Calendar arithmetic only, no locale. */
#include "dateline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "textfmt.h"
#include "num.h"

#define SEC_PER_DAY 86400
/* 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z: what utctime_format
 * writes with four year digits, so every result re-parses through the ISO
 * path (a zone offset can push a printed year 0000 or 9999 outside). */
#define MIN_T ((usec_t)-62167219200 * USEC_PER_SEC)
#define MAX_T ((usec_t)253402300800 * USEC_PER_SEC - 1)

static const char wdays[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

struct civil {
	int64_t y;
	unsigned mo, d, h, mi, s;
	int64_t usec;
	int64_t off; /* zone offset east of UTC, seconds */
};

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Exactly n digits at s (the caller checked the length). */
static bool dec(const char *s, size_t n, unsigned *v)
{
	uint64_t x;

	for (size_t i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return false;
	if (num_parse_dec(s, n, UINT32_MAX, &x) < 0)
		return false;
	*v = (unsigned)x;
	return true;
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool valid(const struct civil *c)
{
	static const unsigned len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (c->mo < 1 || c->mo > 12 || c->d < 1)
		return false;
	if (c->d > (c->mo == 2 && is_leap(c->y) ? 29u : len[c->mo - 1]))
		return false;
	/* no leap second: the epoch count has no slot for :60 */
	return c->h <= 23 && c->mi <= 59 && c->s <= 59;
}

/* 0 = Sunday; 1970-01-01 was a Thursday. */
static int weekday(const struct civil *c)
{
	int64_t days = utctime_days_from_civil(c->y, c->mo, c->d);

	return (int)(((days % 7) + 7 + 4) % 7);
}

static int to_usec(const struct civil *c, usec_t *t)
{
	int64_t days = utctime_days_from_civil(c->y, c->mo, c->d);
	usec_t v = (days * SEC_PER_DAY + c->h * 3600 + c->mi * 60 + c->s - c->off) * USEC_PER_SEC +
		   c->usec;

	if (v < MIN_T || v > MAX_T)
		return -EINVAL;
	*t = v;
	return 0;
}

/* Index of a three-letter name in tab (either case), or -1. */
static int name3(const struct token *tok, const char (*tab)[4], int n)
{
	if (tok->len != 3)
		return -1;
	for (int i = 0; i < n; i++) {
		bool same = true;

		for (int k = 0; k < 3; k++)
			if ((tok->s[k] | 0x20) != (tab[i][k] | 0x20))
				same = false;
		if (same)
			return i;
	}
	return -1;
}

/* "HH:MM:SS" */
static bool hms(const struct token *tok, struct civil *c)
{
	const char *s = tok->s;

	return tok->len == 8 && s[2] == ':' && s[5] == ':' && dec(s, 2, &c->h) &&
	       dec(s + 3, 2, &c->mi) && dec(s + 6, 2, &c->s);
}

/* The zone of `date` (%Z) or `date -R` (%z): the abbreviations that mean
 * UTC whatever the system's tzdata, or a numeric offset +hh, +hhmm, +hh:mm
 * (tzdata names zones without an abbreviation "+04", "+0530"). Any other
 * abbreviation (2..5 capitals) is a real zone whose offset we cannot know
 * (CET, EST, IST, AEST...): -ERANGE. Anything else -EINVAL. */
static int zone_token(const char *s, size_t len, int64_t *off)
{
	static const char *const utc[] = {"UTC", "GMT", "Z", "UCT", "UT"};
	unsigned hh, mm = 0;
	bool upper = len >= 1 && len <= 5;

	*off = 0;
	for (size_t i = 0; i < len && upper; i++)
		upper = s[i] >= 'A' && s[i] <= 'Z';
	if (upper) {
		for (size_t i = 0; i < sizeof utc / sizeof utc[0]; i++)
			if (strlen(utc[i]) == len && memcmp(s, utc[i], len) == 0)
				return 0;
		/* one letter: a military zone, nobody's `date` prints those */
		return len >= 2 ? -ERANGE : -EINVAL;
	}
	if (len < 3 || (s[0] != '+' && s[0] != '-') || !dec(s + 1, 2, &hh))
		return -EINVAL;
	if (len == 5 && !dec(s + 3, 2, &mm))
		return -EINVAL;
	if (len == 6 && (s[3] != ':' || !dec(s + 4, 2, &mm)))
		return -EINVAL;
	if ((len != 3 && len != 5 && len != 6) || hh > 23 || mm > 59)
		return -EINVAL;
	*off = (s[0] == '-' ? -1 : 1) * (int64_t)(hh * 3600 + mm * 60);
	return 0;
}

/* date:    "Wed Nov 25 13:54:00 UTC 2026" (day space-padded by %e)
 * date -R: "Wed, 25 Nov 2026 13:54:00 +0000" */
static int parse_words(const char *s, size_t len, usec_t *t)
{
	struct token tok[7], wd;
	struct civil c = {0};
	const struct token *zone;
	unsigned y;
	bool rfc;
	int w, mo, rc;

	if (token_split(s, len, tok, 7) != 6)
		return -EINVAL;
	rfc = tok[0].len == 4 && tok[0].s[3] == ',';
	wd = tok[0];
	if (rfc)
		wd.len = 3;
	w = name3(&wd, wdays, 7);
	if (w < 0)
		return -EINVAL;
	if (rfc) {
		mo = name3(&tok[2], months, 12);
		if (tok[1].len < 1 || tok[1].len > 2 || !dec(tok[1].s, tok[1].len, &c.d) ||
		    mo < 0 || tok[3].len != 4 || !dec(tok[3].s, 4, &y) || !hms(&tok[4], &c))
			return -EINVAL;
		zone = &tok[5];
	} else {
		mo = name3(&tok[1], months, 12);
		if (mo < 0 || tok[2].len < 1 || tok[2].len > 2 ||
		    !dec(tok[2].s, tok[2].len, &c.d) || !hms(&tok[3], &c) || tok[5].len != 4 ||
		    !dec(tok[5].s, 4, &y))
			return -EINVAL;
		zone = &tok[4];
	}
	c.y = y;
	c.mo = (unsigned)mo + 1;
	if (!valid(&c))
		return -EINVAL;
	/* The weekday is printed for the local date, so it is checked before
	 * the zone is applied; a line whose weekday and date disagree was not
	 * written by `date` and is not trusted as one. */
	if (weekday(&c) != w)
		return -EINVAL;
	rc = zone_token(zone->s, zone->len, &c.off);
	if (rc == -ERANGE) {
		/* an unknown zone: the wall-clock time as if UTC, so the caller
		 * can still split a cron log here and say what it assumed */
		c.off = 0;
		return to_usec(&c, t) < 0 ? -EINVAL : -ERANGE;
	}
	if (rc < 0)
		return rc;
	return to_usec(&c, t);
}

/* date +%s or +%s.%N: 9..11 digits (1973..5138), optional .fraction. */
static int parse_epoch(const char *s, size_t len, usec_t *t)
{
	const char *dot = memchr(s, '.', len);
	size_t ilen = dot ? (size_t)(dot - s) : len;
	struct civil c = {.y = 1970, .mo = 1, .d = 1};
	uint64_t sec, frac = 0;

	if (ilen < 9 || ilen > 11 || num_parse_dec(s, ilen, UINT64_MAX, &sec) < 0)
		return -EINVAL;
	if (dot) {
		size_t flen = len - ilen - 1;

		if (flen < 1 || flen > 9 || num_parse_dec(dot + 1, flen, UINT64_MAX, &frac) < 0)
			return -EINVAL;
		for (; flen < 6; flen++)
			frac *= 10;
		for (; flen > 6; flen--)
			frac /= 10;
	}
	c.off = -(int64_t)sec;
	c.usec = (int64_t)frac;
	return to_usec(&c, t);
}

/* date -Iseconds / -Ins / -Iminutes / --rfc-3339=seconds|ns, and
 * `date '+%F %T'` (no zone: UTC, as utctime_parse reads it) or
 * `date '+%F %T %Z'` (an abbreviation as in parse_words). A date alone
 * (`date -I`) has no time of day and is not taken. */
static int parse_iso(const char *s, size_t len, usec_t *t)
{
	size_t n = len;
	int64_t off = 0;
	usec_t v;
	int zrc = 0;

	if (len < 16 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
		return -EINVAL;
	/* A trailing word after a space: the zone abbreviation of %Z.
	 * utctime_parse knows " UTC" itself, the rest is decided here. */
	while (n > 0 && is_alpha(s[n - 1]))
		n--;
	if (n < len && n > 16 && s[n - 1] == ' ') {
		zrc = zone_token(s + n, len - n, &off);
		if (zrc == -EINVAL)
			return zrc;
		len = n - 1;
	}
	if (utctime_parse(s, len, &v) < 0)
		return -EINVAL;
	/* an unknown zone: wall-clock time as UTC, as parse_words does */
	v -= off * USEC_PER_SEC;
	if (v < MIN_T || v > MAX_T)
		return -EINVAL;
	*t = v;
	return zrc;
}

int dateline_parse(const char *s, size_t len, usec_t *t)
{
	size_t i;

	if (!s)
		return -EINVAL;
	while (len > 0 && is_blank(s[len - 1]))
		len--;
	while (len > 0 && is_blank(*s)) {
		s++;
		len--;
	}
	if (len == 0)
		return -EINVAL;
	if (is_alpha(s[0]))
		return parse_words(s, len, t);
	for (i = 0; i < len && is_digit(s[i]); i++)
		;
	if (i == len || s[i] == '.')
		return parse_epoch(s, len, t);
	if (i == 4 && s[4] == '-')
		return parse_iso(s, len, t);
	return -EINVAL;
}

/* ---- file names ------------------------------------------------------------ */

/* Number of digits at p (up to end). */
static size_t run(const char *p, const char *end)
{
	size_t n = 0;

	while (p + n < end && is_digit(p[n]))
		n++;
	return n;
}

/* A numeric zone in a file name: [+-]hh[:]mm, not followed by a digit. */
static bool name_offset(const char *p, const char *end, int64_t *off)
{
	unsigned hh, mm;
	size_t k = 3;

	if (end - p < 5 || (p[0] != '+' && p[0] != '-') || !dec(p + 1, 2, &hh))
		return false;
	if (p[3] == ':')
		k = 4;
	if (end - p < (ptrdiff_t)(k + 2) || !dec(p + k, 2, &mm) ||
	    (p + k + 2 < end && is_digit(p[k + 2])) || hh > 23 || mm > 59)
		return false;
	*off = (p[0] == '-' ? -1 : 1) * (int64_t)(hh * 3600 + mm * 60);
	return true;
}

/* A date and time starting at p (which follows a non-digit):
 *   YYYY-MM-DD or YYYYMMDD, then T t _ - . or space (or nothing between
 *   two digit groups: YYYYMMDDHHMM[SS]), then HH MM [SS] separated by
 *   all ':', all '-', all '.' or nothing, not followed by a digit;
 *   ':'-separated seconds may carry a fraction; then optionally Z, or
 *   [+-]hh[:]mm after a 'T' (elsewhere "-0100" reads as a counter).
 * Fills c; false when nothing of that shape is at p. */
static bool name_datetime(const char *p, const char *end, struct civil *c)
{
	const char *q = p;
	unsigned y;
	char dsep, tsep;

	memset(c, 0, sizeof *c);
	if (end - q < 8 || !dec(q, 4, &y))
		return false;
	c->y = y;
	q += 4;
	if (*q == '-') {
		if (end - q < 6 || !dec(q + 1, 2, &c->mo) || q[3] != '-' || !dec(q + 4, 2, &c->d))
			return false;
		q += 6;
	} else {
		if (!dec(q, 2, &c->mo) || !dec(q + 2, 2, &c->d))
			return false;
		q += 4;
	}
	if (q == end)
		return false;
	dsep = *q;
	if (dsep == 'T' || dsep == 't' || dsep == '_' || dsep == '-' || dsep == '.' || dsep == ' ')
		q++;
	else if (!is_digit(dsep) || q[-3] == '-')
		return false; /* only YYYYMMDD runs straight into the time */
	if (end - q < 4 || !dec(q, 2, &c->h))
		return false;
	q += 2;
	tsep = *q;
	if (tsep == ':' || tsep == '-' || tsep == '.')
		q++;
	else
		tsep = 0;
	if (end - q < 2 || !dec(q, 2, &c->mi))
		return false;
	q += 2;
	if (tsep ? (end - q >= 3 && *q == tsep && is_digit(q[1]))
		 : (end - q >= 2 && is_digit(q[0]))) {
		if (tsep)
			q++;
		if (!dec(q, 2, &c->s))
			return false;
		q += 2;
		if (tsep == ':' && end - q >= 2 && (*q == '.' || *q == ',') && is_digit(q[1])) {
			size_t nd = run(q + 1, end);
			unsigned digit;

			for (size_t i = 0; i < 6; i++) {
				digit = 0;
				if (i < nd)
					digit = (unsigned)(q[1 + i] - '0');
				c->usec = c->usec * 10 + digit;
			}
			q += 1 + nd;
		}
	}
	if (q < end && is_digit(*q))
		return false;
	if (!valid(c))
		return false;
	if (q < end && (*q == 'Z' || *q == 'z'))
		return true;
	if (q < end && (dsep == 'T' || dsep == 't'))
		name_offset(q, end, &c->off);
	return true;
}

int dateline_from_filename(const char *path, usec_t *t)
{
	const char *base, *end, *p;
	struct civil c;

	if (!path)
		return -ENOENT;
	base = path;
	for (p = path; *p; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	end = p;
	for (p = base; p < end; p++) {
		if (!is_digit(*p) || (p > base && is_digit(p[-1])))
			continue;
		if (name_datetime(p, end, &c) && to_usec(&c, t) == 0)
			return 0;
	}
	/* Epoch seconds: a run of exactly ten digits (2001-09-09 .. 2286-11-20).
	 * Shorter or longer runs in names are counters and sizes far more
	 * often than times. */
	for (p = base; p < end; p++) {
		if (!is_digit(*p) || (p > base && is_digit(p[-1])))
			continue;
		if (run(p, end) == 10) {
			struct civil e = {.y = 1970, .mo = 1, .d = 1};
			uint64_t sec;

			if (num_parse_dec(p, 10, UINT64_MAX, &sec) == 0) {
				e.off = -(int64_t)sec;
				return to_usec(&e, t) == 0 ? 0 : -ENOENT;
			}
		}
	}
	return -ENOENT;
}

/* utctime — UTC microsecond timestamps to and from ISO 8601 / RFC 3339 text,
 * by calendar arithmetic alone (no TZ, no locale, no mktime). */
#include "utctime.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SEC_PER_DAY 86400

/* H. Hinnant's days_from_civil: shifting the year to start in March puts
 * the leap day last, so month lengths follow the 153/5 pattern. */
int64_t utctime_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (int64_t)d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void utctime_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Splits t into whole seconds and a 0..999999 remainder, rounding toward
 * minus infinity without overflowing at INT64_MIN. */
static void split(usec_t t, int64_t *sec, int64_t *usec)
{
	*sec = t / USEC_PER_SEC;
	*usec = t % USEC_PER_SEC;
	if (*usec < 0) {
		*usec += USEC_PER_SEC;
		(*sec)--;
	}
}

struct civil {
	int64_t y;
	unsigned mo, d, h, mi, s;
	int64_t usec;
};

static struct civil to_civil(usec_t t)
{
	struct civil c;
	int64_t sec, days, sod;

	split(t, &sec, &c.usec);
	days = sec / SEC_PER_DAY;
	sod = sec % SEC_PER_DAY;
	if (sod < 0) {
		sod += SEC_PER_DAY;
		days--;
	}
	utctime_civil_from_days(days, &c.y, &c.mo, &c.d);
	c.h = (unsigned)(sod / 3600);
	c.mi = (unsigned)(sod / 60 % 60);
	c.s = (unsigned)(sod % 60);
	return c;
}

static size_t emit(const char *src, int n, char *out, size_t outsz)
{
	size_t len = n > 0 ? (size_t)n : 0;

	if (outsz > 0) {
		size_t k = len < outsz - 1 ? len : outsz - 1;

		memcpy(out, src, k);
		out[k] = '\0';
	}
	return len;
}

/* Years outside 0000..9999 get the ISO 8601 expanded form (sign, >= 4
 * digits) so that nothing is silently wrong; the parser does not read it. */
static int put_year(char *p, size_t sz, int64_t y)
{
	if (y >= 0 && y <= 9999)
		return snprintf(p, sz, "%04" PRId64, y);
	return snprintf(p, sz, "%+05" PRId64, y);
}

size_t utctime_format(usec_t t, int frac_digits, char *out, size_t outsz)
{
	struct civil c = to_civil(t);
	int64_t div = USEC_PER_SEC;
	char tmp[64];
	int n;

	if (frac_digits < 0)
		frac_digits = 0;
	if (frac_digits > 6)
		frac_digits = 6;
	for (int i = 0; i < frac_digits; i++)
		div /= 10;
	n = put_year(tmp, sizeof tmp, c.y);
	n += snprintf(tmp + n, sizeof tmp - (size_t)n, "-%02u-%02uT%02u:%02u:%02u", c.mo, c.d,
		      c.h, c.mi, c.s);
	/* Truncated, not rounded: rounding could carry into the seconds and
	 * print a time that has not happened yet. */
	if (frac_digits > 0)
		n += snprintf(tmp + n, sizeof tmp - (size_t)n, ".%0*" PRId64, frac_digits,
			      c.usec / div);
	n += snprintf(tmp + n, sizeof tmp - (size_t)n, "Z");
	return emit(tmp, n, out, outsz);
}

size_t utctime_format_compact(usec_t t, char *out, size_t outsz)
{
	struct civil c = to_civil(t);
	char tmp[64];
	int n;

	n = put_year(tmp, sizeof tmp, c.y);
	n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%02u%02uT%02u%02u%02uZ", c.mo, c.d, c.h,
		      c.mi, c.s);
	return emit(tmp, n, out, outsz);
}

/* --- parsing ------------------------------------------------------------ */

struct cur {
	const char *p, *end;
};

static bool at_end(const struct cur *c)
{
	return c->p == c->end;
}

static bool eat(struct cur *c, char ch)
{
	if (c->p < c->end && *c->p == ch) {
		c->p++;
		return true;
	}
	return false;
}

static bool eat_ci(struct cur *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = c->p[i];

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		if (ch != word[i])
			return false;
	}
	c->p += n;
	return true;
}

/* Exactly n decimal digits. */
static bool digits(struct cur *c, int n, int64_t *v)
{
	int64_t x = 0;

	if (c->end - c->p < n)
		return false;
	for (int i = 0; i < n; i++) {
		char ch = c->p[i];

		if (ch < '0' || ch > '9')
			return false;
		x = x * 10 + (ch - '0');
	}
	c->p += n;
	*v = x;
	return true;
}

/* 1..max digits; returns the count or 0. */
static int digits_upto(struct cur *c, int max, int64_t *v)
{
	int n = 0;
	int64_t x = 0;

	while (n < max && c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		x = x * 10 + (*c->p - '0');
		c->p++;
		n++;
	}
	*v = x;
	return n;
}

/* A fraction of a second after '.' or ',' (ISO 8601 allows both): 1..9
 * digits (date +%N gives nanoseconds), truncated to microseconds. */
static int fraction(struct cur *c, int64_t *usec)
{
	int64_t v;
	int n;

	*usec = 0;
	if (!eat(c, '.') && !eat(c, ','))
		return 0;
	n = digits_upto(c, 9, &v);
	if (n == 0)
		return -EINVAL;
	for (; n < 9; n++)
		v *= 10;
	*usec = v / 1000;
	return 0;
}

/* "@SECONDS[.frac]" as `date +@%s` writes it; 12 digits is ~31700 years,
 * far from overflowing microseconds in 63 bits. */
static int parse_epoch(struct cur *c, usec_t *out)
{
	bool neg = eat(c, '-');
	int64_t sec, usec;

	if (digits_upto(c, 12, &sec) == 0)
		return -EINVAL;
	if (fraction(c, &usec) < 0 || !at_end(c))
		return -EINVAL;
	*out = neg ? -(sec * USEC_PER_SEC + usec) : sec * USEC_PER_SEC + usec;
	return 0;
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, int64_t m)
{
	static const unsigned len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : len[m - 1];
}

/* Zone after the time: Z, UTC, +hh, +hhmm, +hh:mm (or '-'), optionally
 * after one space as `date '+%F %T %z'` writes it. Sets the offset east of
 * UTC in seconds. */
static int zone(struct cur *c, int64_t *off)
{
	int64_t hh, mm = 0;
	int sign;

	*off = 0;
	if (at_end(c))
		return 0;
	eat(c, ' ');
	if (eat(c, 'Z') || eat(c, 'z') || eat_ci(c, "UTC"))
		return at_end(c) ? 0 : -EINVAL;
	if (eat(c, '+'))
		sign = 1;
	else if (eat(c, '-'))
		sign = -1;
	else
		return -EINVAL;
	if (!digits(c, 2, &hh) || hh > 23)
		return -EINVAL;
	if (!at_end(c)) {
		bool colon = eat(c, ':');

		if (!digits(c, 2, &mm) || mm > 59 || (colon && !at_end(c)))
			return -EINVAL;
	}
	if (!at_end(c))
		return -EINVAL;
	*off = sign * (hh * 3600 + mm * 60);
	return 0;
}

int utctime_parse(const char *s, size_t len, usec_t *out)
{
	struct cur c = {s, s + len};
	int64_t y, mo, d, h = 0, mi = 0, sec = 0, usec = 0, off = 0;

	if (!s || len == 0)
		return -EINVAL;
	if (eat(&c, '@'))
		return parse_epoch(&c, out);

	if (!digits(&c, 4, &y) || !eat(&c, '-') || !digits(&c, 2, &mo) || !eat(&c, '-') ||
	    !digits(&c, 2, &d))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo))
		return -EINVAL;
	if (!at_end(&c)) {
		if (!eat(&c, 'T') && !eat(&c, 't') && !eat(&c, ' '))
			return -EINVAL;
		if (!digits(&c, 2, &h) || !eat(&c, ':') || !digits(&c, 2, &mi))
			return -EINVAL;
		/* Leap seconds (:60) are refused: the epoch count has no slot
		 * for them and no socket dump will carry one. */
		if (h > 23 || mi > 59)
			return -EINVAL;
		if (eat(&c, ':')) {
			if (!digits(&c, 2, &sec) || sec > 59)
				return -EINVAL;
			if (fraction(&c, &usec) < 0)
				return -EINVAL;
		}
		if (zone(&c, &off) < 0)
			return -EINVAL;
	}
	*out = ((utctime_days_from_civil(y, (unsigned)mo, (unsigned)d) * SEC_PER_DAY + h * 3600 +
		 mi * 60 + sec - off) *
		USEC_PER_SEC) +
	       usec;
	return 0;
}

int utctime_cmp(const void *x, const void *y)
{
	usec_t a = *(const usec_t *)x, b = *(const usec_t *)y;

	return (a > b) - (a < b);
}

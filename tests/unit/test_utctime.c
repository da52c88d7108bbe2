/* Unit tests for common/utctime: formats, every accepted spelling, ranges,
 * times before 1970, and the calendar helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "utctime.h"

#define S(x) ((usec_t)(x) * USEC_PER_SEC)

/* 2026-11-25T14:10:00Z */
#define T0 S(1795615800)

static void check_fmt(usec_t t, int digits, const char *want)
{
	char out[64];
	size_t n = utctime_format(t, digits, out, sizeof out);

	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
}

static void test_format(void **state)
{
	(void)state;
	check_fmt(0, 6, "1970-01-01T00:00:00.000000Z");
	check_fmt(0, 0, "1970-01-01T00:00:00Z");
	check_fmt(T0 + 123456, 6, "2026-11-25T14:10:00.123456Z");
	check_fmt(T0 + 123456, 5, "2026-11-25T14:10:00.12345Z");
	check_fmt(T0 + 123456, 3, "2026-11-25T14:10:00.123Z");
	check_fmt(T0 + 123456, 1, "2026-11-25T14:10:00.1Z");
	check_fmt(T0 + 123456, 0, "2026-11-25T14:10:00Z");
	check_fmt(T0 + 999999, 3, "2026-11-25T14:10:00.999Z"); /* truncated, not rounded */
	check_fmt(T0 + 999999, 0, "2026-11-25T14:10:00Z");
	check_fmt(T0 + 5, 7, "2026-11-25T14:10:00.000005Z");   /* clamped to 6 */
	check_fmt(T0 + 5, -1, "2026-11-25T14:10:00Z");         /* clamped to 0 */
	check_fmt(S(951782400), 0, "2000-02-29T00:00:00Z");
	check_fmt(S(951782400) - 1, 6, "2000-02-28T23:59:59.999999Z");
	check_fmt(S(253402300799) + 999999, 6, "9999-12-31T23:59:59.999999Z");
	check_fmt(S(-62167219200), 0, "0000-01-01T00:00:00Z");
	check_fmt(S(-62135596800), 0, "0001-01-01T00:00:00Z");
	check_fmt(S(1136073600), 0, "2006-01-01T00:00:00Z");
	assert_int_equal(strlen("2026-11-25T14:10:00.123456Z") + 1, UTCTIME_STRLEN);
}

static void test_format_negative(void **state)
{
	(void)state;
	check_fmt(-1, 6, "1969-12-31T23:59:59.999999Z");
	check_fmt(-1, 0, "1969-12-31T23:59:59Z");
	check_fmt(-USEC_PER_SEC, 6, "1969-12-31T23:59:59.000000Z");
	check_fmt(-USEC_PER_SEC - 1, 6, "1969-12-31T23:59:58.999999Z");
	check_fmt(S(-86400), 0, "1969-12-31T00:00:00Z");
	check_fmt(S(-86400) - 1, 0, "1969-12-30T23:59:59Z");
	check_fmt(S(-14182940) + 500000, 1, "1969-07-20T20:17:40.5Z");
	check_fmt(S(-2203891200), 0, "1900-03-01T00:00:00Z");
	check_fmt(S(-2203891200) - 1, 0, "1900-02-28T23:59:59Z"); /* 1900 not leap */
	/* Outside 0000..9999: expanded form, never a wrong 4-digit year. */
	check_fmt(S(-62167219200) - 1, 0, "-0001-12-31T23:59:59Z");
	check_fmt(S(253402300800), 0, "+10000-01-01T00:00:00Z");
	check_fmt(INT64_MIN, 6, "-290308-12-21T19:59:05.224192Z");
	check_fmt(INT64_MAX, 6, "+294247-01-10T04:00:54.775807Z");
}

static void test_format_small_buffer(void **state)
{
	char out[11];
	(void)state;
	assert_int_equal(utctime_format(T0, 6, out, sizeof out), 27);
	assert_string_equal(out, "2026-11-25");
	assert_int_equal(utctime_format(T0, 0, NULL, 0), 20);
	assert_int_equal(utctime_format_compact(T0, out, sizeof out), 16);
	assert_string_equal(out, "20261125T1");
}

static void test_format_compact(void **state)
{
	char out[32];
	(void)state;
	assert_int_equal(utctime_format_compact(T0 + 999999, out, sizeof out), 16);
	assert_string_equal(out, "20261125T141000Z");
	utctime_format_compact(0, out, sizeof out);
	assert_string_equal(out, "19700101T000000Z");
	utctime_format_compact(-1, out, sizeof out);
	assert_string_equal(out, "19691231T235959Z");
	utctime_format_compact(S(951782400) + S(3723), out, sizeof out);
	assert_string_equal(out, "20000229T010203Z");
}

struct pcase {
	const char *s;
	usec_t want;
};

static void test_parse_forms(void **state)
{
	static const struct pcase t[] = {
		{"2026-11-25T14:10:00Z", T0},
		{"2026-11-25T14:10:00z", T0},
		{"2026-11-25t14:10:00Z", T0},
		{"2026-11-25 14:10:00", T0},
		{"2026-11-25T14:10:00", T0},
		{"2026-11-25T14:10Z", T0},
		{"2026-11-25 14:10", T0},
		{"2026-11-25", S(1795564800)},
		{"2026-11-25T14:10:00.5Z", T0 + 500000},
		{"2026-11-25T14:10:00,5Z", T0 + 500000},
		{"2026-11-25T14:10:00.123456Z", T0 + 123456},
		{"2026-11-25T14:10:00.1234567Z", T0 + 123456},  /* truncated */
		{"2026-11-25T14:10:00.999999999Z", T0 + 999999},
		{"2026-11-25T14:10:00.000001", T0 + 1},
		{"2026-11-25T14:10:00.5+01:00", T0 - S(3600) + 500000},
		{"2026-11-25T14:10:00+0100", T0 - S(3600)},
		{"2026-11-25T14:10:00+01", T0 - S(3600)},
		{"2026-11-25T14:10:00-01:30", T0 + S(5400)},
		{"2026-11-25T14:10:00-0130", T0 + S(5400)},
		{"2026-11-25T14:10:00+00:00", T0},
		{"2026-11-25T14:10:00-00:00", T0},
		{"2026-11-25T14:10:00+23:59", T0 - S(23 * 3600 + 59 * 60)},
		{"2026-11-25T14:10+05:30", T0 - S(19800)},
		{"2026-11-25 14:10:00 +0100", T0 - S(3600)},
		{"2026-11-25 14:10:00 UTC", T0},
		{"2026-11-25 14:10:00 utc", T0},
		{"2026-11-25 14:10:00 Z", T0},
		{"2026-11-25T00:30:00+01:00", S(1795564800) - S(1800)}, /* previous day */
		{"@1795615800", T0},
		{"@1795615800.5", T0 + 500000},
		{"@1795615800,25", T0 + 250000},
		{"@1795615800.123456789", T0 + 123456},
		{"@0", 0},
		{"@-0", 0},
		{"@-1", -USEC_PER_SEC},
		{"@-1.5", -1500000},
		{"@999999999999", S(999999999999)},
		{"1970-01-01T00:00:00Z", 0},
		{"1969-12-31T23:59:59.999999Z", -1},
		{"1969-12-31T23:59:59Z", -USEC_PER_SEC},
		{"1969-07-20T20:17:40Z", S(-14182940)},
		{"1970-01-01T00:00:00+01:00", -S(3600)},
		{"0000-01-01", S(-62167219200)},
		{"0000-02-29", S(-62167219200) + S(59 * 86400)},   /* year 0 is leap */
		{"0001-01-01T00:00:00Z", S(-62135596800)},
		{"9999-12-31T23:59:59.999999Z", S(253402300799) + 999999},
		{"9999-12-31T23:59:59-01:00", S(253402300799) + S(3600)},
		{"2000-02-29", S(951782400)},
		{"2024-02-29T12:00:00Z", S(1709208000)},
		{"1900-02-28", S(-2203891200) - S(86400)},
		{"2026-01-31", S(1769817600)},
		{"2026-04-30", S(1777507200)},
		{"2026-12-31T23:59:59Z", S(1798761599)},
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		usec_t got = 42;
		int rc = utctime_parse(t[i].s, strlen(t[i].s), &got);

		if (rc != 0 || got != t[i].want)
			fail_msg("utctime_parse(\"%s\") = %d, %lld; want %lld", t[i].s, rc,
				 (long long)got, (long long)t[i].want);
	}
}

static void test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", "2026", "2026-11", "2026-11-", "2026-11-2", "26-11-25", "02026-11-25",
		"2026-1-25", "2026/11/25", "2026-11-25T", "2026-11-25 ", " 2026-11-25",
		"2026-11-25x", "2026-11-25Z", "2026-11-25+01:00", "2026-11-25T14",
		"2026-11-25T14:", "2026-11-25T14:1", "2026-11-25T14:10:", "2026-11-25T14:10:0",
		"2026-11-25T14:10:00.", "2026-11-25T14:10:00.Z", "2026-11-25T14:10.5Z",
		"2026-11-25T14:10:00.1234567890Z", "2026-11-25T14:10:00ZZ",
		"2026-11-25T14:10:00Z ", "2026-11-25T14:10:00 ", "2026-11-25T14:10:00  Z",
		"2026-11-25T14:10:00+1", "2026-11-25T14:10:00+01:", "2026-11-25T14:10:00+01:0",
		"2026-11-25T14:10:00+010", "2026-11-25T14:10:00+01000",
		"2026-11-25T14:10:00+01:00:00", "2026-11-25T14:10:00+24:00",
		"2026-11-25T14:10:00+01:60", "2026-11-25T14:10:00 +01:00x",
		"2026-11-25T14:10:00UTCX", "2026-11-25T14:10:00 CET", "2026-11-25T14:10:00x",
		"2026-11-25X14:10:00", "2026-11-25  14:10:00", "2026-11-25T14-10-00",
		/* ranges */
		"2026-00-10", "2026-13-10", "2026-11-00", "2026-11-31", "2026-01-32",
		"2026-04-31", "2026-06-31", "2026-09-31", "2026-02-29", "2100-02-29",
		"1900-02-29", "2023-02-29", "2024-02-30", "2026-11-25T24:00:00",
		"2026-11-25T23:60:00", "2026-11-25T23:59:60", "2026-11-25T99:00",
		/* signs and junk in numbers */
		"+2026-11-25", "-2026-11-25", "2026-+1-25", "2026-11--5", "2O26-11-25",
		"2026-11-25T1a:10", "2026-11-25T14:10:0a",
		/* epoch */
		"@", "@-", "@+1", "@1.", "@1.x", "@1x", "@ 1", "@1 ", "@--1", "@1.1234567890",
		"@1234567890123", "1795615800", "@0x10", "@1e9",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		usec_t got = 42;

		if (utctime_parse(bad[i], strlen(bad[i]), &got) != -EINVAL)
			fail_msg("utctime_parse(\"%s\") accepted: %lld", bad[i], (long long)got);
		assert_int_equal(got, 42);
	}
}

static void test_parse_len(void **state)
{
	usec_t t = 0;
	(void)state;
	/* Exactly len bytes: no NUL needed, and NUL inside len is garbage. */
	assert_int_equal(utctime_parse("2026-11-25T14:10:00Zgarbage", 20, &t), 0);
	assert_int_equal(t, T0);
	assert_int_equal(utctime_parse("2026-11-25 14:10:00", 10, &t), 0);
	assert_int_equal(t, S(1795564800));
	assert_int_equal(utctime_parse("2026-11-25T14:10:00Z\0", 21, &t), -EINVAL);
	assert_int_equal(utctime_parse("2026-11-25\0T14:10:00Z", 21, &t), -EINVAL);
	assert_int_equal(utctime_parse("@12\0", 4, &t), -EINVAL);
	assert_int_equal(utctime_parse(NULL, 0, &t), -EINVAL);
}

static void test_roundtrip(void **state)
{
	static const usec_t t[] = {
		0, 1, -1, T0, T0 + 1, -USEC_PER_SEC - 1, S(951782400), S(-62167219200),
		S(253402300799) + 999999, S(-2203891200) + 7,
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		char out[UTCTIME_STRLEN];
		usec_t back = 0;
		size_t n = utctime_format(t[i], 6, out, sizeof out);

		assert_int_equal(n, UTCTIME_STRLEN - 1);
		assert_int_equal(utctime_parse(out, n, &back), 0);
		assert_int_equal(back, t[i]);
	}
	/* Every day of 1599..2401 (leap rules at 1600, 1700, 1900, 2000, 2100,
	 * 2400) survives civil -> days -> civil and format -> parse. */
	{
		int64_t z0 = utctime_days_from_civil(1599, 1, 1);
		int64_t z1 = utctime_days_from_civil(2401, 12, 31);
		int64_t y = 1599;
		unsigned m = 1, d = 1;

		assert_int_equal(z1 - z0 + 1, 803 * 365 + 195);
		for (int64_t z = z0; z <= z1; z++) {
			int64_t yy;
			unsigned mm, dd;
			char out[UTCTIME_STRLEN];
			usec_t back;
			size_t n;
			static const unsigned ml[12] = {31, 28, 31, 30, 31, 30,
							31, 31, 30, 31, 30, 31};
			unsigned len;

			utctime_civil_from_days(z, &yy, &mm, &dd);
			if (yy != y || mm != m || dd != d)
				fail_msg("day %lld: %lld-%u-%u, want %lld-%u-%u", (long long)z,
					 (long long)yy, mm, dd, (long long)y, m, d);
			assert_int_equal(utctime_days_from_civil(yy, mm, dd), z);
			n = utctime_format(z * 86400 * USEC_PER_SEC + 12345, 6, out, sizeof out);
			assert_int_equal(utctime_parse(out, n, &back), 0);
			assert_int_equal(back, z * 86400 * USEC_PER_SEC + 12345);
			/* Advance the expected date by hand. */
			len = ml[m - 1];
			if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
				len = 29;
			if (++d > len) {
				d = 1;
				if (++m > 12) {
					m = 1;
					y++;
				}
			}
		}
	}
}

static void test_days(void **state)
{
	int64_t y;
	unsigned m, d;
	(void)state;
	assert_int_equal(utctime_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(utctime_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(utctime_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(utctime_days_from_civil(1, 1, 1), -719162);
	assert_int_equal(utctime_days_from_civil(0, 3, 1), -719468);
	assert_int_equal(utctime_days_from_civil(-1, 12, 31), -719529);
	utctime_civil_from_days(-719529, &y, &m, &d);
	assert_int_equal(y, -1);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
	utctime_civil_from_days(20417, &y, &m, &d);
	assert_int_equal(y, 2025);
	assert_int_equal(m, 11);
	assert_int_equal(d, 25);
}

static void test_no_tz_dependence(void **state)
{
	usec_t t = 0;
	char out[UTCTIME_STRLEN];
	(void)state;
	/* A TZ far from UTC must change nothing. */
	setenv("TZ", "Pacific/Kiritimati", 1);
	assert_int_equal(utctime_parse("2026-11-25 14:10:00", 19, &t), 0);
	assert_int_equal(t, T0);
	utctime_format(T0, 0, out, sizeof out);
	assert_string_equal(out, "2026-11-25T14:10:00Z");
	unsetenv("TZ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_format_negative),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_format_compact),
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_len),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_days),
		cmocka_unit_test(test_no_tz_dependence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

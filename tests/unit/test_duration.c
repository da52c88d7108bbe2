/* Unit tests for common/duration: every spelling both binaries accept,
 * and what neither does. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>

#include "duration.h"

static usec_t ok(const char *s)
{
	usec_t v = -1;

	assert_int_equal(duration_parse(s, &v), 0);
	return v;
}

static void test_spellings(void **state)
{
	(void)state;
	assert_int_equal(ok("30"), 30 * USEC_PER_SEC);
	assert_int_equal(ok("0.5"), USEC_PER_SEC / 2);
	assert_int_equal(ok("1.5"), 1500000);
	assert_int_equal(ok("500ms"), 500000);
	assert_int_equal(ok("1ms"), 1000);
	assert_int_equal(ok("10s"), 10 * USEC_PER_SEC);
	assert_int_equal(ok("1.5m"), 90 * USEC_PER_SEC);
	assert_int_equal(ok("5m"), 300 * USEC_PER_SEC);
	assert_int_equal(ok("1h"), 3600 * USEC_PER_SEC);
	assert_int_equal(ok("0.25h"), 900 * USEC_PER_SEC);
	assert_int_equal(ok("7d"), 7 * 86400 * USEC_PER_SEC);
	assert_int_equal(ok("007s"), 7 * USEC_PER_SEC);
	assert_int_equal(ok("0.000001d"), 86400);
	assert_int_equal(ok("1000000d"), DURATION_MAX);
	/* terms add up: what relative times (--since -1d30m) always took */
	assert_int_equal(ok("1h30m"), 5400 * USEC_PER_SEC);
	assert_int_equal(ok("1d12h"), 36 * 3600 * USEC_PER_SEC);
	assert_int_equal(ok("1m500ms"), 60500000);
	assert_int_equal(ok("5m5ms"), 300005000);
	assert_int_equal(ok("2w"), 14 * 86400 * USEC_PER_SEC);
	assert_int_equal(ok("1.5h30m"), 2 * 3600 * USEC_PER_SEC);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"", "s", "ms", ".5", "5.", "5.s", "-5", "+5", " 5", "5 ", "5S", "5sec",
		"1e3", "0x10", "inf", "nan", "1.2.3", "5ms5", "1.0000001", "5mm", "5y",
		"1h30", "30 1h", "1h 30m", "h1", "1h-30m", "1hm",
	};
	usec_t v;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int rc = duration_parse(bad[i], &v);

		if (rc != -EINVAL)
			fail_msg("'%s' gave %d", bad[i], rc);
	}
}

static void test_range(void **state)
{
	usec_t v;

	(void)state;
	assert_int_equal(duration_parse("0", &v), -ERANGE);
	assert_int_equal(duration_parse("0s", &v), -ERANGE);
	assert_int_equal(duration_parse("0.0009", &v), -ERANGE);   /* under 1 ms */
	assert_int_equal(duration_parse("999999ns", &v), -EINVAL);
	assert_int_equal(duration_parse("1000001d", &v), -ERANGE);
	assert_int_equal(duration_parse("99999999999999999999999", &v), -EINVAL);
	assert_int_equal(duration_parse("18446744073709551615ms", &v), -ERANGE);
	assert_int_equal(duration_parse("999999d1000d", &v), -ERANGE);   /* the sum too */
	assert_int_equal(duration_parse("0h0m", &v), -ERANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for analyzer/report/sparkline.c: levels, gaps, folding to a
 * width, the styles and the locale rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "sparkline.h"

static void expect(const int64_t *v, size_t n, size_t width, enum sparkline_style st,
		   const char *want)
{
	struct buf b = BUF_INIT;

	assert_int_equal(sparkline_append(&b, v, n, width, st), 0);
	assert_int_equal(buf_putc(&b, '\0'), 0);
	assert_string_equal(b.data, want);
	buf_fini(&b);
}

static void test_levels(void **state)
{
	const int64_t v[] = {0, 1, 250, 500, 750, 1000, -1, 1000, 0};

	(void)state;
	/* 0 the lowest, anything above 0 at least the second, max the top */
	expect(v, 9, 0, SPARKLINE_UTF8, "▁▂▃▅▇█ █▁");
	expect(v, 9, 0, SPARKLINE_ASCII, "_.:=*# #_");
	expect(v, 9, 0, SPARKLINE_NONE, "");
	/* all zero: the bottom level; a single value: the top */
	expect((const int64_t[]){0, 0}, 2, 0, SPARKLINE_UTF8, "▁▁");
	expect((const int64_t[]){7}, 1, 0, SPARKLINE_UTF8, "█");
}

static void test_fold(void **state)
{
	const int64_t v[] = {0, 10, -1, -1, 5, 0};

	(void)state;
	/* 6 values into 3 columns by maximum; a gap only when all are gaps */
	expect(v, 6, 3, SPARKLINE_ASCII, "# =");
	expect(v, 6, 100, SPARKLINE_ASCII, "_#  =_");
}

static void test_style(void **state)
{
	enum sparkline_style st;

	(void)state;
	assert_int_equal(sparkline_style_parse("utf8", &st), 0);
	assert_int_equal(st, SPARKLINE_UTF8);
	assert_int_equal(sparkline_style_parse("ascii", &st), 0);
	assert_int_equal(st, SPARKLINE_ASCII);
	assert_int_equal(sparkline_style_parse("none", &st), 0);
	assert_int_equal(st, SPARKLINE_NONE);
	assert_int_equal(sparkline_style_parse("auto", &st), -EINVAL);
	assert_int_equal(sparkline_style_parse(NULL, &st), -EINVAL);
	assert_int_equal(sparkline_style_for(NULL, NULL, "en_US.UTF-8"), SPARKLINE_UTF8);
	assert_int_equal(sparkline_style_for(NULL, "C.utf8", "C"), SPARKLINE_UTF8);
	assert_int_equal(sparkline_style_for("C", "en_US.UTF-8", "en_US.UTF-8"), SPARKLINE_ASCII);
	assert_int_equal(sparkline_style_for("", "de_DE.utf8@euro", NULL), SPARKLINE_UTF8);
	assert_int_equal(sparkline_style_for(NULL, NULL, NULL), SPARKLINE_ASCII);
	assert_int_equal(sparkline_style_for(NULL, NULL, "POSIX"), SPARKLINE_ASCII);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_style),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

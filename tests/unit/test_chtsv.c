/* Unit tests for analyzer/fleet/chtsv: TabSeparated escaping round trips,
 * \N, and answers that must be refused (no final LF, bad escapes, too many
 * fields, NUL). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "chtsv.h"

static void test_put_escapes(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	assert_int_equal(chtsv_put_str(&b, "a\tb\nc\\d\re"), 0);
	assert_string_equal(b.data, "a\\tb\\nc\\\\d\\re");
	buf_reset(&b);
	assert_int_equal(chtsv_put_str(&b, NULL), 0);
	assert_string_equal(b.data, "\\N");
	buf_reset(&b);
	assert_int_equal(chtsv_put_i64(&b, INT64_MIN, false), 0);
	assert_string_equal(b.data, "-9223372036854775808");
	buf_reset(&b);
	assert_int_equal(chtsv_put_i64(&b, 5, true), 0);
	assert_string_equal(b.data, "\\N");
	buf_fini(&b);
}

static void test_read_rows(void **state)
{
	static const char in[] = "a\\tb\t\\N\t42\n\t\\\\N\t-7\n";
	struct chtsv t;
	int64_t v;

	(void)state;
	chtsv_init(&t, in, sizeof in - 1);
	assert_int_equal(chtsv_next(&t), 1);
	assert_int_equal(t.n, 3);
	assert_string_equal(chtsv_field(&t, 0), "a\tb");
	assert_null(chtsv_field(&t, 1));
	assert_int_equal(chtsv_i64(&t, 2, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(chtsv_i64(&t, 1, &v), -EBADMSG);   /* NULL is not a number */
	assert_int_equal(chtsv_next(&t), 1);
	assert_string_equal(chtsv_field(&t, 0), "");
	assert_string_equal(chtsv_field(&t, 1), "\\N");     /* an escaped backslash, then N */
	assert_int_equal(chtsv_i64(&t, 2, &v), 0);
	assert_int_equal(v, -7);
	assert_int_equal(chtsv_next(&t), 0);
	chtsv_fini(&t);
}

static int first_row(const char *s, size_t n)
{
	struct chtsv t;
	int rc;

	chtsv_init(&t, s, n);
	rc = chtsv_next(&t);
	chtsv_fini(&t);
	return rc;
}

static void test_refused(void **state)
{
	char many[CHTSV_MAX_FIELDS * 2 + 4];
	size_t i;

	(void)state;
	assert_int_equal(first_row("abc", 3), -EBADMSG);            /* no LF */
	assert_int_equal(first_row("a\\qb\n", 5), -EBADMSG);        /* unknown escape */
	assert_int_equal(first_row("a\\", 2), -EBADMSG);             /* cut escape */
	assert_int_equal(first_row("\\Nx\n", 4), -EBADMSG);         /* \N then more */
	assert_int_equal(first_row("a\0b\n", 4), -EBADMSG);          /* NUL */
	assert_int_equal(first_row("a\\0b\n", 5), -EBADMSG);         /* escaped NUL */
	for (i = 0; i < CHTSV_MAX_FIELDS + 1; i++) {
		many[2 * i] = 'x';
		many[2 * i + 1] = '\t';
	}
	many[2 * i - 1] = '\n';
	assert_int_equal(first_row(many, 2 * i), -EBADMSG);
	assert_int_equal(first_row(many + 2, 2 * i - 2), 1);         /* exactly the most */
}

static void test_numbers(void **state)
{
	static const char in[] = "12x\t1.5\tinf\t\n";
	struct chtsv t;
	int64_t v;
	double d;

	(void)state;
	chtsv_init(&t, in, sizeof in - 1);
	assert_int_equal(chtsv_next(&t), 1);
	assert_int_equal(chtsv_i64(&t, 0, &v), -EBADMSG);
	assert_int_equal(chtsv_double(&t, 1, &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(chtsv_double(&t, 2, &d), -EBADMSG);
	assert_int_equal(chtsv_i64(&t, 3, &v), -EBADMSG);   /* empty */
	assert_int_equal(chtsv_i64(&t, 9, &v), -EBADMSG);   /* no such field */
	chtsv_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_escapes),
		cmocka_unit_test(test_read_rows),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_numbers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

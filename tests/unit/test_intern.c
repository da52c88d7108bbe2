/* Unit tests for common/intern: dense numbers in order of first sight,
 * found again after the table grows, unknown strings not found. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "intern.h"

static void test_intern(void **state)
{
	struct intern t = {.v = NULL};
	char s[32];

	(void)state;
	assert_int_equal(intern_find(&t, "a"), -1);
	for (int i = 0; i < 1000; i++) {
		snprintf(s, sizeof s, "host%d", i);
		assert_int_equal(intern_id(&t, s), i);
	}
	for (int i = 999; i >= 0; i--) {
		snprintf(s, sizeof s, "host%d", i);
		assert_int_equal(intern_id(&t, s), i);
		assert_int_equal(intern_find(&t, s), i);
		assert_string_equal(t.v[i], s);
	}
	assert_int_equal(intern_find(&t, "host1000"), -1);
	assert_int_equal(intern_id(&t, ""), 1000);
	assert_int_equal(t.n, 1001);
	intern_fini(&t);
	assert_int_equal(t.n, 0);
	intern_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intern),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

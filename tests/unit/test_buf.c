/* Unit tests for common/buf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "buf.h"

static void test_append_and_grow(void **state)
{
	struct buf b = BUF_INIT;
	(void)state;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_puts(&b, "abc"), 0);
	assert_int_equal(b.len, 3000);
	assert_int_equal(b.data[b.len], '\0');
	assert_memory_equal(b.data + 2997, "abc", 3);
	buf_fini(&b);
	assert_null(b.data);
	buf_fini(&b); /* twice is fine */
}

static void test_printf_long(void **state)
{
	struct buf b = BUF_INIT;
	char big[1000];
	(void)state;
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(buf_printf(&b, "%d:%s", 42, big), 0);
	assert_int_equal(b.len, 3 + 999);
	assert_memory_equal(b.data, "42:xxx", 6);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_pad(&b, 5), 0);
	assert_string_equal(b.data, "     ");
	assert_int_equal(buf_putc(&b, 'z'), 0);
	assert_string_equal(b.data, "     z");
	buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_grow),
		cmocka_unit_test(test_printf_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

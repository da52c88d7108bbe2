/* Unit tests for common/buf. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
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

/* fmt_u64 at every digit count's edges, against printf */
static void test_fmt_u64(void **state)
{
	uint64_t v[64];
	size_t nv = 0;
	char got[24], want[24];

	(void)state;
	v[nv++] = 0;
	v[nv++] = UINT64_MAX;
	for (uint64_t p = 1; nv + 3 <= 64; p *= 10) {
		v[nv++] = p - 1;
		v[nv++] = p;
		v[nv++] = p + 1;
		if (p > UINT64_MAX / 10)
			break;
	}
	for (size_t i = 0; i < nv; i++) {
		size_t n = fmt_u64(got, v[i]);
		int m = snprintf(want, sizeof want, "%llu", (unsigned long long)v[i]);

		assert_int_equal(n, (size_t)m);
		assert_memory_equal(got, want, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_grow),
		cmocka_unit_test(test_printf_long),
		cmocka_unit_test(test_fmt_u64),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

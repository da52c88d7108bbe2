/* Unit tests for common/crc32c: known vectors, incremental use, and the
 * slice-by-8 tables against a bitwise reference at every length/alignment. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "crc32c.h"

/* The definition, one bit at a time: slow and obviously right. */
static uint32_t crc32c_bitwise(uint32_t crc, const uint8_t *p, size_t len)
{
	crc = ~crc;
	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static void test_vectors(void **state)
{
	uint8_t buf[32];
	(void)state;

	assert_int_equal(crc32c(0, "123456789", 9), 0xe3069283u);
	assert_int_equal(crc32c(0, "", 0), 0);
	assert_int_equal(crc32c(0, NULL, 0), 0);
	assert_int_equal(crc32c(0x12345678u, NULL, 0), 0x12345678u);
	assert_int_equal(crc32c(0, "a", 1), 0xc1d04330u);
	/* RFC 3720 (iSCSI) appendix B.4 test vectors. */
	memset(buf, 0, sizeof buf);
	assert_int_equal(crc32c(0, buf, sizeof buf), 0x8a9136aau);
	memset(buf, 0xff, sizeof buf);
	assert_int_equal(crc32c(0, buf, sizeof buf), 0x62a8ab43u);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(crc32c(0, buf, sizeof buf), 0x46dd794eu);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	assert_int_equal(crc32c(0, buf, sizeof buf), 0x113fdb5cu);
}

static void test_incremental(void **state)
{
	static const char msg[] = "The quick brown fox jumps over the lazy dog, twice over.";
	size_t n = sizeof msg - 1;
	uint32_t whole = crc32c(0, msg, n);
	(void)state;

	assert_int_equal(whole, crc32c_bitwise(0, (const uint8_t *)msg, n));
	for (size_t cut = 0; cut <= n; cut++) {
		uint32_t c = crc32c(0, msg, cut);

		assert_int_equal(crc32c(c, msg + cut, n - cut), whole);
	}
	/* Byte by byte. */
	{
		uint32_t c = 0;

		for (size_t i = 0; i < n; i++)
			c = crc32c(c, msg + i, 1);
		assert_int_equal(c, whole);
	}
}

static void test_against_bitwise(void **state)
{
	uint8_t buf[1100];
	uint32_t x = 0x9e3779b9u;
	(void)state;

	for (size_t i = 0; i < sizeof buf; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	/* Every alignment and every length around the 8-byte step, plus long
	 * runs that exercise all eight tables on every byte value. */
	for (size_t off = 0; off < 16; off++)
		for (size_t len = 0; len <= 70; len++) {
			assert_int_equal(crc32c(0, buf + off, len),
					 crc32c_bitwise(0, buf + off, len));
			/* the table path, whatever this CPU has */
			assert_int_equal(crc32c_portable(0, buf + off, len),
					 crc32c_bitwise(0, buf + off, len));
		}
	assert_int_equal(crc32c_portable(7, buf, sizeof buf), crc32c_bitwise(7, buf, sizeof buf));
	assert_int_equal(crc32c(0, buf, sizeof buf), crc32c_bitwise(0, buf, sizeof buf));
	assert_int_equal(crc32c(0xdeadbeefu, buf + 3, 1000),
			 crc32c_bitwise(0xdeadbeefu, buf + 3, 1000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_incremental),
		cmocka_unit_test(test_against_bitwise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for common/sha256: NIST vectors, piecewise against one-shot
 * updates, and the portable path against the accelerated one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

typedef void update_fn(struct sha256 *c, const void *p, size_t n);

static void hex_of(update_fn *up, const void *p, size_t n, char hex[SHA256_HEXLEN + 1])
{
	struct sha256 c;
	uint8_t d[SHA256_LEN];

	sha256_init(&c);
	up(&c, p, n);
	sha256_final(&c, d);
	sha256_hex(d, hex);
}

static void check_vector(const char *msg, const char *want)
{
	char hex[SHA256_HEXLEN + 1];

	hex_of(sha256_update, msg, strlen(msg), hex);
	assert_string_equal(hex, want);
	hex_of(sha256_update_portable, msg, strlen(msg), hex);
	assert_string_equal(hex, want);
}

static void test_nist_vectors(void **state)
{
	(void)state;
	check_vector("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_vector("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	/* 448 bits: the padding no longer fits the first block */
	check_vector("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	/* 896 bits */
	check_vector("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklm"
		     "nopqklmnopqrlmnopqrsmnopqrstnopqrstu",
		     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void **state)
{
	static const char want[] =
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	char *a = malloc(1000000);
	char hex[SHA256_HEXLEN + 1];
	struct sha256 c;
	uint8_t d[SHA256_LEN];
	(void)state;

	assert_non_null(a);
	memset(a, 'a', 1000000);
	hex_of(sha256_update, a, 1000000, hex);
	assert_string_equal(hex, want);
	hex_of(sha256_update_portable, a, 1000000, hex);
	assert_string_equal(hex, want);
	/* in odd-sized pieces, so most updates start mid-block */
	sha256_init(&c);
	for (size_t off = 0; off < 1000000; off += 997)
		sha256_update(&c, a + off, off + 997 <= 1000000 ? 997 : 1000000 - off);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	assert_string_equal(hex, want);
	free(a);
}

static void test_hex(void **state)
{
	uint8_t d[SHA256_LEN];
	char hex[SHA256_HEXLEN + 1];
	(void)state;

	for (int i = 0; i < SHA256_LEN; i++)
		d[i] = (uint8_t)(i * 8 + 7);
	memset(hex, 'X', sizeof hex);
	sha256_hex(d, hex);
	assert_string_equal(hex,
			    "070f171f272f373f474f575f676f777f878f979fa7afb7bfc7cfd7dfe7eff7ff");
}

/* Every split of a 200-byte message into two and three pieces (with empty
 * pieces) hashes like the one-shot call. */
static void test_splits(void **state)
{
	uint8_t msg[200], whole[SHA256_LEN], d[SHA256_LEN];
	struct sha256 c;
	(void)state;

	for (size_t i = 0; i < sizeof msg; i++)
		msg[i] = (uint8_t)(i * 131 + 7);
	sha256_init(&c);
	sha256_update(&c, msg, sizeof msg);
	sha256_final(&c, whole);
	for (size_t i = 0; i <= sizeof msg; i++) {
		sha256_init(&c);
		sha256_update(&c, msg, i);
		sha256_update(&c, msg + i, sizeof msg - i);
		sha256_final(&c, d);
		assert_memory_equal(d, whole, SHA256_LEN);
		for (size_t j = i; j <= sizeof msg; j += 7) {
			sha256_init(&c);
			sha256_update_portable(&c, msg, i);
			sha256_update(&c, msg + i, j - i);
			sha256_update(&c, msg + j, sizeof msg - j);
			sha256_final(&c, d);
			assert_memory_equal(d, whole, SHA256_LEN);
		}
	}
	/* byte by byte */
	sha256_init(&c);
	for (size_t i = 0; i < sizeof msg; i++)
		sha256_update(&c, msg + i, 1);
	sha256_final(&c, d);
	assert_memory_equal(d, whole, SHA256_LEN);
}

static void test_portable_vs_accelerated(void **state)
{
	static uint8_t buf[1000 + 16];
	uint32_t x = 0x2545f491u;
	(void)state;

	for (size_t i = 0; i < sizeof buf; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	for (int round = 0; round < 2000; round++) {
		uint8_t a[SHA256_LEN], b[SHA256_LEN];
		struct sha256 ca, cb;
		size_t len, off;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		len = x % 1001;
		off = (x >> 12) % 16; /* unaligned starts too */
		sha256_init(&ca);
		sha256_update(&ca, buf + off, len);
		sha256_final(&ca, a);
		sha256_init(&cb);
		sha256_update_portable(&cb, buf + off, len);
		sha256_final(&cb, b);
		assert_memory_equal(a, b, SHA256_LEN);
		assert_int_equal(ca.total, len);
	}
}

/* A context can be reused after sha256_init. */
static void test_reinit(void **state)
{
	struct sha256 c;
	uint8_t d[SHA256_LEN];
	char hex[SHA256_HEXLEN + 1];
	(void)state;

	sha256_init(&c);
	sha256_update(&c, "garbage that must be forgotten", 30);
	sha256_init(&c);
	sha256_update(&c, "abc", 3);
	sha256_final(&c, d);
	sha256_hex(d, hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nist_vectors),
	    cmocka_unit_test(test_million_a),
	    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_splits),
	    cmocka_unit_test(test_portable_vs_accelerated),
	    cmocka_unit_test(test_reinit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for analyzer/query/keytab: dense indexes in first-seen order
 * across many doublings, every key found again (and no other), colliding
 * tags told apart by the key, the prefetch's likely index, and the hash of
 * keys that differ in the first word only never colliding. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "keytab.h"

/* key i: an IPv4-like key (first word) for even i, an IPv6-like one
 * (second and third words) for odd i */
static void key_of(struct agg_key *k, uint32_t i)
{
	memset(k, 0, sizeof *k);
	if (i % 2 == 0) {
		k->b[0] = 2;
		memcpy(k->b + 1, &i, 4);
	} else {
		k->b[0] = 10;
		memcpy(k->b + 9, &i, 4);
		k->b[19] = (uint8_t)(i >> 3);
	}
}

static void test_dense_order_and_find(void **state)
{
	struct keytab t;
	const uint32_t n = 200000;   /* 1024 slots at first: 9 doublings */
	struct agg_key k;
	int added;

	(void)state;
	assert_int_equal(keytab_init(&t), 0);
	for (uint32_t i = 0; i < n; i++) {
		key_of(&k, i);
		assert_int_equal(keytab_get(&t, &k, keytab_hash(&k), &added), (long)i);
		assert_int_equal(added, 1);
	}
	assert_int_equal(t.n, n);
	assert_true(t.nslot >= 2 * (size_t)n);
	/* every key again: the same index, nothing added */
	for (uint32_t i = 0; i < n; i++) {
		key_of(&k, i);
		assert_int_equal(keytab_get(&t, &k, keytab_hash(&k), &added), (long)i);
		assert_int_equal(added, 0);
		assert_int_equal(keytab_find(&t, &k, keytab_hash(&k)), (long)i);
	}
	assert_int_equal(t.n, n);
	/* keys never added */
	for (uint32_t i = n; i < n + 1000; i++) {
		key_of(&k, i);
		assert_int_equal(keytab_find(&t, &k, keytab_hash(&k)), -1);
	}
	keytab_fini(&t);
}

/* Two keys given the same hash (as an adversary could make them): one
 * slot each, each found by its bytes. */
static void test_same_hash_told_apart(void **state)
{
	struct keytab t;
	struct agg_key a, b, c;
	const uint64_t h = 0x1234567800000042ULL;

	(void)state;
	key_of(&a, 2);
	key_of(&b, 4);
	key_of(&c, 6);
	assert_int_equal(keytab_init(&t), 0);
	assert_int_equal(keytab_get(&t, &a, h, NULL), 0);
	assert_int_equal(keytab_get(&t, &b, h, NULL), 1);
	assert_int_equal(keytab_find(&t, &a, h), 0);
	assert_int_equal(keytab_find(&t, &b, h), 1);
	assert_int_equal(keytab_find(&t, &c, h), -1);
	/* the home slot names the first: what the prefetch reports */
	assert_int_equal(keytab_prefetch(&t, h, 0), -1);
	assert_int_equal(keytab_prefetch(&t, h, 1), 0);
	assert_int_equal(keytab_prefetch(&t, h ^ 0x0000010000000000ULL, 1), -1);   /* another home slot, empty */
	keytab_fini(&t);
}

/* Keys that differ only in their first 8 bytes (addresses, ports, states)
 * have distinct hashes: no two of 2^20 collide. */
static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static void test_first_word_no_collision(void **state)
{
	const size_t n = (size_t)1 << 20;
	uint64_t *h = malloc(n * sizeof *h);
	struct agg_key k;

	(void)state;
	assert_non_null(h);
	for (size_t i = 0; i < n; i++) {
		uint32_t v = (uint32_t)i * 2654435761u;   /* spread like addresses */

		memset(&k, 0, sizeof k);
		k.b[0] = 2;
		memcpy(k.b + 1, &v, 4);
		h[i] = keytab_hash(&k);
	}
	qsort(h, n, sizeof *h, cmp_u64);
	for (size_t i = 1; i < n; i++)
		assert_true(h[i - 1] != h[i]);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dense_order_and_find),
		cmocka_unit_test(test_same_hash_told_apart),
		cmocka_unit_test(test_first_word_no_collision),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

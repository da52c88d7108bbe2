/* Unit tests for common/grow: the first size, doubling, no move while there
 * is room, and refusal (the array kept) when the size would overflow; the
 * same for grow_to's room for many at once; big arrays on 2 MiB boundaries
 * from 2 MiB on, zeroed when asked, their contents kept as they grow. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"

static void test_first_and_doubling(void **state)
{
	int *v = NULL, *nv;
	size_t cap = 0;

	(void)state;
	for (size_t n = 0; n < 100; n++) {
		nv = grow(v, &cap, n, sizeof *v, 4);
		assert_non_null(nv);
		v = nv;
		v[n] = (int)n;
		assert_true(cap > n);
	}
	assert_int_equal(cap, 128);   /* 4, 8, 16, 32, 64, 128 */
	for (size_t n = 0; n < 100; n++)
		assert_int_equal(v[n], (int)n);
	free(v);
}

static void test_room_left_keeps_pointer(void **state)
{
	size_t cap = 0;
	int *v = grow(NULL, &cap, 0, sizeof *v, 8);

	(void)state;
	assert_non_null(v);
	assert_int_equal(cap, 8);
	assert_ptr_equal(grow(v, &cap, 7, sizeof *v, 8), v);
	assert_int_equal(cap, 8);
	free(v);
}

static void test_overflow_refused(void **state)
{
	size_t cap = 0;
	char *v = grow(NULL, &cap, 0, 1, 16), *nv;

	(void)state;
	assert_non_null(v);
	/* a capacity whose double does not fit: refused, v and cap kept */
	cap = SIZE_MAX / 2 + 1;
	nv = grow(v, &cap, cap, 1, 16);
	assert_null(nv);
	assert_int_equal(cap, SIZE_MAX / 2 + 1);
	/* elements too large for the doubled count */
	cap = 16;
	assert_null(grow(v, &cap, 16, SIZE_MAX / 16, 16));
	assert_int_equal(cap, 16);
	/* no first size: nothing to grow to */
	cap = 0;
	assert_null(grow(NULL, &cap, 0, 1, 0));
	free(v);
}

/* grow_to: as many doublings as the room asked for takes, at once; none
 * when there is room; refused (v and cap kept) past the sizes that fit. */
static void test_grow_to(void **state)
{
	size_t cap = 0;
	int *v = grow_to(NULL, &cap, 100, sizeof *v, 4), *nv;

	(void)state;
	assert_non_null(v);
	assert_int_equal(cap, 128);   /* 4 doubled five times */
	v[99] = 99;
	assert_ptr_equal(grow_to(v, &cap, 128, sizeof *v, 4), v);
	assert_int_equal(cap, 128);
	nv = grow_to(v, &cap, 129, sizeof *v, 4);
	assert_non_null(nv);
	v = nv;
	assert_int_equal(cap, 256);
	assert_int_equal(v[99], 99);
	assert_null(grow_to(v, &cap, SIZE_MAX / 2 + 2, sizeof *v, 4));
	assert_null(grow_to(v, &cap, SIZE_MAX / 4 + 1, sizeof *v, 4));   /* bytes overflow */
	assert_int_equal(cap, 256);
	cap = 0;
	assert_null(grow_to(NULL, &cap, 1, 1, 0));
	assert_int_equal(cap, 0);
	free(v);
}

#define MIB ((size_t)1 << 20)

static bool on_2mib(const void *p)
{
	return (uintptr_t)p % (2 * MIB) == 0;
}

static void test_big_alloc(void **state)
{
	unsigned char *small = big_alloc(1000, 4, true);
	unsigned char *big = big_alloc(3 * MIB / 8, 8, true);
	unsigned char *raw = big_alloc(2 * MIB, 1, false);

	(void)state;
	assert_non_null(small);
	assert_non_null(big);
	assert_non_null(raw);
	for (size_t i = 0; i < 4000; i++)
		assert_int_equal(small[i], 0);
	assert_true(on_2mib(big));
	assert_true(on_2mib(raw));
	for (size_t i = 0; i < 3 * MIB; i += 4093)
		assert_int_equal(big[i], 0);
	assert_int_equal(big[3 * MIB - 1], 0);
	memset(raw, 7, 2 * MIB);   /* all of it is ours */
	assert_null(big_alloc(SIZE_MAX / 4 + 1, 8, false));
	assert_null(big_alloc(SIZE_MAX - MIB, 1, true));
	free(small);
	free(big);
	free(raw);
}

/* grow_big doubles as grow does; the block that reaches 2 MiB is a big
 * one, with every element written before still there. */
static void test_grow_big(void **state)
{
	uint32_t *v = NULL, *nv;
	size_t cap = 0, n = MIB;   /* 4 MiB of elements */

	(void)state;
	for (size_t i = 0; i < n; i++) {
		nv = grow_big(v, &cap, i, sizeof *v, 256);
		assert_non_null(nv);
		v = nv;
		v[i] = (uint32_t)i * 2654435761u;
	}
	assert_int_equal(cap, MIB);   /* 256 doubled twelve times */
	assert_true(on_2mib(v));
	for (size_t i = 0; i < n; i++)
		if (v[i] != (uint32_t)i * 2654435761u)
			fail_msg("element %zu lost", i);
	assert_ptr_equal(grow_big(v, &cap, n - 1, sizeof *v, 256), v);
	cap = SIZE_MAX / 2 + 1;
	assert_null(grow_big(v, &cap, cap, sizeof *v, 256));
	free(v);
}

static void test_grow_big_to(void **state)
{
	uint64_t *v = grow_big_to(NULL, &(size_t){0}, 10, sizeof *v, 16), *nv;
	size_t cap = 16;

	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < 16; i++)
		v[i] = i + 1;
	nv = grow_big_to(v, &cap, MIB / 2 + 1, sizeof *v, 16);   /* past 4 MiB at once */
	assert_non_null(nv);
	v = nv;
	assert_int_equal(cap, MIB);
	assert_true(on_2mib(v));
	for (size_t i = 0; i < 16; i++)
		assert_int_equal(v[i], i + 1);
	v[MIB - 1] = 1;
	assert_ptr_equal(grow_big_to(v, &cap, MIB, sizeof *v, 16), v);
	assert_null(grow_big_to(v, &cap, SIZE_MAX / 8 + 1, sizeof *v, 16));
	assert_int_equal(cap, MIB);
	free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_and_doubling),
		cmocka_unit_test(test_room_left_keeps_pointer),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_grow_to),
		cmocka_unit_test(test_big_alloc),
		cmocka_unit_test(test_grow_big),
		cmocka_unit_test(test_grow_big_to),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

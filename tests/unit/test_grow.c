/* Unit tests for common/grow: the first size, doubling, no move while there
 * is room, and refusal (the array kept) when the size would overflow; the
 * same for grow_to's room for many at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_and_doubling),
		cmocka_unit_test(test_room_left_keeps_pointer),
		cmocka_unit_test(test_overflow_refused),
		cmocka_unit_test(test_grow_to),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

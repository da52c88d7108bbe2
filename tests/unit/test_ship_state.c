/* Unit tests for analyzer/fleet/ship_state: the shipper's state file round
 * trip (chains and the batch in flight), refusals, atomic replacement. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ship_int.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/test_ship.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_round_trip(void **state)
{
	struct ship_state st = {0}, back = {0};
	char path[128];

	(void)state;
	snprintf(path, sizeof path, "%s/state", dir);
	assert_int_equal(ship_state_load(&st, path), 0);   /* missing: empty */
	assert_int_equal(ship_state_done(&st, 7), -1);
	assert_int_equal(ship_state_set(&st, 9, 100), 0);
	assert_int_equal(ship_state_set(&st, 3, 5), 0);    /* out of order: sorted */
	assert_int_equal(ship_state_set(&st, 9, 200), 0);  /* moves on */
	st.pend_batch = 123456789;
	assert_int_equal(ship_state_add_piece(&st, &(struct ship_piece){11, 0, 1999}), 0);
	assert_int_equal(ship_state_add_piece(&st, &(struct ship_piece){12, 5, 6}), 0);
	assert_int_equal(ship_state_save(&st, path), 0);
	assert_int_equal(ship_state_load(&back, path), 0);
	assert_int_equal(back.n, 2);
	assert_int_equal(ship_state_done(&back, 3), 5);
	assert_int_equal(ship_state_done(&back, 9), 200);
	assert_int_equal(ship_state_done(&back, 4), -1);
	assert_int_equal(back.npend, 2);
	assert_true(back.pend_batch == 123456789);
	assert_int_equal(back.pend[1].chain, 12);
	assert_int_equal(back.pend[1].b, 6);
	{
		char tmp[160];

		snprintf(tmp, sizeof tmp, "%s.tmp", path);
		assert_int_equal(access(tmp, F_OK), -1);   /* renamed, not left behind */
	}
	ship_state_fini(&st);
	ship_state_fini(&back);
}

static void test_refused(void **state)
{
	static const char *const bad[] = {
		"not a state\n",
		"sockscope-ship 1\nc 1\n",
		"sockscope-ship 1\nc 1 2 3\n",
		"sockscope-ship 1\np 1 2 5 4\n",             /* a > b */
		"sockscope-ship 1\np 1 2 0 4\np 9 3 0 1\n",  /* two batches in flight */
		"sockscope-ship 1\nc 1 2",                   /* cut line */
	};
	char path[128];

	(void)state;
	snprintf(path, sizeof path, "%s/bad", dir);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ship_state st = {0};

		write_file(path, bad[i]);
		assert_int_equal(ship_state_load(&st, path), -EBADMSG);
		ship_state_fini(&st);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

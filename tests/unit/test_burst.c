/* Unit tests for recorder/burst: thresholds, rates, calming down. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "burst.h"

static const struct burst_cfg cfg = {256, 100, 3};

static bool step(struct burst *b, int64_t sec, uint64_t syn, int64_t cookies, int64_t ovf, char *why)
{
	struct burst_obs o = {sec * USEC_PER_SEC, syn, cookies, ovf};
	return burst_update(b, &cfg, &o, why, 128);
}

static void test_syn_recv_threshold(void **state)
{
	struct burst b = {0};
	char why[128];
	(void)state;

	assert_false(step(&b, 0, 10, 0, 0, why));
	assert_string_equal(why, "");
	assert_false(step(&b, 10, 255, 0, 0, why));
	assert_true(step(&b, 20, 256, 0, 0, why));
	assert_string_equal(why, "burst: syn_recv 256 >= 256");
	/* calm needs 3 quiet snapshots */
	assert_true(step(&b, 21, 3, 0, 0, why));
	assert_string_equal(why, "burst: calming 1/3");
	assert_true(step(&b, 22, 3, 0, 0, why));
	assert_string_equal(why, "burst: calming 2/3");
	assert_false(step(&b, 23, 3, 0, 0, why));
	assert_string_equal(why, "");
	assert_false(b.active);
}

static void test_counter_rates(void **state)
{
	struct burst b = {0};
	char why[128];
	(void)state;

	/* SYN_RECV stays small (syncookies), the counter shows the flood */
	assert_false(step(&b, 0, 0, 1000, 5, why));
	assert_false(step(&b, 10, 0, 1990, 5, why));          /* 99/s */
	assert_true(step(&b, 20, 0, 2990, 5, why));           /* 100/s */
	assert_string_equal(why, "burst: SyncookiesSent 100/s >= 100/s");
	assert_true(step(&b, 21, 0, 2990, 505, why));         /* 500/s overflows */
	assert_string_equal(why, "burst: ListenOverflows 500/s >= 100/s");
	/* a counter reset (reboot) is not a rate */
	assert_true(step(&b, 22, 0, 0, 0, why));
	assert_string_equal(why, "burst: calming 1/3");
	/* unknown counters never trigger */
	assert_true(step(&b, 23, 0, -1, -1, why));
	assert_string_equal(why, "burst: calming 2/3");
	/* re-trigger resets the calm count */
	assert_true(step(&b, 24, 1000, -1, -1, why));
	assert_true(step(&b, 25, 0, -1, -1, why));
	assert_string_equal(why, "burst: calming 1/3");
}

static void test_disabled(void **state)
{
	struct burst b = {0};
	struct burst_cfg off = {0, 0, 3};
	struct burst_obs o = {0, 100000, 0, 0};
	char why[128];
	(void)state;

	assert_false(burst_update(&b, &off, &o, why, sizeof(why)));
	o = (struct burst_obs){USEC_PER_SEC, 100000, 1000000, 1000000};
	assert_false(burst_update(&b, &off, &o, why, sizeof(why)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syn_recv_threshold),
		cmocka_unit_test(test_counter_rates),
		cmocka_unit_test(test_disabled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

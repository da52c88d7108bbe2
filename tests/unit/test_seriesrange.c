/* Unit tests for analyzer/fleet/seriesrange: a batch's summary (values,
 * rates as spike_rates computes them, duplicate times), and the pruning
 * over batches: never skipping a series spike_find() finds a spike in. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "seriesrange.h"
#include "spike.h"

static void test_summary(void **state)
{
	const struct seriesrange_point p[] = {{1000000, 10}, {2000000, 13}, {4000000, 21},
					      {5000000, 5}, {6000000, 6}};
	struct seriesrange r;

	(void)state;
	seriesrange_of(p, 5, &r);
	assert_int_equal(r.t_first, 1000000);
	assert_int_equal(r.t_last, 6000000);
	assert_int_equal(r.v_first, 10);
	assert_int_equal(r.v_last, 6);
	assert_int_equal(r.vmin, 5);
	assert_int_equal(r.vmax, 21);
	assert_int_equal(r.points, 5);
	/* 3/s, 4/s, the reset 21 -> 5 gives none, 1/s */
	assert_int_equal(r.rates, 3);
	assert_true(r.rmin == 1.0);
	assert_true(r.rmax == 4.0);
	assert_true(r.exact);
}

static void test_duplicate_time(void **state)
{
	const struct seriesrange_point p[] = {{1000000, 1}, {1000000, 2}, {2000000, 3}};
	struct seriesrange r;
	struct seriesrange_acc a;

	(void)state;
	seriesrange_of(p, 3, &r);
	assert_false(r.exact);
	seriesrange_acc_init(&a);
	seriesrange_acc_add(&a, &r);
	assert_true(seriesrange_acc_may_spike(&a, 1e9, false));
	assert_true(seriesrange_acc_may_spike(&a, 1e9, true));
}

/* The rate across two batches counts: a flat series in each batch, a jump
 * between them. Overlapping batches are never pruned. */
static void test_between_batches(void **state)
{
	const struct seriesrange_point a[] = {{1000000, 0}, {2000000, 1}, {3000000, 2}};
	const struct seriesrange_point b[] = {{4000000, 500}, {5000000, 501}, {6000000, 502}};
	const struct seriesrange_point c[] = {{2500000, 7}, {3500000, 8}};
	struct seriesrange ra, rb, rc;
	struct seriesrange_acc acc;

	(void)state;
	seriesrange_of(a, 3, &ra);
	seriesrange_of(b, 3, &rb);
	seriesrange_of(c, 2, &rc);
	seriesrange_acc_init(&acc);
	seriesrange_acc_add(&acc, &ra);
	assert_false(seriesrange_acc_may_spike(&acc, 10, true));
	seriesrange_acc_add(&acc, &rb);
	assert_true(acc.rmax == 498.0);
	assert_true(seriesrange_acc_may_spike(&acc, 10, true));
	assert_false(seriesrange_acc_may_spike(&acc, 497, true));
	/* values: 0 .. 502 */
	assert_true(seriesrange_acc_may_spike(&acc, 10, false));
	assert_false(seriesrange_acc_may_spike(&acc, 502, false));
	seriesrange_acc_init(&acc);
	seriesrange_acc_add(&acc, &ra);
	seriesrange_acc_add(&acc, &rc);   /* starts before a ends */
	assert_true(seriesrange_acc_may_spike(&acc, 1e9, true));
}

/* The promise: on random series cut into random batches, whenever
 * spike_find() finds a spike (values or spike_rates' rates), the summaries
 * say it may. */
static void test_never_misses(void **state)
{
	struct spike_params prm;
	int found = 0, pruned = 0;

	(void)state;
	spike_params_default(&prm);
	srand(19);
	for (int round = 0; round < 2000; round++) {
		size_t n = 5 + (size_t)(rand() % 60);
		struct seriesrange_point p[64];
		struct spike_point sp[64];
		int64_t t[64], cum[64];
		struct seriesrange_acc av, ar;
		size_t k;
		int64_t v = rand() % 5;

		prm.min_rise = (double)(rand() % 30);
		for (size_t i = 0; i < n; i++) {
			v += rand() % 4 == 0 ? rand() % 40 : rand() % 3;
			if (rand() % 50 == 0)
				v = rand() % 5;   /* a reset */
			p[i] = (struct seriesrange_point){(int64_t)(i + 1) * 1000000 + rand() % 900000,
							  v};
			t[i] = p[i].t;
			cum[i] = v;
			sp[i] = (struct spike_point){p[i].t, (double)v};
		}
		seriesrange_acc_init(&av);
		seriesrange_acc_init(&ar);
		for (size_t i = 0; i < n; i += k) {
			struct seriesrange r;

			k = 1 + (size_t)(rand() % 9);
			if (k > n - i)
				k = n - i;
			seriesrange_of(p + i, k, &r);
			seriesrange_acc_add(&av, &r);
			seriesrange_acc_add(&ar, &r);
		}
		if (spike_find(sp, n, &prm, NULL, 0) > 0) {
			assert_true(seriesrange_acc_may_spike(&av, prm.min_rise, false));
			found++;
		}
		k = spike_rates(t, cum, NULL, n, sp);
		if (spike_find(sp, k, &prm, NULL, 0) > 0) {
			assert_true(seriesrange_acc_may_spike(&ar, prm.min_rise, true));
			found++;
		} else if (!seriesrange_acc_may_spike(&ar, prm.min_rise, true)) {
			pruned++;
		}
	}
	/* the test is not empty: spikes were found, and some series skipped */
	assert_true(found > 100);
	assert_true(pruned > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_duplicate_time),
		cmocka_unit_test(test_between_batches),
		cmocka_unit_test(test_never_misses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

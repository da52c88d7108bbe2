/* test_summary — report_summary_gaps(): when a recording missed snapshots, against
 * the recorder's interval or, when it does not say, the usual spacing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "report_summary.h"

#define S USEC_PER_SEC

/* report_summary_gaps with every snapshot saying the same interval */
static long gaps_at(const usec_t *t, size_t n, usec_t interval, struct report_summary_gap *g, size_t max)
{
	usec_t iv[16];

	for (size_t i = 0; i < n && i < 16; i++)
		iv[i] = interval;
	return report_summary_gaps(t, iv, n, g, max);
}

static void test_even_spacing_no_gap(void **state)
{
	usec_t t[] = {0, 10 * S, 20 * S, 30 * S, 40 * S};
	struct report_summary_gap g[4];

	(void)state;
	assert_int_equal(report_summary_gaps(t, NULL, 5, g, 4), 0);
	assert_int_equal(gaps_at(t, 5, 10 * S, g, 4), 0);
	/* jitter well under half an interval is no gap */
	t[2] = 24 * S;
	assert_int_equal(report_summary_gaps(t, NULL, 5, g, 4), 0);
}

static void test_median_spacing(void **state)
{
	/* 10 s apart, then 70 s (6 missed), then 10 s again */
	usec_t t[] = {0, 10 * S, 20 * S, 90 * S, 100 * S, 110 * S};
	struct report_summary_gap g[4];

	(void)state;
	assert_int_equal(report_summary_gaps(t, NULL, 6, g, 4), 1);
	assert_int_equal(g[0].from, 20 * S);
	assert_int_equal(g[0].to, 90 * S);
	assert_int_equal(g[0].expected, 10 * S);
	assert_int_equal(g[0].missed, 6);
}

static void test_recorder_interval_believed(void **state)
{
	usec_t t[] = {0, 10 * S, 20 * S, 90 * S};
	struct report_summary_gap g[4];

	(void)state;
	/* at 30 s, 10 s spacing is no gap and 70 s misses one (70/30 rounds to 2) */
	assert_int_equal(gaps_at(t, 4, 30 * S, g, 4), 1);
	assert_int_equal(g[0].from, 20 * S);
	assert_int_equal(g[0].missed, 1);
	/* 1.5 intervals is the line: 15 s at 10 s is not a gap, 16 s is */
	{
		usec_t u[] = {0, 15 * S, 31 * S};

		assert_int_equal(gaps_at(u, 3, 10 * S, g, 4), 1);
		assert_int_equal(g[0].from, 15 * S);
		assert_int_equal(g[0].missed, 1);
	}
}

static void test_burst_steps(void **state)
{
	/* 1 s, then burst mode at 0.5 s, then back to 1 s: no gap, though
	 * most spacings are 0.5 s; a missed burst tick is one */
	usec_t t[] = {0, S, 2 * S, 2 * S + S / 2, 3 * S, 3 * S + S / 2, 4 * S, 4 * S + S / 2,
		      5 * S + S / 2, 6 * S + S / 2, 8 * S + S / 2};
	usec_t iv[] = {S, S, S, S / 2, S / 2, S / 2, S / 2, S / 2, S, S, S};
	struct report_summary_gap g[4];

	(void)state;
	assert_int_equal(report_summary_gaps(t, iv, 11, g, 4), 1);
	assert_int_equal(g[0].from, 6 * S + S / 2);
	assert_int_equal(g[0].expected, S);
	assert_int_equal(g[0].missed, 1);
	/* without the recorder's word, the median (0.5 s) flags every 1 s step */
	assert_true(report_summary_gaps(t, NULL, 11, g, 4) >= 4);
	t[5] = 4 * S;   /* a missed tick in burst mode: 3.0 .. 4.0 at 0.5 s */
	t[6] = 4 * S + S / 4;
	iv[6] = S / 2;
	assert_int_equal(report_summary_gaps(t, iv, 11, g, 4), 2);
	assert_int_equal(g[0].from, 3 * S);
	assert_int_equal(g[0].missed, 1);
}

static void test_count_beyond_max(void **state)
{
	usec_t t[12];
	struct report_summary_gap g[2];

	(void)state;
	/* 100 s apart up to 600 s, then 300 s apart: of the 11 spacings six
	 * are 100 s (the median) and five 300 s, each missing two */
	for (int i = 0; i < 12; i++)
		t[i] = (usec_t)i * 100 * S + (i > 6 ? (usec_t)(i - 6) * 200 * S : 0);
	assert_int_equal(report_summary_gaps(t, NULL, 12, g, 2), 5);
	assert_int_equal(g[0].from, 600 * S);
	assert_int_equal(g[0].to, 900 * S);
	assert_int_equal(g[0].missed, 2);
}

static void test_degenerate(void **state)
{
	usec_t one[] = {5 * S}, same[] = {5 * S, 5 * S, 5 * S};
	struct report_summary_gap g[1];

	(void)state;
	assert_int_equal(report_summary_gaps(NULL, NULL, 0, g, 1), 0);
	assert_int_equal(report_summary_gaps(one, NULL, 1, g, 1), 0);
	/* all at one time: no spacing, so nothing can be missed */
	assert_int_equal(report_summary_gaps(same, NULL, 3, g, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_even_spacing_no_gap),
		cmocka_unit_test(test_median_spacing),
		cmocka_unit_test(test_recorder_interval_believed),
		cmocka_unit_test(test_burst_steps),
		cmocka_unit_test(test_count_beyond_max),
		cmocka_unit_test(test_degenerate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

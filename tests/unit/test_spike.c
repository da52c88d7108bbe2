/* Unit tests for analyzer/spike: baseline, thresholds, hysteresis, history,
 * counter rates, bad input — with exact boundaries. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "spike.h"

#define T0 ((int64_t)1700000000 * 1000000)   /* 2023-11-14T22:13:20Z */
#define STEP ((int64_t)10 * 1000000)          /* a snapshot every 10 s */
#define MAXP 128

/* Series i has t = T0 + i * STEP. */
static int64_t tt(size_t i)
{
	return T0 + (int64_t)i * STEP;
}

static void fill(struct spike_point *p, size_t n, double v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i].t = tt(i);
		p[i].v = v;
	}
}

/* Deterministic noise in {-2, -1, 0, 1, 2} (xorshift32, fixed seed). */
static double noise(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (double)(*s % 5) - 2.0;
}

static void fill_noisy(struct spike_point *p, size_t n, double base, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i].t = tt(i);
		p[i].v = base + noise(&seed);
	}
}

static void set(struct spike_point *p, size_t from, size_t to, double v)
{
	size_t i;

	for (i = from; i <= to; i++)
		p[i].v = v;
}

static long find(const struct spike_point *p, size_t n, double min_rise, struct spike *out,
		 size_t max_out)
{
	struct spike_params prm;

	spike_params_default(&prm);
	prm.min_rise = min_rise;
	return spike_find(p, n, &prm, out, max_out);
}

static void assert_spike(const struct spike *s, size_t first, size_t last, double peak,
			 size_t peak_i, bool open)
{
	assert_int_equal(s->start, tt(first));
	assert_int_equal(s->end, tt(last));
	assert_int_equal(s->first, first);
	assert_int_equal(s->points, last - first + 1);
	assert_true(s->peak == peak);
	assert_int_equal(s->peak_t, tt(peak_i));
	assert_int_equal(s->open, open);
}

static void test_defaults(void **state)
{
	struct spike_params prm;
	(void)state;

	memset(&prm, 0xff, sizeof prm);
	spike_params_default(&prm);
	assert_int_equal(prm.window, 30);
	assert_true(prm.k == 4.0);
	assert_true(prm.min_rise == 10.0);
	assert_int_equal(prm.min_history, 3);
}

static void test_flat(void **state)
{
	struct spike_point p[MAXP];
	struct spike out[4];
	(void)state;

	fill(p, 100, 5);
	assert_int_equal(find(p, 100, 10.0, out, 4), 0);
	/* min_rise 0 and sigma 0: threshold == baseline, equal is not above */
	assert_int_equal(find(p, 100, 0.0, out, 4), 0);

	fill_noisy(p, 100, 5, 12345);
	assert_int_equal(find(p, 100, 10.0, out, 4), 0);
	fill_noisy(p, 100, 20, 777);
	assert_int_equal(find(p, 100, 10.0, out, 4), 0);
}

static void test_planted(void **state)
{
	struct spike_point p[MAXP];
	struct spike out[4];
	(void)state;

	fill_noisy(p, 40, 20, 4242);
	set(p, 20, 27, 500);
	assert_int_equal(find(p, 40, 10.0, out, 4), 1);
	assert_spike(&out[0], 20, 27, 500, 20, false);
	assert_true(out[0].baseline >= 18 && out[0].baseline <= 22);
	/* noise of ±2 is below min_rise: the threshold is baseline + 10 */
	assert_true(out[0].threshold == out[0].baseline + 10.0);

	/* the peak is the highest point, the first of equals */
	p[23].v = 900;
	p[25].v = 900;
	assert_int_equal(find(p, 40, 10.0, out, 4), 1);
	assert_spike(&out[0], 20, 27, 900, 23, false);
}

static void test_exact_baseline(void **state)
{
	struct spike_point p[MAXP];
	struct spike out[4];
	(void)state;

	/*
	 * History 0 0 10 10 (10 is not above 0 + min_rise 10 at i = 3):
	 * median (0 + 10) / 2 = 5, distances 5 5 5 5, MAD 5,
	 * threshold 5 + 4 * 1.4826 * 5 = 34.652.
	 */
	fill(p, 8, 0);
	set(p, 2, 3, 10);
	set(p, 4, 5, 35);
	set(p, 6, 7, 5);
	assert_int_equal(find(p, 8, 10.0, out, 4), 1);
	assert_spike(&out[0], 4, 5, 35, 4, false);
	assert_true(out[0].baseline == 5.0);
	assert_true(fabs(out[0].threshold - 34.652) < 1e-9);
	/* just below the threshold, then just above */
	p[4].v = 34.65;
	p[5].v = 5;
	assert_int_equal(find(p, 8, 10.0, out, 4), 0);
	p[4].v = 34.66;
	assert_int_equal(find(p, 8, 10.0, out, 4), 1);
	assert_spike(&out[0], 4, 4, 34.66, 4, false);

	/*
	 * History 0 1 4 6 10 10 (each below its own threshold): median 5,
	 * distances 5 4 1 1 5 5 -> 1 1 4 5 5 5, MAD (4 + 5) / 2 = 4.5,
	 * threshold 5 + 4 * 1.4826 * 4.5 = 31.6868.
	 */
	{
		const double v[8] = {0, 1, 4, 6, 10, 10, 40, 0};
		size_t i;

		for (i = 0; i < 8; i++)
			p[i].v = v[i];
		assert_int_equal(find(p, 8, 10.0, out, 4), 1);
		assert_spike(&out[0], 6, 6, 40, 6, false);
		assert_true(out[0].baseline == 5.0);
		assert_true(fabs(out[0].threshold - 31.6868) < 1e-9);
	}
}

static void test_plateau(void **state)
{
	struct spike_point p[MAXP];
	struct spike out[4];
	(void)state;

	fill_noisy(p, 100, 10, 99);
	set(p, 15, 60, 400);
	assert_int_equal(find(p, 100, 10.0, out, 4), 1);
	assert_spike(&out[0], 15, 60, 400, 15, false);
	assert_true(out[0].baseline >= 8 && out[0].baseline <= 12);
}

static void test_two(void **state)
{
	struct spike_point p[MAXP];
	struct spike out[4];
	(void)state;

	fill(p, 50, 10);
	set(p, 20, 24, 200);
	set(p, 35, 39, 300);
	p[37].v = 310;
	assert_int_equal(find(p, 50, 10.0, out, 4), 2);
	assert_spike(&out[0], 20, 24, 200, 20, false);
	assert_spike(&out[1], 35, 39, 310, 37, false);
	assert_true(out[0].baseline == 10 && out[0].threshold == 20);
	assert_true(out[1].baseline == 10 && out[1].threshold == 20);

	/* one quiet point between is enough to split */
	fill(p, 50, 10);
	set(p, 20, 24, 200);
	set(p, 26, 28, 200);
	assert_int_equal(find(p, 50, 10.0, out, 4), 2);
	assert_spike(&out[0], 20, 24, 200, 20, false);
	assert_spike(&out[1], 26, 28, 200, 26, false);
}

static void test_hysteresis(void **state)
{
	struct spike_point p[MAXP];
	struct spike out[4];
	(void)state;

	/* baseline 0, threshold 10, exit level 5 */
	fill(p, 20, 0);
	set(p, 10, 13, 100);
	p[12].v = 5.001;   /* just above the exit level: still inside */
	assert_int_equal(find(p, 20, 10.0, out, 4), 1);
	assert_spike(&out[0], 10, 13, 100, 10, false);
	assert_true(out[0].threshold == 10.0);

	/* below the threshold but above exit, even for long */
	set(p, 11, 15, 6);
	set(p, 16, 16, 100);
	assert_int_equal(find(p, 20, 10.0, out, 4), 1);
	assert_spike(&out[0], 10, 16, 100, 10, false);

	/* at the exit level: ends there, the next rise is a new spike */
	fill(p, 20, 0);
	set(p, 10, 13, 100);
	p[12].v = 5;
	assert_int_equal(find(p, 20, 10.0, out, 4), 2);
	assert_spike(&out[0], 10, 11, 100, 10, false);
	assert_spike(&out[1], 13, 13, 100, 13, false);

	/* below it: same */
	p[12].v = 4;
	assert_int_equal(find(p, 20, 10.0, out, 4), 2);
	assert_spike(&out[0], 10, 11, 100, 10, false);
	assert_spike(&out[1], 13, 13, 100, 13, false);

	/* above exit but not above threshold does not start one */
	fill(p, 20, 0);
	set(p, 10, 13, 9);
	assert_int_equal(find(p, 20, 10.0, out, 4), 0);
}

static void test_open(void **state)
{
	struct spike_point p[MAXP];
	struct spike out[4];
	(void)state;

	fill(p, 30, 3);
	set(p, 25, 29, 80);
	assert_int_equal(find(p, 30, 10.0, out, 4), 1);
	assert_spike(&out[0], 25, 29, 80, 25, true);

	/* only the last point */
	fill(p, 30, 3);
	p[29].v = 80;
	assert_int_equal(find(p, 30, 10.0, out, 4), 1);
	assert_spike(&out[0], 29, 29, 80, 29, true);
}

static void test_history(void **state)
{
	struct spike_point p[MAXP];
	struct spike out[4];
	(void)state;

	/*
	 * Rise at i = 2 with 2 quiet points: no detection there, 100 joins the
	 * history; at i = 3 history is 0 0 100 (median 0, MAD 0): detected
	 * from i = 3.
	 */
	fill(p, 7, 0);
	set(p, 2, 4, 100);
	assert_int_equal(find(p, 7, 10.0, out, 4), 1);
	assert_spike(&out[0], 3, 4, 100, 3, false);
	assert_true(out[0].baseline == 0);

	/* Rise at i = 1: history 0 100 100 has median 100, never a spike. */
	fill(p, 7, 100);
	p[0].v = 0;
	assert_int_equal(find(p, 7, 10.0, out, 4), 0);

	/* min_history 0 acts as 1: the first point is always history */
	{
		struct spike_params prm;

		spike_params_default(&prm);
		prm.min_history = 0;
		fill(p, 4, 0);
		p[0].v = 100;
		assert_int_equal(spike_find(p, 4, &prm, out, 4), 0);
		p[0].v = 0;
		p[1].v = 100;
		assert_int_equal(spike_find(p, 4, &prm, out, 4), 1);
		assert_spike(&out[0], 1, 1, 100, 1, false);
	}
}

static void test_min_rise(void **state)
{
	struct spike_point p[MAXP];
	struct spike out[4];
	(void)state;

	fill(p, 20, 0);
	set(p, 10, 12, 5);
	assert_int_equal(find(p, 20, 10.0, out, 4), 0);
	assert_int_equal(find(p, 20, 1.0, out, 4), 1);
	assert_spike(&out[0], 10, 12, 5, 10, false);
	assert_true(out[0].baseline == 0 && out[0].threshold == 1.0);
}

static void test_window(void **state)
{
	struct spike_point p[MAXP];
	struct spike out[4];
	struct spike_params prm;
	(void)state;

	/* 10 points of 0, then 10 of 5 (below min_rise), then 14 */
	fill(p, 22, 0);
	set(p, 10, 19, 5);
	p[20].v = 14;
	spike_params_default(&prm);
	/* window 30: history 0 x10, 5 x10 -> median 2.5, MAD 2.5, sigma 3.7065:
	 * threshold 2.5 + 14.826 = 17.326 */
	assert_int_equal(spike_find(p, 22, &prm, out, 4), 0);
	/* window 5: the last five are all 5 -> threshold 15 */
	prm.window = 5;
	assert_int_equal(spike_find(p, 22, &prm, out, 4), 0);
	p[20].v = 15.5;
	assert_int_equal(spike_find(p, 22, &prm, out, 4), 1);
	assert_spike(&out[0], 20, 20, 15.5, 20, false);
	assert_true(out[0].baseline == 5 && out[0].threshold == 15);
	/* window 10: the ten 5s, same threshold */
	prm.window = 10;
	assert_int_equal(spike_find(p, 22, &prm, out, 4), 1);
	assert_true(out[0].baseline == 5 && out[0].threshold == 15);

	/* spike points stay out of the window: after a 40-point flood with
	 * window 10, the baseline is still the pre-flood one */
	fill(p, 60, 2);
	set(p, 10, 49, 300);
	p[51].v = 13;
	assert_int_equal(spike_find(p, 60, &prm, out, 4), 2);
	assert_spike(&out[0], 10, 49, 300, 10, false);
	assert_spike(&out[1], 51, 51, 13, 51, false);
	assert_true(out[1].baseline == 2 && out[1].threshold == 12);
}

static void test_rates(void **state)
{
	int64_t t[8], c[8];
	bool restart[8] = {false};
	struct spike_point r[8];
	size_t i;
	(void)state;

	for (i = 0; i < 8; i++)
		t[i] = T0 + (int64_t)i * 1000000;
	{
		const int64_t v[6] = {0, 0, 0, 1000, 3000, 3000};
		const double want[5] = {0, 0, 1000, 2000, 0};

		memcpy(c, v, sizeof v);
		assert_int_equal(spike_rates(t, c, NULL, 6, r), 5);
		for (i = 0; i < 5; i++) {
			assert_int_equal(r[i].t, t[i + 1]);
			assert_true(r[i].v == want[i]);
		}
	}
	/* per second, over a 10 s interval */
	t[1] = t[0] + 10 * 1000000;
	c[0] = 100;
	c[1] = 600;
	assert_int_equal(spike_rates(t, c, NULL, 2, r), 1);
	assert_true(r[0].v == 50.0);
	for (i = 0; i < 8; i++)
		t[i] = T0 + (int64_t)i * 1000000;

	/* reset: 0 100 50 150 -> 100, (none), 100 */
	c[0] = 0;
	c[1] = 100;
	c[2] = 50;
	c[3] = 150;
	assert_int_equal(spike_rates(t, c, NULL, 4, r), 2);
	assert_int_equal(r[0].t, t[1]);
	assert_true(r[0].v == 100);
	assert_int_equal(r[1].t, t[3]);
	assert_true(r[1].v == 100);

	/* restart flag on sample 2: no rate from 1 to 2 even though it grew */
	c[0] = 0;
	c[1] = 100;
	c[2] = 300;
	c[3] = 400;
	restart[2] = true;
	assert_int_equal(spike_rates(t, c, restart, 4, r), 2);
	assert_int_equal(r[0].t, t[1]);
	assert_int_equal(r[1].t, t[3]);
	assert_true(r[1].v == 100);

	/* unknown values (negative) and time going backwards give no rate */
	c[2] = -1;
	assert_int_equal(spike_rates(t, c, NULL, 4, r), 1);
	c[2] = 300;
	t[2] = t[1];
	assert_int_equal(spike_rates(t, c, NULL, 4, r), 2);
	assert_int_equal(r[0].t, t[1]);
	assert_int_equal(r[1].t, t[3]);
	/* t 0 3 1 2 s: 1 -> 2 moves forward but ends before the last point */
	t[1] = T0 + 3 * 1000000;
	t[2] = T0 + 1 * 1000000;
	t[3] = T0 + 2 * 1000000;
	assert_int_equal(spike_rates(t, c, NULL, 4, r), 1);
	assert_int_equal(r[0].t, t[1]);

	assert_int_equal(spike_rates(t, c, NULL, 0, r), 0);
	assert_int_equal(spike_rates(t, c, NULL, 1, r), 0);
}

/*
 * Syncookies keep the SYN_RECV queue at 3 while SyncookiesSent climbs by
 * 5000/s for 6 intervals: nothing on the count, one spike on the rate.
 */
static void test_syncookies(void **state)
{
	struct spike_point syn[40], rate[40];
	int64_t t[40], c[40];
	struct spike out[4];
	size_t i, nr;
	(void)state;

	fill(syn, 40, 3);
	assert_int_equal(find(syn, 40, 10.0, out, 4), 0);

	c[0] = 12;
	for (i = 0; i < 40; i++) {
		t[i] = tt(i);
		/* intervals ending at samples 20..25 carry 5000/s * 10 s */
		if (i > 0)
			c[i] = c[i - 1] + (i >= 20 && i <= 25 ? 50000 : 0);
	}
	nr = spike_rates(t, c, NULL, 40, rate);
	assert_int_equal(nr, 39);
	for (i = 0; i < nr; i++)
		assert_true(rate[i].v == (i >= 19 && i <= 24 ? 5000.0 : 0.0));
	assert_int_equal(find(rate, nr, 1.0, out, 4), 1);
	assert_int_equal(out[0].start, tt(20));
	assert_int_equal(out[0].end, tt(25));
	assert_int_equal(out[0].points, 6);
	assert_true(out[0].peak == 5000.0);
	assert_true(out[0].baseline == 0 && out[0].threshold == 1.0);
	assert_false(out[0].open);
}

static void test_bad_input(void **state)
{
	struct spike_point p[MAXP];
	struct spike out[4];
	unsigned char untouched[sizeof(struct spike)];
	struct spike_params prm;
	(void)state;

	fill(p, 40, 10);
	set(p, 20, 24, 200);
	spike_params_default(&prm);
	memset(out, 0x5a, sizeof out);
	memset(untouched, 0x5a, sizeof untouched);

	prm.window = 0;
	assert_int_equal(spike_find(p, 40, &prm, out, 4), -EINVAL);
	spike_params_default(&prm);
	prm.k = -1;
	assert_int_equal(spike_find(p, 40, &prm, out, 4), -EINVAL);
	prm.k = NAN;
	assert_int_equal(spike_find(p, 40, &prm, out, 4), -EINVAL);
	prm.k = INFINITY;
	assert_int_equal(spike_find(p, 40, &prm, out, 4), -EINVAL);
	spike_params_default(&prm);
	prm.min_rise = -0.5;
	assert_int_equal(spike_find(p, 40, &prm, out, 4), -EINVAL);
	spike_params_default(&prm);
	assert_int_equal(spike_find(p, 40, NULL, out, 4), -EINVAL);
	assert_int_equal(spike_find(p, 40, &prm, NULL, 4), -EINVAL);
	assert_int_equal(spike_find(NULL, 40, &prm, out, 4), -EINVAL);

	/* a bad point after the spike: nothing written */
	p[30].v = NAN;
	assert_int_equal(spike_find(p, 40, &prm, out, 4), -EINVAL);
	p[30].v = -1;
	assert_int_equal(spike_find(p, 40, &prm, out, 4), -EINVAL);
	p[30].v = INFINITY;
	assert_int_equal(spike_find(p, 40, &prm, out, 4), -EINVAL);
	p[30].v = 10;
	p[30].t = p[29].t - 1;
	assert_int_equal(spike_find(p, 40, &prm, out, 4), -EINVAL);
	p[30].t = p[29].t;
	assert_int_equal(spike_find(p, 40, &prm, out, 4), -EINVAL);
	assert_memory_equal(&out[0], untouched, sizeof untouched);
	p[30].t = tt(30);

	/* nothing to look at */
	assert_int_equal(spike_find(p, 0, &prm, out, 4), 0);
	assert_int_equal(spike_find(NULL, 0, &prm, NULL, 0), 0);

	/* counting without room */
	set(p, 30, 32, 300);
	assert_int_equal(spike_find(p, 40, &prm, NULL, 0), 2);
	assert_int_equal(spike_find(p, 40, &prm, out, 1), 2);
	assert_spike(&out[0], 20, 24, 200, 20, false);
	assert_memory_equal(&out[1], untouched, sizeof untouched);

	/* a huge window costs only what n needs */
	prm.window = 4000000000u;
	assert_int_equal(spike_find(p, 40, &prm, out, 4), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_planted),
		cmocka_unit_test(test_exact_baseline),
		cmocka_unit_test(test_plateau),
		cmocka_unit_test(test_two),
		cmocka_unit_test(test_hysteresis),
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_min_rise),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_syncookies),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

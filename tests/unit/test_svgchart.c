/* Unit tests for analyzer/report/svgchart.c: the charts carry their data.
 * Every bar, column, point and tick is read back from the SVG written and
 * its geometry checked against its value or time: lengths and heights
 * proportional, stacks adjacent, ticks where their time falls, gaps not
 * drawn, and as many elements as values (a chart that draws nothing
 * fails). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svgchart.h"
#include "utctime.h"

#define EPS 0.11   /* coordinates are written with one decimal */

static void render_begin(FILE **f, size_t *len, char **mem)
{
	*mem = NULL;
	*f = open_memstream(mem, len);
	assert_non_null(*f);
}

static double attr(const char *el, const char *name)
{
	char key[32];
	const char *p;

	snprintf(key, sizeof key, " %s=\"", name);
	p = strstr(el, key);
	assert_non_null(p);
	return strtod(p + strlen(key), NULL);
}

/* The elements that begin with tag (e.g. "<rect class=\"bar\""), in order. */
static size_t elements(const char *svg, const char *tag, const char **out, size_t max)
{
	size_t n = 0;

	for (const char *p = strstr(svg, tag); p && n < max; p = strstr(p + 1, tag))
		out[n++] = p;
	return n;
}

static void test_nice_and_steps(void **state)
{
	(void)state;
	assert_true(svgchart_nice(0) == 1 && svgchart_nice(1) == 1 && svgchart_nice(-5) == 1);
	assert_true(svgchart_nice(3) == 5 && svgchart_nice(7) == 10 && svgchart_nice(2000) == 2000);
	assert_true(svgchart_nice(2143) == 2500 && svgchart_nice(2501) == 5000);
	assert_true(svgchart_nice(1.5e9) == 2e9);
	/* the ladder: the smallest step giving at most max ticks */
	assert_int_equal(svgchart_tick_step(22 * USEC_PER_SEC, 10), 5 * USEC_PER_SEC);
	assert_int_equal(svgchart_tick_step(9 * USEC_PER_SEC, 10), USEC_PER_SEC);
	assert_int_equal(svgchart_tick_step(600 * USEC_PER_SEC, 10), 120 * USEC_PER_SEC);
	assert_int_equal(svgchart_tick_step(86400 * USEC_PER_SEC, 10), 10800 * USEC_PER_SEC);
	assert_int_equal(svgchart_tick_step(7 * 86400 * USEC_PER_SEC, 10), 86400 * USEC_PER_SEC);
	assert_int_equal(svgchart_tick_step(30 * 86400 * USEC_PER_SEC, 10), 4 * 86400 * USEC_PER_SEC);
}

static void test_geometry(void **state)
{
	struct svgchart c;

	(void)state;
	svgchart_init(&c, 200, 1000 * USEC_PER_SEC, 1100 * USEC_PER_SEC, 90);
	assert_true(c.vmax == 100);
	assert_true(fabs(svgchart_x(&c, 1000 * USEC_PER_SEC) - c.x0) < 1e-9);
	assert_true(fabs(svgchart_x(&c, 1100 * USEC_PER_SEC) - (c.x0 + c.w)) < 1e-9);
	assert_true(fabs(svgchart_x(&c, 1025 * USEC_PER_SEC) - (c.x0 + c.w / 4)) < 1e-9);
	assert_true(fabs(svgchart_y(&c, 0) - (c.y0 + c.h)) < 1e-9);
	assert_true(fabs(svgchart_y(&c, 100) - c.y0) < 1e-9);
	assert_true(fabs(svgchart_y(&c, 25) - (c.y0 + c.h * 0.75)) < 1e-9);
	/* outside: clamped to the plot area */
	assert_true(svgchart_x(&c, 0) == c.x0 && svgchart_y(&c, 1e9) == c.y0);
}

static void test_bars(void **state)
{
	const char *names[] = {"198.51.100.0/24", "203.0.113.0/24", "<x>", "zero"};
	const double v[] = {1024, 476, 30, 0};
	const char *el[8];
	char *mem;
	size_t len, n;
	FILE *f;

	(void)state;
	render_begin(&f, &len, &mem);
	assert_int_equal(svgchart_bars(f, "t", names, v, 4), 0);
	fclose(f);
	n = elements(mem, "<rect class=\"bar\"", el, 8);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		double w = attr(el[i], "width"), dv = attr(el[i], "data-v");

		assert_true(fabs(dv - v[i]) < 1e-9);
		/* the longest is the full 250 units; the others in proportion */
		assert_true(fabs(w - 250 * v[i] / 1024) < EPS);
		if (i)
			assert_true(fabs(attr(el[i], "y") - attr(el[i - 1], "y") - 22) < EPS);
	}
	assert_non_null(strstr(mem, "&lt;x&gt;"));
	assert_null(strstr(mem, "<x>"));
	free(mem);
}

static void test_stack_and_ticks(void **state)
{
	/* 6 buckets of 10 s from 20:50:40; bucket 3 is a gap */
	const int64_t b0 = 1795639840 * USEC_PER_SEC, bucket = 10 * USEC_PER_SEC;
	const int64_t a[] = {10, 20, 0, -1, 40, 5}, b[] = {5, 5, 5, -1, 60, 0};
	const struct svgchart_series s[] = {{"SYN_RECV", a, NULL, "#c00"}, {"EST", b, NULL, "#00c"}};
	const char *el[64];
	struct svgchart c;
	char *mem;
	size_t len, n, want = 0;
	FILE *f;

	(void)state;
	svgchart_init(&c, 240, b0, b0 + 6 * bucket, 100);
	render_begin(&f, &len, &mem);
	assert_int_equal(svgchart_begin(f, &c, "states", "sockets"), 0);
	assert_int_equal(svgchart_stack(f, &c, b0, bucket, 6, s, 2), 0);
	assert_int_equal(svgchart_end(f), 0);
	fclose(f);
	for (size_t i = 0; i < 6; i++)
		want += (size_t)(a[i] > 0) + (size_t)(b[i] > 0);
	n = elements(mem, "<rect class=\"col\"", el, 64);
	assert_int_equal(n, want);
	for (size_t i = 0; i < n; i++) {
		double v = attr(el[i], "data-v"), h = attr(el[i], "height");
		int64_t t = (int64_t)attr(el[i], "data-t") * USEC_PER_SEC;
		size_t k = (size_t)attr(el[i], "data-s"), bi = (size_t)((t - b0) / bucket);

		assert_true(bi != 3);   /* the gap draws nothing */
		assert_true(fabs(v - (double)(k ? b[bi] : a[bi])) < 1e-9);
		assert_true(fabs(h - c.h * v / c.vmax) < EPS);
		assert_true(fabs(attr(el[i], "x") - svgchart_x(&c, t)) < EPS);
		/* the second series sits on the first */
		if (k == 1 && a[bi] > 0)
			assert_true(fabs(attr(el[i], "y") + h - attr(el[i - 1], "y")) < EPS);
		if (k == 0 || a[bi] <= 0)
			assert_true(fabs(attr(el[i], "y") + h - (c.y0 + c.h)) < EPS);
	}
	/* ticks: every 10 s from 20:50:40 (60 s span, at most 10 ticks) */
	n = elements(mem, "<line class=\"tick\"", el, 64);
	assert_int_equal(n, 7);
	for (size_t i = 0; i < n; i++) {
		int64_t t = (int64_t)attr(el[i], "data-t") * USEC_PER_SEC;

		assert_int_equal(t, b0 + (int64_t)i * bucket);
		assert_true(fabs(attr(el[i], "x1") - (c.x0 + c.w * (double)(t - b0) / (double)(6 * bucket))) < EPS);
	}
	assert_non_null(strstr(mem, ">20:50:40</text>"));
	assert_non_null(strstr(mem, ">20:51:40</text>"));
	assert_non_null(strstr(mem, ">2026-11-25 UTC</text>"));
	free(mem);
}

static void test_line_band(void **state)
{
	const int64_t b0 = 0, bucket = 60 * USEC_PER_SEC;
	const double r[] = {1, 2, -1, 3, 0};
	const struct svgchart_series s = {"rate", NULL, r, "#0a0"};
	const char *el[16];
	struct svgchart c;
	char *mem;
	size_t len, n;
	FILE *f;

	(void)state;
	svgchart_init(&c, 200, b0, b0 + 5 * bucket, 3);
	render_begin(&f, &len, &mem);
	assert_int_equal(svgchart_line(f, &c, b0, bucket, 5, &s), 0);
	assert_int_equal(svgchart_band(f, &c, 60 * USEC_PER_SEC, 120 * USEC_PER_SEC, "spike <1>"), 0);
	fclose(f);
	/* broken at the gap: two lines; a point per value */
	assert_int_equal(elements(mem, "<polyline", el, 16), 2);
	n = elements(mem, "<circle class=\"pt\"", el, 16);
	assert_int_equal(n, 4);
	for (size_t i = 0; i < n; i++) {
		double v = attr(el[i], "data-v");
		int64_t t = (int64_t)attr(el[i], "data-t") * USEC_PER_SEC;

		assert_true(fabs(attr(el[i], "cy") - (c.y0 + c.h - c.h * v / c.vmax)) < EPS);
		assert_true(fabs(attr(el[i], "cx") - svgchart_x(&c, t + bucket / 2)) < EPS);
	}
	n = elements(mem, "<rect class=\"band\"", el, 16);
	assert_int_equal(n, 1);
	assert_true(fabs(attr(el[0], "x") - svgchart_x(&c, 60 * USEC_PER_SEC)) < EPS);
	assert_true(fabs(attr(el[0], "width") - c.w / 5) < EPS);
	assert_non_null(strstr(mem, "spike &lt;1&gt;"));
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nice_and_steps),
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_bars),
		cmocka_unit_test(test_stack_and_ticks),
		cmocka_unit_test(test_line_band),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

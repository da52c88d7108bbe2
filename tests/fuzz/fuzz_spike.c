/* fuzz_spike — bytes as parameters and a series (or a counter): spike_find()
 * must agree with a naive re-implementation of the documented algorithm
 * and keep its invariants; spike_rates() must yield a valid series. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spike.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_N 4096
#define HDR 6
#define REC 3   /* dt byte, value as 16 bits */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_sorted(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : s[n / 2 - 1] + (s[n / 2] - s[n / 2 - 1]) / 2;
}

/*
 * The algorithm as spike.h words it, with none of spike.c's tricks: the
 * history is an array of every quiet value, each window is copied and
 * sorted. Same arithmetic, so results must be identical to the bit.
 */
static long reference(const struct spike_point *p, size_t n, const struct spike_params *prm,
		      struct spike *out, size_t max_out)
{
	static double hist[MAX_N], win[MAX_N];
	size_t i, j, nh = 0, found = 0, min_hist = prm->min_history ? prm->min_history : 1;
	struct spike cur = {0};
	double exit_level = 0;
	bool inside = false;

	for (i = 0; i < n; i++) {
		double v = p[i].v;

		if (inside) {
			if (v > exit_level) {
				cur.end = p[i].t;
				cur.points++;
				if (v > cur.peak) {
					cur.peak = v;
					cur.peak_t = p[i].t;
				}
				continue;
			}
			if (found < max_out)
				out[found] = cur;
			found++;
			inside = false;
		} else if (nh >= min_hist) {
			size_t w = nh < prm->window ? nh : prm->window;
			double m, mad, rise, thr;

			memcpy(win, hist + nh - w, w * sizeof(double));
			qsort(win, w, sizeof(double), cmp_double);
			m = median_sorted(win, w);
			for (j = 0; j < w; j++)
				win[j] = fabs(win[j] - m);
			qsort(win, w, sizeof(double), cmp_double);
			mad = median_sorted(win, w);
			rise = prm->k * (1.4826 * mad);
			if (!(rise >= prm->min_rise))
				rise = prm->min_rise;
			thr = m + rise;
			if (v > thr) {
				cur = (struct spike){.start = p[i].t, .end = p[i].t, .peak_t = p[i].t,
						     .peak = v, .baseline = m, .threshold = thr,
						     .first = i, .points = 1};
				exit_level = m + (thr - m) / 2;
				inside = true;
				continue;
			}
		}
		hist[nh++] = v;
	}
	if (inside) {
		cur.open = true;
		if (found < max_out)
			out[found] = cur;
		found++;
	}
	return (long)found;
}

static bool same(const struct spike *a, const struct spike *b)
{
	return a->start == b->start && a->end == b->end && a->peak_t == b->peak_t &&
	       a->peak == b->peak && a->baseline == b->baseline &&
	       a->threshold == b->threshold && a->first == b->first && a->points == b->points &&
	       a->open == b->open;
}

/* Invariants that do not depend on how the baseline was computed. */
static void check(const struct spike_point *p, size_t n, const struct spike *s, size_t ns)
{
	size_t i, j, next = 0;

	for (i = 0; i < ns; i++) {
		const struct spike *x = &s[i];
		size_t last = x->first + x->points - 1;
		double exit_level = x->baseline + (x->threshold - x->baseline) / 2;
		bool peak_seen = false;

		if (x->points < 1 || x->first < next || last >= n || last < x->first)
			abort();
		if (x->start != p[x->first].t || x->end != p[last].t)
			abort();
		if (x->start > x->peak_t || x->peak_t > x->end)
			abort();
		if (!(p[x->first].v > x->threshold) || !(x->threshold >= x->baseline))
			abort();
		for (j = x->first; j <= last; j++) {
			if (!(p[j].v > exit_level) || p[j].v > x->peak)
				abort();
			if (p[j].v == x->peak && !peak_seen) {
				if (p[j].t != x->peak_t)
					abort();
				peak_seen = true;
			}
		}
		if (!peak_seen)
			abort();
		/* only the last spike may be open, and only at the series' end */
		if (x->open != (last == n - 1))
			abort();
		if (x->open && i != ns - 1)
			abort();
		if (!x->open && !(p[last + 1].v <= exit_level))
			abort();
		next = last + 2;   /* the point that ended it is quiet */
	}
}

static bool valid(const struct spike_point *p, size_t n, const struct spike_params *prm)
{
	size_t i;

	if (prm->window == 0)
		return false;
	for (i = 0; i < n; i++)
		if (!(p[i].v >= 0) || !isfinite(p[i].v) || (i > 0 && p[i].t <= p[i - 1].t))
			return false;
	return true;
}

static void run(const struct spike_point *p, size_t n, const struct spike_params *prm,
		size_t max_out)
{
	static struct spike a[MAX_N + 1], b[MAX_N + 1], r[MAX_N + 1];
	long na, nb, nr, nc;
	size_t i;

	na = spike_find(p, n, prm, a, MAX_N + 1);
	if (!valid(p, n, prm)) {
		if (na != -EINVAL)
			abort();
		return;
	}
	if (na < 0 || (size_t)na > n)
		abort();
	check(p, n, a, (size_t)na);

	/* deterministic, and truncation keeps the count and the prefix */
	nb = spike_find(p, n, prm, b, MAX_N + 1);
	nc = spike_find(p, n, prm, r, max_out);
	if (nb != na || nc != na)
		abort();
	for (i = 0; i < (size_t)na; i++)
		if (!same(&a[i], &b[i]) || (i < max_out && !same(&a[i], &r[i])))
			abort();

	nr = reference(p, n, prm, r, MAX_N + 1);
	if (nr != na)
		abort();
	for (i = 0; i < (size_t)na; i++)
		if (!same(&a[i], &r[i]))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct spike_point p[MAX_N], rates[MAX_N];
	static int64_t t[MAX_N], cum[MAX_N];
	static bool restart[MAX_N];
	struct spike_params prm;
	size_t n, i, nr, max_out;
	uint8_t mode;

	if (size < HDR)
		return 0;
	/*
	 * Header: window 0..64 (0 is invalid on purpose), k in 1/8 steps up
	 * to 31.875, min_rise in 1/4 steps up to 63.75, min_history 0..7,
	 * max_out, mode (bit 0: the values are a counter turned into rates).
	 */
	prm.window = data[0] % 65u;
	prm.k = data[1] / 8.0;
	prm.min_rise = data[2] / 4.0;
	prm.min_history = data[3] % 8u;
	max_out = data[4] % 8u;
	mode = data[5];
	data += HDR;
	size -= HDR;
	n = size / REC;
	if (n > MAX_N)
		n = MAX_N;

	if (!(mode & 1)) {
		/* dt 0 (not increasing) and v 0xffff (-1), 0xfffe (NaN) are invalid */
		int64_t now = (int64_t)1700000000 * 1000000;

		for (i = 0; i < n; i++) {
			const uint8_t *d = data + i * REC;
			unsigned v = (unsigned)d[1] << 8 | d[2];

			now += (int64_t)d[0] * 1000000;
			p[i].t = now;
			p[i].v = v == 0xffff ? -1.0 : v == 0xfffe ? NAN : (double)v;
		}
		run(p, n, &prm, max_out);
		return 0;
	}

	/* A counter: increments (or a reset to 0, or unknown), restarts, and
	 * times that may stall or go backwards. */
	for (i = 0; i < n; i++) {
		const uint8_t *d = data + i * REC;

		t[i] = (i ? t[i - 1] : 0) + (int64_t)(d[0] & 0x7f) * 500000 - (d[0] >> 7) * 1000000;
		restart[i] = d[1] == 0xff;
		if (d[2] == 0xff)
			cum[i] = -1;
		else if (d[2] == 0xfe)
			cum[i] = 0;
		else
			cum[i] = (i && cum[i - 1] > 0 ? cum[i - 1] : 0) + (int64_t)d[2] * d[1];
	}
	nr = spike_rates(t, cum, restart, n, rates);
	if (nr > (n ? n - 1 : 0))
		abort();
	for (i = 0; i < nr; i++)
		if (!(rates[i].v >= 0) || !isfinite(rates[i].v) ||
		    (i > 0 && rates[i].t <= rates[i - 1].t))
			abort();
	if (prm.window == 0)
		prm.window = 1;
	run(rates, nr, &prm, max_out);
	return 0;
}

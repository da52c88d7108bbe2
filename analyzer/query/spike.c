/* spike — robust-baseline spike detection over one series (median + k·MAD
 * of the trailing quiet points, frozen during a spike, with hysteresis). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spike.h"

/* MAD -> standard deviation for normally distributed noise. */
#define SPIKE_MAD_SIGMA 1.4826

void spike_params_default(struct spike_params *prm)
{
	prm->window = 30;
	prm->k = 4.0;
	prm->min_rise = 10.0;
	prm->min_history = 3;
}

/*
 * The trailing window of quiet values, both in arrival order (a ring, to
 * know which value leaves) and sorted (so the median is an index and the
 * MAD a merge): insertion costs O(window), no sort per point.
 */
struct win {
	double *ring;    /* cap values, oldest at head once full */
	double *sorted;  /* the cnt values in ascending order */
	size_t cap, cnt, head;
};

/* First index whose value is >= x. */
static size_t lower_bound(const double *a, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void win_push(struct win *w, double x)
{
	size_t pos;

	if (w->cnt == w->cap) {
		/* The value is present, so lower_bound lands on a copy of it. */
		pos = lower_bound(w->sorted, w->cnt, w->ring[w->head]);
		memmove(w->sorted + pos, w->sorted + pos + 1, (w->cnt - pos - 1) * sizeof(double));
		w->cnt--;
		w->ring[w->head] = x;
		w->head = (w->head + 1) % w->cap;
	} else {
		w->ring[w->cnt] = x;
	}
	pos = lower_bound(w->sorted, w->cnt, x);
	memmove(w->sorted + pos + 1, w->sorted + pos, (w->cnt - pos) * sizeof(double));
	w->sorted[pos] = x;
	w->cnt++;
}

/* Mean of the two middle values without overflowing: a <= b, both >= 0. */
static double mid2(double a, double b)
{
	return a + (b - a) / 2;
}

/*
 * Median of the window, and the median of the distances to it. Values at
 * or below m have distances growing leftwards, values above m growing
 * rightwards: merging the two runs from m outwards yields the distances in
 * ascending order, so the middle ones are reached in cnt / 2 + 1 steps.
 */
static void win_stats(const struct win *w, double *median, double *mad)
{
	const double *s = w->sorted;
	size_t n = w->cnt, split, want = n / 2, step;
	double m, d = 0, prev = 0;
	size_t lo, hi;   /* next candidates: s[lo - 1] leftwards, s[hi] rightwards */

	m = n % 2 ? s[n / 2] : mid2(s[n / 2 - 1], s[n / 2]);
	for (split = 0; split < n && s[split] <= m; split++)
		;
	lo = split;
	hi = split;
	for (step = 0; step <= want; step++) {
		prev = d;
		if (lo > 0 && (hi >= n || m - s[lo - 1] <= s[hi] - m)) {
			d = m - s[lo - 1];
			lo--;
		} else {
			d = s[hi] - m;
			hi++;
		}
	}
	*median = m;
	*mad = n % 2 ? d : mid2(prev, d);
}

static int check_input(const struct spike_point *p, size_t n, const struct spike_params *prm,
		       const struct spike *out, size_t max_out)
{
	size_t i;

	if (!prm || (n > 0 && !p) || (max_out > 0 && !out))
		return -EINVAL;
	if (prm->window == 0 || !(prm->k >= 0) || !isfinite(prm->k) || !(prm->min_rise >= 0) ||
	    !isfinite(prm->min_rise))
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!(p[i].v >= 0) || !isfinite(p[i].v))
			return -EINVAL;
		if (i > 0 && p[i].t <= p[i - 1].t)
			return -EINVAL;
	}
	return 0;
}

long spike_find(const struct spike_point *p, size_t n, const struct spike_params *prm,
		struct spike *out, size_t max_out)
{
	struct win w = {0};
	struct spike cur = {0};
	size_t i, quiet = 0, min_hist, found = 0;
	double exit_level = 0;
	bool inside = false;
	long rc;

	rc = check_input(p, n, prm, out, max_out);
	if (rc < 0 || n == 0)
		return rc;

	/* More than n slots could never fill: a huge window costs nothing extra. */
	w.cap = prm->window < n ? prm->window : n;
	w.ring = malloc(2 * w.cap * sizeof(double));
	if (!w.ring)
		return -ENOMEM;
	w.sorted = w.ring + w.cap;
	min_hist = prm->min_history ? prm->min_history : 1;

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
			/* this point is quiet: falls through to the history */
		} else if (quiet >= min_hist) {
			double m, mad, rise, thr;

			win_stats(&w, &m, &mad);
			rise = prm->k * (SPIKE_MAD_SIGMA * mad);
			/* k = 0 with an infinite sigma gives NaN: the rise is min_rise then */
			if (!(rise >= prm->min_rise))
				rise = prm->min_rise;
			thr = m + rise;
			if (v > thr) {
				cur = (struct spike){
					.start = p[i].t,
					.end = p[i].t,
					.peak_t = p[i].t,
					.peak = v,
					.baseline = m,
					.threshold = thr,
					.first = i,
					.points = 1,
					.open = false,
				};
				exit_level = m + (thr - m) / 2;
				inside = true;
				continue;
			}
		}
		win_push(&w, v);
		quiet++;
	}
	if (inside) {
		cur.open = true;
		if (found < max_out)
			out[found] = cur;
		found++;
	}
	free(w.ring);
	return (long)found;
}

size_t spike_rates(const int64_t *t, const int64_t *cum, const bool *restart, size_t n,
		   struct spike_point *out)
{
	size_t i, k = 0;

	for (i = 1; i < n; i++) {
		uint64_t dt, dc;

		if (restart && restart[i])
			continue;
		if (cum[i] < 0 || cum[i - 1] < 0 || cum[i] < cum[i - 1])
			continue;
		if (t[i] <= t[i - 1] || (k > 0 && t[i] <= out[k - 1].t))
			continue;
		/* Unsigned differences: exact even when the signed one would overflow. */
		dt = (uint64_t)t[i] - (uint64_t)t[i - 1];
		dc = (uint64_t)cum[i] - (uint64_t)cum[i - 1];
		out[k].t = t[i];
		out[k].v = (double)dc * 1e6 / (double)dt;
		k++;
	}
	return k;
}

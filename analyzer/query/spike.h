/* spike — finds the intervals where one time series (a SYN_RECV count per
 * snapshot, a counter's rate per second) rises above a robust baseline. */
#ifndef SOCKSCOPE_SPIKE_H
#define SOCKSCOPE_SPIKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The algorithm (this text is the contract; docs/REPORTS.md copies it)
 * --------------------------------------------------------------------
 * Input is one series of n points in time order, p[0..n): t strictly
 * increasing (µs since the epoch), v finite and >= 0. Each point is either
 * *quiet* or *inside a spike*. The *history* is the sequence of quiet points
 * seen so far; points inside spikes never enter it.
 *
 * For a point i that is not inside a spike:
 *   - If fewer than max(min_history, 1) quiet points precede i, i is quiet
 *     (no detection yet, whatever its value). So a rise that starts before
 *     that much history exists is not a spike at first: its points become
 *     history. It is found only if it is still above the threshold at the
 *     first point that has enough history (e.g. with min_history 3, the
 *     series 0 0 100 100 100 0 has one spike from the fourth point on, while
 *     0 100 100 100 100 has none: 100 is then the baseline).
 *   - Otherwise let W be the last min(window, quiet so far) quiet points
 *     before i (the trailing window counts quiet points, not time or input
 *     points). The baseline m is the median of their values, MAD the median
 *     of |v_j - m| over W, sigma = 1.4826 * MAD (the MAD scaled to a normal
 *     distribution's standard deviation). The median of an even count is
 *     the mean of the two middle values.
 *     threshold = m + max(k * sigma, min_rise)
 *     If v_i > threshold, a spike starts at i; else i is quiet.
 *
 * While inside a spike, m and threshold stay those of its first point (the
 * history does not change inside a spike, so a long flood never becomes its
 * own baseline). The spike goes on while v > exit, with
 *     exit = m + (threshold - m) / 2
 * (hysteresis: it ends when the rise above the baseline has halved). The
 * first point with v <= exit is not part of the spike: it is quiet, enters
 * the history, and cannot start a new spike itself (its baseline is the
 * same, and exit <= threshold).
 *
 * Cost: O(n * window) time (the window is kept sorted by insertion), one
 * allocation of 2 * min(window, n) doubles per call.
 */

/* One sample. */
struct spike_point {
	int64_t t;   /* µs since the epoch; strictly increasing along a series */
	double v;    /* finite, >= 0 */
};

struct spike_params {
	unsigned window;       /* quiet points in the trailing baseline, >= 1 (30) */
	double k;              /* MADs (as sigma) above the median, finite >= 0 (4.0) */
	double min_rise;       /* least rise above the median, finite >= 0 (10.0;
				* the caller sets it per series, e.g. 1.0 for rates) */
	unsigned min_history;  /* quiet points needed before detection; 0 acts as 1 (3) */
};

/* One spike: the points p[first .. first + points) are inside it. */
struct spike {
	int64_t start;       /* t of the first point above the threshold */
	int64_t end;         /* t of the last point still inside */
	int64_t peak_t;      /* t of the highest point (the first if tied) */
	double peak;         /* its value */
	double baseline;     /* m, frozen at the start */
	double threshold;    /* m + max(k * sigma, min_rise), frozen at the start */
	size_t first;        /* index of the first point in the input */
	size_t points;       /* number of points inside, >= 1 */
	bool open;           /* the series ended while still inside: end is its last t */
};

/* window 30, k 4.0, min_rise 10.0, min_history 3. */
void spike_params_default(struct spike_params *prm);

/*
 * Finds the spikes of p[0..n) (p may be NULL when n is 0) with prm, in time
 * order. Writes the first min(found, max_out) of them to out (which may be
 * NULL when max_out is 0) and returns the number found, which may exceed
 * max_out. Returns -EINVAL, with nothing written, for bad parameters
 * (window 0, k or min_rise negative or not finite) or a bad series (t not
 * strictly increasing, v negative or not finite); -ENOMEM if the window's
 * buffer cannot be allocated. Pure: no I/O, no globals; the buffer is freed
 * before returning.
 */
long spike_find(const struct spike_point *p, size_t n, const struct spike_params *prm,
		struct spike *out, size_t max_out);

/*
 * Turns a cumulative counter (a kernel counter such as SyncookiesSent, read
 * at each snapshot) into a rate series: for each i >= 1, the point
 * { t[i], (cum[i] - cum[i-1]) / ((t[i] - t[i-1]) / 1e6) } — per second over
 * the interval that ends at t[i], dated at its end. An interval gives no
 * point when:
 *   - restart[i] is true (sample i starts a new boot, host or recording,
 *     so i-1 and i are not the same counter; restart may be NULL: none),
 *   - cum[i] < cum[i-1] (the counter was reset: a reboot),
 *   - cum[i] or cum[i-1] is negative (the value is unknown),
 *   - t[i] is not after t[i-1], or not after the last point written (so the
 *     output's t are strictly increasing whatever the input).
 * Writes at most n - 1 points to out (room for n - 1 is needed when n > 1)
 * and returns their number. Rates are finite and >= 0, so the result is a
 * valid input for spike_find(). Note that a skipped interval leaves a gap
 * that spike_find() does not see: its points are adjacent in the series.
 */
size_t spike_rates(const int64_t *t, const int64_t *cum, const bool *restart, size_t n,
		   struct spike_point *out);

#endif

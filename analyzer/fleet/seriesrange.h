/* seriesrange — what one batch holds of one series (a host's SYN_RECV per
 * snapshot, or one counter): its first and last point and the ranges of its
 * values and rates. ship stores one per host, batch and series (table
 * series_ranges); fleet spikes adds them up per host to skip, exactly, the
 * series that cannot spike (spike.h) before any point travels. */
#ifndef SOCKSCOPE_SERIESRANGE_H
#define SOCKSCOPE_SERIESRANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct seriesrange_point {
	int64_t t, v;
};

struct seriesrange {
	int64_t t_first, t_last;     /* the first and last point's time */
	int64_t v_first, v_last;     /* and value */
	int64_t vmin, vmax;          /* over the points */
	int64_t points;
	int64_t rates;               /* intervals that give a rate (below) */
	double rmin, rmax;           /* over those rates; 0 when none */
	bool exact;                  /* false: two points at one time (which one a
	                              * reader keeps is not known: never skip) */
};

/* The rate spike_rates() gives the interval (t0, v0) .. (t1, v1), into *r:
 * true, or false when it gives none whatever the boots (t1 <= t0, a value
 * negative, v1 < v0). Bit for bit spike_rates' formula. */
bool seriesrange_rate(int64_t t0, int64_t v0, int64_t t1, int64_t v1, double *r);

/* The summary of p[0..n) (n >= 1), sorted by t. */
void seriesrange_of(const struct seriesrange_point *p, size_t n, struct seriesrange *out);

/*
 * One series' summaries added up in time order (by t_first). A spike needs a
 * point above m + max(k * sigma, min_rise), and the baseline m, a median of
 * the series' own points, is at least their least value; so a series whose
 * values (SYN_RECV) or rates (counters) stay within min_rise of their least
 * has none. The rates of a series, as spike_rates() keeps them, are a subset
 * of the rates within each batch and between consecutive batches (restarts
 * and resets only drop some), and a time window keeps a contiguous run of
 * points: so the ranges added here hold every point spike_find() could see.
 * Unsure (always a candidate): a batch not exact, or batches overlapping in
 * time (the reader's order of their points is then not this one).
 */
struct seriesrange_acc {
	bool any, unsure, have_last;
	int64_t t_last, v_last;
	int64_t vmin, vmax;
	bool any_rate;
	double rmin, rmax;
};

void seriesrange_acc_init(struct seriesrange_acc *a);
void seriesrange_acc_add(struct seriesrange_acc *a, const struct seriesrange *r);
void seriesrange_acc_unsure(struct seriesrange_acc *a);
/* Whether spike_find() could find a spike with this min_rise in the values
 * (rate: false) or in the rates (true). */
bool seriesrange_acc_may_spike(const struct seriesrange_acc *a, double min_rise, bool rate);

#endif

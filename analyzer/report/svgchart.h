/* svgchart — charts as inline SVG for the HTML report: a time axis in UTC
 * with ticks from a fixed ladder (1 s .. 1 d), a value axis, stacked
 * columns per bucket, lines broken at gaps, shaded intervals, horizontal
 * bars. The geometry is pure (svgchart_x, svgchart_y, svgchart_tick_step)
 * so that tests can check that what is drawn is proportional to the data;
 * every element drawn from a value carries it (data-v, data-t). */
#ifndef SOCKSCOPE_SVGCHART_H
#define SOCKSCOPE_SVGCHART_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One chart's frame: the SVG is width x height user units; the plot area
 * is [x0, x0 + w] x [y0, y0 + h]; time t0..t1 (µs) maps to x, 0..vmax to
 * y (upwards). */
struct svgchart {
	double width, height;
	double x0, y0, w, h;
	int64_t t0, t1;
	double vmax;
};

#define SVGCHART_WIDTH 960.0

/* Sets the frame: a plot area with room for the axes' labels; vmax is
 * rounded up to a nice number (svgchart_nice), at least 1. */
void svgchart_init(struct svgchart *c, double height, int64_t t0, int64_t t1, double vmax);

/* The smallest of 1, 2, 2.5, 5 x 10^k that is >= v (1 for v <= 1). */
double svgchart_nice(double v);
/* Where a time or a value is drawn (clamped to the plot area). */
double svgchart_x(const struct svgchart *c, int64_t t);
double svgchart_y(const struct svgchart *c, double v);
/* The tick step for a span: the smallest step of the ladder 1s 2s 5s 10s
 * 15s 30s 1m 2m 5m 10m 15m 30m 1h 2h 3h 6h 12h 1d (then whole days) giving
 * at most max_ticks ticks. µs. */
int64_t svgchart_tick_step(int64_t span, unsigned max_ticks);

/* Opens the <svg> (title and desc are data, escaped) and draws both axes:
 * ticks at multiples of the step (UTC), labelled HH:MM:SS, HH:MM or the
 * date as the step needs; the value axis in 4 steps. 0 or -errno. */
int svgchart_begin(FILE *f, const struct svgchart *c, const char *title, const char *unit);
int svgchart_end(FILE *f);

/* Buckets: value i of a series is for [b0 + i * bucket, b0 + (i+1) *
 * bucket); v < 0 is a gap (nothing drawn). */
struct svgchart_series {
	const char *name;        /* data: escaped */
	const int64_t *v;        /* values x 1 (counts) ... */
	const double *d;         /* ... or, when v is NULL, these (rates) */
	const char *color;       /* a constant of the caller's */
};

/* Stacked columns, series[0] at the bottom. */
int svgchart_stack(FILE *f, const struct svgchart *c, int64_t b0, int64_t bucket, size_t nb,
		   const struct svgchart_series *s, size_t ns);
/* One series as a line through the buckets' middles, broken at gaps, with
 * a dot per point. */
int svgchart_line(FILE *f, const struct svgchart *c, int64_t b0, int64_t bucket, size_t nb,
		  const struct svgchart_series *s);
/* An interval from..to shaded, with a label (data: escaped) at its top. */
int svgchart_band(FILE *f, const struct svgchart *c, int64_t from, int64_t to, const char *label);
/* A legend of the series' names and colours, as HTML (not SVG). */
int svgchart_legend(FILE *f, const struct svgchart_series *s, size_t ns);

/* Horizontal bars, one per name (data: escaped), their length
 * proportional to v over the largest. Its own <svg>. */
int svgchart_bars(FILE *f, const char *title, const char *const *names, const double *v, size_t n);

#endif

/* svgchart — inline SVG charts: the frame and its axes (UTC ticks from a
 * fixed ladder), stacked columns, lines with gaps, bands, bars. Numbers are
 * written with one decimal (%.1f): a chart of 960 units needs no more. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "html.h"
#include "svgchart.h"
#include "utctime.h"

#define LEFT 56.0     /* value labels */
#define RIGHT 12.0
#define TOP 18.0      /* band labels */
#define BOTTOM 34.0   /* time labels, the date */

double svgchart_nice(double v)
{
	double p = 1;

	if (!(v > 1))
		return 1;
	/* bounded: 10^308 is the most a double holds */
	for (int i = 0; i < 310 && p * 10 < v; i++)
		p *= 10;
	if (p >= v)
		return p;
	return p * 2 >= v ? p * 2 : p * 2.5 >= v ? p * 2.5 : p * 5 >= v ? p * 5 : p * 10;
}

void svgchart_init(struct svgchart *c, double height, int64_t t0, int64_t t1, double vmax)
{
	c->width = SVGCHART_WIDTH;
	c->height = height;
	c->x0 = LEFT;
	c->y0 = TOP;
	c->w = c->width - LEFT - RIGHT;
	c->h = height - TOP - BOTTOM;
	c->t0 = t0;
	c->t1 = t1 > t0 ? t1 : t0 + USEC_PER_SEC;
	c->vmax = svgchart_nice(vmax);
}

double svgchart_x(const struct svgchart *c, int64_t t)
{
	if (t < c->t0)
		t = c->t0;
	if (t > c->t1)
		t = c->t1;
	return c->x0 + c->w * (double)(t - c->t0) / (double)(c->t1 - c->t0);
}

double svgchart_y(const struct svgchart *c, double v)
{
	if (!(v > 0))
		v = 0;
	if (v > c->vmax)
		v = c->vmax;
	return c->y0 + c->h - c->h * v / c->vmax;
}

int64_t svgchart_tick_step(int64_t span, unsigned max_ticks)
{
	static const int64_t ladder[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800,
					 3600, 7200, 10800, 21600, 43200, 86400};
	int64_t step;

	if (max_ticks < 1)
		max_ticks = 1;
	for (size_t i = 0; i < sizeof ladder / sizeof ladder[0]; i++) {
		step = ladder[i] * USEC_PER_SEC;
		if (span / step + 1 <= (int64_t)max_ticks)
			return step;
	}
	/* whole days: as many as it takes */
	step = 86400 * USEC_PER_SEC;
	return (span / (int64_t)max_ticks / step + 1) * step;
}

/* A tick's label: the part of the ISO time the step makes change. */
static void tick_label(int64_t t, int64_t step, char *out, size_t n)
{
	char iso[UTCTIME_STRLEN];

	utctime_format(t, 0, iso, sizeof iso);   /* 2026-11-25T20:50:45Z */
	if (step % (86400 * USEC_PER_SEC) == 0)
		snprintf(out, n, "%.10s", iso);
	else if (step % (60 * USEC_PER_SEC) == 0)
		snprintf(out, n, "%.5s", iso + 11);
	else
		snprintf(out, n, "%.8s", iso + 11);
}

static void value_label(double v, char *out, size_t n)
{
	if (v >= 1e6 && fmod(v, 1e6) == 0)
		snprintf(out, n, "%.0fM", v / 1e6);
	else if (v >= 1e4 && fmod(v, 1e3) == 0)
		snprintf(out, n, "%.0fk", v / 1e3);
	else
		snprintf(out, n, "%g", v);
}

int svgchart_begin(FILE *f, const struct svgchart *c, const char *title, const char *unit)
{
	int64_t step = svgchart_tick_step(c->t1 - c->t0, 10), t;
	char lbl[UTCTIME_STRLEN], iso[UTCTIME_STRLEN];
	int rc;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">",
		c->width, c->height);
	fputs("<title>", f);
	rc = html_puts(f, title);
	fputs("</title>", f);
	/* the plot area's frame and the value grid */
	fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fbfcfd\" "
		   "stroke=\"#ccd\"/>",
		c->x0, c->y0, c->w, c->h);
	/* round grid values: 2 x 10^k in 4 steps, 1, 2.5 and 5 x 10^k in 5 */
	double m = c->vmax;
	int steps;

	while (m >= 10)
		m /= 10;
	steps = m > 1.9 && m < 2.1 ? 4 : 5;
	for (int i = 0; i <= steps; i++) {
		double v = c->vmax * i / steps, y = svgchart_y(c, v);

		value_label(v, lbl, sizeof lbl);
		fprintf(f, "<line class=\"grid\" data-v=\"%g\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
			   "y2=\"%.1f\" stroke=\"#e3e6ea\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
			v, c->x0, c->x0 + c->w, y, y, c->x0 - 4, y + 4, lbl);
	}
	/* ticks at multiples of the step since the epoch: round UTC times */
	t = c->t0 % step ? c->t0 - c->t0 % step + step : c->t0;
	for (int i = 0; i < 1000 && t <= c->t1; i++, t += step) {
		double x = svgchart_x(c, t);

		tick_label(t, step, lbl, sizeof lbl);
		fprintf(f, "<line class=\"tick\" data-t=\"%" PRId64 "\" x1=\"%.1f\" x2=\"%.1f\" "
			   "y1=\"%.1f\" y2=\"%.1f\" stroke=\"#889\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
			t / USEC_PER_SEC, x, x, c->y0 + c->h, c->y0 + c->h + 5, x, c->y0 + c->h + 16,
			lbl);
	}
	utctime_format(c->t0, 0, iso, sizeof iso);
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%.10s UTC</text>", c->x0, c->height - 3, iso);
	if (unit && rc == 0) {
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">", c->x0 + c->w,
			c->height - 3);
		rc = html_puts(f, unit);
		fputs("</text>", f);
	}
	return rc ? rc : ferror(f) ? -EIO : 0;
}

int svgchart_end(FILE *f)
{
	fputs("</svg>\n", f);
	return ferror(f) ? -EIO : 0;
}

static double value(const struct svgchart_series *s, size_t i)
{
	return s->v ? (double)s->v[i] : s->d[i];
}

int svgchart_stack(FILE *f, const struct svgchart *c, int64_t b0, int64_t bucket, size_t nb,
		   const struct svgchart_series *s, size_t ns)
{
	for (size_t i = 0; i < nb; i++) {
		int64_t t = b0 + (int64_t)i * bucket;
		double xa = svgchart_x(c, t), xb = svgchart_x(c, t + bucket), base = 0;
		/* a hair between columns, unless they are too thin for one */
		double w = xb - xa > 3 ? xb - xa - 1 : xb - xa;

		for (size_t k = 0; k < ns; k++) {
			double v = value(&s[k], i), ya, yb;

			if (!(v > 0))
				continue;   /* a gap (< 0) or nothing to stack */
			ya = svgchart_y(c, base + v);
			yb = svgchart_y(c, base);
			base += v;
			fprintf(f, "<rect class=\"col\" data-s=\"%zu\" data-t=\"%" PRId64 "\" data-v=\"%g\" "
				   "x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
				k, t / USEC_PER_SEC, v, xa, ya, w, yb - ya, s[k].color);
		}
	}
	return ferror(f) ? -EIO : 0;
}

int svgchart_line(FILE *f, const struct svgchart *c, int64_t b0, int64_t bucket, size_t nb,
		  const struct svgchart_series *s)
{
	bool open = false;

	for (size_t i = 0; i <= nb; i++) {
		double v = i < nb ? value(s, i) : -1;

		if (v < 0) {   /* a gap ends the line */
			if (open)
				fputs("\"/>", f);
			open = false;
			continue;
		}
		if (!open)
			fprintf(f, "<polyline class=\"line\" fill=\"none\" stroke=\"%s\" "
				   "stroke-width=\"2\" points=\"",
				s->color);
		fprintf(f, "%s%.1f,%.1f", open ? " " : "",
			svgchart_x(c, b0 + (int64_t)i * bucket + bucket / 2), svgchart_y(c, v));
		open = true;
	}
	for (size_t i = 0; i < nb; i++) {
		double v = value(s, i);

		if (v >= 0)
			fprintf(f, "<circle class=\"pt\" data-t=\"%" PRId64 "\" data-v=\"%g\" "
				   "cx=\"%.1f\" cy=\"%.1f\" r=\"2\" fill=\"%s\"/>",
				(b0 + (int64_t)i * bucket) / USEC_PER_SEC, v,
				svgchart_x(c, b0 + (int64_t)i * bucket + bucket / 2), svgchart_y(c, v),
				s->color);
	}
	return ferror(f) ? -EIO : 0;
}

int svgchart_band(FILE *f, const struct svgchart *c, int64_t from, int64_t to, const char *label)
{
	double xa = svgchart_x(c, from), xb = svgchart_x(c, to);
	int rc;

	if (xb - xa < 2)
		xb = xa + 2;
	fprintf(f, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
		   "fill=\"#d9822b\" fill-opacity=\"0.18\" stroke=\"#d9822b\"/>"
		   "<text x=\"%.1f\" y=\"%.1f\">",
		xa, c->y0, xb - xa, c->h, xa + 2, c->y0 - 5);
	rc = html_puts(f, label);
	fputs("</text>", f);
	return rc ? rc : ferror(f) ? -EIO : 0;
}

int svgchart_legend(FILE *f, const struct svgchart_series *s, size_t ns)
{
	int rc = 0;

	fputs("<div class=\"legend\">", f);
	for (size_t k = 0; rc == 0 && k < ns; k++) {
		fprintf(f, "<span><i style=\"background:%s\"></i>", s[k].color);
		rc = html_puts(f, s[k].name);
		fputs("</span>", f);
	}
	fputs("</div>\n", f);
	return rc ? rc : ferror(f) ? -EIO : 0;
}

/* A bar's label: at most 24 bytes of the name, cut at a UTF-8 boundary
 * and ended with an ellipsis; the table beside the chart holds it whole. */
static void cut_name(const char *s, char *out, size_t n)
{
	size_t len = strlen(s), k = len;

	if (k > 24) {
		k = 24;
		while (k > 0 && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
	}
	snprintf(out, n, "%.*s%s", (int)k, s, k < len ? "\xe2\x80\xa6" : "");
}

int svgchart_bars(FILE *f, const char *title, const char *const *names, const double *v, size_t n)
{
	const double row = 22, lw = 170, width = 480;
	char cut[64];
	double max = 0;
	int rc;

	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" role=\"img\">"
		   "<title>",
		width, row * (double)(n ? n : 1) + 4);
	rc = html_puts(f, title);
	fputs("</title>", f);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		double y = 2 + row * (double)i;
		double len = max > 0 && v[i] > 0 ? (width - lw - 60) * v[i] / max : 0;

		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
			lw - 6, y + 15);
		cut_name(names[i], cut, sizeof cut);
		rc = html_puts(f, cut);
		fprintf(f, "</text><rect class=\"bar\" data-v=\"%g\" x=\"%.1f\" y=\"%.1f\" "
			   "width=\"%.1f\" height=\"%.1f\" fill=\"#4a78b5\"/>"
			   "<text x=\"%.1f\" y=\"%.1f\">%g</text>",
			v[i], lw, y + 3, len, row - 6, lw + len + 4, y + 15, v[i]);
	}
	fputs("</svg>\n", f);
	return rc ? rc : ferror(f) ? -EIO : 0;
}

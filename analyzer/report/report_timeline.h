/* report_timeline — `sockscope timeline`: connections per time bucket and
 * series (states, or subnets), as a table with a bar chart, or long-format
 * CSV/JSON for plotting elsewhere; buckets without a snapshot are gaps. */
#ifndef SOCKSCOPE_REPORT_TIMELINE_H
#define SOCKSCOPE_REPORT_TIMELINE_H

#include <stdbool.h>
#include <stdio.h>

#include <sqlite3.h>

#include "filter.h"
#include "output.h"
#include "scan.h"
#include "sparkline.h"

enum report_timeline_by { REPORT_TIMELINE_STATE, REPORT_TIMELINE_SUBNET };

struct report_timeline_opts {
	enum report_timeline_by by;
	usec_t bucket;               /* 0: chosen from the span (<= 60 buckets) */
	unsigned prefix4, prefix6;   /* REPORT_TIMELINE_SUBNET */
	unsigned series;             /* most series shown (the rest: "other") */
	usec_t now;                  /* snapshots after now + 1 day are left out; 0: none */
	FILE *warn;                  /* says which were left out (NULL: quiet) */
	enum sparkline_style chart;  /* table: a sparkline per series below it */
};

/* One series: its value per bucket (the busiest snapshot's; -1: no
 * snapshot in that bucket, a gap) and the sum of those. */
struct report_timeline_series {
	char *name;
	int64_t total;
	int64_t *v;
};

/* The report as data: buckets b0 + i * bucket for i < nb (b0 a multiple of
 * bucket, so the buckets of two runs with one size line up). */
struct report_timeline_result {
	usec_t b0, bucket;
	size_t nb;
	unsigned char *has;          /* bucket i holds a snapshot */
	struct report_timeline_series *s;   /* the biggest first, "other" last */
	size_t ns;
};

/* The report's buckets and series into *res (which the caller finishes with
 * report_timeline_result_fini, whatever the return). Returns the number of
 * buckets (0: no snapshot), or -errno with err set. */
long report_timeline_run(struct scan_src *src, const struct filter *flt,
			 const struct report_timeline_opts *o, struct report_timeline_result *res,
			 char *err, size_t errsz);
void report_timeline_result_fini(struct report_timeline_result *res);

/* Writes the report; returns the number of buckets, or -errno with err set. */
long report_timeline(struct scan_src *src, const struct filter *flt,
		     const struct report_timeline_opts *o, enum output_format fmt, FILE *f, unsigned width,
		     bool color, char *err, size_t errsz);

#endif

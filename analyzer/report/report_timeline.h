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

enum report_timeline_by { REPORT_TIMELINE_STATE, REPORT_TIMELINE_SUBNET };

struct report_timeline_opts {
	enum report_timeline_by by;
	usec_t bucket;               /* 0: chosen from the span (<= 60 buckets) */
	unsigned prefix4, prefix6;   /* REPORT_TIMELINE_SUBNET */
	unsigned series;             /* most series shown (the rest: "other") */
	usec_t now;                  /* snapshots after now + 1 day are left out; 0: none */
	FILE *warn;                  /* says which were left out (NULL: quiet) */
};

/* Writes the report; returns the number of buckets, or -errno with err set. */
long report_timeline(struct scan_src *src, const struct filter *flt,
		     const struct report_timeline_opts *o, enum output_format fmt, FILE *f, unsigned width,
		     bool color, char *err, size_t errsz);

#endif

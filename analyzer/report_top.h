/* report_top — `sockscope top`: connections grouped by remote IP, subnet,
 * local port, program or state, with share, distinct peers, state mix,
 * first/last seen and presence; at one moment or peak and average over a
 * range of snapshots. */
#ifndef SOCKSCOPE_REPORT_TOP_H
#define SOCKSCOPE_REPORT_TOP_H

#include <stdbool.h>
#include <stdio.h>

#include <sqlite3.h>

#include "filter.h"
#include "output.h"
#include "scan.h"

enum top_by { TOP_IP, TOP_SUBNET, TOP_PORT, TOP_PROGRAM, TOP_STATE };

struct top_opts {
	enum top_by by;
	unsigned prefix4, prefix6;   /* --prefix, --prefix6 for TOP_SUBNET */
	unsigned limit;              /* -n: rows shown, 0 = all */
	bool have_at;
	usec_t at;                   /* one moment: the newest snapshot at or
	                              * before it, of each host */
};

/* "ip", "subnet", "port", "program", "state". 0 or -EINVAL. */
int top_by_parse(const char *s, enum top_by *by);

/* Runs the report over src's rows and writes it (fmt, f, width, color).
 * Returns the number of groups written, or -errno with err set. */
long report_top(struct scan_src *src, const struct filter *flt, const struct top_opts *o,
		enum out_format fmt, FILE *f, unsigned width, bool color, char *err,
		size_t errsz);

#endif

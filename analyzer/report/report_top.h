/* report_top — `sockscope top`: connections grouped by remote IP, subnet,
 * local port, program or state, with share, distinct peers, state mix,
 * first/last seen and presence; at one moment or peak and average over a
 * range of snapshots. */
#ifndef SOCKSCOPE_REPORT_TOP_H
#define SOCKSCOPE_REPORT_TOP_H

#include <stdbool.h>
#include <stdint.h>
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

/* One group of the report. */
struct top_row {
	char *name;              /* the key as printed */
	uint32_t conns;          /* at its peak (or at --at) */
	double share;            /* % of all rows over the range */
	double avg;              /* rows per snapshot */
	uint32_t peers;
	char *states;            /* the mix at its peak: "SYN_RECV 3, ESTABLISHED 1" */
	usec_t first, last;
	uint32_t present;        /* snapshots it is in, of nsnaps */
};

struct top_result {
	struct top_row *v;
	size_t n;
	size_t nsnaps;
};

/* The report's rows, the first o->limit (0: all), for summary and the
 * like. Returns their number, or -errno with err set. */
long top_run(struct scan_src *src, const struct filter *flt, const struct top_opts *o,
	     struct top_result *res, char *err, size_t errsz);
void top_result_fini(struct top_result *r);

/* Runs the report over src's rows and writes it (fmt, f, width, color).
 * Returns the number of groups written, or -errno with err set. */
long report_top(struct scan_src *src, const struct filter *flt, const struct top_opts *o,
		enum output_format fmt, FILE *f, unsigned width, bool color, char *err,
		size_t errsz);

#endif

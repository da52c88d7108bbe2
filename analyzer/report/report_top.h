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

enum report_top_by { REPORT_TOP_IP, REPORT_TOP_SUBNET, REPORT_TOP_PORT, REPORT_TOP_PROGRAM, REPORT_TOP_STATE };

struct report_top_opts {
	enum report_top_by by;
	unsigned prefix4, prefix6;   /* --prefix, --prefix6 for REPORT_TOP_SUBNET */
	unsigned limit;              /* -n: rows shown, 0 = all */
	bool have_at;
	usec_t at;                   /* one moment: the newest snapshot at or
	                              * before it, of each host */
	bool general;                /* tests: never the fast path of one dump
	                              * (peercount.h), whose rows must be these */
};

/* "ip", "subnet", "port", "program", "state". 0 or -EINVAL. */
int report_top_by_parse(const char *s, enum report_top_by *by);

/* One group of the report. */
struct report_top_row {
	char *name;              /* the key as printed */
	uint32_t conns;          /* at its peak (or at --at) */
	double share;            /* % of all rows over the range */
	double avg;              /* rows per snapshot */
	uint32_t peers;
	char *states;            /* the mix at its peak: "SYN_RECV 3, ESTABLISHED 1" */
	usec_t first, last;
	uint32_t present;        /* snapshots it is in, of nsnaps */
};

struct report_top_result {
	struct report_top_row *v;
	size_t n;
	size_t nsnaps;
};

/* The report's rows, the first o->limit (0: all), for summary and the
 * like. Returns their number, or -errno with err set. */
long report_top_run(struct scan_src *src, const struct filter *flt, const struct report_top_opts *o,
		    struct report_top_result *res, char *err, size_t errsz);
void report_top_result_fini(struct report_top_result *r);

/* Runs the report over src's rows and writes it (fmt, f, width, color).
 * Returns the number of groups written, or -errno with err set. */
long report_top(struct scan_src *src, const struct filter *flt, const struct report_top_opts *o,
		enum output_format fmt, FILE *f, unsigned width, bool color, char *err,
		size_t errsz);

#endif

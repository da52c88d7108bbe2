/* report_summary — `sockscope summary`: the first page of a post-incident
 * review: hosts, time span, snapshots, sockets by state at the peak and the
 * median snapshot, the top remote subnets, spikes, gaps in the recording and
 * the SYN-flood counters' increase over the span. */
#ifndef SOCKSCOPE_REPORT_SUMMARY_H
#define SOCKSCOPE_REPORT_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "filter.h"
#include "output.h"
#include "report_spikes.h"
#include "report_top.h"
#include "scan.h"
#include "sparkline.h"

struct report_summary_opts {
	unsigned prefix4, prefix6;   /* top subnets */
	unsigned subnets;            /* how many (5) */
	struct report_spikes_opts spikes;
	enum sparkline_style chart;  /* a "chart" row per state: its sparkline */
	/* Results the caller already has (report_html), used instead of
	 * running them again; NULL: run here. found: the first of nfound
	 * spikes as report_spikes gives them with `spikes` and the filter
	 * without --state (up to 20 are shown); top: report_top_run --by
	 * subnet with prefix4/6 and a limit of at least `subnets`. */
	const struct report_spikes_found *found;
	long nfound;
	const struct report_top_result *top;
};

/* Writes the summary as rows of (section, name, value). Returns the number
 * of rows, 0 when no snapshot matches, or -errno with err set. */
long report_summary(struct scan_src *src, const struct filter *flt,
		    const struct report_summary_opts *o, enum output_format fmt, FILE *f,
		    unsigned width, bool color, char *err, size_t errsz);

/* A gap in one host's recording: between two consecutive snapshots more
 * than 1.5 expected intervals apart (the recorder's interval when it says,
 * else the median spacing of that host's snapshots). */
struct report_summary_gap {
	usec_t from, to;         /* the snapshots around it */
	usec_t expected;
	uint64_t missed;         /* snapshots that should have been taken */
};

/* The gaps of one host's snapshot times t[0..n) (ascending). iv[i] is the
 * step the recorder says led to snapshot i (0, or iv NULL: not said; the
 * median spacing stands in). Writes up to max to out; returns how many
 * there are, or -ENOMEM. Pure. */
long report_summary_gaps(const usec_t *t, const usec_t *iv, size_t n,
			 struct report_summary_gap *out, size_t max);

#endif

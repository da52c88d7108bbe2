/* report_html — `sockscope report`: one self-contained HTML page of an
 * incident (no script, no fetch: inline CSS and SVG) made of the reports'
 * own results: summary and verdict, the state timeline, SYN_RECV with its
 * spikes and the SYN-flood counters' rates, top subnets and hosts, ports,
 * programs, the block-list with its evidence, and where it all came from. */
#ifndef SOCKSCOPE_REPORT_HTML_H
#define SOCKSCOPE_REPORT_HTML_H

#include <stdio.h>

#include "blockrail.h"
#include "filter.h"
#include "report_blocklist.h"
#include "report_summary.h"
#include "report_timeline.h"
#include "scan.h"

struct report_html_opts {
	struct report_summary_opts summary;   /* its spikes: the spikes section's too */
	usec_t bucket;               /* the charts' buckets; 0: as `timeline` chooses */
	unsigned series;             /* state series drawn (the rest: "other") */
	unsigned top;                /* rows of the top subnets and hosts */
	struct report_blocklist_opts block;   /* why is the report's own */
	struct blockrail *rails;
	const char *command;         /* the command line, for provenance */
	const char *version;
	usec_t now;                  /* when the report is made */
};

/* Writes the page to f from src's database (dumps are imported into one
 * first by the caller). Returns the number of snapshots reported (0: none
 * matched, nothing written), or -errno with err set. */
long report_html(struct scan_src *src, const struct filter *flt, const struct report_html_opts *o,
		 FILE *f, char *err, size_t errsz);

/* ---- report_html_charts.c (for report_html.c) -------------------------- */

/* The charts of one panel: a host's (host set) or, over several, their sum. */
struct report_html_panel {
	const char *title;           /* "victim", or "all 3 hosts, summed" */
	const char *host;            /* NULL: the summed panel */
	struct report_timeline_result tl;   /* states per bucket */
	double *rates[SPIKES_MAX_COUNTERS];  /* per bucket (-1: gap), NULL: none */
	const char *rate_names[SPIKES_MAX_COUNTERS];
	size_t nrates;
};

/* The panel's charts (states stacked; SYN_RECV with the spikes of found
 * shaded; the counters' rates) on the time axis t0..t1. */
int report_html_panel(FILE *f, const struct report_html_panel *p, int64_t t0, int64_t t1,
		      const struct report_spikes_found *found, size_t nfound);

/* The counters' rates of every panel, bucketed as its timeline: the highest
 * rate in each bucket. 0 or -errno with err set. */
int report_html_rates(sqlite3 *db, const struct filter *flt, const struct report_spikes_opts *so,
		      struct report_html_panel *p, size_t np, char *err, size_t errsz);
void report_html_panel_fini(struct report_html_panel *p);

#endif

/* report_spikes — `sockscope spikes`: per host, the intervals where a socket
 * state's count (SYN_RECV) or a kernel counter's rate (SyncookiesSent,
 * ListenOverflows, ...) rises above its robust baseline (spike.h), each with
 * the subnets, local ports and programs that grew during it. */
#ifndef SOCKSCOPE_REPORT_SPIKES_H
#define SOCKSCOPE_REPORT_SPIKES_H

#include <stdbool.h>
#include <stdio.h>

#include "filter.h"
#include "output.h"
#include "scan.h"
#include "spike.h"
#include "utctime.h"

#define SPIKES_MAX_COUNTERS 32

struct report_spikes_opts {
	uint32_t states;         /* a series per state (1 << enum tcp_st) */
	const char *counters[SPIKES_MAX_COUNTERS];   /* "SyncookiesSent" or "Group.Field" */
	size_t ncounters;
	struct spike_params count;   /* for state counts */
	struct spike_params rate;    /* for counter rates (per second) */
	unsigned prefix4, prefix6;   /* subnets that grew */
	unsigned top;                /* groups named per spike and kind */
};

/* The series when the command line names none: SYN_RECV and the counters
 * of a SYN flood, which still rise when syncookies keep SYN_RECV small. */
extern const char *const report_spikes_default_counters[];
extern const size_t report_spikes_ndefault_counters;

/* The snapshots the filter's host and time select, read once for every
 * counter's rates (report_spikes_rates_of). 0 or -errno with err set; the
 * caller frees *out. */
struct report_spikes_snaps;
int report_spikes_snaps_load(sqlite3 *db, const struct filter *flt,
			     struct report_spikes_snaps **out, char *err, size_t errsz);
void report_spikes_snaps_free(struct report_spikes_snaps *s);   /* NULL: no-op */
/* A counter's rate per second (spike_rates: consecutive samples of one
 * boot) of each host of s, in host order: each(ctx, host, points, n) once
 * per host; its negative return stops the run. name is
 * "TcpExt.SyncookiesSent" (Group.Field). Returns the number of hosts, or
 * -errno with err set. */
typedef int report_spikes_rates_fn(void *ctx, const char *host, const struct spike_point *p,
				   size_t n);
long report_spikes_rates_of(sqlite3 *db, const struct filter *flt,
			    const struct report_spikes_snaps *s, const char *name,
			    report_spikes_rates_fn *each, void *ctx, char *err, size_t errsz);

/* A found spike, for `summary`. */
struct report_spikes_found {
	char host[256];
	char series[128];
	struct spike s;
};

/* One spike's columns as `spikes` prints them (times with digits
 * fractional digits, its length to the nearest second), shared with
 * `fleet spikes` so both print a spike alike. */
struct report_spikes_cells {
	char start[UTCTIME_STRLEN], end[UTCTIME_STRLEN], at[UTCTIME_STRLEN];
	char secs[24], peak[32], base[32], thr[32], pts[24];
};
void report_spikes_cells_fill(const struct spike *s, int digits, struct report_spikes_cells *c);

/* Finds the spikes of src's database (flt selects hosts, time and, for the
 * state series, sockets). With out non-NULL the report is written (fmt, f,
 * width, color); with found non-NULL the first max_found spikes are copied
 * there. Returns the number of spikes, or -errno with err set. */
long report_spikes(struct scan_src *src, const struct filter *flt,
		   const struct report_spikes_opts *o, enum output_format fmt, FILE *f,
		   unsigned width, bool color, struct report_spikes_found *found, size_t max_found,
		   char *err, size_t errsz);

#endif

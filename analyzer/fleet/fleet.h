/* fleet — `sockscope fleet`: reports over the ClickHouse tables of many
 * hosts. ClickHouse aggregates (hosts hit, per-snapshot series); the C code
 * decides as the local reports do (spike.h) and writes through output.h. */
#ifndef SOCKSCOPE_FLEET_H
#define SOCKSCOPE_FLEET_H

#include <stdbool.h>
#include <stdio.h>

#include "blocklist.h"
#include "blockrail.h"
#include "chhttp.h"
#include "output.h"
#include "report_blocklist.h"
#include "spike.h"
#include "utctime.h"

struct fleet_filter {
	const char *host;           /* NULL: every host */
	bool have_since, have_until;
	usec_t since, until;        /* snapshot time (spans: overlapping) */
	const char *state;          /* top: only this state's sockets (NULL: all
	                             * but LISTEN and UNCONN) */
};

/* Where the report goes. */
struct fleet_out {
	enum output_format fmt;
	FILE *f;
	unsigned width;
	bool color;
};

enum fleet_top_by { FLEET_TOP_SUBNET, FLEET_TOP_IP, FLEET_TOP_PORT };

struct fleet_top_opts {
	enum fleet_top_by by;
	unsigned prefix4;           /* 0 .. 32 */
	unsigned prefix6;           /* 0 .. 128, a multiple of 8 */
	unsigned limit;             /* 0: all */
};

/* "subnet", "ip", "port". 0 or -EINVAL. */
int fleet_top_by_parse(const char *s, enum fleet_top_by *by);

/* The reports: rows written, or -errno with err set (chhttp's errors;
 * -EBADMSG: an answer that does not parse). */
long fleet_top(struct chhttp *h, const char *database, const struct fleet_filter *flt,
	       const struct fleet_top_opts *o, const struct fleet_out *out, char *err,
	       size_t errsz);
long fleet_timeline(struct chhttp *h, const char *database, const struct fleet_filter *flt,
		    usec_t bucket, bool per_host, const struct fleet_out *out, char *err,
		    size_t errsz);
/* Each host's SYN_RECV count and the counters' rates (names "Group.Field"),
 * spike_find over each, sorted by onset (start, host, series). */
long fleet_spikes(struct chhttp *h, const char *database, const struct fleet_filter *flt,
		  const char *const *counters, size_t ncounters, const struct spike_params *count,
		  const struct spike_params *rate, const struct fleet_out *out, char *err,
		  size_t errsz);

struct fleet_blocklist_opts {
	struct report_blocklist_opts r;   /* as `blocklist`'s: thresholds (prefix6 a
	                                   * multiple of 8), rows (out) or a
	                                   * firewall file (fmt, ttl, now), explain
	                                   * and notes to r.why */
	const struct blockrail *rails;    /* --allow ...; each host adds its own addresses */
	uint32_t min_hosts;               /* list a network blocked on this many hosts */
};

/* Each host judged by blocklist_decide against its own baseline, on
 * evidence ClickHouse counts per snapshot; a network is listed with the
 * hosts that block it (most first): as rows through out (o->r.rows) or as
 * a firewall file to out->f. --explain: per network the hosts and each
 * one's evidence, then each host's near misses, to o->r.why. Networks
 * listed, or -errno with err set. */
long fleet_blocklist(struct chhttp *h, const char *database, const struct fleet_filter *flt,
		     const struct fleet_blocklist_opts *o, const struct fleet_out *out, char *err,
		     size_t errsz);

#endif

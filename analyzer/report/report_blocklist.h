/* report_blocklist — `sockscope blocklist`: peers and subnets counted from
 * the selected snapshots (scan.h, agg.h), the host's own addresses added
 * to the rails, decisions made (blocklist.h) and written as a firewall
 * file (blockfmt.h), CSV or JSON, with the evidence in words on request. */
#ifndef SOCKSCOPE_REPORT_BLOCKLIST_H
#define SOCKSCOPE_REPORT_BLOCKLIST_H

#include <stdbool.h>
#include <stdio.h>

#include "blockfmt.h"
#include "blocklist.h"
#include "blockrail.h"
#include "filter.h"
#include "output.h"
#include "scan.h"

struct report_blocklist_opts {
	struct blocklist_params p;
	bool rows;               /* CSV or JSON (out) instead of a firewall file (fmt) */
	enum blockfmt fmt;
	enum output_format out;
	unsigned ttl;            /* seconds (nft, ipset); 0: none */
	bool explain;            /* evidence and near misses, in words, to `why` */
	FILE *why;               /* --explain, the spoofed-flood advice, notes */
	usec_t now;              /* the header's time */
};

/* "iptables", "ip6tables", "nft", "ipset", "plain", "csv" or "json" into
 * o. 0 or -EINVAL. */
int report_blocklist_format_parse(const char *s, struct report_blocklist_opts *o);

/* Runs it over src (a database: the host's own addresses come from its
 * sockets) and writes the list to f. rails gets the own addresses added.
 * Returns the number of networks recommended, -ENODATA when no snapshot
 * matches, or -errno; err set on error. */
long report_blocklist(struct scan_src *src, const struct filter *flt, struct blockrail *rails,
		      const struct report_blocklist_opts *o, FILE *f, char *err, size_t errsz);

/* One decision's evidence in words, a line to w (--explain): nsnaps the
 * snapshots judged, rows their sockets with a peer. fleet blocklist
 * explains each host's decisions with it. */
void report_blocklist_explain_rec(FILE *w, const struct blocklist_rec *r, size_t nsnaps,
				  uint64_t rows);

#endif

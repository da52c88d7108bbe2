/* named — the peers a dump named instead of addressing them (netstat, ss or
 * BSD netstat saved without -n): grouped by the name as printed, never
 * resolved, for the reports that group by address and cannot hold them. */
#ifndef SOCKSCOPE_NAMED_H
#define SOCKSCOPE_NAMED_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "filter.h"
#include "utctime.h"

struct named_peer {
	char *host;              /* as the dump printed it (maybe cut) */
	uint32_t peak;           /* its rows in its busiest snapshot */
	uint64_t total;          /* its rows over the range */
};

struct named_peers {
	struct named_peer *v;    /* the busiest first, at most `limit` */
	size_t n;
	uint64_t groups;         /* names in all, shown or not */
	uint64_t rows;           /* rows with a named peer in all */
};

/* The named peers of the sockets flt selects (with have_at: each host's
 * newest snapshot at or before at), the first `limit` (0: all) by peak.
 * 0, or -errno with err set. Caller finis. */
int named_peers_load(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		     size_t limit, struct named_peers *out, char *err, size_t errsz);
void named_peers_fini(struct named_peers *p);

/* Writes the note a report prints about them ("named: ..."): what the named
 * peers are, and each with its peak and total (host names made printable).
 * Nothing when there are none. */
void named_peers_note(FILE *f, const struct named_peers *p, const char *what);

#endif

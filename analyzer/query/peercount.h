/* peercount — `sockscope top -` (by ip) over one plain net-tools netstat
 * dump without the importer: the dump read in big blocks, its rows
 * classified by peerscan, each peer counted per state in a flat
 * open-addressing table; or, for any input it does not cover, a "no" that
 * sends the report down the general path (scan_files) before anything is
 * printed. */
#ifndef SOCKSCOPE_PEERCOUNT_H
#define SOCKSCOPE_PEERCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg.h"
#include "filter.h"
#include "utctime.h"

struct peercount;

/* What the general path must read first when the fast one gave up on a
 * stdin that cannot be read again (a pipe): the bytes taken from it. */
struct peercount_head {
	char *data;              /* malloc'd; NULL: nothing kept */
	size_t len;
};

/* Counts the dump `path` ("-": stdin) as the general path would for `top
 * --by ip`: the rows flt keeps (--program is not covered), the peer of
 * each (none: left out), the snapshot's time as import_text takes it
 * (file name, mtime, now) and its host (`host`, NULL: "unknown") matched
 * against flt. Returns 1 with *out set (caller frees); 0 when the general
 * path must read the input instead (then stdin is back where it was, or
 * *head holds what was taken from it: the caller frees head->data); or
 * -ENOMEM. Nothing is printed. */
int peercount_read(const char *path, const struct filter *flt, const char *host,
		   struct peercount **out, struct peercount_head *head);
void peercount_free(struct peercount *pc);   /* NULL is a no-op */

/* The snapshot's time, and the number of groups (peers) and of rows
 * counted in them. */
usec_t peercount_time(const struct peercount *pc);
size_t peercount_ngroups(const struct peercount *pc);
uint64_t peercount_rows(const struct peercount *pc);

/* A group of the table. */
struct peercount_ref {
	uint32_t rows;
	uint32_t slot;           /* its slot; the top bit: the IPv6 table */
};

/* The best `want` groups (0: all) into out (room for that many, or
 * peercount_ngroups), in `top`'s order: most rows first, then the address
 * (IPv4 first, numeric order). Returns their number, or -ENOMEM. */
long peercount_top(const struct peercount *pc, size_t want, struct peercount_ref *out);
/* A group's key (agg_key_addr's layout, so agg_key_addr_format names it)
 * and its rows per state (AGG_* numbering). */
void peercount_key(const struct peercount *pc, const struct peercount_ref *g, struct agg_key *k);
void peercount_mix(const struct peercount *pc, const struct peercount_ref *g,
		   uint32_t mix[AGG_NSTATE]);

#endif

/* ship_int.h — private to analyzer/fleet/: the shipper's state file
 * (ship_state.c), which chains are shipped up to which snapshot and the
 * batch in flight. */
#ifndef SOCKSCOPE_SHIP_INT_H
#define SOCKSCOPE_SHIP_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "buf.h"

struct ship_chain {
	int64_t chain;    /* snapshots.chain in the database shipped */
	int64_t done;     /* its last k on the server, -1: none */
};

/* A part of a batch: snapshots k = a .. b of one chain. */
struct ship_piece {
	int64_t chain, a, b;
};

struct ship_state {
	struct ship_chain *c;     /* sorted by chain */
	size_t n, cap;
	struct ship_piece *pend;  /* the batch in flight (written before it is sent) */
	size_t npend, pcap;
	uint64_t pend_batch;
};

/* Reads path into st (a missing file: empty). 0, -EBADMSG, -errno. */
int ship_state_load(struct ship_state *st, const char *path);
/* Writes st to path atomically (temporary, fsync, rename, fsync of the
 * folder). 0 or -errno. */
int ship_state_save(const struct ship_state *st, const char *path);
void ship_state_fini(struct ship_state *st);
/* The last k shipped of chain, -1 if none. */
int64_t ship_state_done(const struct ship_state *st, int64_t chain);
/* Records chain shipped up to k. 0 or -ENOMEM. */
int ship_state_set(struct ship_state *st, int64_t chain, int64_t k);
int ship_state_add_piece(struct ship_state *st, const struct ship_piece *p);

/* ship_ranges.c: the series_ranges rows (chschema's columns, TSV) of one
 * host's pieces p[0..n) of batch, appended to body. Rows, or -errno with
 * err set. */
long ship_ranges_rows(sqlite3 *db, const char *host, const struct ship_piece *p, size_t n,
		      uint64_t batch, struct buf *body, char *err, size_t errsz);

#endif

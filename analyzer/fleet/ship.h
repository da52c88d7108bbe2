/* ship — `sockscope ship`: what a database holds (chains of snapshots with
 * their states, counters, processes, spans and sources) sent to ClickHouse
 * in deterministic batches, exactly once across reruns, crashes and server
 * outages (docs/CLICKHOUSE.md, "Exactly once"). */
#ifndef SOCKSCOPE_SHIP_H
#define SOCKSCOPE_SHIP_H

#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "chhttp.h"
#include "chschema.h"
#include "utctime.h"

struct ship_opts {
	const char *database;     /* ClickHouse database (an identifier) */
	const char *state;        /* the state file */
	unsigned max_snapshots;   /* per batch (10000) */
	uint64_t max_rows;        /* per batch, about, in the largest per-snapshot
	                           * table (500000); a batch has one snapshot at least */
	uint64_t min_gap;         /* µs: least time between two inserts into one table (1 s) */
	uint64_t retry_for;       /* µs: give up on an unreachable server after (0: never) */
};

struct ship_totals {
	uint64_t batches;         /* sent now */
	uint64_t found;           /* inserts found already on the server (not re-sent) */
	uint64_t rows[CHSCHEMA_NTABLES];
	uint64_t retries;
};

/* Checks that database holds every table of chschema with its columns and
 * types. 0; -ENOENT (err says what is missing or different); or
 * chhttp_query's errors. */
int ship_check_schema(struct chhttp *h, const char *database, char *err, size_t errsz);

/* Creates the database and tables on the server h talks to (one server;
 * cluster may be NULL). 0 or chhttp_query's errors. */
int ship_create_schema(struct chhttp *h, const struct chschema_opts *o, char *err, size_t errsz);

/* Ships every complete chain of db not yet shipped by the state file o->state.
 * msg gets one line per retry. Returns the number of batches sent (>= 0), or
 * -errno with err set: chhttp_query's errors (after o->retry_for for
 * -EAGAIN), -EIO (the state file), -EPROTO (the server holds part of a
 * batch), -EBADMSG. */
long ship_db(sqlite3 *db, struct chhttp *h, const struct ship_opts *o, struct ship_totals *t,
	     FILE *msg, char *err, size_t errsz);

#endif

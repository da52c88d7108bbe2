/* scan — the socket rows a report reads, handed to C one by one: from the
 * database (the selected snapshots' rowid ranges, split over threads with a
 * read-only connection each, socket filters in SQL), or straight from
 * dumps being parsed, with no database at all (filters in C). */
#ifndef SOCKSCOPE_SCAN_H
#define SOCKSCOPE_SCAN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "addr.h"
#include "agg.h"
#include "filter.h"
#include "import.h"
#include "intern.h"

/* A snapshot a report reads. */
struct scan_snap {
	int64_t id;              /* snapshots.id; 0 for dumps read without a database */
	usec_t time;
	int64_t chain, k;        /* the spans that cover it: chain, k in k_first..k_last */
	int64_t n;               /* its rows */
	char *host;
	usec_t interval;         /* the recorder's interval; 0: not said */
};

struct scan_snaps {
	struct scan_snap *v;
	size_t n, cap;
	uint64_t rows;           /* sum of n */
	/* scan_snaps_order: the snapshots by chain then k, the positions of
	 * the spans handed to scan_sink.span */
	uint32_t *pos_snap;
	usec_t *pos_time;
	struct agg_timebase tb;
	/* the hosts' names, each kept once (v[i].host points to one) */
	struct intern hosts;
};

/* The snapshots the filter's host and time range select (with have_at:
 * each host's newest at or before `at`), by time then id, and ordered
 * (scan_snaps_order). 0, or -errno
 * with err set. */
int scan_snaps_load(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		    struct scan_snaps *out, char *err, size_t errsz);
void scan_snaps_fini(struct scan_snaps *s);
/* Numbers the snapshots of s by chain then k (s->tb), so that a span is a
 * range of positions: after the last snapshot is added, before scan_db
 * hands spans. 0 or -ENOMEM. */
int scan_snaps_order(struct scan_snaps *s);

/* "WITH snaps AS (...)", the snapshots flt (have_at, at) selects (as
 * filter_sql_snaps), then tail, prepared on db with every value bound. 0,
 * or -errno with err set and *st NULL. */
int scan_prepare(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		 const char *tail, sqlite3_stmt **st, char *err, size_t errsz);

/* A row as reports see it. Fields not asked for (scan_cols) are 0/NULL. */
struct scan_row {
	uint32_t snap;           /* index in the scan_snaps */
	uint8_t state;           /* AGG_* numbering (agg.h): UNCONN is its own */
	uint8_t proto;           /* IPPROTO_*: dumps and spans (rows of the database: 0) */
	uint16_t rport;          /* dumps only */
	uint16_t lport;          /* SCAN_LPORT */
	struct addr peer;        /* SCAN_PEER: folded (an IPv4-mapped peer is IPv4) */
	bool named;              /* the peer is known by name only (a dump saved
	                          * without -n: raddr NULL); peer is then 0.0.0.0 */
	const char *program;     /* SCAN_PROGRAM; NULL when unknown */
	struct addr local;       /* SCAN_LOCAL: folded; family 0 when the host
	                          * was named instead (a dump saved without -n) */
};

#define SCAN_PEER 1u         /* fill peer */
#define SCAN_LPORT 2u
#define SCAN_PROGRAM 4u
#define SCAN_HAS_PEER 8u     /* only rows with a peer (not 0.0.0.0 or ::) */
#define SCAN_LOCAL 16u       /* fill local */

/* A span as reports see it: its row stands for `copies` rows in each
 * snapshot at positions first..last of tb (the scan_snaps' tb). */
struct scan_span {
	uint32_t first, last, copies;
	const struct agg_timebase *tb;
};

/* Where rows go: snap() before each snapshot's rows (index, time), row()
 * for each; a negative return stops the scan with that error. With span
 * set, a database scan hands each span once to span() instead (neither
 * snap() nor row()); dumps are still read row by row. */
struct scan_sink {
	int (*snap)(void *ctx, uint32_t snap, usec_t time);
	int (*row)(void *ctx, const struct scan_row *r);
	void *ctx;
	/* optional: a row() to come soon (agg_prefetch's stages); rows read
	 * from dumps are seen this way 8 and 16 rows ahead */
	void (*prefetch)(void *ctx, const struct scan_row *r, int stage);
	int (*span)(void *ctx, const struct scan_row *r, const struct scan_span *sp);
	/* optional: the sink's last call, after its share, in the thread that
	 * read it (a sink closes its counting there, agg_end, so that the
	 * threads do it side by side); a negative return fails the scan */
	int (*done)(void *ctx);
};

/* Reads the rows of every snapshot in s, filtered, into sinks[0..threads):
 * thread i gets a contiguous share of the snapshots (about equal rows) and
 * sinks[i], then sinks[i].done. Sinks with span (all or none) get spans, and need
 * scan_snaps_order(s) done; their shares are contiguous in position order,
 * and a span over several shares reaches each share's sink as its part
 * there (read once, by the share it starts in, carried to the others). More than one thread needs a database file (an in-memory one is
 * read by one). 0, or -errno with err set. */
int scan_db(sqlite3 *db, const struct scan_snaps *s, const struct filter *flt, unsigned cols,
	    unsigned threads, const struct scan_sink *sinks, char *err, size_t errsz);

/* Parses paths (files, directories, "-") as `sockscope import` would,
 * but hands the rows to sink instead of storing them: the filter applied in
 * C, snapshots appended to s. Messages about the input go to msg. Returns
 * 0, 1 when something was skipped, or -errno. */
int scan_files(char *const *paths, size_t npaths, const struct import_opts *o,
	       const struct filter *flt, unsigned cols, struct scan_snaps *s,
	       const struct scan_sink *sink, FILE *msg, struct import_totals *totals);

/* Sockets per state and snapshot of s, filtered, read by src->threads
 * readers of src's database: *out is an agg (agg.h, AGG_CELLS) whose group
 * keys are the state alone (key.b[0], AGG_* numbering). 0, or -errno with
 * err set. The caller frees *out. */
struct agg;
struct scan_src;
int scan_count_states(const struct scan_src *src, const struct scan_snaps *s,
		      const struct filter *flt, struct agg **out, char *err, size_t errsz);

/* Readers a scan runs at most: each report keeps a context per reader. */
#define SCAN_MAX_THREADS 16

/* run(args + i * size) for i in 0 .. n-1 (n <= SCAN_MAX_THREADS), side by
 * side in threads, back when all have returned; one runs in this thread
 * when a thread cannot start. For the scan's readers, and for the work a
 * report splits the same way after it. */
void scan_parallel(void *(*run)(void *), void *args, size_t size, unsigned n);

/* Where a report's rows come from: a database, or dumps parsed on the fly
 * (files, directories, "-"), never stored. */
struct scan_src {
	sqlite3 *db;             /* NULL: read `files` */
	char *const *files;
	size_t nfiles;
	struct import_opts io;   /* how to read them */
	FILE *msg;               /* their warnings and errors */
	unsigned threads;        /* database readers (a report reads with at
	                          * most SCAN_MAX_THREADS) */
	int status;              /* set by scan_run: 1 when a file was skipped */
	uint64_t named_peers;    /* set by scan_run on files: rows whose peer a
	                          * dump named (no -n), left out of peers */
	bool counted;            /* set by report_top: the one dump was counted
	                          * by its fast path (peercount.h), not scanned */
};

/* The snapshots (into snaps) and rows (into nsinks sinks; dumps use sinks[0]
 * alone and cannot select --at, which needs every snapshot first: have_at
 * is -EINVAL there). 0, or -errno with err set. */
int scan_run(struct scan_src *src, const struct filter *flt, bool have_at, usec_t at,
	     unsigned cols, unsigned nsinks, const struct scan_sink *sinks,
	     struct scan_snaps *snaps, char *err, size_t errsz);

#endif

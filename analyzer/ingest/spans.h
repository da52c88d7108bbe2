/* spans — a stream of snapshots turned into spans: a socket's consecutive
 * presence, unchanged in identity and state, in the snapshots of one chain
 * (one host and boot, no gap). Streamed: only the previous snapshot's
 * sockets are held. Pure: no database, no I/O (issue 17, docs/SCHEMA.md). */
#ifndef SOCKSCOPE_SPANS_H
#define SOCKSCOPE_SPANS_H

#include <stdbool.h>
#include <stdint.h>

#include "store.h"
#include "utctime.h"

/* A closed span. row holds the identity (every field but the varying ones)
 * and, for the varying ones (rxq, txq, timer, expires_ms, retrans), their
 * values in the span's last snapshot. */
struct span {
	struct store_row row;
	/* what every snapshot of the span touches first, beside row's varying
	 * values (the open spans are walked once a snapshot) */
	uint32_t max_rxq, max_txq, max_retrans;   /* over the span */
	uint32_t copies;         /* identical rows in each of its snapshots */
	uint32_t k_first, k_last;            /* positions in the chain (0 first) */
	int64_t snap_first, snap_last;       /* the caller's snapshot ids */
	uint64_t chain;          /* 1, 2, ...: the chain it belongs to */
	/* its place among its snapshots' rows: sorting a snapshot's spans by
	 * ord gives the order the rows came in, whenever the sockets that
	 * stay keep their order from one snapshot to the next (ties: a
	 * socket that came between two others too many times) */
	int64_t ord;
};

/* Where closed spans go: 0, or -errno to stop (returned by the call that
 * closed the span). Pointers in the span live until emit returns. */
typedef int (*spans_emit_fn)(void *ctx, const struct span *sp);

/* A snapshot as the builder sees it, to decide whether it continues the
 * chain of the one before. */
struct spans_snap {
	int64_t id;
	const char *host;
	const char *boot_id;     /* NULL: not said */
	usec_t time;
	usec_t interval;         /* the declared interval; 0: not said */
	int64_t seq;             /* recorder sequence number; -1: none */
};

struct spans;

/* SPANS_EXACT: the varying fields are identity too, so a span's rows are
 * its snapshots' rows exactly (what a byte-exact replay of queues and
 * timers would need; it costs spans wherever a timer ticks). */
#define SPANS_EXACT 1u
/* SPANS_QUEUES: rxq and txq are identity (netstat without -o shows them). */
#define SPANS_QUEUES 2u

/* 0 or -ENOMEM. Caller frees (spans_free). */
int spans_new(unsigned flags, spans_emit_fn emit, void *ctx, struct spans **out);
/* Frees without emitting: call spans_flush first to keep the open spans. */
void spans_free(struct spans *b);   /* NULL is a no-op */

/* Starts a snapshot. It continues the previous one's chain when it has the
 * same host and boot, a later time, the next seq (when both have one), and
 * no gap: with a declared interval, at most 1.5 intervals after it; without
 * one, at most 1.5 times the chain's shortest step so far. Otherwise the open
 * spans are closed first (a gap ends the spans that cross it). *chain and
 * *k (either may be NULL): where the snapshot sits. 0 or -errno. */
int spans_begin(struct spans *b, const struct spans_snap *sn, uint64_t *chain, uint32_t *k);
/* One row of the current snapshot (copied). 0 or -errno. */
int spans_row(struct spans *b, const struct store_row *r);
/* The same, for a row that repeats row j (0-based, in the order rows came)
 * of snapshot prev_id, every identity field equal (the fast path: no hash,
 * no comparison). When prev_id is not the snapshot just before in this chain,
 * it is spans_row(). 0 or -errno. */
int spans_row_prev(struct spans *b, int64_t prev_id, uint32_t j, const struct store_row *r);
/* Whether rows j .. j+n-1 of snapshot prev_id take spans_row_prev's fast
 * path: then only their proto, state and varying values are read. */
bool spans_prev_fast(const struct spans *b, int64_t prev_id, uint32_t j, uint32_t n);
/* Ends the current snapshot: spans whose socket is gone, or whose row count
 * changed, are closed. 0 or -errno. */
int spans_end(struct spans *b);
/* Forgets the current snapshot (torn: rolled back); the chain goes on from
 * the snapshot before it. */
void spans_discard(struct spans *b);
/* Closes every open span; the next snapshot starts a new chain. 0 or -errno. */
int spans_flush(struct spans *b);

/* Open spans right now (the previous snapshot's distinct rows). */
size_t spans_open(const struct spans *b);

/* The 64-bit FNV-1a step both a span's identity and a snapshot's content
 * digest are built from (store.c): h mixed with p[0..n), and with a string
 * (its NUL included, so "a","b" and "ab" differ; NULL as a byte no string
 * ends with). Not a cryptographic hash: a collision costs a span split or a
 * copy not recognised, never data. */
uint64_t spans_hash(uint64_t h, const void *p, size_t n);
uint64_t spans_hash_str(uint64_t h, const char *s);

#endif

/* agg — socket rows counted per group in C, snapshot by snapshot: per group
 * the peak over snapshots and the state mix at that peak, the total,
 * snapshots present, first/last seen, distinct peers and, on request, the
 * count in every snapshot. What `top` and `timeline` print, whether the
 * rows come from the database or straight from a parsed dump. */
#ifndef SOCKSCOPE_AGG_H
#define SOCKSCOPE_AGG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "utctime.h"

/* A group's key: bytes the report chooses (an address and prefix, a port,
 * a state, an interned name), compared whole. Unused bytes must be 0. */
#define AGG_KEY_LEN 20
struct agg_key {
	uint8_t b[AGG_KEY_LEN];
};

/* An address key: the address, masked to prefix4 (IPv4) or prefix6
 * (IPv6) when those are not 0 (a subnet); and back to text, "/p" added for a
 * subnet. */
void agg_key_addr(struct agg_key *k, const struct addr *a, unsigned prefix4, unsigned prefix6);
size_t agg_key_addr_format(const struct agg_key *k, unsigned prefix4, unsigned prefix6,
			   char *out, size_t n);
/* The network of an address key (prefix4, prefix6 as it was made with; 0:
 * the whole address). */
void agg_key_cidr(const struct agg_key *k, unsigned prefix4, unsigned prefix6, struct cidr *c);

/* States as reports name them: enum tcp_st, plus UNCONN (an unconnected
 * UDP or raw socket, which the kernel calls CLOSE). */
#define AGG_UNCONN 13
#define AGG_NSTATE 14
const char *agg_state_name(unsigned st);
/* The stored name ("SYN_RECV", "UNCONN", ...) back to its number; -1 if
 * it is none of them. */
int agg_state_parse(const char *s, size_t len);

#define AGG_PEERS 1u   /* count distinct peers per group */
#define AGG_CELLS 2u   /* keep every snapshot's count (agg_group.cells) */
/* Spans (agg_span) count in a group's key, total and peers only: no peak,
 * present, first/last, state mix or cells, so agg_end sweeps nothing (a
 * report that compares totals: spikes' "what grew"); agg_merge adds the
 * totals. Rows (agg_add) still fill every figure. */
#define AGG_TOTALS 4u

struct agg_cell {
	uint32_t snap;
	uint32_t count;
};

struct agg_group {
	struct agg_key key;
	uint32_t peak;           /* most rows in one snapshot */
	uint32_t present;        /* snapshots with at least one row */
	uint32_t peers;          /* distinct peers (AGG_PEERS) */
	uint64_t total;          /* rows over all snapshots */
	uint64_t state_total;    /* ... of them in the state agg_state_total names */
	usec_t first, last;      /* times of the first and last snapshot seen in */
	usec_t peak_time;        /* the earliest snapshot with `peak` rows */
	uint32_t peak_snap;      /* ... its number (ties of time: the lowest) */
	struct agg_cell *cells;  /* AGG_CELLS: ncells, in the order fed */
	size_t ncells;
	/* private: the snapshot being counted, the state mix (a list in the
	 * agg's pool: most groups see one or two states) */
	uint32_t cur, cur_snap, mix, bits;
	usec_t cur_time;
	size_t capcells;
};

struct agg;

/* NULL when out of memory. Caller frees. */
struct agg *agg_new(unsigned flags);
void agg_free(struct agg *a);   /* NULL is a no-op */
/* Every group is an IPv4 /(32 - bits) (or an IPv6 network): IPv4 peers are
 * counted in a bitmap per group. bits <= 12; 0 (the default) turns it off.
 * Call before the first row. */
void agg_host_bits(struct agg *a, unsigned bits);
/* Each group also sums its rows in state (AGG_* numbering; SYN_RECV takes
 * NEW_SYN_RECV's): agg_group.state_total, what a table of sums per key
 * beside the agg would hold, without a second lookup per row. Call before
 * the first row. */
void agg_state_total(struct agg *a, unsigned state);

/* Room made ahead for `groups` groups and `spans` spans (agg_span), a hint:
 * the tables are made once, at their size, and a big one is backed by huge
 * pages from its first touch, where growing touches its first megabytes
 * page by page (a page fault each: 4 KiB, ~10 us in a VM). Space not used
 * is never touched. Call before the first row or span. 0 or -ENOMEM. */
int agg_reserve(struct agg *a, size_t groups, size_t spans);

/* The rows that follow belong to snapshot `snap` (any number below
 * UINT32_MAX, unique per snapshot), taken at `time`. 0 or -EINVAL. */
int agg_snapshot(struct agg *a, uint32_t snap, usec_t time);
/* One row of the current snapshot: its group, peer (NULL: none, or not
 * counted) and state (< AGG_NSTATE; NEW_SYN_RECV counts as SYN_RECV, other
 * values as 0). 0, -EINVAL before the first agg_snapshot, or -ENOMEM. */
int agg_add(struct agg *a, const struct agg_key *k, const struct addr *peer, unsigned state);
/* Where spans sit: position p (0 .. n-1) is snapshot snap[p] (the number
 * agg_snapshot would take) at time[p]. Each chain's snapshots take
 * consecutive positions in chain order; ordered: within a chain, snap
 * numbers rise with the position (then the earliest snapshot of a stretch
 * is its first). The caller keeps it alive until agg_end. */
struct agg_timebase {
	const uint32_t *snap;
	const usec_t *time;
	size_t n;
	bool ordered;
};

/* copies rows of group k (peer, state as agg_add) in each snapshot at
 * positions first..last of tb: what agg_add would count over those
 * snapshots, at the cost of one call. Spans of every group share one tb; an
 * agg takes rows (agg_snapshot, agg_add) or spans, not both. A span is
 * counted up to 16 calls later (its group's slot fetched from memory
 * meanwhile): read the groups after agg_end, and an -ENOMEM may come from
 * an earlier span. 0, -EINVAL (another tb, rows already, a position beyond
 * tb, agg_end done) or -ENOMEM. */
int agg_span(struct agg *a, const struct agg_timebase *tb, const struct agg_key *k,
	     const struct addr *peer, unsigned state, uint32_t first, uint32_t last,
	     uint32_t copies);

/* `to` (fed no rows) gets the spans `from` was fed (not yet ended), each
 * in the group its key falls in with addresses cut to prefix4 / prefix6
 * (agg_key_addr), and each group of `from` (whose keys are single
 * addresses) counted as one peer of that group: what feeding every span
 * with its peer to `to` would count, for one lookup a group of `from`
 * instead of one a span, when `from` was fed every span of its peers
 * (the peers of `from` that another agg also holds would be counted
 * twice). 0, -EINVAL (either ended, or fed rows) or -ENOMEM. */
int agg_span_regroup(struct agg *to, struct agg *from, unsigned prefix4, unsigned prefix6);

/* A hint that a row of key k comes soon: stage 0 fetches its slot of the
 * table, stage 1 (later, when the slot has arrived) its group. Rows of
 * random keys are bound by memory latency; callers that see rows ahead
 * hide it. No effect on results. */
void agg_prefetch(const struct agg *a, const struct agg_key *k, int stage);

/* Closes the counting: after the last row, before merging or reading the
 * groups; once it succeeded, calling it again does nothing. 0 or -ENOMEM. */
int agg_end(struct agg *a);
/* Folds `from` (fed other snapshots than a; both ended, with the same
 * agg_host_bits) into a. 0 or -ENOMEM. */
int agg_merge(struct agg *a, const struct agg *from);

/* Rows per state of g in its peak snapshot (AGG_NSTATE counts). */
void agg_mix(const struct agg *a, const struct agg_group *g, uint32_t mix[AGG_NSTATE]);

/* The group of key k, or NULL. */
const struct agg_group *agg_find(const struct agg *a, const struct agg_key *k);

size_t agg_ngroups(const struct agg *a);
/* The groups, agg_ngroups() of them; the caller may reorder the array
 * (qsort) after agg_end, but then no longer feed or merge. */
struct agg_group *agg_groups(struct agg *a);

#endif

/* agg_int — what agg.c and agg_span.c share: the table, the state-mix pool,
 * the peer sets, and the spans waiting for agg_end's sweep. Private to query/. */
#ifndef SOCKSCOPE_AGG_INT_H
#define SOCKSCOPE_AGG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "agg.h"
#include "keytab.h"

#define NONE UINT32_MAX

/* Spans agg_span holds back before counting them: their group's slot is
 * fetched from memory when they arrive and used AGG_PIPE spans later, so
 * the lookups of many groups (a spoofed flood: 10^5 .. 10^6) overlap
 * instead of waiting for memory one by one. In order: groups are numbered
 * as they would be without it. */
#define AGG_PIPE 16

struct agg_pend {
	struct agg_key key;
	uint64_t h;              /* keytab_hash(key) */
	struct addr peer;
	bool has_peer;
	uint8_t state;
	uint32_t first, last, copies;
};

struct mix {
	uint32_t next;           /* NONE ends the group's list */
	uint32_t state;
	uint32_t cur, peak;
};

struct peer {
	uint32_t group1;         /* group index + 1; 0: empty slot */
	uint8_t addr[16];
};

struct agg {
	unsigned flags;
	bool ended;              /* agg_end done: a second call does nothing */
	struct agg_group *g;
	size_t ng, capg;
	struct keytab kt;        /* key -> group index */
	struct mix *mix;
	size_t nmix, capmix;
	struct peer *peer;
	size_t npeer, npeerslot; /* power of two */
	uint64_t *peer4;
	size_t npeer4, npeer4slot;
	unsigned host_bits;      /* agg_host_bits */
	unsigned tstate;         /* agg_state_total (NONE: none) */
	uint8_t *bits;           /* the groups' peer bitmaps */
	size_t nbits, capbits;
	uint32_t snap;           /* current snapshot */
	usec_t time;
	/* spans (agg_span), swept by agg_end */
	const struct agg_timebase *tb;
	struct agg_sev *sev;
	size_t nsev, capsev;
	struct agg_pend pend[AGG_PIPE];   /* a ring: npend from pend[pend0] */
	size_t pend0, npend;
};

/* A span fed by agg_span: copies rows of state in group, at timebase
 * positions first..last. */
struct agg_sev {
	uint32_t group, first, last, copies, state;
};

/* The group of key k, created when new: its index, or -ENOMEM. */
long agg_group_of(struct agg *a, const struct agg_key *k);
/* ... with k's keytab_hash h already known. */
long agg_group_of_h(struct agg *a, const struct agg_key *k, uint64_t h);
/* Adds n to state's current (or, with peak, peak) count in g's mix. */
int agg_mix_add(struct agg *a, struct agg_group *g, unsigned state, uint32_t n, bool peak);
/* 1 when p is new to the group, 0 when known, -ENOMEM. */
int agg_peer_add(struct agg *a, uint32_t group, const struct addr *p);
/* Counts the spans agg_span holds back (agg_end does it first). 0 or -ENOMEM. */
int agg_span_flush(struct agg *a);
/* Sweeps the spans fed into their groups' figures (agg_end). 0 or -ENOMEM. */
int agg_span_end(struct agg *a);

#endif

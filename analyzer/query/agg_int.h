/* agg_int — what agg.c and agg_span.c share: the table, the state-mix pool,
 * the peer sets, and the spans waiting for agg_end's sweep. Private to query/. */
#ifndef SOCKSCOPE_AGG_INT_H
#define SOCKSCOPE_AGG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "agg.h"
#include "keytab.h"

#define NONE UINT32_MAX

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
	uint8_t *bits;           /* the groups' peer bitmaps */
	size_t nbits, capbits;
	uint32_t snap;           /* current snapshot */
	usec_t time;
	/* spans (agg_span), swept by agg_end */
	const struct agg_timebase *tb;
	struct agg_sev *sev;
	size_t nsev, capsev;
};

/* A span fed by agg_span: copies rows of state in group, at timebase
 * positions first..last. */
struct agg_sev {
	uint32_t group, first, last, copies, state;
};

/* The group of key k, created when new: its index, or -ENOMEM. */
long agg_group_of(struct agg *a, const struct agg_key *k);
/* Adds n to state's current (or, with peak, peak) count in g's mix. */
int agg_mix_add(struct agg *a, struct agg_group *g, unsigned state, uint32_t n, bool peak);
/* 1 when p is new to the group, 0 when known, -ENOMEM. */
int agg_peer_add(struct agg *a, uint32_t group, const struct addr *p);
/* Sweeps the spans fed into their groups' figures (agg_end). 0 or -ENOMEM. */
int agg_span_end(struct agg *a);

#endif

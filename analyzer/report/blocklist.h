/* blocklist — what to recommend blocking: per-peer and per-subnet evidence
 * judged against the recording's own baseline, a subnet when many of its
 * hosts behave alike, a SYN flood from a spread of one-off sources called
 * spoofed instead of listed, every candidate through the safety rails.
 * Pure: evidence in, decisions out; the rules are in docs/BLOCKLIST.md. */
#ifndef SOCKSCOPE_BLOCKLIST_H
#define SOCKSCOPE_BLOCKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "blockrail.h"
#include "utctime.h"

/* The evidence of one peer (a /32 or /128) or one subnet over the selected
 * snapshots. */
struct blocklist_group {
	struct cidr net;
	uint32_t peak;           /* most sockets in one snapshot */
	uint32_t syn, est, closing;  /* at that peak: SYN_RECV; ESTABLISHED; TIME_WAIT,
	                              * FIN_WAIT*, CLOSE_WAIT, LAST_ACK, CLOSING */
	uint32_t present;        /* snapshots it is in */
	uint32_t hosts;          /* distinct peers (a peer: 1) */
	uint64_t total;          /* sockets over all snapshots */
	uint64_t syn_total;      /* of them in SYN_RECV (peers only) */
	usec_t first, last, peak_time;
};

struct blocklist_input {
	const struct blocklist_group *hosts;    /* every peer, any order */
	size_t nhosts;
	const struct blocklist_group *subnets;  /* every subnet of those peers at prefix4/6 */
	size_t nsubnets;
	size_t nsnaps;                   /* snapshots selected */
	uint64_t rows;                   /* sockets with a peer over all of them */
	const uint32_t *syn;             /* SYN_RECV sockets per snapshot (nsnaps) */
	const uint32_t *all;             /* sockets with a peer per snapshot (nsnaps) */
	const usec_t *time;              /* each snapshot's time (nsnaps) */
};

/* The automatic threshold's floor: a browser opens at most 6 connections
 * per server, an HTTP/2 client one; 20 is well above any single client and
 * well below what a flood needs to hurt. A bare number: --help prints it. */
#define BLOCKLIST_FLOOR 20

struct blocklist_params {
	uint32_t min_conns;      /* sockets at the peak; 0: from the baseline */
	uint32_t min_snapshots;  /* 0: 2 (1 when there is one snapshot) */
	double min_share;        /* % of all peered sockets */
	uint32_t min_hosts;      /* hosts alike before a subnet is named */
	uint32_t spread;         /* subnets of one-off SYN sources that make a spread */
	unsigned prefix4, prefix6;   /* the subnets' prefixes */
	size_t max_near;         /* near misses kept */
};

void blocklist_params_default(struct blocklist_params *p);

enum blocklist_action { BLOCKLIST_BLOCK, BLOCKLIST_SKIP };
enum blocklist_pattern { BLOCKLIST_SYN, BLOCKLIST_HELD, BLOCKLIST_CHURN, BLOCKLIST_MIXED };

const char *blocklist_pattern_name(enum blocklist_pattern p);   /* "syn-flood", "held", "churn", "mixed" */

struct blocklist_rec {
	struct blocklist_group g;
	bool subnet;
	uint32_t alike;          /* a subnet's hosts that behave alike */
	enum blocklist_action action;
	enum blocklist_pattern pattern;
	double score;            /* 0..100 */
	char why[192];           /* BLOCKLIST_SKIP: why not, from numbers and canonical
	                          * addresses only */
};

/* A SYN flood from a spread of one-off sources. */
struct blocklist_spoof {
	bool found;
	uint32_t sources;        /* one-off SYN_RECV peers outside named subnets */
	uint32_t subnets;        /* the subnets they are spread over */
	uint32_t syn_peak;       /* most SYN_RECV in one snapshot */
	uint32_t syn_q1;         /* the lower quartile of the snapshots' */
	uint32_t syn_share;      /* % of the busiest snapshot's sockets in SYN_RECV */
	usec_t peak_time, first, last;   /* first/last: of its sources */
};

struct blocklist_result {
	struct blocklist_rec *v;        /* blocks (by score), then near misses (by peak) */
	size_t n, nblock;
	struct blocklist_spoof spoof;
	/* the baseline */
	uint32_t threshold;      /* sockets at the peak */
	uint32_t min_snapshots;
	uint32_t typical;        /* median peak of the peers that completed a handshake */
	double sigma;            /* 1.4826 * their MAD */
	size_t clients;          /* peers the baseline was taken from (0: the floor alone) */
};

/* Decides. 0 or -ENOMEM. The caller frees r with blocklist_result_fini. */
int blocklist_decide(const struct blocklist_input *in, const struct blockrail *rails,
		     const struct blocklist_params *p, struct blocklist_result *r);
void blocklist_result_fini(struct blocklist_result *r);

#endif

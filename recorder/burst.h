/* burst — decides when the recorder switches to --burst-interval: SYN_RECV
 * count or the per-second rate of SyncookiesSent / ListenOverflows above a
 * threshold; back to normal after `calm` quiet snapshots in a row. Pure. */
#ifndef SOCKSCOPE_BURST_H
#define SOCKSCOPE_BURST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "utctime.h"

struct burst_cfg {
	uint64_t syn_recv;      /* SYN_RECV sockets; 0 disables this trigger */
	double rate;            /* SyncookiesSent or ListenOverflows per second; 0 disables */
	unsigned calm;          /* quiet snapshots before leaving burst mode */
};

struct burst {
	bool active;
	unsigned quiet;         /* consecutive quiet snapshots while active */
	bool have_prev;
	usec_t prev_time;
	int64_t prev_cookies, prev_overflows;
};

/* One snapshot's figures. cookies/overflows < 0 mean "unknown" (counters
 * could not be read). */
struct burst_obs {
	usec_t time;
	uint64_t syn_recv;
	int64_t cookies;
	int64_t overflows;
};

/* Updates the state with the snapshot just taken. Returns true when the
 * next snapshot is to be taken at the burst interval, and writes into reason
 * why (e.g. "burst: syn_recv 1873 >= 256", "burst: calming 3/10"), or an
 * empty string when not in burst mode. */
bool burst_update(struct burst *b, const struct burst_cfg *cfg, const struct burst_obs *o,
		  char *reason, size_t rsz);

#endif

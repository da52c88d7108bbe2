/* thin — rewrites closed format 2 segments to keep only their keyframes
 * (--thin-after, and --max-bytes before it deletes): a new file, fsync,
 * verify, then rename over the original, so a crash loses nothing. */
#ifndef SOCKSCOPE_THIN_H
#define SOCKSCOPE_THIN_H

#include <stdint.h>

#include "retention.h"
#include "segment.h"
#include "utctime.h"

struct thin_opts {
	usec_t after;        /* thin segments older than this; 0 = by age never */
	uint64_t max_bytes;  /* thin (oldest first) while the total exceeds it; 0 = never */
	struct segment_opts seg;   /* zstd settings of the rewritten file:
	                            * the segments' own (the window matters:
	                            * keyframes compress against each other) */
};

/* Rewrites segment `name` of dirfd with only its keyframes, marked
 * "thinned". 1 when thinned (sizes in before and after), 0 when there was
 * nothing to thin (format 1, already thinned, no deltas), or -errno with
 * *why. The original is replaced only by a file that was fsynced and
 * verified to hold every keyframe; on any failure it is left as it was. */
int thin_segment(int dirfd, const char *name, const struct segment_opts *seg, uint64_t *before, uint64_t *after,
		 const char **why);

/* Thins who's closed segments in dirfd (never `current`) that are older
 * than o->after, then the oldest others while the total (with
 * current_size) exceeds o->max_bytes. Removes temporary files a crash
 * left. report (may be NULL) hears of each segment thinned or failed
 * (err < 0). Returns the number thinned or -errno. */
typedef void (*thin_report_fn)(void *ctx, const char *name, uint64_t before, uint64_t after,
			       int err, const char *why);
long thin_apply(int dirfd, const struct retention_owner *who, const char *current,
		uint64_t current_size, usec_t now, const struct thin_opts *o, thin_report_fn report,
		void *ctx);

#endif

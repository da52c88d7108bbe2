/* retention — which closed segments to delete under --max-age/--max-bytes,
 * and deleting them. The plan is a pure function so it can be tested alone. */
#ifndef SOCKSCOPE_RETENTION_H
#define SOCKSCOPE_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "utctime.h"

struct seg_file {
	char name[256];
	uint64_t size;
	usec_t mtime;       /* last write: the end of the segment's span */
	bool del;           /* set by retention_plan */
};

struct retention_opts {
	usec_t max_age;     /* 0 = no age limit */
	uint64_t max_bytes; /* 0 = no size limit */
};

/* Sorts files oldest first (mtime, then name) and marks for deletion those
 * older than max_age, then more of the oldest while the total size (all
 * files, incl. the current segment whose size is `current_size` and which is
 * never in the list) exceeds max_bytes. Returns the number marked. */
size_t retention_plan(struct seg_file *files, size_t n, usec_t now, uint64_t current_size,
		      const struct retention_opts *o);

/* Lists the segment files of dirfd (except `current`, may be NULL), plans
 * and unlinks. Calls report(ctx, name, size) per deleted file. Returns the
 * number deleted or -errno. */
long retention_apply(int dirfd, const char *current, uint64_t current_size, usec_t now,
		     const struct retention_opts *o,
		     void (*report)(void *ctx, const char *name, uint64_t size, int err), void *ctx);

#endif

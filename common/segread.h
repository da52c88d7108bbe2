/* segread — reads a segment file (a zstd stream, or plain snapshot text) and
 * feeds the verifying snapshot reader, applying docs/FORMAT.md §4. */
#ifndef SOCKSCOPE_SEGREAD_H
#define SOCKSCOPE_SEGREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "snap.h"

struct segread_stats {
	uint64_t good;            /* snapshots verified */
	uint64_t bad;             /* torn or corrupt snapshots reported */
	uint64_t junk;            /* bytes outside snapshots */
	uint64_t bytes_in;        /* file bytes read */
	uint64_t bytes_out;       /* decompressed bytes */
	bool compressed;          /* zstd input */
	bool frame_complete;      /* the zstd frame ended properly */
	char zstd_error[96];      /* decoder error that ended the input early */
};

/* Called for every reader event (BEGIN, SECTION, DATA, END, BAD, JUNK).
 * Return 0 to go on, negative errno to stop. */
typedef int (*segread_fn)(void *ctx, const struct snap_event *ev);

/* Reads fd to its end. A truncated or damaged zstd frame ends the input (the
 * torn tail is then reported through fn as SNAP_EV_BAD); it is not an error.
 * Returns 0, -errno on a read error, or fn's negative value. */
int segread_fd(int fd, segread_fn fn, void *ctx, struct segread_stats *st);
/* Same for a path, opened O_RDONLY|O_NOFOLLOW|O_CLOEXEC. */
int segread_path(const char *path, segread_fn fn, void *ctx, struct segread_stats *st);

#endif

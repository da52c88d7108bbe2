/* segment — one segment file: a zstd stream of snapshots, flushed after each
 * snapshot, rolled back to the last complete snapshot on a write error. */
#ifndef SOCKSCOPE_SEGMENT_H
#define SOCKSCOPE_SEGMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#include "utctime.h"

struct segment;

struct segment_opts {
	int level;          /* zstd level */
	int window_log;     /* 0 = zstd's default for the level */
	int workers;        /* > 0: compress in a thread beside collection */
};

/* Creates a new segment file in dirfd named sockscope-<host>-<start>.zst
 * (O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode 0640; -1, -2, ... appended on
 * collision; <host> as segment_file_host() writes it) and holds an
 * exclusive flock(2) on it until it is closed or abandoned. 0 with *out
 * set, or -errno with *out NULL. Caller closes or abandons it. */
/* Sets a compression context up as segments are written (level, window,
 * long-distance matching; thinning writes with the same). 0 or -EINVAL. */
int segment_zstd_setup(ZSTD_CCtx *cc, const struct segment_opts *o);

int segment_open(int dirfd, const char *host, usec_t now, const struct segment_opts *o,
		 struct segment **out);

/* snap_out_fn-compatible: compresses and writes. 0 or -errno. After an
 * error the segment is broken: call segment_abandon(). */
int segment_write(void *seg, const void *p, size_t n);
/* Ends a snapshot: flushes the stream to the file (and fsyncs if asked).
 * Marks the current file size as the last good offset. */
int segment_commit(struct segment *s, bool do_fsync);
/* After a failed write: truncates the file to the last good offset (removes
 * it when it holds no complete snapshot), closes and frees. */
void segment_abandon(struct segment *s);
/* Ends the frame, fsyncs, closes and frees. 0 or -errno (the file is
 * closed and freed either way). NULL is a no-op. */
int segment_close(struct segment *s);

const char *segment_name(const struct segment *s);
uint64_t segment_size(const struct segment *s);      /* bytes on disk */
usec_t segment_opened_at(const struct segment *s);
unsigned segment_snapshots(const struct segment *s);

/* The host as it appears in file names: at most 64 bytes of
 * [A-Za-z0-9._-], anything else written '_'; "unknown" when empty. */
void segment_file_host(const char *host, char *out, size_t outsz);

/* Segment file name test: "sockscope-" ... ".zst". */
bool segment_is_name(const char *name);

#endif

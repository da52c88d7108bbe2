/* segread — reads a segment file (a zstd stream, or plain snapshot text) and
 * feeds the verifying snapshot reader, applying docs/FORMAT.md §4. Its zstd
 * decoder and its verdict on how the stream ended are the only ones: verify,
 * dump and import (analyzer/parse/input.c) all judge a damaged segment here. */
#ifndef SOCKSCOPE_SEGREAD_H
#define SOCKSCOPE_SEGREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snap.h"

/* How a compressed stream ended, once its raw bytes are all read. */
enum segread_end {
	SEGREAD_END_CLEAN,       /* plain text, or every zstd frame closed */
	SEGREAD_END_OPEN,        /* a frame left open after a whole block: a segment
	                          * still being written, or cut between blocks;
	                          * nothing decodable was lost */
	SEGREAD_END_CUT,         /* cut inside a block: what that block held is lost */
	SEGREAD_END_CORRUPT,     /* undecodable bytes (damage, or garbage appended):
	                          * everything from there on is lost */
};

/* CUT and CORRUPT: data was lost, whatever the snapshots say. */
static inline bool segread_end_damaged(enum segread_end e)
{
	return e == SEGREAD_END_CUT || e == SEGREAD_END_CORRUPT;
}

/* What a damaged end means, in the words verify and import both print
 * ("" for CLEAN and OPEN). */
const char *segread_end_text(enum segread_end e);

/* The zstd decoder every reader of compressed input uses: one set of limits
 * (a window of at most 2^27 bytes, so a hostile frame cannot make us
 * allocate gigabytes) and one account of where the stream stopped. */
struct segread_zstd;

int segread_zstd_new(struct segread_zstd **out);   /* 0 or -ENOMEM */
void segread_zstd_free(struct segread_zstd *z);    /* NULL is a no-op */

/* Decodes in[*inpos..inlen) into out[*outpos..outcap), advancing both.
 * 0, or -EBADMSG once the data is undecodable (segread_zstd_error says
 * why; the verdict is then CORRUPT and every later call fails alike). */
int segread_zstd_step(struct segread_zstd *z, const void *in, size_t inlen, size_t *inpos,
		      void *out, size_t outcap, size_t *outpos);

/* The verdict when the raw input has ended. */
enum segread_end segread_zstd_end(const struct segread_zstd *z);
/* "" or the decoder's error ("Unknown frame descriptor", ...). */
const char *segread_zstd_error(const struct segread_zstd *z);

struct segread_stats {
	uint64_t good;            /* snapshots verified */
	uint64_t bad;             /* torn or corrupt snapshots reported */
	uint64_t junk;            /* bytes outside snapshots */
	uint64_t bytes_in;        /* file bytes read */
	uint64_t bytes_out;       /* decompressed bytes */
	bool compressed;          /* zstd input */
	bool frame_complete;      /* the zstd frame ended properly */
	char zstd_error[96];      /* decoder error that ended the input early */
	enum segread_end end;     /* how the stream ended (segread_end_damaged) */
};

/* Called for every reader event (BEGIN, SECTION, DATA, END, BAD, JUNK).
 * Return 0 to go on, negative errno to stop. */
typedef int (*segread_fn)(void *ctx, const struct snap_event *ev);

/* Reads fd to its end. A truncated or damaged zstd frame ends the input (the
 * torn tail is then reported through fn as SNAP_EV_BAD, the damage in
 * st->end); it is not an error.
 * Returns 0, -errno on a read error, or fn's negative value. */
int segread_fd(int fd, segread_fn fn, void *ctx, struct segread_stats *st);
/* Same for a path, opened O_RDONLY|O_NOFOLLOW|O_CLOEXEC. */
int segread_path(const char *path, segread_fn fn, void *ctx, struct segread_stats *st);

#endif

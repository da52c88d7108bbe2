/* retention — which closed segments to delete under --max-age/--max-bytes,
 * and deleting them: only this host's verified segments that no process
 * holds. The plan is a pure function so it can be tested alone. */
#ifndef SOCKSCOPE_RETENTION_H
#define SOCKSCOPE_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "utctime.h"

struct seg_file {
	char name[256];
	uint64_t size;
	usec_t mtime;       /* last write: the end of the segment's span */
	dev_t dev;          /* identity checked again before unlinking */
	ino_t ino;
	bool skip;          /* input: not a verified segment of ours, or held
	                     * by a process: never deleted, not counted */
	bool del;           /* set by retention_plan */
};

struct retention_opts {
	usec_t max_age;     /* 0 = no age limit */
	uint64_t max_bytes; /* 0 = no size limit */
};

/* Orders files oldest first: by mtime, then by name. */
void retention_sort(struct seg_file *files, size_t n);

/* Sorts files oldest first (mtime, then name) and marks for deletion those
 * older than max_age, then more of the oldest while the total size (files
 * not skipped, plus the current segment whose size is `current_size` and
 * which is never in the list) exceeds max_bytes. Skipped files are never
 * marked and not counted. Returns the number marked. */
size_t retention_plan(struct seg_file *files, size_t n, usec_t now, uint64_t current_size,
		      const struct retention_opts *o);

/* True for exactly "sockscope-<file_host>-<YYYYMMDDTHHMMSSZ>[-N].zst", the
 * names segment_open() gives host's segments (file_host as
 * segment_file_host() writes it): "web" does not claim "web-1"'s files. */
bool retention_own_name(const char *name, const char *file_host);

/* Checks that fd is a zstd segment whose first snapshot is complete and
 * verified (trailer, checksum) and whose header names host. Returns 0, or
 * -EBADMSG / -EXDEV (another host's) / -errno with *why saying what. */
int retention_verify(int fd, const char *host, const char **why);

enum retention_event {
	RETENTION_DELETED,  /* err 0 */
	RETENTION_FAILED,   /* unlinking failed: err */
	RETENTION_KEPT,     /* named like ours but left alone: why */
};

typedef void (*retention_report_fn)(void *ctx, enum retention_event ev, const char *name,
				    uint64_t size, int err, const char *why);

/* Whose segments: host as in snapshot headers, file_host as in names. */
struct retention_owner {
	const char *host;
	const char *file_host;
};

/* Appends to *files (*n in use; caller frees *files) the regular files of
 * dirfd named like who's segments, except `current` (may be NULL), with
 * their size, mtime and identity; nothing is opened. 0 or -errno. */
int retention_list(int dirfd, const struct retention_owner *who, const char *current,
		   struct seg_file **files, size_t *n);

/* Lists who's segment files in dirfd (except `current`, may be NULL):
 * regular files with own names that no process holds (flock) and that
 * verify; plans; unlinks under the lock. Files of other hosts, junk,
 * symlinks and directories are never opened for writing nor deleted.
 * Calls report per deleted or kept file. Returns the number deleted or
 * -errno. */
long retention_apply(int dirfd, const struct retention_owner *who, const char *current,
		     uint64_t current_size, usec_t now, const struct retention_opts *o,
		     retention_report_fn report, void *ctx);

#endif

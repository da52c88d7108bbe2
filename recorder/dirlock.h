/* dirlock — one recorder per host and directory: an flock(2) held for the
 * whole run on DIR/.sockscope-<host>.lock, which also names the holder. */
#ifndef SOCKSCOPE_DIRLOCK_H
#define SOCKSCOPE_DIRLOCK_H

#include <stddef.h>

struct dirlock;

/* Opens (creating 0640 if needed, never following a symlink) and locks
 * the lock file of host (as segment_file_host() writes it) in dirfd, and
 * writes this process's pid into it. On success *out owns the lock.
 * Returns 0; -EWOULDBLOCK when another process holds it (*holder = its
 * pid as the file says, 0 when unknown); -ENOTUNIQ when the name is not a
 * regular file with one link (never written to); else -errno. */
int dirlock_acquire(int dirfd, const char *file_host, struct dirlock **out, long *holder);
/* Releases the lock and frees. The file stays: removing it would let a
 * third process lock a new file while a second still waits on the old. */
void dirlock_free(struct dirlock *l);   /* NULL is a no-op */

/* The lock file's name for host: ".sockscope-<file_host>.lock". */
void dirlock_name(const char *file_host, char *out, size_t outsz);

#endif

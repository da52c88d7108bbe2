/* procread — the raw /proc/net files read by a thread of their own while
 * the snapshot's earlier sections are collected, held zstd-compressed until
 * the collecting thread writes them out in order. */
#ifndef SOCKSCOPE_PROCREAD_H
#define SOCKSCOPE_PROCREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read-ahead held at most (compressed): the reader waits beyond it. 100k
 * sockets' /proc/net/tcp (15 MB of text) takes ~2 MB. */
#define PROCREAD_MAX_HELD (4u * 1024 * 1024)
/* Bytes of one read() of a file, and so of one piece handed back. */
#define PROCREAD_CHUNK (64 * 1024)
#define PROCREAD_MAX_FILES 8

struct procread;

struct procread *procread_new(void);     /* NULL: out of memory */
void procread_free(struct procread *r);  /* NULL is a no-op; stops the reader */

/* Starts reading dir/names[0..n) (names and dir kept by the caller until
 * procread_end), in that order, each file whole. threaded false, or no
 * thread to be had, reads in procread_next's caller instead: the same
 * bytes. 0, -EINVAL (n too large, or begun already) or -ENOMEM. */
int procread_begin(struct procread *r, const char *dir, const char *const *names, size_t n,
		   bool threaded);

/* File i's outcome of open (0 or -errno); i goes from 0 to n-1, and each
 * file's pieces are taken with procread_next before the next file opens. */
int procread_open(struct procread *r, size_t i);

/* The next piece of the open file into buf (PROCREAD_CHUNK bytes): its
 * length, 0 at the end, or -errno: a read error (the pieces before it were
 * the file's first bytes), or -ENOMEM / -EIO when the held copy could not be
 * made or read back. */
ssize_t procread_next(struct procread *r, char *buf);

/* Stops and joins the reader, forgets what is held. Safe at any point
 * after procread_begin, and without it. */
void procread_end(struct procread *r);

/* The most bytes held at once since procread_new (tests: the bound). */
size_t procread_peak_held(const struct procread *r);

#endif

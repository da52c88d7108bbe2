/* procread — the raw /proc/net files read by a thread of their own while
 * the snapshot's earlier sections are collected, held zstd-compressed until
 * the collecting thread writes them out in order. */
#ifndef SOCKSCOPE_PROCREAD_H
#define SOCKSCOPE_PROCREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read-ahead held at most (compressed): the reader waits beyond it. 100k
 * sockets' /proc/net/tcp (15 MB of text) takes ~1.3 MB. */
#define PROCREAD_MAX_HELD (4u * 1024 * 1024)
/* Bytes of one piece handed back, at most (a /proc file gives ~4 kB per
 * read(): pieces gather reads, for fewer hand-overs and better ratio). */
#define PROCREAD_CHUNK (64 * 1024)
#define PROCREAD_MAX_FILES 8

struct procread;

struct procread *procread_new(void);     /* NULL: out of memory */
void procread_free(struct procread *r);  /* NULL is a no-op; stops the reader */

/* Starts reading dir/names[0..n) (names and dir kept by the caller until
 * procread_end), in that order, each file whole. threaded false, or no
 * thread to be had, reads in procread_next's caller instead: the same
 * bytes. parse: the bytes also go to a parser (procread_parse), and are
 * held until both have had them. 0 or -EINVAL (n too large, or begun
 * already). */
int procread_begin(struct procread *r, const char *dir, const char *const *names, size_t n,
		   bool threaded, bool parse);

/* The parser's view: file's bytes in order, in pieces, then (NULL, 0) at
 * its end (also after a read error; not for a file that did not open). */
typedef void procread_parse_fn(void *ctx, size_t file, const char *p, size_t n);

/* Starts the parser (begun with parse): fn gets every file's bytes in a
 * thread of its own while they are read and written, or, without a thread,
 * in procread_next's caller as it takes them. Call before the first
 * procread_open, or nothing is parsed. 0 or -EINVAL. */
int procread_parse(struct procread *r, procread_parse_fn *fn, void *ctx);

/* Waits for the parser to have had every file. Only after procread_next
 * returned each file's end (or error): else call procread_end, which
 * stops it. */
void procread_parse_end(struct procread *r);

/* File i's outcome of open (0 or -errno); i goes from 0 to n-1, and each
 * file's pieces are taken with procread_next before the next file opens. */
int procread_open(struct procread *r, size_t i);

/* The next piece of the open file into buf (PROCREAD_CHUNK bytes): its
 * length, 0 at the end, or -errno: a read error (the pieces before it were
 * the file's first bytes), or -ENOMEM / -EIO when the held copy could not be
 * made or read back. */
ssize_t procread_next(struct procread *r, char *buf);

/* Stops and joins the reader and the parser, forgets what is held. Safe
 * at any point after procread_begin, and without it. */
void procread_end(struct procread *r);

/* The most bytes held at once since procread_new (tests: the bound). */
size_t procread_peak_held(struct procread *r);

#endif

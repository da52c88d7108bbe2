/* input — one source's bytes: a file or stdin, zstd- or gzip-compressed or
 * plain (sniffed from the first bytes, not the name), hashed as read. */
#ifndef SOCKSCOPE_INPUT_H
#define SOCKSCOPE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "segread.h"
#include "sha256.h"
#include "utctime.h"

struct input;

enum input_codec { INPUT_PLAIN, INPUT_ZSTD, INPUT_GZIP };

/* Opens path ("-" is stdin) read-only, O_NOFOLLOW for the last component.
 * `limit` > 0 reads at most that many raw bytes (a file that grows while it
 * is imported is imported as it was when hashed). `hash`: keep the SHA-256
 * of what is read (input_sha256_hex); callers that hashed the file already
 * (input_hash_file) leave it off. 0 or -errno with err set. Caller frees
 * with input_free. */
int input_open(const char *path, uint64_t limit, bool hash, struct input **out, char *err,
	       size_t errsz);
/* The same, for stdin ("-") whose first bytes a caller took already (a
 * pipe cannot be read again): head[0..headlen), borrowed until
 * input_free, is read (and hashed) before the rest of it. */
int input_open_head(const char *path, const void *head, size_t headlen, uint64_t limit,
		    bool hash, struct input **out, char *err, size_t errsz);
void input_free(struct input *in);   /* NULL is a no-op */

/* Reads up to n decoded bytes. Returns the count, 0 at the end, or -errno
 * with input_error() saying why (a read error, corrupt gzip data). A
 * compressed stream cut short or undecodable zstd data ends the input:
 * input_end() says so. */
ssize_t input_read(struct input *in, void *p, size_t n);

/* Moves decoding (read, zstd/gzip, SHA-256) to a thread of its own that
 * stays up to 4 MiB ahead of input_read(), so decompression overlaps the
 * caller's parsing and SQLite work. Call once, right after input_open; the
 * other accessors stay valid (input_error, input_end and the hash
 * are final once input_read has returned 0 or an error). 0 or -ENOMEM
 * (then reading simply stays in the caller's thread). */
int input_readahead(struct input *in);

const char *input_error(const struct input *in);
enum input_codec input_codec(const struct input *in);
const char *input_codec_name(enum input_codec c);   /* "plain" "zstd" "gzip" */
/* How the compressed stream ended (segread.h decides, for zstd, exactly
 * as verify does): CLEAN, OPEN (a zstd frame left open between blocks, as a
 * segment being written is), CUT (inside a block) or CORRUPT (undecodable
 * zstd data, which ends the input like a cut: input_error() says why).
 * Final once input_read has returned 0. */
enum segread_end input_end(const struct input *in);
uint64_t input_raw_bytes(const struct input *in);   /* raw bytes consumed so far */
uint64_t input_size(const struct input *in);        /* file size, 0 if unknown (pipe) */
bool input_has_mtime(const struct input *in);
usec_t input_mtime(const struct input *in);
/* SHA-256 of the raw bytes read so far (all of them once input_read has
 * returned 0); only for an input opened with hash. */
void input_sha256_hex(const struct input *in, char hex[SHA256_HEXLEN + 1]);

/* Hashes a regular file's first `limit` bytes (all when 0) without
 * decoding: the idempotence check before an import. Sets *size. 0 or -errno. */
int input_hash_file(const char *path, char hex[SHA256_HEXLEN + 1], uint64_t *size);

#endif

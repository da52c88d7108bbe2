/* renderq — the digests of the derived netstat renderings, made by a thread
 * beside collection: /proc rows are handed over in batches, rendered by
 * every command and SHA-256'd in their order, so the digests are those of
 * rendering in line while the collecting thread reads on. */
#ifndef SOCKSCOPE_RENDERQ_H
#define SOCKSCOPE_RENDERQ_H

#include <stddef.h>
#include <stdint.h>

#include "netstat.h"
#include "sha256.h"
#include "sockrow.h"

struct renderq;

struct renderq *renderq_new(void);       /* NULL: out of memory */
void renderq_free(struct renderq *q);    /* NULL is a no-op */

/* Starts one snapshot's renderings by the n commands ns[0..n) (kept by the
 * caller until renderq_end), headers first. When no thread can be started
 * the rows are rendered in the caller's thread: the same digests. 0 or
 * -ENOMEM. */
int renderq_begin(struct renderq *q, const struct netstat_opts *ns, size_t n);
/* The next /proc row, copied (its program string must stay valid until
 * renderq_end). 0 (rendering errors come from renderq_end). */
int renderq_row(struct renderq *q, const struct sock_row *r);
/* Waits for every row, then gives each rendering's SHA-256 and length.
 * 0, or the first rendering error (the digests are then not to be used). */
int renderq_end(struct renderq *q, uint8_t (*digest)[SHA256_LEN], uint64_t *len);

#endif

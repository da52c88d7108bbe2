/* sha256 — FIPS 180-4 SHA-256, the content hash of imported sources (it
 * matches `sha256sum`). Uses the x86 SHA extensions when the CPU has them. */
#ifndef SOCKSCOPE_SHA256_H
#define SOCKSCOPE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_LEN 32
#define SHA256_HEXLEN 64

struct sha256 {
	uint32_t h[8];
	uint64_t total;        /* bytes hashed */
	uint8_t block[64];     /* pending partial block */
	size_t used;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *p, size_t n);
void sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN]);
/* out gets 64 lowercase hex digits and a NUL. */
void sha256_hex(const uint8_t d[SHA256_LEN], char out[SHA256_HEXLEN + 1]);
/* The portable code path alone, for tests comparing both. */
void sha256_update_portable(struct sha256 *c, const void *p, size_t n);

#endif

/* sha256 — FIPS 180-4 SHA-256: the portable compression function and one
 * using the x86 SHA extensions, picked at run time like crc32c.c does. */
#include "sha256.h"

#include <string.h>

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint32_t ror(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static void blocks_sw(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	for (; nblocks > 0; nblocks--, p += 64) {
		uint32_t w[64], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5],
				g = h[6], hh = h[7];

		for (int t = 0; t < 16; t++)
			w[t] = be32(p + 4 * t);
		for (int t = 16; t < 64; t++) {
			uint32_t s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ w[t - 15] >> 3;
			uint32_t s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ w[t - 2] >> 10;

			w[t] = w[t - 16] + s0 + w[t - 7] + s1;
		}
		for (int t = 0; t < 64; t++) {
			uint32_t S1 = ror(e, 6) ^ ror(e, 11) ^ ror(e, 25);
			uint32_t ch = (e & f) ^ (~e & g);
			uint32_t t1 = hh + S1 + ch + K[t] + w[t];
			uint32_t S0 = ror(a, 2) ^ ror(a, 13) ^ ror(a, 22);
			uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
			uint32_t t2 = S0 + maj;

			hh = g;
			g = f;
			f = e;
			e = d + t1;
			d = c;
			c = b;
			b = a;
			a = t1 + t2;
		}
		h[0] += a;
		h[1] += b;
		h[2] += c;
		h[3] += d;
		h[4] += e;
		h[5] += f;
		h[6] += g;
		h[7] += hh;
	}
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define SHA_TARGET __attribute__((target("sha,sse4.1")))

/* Four rounds: sha256rnds2 does two and reads its W+K from the low 64 bits,
 * so the upper pair is shifted down for the second. */
#define QROUND(i, m)                                                                               \
	do {                                                                                       \
		__m128i wk_ = _mm_add_epi32((m), _mm_loadu_si128((const __m128i *)&K[4 * (i)]));   \
		s1 = _mm_sha256rnds2_epu32(s1, s0, wk_);                                           \
		s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(wk_, 0x0E));                  \
	} while (0)

/* W[t..t+3] into m0, which held W[t-16..t-13]; m1 holds W[t-12..], m2
 * W[t-8..], m3 W[t-4..]. msg1 adds sigma0 of W[t-15..], alignr supplies
 * W[t-7..t-4], msg2 adds sigma1 of W[t-2..] (its own fresh words for the
 * last two). */
#define SCHED(m0, m1, m2, m3)                                                                      \
	(m0) = _mm_sha256msg2_epu32(                                                               \
	    _mm_add_epi32(_mm_sha256msg1_epu32((m0), (m1)), _mm_alignr_epi8((m3), (m2), 4)), (m3))

SHA_TARGET static void blocks_hw(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	/* pshufb mask turning four big-endian words into native ones */
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i s0, s1, t, m0, m1, m2, m3, save0, save1;

	/* The instructions keep the state as ABEF and CDGH. */
	t = _mm_loadu_si128((const __m128i *)&h[0]);  /* DCBA (lane 3..0) */
	s1 = _mm_loadu_si128((const __m128i *)&h[4]); /* HGFE */
	t = _mm_shuffle_epi32(t, 0xB1);		      /* CDAB */
	s1 = _mm_shuffle_epi32(s1, 0x1B);	      /* EFGH */
	s0 = _mm_alignr_epi8(t, s1, 8);		      /* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xF0);	      /* CDGH */

	for (; nblocks > 0; nblocks--, p += 64) {
		save0 = s0;
		save1 = s1;
		m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
		m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
		m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
		m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);
		QROUND(0, m0);
		QROUND(1, m1);
		QROUND(2, m2);
		QROUND(3, m3);
		for (int i = 4; i < 16; i += 4) {
			SCHED(m0, m1, m2, m3);
			QROUND(i, m0);
			SCHED(m1, m2, m3, m0);
			QROUND(i + 1, m1);
			SCHED(m2, m3, m0, m1);
			QROUND(i + 2, m2);
			SCHED(m3, m0, m1, m2);
			QROUND(i + 3, m3);
		}
		s0 = _mm_add_epi32(s0, save0);
		s1 = _mm_add_epi32(s1, save1);
	}

	t = _mm_shuffle_epi32(s0, 0x1B);   /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xB1);  /* DCHG */
	s0 = _mm_blend_epi16(t, s1, 0xF0); /* DCBA */
	s1 = _mm_alignr_epi8(s1, t, 8);	   /* HGFE */
	_mm_storeu_si128((__m128i *)&h[0], s0);
	_mm_storeu_si128((__m128i *)&h[4], s1);
}

#if defined(__clang__)
#include <cpuid.h>

/* clang 14 (Debian 12's, used for the fuzz build) rejects "sha" in
 * __builtin_cpu_supports, so ask CPUID: leaf 7 EBX bit 29 is SHA, leaf 1
 * ECX bit 19 SSE4.1. */
static int have_hw(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSE4_1))
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return (b >> 29) & 1;
}
#else
static int have_hw(void)
{
	return __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1");
}
#endif
#else
static void blocks_hw(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
	blocks_sw(h, p, nblocks);
}

static int have_hw(void)
{
	return 0;
}
#endif

typedef void blocks_fn(uint32_t h[8], const uint8_t *p, size_t nblocks);

void sha256_init(struct sha256 *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				       0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

	memcpy(c->h, iv, sizeof iv);
	c->total = 0;
	c->used = 0;
}

static void update(struct sha256 *c, const uint8_t *p, size_t n, blocks_fn *blocks)
{
	c->total += n;
	if (c->used > 0) {
		size_t k = 64 - c->used < n ? 64 - c->used : n;

		memcpy(c->block + c->used, p, k);
		c->used += k;
		p += k;
		n -= k;
		if (c->used < 64)
			return;
		blocks(c->h, c->block, 1);
		c->used = 0;
	}
	if (n >= 64) {
		blocks(c->h, p, n / 64);
		p += n / 64 * 64;
		n %= 64;
	}
	if (n > 0) {
		memcpy(c->block, p, n);
		c->used = n;
	}
}

void sha256_update(struct sha256 *c, const void *p, size_t n)
{
	update(c, p, n, have_hw() ? blocks_hw : blocks_sw);
}

void sha256_update_portable(struct sha256 *c, const void *p, size_t n)
{
	update(c, p, n, blocks_sw);
}

void sha256_final(struct sha256 *c, uint8_t out[SHA256_LEN])
{
	uint64_t bits = c->total * 8;
	/* The last one or two blocks always take the portable path: it costs
	 * well under a microsecond, and keeps sha256_update_portable() +
	 * sha256_final() free of the accelerated code the tests compare it to. */
	blocks_fn *blocks = blocks_sw;

	c->block[c->used++] = 0x80;
	/* no room for the 8-byte length: pad out this block, start another */
	if (c->used > 56) {
		memset(c->block + c->used, 0, 64 - c->used);
		blocks(c->h, c->block, 1);
		c->used = 0;
	}
	memset(c->block + c->used, 0, 56 - c->used);
	for (int i = 0; i < 8; i++)
		c->block[56 + i] = (uint8_t)(bits >> (56 - 8 * i));
	blocks(c->h, c->block, 1);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(c->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)c->h[i];
	}
	c->used = 0;
}

void sha256_hex(const uint8_t d[SHA256_LEN], char out[SHA256_HEXLEN + 1])
{
	static const char hex[] = "0123456789abcdef";

	for (int i = 0; i < SHA256_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[SHA256_HEXLEN] = '\0';
}

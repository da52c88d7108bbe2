/* fuzz_sha256 — default (SHA-NI where present) and portable paths agree on
 * any input split anywhere (the first two bytes pick the cuts). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sha256 a, b, c;
	uint8_t da[SHA256_LEN], db[SHA256_LEN], dc[SHA256_LEN];
	size_t n, i, j;

	if (size < 2)
		return 0;
	n = size - 2;
	i = n ? (size_t)data[0] * 257 % (n + 1) : 0;
	j = n ? (size_t)data[1] * 263 % (n + 1) : 0;
	if (i > j) {
		size_t t = i;

		i = j;
		j = t;
	}
	data += 2;

	sha256_init(&a);
	sha256_update(&a, data, n);
	sha256_final(&a, da);

	sha256_init(&b);
	sha256_update_portable(&b, data, i);
	sha256_update_portable(&b, data + i, j - i);
	sha256_update_portable(&b, data + j, n - j);
	sha256_final(&b, db);

	/* mixed: the paths share the context format */
	sha256_init(&c);
	sha256_update(&c, data, i);
	sha256_update_portable(&c, data + i, j - i);
	sha256_update(&c, data + j, n - j);
	if (c.total != n)
		abort();
	sha256_final(&c, dc);

	if (memcmp(da, db, SHA256_LEN) != 0 || memcmp(da, dc, SHA256_LEN) != 0)
		abort();
	return 0;
}

/* Fuzz target for the format 2 section decoder (common/snapdelta.c): a
 * hostile encoding against a hostile base (absurd counts, copies outside the
 * base, truncated residuals) must fail cleanly or decode within bounds; and
 * any two texts, encoded as a delta, must decode back to the second exactly. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "snapdelta.h"

static const char *const names[] = {"proc/net/tcp", "proc/net/udp6", "sockets", "counters"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf enc = BUF_INIT, out = BUF_INIT;
	const char *what = NULL, *p = (const char *)data;
	size_t cut;
	int rc;

	if (size < 2)
		return 0;
	cut = ((size_t)data[0] << 8 | data[1]) % (size - 1);
	p += 2;
	size -= 2;
	/* 1. the input as (base, encoding) */
	rc = snapdelta_decode(p, cut, p + cut, size - cut, &out, &what);
	if (rc < 0 && rc != -EINVAL && rc != -ENOMEM)
		abort();
	if (rc == -EINVAL && !what)
		abort();
	if (out.len > SNAPDELTA_SECTION_MAX)
		abort();
	/* 2. the input as (base, text): the delta round-trips */
	buf_reset(&out);
	rc = snapdelta_encode(names[data[1] % 4], p, cut, p + cut, size - cut, &enc);
	if (rc == 0) {
		rc = snapdelta_decode(p, cut, enc.data, enc.len, &out, &what);
		if (rc != 0 || out.len != size - cut || memcmp(out.data ? out.data : "", p + cut, out.len))
			abort();
	}
	buf_fini(&enc);
	buf_fini(&out);
	return 0;
}

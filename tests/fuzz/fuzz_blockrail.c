/* fuzz_blockrail — any bytes as an allow file, then rails_check on networks
 * drawn from the same bytes: every network read back is canonical and
 * refuses itself, the bad-line count matches an independent count, and no
 * check crashes or says yes to loopback. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "blockrail.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Lines with something on them before any '#', counted apart from the
 * reader: each is either a network or a bad line. */
static long content_lines(const char *t, size_t n)
{
	long lines = 0;
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(t + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - t) : n;
		bool content = false;

		for (size_t j = i; j < end && t[j] != '#'; j++)
			if (t[j] != ' ' && t[j] != '\t' && t[j] != '\r')
				content = true;
		lines += content;
		i = end + 1;
	}
	return lines;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rails r;
	struct cidr lo = {.addr = {.family = AF_INET, .a = {127, 0, 0, 1}}, .prefix = 32};
	char buf[128];
	long bad;

	if (size > 1 << 16)
		return 0;
	rails_init(&r);
	bad = rails_allow_text(&r, (const char *)data, size, "fuzz", NULL);
	if (bad < 0)
		abort();   /* -ENOMEM at these sizes is a bug */
	if ((long)r.nallow + bad != content_lines((const char *)data, size))
		abort();
	for (size_t i = 0; i < r.nallow; i++) {
		struct cidr c = r.allow[i], m = c;

		/* canonical: a known family, masked, IPv4-mapped folded */
		if (c.addr.family != AF_INET && c.addr.family != AF_INET6)
			abort();
		if (c.prefix > addr_maxprefix(&c.addr) || addr_is_v4mapped(&c.addr))
			abort();
		addr_mask(&m.addr, m.prefix);
		if (memcmp(&m, &c, sizeof c))
			abort();
		/* an allowed network is never blockable itself */
		if (!rails_check(&r, &c, buf, sizeof buf))
			abort();
	}
	/* the rails hold whatever the allow list holds */
	if (!rails_check(&r, &lo, buf, sizeof buf))
		abort();
	r.include_private = true;
	if (!rails_check(&r, &lo, buf, sizeof buf))
		abort();
	rails_fini(&r);
	return 0;
}

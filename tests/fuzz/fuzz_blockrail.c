/* fuzz_blockrail — any bytes as an allow file, then blockrail_check on networks
 * drawn from the same bytes: every network read back is canonical and
 * refuses itself, also spelled as NAT64 or 6to4 when it is IPv4, the
 * bad-line count matches an independent count, and no check crashes or says
 * yes to loopback in any spelling. */
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

/* c (IPv4) as the NAT64 (64:ff9b::/96) or 6to4 (2002::/16) network
 * carrying it. */
static struct cidr carrier(const struct cidr *c, bool nat64)
{
	struct cidr v = {.addr = {.family = AF_INET6}};

	if (nat64) {
		v.addr.a[1] = 0x64;
		v.addr.a[2] = 0xff;
		v.addr.a[3] = 0x9b;
		memcpy(v.addr.a + 12, c->addr.a, 4);
		v.prefix = (uint8_t)(96 + c->prefix);
	} else {
		v.addr.a[0] = 0x20;
		v.addr.a[1] = 0x02;
		memcpy(v.addr.a + 2, c->addr.a, 4);
		v.prefix = (uint8_t)(16 + c->prefix);
	}
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blockrail r;
	struct cidr lo = {.addr = {.family = AF_INET, .a = {127, 0, 0, 1}}, .prefix = 32};
	char buf[128];
	long bad;

	if (size > 1 << 16)
		return 0;
	blockrail_init(&r);
	bad = blockrail_allow_text(&r, (const char *)data, size, "fuzz", NULL);
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
		/* an allowed network is never blockable itself, nor through
		 * NAT64 or 6to4 */
		if (!blockrail_check(&r, &c, buf, sizeof buf))
			abort();
		if (c.addr.family == AF_INET) {
			struct cidr n64 = carrier(&c, true), s64 = carrier(&c, false);

			if (!blockrail_check(&r, &n64, buf, sizeof buf) ||
			    !blockrail_check(&r, &s64, buf, sizeof buf))
				abort();
		}
	}
	/* the rails hold whatever the allow list holds */
	for (int pass = 0; pass < 2; pass++) {
		struct cidr n64 = carrier(&lo, true), s64 = carrier(&lo, false);

		if (!blockrail_check(&r, &lo, buf, sizeof buf) ||
		    !blockrail_check(&r, &n64, buf, sizeof buf) ||
		    !blockrail_check(&r, &s64, buf, sizeof buf))
			abort();
		r.include_private = true;
	}
	blockrail_fini(&r);
	return 0;
}

/* fuzz_blockfmt — fuzzed entries (mostly canonical, some with host bits, mapped
 * addresses, bad prefixes, families or scores) through blockfmt_write in every
 * format: -EINVAL exactly for bad input with nothing written, otherwise each
 * line fits the format's grammar (blockgrammar.h) and names only input
 * networks. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "blockfmt.h"
#include "blockgrammar.h"

#define FB_MAX_ENTRIES 64
#define FB_MAX_LINES (FB_MAX_ENTRIES + 32)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rd {
	const uint8_t *p;
	size_t n;
};

static uint8_t rd_u8(struct rd *r)
{
	if (r->n == 0)
		return 0;
	r->n--;
	return *r->p++;
}

static uint64_t rd_uint(struct rd *r, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v = v << 8 | rd_u8(r);
	return v;
}

/* The oracle, written apart from blockfmt.c's own check. */
static bool entry_bad(const struct blockfmt_entry *e)
{
	const struct cidr *c = &e->net;
	unsigned max = c->addr.family == AF_INET ? 32 : 128;

	if (c->addr.family != AF_INET && c->addr.family != AF_INET6)
		return true;
	if (c->prefix > max || c->prefix == 0)   /* a /0 would block everything */
		return true;
	for (unsigned bit = c->prefix; bit < 128; bit++)
		if (c->addr.a[bit / 8] & (0x80u >> (bit % 8)))
			return true;
	if (c->addr.family == AF_INET6 && !memcmp(c->addr.a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12))
		return true;
	return !(e->score >= 0 && e->score <= 100);
}

static double fuzz_score(struct rd *r, uint8_t mode)
{
	static const double odd[] = {-0.5, 100.5, NAN, INFINITY, -INFINITY, -1e-300,
				     100.00000001, 0.0, -0.0, 100.0, 99.95, 0.05, 1e-300};
	uint16_t v = (uint16_t)rd_uint(r, 2);

	if (mode == 12)
		return odd[v % (sizeof odd / sizeof odd[0])];
	return v / 655.35;
}

static void fuzz_entry(struct rd *r, struct blockfmt_entry *e)
{
	uint8_t k = rd_u8(r), mode = k >> 4;
	bool v6 = k & 1;
	unsigned max = v6 ? 128 : 32;

	memset(e, 0, sizeof *e);
	e->net.addr.family = v6 ? AF_INET6 : AF_INET;
	for (unsigned i = 0; i < max / 8; i++)
		e->net.addr.a[i] = rd_u8(r);
	e->net.prefix = (uint8_t)(rd_u8(r) % (max + 1));
	e->score = fuzz_score(r, mode);
	switch (mode) {
	case 15:   /* host bits left set (none exist at the full length) */
		e->net.addr.a[max / 8 - 1] |= 1;
		return;
	case 14:   /* IPv4-mapped, masked */
		e->net.addr.family = AF_INET6;
		memset(e->net.addr.a, 0, 10);
		e->net.addr.a[10] = e->net.addr.a[11] = 0xff;
		e->net.prefix = (uint8_t)(96 + e->net.prefix % 33);
		break;
	case 13:   /* a prefix past the family */
		e->net.prefix = (uint8_t)(max + 1 + e->net.prefix % (255 - max));
		return;
	case 11:   /* a family that is neither */
		e->net.addr.family = (uint8_t)(k & 2 ? 0 : 7 + (k & 8));
		return;
	case 10:   /* IPv4 with bytes past the fourth */
		if (!v6)
			e->net.addr.a[4 + (k & 7)] = 1;
		return;
	default:
		break;
	}
	addr_mask(&e->net.addr, e->net.prefix);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct blockfmt_entry e[FB_MAX_ENTRIES];
	struct rd r = {data, size};
	struct blockfmt_opts o = {0};
	struct bg s = {0};
	uint8_t sel;
	size_t n, len = 0;
	char *buf = NULL;
	bool bad = false;
	FILE *f;
	long ret;

	s.fmt = (enum blockfmt)(rd_u8(&r) % 5);
	sel = rd_u8(&r);
	if (sel & 1)
		o.ttl = (unsigned)rd_uint(&r, sel & 2 ? 4 : 2);
	/* mostly plausible times; sometimes any 64-bit value */
	if (sel & 4)
		o.generated = (usec_t)rd_uint(&r, 8);
	else
		o.generated = (usec_t)rd_uint(&r, 4) * 1000000;
	n = rd_u8(&r) % (FB_MAX_ENTRIES + 1);
	for (size_t i = 0; i < n; i++) {
		fuzz_entry(&r, &e[i]);
		bad |= entry_bad(&e[i]);
	}
	f = open_memstream(&buf, &len);
	if (!f)
		return 0;
	ret = blockfmt_write(f, s.fmt, e, n, &o);
	if (fclose(f) != 0)
		abort();
	s.e = e;
	s.n = n;
	s.ttl = o.ttl;
	s.max_lines = FB_MAX_LINES;
	if (bad) {
		if (ret != -EINVAL || len != 0)
			abort();
	} else {
		if (ret < 0)
			abort();
		bg_check(&s, buf, len, ret);
	}
	bg_fini(&s);
	free(buf);
	return 0;
}

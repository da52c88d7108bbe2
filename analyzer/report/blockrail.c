/* blockrail — range overlap against fixed classes, the allow list and the
 * host's own addresses; the allow-file reader. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "grow.h"
#include "blockrail.h"

void blockrail_init(struct blockrail *r)
{
	memset(r, 0, sizeof *r);
	r->max_prefix4 = 16;
	r->max_prefix6 = 32;
}

void blockrail_fini(struct blockrail *r)
{
	free(r->allow);
	free(r->own);
	memset(r, 0, sizeof *r);
}

int blockrail_allow(struct blockrail *r, const struct cidr *c)
{
	struct cidr f = *c, *v;

	if (addr_is_v4mapped(&f.addr) && f.prefix >= 96) {
		addr_fold(&f.addr);
		f.prefix = (uint8_t)(f.prefix - 96);
	}
	if (!(v = grow(r->allow, &r->capallow, r->nallow, sizeof *v, 16)))
		return -ENOMEM;
	r->allow = v;
	r->allow[r->nallow++] = f;
	return 0;
}

int blockrail_own(struct blockrail *r, const struct addr *a)
{
	struct addr f = *a, *v;

	addr_fold(&f);
	for (size_t i = 0; i < r->nown; i++)
		if (!memcmp(&r->own[i], &f, sizeof f))
			return 0;
	if (!(v = grow(r->own, &r->capown, r->nown, sizeof *v, 16)))
		return -ENOMEM;
	r->own = v;
	r->own[r->nown++] = f;
	return 0;
}

long blockrail_allow_text(struct blockrail *r, const char *text, size_t len, const char *name,
			  FILE *msg)
{
	size_t lineno = 0, i = 0;
	long bad = 0;

	while (i < len) {
		const char *line = text + i, *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) : len - i, a = 0, b;
		const char *hash = memchr(line, '#', n);
		struct cidr c;

		i += n + (nl != NULL);
		lineno++;
		if (hash)
			n = (size_t)(hash - line);
		while (a < n && (line[a] == ' ' || line[a] == '\t' || line[a] == '\r'))
			a++;
		b = n;
		while (b > a && (line[b - 1] == ' ' || line[b - 1] == '\t' || line[b - 1] == '\r'))
			b--;
		if (a == b)
			continue;
		if (cidr_parse(line + a, b - a, &c) < 0) {
			if (msg)
				fprintf(msg, "%s:%zu: expected a network like 192.0.2.0/24 or "
					     "2001:db8::/32\n", name, lineno);
			bad++;
			continue;
		}
		if (blockrail_allow(r, &c) < 0)
			return -ENOMEM;
	}
	return bad;
}

/* Two networks share an address: the wider one contains the other's start. */
static bool overlap(const struct cidr *x, const struct cidr *y)
{
	if (x->addr.family != y->addr.family)
		return false;
	return x->prefix <= y->prefix ? cidr_contains(x, &y->addr) : cidr_contains(y, &x->addr);
}

/* The classes never blocked, and the private ones blocked only when asked. */
static const struct {
	const char *net, *why;
	bool private_;
} classes[] = {
	{"127.0.0.0/8", "loopback", false},
	{"::1/128", "loopback", false},
	{"0.0.0.0/8", "unspecified (\"this network\")", false},
	{"::/128", "unspecified", false},
	{"169.254.0.0/16", "link-local", false},
	{"fe80::/10", "link-local", false},
	{"224.0.0.0/4", "multicast", false},
	{"ff00::/8", "multicast", false},
	{"255.255.255.255/32", "broadcast", false},
	{"240.0.0.0/4", "reserved (240.0.0.0/4)", false},
	{"192.0.0.0/24", "IETF protocol assignments (192.0.0.0/24)", false},
	{"10.0.0.0/8", "private (RFC 1918; --include-private)", true},
	{"172.16.0.0/12", "private (RFC 1918; --include-private)", true},
	{"192.168.0.0/16", "private (RFC 1918; --include-private)", true},
	{"100.64.0.0/10", "shared CGNAT space (RFC 6598; --include-private)", true},
	{"fc00::/7", "unique local (ULA; --include-private)", true},
};

/*
 * IPv6 ranges that carry an IPv4 address: a packet from one of them comes
 * from (or through) that IPv4 host, so blocking it is blocking the IPv4
 * network, and the IPv4 rails decide. bit: where the IPv4 address starts.
 * ::ffff:0:0/96 is folded before this; it is here for wider networks.
 */
static const struct {
	const char *net, *name;
	unsigned bit;
} embeds[] = {
	{"::/96", "IPv4-compatible", 96},
	{"::ffff:0:0/96", "IPv4-mapped", 96},
	{"64:ff9b::/96", "NAT64", 96},
	{"2002::/16", "6to4", 16},
};

static const char *check(const struct blockrail *r, const struct cidr *n, char *buf, size_t bufsz);

/* The IPv4 network n carries through embedding e: its bits from e's bit on,
 * as many as n fixes (all of IPv4 when n is as wide as e or wider). */
static struct cidr embedded_v4(const struct cidr *n, const struct cidr *e, unsigned bit)
{
	struct cidr v = {.addr = {.family = AF_INET}, .prefix = 0};
	unsigned fixed = n->prefix > e->prefix ? n->prefix - e->prefix : 0;

	for (unsigned i = 0; i < 32; i++) {
		unsigned b = bit + i;

		if (n->addr.a[b / 8] & (0x80u >> (b % 8)))
			v.addr.a[i / 8] |= (uint8_t)(0x80u >> (i % 8));
	}
	v.prefix = (uint8_t)(fixed < 32 ? fixed : 32);
	addr_mask(&v.addr, v.prefix);
	return v;
}

static const char *check_embedded(const struct blockrail *r, const struct cidr *n, char *buf,
				  size_t bufsz)
{
	for (size_t i = 0; i < sizeof embeds / sizeof embeds[0]; i++) {
		struct cidr e, v;
		char inner[160], text[CIDR_STRLEN];
		const char *why;

		if (cidr_parse(embeds[i].net, strlen(embeds[i].net), &e) < 0)
			continue;
		/* cidr_parse folds the mapped /96 to 0.0.0.0/0: put it back */
		if (e.addr.family == AF_INET) {
			addr_unfold(&e.addr);
			e.prefix = 96;
		}
		if (!overlap(&e, n))
			continue;
		v = embedded_v4(n, &e, embeds[i].bit);
		why = check(r, &v, inner, sizeof inner);
		if (why) {
			cidr_format(&v, text, sizeof text);
			snprintf(buf, bufsz, "embeds %s (%s): %s", text, embeds[i].name, why);
			return buf;
		}
	}
	return NULL;
}

static const char *check(const struct blockrail *r, const struct cidr *n, char *buf, size_t bufsz)
{
	struct cidr own;
	char text[CIDR_STRLEN];
	const char *why;

	if (n->addr.family != AF_INET && n->addr.family != AF_INET6)
		return "not an address";
	if (n->prefix < (n->addr.family == AF_INET ? r->max_prefix4 : r->max_prefix6)) {
		snprintf(buf, bufsz, "wider than /%u (--max-prefix)",
			 n->addr.family == AF_INET ? r->max_prefix4 : r->max_prefix6);
		return buf;
	}
	for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
		struct cidr c;

		if (classes[i].private_ && r->include_private)
			continue;
		if (cidr_parse(classes[i].net, strlen(classes[i].net), &c) == 0 && overlap(&c, n))
			return classes[i].why;
	}
	for (size_t i = 0; i < r->nown; i++) {
		own.addr = r->own[i];
		own.prefix = (uint8_t)addr_maxprefix(&own.addr);
		if (overlap(&own, n)) {
			addr_format(&r->own[i], text, sizeof text);
			snprintf(buf, bufsz, "holds the host's own address %s", text);
			return buf;
		}
	}
	for (size_t i = 0; i < r->nallow; i++)
		if (overlap(&r->allow[i], n)) {
			cidr_format(&r->allow[i], text, sizeof text);
			snprintf(buf, bufsz, "overlaps --allow %s", text);
			return buf;
		}
	if (n->addr.family == AF_INET6 && (why = check_embedded(r, n, buf, bufsz)) != NULL)
		return why;
	return NULL;
}

const char *blockrail_check(const struct blockrail *r, const struct cidr *net, char *buf, size_t bufsz)
{
	struct cidr n = *net;

	if (addr_is_v4mapped(&n.addr) && n.prefix >= 96) {
		addr_fold(&n.addr);
		n.prefix = (uint8_t)(n.prefix - 96);
	}
	return check(r, &n, buf, bufsz);
}

/* addr — IPv4/IPv6 text <-> struct addr (RFC 4291 in, RFC 5952 out), CIDR
 * prefixes, IPv4-mapped folding and the address-class predicates. */
#include "addr.h"
#include "buf.h"
#include "num.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t v4mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Strict dotted quad into out[0..4): four decimal parts 0..255, one to three
 * digits, no sign and no leading zero ("010" is octal 8 to inet_aton but
 * decimal 10 to humans, so it is refused rather than guessed). */
static int parse_v4(const char *s, size_t len, uint8_t out[4])
{
	size_t i = 0;

	for (int part = 0; part < 4; part++) {
		unsigned v = 0;
		size_t start = i;

		if (part > 0) {
			if (i >= len || s[i] != '.')
				return -EINVAL;
			start = ++i;
		}
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
		}
		if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
			return -EINVAL;
		out[part] = (uint8_t)v;
	}
	return i == len ? 0 : -EINVAL;
}

/* RFC 4291 section 2.2: eight 1..4-digit hex groups, at most one "::"
 * standing for one or more zero groups, optionally ending in a dotted quad
 * that takes the place of the last two groups. */
static int parse_v6(const char *s, size_t len, uint8_t out[16])
{
	uint8_t buf[16];
	size_t i = 0, n = 0;  /* n: bytes filled in buf */
	long gap = -1;        /* byte index where "::" sits */

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		gap = 0;
		i = 2;
		if (i == len)
			goto done;
	} else if (len >= 1 && s[0] == ':') {
		return -EINVAL;
	}

	for (;;) {
		size_t start = i;
		unsigned v = 0;
		int h;

		while (i < len && i - start < 4 && (h = num_hexval(s[i])) >= 0) {
			v = (v << 4) | (unsigned)h;
			i++;
		}
		if (i < len && s[i] == '.') {
			/* Embedded IPv4: must be the tail and fit in two groups. */
			if (n > 12)
				return -EINVAL;
			if (parse_v4(s + start, len - start, buf + n) < 0)
				return -EINVAL;
			n += 4;
			break;
		}
		if (i == start || n > 14)
			return -EINVAL;
		buf[n++] = (uint8_t)(v >> 8);
		buf[n++] = (uint8_t)v;
		if (i == len)
			break;
		if (s[i] != ':')
			return -EINVAL;
		i++;
		if (i < len && s[i] == ':') {
			if (gap >= 0)
				return -EINVAL;
			gap = (long)n;
			i++;
			if (i == len)
				break;
		} else if (i == len) {
			return -EINVAL; /* trailing single ':' */
		}
	}
done:
	if (gap < 0) {
		if (n != 16)
			return -EINVAL;
		memcpy(out, buf, 16);
		return 0;
	}
	/* "::" must stand for at least one group. */
	if (n > 14)
		return -EINVAL;
	memset(out, 0, 16);
	memcpy(out, buf, (size_t)gap);
	memcpy(out + 16 - (n - (size_t)gap), buf + gap, n - (size_t)gap);
	return 0;
}

int addr_parse(const char *s, size_t len, struct addr *out)
{
	struct addr a;

	memset(&a, 0, sizeof a);
	if (!s || len == 0)
		return -EINVAL;
	if (memchr(s, ':', len)) {
		if (parse_v6(s, len, a.a) < 0)
			return -EINVAL;
		a.family = AF_INET6;
	} else {
		if (parse_v4(s, len, a.a) < 0)
			return -EINVAL;
		a.family = AF_INET;
	}
	*out = a;
	return 0;
}

/* Copies src (length n) into out with snprintf semantics. */
static size_t emit(const char *src, size_t n, char *out, size_t outsz)
{
	if (outsz > 0) {
		size_t k = n < outsz - 1 ? n : outsz - 1;

		memcpy(out, src, k);
		out[k] = '\0';
	}
	return n;
}

static size_t format_v4(const uint8_t *b, char *p)
{
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		if (i)
			p[n++] = '.';
		n += fmt_u64(p + n, b[i]);
	}
	p[n] = '\0';
	return n;
}

static size_t format_v6(const uint8_t *b, char *p)
{
	unsigned g[8];
	int best = -1, bestlen = 0;
	size_t n = 0;

	if (memcmp(b, v4mapped_prefix, 12) == 0) {
		memcpy(p, "::ffff:", 7);
		return 7 + format_v4(b + 12, p + 7);
	}
	for (int i = 0; i < 8; i++)
		g[i] = (unsigned)b[2 * i] << 8 | b[2 * i + 1];
	/* RFC 5952 4.2: the longest run of zero groups, first on ties, and
	 * never a lone zero group. */
	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && g[j] == 0)
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	if (bestlen < 2)
		best = -1;
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			p[n++] = ':';
			p[n++] = ':';
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			p[n++] = ':';
		n += fmt_hex16(p + n, g[i]);
	}
	p[n] = '\0';
	return n;
}

size_t addr_format(const struct addr *a, char *out, size_t outsz)
{
	char tmp[ADDR_STRLEN + 8];
	size_t n = 0;

	if (a->family == AF_INET)
		n = format_v4(a->a, tmp);
	else if (a->family == AF_INET6)
		n = format_v6(a->a, tmp);
	tmp[n] = '\0';
	return emit(tmp, n, out, outsz);
}

bool addr_is_v4mapped(const struct addr *a)
{
	return a->family == AF_INET6 && memcmp(a->a, v4mapped_prefix, 12) == 0;
}

void addr_fold(struct addr *a)
{
	if (!addr_is_v4mapped(a))
		return;
	memmove(a->a, a->a + 12, 4);
	memset(a->a + 4, 0, 12);
	a->family = AF_INET;
}

void addr_unfold(struct addr *a)
{
	if (a->family != AF_INET)
		return;
	memmove(a->a + 12, a->a, 4);
	memcpy(a->a, v4mapped_prefix, 12);
	a->family = AF_INET6;
}

void addr_mask(struct addr *a, unsigned prefix)
{
	unsigned max = addr_maxprefix(a);

	if (prefix > max)
		prefix = max;
	for (unsigned i = 0; i < 16; i++) {
		unsigned bit = i * 8;

		if (bit >= prefix)
			a->a[i] = 0;
		else if (prefix - bit < 8)
			a->a[i] &= (uint8_t)(0xffu << (8 - (prefix - bit)));
	}
}

int addr_cmp(const struct addr *x, const struct addr *y)
{
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->a, y->a, 16);
	return (c > 0) - (c < 0);
}

int cidr_parse(const char *s, size_t len, struct cidr *out)
{
	struct cidr c;
	const char *slash;
	size_t alen = len;
	unsigned prefix;

	memset(&c, 0, sizeof c);
	if (!s || len == 0)
		return -EINVAL;
	slash = memchr(s, '/', len);
	if (slash)
		alen = (size_t)(slash - s);
	if (addr_parse(s, alen, &c.addr) < 0)
		return -EINVAL;
	prefix = addr_maxprefix(&c.addr);
	if (slash) {
		const char *p = slash + 1;
		size_t plen = len - alen - 1;

		/* Same rule as the dotted quad: plain decimal, no sign, no
		 * leading zero, so one prefix has exactly one spelling. */
		if (plen == 0 || plen > 3 || (p[0] == '0' && plen > 1))
			return -EINVAL;
		prefix = 0;
		for (size_t i = 0; i < plen; i++) {
			if (p[i] < '0' || p[i] > '9')
				return -EINVAL;
			prefix = prefix * 10 + (unsigned)(p[i] - '0');
		}
		if (prefix > addr_maxprefix(&c.addr))
			return -EINVAL;
	}
	addr_mask(&c.addr, prefix);
	/* A prefix >= 96 keeps the whole ::ffff:0:0/96 part, so the result is
	 * still mapped exactly when the text was a mapped prefix. */
	if (addr_is_v4mapped(&c.addr)) {
		addr_fold(&c.addr);
		prefix -= 96;
	}
	c.prefix = (uint8_t)prefix;
	*out = c;
	return 0;
}

size_t cidr_format(const struct cidr *c, char *out, size_t outsz)
{
	char tmp[CIDR_STRLEN + 8];
	size_t n = addr_format(&c->addr, tmp, sizeof tmp);

	n += (size_t)sprintf(tmp + n, "/%u", (unsigned)c->prefix);
	return emit(tmp, n, out, outsz);
}

bool cidr_contains(const struct cidr *c, const struct addr *a)
{
	struct addr m;

	if (c->addr.family != a->family || a->family == 0)
		return false;
	m = *a;
	addr_mask(&m, c->prefix);
	return memcmp(m.a, c->addr.a, 16) == 0;
}

/* The predicates look through ::ffff:a.b.c.d: a mapped loopback or private
 * address is still one, and the safety rails must not be fooled by the
 * spelling. */
static struct addr folded(const struct addr *a)
{
	struct addr f = *a;

	addr_fold(&f);
	return f;
}

bool addr_is_loopback(const struct addr *a)
{
	static const uint8_t one[16] = {[15] = 1};
	struct addr f = folded(a);

	if (f.family == AF_INET)
		return f.a[0] == 127;
	return f.family == AF_INET6 && memcmp(f.a, one, 16) == 0;
}

bool addr_is_unspecified(const struct addr *a)
{
	static const uint8_t zero[16];
	struct addr f;

	/* IPv4, the common case of a per-row test, needs no folding */
	if (a->family == AF_INET)
		return !(a->a[0] | a->a[1] | a->a[2] | a->a[3]);
	f = folded(a);

	return (f.family == AF_INET || f.family == AF_INET6) && memcmp(f.a, zero, 16) == 0;
}

bool addr_is_linklocal(const struct addr *a)
{
	struct addr f = folded(a);

	if (f.family == AF_INET)
		return f.a[0] == 169 && f.a[1] == 254;
	return f.family == AF_INET6 && f.a[0] == 0xfe && (f.a[1] & 0xc0) == 0x80;
}

bool addr_is_multicast(const struct addr *a)
{
	struct addr f = folded(a);

	if (f.family == AF_INET)
		return (f.a[0] & 0xf0) == 224;
	return f.family == AF_INET6 && f.a[0] == 0xff;
}

bool addr_is_private(const struct addr *a)
{
	struct addr f = folded(a);

	if (f.family == AF_INET)
		return f.a[0] == 10 || (f.a[0] == 172 && (f.a[1] & 0xf0) == 16) ||
		       (f.a[0] == 192 && f.a[1] == 168) ||
		       (f.a[0] == 100 && (f.a[1] & 0xc0) == 64);
	return f.family == AF_INET6 && (f.a[0] & 0xfe) == 0xfc;
}

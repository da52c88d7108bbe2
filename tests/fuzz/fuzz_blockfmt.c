/* fuzz_blockfmt — fuzzed entries (mostly canonical, some with host bits, mapped
 * addresses, bad prefixes, families or scores) through block_write in every
 * format: -EINVAL exactly for bad input with nothing written, otherwise each
 * line fits the format's grammar and names only input networks. */
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

struct fb {
	const struct block_entry *e;
	size_t n;
	enum block_format fmt;
	unsigned ttl;
	bool seen[FB_MAX_ENTRIES];
	char *line[FB_MAX_LINES];   /* NUL-terminated in place */
	size_t nlines, at;
	long elements;              /* rule/element lines counted by the matchers */
};

/* The oracle, written apart from blockfmt.c's own check. */
static bool entry_bad(const struct block_entry *e)
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

static int family_of(enum block_format fmt)
{
	return fmt == BF_IPTABLES ? AF_INET : fmt == BF_IP6TABLES ? AF_INET6 : 0;
}

static const char *next_line(struct fb *s)
{
	return s->at < s->nlines ? s->line[s->at++] : NULL;
}

static void expect(struct fb *s, const char *want)
{
	const char *l = next_line(s);

	if (!l || strcmp(l, want))
		abort();
}

static bool starts(const char *s, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n))
		return false;
	*rest = s + n;
	return true;
}

/* A canonical network of family fam (0: either) equal to an input entry;
 * returns its index (the first unseen one when repeated). */
static size_t network(struct fb *s, const char *tok, size_t len, int fam)
{
	char back[CIDR_STRLEN];
	struct cidr c;
	size_t hit = SIZE_MAX;

	if (len == 0 || len >= CIDR_STRLEN || cidr_parse(tok, len, &c) < 0)
		abort();
	if (cidr_format(&c, back, sizeof back) != len || memcmp(back, tok, len))
		abort();
	if (fam && c.addr.family != fam)
		abort();
	for (size_t i = 0; i < s->n; i++) {
		if (memcmp(&s->e[i].net.addr, &c.addr, sizeof c.addr) || s->e[i].net.prefix != c.prefix)
			continue;
		if (hit == SIZE_MAX || (s->seen[hit] && !s->seen[i]))
			hit = i;
	}
	if (hit == SIZE_MAX)
		abort();
	s->seen[hit] = true;
	s->elements++;
	return hit;
}

static void header(struct fb *s, long count)
{
	static const char *const load[] = {
		"iptables-restore --noflush < FILE", "ip6tables-restore --noflush < FILE",
		"nft -f FILE", "ipset restore < FILE", "",
	};
	char tail[128];
	const char *l = next_line(s), *when;
	size_t tl, ll;

	snprintf(tail, sizeof tail, ": %ld network%s. Load: %s", count, count == 1 ? "" : "s",
		 load[s->fmt]);
	if (!l || !starts(l, "# sockscope block-list, ", &when))
		abort();
	ll = strlen(when);
	tl = strlen(tail);
	if (ll <= tl || strcmp(when + ll - tl, tail))
		abort();
	/* the time: digits and the punctuation of an ISO 8601 date */
	for (size_t i = 0; i < ll - tl; i++)
		if (!strchr("0123456789-+:TZ", when[i]))
			abort();
}

static void tables(struct fb *s)
{
	static const char rule[] = "-A " BLOCK_CHAIN " -s ";
	static const char mid[] = " -m comment --comment \"sockscope score ";
	static const char end[] = "\" -j DROP";
	const char *l, *rest;

	expect(s, "*filter");
	expect(s, ":" BLOCK_CHAIN " - [0:0]");
	expect(s, "-F " BLOCK_CHAIN);
	while ((l = next_line(s)) && starts(l, rule, &rest)) {
		const char *m = strstr(rest, mid), *sc, *q;
		char want[32];
		size_t i;

		if (!m)
			abort();
		i = network(s, rest, (size_t)(m - rest), family_of(s->fmt));
		sc = m + strlen(mid);
		q = strchr(sc, '"');
		if (!q || strcmp(q, end))
			abort();
		/* [0-9]{1,3}.[0-9]: no sign (-0.0), no exponent, nan or inf */
		if (q - sc < 3 || q - sc > 5 || q[-2] != '.')
			abort();
		for (const char *c = sc; c < q; c++)
			if (c != q - 2 && (*c < '0' || *c > '9'))
				abort();
		snprintf(want, sizeof want, "%.1f", s->e[i].score + 0.0);   /* -0.0: "0.0" */
		if (strlen(want) != (size_t)(q - sc) || memcmp(want, sc, (size_t)(q - sc)))
			abort();
	}
	if (!l || strcmp(l, "-I INPUT 1 -j " BLOCK_CHAIN))
		abort();
	expect(s, "COMMIT");
}

static void nft_set(struct fb *s, const char *name, int fam)
{
	char want[64];
	const char *l, *rest;

	snprintf(want, sizeof want, "\tset %s {", name);
	expect(s, want);
	expect(s, fam == AF_INET ? "\t\ttype ipv4_addr" : "\t\ttype ipv6_addr");
	expect(s, s->ttl ? "\t\tflags interval, timeout" : "\t\tflags interval");
	l = next_line(s);
	if (l && !strcmp(l, "\t\tauto-merge"))   /* allowed: nft then takes overlaps */
		l = next_line(s);
	if (s->ttl) {
		snprintf(want, sizeof want, "\t\ttimeout %us", s->ttl);
		if (!l || strcmp(l, want))
			abort();
		l = next_line(s);
	}
	if (l && starts(l, "\t\telements = { ", &rest)) {
		for (;;) {
			size_t len = strcspn(rest, ", ");

			network(s, rest, len, fam);
			rest += len;
			if (!strcmp(rest, " }"))
				break;
			if (strncmp(rest, ", ", 2))
				abort();
			rest += 2;
		}
		l = next_line(s);
	}
	if (!l || strcmp(l, "\t}"))
		abort();
}

static void nft(struct fb *s)
{
	expect(s, "table inet " BLOCK_TABLE " {}");
	expect(s, "delete table inet " BLOCK_TABLE);
	expect(s, "table inet " BLOCK_TABLE " {");
	nft_set(s, "block4", AF_INET);
	nft_set(s, "block6", AF_INET6);
	expect(s, "\tchain input {");
	expect(s, "\t\ttype filter hook input priority -10; policy accept;");
	expect(s, "\t\tip saddr @block4 drop");
	expect(s, "\t\tip6 saddr @block6 drop");
	expect(s, "\t}");
	expect(s, "}");
}

static void ipset(struct fb *s)
{
	static const struct {
		const char *name, *family;
		int af;
	} sets[] = {{BLOCK_SET4, "inet", AF_INET}, {BLOCK_SET6, "inet6", AF_INET6}};
	char want[96], add[64];
	const char *l = NULL, *rest;

	for (size_t k = 0; k < 2; k++) {
		size_t len;

		if (s->ttl)
			snprintf(want, sizeof want, "create %s hash:net family %s timeout %u -exist",
				 sets[k].name, sets[k].family, s->ttl);
		else
			snprintf(want, sizeof want, "create %s hash:net family %s -exist",
				 sets[k].name, sets[k].family);
		if (k == 0)
			expect(s, want);
		else if (!l || strcmp(l, want))
			abort();
		snprintf(want, sizeof want, "flush %s", sets[k].name);
		expect(s, want);
		snprintf(add, sizeof add, "add %s ", sets[k].name);
		while ((l = next_line(s)) && starts(l, add, &rest)) {
			len = strlen(rest);
			if (len < 7 || strcmp(rest + len - 7, " -exist"))
				abort();
			network(s, rest, len - 7, sets[k].af);
		}
	}
	if (l)   /* nothing after the second set's elements */
		abort();
}

static void plain(struct fb *s)
{
	const char *l;

	while ((l = next_line(s)))
		network(s, l, strlen(l), 0);
}

static void check_output(struct fb *s, char *buf, size_t len, long r)
{
	int fam = family_of(s->fmt);
	long want = 0;

	for (size_t i = 0; i < len; i++)
		if (!((buf[i] >= 0x20 && buf[i] < 0x7f) || buf[i] == '\n' || buf[i] == '\t'))
			abort();
	if (len == 0 || buf[len - 1] != '\n')
		if (!(len == 0 && s->fmt == BF_PLAIN && s->n == 0))
			abort();
	for (char *p = buf; p < buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));

		if (s->nlines == FB_MAX_LINES)
			abort();
		*nl = '\0';
		s->line[s->nlines++] = p;
		p = nl + 1;
	}
	for (size_t i = 0; i < s->n; i++)
		want += !fam || s->e[i].net.addr.family == fam;
	if (r != want)
		abort();
	if (s->fmt != BF_PLAIN)
		header(s, r);
	switch (s->fmt) {
	case BF_IPTABLES:
	case BF_IP6TABLES:
		tables(s);
		break;
	case BF_NFT:
		nft(s);
		break;
	case BF_IPSET:
		ipset(s);
		break;
	case BF_PLAIN:
		plain(s);
		break;
	}
	if (s->at != s->nlines || s->elements != r)
		abort();
	/* every network of the format's families is in the output */
	for (size_t i = 0; i < s->n; i++)
		if ((!fam || s->e[i].net.addr.family == fam) && !s->seen[i]) {
			bool dup = false;

			for (size_t j = 0; j < s->n; j++)
				dup |= j != i && s->seen[j] &&
				       !memcmp(&s->e[j].net, &s->e[i].net, sizeof s->e[i].net);
			if (!dup)
				abort();
		}
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

static void fuzz_entry(struct rd *r, struct block_entry *e)
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
	static struct block_entry e[FB_MAX_ENTRIES];
	struct rd r = {data, size};
	struct block_opts o = {0};
	static struct fb s;
	uint8_t sel;
	size_t n, len = 0;
	char *buf = NULL;
	bool bad = false;
	FILE *f;
	long ret;

	memset(&s, 0, sizeof s);
	s.fmt = (enum block_format)(rd_u8(&r) % 5);
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
	ret = block_write(f, s.fmt, e, n, &o);
	if (fclose(f) != 0)
		abort();
	s.e = e;
	s.n = n;
	s.ttl = o.ttl;
	if (bad) {
		if (ret != -EINVAL || len != 0)
			abort();
	} else {
		if (ret < 0)
			abort();
		check_output(&s, buf, len, ret);
	}
	free(buf);
	return 0;
}

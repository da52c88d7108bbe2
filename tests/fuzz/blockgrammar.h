/* blockgrammar — the strict grammar of blockfmt_write's output (blockfmt.h) for
 * the fuzz targets that check it. Header-only: each target is one program. */
#ifndef SOCKSCOPE_BLOCKGRAMMAR_H
#define SOCKSCOPE_BLOCKGRAMMAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "blockfmt.h"

/* A network met in the output, with its score when the format shows one. */
struct bg_net {
	struct cidr net;
	bool has_score;
	double score;
};

/*
 * The caller sets fmt, ttl, max_lines and either the entries (e, n: every
 * network must be one of them, and all of them of the format's families
 * must be there) or e = NULL (any canonical network is accepted: for output
 * whose networks are not known in advance; check bg.got afterwards).
 * bg_check fills the rest; bg_fini frees it.
 */
struct bg {
	const struct blockfmt_entry *e;
	size_t n;
	enum blockfmt fmt;
	unsigned ttl;
	size_t max_lines;        /* more lines abort; 0: no limit */

	bool *seen;              /* per entry */
	char **line;             /* NUL-terminated in place */
	size_t nlines, at;
	long elements;           /* rule/element lines counted by the matchers */
	struct bg_net *got;      /* every network read, in output order */
	size_t ngot, capgot;
};

static inline void bg_fini(struct bg *s)
{
	free(s->seen);
	free(s->line);
	free(s->got);
	s->seen = NULL;
	s->line = NULL;
	s->got = NULL;
}

static inline int bg_family(enum blockfmt fmt)
{
	return fmt == BLOCKFMT_IPTABLES ? AF_INET : fmt == BLOCKFMT_IP6TABLES ? AF_INET6 : 0;
}

static inline const char *bg_next_line(struct bg *s)
{
	return s->at < s->nlines ? s->line[s->at++] : NULL;
}

static inline void bg_expect(struct bg *s, const char *want)
{
	const char *l = bg_next_line(s);

	if (!l || strcmp(l, want)) {
		fprintf(stderr, "blockgrammar: expected \"%s\", got \"%s\"\n", want,
			l ? l : "(end)");
		abort();
	}
}

static inline bool bg_starts(const char *s, const char *prefix, const char **rest)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n))
		return false;
	*rest = s + n;
	return true;
}

/* The text tok[0..len) is a canonical network: cidr_parse, then cidr_format
 * gives the same text back. Into c. */
static inline void bg_canonical(const char *tok, size_t len, struct cidr *c)
{
	char back[CIDR_STRLEN];

	if (len == 0 || len >= CIDR_STRLEN || cidr_parse(tok, len, c) < 0) {
		fprintf(stderr, "blockgrammar: not a network: \"%.*s\"\n", (int)len, tok);
		abort();
	}
	if (cidr_format(c, back, sizeof back) != len || memcmp(back, tok, len)) {
		fprintf(stderr, "blockgrammar: not canonical: \"%.*s\" (is %s)\n", (int)len, tok,
			back);
		abort();
	}
}

/* A canonical network of family fam (0: either), recorded in got; with
 * entries, equal to one of them: returns its index (the first unseen one
 * when repeated). Without entries returns the index in got. */
static inline size_t bg_network(struct bg *s, const char *tok, size_t len, int fam)
{
	struct cidr c;
	size_t hit = SIZE_MAX;

	bg_canonical(tok, len, &c);
	if (fam && c.addr.family != fam)
		abort();
	if (s->ngot == s->capgot) {
		size_t cap = s->capgot ? s->capgot * 2 : 64;
		struct bg_net *v = realloc(s->got, cap * sizeof *v);

		if (!v)
			abort();
		s->got = v;
		s->capgot = cap;
	}
	s->got[s->ngot] = (struct bg_net){c, false, 0};
	s->elements++;
	if (!s->e)
		return s->ngot++;
	s->ngot++;
	for (size_t i = 0; i < s->n; i++) {
		if (memcmp(&s->e[i].net.addr, &c.addr, sizeof c.addr) || s->e[i].net.prefix != c.prefix)
			continue;
		if (hit == SIZE_MAX || (s->seen[hit] && !s->seen[i]))
			hit = i;
	}
	if (hit == SIZE_MAX)
		abort();
	s->seen[hit] = true;
	return hit;
}

static inline void bg_header(struct bg *s, long count)
{
	static const char *const load[] = {
		"iptables-restore --noflush < FILE", "ip6tables-restore --noflush < FILE",
		"nft -f FILE", "ipset restore < FILE", "",
	};
	char tail[128];
	const char *l = bg_next_line(s), *when;
	size_t tl, ll;

	snprintf(tail, sizeof tail, ": %ld network%s. Load: %s", count, count == 1 ? "" : "s",
		 load[s->fmt]);
	if (!l || !bg_starts(l, "# sockscope block-list, ", &when))
		abort();
	ll = strlen(when);
	tl = strlen(tail);
	if (ll <= tl || strcmp(when + ll - tl, tail)) {
		fprintf(stderr, "blockgrammar: header \"%s\" does not end in \"%s\"\n", l, tail);
		abort();
	}
	/* the time: digits and the punctuation of an ISO 8601 date */
	for (size_t i = 0; i < ll - tl; i++)
		if (!strchr("0123456789-+:TZ", when[i]))
			abort();
}

static inline void bg_tables(struct bg *s)
{
	static const char rule[] = "-A " BLOCK_CHAIN " -s ";
	static const char mid[] = " -m comment --comment \"sockscope score ";
	static const char end[] = "\" -j DROP";
	const char *l, *rest;

	bg_expect(s, "*filter");
	bg_expect(s, ":" BLOCK_CHAIN " - [0:0]");
	bg_expect(s, "-F " BLOCK_CHAIN);
	while ((l = bg_next_line(s)) && bg_starts(l, rule, &rest)) {
		const char *m = strstr(rest, mid), *sc, *q;
		char want[32];
		size_t i;

		if (!m)
			abort();
		i = bg_network(s, rest, (size_t)(m - rest), bg_family(s->fmt));
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
		s->got[s->ngot - 1].has_score = true;
		s->got[s->ngot - 1].score = strtod(sc, NULL);
		if (!s->e) {
			if (s->got[s->ngot - 1].score > 100)
				abort();
			continue;
		}
		snprintf(want, sizeof want, "%.1f", s->e[i].score + 0.0);   /* -0.0: "0.0" */
		if (strlen(want) != (size_t)(q - sc) || memcmp(want, sc, (size_t)(q - sc)))
			abort();
	}
	if (!l || strcmp(l, "-I INPUT 1 -j " BLOCK_CHAIN))
		abort();
	bg_expect(s, "COMMIT");
}

static inline void bg_nft_set(struct bg *s, const char *name, int fam)
{
	char want[64];
	const char *l, *rest;

	snprintf(want, sizeof want, "\tset %s {", name);
	bg_expect(s, want);
	bg_expect(s, fam == AF_INET ? "\t\ttype ipv4_addr" : "\t\ttype ipv6_addr");
	bg_expect(s, s->ttl ? "\t\tflags interval, timeout" : "\t\tflags interval");
	l = bg_next_line(s);
	if (l && !strcmp(l, "\t\tauto-merge"))   /* allowed: nft then takes overlaps */
		l = bg_next_line(s);
	if (s->ttl) {
		snprintf(want, sizeof want, "\t\ttimeout %us", s->ttl);
		if (!l || strcmp(l, want))
			abort();
		l = bg_next_line(s);
	}
	if (l && bg_starts(l, "\t\telements = { ", &rest)) {
		for (;;) {
			size_t len = strcspn(rest, ", ");

			bg_network(s, rest, len, fam);
			rest += len;
			if (!strcmp(rest, " }"))
				break;
			if (strncmp(rest, ", ", 2))
				abort();
			rest += 2;
		}
		l = bg_next_line(s);
	}
	if (!l || strcmp(l, "\t}"))
		abort();
}

static inline void bg_nft(struct bg *s)
{
	bg_expect(s, "table inet " BLOCK_TABLE " {}");
	bg_expect(s, "delete table inet " BLOCK_TABLE);
	bg_expect(s, "table inet " BLOCK_TABLE " {");
	bg_nft_set(s, "block4", AF_INET);
	bg_nft_set(s, "block6", AF_INET6);
	bg_expect(s, "\tchain input {");
	bg_expect(s, "\t\ttype filter hook input priority -10; policy accept;");
	bg_expect(s, "\t\tip saddr @block4 drop");
	bg_expect(s, "\t\tip6 saddr @block6 drop");
	bg_expect(s, "\t}");
	bg_expect(s, "}");
}

static inline void bg_ipset(struct bg *s)
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
			bg_expect(s, want);
		else if (!l || strcmp(l, want))
			abort();
		snprintf(want, sizeof want, "flush %s", sets[k].name);
		bg_expect(s, want);
		snprintf(add, sizeof add, "add %s ", sets[k].name);
		while ((l = bg_next_line(s)) && bg_starts(l, add, &rest)) {
			len = strlen(rest);
			if (len < 7 || strcmp(rest + len - 7, " -exist"))
				abort();
			bg_network(s, rest, len - 7, sets[k].af);
		}
	}
	if (l)   /* nothing after the second set's elements */
		abort();
}

static inline void bg_plain(struct bg *s)
{
	const char *l;

	while ((l = bg_next_line(s)))
		bg_network(s, l, strlen(l), 0);
}

/*
 * Holds buf[0..len) (modified: lines are cut in place) to the grammar of
 * s->fmt. With entries, r is what blockfmt_write returned and must be the
 * number of entries of the format's families; without, r is the number of
 * networks the file must hold. Aborts on any violation.
 */
static inline void bg_check(struct bg *s, char *buf, size_t len, long r)
{
	int fam = bg_family(s->fmt);
	size_t cap = 1;
	long want = 0;

	s->nlines = s->at = s->ngot = 0;
	s->elements = 0;
	for (size_t i = 0; i < len; i++) {
		if (!((buf[i] >= 0x20 && buf[i] < 0x7f) || buf[i] == '\n' || buf[i] == '\t'))
			abort();
		cap += buf[i] == '\n';
	}
	if (len == 0 || buf[len - 1] != '\n')
		if (!(len == 0 && s->fmt == BLOCKFMT_PLAIN && (s->e ? s->n == 0 : r == 0)))
			abort();
	free(s->line);
	free(s->seen);
	s->line = malloc(cap * sizeof *s->line);
	s->seen = calloc(s->n ? s->n : 1, sizeof *s->seen);
	if (!s->line || !s->seen)
		abort();
	for (char *p = buf; p < buf + len;) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));

		if (s->max_lines && s->nlines == s->max_lines)
			abort();
		*nl = '\0';
		s->line[s->nlines++] = p;
		p = nl + 1;
	}
	if (s->e) {
		for (size_t i = 0; i < s->n; i++)
			want += !fam || s->e[i].net.addr.family == fam;
		if (r != want)
			abort();
	}
	if (s->fmt != BLOCKFMT_PLAIN)
		bg_header(s, r);
	switch (s->fmt) {
	case BLOCKFMT_IPTABLES:
	case BLOCKFMT_IP6TABLES:
		bg_tables(s);
		break;
	case BLOCKFMT_NFT:
		bg_nft(s);
		break;
	case BLOCKFMT_IPSET:
		bg_ipset(s);
		break;
	case BLOCKFMT_PLAIN:
		bg_plain(s);
		break;
	}
	if (s->at != s->nlines || s->elements != r) {
		fprintf(stderr, "blockgrammar: %zu of %zu lines read, %ld networks, %ld wanted\n",
			s->at, s->nlines, s->elements, r);
		abort();
	}
	if (!s->e)
		return;
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

#endif

/* snapdelta — keyframe and delta encodings of one section (docs/FORMAT.md §7). */
#include "snapdelta.h"
#include "grow.h"
#include "snapdelta_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fnv(uint32_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

static bool is_uhex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static int hexval(char c)
{
	return c <= '9' ? c - '0' : c - 'A' + 10;
}

/* "%*llu: " with the section's width, exactly as printf would print it. */
static bool proc_prefix(const char *s, size_t n, uint64_t width, uint64_t *sl, size_t *end)
{
	size_t sp = 0, d = 0;
	uint64_t v = 0;

	while (sp < n && s[sp] == ' ')
		sp++;
	while (sp + d < n && s[sp + d] >= '0' && s[sp + d] <= '9' && d < 19) {
		v = v * 10 + (uint64_t)(s[sp + d] - '0');
		d++;
	}
	if (d == 0 || sp + d + 1 >= n || s[sp + d] != ':' || s[sp + d + 1] != ' ')
		return false;
	if (d > 1 && s[sp] == '0')
		return false;
	if (sp != (d < width ? width - d : 0))
		return false;
	*sl = v;
	*end = sp + d + 2;
	return true;
}

void sd_split_line(const struct xform *x, const char *s, size_t n, struct line *l, bool hash)
{
	size_t start = 0;

	memset(l, 0, sizeof(*l));
	l->a = s;
	l->alen = n;
	if (x->mode == M_PROC && proc_prefix(s, n, x->width, &l->sl, &start)) {
		/* The fifth token after the prefix is "TR:WHEN", WHEN 8 hex digits. */
		size_t i = start, spaces = 0;

		while (i < n && spaces < 4)
			if (s[i++] == ' ')
				spaces++;
		if (spaces == 4 && i + 11 <= n && is_uhex(s[i]) && is_uhex(s[i + 1]) &&
		    s[i + 2] == ':' && (i + 11 == n || s[i + 11] == ' ')) {
			uint64_t w = 0;
			bool ok = true;

			for (size_t k = i + 3; k < i + 11; k++) {
				ok = ok && is_uhex(s[k]);
				if (ok)
					w = w * 16 + (uint64_t)hexval(s[k]);
			}
			if (ok) {
				l->t = true;
				l->when = w;
				l->a = s + start;
				l->alen = i + 3 - start;
				l->b = s + i + 11;
				l->blen = n - i - 11;
			}
		}
	} else if (x->mode == M_TSV) {
		size_t i = 0, c = 0, e;

		while (i < n && c < x->col)
			if (s[i++] == '\t')
				c++;
		if (c == x->col) {
			uint64_t v = 0;
			bool ok;

			e = i;
			while (e < n && s[e] != '\t')
				e++;
			ok = e > i && e - i <= 19 && (e - i == 1 || s[i] != '0');
			for (size_t k = i; ok && k < e; k++) {
				ok = s[k] >= '0' && s[k] <= '9';
				v = v * 10 + (uint64_t)(s[k] - '0');
			}
			if (ok) {
				l->t = true;
				l->when = v;
				l->alen = i;
				l->b = s + e;
				l->blen = n - e;
			}
		}
	}
	if (!hash)
		return;   /* the decoder never looks lines up */
	l->h = fnv(fnv(2166136261u ^ (l->t ? 1u : 0u), l->a, l->alen), l->b, l->blen);
	if (l->t)
		l->h = fnv(l->h, "\x01", 1);
}

static int split_text(const struct xform *x, const char *s, size_t n, struct lines *out,
		      bool hash)
{
	size_t cnt = 0, cap = 0;
	const char *p = s, *end = s + n;

	memset(out, 0, sizeof(*out));
	/* counted by memchr: a byte loop here was half of decoding a delta */
	for (const char *q = s; n && (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
		cap++;
	cap++;
	/* zeroed: the analyzer, since the decoder moved out, follows a text
	 * it assumes empty into reading lines it never wrote */
	out->v = calloc(cap, sizeof(*out->v));
	if (!out->v)
		return -ENOMEM;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		sd_split_line(x, p, len, &out->v[cnt++], hash);
		p += len + (nl ? 1 : 0);
	}
	out->n = cnt;
	out->final_nl = n == 0 || s[n - 1] == '\n';
	return 0;
}

static bool line_eq(const struct line *x, const struct line *y)
{
	return x->h == y->h && x->t == y->t && x->alen == y->alen && x->blen == y->blen &&
	       (!x->alen || !memcmp(x->a, y->a, x->alen)) &&
	       (!x->blen || !memcmp(x->b, y->b, x->blen));
}

/* ---- varints ------------------------------------------------------------ */

int sd_put_uv(struct buf *b, uint64_t v)
{
	char t[10];
	size_t n = 0;

	while (v >= 0x80) {
		t[n++] = (char)(v | 0x80);
		v >>= 7;
	}
	t[n++] = (char)v;
	return buf_append(b, t, n);
}

uint64_t sd_zz(uint64_t d)   /* d is a two's-complement difference */
{
	return (d << 1) ^ (uint64_t)-(int64_t)(d >> 63);
}


/* ---- encoder ------------------------------------------------------------ */

int snapdelta_encode_key(const char *cur, size_t curlen, struct buf *out)
{
	int rc = buf_putc(out, SNAPDELTA_KEY);

	return rc < 0 ? rc : buf_append(out, cur, curlen);
}

void sd_pick_xform(const char *name, const char *cur, size_t curlen, struct xform *x)
{
	memset(x, 0, sizeof(*x));
	if (!strncmp(name, "proc/net/", 9)) {
		/* Width from the first row: tcp prints %4d, udp %5d. */
		const char *nl = memchr(cur, '\n', curlen), *colon;

		x->mode = M_PROC;
		x->width = 4;
		if (nl) {
			const char *r = nl + 1, *end = cur + curlen;
			colon = memchr(r, ':', (size_t)(end - r));
			if (colon && colon - r < 24)
				x->width = (uint64_t)(colon - r);
		}
	} else if (!strcmp(name, "sockets")) {
		const char *nl = memchr(cur, '\n', curlen), *p = cur;
		size_t hl = nl ? (size_t)(nl - cur) : curlen;
		uint64_t col = 0;

		while (p < cur + hl) {
			const char *tab = memchr(p, '\t', (size_t)(cur + hl - p));
			size_t fl = tab ? (size_t)(tab - p) : (size_t)(cur + hl - p);
			if (fl == 10 && !memcmp(p, "expires_ms", 10)) {
				x->mode = M_TSV;
				x->col = col;
				break;
			}
			if (!tab)
				break;
			p = tab + 1;
			col++;
		}
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t sd_tick_of(uint64_t *d, size_t n)
{
	uint64_t best = 0;
	size_t run = 0, bestrun = 0;

	qsort(d, n, sizeof(d[0]), cmp_u64);
	for (size_t i = 0; i < n; i++) {
		run = i && d[i] == d[i - 1] ? run + 1 : 1;
		if (run > bestrun) {
			bestrun = run;
			best = d[i];
		}
	}
	return best;
}

/* The common decrement of the moving numbers between the two snapshots:
 * with it, a deadline that did not move encodes as residual 0. */
static uint64_t pick_tick(const struct lines *p, const struct lines *c, const int64_t *match)
{
	uint64_t d[SD_TICK_SAMPLES] = {0};
	size_t n = 0;

	for (size_t i = 0; i < c->n && n < SD_TICK_SAMPLES; i++) {
		const struct line *pl;
		if (match[i] < 0 || !c->v[i].t)
			continue;
		pl = &p->v[match[i]];
		if (pl->when != 0 && c->v[i].when != 0)
			d[n++] = pl->when - c->v[i].when;
	}
	return sd_tick_of(d, n);
}

int sd_put_resid(struct buf *b, const struct xform *x, const struct line *l,
		     const struct line *pl, uint64_t *last_sl, uint64_t tick)
{
	uint64_t pred = 0;
	int rc = 0;

	if (x->mode == M_PROC) {
		rc = sd_put_uv(b, sd_zz(l->sl - (*last_sl + 1)));
		*last_sl = l->sl;
	}
	if (pl && pl->when)
		pred = pl->when - tick;
	if (rc == 0)
		rc = sd_put_uv(b, sd_zz(l->when - pred));
	return rc;
}

static size_t common_prefix(const char *a, size_t an, const char *b, size_t bn)
{
	size_t n = an < bn ? an : bn, i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

static size_t common_suffix(const char *a, size_t an, const char *b, size_t bn, size_t pre)
{
	size_t n = (an < bn ? an : bn) - pre, i = 0;

	while (i < n && a[an - 1 - i] == b[bn - 1 - i])
		i++;
	return i;
}

/* Worth an edit: same shape, and at least half of the row unchanged. */
bool sd_similar(const struct line *base, const struct line *l)
{
	size_t pa, sa, same;

	if (base->t != l->t)
		return false;
	pa = common_prefix(base->a, base->alen, l->a, l->alen);
	sa = common_suffix(base->a, base->alen, l->a, l->alen, pa);
	same = pa + sa;
	if (l->t) {
		size_t pb = common_prefix(base->b, base->blen, l->b, l->blen);
		same += pb + common_suffix(base->b, base->blen, l->b, l->blen, pb);
	}
	return same >= 8 && 2 * same >= l->alen + l->blen;
}

/* cur as base with its middle replaced: prefix, suffix kept, middle given. */
int sd_put_edit(struct buf *b, const char *base, size_t bn, const char *cur, size_t cn)
{
	size_t pre = common_prefix(base, bn, cur, cn);
	size_t suf = common_suffix(base, bn, cur, cn, pre);
	int rc = sd_put_uv(b, pre);

	rc = rc < 0 ? rc : sd_put_uv(b, suf);
	rc = rc < 0 ? rc : sd_put_uv(b, cn - pre - suf);
	return rc < 0 ? rc : buf_append(b, cur + pre, cn - pre - suf);
}

int snapdelta_encode(const char *name, const char *prev, size_t prevlen, const char *cur,
		     size_t curlen, struct buf *out)
{
	struct lines p = {0}, c = {0};
	struct xform x;
	uint32_t *tab = NULL;
	int64_t *match = NULL;
	size_t tsz = 1, expect = 0;
	uint64_t tick, last_sl = UINT64_MAX;
	int rc;

	sd_pick_xform(name, cur, curlen, &x);
	rc = split_text(&x, prev, prevlen, &p, true);
	if (rc == 0)
		rc = split_text(&x, cur, curlen, &c, true);
	if (rc < 0)
		goto out;
	while (tsz < 2 * p.n + 2)
		tsz <<= 1;
	tab = calloc(tsz, sizeof(*tab));
	match = malloc((c.n + 1) * sizeof(*match));
	if (!tab || !match) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < p.n; i++) {
		size_t k = p.v[i].h & (tsz - 1);
		while (tab[k] && !line_eq(&p.v[tab[k] - 1], &p.v[i]))
			k = (k + 1) & (tsz - 1);
		if (!tab[k])
			tab[k] = (uint32_t)(i + 1);
	}
	/* Match each line: the next line of the previous text first (runs of
	 * unchanged rows), else any equal line. */
	for (size_t i = 0; i < c.n; i++) {
		size_t k;
		if (expect < p.n && line_eq(&p.v[expect], &c.v[i])) {
			match[i] = (int64_t)expect++;
			continue;
		}
		k = c.v[i].h & (tsz - 1);
		while (tab[k] && !line_eq(&p.v[tab[k] - 1], &c.v[i]))
			k = (k + 1) & (tsz - 1);
		match[i] = tab[k] ? (int64_t)tab[k] - 1 : -1;
		if (match[i] >= 0)
			expect = (size_t)match[i] + 1;
	}
	tick = pick_tick(&p, &c, match);
	rc = buf_putc(out, SNAPDELTA_DELTA);
	rc = rc < 0 ? rc : sd_put_uv(out, x.mode);
	if (rc == 0 && x.mode == M_PROC)
		rc = sd_put_uv(out, x.width);
	if (rc == 0 && x.mode == M_TSV)
		rc = sd_put_uv(out, x.col);
	rc = rc < 0 ? rc : sd_put_uv(out, sd_zz(tick));
	rc = rc < 0 ? rc : sd_put_uv(out, c.n);
	rc = rc < 0 ? rc : sd_put_uv(out, c.final_nl ? 1 : 0);
	expect = 0;
	for (size_t i = 0; rc == 0 && i < c.n;) {
		size_t j = i + 1;
		if (match[i] >= 0) {
			while (j < c.n && match[j] == match[j - 1] + 1)
				j++;
			rc = sd_put_uv(out, (uint64_t)(j - i) << 2 | RUN_COPY);
			rc = rc < 0 ? rc : sd_put_uv(out, sd_zz((uint64_t)match[i] - expect));
			for (size_t k = i; rc == 0 && k < j; k++)
				if (c.v[k].t)
					rc = sd_put_resid(out, &x, &c.v[k], &p.v[match[k]], &last_sl, tick);
			expect = (size_t)match[j - 1] + 1;
		} else if (expect < p.n && sd_similar(&p.v[expect], &c.v[i])) {
			/* A changed row (a queue, a state, a retransmit): an edit
			 * of the row at the same place in the base. */
			while (j < c.n && match[j] < 0 && expect + (j - i) < p.n &&
			       sd_similar(&p.v[expect + (j - i)], &c.v[j]))
				j++;
			rc = sd_put_uv(out, (uint64_t)(j - i) << 2 | RUN_EDIT);
			for (size_t k = i; rc == 0 && k < j; k++) {
				const struct line *l = &c.v[k], *pl = &p.v[expect + (k - i)];
				rc = sd_put_edit(out, pl->a, pl->alen, l->a, l->alen);
				if (rc == 0 && l->t)
					rc = sd_put_edit(out, pl->b, pl->blen, l->b, l->blen);
				if (rc == 0 && l->t)
					rc = sd_put_resid(out, &x, l, pl, &last_sl, tick);
			}
			expect += j - i;
		} else {
			while (j < c.n && match[j] < 0 && !(expect < p.n && sd_similar(&p.v[expect], &c.v[j])))
				j++;
			rc = sd_put_uv(out, (uint64_t)(j - i) << 2 | RUN_LITERAL);
			for (size_t k = i; rc == 0 && k < j; k++) {
				const struct line *l = &c.v[k];
				rc = sd_put_uv(out, l->t);
				rc = rc < 0 ? rc : sd_put_uv(out, l->alen);
				rc = rc < 0 ? rc : buf_append(out, l->a, l->alen);
				if (rc == 0 && l->t) {
					rc = sd_put_uv(out, l->blen);
					rc = rc < 0 ? rc : buf_append(out, l->b, l->blen);
					rc = rc < 0 ? rc : sd_put_resid(out, &x, l, NULL, &last_sl, tick);
				}
			}
		}
		i = j;
	}
out:
	free(tab);
	free(match);
	free(p.v);
	free(c.v);
	return rc;
}

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
	out->v = malloc(cap * sizeof(*out->v));
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

static uint64_t unzz(uint64_t v)
{
	return (v >> 1) ^ (uint64_t)-(int64_t)(v & 1);
}

struct rd {
	const unsigned char *p, *end;
	bool bad;
};

static uint64_t get_uv(struct rd *r)
{
	uint64_t v = 0;

	for (unsigned sh = 0; sh < 64; sh += 7) {
		unsigned char c;

		if (r->p >= r->end) {
			r->bad = true;
			return 0;
		}
		c = *r->p++;
		v |= (uint64_t)(c & 0x7f) << sh;
		if (!(c & 0x80))
			return v;
	}
	r->bad = true;
	return 0;
}

static const char *get_bytes(struct rd *r, uint64_t n)
{
	const char *s = (const char *)r->p;

	if (r->bad || n > (uint64_t)(r->end - r->p)) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	return s;
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

/* ---- decoder ------------------------------------------------------------ */

static int emit_line(struct buf *out, const struct xform *x, const struct line *l, uint64_t sl,
		     uint64_t when, bool nl, const char **what)
{
	char num[96];   /* width <= 64, ": ", 20 digits */
	int n = 0, rc;
	size_t need;
	char *w;

	if (l->t && x->mode == M_PROC) {
		if (when > 0xffffffffu) {
			*what = "delta: timer out of range";
			return -EINVAL;
		}
		size_t d = fmt_u64(num + 70, sl), pad = d < x->width ? (size_t)x->width - d : 0;

		/* "%*llu: " without printf: the hot path of every row */
		memset(num, ' ', pad);
		memmove(num + pad, num + 70, d);
		num[pad + d] = ':';
		num[pad + d + 1] = ' ';
		n = (int)(pad + d + 2);
	}
	need = (size_t)n + l->alen + l->blen + 22;
	if (out->len + need > SNAPDELTA_SECTION_MAX) {
		*what = "delta: section larger than 256 MiB";
		return -EINVAL;
	}
	rc = buf_reserve(out, need);
	if (rc < 0)
		return rc;
	/* room made once: the pieces are copied, not appended one by one */
	w = out->data + out->len;
	memcpy(w, num, (size_t)n);
	w += n;
	if (l->alen)
		memcpy(w, l->a, l->alen);
	w += l->alen;
	if (l->t) {
		if (x->mode == M_PROC) {
			static const char hx[] = "0123456789ABCDEF";
			for (int k = 7; k >= 0; k--, when >>= 4)
				w[k] = hx[when & 15];
			w += 8;
		} else {
			w += fmt_u64(w, when);
		}
		if (l->blen)
			memcpy(w, l->b, l->blen);
		w += l->blen;
	}
	if (nl)
		*w++ = '\n';
	*w = '\0';
	out->len = (size_t)(w - out->data);
	return 0;
}

static int get_resid(struct rd *r, const struct xform *x, const struct line *pl,
		     uint64_t *last_sl, uint64_t tick, uint64_t *sl, uint64_t *when)
{
	uint64_t pred = 0;

	if (x->mode == M_PROC) {
		*sl = *last_sl + 1 + unzz(get_uv(r));
		*last_sl = *sl;
	}
	if (pl && pl->when)
		pred = pl->when - tick;
	*when = pred + unzz(get_uv(r));
	return r->bad ? -EINVAL : 0;
}

/* One piece of an edited line: base prefix + given middle + base suffix. */
static int get_piece(struct rd *r, const char *base, size_t bn, struct buf *sc, const char **s,
		     size_t *n)
{
	uint64_t pre = get_uv(r), suf = get_uv(r), mid = get_uv(r);
	const char *m;

	if (r->bad || pre > bn || suf > bn - pre || mid > SNAPDELTA_SECTION_MAX)
		return -EINVAL;
	m = get_bytes(r, mid);
	if (!m)
		return -EINVAL;
	buf_reset(sc);
	if (buf_reserve(sc, pre + mid + suf) < 0)
		return -ENOMEM;
	buf_append(sc, base, pre);
	buf_append(sc, m, mid);
	buf_append(sc, base + bn - suf, suf);
	*s = sc->data ? sc->data : "";
	*n = sc->len;
	return 0;
}

static int get_edit(struct rd *r, const struct line *pl, struct line *l, struct buf *ea,
		    struct buf *eb, const char **what)
{
	int rc;

	memset(l, 0, sizeof(*l));
	l->t = pl->t;
	rc = get_piece(r, pl->a, pl->alen, ea, &l->a, &l->alen);
	if (rc == 0 && l->t)
		rc = get_piece(r, pl->b, pl->blen, eb, &l->b, &l->blen);
	if (rc == -EINVAL)
		*what = "delta: bad edit";
	return rc;
}

int snapdelta_decode(const char *prev, size_t prevlen, const char *enc, size_t enclen,
		     struct buf *out, const char **what)
{
	return snapdelta_decode_split(prev, prevlen, NULL, enc, enclen, out, NULL, NULL, what);
}

int snapdelta_decode_prov(const char *prev, size_t prevlen, const char *enc, size_t enclen,
			  struct buf *out, struct snapdelta_prov *prov, const char **what)
{
	return snapdelta_decode_split(prev, prevlen, NULL, enc, enclen, out, NULL, prov, what);
}

/* Line `line` of the output copies base line pl (row number and countdown
 * aside): said in prov, when it is kept and has room under its bound. */
static int prov_copy(struct snapdelta_prov *prov, const struct xform *x, const struct line *pl,
		     size_t base, uint64_t sl, uint64_t when)
{
	struct snapdelta_src *v;
	bool same = !pl->t || (when == pl->when && (x->mode != M_PROC || sl == pl->sl));

	if (!prov->valid)
		return 0;
	if (prov->n >= SNAPDELTA_PROV_MAX) {
		prov->valid = false;   /* a hostile line count: no fast path */
		return 0;
	}
	v = grow(prov->v, &prov->cap, prov->n, sizeof *v, 1024);
	if (!v)
		return -ENOMEM;
	prov->v = v;
	v[prov->n].base = base + 1 > UINT32_MAX ? 0 : (uint32_t)(base + 1);
	v[prov->n].same = same;
	v[prov->n].when = pl->t ? when : 0;
	prov->n++;
	return 0;
}

/* A line that is no copy (a literal or an edit). Its bytes come from the
 * encoding: one with a LF in it would be two lines to a reader that splits
 * the text, and every source after it would name the wrong line, so a
 * (hostile) section like that has no sources. */
static int prov_new(struct snapdelta_prov *prov, const struct line *l)
{
	struct snapdelta_src *v;

	if (!prov->valid)
		return 0;
	if ((l->alen && memchr(l->a, '\n', l->alen)) || (l->blen && memchr(l->b, '\n', l->blen))) {
		prov->valid = false;
		return 0;
	}
	if (prov->n >= SNAPDELTA_PROV_MAX) {
		prov->valid = false;
		return 0;
	}
	v = grow(prov->v, &prov->cap, prov->n, sizeof *v, 1024);
	if (!v)
		return -ENOMEM;
	prov->v = v;
	memset(&v[prov->n++], 0, sizeof *v);
	return 0;
}

/* A split line kept with its text (struct snapdelta_split): its pieces by
 * offset, so the text may move (a buffer grown, a list swapped). */
struct sline {
	size_t a, b, alen, blen;
	uint64_t sl, when;
	bool t;
};

static void sline_of(const struct line *l, const char *text, struct sline *o)
{
	o->a = (size_t)(l->a - text);
	o->b = l->b ? (size_t)(l->b - text) : 0;
	o->alen = l->alen;
	o->blen = l->blen;
	o->sl = l->sl;
	o->when = l->when;
	o->t = l->t;
}

/* The line sd_split_line(hash false) gave for it. */
static void line_of(const struct sline *o, const char *text, struct line *l)
{
	l->a = text + o->a;
	l->b = o->t ? text + o->b : NULL;
	l->alen = o->alen;
	l->blen = o->blen;
	l->sl = o->sl;
	l->when = o->when;
	l->t = o->t;
	l->h = 0;
}

/* The base's lines: kept (prev_split, when it is prev's under this split)
 * or made now into *own (the caller frees). 0 or -ENOMEM. */
static int base_lines(const struct xform *x, const char *prev, size_t prevlen,
		      const struct snapdelta_split *ps, const struct sline **v, size_t *n,
		      struct sline **own)
{
	struct lines p;
	int rc;

	*own = NULL;
	if (ps && ps->valid && ps->len == prevlen && ps->mode == x->mode && ps->width == x->width &&
	    ps->col == x->col) {
		*v = ps->v;
		*n = ps->n;
		return 0;
	}
	if ((rc = split_text(x, prev, prevlen, &p, false)) < 0)
		return rc;
	*own = malloc((p.n ? p.n : 1) * sizeof **own);
	for (size_t i = 0; *own && i < p.n; i++)
		sline_of(&p.v[i], prev, &(*own)[i]);
	free(p.v);
	if (!*own)
		return -ENOMEM;
	*v = *own;
	*n = p.n;
	return 0;
}

/* One D section's decoding: what it reads, where its text and, when kept,
 * its lines and line sources go. */
struct dec {
	struct rd r;
	struct xform x;
	uint64_t tick, n, done, last_sl;
	bool final_nl;
	const char *prev;             /* the base: its text and lines */
	const struct sline *pv;
	size_t pn;
	struct buf *out;
	size_t out0;                  /* out's length at the call */
	struct snapdelta_split *os;   /* NULL: lines not kept */
	bool os_ok;                   /* os is what splitting the text would give */
	struct snapdelta_prov *prov;  /* NULL: not kept */
	struct buf ea, eb;            /* an edited line's pieces */
	const char **what;
};

/* The line just emitted (out from out0 + start, to the end, its LF aside)
 * into the kept lines. A copy of base line pl is pl with its numbers moved
 * (sd_split_line reads it the same way, as long as they print in at most
 * 19 digits); any other line is split. 0 or -ENOMEM. */
static int dec_keep(struct dec *d, size_t start, bool nl, const struct line *pl, uint64_t sl,
		    uint64_t when)
{
	const struct xform *x = &d->x;
	const char *text = d->out->data + d->out0;
	size_t end = d->out->len - d->out0 - (nl ? 1 : 0);
	struct sline *o;

	if (!d->os || !d->os_ok)
		return 0;
	o = grow(d->os->v, &d->os->cap, d->os->n, sizeof *o, 1024);
	if (!o)
		return -ENOMEM;
	d->os->v = o;
	o += d->os->n++;
	if (pl && !pl->t) {
		struct sline c = {.a = start, .alen = pl->alen, .sl = pl->sl};

		*o = c;   /* the same bytes: the same split */
	} else if (pl && when < 10000000000000000000ull &&
		   (x->mode != M_PROC || sl < 10000000000000000000ull)) {
		size_t wl = x->mode == M_PROC ? 8 : 1;

		for (uint64_t w = when; x->mode != M_PROC && w >= 10; w /= 10)
			wl++;
		o->t = true;
		o->b = end - pl->blen;
		o->blen = pl->blen;
		o->a = o->b - wl - pl->alen;
		o->alen = pl->alen;
		o->when = when;
		o->sl = x->mode == M_PROC ? sl : 0;
	} else {
		struct line l;

		/* an LF inside it (hostile) makes it two lines to a split */
		if (memchr(text + start, '\n', end - start)) {
			d->os_ok = false;
			return 0;
		}
		sd_split_line(x, text + start, end - start, &l, false);
		sline_of(&l, text, o);
	}
	return 0;
}

/* A run of copied or edited base lines pv[start..start+cnt). */
static int dec_copies(struct dec *d, uint64_t start, uint64_t cnt, int kind)
{
	int rc = 0;

	for (uint64_t k = 0; rc == 0 && k < cnt; k++) {
		struct line pl, l;
		uint64_t sl = 0, when = 0;
		size_t at = d->out->len - d->out0;
		bool nl;

		line_of(&d->pv[start + k], d->prev, &pl);
		d->done++;
		nl = d->done < d->n || d->final_nl;
		if (kind == RUN_EDIT && (rc = get_edit(&d->r, &pl, &l, &d->ea, &d->eb, d->what)) < 0)
			break;
		if (pl.t && get_resid(&d->r, &d->x, &pl, &d->last_sl, d->tick, &sl, &when) < 0) {
			*d->what = "delta: truncated";
			return -EINVAL;
		}
		rc = emit_line(d->out, &d->x, kind == RUN_EDIT ? &l : &pl, sl, when, nl, d->what);
		if (rc == 0)
			rc = dec_keep(d, at, nl, kind == RUN_COPY ? &pl : NULL, sl, when);
		if (rc == 0 && d->prov)
			rc = kind == RUN_COPY
				     ? prov_copy(d->prov, &d->x, &pl, (size_t)(start + k), sl, when)
				     : prov_new(d->prov, &l);
	}
	return rc;
}

/* A run of cnt literal lines. */
static int dec_literals(struct dec *d, uint64_t cnt)
{
	struct rd *r = &d->r;
	int rc = 0;

	for (uint64_t k = 0; rc == 0 && k < cnt; k++) {
		struct line l = {0};
		uint64_t t = get_uv(r), sl = 0, when = 0;
		size_t at = d->out->len - d->out0;
		bool nl;

		l.alen = (size_t)get_uv(r);
		l.a = get_bytes(r, l.alen);
		if (t == 1) {
			l.t = true;
			l.blen = (size_t)get_uv(r);
			l.b = get_bytes(r, l.blen);
			if (!r->bad)
				get_resid(r, &d->x, NULL, &d->last_sl, d->tick, &sl, &when);
		}
		if (r->bad || t > 1 || (t == 1 && d->x.mode == M_PLAIN)) {
			*d->what = "delta: bad literal line";
			return -EINVAL;
		}
		d->done++;
		nl = d->done < d->n || d->final_nl;
		rc = emit_line(d->out, &d->x, &l, sl, when, nl, d->what);
		if (rc == 0)
			rc = dec_keep(d, at, nl, NULL, sl, when);
		if (rc == 0 && d->prov)
			rc = prov_new(d->prov, &l);
	}
	return rc;
}

/* The runs of a D section, after its header. */
static int dec_runs(struct dec *d)
{
	uint64_t expect = 0;
	int rc = 0;

	while (rc == 0 && d->done < d->n) {
		uint64_t h = get_uv(&d->r), cnt = h >> 2;

		if (d->r.bad || cnt == 0 || cnt > d->n - d->done || (h & 3) == 3) {
			*d->what = "delta: bad run";
			return -EINVAL;
		}
		h &= 3;
		if (h == RUN_COPY || h == RUN_EDIT) {
			uint64_t start = h == RUN_COPY ? expect + unzz(get_uv(&d->r)) : expect;

			if (d->r.bad || start >= d->pn || cnt > d->pn - start) {
				*d->what = "delta: copy outside the base section";
				return -EINVAL;
			}
			rc = dec_copies(d, start, cnt, (int)h);
			expect = start + cnt;
			continue;
		}
		rc = dec_literals(d, cnt);
	}
	if (rc == 0 && d->r.p != d->r.end) {
		*d->what = "delta: trailing bytes";
		rc = -EINVAL;
	}
	return rc;
}

int snapdelta_decode_split(const char *prev, size_t prevlen,
			   const struct snapdelta_split *prev_split, const char *enc,
			   size_t enclen, struct buf *out, struct snapdelta_split *out_split,
			   struct snapdelta_prov *prov, const char **what)
{
	struct dec d = {
		.r = {(const unsigned char *)enc, (const unsigned char *)enc + enclen, false},
		.last_sl = UINT64_MAX, .prev = prev, .out = out, .out0 = out->len,
		.os = out_split, .os_ok = true, .prov = prov, .ea = BUF_INIT, .eb = BUF_INIT,
		.what = what,
	};
	struct sline *own = NULL;
	uint64_t final_nl;
	int rc = 0;

	*what = NULL;
	if (prov) {
		prov->n = 0;
		prov->valid = false;   /* a keyframe says nothing of the base */
	}
	if (out_split) {
		out_split->n = 0;
		out_split->valid = false;   /* nor does it keep lines */
	}
	if (enclen == 0) {
		*what = "empty section encoding";
		return -EINVAL;
	}
	if (enc[0] == SNAPDELTA_KEY) {
		if (enclen - 1 > SNAPDELTA_SECTION_MAX) {
			*what = "section larger than 256 MiB";
			return -EINVAL;
		}
		return buf_append(out, enc + 1, enclen - 1);
	}
	if (enc[0] != SNAPDELTA_DELTA) {
		*what = "unknown section encoding";
		return -EINVAL;
	}
	d.r.p++;
	d.x.mode = (unsigned)get_uv(&d.r);
	if (d.x.mode == M_PROC)
		d.x.width = get_uv(&d.r);
	else if (d.x.mode == M_TSV)
		d.x.col = get_uv(&d.r);
	else if (d.x.mode != M_PLAIN)
		d.r.bad = true;
	d.tick = unzz(get_uv(&d.r));
	d.n = get_uv(&d.r);
	final_nl = get_uv(&d.r);
	d.final_nl = final_nl == 1;
	if (d.r.bad || d.x.width > 64 || d.x.col > 4096 || final_nl > 1 ||
	    (d.n == 0 && !final_nl) || d.n > SNAPDELTA_SECTION_MAX) {
		*what = "delta: bad header";
		return -EINVAL;
	}
	if ((rc = base_lines(&d.x, prev, prevlen, prev_split, &d.pv, &d.pn, &own)) < 0)
		return rc;
	if (prov) {
		prov->valid = true;
		prov->mode = d.x.mode;
		prov->col = d.x.col;
	}
	rc = dec_runs(&d);
	if (rc < 0 && prov)
		prov->valid = false;
	if (rc == 0 && out_split && d.os_ok) {
		/* a last line that is empty and has no LF is no line to a split */
		out_split->valid = d.final_nl || (out->len > d.out0 && out->data[out->len - 1] != '\n');
		out_split->mode = d.x.mode;
		out_split->width = d.x.width;
		out_split->col = d.x.col;
		out_split->len = out->len - d.out0;
	}
	free(own);
	buf_fini(&d.ea);
	buf_fini(&d.eb);
	return rc;
}

void snapdelta_split_fini(struct snapdelta_split *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

void snapdelta_prov_fini(struct snapdelta_prov *prov)
{
	free(prov->v);
	memset(prov, 0, sizeof *prov);
}

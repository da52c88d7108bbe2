/* snapdelta_dec — decoding a section's keyframe or delta (docs/FORMAT.md
 * §7.2), with the decoded text's lines kept for the next delta and the
 * lines' sources for the import's fast path. */
#include "snapdelta.h"
#include "grow.h"
#include "snapdelta_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
		     size_t base, uint64_t sl, uint64_t when, size_t len)
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
	v[prov->n].len = (uint32_t)len & 0x7fffffffu;   /* < SNAPDELTA_SECTION_MAX */
	v[prov->n].when = pl->t ? when : 0;
	prov->n++;
	return 0;
}

/* A line that is no copy (a literal or an edit). Its bytes come from the
 * encoding: one with a LF in it would be two lines to a reader that splits
 * the text, and every source after it would name the wrong line, so a
 * (hostile) section like that has no sources. */
static int prov_new(struct snapdelta_prov *prov, const struct line *l, size_t len)
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
	memset(&v[prov->n], 0, sizeof *v);
	v[prov->n++].len = (uint32_t)len & 0x7fffffffu;
	return 0;
}

/* A split line kept with its text (struct snapdelta_split): its pieces by
 * offset, so the text may move (a buffer grown, a list swapped). 32 bytes
 * (a section is at most 256 MiB): the b piece starts wl bytes (the moving
 * number's) after the a piece ends. */
struct sline {
	uint32_t a, alen, blen;
	uint8_t t, wl;
	uint64_t sl, when;
};

static void sline_of(const struct line *l, const char *text, struct sline *o)
{
	o->a = (uint32_t)(l->a - text);
	o->alen = (uint32_t)l->alen;
	o->blen = (uint32_t)l->blen;
	o->t = l->t;
	o->wl = l->t ? (uint8_t)(l->b - (l->a + l->alen)) : 0;
	o->sl = l->sl;
	o->when = l->when;
}

/* The line sd_split_line(hash false) gave for it. */
static void line_of(const struct sline *o, const char *text, struct line *l)
{
	l->a = text + o->a;
	l->b = o->t ? text + o->a + o->alen + o->wl : NULL;
	l->alen = o->alen;
	l->blen = o->blen;
	l->sl = o->sl;
	l->when = o->when;
	l->t = o->t;
	l->h = 0;
}

/* Text s[0..n) split under x into *v (grown as needed, *cap its room):
 * *cnt lines, as splitting at each LF gives them (a last line without LF
 * too). 0, -ENOMEM, or -E2BIG past SNAPDELTA_SECTION_MAX. */
static int split_slines(const struct xform *x, const char *s, size_t n, struct sline **v,
			size_t *cap, size_t *cnt)
{
	const char *p = s, *end = s + n;
	size_t k = 0, want = 1;

	if (n > SNAPDELTA_SECTION_MAX)
		return -E2BIG;
	/* counted by memchr first: one allocation */
	for (const char *q = s; n && (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
		want++;
	if (want > *cap) {
		struct sline *nv = realloc(*v, want * sizeof *nv);

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = want;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct line l;

		sd_split_line(x, p, len, &l, false);
		sline_of(&l, s, &(*v)[k++]);
		p += len + (nl ? 1 : 0);
	}
	*cnt = k;
	return 0;
}

/* The base's lines: kept in ps when it is prev's under this split, else
 * made now, into ps (its array reused: the base keeps them for whatever
 * else decodes against it) or, without ps, into *own (the caller frees).
 * 0 or -ENOMEM. */
static int base_lines(const struct xform *x, const char *prev, size_t prevlen,
		      struct snapdelta_split *ps, const struct sline **v, size_t *n,
		      struct sline **own)
{
	struct sline *sv;
	size_t cap = 0;
	int rc;

	*own = NULL;
	if (ps && ps->valid && ps->len == prevlen && ps->mode == x->mode && ps->width == x->width &&
	    ps->col == x->col) {
		*v = ps->v;
		*n = ps->n;
		return 0;
	}
	if (ps) {
		ps->valid = false;
		sv = ps->v;
		rc = split_slines(x, prev, prevlen, &sv, &ps->cap, &ps->n);
		ps->v = sv;
		if (rc == 0) {
			ps->valid = true;
			ps->mode = x->mode;
			ps->width = x->width;
			ps->col = x->col;
			ps->len = prevlen;
			*v = sv;
			*n = ps->n;
			return 0;
		}
		ps->n = 0;
		return rc == -E2BIG ? -ENOMEM : rc;
	}
	sv = NULL;
	if ((rc = split_slines(x, prev, prevlen, &sv, &cap, n)) < 0) {
		free(sv);
		return rc == -E2BIG ? -ENOMEM : rc;
	}
	*v = *own = sv;
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
		struct sline c = {.a = (uint32_t)start, .alen = (uint32_t)pl->alen, .sl = pl->sl};

		*o = c;   /* the same bytes: the same split */
	} else if (pl && when < 10000000000000000000ull &&
		   (x->mode != M_PROC || sl < 10000000000000000000ull)) {
		size_t wl = x->mode == M_PROC ? 8 : 1;

		for (uint64_t w = when; x->mode != M_PROC && w >= 10; w /= 10)
			wl++;
		o->t = true;
		o->wl = (uint8_t)wl;
		o->blen = (uint32_t)pl->blen;
		o->alen = (uint32_t)pl->alen;
		o->a = (uint32_t)(end - pl->blen - wl - pl->alen);
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
		if (rc == 0 && d->prov) {
			size_t len = d->out->len - d->out0 - at - (nl ? 1 : 0);

			rc = kind == RUN_COPY ? prov_copy(d->prov, &d->x, &pl, (size_t)(start + k), sl,
							  when, len)
					      : prov_new(d->prov, &l, len);
		}
	}
	return rc;
}

/* A run of cnt copied base lines pv[start..) of a section without row
 * numbers (M_PLAIN, M_TSV): what dec_copies does for them, with room made
 * once for the run's text, kept lines and sources, each line written from
 * its base's pieces, and its countdown's digits counted as they are
 * written. Most of a delta is such runs. A line the general path must see
 * (a countdown of 20 digits, which splits otherwise) goes there. */
static int dec_copy_run(struct dec *d, uint64_t start, uint64_t cnt)
{
	const struct sline *pv = d->pv + start;
	struct buf *out = d->out;
	struct snapdelta_prov *prov = d->prov && d->prov->valid ? d->prov : NULL;
	bool keep = d->os && d->os_ok;
	size_t need = 1;

	for (uint64_t k = 0; k < cnt; k++)
		need += (size_t)pv[k].alen + pv[k].blen + 21;
	if (out->len + need > SNAPDELTA_SECTION_MAX)
		return dec_copies(d, start, cnt, RUN_COPY);   /* which says so */
	if (prov && prov->n + cnt > SNAPDELTA_PROV_MAX) {
		prov->valid = false;   /* a hostile line count: no fast path */
		prov = NULL;
	}
	if (buf_reserve(out, need) < 0)
		return -ENOMEM;
	if (keep) {
		struct sline *v = grow_to(d->os->v, &d->os->cap, d->os->n + cnt, sizeof *v, 1024);

		if (!v)
			return -ENOMEM;
		d->os->v = v;
	}
	if (prov) {
		struct snapdelta_src *v = grow_to(prov->v, &prov->cap, prov->n + cnt, sizeof *v, 1024);

		if (!v)
			return -ENOMEM;
		prov->v = v;
	}
	for (uint64_t k = 0; k < cnt; k++) {
		const struct sline *b = &pv[k];
		const char *a = d->prev + b->a;
		size_t at = out->len - d->out0;
		uint64_t when = 0;
		char *w = out->data + out->len;
		size_t wl = 0;
		bool nl;

		if (b->t) {
			const unsigned char *resid = d->r.p;

			when = (b->when ? b->when - d->tick : 0) + unzz(get_uv(&d->r));
			if (d->r.bad) {
				*d->what = "delta: truncated";
				return -EINVAL;
			}
			if (when >= 10000000000000000000ull) {
				/* the general path from this line on, which reads
				 * its residual again */
				d->r.p = resid;
				return dec_copies(d, start + k, cnt - k, RUN_COPY);
			}
		}
		d->done++;
		nl = d->done < d->n || d->final_nl;
		memcpy(w, a, b->alen);
		w += b->alen;
		if (b->t) {
			wl = fmt_u64(w, when);
			w += wl;
			memcpy(w, a + b->alen + b->wl, b->blen);
			w += b->blen;
		}
		if (keep) {
			struct sline *o = (struct sline *)d->os->v + d->os->n++;

			/* as dec_keep makes them */
			*o = (struct sline){.a = (uint32_t)at, .alen = b->alen,
					    .blen = b->t ? b->blen : 0, .t = b->t, .wl = (uint8_t)wl,
					    .sl = b->t ? 0 : b->sl, .when = when};
		}
		if (prov) {
			struct snapdelta_src *o = &prov->v[prov->n++];

			o->base = start + k + 1 > UINT32_MAX ? 0 : (uint32_t)(start + k + 1);
			o->same = !b->t || when == b->when;
			o->len = (uint32_t)((size_t)(w - out->data) - d->out0 - at) & 0x7fffffffu;
			o->when = when;
		}
		if (nl)
			*w++ = '\n';
		*w = '\0';
		out->len = (size_t)(w - out->data);
	}
	return 0;
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
			rc = prov_new(d->prov, &l, d->out->len - d->out0 - at - (nl ? 1 : 0));
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
			rc = h == RUN_COPY && d->x.mode != M_PROC ? dec_copy_run(d, start, cnt)
								  : dec_copies(d, start, cnt, (int)h);
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
			   struct snapdelta_split *prev_split, const char *enc,
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

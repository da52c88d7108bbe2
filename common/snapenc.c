/* snapenc — format 2's streaming section encoder: the delta of a section is
 * made line by line as its text arrives, against a compact base, while the
 * compact base of the next snapshot is built. Same bytes as snapdelta_encode. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "grow.h"
#include "snapdelta.h"
#include "snapdelta_int.h"

/* The base text is kept zstd-compressed in chunks of about this many bytes
 * (whole lines), so that an edit reads one chunk, not the section. */
#define CHUNK_RAW (64 * 1024)
/* Fast and still ~7x on /proc rows: the base is rebuilt every snapshot. */
#define CHUNK_LEVEL 1

/* One base line: its digest (bit 0: split) and countdown (0 if none). */
struct bline {
	uint64_t h;
	uint64_t when;
};

struct bchunk {
	size_t first;     /* its first line */
	size_t off, zlen; /* in the base's z */
	size_t rawlen;
};

struct snapdelta_base {
	struct xform x;
	struct bline *v;
	size_t n, cap;
	uint32_t *tab;    /* open addressing: 1 + first line of each digest */
	size_t tsz;
	struct bchunk *ch;
	size_t nch, chcap;
	struct buf z;     /* the compressed chunks, back to back */
};

struct pline {
	size_t off, len;
	int64_t m;
};

struct snapdelta_enc {
	ZSTD_CCtx *cc;
	ZSTD_DCtx *dc;
	uint64_t seed;
	/* the open section */
	const char *name;
	bool delta;                        /* a D encoding is made */
	const struct snapdelta_base *base; /* matched against (NULL: none) */
	struct snapdelta_base *next;       /* being built (NULL: not kept) */
	bool xknown;
	struct xform x;
	struct buf carry;   /* the partial last line (all text until x is known) */
	struct buf raw;     /* next base: the open chunk's lines */
	size_t raw_first;   /* the open chunk's first line */
	uint64_t nlines;
	size_t mexpect;     /* matching: the line after the last match */
	bool tknown;
	uint64_t tick;
	uint64_t samples[SD_TICK_SAMPLES];
	size_t nsamples;
	struct buf pend;    /* lines held until the tick is known */
	struct pline *pl;
	size_t npl, plcap;
	int run;            /* RUN_* or -1 */
	size_t rcount, expect;
	int64_t rstart, rlast;
	uint64_t last_sl;
	struct buf rbody;   /* the open run's content */
	struct buf body;    /* the closed runs */
	struct buf head;
	/* one decompressed base chunk and its line starts */
	size_t cch;
	struct buf cache;
	size_t *coff;
	size_t ncoff, coffcap;
};

void snapdelta_base_free(struct snapdelta_base *b)
{
	if (!b)
		return;
	free(b->v);
	free(b->tab);
	free(b->ch);
	buf_fini(&b->z);
	free(b);
}

size_t snapdelta_base_bytes(const struct snapdelta_base *b)
{
	return b ? b->cap * sizeof(*b->v) + b->tsz * sizeof(*b->tab) +
			   b->chcap * sizeof(*b->ch) + b->z.cap
		 : 0;
}

struct snapdelta_enc *snapdelta_enc_new(uint64_t seed)
{
	struct snapdelta_enc *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->cc = ZSTD_createCCtx();
	e->dc = ZSTD_createDCtx();
	if (!e->cc || !e->dc) {
		snapdelta_enc_free(e);
		return NULL;
	}
	e->seed = seed;
	return e;
}

void snapdelta_enc_free(struct snapdelta_enc *e)
{
	if (!e)
		return;
	ZSTD_freeCCtx(e->cc);
	ZSTD_freeDCtx(e->dc);
	snapdelta_base_free(e->next);
	buf_fini(&e->carry);
	buf_fini(&e->raw);
	buf_fini(&e->pend);
	free(e->pl);
	buf_fini(&e->rbody);
	buf_fini(&e->body);
	buf_fini(&e->head);
	buf_fini(&e->cache);
	free(e->coff);
	free(e);
}

/* ---- digests -------------------------------------------------------------- */

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

static uint64_t hash_bytes(uint64_t h, const char *p, size_t n)
{
	uint64_t v;

	h ^= mix(n + 0x9e3779b97f4a7c15ull);
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&v, p, 8);
		h = (h ^ v) * 0x9fb21c651e98df25ull;
		h ^= h >> 29;
	}
	v = 0;
	if (n)
		memcpy(&v, p, n);
	return mix(h ^ v);
}

/* Equal lines (split the same way, same stable pieces) have equal digests;
 * unequal ones collide with odds ~2^-63 a pair. A collision would make a
 * copy of the wrong row, which the snapshot's decoded checksum then rejects
 * on read: the snapshot is reported bad, never returned different. */
static uint64_t line_digest(uint64_t seed, const struct line *l)
{
	uint64_t h = hash_bytes(seed ^ (l->t ? 0x5bd1e995u : 0), l->a, l->alen);

	if (l->t)
		h = hash_bytes(h, l->b, l->blen);
	return (h & ~(uint64_t)1) | (l->t ? 1u : 0u);
}

static size_t slot(uint64_t h, size_t tsz)
{
	return (size_t)((h ^ (h >> 31)) >> 1) & (tsz - 1);
}

/* ---- the base ------------------------------------------------------------- */

static int base_flush_chunk(struct snapdelta_enc *e)
{
	struct snapdelta_base *b = e->next;
	struct bchunk *nc;
	size_t bound, z;
	int rc;

	if (!e->raw.len)
		return 0;
	nc = grow(b->ch, &b->chcap, b->nch, sizeof(*nc), 16);
	if (!nc)
		return -ENOMEM;
	b->ch = nc;
	bound = ZSTD_compressBound(e->raw.len);
	rc = buf_reserve(&b->z, bound);
	if (rc < 0)
		return rc;
	z = ZSTD_compressCCtx(e->cc, b->z.data + b->z.len, bound, e->raw.data, e->raw.len,
			      CHUNK_LEVEL);
	if (ZSTD_isError(z))
		return -ENOMEM;
	nc = &b->ch[b->nch];
	nc->off = b->z.len;
	nc->zlen = z;
	nc->rawlen = e->raw.len;
	nc->first = e->raw_first;
	b->z.len += z;
	b->nch++;
	buf_reset(&e->raw);
	return 0;
}

static int base_add(struct snapdelta_enc *e, const char *s, size_t n, const struct line *l,
		    uint64_t h)
{
	struct snapdelta_base *b = e->next;
	struct bline *nv = grow(b->v, &b->cap, b->n, sizeof(*nv), 1024);
	int rc;

	if (!nv)
		return -ENOMEM;
	b->v = nv;
	b->v[b->n].h = h;
	b->v[b->n].when = l->t ? l->when : 0;
	if (!e->raw.len)
		e->raw_first = b->n;
	b->n++;
	rc = buf_append(&e->raw, s, n);
	rc = rc < 0 ? rc : buf_putc(&e->raw, '\n');
	if (rc == 0 && e->raw.len >= CHUNK_RAW)
		rc = base_flush_chunk(e);
	return rc;
}

/* Closes the base being built: its last chunk and its digest table. */
static int base_close(struct snapdelta_enc *e)
{
	struct snapdelta_base *b = e->next;
	int rc = base_flush_chunk(e);

	if (rc < 0)
		return rc;
	/* Held for a whole interval: no doubling slack (a third of it). */
	if (b->n && b->n < b->cap) {
		struct bline *nv = realloc(b->v, b->n * sizeof(*nv));
		if (nv) {
			b->v = nv;
			b->cap = b->n;
		}
	}
	if (b->z.len && b->z.len + 1 < b->z.cap) {
		char *nz = realloc(b->z.data, b->z.len + 1);
		if (nz) {
			b->z.data = nz;
			b->z.cap = b->z.len + 1;
		}
	}
	b->x = e->x;
	b->tsz = 1;
	while (b->tsz < 2 * b->n + 2)
		b->tsz <<= 1;
	b->tab = calloc(b->tsz, sizeof(*b->tab));
	if (!b->tab)
		return -ENOMEM;
	for (size_t i = 0; i < b->n; i++) {
		size_t k = slot(b->v[i].h, b->tsz);
		while (b->tab[k] && b->v[b->tab[k] - 1].h != b->v[i].h)
			k = (k + 1) & (b->tsz - 1);
		if (!b->tab[k])
			b->tab[k] = (uint32_t)(i + 1);
	}
	return 0;
}

static int64_t base_find(const struct snapdelta_base *b, uint64_t h)
{
	size_t k = slot(h, b->tsz);

	while (b->tab[k] && b->v[b->tab[k] - 1].h != h)
		k = (k + 1) & (b->tsz - 1);
	return b->tab[k] ? (int64_t)b->tab[k] - 1 : -1;
}

/* Base line i, split: its pieces point into the chunk cache, valid until
 * the next call. */
static int base_line(struct snapdelta_enc *e, size_t i, struct line *l)
{
	const struct snapdelta_base *b = e->base;
	size_t lo = 0, hi = b->nch, k;
	const char *s, *nl;
	int rc;

	while (hi - lo > 1) {   /* the last chunk whose first line <= i */
		size_t mid = lo + (hi - lo) / 2;
		if (b->ch[mid].first <= i)
			lo = mid;
		else
			hi = mid;
	}
	if (e->cch != lo + 1) {
		const struct bchunk *c = &b->ch[lo];
		size_t got;

		e->cch = 0;
		buf_reset(&e->cache);
		rc = buf_reserve(&e->cache, c->rawlen);
		if (rc < 0)
			return rc;
		got = ZSTD_decompressDCtx(e->dc, e->cache.data, c->rawlen, b->z.data + c->off,
					  c->zlen);
		if (ZSTD_isError(got) || got != c->rawlen)
			return -EIO;
		e->cache.len = got;
		e->ncoff = 0;
		for (size_t off = 0; off < got;) {
			const char *eol = memchr(e->cache.data + off, '\n', got - off);
			size_t *nv = grow(e->coff, &e->coffcap, e->ncoff, sizeof(*nv), 512);
			if (!nv)
				return -ENOMEM;
			e->coff = nv;
			e->coff[e->ncoff++] = off;
			if (!eol)
				return -EIO;
			off = (size_t)(eol - e->cache.data) + 1;
		}
		e->cch = lo + 1;
	}
	k = i - b->ch[lo].first;
	if (k >= e->ncoff)
		return -EIO;
	s = e->cache.data + e->coff[k];
	nl = memchr(s, '\n', e->cache.len - e->coff[k]);   /* every line ends with one */
	if (!nl)
		return -EIO;
	sd_split_line(&b->x, s, (size_t)(nl - s), l, false);
	return 0;
}

/* ---- runs ------------------------------------------------------------------
 * The same choices as snapdelta_encode, made one line at a time: a copy run
 * goes on while matches are consecutive, an edit run while lines match
 * nothing and resemble the base rows at the same place, a literal run while
 * they match nothing and do not. */

static int close_run(struct snapdelta_enc *e)
{
	int rc;

	if (e->run < 0)
		return 0;
	rc = sd_put_uv(&e->body, (uint64_t)e->rcount << 2 | (unsigned)e->run);
	if (rc == 0 && e->run == RUN_COPY) {
		rc = sd_put_uv(&e->body, sd_zz((uint64_t)e->rstart - e->expect));
		e->expect = (size_t)e->rlast + 1;
	} else if (e->run == RUN_EDIT) {
		e->expect += e->rcount;
	}
	rc = rc < 0 ? rc : buf_append(&e->body, e->rbody.data, e->rbody.len);
	buf_reset(&e->rbody);
	e->run = -1;
	e->rcount = 0;
	return rc;
}

/* Whether base line i is worth an edit into l (0 no, 1 yes, or -errno). */
static int similar_at(struct snapdelta_enc *e, size_t i, const struct line *l)
{
	struct line pl;
	int rc;

	if (!e->base || i >= e->base->n)
		return 0;
	rc = base_line(e, i, &pl);
	return rc < 0 ? rc : sd_similar(&pl, l);
}

static int run_line(struct snapdelta_enc *e, const struct line *l, int64_t m)
{
	bool cont = false;
	int rc = 0;

	if (e->run == RUN_COPY) {
		cont = m >= 0 && m == e->rlast + 1;
	} else if (e->run == RUN_EDIT && m < 0) {
		rc = similar_at(e, e->expect + e->rcount, l);
		cont = rc > 0;
	} else if (e->run == RUN_LITERAL && m < 0) {
		rc = similar_at(e, e->expect, l);
		cont = rc == 0;
	}
	if (rc < 0)
		return rc;
	if (!cont) {
		rc = close_run(e);
		if (rc < 0)
			return rc;
		if (m >= 0) {
			e->run = RUN_COPY;
			e->rstart = m;
		} else {
			rc = similar_at(e, e->expect, l);
			if (rc < 0)
				return rc;
			e->run = rc ? RUN_EDIT : RUN_LITERAL;
		}
	}
	e->rcount++;
	if (e->run == RUN_COPY) {
		struct line pl = {0};

		e->rlast = m;
		pl.when = e->base->v[m].when;
		return l->t ? sd_put_resid(&e->rbody, &e->x, l, &pl, &e->last_sl, e->tick) : 0;
	}
	if (e->run == RUN_EDIT) {
		struct line pl;

		rc = base_line(e, e->expect + e->rcount - 1, &pl);
		rc = rc < 0 ? rc : sd_put_edit(&e->rbody, pl.a, pl.alen, l->a, l->alen);
		if (rc == 0 && l->t)
			rc = sd_put_edit(&e->rbody, pl.b, pl.blen, l->b, l->blen);
		if (rc == 0 && l->t)
			rc = sd_put_resid(&e->rbody, &e->x, l, &pl, &e->last_sl, e->tick);
		return rc;
	}
	rc = sd_put_uv(&e->rbody, l->t);
	rc = rc < 0 ? rc : sd_put_uv(&e->rbody, l->alen);
	rc = rc < 0 ? rc : buf_append(&e->rbody, l->a, l->alen);
	if (rc == 0 && l->t) {
		rc = sd_put_uv(&e->rbody, l->blen);
		rc = rc < 0 ? rc : buf_append(&e->rbody, l->b, l->blen);
		rc = rc < 0 ? rc : sd_put_resid(&e->rbody, &e->x, l, NULL, &e->last_sl, e->tick);
	}
	return rc;
}

/* The tick is known: the lines held for it go through the runs. */
static int set_tick(struct snapdelta_enc *e)
{
	int rc = 0;

	e->tick = sd_tick_of(e->samples, e->nsamples);
	e->tknown = true;
	for (size_t i = 0; rc == 0 && i < e->npl; i++) {
		struct line l;

		sd_split_line(&e->x, e->pend.data + e->pl[i].off, e->pl[i].len, &l, false);
		rc = run_line(e, &l, e->pl[i].m);
	}
	e->npl = 0;
	buf_reset(&e->pend);
	return rc;
}

/* One line of the section (without its LF). */
static int on_line(struct snapdelta_enc *e, const char *s, size_t n)
{
	struct line l;
	uint64_t h;
	int64_t m = -1;
	int rc = 0;

	sd_split_line(&e->x, s, n, &l, false);
	h = line_digest(e->seed, &l);
	e->nlines++;
	if (e->next && (rc = base_add(e, s, n, &l, h)) < 0)
		return rc;
	if (!e->delta)
		return 0;
	if (e->base) {
		/* the next line of the base first (runs of unchanged rows), else
		 * any equal line */
		if (e->mexpect < e->base->n && e->base->v[e->mexpect].h == h)
			m = (int64_t)e->mexpect;
		else
			m = base_find(e->base, h);
		if (m >= 0)
			e->mexpect = (size_t)m + 1;
	}
	if (e->tknown)
		return run_line(e, &l, m);
	if (m >= 0 && l.t && e->base->v[m].when != 0 && l.when != 0)
		e->samples[e->nsamples++] = e->base->v[m].when - l.when;
	{
		struct pline *np = grow(e->pl, &e->plcap, e->npl, sizeof(*np), 256);
		if (!np)
			return -ENOMEM;
		e->pl = np;
	}
	e->pl[e->npl].off = e->pend.len;
	e->pl[e->npl].len = n;
	e->pl[e->npl++].m = m;
	rc = buf_append(&e->pend, s, n);
	if (rc == 0 && e->nsamples == SD_TICK_SAMPLES)
		rc = set_tick(e);
	return rc;
}

/* Complete lines of p[0..n) go through on_line; the rest is carried. */
static int feed_lines(struct snapdelta_enc *e, const char *p, size_t n)
{
	const char *end = p + n;
	int rc = 0;

	if (e->carry.len) {
		const char *nl = memchr(p, '\n', n);
		if (!nl)
			return buf_append(&e->carry, p, n);
		rc = buf_append(&e->carry, p, (size_t)(nl - p));
		rc = rc < 0 ? rc : on_line(e, e->carry.data, e->carry.len);
		buf_reset(&e->carry);
		p = nl + 1;
	}
	while (rc == 0 && p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return buf_append(&e->carry, p, (size_t)(end - p));
		rc = on_line(e, p, (size_t)(nl - p));
		p = nl + 1;
	}
	return rc;
}

/* Whether the text so far decides the split as the whole would
 * (sd_pick_xform looks at the first line, and /proc's at 24 bytes more). */
static bool xform_decided(const char *name, const char *s, size_t n)
{
	const char *nl = memchr(s, '\n', n);

	if (!strncmp(name, "proc/net/", 9))
		return nl && (size_t)(s + n - nl) > 24;
	if (!strcmp(name, "sockets"))
		return nl != NULL;
	return true;
}

static int know_xform(struct snapdelta_enc *e)
{
	struct buf t = e->carry;
	int rc;

	sd_pick_xform(e->name, t.data ? t.data : "", t.len, &e->x);
	e->xknown = true;
	if (e->base && (e->base->x.mode != e->x.mode || e->base->x.width != e->x.width ||
			e->base->x.col != e->x.col))
		e->base = NULL;   /* split otherwise: a delta of literals */
	if (e->x.mode == M_PLAIN || !e->base)
		e->tknown = true;   /* no countdowns to sample: tick 0 */
	/* the text so far goes through as fed */
	memset(&e->carry, 0, sizeof(e->carry));
	rc = feed_lines(e, t.data ? t.data : "", t.len);
	buf_fini(&t);
	return rc;
}

int snapdelta_enc_begin(struct snapdelta_enc *e, const char *name,
			const struct snapdelta_base *base, bool delta, bool keep)
{
	snapdelta_base_free(e->next);
	e->next = NULL;
	if (keep) {
		e->next = calloc(1, sizeof(*e->next));
		if (!e->next)
			return -ENOMEM;
	}
	e->name = name;
	e->delta = delta;
	e->base = delta ? base : NULL;
	e->xknown = false;
	buf_reset(&e->carry);
	buf_reset(&e->raw);
	e->nlines = 0;
	e->mexpect = 0;
	e->tknown = false;
	e->tick = 0;
	e->nsamples = 0;
	buf_reset(&e->pend);
	e->npl = 0;
	e->run = -1;
	e->rcount = 0;
	e->expect = 0;
	e->last_sl = UINT64_MAX;
	buf_reset(&e->rbody);
	buf_reset(&e->body);
	buf_reset(&e->head);
	e->cch = 0;
	return 0;
}

int snapdelta_enc_feed(struct snapdelta_enc *e, const void *p, size_t n)
{
	int rc;

	if (e->xknown)
		return feed_lines(e, p, n);
	rc = buf_append(&e->carry, p, n);
	if (rc == 0 && xform_decided(e->name, e->carry.data, e->carry.len))
		rc = know_xform(e);
	return rc;
}

int snapdelta_enc_end(struct snapdelta_enc *e, const struct buf **head, const struct buf **body,
		      struct snapdelta_base **next)
{
	bool final_nl;
	int rc = 0;

	if (!e->xknown)
		rc = know_xform(e);
	/* text that does not end with LF ends with a line of its own */
	final_nl = e->carry.len == 0;
	if (rc == 0 && !final_nl)
		rc = on_line(e, e->carry.data, e->carry.len);
	buf_reset(&e->carry);
	if (rc == 0 && e->delta && !e->tknown)
		rc = set_tick(e);
	if (rc == 0 && e->delta)
		rc = close_run(e);
	if (rc == 0 && e->delta) {
		rc = buf_putc(&e->head, SNAPDELTA_DELTA);
		rc = rc < 0 ? rc : sd_put_uv(&e->head, e->x.mode);
		if (rc == 0 && e->x.mode == M_PROC)
			rc = sd_put_uv(&e->head, e->x.width);
		if (rc == 0 && e->x.mode == M_TSV)
			rc = sd_put_uv(&e->head, e->x.col);
		rc = rc < 0 ? rc : sd_put_uv(&e->head, sd_zz(e->tick));
		rc = rc < 0 ? rc : sd_put_uv(&e->head, e->nlines);
		rc = rc < 0 ? rc : sd_put_uv(&e->head, final_nl ? 1 : 0);
	}
	if (rc == 0 && e->next)
		rc = base_close(e);
	e->base = NULL;
	if (rc < 0)
		return rc;
	*head = &e->head;
	*body = &e->body;
	*next = e->next;
	e->next = NULL;
	return 0;
}

/* rowreuse — finding a snapshot's rows that repeat the previous snapshot's
 * (parsing side) and standing for them with the previous prepared rows
 * (storing side): the fast path of segment import (docs/SCHEMA.md, "Import"). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "rowreuse.h"

#define COL_EXPIRES ROWREUSE_COL_EXPIRES
#define WINDOW 8            /* rows looked at past the expected one */
#define INDEX_AFTER 16      /* misses in a snapshot before the index is built */

void rowreuse_lines_init(struct rowreuse_lines *l)
{
	memset(l, 0, sizeof *l);
	buf_init(&l->text[0]);
	buf_init(&l->text[1]);
}

void rowreuse_lines_fini(struct rowreuse_lines *l)
{
	for (int i = 0; i < 2; i++) {
		buf_fini(&l->text[i]);
		free(l->off[i]);
		free(l->lrow[i]);
	}
	free(l->idx);
}

/* The offset of the tab that starts column col (col >= 1), or len. Fields
 * are short: a plain loop beats a memchr per field. */
static size_t tab_before(const char *s, size_t len, unsigned col)
{
	unsigned c = 0;

	for (size_t i = 0; i < len; i++)
		if (s[i] == '\t' && ++c == col)
			return i;
	return len;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n;

	while (n >= 8) {
		uint64_t w;

		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	while (n--)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

/* Canonical decimal 0..UINT32_MAX (what the writer prints): no sign, no
 * leading zero. */
static bool canon_u32(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0 || n > 10 || (n > 1 && s[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = v;
	return true;
}

static const char *prev_line(const struct rowreuse_lines *l, size_t k, size_t *len)
{
	unsigned p = l->cur ^ 1u;

	*len = l->off[p][k + 1] - l->off[p][k];
	return l->text[p].data + l->off[p][k];
}

/* Does line (whose column 12 starts after the tab at t12) repeat prev row
 * k but for expires_ms? */
static bool same_but_expires(const struct rowreuse_lines *l, size_t k, const char *line,
			     size_t len, size_t t12, uint64_t *expires)
{
	size_t plen, c13, p13;
	const char *pl = prev_line(l, k, &plen);

	if (t12 >= len || plen <= t12 || memcmp(pl, line, t12 + 1) != 0)
		return false;
	c13 = t12 + 1 + tab_before(line + t12 + 1, len - t12 - 1, 1);
	p13 = t12 + 1 + tab_before(pl + t12 + 1, plen - t12 - 1, 1);
	if (c13 >= len || p13 >= plen || len - c13 != plen - p13 ||
	    memcmp(line + c13, pl + p13, len - c13) != 0)
		return false;
	return canon_u32(line + t12 + 1, c13 - t12 - 1, expires);
}

static int index_build(struct rowreuse_lines *l)
{
	size_t np = l->n[l->cur ^ 1u], want = 64;

	while (want < 2 * np + 2)
		want *= 2;
	free(l->idx);
	l->idx = calloc(want, sizeof *l->idx);
	if (!l->idx)
		return -ENOMEM;
	l->nidx = want;
	for (size_t k = 0; k < np; k++) {
		size_t plen;
		const char *pl = prev_line(l, k, &plen);
		size_t t12 = tab_before(pl, plen, COL_EXPIRES);
		size_t j;

		if (plen == 0)
			continue;   /* a row taken by a delta's word: no text kept */
		j = (size_t)hash_bytes(pl, t12) & (want - 1);

		while (l->idx[j])
			j = (j + 1) & (want - 1);
		l->idx[j] = (uint32_t)(k + 1);
	}
	return 0;
}

bool rowreuse_lines_match(struct rowreuse_lines *l, const char *line, size_t len, uint32_t *j,
			  uint64_t *expires)
{
	size_t np = l->n[l->cur ^ 1u], t12;

	if (np == 0 || l->copies_seen)
		return false;   /* copies_seen: no text kept to match */
	/* the common case: the very line expected, byte for byte */
	if (l->next < np) {
		size_t plen;
		const char *pl = prev_line(l, l->next, &plen);

		if (plen == len && memcmp(pl, line, len) == 0) {
			/* the previous row was checked: its expires_ms stands */
			*expires = ROWREUSE_SAME;
			*j = (uint32_t)l->next++;
			return true;
		}
	}
	t12 = tab_before(line, len, COL_EXPIRES);
	if (t12 >= len)
		return false;
	for (size_t k = l->next; k < np && k < l->next + WINDOW; k++) {
		if (same_but_expires(l, k, line, len, t12, expires)) {
			*j = (uint32_t)k;
			l->next = k + 1;
			return true;
		}
	}
	if (++l->misses < INDEX_AFTER)
		return false;
	if (!l->idx_built) {
		if (index_build(l) < 0)
			return false;
		l->idx_built = true;
	}
	for (size_t s = (size_t)hash_bytes(line, t12) & (l->nidx - 1); l->idx[s];
	     s = (s + 1) & (l->nidx - 1)) {
		size_t k = l->idx[s] - 1u;

		if (same_but_expires(l, k, line, len, t12, expires)) {
			*j = (uint32_t)k;
			l->next = k + 1;
			return true;
		}
	}
	return false;
}

static int line_push(struct rowreuse_lines *l, uint32_t row)
{
	unsigned c = l->cur;
	uint32_t *v = grow(l->lrow[c], &l->lcap[c], l->nl[c], sizeof *v, 1024);

	if (!v)
		return -ENOMEM;
	l->lrow[c] = v;
	v[l->nl[c]++] = row;
	return 0;
}

int rowreuse_lines_norow(struct rowreuse_lines *l)
{
	return line_push(l, ROWREUSE_NOROW);
}

bool rowreuse_lines_base(struct rowreuse_lines *l, size_t k, uint32_t *j)
{
	unsigned p = l->cur ^ 1u;

	if (k >= l->nl[p] || l->lrow[p][k] == ROWREUSE_NOROW)
		return false;
	*j = l->lrow[p][k];
	l->next = (size_t)*j + 1;
	return true;
}

int rowreuse_lines_add_copy(struct rowreuse_lines *l)
{
	return rowreuse_lines_add_copies(l, 1);
}

int rowreuse_lines_add_copies(struct rowreuse_lines *l, size_t n)
{
	unsigned c = l->cur;
	uint32_t *v;

	l->copies_seen = true;
	if (n > ROWREUSE_NOROW - l->n[c])
		return -E2BIG;
	if (l->nl[c] + n > l->lcap[c]) {
		if (!(v = grow_to(l->lrow[c], &l->lcap[c], l->nl[c] + n, sizeof *v, 1024)))
			return -ENOMEM;
		l->lrow[c] = v;
	}
	/* as rowreuse_lines_add_copy n times: each its row's number */
	v = l->lrow[c] + l->nl[c];
	for (size_t i = 0; i < n; i++)
		v[i] = (uint32_t)(l->n[c] + i);
	l->nl[c] += n;
	l->n[c] += n;
	return 0;
}

int rowreuse_lines_add(struct rowreuse_lines *l, const char *line, size_t len)
{
	unsigned c = l->cur;
	uint32_t *o;

	if (l->copies_seen) {
		/* no text kept: only its line, which a delta names it by */
		if (l->n[c] >= ROWREUSE_NOROW)
			return -E2BIG;
		if (line_push(l, (uint32_t)l->n[c]) < 0)
			return -ENOMEM;
		l->n[c]++;
		return 0;
	}
	if (l->text[c].len + len > UINT32_MAX)
		return -E2BIG;
	o = grow(l->off[c], &l->cap[c], l->n[c] + 2, sizeof *o, 1024);
	if (!o)
		return -ENOMEM;
	l->off[c] = o;
	if (l->n[c] == 0)
		o[0] = 0;
	if (buf_append(&l->text[c], line, len) < 0)
		return -ENOMEM;
	if (l->n[c] >= ROWREUSE_NOROW)
		return -E2BIG;
	if (line_push(l, (uint32_t)l->n[c]) < 0)
		return -ENOMEM;
	o[++l->n[c]] = (uint32_t)l->text[c].len;
	return 0;
}

static void lines_reset(struct rowreuse_lines *l, unsigned side)
{
	buf_reset(&l->text[side]);
	l->n[side] = 0;
	l->nl[side] = 0;
}

void rowreuse_lines_commit(struct rowreuse_lines *l)
{
	l->cur ^= 1u;
	lines_reset(l, l->cur);
	l->next = 0;
	l->misses = 0;
	l->idx_built = false;
}

void rowreuse_lines_drop(struct rowreuse_lines *l)
{
	lines_reset(l, l->cur);
	l->next = 0;
	l->misses = 0;
}

/* ---- storing side ---- */

/* A prepared row as held: 64 bytes, its addresses in s->text. */
struct rowreuse_held {
	uint32_t text;           /* laddr (llen bytes) then raddr (rlen) */
	uint32_t prog;           /* offset in names[side] + 1, 0: NULL */
	uint8_t llen, rlen, family, unknown;
	uint8_t proto, state;    /* index in s->strs */
	uint8_t timer;
	uint16_t lport, rport;
	uint32_t uid;
	int32_t pid;
	uint64_t inode;
	int64_t rnet;
	uint32_t rxq, txq, expires_ms, retrans;
};

/* Compacted past this much text more than twice what is live. */
#define TEXT_SLACK (64u * 1024u)

void rowreuse_rows_init(struct rowreuse_rows *s)
{
	memset(s, 0, sizeof *s);
	buf_init(&s->names[0]);
	buf_init(&s->names[1]);
	buf_init(&s->text);
}

void rowreuse_rows_fini(struct rowreuse_rows *s)
{
	for (int i = 0; i < 2; i++) {
		free(s->r[i]);
		buf_fini(&s->names[i]);
	}
	buf_fini(&s->text);
}

/* The index of static string p in s->strs (rows name a few: protos and
 * states), or -E2BIG. */
static int str_index(struct rowreuse_rows *s, const char *p)
{
	for (unsigned i = 0; i < s->nstrs; i++)
		if (s->strs[i] == p)
			return (int)i;
	if (s->nstrs == sizeof s->strs / sizeof s->strs[0])
		return -E2BIG;
	s->strs[s->nstrs] = p;
	return (int)s->nstrs++;
}

/* Room for want rows on side c. */
static int rows_room(struct rowreuse_rows *s, unsigned c, size_t want)
{
	struct rowreuse_held *v;

	if (want <= s->cap[c])
		return 0;
	if (!(v = grow_to(s->r[c], &s->cap[c], want, sizeof *v, 1024)))
		return -ENOMEM;
	s->r[c] = v;
	return 0;
}

/* Program p (NUL-terminated) onto side c: its offset + 1 in *at. */
/* A row's program into side c: the rows of one process come together, so
 * a name equal to the last one put is shared, not copied again. */
static int prog_put(struct rowreuse_rows *s, unsigned c, const char *p, uint32_t *at)
{
	size_t n = strlen(p) + 1;
	struct buf *b = &s->names[c];

	if (s->last_prog[c] && b->len - (s->last_prog[c] - 1) == n &&
	    !memcmp(b->data + s->last_prog[c] - 1, p, n)) {
		*at = s->last_prog[c];
		return 0;
	}
	if (b->len + n >= UINT32_MAX)
		return -E2BIG;
	*at = (uint32_t)b->len + 1;
	if (buf_append(b, p, n) < 0)
		return -ENOMEM;
	s->last_prog[c] = *at;
	return 0;
}

int rowreuse_rows_add(struct rowreuse_rows *s, const struct store_row *r)
{
	unsigned c = s->cur;
	struct rowreuse_held h = {0};
	int pi, si, rc;

	if ((rc = rows_room(s, c, s->n[c] + 1)) < 0)
		return rc;
	if ((pi = str_index(s, r->proto)) < 0 || (si = str_index(s, r->state)) < 0)
		return -E2BIG;
	if (s->text.len + r->llen + r->rlen >= UINT32_MAX)
		return -E2BIG;
	h.text = (uint32_t)s->text.len;
	if (buf_append(&s->text, r->laddr, r->llen) < 0 ||
	    buf_append(&s->text, r->raddr, r->rlen) < 0)
		return -ENOMEM;
	if (r->program && (rc = prog_put(s, c, r->program, &h.prog)) < 0)
		return rc;
	h.llen = r->llen;
	h.rlen = r->rlen;
	h.family = r->family;
	h.unknown = r->unknown;
	h.proto = (uint8_t)pi;
	h.state = (uint8_t)si;
	h.timer = r->timer;
	h.lport = r->lport;
	h.rport = r->rport;
	h.uid = r->uid;
	h.pid = r->pid;
	h.inode = r->inode;
	h.rnet = r->rnet;
	h.rxq = r->rxq;
	h.txq = r->txq;
	h.expires_ms = r->expires_ms;
	h.retrans = r->retrans;
	s->r[c][s->n[c]++] = h;
	s->live[c] += (size_t)r->llen + r->rlen;
	return 0;
}

int rowreuse_rows_repeat(struct rowreuse_rows *s, uint32_t j, uint32_t n, const void *expires)
{
	unsigned c = s->cur, p = c ^ 1u;
	size_t at = s->n[c];
	int rc;

	if (j > s->n[p] || n > s->n[p] - j)
		return -EINVAL;
	if ((rc = rows_room(s, c, at + n)) < 0)
		return rc;
	memcpy(&s->r[c][at], &s->r[p][j], n * sizeof s->r[c][0]);
	for (uint32_t k = 0, from = 0, to = 0; k < n; k++) {
		struct rowreuse_held *h = &s->r[c][at + k];
		uint64_t e;

		memcpy(&e, (const char *)expires + k * sizeof e, sizeof e);
		if (e != ROWREUSE_SAME)
			h->expires_ms = (uint32_t)e;
		s->live[c] += (size_t)h->llen + h->rlen;
		if (!h->prog)
			continue;
		/* a run's rows share names (prog_put): the same name, once */
		if (h->prog == from) {
			h->prog = to;
			continue;
		}
		from = h->prog;
		if ((rc = prog_put(s, c, s->names[p].data + h->prog - 1, &h->prog)) < 0)
			return rc;
		to = h->prog;
	}
	s->n[c] += n;
	return 0;
}

size_t rowreuse_rows_count(const struct rowreuse_rows *s)
{
	return s->n[s->cur];
}

/* Held row h of side c as a store_row. */
static void unpack(const struct rowreuse_rows *s, unsigned c, const struct rowreuse_held *h,
		   struct store_row *out)
{
	const char *t = s->text.data + h->text;

	memcpy(out->laddr, t, h->llen);
	out->laddr[h->llen] = '\0';
	memcpy(out->raddr, t + h->llen, h->rlen);
	out->raddr[h->rlen] = '\0';
	out->llen = h->llen;
	out->rlen = h->rlen;
	out->family = h->family;
	out->unknown = h->unknown;
	out->lport = h->lport;
	out->rport = h->rport;
	out->proto = s->strs[h->proto];
	out->state = s->strs[h->state];
	out->rnet = h->rnet;
	out->uid = h->uid;
	out->pid = h->pid;
	out->inode = h->inode;
	out->program = h->prog ? s->names[c].data + h->prog - 1 : NULL;
	out->lhost = out->rhost = NULL;
	out->rxq = h->rxq;
	out->txq = h->txq;
	out->expires_ms = h->expires_ms;
	out->retrans = h->retrans;
	out->timer = h->timer;
}

void rowreuse_rows_cur(const struct rowreuse_rows *s, size_t k, struct store_row *out)
{
	unpack(s, s->cur, &s->r[s->cur][k], out);
}

void rowreuse_rows_cur_light(const struct rowreuse_rows *s, size_t k, struct store_row *out)
{
	const struct rowreuse_held *h = &s->r[s->cur][k];

	out->proto = s->strs[h->proto];
	out->state = s->strs[h->state];
	out->rxq = h->rxq;
	out->txq = h->txq;
	out->expires_ms = h->expires_ms;
	out->retrans = h->retrans;
	out->timer = h->timer;
}

int rowreuse_rows_get(const struct rowreuse_rows *s, uint32_t j, uint64_t expires,
		      struct store_row *out)
{
	unsigned p = s->cur ^ 1u;

	if (j >= s->n[p])
		return -EINVAL;
	unpack(s, p, &s->r[p][j], out);
	if (expires != ROWREUSE_SAME)
		out->expires_ms = (uint32_t)expires;
	return 0;
}

/* The arena keeps only what side p's rows point to, once it holds more
 * than twice that (the other side is empty here). Out of memory: it stays
 * as it is, which is correct, only larger. */
static void text_compact(struct rowreuse_rows *s, unsigned p)
{
	struct buf t = BUF_INIT;

	if (s->text.len <= 2 * s->live[p] + TEXT_SLACK)
		return;
	if (buf_reserve(&t, s->live[p]) < 0)
		return;
	for (size_t i = 0; i < s->n[p]; i++) {
		struct rowreuse_held *h = &s->r[p][i];
		size_t at = t.len;

		buf_append(&t, s->text.data + h->text, (size_t)h->llen + h->rlen);   /* reserved */
		h->text = (uint32_t)at;
	}
	buf_fini(&s->text);
	s->text = t;
}

void rowreuse_rows_commit(struct rowreuse_rows *s)
{
	unsigned p = s->cur;

	s->cur ^= 1u;
	s->n[s->cur] = 0;
	s->live[s->cur] = 0;
	buf_reset(&s->names[s->cur]);
	s->last_prog[s->cur] = 0;
	text_compact(s, p);
}

void rowreuse_rows_drop(struct rowreuse_rows *s)
{
	s->n[s->cur] = 0;
	s->live[s->cur] = 0;
	buf_reset(&s->names[s->cur]);
	s->last_prog[s->cur] = 0;
	text_compact(s, s->cur ^ 1u);
}

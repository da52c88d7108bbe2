/* spans — building spans from a stream of snapshots: the open spans (the
 * previous snapshot's distinct rows) in an array of compact entries, in the
 * order they were made, with a hash index kept up to date as spans open and
 * close; a closed span's slot stays empty until an eighth of the array is
 * empty, then the array is compacted, so memory follows one snapshot and a
 * snapshot's end does not move every entry; a closed span is unpacked into
 * a struct span to emit. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "spans.h"

/* The varying fields of a row (the rest is the span's identity). */
struct varying {
	uint32_t rxq, txq, expires_ms, retrans;
};

/* Addresses' text held in the entry itself up to this many bytes (two
 * IPv4 addresses always fit), else in an allocation of their own. */
#define ADDR_INLINE 32

/* Which strings an entry's ext holds, in this order, each NUL-terminated. */
#define EXT_PROGRAM 1u
#define EXT_LHOST 2u
#define EXT_RHOST 4u

/* An open span, ~180 bytes where a struct span with its row is ~250: the
 * addresses' text not in two 46-byte arrays, the strings in one
 * allocation, and k_last, snap_last and chain not held (every open span's
 * committed part ends at the chain's last kept snapshot: emit_entry). */
struct entry {
	/* what every snapshot touches first (count_row, spans_end) */
	uint32_t copies;         /* identical rows in each of its snapshots (committed) */
	uint32_t seen;           /* rows of the current snapshot that match */
	uint32_t cmax_rxq, cmax_txq, cmax_retrans;
	struct varying cur;      /* their varying values (the last of them) */
	struct varying last;     /* the committed part's, in its last snapshot */
	uint32_t max_rxq, max_txq, max_retrans;   /* over the committed part */
	uint32_t k_first;
	uint8_t cur_timer, last_timer;   /* cur's and last's timer */
	/* the identity (key_eq) */
	uint8_t proto, state;    /* index in b->strs */
	uint8_t llen, rlen, family, unknown;
	uint8_t extf;            /* EXT_*: what ext holds */
	bool used;               /* an open span; false: an empty slot (zeroed) */
	uint16_t lport, rport;
	uint32_t uid;
	int32_t pid;
	int64_t snap_first, ord;
	uint64_t hash;
	int64_t rnet;
	uint64_t inode;
	union {
		char in[ADDR_INLINE];
		char *out;       /* owned, when llen + rlen > ADDR_INLINE */
	} addr;                  /* laddr then raddr */
	char *ext;               /* owned: program, lhost, rhost (those in extf) */
};

struct spans {
	spans_emit_fn emit;
	void *ctx;
	unsigned exact;          /* SPANS_EXACT, SPANS_QUEUES */
	/* v[0 .. n): live open spans and n - live empty slots, in the order
	 * they were made (a snapshot's new rows from n0 on) */
	struct entry *v;
	size_t n, cap, live, n0;
	uint32_t *arr;           /* the current snapshot's rows: entry index each */
	size_t narr, carr;
	/* every row of the current snapshot, and (map) of the one before: its
	 * entry, so a repeated row is found by its place (spans_row_prev) */
	uint32_t *rowent, *map;
	size_t nrowent, crowent, nmap, cmap;
	int64_t map_id;          /* the snapshot map describes; -1 none */
	uint32_t *remap;         /* compact: old entry -> new */
	size_t cremap;
	uint32_t *idx;           /* open addressing: entry index + 1, 0 empty */
	uint32_t *tag;           /* the high half of each slot's entry hash,
	                          * whose low bits are its home slot: a probe
	                          * reads an entry only when it matches, and a
	                          * deletion moves slots without reading any */
	size_t nidx;             /* a power of two, > 2 live */
	/* the chain */
	uint64_t chain;
	bool have_prev;          /* a snapshot of this chain was kept and is the last */
	bool chain_used;         /* a snapshot was kept in this chain number */
	char *host, *boot;
	usec_t prev_time, step;  /* step: shortest so far, 0 none */
	int64_t prev_seq, prev_id;
	uint32_t k;              /* the current snapshot's position */
	bool in_snap;
	int64_t cur_id;
	/* the proto and state strings entries name (static: borrowed) */
	const char *strs[64];
	unsigned nstrs;
	usec_t cur_time, cur_interval;
	int64_t cur_seq;
};

uint64_t spans_hash(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ull;
	return h;
}

uint64_t spans_hash_str(uint64_t h, const char *s)
{
	return s ? spans_hash(h, s, strlen(s) + 1) : spans_hash(h, "\xff", 1);
}

/* The identity: every column but rxq, txq, timer, expires_ms, retrans
 * (those too when exact). */
static uint64_t key_hash(const struct store_row *r, unsigned exact)
{
	uint64_t h = 0xcbf29ce484222325ull;

	if (exact) {
		h = spans_hash(h, &r->rxq, sizeof r->rxq);
		h = spans_hash(h, &r->txq, sizeof r->txq);
	}
	if (exact & SPANS_EXACT) {
		h = spans_hash(h, &r->timer, sizeof r->timer);
		h = spans_hash(h, &r->expires_ms, sizeof r->expires_ms);
		h = spans_hash(h, &r->retrans, sizeof r->retrans);
	}
	h = spans_hash_str(h, r->proto);
	h = spans_hash_str(h, r->state);
	h = spans_hash(h, &r->family, sizeof r->family);
	h = spans_hash(h, &r->unknown, sizeof r->unknown);
	h = spans_hash(h, r->laddr, r->llen);
	h = spans_hash(h, &r->lport, sizeof r->lport);
	h = spans_hash(h, r->raddr, r->rlen);
	h = spans_hash(h, &r->rport, sizeof r->rport);
	h = spans_hash(h, &r->rnet, sizeof r->rnet);
	h = spans_hash(h, &r->uid, sizeof r->uid);
	h = spans_hash(h, &r->inode, sizeof r->inode);
	h = spans_hash(h, &r->pid, sizeof r->pid);
	h = spans_hash_str(h, r->program);
	h = spans_hash_str(h, r->lhost);
	return spans_hash_str(h, r->rhost);
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static const char *addr_text(const struct entry *e)
{
	return (size_t)e->llen + e->rlen > ADDR_INLINE ? e->addr.out : e->addr.in;
}

/* The strings ext holds (NULL those it does not). */
static void ext_get(const struct entry *e, const char **program, const char **lhost,
		    const char **rhost)
{
	const char *p = e->ext;

	*program = *lhost = *rhost = NULL;
	if (e->extf & EXT_PROGRAM) {
		*program = p;
		p += strlen(p) + 1;
	}
	if (e->extf & EXT_LHOST) {
		*lhost = p;
		p += strlen(p) + 1;
	}
	if (e->extf & EXT_RHOST)
		*rhost = p;
}

/* Is r's identity entry e's? The committed varying values stand for the
 * identity's when they are part of it (exact): equal by key in every row
 * of the span. */
static bool key_eq(const struct spans *b, const struct entry *e, const struct store_row *r,
		   unsigned exact)
{
	const char *t, *prog, *lhost, *rhost;

	if (exact && (e->last.rxq != r->rxq || e->last.txq != r->txq))
		return false;
	if ((exact & SPANS_EXACT) && (e->last_timer != r->timer ||
				      e->last.expires_ms != r->expires_ms ||
				      e->last.retrans != r->retrans))
		return false;
	if (e->family != r->family || e->unknown != r->unknown || e->llen != r->llen ||
	    e->rlen != r->rlen || e->lport != r->lport || e->rport != r->rport ||
	    e->rnet != r->rnet || e->uid != r->uid || e->inode != r->inode || e->pid != r->pid)
		return false;
	t = addr_text(e);
	if (memcmp(t, r->laddr, e->llen) != 0 || memcmp(t + e->llen, r->raddr, e->rlen) != 0 ||
	    !str_eq(b->strs[e->proto], r->proto) || !str_eq(b->strs[e->state], r->state))
		return false;
	ext_get(e, &prog, &lhost, &rhost);
	return str_eq(prog, r->program) && str_eq(lhost, r->lhost) && str_eq(rhost, r->rhost);
}

static void varying_of(const struct store_row *r, struct varying *v)
{
	v->rxq = r->rxq;
	v->txq = r->txq;
	v->expires_ms = r->expires_ms;
	v->retrans = r->retrans;
}

/* The index of proto or state string p in b->strs (equal strings one
 * index), or -E2BIG past 64 (protos x states are ~40). */
static int str_index(struct spans *b, const char *p)
{
	for (unsigned i = 0; i < b->nstrs; i++)
		if (b->strs[i] == p)
			return (int)i;
	for (unsigned i = 0; i < b->nstrs; i++)
		if (str_eq(b->strs[i], p))
			return (int)i;
	if (b->nstrs == sizeof b->strs / sizeof b->strs[0])
		return -E2BIG;
	b->strs[b->nstrs] = p;
	return (int)b->nstrs++;
}

/* e (zeroed) takes r's identity, its strings copied. 0 or -ENOMEM (e
 * then holds nothing to free). */
static int entry_set(struct spans *b, struct entry *e, const struct store_row *r, uint64_t h)
{
	size_t alen = (size_t)r->llen + r->rlen, n = 0;
	const char *str[3] = {r->program, r->lhost, r->rhost};
	char *t;
	int pi = str_index(b, r->proto), si = str_index(b, r->state);

	if (pi < 0 || si < 0)
		return -E2BIG;
	e->hash = h;
	e->proto = (uint8_t)pi;
	e->state = (uint8_t)si;
	e->rnet = r->rnet;
	e->inode = r->inode;
	e->uid = r->uid;
	e->pid = r->pid;
	e->lport = r->lport;
	e->rport = r->rport;
	e->llen = r->llen;
	e->rlen = r->rlen;
	e->family = r->family;
	e->unknown = r->unknown;
	varying_of(r, &e->last);
	e->last_timer = r->timer;
	for (unsigned i = 0; i < 3; i++)
		if (str[i]) {
			e->extf |= (uint8_t)(1u << i);
			n += strlen(str[i]) + 1;
		}
	if (n) {
		char *w = e->ext = malloc(n);

		if (!w)
			return -ENOMEM;
		for (unsigned i = 0; i < 3; i++)
			if (str[i]) {
				size_t k = strlen(str[i]) + 1;

				memcpy(w, str[i], k);
				w += k;
			}
	}
	if (alen > ADDR_INLINE) {
		e->addr.out = malloc(alen);
		if (!e->addr.out) {
			free(e->ext);
			e->ext = NULL;
			return -ENOMEM;
		}
	}
	t = alen > ADDR_INLINE ? e->addr.out : e->addr.in;
	memcpy(t, r->laddr, r->llen);
	memcpy(t + r->llen, r->raddr, r->rlen);
	return 0;
}

int spans_new(unsigned flags, spans_emit_fn emit, void *ctx, struct spans **out)
{
	struct spans *b = calloc(1, sizeof *b);

	*out = NULL;
	if (!b)
		return -ENOMEM;
	b->emit = emit;
	b->ctx = ctx;
	b->exact = flags & (SPANS_EXACT | SPANS_QUEUES);
	b->prev_seq = -1;
	b->map_id = -1;
	*out = b;
	return 0;
}

static void entry_fini(struct entry *e)
{
	free(e->ext);
	if ((size_t)e->llen + e->rlen > ADDR_INLINE)
		free(e->addr.out);
}

void spans_free(struct spans *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		entry_fini(&b->v[i]);
	free(b->v);
	free(b->arr);
	free(b->rowent);
	free(b->map);
	free(b->remap);
	free(b->idx);
	free(b->tag);
	free(b->host);
	free(b->boot);
	free(b);
}

size_t spans_open(const struct spans *b)
{
	return b->live;
}

/* A slot's home: from the tag's bits, so that a deletion reads no entry. */
static size_t home(uint32_t tag, size_t nidx)
{
	return tag & (nidx - 1);
}

static int index_rebuild(struct spans *b)
{
	size_t want = 64;

	while (want <= 2 * b->live)
		want *= 2;
	if (want != b->nidx) {
		uint32_t *idx = realloc(b->idx, want * sizeof *idx);
		uint32_t *tag = idx ? realloc(b->tag, want * sizeof *tag) : NULL;

		if (idx)
			b->idx = idx;
		if (tag)
			b->tag = tag;
		if (idx && tag)
			b->nidx = want;
		else if (want > b->nidx)
			return -ENOMEM;
		/* a smaller table that could not be had: the old one serves */
	}
	memset(b->idx, 0, b->nidx * sizeof *b->idx);
	for (size_t i = 0; i < b->n; i++) {
		uint32_t t = (uint32_t)(b->v[i].hash >> 32);
		size_t j = home(t, b->nidx);

		if (!b->v[i].used)
			continue;
		while (b->idx[j])
			j = (j + 1) & (b->nidx - 1);
		b->idx[j] = (uint32_t)(i + 1);
		b->tag[j] = t;
	}
	return 0;
}

/* Entry i out of the index: its slot emptied, and the slots after it in
 * its probe run moved back where a probe would no longer reach them
 * (linear probing's deletion: no tombstones). */
static void index_del(struct spans *b, size_t i)
{
	size_t mask = b->nidx - 1, j = home((uint32_t)(b->v[i].hash >> 32), b->nidx);

	while (b->idx[j] != i + 1)
		j = (j + 1) & mask;   /* there: every open span is indexed */
	for (size_t k = (j + 1) & mask; b->idx[k]; k = (k + 1) & mask) {
		size_t h = home(b->tag[k], b->nidx);

		/* k's entry stays unless its home lies cyclically in (j, k] */
		if (j < k ? (h <= j || h > k) : (h <= j && h > k)) {
			b->idx[j] = b->idx[k];
			b->tag[j] = b->tag[k];
			j = k;
		}
	}
	b->idx[j] = 0;
}

/* Entry i's span is over: its slot emptied (its strings freed). */
static void entry_drop(struct spans *b, size_t i)
{
	entry_fini(&b->v[i]);
	memset(&b->v[i], 0, sizeof b->v[i]);
	b->live--;
}

/* Open entry e's committed part as a closed span: it ends at the chain's
 * last kept snapshot, numbered k_last (b->prev_id). */
static int emit_entry(struct spans *b, const struct entry *e, uint32_t k_last)
{
	struct span sp;
	struct store_row *row = &sp.row;
	const char *t = addr_text(e);

	memset(&sp, 0, sizeof sp);
	memcpy(row->laddr, t, e->llen);
	memcpy(row->raddr, t + e->llen, e->rlen);
	row->llen = e->llen;
	row->rlen = e->rlen;
	row->family = e->family;
	row->unknown = e->unknown;
	row->lport = e->lport;
	row->rport = e->rport;
	row->proto = b->strs[e->proto];
	row->state = b->strs[e->state];
	row->rnet = e->rnet;
	row->uid = e->uid;
	row->pid = e->pid;
	row->inode = e->inode;
	ext_get(e, &row->program, &row->lhost, &row->rhost);
	row->rxq = e->last.rxq;
	row->txq = e->last.txq;
	row->expires_ms = e->last.expires_ms;
	row->retrans = e->last.retrans;
	row->timer = e->last_timer;
	sp.max_rxq = e->max_rxq;
	sp.max_txq = e->max_txq;
	sp.max_retrans = e->max_retrans;
	sp.copies = e->copies;
	sp.k_first = e->k_first;
	sp.k_last = k_last;
	sp.snap_first = e->snap_first;
	sp.snap_last = b->prev_id;
	sp.chain = b->chain;
	sp.ord = e->ord;
	return b->emit(b->ctx, &sp);
}

/* Closes every open span (committed part only). */
static int close_all(struct spans *b)
{
	int rc = 0;

	/* outside a snapshot: b->k is the last kept one's */
	for (size_t i = 0; i < b->n; i++) {
		if (rc == 0 && b->v[i].used && b->v[i].copies)
			rc = emit_entry(b, &b->v[i], b->k);
		entry_fini(&b->v[i]);
	}
	b->n = b->live = 0;
	b->map_id = -1;
	if (rc == 0)
		rc = index_rebuild(b);
	return rc;
}

static int dup_str(const char *s, char **out)
{
	*out = NULL;
	if (!s)
		return 0;
	*out = strdup(s);
	return *out ? 0 : -ENOMEM;
}

static bool continues(const struct spans *b, const struct spans_snap *sn)
{
	usec_t dt;

	if (!b->have_prev || !b->host || !str_eq(b->host, sn->host) ||
	    !str_eq(b->boot, sn->boot_id) || sn->time <= b->prev_time)
		return false;
	if (sn->seq >= 0 && b->prev_seq >= 0 && sn->seq != b->prev_seq + 1)
		return false;
	dt = sn->time - b->prev_time;
	if (sn->interval > 0)
		return dt <= sn->interval + sn->interval / 2;
	return b->step == 0 || dt <= b->step + b->step / 2;
}

int spans_begin(struct spans *b, const struct spans_snap *sn, uint64_t *chain, uint32_t *k)
{
	int rc;

	if (b->in_snap)
		return -EINVAL;
	if (!continues(b, sn)) {
		if ((rc = close_all(b)) < 0)
			return rc;
		/* a chain with no snapshot kept yet (its first was torn) is reused */
		if (b->chain == 0 || b->chain_used) {
			b->chain++;
			b->chain_used = false;
		}
		free(b->host);
		free(b->boot);
		b->host = b->boot = NULL;
		if ((rc = dup_str(sn->host, &b->host)) < 0 ||
		    (rc = dup_str(sn->boot_id, &b->boot)) < 0)
			return rc;
		b->have_prev = false;
		b->step = 0;
		b->k = 0;
	} else {
		b->k++;
	}
	b->in_snap = true;
	b->n0 = b->n;
	b->cur_id = sn->id;
	b->cur_time = sn->time;
	b->cur_seq = sn->seq;
	if (chain)
		*chain = b->chain;
	if (k)
		*k = b->k;
	return 0;
}

static uint32_t umax(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static int count_row(struct spans *b, struct entry *e, const struct store_row *r);

int spans_row(struct spans *b, const struct store_row *r)
{
	uint64_t h = key_hash(r, b->exact);
	size_t j;
	struct entry *e;
	int rc;

	if (!b->in_snap)
		return -EINVAL;
	if (b->nidx == 0 && (rc = index_rebuild(b)) < 0)
		return rc;
	for (j = home((uint32_t)(h >> 32), b->nidx); b->idx[j]; j = (j + 1) & (b->nidx - 1)) {
		if (b->tag[j] != (uint32_t)(h >> 32))
			continue;   /* not this row: its entry stays out of the cache */
		e = &b->v[b->idx[j] - 1];
		if (e->hash == h && key_eq(b, e, r, b->exact))
			goto found;
	}
	/* a new row: an entry with no committed part (copies 0) */
	if (b->n >= UINT32_MAX - 1)
		return -E2BIG;
	{
		struct entry *v = grow(b->v, &b->cap, b->n, sizeof *v, 256);

		if (!v)
			return -ENOMEM;
		b->v = v;
	}
	e = &b->v[b->n];
	memset(e, 0, sizeof *e);
	if ((rc = entry_set(b, e, r, h)) < 0)
		return rc;
	e->used = true;
	b->n++;
	b->live++;
	b->idx[j] = (uint32_t)b->n;
	b->tag[j] = (uint32_t)(h >> 32);
	if (2 * b->live >= b->nidx && (rc = index_rebuild(b)) < 0)
		return rc;
found:
	return count_row(b, e, r);
}

/* r is one more row of entry e in the current snapshot. */
static int count_row(struct spans *b, struct entry *e, const struct store_row *r)
{
	uint32_t *re = grow(b->rowent, &b->crowent, b->nrowent, sizeof *re, 256);

	if (!re)
		return -ENOMEM;
	b->rowent = re;
	b->rowent[b->nrowent++] = (uint32_t)(e - b->v);
	if (e->seen == 0) {
		e->cmax_rxq = r->rxq;
		e->cmax_txq = r->txq;
		e->cmax_retrans = r->retrans;
	} else {
		e->cmax_rxq = umax(e->cmax_rxq, r->rxq);
		e->cmax_txq = umax(e->cmax_txq, r->txq);
		e->cmax_retrans = umax(e->cmax_retrans, r->retrans);
	}
	e->seen++;
	e->cur.rxq = r->rxq;
	e->cur.txq = r->txq;
	e->cur.expires_ms = r->expires_ms;
	e->cur.retrans = r->retrans;
	e->cur_timer = r->timer;
	if (e->seen == 1) {
		uint32_t *a = grow(b->arr, &b->carr, b->narr, sizeof *a, 256);

		if (!a)
			return -ENOMEM;
		b->arr = a;
		b->arr[b->narr++] = (uint32_t)(e - b->v);
	}
	return 0;
}

#define PREFETCH_AHEAD 16

bool spans_prev_fast(const struct spans *b, int64_t prev_id, uint32_t j, uint32_t n)
{
	/* the row map is of the snapshot just before, in this chain */
	return b->in_snap && b->k != 0 && b->map_id == prev_id && prev_id == b->prev_id &&
	       j < b->nmap && n <= b->nmap - j;
}

int spans_row_prev(struct spans *b, int64_t prev_id, uint32_t j, const struct store_row *r)
{
	if (!b->in_snap)
		return -EINVAL;
	if (!spans_prev_fast(b, prev_id, j, 1))
		return spans_row(b, r);
	/* repeated rows come in runs of j, j+1, ...; their entries lie anywhere
	 * once sockets came and went (a miss each, most of a row's cost): ask
	 * for the one a few rows on now */
	if (j + PREFETCH_AHEAD < b->nmap)
		__builtin_prefetch(&b->v[b->map[j + PREFETCH_AHEAD]].seen, 1);
	return count_row(b, &b->v[b->map[j]], r);
}

/* The open spans moved down over the empty slots, in their order; rows
 * (the map of the snapshot just ended) follow them. 0, or -ENOMEM
 * (nothing moved: the slots stay empty). */
static int compact(struct spans *b, uint32_t *rows, size_t nrows)
{
	size_t w = 0;

	if (b->n > b->cremap) {
		uint32_t *r = realloc(b->remap, b->n * sizeof *r);

		if (!r)
			return -ENOMEM;
		b->remap = r;
		b->cremap = b->n;
	}
	for (size_t i = 0; i < b->n; i++) {
		if (!b->v[i].used)
			continue;
		b->remap[i] = (uint32_t)w;
		if (w != i)
			b->v[w] = b->v[i];
		w++;
	}
	for (size_t i = 0; i < nrows; i++)
		rows[i] = b->remap[rows[i]];
	b->n = w;
	return index_rebuild(b);
}

#define ORD_STEP ((int64_t)1 << 32)

/* New rows get ords between those of the rows around them that were there
 * before (after the last one: ORD_STEP apart). */
static void assign_ords(struct spans *b)
{
	int64_t prev = 0;
	size_t i = 0;

	while (i < b->narr) {
		struct entry *e = &b->v[b->arr[i]];
		size_t j = i, m;
		int64_t step;

		if (e->copies) {
			prev = e->ord;
			i++;
			continue;
		}
		while (j < b->narr && b->v[b->arr[j]].copies == 0)
			j++;
		m = j - i;
		if (j < b->narr && b->v[b->arr[j]].ord > prev)
			step = (b->v[b->arr[j]].ord - prev) / (int64_t)(m + 1);
		else
			step = ORD_STEP;
		for (size_t t = 0; t < m; t++)
			b->v[b->arr[i + t]].ord = prev + step * (int64_t)(t + 1);
		prev += step * (int64_t)m;
		i = j;
	}
	b->narr = 0;
}

/* The varying values of this snapshot's rows into e's span. */
static void take_current(struct entry *e, bool fresh)
{
	e->last = e->cur;
	e->last_timer = e->cur_timer;
	e->max_rxq = fresh ? e->cmax_rxq : umax(e->max_rxq, e->cmax_rxq);
	e->max_txq = fresh ? e->cmax_txq : umax(e->max_txq, e->cmax_txq);
	e->max_retrans = fresh ? e->cmax_retrans : umax(e->max_retrans, e->cmax_retrans);
}

int spans_end(struct spans *b)
{
	int rc = 0;

	if (!b->in_snap)
		return -EINVAL;
	assign_ords(b);
	for (size_t i = 0; i < b->n; i++) {
		struct entry *e = &b->v[i];

		if (!e->used)
			continue;
		if (rc == 0 && e->copies && e->seen != e->copies) {
			/* gone, or its count of identical rows changed: closed,
			 * having last been in the snapshot before this one */
			rc = emit_entry(b, e, b->k - 1);
		}
		if (e->seen == 0) {
			index_del(b, i);
			entry_drop(b, i);
			continue;
		}
		if (e->copies != e->seen) {
			e->copies = e->seen;
			e->k_first = b->k;
			e->snap_first = b->cur_id;
			take_current(e, true);
		} else {
			take_current(e, false);
		}
		e->seen = 0;
	}
	/* an eighth of the array empty: compacted (this snapshot's rows, the
	 * next one's map, follow); else a table far larger than the spans
	 * open (a flood ended) made smaller */
	if (rc == 0 && (b->n - b->live) * 8 > b->n)
		rc = compact(b, b->rowent, b->nrowent);
	else if (rc == 0 && b->nidx > 64 && 8 * b->live < b->nidx)
		rc = index_rebuild(b);
	/* this snapshot's rows are the map the next one's repeated rows use */
	{
		uint32_t *t = b->map;
		size_t c = b->cmap;

		b->map = b->rowent;
		b->cmap = b->crowent;
		b->nmap = b->nrowent;
		b->rowent = t;
		b->crowent = c;
		b->nrowent = 0;
		b->map_id = b->cur_id;
	}
	if (b->have_prev) {
		usec_t dt = b->cur_time - b->prev_time;

		if (b->step == 0 || dt < b->step)
			b->step = dt;
	}
	b->have_prev = true;
	b->chain_used = true;
	b->prev_time = b->cur_time;
	b->prev_seq = b->cur_seq;
	b->prev_id = b->cur_id;
	b->in_snap = false;
	return rc;
}

void spans_discard(struct spans *b)
{
	if (!b->in_snap)
		return;
	b->narr = 0;
	b->nrowent = 0;
	/* its new rows are the entries from n0 on; those before stay where
	 * they are, so the previous snapshot's map still holds */
	for (size_t i = b->n0; i < b->n; i++)
		if (b->v[i].used) {
			entry_fini(&b->v[i]);
			b->live--;
		}
	b->n = b->n0;
	for (size_t i = 0; i < b->n; i++)
		b->v[i].seen = 0;
	(void)index_rebuild(b);   /* shrinking: the table it has is big enough */
	if (b->have_prev)
		b->k--;
	b->in_snap = false;
}

int spans_flush(struct spans *b)
{
	int rc;

	if (b->in_snap)
		spans_discard(b);
	rc = close_all(b);
	b->have_prev = false;
	free(b->host);
	free(b->boot);
	b->host = b->boot = NULL;
	return rc;
}

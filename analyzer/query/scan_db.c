/* scan_db — socket rows for reports from the database: each span once, as a
 * range of positions (snapshots by chain and k), to sinks that take spans;
 * or, for sinks that need rows, each thread sweeps the spans of its
 * snapshots' chains in k order, keeping those that cover the snapshot at
 * hand and handing each as `copies` rows (an IPv6 peer's text is parsed
 * only for IPv6 sockets). The counts per state and snapshot: scan_states.c. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "agg.h"
#include "buf.h"
#include "db.h"
#include "scan.h"
#include "scan_int.h"
#include "spancode.h"

_Static_assert(AGG_UNCONN == SPANCODE_UNCONN, "a span's state code is the aggregation's");

/* A span that reaches past its reader's share into later shares of its
 * chain: handed there by their readers (span_carry_in). */
struct carry {
	int64_t chain, k_last;
	uint32_t copies;
	struct scan_row row;     /* .program owned */
};

struct worker {
	sqlite3 *db;             /* shared (one thread) or NULL: open path */
	const char *path;
	const struct scan_snaps *s;
	size_t lo, hi;           /* snapshots [lo, hi) */
	const char *sql;
	const char *sql_from;    /* spans: for a share that continues a chain */
	const struct filter_params *p;
	const struct scan_sink *sink;
	/* spans: the workers before this one, whose carries reach here */
	const struct worker *prev;
	struct carry *carry;
	size_t ncarry, capcarry;
	unsigned cols;
	unsigned nprev;
	int rc;
	char err[256];
};

/* The statement: a chain's spans (?1) that reach into k ?2 .. ?3 (with
 * from: that start in it), by k_first, filtered; columns (schema 6's
 * spans_packed, spancode.h): kind, an IPv6 peer's text (NULL: an IPv4 peer,
 * rnet, or a name), rnet, lport, program, k_first, k_last, copies, ord,
 * whether the peer is a name, laddr. Per span, not per row: all of them. The
 * chain's spans are its rowid range (span_chains, schema 7), read in
 * table order and each tested. */
enum { C_KIND, C_RADDR, C_RNET, C_LPORT, C_PROGRAM, C_KFIRST, C_KLAST, C_COPIES, C_ORD, C_NAMED,
       C_LADDR };

static int build_sql(const struct filter *flt, unsigned cols, bool from, bool spans,
		     struct buf *sql, struct filter_params *p)
{
	/* a column no one reads is a constant: each column read costs a
	 * decoding per span */
	bool peer = cols & SCAN_PEER;
	int rc = buf_printf(sql,
			    "SELECT k.kind, %s, %s, %s, %s, k.k_first, k.k_last, k.copies, %s,"
			    " %s, %s FROM ",
			    peer ? "k.raddr" : "NULL", peer ? "k.rnet" : "0",
			    cols & SCAN_LPORT ? "k.lport" : "0",
			    cols & SCAN_PROGRAM ? "k.program" : "NULL", spans ? "0" : "k.ord",
			    peer ? "k.rhost IS NOT NULL" : "0", cols & SCAN_LOCAL ? "k.laddr" : "NULL");

	/* schema 7 keeps each chain's rowid range (span_chains), not an index
	 * on chain: the chain's spans are read in table order, without a seek
	 * per span from an index entry into the table */
	if (rc == 0)
		rc = buf_puts(sql, "span_chains r CROSS JOIN spans_packed k ON k.rowid BETWEEN"
				   " r.lo AND r.hi AND k.chain = r.chain WHERE r.chain = ?1");
	if (rc == 0)
		rc = buf_puts(sql, " AND k.k_first <= ?3 AND ");
	if (rc == 0)
		rc = buf_puts(sql, from ? "k.k_first >= ?2" : "k.k_last >= ?2");

	/* ?1 .. ?3: bound per chain */
	for (int i = 0; rc == 0 && i < 3; i++)
		rc = filter_param_int(p, 0);
	if (rc == 0)
		rc = filter_sql_spans(flt, sql, p);
	if (rc == 0 && (cols & SCAN_HAS_PEER))
		rc = filter_sql_has_peer(sql);
	/* the sweep of rows needs them by k_first; spans go in any order (the
	 * sinks sort their events) */
	if (rc == 0 && !spans)
		rc = buf_puts(sql, " ORDER BY k.k_first");
	return rc;
}

/* a (zeroed) as the IPv4 address of number v. */
static void addr_of_v4(uint32_t v, struct addr *a)
{
	a->family = AF_INET;
	a->a[0] = (uint8_t)(v >> 24);
	a->a[1] = (uint8_t)(v >> 16);
	a->a[2] = (uint8_t)(v >> 8);
	a->a[3] = (uint8_t)v;
}

/* The local address of a row: an IPv4 one's number, an IPv6 one's text;
 * NULL (the host named) and text that is no address: family 0. */
static void row_local(sqlite3_stmt *st, struct addr *a)
{
	memset(a, 0, sizeof *a);
	switch (sqlite3_column_type(st, C_LADDR)) {
	case SQLITE_INTEGER:
		addr_of_v4((uint32_t)sqlite3_column_int64(st, C_LADDR), a);
		break;
	case SQLITE_TEXT:
		if (addr_parse((const char *)sqlite3_column_text(st, C_LADDR),
			       (size_t)sqlite3_column_bytes(st, C_LADDR), a) < 0)
			memset(a, 0, sizeof *a);
		addr_fold(a);
		break;
	default:
		break;
	}
}

/* The peer of a row: an IPv4 peer's is its rnet (its text is not stored);
 * an IPv6 one's is its text. A named peer is what schema 5's reading gave
 * it: 0.0.0.0 for an IPv4 socket (its rnet is 0), nothing for an IPv6 one. */
static int row_peer(sqlite3_stmt *st, struct addr *peer)
{
	/* every byte: an IPv4 peer after an IPv6 one must not keep its tail
	 * (group keys are the whole 16 bytes) */
	memset(peer, 0, sizeof *peer);
	if (sqlite3_column_type(st, C_RADDR) == SQLITE_NULL) {
		uint32_t v = (uint32_t)sqlite3_column_int64(st, C_RNET);

		if (sqlite3_column_int(st, C_NAMED) &&
		    spancode_family(sqlite3_column_int64(st, C_KIND)) == 6)
			return -EINVAL;
		addr_of_v4(v, peer);
		return 0;
	}
	return addr_parse((const char *)sqlite3_column_text(st, C_RADDR),
			  (size_t)sqlite3_column_bytes(st, C_RADDR), peer);
}

/* r (zeroed) as the columns cols asks for of st's row (the statement's
 * columns), its program borrowed from st; its kind. */
static int64_t row_of(unsigned cols, sqlite3_stmt *st, struct scan_row *r)
{
	int64_t kind = sqlite3_column_int64(st, C_KIND);

	memset(r, 0, sizeof *r);
	r->state = (uint8_t)spancode_state(kind);
	if ((cols & SCAN_PEER) && row_peer(st, &r->peer) < 0)
		memset(&r->peer, 0, sizeof r->peer);
	r->named = sqlite3_column_int(st, C_NAMED) != 0;
	if (cols & SCAN_LPORT)
		r->lport = (uint16_t)sqlite3_column_int(st, C_LPORT);
	if ((cols & SCAN_PROGRAM) && sqlite3_column_type(st, C_PROGRAM) != SQLITE_NULL)
		r->program = (const char *)sqlite3_column_text(st, C_PROGRAM);
	if (cols & SCAN_LOCAL)
		row_local(st, &r->local);
	return kind;
}

/* A span as the sweep holds it. */
struct aspan {
	int64_t k_first, k_last, ord;
	uint32_t copies;
	struct scan_row row;     /* .program owned */
};

/* A chain being swept: its statement and the spans covering the current k. */
struct chainst {
	int64_t chain;
	size_t last;             /* its last snapshot index in the worker's share */
	sqlite3_stmt *st;
	bool have_next;
	struct aspan next;
	struct aspan *act;
	size_t nact, cact;
	bool dirty;              /* act not in ord order */
};

static void chainst_free(struct chainst *c)
{
	for (size_t i = 0; i < c->nact; i++)
		free((char *)c->act[i].row.program);
	free(c->act);
	if (c->have_next)
		free((char *)c->next.row.program);
	sqlite3_finalize(c->st);
	memset(c, 0, sizeof *c);
}

/* The statement's next span into c->next. 0, or -errno. */
static int chain_step(struct chainst *c, unsigned cols)
{
	sqlite3_stmt *st = c->st;
	struct aspan *a = &c->next;
	int rc = sqlite3_step(st);

	c->have_next = false;
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -EIO;
	memset(a, 0, sizeof *a);
	row_of(cols, st, &a->row);
	if (a->row.program && !(a->row.program = strdup(a->row.program)))
		return -ENOMEM;
	a->k_first = sqlite3_column_int64(st, C_KFIRST);
	a->k_last = sqlite3_column_int64(st, C_KLAST);
	a->copies = (uint32_t)sqlite3_column_int64(st, C_COPIES);
	a->ord = sqlite3_column_int64(st, C_ORD);
	c->have_next = true;
	return 0;
}

static int by_ord(const void *a, const void *b)
{
	const struct aspan *x = a, *y = b;

	if (x->ord != y->ord)
		return x->ord < y->ord ? -1 : 1;
	return x->k_first < y->k_first ? -1 : x->k_first > y->k_first;
}

/* The spans of c covering k, in the order the snapshot's rows came in. */
static int chain_advance(struct chainst *c, int64_t k, unsigned cols)
{
	size_t w = 0;
	int rc = 0;

	for (size_t i = 0; i < c->nact; i++) {
		if (c->act[i].k_last < k) {
			free((char *)c->act[i].row.program);
			continue;
		}
		c->act[w++] = c->act[i];
	}
	c->nact = w;
	while (rc == 0 && c->have_next && c->next.k_first <= k) {
		if (c->next.k_last >= k) {
			struct aspan *v = grow(c->act, &c->cact, c->nact, sizeof *v, 64);

			if (!v)
				return -ENOMEM;
			c->act = v;
			c->act[c->nact++] = c->next;
			c->dirty = true;
		} else {
			free((char *)c->next.row.program);
		}
		c->next.row.program = NULL;   /* moved into act, or freed */
		c->have_next = false;
		rc = chain_step(c, cols);
	}
	if (rc == 0 && c->dirty) {
		qsort(c->act, c->nact, sizeof *c->act, by_ord);
		c->dirty = false;
	}
	return rc;
}

struct chainref {
	int64_t chain, k;
	size_t i;
};

static int by_chain(const void *a, const void *b)
{
	const struct chainref *x = a, *y = b;

	if (x->chain != y->chain)
		return x->chain < y->chain ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* A worker thread's own read connection to w->path (0, or -EIO with w->err
 * set; *db may then hold a handle the caller closes). */
static int worker_db_open(struct worker *w, sqlite3 **db)
{
	if (db_open_reader(w->path, db) != SQLITE_OK) {
		snprintf(w->err, sizeof w->err, "%s: %s", w->path,
			 *db ? sqlite3_errmsg(*db) : "out of memory");
		return -EIO;
	}
	/* mapped pages are read in place, not copied through read(2) */
	sqlite3_exec(*db, "PRAGMA cache_size = -16384; PRAGMA mmap_size = 4294967296", NULL, NULL,
		     NULL);
	return 0;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	sqlite3 *db = w->db;
	struct chainref *refs = NULL;
	size_t nrefs = w->hi - w->lo;
	struct chainst *open = NULL;
	size_t nopen = 0;
	int rc = 0;

	if (!db && (rc = worker_db_open(w, &db)) < 0)
		goto out;
	/* each chain's k range and last snapshot in this share */
	refs = calloc(nrefs ? nrefs : 1, sizeof *refs);
	open = calloc(nrefs ? nrefs : 1, sizeof *open);
	if (!refs || !open) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nrefs; i++)
		refs[i] = (struct chainref){w->s->v[w->lo + i].chain, w->s->v[w->lo + i].k, w->lo + i};
	qsort(refs, nrefs, sizeof *refs, by_chain);
	for (size_t i = w->lo; i < w->hi && rc == 0; i++) {
		const struct scan_snap *sn = &w->s->v[i];
		struct chainst *c = NULL;

		for (size_t j = 0; j < nopen && !c; j++)
			if (open[j].chain == sn->chain)
				c = &open[j];
		if (!c) {
			struct chainref key = {sn->chain, 0, 0}, *r;
			size_t lo = 0, hi = nrefs;
			int64_t klo = INT64_MAX, khi = INT64_MIN;

			/* the chain's first ref: lower bound by (chain, i 0) */
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;

				if (by_chain(&refs[mid], &key) < 0)
					lo = mid + 1;
				else
					hi = mid;
			}
			c = &open[nopen++];
			memset(c, 0, sizeof *c);
			c->chain = sn->chain;
			for (r = &refs[lo]; r < refs + nrefs && r->chain == sn->chain; r++) {
				klo = r->k < klo ? r->k : klo;
				khi = r->k > khi ? r->k : khi;
				c->last = r->i;
			}
			if (sqlite3_prepare_v2(db, w->sql, -1, &c->st, NULL) != SQLITE_OK ||
			    filter_bind(c->st, w->p) != SQLITE_OK) {
				snprintf(w->err, sizeof w->err, "%s", sqlite3_errmsg(db));
				rc = -EIO;
				break;
			}
			sqlite3_bind_int64(c->st, 1, sn->chain);
			sqlite3_bind_int64(c->st, 2, klo);
			sqlite3_bind_int64(c->st, 3, khi);
			if ((rc = chain_step(c, w->cols)) < 0)
				break;
		}
		if ((rc = chain_advance(c, sn->k, w->cols)) < 0)
			break;
		if ((rc = w->sink->snap(w->sink->ctx, (uint32_t)i, sn->time)) < 0)
			break;
		for (size_t j = 0; j < c->nact && rc == 0; j++) {
			c->act[j].row.snap = (uint32_t)i;
			for (uint32_t n = 0; n < c->act[j].copies && rc == 0; n++)
				rc = w->sink->row(w->sink->ctx, &c->act[j].row);
		}
		if (rc < 0)
			break;
		if (c->last == i) {
			chainst_free(c);
			*c = open[--nopen];
		}
	}
	if (rc == 0 && w->sink->done && (rc = w->sink->done(w->sink->ctx)) < 0 && rc != -EIO)
		snprintf(w->err, sizeof w->err, "%s", rc == -ENOMEM ? "out of memory"
								  : "closing the counts failed");
	if (rc == -EIO && !w->err[0])
		snprintf(w->err, sizeof w->err, "%s", sqlite3_errmsg(db));
	if (rc < 0 && !w->err[0])
		snprintf(w->err, sizeof w->err, "%s", rc == -ENOMEM ? "out of memory"
								  : "reading the rows failed");
out:
	for (size_t j = 0; j < nopen; j++)
		chainst_free(&open[j]);
	free(open);
	free(refs);
	if (db != w->db)
		sqlite3_close(db);
	w->rc = rc;
	return NULL;
}

/* ---- spans from the database ---------------------------------------------- */

/* The first of ks[0..n) at or above k (n: none). */
static size_t k_at_or_above(const int64_t *ks, size_t n, int64_t k)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ks[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* k_at_or_above when ks[i] is ks[0] + i. */
static size_t k_dense(const int64_t *ks, size_t n, int64_t k)
{
	if (k <= ks[0])
		return 0;
	return k - ks[0] >= (int64_t)n ? n : (size_t)(k - ks[0]);
}

/* The span row of st as reports see it (its program borrowed from st),
 * with its protocol, which rows of the database leave 0. */
static void span_row(const struct worker *w, sqlite3_stmt *st, struct scan_row *r)
{
	r->proto = (uint8_t)spancode_proto(row_of(w->cols, st, r));
}

/* Keeps r (its program copied) for the later shares of chain: 0 or -ENOMEM. */
static int carry_add(struct worker *w, int64_t chain, int64_t k_last, uint32_t copies,
		     const struct scan_row *r)
{
	struct carry *v = grow(w->carry, &w->capcarry, w->ncarry, sizeof *v, 256);
	struct carry *c;

	if (!v)
		return -ENOMEM;
	w->carry = v;
	c = &w->carry[w->ncarry];
	*c = (struct carry){chain, k_last, copies, *r};
	if (r->program && !(c->row.program = strdup(r->program)))
		return -ENOMEM;
	w->ncarry++;
	return 0;
}

/* One chain's piece of the share: positions p0 .. p0 + n - 1, with k ks[];
 * from: an earlier share has the chain's positions before (it hands the
 * spans that start there); more: a later share has those after (spans
 * reaching there are carried). */
static int span_chain(struct worker *w, sqlite3_stmt *st, size_t p0, const int64_t *ks, size_t n,
		      bool more)
{
	struct scan_span sp = {.tb = &w->s->tb};
	int64_t chain = w->s->v[w->s->pos_snap[p0]].chain;
	/* every k of the range selected (a whole chain, a time window): a k's
	 * position is its offset, no search */
	bool dense = true;
	int rc;

	for (size_t i = 1; dense && i < n; i++)
		dense = ks[i] == ks[0] + (int64_t)i;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, chain);
	sqlite3_bind_int64(st, 2, ks[0]);
	sqlite3_bind_int64(st, 3, ks[n - 1]);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct scan_row r;
		int64_t k_last = sqlite3_column_int64(st, C_KLAST);
		int64_t k_first = sqlite3_column_int64(st, C_KFIRST);
		size_t a = dense ? k_dense(ks, n, k_first) : k_at_or_above(ks, n, k_first);
		size_t b = dense ? k_dense(ks, n, k_last + 1) : k_at_or_above(ks, n, k_last + 1);
		bool carry = more && k_last > ks[n - 1];

		if (a >= b && !carry)
			continue;   /* between the snapshots selected */
		span_row(w, st, &r);
		sp.copies = (uint32_t)sqlite3_column_int64(st, C_COPIES);
		if (a < b) {
			r.snap = w->s->pos_snap[p0 + a];
			sp.first = (uint32_t)(p0 + a);
			sp.last = (uint32_t)(p0 + b - 1);
			if ((rc = w->sink->span(w->sink->ctx, &r, &sp)) < 0)
				return rc;
		}
		if (carry && (rc = carry_add(w, chain, k_last, sp.copies, &r)) < 0)
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : -EIO;
}

static int64_t chain_of(const struct scan_snaps *s, size_t p)
{
	return s->v[s->pos_snap[p]].chain;
}

static int64_t chain_at(const struct worker *w, size_t p)
{
	return chain_of(w->s, p);
}

/* A worker of spans, first round: its share [lo, hi) is of positions
 * (scan_snaps_order), read chain piece by chain piece, each span handed
 * once; the spans that reach into later shares kept (w->carry). */
static void *span_worker_run(void *arg)
{
	struct worker *w = arg;
	sqlite3 *db = w->db;
	sqlite3_stmt *st = NULL, *st_from = NULL;
	int64_t *ks = NULL;
	int rc = 0;

	if (!db && (rc = worker_db_open(w, &db)) < 0)
		goto out;
	/* calloc: each piece's ks are written before they are read, but the
	 * analyzer cannot tell */
	if (!(ks = calloc(w->hi - w->lo + 1, sizeof *ks))) {
		rc = -ENOMEM;
		goto out;
	}
	if (sqlite3_prepare_v2(db, w->sql, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, w->p) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, w->sql_from, -1, &st_from, NULL) != SQLITE_OK ||
	    filter_bind(st_from, w->p) != SQLITE_OK) {
		rc = -EIO;
		goto out;
	}
	for (size_t p = w->lo; p < w->hi && rc == 0;) {
		int64_t chain = chain_at(w, p);
		bool from = p > 0 && chain_at(w, p - 1) == chain;
		size_t q = p;

		for (; q < w->hi && chain_at(w, q) == chain; q++)
			ks[q - p] = w->s->v[w->s->pos_snap[q]].k;
		rc = span_chain(w, from ? st_from : st, p, ks, q - p,
				q < w->s->n && chain_at(w, q) == chain);
		p = q;
	}
out:
	if (rc == -EIO && !w->err[0])
		snprintf(w->err, sizeof w->err, "%s", db ? sqlite3_errmsg(db) : "reading failed");
	if (rc < 0 && !w->err[0])
		snprintf(w->err, sizeof w->err, "%s", rc == -ENOMEM ? "out of memory"
								  : "reading the spans failed");
	sqlite3_finalize(st);
	sqlite3_finalize(st_from);
	free(ks);
	if (db && db != w->db)
		sqlite3_close(db);
	w->rc = rc;
	return NULL;
}

/* Hands the part of carry c in w's share (the chain's first positions
 * there, up to c's k_last). */
static int span_carry_in(struct worker *w, const struct carry *c)
{
	size_t lo = w->lo, hi = w->hi, q;
	struct scan_span sp = {.tb = &w->s->tb, .copies = c->copies};
	struct scan_row r = c->row;

	/* the chain's first position in the share: positions are by chain */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (chain_at(w, mid) < c->chain)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (q = lo; q < w->hi && chain_at(w, q) == c->chain &&
		     w->s->v[w->s->pos_snap[q]].k <= c->k_last; q++)
		;
	if (q == lo)
		return 0;
	r.snap = w->s->pos_snap[lo];
	sp.first = (uint32_t)lo;
	sp.last = (uint32_t)(q - 1);
	return w->sink->span(w->sink->ctx, &r, &sp);
}

/* Second round: the spans earlier shares carried here, then the sink's
 * done. */
static void *span_worker_end(void *arg)
{
	struct worker *w = arg;
	int rc = 0;

	for (unsigned u = 0; rc == 0 && u < w->nprev; u++)
		for (size_t i = 0; rc == 0 && i < w->prev[u].ncarry; i++)
			rc = span_carry_in(w, &w->prev[u].carry[i]);
	if (rc == 0 && w->sink->done)
		rc = w->sink->done(w->sink->ctx);
	if (rc < 0)
		snprintf(w->err, sizeof w->err, "%s", rc == -ENOMEM ? "out of memory"
								  : "counting the spans failed");
	w->rc = rc;
	return NULL;
}

/* The end of the share from position lo, weights wt, done of them before
 * it: chain by chain up to want. A chain cut between two shares is read
 * by both (its rowid range is not in k order), so the cut falls between
 * chains, at the one nearer want, unless a chain outweighs half a share
 * (one long recording): that one is cut where want falls. */
static size_t share_end(const struct scan_snaps *s, const uint64_t *wt, size_t lo, uint64_t done,
			uint64_t want, uint64_t share, uint64_t *done_out)
{
	size_t hi = lo;

	while (hi < s->n) {
		uint64_t cw = 0;
		size_t q = hi;

		for (; q < s->n && chain_of(s, q) == chain_of(s, hi); q++)
			cw += wt[q];
		if (done + cw <= want) {
			done += cw;
			hi = q;
			continue;
		}
		if (cw > share / 2) {
			while (hi < q && (done < want || hi == lo))
				done += wt[hi++];
		} else if (hi == lo || want - done >= done + cw - want) {
			done += cw; /* nearer with it than without */
			hi = q;
		}
		break;
	}
	*done_out = done;
	return hi;
}

/* Each position's share of the spans read (its chain's spans, x1024,
 * shared among the chain's selected positions as their rows), their sum in
 * *total: a chain of a flood has several times the spans of its rows'
 * share. NULL (weigh by rows) when span_chains cannot be read or out of
 * memory. */
static uint64_t *span_weights(sqlite3 *db, const struct scan_snaps *s, uint64_t *total)
{
	uint64_t *wt = calloc(s->n ? s->n : 1, sizeof *wt);
	sqlite3_stmt *st = NULL;
	int step = SQLITE_DONE;
	size_t p = 0;

	*total = 0;
	if (!wt ||
	    sqlite3_prepare_v2(db, "SELECT chain, hi - lo + 1 FROM span_chains ORDER BY chain", -1,
			       &st, NULL) != SQLITE_OK)
		goto fail;
	/* positions are by chain: both walked in chain order */
	while (p < s->n && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t chain = sqlite3_column_int64(st, 0);
		double nspans = (double)sqlite3_column_int64(st, 1), rows = 0;
		size_t q;

		while (p < s->n && chain_of(s, p) < chain)
			p++; /* a chain without spans: weight 0 */
		for (q = p; q < s->n && chain_of(s, q) == chain; q++)
			rows += (double)s->v[s->pos_snap[q]].n;
		/* within the chain, as its rows: a flood's snapshots hold
		 * most of its spans */
		for (; p < q; p++) {
			double n = (double)s->v[s->pos_snap[p]].n;

			wt[p] = (uint64_t)(rows > 0 ? nspans * 1024 * n / rows : 0) + 1;
			*total += wt[p];
		}
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return wt;
fail:
	sqlite3_finalize(st);
	free(wt);
	return NULL;
}

int scan_db(sqlite3 *db, const struct scan_snaps *s, const struct filter *flt, unsigned cols,
	    unsigned threads, const struct scan_sink *sinks, char *err, size_t errsz)
{
	const char *path = sqlite3_db_filename(db, "main");
	struct worker w[SCAN_MAX_THREADS];
	struct filter_params p = {0}, p_from = {0};
	struct buf sql, sql_from;
	uint64_t done = 0;
	size_t next = 0;
	bool spans = sinks[0].span != NULL;
	uint64_t *wt = NULL, total = 0;
	void *(*run)(void *) = spans ? span_worker_run : worker_run;
	int rc;

	if (threads < 1)
		threads = 1;
	if (threads > SCAN_MAX_THREADS)
		threads = SCAN_MAX_THREADS;
	/* an in-memory database has no file a second connection could open;
	 * a few thousand rows are not worth a thread */
	if (!path || !*path || s->rows < 200000)
		threads = 1;
	if (threads > s->n)
		threads = s->n ? (unsigned)s->n : 1;
	buf_init(&sql);
	buf_init(&sql_from);
	/* the same parameters in the same order: p binds both */
	if (build_sql(flt, cols, false, spans, &sql, &p) < 0 || !sql.data ||
	    build_sql(flt, cols, true, spans, &sql_from, &p_from) < 0 || !sql_from.data) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	if (spans && !s->pos_snap) {
		snprintf(err, errsz, "spans need the snapshots' order");
		rc = -EINVAL;
		goto out;
	}
	if (spans && threads > 1)
		wt = span_weights(db, s, &total);
	/* contiguous shares of about equal rows (of positions, for spans;
	 * of spans when span_chains tells how many each chain has) */
	for (unsigned i = 0; i < threads; i++) {
		uint64_t want = (wt ? total : s->rows) * (i + 1) / threads;
		size_t hi = next;

		if (wt)
			hi = share_end(s, wt, next, done, want, total / threads, &done);
		while (!wt && hi < s->n && (done < want || hi == next)) {
			done += (uint64_t)s->v[spans ? s->pos_snap[hi] : hi].n;
			hi++;
		}
		if (i == threads - 1)
			hi = s->n;
		w[i] = (struct worker){
			.db = threads == 1 ? db : NULL, .path = path, .s = s, .lo = next, .hi = hi,
			.sql = sql.data, .sql_from = sql_from.data, .p = &p, .cols = cols,
			.sink = &sinks[i], .prev = w, .nprev = i,
		};
		next = hi;
	}
	scan_parallel(run, w, sizeof *w, threads);
	rc = 0;
	for (unsigned i = 0; i < threads; i++)
		if (w[i].rc < 0) {
			snprintf(err, errsz, "%s", w[i].err);
			rc = w[i].rc;
			break;
		}
	/* spans: a second round, when every carry is known */
	if (rc == 0 && spans) {
		scan_parallel(span_worker_end, w, sizeof *w, threads);
		for (unsigned i = 0; i < threads; i++)
			if (w[i].rc < 0) {
				snprintf(err, errsz, "%s", w[i].err);
				rc = w[i].rc;
				break;
			}
	}
	for (unsigned i = 0; spans && i < threads; i++) {
		for (size_t j = 0; j < w[i].ncarry; j++)
			free((char *)w[i].carry[j].row.program);
		free(w[i].carry);
	}
out:
	free(wt);
	buf_fini(&sql);
	buf_fini(&sql_from);
	return rc;
}

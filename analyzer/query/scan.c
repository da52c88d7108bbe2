/* scan — socket rows for reports in C. From the database: each span once,
 * as a range of positions (snapshots by chain and k), to sinks that take
 * spans; or, for sinks that need rows, each thread sweeps the spans of its
 * snapshots' chains in k order, keeping those that cover the snapshot at
 * hand and handing each as `copies` rows (an IPv6 peer's text is parsed
 * only for IPv6 sockets); from dumps: the importer with a store tap
 * instead of SQLite. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "agg.h"
#include "buf.h"
#include "db.h"
#include "scan.h"
#include "tcpstate.h"

void scan_snaps_fini(struct scan_snaps *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].host);
	free(s->v);
	free(s->pos_snap);
	free(s->pos_time);
	memset(s, 0, sizeof *s);
}

static int by_chain_k(const void *x, const void *y, void *arg)
{
	const struct scan_snap *v = arg;
	const struct scan_snap *a = &v[*(const uint32_t *)x], *b = &v[*(const uint32_t *)y];

	if (a->chain != b->chain)
		return a->chain < b->chain ? -1 : 1;
	if (a->k != b->k)
		return a->k < b->k ? -1 : 1;
	return *(const uint32_t *)x < *(const uint32_t *)y ? -1 : 1;
}

int scan_snaps_order(struct scan_snaps *s)
{
	size_t n = s->n;

	free(s->pos_snap);
	free(s->pos_time);
	s->pos_snap = malloc((n ? n : 1) * sizeof *s->pos_snap);
	s->pos_time = malloc((n ? n : 1) * sizeof *s->pos_time);
	if (!s->pos_snap || !s->pos_time) {
		free(s->pos_snap);
		free(s->pos_time);
		s->pos_snap = NULL;
		s->pos_time = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		s->pos_snap[i] = (uint32_t)i;
	qsort_r(s->pos_snap, n, sizeof *s->pos_snap, by_chain_k, s->v);
	s->tb = (struct agg_timebase){s->pos_snap, s->pos_time, n, true};
	for (size_t p = 0; p < n; p++) {
		s->pos_time[p] = s->v[s->pos_snap[p]].time;
		/* snapshots are numbered by time: a chain whose k order is not
		 * theirs makes the sweep look for each stretch's earliest */
		if (p > 0 && s->v[s->pos_snap[p]].chain == s->v[s->pos_snap[p - 1]].chain &&
		    s->pos_snap[p] < s->pos_snap[p - 1])
			s->tb.ordered = false;
	}
	return 0;
}

static int snaps_add(struct scan_snaps *s, const struct scan_snap *sn)
{
	struct scan_snap *v = grow(s->v, &s->cap, s->n, sizeof *v, 64);

	if (!v)
		return -ENOMEM;
	s->v = v;
	if (s->n >= UINT32_MAX - 1)
		return -E2BIG;
	s->v[s->n] = *sn;
	s->v[s->n].host = strdup(sn->host ? sn->host : "unknown");
	if (!s->v[s->n].host)
		return -ENOMEM;
	s->rows += (uint64_t)sn->n;
	s->n++;
	return 0;
}

int scan_prepare(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		 const char *tail, sqlite3_stmt **st, char *err, size_t errsz)
{
	struct filter_params p = {0};
	struct buf sql;
	int rc;

	*st = NULL;
	buf_init(&sql);
	rc = filter_sql_snaps(flt, have_at, at, &sql, &p);
	if (rc == 0)
		rc = buf_puts(&sql, tail);
	if (rc < 0) {
		snprintf(err, errsz, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(db, sql.data, -1, st, NULL) != SQLITE_OK ||
	    filter_bind(*st, &p) != SQLITE_OK) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(*st);
		*st = NULL;
		rc = -EIO;
	}
out:
	buf_fini(&sql);
	return rc;
}

int scan_snaps_load(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		    struct scan_snaps *out, char *err, size_t errsz)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	rc = scan_prepare(db, flt, have_at, at,
			  " SELECT sn.id, sn.time, sn.c, sn.kk, sn.n, s.host, coalesce(s.interval_us, 0)"
			  " FROM snaps sn JOIN snapshots s USING (id) ORDER BY sn.time, sn.id",
			  &st, err, errsz);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct scan_snap sn = {
			.id = sqlite3_column_int64(st, 0),
			.time = sqlite3_column_int64(st, 1),
			.chain = sqlite3_column_int64(st, 2),
			.k = sqlite3_column_int64(st, 3),
			.n = sqlite3_column_int64(st, 4),
			.host = (char *)sqlite3_column_text(st, 5),
			.interval = sqlite3_column_int64(st, 6),
		};

		if ((rc = snaps_add(out, &sn)) < 0) {
			snprintf(err, errsz, "out of memory");
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		rc = -EIO;
		goto out;
	}
	if ((rc = scan_snaps_order(out)) < 0)
		snprintf(err, errsz, "out of memory");
out:
	if (rc < 0)
		scan_snaps_fini(out);
	sqlite3_finalize(st);
	return rc;
}

/* ---- from the database --------------------------------------------------- */

struct worker {
	sqlite3 *db;             /* shared (one thread) or NULL: open path */
	const char *path;
	const struct scan_snaps *s;
	size_t lo, hi;           /* snapshots [lo, hi) */
	const char *sql;
	const struct filter_params *p;
	const struct scan_sink *sink;
	unsigned cols;
	int rc;
	char err[256];
};

/* The statement: a chain's spans (?1) that reach into k ?2 .. ?3, by
 * k_first, filtered; columns: state, family, rnet, an IPv6 peer's text,
 * lport, program, k_first, k_last, copies, ord, proto. Per span, not per
 * row: all of them. */
static int build_sql(const struct filter *flt, unsigned cols, struct buf *sql,
		     struct filter_params *p)
{
	int rc = buf_puts(sql, "SELECT k.state, k.family, k.rnet, CASE WHEN k.family = 4"
			       " THEN NULL ELSE k.raddr END, k.lport, k.program, k.k_first,"
			       " k.k_last, k.copies, k.ord, k.proto FROM spans k"
			       " WHERE k.chain = ?1 AND k.k_first <= ?3 AND k.k_last >= ?2");

	/* ?1 .. ?3: bound per chain */
	for (int i = 0; rc == 0 && i < 3; i++)
		rc = filter_param_int(p, 0);
	if (rc == 0)
		rc = filter_sql_sockets(flt, sql, p);
	if (rc == 0 && (cols & SCAN_HAS_PEER))
		rc = filter_sql_has_peer(sql);
	if (rc == 0)
		rc = buf_puts(sql, " ORDER BY k.k_first");
	return rc;
}

/* The peer of a row: an IPv4 socket's is its rnet; an IPv6 socket's is its
 * text, which may be a folded IPv4-mapped address. */
static int row_peer(sqlite3_stmt *st, struct addr *peer)
{
	/* every byte: an IPv4 peer after an IPv6 one must not keep its tail
	 * (group keys are the whole 16 bytes) */
	memset(peer, 0, sizeof *peer);
	if (sqlite3_column_int(st, 1) == 4) {
		uint32_t v = (uint32_t)sqlite3_column_int64(st, 2);

		peer->family = AF_INET;
		peer->a[0] = (uint8_t)(v >> 24);
		peer->a[1] = (uint8_t)(v >> 16);
		peer->a[2] = (uint8_t)(v >> 8);
		peer->a[3] = (uint8_t)v;
		return 0;
	}
	return addr_parse((const char *)sqlite3_column_text(st, 3),
			  (size_t)sqlite3_column_bytes(st, 3), peer);
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
	int stn;

	c->have_next = false;
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return -EIO;
	memset(a, 0, sizeof *a);
	stn = agg_state_parse((const char *)sqlite3_column_text(st, 0),
			      (size_t)sqlite3_column_bytes(st, 0));
	a->row.state = (uint8_t)(stn < 0 ? 0 : stn);
	if ((cols & SCAN_PEER) && row_peer(st, &a->row.peer) < 0)
		memset(&a->row.peer, 0, sizeof a->row.peer);
	if (cols & SCAN_LPORT)
		a->row.lport = (uint16_t)sqlite3_column_int(st, 4);
	if ((cols & SCAN_PROGRAM) && sqlite3_column_type(st, 5) != SQLITE_NULL) {
		a->row.program = strdup((const char *)sqlite3_column_text(st, 5));
		if (!a->row.program)
			return -ENOMEM;
	}
	a->k_first = sqlite3_column_int64(st, 6);
	a->k_last = sqlite3_column_int64(st, 7);
	a->copies = (uint32_t)sqlite3_column_int64(st, 8);
	a->ord = sqlite3_column_int64(st, 9);
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

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	sqlite3 *db = w->db;
	struct chainref *refs = NULL;
	size_t nrefs = w->hi - w->lo;
	struct chainst *open = NULL;
	size_t nopen = 0;
	int rc = 0;

	if (!db) {
		if (db_open_reader(w->path, &db) != SQLITE_OK) {
			snprintf(w->err, sizeof w->err, "%s: %s", w->path,
				 db ? sqlite3_errmsg(db) : "out of memory");
			rc = -EIO;
			goto out;
		}
		/* mapped pages are read in place, not copied through read(2) */
		sqlite3_exec(db, "PRAGMA cache_size = -16384; PRAGMA mmap_size = 4294967296", NULL,
			     NULL, NULL);
	}
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

/* One chain's piece of the share: positions p0 .. p0 + n - 1, with k ks[]. */
static int span_chain(struct worker *w, sqlite3_stmt *st, size_t p0, const int64_t *ks, size_t n)
{
	struct scan_span sp = {.tb = &w->s->tb};
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, w->s->v[w->s->pos_snap[p0]].chain);
	sqlite3_bind_int64(st, 2, ks[0]);
	sqlite3_bind_int64(st, 3, ks[n - 1]);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct scan_row r = {0};
		size_t a = k_at_or_above(ks, n, sqlite3_column_int64(st, 6));
		size_t b = k_at_or_above(ks, n, sqlite3_column_int64(st, 7) + 1);
		int stn;

		if (a >= b)
			continue;   /* between the snapshots selected */
		stn = agg_state_parse((const char *)sqlite3_column_text(st, 0),
				      (size_t)sqlite3_column_bytes(st, 0));
		r.state = (uint8_t)(stn < 0 ? 0 : stn);
		if ((w->cols & SCAN_PEER) && row_peer(st, &r.peer) < 0)
			memset(&r.peer, 0, sizeof r.peer);
		if (w->cols & SCAN_LPORT)
			r.lport = (uint16_t)sqlite3_column_int(st, 4);
		if ((w->cols & SCAN_PROGRAM) && sqlite3_column_type(st, 5) != SQLITE_NULL)
			r.program = (const char *)sqlite3_column_text(st, 5);
		r.proto = (uint8_t)(sqlite3_column_text(st, 10)[0] == 't'   ? IPPROTO_TCP
				    : sqlite3_column_text(st, 10)[0] == 'u' ? IPPROTO_UDP
									    : IPPROTO_RAW);
		r.snap = w->s->pos_snap[p0 + a];
		sp.first = (uint32_t)(p0 + a);
		sp.last = (uint32_t)(p0 + b - 1);
		sp.copies = (uint32_t)sqlite3_column_int64(st, 8);
		if ((rc = w->sink->span(w->sink->ctx, &r, &sp)) < 0)
			return rc;
	}
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/* A worker of spans: its share [lo, hi) is of positions (scan_snaps_order),
 * read chain piece by chain piece, each span handed once. */
static void *span_worker_run(void *arg)
{
	struct worker *w = arg;
	sqlite3 *db = w->db;
	sqlite3_stmt *st = NULL;
	int64_t *ks = NULL;
	int rc = 0;

	if (!db) {
		if (db_open_reader(w->path, &db) != SQLITE_OK) {
			snprintf(w->err, sizeof w->err, "%s: %s", w->path,
				 db ? sqlite3_errmsg(db) : "out of memory");
			rc = -EIO;
			goto out;
		}
		sqlite3_exec(db, "PRAGMA cache_size = -16384; PRAGMA mmap_size = 4294967296", NULL,
			     NULL, NULL);
	}
	if (!(ks = malloc((w->hi - w->lo + 1) * sizeof *ks))) {
		rc = -ENOMEM;
		goto out;
	}
	if (sqlite3_prepare_v2(db, w->sql, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, w->p) != SQLITE_OK) {
		rc = -EIO;
		goto out;
	}
	for (size_t p = w->lo; p < w->hi && rc == 0;) {
		int64_t chain = w->s->v[w->s->pos_snap[p]].chain;
		size_t q = p;

		for (; q < w->hi && w->s->v[w->s->pos_snap[q]].chain == chain; q++)
			ks[q - p] = w->s->v[w->s->pos_snap[q]].k;
		rc = span_chain(w, st, p, ks, q - p);
		p = q;
	}
out:
	if (rc == -EIO && !w->err[0])
		snprintf(w->err, sizeof w->err, "%s", db ? sqlite3_errmsg(db) : "reading failed");
	if (rc < 0 && !w->err[0])
		snprintf(w->err, sizeof w->err, "%s", rc == -ENOMEM ? "out of memory"
								  : "reading the spans failed");
	sqlite3_finalize(st);
	free(ks);
	if (db && db != w->db)
		sqlite3_close(db);
	w->rc = rc;
	return NULL;
}

#define MAX_THREADS 16

int scan_db(sqlite3 *db, const struct scan_snaps *s, const struct filter *flt, unsigned cols,
	    unsigned threads, const struct scan_sink *sinks, char *err, size_t errsz)
{
	const char *path = sqlite3_db_filename(db, "main");
	struct worker w[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	bool started[MAX_THREADS] = {false};
	struct filter_params p = {0};
	struct buf sql;
	uint64_t done = 0;
	size_t next = 0;
	bool spans = sinks[0].span != NULL;
	void *(*run)(void *) = spans ? span_worker_run : worker_run;
	int rc;

	if (threads < 1)
		threads = 1;
	if (threads > MAX_THREADS)
		threads = MAX_THREADS;
	/* an in-memory database has no file a second connection could open;
	 * a few thousand rows are not worth a thread */
	if (!path || !*path || s->rows < 200000)
		threads = 1;
	if (threads > s->n)
		threads = s->n ? (unsigned)s->n : 1;
	buf_init(&sql);
	if (build_sql(flt, cols, &sql, &p) < 0 || !sql.data) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	if (spans && !s->pos_snap) {
		snprintf(err, errsz, "spans need the snapshots' order");
		rc = -EINVAL;
		goto out;
	}
	/* contiguous shares of about equal rows (of positions, for spans) */
	for (unsigned i = 0; i < threads; i++) {
		uint64_t want = s->rows * (i + 1) / threads;
		size_t hi = next;

		while (hi < s->n && (done < want || hi == next)) {
			done += (uint64_t)s->v[spans ? s->pos_snap[hi] : hi].n;
			hi++;
		}
		if (i == threads - 1)
			hi = s->n;
		w[i] = (struct worker){
			.db = threads == 1 ? db : NULL, .path = path, .s = s, .lo = next, .hi = hi,
			.sql = sql.data, .p = &p, .cols = cols, .sink = &sinks[i],
		};
		next = hi;
	}
	if (threads == 1) {
		run(&w[0]);
	} else {
		for (unsigned i = 0; i < threads; i++) {
			if (pthread_create(&tid[i], NULL, run, &w[i]) != 0) {
				w[i].rc = -EAGAIN;
				snprintf(w[i].err, sizeof w[i].err, "cannot start a thread");
				continue;
			}
			started[i] = true;
		}
		for (unsigned i = 0; i < threads; i++)
			if (started[i])
				pthread_join(tid[i], NULL);
	}
	rc = 0;
	for (unsigned i = 0; i < threads; i++)
		if (w[i].rc < 0) {
			snprintf(err, errsz, "%s", w[i].err);
			rc = w[i].rc;
			break;
		}
out:
	buf_fini(&sql);
	return rc;
}

/* ---- sockets per state and snapshot ------------------------------------- */

static int count_snap(void *ctx, uint32_t snap, usec_t time)
{
	return agg_snapshot(ctx, snap, time);
}

static int count_row(void *ctx, const struct scan_row *row)
{
	struct agg_key k = {{0}};

	k.b[0] = row->state;
	return agg_add(ctx, &k, NULL, row->state);
}

static int count_span(void *ctx, const struct scan_row *row, const struct scan_span *sp)
{
	struct agg_key k = {{0}};

	k.b[0] = row->state;
	return agg_span(ctx, sp->tb, &k, NULL, row->state, sp->first, sp->last, sp->copies);
}

struct idpos {
	int64_t id;
	uint32_t pos;
};

static int by_id(const void *x, const void *y)
{
	const struct idpos *a = x, *b = y;

	return a->id < b->id ? -1 : a->id > b->id;
}

/* The counts import stored per snapshot and state (snapshot_states), each
 * a span of one position: only --state and --proto filter them. 0, or
 * -errno with err set. */
static int count_stored(sqlite3 *db, const struct scan_snaps *s, const struct filter *flt,
			struct agg *agg, char *err, size_t errsz)
{
	struct filter f = {.port = -1, .lport = -1, .rport = -1, .states = flt->states,
			   .protos = flt->protos};
	struct filter_params p = {0};
	struct idpos *ids = malloc((s->n ? s->n : 1) * sizeof *ids);
	sqlite3_stmt *st = NULL;
	struct buf sql;
	int rc;

	buf_init(&sql);
	if (!ids) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < s->n; i++)
		ids[i] = (struct idpos){s->v[s->pos_snap[i]].id, (uint32_t)i};
	qsort(ids, s->n, sizeof *ids, by_id);
	rc = filter_sql_snaps(flt, false, 0, &sql, &p);
	if (rc == 0)
		rc = buf_puts(&sql, " SELECT k.snapshot_id, k.state, k.n FROM snapshot_states k"
				    " WHERE k.snapshot_id IN (SELECT id FROM snaps)");
	if (rc == 0)
		rc = filter_sql_sockets(&f, &sql, &p);
	if (rc < 0)
		goto out;
	if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, &p) != SQLITE_OK) {
		rc = -EIO;
		goto out;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct idpos key = {sqlite3_column_int64(st, 0), 0}, *at;
		int stn = agg_state_parse((const char *)sqlite3_column_text(st, 1),
					  (size_t)sqlite3_column_bytes(st, 1));
		int64_t n = sqlite3_column_int64(st, 2);
		struct agg_key k = {{0}};

		at = bsearch(&key, ids, s->n, sizeof *ids, by_id);
		if (!at || n <= 0)
			continue;
		k.b[0] = (uint8_t)(stn < 0 ? 0 : stn);
		rc = agg_span(agg, &s->tb, &k, NULL, k.b[0], at->pos, at->pos,
			      n > UINT32_MAX ? UINT32_MAX : (uint32_t)n);
		if (rc < 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : -EIO;
out:
	if (rc == -EIO)
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	buf_fini(&sql);
	free(ids);
	return rc;
}

int scan_count_states(const struct scan_src *src, const struct scan_snaps *s,
		      const struct filter *flt, struct agg **out, char *err, size_t errsz)
{
	unsigned nt = src->threads ? src->threads : 1;
	struct agg *agg[MAX_THREADS] = {NULL};
	struct scan_sink sinks[MAX_THREADS];
	int rc = -ENOMEM;

	*out = NULL;
	if (nt > MAX_THREADS)
		nt = MAX_THREADS;
	for (unsigned i = 0; i < nt; i++) {
		if (!(agg[i] = agg_new(AGG_CELLS)))
			goto out;
		sinks[i] = (struct scan_sink){count_snap, count_row, agg[i], NULL, count_span};
	}
	if (!s->pos_snap) {
		snprintf(err, errsz, "spans need the snapshots' order");
		rc = -EINVAL;
		goto out;
	}
	/* other socket filters than state and protocol: the spans, counted */
	if (flt->port < 0 && flt->lport < 0 && flt->rport < 0 && !flt->family && !flt->program)
		rc = count_stored(src->db, s, flt, agg[0], err, errsz);
	else
		rc = scan_db(src->db, s, flt, 0, nt, sinks, err, errsz);
	if (rc < 0)
		goto out;
	rc = -ENOMEM;
	for (unsigned i = 0; i < nt; i++)
		if (agg_end(agg[i]) < 0 || (i > 0 && agg_merge(agg[0], agg[i]) < 0))
			goto out;
	*out = agg[0];
	agg[0] = NULL;
	rc = 0;
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	for (unsigned i = 0; i < nt; i++)
		agg_free(agg[i]);
	return rc;
}

/* ---- from dumps, without a database -------------------------------------- */

/*
 * The parser (the importer, in this thread) and the grouping (the sink, in
 * a consumer thread) overlap: kept rows travel in chunks through a small
 * ring, so memory stays bounded whatever the input. A dump's rows are final
 * as they come and stream at once; a segment's snapshot is held until the
 * importer says it is whole (a torn one is discarded, as SQLite would roll
 * it back). A snapshot is announced with its first row, or when it ends
 * (an empty snapshot counts, as in the database).
 */
#define CHUNK_ROWS 8192
#define CHUNK_MARKS 64
#define RING 4

struct chunk {
	struct scan_row rows[CHUNK_ROWS];
	size_t prog[CHUNK_ROWS]; /* offset + 1 in arena; 0: none */
	size_t n;
	struct buf arena;
	struct {
		size_t at;       /* before rows[at] */
		uint32_t snap;
		usec_t time;
	} mark[CHUNK_MARKS];
	size_t nmark;
};

struct tap {
	const struct filter *flt;
	unsigned cols;
	struct scan_snaps *snaps;
	const struct scan_sink *sink;
	/* the snapshot being read */
	struct scan_snap cur;
	char host[256];
	bool announced;
	uint64_t kept;
	struct chunk held;       /* a segment's snapshot until it is whole */
	struct scan_row *hrows;  /* ... beyond one chunk */
	size_t *hprog, hn, hcap;
	/* the ring: chunks go full -> consumer -> free */
	struct chunk *fill;      /* being filled; NULL: take a free one */
	struct chunk *free_[RING], *full[RING + 1];
	size_t nfree, nfull;
	bool threaded, done;
	int crc;                 /* the consumer's error */
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* The sink's side: a chunk's marks and rows, in order. */
static int consume(struct tap *t, struct chunk *c)
{
	size_t m = 0;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i <= c->n; i++) {
		for (; rc == 0 && m < c->nmark && c->mark[m].at == i; m++)
			rc = t->sink->snap(t->sink->ctx, c->mark[m].snap, c->mark[m].time);
		if (rc == 0 && i < c->n) {
			if (t->sink->prefetch && i + 16 < c->n)
				t->sink->prefetch(t->sink->ctx, &c->rows[i + 16], 0);
			if (t->sink->prefetch && i + 8 < c->n)
				t->sink->prefetch(t->sink->ctx, &c->rows[i + 8], 1);
			c->rows[i].program = c->prog[i] ? c->arena.data + c->prog[i] - 1 : NULL;
			rc = t->sink->row(t->sink->ctx, &c->rows[i]);
		}
	}
	c->n = 0;
	c->nmark = 0;
	buf_reset(&c->arena);
	return rc;
}

static void *consumer(void *arg)
{
	struct tap *t = arg;

	pthread_mutex_lock(&t->mu);
	for (;;) {
		struct chunk *c;
		int rc;

		while (t->nfull == 0 && !t->done)
			pthread_cond_wait(&t->cv, &t->mu);
		if (t->nfull == 0)
			break;
		c = t->full[0];
		memmove(t->full, t->full + 1, --t->nfull * sizeof *t->full);
		pthread_mutex_unlock(&t->mu);
		rc = t->crc ? 0 : consume(t, c);
		pthread_mutex_lock(&t->mu);
		if (rc < 0 && !t->crc)
			t->crc = rc;
		c->n = 0;
		c->nmark = 0;
		t->free_[t->nfree++] = c;
		pthread_cond_broadcast(&t->cv);
	}
	pthread_mutex_unlock(&t->mu);
	return NULL;
}

/* Hands the chunk being filled to the consumer (or consumes it here). */
static int flush(struct tap *t)
{
	struct chunk *c = t->fill;
	int rc;

	if (!c || (c->n == 0 && c->nmark == 0))
		return 0;
	t->fill = NULL;
	if (!t->threaded) {
		rc = consume(t, c);
		t->free_[t->nfree++] = c;
		return rc;
	}
	pthread_mutex_lock(&t->mu);
	t->full[t->nfull++] = c;
	pthread_cond_broadcast(&t->cv);
	rc = t->crc;
	pthread_mutex_unlock(&t->mu);
	return rc;
}

/* The chunk to fill, with room for a row and a mark. */
static int filling(struct tap *t, struct chunk **out)
{
	int rc = 0;

	if (t->fill && (t->fill->n == CHUNK_ROWS || t->fill->nmark == CHUNK_MARKS) &&
	    (rc = flush(t)) < 0)
		return rc;
	if (!t->fill) {
		if (t->threaded) {
			pthread_mutex_lock(&t->mu);
			while (t->nfree == 0 && !t->crc)
				pthread_cond_wait(&t->cv, &t->mu);
			rc = t->crc;
			if (rc == 0)
				t->fill = t->free_[--t->nfree];
			pthread_mutex_unlock(&t->mu);
			if (rc < 0)
				return rc;
		} else {
			t->fill = t->free_[--t->nfree];
		}
	}
	*out = t->fill;
	return 0;
}

/* The snapshot's first row: it gets its number and the consumer hears of it. */
static int announce(struct tap *t)
{
	struct chunk *c;
	int rc;

	if (t->announced)
		return 0;
	if ((rc = filling(t, &c)) < 0 || (rc = snaps_add(t->snaps, &t->cur)) < 0)
		return rc;
	c->mark[c->nmark].at = c->n;
	c->mark[c->nmark].snap = (uint32_t)(t->snaps->n - 1);
	c->mark[c->nmark++].time = t->cur.time;
	t->announced = true;
	return 0;
}

static int send_row(struct tap *t, const struct scan_row *r, const char *program)
{
	struct chunk *c;
	int rc = filling(t, &c);

	if (rc < 0)
		return rc;
	c->rows[c->n] = *r;
	c->rows[c->n].snap = (uint32_t)(t->snaps->n - 1);
	c->prog[c->n] = 0;
	if ((t->cols & SCAN_PROGRAM) && program) {
		c->prog[c->n] = c->arena.len + 1;
		if (buf_puts(&c->arena, program) < 0 || buf_putc(&c->arena, '\0') < 0)
			return -ENOMEM;
	}
	c->n++;
	t->kept++;
	return 0;
}

static int tap_snapshot(void *ctx, const struct store_snapshot *snap)
{
	struct tap *t = ctx;

	if (!filter_match_snapshot(t->flt, snap->host, snap->time))
		return 1;
	t->announced = false;
	t->kept = 0;
	t->hn = 0;
	buf_reset(&t->held.arena);
	snprintf(t->host, sizeof t->host, "%s", snap->host ? snap->host : "unknown");
	t->cur = (struct scan_snap){.time = snap->time, .host = t->host};
	return 0;
}

/* The filter's socket conditions, in C: what filter_sql_sockets() says in
 * SQL (a state bit stands for UNCONN too; --family is the peer's). */
static bool match(const struct filter *f, unsigned cols, const struct scan_row *r)
{
	if (f->states) {
		unsigned st = r->state == AGG_UNCONN ? ST_CLOSE : r->state;

		if (!(f->states & (1u << st)))
			return false;
	}
	if ((f->port >= 0 && r->lport != f->port && r->rport != f->port) ||
	    (f->lport >= 0 && r->lport != f->lport) || (f->rport >= 0 && r->rport != f->rport))
		return false;
	if (f->protos) {
		unsigned bit = r->proto == IPPROTO_TCP ? FILTER_TCP
			       : r->proto == IPPROTO_UDP ? FILTER_UDP
							 : FILTER_RAW;

		if (!(f->protos & bit))
			return false;
	}
	if (f->family && (r->peer.family == AF_INET6) != (f->family == 6))
		return false;
	if (f->program && (!r->program || strcmp(r->program, f->program)))
		return false;
	return !(cols & SCAN_HAS_PEER) || !addr_is_unspecified(&r->peer);
}

/* A row a segment's parser prepared for SQLite (addresses as text): held
 * with its snapshot until tap_finish. */
static int tap_row(void *ctx, const struct store_row *r)
{
	struct tap *t = ctx;
	struct scan_row sr = {0};
	int st = agg_state_parse(r->state, strlen(r->state));

	sr.state = (uint8_t)(st < 0 ? 0 : st);
	sr.proto = (uint8_t)(!strcmp(r->proto, "tcp") ? IPPROTO_TCP
			     : !strcmp(r->proto, "udp") ? IPPROTO_UDP
							: IPPROTO_RAW);
	sr.lport = r->lport;
	sr.rport = r->rport;
	if (addr_parse(r->raddr, r->rlen, &sr.peer) < 0)
		memset(&sr.peer, 0, sizeof sr.peer);
	sr.program = r->program;
	if (!match(t->flt, t->cols, &sr))
		return 0;
	if (t->hn == t->hcap) {
		size_t cap = t->hcap ? t->hcap * 2 : 1024;
		struct scan_row *v = realloc(t->hrows, cap * sizeof *v);
		size_t *pv;

		if (!v)
			return -ENOMEM;
		t->hrows = v;
		if (!(pv = realloc(t->hprog, cap * sizeof *pv)))
			return -ENOMEM;
		t->hprog = pv;
		t->hcap = cap;
	}
	t->hrows[t->hn] = sr;
	t->hprog[t->hn] = 0;
	if ((t->cols & SCAN_PROGRAM) && r->program) {
		t->hprog[t->hn] = t->held.arena.len + 1;
		if (buf_puts(&t->held.arena, r->program) < 0 || buf_putc(&t->held.arena, '\0') < 0)
			return -ENOMEM;
	}
	t->hn++;
	return 0;
}

/* A row straight from a dump's parser (checked by the store): final, sent
 * on at once. */
static int tap_sock(void *ctx, const struct sock_row *r)
{
	struct tap *t = ctx;
	struct scan_row sr = {0};
	int st = r->state == ST_NEW_SYN_RECV ? ST_SYN_RECV : r->state;
	int rc;

	if (!t->announced && (rc = announce(t)) < 0)
		return rc;
	if (r->proto != IPPROTO_TCP && st == ST_CLOSE)
		st = AGG_UNCONN;
	sr.state = (uint8_t)(st > 0 && st < AGG_NSTATE ? st : 0);
	sr.proto = (uint8_t)r->proto;
	sr.lport = r->lport;
	sr.rport = r->rport;
	sr.peer = r->remote;
	addr_fold(&sr.peer);
	sr.program = r->program;
	return match(t->flt, t->cols, &sr) ? send_row(t, &sr, r->program) : 0;
}

static int tap_finish(void *ctx)
{
	struct tap *t = ctx;
	int rc = 0;

	/* a held (segment) snapshot is whole now; an empty one counts too, as
	 * in the database (it was taken: its groups are absent, not unknown) */
	if (!t->announced && (rc = announce(t)) < 0)
		return rc;
	for (size_t i = 0; rc == 0 && i < t->hn; i++)
		rc = send_row(t, &t->hrows[i],
			      t->hprog[i] ? t->held.arena.data + t->hprog[i] - 1 : NULL);
	t->hn = 0;
	if (t->announced) {
		t->snaps->v[t->snaps->n - 1].n = (int64_t)t->kept;
		t->snaps->rows += t->kept;
	}
	return rc;
}

static void tap_discard(void *ctx)
{
	struct tap *t = ctx;

	t->hn = 0;
}

int scan_files(char *const *paths, size_t npaths, const struct import_opts *o,
	       const struct filter *flt, unsigned cols, struct scan_snaps *s,
	       const struct scan_sink *sink, FILE *msg, struct import_totals *totals)
{
	struct tap *t = calloc(1, sizeof *t);
	struct store_tap st = {tap_snapshot, tap_row, tap_sock, tap_finish, tap_discard, t};
	struct importer *im = NULL;
	int rc = -ENOMEM, r;

	if (!t)
		return -ENOMEM;
	*t = (struct tap){.flt = flt, .cols = cols, .snaps = s, .sink = sink};
	buf_init(&t->held.arena);
	for (size_t i = 0; i < RING; i++) {
		if (!(t->free_[i] = calloc(1, sizeof *t->free_[i])))
			goto out;
		buf_init(&t->free_[i]->arena);
		t->nfree++;
	}
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	/* no thread, no overlap: the rows are grouped here then */
	t->threaded = pthread_create(&t->tid, NULL, consumer, t) == 0;
	if (importer_new_tap(o, &st, msg, &im) < 0)
		goto stop;
	rc = 0;
	for (size_t i = 0; i < npaths; i++) {
		r = importer_path(im, paths[i]);
		if (r < 0) {
			rc = r;
			break;
		}
		if (r > 0)
			rc = 1;
	}
	if (totals)
		*totals = *importer_totals(im);
stop:
	r = flush(t);
	if (t->threaded) {
		pthread_mutex_lock(&t->mu);
		t->done = true;
		pthread_cond_broadcast(&t->cv);
		pthread_mutex_unlock(&t->mu);
		pthread_join(t->tid, NULL);
		r = t->crc ? t->crc : r;
	}
	if (rc >= 0 && r < 0)
		rc = r;
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
out:
	importer_free(im);
	for (size_t i = 0; i < t->nfree; i++) {
		buf_fini(&t->free_[i]->arena);
		free(t->free_[i]);
	}
	if (t->fill) {
		buf_fini(&t->fill->arena);
		free(t->fill);
	}
	buf_fini(&t->held.arena);
	free(t->hrows);
	free(t->hprog);
	free(t);
	return rc;
}

int scan_run(struct scan_src *src, const struct filter *flt, bool have_at, usec_t at,
	     unsigned cols, unsigned nsinks, const struct scan_sink *sinks,
	     struct scan_snaps *snaps, char *err, size_t errsz)
{
	struct import_totals tot = {0};
	int rc;

	memset(snaps, 0, sizeof *snaps);
	if (src->db) {
		rc = scan_snaps_load(src->db, flt, have_at, at, snaps, err, errsz);
		if (rc == 0)
			rc = scan_db(src->db, snaps, flt, cols, nsinks, sinks, err, errsz);
		return rc;
	}
	if (have_at) {
		snprintf(err, errsz, "--at needs every snapshot first (a database)");
		return -EINVAL;
	}
	rc = scan_files(src->files, src->nfiles, &src->io, flt, cols, snaps, &sinks[0], src->msg,
			&tot);
	if (rc < 0) {
		snprintf(err, errsz, "%s", rc == -ENOMEM ? "out of memory" : strerror(-rc));
		return rc;
	}
	src->status = rc;
	src->named_peers = tot.named_peers;
	if (tot.snapshots == 0) {
		snprintf(err, errsz, "nothing to report: no snapshot could be read");
		return -ENODATA;
	}
	return 0;
}

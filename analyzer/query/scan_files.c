/* scan_files — socket rows for reports straight from dumps, with no
 * database: the importer with a store tap instead of SQLite, filters in C. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "agg.h"
#include "scan.h"
#include "scan_int.h"
#include "tcpstate.h"

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
	if ((rc = filling(t, &c)) < 0 || (rc = scan_snaps_add(t->snaps, &t->cur)) < 0)
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
	if ((t->cols & SCAN_LOCAL) && addr_parse(r->laddr, r->llen, &sr.local) < 0)
		memset(&sr.local, 0, sizeof sr.local);
	sr.named = r->rhost != NULL;
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
	if (t->cols & SCAN_LOCAL) {
		sr.local = r->local;
		addr_fold(&sr.local);
	}
	sr.named = r->rhost != NULL;
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

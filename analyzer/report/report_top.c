/* report_top — rows grouped in C (agg): per group its peak over the
 * snapshots with the state mix there, average, share, distinct peers,
 * first/last seen and presence; the key chosen by --by. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agg.h"
#include "buf.h"
#include "intern.h"
#include "named.h"
#include "peercount.h"
#include "report_top.h"

static const char *const by_name[] = {"ip", "subnet", "port", "program", "state"};

int report_top_by_parse(const char *s, enum report_top_by *by)
{
	for (unsigned i = 0; i < sizeof by_name / sizeof by_name[0]; i++)
		if (!strcmp(s, by_name[i])) {
			*by = (enum report_top_by)i;
			return 0;
		}
	return -EINVAL;
}

/* One reading thread's state. */
struct top_ctx {
	const struct report_top_opts *o;
	struct agg *agg;
	struct intern names;     /* REPORT_TOP_PROGRAM (one thread) */
};

static int on_snap(void *ctx, uint32_t snap, usec_t time)
{
	struct top_ctx *c = ctx;

	return agg_snapshot(c->agg, snap, time);
}

/* The group key of a row, except a program's (its number is made in
 * on_row). */
static void row_key(const struct report_top_opts *o, const struct scan_row *r, struct agg_key *k)
{
	memset(k, 0, sizeof *k);
	switch (o->by) {
	case REPORT_TOP_IP:
		agg_key_addr(k, &r->peer, 0, 0);
		break;
	case REPORT_TOP_SUBNET:
		agg_key_addr(k, &r->peer, o->prefix4, o->prefix6);
		break;
	case REPORT_TOP_PORT:
		k->b[0] = (uint8_t)(r->lport >> 8);
		k->b[1] = (uint8_t)r->lport;
		break;
	case REPORT_TOP_PROGRAM:
		break;
	case REPORT_TOP_STATE:
	default:
		k->b[0] = r->state;
		break;
	}
}

static void on_prefetch(void *ctx, const struct scan_row *r, int stage)
{
	struct top_ctx *c = ctx;
	struct agg_key k;

	if (c->o->by != REPORT_TOP_PROGRAM) {
		row_key(c->o, r, &k);
		agg_prefetch(c->agg, &k, stage);
	}
}

/* A row's group key and peer: 0, or -ENOMEM. */
static int row_group(struct top_ctx *c, const struct scan_row *r, struct agg_key *k,
		     const struct addr **peer)
{
	long id;

	/* a listener's or unconnected socket's "peer" (0.0.0.0, ::) is nobody */
	*peer = r->peer.family && !addr_is_unspecified(&r->peer) ? &r->peer : NULL;
	row_key(c->o, r, k);
	/* 0 is "-": no program known */
	if (c->o->by == REPORT_TOP_PROGRAM && r->program) {
		if ((id = intern_id(&c->names, r->program)) < 0)
			return (int)id;
		id++;
		memcpy(k->b, &id, sizeof id);
	}
	return 0;
}

static int on_row(void *ctx, const struct scan_row *r)
{
	struct top_ctx *c = ctx;
	const struct addr *peer;
	struct agg_key k;
	int rc = row_group(c, r, &k, &peer);

	return rc < 0 ? rc : agg_add(c->agg, &k, peer, r->state);
}

static int on_span(void *ctx, const struct scan_row *r, const struct scan_span *sp)
{
	struct top_ctx *c = ctx;
	const struct addr *peer;
	struct agg_key k;
	int rc = row_group(c, r, &k, &peer);

	return rc < 0 ? rc
		      : agg_span(c->agg, sp->tb, &k, peer, r->state, sp->first, sp->last,
				 sp->copies);
}

/* The thread's share read: its counts closed there, side by side. */
static int on_done(void *ctx)
{
	return agg_end(((struct top_ctx *)ctx)->agg);
}

/* A group's name as the report prints it (and sorts it by). */
static void key_name(const struct report_top_opts *o, const struct top_ctx *c,
		     const struct agg_group *g, char *out, size_t n)
{
	long id;

	switch (o->by) {
	case REPORT_TOP_IP:
		agg_key_addr_format(&g->key, 0, 0, out, n);
		break;
	case REPORT_TOP_SUBNET:
		agg_key_addr_format(&g->key, o->prefix4, o->prefix6, out, n);
		break;
	case REPORT_TOP_PORT:
		snprintf(out, n, "%u", (unsigned)g->key.b[0] << 8 | g->key.b[1]);
		break;
	case REPORT_TOP_PROGRAM:
		memcpy(&id, g->key.b, sizeof id);
		snprintf(out, n, "%s", id > 0 && (size_t)id <= c->names.n ? c->names.v[id - 1] : "-");
		break;
	case REPORT_TOP_STATE:
	default:
		snprintf(out, n, "%s", agg_state_name(g->key.b[0]));
		break;
	}
}

/* Most connections at the peak first, then most over the range, then the
 * key: addresses in numeric order (IPv4 first), ports, state numbers,
 * program names. */
struct ranked {
	const struct agg_group *g;
	const struct intern *names;   /* REPORT_TOP_PROGRAM */
};

static int by_peak(const void *x, const void *y)
{
	const struct ranked *a = x, *b = y;
	long ia, ib;

	if (a->g->peak != b->g->peak)
		return a->g->peak < b->g->peak ? 1 : -1;
	if (a->g->total != b->g->total)
		return a->g->total < b->g->total ? 1 : -1;
	if (!a->names)
		return memcmp(a->g->key.b, b->g->key.b, AGG_KEY_LEN);
	memcpy(&ia, a->g->key.b, sizeof ia);
	memcpy(&ib, b->g->key.b, sizeof ib);
	if (!ia || !ib)
		return (ia != 0) - (ib != 0);   /* "-" (no program) first */
	return strcmp(a->names->v[ia - 1], b->names->v[ib - 1]);
}

/* "SYN_RECV 3, ESTABLISHED 1": the most first, then by name. */
static int mix_format(const uint32_t mix[AGG_NSTATE], struct buf *out)
{
	bool used[AGG_NSTATE] = {false};
	int rc = 0;

	buf_reset(out);
	for (;;) {
		int best = -1;

		for (int s = 0; s < AGG_NSTATE; s++)
			if (mix[s] && !used[s] &&
			    (best < 0 || mix[s] > mix[best] ||
			     (mix[s] == mix[best] &&
			      strcmp(agg_state_name((unsigned)s), agg_state_name((unsigned)best)) < 0)))
				best = s;
		if (best < 0)
			break;
		used[best] = true;
		rc = buf_printf(out, "%s%s %" PRIu32, out->len ? ", " : "",
				agg_state_name((unsigned)best), mix[best]);
		if (rc < 0)
			return rc;
	}
	return buf_putc(out, '\0') < 0 ? -ENOMEM : 0;
}

static int mix_text(const struct agg *agg, const struct agg_group *g, struct buf *out)
{
	uint32_t mix[AGG_NSTATE];

	agg_mix(agg, g, mix);
	return mix_format(mix, out);
}

/* The best `want` of the groups into rk, ranked: one pass keeping the
 * best so far (the worst of them replaced when beaten, which is rare once
 * they are good), then a sort of those few. Returns their number. */
static size_t select_top(const struct agg_group *g, size_t ng, const struct intern *names,
			 size_t want, struct ranked *rk)
{
	size_t n = 0, worst = 0;

	for (size_t i = 0; i < ng; i++) {
		struct ranked c = {&g[i], names};

		if (n < want) {
			rk[n++] = c;
			if (n == want)
				for (size_t j = 1; j < n; j++)
					if (by_peak(&rk[j], &rk[worst]) > 0)
						worst = j;
			continue;
		}
		if (by_peak(&c, &rk[worst]) >= 0)
			continue;
		rk[worst] = c;
		for (size_t j = 0; j < n; j++)
			if (by_peak(&rk[j], &rk[worst]) > 0)
				worst = j;
	}
	qsort(rk, n, sizeof *rk, by_peak);
	return n;
}

void report_top_result_fini(struct report_top_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].states);
	}
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* The shown groups as rows: names and state mixes made for them only. */
static int fill(const struct report_top_opts *o, const struct top_ctx *c, const struct ranked *rk,
		size_t n, size_t nsnaps, struct report_top_result *res)
{
	uint64_t all = 0;
	struct buf mix;
	int rc = 0;

	res->nsnaps = nsnaps;
	if (!(res->v = calloc(n ? n : 1, sizeof *res->v)))
		return -ENOMEM;
	buf_init(&mix);
	for (size_t i = 0; i < agg_ngroups(c->agg); i++)
		all += agg_groups(c->agg)[i].total;
	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct agg_group *g = rk[i].g;
		struct report_top_row *t = &res->v[res->n];
		char name[ADDR_STRLEN + 8 > 256 ? ADDR_STRLEN + 8 : 256];

		key_name(o, c, g, name, sizeof name);
		if ((rc = mix_text(c->agg, g, &mix)) < 0)
			break;
		t->name = strdup(name);
		t->states = strdup(mix.data);
		if (!t->name || !t->states) {
			free(t->name);
			free(t->states);
			rc = -ENOMEM;
			break;
		}
		t->conns = g->peak;
		t->share = all ? (double)g->total * 100.0 / (double)all : 0;
		t->avg = nsnaps ? (double)g->total / (double)nsnaps : 0;
		t->peers = o->by == REPORT_TOP_IP ? 1 : g->peers;   /* an IP is its own peer */
		t->first = g->first;
		t->last = g->last;
		t->present = g->present;
		res->n++;
	}
	buf_fini(&mix);
	return rc;
}

static int write_rows(const struct report_top_opts *o, const struct report_top_result *res,
		      enum output_format fmt, FILE *f, unsigned width, bool color)
{
	const struct output_col cols[] = {
		{by_name[o->by], o->by == REPORT_TOP_PORT ? OUTPUT_INT : OUTPUT_STR, o->by == REPORT_TOP_PORT, true},
		{"conns", OUTPUT_INT, true, false},
		{"share", OUTPUT_REAL, true, false},
		{"avg", OUTPUT_REAL, true, false},
		{"peers", OUTPUT_INT, true, false},
		{"states", OUTPUT_STR, false, true},
		{"first", OUTPUT_STR, false, false},
		{"last", OUTPUT_STR, false, false},
		{"snapshots", OUTPUT_STR, true, false},
	};
	struct output *out = output_new(fmt, f, cols, sizeof cols / sizeof cols[0], width, color);
	int rc = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < res->n && rc == 0; i++) {
		const struct report_top_row *t = &res->v[i];
		char conns[24], share[24], avg[24], peers[24], first[UTCTIME_STRLEN],
			last[UTCTIME_STRLEN], snaps[48];
		const char *cells[9] = {t->name, conns, share, avg, peers, t->states, first, last,
					snaps};

		snprintf(conns, sizeof conns, "%" PRIu32, t->conns);
		snprintf(share, sizeof share, "%.1f", t->share);
		snprintf(avg, sizeof avg, "%.1f", t->avg);
		snprintf(peers, sizeof peers, "%" PRIu32, t->peers);
		utctime_format(t->first, 0, first, sizeof first);
		utctime_format(t->last, 0, last, sizeof last);
		snprintf(snaps, sizeof snaps, "%" PRIu32 "/%zu", t->present, res->nsnaps);
		rc = output_row(out, cells);
	}
	if (rc == 0)
		rc = output_end(out);
	output_free(out);
	return rc;
}

static long report_top_general(struct scan_src *src, const struct filter *flt,
			       const struct report_top_opts *o, struct report_top_result *res,
			       char *err, size_t errsz);

/* The rows of the fast path's groups, as fill() makes them from an agg
 * over the same one snapshot: peak and total are its rows, present 1/1. */
static int fill_fast(const struct peercount *pc, const struct peercount_ref *top, size_t n,
		     struct report_top_result *res)
{
	uint64_t all = peercount_rows(pc);
	usec_t t = peercount_time(pc);
	struct buf mix;
	int rc = 0;

	res->nsnaps = 1;
	if (!(res->v = calloc(n ? n : 1, sizeof *res->v)))
		return -ENOMEM;
	buf_init(&mix);
	for (size_t i = 0; i < n && rc == 0; i++) {
		struct report_top_row *r = &res->v[res->n];
		uint32_t m[AGG_NSTATE];
		char name[ADDR_STRLEN + 8];
		struct agg_key k;

		peercount_key(pc, &top[i], &k);
		agg_key_addr_format(&k, 0, 0, name, sizeof name);
		peercount_mix(pc, &top[i], m);
		if ((rc = mix_format(m, &mix)) < 0)
			break;
		r->name = strdup(name);
		r->states = strdup(mix.data);
		if (!r->name || !r->states) {
			free(r->name);
			free(r->states);
			rc = -ENOMEM;
			break;
		}
		r->conns = top[i].rows;
		r->share = all ? (double)top[i].rows * 100.0 / (double)all : 0;
		r->avg = (double)top[i].rows;
		r->peers = 1;
		r->first = r->last = t;
		r->present = 1;
		res->n++;
	}
	buf_fini(&mix);
	return rc;
}

/* `top --by ip` over one dump, the case of `netstat -ntu | sockscope top
 * -` (issue 17: faster than awk | sort | uniq -c): counted by peercount
 * when it covers the input (peercount.c says what it does not). 1 with the
 * rows in res; 0: the general path must read the input (with what was
 * taken from stdin in *head); -ENOMEM. */
static int top_fast(struct scan_src *src, const struct filter *flt,
		    const struct report_top_opts *o, struct report_top_result *res,
		    struct peercount_head *head)
{
	struct peercount_ref *top = NULL;
	struct peercount *pc = NULL;
	long n;
	int rc;

	if (src->db || src->nfiles != 1 || o->by != REPORT_TOP_IP || o->have_at || o->general ||
	    src->io.format || src->io.have_at)
		return 0;
	if ((rc = peercount_read(src->files[0], flt, src->io.host, &pc, head)) <= 0)
		return rc;
	n = (long)peercount_ngroups(pc);
	if (o->limit && (size_t)o->limit < (size_t)n)
		n = (long)o->limit;
	rc = -ENOMEM;
	if (!(top = calloc(n ? (size_t)n : 1, sizeof *top)) ||
	    (n = peercount_top(pc, o->limit, top)) < 0 || (rc = fill_fast(pc, top, (size_t)n, res)) < 0)
		goto out;
	rc = 1;
out:
	if (rc < 0)
		report_top_result_fini(res);
	free(top);
	peercount_free(pc);
	return rc;
}

long report_top_run(struct scan_src *src, const struct filter *flt, const struct report_top_opts *o,
		    struct report_top_result *res, char *err, size_t errsz)
{
	struct peercount_head head = {0};
	long rc;

	memset(res, 0, sizeof *res);
	rc = top_fast(src, flt, o, res, &head);
	src->counted = rc == 1;
	if (rc == 1)
		return (long)res->n;
	if (rc < 0) {
		snprintf(err, errsz, "out of memory");
		free(head.data);
		return rc;
	}
	src->io.stdin_head = head.data;
	src->io.stdin_head_len = head.len;
	rc = report_top_general(src, flt, o, res, err, errsz);
	src->io.stdin_head = NULL;
	src->io.stdin_head_len = 0;
	free(head.data);
	return rc;
}

/* The general path: rows from scan_run, grouped by agg. */
static long report_top_general(struct scan_src *src, const struct filter *flt,
			       const struct report_top_opts *o, struct report_top_result *res,
			       char *err, size_t errsz)
{
	/* program numbers are per thread: one reader then */
	unsigned nt = o->by == REPORT_TOP_PROGRAM || !src->db ? 1 : src->threads ? src->threads : 1;
	struct top_ctx ctx[SCAN_MAX_THREADS] = {{0}};
	struct scan_sink sinks[SCAN_MAX_THREADS];
	struct scan_snaps snaps = {0};
	struct ranked *rk = NULL;
	unsigned cols = SCAN_PEER;
	size_t ng = 0, shown;
	long rc;

	memset(res, 0, sizeof *res);
	if (nt > SCAN_MAX_THREADS)
		nt = SCAN_MAX_THREADS;
	for (unsigned i = 0; i < nt; i++) {
		ctx[i].o = o;
		ctx[i].agg = agg_new(o->by == REPORT_TOP_IP ? 0 : AGG_PEERS);
		if (!ctx[i].agg) {
			rc = -ENOMEM;
			goto oom;
		}
		if (o->by == REPORT_TOP_SUBNET && o->prefix4 >= 20 && o->prefix4 <= 32)
			agg_host_bits(ctx[i].agg, 32 - o->prefix4);
		sinks[i] = (struct scan_sink){on_snap, on_row, &ctx[i], on_prefetch, on_span,
					      on_done};
	}
	if (o->by == REPORT_TOP_IP || o->by == REPORT_TOP_SUBNET)
		cols |= SCAN_HAS_PEER;   /* a listener's "peer" is nobody */
	if (o->by == REPORT_TOP_PORT)
		cols |= SCAN_LPORT;
	if (o->by == REPORT_TOP_PROGRAM)
		cols |= SCAN_PROGRAM;
	rc = scan_run(src, flt, o->have_at, o->at, cols, nt, sinks, &snaps, err, errsz);
	if (rc < 0)
		goto out;
	for (unsigned i = 0; i < nt; i++)
		if ((rc = agg_end(ctx[i].agg)) < 0 ||
		    (i > 0 && (rc = agg_merge(ctx[0].agg, ctx[i].agg)) < 0))
			goto oom;
	ng = agg_ngroups(ctx[0].agg);
	rk = calloc(ng ? ng : 1, sizeof *rk);
	if (!rk) {
		rc = -ENOMEM;
		goto oom;
	}
	shown = select_top(agg_groups(ctx[0].agg), ng, o->by == REPORT_TOP_PROGRAM ? &ctx[0].names : NULL,
			   o->limit && o->limit < ng ? o->limit : ng, rk);
	if ((rc = fill(o, &ctx[0], rk, shown, snaps.n, res)) < 0)
		goto oom;
	rc = (long)shown;
	goto out;
oom:
	snprintf(err, errsz, "out of memory");
	report_top_result_fini(res);
out:
	free(rk);
	for (unsigned i = 0; i < nt; i++) {
		agg_free(ctx[i].agg);
		intern_fini(&ctx[i].names);
	}
	scan_snaps_fini(&snaps);
	return rc;
}

long report_top(struct scan_src *src, const struct filter *flt, const struct report_top_opts *o,
		enum output_format fmt, FILE *f, unsigned width, bool color, char *err, size_t errsz)
{
	struct report_top_result res;
	struct named_peers np = {0};
	long rc = report_top_run(src, flt, o, &res, err, errsz);

	if (rc < 0)
		return rc;
	if (write_rows(o, &res, fmt, f, width, color) < 0) {
		snprintf(err, errsz, "writing the report failed");
		rc = -EIO;
	}
	/* peers a dump named instead of addressing: no IP, no subnet; the
	 * table says nothing of them, the note under it does (tables only:
	 * CSV and JSON rows keep their one meaning) */
	if (rc >= 0 && fmt == OUTPUT_TABLE && src->db && (o->by == REPORT_TOP_IP || o->by == REPORT_TOP_SUBNET)) {
		int nrc = named_peers_load(src->db, flt, o->have_at, o->at,
					   o->limit ? o->limit : 10, &np, err, errsz);

		if (nrc < 0)
			rc = nrc;
		else if (np.rows && fputc('\n', f) != EOF)
			named_peers_note(f, &np,
					 o->by == REPORT_TOP_IP ? "not in the table above, which counts addresses"
							 : "in no subnet: a name is not an address");
		named_peers_fini(&np);
	} else if (rc >= 0 && fmt == OUTPUT_TABLE && !src->db && src->named_peers &&
		   (o->by == REPORT_TOP_IP || o->by == REPORT_TOP_SUBNET)) {
		/* files grouped as they are parsed: only the count is known */
		fprintf(f,
			"\nnamed: %" PRIu64 " socket%s of the files read had a peer known by name "
			"only (a dump saved without -n, filters not applied to this count); not in "
			"the table above. Import the dump to see them grouped by name; save "
			"netstat -n / ss -n output to get addresses\n",
			src->named_peers, src->named_peers == 1 ? "" : "s");
	}
	report_top_result_fini(&res);
	return rc;
}

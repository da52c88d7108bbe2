/* report_ports — listeners and programs (listening = TCP LISTEN or an
 * unconnected UDP/raw socket): from one pass over the spans in C (scan,
 * agg) the peaks, the rows per state, the distinct peers and the programs'
 * listening ports; the listeners' programs and addresses in SQL (their rows
 * alone expanded), every value bound; the rows sorted in C and written
 * through output.h. */
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "buf.h"
#include "grow.h"
#include "intern.h"
#include "report_ports.h"
#include "scan.h"
#include "spancode.h"
#include "tcpstate.h"

#define LISTENING "((r.proto = 'tcp' AND r.state = 'LISTEN') OR (r.proto <> 'tcp' AND r.state = 'UNCONN'))"
/* on spans_packed (spancode.h): tcp LISTEN, or udp/raw UNCONN */
#define LISTENING_K "(k.kind >> 3 = CASE (k.kind >> 1) & 3 WHEN 0 THEN 10 ELSE 13 END)"

/* The selected snapshots, then "r": the listeners' rows the report reads. */
static int rows_sql(const struct filter *flt, bool have_at, usec_t at, struct buf *sql,
		    struct filter_params *p)
{
	int rc = filter_sql_snaps(flt, have_at, at, sql, p);

	if (rc == 0)
		rc = buf_puts(sql, ", r AS MATERIALIZED (SELECT sn.id AS sid, "
				   SPANCODE_SQL_PROTO("k") " AS proto, " SPANCODE_SQL_STATE("k")
				   " AS state, " SPANCODE_SQL_LADDR("k") " AS laddr, k.lport, "
				   SPANCODE_SQL_RADDR("k") " AS raddr,"
				   " coalesce(k.program, '-') AS program" FILTER_FROM_SPANS);
	if (rc == 0)
		rc = filter_sql_spans(flt, sql, p);
	if (rc == 0)
		rc = buf_puts(sql, " AND " LISTENING_K ")");
	return rc;
}

/* ---- what needs a count per snapshot: from the spans ---------------------- */

static bool is_listening(const struct scan_row *r)
{
	return r->proto == IPPROTO_TCP ? r->state == ST_LISTEN : r->state == AGG_UNCONN;
}

/* A program's listening port (programs): (id, proto, port), duplicates
 * kept until pk_listen_text sorts them. */
struct plisten {
	uint32_t id;
	uint16_t lport;
	uint8_t proto;
};

/* The spans grouped: ports: conn by (proto, port), mix by (proto, port,
 * state); programs: all and conn by program (numbered in names), and the
 * listening ports. conn counts distinct peers: what count(DISTINCT raddr)
 * gave in SQL (raddr is the folded address as text, NULL for a name). */
struct pk {
	bool programs;
	struct agg *all, *conn, *mix;
	struct intern names;
	struct scan_snaps snaps;
	struct plisten *lis;
	size_t nlis, caplis;
};

static void port_key(struct agg_key *k, unsigned proto, unsigned lport, int state)
{
	memset(k, 0, sizeof *k);
	k->b[0] = (uint8_t)proto;
	k->b[1] = (uint8_t)(lport >> 8);
	k->b[2] = (uint8_t)lport;
	k->b[3] = (uint8_t)(state + 1);
}

static int pk_span(void *ctx, const struct scan_row *r, const struct scan_span *sp)
{
	struct pk *c = ctx;
	bool listen = is_listening(r);
	struct agg_key k;
	long id;
	int rc;

	if (c->programs) {
		if ((id = intern_id(&c->names, r->program ? r->program : "-")) < 0)
			return (int)id;
		memset(&k, 0, sizeof k);
		memcpy(k.b, &id, sizeof id);
		rc = agg_span(c->all, sp->tb, &k, NULL, r->state, sp->first, sp->last, sp->copies);
		if (rc == 0 && !listen)
			rc = agg_span(c->conn, sp->tb, &k, r->named ? NULL : &r->peer, r->state,
				      sp->first, sp->last, sp->copies);
		if (rc == 0 && listen && sp->copies) {
			struct plisten *v = grow(c->lis, &c->caplis, c->nlis, sizeof *v, 64);

			if (!v)
				return -ENOMEM;
			c->lis = v;
			c->lis[c->nlis++] = (struct plisten){(uint32_t)id, r->lport, r->proto};
		}
		return rc;
	}
	if (listen)
		return 0;
	port_key(&k, r->proto, r->lport, -1);
	rc = agg_span(c->conn, sp->tb, &k, r->named ? NULL : &r->peer, r->state, sp->first,
		      sp->last, sp->copies);
	port_key(&k, r->proto, r->lport, r->state);
	return rc < 0 ? rc
		      : agg_span(c->mix, sp->tb, &k, NULL, r->state, sp->first, sp->last,
				 sp->copies);
}

static void pk_fini(struct pk *c)
{
	agg_free(c->all);
	agg_free(c->conn);
	agg_free(c->mix);
	free(c->lis);
	intern_fini(&c->names);
	scan_snaps_fini(&c->snaps);
}

/* A reader's share read: its counts closed there, side by side. */
static int pk_done(void *ctx)
{
	struct pk *c = ctx;
	int rc;

	if ((rc = agg_end(c->all)) < 0 || (rc = agg_end(c->conn)) < 0)
		return rc;
	return agg_end(c->mix);
}

/* Renumbers a's program keys from t's numbers to c's (names interned
 * there): a is then only merged from (agg_merge reads its groups by index,
 * never its key table). 0 or -ENOMEM. */
static int pk_renumber(struct pk *c, const struct intern *t, struct agg *a)
{
	struct agg_group *g = agg_groups(a);

	for (size_t i = 0; i < agg_ngroups(a); i++) {
		long id;

		memcpy(&id, g[i].key.b, sizeof id);
		if ((id = intern_id(&c->names, t->v[id])) < 0)
			return (int)id;
		memcpy(g[i].key.b, &id, sizeof id);
	}
	return 0;
}

/* Another reader's counts (ended) into c's (ended). 0 or -ENOMEM. */
static int pk_merge(struct pk *c, struct pk *o)
{
	int rc;

	if (c->programs) {
		if ((rc = pk_renumber(c, &o->names, o->all)) < 0 ||
		    (rc = pk_renumber(c, &o->names, o->conn)) < 0)
			return rc;
		for (size_t i = 0; i < o->nlis; i++) {
			struct plisten *v = grow(c->lis, &c->caplis, c->nlis, sizeof *v, 64);
			long id = intern_id(&c->names, o->names.v[o->lis[i].id]);

			if (!v || id < 0)
				return -ENOMEM;
			c->lis = v;
			c->lis[c->nlis] = o->lis[i];
			c->lis[c->nlis++].id = (uint32_t)id;
		}
	}
	if ((rc = agg_merge(c->all, o->all)) < 0 || (rc = agg_merge(c->conn, o->conn)) < 0)
		return rc;
	return agg_merge(c->mix, o->mix);
}

static int pk_new_aggs(struct pk *c)
{
	c->all = agg_new(0);
	c->conn = agg_new(AGG_PEERS);
	c->mix = agg_new(0);
	return c->all && c->conn && c->mix ? 0 : -ENOMEM;
}

#define PK_THREADS 16

/* The selected snapshots' spans into c's groups, read by up to threads
 * readers (each its own groups, merged into c's at the end: a reader's
 * share is a contiguous range of positions, so peaks merge exactly). 0,
 * or -errno with err set. */
static int pk_run(sqlite3 *db, unsigned threads, const struct filter *flt, bool have_at,
		  usec_t at, struct pk *c, char *err, size_t errsz)
{
	struct pk part[PK_THREADS - 1];
	struct scan_sink sinks[PK_THREADS];
	unsigned nt = threads < 1 ? 1 : threads > PK_THREADS ? PK_THREADS : threads;
	int rc = -ENOMEM;

	memset(part, 0, sizeof part);
	if (pk_new_aggs(c) < 0)
		goto out;
	sinks[0] = (struct scan_sink){NULL, NULL, c, NULL, pk_span, pk_done};
	for (unsigned i = 1; i < nt; i++) {
		part[i - 1].programs = c->programs;
		if (pk_new_aggs(&part[i - 1]) < 0)
			goto out;
		sinks[i] = (struct scan_sink){NULL, NULL, &part[i - 1], NULL, pk_span, pk_done};
	}
	rc = scan_snaps_load(db, flt, have_at, at, &c->snaps, err, errsz);
	if (rc == 0)
		rc = scan_db(db, &c->snaps, flt,
			     SCAN_LPORT | SCAN_PEER | (c->programs ? SCAN_PROGRAM : 0), nt, sinks,
			     err, errsz);
	/* scan_db ended the counts of each share it read; it reads with fewer
	 * readers than asked on a small selection: the others end empty */
	if (rc == 0)
		rc = pk_done(c);
	for (unsigned i = 1; rc == 0 && i < nt; i++)
		if ((rc = pk_done(&part[i - 1])) == 0)
			rc = pk_merge(c, &part[i - 1]);
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	for (unsigned i = 1; i < nt; i++)
		pk_fini(&part[i - 1]);
	return rc;
}

static uint32_t peak_of(const struct agg *a, const struct agg_key *k)
{
	const struct agg_group *g = agg_find(a, k);

	return g ? g->peak : 0;
}

static uint32_t peers_of(const struct agg *a, const struct agg_key *k)
{
	const struct agg_group *g = agg_find(a, k);

	return g ? g->peers : 0;
}

static const char *proto_text(unsigned proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "raw";
}

/* By program, then protocol as SQL orders its name (raw < tcp < udp), then port. */
static int by_listen(const void *x, const void *y)
{
	const struct plisten *a = x, *b = y;
	int c;

	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	if ((c = strcmp(proto_text(a->proto), proto_text(b->proto))) != 0)
		return c;
	return a->lport < b->lport ? -1 : a->lport > b->lport;
}

/* Sorts c->lis and removes duplicates: each program's ports then in order. */
static void pk_listen_sort(struct pk *c)
{
	size_t w = 0;

	if (c->nlis == 0)
		return;
	qsort(c->lis, c->nlis, sizeof *c->lis, by_listen);
	for (size_t i = 0; i < c->nlis; i++)
		if (w == 0 || by_listen(&c->lis[w - 1], &c->lis[i]) != 0)
			c->lis[w++] = c->lis[i];
	c->nlis = w;
}

/* "tcp/22, udp/53": program id's listening ports (pk_listen_sort done);
 * empty when it has none. */
static int pk_listen_text(const struct pk *c, uint32_t id, struct buf *out)
{
	size_t lo = 0, hi = c->nlis;
	int rc = 0;

	buf_reset(out);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c->lis[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; rc == 0 && i < c->nlis && c->lis[i].id == id; i++)
		rc = buf_printf(out, "%s%s/%u", i > lo ? ", " : "", proto_text(c->lis[i].proto),
				(unsigned)c->lis[i].lport);
	return rc;
}

/* ---- the rows, sorted and written ------------------------------------------- */

/* A row of the report: its cells (owned), and what it is sorted by. */
struct prow {
	char *cell[8];
	uint32_t peak;
	long lport;
};

struct prows {
	struct prow *v;
	size_t n, cap;
	size_t ncols;
};

static void prows_fini(struct prows *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (size_t j = 0; j < r->ncols; j++)
			free(r->v[i].cell[j]);
	free(r->v);
}

/* A new row of cells (NULL cells stay NULL), copied. 0 or -ENOMEM. */
static int prows_add(struct prows *r, const char *const *cells, uint32_t peak, long lport)
{
	struct prow *v = r->n < r->cap ? r->v : realloc(r->v, (r->cap ? r->cap * 2 : 16) * sizeof *v);

	if (!v)
		return -ENOMEM;
	if (v != r->v || r->n == r->cap) {
		r->v = v;
		r->cap = r->cap ? r->cap * 2 : 16;
	}
	memset(&r->v[r->n], 0, sizeof r->v[r->n]);
	r->v[r->n].peak = peak;
	r->v[r->n].lport = lport;
	r->n++;
	for (size_t j = 0; j < r->ncols; j++)
		if (cells[j] && !(r->v[r->n - 1].cell[j] = strdup(cells[j])))
			return -ENOMEM;
	return 0;
}

/* ORDER BY peak DESC, then the first cell (BINARY), then the port. */
static int by_peak(const void *x, const void *y)
{
	const struct prow *a = x, *b = y;
	int c;

	if (a->peak != b->peak)
		return a->peak > b->peak ? -1 : 1;
	if ((c = strcmp(a->cell[0] ? a->cell[0] : "", b->cell[0] ? b->cell[0] : "")) != 0)
		return c;
	return a->lport < b->lport ? -1 : a->lport > b->lport;
}

static long write_rows(struct prows *r, const struct output_col *cols, enum output_format fmt,
		       FILE *f, unsigned width, bool color, char *err, size_t errsz)
{
	struct output *o = output_new(fmt, f, cols, r->ncols, width, color);
	long rc = 0;

	if (!o) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	if (r->n)
		qsort(r->v, r->n, sizeof *r->v, by_peak);
	for (size_t i = 0; rc == 0 && i < r->n; i++)
		if (output_row(o, (const char *const *)r->v[i].cell) < 0)
			rc = -EIO;
	if (rc == 0 && output_end(o) < 0)
		rc = -EIO;
	if (rc < 0)
		snprintf(err, errsz, "writing the report failed");
	output_free(o);
	return rc < 0 ? rc : (long)r->n;
}

/* rows_sql, then tail, prepared. 0, or -errno with err set. */
static int prepare(sqlite3 *db, const struct filter *flt, bool have_at, usec_t at,
		   const char *tail, sqlite3_stmt **st, char *err, size_t errsz)
{
	struct filter_params p = {0};
	struct buf sql;
	int rc;

	*st = NULL;
	buf_init(&sql);
	rc = rows_sql(flt, have_at, at, &sql, &p);
	if (rc == 0)
		rc = buf_puts(&sql, tail);
	if (rc < 0) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
	} else if (sqlite3_prepare_v2(db, sql.data, -1, st, NULL) != SQLITE_OK ||
		   filter_bind(*st, &p) != SQLITE_OK) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(*st);
		*st = NULL;
		rc = -EIO;
	}
	buf_fini(&sql);
	return rc;
}

struct mixent {
	const char *name;
	uint64_t n;
};

static int by_mix(const void *x, const void *y)
{
	const struct mixent *a = x, *b = y;

	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->name, b->name);
}

/* "STATE n, STATE n": a port's connections per state, the most first;
 * NULL when it has none. */
static int mix_text(const struct agg *mix, unsigned proto, unsigned lport, struct buf *out)
{
	struct mixent e[AGG_NSTATE] = {{NULL, 0}};
	size_t n = 0;
	int rc = 0;

	buf_reset(out);
	for (int st = 0; st < AGG_NSTATE; st++) {
		struct agg_key k;
		const struct agg_group *g;

		port_key(&k, proto, lport, st);
		if ((g = agg_find(mix, &k)) && g->total)
			e[n++] = (struct mixent){agg_state_name((unsigned)st), g->total};
	}
	qsort(e, n, sizeof *e, by_mix);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = buf_printf(out, "%s%s %" PRIu64, i ? ", " : "", e[i].name, e[i].n);
	return rc;
}

long report_ports(sqlite3 *db, unsigned threads, const struct filter *flt, bool have_at,
		  usec_t at, enum output_format fmt, FILE *f, unsigned width, bool color, char *err,
		  size_t errsz)
{
	static const struct output_col cols[] = {
		{"proto", OUTPUT_STR, false, false},  {"port", OUTPUT_INT, true, false},
		{"programs", OUTPUT_STR, false, true}, {"listen", OUTPUT_STR, false, true},
		{"conns", OUTPUT_INT, true, false},   {"peers", OUTPUT_INT, true, false},
		{"states", OUTPUT_STR, false, true},  {"snapshots", OUTPUT_STR, true, false},
	};
	static const char tail[] =
		", l AS (SELECT proto, lport, group_concat(DISTINCT program) AS programs,"
		" group_concat(DISTINCT laddr) AS addrs, count(DISTINCT sid) AS present"
		" FROM r WHERE " LISTENING " GROUP BY proto, lport)"
		" SELECT l.proto, l.lport, l.programs, l.addrs,"
		" l.present || '/' || (SELECT count(*) FROM snaps) FROM l";
	struct pk c = {.programs = false};
	struct prows rows = {.ncols = 8};
	sqlite3_stmt *st = NULL;
	struct buf mix;
	long rc;

	buf_init(&mix);
	if ((rc = pk_run(db, threads, flt, have_at, at, &c, err, errsz)) < 0 ||
	    (rc = prepare(db, flt, have_at, at, tail, &st, err, errsz)) < 0)
		goto out;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *proto = (const char *)sqlite3_column_text(st, 0);
		unsigned pn = proto[0] == 't' ? IPPROTO_TCP : proto[0] == 'u' ? IPPROTO_UDP : IPPROTO_RAW;
		long lport = (long)sqlite3_column_int64(st, 1);
		struct agg_key k;
		char peak[16], peers[16];
		const char *cells[8];

		port_key(&k, pn, (unsigned)lport, -1);
		snprintf(peak, sizeof peak, "%" PRIu32, peak_of(c.conn, &k));
		snprintf(peers, sizeof peers, "%" PRIu32, peers_of(c.conn, &k));
		if (mix_text(c.mix, pn, (unsigned)lport, &mix) < 0) {
			rc = -ENOMEM;
			break;
		}
		cells[0] = proto;
		cells[1] = (const char *)sqlite3_column_text(st, 1);
		cells[2] = (const char *)sqlite3_column_text(st, 2);
		cells[3] = (const char *)sqlite3_column_text(st, 3);
		cells[4] = peak;
		cells[5] = peers;
		cells[6] = mix.len ? mix.data : NULL;
		cells[7] = (const char *)sqlite3_column_text(st, 4);
		if ((rc = prows_add(&rows, cells, peak_of(c.conn, &k), lport)) < 0)
			break;
	}
	if (rc == SQLITE_DONE)
		rc = write_rows(&rows, cols, fmt, f, width, color, err, errsz);
	else if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	else if (rc >= 0) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		rc = -EIO;
	}
out:
	sqlite3_finalize(st);
	buf_fini(&mix);
	prows_fini(&rows);
	pk_fini(&c);
	return rc;
}

long report_programs(sqlite3 *db, unsigned threads, const struct filter *flt, bool have_at,
		     usec_t at, enum output_format fmt, FILE *f, unsigned width, bool color, char *err,
		     size_t errsz)
{
	static const struct output_col cols[] = {
		{"program", OUTPUT_STR, false, true}, {"sockets", OUTPUT_INT, true, false},
		{"listening", OUTPUT_STR, false, true}, {"conns", OUTPUT_INT, true, false},
		{"peers", OUTPUT_INT, true, false},   {"snapshots", OUTPUT_STR, true, false},
	};
	struct pk c = {.programs = true};
	struct prows rows = {.ncols = 6};
	struct agg_group *gs;
	struct buf ports;
	long rc;

	buf_init(&ports);
	if ((rc = pk_run(db, threads, flt, have_at, at, &c, err, errsz)) < 0)
		goto out;
	pk_listen_sort(&c);
	gs = agg_groups(c.all);
	/* every program with a row in a selected snapshot: c.all's groups */
	for (size_t i = 0; rc == 0 && i < agg_ngroups(c.all); i++) {
		const struct agg_group *g = &gs[i];
		long id;
		char peak[16], cpeak[16], peers[16], present[48];
		const char *cells[6];

		memcpy(&id, g->key.b, sizeof id);
		if ((rc = pk_listen_text(&c, (uint32_t)id, &ports)) < 0)
			break;
		snprintf(peak, sizeof peak, "%" PRIu32, g->peak);
		snprintf(cpeak, sizeof cpeak, "%" PRIu32, peak_of(c.conn, &g->key));
		snprintf(peers, sizeof peers, "%" PRIu32, peers_of(c.conn, &g->key));
		snprintf(present, sizeof present, "%" PRIu32 "/%zu", g->present, c.snaps.n);
		cells[0] = c.names.v[id];
		cells[1] = peak;
		cells[2] = ports.len ? ports.data : NULL;
		cells[3] = cpeak;
		cells[4] = peers;
		cells[5] = present;
		rc = prows_add(&rows, cells, g->peak, 0);
	}
	if (rc == 0)
		rc = write_rows(&rows, cols, fmt, f, width, color, err, errsz);
	else if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
out:
	buf_fini(&ports);
	prows_fini(&rows);
	pk_fini(&c);
	return rc;
}

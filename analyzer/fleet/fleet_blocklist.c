/* fleet_blocklist — `fleet blocklist`: for each host, ClickHouse counts its
 * peers and subnets per snapshot (peak, state mix at the peak, presence,
 * totals) and its SYN_RECV series; blocklist_decide judges each host against
 * its own baseline, through the rails (blockrail.h) with the host's own
 * addresses; a network is listed with the number of hosts that block it, as
 * rows or a firewall file (blockfmt.h), the evidence in words on request. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "chtsv.h"
#include "fleet.h"
#include "fleet_int.h"
#include "grow.h"
#include "intern.h"
#include "termsafe.h"

/* One host's decision on a network (a block or a near miss), kept for
 * --explain with what its share is of. */
struct hostrec {
	uint32_t host;           /* in brun.names */
	struct blocklist_rec rec;
	size_t nsnaps;
	uint64_t rows;
};

struct hostrecs {
	struct hostrec *v;
	size_t n, cap;
};

/* A network blocked on some hosts. */
struct listed {
	struct cidr net;
	uint32_t hosts;
	double score;            /* the highest */
	enum blocklist_pattern pattern;   /* of the highest score */
	uint32_t peak;
	uint64_t total;
	usec_t first, last;
	struct hostrecs by;      /* each host's decision (--explain) */
};

struct brun {
	struct chhttp *h;
	const char *db;
	const struct fleet_filter *flt;
	const struct fleet_blocklist_opts *o;
	struct buf sql, resp;
	struct blocklist_group *g;
	size_t ng, gcap;
	uint32_t *syn, *all;
	usec_t *time;
	size_t nsnaps, scap;
	struct listed *l;
	size_t nl, lcap;
	struct hostrecs near;    /* each host's near misses (--explain) */
	struct intern names;     /* the hosts judged */
	size_t nsnaps_all;       /* their snapshots */
	usec_t t_first, t_last;
	uint32_t spoofed;        /* hosts with a spoofed-source flood */
	char *err;
	size_t errsz;
};

static const char closing[] = "('TIME_WAIT', 'FIN_WAIT1', 'FIN_WAIT2', 'CLOSE_WAIT', "
			      "'LAST_ACK', 'CLOSING')";

static int query(struct brun *r)
{
	return fleet_query(r->h, &r->sql, &r->resp, r->err, r->errsz);
}

/* Per peer (subnet: false) or per subnet of the host, each snapshot's
 * counts first, then the group's. */
static int groups_sql(struct brun *r, const char *host, bool subnet)
{
	struct buf *b = &r->sql;
	uint64_t block = (uint64_t)1 << (32 - r->o->r.p.prefix4);
	int rc;

	buf_reset(b);
	rc = buf_puts(b, "SELECT key, max(c), argMax(syn, (c, -time)), argMax(est, (c, -time)), "
			 "argMax(cl, (c, -time)), count(), sum(c), sum(syn), min(time), max(time), "
			 "argMax(time, (c, -time)), uniqExactMerge(u) FROM (SELECT chain, k, ");
	if (rc == 0 && subnet)
		rc = buf_printf(b, "if(" PEER_V4 ", concat(IPv4NumToString(toUInt32(intDiv(rnet, "
				   "%" PRIu64 ") * %" PRIu64 ")), '/%u'), concat(cutIPv6("
				   "IPv6StringToNum(assumeNotNull(raddr)), %u, 0), '/%u'))",
				block, block, r->o->r.p.prefix4, (128 - r->o->r.p.prefix6) / 8,
				r->o->r.p.prefix6);
	else if (rc == 0)
		rc = buf_puts(b, "assumeNotNull(raddr)");
	if (rc == 0)
		rc = buf_printf(b, " AS key, sum(copies) AS c, sumIf(copies, state = 'SYN_RECV') AS syn, "
				   "sumIf(copies, state = 'ESTABLISHED') AS est, "
				   "sumIf(copies, state IN %s) AS cl, uniqExactState(raddr) AS u "
				   "FROM %s.spans ARRAY JOIN arrayMap(x -> x + toUInt64(k_first), "
				   "range(toUInt64(k_last - k_first + 1))) AS k WHERE raddr IS NOT NULL "
				   "AND state NOT IN ('LISTEN', 'UNCONN') AND host = ",
				closing, r->db);
	if (rc == 0)
		rc = fleet_sql_str(b, host);
	if (rc == 0)
		rc = buf_printf(b, " GROUP BY chain, k, key) ANY INNER JOIN (SELECT chain, toUInt64(k) "
				   "AS k, time FROM %s.snapshots WHERE host = ", r->db);
	if (rc == 0)
		rc = fleet_sql_str(b, host);
	if (rc == 0)
		rc = buf_puts(b, ") USING (chain, k) WHERE 1");
	if (rc == 0)
		rc = fleet_sql_filter(b, r->flt, "time", "time");
	if (rc == 0)
		rc = buf_puts(b, " GROUP BY key ORDER BY key FORMAT TabSeparated");
	return rc < 0 ? -ENOMEM : 0;
}

static int u32(const struct chtsv *t, size_t i, uint32_t *v)
{
	int64_t x;

	if (chtsv_i64(t, i, &x) < 0 || x < 0 || x > UINT32_MAX)
		return -EBADMSG;
	*v = (uint32_t)x;
	return 0;
}

/* The answer of groups_sql into r->g from index `from` on. */
static int read_groups(struct brun *r)
{
	struct chtsv t;
	int rc;

	chtsv_init(&t, r->resp.data ? r->resp.data : "", r->resp.len);
	while ((rc = chtsv_next(&t)) == 1) {
		struct blocklist_group *g = grow(r->g, &r->gcap, r->ng, sizeof *g, 64);
		const char *key = chtsv_field(&t, 0);
		int64_t tot, syn, first, last, pt;

		if (!g) {
			rc = -ENOMEM;
			break;
		}
		r->g = g;
		g = &r->g[r->ng];
		memset(g, 0, sizeof *g);
		if (t.n != 12 || !key ||
		    (strchr(key, '/') ? cidr_parse(key, strlen(key), &g->net)
				      : addr_parse(key, strlen(key), &g->net.addr)) < 0 ||
		    u32(&t, 1, &g->peak) < 0 || u32(&t, 2, &g->syn) < 0 || u32(&t, 3, &g->est) < 0 ||
		    u32(&t, 4, &g->closing) < 0 || u32(&t, 5, &g->present) < 0 ||
		    chtsv_i64(&t, 6, &tot) < 0 || chtsv_i64(&t, 7, &syn) < 0 ||
		    chtsv_i64(&t, 8, &first) < 0 || chtsv_i64(&t, 9, &last) < 0 ||
		    chtsv_i64(&t, 10, &pt) < 0 || u32(&t, 11, &g->hosts) < 0 || tot < 0 || syn < 0) {
			rc = -EBADMSG;
			break;
		}
		if (!strchr(key, '/'))
			g->net.prefix = g->net.addr.family == AF_INET ? 32 : 128;
		g->total = (uint64_t)tot;
		g->syn_total = (uint64_t)syn;
		g->first = first;
		g->last = last;
		g->peak_time = pt;
		r->ng++;
	}
	chtsv_fini(&t);
	return rc;
}

/* The host's snapshots: time, sockets with a peer, SYN_RECV. */
static int read_series(struct brun *r, const char *host)
{
	struct chtsv t;
	int rc;

	buf_reset(&r->sql);
	if (buf_printf(&r->sql, "SELECT time, sumIf(n, state NOT IN ('LISTEN', 'UNCONN')), "
				"sumIf(n, state = 'SYN_RECV') FROM %s.snapshot_states WHERE host = ",
		       r->db) < 0 ||
	    fleet_sql_str(&r->sql, host) < 0 || fleet_sql_filter(&r->sql, r->flt, "time", "time") < 0 ||
	    buf_puts(&r->sql, " GROUP BY time ORDER BY time FORMAT TabSeparated") < 0)
		return -ENOMEM;
	if ((rc = query(r)) < 0)
		return rc;
	r->nsnaps = 0;
	chtsv_init(&t, r->resp.data ? r->resp.data : "", r->resp.len);
	while ((rc = chtsv_next(&t)) == 1) {
		if (r->nsnaps == r->scap) {
			size_t cap = r->scap ? r->scap * 2 : 1024;
			uint32_t *s = realloc(r->syn, cap * sizeof *s);
			uint32_t *a = s ? realloc(r->all, cap * sizeof *a) : NULL;
			usec_t *tm = a ? realloc(r->time, cap * sizeof *tm) : NULL;

			if (s)
				r->syn = s;
			if (a)
				r->all = a;
			if (!tm) {
				rc = -ENOMEM;
				break;
			}
			r->time = tm;
			r->scap = cap;
		}
		if (t.n != 3 || chtsv_i64(&t, 0, &r->time[r->nsnaps]) < 0 ||
		    u32(&t, 1, &r->all[r->nsnaps]) < 0 || u32(&t, 2, &r->syn[r->nsnaps]) < 0) {
			rc = -EBADMSG;
			break;
		}
		r->nsnaps++;
	}
	chtsv_fini(&t);
	return rc;
}

/* The host's own addresses into the rails (never blocked). */
static int own_addresses(struct brun *r, const char *host, struct blockrail *rails)
{
	struct chtsv t;
	int rc;

	buf_reset(&r->sql);
	if (buf_printf(&r->sql, "SELECT DISTINCT laddr FROM %s.spans WHERE laddr IS NOT NULL "
				"AND host = ", r->db) < 0 ||
	    fleet_sql_str(&r->sql, host) < 0 || buf_puts(&r->sql, " FORMAT TabSeparated") < 0)
		return -ENOMEM;
	if ((rc = query(r)) < 0)
		return rc;
	chtsv_init(&t, r->resp.data ? r->resp.data : "", r->resp.len);
	while ((rc = chtsv_next(&t)) == 1) {
		const char *s = chtsv_field(&t, 0);
		struct addr a;

		if (t.n == 1 && s && addr_parse(s, strlen(s), &a) == 0 &&
		    !addr_is_unspecified(&a) && (rc = blockrail_own(rails, &a)) < 0)
			break;
	}
	chtsv_fini(&t);
	return rc;
}

static int keep(struct hostrecs *hr, uint32_t host, const struct blocklist_rec *rec,
		size_t nsnaps, uint64_t rows)
{
	struct hostrec *nv = grow(hr->v, &hr->cap, hr->n, sizeof *nv, 4);

	if (!nv)
		return -ENOMEM;
	hr->v = nv;
	hr->v[hr->n++] = (struct hostrec){host, *rec, nsnaps, rows};
	return 0;
}

/* A host's block of rec->g.net added to the network's line. */
static int list(struct brun *r, uint32_t host, const struct blocklist_rec *rec, size_t nsnaps,
		uint64_t rows)
{
	struct listed *l = NULL;

	for (size_t i = 0; i < r->nl && !l; i++)
		if (r->l[i].net.prefix == rec->g.net.prefix && !addr_cmp(&r->l[i].net.addr, &rec->g.net.addr))
			l = &r->l[i];
	if (l) {
		l->hosts++;
		if (rec->score > l->score) {
			l->score = rec->score;
			l->pattern = rec->pattern;
		}
		if (rec->g.peak > l->peak)
			l->peak = rec->g.peak;
		l->total += rec->g.total;
		if (rec->g.first < l->first)
			l->first = rec->g.first;
		if (rec->g.last > l->last)
			l->last = rec->g.last;
	} else {
		struct listed *nv = grow(r->l, &r->lcap, r->nl, sizeof *nv, 32);

		if (!nv)
			return -ENOMEM;
		r->l = nv;
		l = &r->l[r->nl++];
		*l = (struct listed){rec->g.net, 1, rec->score, rec->pattern, rec->g.peak,
				     rec->g.total, rec->g.first, rec->g.last, {0}};
	}
	return r->o->r.explain ? keep(&l->by, host, rec, nsnaps, rows) : 0;
}

/* The command line's rails (--allow, --include-private, --max-prefix) into
 * a host's, which gets its own addresses added. */
static int copy_rails(struct blockrail *to, const struct blockrail *from)
{
	to->include_private = from->include_private;
	to->max_prefix4 = from->max_prefix4;
	to->max_prefix6 = from->max_prefix6;
	for (size_t i = 0; i < from->nallow; i++)
		if (blockrail_allow(to, &from->allow[i]) < 0)
			return -ENOMEM;
	return 0;
}

/* One host: its evidence, its decisions, its blocks listed. */
static int one_host(struct brun *r, const char *host)
{
	struct blockrail rails;
	struct blocklist_result res = {0};
	struct blocklist_input in = {0};
	size_t npeers;
	long host_id = intern_id(&r->names, host);
	int rc;

	if (host_id < 0)
		return -ENOMEM;
	blockrail_init(&rails);
	rc = copy_rails(&rails, r->o->rails);
	r->ng = 0;
	if (rc == 0 && (rc = groups_sql(r, host, false)) == 0 && (rc = query(r)) == 0)
		rc = read_groups(r);
	npeers = r->ng;
	if (rc == 0 && (rc = groups_sql(r, host, true)) == 0 && (rc = query(r)) == 0)
		rc = read_groups(r);
	if (rc == 0)
		rc = read_series(r, host);
	if (rc == 0)
		rc = own_addresses(r, host, &rails);
	if (rc < 0 || !r->nsnaps)
		goto out;
	in = (struct blocklist_input){r->g, npeers, r->g + npeers, r->ng - npeers, r->nsnaps, 0,
				      r->syn, r->all, r->time};
	for (size_t i = 0; i < r->nsnaps; i++)
		in.rows += r->all[i];
	r->nsnaps_all += r->nsnaps;
	if (!r->t_first || r->time[0] < r->t_first)
		r->t_first = r->time[0];
	if (r->time[r->nsnaps - 1] > r->t_last)
		r->t_last = r->time[r->nsnaps - 1];
	rc = blocklist_decide(&in, &rails, &r->o->r.p, &res);
	for (size_t i = 0; rc == 0 && i < res.n; i++)
		rc = i < res.nblock ? list(r, (uint32_t)host_id, &res.v[i], r->nsnaps, in.rows)
		     : r->o->r.explain ? keep(&r->near, (uint32_t)host_id, &res.v[i], r->nsnaps, in.rows)
				       : 0;
	if (rc == 0 && res.spoof.found)
		r->spoofed++;
	if (rc == 0 && res.spoof.found && r->o->r.why) {
		char *shown = termsafe_dup(host);

		if (!shown)
			rc = -ENOMEM;
		else
			fprintf(r->o->r.why, "%s: a SYN flood from a spread of one-off sources (%" PRIu32
					     " sources over %" PRIu32 " subnets): spoofed, not listed\n",
				shown, res.spoof.sources, res.spoof.subnets);
		free(shown);
	}
out:
	if (rc == -EBADMSG)
		snprintf(r->err, r->errsz, "the server's answer does not parse");
	blocklist_result_fini(&res);
	blockrail_fini(&rails);
	return rc;
}

static int by_hosts(const void *x, const void *y)
{
	const struct listed *a = x, *b = y;

	if (a->hosts != b->hosts)
		return a->hosts > b->hosts ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return addr_cmp(&a->net.addr, &b->net.addr);
}

static long write_listed(struct brun *r, const struct fleet_out *o)
{
	static const struct output_col cols[] = {
		{"net", OUTPUT_STR, false, false},    {"hosts", OUTPUT_INT, true, false},
		{"score", OUTPUT_REAL, true, false},  {"pattern", OUTPUT_STR, false, false},
		{"peak", OUTPUT_INT, true, false},    {"total", OUTPUT_INT, true, false},
		{"first", OUTPUT_STR, false, false},  {"last", OUTPUT_STR, false, false},
	};
	struct output *out = output_new(o->fmt, o->f, cols, sizeof cols / sizeof cols[0], o->width,
					o->color);
	long n = 0;
	int rc = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; rc == 0 && i < r->nl; i++) {
		const struct listed *l = &r->l[i];
		char net[64], hosts[16], score[32], peak[16], total[24], first[UTCTIME_STRLEN],
			last[UTCTIME_STRLEN];
		const char *cells[8] = {net, hosts, score, blocklist_pattern_name(l->pattern), peak,
					total, first, last};

		if (l->hosts < r->o->min_hosts)
			continue;
		cidr_format(&l->net, net, sizeof net);
		snprintf(hosts, sizeof hosts, "%" PRIu32, l->hosts);
		snprintf(score, sizeof score, "%.1f", l->score);
		snprintf(peak, sizeof peak, "%" PRIu32, l->peak);
		snprintf(total, sizeof total, "%" PRIu64, l->total);
		utctime_format(l->first, 0, first, sizeof first);
		utctime_format(l->last, 0, last, sizeof last);
		rc = output_row(out, cells);
		n++;
	}
	if (rc == 0)
		rc = output_end(out);
	output_free(out);
	return rc < 0 ? rc : n;
}

/* The listed networks as a firewall file (blockfmt.h): those blocked on
 * min_hosts hosts or more, each with its highest score. */
static long write_firewall(struct brun *r, FILE *f)
{
	struct blockfmt_entry *e = calloc(r->nl ? r->nl : 1, sizeof *e);
	struct blockfmt_opts bo = {r->o->r.ttl, r->o->r.now};
	size_t n = 0;
	long rc;

	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < r->nl; i++)
		if (r->l[i].hosts >= r->o->min_hosts)
			e[n++] = (struct blockfmt_entry){r->l[i].net, r->l[i].score};
	rc = blockfmt_write(f, r->o->r.fmt, e, n, &bo);
	free(e);
	if (rc == -EINVAL)
		snprintf(r->err, r->errsz, "a recommended network is not canonical; nothing written");
	return rc < 0 ? rc : (long)n;
}

/* "  host: " then the decision in `blocklist --explain`'s words. */
static int explain_host(struct brun *r, const struct hostrec *h)
{
	char *shown = termsafe_dup(r->names.v[h->host]);

	if (!shown)
		return -ENOMEM;
	fprintf(r->o->r.why, "  %s: ", shown);
	report_blocklist_explain_rec(r->o->r.why, &h->rec, h->nsnaps, h->rows);
	free(shown);
	return 0;
}

/* --explain: what was judged, each network with the hosts that block it
 * and their evidence (those on too few hosts too), then each host's near
 * misses. Host names are made safe for a terminal. */
static int explain(struct brun *r)
{
	FILE *w = r->o->r.why;
	char from[UTCTIME_STRLEN], to[UTCTIME_STRLEN];
	size_t nh = r->names.n;
	int rc = 0;

	utctime_format(r->t_first, 0, from, sizeof from);
	utctime_format(r->t_last, 0, to, sizeof to);
	fprintf(w, "evidence: %zu host%s, %zu snapshots from %s to %s; each host judged as "
		   "`blocklist` judges one, against its own baseline\n",
		nh, nh == 1 ? "" : "s", r->nsnaps_all, from, to);
	for (size_t i = 0; rc == 0 && i < r->nl; i++) {
		const struct listed *l = &r->l[i];
		char net[CIDR_STRLEN];

		cidr_format(&l->net, net, sizeof net);
		if (l->hosts >= r->o->min_hosts)
			fprintf(w, "block %s on %" PRIu32 " of %zu hosts, highest score %.1f (%s):\n",
				net, l->hosts, nh, l->score, blocklist_pattern_name(l->pattern));
		else
			fprintf(w, "not listed %s: blocked on %" PRIu32 " of %zu hosts, fewer than "
				   "--on-hosts %" PRIu32 ":\n",
				net, l->hosts, nh, r->o->min_hosts);
		for (size_t j = 0; rc == 0 && j < l->by.n; j++)
			rc = explain_host(r, &l->by.v[j]);
	}
	if (rc == 0 && r->near.n)
		fprintf(w, "near misses (at most %zu a host, --near):\n", r->o->r.p.max_near);
	for (size_t i = 0; rc == 0 && i < r->near.n; i++)
		rc = explain_host(r, &r->near.v[i]);
	if (rc == 0 && !r->nl && !r->near.n)
		fprintf(w, "no peer or subnet came near a host's threshold\n");
	return rc;
}

long fleet_blocklist(struct chhttp *h, const char *database, const struct fleet_filter *flt,
		     const struct fleet_blocklist_opts *o, const struct fleet_out *out, char *err,
		     size_t errsz)
{
	struct brun r = {.h = h, .db = database, .flt = flt, .o = o, .err = err, .errsz = errsz};
	struct buf hosts = BUF_INIT;
	struct chtsv t;
	long rc;

	if (buf_printf(&r.sql, "SELECT DISTINCT host FROM %s.snapshots WHERE 1", database) < 0 ||
	    fleet_sql_filter(&r.sql, flt, "time", "time") < 0 ||
	    buf_puts(&r.sql, " ORDER BY host FORMAT TabSeparated") < 0) {
		rc = -ENOMEM;
		goto out;
	}
	rc = query(&r);
	if (rc < 0)
		goto out;
	/* the host list is read from a copy: each host's queries reuse resp */
	if (buf_append(&hosts, r.resp.data ? r.resp.data : "", r.resp.len) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	chtsv_init(&t, hosts.data ? hosts.data : "", hosts.len);
	while ((rc = chtsv_next(&t)) == 1) {
		const char *host = chtsv_field(&t, 0);

		rc = t.n == 1 && host ? one_host(&r, host) : -EBADMSG;
		if (rc < 0)
			break;
	}
	chtsv_fini(&t);
	if (rc == 0 && r.nl)
		qsort(r.l, r.nl, sizeof *r.l, by_hosts);
	if (rc == 0 && o->r.explain && o->r.why)
		rc = explain(&r);
	if (rc == 0)
		rc = o->r.rows ? write_listed(&r, out) : write_firewall(&r, out->f);
	if (rc >= 0 && (fflush(out->f) != 0 || ferror(out->f))) {
		snprintf(err, errsz, "writing the block-list failed");
		rc = -EIO;
	}
out:
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	else if (rc == -EBADMSG && !err[0])
		snprintf(err, errsz, "the server's answer does not parse");
	buf_fini(&hosts);
	buf_fini(&r.sql);
	buf_fini(&r.resp);
	free(r.g);
	free(r.syn);
	free(r.all);
	free(r.time);
	for (size_t i = 0; i < r.nl; i++)
		free(r.l[i].by.v);
	free(r.l);
	free(r.near.v);
	intern_fini(&r.names);
	return rc;
}

/* report_blocklist — the evidence of `sockscope blocklist` read in one scan
 * (peers, subnets, SYN_RECV per peer, per snapshot and per local port), the
 * host's own addresses from its sockets (in that scan unless a filter
 * narrows it), and the output: a firewall file, rows, the explanation and
 * the spoofed-flood advice. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "agg.h"
#include "db.h"
#include "grow.h"
#include "named.h"
#include "report_blocklist.h"
#include "spancode.h"
#include "tcpstate.h"

int report_blocklist_format_parse(const char *s, struct report_blocklist_opts *o)
{
	if (!strcmp(s, "csv") || !strcmp(s, "json")) {
		o->rows = true;
		return output_format_parse(s, &o->out);
	}
	o->rows = false;
	return blockfmt_parse(s, &o->fmt);
}

/* The host's own addresses, folded, sorted and each once: the rails get
 * them in this order, so a network holding several names its lowest. */
struct own_set {
	struct addr *v;
	size_t n, cap;
};

/* Adds a (folded; not when unspecified). 0 or -ENOMEM. */
static int own_add(struct own_set *s, const struct addr *a)
{
	struct addr f = *a, *v;
	size_t lo = 0, hi = s->n;

	addr_fold(&f);
	if (!f.family || addr_is_unspecified(&f))
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = addr_cmp(&s->v[mid], &f);

		if (c == 0)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!(v = grow(s->v, &s->cap, s->n, sizeof *v, 16)))
		return -ENOMEM;
	s->v = v;
	memmove(v + lo + 1, v + lo, (s->n - lo) * sizeof *v);
	v[lo] = f;
	s->n++;
	return 0;
}

/* Whether the scan reads every span of the selected hosts' chains (no
 * filter but --host), so that their local addresses are all the host's own
 * addresses (own_addresses) without a pass of their own. */
static bool own_in_scan(const struct filter *f)
{
	return !f->have_since && !f->have_until && !f->states && f->port < 0 && f->lport < 0 &&
	       f->rport < 0 && !f->protos && !f->family && !f->program;
}

/* The host's own addresses: every local address of the selected hosts'
 * sockets, over all their snapshots (not only the time range: an address
 * that served at another time is still the host's). */
static int own_addresses(sqlite3 *db, const struct filter *flt, struct own_set *own, char *err,
			 size_t errsz)
{
	struct filter f;
	sqlite3_stmt *st;
	int rc;

	filter_init(&f);
	f.host = flt->host;
	rc = scan_prepare(db, &f, false, 0,
			  /* every snapshot of the host's chains is selected (no
			   * time range), and each span covers one: no expansion */
			  /* stored laddrs (spancode.h) made distinct first, then
			   * each one decoded to text once; every host's chains:
			   * the table read in its order (+chain: not through the
			   * index, whose every entry costs a seek into the table:
			   * 66 -> 28 ms for 400k spans), one host's: the index */
			  flt->host ? " SELECT " SPANCODE_SQL_LADDR("k") " FROM (SELECT DISTINCT laddr"
				      " FROM spans_packed WHERE chain IN (SELECT c FROM snaps)) k"
				    : " SELECT " SPANCODE_SQL_LADDR("k") " FROM (SELECT DISTINCT laddr"
				      " FROM spans_packed WHERE +chain IN (SELECT c FROM snaps)) k",
			  &st, err, errsz);
	if (rc < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(st, 0);
		struct addr a;

		if (t && addr_parse(t, strlen(t), &a) == 0 && own_add(own, &a) < 0) {
			snprintf(err, errsz, "out of memory");
			rc = -ENOMEM;
			goto out;
		}
	}
	if (rc != SQLITE_DONE) {
		snprintf(err, errsz, "%s", sqlite3_errmsg(db));
		rc = -EIO;
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(st);
	return rc;
}

/* own_addresses beside the scan, on its own connection, when the scan
 * cannot collect them (a filter): a pass over every span's local address
 * (~0.2 s of CPU on 1.7M spans) that the decision needs only after the
 * scan. */
struct own_job {
	const char *path;
	const struct filter *flt;
	struct own_set own;
	pthread_t tid;
	bool started;
	int rc;
	char err[256];
};

static void *own_run(void *arg)
{
	struct own_job *j = arg;
	sqlite3 *db = NULL;

	if (db_open_reader(j->path, &db) != SQLITE_OK) {
		snprintf(j->err, sizeof j->err, "%s: %s", j->path,
			 db ? sqlite3_errmsg(db) : "out of memory");
		j->rc = -EIO;
	} else {
		sqlite3_exec(db, "PRAGMA mmap_size = 4294967296", NULL, NULL, NULL);
		j->rc = own_addresses(db, j->flt, &j->own, j->err, sizeof j->err);
	}
	sqlite3_close(db);
	return NULL;
}

/* Starts j in a thread when the scan reads with more than one (a file,
 * threads); otherwise, or when no thread starts, runs it here. 0 or
 * -errno with err set. */
static int own_start(struct own_job *j, sqlite3 *db, unsigned nt, char *err, size_t errsz)
{
	const char *path = sqlite3_db_filename(db, "main");

	if (nt > 1 && path && *path) {
		j->path = path;
		j->started = pthread_create(&j->tid, NULL, own_run, j) == 0;
		if (j->started)
			return 0;
	}
	return own_addresses(db, j->flt, &j->own, err, errsz);
}

/* Waits for j: its result, its message into err. */
static int own_join(struct own_job *j, char *err, size_t errsz)
{
	if (!j->started)
		return 0;
	pthread_join(j->tid, NULL);
	j->started = false;
	if (j->rc < 0)
		snprintf(err, errsz, "%s", j->err);
	return j->rc;
}

/* A span of a peer as a reader hands it to the part that counts its
 * subnet. */
struct bl_span {
	struct agg_key key;      /* the peer's (agg_key_addr, no prefix) */
	uint32_t first, last, copies;
	uint8_t state;
};

/* One part's spans from one reader, in the order read. */
struct bl_spans {
	struct bl_span *v;
	size_t n, cap;
};

/* One reading thread's counts: the per-snapshot series, and each span of
 * a peer handed to the part of its subnet, counted there when every reader
 * is done (count_part): a peer's and a subnet's spans all in one part,
 * none to merge between threads. */
struct bl_ctx {
	/* a cache line of its own: the readers' contexts sit side by side,
	 * and each writes its own on every span */
	_Alignas(64) const struct report_blocklist_opts *o;
	int64_t *dsyn, *dall;                /* SYN_RECV, all sockets per position, as
	                                      * changes: +copies at a span's first,
	                                      * -copies after its last */
	const struct agg_timebase *tb;       /* ... of this */
	struct bl_spans part[SCAN_MAX_THREADS];
	unsigned nparts;
	bool own_on;                         /* own_in_scan: */
	struct own_set own;                  /* the local addresses seen, */
	struct addr own_last;                /* ... the last one added */
	uint64_t rows;
	uint64_t *port_syn;                  /* SYN_RECV per local port (65536) */
};

/* The part that counts the subnet of peer: a hash of the subnet's bits. */
static unsigned part_of(const struct addr *peer, const struct report_blocklist_opts *o,
			unsigned nparts)
{
	struct addr m = *peer;
	uint64_t h = 0;

	addr_mask(&m, m.family == AF_INET ? o->p.prefix4 : o->p.prefix6);
	for (unsigned i = 0; i < 16; i += 4)
		h = (h + ((uint64_t)m.a[i] << 24 | (uint64_t)m.a[i + 1] << 16 |
			  (uint64_t)m.a[i + 2] << 8 | m.a[i + 3])) * 0x9e3779b97f4a7c15ull;
	return (unsigned)((h >> 32) % nparts);
}

/* A span: its local address (own_in_scan), the series, and the peer's
 * span handed to its subnet's part. */
static int on_span(void *ctx, const struct scan_row *r, const struct scan_span *sp)
{
	struct bl_ctx *c = ctx;
	uint64_t n = (uint64_t)sp->copies * (sp->last - sp->first + 1);
	struct bl_spans *to;
	struct bl_span *v;
	int rc;

	/* a span's local address, peer or not: most spans share the last */
	if (c->own_on && memcmp(&r->local, &c->own_last, sizeof r->local)) {
		if ((rc = own_add(&c->own, &r->local)) < 0)
			return rc;
		c->own_last = r->local;
	}
	if (!r->peer.family || addr_is_unspecified(&r->peer))
		return 0;
	if (!c->dall) {
		c->dall = calloc(sp->tb->n + 1, sizeof *c->dall);
		c->dsyn = calloc(sp->tb->n + 1, sizeof *c->dsyn);
		if (!c->dall || !c->dsyn)
			return -ENOMEM;
		c->tb = sp->tb;
	}
	c->rows += n;
	c->dall[sp->first] += sp->copies;
	c->dall[sp->last + 1] -= sp->copies;
	if (r->state == ST_SYN_RECV || r->state == ST_NEW_SYN_RECV) {
		c->dsyn[sp->first] += sp->copies;
		c->dsyn[sp->last + 1] -= sp->copies;
		c->port_syn[r->lport] += n;
	}
	to = &c->part[c->nparts > 1 ? part_of(&r->peer, c->o, c->nparts) : 0];
	if (to->n == to->cap) {
		if (!(v = grow_big(to->v, &to->cap, to->n, sizeof *v, 4096)))
			return -ENOMEM;
		to->v = v;
	}
	v = &to->v[to->n++];
	agg_key_addr(&v->key, &r->peer, 0, 0);
	v->first = sp->first;
	v->last = sp->last;
	v->copies = sp->copies;
	v->state = r->state;
	return 0;
}

static void ctx_fini(struct bl_ctx *c)
{
	free(c->dsyn);
	free(c->dall);
	free(c->port_syn);
	for (unsigned j = 0; j < SCAN_MAX_THREADS; j++)
		free(c->part[j].v);
	free(c->own.v);
}

static bool is_closing(unsigned st)
{
	return st == ST_TIME_WAIT || st == ST_FIN_WAIT1 || st == ST_FIN_WAIT2 ||
	       st == ST_CLOSE_WAIT || st == ST_LAST_ACK || st == ST_CLOSING;
}

/* An agg group as evidence; syn: its SYN_RECV rows (the hosts' groups,
 * agg_state_total) as the peer's syn_total. */
static void group_of(const struct agg *a, const struct agg_group *g, bool syn, unsigned prefix4,
		     unsigned prefix6, struct blocklist_group *out)
{
	uint32_t mix[AGG_NSTATE];

	memset(out, 0, sizeof *out);
	agg_key_cidr(&g->key, prefix4, prefix6, &out->net);
	agg_mix(a, g, mix);
	out->peak = g->peak;
	out->syn = mix[ST_SYN_RECV];
	out->est = mix[ST_ESTABLISHED];
	for (unsigned s = 0; s < AGG_NSTATE; s++)
		if (is_closing(s))
			out->closing += mix[s];
	out->present = g->present;
	out->hosts = prefix4 ? g->peers : 1;
	out->total = g->total;
	out->first = g->first;
	out->last = g->last;
	out->peak_time = g->peak_time;
	if (syn)
		out->syn_total = g->state_total;
}

/* 4812 -> "4,812" */
static const char *grouped(uint64_t v, char *out, size_t n)
{
	char d[24];
	size_t len = (size_t)snprintf(d, sizeof d, "%" PRIu64, v), j = 0;

	for (size_t i = 0; i < len && j + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			out[j++] = ',';
		out[j++] = d[i];
	}
	out[j] = '\0';
	return out;
}

void report_blocklist_explain_rec(FILE *w, const struct blocklist_rec *r, size_t nsnaps,
				  uint64_t rows)
{
	char net[CIDR_STRLEN], pt[UTCTIME_STRLEN], first[UTCTIME_STRLEN], last[UTCTIME_STRLEN];
	char n1[32], n2[32], n3[32], n4[32], n5[32];
	const struct blocklist_group *g = &r->g;

	cidr_format(&g->net, net, sizeof net);
	utctime_format(g->peak_time, 0, pt, sizeof pt);
	utctime_format(g->first, 0, first, sizeof first);
	utctime_format(g->last, 0, last, sizeof last);
	if (r->action == BLOCKLIST_BLOCK)
		fprintf(w, "block %s, score %.1f (%s): ", net, r->score, blocklist_pattern_name(r->pattern));
	else
		fprintf(w, "not blocked %s: %s. ", net, r->why);
	if (r->subnet)
		fprintf(w, "%s hosts (%s alike), ", grouped(g->hosts, n1, sizeof n1),
			grouped(r->alike, n2, sizeof n2));
	fprintf(w, "%s sockets at peak %s: %s SYN_RECV, %s ESTABLISHED, %s closing; present in %s of %zu snapshots (%s to %s); %.2f%% of all sockets\n",
		grouped(g->peak, n1, sizeof n1), pt, grouped(g->syn, n2, sizeof n2),
		grouped(g->est, n3, sizeof n3), grouped(g->closing, n4, sizeof n4),
		grouped(g->present, n5, sizeof n5), nsnaps, first, last,
		rows ? (double)g->total * 100.0 / (double)rows : 0.0);
}

static void explain_head(FILE *w, const struct blocklist_result *res,
			 const struct blocklist_params *p, const struct scan_snaps *snaps,
			 size_t npeers, uint64_t rows)
{
	char from[UTCTIME_STRLEN], to[UTCTIME_STRLEN], n1[32], n2[32], n3[32];

	utctime_format(snaps->v[0].time, 0, from, sizeof from);
	utctime_format(snaps->v[snaps->n - 1].time, 0, to, sizeof to);
	fprintf(w, "evidence: %s snapshot%s from %s to %s, %s peer%s, %s socket%s with a peer\n",
		grouped(snaps->n, n1, sizeof n1), snaps->n == 1 ? "" : "s", from, to,
		grouped(npeers, n2, sizeof n2), npeers == 1 ? "" : "s", grouped(rows, n3, sizeof n3),
		rows == 1 ? "" : "s");
	if (p->min_conns)
		fprintf(w, "threshold: %" PRIu32 " sockets at peak (--min-conns)", res->threshold);
	else if (!res->clients)
		fprintf(w, "threshold: %" PRIu32 " sockets at peak, the floor: no peer completed a handshake to compare with",
			res->threshold);
	else
		fprintf(w, "threshold: %" PRIu32 " sockets at peak = max(20, 5 x median %" PRIu32
			   ", median + 6 x sigma %.1f) over %s peers that completed a handshake",
			res->threshold, res->typical, res->sigma, grouped(res->clients, n1, sizeof n1));
	fprintf(w, "; present in %" PRIu32 " snapshot%s or more; %.3f%% of all sockets or more; a subnet (/%u, /%u) when %" PRIu32
		   " host%s or more behave alike\n",
		res->min_snapshots, res->min_snapshots == 1 ? "" : "s", p->min_share, p->prefix4,
		p->prefix6, p->min_hosts, p->min_hosts == 1 ? "" : "s");
}

/* The flooded ports: those with SYN_RECV, the most first, up to 8. */
static size_t syn_ports(const uint64_t *port_syn, unsigned *ports, size_t max)
{
	size_t n = 0;

	for (unsigned port = 0; port < 65536; port++) {
		size_t i;

		if (!port_syn[port])
			continue;
		if (n == max && port_syn[port] <= port_syn[ports[n - 1]])
			continue;
		i = n < max ? n++ : n - 1;
		while (i > 0 && port_syn[ports[i - 1]] < port_syn[port]) {
			ports[i] = ports[i - 1];
			i--;
		}
		ports[i] = port;
	}
	return n;
}

static void spoof_advice(FILE *w, const struct blocklist_spoof *s, const uint64_t *port_syn,
			 const struct blocklist_params *p)
{
	char pt[UTCTIME_STRLEN], first[UTCTIME_STRLEN], last[UTCTIME_STRLEN];
	char n1[32], n2[32], n3[32], n4[32];
	unsigned ports[8];
	size_t np = syn_ports(port_syn, ports, 8);

	utctime_format(s->peak_time, 0, pt, sizeof pt);
	utctime_format(s->first, 0, first, sizeof first);
	utctime_format(s->last, 0, last, sizeof last);
	fprintf(w, "spoofed: a SYN flood of up to %s SYN_RECV at %s (%" PRIu32 "%% of its sockets; a quarter of the snapshots have %s or fewer) came from %s one-off sources spread over %s /%u or /%u networks, %s to %s.\n"
		   "The sources are likely spoofed: blocking them is futile, and no rule was made for them. Instead, on the host:\n"
		   "  sysctl -w net.ipv4.tcp_syncookies=1\n"
		   "  sysctl -w net.ipv4.tcp_max_syn_backlog=4096\n"
		   "  sysctl -w net.core.somaxconn=4096\n"
		   "  sysctl -w net.ipv4.tcp_synack_retries=2\n"
		   "and limit new connections",
		grouped(s->syn_peak, n1, sizeof n1), pt, s->syn_share, grouped(s->syn_q1, n2, sizeof n2),
		grouped(s->sources, n3, sizeof n3), grouped(s->subnets, n4, sizeof n4), p->prefix4,
		p->prefix6, first, last);
	fprintf(w, "%s (nft -f FILE; set the rate to a few times your usual rate of new connections):\n"
		   "  table inet sockscope_synlimit {\n"
		   "  \tchain input {\n"
		   "  \t\ttype filter hook input priority -5; policy accept;\n"
		   "  \t\t",
		np ? " to the flooded ports" : "");
	if (np == 1)
		fprintf(w, "tcp dport %u ", ports[0]);
	if (np > 1) {
		fprintf(w, "tcp dport { ");
		for (size_t i = 0; i < np; i++)
			fprintf(w, "%s%u", i ? ", " : "", ports[i]);
		fprintf(w, " } ");
	}
	fprintf(w, "tcp flags & (fin | syn | rst | ack) == syn limit rate over 200/second burst 400 packets drop\n"
		   "  \t}\n"
		   "  }\n");
}

static int write_rows(const struct blocklist_result *res, size_t nsnaps, uint64_t rows, bool near,
		      const struct report_blocklist_opts *o, FILE *f)
{
	static const struct output_col cols[] = {
		{"cidr", OUTPUT_STR, false, false},     {"action", OUTPUT_STR, false, false},
		{"score", OUTPUT_REAL, true, false},    {"pattern", OUTPUT_STR, false, false},
		{"hosts", OUTPUT_INT, true, false},     {"alike", OUTPUT_INT, true, false},
		{"peak", OUTPUT_INT, true, false},      {"peak_time", OUTPUT_STR, false, false},
		{"syn_recv", OUTPUT_INT, true, false},  {"established", OUTPUT_INT, true, false},
		{"closing", OUTPUT_INT, true, false},   {"present", OUTPUT_INT, true, false},
		{"snapshots", OUTPUT_INT, true, false}, {"share", OUTPUT_REAL, true, false},
		{"first", OUTPUT_STR, false, false},    {"last", OUTPUT_STR, false, false},
		{"why", OUTPUT_STR, false, true},
	};
	struct output *out = output_new(o->out, f, cols, sizeof cols / sizeof cols[0], 0, false);
	size_t n = near ? res->n : res->nblock;
	int rc = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i <= n && rc == 0; i++) {
		char net[CIDR_STRLEN], score[16], hosts[24], alike[24], peak[24], pt[UTCTIME_STRLEN],
			syn[24], est[24], cl[24], pres[24], snaps[24], share[32],
			first[UTCTIME_STRLEN], last[UTCTIME_STRLEN];
		const char *cells[17] = {net, NULL, score, NULL, hosts, alike, peak, pt, syn,
					 est, cl, pres, snaps, share, first, last, NULL};
		const struct blocklist_group *g;

		if (i == n) {   /* last, the spoofed flood when there is one */
			const struct blocklist_spoof *s = &res->spoof;

			if (!s->found)
				break;
			cells[0] = NULL;
			cells[1] = "advise";
			cells[2] = NULL;
			cells[3] = "spoofed";
			snprintf(hosts, sizeof hosts, "%" PRIu32, s->sources);
			snprintf(alike, sizeof alike, "%" PRIu32, s->subnets);
			snprintf(peak, sizeof peak, "%" PRIu32, s->syn_peak);
			utctime_format(s->peak_time, 0, pt, sizeof pt);
			snprintf(syn, sizeof syn, "%" PRIu32, s->syn_peak);
			cells[9] = cells[10] = cells[11] = cells[13] = NULL;
			snprintf(snaps, sizeof snaps, "%zu", nsnaps);
			utctime_format(s->first, 0, first, sizeof first);
			utctime_format(s->last, 0, last, sizeof last);
			cells[16] = "a SYN flood from a spread of one-off sources, likely spoofed: block nothing; SYN cookies, backlog and rate limits instead";
			rc = output_row(out, cells);
			break;
		}
		g = &res->v[i].g;
		cidr_format(&g->net, net, sizeof net);
		cells[1] = res->v[i].action == BLOCKLIST_BLOCK ? "block" : "skip";
		snprintf(score, sizeof score, "%.1f", res->v[i].score);
		cells[3] = blocklist_pattern_name(res->v[i].pattern);
		snprintf(hosts, sizeof hosts, "%" PRIu32, g->hosts);
		snprintf(alike, sizeof alike, "%" PRIu32, res->v[i].alike);
		snprintf(peak, sizeof peak, "%" PRIu32, g->peak);
		utctime_format(g->peak_time, 0, pt, sizeof pt);
		snprintf(syn, sizeof syn, "%" PRIu32, g->syn);
		snprintf(est, sizeof est, "%" PRIu32, g->est);
		snprintf(cl, sizeof cl, "%" PRIu32, g->closing);
		snprintf(pres, sizeof pres, "%" PRIu32, g->present);
		snprintf(snaps, sizeof snaps, "%zu", nsnaps);
		snprintf(share, sizeof share, "%.3f",
			 rows ? (double)g->total * 100.0 / (double)rows : 0.0);
		utctime_format(g->first, 0, first, sizeof first);
		utctime_format(g->last, 0, last, sizeof last);
		cells[16] = res->v[i].action == BLOCKLIST_BLOCK ? "" : res->v[i].why;
		rc = output_row(out, cells);
	}
	if (rc == 0)
		rc = output_end(out);
	output_free(out);
	return rc;
}

/* The firewall file: the blocks (iptables: IPv4 ones, ip6tables: IPv6). */
static long write_firewall(const struct blocklist_result *res,
			   const struct report_blocklist_opts *o, FILE *f, FILE *why)
{
	struct blockfmt_entry *e = calloc(res->nblock ? res->nblock : 1, sizeof *e);
	struct blockfmt_opts bo = {o->ttl, o->now};
	size_t n = 0, left = 0;
	long rc;

	if (!e)
		return -ENOMEM;
	for (size_t i = 0; i < res->nblock; i++) {
		int fam = res->v[i].g.net.addr.family;

		if ((o->fmt == BLOCKFMT_IPTABLES && fam != AF_INET) ||
		    (o->fmt == BLOCKFMT_IP6TABLES && fam != AF_INET6)) {
			left++;
			continue;
		}
		e[n].net = res->v[i].g.net;
		e[n++].score = res->v[i].score;
	}
	rc = blockfmt_write(f, o->fmt, e, n, &bo);
	if (rc >= 0 && left && why)
		fprintf(why, "note: %zu %s network%s left out: use --format %s for them (or nft, ipset)\n",
			left, o->fmt == BLOCKFMT_IPTABLES ? "IPv6" : "IPv4", left == 1 ? "" : "s",
			o->fmt == BLOCKFMT_IPTABLES ? "ip6tables" : "iptables");
	free(e);
	return rc;
}

/* The readers' totals into ctx[0]'s. */
static void sum_readers(struct bl_ctx *ctx, unsigned nt)
{
	for (unsigned i = 1; i < nt; i++) {
		ctx[0].rows += ctx[i].rows;
		for (unsigned p = 0; p < 65536; p++)
			ctx[0].port_syn[p] += ctx[i].port_syn[p];
	}
}

/* One part's peers and subnets (count_part), then their evidence in its
 * slice of the arrays the decision reads (fill_part). */
struct bl_part {
	const struct report_blocklist_opts *o;
	struct bl_ctx *ctx;                  /* the readers, nreaders of them */
	unsigned nreaders, j;
	const struct agg_timebase *tb;
	struct agg *hosts, *subnets;
	struct blocklist_group *hosts_out, *subnets_out;
	int rc;
};

/* Part j's spans counted: every reader's, in reading order (the peers are
 * numbered as one reading of them all numbers them; the decision's example
 * of a subnet's legitimate peer is its first), then its subnets from its
 * peers' (agg_span_regroup: one lookup a peer, each peer counted once in
 * its subnet; the part holds every span of its peers). */
static void *count_part(void *arg)
{
	struct bl_part *p = arg;
	const struct report_blocklist_opts *o = p->o;
	size_t n = 0;
	int rc = -ENOMEM;

	for (unsigned i = 0; i < p->nreaders; i++)
		n += p->ctx[i].part[p->j].n;
	if (!(p->hosts = agg_new(0)) || !(p->subnets = agg_new(0)))
		goto out;
	/* the one figure of a peer's SYN_RECV rows the decision reads
	 * (syn_total) is a sum: kept by its group */
	agg_state_total(p->hosts, ST_SYN_RECV);
	/* at most a peer a span: made once, huge pages from the start */
	if ((rc = agg_reserve(p->hosts, n, n)) < 0)
		goto out;
	for (unsigned i = 0; i < p->nreaders; i++) {
		struct bl_spans *sp = &p->ctx[i].part[p->j];

		for (size_t k = 0; rc == 0 && k < sp->n; k++)
			rc = agg_span(p->hosts, p->tb, &sp->v[k].key, NULL, sp->v[k].state,
				      sp->v[k].first, sp->v[k].last, sp->v[k].copies);
		free(sp->v);
		*sp = (struct bl_spans){0};
	}
	if (rc == 0)
		rc = agg_span_regroup(p->subnets, p->hosts, o->p.prefix4, o->p.prefix6);
	if (rc == 0)
		rc = agg_end(p->hosts);
	if (rc == 0)
		rc = agg_end(p->subnets);
out:
	p->rc = rc;
	return NULL;
}

/* Part j's groups as evidence, into its slices. */
static void *fill_part(void *arg)
{
	struct bl_part *p = arg;
	size_t nh = agg_ngroups(p->hosts), ns = agg_ngroups(p->subnets);

	for (size_t i = 0; i < nh; i++)
		group_of(p->hosts, &agg_groups(p->hosts)[i], true, 0, 0, &p->hosts_out[i]);
	for (size_t i = 0; i < ns; i++)
		group_of(p->subnets, &agg_groups(p->subnets)[i], false, p->o->p.prefix4,
			 p->o->p.prefix6, &p->subnets_out[i]);
	return NULL;
}

/* The parts counted, side by side. 0 or -ENOMEM. */
static int count_parts(struct bl_ctx *ctx, unsigned nt, struct bl_part *parts)
{
	const struct agg_timebase *tb = NULL;

	for (unsigned i = 0; i < nt; i++)
		tb = tb ? tb : ctx[i].tb;
	for (unsigned j = 0; j < nt; j++)
		parts[j] = (struct bl_part){.o = ctx[0].o, .ctx = ctx, .nreaders = nt, .j = j,
					    .tb = tb};
	scan_parallel(count_part, parts, sizeof *parts, nt);
	for (unsigned j = 0; j < nt; j++)
		if (parts[j].rc < 0)
			return parts[j].rc;
	return 0;
}

/* Per snapshot: its time, its SYN_RECV sockets and all its sockets. */
static void sum_series(const struct bl_ctx *ctx, unsigned nt, const struct scan_snaps *snaps,
		       uint32_t *syn, uint32_t *all, usec_t *times)
{
	for (size_t s = 0; s < snaps->n; s++)
		times[s] = snaps->v[s].time;
	for (unsigned i = 0; i < nt; i++) {
		int64_t y = 0, a = 0;

		for (size_t p = 0; ctx[i].dall && p < ctx[i].tb->n; p++) {
			y += ctx[i].dsyn[p];
			a += ctx[i].dall[p];
			syn[ctx[i].tb->snap[p]] += (uint32_t)y;
			all[ctx[i].tb->snap[p]] += (uint32_t)a;
		}
	}
}

long report_blocklist(struct scan_src *src, const struct filter *flt, struct blockrail *rails,
		      const struct report_blocklist_opts *o, FILE *f, char *err, size_t errsz)
{
	unsigned nt = src->threads ? src->threads : 1;
	bool own_scan = own_in_scan(flt);
	struct bl_ctx ctx[SCAN_MAX_THREADS];
	struct bl_part parts[SCAN_MAX_THREADS];
	struct scan_sink sinks[SCAN_MAX_THREADS];
	struct scan_snaps snaps = {0};
	struct own_job own = {.flt = flt};
	struct blocklist_group *hosts = NULL, *subnets = NULL;
	struct blocklist_input in = {0};
	struct blocklist_result res = {0};
	uint32_t *syn = NULL, *all = NULL;
	usec_t *times = NULL;
	size_t nh = 0, nsub = 0;
	long rc;

	if (!src->db) {   /* dumps come imported into one (NEEDS_DB) */
		snprintf(err, errsz, "a block-list needs a database");
		return -EINVAL;
	}
	if (nt > SCAN_MAX_THREADS)
		nt = SCAN_MAX_THREADS;
	memset(ctx, 0, sizeof ctx);
	memset(parts, 0, sizeof parts);
	for (unsigned i = 0; i < nt; i++) {
		ctx[i].o = o;
		ctx[i].nparts = nt;
		ctx[i].own_on = own_scan;
		ctx[i].port_syn = calloc(65536, sizeof *ctx[i].port_syn);
		if (!ctx[i].port_syn) {
			rc = -ENOMEM;
			goto oom;
		}
		sinks[i] = (struct scan_sink){.ctx = &ctx[i], .span = on_span};
	}
	if (!own_scan && (rc = own_start(&own, src->db, nt, err, errsz)) < 0)
		goto out;
	/* own_scan: every span, for its local address (the few without a
	 * peer are left out by on_span instead of the SQL) */
	rc = scan_run(src, flt, false, 0,
		      SCAN_PEER | SCAN_LPORT | (own_scan ? SCAN_LOCAL : SCAN_HAS_PEER), nt, sinks,
		      &snaps, err, errsz);
	if (rc < 0)
		goto out;
	if ((rc = own_join(&own, err, errsz)) < 0)
		goto out;
	for (unsigned i = 0; i < nt; i++)
		for (size_t k = 0; k < ctx[i].own.n; k++)
			if (own_add(&own.own, &ctx[i].own.v[k]) < 0) {
				rc = -ENOMEM;
				goto oom;
			}
	for (size_t k = 0; k < own.own.n; k++)
		if (blockrail_own(rails, &own.own.v[k]) < 0) {
			rc = -ENOMEM;
			goto oom;
		}
	if (snaps.n == 0) {
		snprintf(err, errsz, "no snapshot matches");
		rc = -ENODATA;
		goto out;
	}
	sum_readers(ctx, nt);
	if ((rc = count_parts(ctx, nt, parts)) < 0)
		goto oom;
	for (unsigned j = 0; j < nt; j++) {
		nh += agg_ngroups(parts[j].hosts);
		nsub += agg_ngroups(parts[j].subnets);
	}
	syn = calloc(snaps.n, sizeof *syn);
	all = calloc(snaps.n, sizeof *all);
	times = calloc(snaps.n, sizeof *times);
	hosts = big_alloc(nh, sizeof *hosts, true);
	subnets = big_alloc(nsub, sizeof *subnets, true);
	if (!syn || !all || !times || !hosts || !subnets) {
		rc = -ENOMEM;
		goto oom;
	}
	/* each part's slice, in part order */
	for (unsigned j = 0, h = 0, s = 0; j < nt; j++) {
		parts[j].hosts_out = hosts + h;
		parts[j].subnets_out = subnets + s;
		h += (unsigned)agg_ngroups(parts[j].hosts);
		s += (unsigned)agg_ngroups(parts[j].subnets);
	}
	scan_parallel(fill_part, parts, sizeof *parts, nt);
	sum_series(ctx, nt, &snaps, syn, all, times);
	in = (struct blocklist_input){hosts, nh, subnets, nsub, snaps.n, ctx[0].rows, syn, all, times};
	if ((rc = blocklist_decide(&in, rails, &o->p, &res)) < 0)
		goto oom;

	if (o->explain && o->why) {
		explain_head(o->why, &res, &o->p, &snaps, nh, ctx[0].rows);
		for (size_t i = 0; i < res.n; i++)
			report_blocklist_explain_rec(o->why, &res.v[i], snaps.n, ctx[0].rows);
		if (res.n == 0)
			fprintf(o->why, "no peer or subnet came near the threshold\n");
	}
	if (res.spoof.found && o->why)
		spoof_advice(o->why, &res.spoof, ctx[0].port_syn, &o->p);
	/* peers a dump named instead of addressing: never a rule (a name is
	 * not an address, and resolving it here would block whoever holds it
	 * now); --explain lists them */
	if (o->why) {
		struct named_peers np;

		if ((rc = named_peers_load(src->db, flt, false, 0, o->explain ? 0 : 1, &np, err,
					   errsz)) < 0)
			goto out;
		if (o->explain)
			named_peers_note(o->why, &np, "none can become a rule");
		else if (np.rows)
			fprintf(o->why,
				"named: %" PRIu64 " socket%s had a peer known by name only (a dump saved "
				"without -n): none can become a rule; --explain lists them, "
				"netstat -n gives addresses\n",
				np.rows, np.rows == 1 ? "" : "s");
		named_peers_fini(&np);
	}
	if (o->rows) {
		rc = write_rows(&res, snaps.n, ctx[0].rows, o->explain, o, f);
	} else {
		rc = write_firewall(&res, o, f, o->why);
		if (rc == -EINVAL) {   /* a decision the writer refuses: a bug, say so */
			snprintf(err, errsz, "a recommended network is not canonical; nothing written");
			goto out;
		}
	}
	if (rc < 0 || fflush(f) != 0 || ferror(f)) {
		snprintf(err, errsz, "writing the block-list failed");
		rc = -EIO;
		goto out;
	}
	rc = (long)res.nblock;
	goto out;
oom:
	snprintf(err, errsz, "out of memory");
out:
	if (own.started) /* the scan failed: the addresses are not wanted */
		pthread_join(own.tid, NULL);
	free(own.own.v);
	blocklist_result_fini(&res);
	free(hosts);
	free(subnets);
	free(syn);
	free(all);
	free(times);
	for (unsigned i = 0; i < nt; i++)
		ctx_fini(&ctx[i]);
	for (unsigned j = 0; j < nt; j++) {
		agg_free(parts[j].hosts);
		agg_free(parts[j].subnets);
	}
	scan_snaps_fini(&snaps);
	return rc;
}

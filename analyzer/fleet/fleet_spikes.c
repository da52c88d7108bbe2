/* fleet_spikes — `fleet spikes`: the series that can spike are found from
 * their per-batch summaries (series_ranges, seriesrange.h); ClickHouse sends
 * only those (the SYN_RECV count per snapshot, each counter per snapshot,
 * with the boots); spike_find and spike_rates decide, as `spikes` does. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "chtsv.h"
#include "fleet.h"
#include "fleet_int.h"
#include "grow.h"
#include "report_spikes.h"
#include "seriesrange.h"
#include "intern.h"

struct found {
	char host[256];
	char series[128];
	struct spike s;
};

struct run {
	struct found *v;
	size_t n, cap;
	struct spike_point *p;
	int64_t *t, *cum;
	bool *restart;
	size_t pn, pcap;         /* points of the current host */
	char host[256];
	char *err;
	size_t errsz;
};

static int add_point(struct run *r, int64_t t, int64_t v, bool restart)
{
	if (r->pn == r->pcap) {
		size_t cap = r->pcap ? r->pcap * 2 : 1024;
		struct spike_point *p = realloc(r->p, cap * sizeof *p);
		int64_t *tt = p ? realloc(r->t, cap * sizeof *tt) : NULL;
		int64_t *c = tt ? realloc(r->cum, cap * sizeof *c) : NULL;
		bool *rs = c ? realloc(r->restart, cap * sizeof *rs) : NULL;

		if (p)
			r->p = p;
		if (tt)
			r->t = tt;
		if (c)
			r->cum = c;
		if (!rs)
			return -ENOMEM;
		r->restart = rs;
		r->pcap = cap;
	}
	r->t[r->pn] = t;
	r->cum[r->pn] = v;
	r->restart[r->pn] = restart;
	r->p[r->pn] = (struct spike_point){t, (double)v};
	r->pn++;
	return 0;
}

/* The spikes of the host's points (as rates when rate is set) into r->v. */
static int flush(struct run *r, const char *series, const struct spike_params *prm, bool rate)
{
	size_t np = r->pn;
	struct spike *tmp = NULL;
	long k;
	int rc = 0;

	if (!r->pn)
		return 0;
	if (rate)
		np = spike_rates(r->t, r->cum, r->restart, r->pn, r->p);
	r->pn = 0;
	k = spike_find(r->p, np, prm, NULL, 0);
	if (k <= 0)
		goto out;
	tmp = calloc((size_t)k, sizeof *tmp);
	if (!tmp) {
		rc = -ENOMEM;
		goto out;
	}
	k = spike_find(r->p, np, prm, tmp, (size_t)k);
	for (long i = 0; i < k; i++) {
		struct found *nv = grow(r->v, &r->cap, r->n, sizeof *nv, 16);

		if (!nv) {
			rc = -ENOMEM;
			goto out;
		}
		r->v = nv;
		snprintf(nv[r->n].host, sizeof nv[r->n].host, "%s", r->host);
		snprintf(nv[r->n].series, sizeof nv[r->n].series, "%s", series);
		nv[r->n].s = tmp[i];
		r->n++;
	}
out:
	if (k < 0) {
		snprintf(r->err, r->errsz, "%s on %s: not a valid series", series, r->host);
		rc = (int)k;
	}
	free(tmp);
	return rc;
}

static int by_onset(const void *x, const void *y)
{
	const struct found *a = x, *b = y;
	int c;

	if (a->s.start != b->s.start)
		return a->s.start < b->s.start ? -1 : 1;
	if ((c = strcmp(a->host, b->host)) != 0)
		return c;
	return strcmp(a->series, b->series);
}

static long write_found(struct run *r, const struct fleet_out *o)
{
	static const struct output_col cols[] = {
		{"host", OUTPUT_STR, false, true},      {"series", OUTPUT_STR, false, false},
		{"start", OUTPUT_STR, false, false},    {"end", OUTPUT_STR, false, false},
		{"secs", OUTPUT_INT, true, false},      {"peak", OUTPUT_REAL, true, false},
		{"peak_at", OUTPUT_STR, false, false},  {"baseline", OUTPUT_REAL, true, false},
		{"threshold", OUTPUT_REAL, true, false}, {"points", OUTPUT_INT, true, false},
		{"open", OUTPUT_STR, false, false},
	};
	struct output *out = output_new(o->fmt, o->f, cols, sizeof cols / sizeof cols[0], o->width,
					o->color);
	int rc = 0, digits = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].s.start % USEC_PER_SEC || r->v[i].s.end % USEC_PER_SEC ||
		    r->v[i].s.peak_t % USEC_PER_SEC)
			digits = 3;
	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		const struct spike *s = &r->v[i].s;
		struct report_spikes_cells c;
		const char *cells[11] = {r->v[i].host, r->v[i].series, c.start, c.end, c.secs,
					 c.peak, c.at, c.base, c.thr, c.pts, s->open ? "yes" : "no"};

		report_spikes_cells_fill(s, digits, &c);
		rc = output_row(out, cells);
	}
	if (rc == 0)
		rc = output_end(out);
	output_free(out);
	return rc < 0 ? rc : (long)r->n;
}

/* The candidates: hosts whose SYN_RECV may spike, and (counter, host)
 * pairs whose rate may. */
struct cands {
	struct buf syn;          /* host per line (TSV-escaped) */
	struct buf pairs;        /* ('host', 'name'), ... for SQL */
	struct buf hosts;        /* hosts of pairs, for SQL: 'a', 'b' */
	size_t npairs;
	struct buf star;         /* hosts with "*" rows (from before series_ranges) */
};

static void cands_fini(struct cands *c)
{
	buf_fini(&c->syn);
	buf_fini(&c->pairs);
	buf_fini(&c->hosts);
	buf_fini(&c->star);
}

/* Whether host is a line of the list (TSV lines, one field). */
static bool listed(const struct buf *list, const char *host)
{
	struct chtsv t;
	bool found = false;

	chtsv_init(&t, list->data ? list->data : "", list->len);
	while (!found && chtsv_next(&t) == 1)
		found = t.n == 1 && chtsv_field(&t, 0) && !strcmp(chtsv_field(&t, 0), host);
	chtsv_fini(&t);
	return found;
}

/* Adds (host, series) to c: SYN_RECV or a counter. */
static int add_cand(struct cands *c, const char *series, const char *host)
{
	if (!strcmp(series, "SYN_RECV"))
		return chtsv_put_str(&c->syn, host) < 0 || buf_putc(&c->syn, '\n') < 0 ? -ENOMEM : 0;
	if ((c->npairs && buf_puts(&c->pairs, ", ") < 0) || buf_putc(&c->pairs, '(') < 0 ||
	    fleet_sql_str(&c->pairs, host) < 0 || buf_puts(&c->pairs, ", ") < 0 ||
	    fleet_sql_str(&c->pairs, series) < 0 || buf_putc(&c->pairs, ')') < 0)
		return -ENOMEM;
	c->npairs++;
	if ((c->hosts.len && buf_puts(&c->hosts, ", ") < 0) || fleet_sql_str(&c->hosts, host) < 0)
		return -ENOMEM;
	return 0;
}

/* The hosts with "*" rows: candidates for every series, whatever their
 * summaries (those cover only what was shipped since). */
static int star_series(struct cands *c, const char *const *counters, size_t ncounters)
{
	struct chtsv t;
	int rc;

	chtsv_init(&t, c->star.data, c->star.len);
	while ((rc = chtsv_next(&t)) == 1) {
		const char *host = chtsv_field(&t, 0);

		rc = host ? add_cand(c, "SYN_RECV", host) : -EBADMSG;
		for (size_t i = 0; rc == 0 && i < ncounters; i++)
			rc = add_cand(c, counters[i], host);
		if (rc < 0)
			break;
	}
	chtsv_fini(&t);
	return rc;
}

/* One (series, host) decided: a candidate goes into c. */
static int decide(struct cands *c, const char *series, const char *host,
		  struct seriesrange_acc *acc, const struct spike_params *count,
		  const struct spike_params *rate)
{
	bool syn = !strcmp(series, "SYN_RECV");

	if (listed(&c->star, host))
		return 0;   /* star_series adds its every series */
	if (!seriesrange_acc_may_spike(acc, syn ? count->min_rise : rate->min_rise, !syn))
		return 0;
	return add_cand(c, series, host);
}

static int read_range(const struct chtsv *t, struct seriesrange *r)
{
	int64_t ex;

	if (t->n != 12 || chtsv_i64(t, 2, &r->t_first) < 0 || chtsv_i64(t, 3, &r->t_last) < 0 ||
	    chtsv_i64(t, 4, &r->v_first) < 0 || chtsv_i64(t, 5, &r->v_last) < 0 ||
	    chtsv_i64(t, 6, &r->vmin) < 0 || chtsv_i64(t, 7, &r->vmax) < 0 ||
	    chtsv_i64(t, 8, &r->rates) < 0 || chtsv_double(t, 9, &r->rmin) < 0 ||
	    chtsv_double(t, 10, &r->rmax) < 0 || chtsv_i64(t, 11, &ex) < 0)
		return -EBADMSG;
	r->exact = ex != 0;
	r->points = 0;
	return 0;
}

/*
 * Which series can have a spike at all, from series_ranges (a few rows per
 * host, batch and series), so that only theirs travel: a fleet at 1 s is
 * millions of points. Exact, not a heuristic (seriesrange.h). Hosts with
 * "*" rows (shipped before the table existed) are candidates throughout.
 */
static int candidates(struct chhttp *h, const char *database, const struct fleet_filter *flt,
		      const char *const *counters, size_t ncounters, const struct spike_params *count,
		      const struct spike_params *rate, struct cands *c, char *err, size_t errsz)
{
	struct buf sql = BUF_INIT, resp = BUF_INIT;
	struct seriesrange_acc acc;
	char series[160] = "", host[256] = "";
	struct chtsv t;
	int rc = -ENOMEM;

	if (buf_printf(&sql, "SELECT series, host, t_first, t_last, v_first, v_last, vmin, vmax, "
			     "rates, rmin, rmax, exact FROM %s.series_ranges WHERE series IN "
			     "('*', 'SYN_RECV'", database) < 0)
		goto out;
	for (size_t i = 0; i < ncounters; i++)
		if (buf_puts(&sql, ", ") < 0 || fleet_sql_str(&sql, counters[i]) < 0)
			goto out;
	if (buf_putc(&sql, ')') < 0 || fleet_sql_filter(&sql, flt, "t_first", "t_last") < 0 ||
	    buf_puts(&sql, " ORDER BY series, host, t_first FORMAT TabSeparated") < 0)
		goto out;
	rc = fleet_query(h, &sql, &resp, err, errsz);
	if (rc < 0)
		goto out;
	/* first the hosts with "*" rows, then every other (series, host) */
	chtsv_init(&t, resp.data ? resp.data : "", resp.len);
	while ((rc = chtsv_next(&t)) == 1) {
		const char *sr = chtsv_field(&t, 0), *ho = chtsv_field(&t, 1);

		if (t.n != 12 || !sr || !ho) {
			rc = -EBADMSG;
			break;
		}
		if (!strcmp(sr, "*") && !listed(&c->star, ho) &&
		    (chtsv_put_str(&c->star, ho) < 0 || buf_putc(&c->star, '\n') < 0)) {
			rc = -ENOMEM;
			break;
		}
	}
	chtsv_fini(&t);
	seriesrange_acc_init(&acc);
	chtsv_init(&t, resp.data ? resp.data : "", resp.len);
	while (rc == 0 && (rc = chtsv_next(&t)) == 1) {
		const char *sr = chtsv_field(&t, 0), *ho = chtsv_field(&t, 1);
		struct seriesrange r;

		rc = 0;
		if (!sr || !ho || strlen(sr) >= sizeof series || strlen(ho) >= sizeof host ||
		    read_range(&t, &r) < 0) {
			rc = -EBADMSG;
			break;
		}
		if (!strcmp(sr, "*"))
			continue;
		if ((strcmp(sr, series) || strcmp(ho, host)) && series[0]) {
			rc = decide(c, series, host, &acc, count, rate);
			if (rc < 0)
				break;
			seriesrange_acc_init(&acc);
		}
		snprintf(series, sizeof series, "%s", sr);
		snprintf(host, sizeof host, "%s", ho);
		seriesrange_acc_add(&acc, &r);
	}
	if (rc == 0 && series[0])
		rc = decide(c, series, host, &acc, count, rate);
	chtsv_fini(&t);
	/* a "*" host without rows of some series: they may all be in its old
	 * snapshots */
	if (rc == 0 && c->star.len)
		rc = star_series(c, counters, ncounters);
out:
	if (rc == -EBADMSG)
		snprintf(err, errsz, "the server's answer does not parse");
	buf_fini(&sql);
	buf_fini(&resp);
	return rc;
}

/* Rows of the candidates' series as they come (unordered: sorting here
 * is cheaper than ORDER BY on the server), numbered by intern. */
struct pt {
	uint32_t s, h;           /* series (counter name, 0 for SYN_RECV), host */
	int64_t t, v;            /* time; value (snapshots: the boot's number) */
};

struct pts {
	struct pt *v;
	size_t n, cap;
};

static int by_sht(const void *x, const void *y)
{
	const struct pt *a = x, *b = y;

	if (a->s != b->s)
		return a->s < b->s ? -1 : 1;
	if (a->h != b->h)
		return a->h < b->h ? -1 : 1;
	return (a->t > b->t) - (a->t < b->t);
}

/* What the series are read with: hosts, counter names, boots numbered. */
struct names {
	struct intern hosts, series, boots;
	struct pts snaps;        /* s 0, v the boot; sorted by host, time */
	size_t *first;           /* per host: its first index in snaps, ... */
	size_t *end;
};

static void names_fini(struct names *nm)
{
	intern_fini(&nm->hosts);
	intern_fini(&nm->series);
	intern_fini(&nm->boots);
	free(nm->snaps.v);
	free(nm->first);
	free(nm->end);
}

/* Reads an answer of rows (series?, host, time, value) into p: with a
 * series name first when named, the value a boot's text when boot. */
static int read_pts(struct names *nm, const struct buf *resp, bool named, bool boot,
		    struct pts *p)
{
	size_t nf = named ? 4 : 3;
	struct chtsv t;
	int rc;

	chtsv_init(&t, resp->data ? resp->data : "", resp->len);
	while ((rc = chtsv_next(&t)) == 1) {
		const char *sn = named ? chtsv_field(&t, 0) : "", *h = chtsv_field(&t, nf - 3);
		const char *bt = boot ? chtsv_field(&t, 2) : "";
		long si = 0, hi, bi = 0;
		int64_t tm, v = 0;
		struct pt *nv;

		if (t.n != nf || !sn || !h || !bt || chtsv_i64(&t, nf - 2, &tm) < 0 ||
		    (!boot && (chtsv_i64(&t, nf - 1, &v) < 0 || v < 0))) {
			rc = -EBADMSG;
			break;
		}
		if ((named && (si = intern_id(&nm->series, sn)) < 0) ||
		    (hi = intern_id(&nm->hosts, h)) < 0 || (boot && (bi = intern_id(&nm->boots, bt)) < 0) ||
		    !(nv = grow(p->v, &p->cap, p->n, sizeof *nv, 4096))) {
			rc = -ENOMEM;
			break;
		}
		p->v = nv;
		p->v[p->n++] = (struct pt){(uint32_t)si, (uint32_t)hi, tm, boot ? bi : v};
	}
	chtsv_fini(&t);
	if (rc == 0 && p->n)
		qsort(p->v, p->n, sizeof *p->v, by_sht);
	return rc;
}

/* Where each host's snapshots are in nm->snaps. */
static int index_hosts(struct names *nm)
{
	size_t nh = nm->hosts.n ? nm->hosts.n : 1;

	nm->first = calloc(nh, sizeof *nm->first);
	nm->end = calloc(nh, sizeof *nm->end);
	if (!nm->first || !nm->end)
		return -ENOMEM;
	for (size_t i = nm->snaps.n; i-- > 0;)
		nm->first[nm->snaps.v[i].h] = i;
	for (size_t i = 0; i < nm->snaps.n; i++)
		nm->end[nm->snaps.v[i].h] = i + 1;
	return 0;
}

/* The boot of host h's snapshot at time t, or -1 when the host has no
 * snapshot then (a counter without its snapshot is left out). */
static int64_t boot_at(const struct names *nm, uint32_t h, int64_t t)
{
	size_t a, e;

	if (h >= nm->hosts.n)
		return -1;
	for (a = nm->first[h], e = nm->end[h]; a < e;) {
		size_t m = a + (e - a) / 2;

		if (nm->snaps.v[m].t == t)
			return nm->snaps.v[m].v;
		if (nm->snaps.v[m].t < t)
			a = m + 1;
		else
			e = m;
	}
	return -1;
}

/* SYN_RECV per snapshot time of each host in syn (rows host, time, n of
 * its SYN_RECV states): every snapshot a point, 0 without SYN_RECV, two at
 * one time summed (as a GROUP BY host, time). */
static int syn_series(struct run *r, struct names *nm, const struct pts *syn,
		      const struct spike_params *prm)
{
	int rc = 0;

	for (size_t i = 0, j; rc == 0 && i < syn->n; i = j) {
		uint32_t h = syn->v[i].h;
		size_t k = i;

		for (j = i; j < syn->n && syn->v[j].h == h; j++)
			;
		r->pn = 0;
		snprintf(r->host, sizeof r->host, "%s", nm->hosts.v[h]);
		for (size_t a = nm->first[h]; rc == 0 && a < nm->end[h]; a++) {
			int64_t t = nm->snaps.v[a].t, v = 0;

			if (r->pn && t == r->t[r->pn - 1])
				continue;
			while (k < j && syn->v[k].t < t)
				k++;
			for (; k < j && syn->v[k].t == t; k++)
				v += syn->v[k].v;
			rc = add_point(r, t, v, false);
		}
		if (rc == 0)
			rc = flush(r, "SYN_RECV", prm, false);
	}
	return rc;
}

/* One rate series per (counter, host) of ctr, restarts where the boot
 * changes. */
static int counter_series(struct run *r, const struct names *nm, const struct pts *ctr,
			  const struct spike_params *prm)
{
	char name[200];
	int rc = 0;

	for (size_t i = 0, j; rc == 0 && i < ctr->n; i = j) {
		int64_t boot = -1;

		for (j = i; j < ctr->n && ctr->v[j].s == ctr->v[i].s && ctr->v[j].h == ctr->v[i].h; j++)
			;
		r->pn = 0;
		snprintf(r->host, sizeof r->host, "%s", nm->hosts.v[ctr->v[i].h]);
		snprintf(name, sizeof name, "%s/s", nm->series.v[ctr->v[i].s]);
		for (size_t k = i; rc == 0 && k < j; k++) {
			int64_t b = boot_at(nm, ctr->v[k].h, ctr->v[k].t);

			if (b < 0 || (r->pn && ctr->v[k].t <= r->t[r->pn - 1]))
				continue;   /* two snapshots at one time: the first counts */
			rc = add_point(r, ctr->v[k].t, ctr->v[k].v, r->pn == 0 || b != boot);
			boot = b;
		}
		if (rc == 0)
			rc = flush(r, name, prm, true);
	}
	return rc;
}

/* Appends "'a', 'b', ..." for the hosts of list (a host per line). 0 or
 * -ENOMEM, -EBADMSG. */
static int host_list(struct buf *b, const struct buf *list)
{
	struct chtsv t;
	int rc, n = 0;

	chtsv_init(&t, list->data ? list->data : "", list->len);
	while ((rc = chtsv_next(&t)) == 1) {
		const char *h = chtsv_field(&t, 0);

		if (!h) {
			rc = -EBADMSG;
			break;
		}
		if ((n++ && buf_puts(b, ", ") < 0) || fleet_sql_str(b, h) < 0) {
			rc = -ENOMEM;
			break;
		}
	}
	chtsv_fini(&t);
	return rc;
}

/* Runs sql + the window + tail, the answer read into p. */
static int fetch(struct chhttp *h, const struct fleet_filter *flt, struct buf *sql,
		 const char *tail, struct names *nm, bool named, bool boot, struct pts *p,
		 struct buf *resp, char *err, size_t errsz)
{
	int rc;

	if (fleet_sql_filter(sql, flt, "time", "time") < 0 || buf_puts(sql, tail) < 0)
		return -ENOMEM;
	rc = fleet_query(h, sql, resp, err, errsz);
	return rc < 0 ? rc : read_pts(nm, resp, named, boot, p);
}

/* The candidates' snapshots (times, boots), SYN_RECV states and counters:
 * three plain reads, no ORDER BY or GROUP BY on the server. */
static int read_series(struct chhttp *h, const char *database, const struct fleet_filter *flt,
		       const struct cands *c, struct run *r, const struct spike_params *count,
		       const struct spike_params *rate, char *err, size_t errsz)
{
	struct buf sql = BUF_INIT, resp = BUF_INIT;
	struct names nm = {.first = NULL};
	struct pts syn = {0}, ctr = {0};
	int rc = -ENOMEM;

	if (buf_printf(&sql, "SELECT host, time, ifNull(boot_id, '') FROM %s.snapshots "
			     "WHERE host IN (%s%s", database, c->hosts.len ? c->hosts.data : "",
		       c->hosts.len && c->syn.len ? ", " : "") < 0 ||
	    host_list(&sql, &c->syn) < 0 || buf_putc(&sql, ')') < 0)
		goto out;
	rc = fetch(h, flt, &sql, " FORMAT TabSeparated", &nm, false, true, &nm.snaps, &resp, err,
		   errsz);
	if (rc == 0)
		rc = index_hosts(&nm);
	if (rc == 0 && c->syn.len) {
		buf_reset(&sql);
		rc = buf_printf(&sql, "SELECT host, time, n FROM %s.snapshot_states WHERE state = "
				      "'SYN_RECV' AND host IN (", database) < 0 ||
				     host_list(&sql, &c->syn) < 0 || buf_putc(&sql, ')') < 0
			     ? -ENOMEM
			     : fetch(h, flt, &sql, " FORMAT TabSeparated", &nm, false, false, &syn,
				     &resp, err, errsz);
		if (rc == 0)
			rc = syn_series(r, &nm, &syn, count);
	}
	if (rc == 0 && c->npairs) {
		buf_reset(&sql);
		rc = buf_printf(&sql, "SELECT name, host, time, value FROM %s.counters WHERE "
				      "(host, name) IN (%s)", database, c->pairs.data) < 0
			     ? -ENOMEM
			     : fetch(h, flt, &sql, " FORMAT TabSeparated", &nm, true, false, &ctr,
				     &resp, err, errsz);
		if (rc == 0)
			rc = counter_series(r, &nm, &ctr, rate);
	}
out:
	if (rc == -EBADMSG && !err[0])
		snprintf(err, errsz, "the server's answer does not parse");
	names_fini(&nm);
	free(syn.v);
	free(ctr.v);
	buf_fini(&sql);
	buf_fini(&resp);
	return rc;
}

long fleet_spikes(struct chhttp *h, const char *database, const struct fleet_filter *flt,
		  const char *const *counters, size_t ncounters, const struct spike_params *count,
		  const struct spike_params *rate, const struct fleet_out *out, char *err,
		  size_t errsz)
{
	struct run r = {.err = err, .errsz = errsz};
	struct cands c = {0};
	long rc;

	rc = candidates(h, database, flt, counters, ncounters, count, rate, &c, err, errsz);
	if (rc == 0 && (c.syn.len || c.npairs))
		rc = read_series(h, database, flt, &c, &r, count, rate, err, errsz);
	if (rc == 0) {
		if (r.n)
			qsort(r.v, r.n, sizeof *r.v, by_onset);
		rc = write_found(&r, out);
	}
	if (rc == -ENOMEM)
		snprintf(err, errsz, "out of memory");
	else if (rc == -EBADMSG && !err[0])
		snprintf(err, errsz, "the server's answer does not parse");
	free(r.v);
	free(r.p);
	free(r.t);
	free(r.cum);
	free(r.restart);
	cands_fini(&c);
	return rc;
}

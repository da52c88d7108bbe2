/* fleet_spikes — `fleet spikes`: ClickHouse sends each host's series (the
 * SYN_RECV count per snapshot, each counter per snapshot with its boot);
 * spike_find and spike_rates decide, as `spikes` does locally. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "chtsv.h"
#include "fleet.h"
#include "fleet_int.h"
#include "grow.h"
#include "report_spikes.h"

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

/* Reads rows "host, time, value[, boot]" (ordered by host, time): one
 * series per host. */
static int series(struct run *r, const struct buf *resp, const char *name,
		  const struct spike_params *prm, bool rate)
{
	struct chtsv t;
	char boot[128] = "";
	int rc;

	r->pn = 0;
	r->host[0] = '\0';
	chtsv_init(&t, resp->data ? resp->data : "", resp->len);
	while ((rc = chtsv_next(&t)) == 1) {
		const char *h = chtsv_field(&t, 0), *b = rate ? chtsv_field(&t, 3) : "";
		int64_t tm, v;

		if (t.n != (rate ? 4u : 3u) || !h || !b || chtsv_i64(&t, 1, &tm) < 0 ||
		    chtsv_i64(&t, 2, &v) < 0 || v < 0) {
			rc = -EBADMSG;
			break;
		}
		if (strcmp(h, r->host)) {
			if ((rc = flush(r, name, prm, rate)) < 0)
				break;
			snprintf(r->host, sizeof r->host, "%s", h);
			boot[0] = '\0';
		}
		if (r->pn && tm <= r->t[r->pn - 1])
			continue;   /* two snapshots at one time: the first counts */
		rc = add_point(r, tm, v, r->pn == 0 || strcmp(b, boot));
		snprintf(boot, sizeof boot, "%s", b);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = flush(r, name, prm, rate);
	chtsv_fini(&t);
	if (rc == -EBADMSG)
		snprintf(r->err, r->errsz, "the server's answer does not parse");
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

/* Appends " AND host IN ('a', ...)" for the hosts of the answer in
 * hosts[0..n) (one per line; the first field). 0 or -ENOMEM. */
static int host_in(struct buf *b, const struct buf *hosts, const char *col)
{
	struct chtsv t;
	int rc, n = 0;

	if (buf_printf(b, " AND %s IN (", col) < 0)
		return -ENOMEM;
	chtsv_init(&t, hosts->data ? hosts->data : "", hosts->len);
	while ((rc = chtsv_next(&t)) == 1) {
		const char *h = chtsv_field(&t, t.n - 1);

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
	if (rc == 0 && buf_putc(b, ')') < 0)
		rc = -ENOMEM;
	return rc;
}

/*
 * Which hosts can have a spike at all, asked first so that only their
 * series travel (a fleet at 1 s is millions of points). Exact, not a
 * heuristic: a spike needs a point above m + max(k * sigma, min_rise), and
 * the baseline m, a median of the series' own values, is at least their
 * minimum; so a series whose maximum minus minimum is at most min_rise has
 * none. For SYN_RECV the bound used is max(n) times the protocols (>= the
 * per-snapshot sum) minus 0; for a counter, the range of its rates over all
 * intervals (a restart's or a reset's interval only widens it).
 */
static int syn_candidates(struct chhttp *h, const char *database, const struct fleet_filter *flt,
			  double min_rise, struct buf *sql, struct buf *out, char *err,
			  size_t errsz)
{
	buf_reset(sql);
	if (buf_printf(sql, "SELECT host FROM %s.snapshot_states WHERE state = 'SYN_RECV'",
		       database) < 0 ||
	    fleet_sql_filter(sql, flt, "time", "time") < 0 ||
	    buf_printf(sql, " GROUP BY host HAVING max(n) * uniqExact(proto) > %.17g "
			    "ORDER BY host FORMAT TabSeparated", min_rise) < 0)
		return -ENOMEM;
	return fleet_query(h, sql, out, err, errsz);
}

/* The (name, host) pairs whose rates may spike, by name then host. */
static int rate_candidates(struct chhttp *h, const char *database, const struct fleet_filter *flt,
			   const char *const *counters, size_t ncounters, double min_rate,
			   struct buf *sql, struct buf *out, char *err, size_t errsz)
{
	buf_reset(sql);
	if (buf_puts(sql, "SELECT name, host FROM (SELECT name, host, arraySort(x -> x.1, "
			  "groupArray((time, value))) AS tv, arrayMap(x -> x.1, tv) AS t, "
			  "arrayMap(x -> x.2, tv) AS v, arraySlice(arrayMap((d, dt) -> if(dt > 0, "
			  "d / (dt / 1e6), 0), arrayDifference(v), arrayDifference(t)), 2) AS r FROM ") < 0 ||
	    buf_printf(sql, "%s.counters WHERE name IN (", database) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < ncounters; i++)
		if ((i && buf_puts(sql, ", ") < 0) || fleet_sql_str(sql, counters[i]) < 0)
			return -ENOMEM;
	if (buf_putc(sql, ')') < 0 || fleet_sql_filter(sql, flt, "time", "time") < 0 ||
	    buf_printf(sql, " GROUP BY name, host) WHERE length(r) > 0 AND "
			    "arrayReduce('max', r) - arrayReduce('min', r) > %.17g "
			    "ORDER BY name, host FORMAT TabSeparated", min_rate) < 0)
		return -ENOMEM;
	return fleet_query(h, sql, out, err, errsz);
}

/* The lines of cand whose first field is name, into one (host per line). */
static int pick(const struct buf *cand, const char *name, struct buf *one)
{
	struct chtsv t;
	int rc;

	buf_reset(one);
	chtsv_init(&t, cand->data ? cand->data : "", cand->len);
	while ((rc = chtsv_next(&t)) == 1) {
		const char *n = chtsv_field(&t, 0), *h = chtsv_field(&t, 1);

		if (t.n != 2 || !n || !h) {
			rc = -EBADMSG;
			break;
		}
		if (!strcmp(n, name) && (chtsv_put_str(one, h) < 0 || buf_putc(one, '\n') < 0)) {
			rc = -ENOMEM;
			break;
		}
	}
	chtsv_fini(&t);
	return rc;
}

long fleet_spikes(struct chhttp *h, const char *database, const struct fleet_filter *flt,
		  const char *const *counters, size_t ncounters, const struct spike_params *count,
		  const struct spike_params *rate, const struct fleet_out *out, char *err,
		  size_t errsz)
{
	struct run r = {.err = err, .errsz = errsz};
	struct buf sql = BUF_INIT, resp = BUF_INIT, cand = BUF_INIT, one = BUF_INIT;
	long rc;

	rc = syn_candidates(h, database, flt, count->min_rise, &sql, &cand, err, errsz);
	/* every snapshot of a candidate, 0 where it had no SYN_RECV */
	if (rc == 0 && cand.len) {
		buf_reset(&sql);
		if (buf_printf(&sql, "SELECT host, time, sumIf(n, state = 'SYN_RECV') FROM "
				     "%s.snapshot_states WHERE 1", database) < 0 ||
		    fleet_sql_filter(&sql, flt, "time", "time") < 0 ||
		    host_in(&sql, &cand, "host") < 0 ||
		    buf_puts(&sql, " GROUP BY host, time ORDER BY host, time FORMAT TabSeparated") < 0)
			rc = -ENOMEM;
		if (rc == 0)
			rc = fleet_query(h, &sql, &resp, err, errsz);
		if (rc == 0)
			rc = series(&r, &resp, "SYN_RECV", count, false);
	}
	if (rc == 0 && ncounters)
		rc = rate_candidates(h, database, flt, counters, ncounters, rate->min_rise, &sql, &cand,
				     err, errsz);
	for (size_t i = 0; rc == 0 && i < ncounters; i++) {
		char name[160];

		rc = pick(&cand, counters[i], &one);
		if (rc < 0 || !one.len)
			continue;
		buf_reset(&sql);
		if (buf_printf(&sql, "SELECT host, time, value, boot FROM %s.counters ANY INNER JOIN "
				     "(SELECT host, time, ifNull(boot_id, '') AS boot FROM %s.snapshots "
				     "WHERE 1", database, database) < 0 ||
		    host_in(&sql, &one, "host") < 0 ||
		    buf_puts(&sql, ") USING (host, time) WHERE name = ") < 0 ||
		    fleet_sql_str(&sql, counters[i]) < 0 ||
		    fleet_sql_filter(&sql, flt, "time", "time") < 0 || host_in(&sql, &one, "host") < 0 ||
		    buf_puts(&sql, " ORDER BY host, time FORMAT TabSeparated") < 0) {
			rc = -ENOMEM;
			break;
		}
		rc = fleet_query(h, &sql, &resp, err, errsz);
		snprintf(name, sizeof name, "%s/s", counters[i]);
		if (rc == 0)
			rc = series(&r, &resp, name, rate, true);
	}
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
	buf_fini(&sql);
	buf_fini(&resp);
	buf_fini(&cand);
	buf_fini(&one);
	return rc;
}

/* report_summary — one scan for sockets per snapshot and state, report_top_run for
 * the subnets, report_spikes for the spikes, the snapshot times for the gaps
 * and one SQL statement for the counters; printed as (section, name, value)
 * rows. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "agg.h"
#include "buf.h"
#include "counterrise.h"
#include "report_summary.h"
#include "report_timeline.h"
#include "report_top.h"

/* The counters a SYN flood moves, and what connection churn looks like. */
static const char *const counters[] = {
	"TcpExt.SyncookiesSent",  "TcpExt.SyncookiesRecv",  "TcpExt.SyncookiesFailed",
	"TcpExt.ListenOverflows", "TcpExt.ListenDrops",     "TcpExt.TCPReqQFullDrop",
	"TcpExt.TCPReqQFullDoCookies", "Tcp.PassiveOpens",  "Tcp.ActiveOpens",
	"Tcp.AttemptFails",       "Tcp.EstabResets",        "Tcp.RetransSegs",
};
#define NCOUNTERS (sizeof counters / sizeof counters[0])

#define MAX_GAPS 20
#define MAX_SPIKES 20

long report_summary_gaps(const usec_t *t, const usec_t *iv, size_t n,
			 struct report_summary_gap *out, size_t max)
{
	usec_t median = 0;
	long found = 0;

	if (n < 2)
		return 0;
	for (size_t i = 1; i < n && !median; i++) {
		if (iv && iv[i] > 0)
			continue;
		/* some snapshot does not say: the usual spacing stands in */
		usec_t *d = malloc((n - 1) * sizeof *d);

		if (!d)
			return -ENOMEM;
		for (size_t j = 1; j < n; j++)
			d[j - 1] = t[j] - t[j - 1];
		qsort(d, n - 1, sizeof *d, utctime_cmp);
		median = d[(n - 2) / 2];
		free(d);
		if (median <= 0)
			return 0;   /* snapshots at one time: no spacing to miss */
	}
	for (size_t i = 1; i < n; i++) {
		usec_t d = t[i] - t[i - 1];
		/* a recorder's snapshot says the step that led to it: burst mode
		 * shortens it, and leaving burst mode is no gap */
		usec_t expected = iv && iv[i] > 0 ? iv[i] : median;

		/* 1.5 intervals: a recorder's jitter is far less, a missed
		 * snapshot makes it 2 */
		if (d * 2 <= expected * 3)
			continue;
		if ((size_t)found < max)
			out[found] = (struct report_summary_gap){
				t[i - 1], t[i], expected,
				(uint64_t)((d + expected / 2) / expected) - 1,
			};
		found++;
	}
	return found;
}

struct sum {
	const struct report_summary_opts *o;
	const struct filter *flt;
	struct scan_src *src;
	struct scan_snaps snaps;
	struct output *out;
	long rows;
	char *err;
	size_t errsz;
};

static int row(struct sum *s, const char *section, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int row(struct sum *s, const char *section, const char *name, const char *fmt, ...)
{
	char value[512];
	const char *cells[3] = {section, name, value};
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(value, sizeof value, fmt, ap);
	va_end(ap);
	if (output_row(s->out, cells) < 0) {
		snprintf(s->err, s->errsz, "writing the report failed");
		return -EIO;
	}
	s->rows++;
	return 0;
}

/* To the nearest second: snapshots are taken a few microseconds late or
 * early, so 8.99997 s between two of them is 9 s, not 8. */
static void duration(usec_t us, char *out, size_t n)
{
	int64_t sec = (us + USEC_PER_SEC / 2) / USEC_PER_SEC;

	if (sec >= 86400)
		snprintf(out, n, "%" PRId64 "d%02" PRId64 "h%02" PRId64 "m", sec / 86400,
			 sec / 3600 % 24, sec / 60 % 60);
	else if (sec >= 3600)
		snprintf(out, n, "%" PRId64 "h%02" PRId64 "m%02" PRId64 "s", sec / 3600,
			 sec / 60 % 60, sec % 60);
	else if (sec >= 60)
		snprintf(out, n, "%" PRId64 "m%02" PRId64 "s", sec / 60, sec % 60);
	else
		snprintf(out, n, "%" PRId64 "s", sec);
}

static const char *when(usec_t t, char *buf)
{
	utctime_format(t, 0, buf, UTCTIME_STRLEN);
	return buf;
}

/* Hosts, span, snapshots. */
static int recording(struct sum *s)
{
	const struct scan_snaps *sn = &s->snaps;
	char a[UTCTIME_STRLEN], b[UTCTIME_STRLEN], d[32];
	usec_t lo = sn->v[0].time, hi = sn->v[sn->n - 1].time;
	int rc;

	duration(hi - lo, d, sizeof d);
	rc = row(s, "recording", "span", "%s .. %s (%s)", when(lo, a), when(hi, b), d);
	if (rc == 0)
		rc = row(s, "recording", "snapshots", "%zu", sn->n);
	if (rc == 0)
		rc = row(s, "recording", "sockets", "%" PRIu64 " rows", sn->rows);
	/* each host: its snapshots and span (snapshots are by time) */
	for (size_t i = 0; rc == 0 && i < sn->n; i++) {
		size_t n = 0, j;
		usec_t first = 0, last = 0;

		for (j = 0; j < i && strcmp(sn->v[j].host, sn->v[i].host); j++)
			;
		if (j < i)
			continue;   /* named already */
		for (j = i; j < sn->n; j++)
			if (!strcmp(sn->v[j].host, sn->v[i].host)) {
				if (!n++)
					first = sn->v[j].time;
				last = sn->v[j].time;
			}
		rc = row(s, "host", sn->v[i].host, "%zu snapshot%s, %s .. %s", n, n == 1 ? "" : "s",
			 when(first, a), when(last, b));
	}
	return rc;
}

/* ---- sockets per snapshot and state ------------------------------------ */

struct total {
	uint64_t n;
	size_t snap;
};

static int by_total(const void *x, const void *y)
{
	const struct total *a = x, *b = y;

	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	return a->snap < b->snap ? -1 : a->snap > b->snap;
}

struct count {
	uint32_t n;
	unsigned st;
};

/* One snapshot's sockets by state, the most first. */
static int states_at(struct sum *s, const char *section, struct agg *agg, size_t snap,
		     uint64_t total)
{
	struct count v[AGG_NSTATE];
	size_t nv = 0;
	char a[UTCTIME_STRLEN];
	int rc;

	for (size_t i = 0; i < agg_ngroups(agg); i++) {
		const struct agg_group *g = &agg_groups(agg)[i];

		for (size_t j = 0; j < g->ncells; j++)
			if (g->cells[j].snap == snap && nv < AGG_NSTATE)
				v[nv++] = (struct count){g->cells[j].count, g->key.b[0]};
	}
	/* few: an insertion sort, most first, then by state number */
	for (size_t i = 1; i < nv; i++)
		for (size_t j = i; j > 0 && (v[j].n > v[j - 1].n ||
					     (v[j].n == v[j - 1].n && v[j].st < v[j - 1].st)); j--) {
			struct count t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	rc = row(s, section, "snapshot", "%s on %s: %" PRIu64 " socket%s",
		 when(s->snaps.v[snap].time, a), s->snaps.v[snap].host, total, total == 1 ? "" : "s");
	for (size_t i = 0; rc == 0 && i < nv; i++)
		rc = row(s, section, agg_state_name(v[i].st), "%" PRIu32, v[i].n);
	return rc;
}

static int states(struct sum *s)
{
	struct agg *agg = NULL;
	struct total *tot = NULL;
	size_t n = s->snaps.n;
	int rc = scan_count_states(s->src, &s->snaps, s->flt, &agg, s->err, s->errsz);

	if (rc < 0)
		goto out;
	rc = -ENOMEM;
	if (!(tot = calloc(n, sizeof *tot)))
		goto out;
	for (size_t i = 0; i < n; i++)
		tot[i].snap = i;
	for (size_t i = 0; i < agg_ngroups(agg); i++) {
		const struct agg_group *g = &agg_groups(agg)[i];

		for (size_t j = 0; j < g->ncells; j++)
			tot[g->cells[j].snap].n += g->cells[j].count;
	}
	/* by total, ties by time: the peak is the earliest busiest snapshot,
	 * the median the lower middle one */
	qsort(tot, n, sizeof *tot, by_total);
	{
		size_t peak = n - 1;

		while (peak > 0 && tot[peak - 1].n == tot[n - 1].n)
			peak--;
		rc = states_at(s, "at peak", agg, tot[peak].snap, tot[peak].n);
	}
	if (rc == 0)
		rc = states_at(s, "at median", agg, tot[(n - 1) / 2].snap, tot[(n - 1) / 2].n);
out:
	if (rc == -ENOMEM)
		snprintf(s->err, s->errsz, "out of memory");
	free(tot);
	agg_free(agg);
	return rc;
}

static int subnets(struct sum *s)
{
	struct report_top_opts o = {.by = REPORT_TOP_SUBNET, .prefix4 = s->o->prefix4, .prefix6 = s->o->prefix6,
			     .limit = s->o->subnets};
	struct report_top_result mine = {0};
	const struct report_top_result *res = s->o->top;
	long rc = 0;

	if (!res) {
		if ((rc = report_top_run(s->src, s->flt, &o, &mine, s->err, s->errsz)) < 0)
			return (int)rc;
		res = &mine;
	}
	for (size_t i = 0; rc >= 0 && i < res->n && i < s->o->subnets; i++)
		rc = row(s, "top subnets", res->v[i].name,
			 "%" PRIu32 " at peak, %.1f%% of connections, %" PRIu32 " peer%s", res->v[i].conns,
			 res->v[i].share, res->v[i].peers, res->v[i].peers == 1 ? "" : "s");
	if (rc >= 0 && res->n == 0)
		rc = row(s, "top subnets", "none", "no socket with a peer");
	report_top_result_fini(&mine);
	return rc < 0 ? (int)rc : 0;
}

static int spikes(struct sum *s)
{
	const struct report_spikes_found *f = s->o->found;
	struct report_spikes_found *mine = NULL;
	struct filter flt = *s->flt;
	char a[UTCTIME_STRLEN], b[UTCTIME_STRLEN], c[UTCTIME_STRLEN], name[400], d[32];
	long n = s->o->nfound;
	int rc = 0;

	if (!f) {
		if (!(mine = calloc(MAX_SPIKES, sizeof *mine))) {
			snprintf(s->err, s->errsz, "out of memory");
			return -ENOMEM;
		}
		flt.states = 0;
		n = report_spikes(s->src, &flt, &s->o->spikes, OUTPUT_CSV, NULL, 0, false, mine,
				  MAX_SPIKES, s->err, s->errsz);
		f = mine;
	}
	if (n < 0)
		rc = (int)n;
	for (long i = 0; rc == 0 && i < n && i < MAX_SPIKES; i++) {
		snprintf(name, sizeof name, "%s on %s", f[i].series, f[i].host);
		duration(f[i].s.end - f[i].s.start, d, sizeof d);
		rc = row(s, "spikes", name, "%s .. %s (%s%s), peak %.1f at %s, baseline %.1f",
			 when(f[i].s.start, a), when(f[i].s.end, b), d, f[i].s.open ? ", open" : "",
			 f[i].s.peak, when(f[i].s.peak_t, c), f[i].s.baseline);
	}
	if (rc == 0 && n > MAX_SPIKES)
		rc = row(s, "spikes", "more", "%ld more: sockscope spikes lists them all",
			 n - MAX_SPIKES);
	if (rc == 0 && n == 0)
		rc = row(s, "spikes", "none", "no series rose above its baseline");
	free(mine);
	return rc;
}

static int gaps(struct sum *s)
{
	const struct scan_snaps *sn = &s->snaps;
	struct report_summary_gap g[MAX_GAPS];
	usec_t *t = malloc(sn->n * sizeof *t), *iv = malloc(sn->n * sizeof *iv);
	char a[UTCTIME_STRLEN], b[UTCTIME_STRLEN], d[32], e[32];
	long all = 0;
	int rc = 0;

	if (!t || !iv) {
		free(t);
		free(iv);
		snprintf(s->err, s->errsz, "out of memory");
		return -ENOMEM;
	}
	for (size_t i = 0; rc == 0 && i < sn->n; i++) {
		size_t n = 0, j;
		long k;

		for (j = 0; j < i && strcmp(sn->v[j].host, sn->v[i].host); j++)
			;
		if (j < i)
			continue;   /* this host was done */
		for (j = i; j < sn->n; j++)
			if (!strcmp(sn->v[j].host, sn->v[i].host) &&
			    (!n || t[n - 1] != sn->v[j].time)) {
				/* a recorder that says its interval is believed */
				iv[n] = sn->v[j].interval;
				t[n++] = sn->v[j].time;
			}
		k = report_summary_gaps(t, iv, n, g, MAX_GAPS);
		if (k < 0) {
			snprintf(s->err, s->errsz, "out of memory");
			rc = -ENOMEM;
			break;
		}
		for (long x = 0; rc == 0 && x < k && x < MAX_GAPS; x++) {
			/* a sub-second recording (burst mode) misses sub-second
			 * ticks: times and spans in milliseconds then */
			bool ms = g[x].expected < USEC_PER_SEC;

			if (ms) {
				snprintf(d, sizeof d, "%" PRId64 "ms", (g[x].to - g[x].from) / 1000);
				snprintf(e, sizeof e, "%" PRId64 "ms", g[x].expected / 1000);
			} else {
				duration(g[x].to - g[x].from, d, sizeof d);
				duration(g[x].expected, e, sizeof e);
			}
			utctime_format(g[x].from, ms ? 3 : 0, a, sizeof a);
			utctime_format(g[x].to, ms ? 3 : 0, b, sizeof b);
			rc = row(s, "gaps", sn->v[i].host,
				 "%s .. %s: %s between snapshots, %" PRIu64 " missed at %s", a, b, d,
				 g[x].missed, e);
		}
		if (rc == 0 && k > MAX_GAPS)
			rc = row(s, "gaps", sn->v[i].host, "%ld more", k - MAX_GAPS);
		all += k;
	}
	if (rc == 0 && all == 0)
		rc = row(s, "gaps", "none", "no missed snapshot");
	free(t);
	free(iv);
	return rc;
}

/* Each counter's increase over the span: the sum of its rises between
 * consecutive snapshots of one host and boot (a reset is not a fall). */
static int counter_totals(struct sum *s)
{
	struct filter_params p = {0};
	sqlite3_stmt *st = NULL;
	struct buf sql;
	long long samples = 0, rose[NCOUNTERS] = {0}, n[NCOUNTERS] = {0};
	bool seen[NCOUNTERS] = {false};
	int rc, any = 0;

	buf_init(&sql);
	/* from the stored changes, chain by chain (the view below expands
	 * every snapshot: 5.5 s of CPU on a day of 86 400 snapshots) */
	rc = counter_rises(s->src->db, s->flt, counters, NCOUNTERS, rose, n, seen, s->err,
			   s->errsz);
	if (rc < 0)
		goto out;
	if (rc == 0)
		goto rows;
	memset(rose, 0, sizeof rose);
	memset(n, 0, sizeof n);
	memset(seen, 0, sizeof seen);
	rc = buf_puts(&sql, "SELECT name, sum(max(d, 0)), count(*) FROM (SELECT c.name,"
			    " c.value - lag(c.value, 1, c.value) OVER (PARTITION BY s.host,"
			    " coalesce(s.boot_id, ''), c.name ORDER BY s.time, s.id) AS d"
			    " FROM counters c JOIN snapshots s ON s.id = c.snapshot_id WHERE c.name IN (");
	for (size_t i = 0; rc == 0 && i < NCOUNTERS; i++) {
		p.v[p.n].is_text = true;
		p.v[p.n++].t = counters[i];
		rc = buf_printf(&sql, "%s?%u", i ? ", " : "", p.n);
	}
	if (rc == 0)
		rc = buf_putc(&sql, ')');
	if (rc == 0)
		rc = filter_sql_snapshots(s->flt, &sql, &p);
	if (rc == 0)
		rc = buf_puts(&sql, ") GROUP BY name");
	if (rc < 0) {
		snprintf(s->err, s->errsz, "out of memory");
		goto out;
	}
	if (sqlite3_prepare_v2(s->src->db, sql.data, -1, &st, NULL) != SQLITE_OK ||
	    filter_bind(st, &p) != SQLITE_OK) {
		snprintf(s->err, s->errsz, "%s", sqlite3_errmsg(s->src->db));
		rc = -EIO;
		goto out;
	}
	/* read once (each counter's row kept by its place in the list: the
	 * query, over the counters view, was run once per counter) */
	while (sqlite3_step(st) == SQLITE_ROW)
		for (size_t i = 0; i < NCOUNTERS; i++)
			if (!strcmp((const char *)sqlite3_column_text(st, 0), counters[i])) {
				rose[i] = sqlite3_column_int64(st, 1);
				n[i] = sqlite3_column_int64(st, 2);
				seen[i] = true;
			}
rows:
	/* in the order of the list, not the name's; those that rose */
	for (size_t i = 0; rc == 0 && i < NCOUNTERS; i++) {
		if (!seen[i])
			continue;
		samples = n[i];
		if (rose[i] > 0)
			rc = row(s, "counters", counters[i], "+%lld over %lld samples", rose[i],
				 samples);
		any += rose[i] > 0;
	}
	if (rc == 0 && !any && samples)
		rc = row(s, "counters", "none",
			 "no SYN-flood or connection counter rose (%lld samples)", samples);
	else if (rc == 0 && !any)
		rc = row(s, "counters", "none", "no kernel counters (text dumps have none)");
out:
	sqlite3_finalize(st);
	buf_fini(&sql);
	return rc;
}

/* On request (a terminal): each state's timeline as a sparkline, in the
 * buckets `timeline` would choose. */
static int chart(struct sum *s)
{
	struct report_timeline_opts to = {.by = REPORT_TIMELINE_STATE, .series = 6};
	struct report_timeline_result t;
	struct buf b;
	long rc;

	if (s->o->chart == SPARKLINE_NONE)
		return 0;
	buf_init(&b);
	rc = report_timeline_run(s->src, s->flt, &to, &t, s->err, s->errsz);
	for (size_t i = 0; rc > 0 && i < t.ns; i++) {
		buf_reset(&b);
		if (sparkline_append(&b, t.s[i].v, t.nb, 100, s->o->chart) < 0 || buf_putc(&b, '\0') < 0) {
			snprintf(s->err, s->errsz, "out of memory");
			rc = -ENOMEM;
		} else if (row(s, "chart", t.s[i].name, "%s", b.data) < 0) {
			rc = -EIO;
		}
	}
	report_timeline_result_fini(&t);
	buf_fini(&b);
	return rc < 0 ? (int)rc : 0;
}

long report_summary(struct scan_src *src, const struct filter *flt,
		    const struct report_summary_opts *o, enum output_format fmt, FILE *f,
		    unsigned width, bool color, char *err, size_t errsz)
{
	static const struct output_col cols[] = {
		{"section", OUTPUT_STR, false, false},
		{"name", OUTPUT_STR, false, true},
		{"value", OUTPUT_STR, false, true},
	};
	struct sum s = {.o = o, .flt = flt, .src = src, .err = err, .errsz = errsz};
	long rc;

	rc = scan_snaps_load(src->db, flt, false, 0, &s.snaps, err, errsz);
	if (rc < 0)
		return rc;
	if (s.snaps.n == 0)
		goto out;
	if (!(s.out = output_new(fmt, f, cols, 3, width, color))) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	rc = recording(&s);
	if (rc == 0)
		rc = states(&s);
	if (rc == 0)
		rc = chart(&s);
	if (rc == 0)
		rc = subnets(&s);
	if (rc == 0)
		rc = spikes(&s);
	if (rc == 0)
		rc = gaps(&s);
	if (rc == 0)
		rc = counter_totals(&s);
	if (rc == 0 && output_end(s.out) < 0) {
		snprintf(err, errsz, "writing the report failed");
		rc = -EIO;
	}
	if (rc == 0)
		rc = s.rows;
out:
	output_free(s.out);
	scan_snaps_fini(&s.snaps);
	return rc;
}

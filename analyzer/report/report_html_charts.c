/* report_html_charts — one panel of the HTML report: the states stacked per
 * bucket, SYN_RECV with its spikes shaded, the SYN-flood counters' rates,
 * all on one time axis; and the rates bucketed as the timeline is. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "report_html.h"
#include "report_spikes.h"
#include "svgchart.h"

static const char *const palette[] = {"#c0392b", "#2e86c1", "#7d8c99", "#27ae60",
				      "#8e44ad", "#d68910", "#17a589", "#5d6d7e"};
#define NPALETTE (sizeof palette / sizeof palette[0])

void report_html_panel_fini(struct report_html_panel *p)
{
	report_timeline_result_fini(&p->tl);
	for (size_t i = 0; i < p->nrates; i++)
		free(p->rates[i]);
	p->nrates = 0;
}

/* ---- rates -------------------------------------------------------------- */

struct rates_ctx {
	struct report_html_panel *p;
	size_t np;
	size_t k;                    /* the counter's index */
};

/* A host's rate points into its panel's buckets: the highest per bucket. */
static int rates_host(void *ctx, const char *host, const struct spike_point *pt, size_t n)
{
	struct rates_ctx *c = ctx;

	for (size_t i = 0; i < c->np; i++) {
		struct report_html_panel *p = &c->p[i];
		double *r = p->rates[c->k];

		if (!p->host || strcmp(p->host, host) || !r)
			continue;
		for (size_t j = 0; j < n; j++) {
			int64_t d = pt[j].t - p->tl.b0;
			size_t b = (size_t)(d / p->tl.bucket);

			if (d >= 0 && b < p->tl.nb && pt[j].v > r[b])
				r[b] = pt[j].v;
		}
	}
	return 0;
}

/* The summed panel (host NULL): per bucket the sum of the hosts' values,
 * a gap where no host has one. */
static void rates_sum(struct report_html_panel *p, size_t np, size_t k)
{
	for (size_t s = 0; s < np; s++) {
		if (p[s].host)
			continue;
		for (size_t h = 0; h < np; h++) {
			if (!p[h].host || !p[h].rates[k])
				continue;
			for (size_t b = 0; b < p[h].tl.nb; b++) {
				int64_t t = p[h].tl.b0 + (int64_t)b * p[h].tl.bucket - p[s].tl.b0;
				size_t sb = (size_t)(t / p[s].tl.bucket);

				if (t < 0 || sb >= p[s].tl.nb || p[h].rates[k][b] < 0)
					continue;
				double *d = &p[s].rates[k][sb];

				*d = (*d < 0 ? 0 : *d) + p[h].rates[k][b];
			}
		}
	}
}

int report_html_rates(sqlite3 *db, const struct filter *flt, const struct report_spikes_opts *so,
		      struct report_html_panel *p, size_t np, char *err, size_t errsz)
{
	struct report_spikes_snaps *sn = NULL;
	int rc = 0;

	for (size_t k = 0; rc == 0 && k < so->ncounters && k < SPIKES_MAX_COUNTERS; k++) {
		struct rates_ctx c = {p, np, k};
		char name[96];
		long n;

		/* "SyncookiesSent" is TcpExt's, as spikes reads it */
		snprintf(name, sizeof name, "%s%s", strchr(so->counters[k], '.') ? "" : "TcpExt.",
			 so->counters[k]);
		for (size_t i = 0; i < np; i++) {
			p[i].rate_names[k] = so->counters[k];
			p[i].nrates = k + 1;
			if (!(p[i].rates[k] = malloc((p[i].tl.nb ? p[i].tl.nb : 1) * sizeof(double)))) {
				snprintf(err, errsz, "out of memory");
				rc = -ENOMEM;
				goto out;
			}
			for (size_t b = 0; b < p[i].tl.nb; b++)
				p[i].rates[k][b] = p[i].tl.has[b] ? 0 : -1;
		}
		/* the selected snapshots read once for every counter */
		if (!sn && (rc = report_spikes_snaps_load(db, flt, &sn, err, errsz)) < 0)
			goto out;
		if ((n = report_spikes_rates_of(db, flt, sn, name, rates_host, &c, err, errsz)) <
		    0) {
			rc = (int)n;
			goto out;
		}
		rates_sum(p, np, k);
	}
out:
	report_spikes_snaps_free(sn);
	return rc;
}

/* ---- charts ------------------------------------------------------------- */

static bool spike_of(const struct report_html_panel *p, const struct report_spikes_found *s,
		     bool rate)
{
	size_t n = strlen(s->series);
	bool is_rate = n > 2 && !strcmp(s->series + n - 2, "/s");

	return is_rate == rate && (!p->host || !strcmp(p->host, s->host)) &&
	       (rate || !strcmp(s->series, "SYN_RECV"));
}

static int bands(FILE *f, const struct svgchart *c, const struct report_html_panel *p,
		 const struct report_spikes_found *found, size_t nfound, bool rate)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < nfound; i++) {
		char a[UTCTIME_STRLEN], b[UTCTIME_STRLEN], label[160];

		if (!spike_of(p, &found[i], rate))
			continue;
		utctime_format(found[i].s.start, 0, a, sizeof a);
		utctime_format(found[i].s.end, 0, b, sizeof b);
		snprintf(label, sizeof label, "%.8s\xe2\x80\x93%.8s %s peak %.0f", a + 11, b + 11,
			 rate ? found[i].series : "", found[i].s.peak);
		rc = svgchart_band(f, c, found[i].s.start, found[i].s.end, label);
	}
	return rc;
}

static int states_chart(FILE *f, const struct report_html_panel *p, int64_t t0, int64_t t1)
{
	struct svgchart_series s[NPALETTE];
	const struct report_timeline_result *t = &p->tl;
	size_t ns = t->ns < NPALETTE ? t->ns : NPALETTE;
	struct svgchart c;
	double peak = 0;
	int rc;

	for (size_t k = 0; k < ns; k++)
		s[k] = (struct svgchart_series){t->s[k].name, t->s[k].v, NULL, palette[k]};
	for (size_t b = 0; b < t->nb; b++) {
		double sum = 0;

		for (size_t k = 0; k < ns; k++)
			sum += t->s[k].v[b] > 0 ? (double)t->s[k].v[b] : 0;
		if (sum > peak)
			peak = sum;
	}
	svgchart_init(&c, 240, t0, t1, peak);
	fputs("<figure class=\"states\">", f);
	rc = svgchart_begin(f, &c, "sockets by state", "sockets");
	if (rc == 0)
		rc = svgchart_stack(f, &c, t->b0, t->bucket, t->nb, s, ns);
	if (rc == 0)
		rc = svgchart_end(f);
	if (rc == 0)
		rc = svgchart_legend(f, s, ns);
	fputs("<figcaption>Sockets by state, stacked; a column is its bucket's busiest snapshot, an "
	      "empty stretch a gap in the recording.</figcaption></figure>\n",
	      f);
	return rc;
}

static int synrecv_chart(FILE *f, const struct report_html_panel *p, int64_t t0, int64_t t1,
			 const struct report_spikes_found *found, size_t nfound)
{
	const struct report_timeline_result *t = &p->tl;
	int64_t *zero = NULL;
	const int64_t *v = NULL;
	struct svgchart c;
	double peak = 0;
	int rc;

	for (size_t k = 0; k < t->ns; k++)
		if (!strcmp(t->s[k].name, "SYN_RECV"))
			v = t->s[k].v;
	if (!v) {   /* none at all: a flat line where there are snapshots */
		if (!(zero = malloc((t->nb ? t->nb : 1) * sizeof *zero)))
			return -ENOMEM;
		for (size_t b = 0; b < t->nb; b++)
			zero[b] = t->has[b] ? 0 : -1;
		v = zero;
	}
	for (size_t b = 0; b < t->nb; b++)
		if ((double)v[b] > peak)
			peak = (double)v[b];
	svgchart_init(&c, 200, t0, t1, peak);
	fputs("<figure class=\"synrecv\">", f);
	rc = svgchart_begin(f, &c, "SYN_RECV and its spikes", "SYN_RECV sockets");
	if (rc == 0)
		rc = bands(f, &c, p, found, nfound, false);
	if (rc == 0)
		rc = svgchart_line(f, &c, t->b0, t->bucket, t->nb,
				   &(struct svgchart_series){"SYN_RECV", v, NULL, palette[0]});
	if (rc == 0)
		rc = svgchart_end(f);
	fputs("<figcaption>SYN_RECV sockets; the spikes sockscope spikes finds are shaded."
	      "</figcaption></figure>\n",
	      f);
	free(zero);
	return rc;
}

static int rates_chart(FILE *f, const struct report_html_panel *p, int64_t t0, int64_t t1,
		       const struct report_spikes_found *found, size_t nfound)
{
	struct svgchart_series s[SPIKES_MAX_COUNTERS];
	const struct report_timeline_result *t = &p->tl;
	struct svgchart c;
	double peak = 0;
	int rc;

	if (!p->nrates)
		return 0;
	for (size_t k = 0; k < p->nrates; k++) {
		s[k] = (struct svgchart_series){p->rate_names[k], NULL, p->rates[k],
						palette[(k + 1) % NPALETTE]};
		for (size_t b = 0; b < t->nb; b++)
			if (p->rates[k][b] > peak)
				peak = p->rates[k][b];
	}
	svgchart_init(&c, 200, t0, t1, peak);
	fputs("<figure class=\"rates\">", f);
	rc = svgchart_begin(f, &c, "SYN-flood counters, per second", "per second");
	if (rc == 0)
		rc = bands(f, &c, p, found, nfound, true);
	for (size_t k = 0; rc == 0 && k < p->nrates; k++)
		rc = svgchart_line(f, &c, t->b0, t->bucket, t->nb, &s[k]);
	if (rc == 0)
		rc = svgchart_end(f);
	if (rc == 0)
		rc = svgchart_legend(f, s, p->nrates);
	fprintf(f, "<figcaption>Kernel counters' rates per second (the highest in each bucket)%s."
		   "</figcaption></figure>\n",
		peak > 0 ? "" : ": all stayed at 0");
	return rc;
}

int report_html_panel(FILE *f, const struct report_html_panel *p, int64_t t0, int64_t t1,
		      const struct report_spikes_found *found, size_t nfound)
{
	int rc;

	fputs("<section class=\"panel\"><h3>", f);
	rc = html_puts(f, p->title);
	fputs("</h3>\n", f);
	if (rc == 0)
		rc = states_chart(f, p, t0, t1);
	if (rc == 0)
		rc = synrecv_chart(f, p, t0, t1, found, nfound);
	if (rc == 0)
		rc = rates_chart(f, p, t0, t1, found, nfound);
	fputs("</section>\n", f);
	return rc ? rc : ferror(f) ? -EIO : 0;
}

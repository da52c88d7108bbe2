/* report_html — the HTML page: the reports run for their results (tables
 * through output.c's OUTPUT_HTML, series through report_timeline_run and
 * report_top_run, spikes as found), the verdict put into words, the panels
 * of charts (report_html_charts.c), the provenance. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "html.h"
#include "report_html.h"
#include "report_ports.h"
#include "report_spikes.h"
#include "report_top.h"
#include "svgchart.h"

#define MAX_FOUND 64
#define MAX_PANELS 33   /* 32 hosts and their sum; more hosts: the sum alone */

/* What the page is made of, gathered before any of it is written. */
struct page {
	const struct report_html_opts *o;
	const struct filter *flt;
	struct scan_src *src;
	struct scan_snaps snaps;
	const char *hosts[MAX_PANELS];
	size_t nhosts;               /* distinct, up to MAX_PANELS - 1 counted */
	size_t allhosts;
	struct report_html_panel panel[MAX_PANELS];
	size_t npanels;
	int64_t t0, t1;              /* the charts' time axis */
	struct report_spikes_found found[MAX_FOUND];
	size_t nfound;
	long nspikes;
	struct report_top_result subnets, ips;
	char *spikes_html, *rules, *why;   /* written to memory first */
	size_t spikes_len, rules_len, why_len;
	long networks;               /* recommended by the block-list; < 0: none made */
	char *err;
	size_t errsz;
};

static int oom(struct page *p)
{
	snprintf(p->err, p->errsz, "out of memory");
	return -ENOMEM;
}

/* The hosts, in the order of their first snapshot. */
static void hosts(struct page *p)
{
	for (size_t i = 0; i < p->snaps.n; i++) {
		size_t h;

		for (h = 0; h < p->nhosts && strcmp(p->hosts[h], p->snaps.v[i].host); h++)
			;
		if (h < p->nhosts)
			continue;
		p->allhosts++;
		if (p->nhosts < MAX_PANELS - 1)
			p->hosts[p->nhosts++] = p->snaps.v[i].host;
	}
}

/* A panel's values added into the summed one, bucket by bucket (both
 * aligned on multiples of the one bucket size); a series the sum lacks is
 * added, in the room the caller made for it. */
static int sum_into(struct report_html_panel *sum, const struct report_html_panel *h)
{
	struct report_timeline_result *s = &sum->tl;

	for (size_t k = 0; k < h->tl.ns; k++) {
		struct report_timeline_series *d = NULL;

		for (size_t j = 0; j < s->ns && !d; j++)
			if (!strcmp(s->s[j].name, h->tl.s[k].name))
				d = &s->s[j];
		if (!d) {   /* room was made for every host's series (panels) */
			char *name = strdup(h->tl.s[k].name);
			int64_t *v = malloc((s->nb ? s->nb : 1) * sizeof *v);

			if (!name || !v) {
				free(name);
				free(v);
				return -ENOMEM;
			}
			d = &s->s[s->ns++];
			*d = (struct report_timeline_series){name, 0, v};
			for (size_t b = 0; b < s->nb; b++)
				d->v[b] = s->has[b] ? 0 : -1;
		}
		for (size_t b = 0; b < h->tl.nb; b++) {
			size_t sb = (size_t)((h->tl.b0 - s->b0) / s->bucket) + b;

			if (sb < s->nb && h->tl.s[k].v[b] >= 0) {
				d->v[sb] = (d->v[sb] < 0 ? 0 : d->v[sb]) + h->tl.s[k].v[b];
				d->total += h->tl.s[k].v[b];
			}
		}
	}
	return 0;
}

/* The timeline of every host (and their sum when there are several), in
 * the buckets `timeline` chooses for the whole selection. */
static int panels(struct page *p)
{
	struct report_timeline_opts to = {.by = REPORT_TIMELINE_STATE, .bucket = p->o->bucket,
					  .series = p->o->series};
	struct report_html_panel *all = &p->panel[0];
	struct report_timeline_series *series;
	size_t room;
	long rc;

	all->title = "all hosts, summed";
	if ((rc = report_timeline_run(p->src, p->flt, &to, &all->tl, p->err, p->errsz)) <= 0)
		return rc < 0 ? (int)rc : -ENODATA;
	p->t0 = all->tl.b0;
	p->t1 = all->tl.b0 + (int64_t)all->tl.nb * all->tl.bucket;
	p->npanels = 1;
	if (p->nhosts == 1) {   /* the one host's is the whole */
		all->title = p->hosts[0];
		all->host = p->hosts[0];
		return 0;
	}
	/* the sum is built from the hosts' panels: the whole selection's
	 * buckets hold its busiest snapshot, not the sum of hosts' */
	for (size_t i = 0; i < all->tl.ns; i++)
		for (size_t b = 0; b < all->tl.nb; b++)
			all->tl.s[i].v[b] = all->tl.has[b] ? 0 : -1;
	to.bucket = all->tl.bucket;
	room = all->tl.ns;
	for (size_t h = 0; h < p->nhosts; h++) {
		struct report_html_panel *hp = &p->panel[p->npanels++];
		struct filter one = *p->flt;

		one.host = p->hosts[h];
		hp->title = hp->host = p->hosts[h];
		if ((rc = report_timeline_run(p->src, &one, &to, &hp->tl, p->err, p->errsz)) < 0)
			return (int)rc;
		room += hp->tl.ns;
	}
	/* the sum's series: the union of the hosts', at most all of them */
	if (!(series = realloc(all->tl.s, (room ? room : 1) * sizeof *series)))
		return oom(p);
	all->tl.s = series;
	for (size_t h = 1; h < p->npanels; h++)
		if (sum_into(all, &p->panel[h]) < 0)
			return oom(p);
	return 0;
}

/* A report's output kept in memory, for a section written later. */
static FILE *mem(char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	return open_memstream(buf, len);
}

static int gather(struct page *p)
{
	struct report_top_opts top = {REPORT_TOP_SUBNET, p->o->summary.prefix4, p->o->summary.prefix6,
				      p->o->top, false, 0, false};
	struct report_blocklist_opts bo = p->o->block;
	struct filter nostates = *p->flt;
	FILE *rules = NULL, *why = NULL, *sp = NULL;
	long rc;

	if ((rc = panels(p)) < 0)
		return (int)rc;
	/* --state narrows the sockets counted; the spikes' series are theirs */
	nostates.states = 0;
	if (!(sp = mem(&p->spikes_html, &p->spikes_len)))
		return oom(p);
	rc = report_spikes(p->src, &nostates, &p->o->summary.spikes, OUTPUT_HTML, sp, 0, false,
			   p->found, MAX_FOUND, p->err, p->errsz);
	if (fclose(sp) != 0 && rc >= 0)
		rc = oom(p);
	if (rc < 0)
		return (int)rc;
	p->nspikes = rc;
	p->nfound = (size_t)rc < MAX_FOUND ? (size_t)rc : MAX_FOUND;
	if ((rc = report_html_rates(p->src->db, &nostates, &p->o->summary.spikes, p->panel,
				    p->npanels, p->err, p->errsz)) < 0)
		return (int)rc;
	if ((rc = report_top_run(p->src, p->flt, &top, &p->subnets, p->err, p->errsz)) < 0)
		return (int)rc;
	top.by = REPORT_TOP_IP;
	if ((rc = report_top_run(p->src, p->flt, &top, &p->ips, p->err, p->errsz)) < 0)
		return (int)rc;
	if (!(rules = mem(&p->rules, &p->rules_len)) || !(why = mem(&p->why, &p->why_len))) {
		if (rules)
			fclose(rules);
		return oom(p);
	}
	bo.why = why;
	bo.explain = true;
	p->networks = report_blocklist(p->src, p->flt, p->o->rails, &bo, rules, p->err, p->errsz);
	if ((fclose(rules) | fclose(why)) != 0 && p->networks >= 0)
		return oom(p);
	if (p->networks == -ENODATA)
		p->err[0] = '\0';
	else if (p->networks < 0)
		return (int)p->networks;
	return 0;
}

static void when(usec_t t, char *buf, size_t n)
{
	utctime_format(t, 0, buf, n);
}

/* The paragraph a reader takes away: what, when, from where, what to do. */
static int verdict(FILE *f, const struct page *p)
{
	char a[UTCTIME_STRLEN], b[UTCTIME_STRLEN];
	size_t shown = 0;
	int rc = 0;

	fputs("<div class=\"verdict\"><p><b>Verdict.</b> ", f);
	when(p->snaps.v[0].time, a, sizeof a);
	when(p->snaps.v[p->snaps.n - 1].time, b, sizeof b);
	fprintf(f, "%zu snapshot%s of %zu host%s from %s to %s. ", p->snaps.n,
		p->snaps.n == 1 ? "" : "s", p->allhosts, p->allhosts == 1 ? "" : "s", a, b);
	if (p->nspikes == 0)
		fputs("No spike of SYN_RECV or of the SYN-flood counters was found. ", f);
	for (size_t i = 0; rc == 0 && i < p->nfound && shown < 4; i++, shown++) {
		const struct report_spikes_found *s = &p->found[i];

		when(s->s.start, a, sizeof a);
		when(s->s.end, b, sizeof b);
		fputs(i == 0 ? "Attack: " : "; ", f);
		rc = html_puts(f, s->series);
		fputs(" on ", f);
		rc = rc ? rc : html_puts(f, s->host);
		fprintf(f, " rose from a baseline of %.0f to %.0f between %s and %s%s", s->s.baseline,
			s->s.peak, a, b, s->s.open ? " (still high when the recording ends)" : "");
	}
	if (p->nfound)
		fprintf(f, "%s. ", (size_t)p->nspikes > shown ? "; and more below" : "");
	for (size_t i = 0; rc == 0 && i < p->subnets.n && i < 3; i++) {
		fputs(i == 0 ? "The busiest remote subnets: " : ", ", f);
		rc = html_puts(f, p->subnets.v[i].name);
		fprintf(f, " (%" PRIu32 " sockets at peak, %" PRIu32 " peers)", p->subnets.v[i].conns,
			p->subnets.v[i].peers);
	}
	if (p->subnets.n)
		fputs(". ", f);
	if (p->networks > 0)
		fprintf(f, "What to do: block the %ld network%s of the block-list below (its evidence "
			   "follows it). ",
			p->networks, p->networks == 1 ? "" : "s");
	else
		fputs("The block-list recommends no network. ", f);
	if (p->why && strstr(p->why, "spoofed:"))
		fputs("Part of the flood came from one-off sources spread over many networks, likely "
		      "spoofed: blocking them is futile; turn on SYN cookies and limit new "
		      "connections as the advice below says.",
		      f);
	fputs("</p></div>\n", f);
	return rc;
}

static int top_section(FILE *f, const char *title, const struct report_top_result *r)
{
	static const struct output_col cols[] = {
		{"peer", OUTPUT_STR, false, true},   {"conns", OUTPUT_INT, true, false},
		{"share %", OUTPUT_REAL, true, false}, {"peers", OUTPUT_INT, true, false},
		{"states at peak", OUTPUT_STR, false, true},
	};
	const char **names = calloc(r->n ? r->n : 1, sizeof *names);
	double *v = calloc(r->n ? r->n : 1, sizeof *v);
	struct output *o = output_new(OUTPUT_HTML, f, cols, 5, 0, false);
	int rc = -ENOMEM;

	if (!names || !v || !o)
		goto out;
	fputs("<h3>", f);
	html_puts(f, title);
	fputs("</h3><div class=\"pair\"><div>", f);
	for (size_t i = 0; i < r->n; i++) {
		names[i] = r->v[i].name;
		v[i] = r->v[i].conns;
	}
	if ((rc = svgchart_bars(f, title, names, v, r->n)) < 0)
		goto out;
	fputs("</div><div>", f);
	for (size_t i = 0; rc == 0 && i < r->n; i++) {
		char n1[16], n2[24], n3[16];
		const char *cells[5] = {r->v[i].name, n1, n2, n3, r->v[i].states};

		snprintf(n1, sizeof n1, "%" PRIu32, r->v[i].conns);
		snprintf(n2, sizeof n2, "%.1f", r->v[i].share);
		snprintf(n3, sizeof n3, "%" PRIu32, r->v[i].peers);
		rc = output_row(o, cells);
	}
	if (rc == 0)
		rc = output_end(o);
	fputs("</div></div>\n", f);
out:
	output_free(o);
	free(names);
	free(v);
	return rc;
}

/* Where the data came from: the sources with their SHA-256, spans and
 * errors (those holding the selected hosts' snapshots). */
static int sources(FILE *f, const struct page *p)
{
	static const struct output_col cols[] = {
		{"path", OUTPUT_STR, false, true},   {"format", OUTPUT_STR, false, false},
		{"snapshots", OUTPUT_INT, true, false}, {"bad lines", OUTPUT_INT, true, false},
		{"span", OUTPUT_STR, false, true},   {"sha256", OUTPUT_STR, false, true},
		{"first error", OUTPUT_STR, false, true},
	};
	static const char sql[] =
		"SELECT path, format, snapshots, bad_lines, coalesce((SELECT utc(min(time)) || ' .. ' "
		"|| utc(max(time)) FROM snapshots WHERE source_id = sources.id), '-'), sha256, "
		"first_error FROM sources WHERE ?1 IS NULL OR id IN (SELECT source_id FROM snapshots "
		"WHERE host = ?1) ORDER BY id";
	struct output *o = output_new(OUTPUT_HTML, f, cols, 7, 0, false);
	sqlite3_stmt *st = NULL;
	int rc = 0, step;

	if (!o)
		return -ENOMEM;
	if (sqlite3_prepare_v2(p->src->db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, p->flt->host, -1, SQLITE_STATIC) != SQLITE_OK) {
		snprintf(p->err, p->errsz, "%s", sqlite3_errmsg(p->src->db));
		rc = -EIO;
	}
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		const char *cells[7];

		for (int i = 0; i < 7; i++)
			cells[i] = (const char *)sqlite3_column_text(st, i);
		rc = output_row(o, cells);
	}
	if (rc == 0 && step != SQLITE_DONE) {
		snprintf(p->err, p->errsz, "%s", sqlite3_errmsg(p->src->db));
		rc = -EIO;
	}
	if (rc == 0)
		rc = output_end(o);
	sqlite3_finalize(st);
	output_free(o);
	return rc;
}

static void pre(FILE *f, const char *cls, const char *text)
{
	fprintf(f, "<pre class=\"%s\">", cls);
	html_puts(f, text && *text ? text : "(nothing)");
	fputs("</pre>\n", f);
}

/* Ports and programs of host h at its busiest snapshot (as --at): over a
 * whole range their SQL costs more than the rest of the page, and the
 * peak is what a review asks about. */
static int ports_programs(FILE *f, const struct page *p, size_t h)
{
	struct filter one = *p->flt;
	char peak[UTCTIME_STRLEN];
	usec_t at = 0;
	int64_t most = -1;
	long rc;

	for (size_t i = 0; i < p->snaps.n; i++)
		if (!strcmp(p->snaps.v[i].host, p->hosts[h]) && p->snaps.v[i].n > most) {
			most = p->snaps.v[i].n;
			at = p->snaps.v[i].time;
		}
	one.host = p->hosts[h];
	when(at, peak, sizeof peak);
	fputs("<h3>", f);
	if ((rc = html_puts(f, p->hosts[h])) < 0)
		return (int)rc;
	fprintf(f, " at its busiest snapshot, %s</h3>\n<p class=\"meta\">As <code>sockscope ports "
		   "--at %s</code> and <code>programs --at</code> show it.</p>\n",
		peak, peak);
	rc = report_ports(p->src->db, p->src->threads, &one, true, at, OUTPUT_HTML, f, 0, false,
			  p->err, p->errsz);
	if (rc >= 0)
		rc = report_programs(p->src->db, p->src->threads, &one, true, at, OUTPUT_HTML, f, 0,
				     false, p->err, p->errsz);
	return rc < 0 ? (int)rc : 0;
}

static int write_page(FILE *f, struct page *p)
{
	/* the summary takes the spikes and subnets found already */
	struct report_summary_opts so = p->o->summary;
	char made[UTCTIME_STRLEN], bucket[32];
	struct buf title;
	int rc;

	buf_init(&title);
	if (buf_printf(&title, "sockscope incident report: %s%s", p->hosts[0],
		       p->allhosts > 1 ? " and others" : "") < 0 || buf_putc(&title, '\0') < 0) {
		buf_fini(&title);
		return oom(p);
	}
	rc = html_begin(f, title.data);
	buf_fini(&title);
	when(p->o->now, made, sizeof made);
	fputs("<h1>Incident report</h1>\n<p class=\"meta\">Hosts: ", f);
	for (size_t h = 0; rc == 0 && h < p->nhosts; h++) {
		fputs(h ? ", " : "", f);
		rc = html_puts(f, p->hosts[h]);
	}
	fprintf(f, "%s. Made %s by sockscope %s. All times UTC.</p>\n",
		p->allhosts > p->nhosts ? " and more" : "", made, p->o->version);
	if (rc == 0)
		rc = verdict(f, p);
	snprintf(bucket, sizeof bucket, "%" PRId64 " s", p->panel[0].tl.bucket / USEC_PER_SEC);
	fprintf(f, "<h2 id=\"timeline\">Timeline</h2>\n<p class=\"meta\">Downsampled as "
		   "<code>sockscope timeline</code> does: buckets of %s, each showing its busiest "
		   "snapshot's counts; buckets without a snapshot are gaps.</p>\n",
		bucket);
	for (size_t i = p->npanels > 1 ? 1 : 0; rc == 0 && i < p->npanels; i++)
		rc = report_html_panel(f, &p->panel[i], p->t0, p->t1, p->found, p->nfound);
	if (rc == 0 && p->npanels > 1)   /* the sum after the hosts */
		rc = report_html_panel(f, &p->panel[0], p->t0, p->t1, p->found, p->nfound);
	fputs("<h2 id=\"summary\">Summary</h2>\n", f);
	so.found = p->found;
	so.nfound = p->nspikes;
	so.top = &p->subnets;
	if (rc == 0 && (rc = (int)report_summary(p->src, p->flt, &so, OUTPUT_HTML, f, 0, false,
						  p->err, p->errsz)) > 0)
		rc = 0;
	fputs("<h2 id=\"spikes\">Spikes</h2>\n", f);
	if (rc == 0 && p->spikes_len)
		fwrite(p->spikes_html, 1, p->spikes_len, f);
	fputs("<h2 id=\"top\">Who</h2>\n", f);
	if (rc == 0)
		rc = top_section(f, "Top remote subnets", &p->subnets);
	if (rc == 0)
		rc = top_section(f, "Top remote hosts", &p->ips);
	fputs("<h2 id=\"ports\">Ports and programs</h2>\n", f);
	for (size_t h = 0; rc == 0 && h < p->nhosts; h++)
		rc = ports_programs(f, p, h);
	fputs("<h2 id=\"blocklist\">Block-list</h2>\n", f);
	pre(f, "rules", p->rules);
	fputs("<h3>Evidence and advice (<code>blocklist --explain</code>)</h3>\n", f);
	pre(f, "why", p->why);
	fputs("<h2 id=\"provenance\">Provenance</h2>\n<p>Command: <code>", f);
	if (rc == 0)
		rc = html_puts(f, p->o->command);
	fprintf(f, "</code><br>sockscope %s; report made %s.</p>\n", p->o->version, made);
	if (rc == 0)
		rc = sources(f, p);
	if (rc == 0)
		rc = html_end(f);
	return rc;
}

long report_html(struct scan_src *src, const struct filter *flt, const struct report_html_opts *o,
		 FILE *f, char *err, size_t errsz)
{
	struct page p = {.o = o, .flt = flt, .src = src, .err = err, .errsz = errsz, .networks = -1};
	long rc;

	err[0] = '\0';
	if ((rc = scan_snaps_load(src->db, flt, false, 0, &p.snaps, err, errsz)) < 0)
		return rc;
	if (p.snaps.n == 0)
		goto out;
	hosts(&p);
	if ((rc = gather(&p)) == 0 && (rc = write_page(f, &p)) == 0)
		rc = (long)p.snaps.n;
	if (rc < 0 && !err[0])
		snprintf(err, errsz, "writing the report failed: %s", strerror((int)-rc));
out:
	for (size_t i = 0; i < p.npanels; i++)
		report_html_panel_fini(&p.panel[i]);
	report_top_result_fini(&p.subnets);
	report_top_result_fini(&p.ips);
	free(p.spikes_html);
	free(p.rules);
	free(p.why);
	scan_snaps_fini(&p.snaps);
	return rc;
}

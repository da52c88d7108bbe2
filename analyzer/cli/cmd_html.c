/* cmd_html — `sockscope report`: its options (the reports' own, -o FILE for
 * the page), the page written to a file or stdout, its exit status. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blockrail.h"
#include "buf.h"
#include "cli.h"
#include "report_html.h"
#include "report_spikes.h"
#include "tcpstate.h"

#define T struct report_args
static const struct cliopt html_opts[] = {
	CLI_OPT_DB(T),
	{"output", 'o', "FILE", "the page: FILE.html, or - for stdout (required)", .kind = CLIOPT_STR,
	 CLIOPT_AT(T, html)},
	{"bucket", 0, "DURATION", "the charts' buckets (default: as timeline, <= 60 buckets)",
	 .kind = CLIOPT_DURATION, CLIOPT_AT(T, bucket)},
	{"series", 0, "N", "states drawn, the biggest first; the rest is \"other\" (default {})",
	 CLIOPT_U(T, series, 1, 8)},
	{"top", 'n', "N", "rows of the top subnets and hosts (default {})",
	 CLIOPT_U(T, limit, 1, 1000)},
	CLI_PREFIX_OPTS("the subnets"),
	CLI_FILTER_OPTS,
	CLI_FILE_OPT("report on FILE without a database; repeatable; - is stdin"),
	CLI_OPT_HELP,
};
#undef T

static void html_defaults(void *opts)
{
	struct report_args *a = opts;

	report_args_defaults(a);
	a->limit = 10;
}

static int html_check(const struct cmd *c, const struct report_args *a, enum report_needs *needs)
{
	if (!a->html) {
		fprintf(stderr, "sockscope %s: -o FILE.html (or -o -) is required\n", c->name);
		return 2;
	}
	/* counters, ports, programs and the host's own addresses are queries */
	*needs = NEEDS_DB;
	return 0;
}

/* The command line, each argument as given, quoted when it holds a space. */
static int command_line(const struct report_args *a, struct buf *b)
{
	int rc = buf_puts(b, "sockscope");

	for (int i = 0; rc == 0 && i < a->argc; i++)
		rc = buf_printf(b, strpbrk(a->argv[i], " \t'") ? " '%s'" : " %s", a->argv[i]);
	return rc ? rc : buf_putc(b, '\0');
}

static long html_run(struct scan_src *src, struct report_args *a, unsigned width, bool color,
		     char *err, size_t errsz)
{
	struct report_html_opts o = {
		.summary = {.prefix4 = (unsigned)a->prefix4, .prefix6 = (unsigned)a->prefix6, .subnets = 5},
		.bucket = a->bucket,
		.series = (unsigned)a->series,
		.top = (unsigned)a->limit,
		.version = SOCKSCOPE_VERSION,
	};
	struct report_args dflt = *a;
	struct blockrail rails;
	struct timespec now;
	struct buf cmd;
	FILE *f = NULL;
	long rc;

	(void)width;
	(void)color;
	clock_gettime(CLOCK_REALTIME, &now);
	o.now = (usec_t)now.tv_sec * USEC_PER_SEC;
	/* the spikes' series are spikes' defaults whatever --state says */
	dflt.flt.states = 0;
	dflt.sp.grew = 3;
	spikes_opts_from(&dflt, &o.summary.spikes);
	(void)report_blocklist_format_parse("nft", &o.block);
	o.block.p = a->bl.p;
	o.block.p.prefix4 = (unsigned)a->prefix4;
	o.block.p.prefix6 = (unsigned)a->prefix6;
	o.block.now = o.now;
	blockrail_init(&rails);
	o.rails = &rails;
	buf_init(&cmd);
	if (command_line(a, &cmd) < 0) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	o.command = cmd.data;
	f = strcmp(a->html, "-") ? fopen(a->html, "we") : stdout;
	if (!f) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", a->html, strerror(errno));
		goto out;
	}
	rc = report_html(src, &a->flt, &o, f, err, errsz);
	if (f != stdout && fclose(f) != 0 && rc >= 0) {
		rc = -EIO;
		snprintf(err, errsz, "%s: %s", a->html, strerror(errno));
	}
	/* nothing matched, or the page could not be finished: no empty or
	 * half page left behind */
	if (rc <= 0 && f != stdout)
		remove(a->html);
out:
	buf_fini(&cmd);
	blockrail_fini(&rails);
	return rc;
}

static const struct report html_report = {html_check, html_run, true};

static int cmd_html(const struct cmd *c, int argc, char **argv)
{
	return run_report(c, argc, argv, &html_report);
}

const struct cmd cli_html = {
	"report", cmd_html, "-o FILE.html [FILE...]",
	"One self-contained HTML page of the incident: verdict, charts, tables, block-list",
	"The page holds the summary and a verdict in words, the states over time, SYN_RECV\n"
	"with its spikes shaded and the SYN-flood counters' rates (one panel per host and\n"
	"their sum), the top subnets and hosts, ports, programs, the nft block-list with\n"
	"its evidence (blocklist --explain) and the sources with their SHA-256. Inline CSS\n"
	"and SVG, no script, nothing fetched (a Content-Security-Policy forbids both): it\n"
	"opens offline and from an e-mail. Every text from the data is HTML-escaped.\n",
	CLI_OPTS(html_opts), sizeof(struct report_args), html_defaults,
};

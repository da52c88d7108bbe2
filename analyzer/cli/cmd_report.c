/* cmd_report — the reports' runner (the database, or dumps read or
 * imported on the fly; the terminal's width and colour; exit statuses) and
 * summary, top, timeline, spikes, ports, programs: their options and run
 * functions. The blocklist is in cmd_blocklist.c. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "blockrail.h"
#include "cli.h"
#include "import.h"
#include "num.h"
#include "report_ports.h"
#include "report_spikes.h"
#include "report_summary.h"
#include "report_timeline.h"
#include "report_top.h"
#include "spike.h"
#include "tcpstate.h"
#include "termsafe.h"

/* Every report's defaults, each taken from the module that owns it. */
void report_args_defaults(void *opts)
{
	struct report_args *a = opts;
	struct spike_params sp;
	struct blockrail r;

	memset(a, 0, sizeof *a);
	a->db = cli_db_default();
	filter_init(&a->flt);
	blocklist_params_default(&a->bl.p);
	a->prefix4 = a->bl.p.prefix4;   /* every report's subnets are the same size */
	a->prefix6 = a->bl.p.prefix6;
	a->limit = 20;
	a->series = 6;
	spike_params_default(&sp);
	a->sp.window = sp.window;
	a->sp.k = sp.k;
	a->sp.min_rise = sp.min_rise;
	a->sp.min_rate = sp.min_rise;   /* a counter's rate: the same floor, per second */
	a->sp.grew = 3;
	blockrail_init(&r);
	a->bl.max_prefix4 = r.max_prefix4;
	a->bl.max_prefix6 = r.max_prefix6;
	blockrail_fini(&r);
}

#define T struct report_args
static const struct cliopt top_opts[] = {
	CLI_OPT_DB(T),
	{"by", 0, "KEY", "group by ip (default), subnet, port (local), program or state",
	 .kind = CLIOPT_STR, CLIOPT_AT(T, by)},
	CLI_PREFIX_OPTS("--by subnet"),
	{"top", 'n', "N", "groups shown (default {}, 0 = all)", CLIOPT_U(T, limit, 0, UINT32_MAX)},
	{"at", 0, "TIME", "one moment: each host's newest snapshot at or before TIME\n"
			  "(default: peak and average over all selected snapshots)",
	 .kind = CLIOPT_FN, CLIOPT_AT(T, at), .off2 = offsetof(T, have_at), .set = cli_set_time_end},
	CLI_FILTER_OPTS,
	CLI_OUTPUT_OPT("table (default), csv or json (docs/REPORTS.md)"),
	CLI_CSV_SAFE_OPT,
	CLI_FILE_OPT("report on FILE without a database (any importable format);\n"
		     "repeatable; operands and - (stdin) work the same"),
	CLI_OPT_HELP,
};

static const struct cliopt timeline_opts[] = {
	CLI_OPT_DB(T),
	{"bucket", 0, "DURATION", "bucket size: 10s, 1m, 5m, 1h, ... (default: <= 60 buckets)",
	 .kind = CLIOPT_DURATION, CLIOPT_AT(T, bucket)},
	{"by", 0, "KEY", "series: state (default) or subnet", .kind = CLIOPT_STR, CLIOPT_AT(T, by)},
	CLI_PREFIX_OPTS("--by subnet"),
	{"series", 0, "N", "series shown, the biggest first; the rest is \"other\" (default {})",
	 CLIOPT_U(T, series, 0, UINT32_MAX)},
	CLI_CHART_OPT,
	CLI_FILTER_OPTS,
	CLI_OUTPUT_OPT("table with a chart (default), csv or json: one row per\n"
		       "bucket and series (docs/REPORTS.md)"),
	CLI_CSV_SAFE_OPT,
	CLI_FILE_OPT("report on FILE without a database; repeatable; - is stdin"),
	CLI_OPT_HELP,
};

static const struct cliopt spikes_opts[] = {
	CLI_OPT_DB(T),
	{"counter", 0, "NAME", "a kernel counter's rate per second: SyncookiesSent (TcpExt's)\n"
			       "or Group.Field; repeatable",
	 .kind = CLIOPT_LIST, CLIOPT_AT(T, sp.counters), .umax = SPIKES_MAX_COUNTERS},
	{"window", 0, "N", "quiet snapshots in the trailing baseline (default {})",
	 CLIOPT_U(T, sp.window, 1, UINT32_MAX)},
	{"k", 0, "K", "rise needed, in robust standard deviations (default {})", .kind = CLIOPT_DOUBLE,
	 CLIOPT_AT(T, sp.k), .max = 1e12},
	{"min-rise", 0, "N", "least rise of a state count, sockets (default {})", .kind = CLIOPT_DOUBLE,
	 CLIOPT_AT(T, sp.min_rise), .max = 1e12},
	{"min-rate", 0, "R", "least rise of a counter's rate, per second (default {})",
	 .kind = CLIOPT_DOUBLE, CLIOPT_AT(T, sp.min_rate), .max = 1e12},
	{"grew", 0, "N", "subnets, ports and programs named per spike (default {})",
	 CLIOPT_U(T, sp.grew, 0, UINT32_MAX)},
	CLI_PREFIX_OPTS("the subnets"),
	CLI_FILTER_OPTS,
	CLI_OUTPUT_OPT("table (default), csv or json (docs/REPORTS.md)"),
	CLI_CSV_SAFE_OPT,
	CLI_FILE_OPT("report on FILE without a database; repeatable; - is stdin"),
	CLI_OPT_HELP,
};

static const struct cliopt summary_opts[] = {
	CLI_OPT_DB(T),
	CLI_PREFIX_OPTS("the top subnets"),
	CLI_CHART_OPT,
	CLI_FILTER_OPTS,
	CLI_OUTPUT_OPT("table (default), csv or json (docs/REPORTS.md)"),
	CLI_CSV_SAFE_OPT,
	CLI_FILE_OPT("report on FILE without a database; repeatable; - is stdin"),
	CLI_OPT_HELP,
};

/* ports and programs: the same options, one report function each. */
static const struct cliopt ports_opts[] = {
	CLI_OPT_DB(T),
	{"at", 0, "TIME", "one moment: each host's newest snapshot at or before TIME",
	 .kind = CLIOPT_FN, CLIOPT_AT(T, at), .off2 = offsetof(T, have_at), .set = cli_set_time_end},
	CLI_FILTER_OPTS,
	CLI_OUTPUT_OPT("table (default), csv or json (docs/REPORTS.md)"),
	CLI_CSV_SAFE_OPT,
	CLI_FILE_OPT("report on FILE without a database; repeatable; - is stdin"),
	CLI_OPT_HELP,
};
#undef T

/* Report output: a table that fits the terminal, colour only on a TTY
 * without NO_COLOR. */
static void term_out(unsigned *width, bool *color)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	uint64_t v;

	*width = 0;
	*color = false;
	if (!isatty(STDOUT_FILENO))
		return;
	*color = !getenv("NO_COLOR");
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		*width = ws.ws_col;
	else if (cols && num_parse_dec(cols, strlen(cols), 10000, &v) == 0)
		*width = (unsigned)v;
}

/* The database of a report: the -d one (read-only), or, when files are
 * named (-f FILE, operands, - for stdin), an in-memory one they are
 * imported into first, without a database file. 0, 1 (nothing imported:
 * messages printed), or 2 (usage, database); *skipped is set when a file
 * or line was skipped (the report still runs, its exit status is 1). */
static int report_db(const struct report_args *a, int argc, char **argv, int first, sqlite3 **db,
		     bool *skipped)
{
	/* --host names the dumps' host here, so it also selects them */
	struct import_opts io = {.quiet = true, .show_errors = 20, .host = a->flt.host};
	struct importer *im = NULL;
	char err[512];
	int status = 0;

	if (a->files.n == 0 && first == argc)
		return cli_open_db(a->db, DB_READONLY, db) < 0 ? 2 : 0;
	if (db_open(NULL, DB_MEMORY, db, err, sizeof err) < 0 ||
	    importer_new(*db, &io, stderr, &im, err, sizeof err) < 0) {
		fprintf(stderr, "sockscope: %s\n", err);
		db_close(*db);
		*db = NULL;
		return 2;
	}
	for (size_t i = 0; status == 0 && i < a->files.n + (size_t)(argc - first); i++) {
		const char *path = i < a->files.n ? a->files.v[i] : argv[first + (int)(i - a->files.n)];
		int rc = importer_path(im, path);

		if (rc < 0)
			status = 2;
		else if (rc > 0)
			*skipped = true;
	}
	if (status == 0 && importer_totals(im)->snapshots == 0) {
		fprintf(stderr, "sockscope: nothing to report: no snapshot could be imported\n");
		status = 1;
	}
	importer_free(im);
	if (status) {
		db_close(*db);
		*db = NULL;
	}
	return status;
}

/* The report's rows: the database; dumps parsed on the fly (-f, operands,
 * "-"), never stored; or, for --at over dumps (which needs every snapshot
 * before choosing), dumps imported into an in-memory database first. The
 * caller closes *db and frees *files. 0 or the exit status. */
static int report_src(struct report_args *a, int argc, char **argv, int first, bool need_db,
		      struct scan_src *src, sqlite3 **db, char ***files, bool *skipped)
{
	size_t n = a->files.n + (size_t)(argc - first);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	const char *env;
	int status;

	memset(src, 0, sizeof *src);
	*db = NULL;
	*files = NULL;
	src->threads = cpus > 1 ? (cpus > 4 ? 4 : (unsigned)cpus) : 1;
	/* tests: readers as if on that many CPUs (1..16), to compare shares */
	if ((env = getenv("SOCKSCOPE_TEST_THREADS")) && atoi(env) >= 1 && atoi(env) <= 16)
		src->threads = (unsigned)atoi(env);
	if (n == 0 || need_db) {
		status = report_db(a, argc, argv, first, db, skipped);
		src->db = *db;
		return status;
	}
	*files = calloc(n, sizeof **files);
	if (!*files) {
		fprintf(stderr, "sockscope: out of memory\n");
		return 2;
	}
	for (size_t i = 0; i < n; i++)
		(*files)[i] = i < a->files.n ? (char *)a->files.v[i]
					    : argv[first + (int)(i - a->files.n)];
	/* --host names the dumps' host here, so it also selects them */
	src->io = (struct import_opts){.quiet = true, .show_errors = 20, .host = a->flt.host};
	src->files = *files;
	src->nfiles = n;
	src->msg = stderr;
	return 0;
}

void spikes_opts_from(const struct report_args *a, struct report_spikes_opts *o)
{
	memset(o, 0, sizeof *o);
	/* neither --state nor --counter: SYN_RECV and a SYN flood's counters */
	o->states = a->flt.states ? a->flt.states : a->sp.counters.n ? 0 : 1u << ST_SYN_RECV;
	if (a->sp.counters.n) {
		memcpy(o->counters, a->sp.counters.v, a->sp.counters.n * sizeof *a->sp.counters.v);
		o->ncounters = a->sp.counters.n;
	} else if (!a->flt.states) {
		memcpy(o->counters, report_spikes_default_counters,
		       report_spikes_ndefault_counters * sizeof *o->counters);
		o->ncounters = report_spikes_ndefault_counters;
	}
	spike_params_default(&o->count);
	o->count.window = (unsigned)a->sp.window;
	o->count.k = a->sp.k;
	o->count.min_rise = a->sp.min_rise;
	o->rate = o->count;
	o->rate.min_rise = a->sp.min_rate;
	o->prefix4 = (unsigned)a->prefix4;
	o->prefix6 = (unsigned)a->prefix6;
	o->top = (unsigned)a->sp.grew;
}


static int top_check(const struct cmd *c, const struct report_args *a, enum report_needs *needs)
{
	enum report_top_by by;

	if (a->by && report_top_by_parse(a->by, &by) < 0) {
		char shown[TERMSAFE_ARG_SIZE];

		fprintf(stderr, "sockscope %s: --by %s: expected ip, subnet, port, program or state\n",
			c->name, termsafe_arg(shown, sizeof shown, a->by));
		return 2;
	}
	/* --at picks each host's newest snapshot: every one must be known first */
	*needs = a->have_at ? NEEDS_DB : NEEDS_ANY;
	return 0;
}

static long top_run_cli(struct scan_src *src, struct report_args *a, unsigned width, bool color,
			char *err, size_t errsz)
{
	struct report_top_opts o = {REPORT_TOP_IP, (unsigned)a->prefix4, (unsigned)a->prefix6,
			     (unsigned)a->limit, a->have_at, a->at, false};
	long n;

	if (a->by)
		(void)report_top_by_parse(a->by, &o.by);   /* checked by top_check */
	/* tests: the general path alone, to compare the fast one with */
	o.general = getenv("SOCKSCOPE_TEST_TOP_GENERAL") != NULL;
	n = report_top(src, &a->flt, &o, a->out, stdout, width, color, err, errsz);
	if (getenv("SOCKSCOPE_TEST_TOP_PATH"))
		fprintf(stderr, "sockscope top: %s path\n", src->counted ? "fast" : "general");
	return n;
}

/* --chart: auto is the terminal's (a tty: its locale's UTF-8 or ASCII;
 * not a tty: none, so piped and saved output stays as it was). 0 or -EINVAL. */
static int chart_style(const struct report_args *a, enum sparkline_style *st)
{
	if (a->chart && strcmp(a->chart, "auto"))
		return sparkline_style_parse(a->chart, st);
	*st = !isatty(STDOUT_FILENO) ? SPARKLINE_NONE
				      : sparkline_style_for(getenv("LC_ALL"), getenv("LC_CTYPE"),
							    getenv("LANG"));
	return 0;
}

static int chart_check(const struct cmd *c, const struct report_args *a)
{
	enum sparkline_style st;
	char shown[TERMSAFE_ARG_SIZE];

	if (chart_style(a, &st) == 0)
		return 0;
	fprintf(stderr, "sockscope %s: --chart %s: expected auto, utf8, ascii or none\n", c->name,
		termsafe_arg(shown, sizeof shown, a->chart));
	return 2;
}

static int summary_check(const struct cmd *c, const struct report_args *a, enum report_needs *needs)
{
	*needs = NEEDS_DB;
	return chart_check(c, a);
}

static int timeline_check(const struct cmd *c, const struct report_args *a, enum report_needs *needs)
{
	(void)needs;
	if (chart_check(c, a))
		return 2;
	if (a->by && strcmp(a->by, "state") && strcmp(a->by, "subnet")) {
		char shown[TERMSAFE_ARG_SIZE];

		fprintf(stderr, "sockscope %s: --by %s: expected state or subnet\n", c->name,
			termsafe_arg(shown, sizeof shown, a->by));
		return 2;
	}
	return 0;
}

static long timeline_run(struct scan_src *src, struct report_args *a, unsigned width, bool color,
			 char *err, size_t errsz)
{
	struct report_timeline_opts o = {
		.by = a->by && !strcmp(a->by, "subnet") ? REPORT_TIMELINE_SUBNET : REPORT_TIMELINE_STATE,
		.bucket = a->bucket,
		.prefix4 = (unsigned)a->prefix4,
		.prefix6 = (unsigned)a->prefix6,
		.series = (unsigned)a->series,
		.warn = stderr,
	};
	struct timespec now;

	(void)chart_style(a, &o.chart);   /* checked by timeline_check */
	/* an --until of the user's lifts the future check: the range is theirs */
	clock_gettime(CLOCK_REALTIME, &now);
	o.now = a->flt.have_until ? 0 : (usec_t)now.tv_sec * USEC_PER_SEC;
	return report_timeline(src, &a->flt, &o, a->out, stdout, width, color, err, errsz);
}

/* counters live in a database, and so do ports' and programs' queries */
static int needs_db(const struct cmd *c, const struct report_args *a, enum report_needs *needs)
{
	(void)c;
	(void)a;
	*needs = NEEDS_DB;
	return 0;
}

static long spikes_run(struct scan_src *src, struct report_args *a, unsigned width, bool color,
		       char *err, size_t errsz)
{
	struct report_spikes_opts o;
	struct filter flt = a->flt;

	spikes_opts_from(a, &o);
	flt.states = 0;   /* --state names the series; each series selects its own */
	return report_spikes(src, &flt, &o, a->out, stdout, width, color, NULL, 0, err, errsz);
}

static long summary_run(struct scan_src *src, struct report_args *a, unsigned width, bool color,
			char *err, size_t errsz)
{
	struct report_summary_opts o = {
		.prefix4 = (unsigned)a->prefix4, .prefix6 = (unsigned)a->prefix6, .subnets = 5};
	struct report_args dflt = *a;

	/* the spikes' series are spikes' defaults whatever --state says; it
	 * narrows the sockets the other sections count */
	dflt.flt.states = 0;
	spikes_opts_from(&dflt, &o.spikes);
	(void)chart_style(a, &o.chart);   /* checked by summary_check */
	return report_summary(src, &a->flt, &o, a->out, stdout, width, color, err, errsz);
}

static long ports_run(struct scan_src *src, struct report_args *a, unsigned width, bool color,
		      char *err, size_t errsz)
{
	return report_ports(src->db, src->threads, &a->flt, a->have_at, a->at, a->out, stdout,
			    width, color, err, errsz);
}

static long programs_run(struct scan_src *src, struct report_args *a, unsigned width, bool color,
			 char *err, size_t errsz)
{
	return report_programs(src->db, src->threads, &a->flt, a->have_at, a->at, a->out, stdout,
			       width, color, err, errsz);
}

int run_report(const struct cmd *c, int argc, char **argv, const struct report *r)
{
	enum report_needs needs = NEEDS_ANY;
	struct scan_src src;
	struct report_args a;
	sqlite3 *db = NULL;
	char **files = NULL;
	char err[512] = "";
	unsigned width;
	bool color, skipped = false;
	int first, status = 0;
	long n;

	first = cli_parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	a.argc = argc;
	a.argv = argv;
	if (a.csv_safe)
		a.out = OUTPUT_CSV_SAFE;
	if (r->check && (status = r->check(c, &a, &needs)) != 0)
		return status;
	status = report_src(&a, argc, argv, first, needs == NEEDS_DB, &src, &db, &files,
			    &skipped);
	if (status)
		goto out;
	term_out(&width, &color);
	n = r->run(&src, &a, width, color, err, sizeof err);
	if (n == -ENODATA) {
		fprintf(stderr, "sockscope: %s\n", err);
		status = 1;
	} else if (n < 0) {
		fprintf(stderr, "sockscope %s: %s\n", c->name, err);
		status = 2;
	} else if (n == 0 && r->none_is_empty) {
		fprintf(stderr, "sockscope %s: no snapshot matches\n", c->name);
		status = 1;
	} else if (skipped || src.status > 0) {
		/* as import: the report stands on what could be read, and the
		 * exit status says that something (named on stderr) could not */
		status = 1;
	}
out:
	free(files);
	db_close(db);
	return status;
}

static const struct report top_report = {top_check, top_run_cli, false};
static const struct report timeline_report = {timeline_check, timeline_run, true};
static const struct report spikes_report = {needs_db, spikes_run, false};
static const struct report summary_report = {summary_check, summary_run, true};
static const struct report ports_report = {needs_db, ports_run, false};
static const struct report programs_report = {needs_db, programs_run, false};

static int cmd_top(const struct cmd *c, int argc, char **argv)
{
	return run_report(c, argc, argv, &top_report);
}

static int cmd_timeline(const struct cmd *c, int argc, char **argv)
{
	return run_report(c, argc, argv, &timeline_report);
}

static int cmd_spikes(const struct cmd *c, int argc, char **argv)
{
	return run_report(c, argc, argv, &spikes_report);
}

static int cmd_summary(const struct cmd *c, int argc, char **argv)
{
	return run_report(c, argc, argv, &summary_report);
}

static int cmd_ports(const struct cmd *c, int argc, char **argv)
{
	return run_report(c, argc, argv, &ports_report);
}

static int cmd_programs(const struct cmd *c, int argc, char **argv)
{
	return run_report(c, argc, argv, &programs_report);
}

const struct cmd cli_summary = {
	"summary", cmd_summary, "[FILE...]",
	"The review's first page: span, states at peak, top subnets, spikes, gaps, counters",
	"Rows of (section, name, value): recording (span, snapshots), host, at peak and at\n"
	"median (the snapshot with the most sockets, and the median one, by state), top\n"
	"subnets, spikes (as sockscope spikes finds them), gaps (missed snapshots) and\n"
	"counters (their increase over the span).\n",
	CLI_OPTS(summary_opts), sizeof(struct report_args), report_args_defaults,
};

const struct cmd cli_top = {
	"top", cmd_top, "[FILE...]",
	"Top remote IPs, subnets, ports, programs or states: peak, share, peers, when",
	"With FILE operands, -f FILE or - (stdin) the report runs on those dumps without a\n"
	"database: netstat -ntu | sockscope top - replaces the article's\n"
	"awk | cut | sort | uniq -c | sort -n, correct for IPv6. Listening and unconnected\n"
	"sockets have no peer: --by ip and --by subnet leave them out.\n",
	CLI_OPTS(top_opts), sizeof(struct report_args), report_args_defaults,
};

const struct cmd cli_timeline = {
	"timeline", cmd_timeline, "[FILE...]",
	"Connections per time bucket and state (or subnet), with a chart",
	"A bucket's value is its busiest snapshot's; buckets without a snapshot are\n"
	"shown as gaps. --state SYN_RECV draws the SYN flood's wall.\n",
	CLI_OPTS(timeline_opts), sizeof(struct report_args), report_args_defaults,
};

const struct cmd cli_spikes = {
	"spikes", cmd_spikes, "[FILE...]",
	"When SYN_RECV or a SYN flood's counters rose above their baseline, and who grew",
	"A series per host: the count of each --state (default SYN_RECV) per snapshot and\n"
	"the rate per second of each --counter (default TcpExt.SyncookiesSent,\n"
	"ListenOverflows, ListenDrops, TCPReqQFullDrop, TCPReqQFullDoCookies: they show a\n"
	"flood that syncookies keep out of SYN_RECV). A spike starts where a value exceeds\n"
	"median + max(k * 1.4826 * MAD, min-rise) of the last --window quiet snapshots and\n"
	"ends where its rise has halved (docs/REPORTS.md). Each spike names the subnets,\n"
	"ports and programs whose mean count per snapshot grew most against as many\n"
	"snapshots before it.\n",
	CLI_OPTS(spikes_opts), sizeof(struct report_args), report_args_defaults,
};

const struct cmd cli_ports = {
	"ports", cmd_ports, "[FILE...]",
	"Listening ports: their programs and addresses, and who connected to them",
	"A port listens when a TCP socket is in LISTEN or a UDP socket is bound and\n"
	"unconnected; conns is the peak of its other sockets (clients, SYN_RECV).\n",
	CLI_OPTS(ports_opts), sizeof(struct report_args), report_args_defaults,
};

const struct cmd cli_programs = {
	"programs", cmd_programs, "[FILE...]",
	"Programs: their sockets, listening ports, connections and peers", NULL,
	CLI_OPTS(ports_opts), sizeof(struct report_args), report_args_defaults,
};

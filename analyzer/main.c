/* sockscope — the analyzer's command line: a table of subcommands, each with
 * its option table (which generates --help), printing and exit codes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cliopt.h"
#include "db.h"
#include "textfmt.h"
#include "filter.h"
#include "import.h"
#include "num.h"
#include "report_blocklist.h"
#include "replay.h"
#include "report_ports.h"
#include "report_timeline.h"
#include "report_spikes.h"
#include "report_summary.h"
#include "report_top.h"
#include "scan.h"
#include "segdump.h"
#include "tcpstate.h"
#include "termsafe.h"
#include "utctime.h"

enum {
	O_DB = 'd', O_QUIET = 'q', O_HELP = 'h',
	O_FORMAT = 256, O_HOST, O_AT, O_KEEP_RAW, O_MAX_ERRORS, O_NO_PROGRESS, O_SECTION, O_SEQ,
	O_LIST, O_HEADER, O_SINCE, O_UNTIL, O_STATE, O_PORT, O_LPORT, O_RPORT, O_PROTO, O_FAMILY,
	O_PROGRAM, O_BY, O_PREFIX, O_PREFIX6, O_BUCKET, O_SERIES, O_OUTPUT = 'o', O_LIMIT = 'n',
	O_FILE = 'f', O_COUNTER = 300, O_WINDOW, O_KFACTOR, O_MIN_RISE, O_MIN_RATE, O_GREW,
	O_EXPLAIN, O_MIN_CONNS, O_MIN_SNAPS, O_MIN_SHARE, O_MIN_HOSTS, O_SPREAD, O_ALLOW,
	O_ALLOW_FILE, O_INCLUDE_PRIVATE, O_MAX_PREFIX, O_MAX_PREFIX6, O_TTL, O_NEAR,
	O_RAW = 400, O_CSV_SAFE,
};

/* entries every table shares (macros: C wants constants in initializers) */
#define OPT_DB {"db", O_DB, "FILE", "database (default $SOCKSCOPE_DB or ./sockscope.db)"}
#define OPT_HELP {"help", O_HELP, NULL, "show this help"}

struct cmd {
	const char *name;
	int (*fn)(const struct cmd *c, int argc, char **argv);
	const char *args;        /* operands, for the usage line */
	const char *summary;
	const char *details;     /* after the options in --help */
	const struct cliopt *opts;
	size_t nopts;
};

/* Everything a subcommand's options can set. */
struct args {
	const char *db;
	const char *format, *host, *section;
	bool have_at, keep_raw, quiet, no_progress, list, header;
	bool raw;                    /* --raw: recorded bytes as they are */
	bool csv_safe;               /* --csv-safe: CSV for spreadsheets */
	usec_t at;
	uint64_t max_errors, seq;
	/* reports */
	struct filter flt;
	const char *by;              /* --by, checked by the report */
	uint64_t prefix4, prefix6, limit, series;
	usec_t bucket;
	enum output_format out;
	const char *files[256];      /* -f FILE... */
	size_t nfiles;
	/* spikes */
	const char *counters[SPIKES_MAX_COUNTERS];
	size_t ncounters;
	uint64_t window, grew;
	double kfactor, min_rise, min_rate;
	/* blocklist */
	bool explain, include_private;
	uint64_t min_conns, min_snaps, min_hosts, spread, max_prefix4, max_prefix6, near;
	double min_share;
	usec_t ttl;
	const char *allow[256];      /* --allow CIDR, checked when parsed */
	size_t nallow;
	const char *allow_files[16];
	size_t nallow_files;
};

static void cmd_usage(const struct cmd *c, FILE *f)
{
	fprintf(f, "Usage: sockscope %s [OPTION]... %s\n%s.\n\n", c->name, c->args, c->summary);
	cliopt_usage(f, c->opts, c->nopts);
	if (c->details)
		fprintf(f, "\n%s", c->details);
}

/* Parses the subcommand's options; returns the index of the first operand,
 * or -1 with the exit status in *status. */
static int parse(const struct cmd *c, int argc, char **argv, struct args *a, int *status)
{
	struct option lo[48];
	char so[112];
	int ch;

	struct timespec now;

	memset(a, 0, sizeof *a);
	a->db = getenv("SOCKSCOPE_DB");
	if (!a->db || !*a->db)
		a->db = DB_DEFAULT_PATH;
	a->max_errors = 20;
	filter_init(&a->flt);
	a->prefix4 = 24;
	a->prefix6 = 64;
	a->limit = 20;
	a->series = 6;
	a->window = 30;
	a->grew = 3;
	a->kfactor = 4.0;
	a->min_rise = 10.0;
	a->min_rate = 10.0;
	a->min_share = 0.1;
	a->min_hosts = 8;
	a->spread = 64;
	a->max_prefix4 = 16;
	a->max_prefix6 = 32;
	a->near = 20;
	clock_gettime(CLOCK_REALTIME, &now);
	cliopt_getopt(c->opts, c->nopts, 0, lo, so);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		const char *name = cliopt_name(c->opts, c->nopts, ch);
		/* what an error message may echo of the argument: 64 bytes at
		 * most, made visible */
		char shown[TERMSAFE_ARG_SIZE];

		termsafe_arg(shown, sizeof shown, optarg);

		switch (ch) {
		case O_DB: a->db = optarg; break;
		case O_QUIET: a->quiet = true; break;
		case O_FORMAT: a->format = optarg; break;
		case O_HOST:
			/* FORMAT.md's grammar of a header value: what import
			 * stores as a dump's host is what a segment could hold */
			for (const char *p = optarg; *p; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f) {
					fprintf(stderr, "sockscope %s: --host %s: expected a name without control characters\n",
						c->name, shown);
					goto bad;
				}
			a->host = optarg;
			a->flt.host = optarg;   /* reports filter on it */
			break;
		case O_SECTION: a->section = optarg; break;
		case O_KEEP_RAW: a->keep_raw = true; break;
		case O_NO_PROGRESS: a->no_progress = true; break;
		case O_LIST: a->list = true; break;
		case O_HEADER: a->header = true; break;
		case O_RAW: a->raw = true; break;
		case O_CSV_SAFE: a->csv_safe = true; break;
		case O_AT:
		case O_SINCE:
		case O_UNTIL: {
			usec_t t;

			if (filter_time_parse(optarg, (usec_t)now.tv_sec * USEC_PER_SEC, &t) < 0) {
				fprintf(stderr, "sockscope %s: --%s %s: expected a time like 2026-11-25T13:54:00Z, 2026-11-25 13:54:00+01:00, @1795614840, now or -2h\n",
					c->name, name, shown);
				goto bad;
			}
			/* --at and --until mean the end of the period written:
			 * a time a report printed (cut to ms) finds its snapshot;
			 * import's --at is a dump's time, as written */
			if (ch == O_UNTIL || (ch == O_AT && strcmp(c->name, "import")))
				t += filter_time_span(optarg) - 1;
			if (ch == O_AT) {
				a->at = t;
				a->have_at = true;
			} else if (ch == O_SINCE) {
				a->flt.since = t;
				a->flt.have_since = true;
			} else {
				a->flt.until = t;
				a->flt.have_until = true;
			}
			break;
		}
		case O_STATE: {
			const char *badw = "";

			if (filter_states_parse(optarg, &a->flt.states, &badw) < 0) {
				fprintf(stderr, "sockscope %s: --state: '%s' is no TCP state (LISTEN, SYN_RECV, SYN_REC, ESTABLISHED, TIME_WAIT, UNCONN, ...)\n",
					c->name, termsafe_arg(shown, sizeof shown, badw));
				goto bad;
			}
			break;
		}
		case O_PORT:
		case O_LPORT:
		case O_RPORT:
			if (filter_port_parse(optarg, ch == O_PORT    ? &a->flt.port
						      : ch == O_LPORT ? &a->flt.lport
								      : &a->flt.rport) < 0) {
				fprintf(stderr, "sockscope %s: --%s %s: expected a port 0..65535\n",
					c->name, name, shown);
				goto bad;
			}
			break;
		case O_PROTO:
			if (filter_protos_parse(optarg, &a->flt.protos) < 0) {
				fprintf(stderr, "sockscope %s: --proto %s: expected tcp, udp, raw or a list\n",
					c->name, shown);
				goto bad;
			}
			break;
		case O_FAMILY:
			if (strcmp(optarg, "4") && strcmp(optarg, "6")) {
				fprintf(stderr, "sockscope %s: --family %s: expected 4 or 6\n", c->name,
					shown);
				goto bad;
			}
			a->flt.family = optarg[0] - '0';
			break;
		case O_PROGRAM: a->flt.program = optarg; break;
		case O_BY: a->by = optarg; break;
		case O_BUCKET:
			if (report_timeline_bucket_parse(optarg, &a->bucket) < 0) {
				fprintf(stderr, "sockscope %s: --bucket %s: expected a duration like 10s, 1m, 5m, 1h, 1d\n",
					c->name, shown);
				goto bad;
			}
			break;
		case O_OUTPUT:
			if (output_format_parse(optarg, &a->out) < 0) {
				fprintf(stderr, "sockscope %s: -o %s: expected table, csv or json\n", c->name,
					shown);
				goto bad;
			}
			break;
		case O_FILE:
			if (a->nfiles == sizeof a->files / sizeof a->files[0]) {
				fprintf(stderr, "sockscope %s: too many -f; name a directory instead\n",
					c->name);
				goto bad;
			}
			a->files[a->nfiles++] = optarg;
			break;
		case O_COUNTER:
			if (a->ncounters == SPIKES_MAX_COUNTERS) {
				fprintf(stderr, "sockscope %s: more than %d --counter\n", c->name,
					SPIKES_MAX_COUNTERS);
				goto bad;
			}
			a->counters[a->ncounters++] = optarg;
			break;
		case O_KFACTOR:
		case O_MIN_RISE:
		case O_MIN_RATE:
		case O_MIN_SHARE: {
			char *end;
			double d = strtod(optarg, &end);

			if (end == optarg || *end || !(d >= 0 && d <= (ch == O_MIN_SHARE ? 100 : 1e12))) {
				fprintf(stderr, "sockscope %s: --%s %s: expected a number >= 0%s\n",
					c->name, name, shown, ch == O_MIN_SHARE ? " and <= 100" : "");
				goto bad;
			}
			*(ch == O_KFACTOR ? &a->kfactor : ch == O_MIN_RISE ? &a->min_rise
					  : ch == O_MIN_RATE ? &a->min_rate : &a->min_share) = d;
			break;
		}
		case O_EXPLAIN: a->explain = true; break;
		case O_INCLUDE_PRIVATE: a->include_private = true; break;
		case O_ALLOW: {
			struct cidr net;

			if (cidr_parse(optarg, strlen(optarg), &net) < 0) {
				fprintf(stderr, "sockscope %s: --allow %s: expected a network like 192.0.2.0/24 or 2001:db8::/32\n",
					c->name, shown);
				goto bad;
			}
			if (a->nallow == sizeof a->allow / sizeof a->allow[0]) {
				fprintf(stderr, "sockscope %s: too many --allow; use --allow-file\n", c->name);
				goto bad;
			}
			a->allow[a->nallow++] = optarg;
			break;
		}
		case O_ALLOW_FILE:
			if (a->nallow_files == sizeof a->allow_files / sizeof a->allow_files[0]) {
				fprintf(stderr, "sockscope %s: too many --allow-file\n", c->name);
				goto bad;
			}
			a->allow_files[a->nallow_files++] = optarg;
			break;
		case O_TTL:
			if (report_timeline_bucket_parse(optarg, &a->ttl) < 0 || a->ttl < USEC_PER_SEC ||
			    a->ttl / USEC_PER_SEC > 2147483) {
				fprintf(stderr, "sockscope %s: --ttl %s: expected a duration from 1s to 24d like 30m, 1h, 1d\n",
					c->name, shown);
				goto bad;
			}
			break;
		case O_WINDOW:
		case O_GREW:
		case O_MAX_ERRORS:
		case O_SEQ:
		case O_LIMIT:
		case O_SERIES:
		case O_PREFIX:
		case O_PREFIX6:
		case O_MIN_CONNS:
		case O_MIN_SNAPS:
		case O_MIN_HOSTS:
		case O_SPREAD:
		case O_NEAR:
		case O_MAX_PREFIX:
		case O_MAX_PREFIX6: {
			uint64_t v, max = ch == O_PREFIX || ch == O_MAX_PREFIX ? 32
					  : ch == O_PREFIX6 || ch == O_MAX_PREFIX6 ? 128 : UINT32_MAX;

			if (num_parse_dec(optarg, strlen(optarg), max, &v) < 0 ||
			    (ch == O_WINDOW && v == 0)) {
				fprintf(stderr, "sockscope %s: --%s %s: expected a number up to %" PRIu64 "\n",
					c->name, name, shown, max);
				goto bad;
			}
			*(ch == O_SEQ ? &a->seq : ch == O_LIMIT ? &a->limit : ch == O_SERIES ? &a->series
				: ch == O_WINDOW ? &a->window : ch == O_GREW ? &a->grew
				: ch == O_PREFIX ? &a->prefix4 : ch == O_PREFIX6 ? &a->prefix6
				: ch == O_MIN_CONNS ? &a->min_conns : ch == O_MIN_SNAPS ? &a->min_snaps
				: ch == O_MIN_HOSTS ? &a->min_hosts : ch == O_SPREAD ? &a->spread
				: ch == O_NEAR ? &a->near : ch == O_MAX_PREFIX ? &a->max_prefix4
				: ch == O_MAX_PREFIX6 ? &a->max_prefix6 : &a->max_errors) = v;
			break;
		}
		case O_HELP:
			cmd_usage(c, stdout);
			*status = 0;
			return -1;
		default:
			if (optopt && optopt < 256) {
				const char opt[2] = {(char)optopt, '\0'};

				fprintf(stderr, "sockscope %s: bad option -%s or its argument\n",
					c->name, termsafe_arg(shown, sizeof shown, opt));
			} else {
				fprintf(stderr, "sockscope %s: bad option %s\n", c->name,
					termsafe_arg(shown, sizeof shown, argv[optind - 1]));
			}
			goto bad;
		}
	}
	if (a->csv_safe)
		a->out = OUTPUT_CSV_SAFE;
	return optind;
bad:
	fprintf(stderr, "Try 'sockscope %s --help'.\n", c->name);
	*status = 2;
	return -1;
}

static int open_db(const char *path, enum db_mode mode, sqlite3 **db)
{
	char err[512];

	if (db_open(path, mode, db, err, sizeof err) < 0) {
		fprintf(stderr, "sockscope: %s\n", err);
		return -1;
	}
	return 0;
}

/* ---- import -------------------------------------------------------------- */

static const struct cliopt import_opts[] = {
	OPT_DB,
	{"format", O_FORMAT, "NAME", "do not detect: segment, netstat, ss, proc, bsd, windows"},
	{"host", O_HOST, "NAME", "host of dumps that do not name one (default: unknown)"},
	{"at", O_AT, "TIME", "time of dumps without a date line (before file name, mtime)"},
	{"keep-raw", O_KEEP_RAW, NULL, "also store verbatim sections (proc/net/*, netstat output)"},
	{"max-errors", O_MAX_ERRORS, "N", "bad lines shown per source (default 20; all are counted)"},
	{"quiet", O_QUIET, NULL, "only errors and the summary line"},
	{"no-progress", O_NO_PROGRESS, NULL, "no progress line even on a terminal"},
	OPT_HELP,
};

static int cmd_import(const struct cmd *c, int argc, char **argv)
{
	struct args a;
	struct import_opts o = {0};
	struct importer *im = NULL;
	const struct import_totals *t;
	sqlite3 *db = NULL;
	char err[512];
	int first, status = 0;
	struct timespec t0, t1;
	double el;

	first = parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	if (first == argc) {
		fprintf(stderr, "sockscope import: name files, directories or - (stdin)\n");
		return 2;
	}
	if (a.format && strcmp(a.format, "segment") && !textfmt_find(a.format)) {
		char shown[TERMSAFE_ARG_SIZE];

		fprintf(stderr, "sockscope import: --format %s: expected segment, netstat, ss, proc, bsd or windows\n",
			termsafe_arg(shown, sizeof shown, a.format));
		return 2;
	}
	o.format = a.format;
	o.host = a.host;
	o.have_at = a.have_at;
	o.at = a.at;
	o.keep_raw = a.keep_raw;
	o.quiet = a.quiet;
	o.progress = !a.quiet && !a.no_progress && isatty(STDERR_FILENO);
	o.show_errors = (unsigned)a.max_errors;
	if (open_db(a.db, DB_READWRITE, &db) < 0)
		return 2;
	if (importer_new(db, &o, stderr, &im, err, sizeof err) < 0) {
		fprintf(stderr, "sockscope import: %s\n", err);
		db_close(db);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* after a database error the rest is only counted (not_tried) */
	for (int i = first; i < argc; i++) {
		int rc = importer_path(im, argv[i]);

		if (rc < 0)
			status = 2;
		else if (rc > 0 && status == 0)
			status = 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	el = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	t = importer_totals(im);
	fprintf(stderr,
		"imported %" PRIu64 " source%s (%" PRIu64 " already imported, %" PRIu64
		" skipped): %" PRIu64 " snapshot%s, %" PRIu64 " sockets, %" PRIu64
		" bad lines, %.1f MB in %.2f s (%.0f sockets/s) into %s",
		t->sources, t->sources == 1 ? "" : "s", t->already, t->failed, t->snapshots,
		t->snapshots == 1 ? "" : "s", t->sockets, t->bad_lines, (double)t->bytes / 1e6, el,
		el > 0 ? (double)t->sockets / el : 0.0, a.db);
	/* said only when there is something to say: the usual line stays short */
	if (t->dup_snapshots)
		fprintf(stderr, "; %" PRIu64 " snapshot%s already imported", t->dup_snapshots,
			t->dup_snapshots == 1 ? "" : "s");
	if (t->changed_snapshots)
		fprintf(stderr, "; %" PRIu64 " snapshot%s kept that differ%s from one already "
				"imported at the same host and time",
			t->changed_snapshots, t->changed_snapshots == 1 ? "" : "s",
			t->changed_snapshots == 1 ? "s" : "");
	fputc('\n', stderr);
	if (t->db_error[0])
		fprintf(stderr, "sockscope import: database error: %s; %" PRIu64 " file%s not tried\n",
			t->db_error, t->not_tried, t->not_tried == 1 ? "" : "s");
	if (status == 0 && t->failed)
		status = 1;
	importer_free(im);
	db_close(db);
	return status;
}

/* ---- query, sources ------------------------------------------------------- */

static const struct cliopt query_opts[] = {
	OPT_DB,
	{"header", O_HEADER, NULL, "print the column names first"},
	{"raw", O_RAW, NULL, "values byte for byte, only TAB, LF and \\ escaped (control\n"
			     "characters then reach the terminal)"},
	OPT_HELP,
};

/* A statement refused by db_deny_writes says why (VACUUM INTO is refused
 * when it runs, at the ATTACH of its target). A denial at prepare time can
 * end as SQLITE_SCHEMA (prepare retries after loading the schema), so
 * SQLite's fixed message is recognised too. */
static void query_error(sqlite3 *db)
{
	bool denied = sqlite3_errcode(db) == SQLITE_AUTH ||
		      !strcmp(sqlite3_errmsg(db), "not authorized");

	/* SQLite quotes the statement back ("near ..."): made visible */
	char *msg = termsafe_dup(sqlite3_errmsg(db));

	fprintf(stderr, "sockscope query: %s%s\n", msg ? msg : "out of memory",
		denied ? " (query only reads: no change, ATTACH or VACUUM)" : "");
	free(msg);
}

/* One TSV field: NULL as empty; TAB, LF and '\' as \t \n \\ so every row
 * stays one line; unless raw, every other control, C1 and bidi character
 * and ill-formed UTF-8 made visible too (termsafe), a NUL included. */
static int tsv_field(struct buf *line, const void *v, size_t n, bool raw)
{
	const unsigned char *p = v;
	int rc = 0;

	if (!raw)
		return termsafe_append(line, p, n, TS_BACKSLASH);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = p[i] == '\t' ? buf_puts(line, "\\t") : p[i] == '\n' ? buf_puts(line, "\\n")
		   : p[i] == '\\' ? buf_puts(line, "\\\\") : buf_putc(line, (char)p[i]);
	return rc;
}

/* Prints a statement's rows as TSV (tsv_field). */
static int print_rows(sqlite3 *db, const char *sql, bool header, bool raw)
{
	sqlite3_stmt *st = NULL;
	const char *tail = sql;
	struct buf line = BUF_INIT;
	int rc = 0;

	while (tail && *tail) {
		int n;

		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK)
			goto dberr;
		if (!st)
			continue;   /* whitespace or a comment */
		n = sqlite3_column_count(st);
		if (header && n > 0) {
			buf_reset(&line);
			for (int i = 0; i < n; i++) {
				const char *name = sqlite3_column_name(st, i);

				if (tsv_field(&line, name, name ? strlen(name) : 0, raw) < 0 ||
				    buf_putc(&line, i + 1 < n ? '\t' : '\n') < 0)
					goto nomem;
			}
			fwrite(line.data, 1, line.len, stdout);
		}
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			buf_reset(&line);
			for (int i = 0; i < n; i++) {
				/* by length: a NUL inside a value is shown, not an end */
				const unsigned char *v = sqlite3_column_text(st, i);
				size_t len = v ? (size_t)sqlite3_column_bytes(st, i) : 0;

				if (tsv_field(&line, v, len, raw) < 0 ||
				    buf_putc(&line, i + 1 < n ? '\t' : '\n') < 0)
					goto nomem;
			}
			fwrite(line.data, 1, line.len, stdout);
		}
		if (rc != SQLITE_DONE)
			goto dberr;
		sqlite3_finalize(st);
		st = NULL;
		rc = 0;
	}
	goto out;
dberr:
	query_error(db);
	rc = 1;
	goto out;
nomem:
	fprintf(stderr, "sockscope query: out of memory\n");
	rc = 1;
out:
	sqlite3_finalize(st);
	buf_fini(&line);
	return rc;
}

static int cmd_query(const struct cmd *c, int argc, char **argv)
{
	struct args a;
	sqlite3 *db;
	int first, status = 0;
	struct buf sql;

	first = parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	if (first == argc) {
		fprintf(stderr, "sockscope query: give the SQL to run\n");
		return 2;
	}
	buf_init(&sql);
	for (int i = first; i < argc; i++)
		buf_printf(&sql, "%s%s", i > first ? " " : "", argv[i]);
	if (open_db(a.db, DB_READONLY, &db) < 0) {
		buf_fini(&sql);
		return 2;
	}
	db_deny_writes(db);
	status = print_rows(db, sql.data, a.header, a.raw);
	buf_fini(&sql);
	db_close(db);
	return status;
}

static const struct cliopt sources_opts[] = {OPT_DB, OPT_HELP};

static int cmd_sources(const struct cmd *c, int argc, char **argv)
{
	struct args a;
	sqlite3 *db;
	int first, status = 0;

	first = parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	if (first != argc) {
		fprintf(stderr, "sockscope sources: takes no operands\n");
		return 2;
	}
	if (open_db(a.db, DB_READONLY, &db) < 0)
		return 2;
	status = print_rows(db,
			    "SELECT id, utc(imported_at) AS imported, format, snapshots, sockets,"
			    " bad_lines AS bad, substr(sha256, 1, 16) AS sha256, path,"
			    " coalesce((SELECT utc(min(time)) || ' .. ' || utc(max(time)) || ' ('"
			    " || group_concat(DISTINCT time_from) || ')' FROM snapshots"
			    " WHERE source_id = sources.id), '-') AS span,"
			    " coalesce(first_error, '') AS first_error FROM sources ORDER BY id",
			    true, false);
	db_close(db);
	return status;
}

/* ---- netstat replay ------------------------------------------------------- */

static const struct cliopt netstat_opts[] = {
	OPT_DB,
	{"host", O_HOST, "NAME", "the host to replay (needed when there are several)"},
	{"at", O_AT, "TIME", "the moment: the newest snapshot within TIME or before it\n"
			     "(20:51:03Z reaches to 20:51:03.999999) [required]"},
	{"quiet", O_QUIET, NULL, "do not say on stderr which snapshot was used"},
	{"raw", O_RAW, NULL, "the output byte for byte (default: control characters shown\n"
			     "as \\x1b, ...; ordinary netstat output is the same either way)"},
	OPT_HELP,
};

static int cmd_netstat(const struct cmd *c, int argc, char **argv)
{
	struct args a;
	struct replay_info info;
	struct buf args;
	sqlite3 *db;
	char err[512], t[UTCTIME_STRLEN], *msg = NULL;
	int first, status = 0, rc;

	first = parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	if (!a.have_at || first == argc) {
		fprintf(stderr, "sockscope netstat: usage: sockscope netstat --at TIME -- ARGS (e.g. -- -na)\n");
		return 2;
	}
	buf_init(&args);
	for (int i = first; i < argc; i++)
		buf_printf(&args, "%s%s", i > first ? " " : "", argv[i]);
	if (open_db(a.db, DB_READONLY, &db) < 0) {
		buf_fini(&args);
		return 2;
	}
	rc = replay_netstat(db, a.host, a.at, args.data, a.raw, stdout, &info, err, sizeof err);
	if (rc < 0) {
		/* it quotes --host and the arguments */
		msg = termsafe_dup(err);
		fprintf(stderr, "sockscope netstat: %s\n", msg ? msg : "out of memory");
		status = rc == -EINVAL ? 2 : 1;
	} else if (!a.quiet) {
		utctime_format(info.time, 6, t, sizeof t);
		msg = termsafe_dup(info.host);
		fprintf(stderr, "sockscope netstat: snapshot %lld of %s at %s, %s\n", info.snapshot_id,
			msg ? msg : "?", t,
			info.stored ? "stored output" : "rendered from its socket rows");
	}
	free(msg);
	buf_fini(&args);
	db_close(db);
	return status;
}

/* ---- dump, verify ---------------------------------------------------------- */

static const struct cliopt dump_opts[] = {
	{"section", O_SECTION, "NAME", "print only this section's content (sockets, counters,\nnetstat -na, proc/net/tcp, ...)"},
	{"seq", O_SEQ, "N", "only the snapshot with this sequence number"},
	{"at", O_AT, "TIME", "only the newest snapshot at or before TIME"},
	{"list", O_LIST, NULL, "one line per snapshot: seq, time, host, reason, sections"},
	{"raw", O_RAW, NULL, "content byte for byte (default: control characters shown as\n"
			     "\\x1b, ...; LF and TAB kept)"},
	OPT_HELP,
};

static int cmd_dump(const struct cmd *c, int argc, char **argv)
{
	struct args a;
	struct segdump_opts o = {0};
	int first, status = 0;

	first = parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	if (first == argc) {
		fprintf(stderr, "sockscope dump: name a segment\n");
		return 2;
	}
	o.section = a.section;
	o.seq = a.seq;
	o.have_at = a.have_at;
	o.at = a.at;
	o.list = a.list;
	o.raw = a.raw;
	for (int i = first; i < argc; i++) {
		int rc = segdump(argv[i], &o, stdout, stderr);

		if (rc != 0)
			status = 1;
	}
	return status;
}

static const struct cliopt verify_opts[] = {OPT_HELP};

static int cmd_verify(const struct cmd *c, int argc, char **argv)
{
	struct args a;
	int first, status = 0;

	first = parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	if (first == argc) {
		fprintf(stderr, "sockscope verify: name segments\n");
		return 2;
	}
	for (int i = first; i < argc; i++)
		if (segdump_verify(argv[i], stdout, stderr) != 0)
			status = 1;
	return status;
}

/* ---- reports ----------------------------------------------------------------- */

/* The filters every report takes. */
#define FILTER_OPTS                                                                          \
	{"host", O_HOST, "NAME", "only this host's snapshots"},                               \
	{"since", O_SINCE, "TIME", "from TIME (ISO 8601, @EPOCH, now, -2h, -1d30m)"},         \
	{"until", O_UNTIL, "TIME", "up to TIME"},                                             \
	{"state", O_STATE, "LIST", "only these states, any spelling (SYN_REC, ESTAB, ...)"},  \
	{"port", O_PORT, "N", "local or remote port N (the port field: 80 is not 8080)"},    \
	{"lport", O_LPORT, "N", "local port N"},                                              \
	{"rport", O_RPORT, "N", "remote port N"},                                             \
	{"proto", O_PROTO, "LIST", "tcp, udp, raw"},                                          \
	{"family", O_FAMILY, "4|6", "the peer's address family (IPv4-mapped peers are 4)"},   \
	{"program", O_PROGRAM, "NAME", "sockets of this program (as netstat -p names it)"}

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
static int report_db(const struct args *a, int argc, char **argv, int first, sqlite3 **db,
		     bool *skipped)
{
	/* --host names the dumps' host here, so it also selects them */
	struct import_opts io = {.quiet = true, .show_errors = 20, .host = a->host};
	struct importer *im = NULL;
	char err[512];
	int status = 0;

	if (a->nfiles == 0 && first == argc)
		return open_db(a->db, DB_READONLY, db) < 0 ? 2 : 0;
	if (db_open(NULL, DB_MEMORY, db, err, sizeof err) < 0 ||
	    importer_new(*db, &io, stderr, &im, err, sizeof err) < 0) {
		fprintf(stderr, "sockscope: %s\n", err);
		db_close(*db);
		*db = NULL;
		return 2;
	}
	for (size_t i = 0; status == 0 && i < a->nfiles + (size_t)(argc - first); i++) {
		const char *path = i < a->nfiles ? a->files[i] : argv[first + (int)(i - a->nfiles)];
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
static int report_src(struct args *a, int argc, char **argv, int first, bool need_db,
		      struct scan_src *src, sqlite3 **db, char ***files, bool *skipped)
{
	size_t n = a->nfiles + (size_t)(argc - first);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int status;

	memset(src, 0, sizeof *src);
	*db = NULL;
	*files = NULL;
	src->threads = cpus > 1 ? (cpus > 4 ? 4 : (unsigned)cpus) : 1;
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
		(*files)[i] = i < a->nfiles ? (char *)a->files[i]
					    : argv[first + (int)(i - a->nfiles)];
	/* --host names the dumps' host here, so it also selects them */
	src->io = (struct import_opts){.quiet = true, .show_errors = 20, .host = a->host};
	src->files = *files;
	src->nfiles = n;
	src->msg = stderr;
	return 0;
}

static const struct cliopt top_opts[] = {
	OPT_DB,
	{"by", O_BY, "KEY", "group by ip (default), subnet, port (local), program or state"},
	{"prefix", O_PREFIX, "N", "IPv4 prefix of --by subnet (default 24)"},
	{"prefix6", O_PREFIX6, "N", "IPv6 prefix of --by subnet (default 64)"},
	{"top", O_LIMIT, "N", "groups shown (default 20, 0 = all)"},
	{"at", O_AT, "TIME", "one moment: each host's newest snapshot at or before TIME\n"
			     "(default: peak and average over all selected snapshots)"},
	FILTER_OPTS,
	{"output", O_OUTPUT, "FORMAT", "table (default), csv or json (docs/REPORTS.md)"},
	{"csv-safe", O_CSV_SAFE, NULL, "CSV for spreadsheets: text cells starting with = + - @ TAB CR\n"
				       "get a leading ' (overrides -o)"},
	{"file", O_FILE, "FILE", "report on FILE without a database (any importable format);\n"
				 "repeatable; operands and - (stdin) work the same"},
	OPT_HELP,
};


static const struct cliopt timeline_opts[] = {
	OPT_DB,
	{"bucket", O_BUCKET, "DURATION", "bucket size: 10s, 1m, 5m, 1h, ... (default: <= 60 buckets)"},
	{"by", O_BY, "KEY", "series: state (default) or subnet"},
	{"prefix", O_PREFIX, "N", "IPv4 prefix of --by subnet (default 24)"},
	{"prefix6", O_PREFIX6, "N", "IPv6 prefix of --by subnet (default 64)"},
	{"series", O_SERIES, "N", "series shown, the biggest first; the rest is \"other\" (default 6)"},
	FILTER_OPTS,
	{"output", O_OUTPUT, "FORMAT", "table with a chart (default), csv or json: one row per\n"
				       "bucket and series (docs/REPORTS.md)"},
	{"csv-safe", O_CSV_SAFE, NULL, "CSV for spreadsheets: text cells starting with = + - @ TAB CR\n"
				       "get a leading ' (overrides -o)"},
	{"file", O_FILE, "FILE", "report on FILE without a database; repeatable; - is stdin"},
	OPT_HELP,
};


static const struct cliopt spikes_opts[] = {
	OPT_DB,
	{"counter", O_COUNTER, "NAME", "a kernel counter's rate per second: SyncookiesSent (TcpExt's)\n"
				       "or Group.Field; repeatable"},
	{"window", O_WINDOW, "N", "quiet snapshots in the trailing baseline (default 30)"},
	{"k", O_KFACTOR, "K", "rise needed, in robust standard deviations (default 4)"},
	{"min-rise", O_MIN_RISE, "N", "least rise of a state count, sockets (default 10)"},
	{"min-rate", O_MIN_RATE, "R", "least rise of a counter's rate, per second (default 10)"},
	{"grew", O_GREW, "N", "subnets, ports and programs named per spike (default 3)"},
	{"prefix", O_PREFIX, "N", "IPv4 prefix of the subnets (default 24)"},
	{"prefix6", O_PREFIX6, "N", "IPv6 prefix of the subnets (default 64)"},
	FILTER_OPTS,
	{"output", O_OUTPUT, "FORMAT", "table (default), csv or json (docs/REPORTS.md)"},
	{"csv-safe", O_CSV_SAFE, NULL, "CSV for spreadsheets: text cells starting with = + - @ TAB CR\n"
				       "get a leading ' (overrides -o)"},
	{"file", O_FILE, "FILE", "report on FILE without a database; repeatable; - is stdin"},
	OPT_HELP,
};

static void spikes_opts_from(const struct args *a, struct report_spikes_opts *o)
{
	memset(o, 0, sizeof *o);
	/* neither --state nor --counter: SYN_RECV and a SYN flood's counters */
	o->states = a->flt.states ? a->flt.states : a->ncounters ? 0 : 1u << ST_SYN_RECV;
	if (a->ncounters) {
		memcpy(o->counters, a->counters, a->ncounters * sizeof *a->counters);
		o->ncounters = a->ncounters;
	} else if (!a->flt.states) {
		memcpy(o->counters, report_spikes_default_counters,
		       report_spikes_ndefault_counters * sizeof *o->counters);
		o->ncounters = report_spikes_ndefault_counters;
	}
	spike_params_default(&o->count);
	o->count.window = (unsigned)a->window;
	o->count.k = a->kfactor;
	o->count.min_rise = a->min_rise;
	o->rate = o->count;
	o->rate.min_rise = a->min_rate;
	o->prefix4 = (unsigned)a->prefix4;
	o->prefix6 = (unsigned)a->prefix6;
	o->top = (unsigned)a->grew;
}


static const struct cliopt summary_opts[] = {
	OPT_DB,
	{"prefix", O_PREFIX, "N", "IPv4 prefix of the top subnets (default 24)"},
	{"prefix6", O_PREFIX6, "N", "IPv6 prefix of the top subnets (default 64)"},
	FILTER_OPTS,
	{"output", O_OUTPUT, "FORMAT", "table (default), csv or json (docs/REPORTS.md)"},
	{"csv-safe", O_CSV_SAFE, NULL, "CSV for spreadsheets: text cells starting with = + - @ TAB CR\n"
				       "get a leading ' (overrides -o)"},
	{"file", O_FILE, "FILE", "report on FILE without a database; repeatable; - is stdin"},
	OPT_HELP,
};


static const struct cliopt ports_opts[] = {
	OPT_DB,
	{"at", O_AT, "TIME", "one moment: each host's newest snapshot at or before TIME"},
	FILTER_OPTS,
	{"output", O_OUTPUT, "FORMAT", "table (default), csv or json (docs/REPORTS.md)"},
	{"csv-safe", O_CSV_SAFE, NULL, "CSV for spreadsheets: text cells starting with = + - @ TAB CR\n"
				       "get a leading ' (overrides -o)"},
	{"file", O_FILE, "FILE", "report on FILE without a database; repeatable; - is stdin"},
	OPT_HELP,
};

/* ports and programs: the same options, one report function each. */

static const struct cliopt blocklist_opts[] = {
	OPT_DB,
	{"format", O_FORMAT, "FMT", "plain (default: one network per line), iptables, ip6tables,\n"
				    "nft, ipset, csv or json (docs/BLOCKLIST.md)"},
	{"explain", O_EXPLAIN, NULL, "the evidence of each recommendation and near miss, in words,\n"
				     "on stderr (csv, json: near misses as rows too)"},
	{"min-conns", O_MIN_CONNS, "N", "sockets at the peak (default: from the baseline, at least 20)"},
	{"min-snapshots", O_MIN_SNAPS, "N", "snapshots it is in (default 2; 1 with one snapshot)"},
	{"min-share", O_MIN_SHARE, "PCT", "% of all sockets with a peer (default 0.1)"},
	{"min-hosts", O_MIN_HOSTS, "N", "hosts behaving alike before their subnet is named (default 8)"},
	{"spread", O_SPREAD, "N", "subnets of one-off SYN sources that make a spoofed flood (default 64)"},
	{"prefix", O_PREFIX, "N", "IPv4 prefix of subnets (default 24)"},
	{"prefix6", O_PREFIX6, "N", "IPv6 prefix of subnets (default 64)"},
	{"allow", O_ALLOW, "CIDR", "never block anything overlapping CIDR; repeatable"},
	{"allow-file", O_ALLOW_FILE, "FILE", "--allow for each line of FILE (# comments); repeatable"},
	{"include-private", O_INCLUDE_PRIVATE, NULL, "may block RFC 1918, CGNAT (100.64/10) and ULA networks"},
	{"max-prefix", O_MAX_PREFIX, "N", "no IPv4 network wider than /N (default 16)"},
	{"max-prefix6", O_MAX_PREFIX6, "N", "no IPv6 network wider than /N (default 32)"},
	{"ttl", O_TTL, "DURATION", "entries expire (nft, ipset): 30m, 1h, 1d"},
	{"near", O_NEAR, "N", "near misses explained (default 20)"},
	FILTER_OPTS,
	{"file", O_FILE, "FILE", "work on FILE without a database; repeatable; - is stdin"},
	OPT_HELP,
};

/* ---- the table ------------------------------------------------------------- */

/* ---- the reports: one runner, a run function each ------------------------ */

/* Where a report's rows may come from. */
enum report_needs {
	NEEDS_ANY,       /* the database, or dumps read directly */
	NEEDS_DB,        /* a database: dumps are imported into one in memory */
};

struct report {
	/* its own options checked (0, or an exit status) and what it reads */
	int (*check)(const struct cmd *c, const struct args *a, enum report_needs *needs);
	/* runs it; returns rows, or -errno with err set (-ENODATA: no input) */
	long (*run)(struct scan_src *src, struct args *a, unsigned width, bool color, char *err,
		    size_t errsz);
	bool none_is_empty;  /* 0 rows says "no snapshot matches", exit 1 */
};

static int run_report(const struct cmd *c, int argc, char **argv, const struct report *r)
{
	enum report_needs needs = NEEDS_ANY;
	struct scan_src src;
	struct args a;
	sqlite3 *db = NULL;
	char **files = NULL;
	char err[512] = "";
	unsigned width;
	bool color, skipped = false;
	int first, status = 0;
	long n;

	first = parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
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

static int top_check(const struct cmd *c, const struct args *a, enum report_needs *needs)
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

static long top_run_cli(struct scan_src *src, struct args *a, unsigned width, bool color,
			char *err, size_t errsz)
{
	struct report_top_opts o = {REPORT_TOP_IP, (unsigned)a->prefix4, (unsigned)a->prefix6,
			     (unsigned)a->limit, a->have_at, a->at};

	if (a->by)
		(void)report_top_by_parse(a->by, &o.by);   /* checked by top_check */
	return report_top(src, &a->flt, &o, a->out, stdout, width, color, err, errsz);
}

static int timeline_check(const struct cmd *c, const struct args *a, enum report_needs *needs)
{
	(void)needs;
	if (a->by && strcmp(a->by, "state") && strcmp(a->by, "subnet")) {
		char shown[TERMSAFE_ARG_SIZE];

		fprintf(stderr, "sockscope %s: --by %s: expected state or subnet\n", c->name,
			termsafe_arg(shown, sizeof shown, a->by));
		return 2;
	}
	return 0;
}

static long timeline_run(struct scan_src *src, struct args *a, unsigned width, bool color,
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

	/* an --until of the user's lifts the future check: the range is theirs */
	clock_gettime(CLOCK_REALTIME, &now);
	o.now = a->flt.have_until ? 0 : (usec_t)now.tv_sec * USEC_PER_SEC;
	return report_timeline(src, &a->flt, &o, a->out, stdout, width, color, err, errsz);
}

/* counters live in a database, and so do ports' and programs' queries */
static int needs_db(const struct cmd *c, const struct args *a, enum report_needs *needs)
{
	(void)c;
	(void)a;
	*needs = NEEDS_DB;
	return 0;
}

static long spikes_run(struct scan_src *src, struct args *a, unsigned width, bool color,
		       char *err, size_t errsz)
{
	struct report_spikes_opts o;
	struct filter flt = a->flt;

	spikes_opts_from(a, &o);
	flt.states = 0;   /* --state names the series; each series selects its own */
	return report_spikes(src, &flt, &o, a->out, stdout, width, color, NULL, 0, err, errsz);
}

static long summary_run(struct scan_src *src, struct args *a, unsigned width, bool color,
			char *err, size_t errsz)
{
	struct report_summary_opts o = {(unsigned)a->prefix4, (unsigned)a->prefix6, 5, {0}};
	struct args dflt = *a;

	/* the spikes' series are spikes' defaults whatever --state says; it
	 * narrows the sockets the other sections count */
	dflt.flt.states = 0;
	spikes_opts_from(&dflt, &o.spikes);
	return report_summary(src, &a->flt, &o, a->out, stdout, width, color, err, errsz);
}

static long ports_run(struct scan_src *src, struct args *a, unsigned width, bool color,
		      char *err, size_t errsz)
{
	return report_ports(src->db, &a->flt, a->have_at, a->at, a->out, stdout, width, color, err,
			    errsz);
}

static long programs_run(struct scan_src *src, struct args *a, unsigned width, bool color,
			 char *err, size_t errsz)
{
	return report_programs(src->db, &a->flt, a->have_at, a->at, a->out, stdout, width, color,
			       err, errsz);
}

static int blocklist_check(const struct cmd *c, const struct args *a, enum report_needs *needs)
{
	struct report_blocklist_opts o;

	if (a->format && report_blocklist_format_parse(a->format, &o) < 0) {
		char shown[TERMSAFE_ARG_SIZE];

		fprintf(stderr, "sockscope %s: --format %s: expected plain, iptables, ip6tables, nft, ipset, csv or json\n",
			c->name, termsafe_arg(shown, sizeof shown, a->format));
		return 2;
	}
	if (a->prefix4 < 8 || a->prefix6 < 16) {
		fprintf(stderr, "sockscope %s: --prefix is 8..32, --prefix6 16..128\n", c->name);
		return 2;
	}
	if (a->ttl && a->format && strcmp(a->format, "nft") && strcmp(a->format, "ipset"))
		fprintf(stderr, "sockscope %s: note: --ttl applies to nft and ipset only\n", c->name);
	/* the host's own addresses come from its sockets' local addresses */
	*needs = NEEDS_DB;
	return 0;
}

/* An allow file into r: every bad line reported; any makes it an error,
 * since a network meant to be protected would not be. */
static int allow_file(struct blockrail *r, const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "re");
	int open_errno = errno;
	/* the name goes into messages: made visible */
	char *shown = termsafe_dup(path);
	struct buf b;
	char chunk[8192];
	size_t n;
	long bad;
	int rc = 0;

	if (!f || !shown) {
		rc = f ? -ENOMEM : -open_errno;
		snprintf(err, errsz, "--allow-file %s: %s", shown ? shown : "?", strerror(-rc));
		if (f)
			fclose(f);
		free(shown);
		return rc;
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if (b.len + n > (64u << 20) || buf_append(&b, chunk, n) < 0) {
			snprintf(err, errsz, "--allow-file %s: too large (64 MiB at most)", shown);
			rc = -EFBIG;
			goto out;
		}
	if (ferror(f)) {
		snprintf(err, errsz, "--allow-file %s: %s", shown, strerror(EIO));
		rc = -EIO;
		goto out;
	}
	bad = blockrail_allow_text(r, b.data ? b.data : "", b.len, shown, stderr);
	if (bad < 0) {
		snprintf(err, errsz, "out of memory");
		rc = (int)bad;
	} else if (bad > 0) {
		snprintf(err, errsz, "--allow-file %s: %ld bad line%s: fix %s, nothing was written",
			 shown, bad, bad == 1 ? "" : "s", bad == 1 ? "it" : "them");
		rc = -EINVAL;
	}
out:
	buf_fini(&b);
	fclose(f);
	free(shown);
	return rc;
}

static long blocklist_run(struct scan_src *src, struct args *a, unsigned width, bool color,
			  char *err, size_t errsz)
{
	struct report_blocklist_opts o = {0};
	struct blockrail r;
	struct timespec now;
	long rc = 0;

	(void)width;
	(void)color;
	blocklist_params_default(&o.p);
	(void)report_blocklist_format_parse(a->format ? a->format : "plain", &o);   /* checked */
	o.p.min_conns = (uint32_t)a->min_conns;
	o.p.min_snapshots = (uint32_t)a->min_snaps;
	o.p.min_share = a->min_share;
	o.p.min_hosts = (uint32_t)a->min_hosts;
	o.p.spread = (uint32_t)a->spread;
	o.p.prefix4 = (unsigned)a->prefix4;
	o.p.prefix6 = (unsigned)a->prefix6;
	o.p.max_near = a->near;
	o.ttl = (unsigned)(a->ttl / USEC_PER_SEC);
	o.explain = a->explain;
	o.why = stderr;
	clock_gettime(CLOCK_REALTIME, &now);
	o.now = (usec_t)now.tv_sec * USEC_PER_SEC;

	blockrail_init(&r);
	r.include_private = a->include_private;
	r.max_prefix4 = (unsigned)a->max_prefix4;
	r.max_prefix6 = (unsigned)a->max_prefix6;
	for (size_t i = 0; i < a->nallow && rc == 0; i++) {
		struct cidr net;

		(void)cidr_parse(a->allow[i], strlen(a->allow[i]), &net);   /* checked */
		if (blockrail_allow(&r, &net) < 0) {
			snprintf(err, errsz, "out of memory");
			rc = -ENOMEM;
		}
	}
	for (size_t i = 0; i < a->nallow_files && rc == 0; i++)
		rc = allow_file(&r, a->allow_files[i], err, errsz);
	if (rc == 0)
		rc = report_blocklist(src, &a->flt, &r, &o, stdout, err, errsz);
	blockrail_fini(&r);
	return rc;
}

static const struct report top_report = {top_check, top_run_cli, false};
static const struct report timeline_report = {timeline_check, timeline_run, true};
static const struct report spikes_report = {needs_db, spikes_run, false};
static const struct report summary_report = {needs_db, summary_run, true};
static const struct report ports_report = {needs_db, ports_run, false};
static const struct report programs_report = {needs_db, programs_run, false};
static const struct report blocklist_report = {blocklist_check, blocklist_run, false};

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

static int cmd_blocklist(const struct cmd *c, int argc, char **argv)
{
	return run_report(c, argc, argv, &blocklist_report);
}

static int cmd_listeners(const struct cmd *c, int argc, char **argv)
{
	return run_report(c, argc, argv, strcmp(c->name, "ports") ? &programs_report
								   : &ports_report);
}

#define OPTS(x) x, sizeof x / sizeof x[0]

static const struct cmd cmds[] = {
	{"import", cmd_import, "PATH...",
	 "Import segments and saved netstat, ss, /proc, BSD, Windows dumps",
	 "PATH: files, directories (recursively) or - for stdin; plain, .zst or .gz.\n"
	 "Formats are recognised by content. Each dump becomes one snapshot, a cron log one\n"
	 "per `date` line. Time: segment header, date line, --at, time in the file name,\n"
	 "file mtime (warned). Content already imported (same SHA-256) is skipped, and so\n"
	 "is a snapshot already imported (same host, time and rows; a dump timed by mtime:\n"
	 "same host and rows); other rows at the same host and time are kept and warned.\n"
	 "Exit status: 0 all imported, 1 something was skipped, 2 usage or database error.\n",
	 OPTS(import_opts)},
	{"sources", cmd_sources, "", "List imported sources: format, counts, hash, time span, first error",
	 NULL, OPTS(sources_opts)},
	{"query", cmd_query, "SQL",
	 "Run SQL on a read-only connection and print TSV (see docs/SCHEMA.md)",
	 "Functions: subnet(addr, prefix [, prefix6]), in_cidr(addr, cidr), ip_family(addr),\n"
	 "utc(us), us(text). Example:\n"
	 "  sockscope query \"SELECT subnet(raddr, 24), count(*) FROM sockets GROUP BY 1\"\n",
	 OPTS(query_opts)},
	{"summary", cmd_summary, "[FILE...]",
	 "The review's first page: span, states at peak, top subnets, spikes, gaps, counters",
	 "Rows of (section, name, value): recording (span, snapshots), host, at peak and at\n"
	 "median (the snapshot with the most sockets, and the median one, by state), top\n"
	 "subnets, spikes (as sockscope spikes finds them), gaps (missed snapshots) and\n"
	 "counters (their increase over the span).\n",
	 OPTS(summary_opts)},
	{"top", cmd_top, "[FILE...]",
	 "Top remote IPs, subnets, ports, programs or states: peak, share, peers, when",
	 "With FILE operands, -f FILE or - (stdin) the report runs on those dumps without a\n"
	 "database: netstat -ntu | sockscope top - replaces the article's\n"
	 "awk | cut | sort | uniq -c | sort -n, correct for IPv6. Listening and unconnected\n"
	 "sockets have no peer: --by ip and --by subnet leave them out.\n",
	 OPTS(top_opts)},
	{"timeline", cmd_timeline, "[FILE...]",
	 "Connections per time bucket and state (or subnet), with a chart",
	 "A bucket's value is its busiest snapshot's; buckets without a snapshot are\n"
	 "shown as gaps. --state SYN_RECV draws the SYN flood's wall.\n",
	 OPTS(timeline_opts)},
	{"spikes", cmd_spikes, "[FILE...]",
	 "When SYN_RECV or a SYN flood's counters rose above their baseline, and who grew",
	 "A series per host: the count of each --state (default SYN_RECV) per snapshot and\n"
	 "the rate per second of each --counter (default TcpExt.SyncookiesSent,\n"
	 "ListenOverflows, ListenDrops, TCPReqQFullDrop, TCPReqQFullDoCookies: they show a\n"
	 "flood that syncookies keep out of SYN_RECV). A spike starts where a value exceeds\n"
	 "median + max(k * 1.4826 * MAD, min-rise) of the last --window quiet snapshots and\n"
	 "ends where its rise has halved (docs/REPORTS.md). Each spike names the subnets,\n"
	 "ports and programs whose mean count per snapshot grew most against as many\n"
	 "snapshots before it.\n",
	 OPTS(spikes_opts)},
	{"ports", cmd_listeners, "[FILE...]",
	 "Listening ports: their programs and addresses, and who connected to them",
	 "A port listens when a TCP socket is in LISTEN or a UDP socket is bound and\n"
	 "unconnected; conns is the peak of its other sockets (clients, SYN_RECV).\n",
	 OPTS(ports_opts)},
	{"programs", cmd_listeners, "[FILE...]",
	 "Programs: their sockets, listening ports, connections and peers", NULL,
	 OPTS(ports_opts)},
	{"blocklist", cmd_blocklist, "[FILE...]",
	 "Recommend networks to block, with evidence and safety rails, in a firewall's language",
	 "Peers and subnets (--prefix) whose sockets at their peak reach the threshold\n"
	 "(relative to this recording's typical peer), that persist and carry a share of\n"
	 "the traffic; a subnet when --min-hosts of its hosts behave alike. Never loopback,\n"
	 "link-local, multicast, the host's own addresses, --allow, private ranges (unless\n"
	 "--include-private) or a network wider than --max-prefix. A SYN flood from a\n"
	 "spread of one-off sources is called spoofed, with SYN cookie, backlog and rate\n"
	 "limit advice instead of rules. Nothing is applied: load the output yourself.\n"
	 "The list goes to stdout; --explain, advice and notes to stderr.\n",
	 OPTS(blocklist_opts)},
	{"netstat", cmd_netstat, "--at TIME -- ARGS",
	 "Replay an article command (-na, -ntu, -plan, -aultnp, ...) as it printed at TIME", NULL,
	 OPTS(netstat_opts)},
	{"dump", cmd_dump, "SEGMENT...",
	 "Print a segment's snapshots (checksums verified, torn tails reported)", NULL,
	 OPTS(dump_opts)},
	{"verify", cmd_verify, "SEGMENT...",
	 "Check segments' integrity: exit status 0 when every snapshot is intact", NULL,
	 OPTS(verify_opts)},
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

static void usage(FILE *f)
{
	fprintf(f, "Usage: sockscope COMMAND [OPTION]... [ARG]...\n"
		   "Import socket recordings and netstat/ss dumps into SQLite and ask them who\n"
		   "attacked, when and against what.\n\nCommands:\n");
	for (size_t i = 0; i < NCMDS; i++) {
		const char *s = cmds[i].summary, *nl = strchr(s, '\n');

		fprintf(f, "  %-10s %.*s\n", cmds[i].name, nl ? (int)(nl - s) : (int)strlen(s), s);
	}
	fprintf(f, "\n'sockscope COMMAND --help' describes each. The database is ./sockscope.db,\n"
		   "$SOCKSCOPE_DB or -d FILE. See sockscope(1), docs/SCHEMA.md.\n");
}

int main(int argc, char **argv)
{
	/* SQLite's global configuration (process-wide, so here): no memory
	 * statistics, which cost a global mutex on every allocation */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("sockscope %s\n", SOCKSCOPE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < NCMDS; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(&cmds[i], argc - 1, argv + 1);
	{
		char shown[TERMSAFE_ARG_SIZE];

		fprintf(stderr, "sockscope: unknown command '%s'\n",
			termsafe_arg(shown, sizeof shown, argv[1]));
	}
	usage(stderr);
	return 2;
}

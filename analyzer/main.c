/* sockscope — the analyzer's command line: a table of subcommands, each with
 * its option table (which generates --help), printing and exit codes. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cliopt.h"
#include "db.h"
#include "dump.h"
#include "import.h"
#include "num.h"
#include "replay.h"
#include "segdump.h"
#include "utctime.h"

enum {
	O_DB = 'd', O_QUIET = 'q', O_HELP = 'h',
	O_FORMAT = 256, O_HOST, O_AT, O_KEEP_RAW, O_MAX_ERRORS, O_NO_PROGRESS, O_SECTION, O_SEQ,
	O_LIST, O_HEADER,
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
	usec_t at;
	uint64_t max_errors, seq;
};

static void cmd_usage(const struct cmd *c, FILE *f)
{
	fprintf(f, "Usage: sockscope %s [OPTION]... %s\n%s.\n\n", c->name, c->args, c->summary);
	cliopt_usage(f, c->opts, c->nopts);
	if (c->details)
		fprintf(f, "\n%s", c->details);
}

static int parse_time(const char *s, usec_t *t)
{
	return utctime_parse(s, strlen(s), t);
}

/* Parses the subcommand's options; returns the index of the first operand,
 * or -1 with the exit status in *status. */
static int parse(const struct cmd *c, int argc, char **argv, struct args *a, int *status)
{
	struct option lo[32];
	char so[80];
	int ch;

	memset(a, 0, sizeof *a);
	a->db = getenv("SOCKSCOPE_DB");
	if (!a->db || !*a->db)
		a->db = DB_DEFAULT_PATH;
	a->max_errors = 20;
	cliopt_getopt(c->opts, c->nopts, 0, lo, so);
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		const char *name = cliopt_name(c->opts, c->nopts, ch);

		switch (ch) {
		case O_DB: a->db = optarg; break;
		case O_QUIET: a->quiet = true; break;
		case O_FORMAT: a->format = optarg; break;
		case O_HOST: a->host = optarg; break;
		case O_SECTION: a->section = optarg; break;
		case O_KEEP_RAW: a->keep_raw = true; break;
		case O_NO_PROGRESS: a->no_progress = true; break;
		case O_LIST: a->list = true; break;
		case O_HEADER: a->header = true; break;
		case O_AT:
			if (parse_time(optarg, &a->at) < 0) {
				fprintf(stderr, "sockscope %s: --at %s: expected a UTC time like 2026-11-25T13:54:00Z, 2026-11-25 13:54:00+01:00 or @1795614840\n",
					c->name, optarg);
				goto bad;
			}
			a->have_at = true;
			break;
		case O_MAX_ERRORS:
		case O_SEQ: {
			uint64_t v;

			if (num_parse_dec(optarg, strlen(optarg), UINT32_MAX, &v) < 0) {
				fprintf(stderr, "sockscope %s: --%s %s: expected a number\n", c->name,
					name, optarg);
				goto bad;
			}
			*(ch == O_SEQ ? &a->seq : &a->max_errors) = v;
			break;
		}
		case O_HELP:
			cmd_usage(c, stdout);
			*status = 0;
			return -1;
		default:
			if (optopt && optopt < 256)
				fprintf(stderr, "sockscope %s: bad option -%c or its argument\n",
					c->name, optopt);
			else
				fprintf(stderr, "sockscope %s: bad option %s\n", c->name,
					argv[optind - 1]);
			goto bad;
		}
	}
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
	if (a.format && strcmp(a.format, "segment") && !dump_format_find(a.format)) {
		fprintf(stderr, "sockscope import: --format %s: expected segment, netstat, ss, proc, bsd or windows\n",
			a.format);
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
	for (int i = first; i < argc; i++) {
		int rc = importer_path(im, argv[i]);

		if (rc < 0) {
			status = 2;
			break;
		}
		if (rc > 0)
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
	if (t->dup_snapshots)
		fprintf(stderr, " (%" PRIu64 " recorder snapshots were already there)",
			t->dup_snapshots);
	fputc('\n', stderr);
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
	OPT_HELP,
};

/* Prints a statement's rows as TSV (NULL as empty, tabs and newlines in
 * values as \t \n so every row stays one line). */
static int print_rows(sqlite3 *db, const char *sql, bool header)
{
	sqlite3_stmt *st = NULL;
	const char *tail = sql;
	int rc = 0;

	while (tail && *tail) {
		int n;

		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK) {
			fprintf(stderr, "sockscope query: %s\n", sqlite3_errmsg(db));
			return 1;
		}
		if (!st)
			continue;   /* whitespace or a comment */
		n = sqlite3_column_count(st);
		if (header && n > 0)
			for (int i = 0; i < n; i++)
				printf("%s%s", sqlite3_column_name(st, i), i + 1 < n ? "\t" : "\n");
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			for (int i = 0; i < n; i++) {
				const unsigned char *v = sqlite3_column_text(st, i);

				for (; v && *v; v++) {
					if (*v == '\t')
						fputs("\\t", stdout);
					else if (*v == '\n')
						fputs("\\n", stdout);
					else if (*v == '\\')
						fputs("\\\\", stdout);
					else
						putchar(*v);
				}
				putchar(i + 1 < n ? '\t' : '\n');
			}
		}
		if (rc != SQLITE_DONE) {
			fprintf(stderr, "sockscope query: %s\n", sqlite3_errmsg(db));
			sqlite3_finalize(st);
			return 1;
		}
		sqlite3_finalize(st);
		st = NULL;
		rc = 0;
	}
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
	status = print_rows(db, sql.data, a.header);
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
			    true);
	db_close(db);
	return status;
}

/* ---- netstat replay ------------------------------------------------------- */

static const struct cliopt netstat_opts[] = {
	OPT_DB,
	{"host", O_HOST, "NAME", "the host to replay (needed when there are several)"},
	{"at", O_AT, "TIME", "the moment: the newest snapshot at or before it [required]"},
	{"quiet", O_QUIET, NULL, "do not say on stderr which snapshot was used"},
	OPT_HELP,
};

static int cmd_netstat(const struct cmd *c, int argc, char **argv)
{
	struct args a;
	struct replay_info info;
	struct buf args;
	sqlite3 *db;
	char err[512], t[UTCTIME_STRLEN];
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
	rc = replay_netstat(db, a.host, a.at, args.data, stdout, &info, err, sizeof err);
	if (rc < 0) {
		fprintf(stderr, "sockscope netstat: %s\n", err);
		status = rc == -EINVAL ? 2 : 1;
	} else if (!a.quiet) {
		utctime_format(info.time, 6, t, sizeof t);
		fprintf(stderr, "sockscope netstat: snapshot %lld of %s at %s, %s\n", info.snapshot_id,
			info.host, t,
			info.stored ? "stored output" : "rendered from its socket rows");
	}
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
		if (segverify(argv[i], stdout, stderr) != 0)
			status = 1;
	return status;
}

/* ---- the table ------------------------------------------------------------- */

#define OPTS(x) x, sizeof x / sizeof x[0]

static const struct cmd cmds[] = {
	{"import", cmd_import, "PATH...",
	 "Import segments and saved netstat, ss, /proc, BSD, Windows dumps",
	 "PATH: files, directories (recursively) or - for stdin; plain, .zst or .gz.\n"
	 "Formats are recognised by content. Each dump becomes one snapshot, a cron log one\n"
	 "per `date` line. Time: segment header, date line, --at, time in the file name,\n"
	 "file mtime (warned). Content already imported (same SHA-256) is skipped.\n"
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
	fprintf(stderr, "sockscope: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

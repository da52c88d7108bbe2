/* cmd_import — `sockscope import`: its options, and the summary line of
 * what went into the database. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"
#include "import.h"
#include "textfmt.h"
#include "termsafe.h"

struct import_args {
	const char *db;
	const char *format, *host;
	bool have_at;
	usec_t at;                   /* the dumps' time, as written */
	bool keep_raw, quiet, no_progress;
	uint64_t max_errors;
};

static void import_args_defaults(void *opts)
{
	struct import_args *a = opts;

	*a = (struct import_args){.db = cli_db_default(), .max_errors = 20};
}

#define T struct import_args
static const struct cliopt import_opts[] = {
	CLI_OPT_DB(T),
	{"format", 0, "NAME", "do not detect: segment, netstat, ss, proc, bsd, windows",
	 .kind = CLIOPT_STR, CLIOPT_AT(T, format)},
	{"host", 0, "NAME", "host of dumps that do not name one (default: unknown)",
	 .kind = CLIOPT_FN, CLIOPT_AT(T, host), .set = cli_set_host},
	{"at", 0, "TIME", "time of dumps without a date line (before file name, mtime)",
	 .kind = CLIOPT_FN, CLIOPT_AT(T, at), .off2 = offsetof(T, have_at), .set = cli_set_time_start},
	{"keep-raw", 0, NULL, "also store verbatim sections (proc/net/*, netstat output)",
	 .kind = CLIOPT_FLAG, CLIOPT_AT(T, keep_raw)},
	{"max-errors", 0, "N", "bad lines shown per source (default {}; all are counted)",
	 CLIOPT_U(T, max_errors, 0, UINT32_MAX)},
	{"quiet", 'q', NULL, "only errors and the summary line", .kind = CLIOPT_FLAG, CLIOPT_AT(T, quiet)},
	{"no-progress", 0, NULL, "no progress line even on a terminal", .kind = CLIOPT_FLAG,
	 CLIOPT_AT(T, no_progress)},
	CLI_OPT_HELP,
};
#undef T

static int run_import(const struct cmd *c, int argc, char **argv)
{
	struct import_args a;
	struct import_opts o = {0};
	struct importer *im = NULL;
	const struct import_totals *t;
	sqlite3 *db = NULL;
	char err[512];
	int first, status = 0;
	struct timespec t0, t1;
	double el;

	first = cli_parse(c, argc, argv, &a, &status);
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
	/* test aid (docs/SCHEMA.md, "Import"): the slow path, to compare */
	o.parse_every_row = getenv("SOCKSCOPE_TEST_PARSE_EVERY_ROW") != NULL;
#ifdef __GLIBC__
	/* a source's large buffers (a flood's keyframe: the spans, the held
	 * rows, the decoded text) are mapped and unmapped, not left in the heap
	 * for the next source to build on: glibc otherwise raises its mmap
	 * threshold to the largest block freed, and the synthetic day's import
	 * peaked at 65.5 MiB where its largest hours take 56 (1 MiB: 57.3 MiB
	 * and the same CPU; 256 KiB mapped per-snapshot buffers too, +25% CPU;
	 * bench/README.md, "The whole day") */
	mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
#endif
	if (cli_open_db(a.db, DB_READWRITE, &db) < 0)
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

const struct cmd cli_import = {
	"import", run_import, "PATH...",
	"Import segments and saved netstat, ss, /proc, BSD, Windows dumps",
	"PATH: files, directories (recursively) or - for stdin; plain, .zst or .gz.\n"
	"Formats are recognised by content. Each dump becomes one snapshot, a cron log one\n"
	"per `date` line. Time: segment header, date line, --at, time in the file name,\n"
	"file mtime (warned). Content already imported (same SHA-256) is skipped, and so\n"
	"is a snapshot already imported (same host, time and rows; a dump timed by mtime:\n"
	"same host and rows); other rows at the same host and time are kept and warned.\n"
	"Exit status: 0 all imported, 1 something was skipped, 2 usage or database error.\n",
	CLI_OPTS(import_opts), sizeof(struct import_args), import_args_defaults,
};

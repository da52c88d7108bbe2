/* cmd_ship — `sockscope ship`: its options, credentials (environment or a
 * private file, never argv), the import of segment folders into a cache
 * database, the --once and --follow loops, and the exit status. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chhttp.h"
#include "cli.h"
#include "grow.h"
#include "import.h"
#include "ship.h"
#include "termsafe.h"

struct ship_args {
	const char *db;
	struct cli_ch ch;
	const char *state;
	bool once, follow, create, print_schema;
	const char *cluster;
	uint64_t ttl_days, batch, batch_rows;
	usec_t interval, retry_for, gap;
};

static void ship_args_defaults(void *opts)
{
	struct ship_args *a = opts;

	*a = (struct ship_args){.batch = 10000, .batch_rows = 500000, .interval = 10 * USEC_PER_SEC,
				.retry_for = 300 * USEC_PER_SEC, .gap = USEC_PER_SEC};
	cli_ch_defaults(&a->ch);
}

#define T struct ship_args
static const struct cliopt ship_opts[] = {
	{"db", 'd', "FILE", "ship this database (instead of SEGMENT_DIRs)", .kind = CLIOPT_STR,
	 CLIOPT_AT(T, db)},
	CLI_CH_OPTS(T),
	{"once", 0, NULL, "ship what is there and exit (the default; for cron)", .kind = CLIOPT_FLAG,
	 CLIOPT_AT(T, once)},
	{"follow", 0, NULL, "keep shipping as the segments grow (systemd)", .kind = CLIOPT_FLAG,
	 CLIOPT_AT(T, follow)},
	{"state", 0, "FILE", "what was shipped (default: DB.ship, or\n"
			     "./sockscope-ship.state with SEGMENT_DIRs, its cache DB FILE.db)",
	 .kind = CLIOPT_STR, CLIOPT_AT(T, state)},
	{"interval", 0, "DURATION", "--follow: look for new snapshots every (default 10s)",
	 .kind = CLIOPT_DURATION, CLIOPT_AT(T, interval), .min = 1e5},
	{"retry-for", 0, "DURATION", "--once: give up on an unreachable server after\n"
				     "(default 5m; --follow retries for ever)",
	 .kind = CLIOPT_DURATION, CLIOPT_AT(T, retry_for)},
	{"batch", 0, "N", "most snapshots per insert, of one host or several\n"
			  "(default {})", CLIOPT_U(T, batch, 1, 100000)},
	{"batch-rows", 0, "N", "about the most rows per insert into counters, states or\n"
			       "processes (default {})", CLIOPT_U(T, batch_rows, 1000, 10000000)},
	{"insert-gap", 0, "DURATION", "least time between inserts into one table (default 1s)",
	 .kind = CLIOPT_DURATION, CLIOPT_AT(T, gap)},
	{"create", 0, NULL, "create the database and tables on the server first",
	 .kind = CLIOPT_FLAG, CLIOPT_AT(T, create)},
	{"print-schema", 0, NULL, "print the ClickHouse DDL and exit", .kind = CLIOPT_FLAG,
	 CLIOPT_AT(T, print_schema)},
	{"cluster", 0, "NAME", "--print-schema, --create: <table>_local tables and\n"
			       "Distributed <table>s over cluster NAME",
	 .kind = CLIOPT_STR, CLIOPT_AT(T, cluster)},
	{"ttl-days", 0, "N", "--print-schema: a TTL clause (ClickHouse >= 19.6 only)",
	 CLIOPT_U(T, ttl_days, 0, 36500)},
	CLI_OPT_HELP,
};
#undef T

/* The files of the folders as last imported (--follow): a file whose size
 * and modification time have not changed is not read again. Without this,
 * every round re-read and re-hashed every segment of the folder. */
struct seen_file {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct seen {
	struct seen_file *v;
	size_t n, cap;
	const char *state, *cache;   /* the shipper's own files: no input */
	struct stat own[6];
	size_t nown;
};

/* The shipper's own files, which a folder may hold: never imported. */
static void own_files(struct seen *sn)
{
	const char *state = sn->state, *cache = sn->cache;
	static const char *const sfx[] = {"", ".tmp"}, *const dsfx[] = {"", "-wal", "-shm", "-journal"};
	char p[4300];

	sn->nown = 0;
	for (size_t i = 0; i < 2; i++)
		if ((size_t)snprintf(p, sizeof p, "%s%s", state, sfx[i]) < sizeof p &&
		    stat(p, &sn->own[sn->nown]) == 0)
			sn->nown++;
	for (size_t i = 0; i < 4; i++)
		if ((size_t)snprintf(p, sizeof p, "%s%s", cache, dsfx[i]) < sizeof p &&
		    stat(p, &sn->own[sn->nown]) == 0)
			sn->nown++;
}

static bool is_own(const struct seen *sn, const struct stat *st)
{
	for (size_t i = 0; i < sn->nown; i++)
		if (sn->own[i].st_dev == st->st_dev && sn->own[i].st_ino == st->st_ino)
			return true;
	return false;
}

/* Whether st is a file as it was when last imported; else it is recorded
 * as now (its import follows). 1 unchanged, 0 new or changed, -ENOMEM. */
static int unchanged(struct seen *sn, const struct stat *st)
{
	struct seen_file f = {st->st_dev, st->st_ino, st->st_size, st->st_mtim}, *nv;

	for (size_t i = 0; i < sn->n; i++) {
		struct seen_file *o = &sn->v[i];

		if (o->dev != f.dev || o->ino != f.ino)
			continue;
		if (o->size == f.size && o->mtime.tv_sec == f.mtime.tv_sec &&
		    o->mtime.tv_nsec == f.mtime.tv_nsec)
			return 1;
		*o = f;
		return 0;
	}
	if (!(nv = grow(sn->v, &sn->cap, sn->n, sizeof *nv, 64)))
		return -ENOMEM;
	sn->v = nv;
	sn->v[sn->n++] = f;
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* path into the importer as importer_path walks it (directories in name
 * order, symlinks followed only when named; the recorder's lock and the
 * shipper's own files left out), leaving out files unchanged since the
 * last round. 0 or -1 (the database failed, or out of memory). */
static int walk(struct importer *im, struct seen *sn, const char *path, unsigned depth)
{
	struct dirent **ents = NULL;
	const char *base = strrchr(path, '/');
	struct stat st;
	size_t bl;
	int n, rc = 0;

	if ((depth ? lstat(path, &st) : stat(path, &st)) < 0 || depth > 64)
		return importer_path(im, path) < 0 ? -1 : 0;   /* the importer says why */
	base = base ? base + 1 : path;
	bl = strlen(base);
	if (is_own(sn, &st) || (depth && bl > 16 && !strncmp(base, ".sockscope-", 11) &&
				!strcmp(base + bl - 5, ".lock")))
		return 0;
	if (S_ISREG(st.st_mode)) {
		int u = unchanged(sn, &st);

		if (u < 0)
			return -1;
		return u || importer_path(im, path) >= 0 ? 0 : -1;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;
	n = scandir(path, &ents, NULL, by_name);
	if (n < 0)
		return importer_path(im, path) < 0 ? -1 : 0;
	for (int i = 0; i < n; i++) {
		char *sub = NULL;

		if (rc == 0 && strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..")) {
			size_t pl = strlen(path);

			/* "dir/" as given stays one slash, as the importer names it */
			if (asprintf(&sub, "%.*s/%s", (int)(pl > 1 && path[pl - 1] == '/' ? pl - 1 : pl),
				     path, ents[i]->d_name) < 0)
				rc = -1;
			else
				rc = walk(im, sn, sub, depth + 1);
		}
		free(sub);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

/* Imports the folders into the cache database (what changed since the
 * last round). 0 or -1 (printed). */
static int import_dirs(sqlite3 *db, char **dirs, int n, struct seen *sn)
{
	struct import_opts o = {.quiet = true};
	struct importer *im = NULL;
	char err[512];
	int rc = 0;

	if (importer_new(db, &o, stderr, &im, err, sizeof err) < 0) {
		fprintf(stderr, "sockscope ship: %s\n", err);
		return -1;
	}
	own_files(sn);
	for (int i = 0; i < n && rc == 0; i++)
		rc = walk(im, sn, dirs[i], 0);
	if (rc < 0)
		fprintf(stderr, "sockscope ship: cache database: %s\n",
			importer_totals(im)->db_error[0] ? importer_totals(im)->db_error
							 : "out of memory");
	importer_free(im);
	return rc;
}

static int print_schema(const struct ship_args *a)
{
	struct chschema_opts so = {a->ch.database, a->cluster, (unsigned)a->ttl_days};
	struct buf b = BUF_INIT;
	int rc = chschema_ddl(&so, &b);

	if (rc == 0)
		fputs(b.data, stdout);
	buf_fini(&b);
	return rc < 0 ? 1 : 0;
}

/* One round: import (folders), ship. The exit status so far, -1: go on. */
static int ship_round(const struct ship_args *a, sqlite3 *db, struct chhttp *h, char **dirs,
		      int ndirs, const struct ship_opts *so, struct seen *sn)
{
	struct ship_totals t = {0};
	char err[512] = "";
	long n;

	if (ndirs && import_dirs(db, dirs, ndirs, sn) < 0)
		return 1;
	n = ship_db(db, h, so, &t, stderr, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "sockscope ship: %s\n", err);
		return cli_ch_status((int)n);
	}
	if (n || !a->follow)
		fprintf(stderr, "sockscope ship: %ld batches: %" PRIu64 " snapshots, %" PRIu64
				" spans, %" PRIu64 " states, %" PRIu64 " counters, %" PRIu64
				" processes, %" PRIu64 " sources%s\n",
			n, t.rows[CHSCHEMA_SNAPSHOTS], t.rows[CHSCHEMA_SPANS], t.rows[CHSCHEMA_STATES],
			t.rows[CHSCHEMA_COUNTERS], t.rows[CHSCHEMA_PROCESSES], t.rows[CHSCHEMA_SOURCES],
			t.found ? " (some found already on the server)" : "");
	return -1;
}

/* The server's schema, waiting for an unreachable server as shipping does
 * (for ever with --follow). 0, or -1 with the error printed and *status. */
static int check_schema(struct chhttp *h, const struct ship_args *a, int *status)
{
	struct timespec t0, now;
	double waited = 0, backoff = 0.5;
	char err[512] = "";
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((rc = ship_check_schema(h, a->ch.database, err, sizeof err)) == -EAGAIN &&
	       (a->follow || waited * 1e6 < (double)a->retry_for)) {
		struct timespec ts = {(time_t)backoff, (long)((backoff - (double)(time_t)backoff) * 1e9)};

		fprintf(stderr, "sockscope ship: %s; retrying in %.1f s\n", err, backoff);
		nanosleep(&ts, NULL);
		backoff = backoff * 2 > 30 ? 30 : backoff * 2;
		clock_gettime(CLOCK_MONOTONIC, &now);
		waited = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
	}
	if (rc < 0) {
		fprintf(stderr, "sockscope ship: %s\n", err);
		*status = cli_ch_status(rc);
		return -1;
	}
	return 0;
}

static int run_ship(const struct cmd *c, int argc, char **argv)
{
	struct ship_args a;
	struct ship_opts so = {0};
	struct chhttp *h = NULL;
	sqlite3 *db = NULL;
	char state[4096], cache[4200], err[512] = "";
	struct seen seen = {.state = state, .cache = cache};
	int first, status = 0, rc;

	first = cli_parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	if (a.print_schema)
		return print_schema(&a);
	if ((a.db && first != argc) || (!a.db && first == argc && !a.create) ||
	    (a.once && a.follow)) {
		fprintf(stderr, "sockscope ship: give -d DB or SEGMENT_DIRs (not both; neither with "
				"--create alone); --once or --follow\n");
		return 2;
	}
	snprintf(state, sizeof state, "%s", a.state ? a.state
					   : a.db   ? a.db
						    : "sockscope-ship.state");
	if (!a.state && a.db)
		strncat(state, ".ship", sizeof state - strlen(state) - 1);
	snprintf(cache, sizeof cache, "%s.db", state);
	/* each insert one block: one part per shard and day, all or nothing
	 * (the default splits at 1,048,576 rows) */
	if (cli_ch_connect(&a.ch, "sockscope ship",
			   "insert_distributed_sync=1&max_insert_block_size=100000000", &h) < 0)
		return 2;
	if (a.create) {
		struct chschema_opts co = {a.ch.database, a.cluster, 0};

		rc = ship_create_schema(h, &co, err, sizeof err);
		if (rc < 0) {
			fprintf(stderr, "sockscope ship: --create: %s\n", err);
			status = cli_ch_status(rc);
			goto out;
		}
	}
	if (check_schema(h, &a, &status) < 0)
		goto out;
	if (!a.db && first == argc)
		goto out;   /* --create alone */
	if (cli_open_db(a.db ? a.db : cache, a.db ? DB_READONLY : DB_READWRITE, &db) < 0) {
		status = 2;
		goto out;
	}
	so = (struct ship_opts){a.ch.database, state, (unsigned)a.batch, a.batch_rows,
				(uint64_t)a.gap, a.follow ? 0 : (uint64_t)a.retry_for};
	for (;;) {
		status = ship_round(&a, db, h, argv + first, argc - first, &so, &seen);
		if (status >= 0 || !a.follow)
			break;
		{
			struct timespec ts = {(time_t)(a.interval / USEC_PER_SEC),
					      (long)(a.interval % USEC_PER_SEC) * 1000};

			nanosleep(&ts, NULL);
		}
	}
	if (status < 0)
		status = 0;
out:
	free(seen.v);
	sqlite3_close(db);
	chhttp_free(h);
	return status;
}

const struct cmd cli_ship = {
	"ship", run_ship, "[SEGMENT_DIR...]",
	"Send what import stores to ClickHouse (fleet-wide reports: fleet)",
	"SEGMENT_DIRs are imported into a cache database next to the state file, then\n"
	"shipped; -d DB ships a database. Each chain of snapshots goes exactly once,\n"
	"whatever reruns, crashes or outages happen (docs/CLICKHOUSE.md).\n"
	"Credentials: $SOCKSCOPE_CH_USER and $SOCKSCOPE_CH_PASSWORD, or --credentials FILE\n"
	"(lines user=NAME, password=SECRET; not readable by group or others).\n"
	"Exit status: 0 shipped, 1 the server stayed unreachable or a local failure,\n"
	"2 usage, authentication refused, bad URL or a schema that does not match.\n",
	CLI_OPTS(ship_opts), sizeof(struct ship_args), ship_args_defaults,
};

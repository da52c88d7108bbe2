/* cmd_query — `sockscope query` (SQL on a read-only connection, as TSV)
 * and `sockscope sources` (the imported sources, the same way). */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "termsafe.h"

struct query_args {
	const char *db;
	bool header;
	bool raw;                    /* --raw: values byte for byte */
};

static void query_args_defaults(void *opts)
{
	struct query_args *a = opts;

	*a = (struct query_args){.db = cli_db_default()};
}

#define T struct query_args
static const struct cliopt query_opts[] = {
	CLI_OPT_DB(T),
	{"header", 0, NULL, "print the column names first", .kind = CLIOPT_FLAG, CLIOPT_AT(T, header)},
	{"raw", 0, NULL, "values byte for byte, only TAB, LF and \\ escaped (control\n"
			 "characters then reach the terminal)", .kind = CLIOPT_FLAG, CLIOPT_AT(T, raw)},
	CLI_OPT_HELP,
};

static const struct cliopt sources_opts[] = {CLI_OPT_DB(T), CLI_OPT_HELP};
#undef T

/* A statement refused by db_deny_writes says why (VACUUM INTO is refused
 * when it runs, at the ATTACH of its target). A denial at prepare time can
 * end as SQLITE_SCHEMA (prepare retries after loading the schema), so
 * SQLite's fixed message is recognised too. */
static void query_error(sqlite3 *db)
{
	/* sockets is a view (schema 4): SQLite says so before asking */
	bool denied = sqlite3_errcode(db) == SQLITE_AUTH ||
		      !strcmp(sqlite3_errmsg(db), "not authorized") ||
		      strstr(sqlite3_errmsg(db), "because it is a view");

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

static int run_query(const struct cmd *c, int argc, char **argv)
{
	struct query_args a;
	sqlite3 *db;
	int first, status = 0;
	struct buf sql;

	first = cli_parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	if (first == argc) {
		fprintf(stderr, "sockscope query: give the SQL to run\n");
		return 2;
	}
	buf_init(&sql);
	for (int i = first; i < argc; i++)
		buf_printf(&sql, "%s%s", i > first ? " " : "", argv[i]);
	if (cli_open_db(a.db, DB_READONLY, &db) < 0) {
		buf_fini(&sql);
		return 2;
	}
	db_deny_writes(db);
	status = print_rows(db, sql.data, a.header, a.raw);
	buf_fini(&sql);
	db_close(db);
	return status;
}

static int run_sources(const struct cmd *c, int argc, char **argv)
{
	struct query_args a;
	sqlite3 *db;
	int first, status = 0;

	first = cli_parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	if (first != argc) {
		fprintf(stderr, "sockscope sources: takes no operands\n");
		return 2;
	}
	if (cli_open_db(a.db, DB_READONLY, &db) < 0)
		return 2;
	status = print_rows(db,
			    "SELECT id, utc(imported_at) AS imported,"
			    " format || CASE WHEN names > 0 THEN ' (names)' ELSE '' END AS format,"
			    " snapshots, sockets,"
			    " bad_lines AS bad, substr(sha256, 1, 16) AS sha256, path,"
			    " coalesce((SELECT utc(min(time)) || ' .. ' || utc(max(time)) || ' ('"
			    " || group_concat(DISTINCT time_from) || ')' FROM snapshots"
			    " WHERE source_id = sources.id), '-') AS span,"
			    " coalesce(first_error, '') AS first_error FROM sources ORDER BY id",
			    true, false);
	db_close(db);
	return status;
}

const struct cmd cli_query = {
	"query", run_query, "SQL",
	"Run SQL on a read-only connection and print TSV (see docs/SCHEMA.md)",
	"Functions: subnet(addr, prefix [, prefix6]), in_cidr(addr, cidr), ip_family(addr),\n"
	"utc(us), us(text). Example:\n"
	"  sockscope query \"SELECT subnet(raddr, 24), count(*) FROM sockets GROUP BY 1\"\n",
	CLI_OPTS(query_opts), sizeof(struct query_args), query_args_defaults,
};

const struct cmd cli_sources = {
	"sources", run_sources, "", "List imported sources: format, counts, hash, time span, first error",
	NULL, CLI_OPTS(sources_opts), sizeof(struct query_args), query_args_defaults,
};

/* cli — what the analyzer's commands share: the command table entry, the
 * parsing of a command's options into its options struct (cliopt.h), the
 * setters of the options several commands take, and the report runner. */
#ifndef SOCKSCOPE_CLI_H
#define SOCKSCOPE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <sqlite3.h>

#include "blocklist.h"
#include "cliopt.h"
#include "db.h"
#include "filter.h"
#include "output.h"
#include "scan.h"
#include "utctime.h"

struct cmd {
	const char *name;
	int (*fn)(const struct cmd *c, int argc, char **argv);
	const char *args;        /* operands, for the usage line */
	const char *summary;
	const char *details;     /* after the options in --help */
	const struct cliopt *opts;
	size_t nopts;
	size_t opts_size;        /* its options struct */
	void (*defaults)(void *opts);   /* the one place its defaults are written */
};

#define CLI_OPTS(x) x, sizeof x / sizeof x[0]

/* A numeric macro as a string literal, for help text. */
#define CLI_STR_(x) #x
#define CLI_STR(x) CLI_STR_(x)

/* Fills opts with c's defaults and parses argv's options into it. Returns
 * the index of the first operand, or -1 with the exit status in *status
 * (0 after --help, 2 after a usage error, both printed). */
int cli_parse(const struct cmd *c, int argc, char **argv, void *opts, int *status);

/* Opens the database, printing why not. 0 or -1. */
int cli_open_db(const char *path, enum db_mode mode, sqlite3 **db);

/* $SOCKSCOPE_DB, or ./sockscope.db. */
const char *cli_db_default(void);

/* Setters of the options several commands take (cliopt's CLIOPT_FN). */
/* --host NAME into the const char * at off: no control characters. */
int cli_set_host(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz);
/* A time into the usec_t at off, the bool at off2 set: the start of the
 * period written (--since, import's --at) or its end (--at, --until). */
int cli_set_time_start(const struct cliopt *o, void *opts, const char *arg, char *err,
		       size_t errsz);
int cli_set_time_end(const struct cliopt *o, void *opts, const char *arg, char *err,
		     size_t errsz);

/* The entries every table shares. */
#define CLI_OPT_DB(T) \
	{"db", 'd', "FILE", "database (default $SOCKSCOPE_DB or ./sockscope.db)", \
	 .kind = CLIOPT_STR, CLIOPT_AT(T, db)}
#define CLI_OPT_HELP {"help", 'h', NULL, "show this help", .kind = CLIOPT_HELP}

/* ---- reports ---------------------------------------------------------------- */

/* Every report's options: those they share, then each one's own. */
struct report_args {
	const char *db;
	struct filter flt;           /* --host (also the dumps' host), --since, ... */
	bool have_at;
	usec_t at;
	enum output_format out;
	bool csv_safe;               /* --csv-safe: CSV for spreadsheets */
	struct cliopt_list files;    /* -f FILE... */
	const char *by;              /* --by, checked by the report */
	uint64_t prefix4, prefix6, limit, series;
	usec_t bucket;
	const char *chart;           /* --chart auto|utf8|ascii|none */
	const char *html;            /* report: -o FILE.html */
	int argc;                    /* the command line as given (report's provenance) */
	char **argv;
	struct {                     /* spikes */
		struct cliopt_list counters;
		uint64_t window, grew;
		double k, min_rise, min_rate;
	} sp;
	struct {                     /* blocklist */
		const char *format;
		bool explain, include_private;
		struct blocklist_params p;
		uint64_t max_prefix4, max_prefix6;
		usec_t ttl;
		struct cliopt_list allow;        /* CIDRs, checked when parsed */
		struct cliopt_list allow_files;
	} bl;
};

void report_args_defaults(void *opts);
/* The spikes' options from a report's arguments (spikes, summary, report). */
struct report_spikes_opts;
void spikes_opts_from(const struct report_args *a, struct report_spikes_opts *o);

/* The filters every report takes. */
#define CLI_FILTER_OPTS \
	{"host", 0, "NAME", "only this host's snapshots", .kind = CLIOPT_FN, \
	 CLIOPT_AT(struct report_args, flt.host), .set = cli_set_host}, \
	{"since", 0, "TIME", "from TIME (ISO 8601, @EPOCH, now, -2h, -1d30m)", .kind = CLIOPT_FN, \
	 CLIOPT_AT(struct report_args, flt.since), .off2 = offsetof(struct report_args, flt.have_since), \
	 .set = cli_set_time_start}, \
	{"until", 0, "TIME", "up to TIME", .kind = CLIOPT_FN, \
	 CLIOPT_AT(struct report_args, flt.until), .off2 = offsetof(struct report_args, flt.have_until), \
	 .set = cli_set_time_end}, \
	{"state", 0, "LIST", "only these states, any spelling (SYN_REC, ESTAB, ...)", .kind = CLIOPT_FN, \
	 CLIOPT_AT(struct report_args, flt.states), .set = cli_set_states}, \
	{"port", 0, "N", "local or remote port N (the port field: 80 is not 8080)", .kind = CLIOPT_FN, \
	 CLIOPT_AT(struct report_args, flt.port), .set = cli_set_port}, \
	{"lport", 0, "N", "local port N", .kind = CLIOPT_FN, CLIOPT_AT(struct report_args, flt.lport), \
	 .set = cli_set_port}, \
	{"rport", 0, "N", "remote port N", .kind = CLIOPT_FN, CLIOPT_AT(struct report_args, flt.rport), \
	 .set = cli_set_port}, \
	{"proto", 0, "LIST", "tcp, udp, raw", .kind = CLIOPT_FN, CLIOPT_AT(struct report_args, flt.protos), \
	 .set = cli_set_protos}, \
	{"family", 0, "4|6", "the peer's address family (IPv4-mapped peers are 4)", .kind = CLIOPT_FN, \
	 CLIOPT_AT(struct report_args, flt.family), .set = cli_set_family}, \
	{"program", 0, "NAME", "sockets of this program (as netstat -p names it)", .kind = CLIOPT_STR, \
	 CLIOPT_AT(struct report_args, flt.program)}

#define CLI_OUTPUT_OPT(help) \
	{"output", 'o', "FORMAT", help, .kind = CLIOPT_FN, CLIOPT_AT(struct report_args, out), \
	 .set = cli_set_output}
#define CLI_CHART_OPT \
	{"chart", 0, "STYLE", "sparklines: auto (default: utf8 on a UTF-8 terminal, ascii on\n" \
			      "another, none when not a terminal), utf8, ascii or none", \
	 .kind = CLIOPT_STR, CLIOPT_AT(struct report_args, chart)}
#define CLI_CSV_SAFE_OPT \
	{"csv-safe", 0, NULL, "CSV for spreadsheets: text cells starting with = + - @ TAB CR\n" \
			      "get a leading ' (overrides -o)", \
	 .kind = CLIOPT_FLAG, CLIOPT_AT(struct report_args, csv_safe)}
#define CLI_FILE_OPT(help) \
	{"file", 'f', "FILE", help, .kind = CLIOPT_LIST, CLIOPT_AT(struct report_args, files), \
	 .expect = "too many -f; name a directory instead"}
#define CLI_PREFIX_OPTS(what) \
	{"prefix", 0, "N", "IPv4 prefix of " what " (default {})", CLIOPT_U(struct report_args, prefix4, 0, 32)}, \
	{"prefix6", 0, "N", "IPv6 prefix of " what " (default {})", CLIOPT_U(struct report_args, prefix6, 0, 128)}

int cli_set_states(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz);
int cli_set_port(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz);
int cli_set_protos(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz);
int cli_set_family(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz);
int cli_set_output(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz);
/* --allow CIDR into a struct cliopt_list, checked here so that a typo is a
 * usage error (blocklist, fleet blocklist). */
int cli_set_allow(const struct cliopt *o, void *opts, const char *arg, char *err, size_t errsz);

struct blockrail;
/* --allow-file FILE into r: every bad line reported on stderr; any makes
 * it an error (-EINVAL), since a network meant to be protected would not
 * be. 0 or -errno with err set. */
int cli_allow_file(struct blockrail *r, const char *path, char *err, size_t errsz);

/* Where a report's rows may come from. */
enum report_needs {
	NEEDS_ANY,       /* the database, or dumps read directly */
	NEEDS_DB,        /* a database: dumps are imported into one in memory */
};

struct report {
	/* its own options checked (0, or an exit status) and what it reads */
	int (*check)(const struct cmd *c, const struct report_args *a, enum report_needs *needs);
	/* runs it; returns rows, or -errno with err set (-ENODATA: no input) */
	long (*run)(struct scan_src *src, struct report_args *a, unsigned width, bool color,
		    char *err, size_t errsz);
	bool none_is_empty;  /* 0 rows says "no snapshot matches", exit 1 */
};

/* Parses a report's options, finds its rows and runs it; the exit status. */
int run_report(const struct cmd *c, int argc, char **argv, const struct report *r);

/* ---- ClickHouse: what ship and fleet share (cli/clich.c) ---------------------- */

struct chhttp;

struct cli_ch {
	const char *url;             /* --url */
	const char *database;        /* --database: an identifier */
	const char *credentials;     /* --credentials FILE */
	usec_t timeout;              /* --timeout, per request */
};

void cli_ch_defaults(struct cli_ch *ch);

#define CLI_CH_OPTS(T) \
	{"url", 0, "URL", "ClickHouse HTTP interface (default http://127.0.0.1:8123)", \
	 .kind = CLIOPT_STR, CLIOPT_AT(T, ch.url)}, \
	{"database", 0, "NAME", "ClickHouse database (default sockscope)", .kind = CLIOPT_STR, \
	 CLIOPT_AT(T, ch.database)}, \
	{"credentials", 0, "FILE", "user=, password= lines (mode 0600 or stricter)", \
	 .kind = CLIOPT_STR, CLIOPT_AT(T, ch.credentials)}, \
	{"timeout", 0, "DURATION", "per request (default 5m)", .kind = CLIOPT_DURATION, \
	 CLIOPT_AT(T, ch.timeout), .min = 1e6}

/* Checks the options, reads the credentials ($SOCKSCOPE_CH_USER,
 * $SOCKSCOPE_CH_PASSWORD, or the file) and makes the client with settings
 * (URL parameters, or NULL). 0, or -1 with the error printed after who. */
int cli_ch_connect(const struct cli_ch *ch, const char *who, const char *settings,
		   struct chhttp **out);
/* Checks the server's tables (ship_check_schema). 0, or -1 with the error
 * printed and the exit status in *status. */
int cli_ch_check(struct chhttp *h, const char *who, const char *database, int *status);
/* The exit status for a chhttp/ship error: 2 for what a retry cannot fix
 * (authentication, bad URL, schema), 1 otherwise. */
int cli_ch_status(int err);

/* ---- the commands (one file each, or a family's) ----------------------------- */

extern const struct cmd cli_import, cli_sources, cli_query, cli_summary, cli_top, cli_timeline,
	cli_spikes, cli_ports, cli_programs, cli_blocklist, cli_html, cli_netstat, cli_dump, cli_verify,
	cli_ship, cli_fleet;

#endif

/* cmd_replay — what was recorded, shown again: `sockscope netstat` (an
 * article command as it printed at a moment), `dump` and `verify` (a
 * segment's snapshots, checksums verified). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "replay.h"
#include "segdump.h"
#include "termsafe.h"

struct netstat_args {
	const char *db;
	const char *host;
	bool have_at;
	usec_t at;
	bool quiet;
	bool raw;                    /* --raw: the output byte for byte */
};

static void netstat_args_defaults(void *opts)
{
	struct netstat_args *a = opts;

	*a = (struct netstat_args){.db = cli_db_default()};
}

#define T struct netstat_args
static const struct cliopt netstat_opts[] = {
	CLI_OPT_DB(T),
	{"host", 0, "NAME", "the host to replay (needed when there are several)",
	 .kind = CLIOPT_FN, CLIOPT_AT(T, host), .set = cli_set_host},
	{"at", 0, "TIME", "the moment: the newest snapshot within TIME or before it\n"
			  "(20:51:03Z reaches to 20:51:03.999999) [required]",
	 .kind = CLIOPT_FN, CLIOPT_AT(T, at), .off2 = offsetof(T, have_at), .set = cli_set_time_end},
	{"quiet", 'q', NULL, "do not say on stderr which snapshot was used", .kind = CLIOPT_FLAG,
	 CLIOPT_AT(T, quiet)},
	{"raw", 0, NULL, "the output byte for byte (default: control characters shown\n"
			 "as \\x1b, ...; ordinary netstat output is the same either way)",
	 .kind = CLIOPT_FLAG, CLIOPT_AT(T, raw)},
	CLI_OPT_HELP,
};
#undef T

static void segdump_opts_defaults(void *opts)
{
	memset(opts, 0, sizeof(struct segdump_opts));
}

#define T struct segdump_opts
static const struct cliopt dump_opts[] = {
	{"section", 0, "NAME", "print only this section's content (sockets, counters,\nnetstat -na, proc/net/tcp, ...)",
	 .kind = CLIOPT_STR, CLIOPT_AT(T, section)},
	{"seq", 0, "N", "only the snapshot with this sequence number", CLIOPT_U(T, seq, 0, UINT32_MAX)},
	{"at", 0, "TIME", "only the newest snapshot at or before TIME", .kind = CLIOPT_FN,
	 CLIOPT_AT(T, at), .off2 = offsetof(T, have_at), .set = cli_set_time_end},
	{"list", 0, NULL, "one line per snapshot: seq, time, host, reason, sections",
	 .kind = CLIOPT_FLAG, CLIOPT_AT(T, list)},
	{"raw", 0, NULL, "content byte for byte (default: control characters shown as\n"
			 "\\x1b, ...; LF and TAB kept)", .kind = CLIOPT_FLAG, CLIOPT_AT(T, raw)},
	CLI_OPT_HELP,
};
#undef T

static const struct cliopt verify_opts[] = {CLI_OPT_HELP};

static int run_netstat(const struct cmd *c, int argc, char **argv)
{
	struct netstat_args a;
	struct replay_info info;
	struct buf args;
	sqlite3 *db;
	char err[512], t[UTCTIME_STRLEN], *msg = NULL;
	int first, status = 0, rc;

	first = cli_parse(c, argc, argv, &a, &status);
	if (first < 0)
		return status;
	if (!a.have_at || first == argc) {
		fprintf(stderr, "sockscope netstat: usage: sockscope netstat --at TIME -- ARGS (e.g. -- -na)\n");
		return 2;
	}
	buf_init(&args);
	for (int i = first; i < argc; i++)
		buf_printf(&args, "%s%s", i > first ? " " : "", argv[i]);
	if (cli_open_db(a.db, DB_READONLY, &db) < 0) {
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

static int run_dump(const struct cmd *c, int argc, char **argv)
{
	struct segdump_opts o;
	int first, status = 0;

	first = cli_parse(c, argc, argv, &o, &status);
	if (first < 0)
		return status;
	if (first == argc) {
		fprintf(stderr, "sockscope dump: name a segment\n");
		return 2;
	}
	for (int i = first; i < argc; i++) {
		int rc = segdump(argv[i], &o, stdout, stderr);

		if (rc != 0)
			status = 1;
	}
	return status;
}

static int run_verify(const struct cmd *c, int argc, char **argv)
{
	struct segdump_opts a;
	int first, status = 0;

	first = cli_parse(c, argc, argv, &a, &status);
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

const struct cmd cli_netstat = {
	"netstat", run_netstat, "--at TIME -- ARGS",
	"Replay an article command (-na, -ntu, -plan, -aultnp, ...) as it printed at TIME", NULL,
	CLI_OPTS(netstat_opts), sizeof(struct netstat_args), netstat_args_defaults,
};

const struct cmd cli_dump = {
	"dump", run_dump, "SEGMENT...",
	"Print a segment's snapshots (checksums verified, torn tails reported)", NULL,
	CLI_OPTS(dump_opts), sizeof(struct segdump_opts), segdump_opts_defaults,
};

const struct cmd cli_verify = {
	"verify", run_verify, "SEGMENT...",
	"Check segments' integrity: exit status 0 when every snapshot is intact", NULL,
	CLI_OPTS(verify_opts), sizeof(struct segdump_opts), segdump_opts_defaults,
};

/* options — the recorder's option table, defaults, --help and command-line
 * parsing (struct config, options.h). */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "cliopt.h"
#include "duration.h"
#include "num.h"

/* An invalid argument is echoed this far, control bytes made visible. */
#define ECHO_MAX 64
static const char *const default_netstat[] = {"-na", "-aultnp", "-n -p", "-ntu", "-anp"};

enum opt_id {
	OPT_OUTPUT = 'o', OPT_INTERVAL = 'i', OPT_HOST = 'H', OPT_QUIET = 'q', OPT_VERBOSE = 'v',
	OPT_HELP = 'h', OPT_VERSION = 'V',
};

static int set_host(const struct cliopt *o, void *cfgp, const char *arg, char *err, size_t errsz);
static int set_netstat(const struct cliopt *o, void *cfgp, const char *arg, char *err, size_t errsz);
static int set_rate(const struct cliopt *o, void *cfgp, const char *arg, char *err, size_t errsz);
static void show_rate(const void *field, char *out, size_t outsz);
static int set_verbose(const struct cliopt *o, void *cfgp, const char *arg, char *err, size_t errsz);
static int set_no_processes(const struct cliopt *o, void *cfgp, const char *arg, char *err,
			    size_t errsz);
static int set_netstat_store(const struct cliopt *o, void *cfgp, const char *arg, char *err,
			     size_t errsz);

/* The option table generates getopt_long's table and --help, and parses
 * each option into its field of struct config (cliopt.h); the defaults are
 * config_defaults()'s, which --help prints. */
#define T struct config
static const struct cliopt opts[] = {
	{"output", OPT_OUTPUT, "DIR", "segment directory (created 0750) [required]",
	 .kind = CLIOPT_STR, CLIOPT_AT(T, dir)},
	{"interval", OPT_INTERVAL, "SECONDS", "time between snapshots, may be < 1 (default {})",
	 .kind = CLIOPT_DURATION, CLIOPT_AT(T, interval)},
	{"once", 0, NULL, "take one snapshot, close the segment and exit (for cron)",
	 .kind = CLIOPT_FLAG, CLIOPT_AT(T, once)},
	{"count", 0, "N", "exit after N snapshots", CLIOPT_U(T, count, 1, UINT64_MAX)},
	{"host", OPT_HOST, "NAME", "host name for headers and file names (default: uname -n)",
	 .kind = CLIOPT_FN, .set = set_host},
	{"netstat", 0, "LIST|none",
	 "article commands to render, comma-separated netstat arguments\n"
	 "(default: -na,-aultnp,-n -p,-ntu,-anp)", .kind = CLIOPT_FN, .set = set_netstat},
	{"exec-netstat", 0, NULL,
	 "store the real /usr/bin/netstat output instead (runs it, no shell)",
	 .kind = CLIOPT_FLAG, CLIOPT_AT(T, col.exec_netstat)},
	{"segment-bytes", 0, "SIZE", "start a new segment past SIZE (default {})",
	 .kind = CLIOPT_SIZE, CLIOPT_AT(T, segment_bytes)},
	{"segment-age", 0, "DURATION", "start a new segment after DURATION (default {})",
	 .kind = CLIOPT_DURATION, CLIOPT_AT(T, segment_age)},
	{"max-age", 0, "DURATION", "delete closed segments older than DURATION (e.g. 7d)",
	 .kind = CLIOPT_DURATION, CLIOPT_AT(T, keep.max_age)},
	{"max-bytes", 0, "SIZE", "delete oldest closed segments beyond SIZE in total\n(format 2: thinned to their keyframes first)",
	 .kind = CLIOPT_SIZE, CLIOPT_AT(T, keep.max_bytes)},
	{"thin-after", 0, "DURATION", "rewrite closed segments older than DURATION to keep\nonly their keyframes (e.g. 1d)",
	 .kind = CLIOPT_DURATION, CLIOPT_AT(T, thin_after)},
	{"burst-interval", 0, "SECONDS", "interval while under attack (default {})",
	 .kind = CLIOPT_DURATION, CLIOPT_AT(T, burst_interval)},
	{"burst-syn-recv", 0, "N", "burst when SYN_RECV sockets >= N (default {}, 0 off)",
	 CLIOPT_U(T, burst.syn_recv, 0, UINT64_MAX)},
	{"burst-rate", 0, "N",
	 "burst when SyncookiesSent or ListenOverflows grow >= N/s (default {}, 0 off)",
	 .kind = CLIOPT_FN, CLIOPT_AT(T, burst.rate), .set = set_rate, .show = show_rate},
	{"burst-calm", 0, "N", "quiet snapshots before leaving burst mode (default {})",
	 CLIOPT_U(T, burst.calm, 0, 1u << 20)},
	{"format", 0, "1|2", "segment format (default {}: deltas between keyframes;\n1: every snapshot complete, readable with zstdcat)",
	 CLIOPT_U(T, format, 1, 2)},
	{"keyframe-every", 0, "N", "format 2: a complete snapshot at least every N (default {})",
	 CLIOPT_U(T, keyframe_every, 1, 1u << 20)},
	{"netstat-store", 0, "derived|verbatim",
	 "format 2: store renderings as derived (rebuilt and SHA-256\nchecked on read, the default) or as their bytes",
	 .kind = CLIOPT_FN, .set = set_netstat_store},
	{"fsync", 0, NULL, "fsync after every snapshot (always at segment close)",
	 .kind = CLIOPT_FLAG, CLIOPT_AT(T, do_fsync)},
	{"level", 0, "N", "zstd compression level 1..19 (default {}: fastest, and at 100k\nsockets also the smallest)",
	 CLIOPT_U(T, seg.level, 1, 19)},
	{"window-log", 0, "N", "zstd window log 10..27 (default {}: 8 MiB)", CLIOPT_U(T, seg.window_log, 10, 27)},
	{"threads", 0, "N", "1: compress, and read /proc/net, in threads beside collection\n(default), 0: inline (less CPU when no CPU is free)",
	 CLIOPT_U(T, seg.workers, 0, 1)},
	{"no-processes", 0, NULL, "do not map sockets to processes", .kind = CLIOPT_FN,
	 .set = set_no_processes},
	{"proc", 0, "DIR", "read DIR instead of /proc (testing)", .kind = CLIOPT_STR,
	 CLIOPT_AT(T, col.proc_root)},
	{"quiet", OPT_QUIET, NULL, "log only errors", .kind = CLIOPT_FN, .set = set_verbose},
	{"verbose", OPT_VERBOSE, NULL, "log one line of figures per snapshot", .kind = CLIOPT_FN,
	 .set = set_verbose},
	{"help", OPT_HELP, NULL, "show this help", .kind = CLIOPT_HELP},
	{"version", OPT_VERSION, NULL, "show the version", .kind = CLIOPT_NONE},
};
#undef T
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

/* The one place the recorder's defaults are written (--help prints them). */
static void config_defaults(struct config *cfg)
{
	struct utsname un;

	memset(cfg, 0, sizeof(*cfg));
	cfg->interval = 10 * USEC_PER_SEC;
	cfg->burst_interval = USEC_PER_SEC;
	cfg->segment_bytes = 64ull << 20;
	cfg->segment_age = 3600 * USEC_PER_SEC;
	cfg->burst = (struct burst_cfg){256, 100, 10};
	cfg->seg = (struct segment_opts){1, 23, 1};
	cfg->col.processes = true;
	cfg->col.proc_root = "/proc";
	cfg->col.netstat_bin = "/usr/bin/netstat";
	cfg->col.max_rows = 4u << 20;
	cfg->col.derive = true;
	cfg->format = 2;
	cfg->keyframe_every = 60;
	if (uname(&un) == 0)
		snprintf(cfg->host, sizeof(cfg->host), "%s", un.nodename);
	else
		snprintf(cfg->host, sizeof(cfg->host), "unknown");
	cfg->col.n_netstat = sizeof(default_netstat) / sizeof(default_netstat[0]);
	for (size_t i = 0; i < cfg->col.n_netstat; i++)
		cfg->col.netstat_args[i] = default_netstat[i];
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: sockscope-recorder -o DIR [-i SECONDS] [--once] [OPTION]...\n"
		   "Record compressed snapshots of every TCP/UDP socket, the kernel's TCP\n"
		   "counters and the article's netstat commands into DIR.\n\n");
	struct config *d = malloc(sizeof(*d));

	if (d)
		config_defaults(d);
	cliopt_usage(f, opts, NOPTS, d);
	free(d);
	fprintf(f, "\nDURATION: " DURATION_EXAMPLES ". SIZE: 1048576, 512K, 64M, 2G.\n"
		   "Signals: SIGHUP starts a new segment; SIGTERM/SIGINT finish the snapshot and exit.\n"
		   "See sockscope-recorder(8) and docs/FORMAT.md.\n");
}

static int set_netstat_list(struct config *cfg, const char *list)
{
	char *save = NULL, *t;

	cfg->col.n_netstat = 0;
	if (!strcmp(list, "none"))
		return 0;
	size_t n = strlen(list);

	if (n >= sizeof(cfg->netstat_list))
		return -E2BIG;
	memcpy(cfg->netstat_list, list, n + 1);
	for (t = strtok_r(cfg->netstat_list, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		if (!*t)
			continue;
		if (cfg->col.n_netstat == COLLECT_MAX_NETSTAT || strlen(t) > 60)
			return -E2BIG;
		cfg->col.netstat_args[cfg->col.n_netstat++] = t;
	}
	return 0;
}

/* Writes at most ECHO_MAX bytes of s, quoted, with bytes outside ' '..'~'
 * as \xNN, so that a hostile or huge argument cannot flood or drive the
 * terminal; a longer one ends in "..." and says its length. */
void config_put_arg(FILE *f, const char *s)
{
	size_t n = strlen(s);

	fputc('\'', f);
	for (size_t i = 0; i < n && i < ECHO_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < ' ' || c > '~' || c == '\\')
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('\'', f);
	if (n > ECHO_MAX)
		fprintf(f, "... (%zu bytes, the first %d shown)", n, ECHO_MAX);
}

int config_usage_error(const char *what, const char *val)
{
	fprintf(stderr, "sockscope-recorder: %s", what);
	if (val) {
		fputc(' ', stderr);
		config_put_arg(stderr, val);
	}
	fprintf(stderr, "\nTry 'sockscope-recorder --help'.\n");
	return EXIT_USAGE;
}

static int bad_arg(const char *opt, const char *val)
{
	char what[96];

	snprintf(what, sizeof(what), "invalid value for --%s:", opt);
	return config_usage_error(what, val);
}

/* Header strings turn control bytes into '?' (FORMAT.md): a host name
 * with one would not match its own segments' headers in retention. */
static bool host_ok(const char *h)
{
	if (!*h || strlen(h) >= 256)
		return false;
	for (; *h; h++)
		if ((unsigned char)*h < ' ' || *h == 0x7f)
			return false;
	return true;
}

static int set_host(const struct cliopt *o, void *cfgp, const char *arg, char *err, size_t errsz)
{
	struct config *cfg = cfgp;

	(void)o;
	(void)err;
	(void)errsz;
	if (!host_ok(arg))
		return -EINVAL;
	snprintf(cfg->host, sizeof(cfg->host), "%s", arg);
	return 0;
}

static int set_netstat(const struct cliopt *o, void *cfgp, const char *arg, char *err, size_t errsz)
{
	(void)o;
	(void)err;
	(void)errsz;
	return set_netstat_list(cfgp, arg) < 0 ? -EINVAL : 0;
}

/* --burst-rate: a whole number of events per second, stored as a rate */
static int set_rate(const struct cliopt *o, void *cfgp, const char *arg, char *err, size_t errsz)
{
	uint64_t u;

	(void)err;
	(void)errsz;
	if (num_parse_dec(arg, strlen(arg), 1u << 30, &u) < 0)
		return -EINVAL;
	*(double *)(void *)((char *)cfgp + o->off) = (double)u;
	return 0;
}

static void show_rate(const void *field, char *out, size_t outsz)
{
	snprintf(out, outsz, "%g", *(const double *)field);
}

static int set_verbose(const struct cliopt *o, void *cfgp, const char *arg, char *err, size_t errsz)
{
	(void)arg;
	(void)err;
	(void)errsz;
	((struct config *)cfgp)->verbose = o->id == OPT_QUIET ? -1 : 1;
	return 0;
}

static int set_no_processes(const struct cliopt *o, void *cfgp, const char *arg, char *err,
			    size_t errsz)
{
	(void)o;
	(void)arg;
	(void)err;
	(void)errsz;
	((struct config *)cfgp)->col.processes = false;
	return 0;
}

static int set_netstat_store(const struct cliopt *o, void *cfgp, const char *arg, char *err,
			     size_t errsz)
{
	(void)o;
	(void)err;
	(void)errsz;
	if (strcmp(arg, "derived") && strcmp(arg, "verbatim"))
		return -EINVAL;
	((struct config *)cfgp)->col.derive = !strcmp(arg, "derived");
	return 0;
}

/* Returns -1 to go on, or an exit status. */
int config_parse(int argc, char **argv, struct config *cfg)
{
	struct option lo[NOPTS + 1];
	char so[2 * NOPTS + 3], shortopt[4], err[256];
	int c;

	/* A leading ':' tells a missing argument apart, and opterr = 0 keeps
	 * getopt quiet: config_usage_error() bounds what is echoed. */
	so[0] = ':';
	cliopt_getopt(opts, NOPTS, 0, lo, so + 1);
	opterr = 0;
	config_defaults(cfg);

	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		const struct cliopt *o = NULL;

		for (size_t i = 0; i < NOPTS && !o; i++)
			if (lo[i].val == c)
				o = &opts[i];
		if (c == OPT_HELP) {
			usage(stdout);
			return 0;
		}
		if (c == OPT_VERSION) {
			printf("sockscope-recorder %s\n", SOCKSCOPE_VERSION);
			return 0;
		}
		if (c == ':')   /* getopt's own messages echo the whole argument: ours do not */
			return config_usage_error("option requires an argument:", argv[optind - 1]);
		if (!o) {
			if (optopt > 0 && optopt < 256)
				snprintf(shortopt, sizeof(shortopt), "-%c", optopt);
			return config_usage_error("unknown option:",
					   optopt > 0 && optopt < 256 ? shortopt : argv[optind - 1]);
		}
		if (cliopt_set(o, cfg, optarg, err, sizeof(err)) < 0)
			return bad_arg(o->name, optarg);
	}
	if (optind < argc)
		return config_usage_error("unexpected argument", argv[optind]);
	if (!cfg->dir)
		return config_usage_error("-o DIR is required", NULL);
	return -1;
}


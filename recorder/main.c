/* sockscope-recorder — command line, signals and the drift-free schedule:
 * every tick one snapshot (collect.c) into the current segment (segment.c). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "burst.h"
#include "cliopt.h"
#include "collect.h"
#include "dirlock.h"
#include "duration.h"
#include "num.h"
#include "retention.h"
#include "thin.h"
#include "segment.h"
#include "snap.h"
#include "utctime.h"

/* Exit statuses, sockscope-recorder(8) EXIT STATUS. */
enum {
	EXIT_LOST = 1,      /* output unusable, or (--once/--count) snapshots lost */
	EXIT_USAGE = 2,     /* invalid arguments */
	EXIT_LOCKED = 3,    /* another recorder records this host into DIR */
};

/* An invalid argument is echoed this far, control bytes made visible. */
#define ECHO_MAX 64
/* While nothing can be written, the log says so every this many snapshots
 * (10 minutes at the default interval) besides the first failure. */
#define LOST_REMIND 60

/* Signal flags: the only mutable globals, as signal handlers need them. */
static volatile sig_atomic_t g_stop;
static volatile sig_atomic_t g_hup;

static const char *const default_netstat[] = {"-na", "-aultnp", "-n -p", "-ntu", "-anp"};

struct config {
	const char *dir;
	usec_t interval;
	usec_t burst_interval;
	bool once;
	uint64_t count;              /* stop after this many snapshots, 0 = never */
	char host[256];
	uint64_t segment_bytes;
	usec_t segment_age;
	struct retention_opts keep;
	struct burst_cfg burst;
	bool do_fsync;
	int verbose;                 /* -1 quiet, 0 normal, 1 per-snapshot stats */
	struct segment_opts seg;
	struct collect_opts col;
	char netstat_list[512];      /* storage for col.netstat_args */
	unsigned format;             /* 1 or 2 */
	usec_t thin_after;
	unsigned keyframe_every;
};

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
	{"threads", 0, "N", "1: compress in a thread beside collection (default), 0: inline",
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

static void logmsg(const struct config *cfg, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void logmsg(const struct config *cfg, int level, const char *fmt, ...)
{
	va_list ap;

	if (level > cfg->verbose)
		return;
	va_start(ap, fmt);
	fputs("sockscope-recorder: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
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
static void put_arg(FILE *f, const char *s)
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

static int usage_error(const char *what, const char *val)
{
	fprintf(stderr, "sockscope-recorder: %s", what);
	if (val) {
		fputc(' ', stderr);
		put_arg(stderr, val);
	}
	fprintf(stderr, "\nTry 'sockscope-recorder --help'.\n");
	return EXIT_USAGE;
}

static int bad_arg(const char *opt, const char *val)
{
	char what[96];

	snprintf(what, sizeof(what), "invalid value for --%s:", opt);
	return usage_error(what, val);
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
static int parse_args(int argc, char **argv, struct config *cfg)
{
	struct option lo[NOPTS + 1];
	char so[2 * NOPTS + 3], shortopt[4], err[256];
	int c;

	/* A leading ':' tells a missing argument apart, and opterr = 0 keeps
	 * getopt quiet: usage_error() bounds what is echoed. */
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
			return usage_error("option requires an argument:", argv[optind - 1]);
		if (!o) {
			if (optopt > 0 && optopt < 256)
				snprintf(shortopt, sizeof(shortopt), "-%c", optopt);
			return usage_error("unknown option:",
					   optopt > 0 && optopt < 256 ? shortopt : argv[optind - 1]);
		}
		if (cliopt_set(o, cfg, optarg, err, sizeof(err)) < 0)
			return bad_arg(o->name, optarg);
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	if (!cfg->dir)
		return usage_error("-o DIR is required", NULL);
	return -1;
}

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		g_hup = 1;
	else
		g_stop = 1;
}

static int setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;   /* no SA_RESTART: sleeps end early */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static usec_t now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (usec_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

static usec_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (usec_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Sleeps until the monotonic time `when`; returns early on SIGTERM/SIGINT.
 * SIGHUP does not wake it: the new segment starts with the next tick, so
 * the schedule stays on its grid. */
static void sleep_until(usec_t when)
{
	struct timespec ts = {(time_t)(when / USEC_PER_SEC), (long)(when % USEC_PER_SEC) * 1000};

	while (!g_stop && clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void read_line_file(const char *path, char *out, size_t outsz)
{
	FILE *f = fopen(path, "re");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, (int)outsz, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

static void log_source(void *ctx, const char *source, const char *msg)
{
	if (source)
		logmsg(ctx, 0, "%s: %s (retried every snapshot)", source, msg);
	else
		logmsg(ctx, 0, "%s", msg);
}

static void log_retention(void *ctx, enum retention_event ev, const char *name, uint64_t size,
			  int err, const char *why)
{
	switch (ev) {
	case RETENTION_DELETED:
		logmsg(ctx, 0, "retention: deleted %s (%" PRIu64 " bytes)", name, size);
		break;
	case RETENTION_FAILED:
		logmsg(ctx, -1, "retention: cannot delete %s: %s", name, strerror(-err));
		break;
	case RETENTION_KEPT:
		logmsg(ctx, 0, "retention: left %s alone (neither counted nor deleted): %s", name,
		       why ? why : "not verified");
		break;
	}
}

/* Opens (creating 0750 if needed) the output directory without following a
 * symlink in its last component. Trailing slashes are dropped first: "link/"
 * would make the kernel follow the link despite O_NOFOLLOW. */
static int open_dir(const char *arg, bool *is_link)
{
	char dir[4096];
	size_t n = strlen(arg);
	struct stat st;
	int fd;

	*is_link = false;
	if (n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(dir, arg, n + 1);
	while (n > 1 && dir[n - 1] == '/')
		dir[--n] = '\0';
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int err = -errno;
		*is_link = lstat(dir, &st) == 0 && S_ISLNK(st.st_mode);
		return err;
	}
	return fd;
}

/* Takes the per-host lock of the directory. Another holder is always
 * told (EXIT_LOCKED); other failures (EXIT_LOST, *err = -errno) unless
 * `quiet`. */
static int lock_dir(const struct config *cfg, int dirfd, const char *file_host,
		    struct dirlock **lock, bool quiet, int *err)
{
	char name[128];
	long holder;
	int rc = dirlock_acquire(dirfd, file_host, lock, &holder);

	*err = rc;
	if (rc == 0)
		return 0;
	if (quiet && rc != -EWOULDBLOCK)
		return EXIT_LOST;
	dirlock_name(file_host, name, sizeof(name));
	if (rc == -EWOULDBLOCK) {
		fprintf(stderr, "sockscope-recorder: another sockscope-recorder ");
		if (holder)
			fprintf(stderr, "(pid %ld) ", holder);
		fprintf(stderr, "is recording host ");
		put_arg(stderr, cfg->host);
		fprintf(stderr, " into ");
		put_arg(stderr, cfg->dir);
		fprintf(stderr, " (it holds %s there); not starting a second one: it would "
				"duplicate its snapshots, and nothing was recorded or deleted\n",
			name);
		return EXIT_LOCKED;
	}
	fprintf(stderr, "sockscope-recorder: cannot lock ");
	put_arg(stderr, cfg->dir);
	fprintf(stderr, "/%s: %s\n", name,
		rc == -ENOTUNIQ ? "not a regular file with a single link; refusing to use it"
				: strerror(-rc));
	return EXIT_LOST;
}

struct run {
	struct config *cfg;
	int dirfd;
	struct segment *seg;
	struct snap_writer *w;
	struct collector *col;
	struct burst burst;
	struct snap_header hdr;
	uint64_t seq;
	bool failing;            /* output failing: say so once, then on recovery */
	uint64_t lost;           /* snapshots lost in this run */
	uint64_t lost_run;       /* ... in a row, up to now */
	usec_t lost_since;       /* time of the first of those */
	char lost_why[128];      /* the error that lost the last one */
	char file_host[72];      /* the host as in file names */
	bool close_failed;       /* a segment's end or fsync failed */
	struct dirlock *lock;    /* NULL: a daemon still waiting to take it */
	bool locked_out;         /* another recorder took it meanwhile */
	int twin_fd;             /* tests: format 1 copy of every snapshot, or -1 */
};

static void log_thin(void *ctx, const char *name, uint64_t before, uint64_t after, int err,
		     const char *why)
{
	if (err < 0)
		logmsg(ctx, -1, "thinning %s: %s (%s); kept as it was", name, why ? why : "failed",
		       strerror(-err));
	else
		logmsg(ctx, 0, "thinned %s to its keyframes: %" PRIu64 " -> %" PRIu64 " bytes", name,
		       before, after);
}

static void close_segment(struct run *r)
{
	struct retention_owner who = {r->cfg->host, r->file_host};
	char newest[320];
	uint64_t size;
	int rc;

	if (!r->seg)
		return;
	snprintf(newest, sizeof(newest), "%s", segment_name(r->seg));
	size = segment_size(r->seg);
	rc = segment_close(r->seg);
	if (rc < 0) {
		logmsg(r->cfg, -1, "closing segment %s: %s", newest, strerror(-rc));
		r->close_failed = true;
	}
	r->seg = NULL;
	/* Thinning first: --max-bytes then deletes only what thinning could
	 * not make fit. */
	if (r->cfg->format == 2) {
		struct thin_opts to = {r->cfg->thin_after, r->cfg->keep.max_bytes, r->cfg->seg.level};

		rc = (int)thin_apply(r->dirfd, &who, newest, size, now_real(), &to, log_thin, r->cfg);
		if (rc < 0)
			logmsg(r->cfg, -1, "thinning: %s", strerror(-rc));
	}
	/* The segment just closed holds the newest evidence: never delete it. */
	rc = (int)retention_apply(r->dirfd, &who, newest, size, now_real(), &r->cfg->keep,
				  log_retention, r->cfg);
	if (rc < 0)
		logmsg(r->cfg, -1, "retention: %s", strerror(-rc));
}

/* Counts a lost snapshot; while nothing can be written the log says so
 * every LOST_REMIND snapshots, so that a silent failure is seen in time. */
static void lost_snapshot(struct run *r, usec_t t, int err)
{
	char since[UTCTIME_STRLEN + 8];

	r->lost++;
	if (!r->lost_run++)
		r->lost_since = t;
	snprintf(r->lost_why, sizeof(r->lost_why), "%s", strerror(-err));
	if (r->lost_run % LOST_REMIND == 0) {
		utctime_format(r->lost_since, 0, since, sizeof(since));
		logmsg(r->cfg, -1, "nothing written for %" PRIu64 " snapshots (since %s): %s; "
				   "still retrying", r->lost_run, since, r->lost_why);
	}
}

/* Tests: the format 1 twin of every snapshot, plain text. */
static int twin_out(void *ctx, const void *p, size_t n)
{
	const struct run *r = ctx;
	const char *s = p;

	while (n) {
		ssize_t k = write(r->twin_fd, s, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		s += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The writer's sink: the current segment, which changes on rotation. */
static int run_out(void *ctx, const void *p, size_t n)
{
	struct run *r = ctx;

	return segment_write(r->seg, p, n);
}

/* Takes one snapshot; on an output error the segment is abandoned and the
 * next snapshot starts a new one. */
static void take_snapshot(struct run *r, const char *reason, bool *burst_next)
{
	struct config *cfg = r->cfg;
	struct collect_stats st = {0};
	struct burst_obs obs;
	usec_t t0 = now_real(), m0 = now_mono();
	uint64_t before;
	char why[256];
	int rc;

	if (r->seg && (g_hup || segment_size(r->seg) >= cfg->segment_bytes ||
		       t0 - segment_opened_at(r->seg) >= cfg->segment_age)) {
		g_hup = 0;
		close_segment(r);
	}
	g_hup = 0;
	if (!r->lock) {
		/* A daemon that could not lock at start (unwritable or full
		 * directory) records nothing until it can: retried each tick. */
		if (lock_dir(cfg, r->dirfd, r->file_host, &r->lock, true, &rc) == EXIT_LOCKED) {
			r->locked_out = true;
			return;
		}
		if (!r->lock) {
			r->seq++;
			lost_snapshot(r, t0, rc);
			return;
		}
		logmsg(cfg, -1, "directory lock taken: recording starts with snapshot %" PRIu64,
		       r->seq + 1);
	}
	if (!r->seg) {
		rc = segment_open(r->dirfd, cfg->host, t0, &cfg->seg, &r->seg);
		if (rc < 0) {
			r->seq++;   /* this snapshot is lost: leave its gap in seq */
			lost_snapshot(r, t0, rc);
			if (!r->failing)
				logmsg(cfg, -1, "cannot create a segment in %s: %s (retrying every "
						"snapshot; said once)", cfg->dir, strerror(-rc));
			r->failing = true;
			return;
		}
		if (!r->failing)
			logmsg(cfg, 0, "recording to %s/%s", cfg->dir, segment_name(r->seg));
		snap_writer_keyframe(r->w);   /* every segment reads on its own */
	}
	r->seq++;
	if (cfg->count && r->seq >= cfg->count)
		snap_writer_last(r->w);   /* no delta follows: stream, keep nothing */
	r->hdr.time = t0;
	r->hdr.seq = r->seq;
	snprintf(r->hdr.reason, sizeof(r->hdr.reason), "%s", reason);
	before = segment_size(r->seg);
	rc = snap_writer_begin(r->w, &r->hdr);
	if (rc == 0)
		rc = collector_run(r->col, r->w, &st);
	if (rc == 0)
		rc = snap_writer_end(r->w);
	if (rc == 0)
		rc = segment_commit(r->seg, cfg->do_fsync);
	if (rc < 0) {
		if (!r->failing)
			logmsg(cfg, -1, "writing snapshot %" PRIu64 " to %s: %s; snapshot lost, "
					"segment closed at its last complete snapshot (retrying every "
					"snapshot; said once)",
			       r->seq, segment_name(r->seg), strerror(-rc));
		r->failing = true;
		lost_snapshot(r, t0, rc);
		snap_writer_abort(r->w);
		segment_abandon(r->seg);
		r->seg = NULL;
		return;
	}
	r->lost_run = 0;
	if (r->failing) {
		logmsg(cfg, -1, "recording resumed with snapshot %" PRIu64 " in %s/%s", r->seq,
		       cfg->dir, segment_name(r->seg));
		r->failing = false;
	}
	logmsg(cfg, 1, "snapshot seq=%" PRIu64 " sockets=%" PRIu64 " syn_recv=%" PRIu64
		       " text=%" PRIu64 " bytes compressed=%" PRIu64 " bytes took=%.1f ms%s%s",
	       r->seq, st.sockets, st.syn_recv, snap_writer_bytes(r->w),
	       segment_size(r->seg) - before, (double)(now_mono() - m0) / 1000.0,
	       *reason ? " reason=" : "", reason);
	obs = (struct burst_obs){t0, st.syn_recv, st.cookies, st.overflows};
	*burst_next = burst_update(&r->burst, &cfg->burst, &obs, why, sizeof(why));
	if (*burst_next)
		snprintf(r->hdr.reason, sizeof(r->hdr.reason), "%s", why);
	else
		r->hdr.reason[0] = '\0';
}

static void peak_rss_log(const struct config *cfg)
{
	char line[128];
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6))
			logmsg(cfg, 1, "peak RSS%s", line + 5);
	fclose(f);
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct run r;
	struct utsname un;
	const char *bad = NULL;
	char reason_buf[256];
	usec_t next, burst_step;
	bool burst_next = false;
	const char *twin;
	bool is_link;
	int rc, status = 0;

	memset(&cfg, 0, sizeof(cfg));
	memset(&r, 0, sizeof(r));
	r.twin_fd = -1;
	rc = parse_args(argc, argv, &cfg);
	if (rc >= 0)
		return rc;
	r.cfg = &cfg;
	r.dirfd = -1;
	umask(027);
	cfg.col.log = log_source;
	cfg.col.log_ctx = &cfg;
	if (cfg.once)
		cfg.count = 1;
	if (setup_signals() < 0) {
		perror("sockscope-recorder: sigaction");
		return 1;
	}
	r.dirfd = open_dir(cfg.dir, &is_link);
	if (r.dirfd < 0) {
		fputs("sockscope-recorder: ", stderr);
		put_arg(stderr, cfg.dir);
		if (is_link)
			fputs(" is a symbolic link: refused. The output directory is opened with "
			      "O_NOFOLLOW, as a link could send the recorder's writes (often root's) "
			      "anywhere; give the directory itself\n", stderr);
		else
			fprintf(stderr, ": %s\n", strerror(-r.dirfd));
		return EXIT_LOST;
	}
	rc = collector_new(&cfg.col, &r.col, &bad);
	if (rc < 0) {
		if (bad)
			usage_error("--netstat: unsupported argument", bad);
		else
			fprintf(stderr, "sockscope-recorder: %s\n", strerror(-rc));
		status = bad ? EXIT_USAGE : EXIT_LOST;
		goto out;
	}
	r.w = snap_writer_new(run_out, &r);
	if (!r.w || (cfg.format == 2 && snap_writer_set_delta(r.w, cfg.keyframe_every) < 0)) {
		status = EXIT_LOST;
		goto out;
	}
	/* Tests only (the equivalence of formats 1 and 2): every snapshot also
	 * in format 1, appended to this file. */
	twin = getenv("SOCKSCOPE_TEST_TWIN_V1");
	if (twin && *twin) {
		r.twin_fd = open(twin, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (r.twin_fd < 0 || snap_writer_set_twin(r.w, twin_out, &r) < 0) {
			fprintf(stderr, "sockscope-recorder: SOCKSCOPE_TEST_TWIN_V1: %s\n", strerror(errno));
			status = EXIT_LOST;
			goto out;
		}
	}
	segment_file_host(cfg.host, r.file_host, sizeof(r.file_host));
	status = lock_dir(&cfg, r.dirfd, r.file_host, &r.lock, false, &rc);
	if (status == EXIT_LOST && !cfg.count && rc != -ENOTUNIQ) {
		/* The daemon keeps trying, as it does for every other failure. */
		logmsg(&cfg, -1, "nothing is recorded until the lock can be taken (retrying every "
				 "snapshot)");
		status = 0;
	}
	if (status)
		goto out;
	snprintf(r.hdr.host, sizeof(r.hdr.host), "%s", cfg.host);
	if (uname(&un) == 0)
		snprintf(r.hdr.kernel, sizeof(r.hdr.kernel), "%s", un.release);
	read_line_file("/proc/sys/kernel/random/boot_id", r.hdr.boot_id, sizeof(r.hdr.boot_id));
	snprintf(r.hdr.recorder, sizeof(r.hdr.recorder), "sockscope-recorder %s", SOCKSCOPE_VERSION);

	/* Burst mode only ever records faster. */
	burst_step = cfg.burst_interval < cfg.interval ? cfg.burst_interval : cfg.interval;
	next = now_mono();
	for (const char *reason = cfg.once ? "once" : "start"; !g_stop;) {
		usec_t step, now;

		r.hdr.interval = cfg.once ? 0 : (burst_next ? burst_step : cfg.interval);
		take_snapshot(&r, reason, &burst_next);
		if (r.locked_out) {
			status = EXIT_LOCKED;
			break;
		}
		if (cfg.count && r.seq >= cfg.count)
			break;
		snprintf(reason_buf, sizeof(reason_buf), "%s", burst_next ? r.hdr.reason : "interval");
		reason = reason_buf;
		/* Drift-free: ticks sit on a fixed grid from the start; a slow
		 * snapshot skips the ticks it overran instead of piling up. */
		step = burst_next ? burst_step : cfg.interval;
		next += step;
		now = now_mono();
		if (next <= now) {
			uint64_t missed = (uint64_t)((now - next) / step) + 1;
			next += (usec_t)missed * step;
			logmsg(&cfg, 0, "snapshot took longer than the interval: skipped %" PRIu64
					" tick(s)", missed);
		}
		sleep_until(next);
	}
	close_segment(&r);
	peak_rss_log(&cfg);
	if (r.lost)
		logmsg(&cfg, -1, "%" PRIu64 " of %" PRIu64 " snapshots lost (last error: %s)", r.lost,
		       r.seq, r.lost_why);
	/* A cron job must not report success for evidence it did not keep;
	 * the daemon's stop (SIGTERM) is not a failure, its log says what. */
	if (cfg.count && (r.lost || r.close_failed))
		status = EXIT_LOST;
out:
	collector_free(r.col);
	snap_writer_free(r.w);
	if (r.twin_fd >= 0)
		close(r.twin_fd);
	dirlock_free(r.lock);
	if (r.dirfd >= 0)
		close(r.dirfd);
	return status;
}

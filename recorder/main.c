/* sockscope-recorder — command line, signals and the drift-free schedule:
 * every tick one snapshot (collect.c) into the current segment (segment.c). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
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
#include "collect.h"
#include "dirlock.h"
#include "options.h"
#include "retention.h"
#include "thin.h"
#include "segment.h"
#include "snap.h"
#include "utctime.h"

/* While nothing can be written, the log says so every this many snapshots
 * (10 minutes at the default interval) besides the first failure. */
#define LOST_REMIND 60

/* Signal flags: the only mutable globals, as signal handlers need them. */
static volatile sig_atomic_t g_stop;
static volatile sig_atomic_t g_hup;

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
		config_put_arg(stderr, cfg->host);
		fprintf(stderr, " into ");
		config_put_arg(stderr, cfg->dir);
		fprintf(stderr, " (it holds %s there); not starting a second one: it would "
				"duplicate its snapshots, and nothing was recorded or deleted\n",
			name);
		return EXIT_LOCKED;
	}
	fprintf(stderr, "sockscope-recorder: cannot lock ");
	config_put_arg(stderr, cfg->dir);
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
	int twin_fd;             /* test binary: format 1 copy of every snapshot, or -1 */
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
		struct thin_opts to = {r->cfg->thin_after, r->cfg->keep.max_bytes, r->cfg->seg};

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

#ifdef SOCKSCOPE_TEST_HOOKS
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

/* Tests only (the equivalence of formats 1 and 2): every snapshot also in
 * format 1, appended to the file SOCKSCOPE_TEST_TWIN_V1 names. Compiled into
 * the test binary tests/tools/sockscope-recorder-test, not the recorder. */
static int test_twin(struct run *r)
{
	const char *twin = getenv("SOCKSCOPE_TEST_TWIN_V1");

	if (!twin || !*twin)
		return 0;
	r->twin_fd = open(twin, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (r->twin_fd < 0 || snap_writer_set_twin(r->w, twin_out, r) < 0) {
		fprintf(stderr, "sockscope-recorder: SOCKSCOPE_TEST_TWIN_V1: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}
#else
static int test_twin(struct run *r)
{
	(void)r;
	return 0;
}
#endif

int main(int argc, char **argv)
{
	struct config cfg;
	struct run r;
	struct utsname un;
	const char *bad = NULL;
	char reason_buf[256];
	usec_t next, burst_step;
	bool burst_next = false;
	bool is_link;
	int rc, status = 0;

	memset(&cfg, 0, sizeof(cfg));
	memset(&r, 0, sizeof(r));
	r.twin_fd = -1;
	rc = config_parse(argc, argv, &cfg);
	if (rc >= 0)
		return rc;
	r.cfg = &cfg;
	r.dirfd = -1;
	umask(027);
	cfg.col.log = log_source;
	cfg.col.log_ctx = &cfg;
	cfg.col.threads = cfg.seg.workers > 0;
	if (cfg.once)
		cfg.count = 1;
	if (setup_signals() < 0) {
		perror("sockscope-recorder: sigaction");
		return 1;
	}
	r.dirfd = open_dir(cfg.dir, &is_link);
	if (r.dirfd < 0) {
		fputs("sockscope-recorder: ", stderr);
		config_put_arg(stderr, cfg.dir);
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
			config_usage_error("--netstat: unsupported argument", bad);
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
	if (test_twin(&r) < 0) {
		status = EXIT_LOST;
		goto out;
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

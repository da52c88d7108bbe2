/* segment — segment files: naming, zstd streaming, commit and rollback, and
 * the compressor thread that overlaps compression with collection. */
#include "segment.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* With a compressor thread, writes are copied into a ring of NSLOT buffers
 * of SLOT_BYTES each: bounded memory, and a single zstd stream keeps its
 * whole window (zstd's own workers cut the stream into jobs that lose the
 * previous snapshot, the match that makes steady state cheap). */
#define NSLOT 4
#define SLOT_BYTES (256 * 1024)

enum slot_op { OP_DATA, OP_FLUSH, OP_FLUSH_SYNC, OP_END };

struct slot {
	char *buf;
	size_t len;
	enum slot_op op;
};

struct segment {
	int dirfd;
	int fd;
	ZSTD_CCtx *cctx;
	uint64_t size;        /* bytes written to the file */
	uint64_t good;        /* size after the last committed snapshot */
	usec_t opened;
	unsigned snapshots;
	size_t out_cap;
	char *out;
	char name[320];
	/* compressor thread; the fields below `mu` are shared under it */
	bool threaded;
	pthread_t thread;
	size_t fill;          /* producer: slot being filled (valid if filling) */
	bool filling;
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_done;
	struct slot slots[NSLOT];
	size_t first, queued; /* ring: slots[first], ... queued of them */
	bool quit;
	int err;              /* first error of the thread, sticky */
};

bool segment_is_name(const char *name)
{
	size_t n = strlen(name);

	return n > 14 && !strncmp(name, "sockscope-", 10) && !strcmp(name + n - 4, ".zst");
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (k == 0)
			return -EIO;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Runs the compressor with `mode` over input, writing every output byte. */
static int pump(struct segment *s, ZSTD_inBuffer *in, ZSTD_EndDirective mode)
{
	for (;;) {
		ZSTD_outBuffer out = {s->out, s->out_cap, 0};
		size_t left = ZSTD_compressStream2(s->cctx, &out, in, mode);
		int rc;

		if (ZSTD_isError(left))
			return -EIO;
		if (out.pos) {
			rc = write_all(s->fd, s->out, out.pos);
			if (rc < 0)
				return rc;
			s->size += out.pos;
		}
		if (mode == ZSTD_e_continue ? in->pos == in->size : left == 0)
			return 0;
	}
}

static int do_slot(struct segment *s, const struct slot *sl)
{
	ZSTD_inBuffer in = {sl->buf, sl->len, 0};
	int rc = pump(s, &in, ZSTD_e_continue);

	if (rc == 0 && sl->op != OP_DATA) {
		ZSTD_inBuffer none = {NULL, 0, 0};
		rc = pump(s, &none, sl->op == OP_END ? ZSTD_e_end : ZSTD_e_flush);
	}
	if (rc == 0 && sl->op == OP_FLUSH_SYNC && fsync(s->fd) < 0)
		rc = -errno;
	return rc;
}

static void *compressor(void *arg)
{
	struct segment *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct slot *sl;
		int rc = 0;

		while (!s->queued && !s->quit)
			pthread_cond_wait(&s->cv_work, &s->mu);
		if (s->quit)
			break;
		sl = &s->slots[s->first];
		pthread_mutex_unlock(&s->mu);
		/* After an error nothing more reaches the file. */
		if (!s->err)
			rc = do_slot(s, sl);
		pthread_mutex_lock(&s->mu);
		if (rc < 0 && !s->err)
			s->err = rc;
		s->first = (s->first + 1) % NSLOT;
		s->queued--;
		pthread_cond_broadcast(&s->cv_done);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Producer: a slot to fill, waiting while all are queued. */
static struct slot *fill_slot(struct segment *s)
{
	if (!s->filling) {
		pthread_mutex_lock(&s->mu);
		while (s->queued == NSLOT)
			pthread_cond_wait(&s->cv_done, &s->mu);
		s->fill = (s->first + s->queued) % NSLOT;
		pthread_mutex_unlock(&s->mu);
		s->slots[s->fill].len = 0;
		s->filling = true;
	}
	return &s->slots[s->fill];
}

/* Hands the slot being filled (or an empty one) to the thread with op; when
 * `wait`, returns only once everything queued is done. Returns the thread's
 * sticky error. */
static int queue_slot(struct segment *s, enum slot_op op, bool wait)
{
	struct slot *sl = fill_slot(s);
	int err;

	sl->op = op;
	pthread_mutex_lock(&s->mu);
	s->queued++;
	s->filling = false;
	pthread_cond_signal(&s->cv_work);
	while (wait && s->queued)
		pthread_cond_wait(&s->cv_done, &s->mu);
	err = s->err;
	pthread_mutex_unlock(&s->mu);
	return err;
}

static void stop_thread(struct segment *s)
{
	if (!s->threaded)
		return;
	pthread_mutex_lock(&s->mu);
	s->quit = true;
	pthread_cond_signal(&s->cv_work);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv_work);
	pthread_cond_destroy(&s->cv_done);
	s->threaded = false;
}

static void start_thread(struct segment *s)
{
	for (size_t i = 0; i < NSLOT; i++) {
		s->slots[i].buf = malloc(SLOT_BYTES);
		if (!s->slots[i].buf)
			return;   /* compress inline instead */
	}
	if (pthread_mutex_init(&s->mu, NULL))
		return;
	if (pthread_cond_init(&s->cv_work, NULL)) {
		pthread_mutex_destroy(&s->mu);
		return;
	}
	if (pthread_cond_init(&s->cv_done, NULL)) {
		pthread_cond_destroy(&s->cv_work);
		pthread_mutex_destroy(&s->mu);
		return;
	}
	if (pthread_create(&s->thread, NULL, compressor, s)) {
		pthread_cond_destroy(&s->cv_done);
		pthread_cond_destroy(&s->cv_work);
		pthread_mutex_destroy(&s->mu);
		return;
	}
	s->threaded = true;
}

void segment_file_host(const char *host, char *out, size_t outsz)
{
	size_t i;

	for (i = 0; host[i] && i + 1 < outsz && i < 64; i++) {
		char c = host[i];
		int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '.' || c == '_' || c == '-';
		out[i] = ok ? c : '_';
	}
	out[i] = '\0';
	if (i == 0)
		snprintf(out, outsz, "unknown");
}

int segment_zstd_setup(ZSTD_CCtx *cc, const struct segment_opts *o)
{
	if (ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, o->level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 0)))
		return -EINVAL;
	if (o->window_log &&
	    ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_windowLog, o->window_log)))
		return -EINVAL;
	/* A window larger than zstd's default for the level is only worth its
	 * memory if matches that far back are found: long-distance matching
	 * finds the previous snapshot's copy of each unchanged socket. */
	if (o->window_log > 23 &&
	    ZSTD_isError(ZSTD_CCtx_setParameter(cc, ZSTD_c_enableLongDistanceMatching, 1)))
		return -EINVAL;
	return 0;
}

int segment_open(int dirfd, const char *host, usec_t now, const struct segment_opts *o,
		 struct segment **out)
{
	struct segment *s = calloc(1, sizeof(*s));
	char h[72], t[32];
	int rc = 0;

	*out = NULL;
	if (!s) {
		rc = -ENOMEM;
		goto fail;
	}
	s->fd = -1;
	s->dirfd = dirfd;
	s->opened = now;
	segment_file_host(host, h, sizeof(h));
	utctime_format_compact(now, t, sizeof(t));
	for (int i = 0; i < 100; i++) {
		if (i == 0)
			snprintf(s->name, sizeof(s->name), "sockscope-%s-%s.zst", h, t);
		else
			snprintf(s->name, sizeof(s->name), "sockscope-%s-%s-%d.zst", h, t, i);
		s->fd = openat(dirfd, s->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			       0640);
		if (s->fd >= 0 || errno != EEXIST)
			break;
	}
	if (s->fd < 0) {
		rc = -errno;
		goto fail;
	}
	/* Held until the file is closed: retention (ours or another
	 * recorder's) never deletes a segment some process holds. A new
	 * O_EXCL file is held by no one, unless another process is
	 * verifying it at this instant: then this name is given up. */
	if (flock(s->fd, LOCK_EX | LOCK_NB) < 0) {
		rc = -errno;
		goto fail;
	}
	/* The umask must not widen or narrow what FORMAT.md promises. */
	if (fchmod(s->fd, 0640) < 0) {
		rc = -errno;
		goto fail;
	}
	s->cctx = ZSTD_createCCtx();
	s->out_cap = ZSTD_CStreamOutSize();
	s->out = malloc(s->out_cap);
	if (!s->cctx || !s->out) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = segment_zstd_setup(s->cctx, o);
	if (rc < 0)
		goto fail;
	if (o->workers > 0)
		start_thread(s);
	*out = s;
	return 0;
fail:
	if (s && s->fd >= 0) {
		close(s->fd);
		unlinkat(dirfd, s->name, 0);
	}
	if (s) {
		ZSTD_freeCCtx(s->cctx);
		free(s->out);
	}
	free(s);
	return rc;
}

int segment_write(void *seg, const void *p, size_t n)
{
	struct segment *s = seg;
	const char *c = p;

	if (!s->threaded) {
		ZSTD_inBuffer in = {p, n, 0};
		return pump(s, &in, ZSTD_e_continue);
	}
	while (n) {
		struct slot *sl = fill_slot(s);
		size_t k = SLOT_BYTES - sl->len < n ? SLOT_BYTES - sl->len : n;
		int err;

		memcpy(sl->buf + sl->len, c, k);
		sl->len += k;
		c += k;
		n -= k;
		if (sl->len == SLOT_BYTES && (err = queue_slot(s, OP_DATA, false)) < 0)
			return err;
	}
	return 0;
}

int segment_commit(struct segment *s, bool do_fsync)
{
	int rc;

	if (s->threaded) {
		rc = queue_slot(s, do_fsync ? OP_FLUSH_SYNC : OP_FLUSH, true);
	} else {
		struct slot none = {NULL, 0, do_fsync ? OP_FLUSH_SYNC : OP_FLUSH};
		rc = do_slot(s, &none);
	}
	if (rc < 0)
		return rc;
	s->good = s->size;
	s->snapshots++;
	return 0;
}

static void segment_free(struct segment *s)
{
	stop_thread(s);
	for (size_t i = 0; i < NSLOT; i++)
		free(s->slots[i].buf);
	if (s->fd >= 0)
		close(s->fd);
	ZSTD_freeCCtx(s->cctx);
	free(s->out);
	free(s);
}

void segment_abandon(struct segment *s)
{
	if (!s)
		return;
	/* The thread may hold a write in flight: stop it before truncating. */
	stop_thread(s);
	if (s->good == 0) {
		unlinkat(s->dirfd, s->name, 0);
	} else if (ftruncate(s->fd, (off_t)s->good) == 0) {
		/* Best effort: the file now ends at a flush point, so every
		 * complete snapshot decodes; readers report the open frame. */
		(void)fsync(s->fd);
	}
	segment_free(s);
}

int segment_close(struct segment *s)
{
	int rc;

	if (!s)
		return 0;
	if (s->snapshots == 0) {
		/* Nothing recorded: leave no empty segment behind. */
		unlinkat(s->dirfd, s->name, 0);
		segment_free(s);
		return 0;
	}
	if (s->threaded) {
		rc = queue_slot(s, OP_END, true);
	} else {
		struct slot none = {NULL, 0, OP_END};
		rc = do_slot(s, &none);
	}
	if (rc < 0) {
		segment_abandon(s);
		return rc;
	}
	if (fsync(s->fd) < 0)
		rc = -errno;
	if (close(s->fd) < 0 && rc == 0)
		rc = -errno;
	s->fd = -1;
	segment_free(s);
	return rc;
}

const char *segment_name(const struct segment *s)
{
	return s->name;
}

uint64_t segment_size(const struct segment *s)
{
	return s->size;
}

usec_t segment_opened_at(const struct segment *s)
{
	return s->opened;
}

unsigned segment_snapshots(const struct segment *s)
{
	return s->snapshots;
}

/* segment — segment files: naming, zstd streaming, commit and rollback. */
#include "segment.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

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

static void sanitize_host(const char *host, char *out, size_t outsz)
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

struct segment *segment_open(int dirfd, const char *host, usec_t now,
			     const struct segment_opts *o, int *err)
{
	struct segment *s = calloc(1, sizeof(*s));
	char h[72], t[32];
	int rc = 0;

	if (!s) {
		rc = -ENOMEM;
		goto fail;
	}
	s->fd = -1;
	s->dirfd = dirfd;
	s->opened = now;
	sanitize_host(host, h, sizeof(h));
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
	if (ZSTD_isError(ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_compressionLevel, o->level)) ||
	    ZSTD_isError(ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_checksumFlag, 0))) {
		rc = -EINVAL;
		goto fail;
	}
	if (o->window_log &&
	    ZSTD_isError(ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_windowLog, o->window_log))) {
		rc = -EINVAL;
		goto fail;
	}
	/* One worker thread compresses while the next source is collected;
	 * small jobs keep its buffers (a few job sizes) within the memory
	 * bound. Without libzstd thread support this fails: compress inline. */
	if (o->workers > 0 &&
	    !ZSTD_isError(ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_nbWorkers, o->workers)))
		ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_jobSize, 1 << 20);
	/* A window larger than zstd's default for the level is only worth its
	 * memory if matches that far back are found: long-distance matching
	 * finds the previous snapshot's copy of each unchanged socket. */
	if (o->window_log > 23 &&
	    ZSTD_isError(ZSTD_CCtx_setParameter(s->cctx, ZSTD_c_enableLongDistanceMatching, 1))) {
		rc = -EINVAL;
		goto fail;
	}
	return s;
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
	*err = rc;
	return NULL;
}

int segment_write(void *seg, const void *p, size_t n)
{
	struct segment *s = seg;
	ZSTD_inBuffer in = {p, n, 0};

	return pump(s, &in, ZSTD_e_continue);
}

int segment_commit(struct segment *s, bool do_fsync)
{
	ZSTD_inBuffer in = {NULL, 0, 0};
	int rc = pump(s, &in, ZSTD_e_flush);

	if (rc < 0)
		return rc;
	if (do_fsync && fsync(s->fd) < 0)
		return -errno;
	s->good = s->size;
	s->snapshots++;
	return 0;
}

static void segment_free(struct segment *s)
{
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
	ZSTD_inBuffer in = {NULL, 0, 0};
	int rc;

	if (!s)
		return 0;
	if (s->snapshots == 0) {
		/* Nothing recorded: leave no empty segment behind. */
		unlinkat(s->dirfd, s->name, 0);
		segment_free(s);
		return 0;
	}
	rc = pump(s, &in, ZSTD_e_end);
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

/* segread — zstd (or plain) segment input into the snapshot reader. */
#include "segread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

/* zstd_compression_format.md: a Block_Header is 3 bytes; between blocks
 * the decoder asks for exactly that many */
#define ZSTD_BLOCK_HEADER 3
#define ZSTD_WINDOW_LOG_MAX 27

struct segread_zstd {
	ZSTD_DCtx *d;
	bool frame_open;         /* a frame started and has not ended */
	size_t hint;             /* ZSTD_decompressStream's last "next input size" */
	char error[96];          /* set once: the data is undecodable */
};

const char *segread_end_text(enum segread_end e)
{
	switch (e) {
	case SEGREAD_END_CUT:
		return "compressed data ends inside a block (a torn or partly copied file): "
		       "what that block held is lost";
	case SEGREAD_END_CORRUPT:
		return "undecodable compressed data (damaged, or other bytes appended): "
		       "everything from there on is lost";
	default:
		return "";
	}
}

int segread_zstd_new(struct segread_zstd **out)
{
	struct segread_zstd *z = calloc(1, sizeof *z);

	*out = NULL;
	if (!z || !(z->d = ZSTD_createDCtx())) {
		free(z);
		return -ENOMEM;
	}
	ZSTD_DCtx_setParameter(z->d, ZSTD_d_windowLogMax, ZSTD_WINDOW_LOG_MAX);
	*out = z;
	return 0;
}

void segread_zstd_free(struct segread_zstd *z)
{
	if (!z)
		return;
	ZSTD_freeDCtx(z->d);
	free(z);
}

int segread_zstd_step(struct segread_zstd *z, const void *in, size_t inlen, size_t *inpos,
		      void *out, size_t outcap, size_t *outpos)
{
	ZSTD_inBuffer ib = {in, inlen, *inpos};
	ZSTD_outBuffer ob = {out, outcap, *outpos};
	bool fed = inlen > *inpos;
	size_t r;

	if (z->error[0])
		return -EBADMSG;
	r = ZSTD_decompressStream(z->d, &ob, &ib);
	*inpos = ib.pos;
	*outpos = ob.pos;
	if (ZSTD_isError(r)) {
		snprintf(z->error, sizeof z->error, "%s", ZSTD_getErrorName(r));
		return -EBADMSG;
	}
	/* r == 0: a frame ended; the next bytes (if any) start another. A
	 * call without input (a flush) says nothing about where the input
	 * stopped. */
	if (fed) {
		z->frame_open = r != 0;
		z->hint = r;
	}
	return 0;
}

enum segread_end segread_zstd_end(const struct segread_zstd *z)
{
	if (z->error[0])
		return SEGREAD_END_CORRUPT;
	if (!z->frame_open)
		return SEGREAD_END_CLEAN;
	return z->hint == ZSTD_BLOCK_HEADER ? SEGREAD_END_OPEN : SEGREAD_END_CUT;
}

const char *segread_zstd_error(const struct segread_zstd *z)
{
	return z->error;
}

struct pipe_ctx {
	struct snap_reader *r;
	segread_fn fn;
	void *ctx;
	struct segread_stats *st;
};

static int deliver(struct pipe_ctx *pc, const struct snap_event *ev)
{
	switch (ev->type) {
	case SNAP_EV_END: pc->st->good++; break;
	case SNAP_EV_BAD: pc->st->bad++; break;
	case SNAP_EV_JUNK: pc->st->junk += ev->len; break;
	default: break;
	}
	return pc->fn(pc->ctx, ev);
}

static int push(struct pipe_ctx *pc, const void *p, size_t n)
{
	struct snap_event ev;
	int rc;

	pc->st->bytes_out += n;
	snap_reader_feed(pc->r, p, n);
	while (snap_reader_next(pc->r, &ev) != SNAP_EV_NONE) {
		rc = deliver(pc, &ev);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static ssize_t read_some(int fd, void *p, size_t n)
{
	ssize_t k;

	do
		k = read(fd, p, n);
	while (k < 0 && errno == EINTR);
	return k;
}

int segread_fd(int fd, segread_fn fn, void *ctx, struct segread_stats *st)
{
	size_t in_cap = ZSTD_DStreamInSize(), out_cap = ZSTD_DStreamOutSize();
	struct pipe_ctx pc = {NULL, fn, ctx, st};
	struct segread_zstd *z = NULL;
	char *in = NULL, *out = NULL;
	struct snap_event ev;
	bool first = true;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	pc.r = snap_reader_new();
	in = malloc(in_cap);
	out = malloc(out_cap);
	if (!pc.r || !in || !out || segread_zstd_new(&z) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t k = read_some(fd, in, in_cap);
		size_t pos = 0;

		if (k < 0) {
			rc = -errno;
			goto out;
		}
		if (k == 0)
			break;
		st->bytes_in += (uint64_t)k;
		if (first) {
			/* Plain snapshot text is accepted too (zstdcat output). */
			st->compressed = k >= 4 && !memcmp(in, "\x28\xb5\x2f\xfd", 4);
			first = false;
		}
		if (!st->compressed) {
			rc = push(&pc, in, (size_t)k);
			if (rc < 0)
				goto out;
			continue;
		}
		/* after an error the rest is drained: undecodable */
		while (pos < (size_t)k) {
			size_t opos = 0;

			if (segread_zstd_step(z, in, (size_t)k, &pos, out, out_cap, &opos) < 0)
				break;
			if (opos) {
				rc = push(&pc, out, opos);
				if (rc < 0)
					goto out;
			}
		}
	}
	/* Flush what the decoder still holds for output. */
	while (st->compressed) {
		size_t pos = 0, opos = 0;

		if (segread_zstd_step(z, NULL, 0, &pos, out, out_cap, &opos) < 0 || opos == 0)
			break;
		rc = push(&pc, out, opos);
		if (rc < 0)
			goto out;
	}
	if (st->compressed) {
		st->end = segread_zstd_end(z);
		snprintf(st->zstd_error, sizeof(st->zstd_error), "%s", segread_zstd_error(z));
	}
	st->frame_complete = st->compressed && st->end == SEGREAD_END_CLEAN;
	while (snap_reader_eof(pc.r, &ev) != SNAP_EV_NONE) {
		rc = deliver(&pc, &ev);
		if (rc < 0)
			goto out;
	}
out:
	segread_zstd_free(z);
	free(in);
	free(out);
	snap_reader_free(pc.r);
	return rc;
}

int segread_path(const char *path, segread_fn fn, void *ctx, struct segread_stats *st)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		memset(st, 0, sizeof(*st));
		return -errno;
	}
	rc = segread_fd(fd, fn, ctx, st);
	close(fd);
	return rc;
}

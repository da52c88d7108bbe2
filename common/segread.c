/* segread — zstd (or plain) segment input into the snapshot reader. */
#include "segread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

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
	ZSTD_DCtx *dctx = NULL;
	char *in = NULL, *out = NULL;
	struct snap_event ev;
	bool first = true, frame_open = false;
	int rc = 0;

	memset(st, 0, sizeof(*st));
	pc.r = snap_reader_new();
	in = malloc(in_cap);
	out = malloc(out_cap);
	dctx = ZSTD_createDCtx();
	if (!pc.r || !in || !out || !dctx) {
		rc = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t k = read_some(fd, in, in_cap);
		ZSTD_inBuffer ib;

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
		if (st->zstd_error[0])
			continue;   /* drain: the rest is undecodable */
		ib = (ZSTD_inBuffer){in, (size_t)k, 0};
		while (ib.pos < ib.size) {
			ZSTD_outBuffer ob = {out, out_cap, 0};
			size_t ret = ZSTD_decompressStream(dctx, &ob, &ib);

			if (ZSTD_isError(ret)) {
				snprintf(st->zstd_error, sizeof(st->zstd_error), "%s",
					 ZSTD_getErrorName(ret));
				break;
			}
			frame_open = ret != 0;
			if (ob.pos) {
				rc = push(&pc, out, ob.pos);
				if (rc < 0)
					goto out;
			}
		}
	}
	/* Flush what the decoder still holds for output. */
	if (st->compressed && !st->zstd_error[0]) {
		for (;;) {
			ZSTD_inBuffer ib = {NULL, 0, 0};
			ZSTD_outBuffer ob = {out, out_cap, 0};
			size_t ret = ZSTD_decompressStream(dctx, &ob, &ib);
			if (ZSTD_isError(ret) || ob.pos == 0)
				break;
			rc = push(&pc, out, ob.pos);
			if (rc < 0)
				goto out;
		}
	}
	st->frame_complete = st->compressed && !frame_open && !st->zstd_error[0];
	while (snap_reader_eof(pc.r, &ev) != SNAP_EV_NONE) {
		rc = deliver(&pc, &ev);
		if (rc < 0)
			goto out;
	}
out:
	ZSTD_freeDCtx(dctx);
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

/* transcode — rewrites a segment's good snapshots in format 2 (keyframes and
 * deltas, renderings derived unless asked verbatim), byte for byte the same
 * decoded sections: how samples/incident, recorded in format 1, became a
 * format 2 recording of the same incident.
 *   transcode IN OUT [KEYFRAME_EVERY [verbatim]]      (OUT: a new file) */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>

#include "segread.h"
#include "snap.h"

struct tc {
	struct snap_writer *w;
	ZSTD_CCtx *cc;
	FILE *out;
	char zbuf[1 << 16];
	int err;
};

static int z(struct tc *t, const void *p, size_t n, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = {p, n, 0};
	size_t left;

	do {
		ZSTD_outBuffer o = {t->zbuf, sizeof(t->zbuf), 0};
		left = ZSTD_compressStream2(t->cc, &o, &in, mode);
		if (ZSTD_isError(left) || fwrite(t->zbuf, 1, o.pos, t->out) != o.pos)
			return -EIO;
	} while (mode == ZSTD_e_continue ? in.pos < in.size : left != 0);
	return 0;
}

static int out_fn(void *ctx, const void *p, size_t n)
{
	return z(ctx, p, n, ZSTD_e_continue);
}

static int on_event(void *ctx, const struct snap_event *ev)
{
	struct tc *t = ctx;
	struct snap_header h;
	int rc = 0;

	switch (ev->type) {
	case SNAP_EV_BEGIN:
		h = *ev->hdr;
		rc = snap_writer_begin(t->w, &h);
		break;
	case SNAP_EV_SECTION:
		rc = snap_writer_section(t->w, ev->section);
		break;
	case SNAP_EV_DATA:
		rc = snap_writer_write(t->w, ev->data, ev->len);
		break;
	case SNAP_EV_END:
		rc = snap_writer_end(t->w);
		if (rc == 0)
			rc = z(t, NULL, 0, ZSTD_e_flush);
		break;
	case SNAP_EV_BAD:
	case SNAP_EV_JUNK:
		fprintf(stderr, "transcode: bad snapshot or junk at offset %llu: refusing\n",
			(unsigned long long)ev->offset);
		rc = -EBADMSG;
		break;
	default:
		break;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct tc t = {0};
	struct segread_stats st;
	unsigned key = 60;
	int fd, rc;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: transcode IN OUT [KEYFRAME_EVERY [verbatim]]\n");
		return 2;
	}
	if (argc >= 4)
		key = (unsigned)strtoul(argv[3], NULL, 10);
	fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0 || !(t.out = fdopen(fd, "w"))) {
		perror(argv[2]);
		return 1;
	}
	t.w = snap_writer_new(out_fn, &t);
	t.cc = ZSTD_createCCtx();
	if (!t.w || !t.cc || snap_writer_set_delta(t.w, key ? key : 60) < 0)
		return 1;
	snap_writer_derive(t.w, !(argc == 5 && !strcmp(argv[4], "verbatim")));
	ZSTD_CCtx_setParameter(t.cc, ZSTD_c_compressionLevel, 19);
	rc = segread_path(argv[1], on_event, &t, &st);
	if (rc == 0)
		rc = z(&t, NULL, 0, ZSTD_e_end);
	if (fclose(t.out) != 0 && rc == 0)
		rc = -EIO;
	snap_writer_free(t.w);
	ZSTD_freeCCtx(t.cc);
	if (rc < 0) {
		fprintf(stderr, "transcode: %s\n", strerror(-rc));
		return 1;
	}
	return 0;
}

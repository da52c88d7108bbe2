/* thin — keyframes-only rewrite of closed segments, crash-safe. */
#include "thin.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "segread.h"
#include "snap.h"

#define TMP_PREFIX ".thin-"
#define TMP_SUFFIX ".tmp"

struct thin_ctx {
	struct snap_writer *w;
	ZSTD_CCtx *cc;
	int fd;
	char *zbuf;
	size_t zcap;
	bool in_key, skip;
	uint64_t keys, deltas;
	int err;
	struct snap_header h;
};

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int zput(struct thin_ctx *t, const void *p, size_t n, ZSTD_EndDirective mode)
{
	ZSTD_inBuffer in = {p, n, 0};
	size_t left;

	do {
		ZSTD_outBuffer out = {t->zbuf, t->zcap, 0};
		int rc;

		left = ZSTD_compressStream2(t->cc, &out, &in, mode);
		if (ZSTD_isError(left))
			return -EIO;
		rc = write_all(t->fd, t->zbuf, out.pos);
		if (rc < 0)
			return rc;
	} while (mode == ZSTD_e_continue ? in.pos < in.size : left != 0);
	return 0;
}

static int snap_out(void *ctx, const void *p, size_t n)
{
	return zput(ctx, p, n, ZSTD_e_continue);
}

static int on_event(void *ctx, const struct snap_event *ev)
{
	struct thin_ctx *t = ctx;
	int rc = 0;

	switch (ev->type) {
	case SNAP_EV_BEGIN:
		/* Format 1 has no keyframes to keep; a thinned segment is done. */
		if (!ev->hdr->frame || ev->hdr->thinned) {
			t->skip = true;
			return -ECANCELED;
		}
		t->in_key = ev->hdr->frame == SNAP_FRAME_KEY;
		if (!t->in_key) {
			t->deltas++;
			return 0;
		}
		t->h = *ev->hdr;
		t->h.thinned = true;
		rc = snap_writer_begin(t->w, &t->h);
		break;
	case SNAP_EV_SECTION:
		if (t->in_key)
			rc = snap_writer_section(t->w, ev->section);
		break;
	case SNAP_EV_DATA:
		if (t->in_key)
			rc = snap_writer_write(t->w, ev->data, ev->len);
		break;
	case SNAP_EV_END:
		if (t->in_key) {
			rc = snap_writer_end(t->w);
			if (rc == 0)
				rc = zput(t, NULL, 0, ZSTD_e_flush);
			t->keys += rc == 0;
		}
		t->in_key = false;
		break;
	default:
		/* Bad snapshots and junk are not kept: a thinned segment holds
		 * what verified. (Format 2 hands a snapshot out only whole.) */
		break;
	}
	if (rc < 0)
		t->err = rc;
	return rc;
}

struct count_ctx {
	uint64_t good;
};

static int count_event(void *ctx, const struct snap_event *ev)
{
	struct count_ctx *c = ctx;

	c->good += ev->type == SNAP_EV_END;
	return 0;
}

int thin_segment(int dirfd, const char *name, const struct segment_opts *seg, uint64_t *before, uint64_t *after,
		 const char **why)
{
	struct thin_ctx t = {0};
	struct segread_stats st, st2;
	struct count_ctx cc = {0};
	struct stat sb;
	char tmp[320];
	int src, rc;
	bool made = false;

	*why = NULL;
	t.fd = -1;
	if ((size_t)snprintf(tmp, sizeof(tmp), TMP_PREFIX "%s" TMP_SUFFIX, name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	src = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (src < 0) {
		*why = "it cannot be opened";
		return -errno;
	}
	if (fstat(src, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		*why = "it is not a regular file";
		rc = -EINVAL;
		goto out;
	}
	/* A recorder still writing it holds this lock. */
	if (flock(src, LOCK_EX | LOCK_NB) < 0) {
		rc = -errno;
		*why = "a process holds it open";
		goto out;
	}
	t.fd = openat(dirfd, tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (t.fd < 0) {
		rc = -errno;
		*why = "cannot create the thinned file";
		goto out;
	}
	made = true;
	flock(t.fd, LOCK_EX);
	t.w = snap_writer_new(snap_out, &t);
	t.cc = ZSTD_createCCtx();
	t.zcap = ZSTD_CStreamOutSize();
	t.zbuf = malloc(t.zcap);
	if (!t.w || !t.cc || !t.zbuf || snap_writer_set_delta(t.w, 1) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	snap_writer_derive(t.w, true);
	/* The segments' own window: with zstd's default for the level
	 * (512 kB at level 1) keyframes larger than that no longer compress
	 * against each other, and a thinned segment came out larger than
	 * the original (docs/SIZING.md). */
	rc = segment_zstd_setup(t.cc, seg);
	if (rc < 0) {
		*why = "bad compression settings";
		goto out;
	}
	rc = segread_fd(src, on_event, &t, &st);
	if (t.skip) {
		rc = 0;
		goto out;
	}
	if (rc < 0 || t.err < 0) {
		rc = t.err < 0 ? t.err : rc;
		*why = "reading or rewriting it failed";
		goto out;
	}
	if (t.deltas == 0 || t.keys == 0) {
		rc = 0;   /* nothing to gain */
		goto out;
	}
	rc = zput(&t, NULL, 0, ZSTD_e_end);
	if (rc == 0 && fsync(t.fd) < 0)
		rc = -errno;
	if (rc < 0) {
		*why = "writing the thinned file failed";
		goto out;
	}
	/* The new file must hold every keyframe, verified, before it
	 * replaces anything. */
	if (lseek(t.fd, 0, SEEK_SET) < 0 || segread_fd(t.fd, count_event, &cc, &st2) < 0 ||
	    cc.good != t.keys || st2.bad || !st2.frame_complete) {
		rc = -EIO;
		*why = "the thinned file does not verify";
		goto out;
	}
	/* Retention orders segments by mtime: keep the original's. */
	futimens(t.fd, (struct timespec[2]){sb.st_atim, sb.st_mtim});
	if (fsync(t.fd) < 0 || renameat(dirfd, tmp, dirfd, name) < 0) {
		rc = -errno;
		*why = "cannot replace the segment";
		goto out;
	}
	made = false;
	fsync(dirfd);
	*before = (uint64_t)sb.st_size;
	*after = (uint64_t)lseek(t.fd, 0, SEEK_END);
	rc = 1;
out:
	if (made)
		unlinkat(dirfd, tmp, 0);
	if (t.fd >= 0)
		close(t.fd);
	close(src);
	snap_writer_free(t.w);
	ZSTD_freeCCtx(t.cc);
	free(t.zbuf);
	return rc;
}

/* A temporary file of ours no process holds is what a crash left. */
static void remove_stale(int dirfd, const char *name, const char *file_host)
{
	size_t pl = strlen(TMP_PREFIX), sl = strlen(TMP_SUFFIX), n = strlen(name);
	char seg[256];
	int fd;

	if (n <= pl + sl || strncmp(name, TMP_PREFIX, pl) || strcmp(name + n - sl, TMP_SUFFIX) ||
	    n - pl - sl >= sizeof(seg))
		return;
	memcpy(seg, name + pl, n - pl - sl);
	seg[n - pl - sl] = '\0';
	if (!retention_own_name(seg, file_host))
		return;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		unlinkat(dirfd, name, 0);
	close(fd);
}

/* Removes the temporary files a crashed thinning run left in dirfd. */
static void remove_stales(int dirfd, const char *file_host)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] == '.')
			remove_stale(dirfd, de->d_name, file_host);
	closedir(d);
}

long thin_apply(int dirfd, const struct retention_owner *who, const char *current,
		uint64_t current_size, usec_t now, const struct thin_opts *o, thin_report_fn report,
		void *ctx)
{
	struct seg_file *c = NULL;
	size_t n = 0;
	uint64_t total = current_size;
	long thinned = 0;
	int rc;

	if (!o->after && !o->max_bytes)
		return 0;
	remove_stales(dirfd, who->file_host);
	rc = retention_list(dirfd, who, current, &c, &n);
	if (rc < 0) {
		thinned = rc;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		total += c[i].size;
	retention_sort(c, n);
	for (size_t i = 0; i < n; i++) {
		bool old = o->after && now - c[i].mtime > o->after;
		bool big = o->max_bytes && total > o->max_bytes;
		uint64_t before = 0, after = 0;
		const char *why = NULL;
		int sfd;

		if (!old && !big)
			break;   /* oldest first */
		sfd = openat(dirfd, c[i].name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
		if (sfd < 0)
			continue;
		rc = retention_verify(sfd, who->host, &why);
		close(sfd);
		if (rc < 0)
			continue;   /* not ours, or not a segment: retention says so */
		rc = thin_segment(dirfd, c[i].name, &o->seg, &before, &after, &why);
		if (rc == 1) {
			thinned++;
			total -= before - after;
			if (report)
				report(ctx, c[i].name, before, after, 0, NULL);
		} else if (rc < 0 && report) {
			report(ctx, c[i].name, c[i].size, c[i].size, rc, why);
		}
	}
out:
	free(c);
	return thinned;
}

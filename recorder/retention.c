/* retention — delete the oldest closed segments past --max-age/--max-bytes,
 * of this host only, verified, and never one a process holds. */
#include "retention.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grow.h"
#include "segread.h"

static int by_age(const void *a, const void *b)
{
	const struct seg_file *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

void retention_sort(struct seg_file *files, size_t n)
{
	if (n > 1)
		qsort(files, n, sizeof(*files), by_age);
}

size_t retention_plan(struct seg_file *files, size_t n, usec_t now, uint64_t current_size,
		      const struct retention_opts *o)
{
	uint64_t total = current_size;
	size_t marked = 0;

	retention_sort(files, n);
	for (size_t i = 0; i < n; i++) {
		files[i].del = false;
		if (!files[i].skip)
			total += files[i].size;
	}
	for (size_t i = 0; i < n; i++) {
		bool old, big;

		if (files[i].skip)
			continue;
		old = o->max_age && now - files[i].mtime > o->max_age;
		big = o->max_bytes && total > o->max_bytes;
		if (!old && !big)
			break;   /* oldest first: nothing later is older */
		files[i].del = true;
		total -= files[i].size;
		marked++;
	}
	return marked;
}

static size_t digits(const char *s)
{
	return strspn(s, "0123456789");
}

bool retention_own_name(const char *name, const char *file_host)
{
	size_t hl = strlen(file_host), k;
	const char *p;

	if (strncmp(name, "sockscope-", 10) || strncmp(name + 10, file_host, hl) ||
	    name[10 + hl] != '-')
		return false;
	p = name + 11 + hl;
	/* utctime_format_compact: a year of 4+ digits (signed beyond 9999) */
	if (*p == '+' || *p == '-')
		p++;
	k = digits(p);
	if (k < 8 || p[k] != 'T' || digits(p + k + 1) != 6 || p[k + 7] != 'Z')
		return false;
	p += k + 8;
	if (*p == '-') {   /* collision suffix -1 .. -99 */
		k = digits(p + 1);
		if (k < 1 || k > 2)
			return false;
		p += k + 1;
	}
	return !strcmp(p, ".zst");
}

struct verify_ctx {
	const char *host;
	const struct segread_stats *st;
	const char *why;
	bool ok;
};

/* Stops (with a negative value) at the first verdict. */
static int verify_event(void *ctx, const struct snap_event *ev)
{
	struct verify_ctx *v = ctx;

	switch (ev->type) {
	case SNAP_EV_BEGIN:
		if (!v->st->compressed) {
			v->why = "not a zstd file";
			return -EBADMSG;
		}
		if (strcmp(ev->hdr->host, v->host)) {
			v->why = "its first snapshot is another host's";
			return -EXDEV;
		}
		return 0;
	case SNAP_EV_END:
		v->ok = true;
		return -ECANCELED;
	case SNAP_EV_BAD:
		v->why = "its first snapshot is torn or corrupt";
		return -EBADMSG;
	case SNAP_EV_JUNK:
		v->why = "it does not start with a snapshot";
		return -EBADMSG;
	default:
		return 0;
	}
}

int retention_verify(int fd, const char *host, const char **why)
{
	struct segread_stats st;
	struct verify_ctx v = {host, &st, NULL, false};
	int rc;

	/* The first snapshot only: it proves what the file is and whose it
	 * is, at the cost of one snapshot whatever the segment's size. A torn
	 * tail (crash, full disk) is history all the same and must go too. */
	rc = segread_fd(fd, verify_event, &v, &st);
	if (v.ok)
		return 0;
	if (rc == 0 || rc == -ECANCELED) {
		v.why = st.zstd_error[0] ? "it is not a valid zstd stream" : "it holds no complete snapshot";
		rc = -EBADMSG;
	} else if (!v.why) {
		v.why = "it cannot be read";
	}
	*why = v.why;
	return rc;
}

/* Opens name for a look under an exclusive lock; the fd or -errno (and
 * *why), -EWOULDBLOCK when a process holds it. */
static int open_locked(int dirfd, const struct seg_file *f, const char **why)
{
	struct stat st;
	int fd = openat(dirfd, f->name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	int rc;

	if (fd < 0) {
		*why = "it cannot be opened";
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_dev != f->dev ||
	    st.st_ino != f->ino) {
		*why = "it changed while being looked at";
		rc = -ESTALE;
		goto fail;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = -errno;
		*why = rc == -EWOULDBLOCK ? "a process holds it open (a recorder writing it?)"
					  : "it cannot be locked";
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return rc;
}

int retention_list(int dirfd, const struct retention_owner *who, const char *current,
		   struct seg_file **files, size_t *n)
{
	size_t cap = 0;
	struct dirent *de;
	struct seg_file *nf;
	DIR *d;
	int fd, rc = 0;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		rc = -errno;
		close(fd);
		return rc;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!retention_own_name(de->d_name, who->file_host) ||
		    strlen(de->d_name) >= sizeof((*files)->name))
			continue;
		if (current && !strcmp(de->d_name, current))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (!(nf = grow(*files, &cap, *n, sizeof(**files), 64))) {
			rc = -ENOMEM;
			break;
		}
		*files = nf;
		nf = &(*files)[(*n)++];
		memset(nf, 0, sizeof(*nf));
		snprintf(nf->name, sizeof(nf->name), "%s", de->d_name);
		nf->size = (uint64_t)st.st_size;
		nf->mtime = (usec_t)st.st_mtim.tv_sec * USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
		nf->dev = st.st_dev;
		nf->ino = st.st_ino;
	}
	closedir(d);
	return rc;
}

long retention_apply(int dirfd, const struct retention_owner *who, const char *current,
		     uint64_t current_size, usec_t now, const struct retention_opts *o,
		     retention_report_fn report, void *ctx)
{
	struct seg_file *files = NULL;
	size_t n = 0;
	long deleted = 0;
	int rc;

	if (!o->max_age && !o->max_bytes)
		return 0;
	rc = retention_list(dirfd, who, current, &files, &n);
	if (rc < 0) {
		deleted = rc;
		goto out;
	}
	/* Every file counted must be verified first: a large impostor would
	 * otherwise push real segments out under --max-bytes. */
	for (size_t i = 0; i < n; i++) {
		const char *why = NULL;
		int fd = open_locked(dirfd, &files[i], &why);

		if (fd >= 0) {
			rc = retention_verify(fd, who->host, &why);
			close(fd);
		}
		if (fd < 0 || rc < 0) {
			files[i].skip = true;
			if (report)
				report(ctx, RETENTION_KEPT, files[i].name, files[i].size, 0, why);
		}
	}
	retention_plan(files, n, now, current_size, o);
	for (size_t i = 0; i < n; i++) {
		const char *why = NULL;
		int fd, err = 0;

		if (!files[i].del)
			continue;
		/* Under the lock again: a process that opened it since keeps it. */
		fd = open_locked(dirfd, &files[i], &why);
		if (fd < 0) {
			if (report)
				report(ctx, RETENTION_KEPT, files[i].name, files[i].size, 0, why);
			continue;
		}
		if (unlinkat(dirfd, files[i].name, 0) < 0)
			err = -errno;
		else
			deleted++;
		close(fd);
		if (report)
			report(ctx, err ? RETENTION_FAILED : RETENTION_DELETED, files[i].name,
			       files[i].size, err, NULL);
	}
out:
	free(files);
	return deleted;
}

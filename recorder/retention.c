/* retention — delete the oldest closed segments past --max-age/--max-bytes. */
#include "retention.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "segment.h"

static int by_age(const void *a, const void *b)
{
	const struct seg_file *x = a, *y = b;

	if (x->mtime != y->mtime)
		return x->mtime < y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

size_t retention_plan(struct seg_file *files, size_t n, usec_t now, uint64_t current_size,
		      const struct retention_opts *o)
{
	uint64_t total = current_size;
	size_t marked = 0;

	if (n > 1)
		qsort(files, n, sizeof(*files), by_age);
	for (size_t i = 0; i < n; i++) {
		files[i].del = false;
		total += files[i].size;
	}
	for (size_t i = 0; i < n; i++) {
		bool old = o->max_age && now - files[i].mtime > o->max_age;
		bool big = o->max_bytes && total > o->max_bytes;

		if (!old && !big)
			break;   /* oldest first: nothing later is older */
		files[i].del = true;
		total -= files[i].size;
		marked++;
	}
	return marked;
}

long retention_apply(int dirfd, const char *current, uint64_t current_size, usec_t now,
		     const struct retention_opts *o,
		     void (*report)(void *ctx, const char *name, uint64_t size, int err), void *ctx)
{
	struct seg_file *files = NULL, *nf;
	size_t n = 0, cap = 0;
	struct dirent *de;
	long deleted = 0;
	DIR *d;
	int fd;

	if (!o->max_age && !o->max_bytes)
		return 0;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		deleted = -errno;
		close(fd);
		return deleted;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!segment_is_name(de->d_name) || strlen(de->d_name) >= sizeof(files->name))
			continue;
		if (current && !strcmp(de->d_name, current))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nf = realloc(files, cap * sizeof(*files));
			if (!nf) {
				deleted = -ENOMEM;
				goto out;
			}
			files = nf;
		}
		snprintf(files[n].name, sizeof(files[n].name), "%s", de->d_name);
		files[n].size = (uint64_t)st.st_size;
		files[n].mtime = (usec_t)st.st_mtim.tv_sec * USEC_PER_SEC + st.st_mtim.tv_nsec / 1000;
		n++;
	}
	retention_plan(files, n, now, current_size, o);
	for (size_t i = 0; i < n; i++) {
		int err = 0;
		if (!files[i].del)
			continue;
		if (unlinkat(dirfd, files[i].name, 0) < 0)
			err = -errno;
		else
			deleted++;
		if (report)
			report(ctx, files[i].name, files[i].size, err);
	}
out:
	free(files);
	closedir(d);
	return deleted;
}

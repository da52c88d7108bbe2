/* dirlock — the per-host directory lock file and the pid it records. */
#include "dirlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "num.h"

struct dirlock {
	int fd;
};

void dirlock_name(const char *file_host, char *out, size_t outsz)
{
	snprintf(out, outsz, ".sockscope-%s.lock", file_host);
}

/* The pid the holder wrote, 0 when unreadable (it may be writing it). */
static long read_holder(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	uint64_t pid;
	size_t digits;

	if (n <= 0)
		return 0;
	digits = strspn(buf, "0123456789");
	if (num_parse_dec(buf, digits, 1u << 30, &pid) < 0)
		return 0;
	return (long)pid;
}

int dirlock_acquire(int dirfd, const char *file_host, struct dirlock **out, long *holder)
{
	const int flags = O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct dirlock *l = NULL;
	char name[128], pid[32];
	struct stat st;
	int fd, rc = 0, n;
	bool writable = true;

	*out = NULL;
	*holder = 0;
	dirlock_name(file_host, name, sizeof(name));
	fd = openat(dirfd, name, O_RDWR | flags, 0640);
	if (fd < 0 && (errno == EACCES || errno == EROFS)) {
		/* A read-only directory (remounted, or not ours) whose lock
		 * file exists: flock works on a read-only descriptor too, so
		 * a daemon can still start, and retry writing segments. */
		rc = -errno;
		fd = openat(dirfd, name, O_RDONLY | (flags & ~O_CREAT));
		writable = false;
		if (fd < 0 && errno == ENOENT)
			return rc;   /* the reason it could not be created */
	}
	if (fd < 0)
		return -errno;
	/* A hard link to some other file (say /etc/shadow) must never be
	 * truncated: only a regular file with this one name is ours. */
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		rc = -ENOTUNIQ;
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		rc = -errno;
		if (rc == -EWOULDBLOCK)
			*holder = read_holder(fd);
		goto out;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	/* Best effort: the lock is what counts, the pid only names it. */
	if (writable && ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)n, 0) != n)
		(void)ftruncate(fd, 0);
	l = malloc(sizeof(*l));
	if (!l) {
		rc = -ENOMEM;
		goto out;
	}
	l->fd = fd;
	*out = l;
	return 0;
out:
	close(fd);
	return rc;
}

void dirlock_free(struct dirlock *l)
{
	if (!l)
		return;
	close(l->fd);   /* releases the flock */
	free(l);
}

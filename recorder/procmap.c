/* procmap — the inode -> pid/program map built from proc_root/<pid>/fd/N
 * exactly as net-tools netstat -p builds it; strings in one arena, O(1)
 * lookups through an open-addressing hash on the inode. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "grow.h"
#include "procmap.h"

/* net-tools reads at most this much of /proc/<pid>/cmdline. */
#define CMDLINE_MAX 511
/* /proc/<pid>/comm is at most TASK_COMM_LEN (16) today; leave room. */
#define COMM_MAX 64

/* Per-process strings, as offsets: the arena may move while scanning. */
struct proc_strs {
	size_t prog_off;
	size_t comm_off;
};

struct procmap {
	struct procmap_entry *ents; /* scan order */
	uint32_t *ent_proc;	    /* ents[i] belongs to procs[ent_proc[i]] */
	size_t n, cap;
	struct proc_strs *procs;
	size_t nprocs, procs_cap;
	char *arena; /* NUL-terminated strings back to back */
	size_t alen, acap;
	uint32_t *slots; /* index + 1 into ents, 0 = empty */
	size_t nslots;	 /* power of two, > 2 * n */
	bool truncated;
	size_t denied;   /* processes whose fds we may not read */
};

struct procmap *procmap_new(void)
{
	return calloc(1, sizeof(struct procmap));
}

void procmap_free(struct procmap *m)
{
	if (!m)
		return;
	free(m->ents);
	free(m->ent_proc);
	free(m->procs);
	free(m->arena);
	free(m->slots);
	free(m);
}

static size_t hash_inode(uint64_t inode, size_t nslots)
{
	/* Fibonacci hashing: inodes are mostly sequential numbers. */
	return (size_t)((inode * 0x9E3779B97F4A7C15ull) >> 32) & (nslots - 1);
}

static int grow_slots(struct procmap *m)
{
	size_t ns = m->nslots ? m->nslots * 2 : 1024;
	uint32_t *s = calloc(ns, sizeof *s);

	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < m->n; i++) {
		size_t h = hash_inode(m->ents[i].inode, ns);
		while (s[h])
			h = (h + 1) & (ns - 1);
		s[h] = (uint32_t)(i + 1);
	}
	free(m->slots);
	m->slots = s;
	m->nslots = ns;
	return 0;
}

/* Slot holding inode, or the empty slot where it would go. */
static size_t find_slot(const struct procmap *m, uint64_t inode)
{
	size_t h = hash_inode(inode, m->nslots);
	while (m->slots[h] && m->ents[m->slots[h] - 1].inode != inode)
		h = (h + 1) & (m->nslots - 1);
	return h;
}

static int arena_add(struct procmap *m, const char *s, size_t len, size_t *off)
{
	if (m->acap - m->alen < len + 1) {
		size_t nc = m->acap ? m->acap : 4096;
		while (nc - m->alen < len + 1)
			nc *= 2;
		char *a = realloc(m->arena, nc);
		if (!a)
			return -ENOMEM;
		m->arena = a;
		m->acap = nc;
	}
	memcpy(m->arena + m->alen, s, len);
	m->arena[m->alen + len] = '\0';
	*off = m->alen;
	m->alen += len + 1;
	return 0;
}

/* Adds inode unless a process seen earlier holds it already. */
static int add_entry(struct procmap *m, uint64_t inode, int32_t pid, uint32_t proc)
{
	size_t h;

	if (m->n >= PROCMAP_MAX_ENTRIES) {
		m->truncated = true;
		return 0;
	}
	if ((m->n + 1) * 2 > m->nslots) {
		int err = grow_slots(m);
		if (err < 0)
			return err;
	}
	h = find_slot(m, inode);
	if (!m->slots || m->slots[h])   /* slots exist after grow_slots() */
		return 0;
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 256;
		struct procmap_entry *e = realloc(m->ents, nc * sizeof *e);
		if (!e)
			return -ENOMEM;
		m->ents = e;
		uint32_t *ep = realloc(m->ent_proc, nc * sizeof *ep);
		if (!ep)
			return -ENOMEM;
		m->ent_proc = ep;
		m->cap = nc;
	}
	m->ents[m->n] = (struct procmap_entry){.inode = inode, .pid = pid};
	m->ent_proc[m->n] = proc;
	m->n++;
	m->slots[h] = (uint32_t)m->n;
	return 0;
}

/* "socket:[N]" or the pre-2.2 "[0000]:N"; both as net-tools accepts them. */
static bool parse_socket_link(const char *s, size_t len, uint64_t *inode)
{
	const char *p, *end;
	uint64_t v = 0;

	/* net-tools wants at least two digits in the first form. */
	if (len >= 11 && memcmp(s, "socket:[", 8) == 0 && s[len - 1] == ']') {
		p = s + 8;
		end = s + len - 1;
	} else if (len > 7 && memcmp(s, "[0000]:", 7) == 0) {
		p = s + 7;
		end = s + len;
	} else {
		return false;
	}
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*inode = v;
	return true;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Reads up to max bytes of dirfd/name. Returns length or -errno. */
static ssize_t read_small(int dirfd, const char *name, char *buf, size_t max)
{
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	size_t got = 0;
	ssize_t ret;

	if (fd < 0)
		return -errno;
	while (got < max) {
		ssize_t n = read(fd, buf + got, max - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	ret = (ssize_t)got;
out:
	close(fd);
	return ret;
}

/* The program name as net-tools derives it from cmdline bytes. */
static size_t netstat_program(char *buf, size_t len, const char **prog)
{
	size_t n = strnlen(buf, len); /* argv[0] only */
	char *slash;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c < ' ' || c > '~')
			buf[i] = '.';
	}
	buf[n] = '\0';
	if (buf[0] == '/' && (slash = strrchr(buf, '/'))) {
		*prog = slash + 1;
		return n - (size_t)(slash + 1 - buf);
	}
	*prog = buf;
	return n;
}

/* Stores program and comm of the process in pidfd; -ENOENT etc. when its
 * cmdline cannot be read (net-tools then ignores the process). */
static int add_proc(struct procmap *m, int pidfd, uint32_t *idx)
{
	char cmd[CMDLINE_MAX + 1], comm[COMM_MAX + 1];
	const char *prog;
	ssize_t n;
	size_t plen, clen = 0;
	struct proc_strs ps, *p;
	int err;

	n = read_small(pidfd, "cmdline", cmd, CMDLINE_MAX);
	if (n < 0)
		return (int)n;
	cmd[n] = '\0';
	plen = netstat_program(cmd, (size_t)n, &prog);
	n = read_small(pidfd, "comm", comm, COMM_MAX);
	if (n > 0) {
		clen = (size_t)n;
		if (comm[clen - 1] == '\n')
			clen--;
	}
	if (!(p = grow(m->procs, &m->procs_cap, m->nprocs, sizeof *p, 64)))
		return -ENOMEM;
	m->procs = p;
	err = arena_add(m, prog, plen, &ps.prog_off);
	if (err < 0)
		return err;
	err = arena_add(m, comm, clen, &ps.comm_off);
	if (err < 0)
		return err;
	m->procs[m->nprocs] = ps;
	*idx = (uint32_t)m->nprocs++;
	return 0;
}

/* Errors that concern one process only: it exited, or is not ours to see. */
static bool per_process_error(int err)
{
	return err == -ENOENT || err == -ESRCH || err == -EACCES || err == -EPERM ||
	       err == -ENOTDIR || err == -ELOOP || err == -EINVAL || err == -EIO;
}

static int scan_pid(struct procmap *m, int procfd, const char *name)
{
	long pidl = strtol(name, NULL, 10);
	int pidfd = -1, fdfd = -1, err = 0;
	DIR *fds = NULL;
	struct dirent *de;
	bool have_proc = false;
	uint32_t proc = 0;

	if (pidl <= 0 || pidl > INT32_MAX)
		return 0;
	pidfd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (pidfd < 0) {
		err = -errno;
		goto out;
	}
	fdfd = openat(pidfd, "fd", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fdfd < 0) {
		err = -errno;
		/* Another user's process, without CAP_SYS_PTRACE: its sockets
		 * stay without owner, which the caller must be able to say. */
		if (err == -EACCES || err == -EPERM)
			m->denied++;
		goto out;
	}
	fds = fdopendir(fdfd);
	if (!fds) {
		err = -errno;
		goto out;
	}
	fdfd = -1; /* owned by fds now */
	while ((de = readdir(fds))) {
		char lname[64];
		uint64_t inode;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		ssize_t n = readlinkat(dirfd(fds), de->d_name, lname, sizeof lname - 1);
		if (n < 0 || !parse_socket_link(lname, (size_t)n, &inode))
			continue;
		if (!have_proc) {
			err = add_proc(m, pidfd, &proc);
			if (err < 0)
				goto out;
			have_proc = true;
		}
		err = add_entry(m, inode, (int32_t)pidl, proc);
		if (err < 0 || m->truncated)
			goto out;
	}
out:
	if (fds)
		closedir(fds);
	if (fdfd >= 0)
		close(fdfd);
	if (pidfd >= 0)
		close(pidfd);
	return per_process_error(err) ? 0 : err;
}

long procmap_scan(struct procmap *m, const char *proc_root)
{
	int procfd;
	DIR *dir;
	struct dirent *de;
	long ret = 0;

	m->n = 0;
	m->nprocs = 0;
	m->alen = 0;
	m->truncated = false;
	m->denied = 0;
	if (m->slots)
		memset(m->slots, 0, m->nslots * sizeof *m->slots);

	procfd = open(proc_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	dir = fdopendir(procfd);
	if (!dir) {
		ret = -errno;
		close(procfd);
		return ret;
	}
	for (;;) {
		errno = 0;
		de = readdir(dir);
		if (!de) {
			ret = errno ? -errno : 0;
			break;
		}
		if (!all_digits(de->d_name))
			continue;
		int err = scan_pid(m, dirfd(dir), de->d_name);
		if (err < 0) {
			ret = err;
			break;
		}
		if (m->truncated)
			break;
	}
	closedir(dir);
	if (ret < 0) {
		/* Half a scan must not look like a whole one. */
		m->n = 0;
		return ret;
	}
	/* The arena is final: turn offsets into pointers. */
	for (size_t i = 0; i < m->n; i++) {
		const struct proc_strs *ps = &m->procs[m->ent_proc[i]];
		m->ents[i].program = m->arena + ps->prog_off;
		m->ents[i].comm = m->arena + ps->comm_off;
	}
	return (long)m->n;
}

const struct procmap_entry *procmap_find(const struct procmap *m, uint64_t inode)
{
	size_t h;

	if (!m || !m->nslots || !m->n)
		return NULL;
	h = find_slot(m, inode);
	return m->slots[h] ? &m->ents[m->slots[h] - 1] : NULL;
}

const struct procmap_entry *procmap_entries(const struct procmap *m, size_t *n)
{
	*n = m ? m->n : 0;
	return m ? m->ents : NULL;
}

bool procmap_truncated(const struct procmap *m)
{
	return m && m->truncated;
}

size_t procmap_denied(const struct procmap *m)
{
	return m ? m->denied : 0;
}

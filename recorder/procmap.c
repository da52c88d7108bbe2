/* procmap — the inode -> pid/program map built from proc_root/<pid>/fd/N
 * exactly as net-tools netstat -p builds it; strings in one arena, O(1)
 * lookups through an open-addressing hash on the inode. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
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
	size_t pos;      /* the process's place in proc_root's listing */
};

/* With this many processes or more, two threads read their fds (the
 * readlinks are kernel work that ss does not do: ~15% of a snapshot). */
#define PAR_MIN_PROCS 16

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
	size_t pos;      /* of the process being scanned */
	int32_t *pids;   /* proc_root's listing, in readdir order */
	size_t npids, cpids;
	struct procmap *part[2];   /* what each thread found, merged in order */
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
	free(m->pids);
	procmap_free(m->part[0]);
	procmap_free(m->part[1]);
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
	ps.pos = m->pos;
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

static void reset(struct procmap *m)
{
	m->n = 0;
	m->nprocs = 0;
	m->alen = 0;
	m->truncated = false;
	m->denied = 0;
	if (m->slots)
		memset(m->slots, 0, m->nslots * sizeof *m->slots);
}

/* The processes of the listing, shared by two threads: each takes the next
 * one not taken and scans it into its own part. */
struct scan_job {
	const struct procmap *m;     /* pids, npids */
	int procfd;
	atomic_size_t next;
};

struct scan_worker {
	struct scan_job *job;
	struct procmap *part;
	int err;
};

static void *scan_some(void *arg)
{
	struct scan_worker *w = arg;
	struct scan_job *j = w->job;

	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);
		char name[16];

		if (i >= j->m->npids || w->part->truncated)
			break;
		snprintf(name, sizeof name, "%d", (int)j->m->pids[i]);
		w->part->pos = i;
		w->err = scan_pid(w->part, j->procfd, name);
		if (w->err < 0) {
			atomic_store(&j->next, j->m->npids);   /* the other stops too */
			break;
		}
	}
	return NULL;
}

/* Part p's entry k into m, its process's strings with it the first time
 * (pmap: part process -> m's, or UINT32_MAX). */
static int merge_one(struct procmap *m, const struct procmap *p, size_t k, uint32_t *pmap)
{
	uint32_t pp = p->ent_proc[k];
	int err;

	if (pmap[pp] == UINT32_MAX) {
		const struct proc_strs *ps = &p->procs[pp];
		struct proc_strs *v = grow(m->procs, &m->procs_cap, m->nprocs, sizeof *v, 64);
		struct proc_strs n = *ps;

		if (!v)
			return -ENOMEM;
		m->procs = v;
		err = arena_add(m, p->arena + ps->prog_off, strlen(p->arena + ps->prog_off),
				&n.prog_off);
		if (err == 0)
			err = arena_add(m, p->arena + ps->comm_off, strlen(p->arena + ps->comm_off),
					&n.comm_off);
		if (err < 0)
			return err;
		m->procs[m->nprocs] = n;
		pmap[pp] = (uint32_t)m->nprocs++;
	}
	return add_entry(m, p->ents[k].inode, p->ents[k].pid, pmap[pp]);
}

/* Both parts into m in listing order, so that, as in one pass, the first
 * process holding an inode owns it (each part kept its own first). */
static int merge(struct procmap *m)
{
	struct procmap *a = m->part[0], *b = m->part[1];
	uint32_t *pa = malloc((a->nprocs + b->nprocs + 1) * sizeof *pa), *pb;
	size_t i = 0, j = 0;
	int err = 0;

	if (!pa)
		return -ENOMEM;
	pb = pa + a->nprocs;
	memset(pa, 0xff, (a->nprocs + b->nprocs) * sizeof *pa);
	while (err == 0 && !m->truncated && (i < a->n || j < b->n)) {
		if (j >= b->n || (i < a->n && a->procs[a->ent_proc[i]].pos < b->procs[b->ent_proc[j]].pos))
			err = merge_one(m, a, i++, pa);
		else
			err = merge_one(m, b, j++, pb);
	}
	m->truncated = m->truncated || a->truncated || b->truncated;
	m->denied = a->denied + b->denied;
	free(pa);
	return err;
}

/* The listing's processes scanned by this thread and one more. 0, -errno,
 * or 1: no second thread (the caller scans alone). */
static int scan_parallel(struct procmap *m, int procfd)
{
	struct scan_job job = {m, procfd, 0};
	struct scan_worker w[2];
	pthread_t th;

	for (int k = 0; k < 2; k++) {
		if (!m->part[k] && !(m->part[k] = procmap_new()))
			return 1;
		reset(m->part[k]);
		w[k] = (struct scan_worker){&job, m->part[k], 0};
	}
	if (pthread_create(&th, NULL, scan_some, &w[1]) != 0)
		return 1;
	scan_some(&w[0]);
	pthread_join(th, NULL);
	if (w[0].err < 0 || w[1].err < 0)
		return w[0].err < 0 ? w[0].err : w[1].err;
	return merge(m);
}

long procmap_scan(struct procmap *m, const char *proc_root)
{
	int procfd;
	DIR *dir;
	struct dirent *de;
	long ret = 0;

	reset(m);
	m->npids = 0;

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
		long pid = strtol(de->d_name, NULL, 10);
		int32_t *v;

		if (pid <= 0 || pid > INT32_MAX)
			continue;
		v = grow(m->pids, &m->cpids, m->npids, sizeof *v, 256);
		if (!v) {
			ret = -ENOMEM;
			break;
		}
		m->pids = v;
		m->pids[m->npids++] = (int32_t)pid;
	}
	if (ret == 0 && m->npids >= PAR_MIN_PROCS)
		ret = scan_parallel(m, dirfd(dir));
	if (ret == 1 || (ret == 0 && m->npids < PAR_MIN_PROCS)) {
		ret = 0;
		for (size_t i = 0; i < m->npids && !m->truncated; i++) {
			char name[16];
			int err;

			snprintf(name, sizeof name, "%d", (int)m->pids[i]);
			err = scan_pid(m, dirfd(dir), name);
			if (err < 0) {
				ret = err;
				break;
			}
		}
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

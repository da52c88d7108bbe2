/* Unit tests for recorder/procmap: the real /proc finds our own socket, and a
 * synthetic proc tree pins down net-tools' program naming and ownership. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procmap.h"

static const char *g_argv0; /* the test binary's argv[0], from main() */

static void test_self(void **state)
{
	struct procmap *m = procmap_new();
	struct stat st;
	char expect[PATH_MAX];
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	(void)state;

	assert_non_null(m);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	long n = procmap_scan(m, "/proc");
	assert_true(n >= 1);
	assert_false(procmap_truncated(m));

	/* net-tools: argv[0]; its basename when absolute. Our argv[0] is
	 * plain ASCII, so no byte is replaced. */
	const char *slash = strrchr(g_argv0, '/');
	snprintf(expect, sizeof expect, "%s", g_argv0[0] == '/' && slash ? slash + 1 : g_argv0);

	const struct procmap_entry *e = procmap_find(m, (uint64_t)st.st_ino);
	assert_non_null(e);
	assert_int_equal(e->inode, (uint64_t)st.st_ino);
	assert_int_equal(e->pid, getpid());
	assert_string_equal(e->program, expect);
	assert_string_equal(e->comm, "test_procmap");

	size_t cnt;
	const struct procmap_entry *all = procmap_entries(m, &cnt);
	assert_int_equal(cnt, (size_t)n);
	assert_true(e >= all && e < all + cnt);
	close(fd);
	procmap_free(m);
	procmap_free(NULL);
}

/* --- synthetic proc tree -------------------------------------------------- */

static void put_file(const char *root, const char *rel, const void *data, size_t len)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void put_dir(const char *root, const char *rel)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

static void put_link(const char *root, const char *rel, const char *target)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	assert_int_equal(symlink(target, path), 0);
}

/* A pid directory with a cmdline (len bytes, or none when cmd is NULL). */
static void put_pid(const char *root, const char *pid, const char *cmd, size_t len,
		    const char *comm)
{
	char rel[64];
	put_dir(root, pid);
	if (cmd) {
		snprintf(rel, sizeof rel, "%s/cmdline", pid);
		put_file(root, rel, cmd, len);
	}
	if (comm) {
		snprintf(rel, sizeof rel, "%s/comm", pid);
		put_file(root, rel, comm, strlen(comm));
	}
	snprintf(rel, sizeof rel, "%s/fd", pid);
	put_dir(root, rel);
}

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char sub[PATH_MAX];
	struct stat st;

	if (!d) {
		unlink(path);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
		if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(sub);
		else
			unlink(sub);
	}
	closedir(d);
	rmdir(path);
}

/* Which of pid a / pid b readdir() returns first: the owner of a shared inode. */
static int first_in_readdir(const char *root, int a, int b)
{
	DIR *d = opendir(root);
	struct dirent *de;
	int first = 0;
	assert_non_null(d);
	while (!first && (de = readdir(d))) {
		int p = atoi(de->d_name);
		if (p == a || p == b)
			first = p;
	}
	closedir(d);
	return first;
}

static void test_synthetic(void **state)
{
	char root[] = "/tmp/sst-procmap-XXXXXX";
	char longcmd[700];
	struct procmap *m = procmap_new();
	const struct procmap_entry *e;
	(void)state;

	assert_non_null(mkdtemp(root));
	/* Absolute argv[0] with arguments: basename of argv[0] only. */
	put_pid(root, "100", "/usr/sbin/nginx\0-g\0daemon off;\0", 31, "nginx\n");
	put_link(root, "100/fd/3", "socket:[123]");
	put_link(root, "100/fd/4", "/dev/null");
	put_link(root, "100/fd/5", "socket:[456]");
	put_link(root, "100/fd/6", "socket:[7]");   /* net-tools wants >= 2 digits */
	put_link(root, "100/fd/8", "socket:[12a]"); /* not a number */
	put_link(root, "100/fd/9", "pipe:[555]");
	/* Spaces kept; controls, DEL and UTF-8 bytes become '.'; relative argv[0]
	 * is not shortened even though it has a '/'. */
	put_pid(root, "200", "my app\tx\x01\x7f\xc3\xa9/y\0arg", 18, "my app\n");
	put_link(root, "200/fd/0", "socket:[123]");
	put_link(root, "200/fd/1", "socket:[321]");
	/* Kernel thread: empty cmdline, old-style link. */
	put_pid(root, "300", "", 0, "kworker/0:1\n");
	put_link(root, "300/fd/7", "[0000]:789");
	/* No fd/ at all, and a cmdline-less process: both skipped. */
	put_dir(root, "400");
	put_file(root, "400/cmdline", "init", 4);
	put_pid(root, "500", NULL, 0, NULL);
	put_link(root, "500/fd/1", "socket:[999]");
	/* Absolute path ending in '/': empty basename; no comm file. */
	put_pid(root, "600", "/opt/weird/\0", 12, NULL);
	put_link(root, "600/fd/2", "socket:[1000]");
	put_pid(root, "700", "./bin/srv\0--port\0", 17, "srv");
	put_link(root, "700/fd/2", "socket:[2000]");
	/* argv[0] longer than the 511 bytes net-tools reads. */
	memset(longcmd, 'a', sizeof longcmd);
	longcmd[0] = '/';
	put_pid(root, "800", longcmd, sizeof longcmd, "a\n");
	put_link(root, "800/fd/10", "socket:[3000]");
	/* Not pids: ignored whatever they hold. */
	put_link(root, "self", "100");
	put_dir(root, "net");
	put_dir(root, "12x");

	long n = procmap_scan(m, root);
	assert_int_equal(n, 7);

	e = procmap_find(m, 456);
	assert_non_null(e);
	assert_int_equal(e->pid, 100);
	assert_string_equal(e->program, "nginx");
	assert_string_equal(e->comm, "nginx");

	e = procmap_find(m, 123);
	assert_non_null(e);
	assert_int_equal(e->pid, first_in_readdir(root, 100, 200));

	e = procmap_find(m, 321);
	assert_non_null(e);
	assert_int_equal(e->pid, 200);
	assert_string_equal(e->program, "my app.x..../y");
	assert_string_equal(e->comm, "my app");

	e = procmap_find(m, 789);
	assert_non_null(e);
	assert_int_equal(e->pid, 300);
	assert_string_equal(e->program, "");
	assert_string_equal(e->comm, "kworker/0:1");

	e = procmap_find(m, 1000);
	assert_non_null(e);
	assert_string_equal(e->program, "");
	assert_string_equal(e->comm, "");

	e = procmap_find(m, 2000);
	assert_non_null(e);
	assert_string_equal(e->program, "./bin/srv");
	assert_string_equal(e->comm, "srv");

	e = procmap_find(m, 3000);
	assert_non_null(e);
	assert_int_equal(strlen(e->program), 510); /* 511 bytes minus the '/' */
	assert_int_equal(strspn(e->program, "a"), 510);

	assert_null(procmap_find(m, 7));
	assert_null(procmap_find(m, 12));
	assert_null(procmap_find(m, 555));
	assert_null(procmap_find(m, 999));
	assert_null(procmap_find(m, 0));

	/* A rescan forgets the old one and finds the same again. */
	put_link(root, "700/fd/3", "socket:[2001]");
	assert_int_equal(procmap_scan(m, root), 8);
	assert_int_equal(procmap_find(m, 2001)->pid, 700);
	assert_int_equal(procmap_find(m, 456)->pid, 100);

	/* proc_root itself missing: an error, and nothing is found after it. */
	rm_tree(root);
	assert_int_equal(procmap_scan(m, root), -ENOENT);
	assert_null(procmap_find(m, 456));
	size_t cnt = 99;
	procmap_entries(m, &cnt);
	assert_int_equal(cnt, 0);
	procmap_free(m);
}

/* Enough inodes to grow the hash table and the arrays several times. */
static void test_many(void **state)
{
	char root[] = "/tmp/sst-procmap-XXXXXX";
	char rel[64], target[64];
	struct procmap *m = procmap_new();
	(void)state;

	assert_non_null(mkdtemp(root));
	for (int p = 1; p <= 20; p++) {
		snprintf(rel, sizeof rel, "%d", p);
		put_pid(root, rel, "/bin/x", 6, "x\n");
		for (int f = 0; f < 250; f++) {
			snprintf(rel, sizeof rel, "%d/fd/%d", p, f);
			snprintf(target, sizeof target, "socket:[%d]", 100000 + p * 1000 + f);
			put_link(root, rel, target);
		}
	}
	assert_int_equal(procmap_scan(m, root), 5000);
	for (int p = 1; p <= 20; p++)
		for (int f = 0; f < 250; f += 7) {
			const struct procmap_entry *e =
			    procmap_find(m, (uint64_t)(100000 + p * 1000 + f));
			assert_non_null(e);
			assert_int_equal(e->pid, p);
			assert_string_equal(e->program, "x");
		}
	assert_null(procmap_find(m, 100000 + 21 * 1000));
	rm_tree(root);
	procmap_free(m);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_self),
	    cmocka_unit_test(test_synthetic),
	    cmocka_unit_test(test_many),
	};
	(void)argc;
	g_argv0 = argv[0];
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for recorder/dirlock: one holder per host and directory, the
 * holder's pid for the refusal message, and lock files that are not ours. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirlock.h"

static void test_dirlock(void **state)
{
	char dir[] = "/tmp/sst-dirlock-XXXXXX", cmd[64], buf[32];
	struct dirlock *a = NULL, *b = NULL, *c = NULL;
	long holder = -1;
	ssize_t n;
	int dfd, fd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	assert_int_equal(dirlock_acquire(dfd, "web", &a, &holder), 0);
	assert_non_null(a);
	/* the pid is in the file, and a second taker is told it */
	fd = openat(dfd, ".sockscope-web.lock", O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_int_equal(strtol(buf, NULL, 10), getpid());
	assert_int_equal(dirlock_acquire(dfd, "web", &b, &holder), -EWOULDBLOCK);
	assert_null(b);
	assert_int_equal(holder, getpid());
	/* another host is independent */
	assert_int_equal(dirlock_acquire(dfd, "db", &c, &holder), 0);
	dirlock_free(c);
	/* released: free to take again */
	dirlock_free(a);
	assert_int_equal(dirlock_acquire(dfd, "web", &b, &holder), 0);
	dirlock_free(b);
	dirlock_free(NULL);
	/* never followed, never written through a second name */
	assert_int_equal(symlinkat("/etc/passwd", dfd, ".sockscope-lnk.lock"), 0);
	assert_int_equal(dirlock_acquire(dfd, "lnk", &a, &holder), -ELOOP);
	fd = openat(dfd, "victim", O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "keep", 4), 4);
	close(fd);
	assert_int_equal(linkat(dfd, "victim", dfd, ".sockscope-hl.lock", 0), 0);
	assert_int_equal(dirlock_acquire(dfd, "hl", &a, &holder), -ENOTUNIQ);
	fd = openat(dfd, "victim", O_RDONLY);
	assert_int_equal(read(fd, buf, sizeof buf), 4);
	close(fd);
	close(dfd);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dirlock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for recorder/retention: the plan, and deleting in a directory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "retention.h"

#define H (3600 * USEC_PER_SEC)

static void set(struct seg_file *f, const char *name, uint64_t size, usec_t mtime)
{
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->size = size;
	f->mtime = mtime;
	f->del = false;
}

static void test_plan_age(void **state)
{
	struct seg_file f[4];
	struct retention_opts o = {24 * H, 0};
	(void)state;

	set(&f[0], "sockscope-a-3.zst", 10, 90 * H);
	set(&f[1], "sockscope-a-1.zst", 10, 10 * H);
	set(&f[2], "sockscope-a-2.zst", 10, 70 * H);
	set(&f[3], "sockscope-a-0.zst", 10, 5 * H);
	assert_int_equal(retention_plan(f, 4, 100 * H, 0, &o), 3);
	/* sorted oldest first */
	assert_string_equal(f[0].name, "sockscope-a-0.zst");
	assert_true(f[0].del && f[1].del && f[2].del);
	assert_false(f[3].del);  /* 10 h old */
}

static void test_plan_bytes(void **state)
{
	struct seg_file f[3];
	struct retention_opts o = {0, 100};
	(void)state;

	set(&f[0], "sockscope-a-0.zst", 40, 1 * H);
	set(&f[1], "sockscope-a-1.zst", 40, 2 * H);
	set(&f[2], "sockscope-a-2.zst", 40, 3 * H);
	/* 120 + current 30 = 150 > 100: drop the oldest two (150-40-40=70) */
	assert_int_equal(retention_plan(f, 3, 4 * H, 30, &o), 2);
	assert_true(f[0].del && f[1].del);
	assert_false(f[2].del);
	/* exactly at the limit keeps everything */
	o.max_bytes = 150;
	assert_int_equal(retention_plan(f, 3, 4 * H, 30, &o), 0);
	/* no limits: nothing */
	o.max_bytes = 0;
	assert_int_equal(retention_plan(f, 3, 400 * H, 30, &o), 0);
}

static void touch(int dirfd, const char *name, size_t size, time_t mtime)
{
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	char zero[64] = {0};
	struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};

	assert_true(fd >= 0);
	assert_int_equal(write(fd, zero, size), (ssize_t)size);
	assert_int_equal(futimens(fd, ts), 0);
	close(fd);
}

static int deleted;
static void count(void *ctx, const char *name, uint64_t size, int err)
{
	(void)ctx;
	(void)name;
	(void)size;
	if (!err)
		deleted++;
}

static void test_apply(void **state)
{
	char dir[] = "/tmp/sst-retention-XXXXXX";
	struct retention_opts o = {0, 60};
	int dfd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	touch(dfd, "sockscope-h-20261125T100000Z.zst", 30, 1000);
	touch(dfd, "sockscope-h-20261125T110000Z.zst", 30, 2000);
	touch(dfd, "sockscope-h-20261125T120000Z.zst", 30, 3000);   /* current */
	touch(dfd, "notes.txt", 60, 10);                           /* not ours */
	assert_int_equal(symlinkat("/etc/passwd", dfd, "sockscope-h-link.zst"), 0);
	deleted = 0;
	assert_int_equal(retention_apply(dfd, "sockscope-h-20261125T120000Z.zst", 30,
					 (usec_t)4000 * USEC_PER_SEC, &o, count, NULL), 1);
	assert_int_equal(deleted, 1);
	assert_int_equal(faccessat(dfd, "sockscope-h-20261125T100000Z.zst", F_OK, 0), -1);
	assert_int_equal(faccessat(dfd, "sockscope-h-20261125T110000Z.zst", F_OK, 0), 0);
	assert_int_equal(faccessat(dfd, "sockscope-h-20261125T120000Z.zst", F_OK, 0), 0);
	assert_int_equal(faccessat(dfd, "notes.txt", F_OK, 0), 0);
	assert_int_equal(faccessat(dfd, "sockscope-h-link.zst", F_OK, AT_SYMLINK_NOFOLLOW), 0);
	unlinkat(dfd, "sockscope-h-20261125T110000Z.zst", 0);
	unlinkat(dfd, "sockscope-h-20261125T120000Z.zst", 0);
	unlinkat(dfd, "notes.txt", 0);
	unlinkat(dfd, "sockscope-h-link.zst", 0);
	close(dfd);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_age),
		cmocka_unit_test(test_plan_bytes),
		cmocka_unit_test(test_apply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

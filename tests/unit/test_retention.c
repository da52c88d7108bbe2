/* Unit tests for recorder/retention: the plan, own names, verifying, and
 * deleting in a directory only what is this host's, closed and verified. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "retention.h"
#include "segment.h"
#include "snap.h"

#define H (3600 * USEC_PER_SEC)

static void set(struct seg_file *f, const char *name, uint64_t size, usec_t mtime)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->size = size;
	f->mtime = mtime;
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

static void test_plan_skip(void **state)
{
	struct seg_file f[3];
	struct retention_opts o = {24 * H, 100};
	(void)state;

	set(&f[0], "sockscope-a-0.zst", 500, 1 * H);   /* old and huge, but not ours */
	set(&f[1], "sockscope-a-1.zst", 60, 2 * H);
	set(&f[2], "sockscope-a-2.zst", 60, 99 * H);
	f[0].skip = true;
	/* only 60 + 60 + 0 count: the old one goes by age, then 60 <= 100 */
	assert_int_equal(retention_plan(f, 3, 100 * H, 0, &o), 1);
	assert_false(f[0].del);
	assert_true(f[1].del);
	assert_false(f[2].del);
}

static void test_own_name(void **state)
{
	(void)state;
	assert_true(retention_own_name("sockscope-web-20261125T100000Z.zst", "web"));
	assert_true(retention_own_name("sockscope-web-20261125T100000Z-7.zst", "web"));
	assert_true(retention_own_name("sockscope-web-120261125T100000Z.zst", "web"));
	assert_true(retention_own_name("sockscope-a-b-20261125T100000Z.zst", "a-b"));
	/* another host whose name starts like ours */
	assert_false(retention_own_name("sockscope-web-1-20261125T100000Z.zst", "web"));
	assert_false(retention_own_name("sockscope-webx-20261125T100000Z.zst", "web"));
	assert_false(retention_own_name("sockscope-we-20261125T100000Z.zst", "web"));
	assert_false(retention_own_name("sockscope-web-20261125T100000Z.zst.tmp", "web"));
	assert_false(retention_own_name("sockscope-web-20261125T10000Z.zst", "web"));
	assert_false(retention_own_name("sockscope-web-2026112T100000Z.zst", "web"));
	assert_false(retention_own_name("sockscope-web-20261125T100000Z-.zst", "web"));
	assert_false(retention_own_name("sockscope-web-20261125T100000Z-123.zst", "web"));
	assert_false(retention_own_name("sockscope-web-x.zst", "web"));
	assert_false(retention_own_name("xsockscope-web-20261125T100000Z.zst", "web"));
	assert_false(retention_own_name(".sockscope-web.lock", "web"));
}

/* A closed segment of header host `host` with `n` snapshots, last written
 * at mtime; returns its name in out. */
static void make_seg(int dfd, const char *host, usec_t start, int n, time_t mtime, char *out,
		     size_t outsz)
{
	struct segment_opts so = {1, 0, 0};
	struct segment *seg;
	struct snap_writer *w;
	struct snap_header h;
	struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
	int err = 0;

	err = segment_open(dfd, host, start, &so, &seg);
	assert_int_equal(err, 0);
	assert_non_null(seg);
	snprintf(out, outsz, "%s", segment_name(seg));
	w = snap_writer_new(segment_write, seg);
	memset(&h, 0, sizeof h);
	snprintf(h.host, sizeof h.host, "%s", host);
	for (int i = 1; i <= n; i++) {
		h.seq = (uint64_t)i;
		h.time = start;
		assert_int_equal(snap_writer_begin(w, &h), 0);
		assert_int_equal(snap_writer_section(w, "s"), 0);
		for (int k = 0; k < 200; k++)
			assert_int_equal(snap_writer_write(w, "tcp 192.0.2.1:80 ESTABLISHED\n", 29), 0);
		assert_int_equal(snap_writer_end(w), 0);
		assert_int_equal(segment_commit(seg, false), 0);
	}
	snap_writer_free(w);
	assert_int_equal(segment_close(seg), 0);
	assert_int_equal(utimensat(dfd, out, ts, 0), 0);
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

static int deleted, kept;
static void count(void *ctx, enum retention_event ev, const char *name, uint64_t size, int err,
		  const char *why)
{
	(void)ctx;
	(void)name;
	(void)size;
	(void)err;
	(void)why;
	if (ev == RETENTION_DELETED)
		deleted++;
	if (ev == RETENTION_KEPT)
		kept++;
}

static bool exists(int dfd, const char *name)
{
	return faccessat(dfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

static void cp_file(int dfd, const char *from, const char *to, off_t len)
{
	char buf[65536];
	int in = openat(dfd, from, O_RDONLY), out = openat(dfd, to, O_WRONLY | O_CREAT | O_EXCL, 0640);
	ssize_t k;

	assert_true(in >= 0 && out >= 0);
	while (len > 0 && (k = read(in, buf, (size_t)len < sizeof buf ? (size_t)len : sizeof buf)) > 0) {
		assert_int_equal(write(out, buf, (size_t)k), k);
		len -= k;
	}
	close(in);
	close(out);
}

/* Deletes only this host's closed, verified segments: not another host's
 * (even one named like ours, or whose name starts like ours), not junk,
 * links or directories with segment names, not one a process holds, and
 * none of those counts toward --max-bytes. */
static void test_apply(void **state)
{
	char dir[] = "/tmp/sst-retention-XXXXXX", cmd[64];
	char old1[320], old2[320], cur[320], held[320], other[320], web1[320], tmp[320];
	struct retention_owner who = {"web", "web"};
	struct retention_opts o = {0, 1};
	const char *why = NULL;
	struct stat st;
	int dfd, hfd, vfd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	assert_true(dfd >= 0);
	make_seg(dfd, "web", 1000 * USEC_PER_SEC, 2, 1000, old1, sizeof old1);
	make_seg(dfd, "web", 2000 * USEC_PER_SEC, 1, 2000, old2, sizeof old2);
	make_seg(dfd, "web", 2500 * USEC_PER_SEC, 1, 2500, held, sizeof held);
	make_seg(dfd, "web", 3000 * USEC_PER_SEC, 1, 3000, cur, sizeof cur);
	make_seg(dfd, "web-1", 500 * USEC_PER_SEC, 1, 500, web1, sizeof web1);
	/* another host's segment under a name of ours */
	make_seg(dfd, "db", 600 * USEC_PER_SEC, 1, 600, tmp, sizeof tmp);
	snprintf(other, sizeof other, "sockscope-web-19700101T001000Z.zst");
	assert_int_equal(renameat(dfd, tmp, dfd, other), 0);
	touch(dfd, "sockscope-web-19700101T000100Z.zst", 60, 60);          /* junk */
	touch(dfd, "sockscope-web-19700101T000200Z-1.zst", 0, 120);        /* empty */
	assert_int_equal(symlinkat(old2, dfd, "sockscope-web-19700101T000300Z.zst"), 0);
	assert_int_equal(mkdirat(dfd, "sockscope-web-19700101T000400Z.zst", 0750), 0);
	touch(dfd, "notes.txt", 60, 10);
	/* torn: only the first snapshot's worth of an older segment, cut mid-second */
	assert_int_equal(fstatat(dfd, old1, &st, 0), 0);
	cp_file(dfd, old1, "sockscope-web-19700101T000500Z.zst", st.st_size - 3);
	/* a recorder writing `held` holds it (a separate open file description) */
	hfd = openat(dfd, held, O_RDONLY);
	assert_true(hfd >= 0);
	assert_int_equal(flock(hfd, LOCK_SH), 0);

	/* verify alone */
	vfd = openat(dfd, other, O_RDONLY);
	assert_int_equal(retention_verify(vfd, "web", &why), -EXDEV);
	close(vfd);
	vfd = openat(dfd, "sockscope-web-19700101T000100Z.zst", O_RDONLY);
	assert_int_equal(retention_verify(vfd, "web", &why), -EBADMSG);
	close(vfd);
	vfd = openat(dfd, "sockscope-web-19700101T000500Z.zst", O_RDONLY);
	assert_int_equal(retention_verify(vfd, "web", &why), 0);   /* torn tail: still ours */
	close(vfd);

	deleted = kept = 0;
	assert_int_equal(retention_apply(dfd, &who, cur, 30, (usec_t)4000 * USEC_PER_SEC, &o, count,
					 NULL), 3);
	assert_int_equal(deleted, 3);
	assert_int_equal(kept, 4);   /* other, junk, empty, held */
	assert_false(exists(dfd, old1));
	assert_false(exists(dfd, old2));
	assert_false(exists(dfd, "sockscope-web-19700101T000500Z.zst"));
	assert_true(exists(dfd, held));
	assert_true(exists(dfd, cur));
	assert_true(exists(dfd, web1));
	assert_true(exists(dfd, other));
	assert_true(exists(dfd, "sockscope-web-19700101T000100Z.zst"));
	assert_true(exists(dfd, "sockscope-web-19700101T000200Z-1.zst"));
	assert_true(exists(dfd, "sockscope-web-19700101T000300Z.zst"));
	assert_true(exists(dfd, "sockscope-web-19700101T000400Z.zst"));
	assert_true(exists(dfd, "notes.txt"));

	/* released: the next pass takes it */
	close(hfd);
	deleted = 0;
	assert_int_equal(retention_apply(dfd, &who, cur, 30, (usec_t)4000 * USEC_PER_SEC, &o, count,
					 NULL), 1);
	assert_false(exists(dfd, held));

	/* --max-age alone spares what is young, whatever the size */
	o = (struct retention_opts){3600 * USEC_PER_SEC, 0};
	assert_int_equal(retention_apply(dfd, &who, NULL, 0, (usec_t)4000 * USEC_PER_SEC, &o, count,
					 NULL), 0);
	assert_true(exists(dfd, cur));
	close(dfd);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plan_age),
		cmocka_unit_test(test_plan_bytes),
		cmocka_unit_test(test_plan_skip),
		cmocka_unit_test(test_own_name),
		cmocka_unit_test(test_apply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for recorder/segment: naming and modes, snapshots read back in
 * both compression modes (inline and thread), and abandon() cutting a
 * segment back to its last complete snapshot. */
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
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "segment.h"
#include "segread.h"
#include "snap.h"

struct tmp {
	char dir[64];
	int dfd;
};

static void tmp_init(struct tmp *t)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/sst-segment-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	t->dfd = open(t->dir, O_RDONLY | O_DIRECTORY);
	assert_true(t->dfd >= 0);
}

static void tmp_fini(struct tmp *t)
{
	char cmd[128];

	close(t->dfd);
	snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
	assert_int_equal(system(cmd), 0);
}

/* One snapshot with `lines` lines of section "s". */
static void snapshot(struct segment *seg, uint64_t seq, int lines, bool commit)
{
	struct snap_writer *w = snap_writer_new(segment_write, seg);
	struct snap_header h;

	memset(&h, 0, sizeof h);
	snprintf(h.host, sizeof h.host, "t");
	h.seq = seq;
	h.time = 1764079800000000LL;
	assert_int_equal(snap_writer_begin(w, &h), 0);
	assert_int_equal(snap_writer_section(w, "s"), 0);
	for (int i = 0; i < lines; i++) {
		char line[64];
		int n = snprintf(line, sizeof line, "tcp 198.51.100.%d:%d SYN_RECV %d\n", i % 256,
				 1024 + i, i * 7919);
		assert_int_equal(snap_writer_write(w, line, (size_t)n), 0);
	}
	assert_int_equal(snap_writer_end(w), 0);
	if (commit)
		assert_int_equal(segment_commit(seg, false), 0);
	snap_writer_free(w);
}

struct count {
	uint64_t last_seq;
	size_t bytes;
};

static int on_ev(void *ctx, const struct snap_event *ev)
{
	struct count *c = ctx;

	if (ev->type == SNAP_EV_DATA)
		c->bytes += ev->len;
	if (ev->type == SNAP_EV_END)
		c->last_seq = ev->hdr->seq;
	return 0;
}

static void read_back(struct tmp *t, const char *name, struct segread_stats *st, struct count *c)
{
	char path[400];

	snprintf(path, sizeof path, "%s/%s", t->dir, name);
	memset(c, 0, sizeof *c);
	assert_int_equal(segread_path(path, on_ev, c, st), 0);
}

static void round_trip(int workers)
{
	struct segment_opts o = {1, 23, workers};
	struct segread_stats st;
	struct count c;
	struct tmp t;
	struct segment *seg;
	struct stat sb;
	char name[320];
	int err = 0, lfd;

	tmp_init(&t);
	err = segment_open(t.dfd, "web 1", 1764079800000000LL, &o, &seg);
	assert_int_equal(err, 0);
	assert_non_null(seg);
	assert_string_equal(segment_name(seg), "sockscope-web_1-20251125T141000Z.zst");
	snprintf(name, sizeof name, "%s", segment_name(seg));
	/* 40k lines = ~1.5 MB: many slots and blocks */
	for (uint64_t i = 1; i <= 3; i++)
		snapshot(seg, i, 40000, true);
	assert_int_equal(segment_snapshots(seg), 3);
	/* held while open: retention elsewhere cannot lock it, after close it can */
	lfd = openat(t.dfd, name, O_RDONLY);
	assert_true(lfd >= 0);
	assert_int_equal(flock(lfd, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	assert_int_equal(fstatat(t.dfd, name, &sb, 0), 0);
	assert_int_equal(sb.st_mode & 0777, 0640);
	assert_int_equal((uint64_t)sb.st_size, segment_size(seg));
	/* after a commit the file alone reads back: 3 good, open frame */
	read_back(&t, name, &st, &c);
	assert_int_equal(st.good, 3);
	assert_int_equal(st.bad, 0);
	assert_false(st.frame_complete);
	assert_int_equal(segment_close(seg), 0);
	assert_int_equal(flock(lfd, LOCK_EX | LOCK_NB), 0);
	close(lfd);
	read_back(&t, name, &st, &c);
	assert_int_equal(st.good, 3);
	assert_true(st.frame_complete);
	assert_int_equal(c.last_seq, 3);
	/* a second segment in the same second gets a suffix, never appends */
	err = segment_open(t.dfd, "web 1", 1764079800000000LL, &o, &seg);
	assert_int_equal(err, 0);
	assert_non_null(seg);
	assert_string_equal(segment_name(seg), "sockscope-web_1-20251125T141000Z-1.zst");
	/* nothing recorded: no empty file left */
	assert_int_equal(segment_close(seg), 0);
	assert_int_equal(faccessat(t.dfd, "sockscope-web_1-20251125T141000Z-1.zst", F_OK, 0), -1);
	tmp_fini(&t);
}

static void test_inline(void **state)
{
	(void)state;
	round_trip(0);
}

static void test_thread(void **state)
{
	(void)state;
	round_trip(1);
}

static void abandon_mid_snapshot(int workers)
{
	struct segment_opts o = {1, 23, workers};
	struct segread_stats st;
	struct count c;
	struct tmp t;
	struct segment *seg;
	char name[320];
	int err = 0;

	tmp_init(&t);
	err = segment_open(t.dfd, "h", 1764079800000000LL, &o, &seg);
	assert_int_equal(err, 0);
	assert_non_null(seg);
	snprintf(name, sizeof name, "%s", segment_name(seg));
	snapshot(seg, 1, 20000, true);
	snapshot(seg, 2, 20000, true);
	/* the third is written (partly flushed to disk) but never committed */
	snapshot(seg, 3, 60000, false);
	segment_abandon(seg);
	read_back(&t, name, &st, &c);
	assert_int_equal(st.good, 2);
	assert_int_equal(st.bad, 0);      /* cut at the flush point: no torn tail */
	assert_int_equal(c.last_seq, 2);
	/* abandoning a segment without a complete snapshot removes it */
	err = segment_open(t.dfd, "h", 1764079900000000LL, &o, &seg);
	assert_int_equal(err, 0);
	assert_non_null(seg);
	snprintf(name, sizeof name, "%s", segment_name(seg));
	snapshot(seg, 1, 60000, false);
	segment_abandon(seg);
	assert_int_equal(faccessat(t.dfd, name, F_OK, 0), -1);
	tmp_fini(&t);
}

static void test_abandon_inline(void **state)
{
	(void)state;
	abandon_mid_snapshot(0);
}

static void test_abandon_thread(void **state)
{
	(void)state;
	abandon_mid_snapshot(1);
}

static void test_is_name(void **state)
{
	(void)state;
	assert_true(segment_is_name("sockscope-web1-20261125T141000Z.zst"));
	assert_false(segment_is_name("sockscope-.zst"));
	assert_false(segment_is_name("other-web1-20261125T141000Z.zst"));
	assert_false(segment_is_name("sockscope-web1-20261125T141000Z.zst.tmp"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_thread),
		cmocka_unit_test(test_abandon_inline),
		cmocka_unit_test(test_abandon_thread),
		cmocka_unit_test(test_is_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for analyzer/ingest/rowreuse: the storing side's compact held
 * rows (every field back as it was added, through repeats, drops and the
 * arena's compaction, the pointers it hands out valid as documented) and
 * the parsing side's rule for text once a delta copied rows. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rowreuse.h"

static const char *const states[] = {"ESTABLISHED", "SYN_RECV", "TIME_WAIT", "LISTEN"};
static const char *const protos[] = {"tcp", "udp"};

/* Row number i of a made-up snapshot: an IPv6 peer (72 bytes of address
 * text) every 7th, a program every 3rd. */
static struct store_row mkrow(unsigned i, char *prog, size_t progsz)
{
	struct store_row r;

	memset(&r, 0, sizeof r);
	r.proto = protos[i % 2];
	r.state = states[i % 4];
	if (i % 7 == 0) {
		r.family = 6;
		r.llen = (uint8_t)snprintf(r.laddr, sizeof r.laddr, "2001:db8:1:2:3:4:5:%x", i);
		r.rlen = (uint8_t)snprintf(r.raddr, sizeof r.raddr, "2001:db8:ffff:eeee:dddd:%x::1",
					   i);
	} else {
		r.family = 4;
		r.llen = (uint8_t)snprintf(r.laddr, sizeof r.laddr, "192.0.2.%u", i % 250);
		r.rlen = (uint8_t)snprintf(r.raddr, sizeof r.raddr, "198.51.%u.%u", i / 250 % 250,
					   i % 250);
	}
	r.lport = (uint16_t)(i * 3);
	r.rport = (uint16_t)(40000 + i);
	r.rnet = (int64_t)i * 1000003 - 5;
	r.uid = i % 5;
	r.pid = (int32_t)(i % 11) - 1;
	r.inode = (uint64_t)i << 33 | i;
	r.unknown = (uint8_t)(i % 3);
	r.rxq = i;
	r.txq = i * 2;
	r.expires_ms = 1000 + i;
	r.retrans = i % 4;
	r.timer = (uint8_t)(i % 5);
	if (i % 3 == 0) {
		snprintf(prog, progsz, "prog-%u", i);
		r.program = prog;
	}
	return r;
}

static void assert_row_eq(const struct store_row *a, const struct store_row *b)
{
	assert_int_equal(a->llen, b->llen);
	assert_int_equal(a->rlen, b->rlen);
	assert_memory_equal(a->laddr, b->laddr, a->llen);
	assert_memory_equal(a->raddr, b->raddr, a->rlen);
	assert_int_equal(a->laddr[a->llen], '\0');
	assert_int_equal(a->raddr[a->rlen], '\0');
	assert_ptr_equal(a->proto, b->proto);
	assert_ptr_equal(a->state, b->state);
	assert_int_equal(a->family, b->family);
	assert_int_equal(a->unknown, b->unknown);
	assert_int_equal(a->lport, b->lport);
	assert_int_equal(a->rport, b->rport);
	assert_int_equal(a->rnet, b->rnet);
	assert_int_equal(a->uid, b->uid);
	assert_int_equal(a->pid, b->pid);
	assert_int_equal(a->inode, b->inode);
	assert_int_equal(a->rxq, b->rxq);
	assert_int_equal(a->txq, b->txq);
	assert_int_equal(a->expires_ms, b->expires_ms);
	assert_int_equal(a->retrans, b->retrans);
	assert_int_equal(a->timer, b->timer);
	assert_null(a->lhost);
	assert_null(a->rhost);
	if (!b->program)
		assert_null(a->program);
	else
		assert_string_equal(a->program, b->program);
}

/* Rows added, then got back one by one and as a run with new countdowns. */
static void test_rows_back(void **state)
{
	struct rowreuse_rows s;
	char prog[64];
	uint64_t exp[300];

	(void)state;
	rowreuse_rows_init(&s);
	for (unsigned i = 0; i < 300; i++) {
		struct store_row r = mkrow(i, prog, sizeof prog);

		assert_int_equal(rowreuse_rows_add(&s, &r), 0);
	}
	rowreuse_rows_commit(&s);
	for (unsigned i = 0; i < 300; i++) {
		struct store_row want = mkrow(i, prog, sizeof prog), got;

		assert_int_equal(rowreuse_rows_get(&s, i, ROWREUSE_SAME, &got), 0);
		assert_row_eq(&got, &want);
		assert_int_equal(rowreuse_rows_get(&s, i, 77, &got), 0);
		assert_int_equal(got.expires_ms, 77);
		exp[i] = i % 2 ? ROWREUSE_SAME : 5000 + i;
	}
	{
		struct store_row got;

		assert_int_equal(rowreuse_rows_get(&s, 300, ROWREUSE_SAME, &got), -EINVAL);
	}
	/* rows 10..309 do not exist: refused; 0..299 again, as a run */
	assert_int_equal(rowreuse_rows_repeat(&s, 10, 300, exp), -EINVAL);
	assert_int_equal(rowreuse_rows_repeat(&s, 0, 300, exp), 0);
	assert_int_equal(rowreuse_rows_count(&s), 300);
	for (unsigned i = 0; i < 300; i++) {
		struct store_row want = mkrow(i, prog, sizeof prog), got;

		if (exp[i] != ROWREUSE_SAME)
			want.expires_ms = (uint32_t)exp[i];
		rowreuse_rows_cur(&s, i, &got);
		assert_row_eq(&got, &want);
	}
	rowreuse_rows_commit(&s);
	for (unsigned i = 0; i < 300; i++) {
		struct store_row want = mkrow(i, prog, sizeof prog), got;

		if (exp[i] != ROWREUSE_SAME)
			want.expires_ms = (uint32_t)exp[i];
		assert_int_equal(rowreuse_rows_get(&s, i, ROWREUSE_SAME, &got), 0);
		assert_row_eq(&got, &want);
	}
	rowreuse_rows_fini(&s);
}

/* The import's OP_SAME: a row got from the previous snapshot is added to
 * the current one, then used: its program must still be readable after
 * the add (and after thousands more), until the commit. */
static void test_got_row_survives_adds(void **state)
{
	struct rowreuse_rows s;
	char prog[64];

	(void)state;
	rowreuse_rows_init(&s);
	for (unsigned i = 0; i < 2000; i++) {
		struct store_row r = mkrow(i, prog, sizeof prog);

		assert_int_equal(rowreuse_rows_add(&s, &r), 0);
	}
	rowreuse_rows_commit(&s);
	for (unsigned i = 0; i < 2000; i++) {
		struct store_row got, want = mkrow(i, prog, sizeof prog);

		assert_int_equal(rowreuse_rows_get(&s, i, ROWREUSE_SAME, &got), 0);
		assert_int_equal(rowreuse_rows_add(&s, &got), 0);
		assert_row_eq(&got, &want);
	}
	rowreuse_rows_commit(&s);
	for (unsigned i = 0; i < 2000; i++) {
		struct store_row got, want = mkrow(i, prog, sizeof prog);

		assert_int_equal(rowreuse_rows_get(&s, i, ROWREUSE_SAME, &got), 0);
		assert_row_eq(&got, &want);
	}
	rowreuse_rows_fini(&s);
}

/* Many snapshots, each a few new rows and the rest repeated, some torn:
 * the rows stay right through every compaction, and the arena stays
 * within its bound (twice what is live, plus the slack). */
static void test_arena_bounded(void **state)
{
	struct rowreuse_rows s;
	char prog[64];
	unsigned base = 0;   /* snapshot rows are base .. base+999 */
	uint64_t same[1000];

	(void)state;
	for (unsigned i = 0; i < 1000; i++)
		same[i] = ROWREUSE_SAME;
	rowreuse_rows_init(&s);
	for (unsigned i = 0; i < 1000; i++) {
		struct store_row r = mkrow(i, prog, sizeof prog);

		assert_int_equal(rowreuse_rows_add(&s, &r), 0);
	}
	rowreuse_rows_commit(&s);
	for (unsigned snap = 0; snap < 400; snap++) {
		bool torn = snap % 13 == 5;

		/* rows base+50.. repeated, 50 new ones at the end */
		assert_int_equal(rowreuse_rows_repeat(&s, 50, 950, same), 0);
		for (unsigned i = 0; i < 50; i++) {
			struct store_row r = mkrow(base + 1000 + i, prog, sizeof prog);

			assert_int_equal(rowreuse_rows_add(&s, &r), 0);
		}
		if (torn) {
			rowreuse_rows_drop(&s);
		} else {
			rowreuse_rows_commit(&s);
			base += 50;
		}
		assert_true(s.text.len <= 2 * s.live[s.cur ^ 1u] + 64 * 1024);
		for (unsigned i = 0; i < 1000; i += 37) {
			struct store_row got, want = mkrow(base + i, prog, sizeof prog);

			assert_int_equal(rowreuse_rows_get(&s, i, ROWREUSE_SAME, &got), 0);
			assert_row_eq(&got, &want);
		}
	}
	assert_true(base > 10000);
	rowreuse_rows_fini(&s);
}

/* The parsing side: rows matched by their text until a delta copied rows;
 * from then on no text is kept, nothing is matched by text, and copies are
 * still known by their base line. */
static void test_lines_text_until_copies(void **state)
{
	struct rowreuse_lines l;
	static const char *const rows[] = {
		"tcp\tESTABLISHED\t4\t192.0.2.1\t80\t198.51.100.1\t40000\t0\t0\t0\t1\t0\t900\t0\t-\t-",
		"tcp\tESTABLISHED\t4\t192.0.2.1\t80\t198.51.100.2\t40001\t0\t0\t0\t2\t0\t800\t0\t-\t-",
	};
	uint32_t j;
	uint64_t e;

	(void)state;
	rowreuse_lines_init(&l);
	for (int i = 0; i < 2; i++)
		assert_int_equal(rowreuse_lines_add(&l, rows[i], strlen(rows[i])), 0);
	rowreuse_lines_commit(&l);
	/* format 1: the same row, found by its text */
	assert_true(rowreuse_lines_match(&l, rows[1], strlen(rows[1]), &j, &e));
	assert_int_equal(j, 1);
	assert_int_equal(rowreuse_lines_add(&l, rows[1], strlen(rows[1])), 0);
	/* a delta copies line 0 of the previous snapshot's section */
	assert_true(rowreuse_lines_base(&l, 0, &j));
	assert_int_equal(j, 0);
	assert_int_equal(rowreuse_lines_add_copy(&l), 0);
	assert_int_equal(rowreuse_lines_add(&l, rows[0], strlen(rows[0])), 0);
	rowreuse_lines_commit(&l);
	/* no text kept: nothing matches by text, lines still name rows */
	assert_false(rowreuse_lines_match(&l, rows[0], strlen(rows[0]), &j, &e));
	assert_false(rowreuse_lines_match(&l, rows[1], strlen(rows[1]), &j, &e));
	assert_true(rowreuse_lines_base(&l, 2, &j));
	assert_int_equal(j, 2);
	assert_true(rowreuse_lines_base(&l, 1, &j));
	assert_int_equal(j, 1);
	assert_false(rowreuse_lines_base(&l, 3, &j));
	/* a keyframe's rows after it: their text is not kept */
	for (int i = 0; i < 2; i++)
		assert_int_equal(rowreuse_lines_add(&l, rows[i], strlen(rows[i])), 0);
	rowreuse_lines_commit(&l);
	assert_int_equal(l.text[l.cur ^ 1u].len, 0);
	assert_int_equal(l.n[l.cur ^ 1u], 2);
	assert_true(rowreuse_lines_base(&l, 1, &j));
	assert_int_equal(j, 1);
	rowreuse_lines_fini(&l);
}

/* Copies added many at once are the same as one by one: each line names
 * its row, after rows and norows around them. */
static void test_lines_add_copies(void **state)
{
	struct rowreuse_lines a, b;
	uint32_t ja, jb;

	(void)state;
	rowreuse_lines_init(&a);
	rowreuse_lines_init(&b);
	assert_int_equal(rowreuse_lines_add(&a, "x", 1), 0);
	assert_int_equal(rowreuse_lines_add(&b, "x", 1), 0);
	assert_int_equal(rowreuse_lines_norow(&a), 0);
	assert_int_equal(rowreuse_lines_norow(&b), 0);
	for (int i = 0; i < 2000; i++)   /* past the first room */
		assert_int_equal(rowreuse_lines_add_copy(&a), 0);
	assert_int_equal(rowreuse_lines_add_copies(&b, 1500), 0);
	assert_int_equal(rowreuse_lines_add_copies(&b, 500), 0);
	assert_int_equal(rowreuse_lines_add(&a, "y", 1), 0);
	assert_int_equal(rowreuse_lines_add(&b, "y", 1), 0);
	rowreuse_lines_commit(&a);
	rowreuse_lines_commit(&b);
	for (size_t k = 0; k < 2005; k++) {
		bool ha = rowreuse_lines_base(&a, k, &ja), hb = rowreuse_lines_base(&b, k, &jb);

		assert_int_equal(ha, hb);
		assert_int_equal(ha, k != 1 && k < 2003);
		if (ha)
			assert_int_equal(ja, jb);
	}
	assert_true(rowreuse_lines_base(&b, 2002, &jb));
	assert_int_equal(jb, 2001);   /* x, 2000 copies, y: rows 0 .. 2001 */
	rowreuse_lines_fini(&a);
	rowreuse_lines_fini(&b);
}

/* Names in runs, as a server's rows come (a process's sockets together),
 * shared by equal neighbours: each row still reads its own name, after
 * adds, runs that start inside a run of names, and commits; the light
 * copy gives exactly what varies. */
static void test_shared_names(void **state)
{
	static const char *const names[] = {"nginx", "nginx", "nginx", "nginy", "sshd", "nginx",
					    NULL,    "nginx", "nginx", "",     "",       "sshd"};
	const size_t nn = sizeof names / sizeof names[0];
	struct rowreuse_rows s;
	char prog[64];
	uint64_t exp[16];

	(void)state;
	rowreuse_rows_init(&s);
	for (unsigned i = 0; i < nn; i++) {
		struct store_row r = mkrow(i, prog, sizeof prog);

		r.program = names[i];
		assert_int_equal(rowreuse_rows_add(&s, &r), 0);
	}
	rowreuse_rows_commit(&s);
	for (unsigned round = 0; round < 3; round++) {
		/* rows 1.. (from inside the first run of names), then row 0 */
		for (unsigned i = 0; i < nn; i++)
			exp[i] = ROWREUSE_SAME;
		assert_int_equal(rowreuse_rows_repeat(&s, 1, (uint32_t)nn - 1, exp), 0);
		assert_int_equal(rowreuse_rows_repeat(&s, 0, 1, exp), 0);
		for (unsigned k = 0; k < nn; k++) {
			unsigned i = k + 1 < nn ? k + 1 : 0;
			struct store_row want = mkrow(i, prog, sizeof prog), got, light;

			want.program = names[i];
			rowreuse_rows_cur(&s, k, &got);
			assert_row_eq(&got, &want);
			memset(&light, 0, sizeof light);
			rowreuse_rows_cur_light(&s, k, &light);
			assert_ptr_equal(light.proto, want.proto);
			assert_ptr_equal(light.state, want.state);
			assert_int_equal(light.rxq, want.rxq);
			assert_int_equal(light.txq, want.txq);
			assert_int_equal(light.expires_ms, want.expires_ms);
			assert_int_equal(light.retrans, want.retrans);
			assert_int_equal(light.timer, want.timer);
			assert_int_equal(light.llen, 0);   /* the rest is left alone */
		}
		rowreuse_rows_commit(&s);
		/* back in the original order for the next round */
		assert_int_equal(rowreuse_rows_repeat(&s, (uint32_t)nn - 1, 1, exp), 0);
		assert_int_equal(rowreuse_rows_repeat(&s, 0, (uint32_t)nn - 1, exp), 0);
		for (unsigned i = 0; i < nn; i++) {
			struct store_row want = mkrow(i, prog, sizeof prog), got;

			want.program = names[i];
			rowreuse_rows_cur(&s, i, &got);
			assert_row_eq(&got, &want);
		}
		rowreuse_rows_commit(&s);
	}
	rowreuse_rows_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_back),
		cmocka_unit_test(test_shared_names),
		cmocka_unit_test(test_got_row_survives_adds),
		cmocka_unit_test(test_arena_bounded),
		cmocka_unit_test(test_lines_text_until_copies),
		cmocka_unit_test(test_lines_add_copies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

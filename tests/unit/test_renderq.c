/* Unit tests for recorder/renderq: the digests of renderings made by the
 * thread equal SHA-256 of the same renderings made in line, for a snapshot
 * of many batches, an empty one, and snapshots in a row. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "netstat.h"
#include "renderq.h"
#include "sha256.h"
#include "sockrow.h"
#include "tcpstate.h"

static const char *const args[] = {"-na", "-aultnp", "-n -p", "-ntu", "-anp"};
#define NA (sizeof args / sizeof args[0])

static void row(struct sock_row *r, unsigned i)
{
	memset(r, 0, sizeof *r);
	r->proto = i % 5 == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	r->family = AF_INET;
	r->state = i % 3 == 0 ? ST_LISTEN : ST_ESTABLISHED;
	r->local.family = r->remote.family = AF_INET;
	r->local.a[0] = 192;
	r->local.a[1] = 0;
	r->local.a[2] = 2;
	r->local.a[3] = (uint8_t)(i % 250 + 1);
	r->remote.a[0] = 198;
	r->remote.a[1] = 51;
	r->remote.a[2] = 100;
	r->remote.a[3] = (uint8_t)(i % 200 + 1);
	r->lport = (uint16_t)(1000 + i % 3000);
	r->rport = (uint16_t)(40000 + i % 20000);
	r->rxq = i % 7;
	r->txq = i % 11;
	r->inode = i % 4 ? 100000 + i : 0;
	r->pid = i % 4 ? (int32_t)(200 + i % 9) : 0;
	r->program = i % 4 ? "srv" : NULL;
}

/* n rows through renderq and in line: the same digests and lengths. */
static void check(struct renderq *q, const struct netstat_opts *ns, unsigned n)
{
	uint8_t got[NA][SHA256_LEN], want[SHA256_LEN];
	uint64_t len[NA];
	struct buf text[NA];
	struct sock_row r;

	assert_int_equal(renderq_begin(q, ns, NA), 0);
	for (size_t i = 0; i < NA; i++) {
		buf_init(&text[i]);
		assert_true(netstat_render_header(&ns[i], &text[i]) >= 0);
	}
	for (unsigned i = 0; i < n; i++) {
		row(&r, i);
		assert_int_equal(renderq_row(q, &r), 0);
		for (size_t k = 0; k < NA; k++)
			assert_true(netstat_render_row(&ns[k], &r, &text[k]) >= 0);
	}
	assert_int_equal(renderq_end(q, got, len), 0);
	for (size_t i = 0; i < NA; i++) {
		struct sha256 sha;

		sha256_init(&sha);
		sha256_update(&sha, text[i].data ? text[i].data : "", text[i].len);
		sha256_final(&sha, want);
		assert_int_equal(len[i], text[i].len);
		assert_memory_equal(got[i], want, SHA256_LEN);
		buf_fini(&text[i]);
	}
}

static void test_same_digests(void **state)
{
	struct netstat_opts ns[NA];
	struct renderq *q = renderq_new();
	const char *bad;

	(void)state;
	assert_non_null(q);
	for (size_t i = 0; i < NA; i++)
		assert_int_equal(netstat_opts_parse(args[i], &ns[i], &bad), 0);
	check(q, ns, 10000);   /* many batches, and a partial last one */
	check(q, ns, 0);       /* headers only */
	check(q, ns, 1024);    /* exactly one batch */
	renderq_free(q);
}

/* Freed in the middle of a snapshot (the collector failed): no leak, no hang. */
static void test_free_midway(void **state)
{
	struct netstat_opts ns[1];
	struct renderq *q = renderq_new();
	struct sock_row r;
	const char *bad;

	(void)state;
	assert_non_null(q);
	assert_int_equal(netstat_opts_parse("-na", &ns[0], &bad), 0);
	assert_int_equal(renderq_begin(q, ns, 1), 0);
	for (unsigned i = 0; i < 5000; i++) {
		row(&r, i);
		assert_int_equal(renderq_row(q, &r), 0);
	}
	renderq_free(q);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_digests),
		cmocka_unit_test(test_free_midway),
	};

	(void)argc;
	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for analyzer/parse/textfmt_proc: the captured /proc/net files alone and
 * concatenated, with and without headers and names, bad rows, probe(). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "textfmt.h"
#include "tcpstate.h"
#include "fixture.h"
#include "textfmtfeed.h"

#define MAXROWS 64

struct rows {
	struct sock_row r[MAXROWS];
	size_t n;
	size_t bad[16];
	const char *what[16];
	size_t nbad;
	int fail_at;
};

static int collect(void *ctx, const struct sock_row *r)
{
	struct rows *rs = ctx;

	if (rs->fail_at && (int)rs->n + 1 == rs->fail_at)
		return -ECANCELED;
	assert_true(rs->n < MAXROWS);
	rs->r[rs->n++] = *r;
	return 0;
}

static void complain(void *ctx, size_t lineno, const char *expected)
{
	struct rows *rs = ctx;

	assert_non_null(expected);
	if (rs->nbad < 16) {
		rs->bad[rs->nbad] = lineno;
		rs->what[rs->nbad] = expected;
	}
	rs->nbad++;
}

static int run(const char *text, size_t len, const char *hint, struct rows *rs)
{
	struct row_sink sink = {collect, complain, rs};

	return textfmt_feed(&textfmt_proc, hint, text, len, &sink);
}

static void run_ok(const char *text, size_t len, const char *hint, struct rows *rs)
{
	memset(rs, 0, sizeof *rs);
	assert_int_equal(run(text, len, hint, rs), 0);
}

/* The files concatenated, in this order: tcp, tcp6, udp, udp6. */
static char *load_all(const char *const *names, size_t nnames, size_t *len)
{
	char *all = NULL;
	size_t n = 0;

	for (size_t i = 0; i < nnames; i++) {
		size_t l;
		char *t = netstat_fixture(names[i], &l);

		all = realloc(all, n + l + 1);
		assert_non_null(all);
		memcpy(all + n, t, l);
		n += l;
		all[n] = '\0';
		free(t);
	}
	*len = n;
	return all;
}

/* Every socket of proc_net_{tcp,tcp6,udp,udp6}, in file order
 * (tests/data/netstat/README.md says how they were made). */
static const struct want {
	int proto, family;
	const char *laddr;
	unsigned lport;
	const char *raddr;
	unsigned rport;
	int state;
	unsigned uid;
	unsigned long inode;
	int timer;
	unsigned expires_ms;
} sockets[] = {
	/* proc_net_tcp: 15 */
	{IPPROTO_TCP, AF_INET, "198.51.100.1", 80, "0.0.0.0", 0, ST_LISTEN, 0, 1328769, 0, 0},
	{IPPROTO_TCP, AF_INET, "198.51.100.1", 7000, "0.0.0.0", 0, ST_LISTEN, 0, 1328770, 0, 0},
	{IPPROTO_TCP, AF_INET, "198.51.100.1", 9000, "0.0.0.0", 0, ST_LISTEN, 0, 1328771, 0, 0},
	{IPPROTO_TCP, AF_INET, "198.51.100.1", 8443, "0.0.0.0", 0, ST_LISTEN, 65534, 1328777, 0,
	 0},
	{IPPROTO_TCP, AF_INET, "0.0.0.0", 8080, "0.0.0.0", 0, ST_LISTEN, 0, 1328767, 0, 0},
	{IPPROTO_TCP, AF_INET, "198.51.100.1", 9000, "198.51.100.51", 40002, ST_SYN_RECV, 0, 0, 1,
	 1010},
	{IPPROTO_TCP, AF_INET, "198.51.100.3", 33617, "198.51.100.1", 7000, ST_TIME_WAIT, 0, 0, 3,
	 57870},
	{IPPROTO_TCP, AF_INET, "198.51.100.3", 46205, "198.51.100.1", 443, ST_ESTABLISHED, 0,
	 1288679, 0, 0},
	{IPPROTO_TCP, AF_INET, "198.51.100.1", 80, "198.51.100.2", 41077, ST_CLOSE_WAIT, 0,
	 1328962, 0, 0},
	{IPPROTO_TCP, AF_INET, "198.51.100.1", 9000, "198.51.100.50", 40001, ST_SYN_RECV, 0, 0, 1,
	 1000},
	{IPPROTO_TCP, AF_INET, "198.51.100.2", 43747, "198.51.100.1", 8080, ST_ESTABLISHED, 0,
	 1288678, 0, 0},
	{IPPROTO_TCP, AF_INET, "198.51.100.1", 9000, "198.51.100.99", 65535, ST_SYN_RECV, 0, 0, 1,
	 1000},
	{IPPROTO_TCP, AF_INET, "198.51.100.1", 8080, "198.51.100.2", 43747, ST_ESTABLISHED, 0,
	 1328960, 0, 0},
	{IPPROTO_TCP, AF_INET, "198.51.100.2", 36281, "198.51.100.1", 7000, ST_TIME_WAIT, 0, 0, 3,
	 57860},
	{IPPROTO_TCP, AF_INET, "198.51.100.2", 41077, "198.51.100.1", 80, ST_FIN_WAIT2, 0, 1288683,
	 0, 0},
	/* proc_net_tcp6: 7 */
	{IPPROTO_TCP, AF_INET6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", 8443, "::", 0, ST_LISTEN,
	 65534, 1328776, 0, 0},
	{IPPROTO_TCP, AF_INET6, "::", 443, "::", 0, ST_LISTEN, 0, 1328768, 0, 0},
	{IPPROTO_TCP, AF_INET6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", 8443,
	 "2001:db8:aaaa:bbbb:cccc:dddd:eeee:2", 44367, ST_ESTABLISHED, 65534, 1288682, 0, 0},
	{IPPROTO_TCP, AF_INET6, "::ffff:198.51.100.1", 443, "::ffff:198.51.100.3", 46205,
	 ST_ESTABLISHED, 0, 1328961, 0, 0},
	{IPPROTO_TCP, AF_INET6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:2", 44367,
	 "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", 8443, ST_ESTABLISHED, 0, 1288681, 0, 0},
	{IPPROTO_TCP, AF_INET6, "2001:db8::1", 443, "2001:db8::2", 40947, ST_ESTABLISHED, 0,
	 1328963, 0, 0},
	{IPPROTO_TCP, AF_INET6, "2001:db8::2", 40947, "2001:db8::1", 443, ST_ESTABLISHED, 0,
	 1288680, 0, 0},
	/* proc_net_udp: 2 */
	{IPPROTO_UDP, AF_INET, "198.51.100.2", 5000, "198.51.100.9", 6000, ST_ESTABLISHED, 0,
	 1288684, 0, 0},
	{IPPROTO_UDP, AF_INET, "0.0.0.0", 53, "0.0.0.0", 0, ST_CLOSE, 0, 1328772, 0, 0},
	/* proc_net_udp6: 2 */
	{IPPROTO_UDP, AF_INET6, "2001:db8::2", 5001, "2001:db8::9", 6001, ST_ESTABLISHED, 0,
	 1288685, 0, 0},
	{IPPROTO_UDP, AF_INET6, "::", 5353, "::", 0, ST_CLOSE, 0, 1328773, 0, 0},
};
#define NSOCKETS (sizeof sockets / sizeof sockets[0])

static const struct {
	const char *file;
	size_t first, count;
} files[] = {
	{"proc_net_tcp", 0, 15},
	{"proc_net_tcp6", 15, 7},
	{"proc_net_udp", 22, 2},
	{"proc_net_udp6", 24, 2},
};

static void assert_row(const struct sock_row *r, const struct want *w)
{
	char a[ADDR_STRLEN];

	assert_int_equal(r->proto, w->proto);
	assert_int_equal(r->family, w->family);
	assert_int_equal(r->local.family, w->family);
	assert_int_equal(r->remote.family, w->family);
	addr_format(&r->local, a, sizeof a);
	assert_string_equal(a, w->laddr);
	assert_int_equal(r->lport, w->lport);
	addr_format(&r->remote, a, sizeof a);
	assert_string_equal(a, w->raddr);
	assert_int_equal(r->rport, w->rport);
	assert_int_equal(r->state, w->state);
	assert_int_equal(r->uid, w->uid);
	assert_int_equal(r->inode, w->inode);
	assert_int_equal(r->timer, w->timer);
	assert_int_equal(r->expires_ms, w->expires_ms);
	assert_int_equal(r->rxq, 0);
	assert_int_equal(r->txq, 0);
	/* /proc says everything but the owner */
	assert_int_equal(r->unknown, 0);
	assert_int_equal(r->pid, 0);
	assert_null(r->program);
}

static void assert_rows(const struct rows *rs, size_t first, size_t count)
{
	assert_int_equal(rs->n, count);
	for (size_t i = 0; i < count; i++)
		assert_row(&rs->r[i], &sockets[first + i]);
}

/* Each file alone: under its own name, with no name, and under a name
 * saying the wrong protocol (the header wins). */
static void test_single_files(void **state)
{
	static struct rows rs;
	static const char *const hints[] = {NULL, "x.txt", "/tmp/udp/tcp-dump.txt",
					    "tcp.txt", "udp.txt"};
	(void)state;

	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		size_t len;
		char *text = netstat_fixture(files[f].file, &len);

		run_ok(text, len, files[f].file, &rs);
		assert_int_equal(rs.nbad, 0);
		assert_rows(&rs, files[f].first, files[f].count);
		for (size_t h = 0; h < sizeof hints / sizeof hints[0]; h++) {
			run_ok(text, len, hints[h], &rs);
			assert_int_equal(rs.nbad, 0);
			assert_rows(&rs, files[f].first, files[f].count);
		}
		free(text);
	}
}

/* cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 > x */
static void test_concatenated(void **state)
{
	static struct rows rs;
	static const char *const all[] = {"proc_net_tcp", "proc_net_tcp6", "proc_net_udp",
					  "proc_net_udp6"};
	static const char *const rev[] = {"proc_net_udp6", "proc_net_tcp6", "proc_net_udp",
					  "proc_net_tcp"};
	size_t len, k = 0;
	char *text = load_all(all, 4, &len);
	(void)state;

	run_ok(text, len, "x", &rs);
	assert_int_equal(rs.nbad, 0);
	assert_rows(&rs, 0, NSOCKETS);
	/* under a udp name too: the first header says tcp */
	run_ok(text, len, "proc_net_udp", &rs);
	assert_int_equal(rs.nbad, 0);
	assert_rows(&rs, 0, NSOCKETS);
	free(text);

	/* another order: every header re-decides */
	text = load_all(rev, 4, &len);
	run_ok(text, len, "all.txt", &rs);
	assert_int_equal(rs.nbad, 0);
	assert_int_equal(rs.n, NSOCKETS);
	for (size_t f = 0; f < 4; f++) {
		size_t idx = f == 0 ? 3 : f == 1 ? 1 : f == 2 ? 2 : 0;

		for (size_t i = 0; i < files[idx].count; i++)
			assert_row(&rs.r[k++], &sockets[files[idx].first + i]);
	}
	assert_int_equal(k, NSOCKETS);
	free(text);
}

/* Without a header line, the name decides: "udp" in its last component
 * means UDP, anything else TCP. */
static void test_headerless(void **state)
{
	static struct rows rs;
	size_t len;
	char *text = netstat_fixture("proc_net_udp6", &len);
	const char *rows = strchr(text, '\n') + 1;
	size_t rlen = len - (size_t)(rows - text);
	(void)state;

	run_ok(rows, rlen, "host1/proc_net_udp6.txt", &rs);
	assert_int_equal(rs.nbad, 0);
	assert_rows(&rs, 24, 2);
	run_ok(rows, rlen, "UDP6", &rs);
	assert_int_equal(rs.r[0].proto, IPPROTO_UDP);
	run_ok(rows, rlen, NULL, &rs);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.r[0].proto, IPPROTO_TCP);
	assert_int_equal(rs.r[1].proto, IPPROTO_TCP);
	assert_int_equal(rs.r[0].family, AF_INET6);
	/* a directory called udp does not count */
	run_ok(rows, rlen, "/srv/udp/dump.txt", &rs);
	assert_int_equal(rs.r[0].proto, IPPROTO_TCP);
	free(text);
}

/* raw and raw6 share udp's header; only the name tells them apart. */
static void test_raw(void **state)
{
	static struct rows rs;
	char a[ADDR_STRLEN];
	size_t len;
	char *text = netstat_fixture("proc_net_raw6", &len);
	(void)state;

	run_ok(text, len, "proc_net_raw6", &rs);
	assert_int_equal(rs.nbad, 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].proto, IPPROTO_RAW);
	assert_int_equal(rs.r[0].family, AF_INET6);
	assert_int_equal(rs.r[0].lport, 58);   /* ICMPv6 */
	assert_int_equal(rs.r[0].inode, 1328775);
	addr_format(&rs.r[0].local, a, sizeof a);
	assert_string_equal(a, "::");
	run_ok(text, len, "dump.txt", &rs);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].proto, IPPROTO_UDP);
	free(text);
}

/* Request sockets (state 0C) are SYN_RECV like everywhere else. */
static void test_new_syn_recv(void **state)
{
	static struct rows rs;
	static const char text[] =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   "
		"uid  timeout inode\n"
		"   0: 016433C6:2328 336433C6:9C42 0C 00000000:00000000 02:00000065 00000001     0"
		"        0 0 0 000000008c8d40b6\n";
	(void)state;

	run_ok(text, strlen(text), NULL, &rs);
	assert_int_equal(rs.nbad, 0);
	assert_int_equal(rs.n, 1);
	assert_int_equal(rs.r[0].state, ST_SYN_RECV);
	assert_int_equal(rs.r[0].rport, 40002);
	assert_int_equal(rs.r[0].expires_ms, 1010);
	assert_int_equal(rs.r[0].retrans, 1);
}

static void test_bad_lines(void **state)
{
	static struct rows rs;
	static const char text[] =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   "
		"uid  timeout inode\n"
		"   0: 016433C6:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
		"        0 1328769 1 000000008f8492b6 100 0 0 10 0\n"
		"   1: 016433C60000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 "
		"0 1 1\n"
		"   2: 016433C6:0050 00000000:0000 0D 00000000:00000000 00:00000000 00000000     0"
		"        0 1328769 1\n"
		"   3: 016433C6:0050 00000000:0000 0A\n"
		"\n"
		"garbage\n"
		"   4: 016433C6:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 "
		"00:00000000 00000000     0        0 1 1\n"
		"   5: 016433C6:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0"
		"        0 1328770 1 000000008f8492b6 100 0 0 10 0\n";
	(void)state;

	run_ok(text, strlen(text), "proc_net_tcp", &rs);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.r[0].inode, 1328769);
	assert_int_equal(rs.r[1].inode, 1328770);
	assert_int_equal(rs.nbad, 5);
	assert_int_equal(rs.bad[0], 3);
	assert_non_null(strstr(rs.what[0], "8 (IPv4) or 32 (IPv6)"));
	assert_int_equal(rs.bad[1], 4);
	assert_non_null(strstr(rs.what[1], "column st"));
	assert_int_equal(rs.bad[2], 5);
	assert_non_null(strstr(rs.what[2], "at least 10 fields"));
	assert_int_equal(rs.bad[3], 7);
	assert_int_equal(rs.bad[4], 8);
	assert_non_null(strstr(rs.what[4], "rem_address"));
}

static void test_sink_error(void **state)
{
	static struct rows rs;
	size_t len;
	char *text = netstat_fixture("proc_net_tcp", &len);
	(void)state;

	memset(&rs, 0, sizeof rs);
	rs.fail_at = 4;
	assert_int_equal(run(text, len, NULL, &rs), -ECANCELED);
	assert_int_equal(rs.n, 3);
	free(text);
}

static void test_probe(void **state)
{
	static const struct {
		const char *line;
		int want;
	} cases[] = {
		{"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
		 "timeout inode",
		 TEXTFMT_PROBE_SURE},
		{"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
		 "timeout inode\r",
		 TEXTFMT_PROBE_SURE},
		{"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
		 "timeout inode ref pointer drops            ",
		 TEXTFMT_PROBE_SURE},
		{"  sl  local_address                         remote_address                        st "
		 "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
		 TEXTFMT_PROBE_SURE},
		{"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0   "
		 "     0 16010 1 0000000000000000 100 0 0 10 0",
		 TEXTFMT_PROBE_SURE},
		{"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0   "
		 "     0 16010 1 0000000000000000 100 0 0 10 0\r",
		 TEXTFMT_PROBE_SURE},
		{" 1243: B80D0120000000000000000002000000:1389 B80D0120000000000000000009000000:1771 01 "
		 "00000000:00000000 00:00000000 00000000     0        0 1288685 2 000000005db5e5be 0",
		 TEXTFMT_PROBE_SURE},
		{"   0: 0100007F:0277 00000000:0000 0A", TEXTFMT_PROBE_NO},
		{"", TEXTFMT_PROBE_NO},
		{"tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN",
		 TEXTFMT_PROBE_NO},
		{"  TCP    1.2.3.45:135           0.0.0.0:0              LISTENING       1044",
		 TEXTFMT_PROBE_NO},
		{"Active Connections", TEXTFMT_PROBE_NO},
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = textfmt_proc.probe(cases[i].line, strlen(cases[i].line));

		if (got != cases[i].want)
			fail_msg("probe(\"%s\") = %d, want %d", cases[i].line, got, cases[i].want);
	}
	assert_string_equal(textfmt_proc.name, "proc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_files),
		cmocka_unit_test(test_concatenated),
		cmocka_unit_test(test_headerless),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_new_syn_recv),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_sink_error),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for common/procnet: the captured /proc/net files of
 * tests/data/netstat parsed into rows, and malformed input. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "procnet.h"
#include "tcpstate.h"
#include "fixture.h"

struct rows {
	struct sock_row r[64];
	size_t n;
	size_t bad[8];
	const char *what[8];
	size_t nbad;
	int stop_after;
};

static int collect(void *ctx, const struct sock_row *r)
{
	struct rows *rs = ctx;

	if (rs->stop_after && (int)rs->n == rs->stop_after)
		return -ECANCELED;
	assert_true(rs->n < sizeof rs->r / sizeof rs->r[0]);
	rs->r[rs->n++] = *r;
	return 0;
}

static void complain(void *ctx, size_t lineno, const char *expected)
{
	struct rows *rs = ctx;

	assert_non_null(expected);
	if (rs->nbad < 8) {
		rs->bad[rs->nbad] = lineno;
		rs->what[rs->nbad] = expected;
	}
	rs->nbad++;
}

static long parse_file(const char *name, int proto, int family, struct rows *rs)
{
	struct row_sink sink = {collect, complain, rs};
	size_t len;
	char *text = netstat_fixture(name, &len);
	long n;

	memset(rs, 0, sizeof *rs);
	n = procnet_parse(text, len, proto, family, false, &sink);
	free(text);
	assert_int_equal(rs->nbad, 0);
	return n;
}

static void assert_addr(const struct addr *a, int family, const char *text)
{
	uint8_t want[16] = {0};

	assert_int_equal(a->family, family);
	assert_int_equal(inet_pton(family, text, want), 1);
	assert_memory_equal(a->a, want, 16);
}

static void test_tcp_fixture(void **state)
{
	static struct rows rs;
	const struct sock_row *r;

	(void)state;
	assert_int_equal(parse_file("proc_net_tcp", IPPROTO_TCP, AF_INET, &rs), 15);
	/* 3: LISTEN of the uid-65534 "my server app" */
	r = &rs.r[3];
	assert_int_equal(r->proto, IPPROTO_TCP);
	assert_int_equal(r->family, AF_INET);
	assert_int_equal(r->state, ST_LISTEN);
	assert_addr(&r->local, AF_INET, "198.51.100.1");
	assert_int_equal(r->lport, 8443);
	assert_addr(&r->remote, AF_INET, "0.0.0.0");
	assert_int_equal(r->rport, 0);
	assert_int_equal(r->uid, 65534);
	assert_int_equal(r->inode, 1328777);
	assert_int_equal(r->timer, TIMER_OFF);
	assert_int_equal(r->pid, 0);
	assert_null(r->program);
	/* 5: a request socket from a spoofed SYN */
	r = &rs.r[5];
	assert_int_equal(r->state, ST_SYN_RECV);
	assert_addr(&r->local, AF_INET, "198.51.100.1");
	assert_int_equal(r->lport, 9000);
	assert_addr(&r->remote, AF_INET, "198.51.100.51");
	assert_int_equal(r->rport, 40002);
	assert_int_equal(r->timer, TIMER_ON);
	assert_int_equal(r->expires_ms, 0x65 * 10);
	assert_int_equal(r->retrans, 1);
	assert_int_equal(r->inode, 0);
	/* 6: TIME_WAIT of a client that closed first */
	r = &rs.r[6];
	assert_int_equal(r->state, ST_TIME_WAIT);
	assert_addr(&r->local, AF_INET, "198.51.100.3");
	assert_int_equal(r->lport, 0x8351);
	assert_int_equal(r->rport, 7000);
	assert_int_equal(r->timer, TIMER_TIMEWAIT);
	assert_int_equal(r->expires_ms, 0x169B * 10);
	assert_int_equal(r->inode, 0);
	/* 8: CLOSE_WAIT, 14: FIN_WAIT2 of the half-closed pair */
	assert_int_equal(rs.r[8].state, ST_CLOSE_WAIT);
	assert_int_equal(rs.r[8].inode, 1328962);
	assert_int_equal(rs.r[14].state, ST_FIN_WAIT2);
	assert_int_equal(rs.r[14].rport, 80);
	/* 11: the SYN from port 65535 */
	assert_addr(&rs.r[11].remote, AF_INET, "198.51.100.99");
	assert_int_equal(rs.r[11].rport, 65535);
}

static void test_tcp6_fixture(void **state)
{
	static struct rows rs;
	const struct sock_row *r;

	(void)state;
	assert_int_equal(parse_file("proc_net_tcp6", IPPROTO_TCP, AF_INET6, &rs), 7);
	r = &rs.r[0];
	assert_int_equal(r->family, AF_INET6);
	assert_addr(&r->local, AF_INET6, "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1");
	assert_int_equal(r->lport, 8443);
	assert_addr(&r->remote, AF_INET6, "::");
	assert_int_equal(r->uid, 65534);
	assert_int_equal(r->inode, 1328776);
	/* 3: a v4 client on the dual-stack listener: mapped, not folded */
	r = &rs.r[3];
	assert_addr(&r->local, AF_INET6, "::ffff:198.51.100.1");
	assert_int_equal(r->lport, 443);
	assert_addr(&r->remote, AF_INET6, "::ffff:198.51.100.3");
	assert_int_equal(r->rport, 0xB47D);
	assert_int_equal(r->state, ST_ESTABLISHED);
	assert_int_equal(r->inode, 1328961);
}

static void test_udp_raw_fixtures(void **state)
{
	static struct rows rs;

	(void)state;
	assert_int_equal(parse_file("proc_net_udp6", IPPROTO_UDP, AF_INET6, &rs), 2);
	assert_int_equal(rs.r[0].proto, IPPROTO_UDP);
	assert_int_equal(rs.r[0].state, ST_ESTABLISHED);
	assert_addr(&rs.r[0].local, AF_INET6, "2001:db8::2");
	assert_int_equal(rs.r[0].lport, 5001);
	assert_addr(&rs.r[0].remote, AF_INET6, "2001:db8::9");
	assert_int_equal(rs.r[0].rport, 6001);
	assert_int_equal(rs.r[0].inode, 1288685);
	assert_int_equal(rs.r[1].state, ST_CLOSE);
	assert_int_equal(rs.r[1].lport, 5353);

	assert_int_equal(parse_file("proc_net_udp", IPPROTO_UDP, AF_INET, &rs), 2);
	assert_addr(&rs.r[0].remote, AF_INET, "198.51.100.9");

	assert_int_equal(parse_file("proc_net_raw", IPPROTO_RAW, AF_INET, &rs), 1);
	assert_int_equal(rs.r[0].proto, IPPROTO_RAW);
	assert_int_equal(rs.r[0].lport, IPPROTO_ICMP);  /* raw: port = protocol */
	assert_int_equal(rs.r[0].state, 7);
	assert_int_equal(rs.r[0].inode, 1328774);

	assert_int_equal(parse_file("proc_net_raw6", IPPROTO_RAW, AF_INET6, &rs), 1);
	assert_int_equal(rs.r[0].lport, IPPROTO_ICMPV6);
	assert_addr(&rs.r[0].local, AF_INET6, "::");
}

static void test_swap(void **state)
{
	/* the same sockets as written by a CPU of the other byte order */
	static const char native4[] =
		"   0: 016433C6:0050 0A6433C6:D431 01 00000000:00000000 00:00000000 00000000 0 0 7 1";
	static const char swapped4[] =
		"   0: C6336401:0050 C633640A:D431 01 00000000:00000000 00:00000000 00000000 0 0 7 1";
	static const char swapped6[] =
		"   0: 20010DB8000000000000000000000001:01BB 00000000000000000000FFFFC6336402:1F90 "
		"01 00000000:00000000 00:00000000 00000000 0 0 8 1";
	struct sock_row a, b;
	const char *what;
	int le;
	const uint16_t one = 1;

	(void)state;
	le = *(const uint8_t *)&one == 1;
	assert_int_equal(procnet_parse_line(le ? native4 : swapped4, sizeof native4 - 1,
					    IPPROTO_TCP, AF_INET, false, &a, &what), 0);
	assert_int_equal(procnet_parse_line(le ? swapped4 : native4, sizeof native4 - 1,
					    IPPROTO_TCP, AF_INET, true, &b, &what), 0);
	assert_addr(&a.local, AF_INET, "198.51.100.1");
	assert_addr(&b.local, AF_INET, "198.51.100.1");
	assert_addr(&b.remote, AF_INET, "198.51.100.10");
	assert_int_equal(b.rport, 0xD431);
	assert_int_equal(procnet_parse_line(swapped6, sizeof swapped6 - 1, IPPROTO_TCP, AF_INET6,
					    le, &b, &what), 0);
	assert_addr(&b.local, AF_INET6, "2001:db8::1");
	assert_addr(&b.remote, AF_INET6, "::ffff:198.51.100.2");
	assert_int_equal(b.inode, 8);
}

static void test_bad_lines(void **state)
{
	static const struct {
		const char *line;
		int family;
		const char *what;
	} cases[] = {
		{"   0: 016433C6:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0",
		 AF_INET, "expected at least 10 fields"},
		{"   x: 016433C6:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		 AF_INET, "expected slot number"},
		{"   0: 016433C6 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		 AF_INET, "expected 8 hex digits, ':', 1-4 hex digits in column local_address"},
		{"   0: 016433C6:10000 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		 AF_INET, "expected 8 hex digits, ':', 1-4 hex digits in column local_address"},
		{"   0: 016433C6:0050 0000000G:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		 AF_INET, "expected 8 hex digits, ':', 1-4 hex digits in column rem_address"},
		{"   0: 016433C6:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
		 AF_INET6, "expected 32 hex digits, ':', 1-4 hex digits in column local_address"},
		{"   0: 016433C6:0050 00000000:0000 0D 00000000:00000000 00:00000000 00000000 0 0 1",
		 AF_INET, "expected a TCP state 01..0C as 2 hex digits in column st"},
		{"   0: 016433C6:0050 00000000:0000 0A 00000000-00000000 00:00000000 00000000 0 0 1",
		 AF_INET, "expected tx_queue:rx_queue as 8 hex digits each"},
		{"   0: 016433C6:0050 00000000:0000 0A 00000000:00000000 05:00000000 00000000 0 0 1",
		 AF_INET, "expected tr:tm->when with tr 00..04 and tm->when in hex"},
		{"   0: 016433C6:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 -1 0 1",
		 AF_INET, "expected decimal uid 0..4294967295 in column uid"},
		{"   0: 016433C6:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 4294967296 0 1",
		 AF_INET, "expected decimal uid 0..4294967295 in column uid"},
		{"   0: 016433C6:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1x",
		 AF_INET, "expected decimal inode in column inode"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct sock_row r;
		const char *what = NULL;

		assert_int_equal(procnet_parse_line(cases[i].line, strlen(cases[i].line), IPPROTO_TCP,
						    cases[i].family, false, &r, &what),
				 -EINVAL);
		assert_non_null(what);
		if (strncmp(what, cases[i].what, strlen(cases[i].what)) != 0)
			fail_msg("case %zu: got \"%s\"", i, what);
	}
}

static void test_sink_and_lines(void **state)
{
	static const char text[] =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 0100007F:0035 00000000:0000 0A 00000000:00000003 00:00000000 00000000   101        0 4242 1 0 100 0 0 10 0\r\n"
		"garbage\n"
		"\n"
		"   1: 0100007F:0035 0100007F:9999 01 0000000A:00000000 02:000003E8 00000002 0 0 4243 1 0\n"
		"   2: 0100007F:0035 0100007F:9998 01 0:0 0:0 0 0 0 4244";
	struct rows rs;
	struct row_sink sink = {collect, complain, &rs};
	struct sock_row r;
	const char *what;

	(void)state;
	memset(&rs, 0, sizeof rs);
	assert_int_equal(procnet_parse(text, sizeof text - 1, IPPROTO_TCP, AF_INET, false, &sink), 3);
	assert_int_equal(rs.nbad, 1);
	assert_int_equal(rs.bad[0], 3);
	assert_int_equal(rs.r[0].rxq, 3);
	assert_int_equal(rs.r[0].uid, 101);
	assert_int_equal(rs.r[1].txq, 10);
	assert_int_equal(rs.r[1].timer, TIMER_KEEPALIVE);
	assert_int_equal(rs.r[1].expires_ms, 10000);
	assert_int_equal(rs.r[1].retrans, 2);
	assert_int_equal(rs.r[2].inode, 4244);

	/* the sink can stop the parse */
	memset(&rs, 0, sizeof rs);
	rs.stop_after = 1;
	assert_int_equal(procnet_parse(text, sizeof text - 1, IPPROTO_TCP, AF_INET, false, &sink),
			 -ECANCELED);

	assert_int_equal(procnet_parse_line("", 0, IPPROTO_UDP, AF_INET, false, &r, &what), 1);
	assert_int_equal(procnet_parse_line(text, 40, IPPROTO_UDP, AF_INET, false, &r, &what), 1);
	assert_int_equal(procnet_parse_line(text, 10, IPPROTO_ICMP, AF_INET, false, &r, &what),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_fixture),
		cmocka_unit_test(test_tcp6_fixture),
		cmocka_unit_test(test_udp_raw_fixtures),
		cmocka_unit_test(test_swap),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_sink_and_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

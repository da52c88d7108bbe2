/* Unit tests for common/counters: captured /proc/net/{snmp,netstat} with
 * exact values, and malformed pairs reported on the right line. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "counters.h"
#include "fixture.h"

#define MAX_SEEN 512
#define MAX_BAD 16

struct seen {
	char key[MAX_SEEN][96]; /* "Group.Name" */
	int64_t val[MAX_SEEN];
	size_t n;
	size_t bad_line[MAX_BAD];
	char bad_what[MAX_BAD][128];
	size_t nbad;
	long stop_after; /* > 0: return -ECANCELED at that counter */
};

static int on_counter(void *ctx, const char *group, size_t glen, const char *name, size_t nlen,
		      int64_t value)
{
	struct seen *s = ctx;
	assert_true(s->n < MAX_SEEN);
	snprintf(s->key[s->n], sizeof s->key[0], "%.*s.%.*s", (int)glen, group, (int)nlen, name);
	s->val[s->n] = value;
	s->n++;
	if (s->stop_after > 0 && (long)s->n == s->stop_after)
		return -ECANCELED;
	return 0;
}

static void on_bad(void *ctx, size_t lineno, const char *expected)
{
	struct seen *s = ctx;
	assert_true(s->nbad < MAX_BAD);
	assert_non_null(expected);
	assert_true(expected[0] != '\0');
	s->bad_line[s->nbad] = lineno;
	snprintf(s->bad_what[s->nbad], sizeof s->bad_what[0], "%s", expected);
	s->nbad++;
}

static long parse_str(const char *text, struct seen *s)
{
	struct counter_sink sink = {on_counter, on_bad, s};
	memset(s, 0, sizeof *s);
	return counters_parse(text, strlen(text), &sink);
}

static int64_t lookup(const struct seen *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->key[i], key) == 0)
			return s->val[i];
	fail_msg("counter %s not reported", key);
	return 0;
}


static void test_snmp_fixture(void **state)
{
	struct seen *s = calloc(1, sizeof *s);
	struct counter_sink sink = {on_counter, on_bad, s};
	size_t len;
	char *text = fixture_load("proc/snmp", &len);
	(void)state;

	/* Ip 20 + Icmp 29 + IcmpMsg 2 + Tcp 15 + Udp 9 + UdpLite 9 */
	assert_int_equal(counters_parse(text, len, &sink), 84);
	assert_int_equal(s->n, 84);
	assert_int_equal(s->nbad, 0);
	assert_string_equal(s->key[0], "Ip.Forwarding");
	assert_int_equal(s->val[0], 2);
	assert_int_equal(lookup(s, "Ip.DefaultTTL"), 64);
	assert_int_equal(lookup(s, "Ip.OutTransmits"), 22);
	assert_int_equal(lookup(s, "IcmpMsg.OutType3"), 1);
	assert_int_equal(lookup(s, "Tcp.RtoMax"), 120000);
	assert_true(lookup(s, "Tcp.MaxConn") == -1);
	assert_int_equal(lookup(s, "Tcp.ActiveOpens"), 8);
	assert_int_equal(lookup(s, "Tcp.RetransSegs"), 6);
	assert_int_equal(lookup(s, "Udp.NoPorts"), 1);
	assert_string_equal(s->key[83], "UdpLite.MemErrors");
	free(text);
	free(s);
}

static void test_netstat_fixture(void **state)
{
	struct seen *s = calloc(1, sizeof *s);
	struct counter_sink sink = {on_counter, on_bad, s};
	size_t len;
	char *text = fixture_load("proc/netstat", &len);
	(void)state;

	/* TcpExt 135 + IpExt 18 + MPTcpExt 76 */
	assert_int_equal(counters_parse(text, len, &sink), 229);
	assert_int_equal(s->n, 229);
	assert_int_equal(s->nbad, 0);
	assert_int_equal(lookup(s, "TcpExt.SyncookiesSent"), 2);
	assert_int_equal(lookup(s, "TcpExt.SyncookiesRecv"), 2);
	assert_int_equal(lookup(s, "TcpExt.SyncookiesFailed"), 0);
	assert_int_equal(lookup(s, "TcpExt.ListenOverflows"), 12);
	assert_int_equal(lookup(s, "TcpExt.ListenDrops"), 12);
	assert_int_equal(lookup(s, "TcpExt.TCPReqQFullDoCookies"), 14);
	assert_int_equal(lookup(s, "IpExt.InOctets"), 1254);
	assert_int_equal(lookup(s, "IpExt.InNoECTPkts"), 22);
	assert_string_equal(s->key[0], "TcpExt.SyncookiesSent");
	assert_string_equal(s->key[228], "MPTcpExt.WinProbe");
	assert_true(strncmp(s->key[135], "IpExt.", 6) == 0);
	assert_string_equal(s->key[153], "MPTcpExt.MPCapableSYNRX");
	free(text);
	free(s);
}

static void test_values(void **state)
{
	struct seen *s = calloc(1, sizeof *s);
	(void)state;
	/* No trailing newline, CRLF, tabs, extremes of int64. */
	assert_int_equal(
	    parse_str("X: a\tb  c d\r\nX: -9223372036854775808 9223372036854775807\t0 -1", s), 4);
	assert_int_equal(s->nbad, 0);
	assert_true(lookup(s, "X.a") == INT64_MIN);
	assert_true(lookup(s, "X.b") == INT64_MAX);
	assert_int_equal(lookup(s, "X.c"), 0);
	assert_true(lookup(s, "X.d") == -1);
	/* Empty text and blank lines. */
	assert_int_equal(parse_str("", s), 0);
	assert_int_equal(parse_str("\n\n  \n", s), 0);
	assert_int_equal(s->nbad, 0);
	free(s);
}

static void test_count_mismatch(void **state)
{
	struct seen *s = calloc(1, sizeof *s);
	(void)state;
	assert_int_equal(parse_str("Ip: a b\nIp: 1 2\nTcp: x y z\nTcp: 1 2\nUdp: q\nUdp: 7\n", s),
			 3);
	assert_int_equal(s->nbad, 1);
	assert_int_equal(s->bad_line[0], 4);
	assert_string_equal(s->bad_what[0], "3 values, one per name on line 3 (got 2)");
	assert_int_equal(lookup(s, "Ip.b"), 2);
	assert_int_equal(lookup(s, "Udp.q"), 7);
	/* More values than names is just as wrong. */
	assert_int_equal(parse_str("Tcp: x\nTcp: 1 2\n", s), 0);
	assert_int_equal(s->nbad, 1);
	assert_int_equal(s->bad_line[0], 2);
	free(s);
}

static void test_group_mismatch(void **state)
{
	struct seen *s = calloc(1, sizeof *s);
	(void)state;
	/* Line 1 loses its values line; line 2 has values without names. */
	assert_int_equal(parse_str("Tcp: a b\nUdp: 1 2\nIp: c\nIp: 5\n", s), 1);
	assert_int_equal(s->nbad, 2);
	assert_int_equal(s->bad_line[0], 1);
	assert_string_equal(s->bad_what[0],
			    "a values line of the same group after this names line");
	assert_int_equal(s->bad_line[1], 2);
	assert_string_equal(s->bad_what[1],
			    "a names line of the same group before this values line");
	assert_int_equal(lookup(s, "Ip.c"), 5);
	free(s);
}

static void test_missing_values_line(void **state)
{
	struct seen *s = calloc(1, sizeof *s);
	(void)state;
	/* A names line followed by another group's names line, then one at EOF. */
	assert_int_equal(parse_str("Ip: a\nIp: 1\nTcp: x y\nUdp: p\nUdp: 3\nTcpExt: z\n", s), 2);
	assert_int_equal(s->nbad, 2);
	assert_int_equal(s->bad_line[0], 3);
	assert_int_equal(s->bad_line[1], 6);
	assert_int_equal(lookup(s, "Ip.a"), 1);
	assert_int_equal(lookup(s, "Udp.p"), 3);
	free(s);
}

static void test_non_numeric(void **state)
{
	struct seen *s = calloc(1, sizeof *s);
	(void)state;
	/* The whole pair is skipped, not just the bad value. */
	assert_int_equal(parse_str("Ip: a\nIp: 1\nTcp: x y z\nTcp: 1 2x 3\nUdp: q\nUdp: 9\n", s),
			 2);
	assert_int_equal(s->nbad, 1);
	assert_int_equal(s->bad_line[0], 4);
	assert_string_equal(s->bad_what[0], "decimal 64-bit integer values");
	assert_int_equal(s->n, 2);
	/* Overflow, a lone '-', '+' are not numbers either. */
	assert_int_equal(parse_str("A: x\nA: 9223372036854775808\nB: y\nB: -\nC: z\nC: +1\n", s),
			 0);
	assert_int_equal(s->nbad, 3);
	assert_int_equal(s->bad_line[0], 2);
	assert_int_equal(s->bad_line[1], 4);
	assert_int_equal(s->bad_line[2], 6);
	free(s);
}

static void test_bad_prefix(void **state)
{
	struct seen *s = calloc(1, sizeof *s);
	(void)state;
	assert_int_equal(parse_str("garbage here\nIp: a\n: 1\nIp: 4\nTcp x: y\n", s), 1);
	assert_int_equal(s->nbad, 3);
	assert_int_equal(s->bad_line[0], 1);
	assert_string_equal(s->bad_what[0], "\"Group:\" at the start of the line");
	assert_int_equal(s->bad_line[1], 3);
	assert_int_equal(s->bad_line[2], 5);
	assert_int_equal(lookup(s, "Ip.a"), 4);
	free(s);
}

static void test_sink_stops(void **state)
{
	struct seen *s = calloc(1, sizeof *s);
	struct counter_sink sink = {on_counter, NULL, s};
	const char *t = "Ip: a b c\nIp: 1 2 3\n";
	(void)state;
	s->stop_after = 2;
	assert_int_equal(counters_parse(t, strlen(t), &sink), -ECANCELED);
	assert_int_equal(s->n, 2);
	/* bad == NULL is allowed. */
	s->stop_after = 0;
	s->n = 0;
	assert_int_equal(counters_parse("Ip: a\nX: 1\n", 11, &sink), 0);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_snmp_fixture),   cmocka_unit_test(test_netstat_fixture),
	    cmocka_unit_test(test_values),	   cmocka_unit_test(test_count_mismatch),
	    cmocka_unit_test(test_group_mismatch), cmocka_unit_test(test_missing_values_line),
	    cmocka_unit_test(test_non_numeric),	   cmocka_unit_test(test_bad_prefix),
	    cmocka_unit_test(test_sink_stops),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

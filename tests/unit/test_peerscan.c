/* Unit tests for analyzer/parse/peerscan: what it accepts of a plain
 * netstat dump, what it leaves to the general path, and, line by line over
 * the captures, hand-made rows and 200 000 seeded mutations of them, that a
 * line it reads as a row is exactly the row textfmt_netstat gives (peer
 * folded, ports, protocol, state), with no complaint, and a title or header
 * one the parser takes without a row. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "peerscan.h"
#include "tcpstate.h"
#include "textfmt.h"
#include "fixture.h"

struct got {
	struct sock_row r;
	size_t rows, bad;
};

static int on_row(void *ctx, const struct sock_row *r)
{
	struct got *g = ctx;

	g->r = *r;
	g->rows++;
	return 0;
}

static void on_bad(void *ctx, size_t lineno, const char *why)
{
	struct got *g = ctx;

	(void)lineno;
	(void)why;
	g->bad++;
}

/* store_row_ok's checks, which a row of the parser must also pass */
static int stored(const struct sock_row *r)
{
	return tcpstate_db_name(r->proto, r->state) &&
	       (r->family != AF_INET ||
		(r->local.family == AF_INET && r->remote.family == AF_INET)) &&
	       r->local.family == r->remote.family;
}

/* peerscan against the parser (state as after a header: cols known) on one
 * line; returns the kind. */
static enum peerscan_kind check_line(const char *line, size_t len)
{
	static char state[4096];
	struct got g = {0};
	struct row_sink sink = {on_row, on_bad, &g};
	struct peerscan_row pr;
	enum peerscan_kind k = peerscan_line(line, len, &pr);
	struct addr peer;

	assert_true(textfmt_netstat.state_size <= sizeof state);
	if (k == PEERSCAN_OTHER)
		return k;
	textfmt_netstat.begin(state, NULL);
	assert_int_equal(textfmt_netstat.line(state, line, len, 1, &sink), 0);
	assert_int_equal(g.bad, 0);
	if (k != PEERSCAN_ROW) {
		assert_int_equal(g.rows, 0);
		return k;
	}
	if (g.rows != 1 || !stored(&g.r))
		fail_msg("peerscan took \"%.*s\" as a row, the parser gives %zu (stored: %d)",
			 (int)len, line, g.rows, g.rows ? stored(&g.r) : 0);
	assert_null(g.r.rhost);
	assert_null(g.r.lhost);
	peer = g.r.remote;
	addr_fold(&peer);
	assert_memory_equal(&peer, &pr.peer, sizeof peer);
	assert_int_equal(g.r.lport, pr.lport);
	assert_int_equal(g.r.rport, pr.rport);
	assert_int_equal(g.r.proto, pr.proto);
	assert_int_equal(g.r.state, pr.state);
	return k;
}

static enum peerscan_kind kind(const char *line)
{
	return check_line(line, strlen(line));
}

static enum peerscan_kind scan(const char *line, struct peerscan_row *r)
{
	return peerscan_line(line, strlen(line), r);
}

static void test_kinds(void **st)
{
	struct peerscan_row r;

	(void)st;
	assert_int_equal(kind("Active Internet connections (w/o servers)"), PEERSCAN_TITLE);
	assert_int_equal(kind("Active Internet connections (servers and established)"),
			 PEERSCAN_TITLE);
	assert_int_equal(kind("Proto Recv-Q Send-Q Local Address           Foreign Address         "
			      "State      "),
			 PEERSCAN_HEADER);
	assert_int_equal(kind("tcp        0      0 192.0.2.2:80            198.51.100.7:40000      "
			      "ESTABLISHED"),
			 PEERSCAN_ROW);
	assert_int_equal(scan("tcp 0 0 192.0.2.2:80 198.51.100.7:40000 SYN_RECV", &r), PEERSCAN_ROW);
	assert_int_equal(r.state, ST_SYN_RECV);
	assert_int_equal(r.rport, 40000);
	assert_int_equal(r.lport, 80);
	assert_int_equal(r.proto, IPPROTO_TCP);
	assert_int_equal(r.peer.family, AF_INET);
	assert_int_equal(kind("tcp6 0 0 ::ffff:192.0.2.2:80 ::ffff:198.51.100.7:5 ESTABLISHED"),
			 PEERSCAN_ROW);
	assert_int_equal(scan("tcp6 0 0 ::ffff:192.0.2.2:80 ::ffff:198.51.100.7:5 ESTABLISHED", &r),
			 PEERSCAN_ROW);
	assert_int_equal(r.peer.family, AF_INET);   /* folded */
	assert_int_equal(kind("udp        0      0 0.0.0.0:68              0.0.0.0:*"), PEERSCAN_ROW);
	assert_int_equal(kind("udp6 0 0 2001:db8::2:5000 2001:db8:53::1:53 ESTABLISHED"),
			 PEERSCAN_ROW);
	assert_int_equal(kind("tcp6 0 0 :::22 :::* LISTEN"), PEERSCAN_ROW);

	/* left to the general path */
	assert_int_equal(kind(""), PEERSCAN_OTHER);
	assert_int_equal(kind("   "), PEERSCAN_OTHER);
	assert_int_equal(kind("Wed Nov 25 10:00:00 UTC 2026"), PEERSCAN_OTHER);
	assert_int_equal(kind("2026-11-25T10:00:00Z"), PEERSCAN_OTHER);
	assert_int_equal(kind("Active UNIX domain sockets (w/o servers)"), PEERSCAN_OTHER);
	assert_int_equal(kind("active Internet connections (w/o servers)"), PEERSCAN_OTHER);
	assert_int_equal(kind("Proto Recv-Q Send-Q Local Address Foreign Address State PID/Program name"),
			 PEERSCAN_OTHER);
	assert_int_equal(kind("tcp\t0 0 192.0.2.2:80 198.51.100.7:1 ESTABLISHED"), PEERSCAN_OTHER);
	assert_int_equal(kind("tcp 0 0 192.0.2.2:80 198.51.100.7:1 ESTABLISHED\r"), PEERSCAN_OTHER);
	assert_int_equal(kind("tcp 0 0 192.0.2.2:80 198.51.100.7:1 ESTABLISHED 1234/sshd"),
			 PEERSCAN_OTHER);
	assert_int_equal(kind("tcp 0 0 192.0.2.2:80 198.51.100.7:1"), PEERSCAN_OTHER);
	assert_int_equal(kind("tcp 0 0 192.0.2.2:80 host.example:1 ESTABLISHED"), PEERSCAN_OTHER);
	assert_int_equal(kind("tcp 0 0 192.0.2.2:http 198.51.100.7:1 ESTABLISHED"), PEERSCAN_OTHER);
	assert_int_equal(kind("tcp 0 0 192.0.2.2:80 010.0.0.1:1 ESTABLISHED"), PEERSCAN_OTHER);
	assert_int_equal(kind("tcp 0 0 192.0.2.2:80 198.51.100.7:65536 ESTABLISHED"), PEERSCAN_OTHER);
	assert_int_equal(kind("tcp 0 4294967296 192.0.2.2:80 198.51.100.7:1 ESTABLISHED"),
			 PEERSCAN_OTHER);
	/* a TCP state on UDP: the parser and the store take it, so does peerscan */
	assert_int_equal(kind("udp 0 0 192.0.2.2:80 198.51.100.7:1 SYN_RECV"), PEERSCAN_ROW);
	assert_int_equal(kind("udp 0 0 192.0.2.2:80 198.51.100.7:1 UNKNOWN"), PEERSCAN_OTHER);
	assert_int_equal(kind("raw 0 0 0.0.0.0:1 0.0.0.0:* 7"), PEERSCAN_OTHER);
	assert_int_equal(kind("TCP 0 0 192.0.2.2:80 198.51.100.7:1 ESTABLISHED"), PEERSCAN_OTHER);
	/* spellings hostport_parse takes: rows as the parser reads them */
	assert_int_equal(kind("tcp 0 0 [::1]:80 [::1]:1 ESTABLISHED"), PEERSCAN_ROW);
	assert_int_equal(kind("tcp 0 0 fe80::1%eth0:80 fe80::2%eth0:1 ESTABLISHED"), PEERSCAN_ROW);
	assert_int_equal(kind("tcp 0 0 192.0.2.2:80 2001:db8::1:1 ESTABLISHED"), PEERSCAN_ROW);
	assert_int_equal(kind("tcp 0 0 192.0.2.2:80 198.51.100.7:1 ESTABLISHED \xc3\xa9"),
			 PEERSCAN_OTHER);
}

/* Every line of the captures, and the same lines mutated (seeded): the
 * property of check_line holds; some of each kind are seen. */
static void test_against_parser(void **st)
{
	static const char *const files[] = {
		"netstat/netstat_na.txt",   "netstat/netstat_naW.txt", "netstat/netstat_ntu.txt",
		"netstat/netstat_nuw.txt",  "netstat/netstat_anp.txt", "names/netstat_a.txt",
		"quirks/netstat_an_rhel5.txt", "reports/two_dumps.log", "reports/listeners.txt",
	};
	static const char alphabet[] = " \t:.0123456789abcdef*%[]-_/xXffffTCPtcpudp6SYN_RECVESTAB";
	size_t seen[4] = {0};
	uint64_t seed = 0x5eed;

	(void)st;
	for (size_t fi = 0; fi < sizeof files / sizeof files[0]; fi++) {
		size_t len, pos = 0;
		char *text = fixture_load(files[fi], &len);

		while (pos < len) {
			const char *nl = memchr(text + pos, '\n', len - pos);
			size_t end = nl ? (size_t)(nl - text) : len, l = end - pos;
			char m[PEERSCAN_LINE_MAX + 8];

			seen[check_line(text + pos, l)]++;
			for (int k = 0; k < 600 && l > 0 && l < sizeof m; k++) {
				size_t ml = l;

				memcpy(m, text + pos, l);
				for (int e = 0; e < 1 + k % 3; e++) {
					seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
					size_t at = (size_t)(seed >> 33) % ml;
					unsigned op = (unsigned)(seed >> 20) % 4;
					char c = alphabet[(seed >> 40) % (sizeof alphabet - 1)];

					if (op == 0 || ml + 1 >= sizeof m)
						m[at] = c;
					else if (op == 1 && ml > 1) {
						memmove(m + at, m + at + 1, ml - at - 1);
						ml--;
					} else {
						memmove(m + at + 1, m + at, ml - at);
						m[at] = c;
						ml++;
					}
				}
				seen[check_line(m, ml)]++;
			}
			pos = end + 1;
		}
		free(text);
	}
	print_message("peerscan: %zu rows, %zu titles, %zu headers, %zu left to the parser\n",
		      seen[PEERSCAN_ROW], seen[PEERSCAN_TITLE], seen[PEERSCAN_HEADER],
		      seen[PEERSCAN_OTHER]);
	assert_true(seen[PEERSCAN_ROW] > 1000);
	assert_true(seen[PEERSCAN_TITLE] > 0);
	assert_true(seen[PEERSCAN_HEADER] > 0);
	assert_true(seen[PEERSCAN_OTHER] > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_against_parser),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

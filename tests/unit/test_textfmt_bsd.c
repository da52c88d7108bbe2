/* Unit tests for analyzer/parse/textfmt_bsd: the macOS, FreeBSD and OpenBSD
 * `netstat -an` samples of tests/data/bsd parsed into rows, hand-made
 * variants and malformed lines, and format detection against Linux
 * netstat. */
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

struct got {
	struct sock_row r[MAXROWS];
	char lhost[MAXROWS][64], rhost[MAXROWS][64];   /* the parser lends them */
	size_t n;
	size_t bad_line[16];
	const char *bad_what[16];
	size_t nbad;
};

static int collect(void *ctx, const struct sock_row *r)
{
	struct got *g = ctx;

	assert_true(g->n < MAXROWS);
	assert_null(r->program);   /* BSD netstat -an names no processes */
	g->r[g->n] = *r;
	g->r[g->n].lhost = textfmt_keep(g->lhost[g->n], sizeof g->lhost[0], r->lhost);
	g->r[g->n].rhost = textfmt_keep(g->rhost[g->n], sizeof g->rhost[0], r->rhost);
	g->n++;
	return 0;
}

static void complain(void *ctx, size_t lineno, const char *expected)
{
	struct got *g = ctx;

	assert_non_null(expected);
	if (g->nbad < 16) {
		g->bad_line[g->nbad] = lineno;
		g->bad_what[g->nbad] = expected;
	}
	g->nbad++;
}

static int run(const char *text, size_t len, struct got *g)
{
	struct row_sink sink = {collect, complain, g};

	memset(g, 0, sizeof *g);
	return textfmt_feed(&textfmt_bsd, NULL, text, len, &sink);
}

static void run_str(const char *text, struct got *g)
{
	assert_int_equal(run(text, strlen(text), g), 0);
}

static void run_fixture(const char *name, struct got *g, size_t rows)
{
	char rel[128];
	size_t len;
	char *text;

	snprintf(rel, sizeof rel, "bsd/%s", name);
	text = fixture_load(rel, &len);
	assert_int_equal(run(text, len, g), 0);
	free(text);
	if (g->n != rows || g->nbad != 0)
		fail_msg("%s: %zu rows, %zu bad lines (first at %zu: %s); expected %zu rows", name,
			 g->n, g->nbad, g->nbad ? g->bad_line[0] : 0,
			 g->nbad ? g->bad_what[0] : "", rows);
}

static void assert_ep(const struct addr *a, uint16_t port, const char *text, unsigned want_port)
{
	char buf[ADDR_STRLEN];

	addr_format(a, buf, sizeof buf);
	assert_string_equal(buf, text);
	assert_int_equal(port, want_port);
}

static void assert_row(const struct sock_row *r, int proto, int family, int state,
		       const char *laddr, unsigned lport, const char *raddr, unsigned rport)
{
	assert_int_equal(r->proto, proto);
	assert_int_equal(r->family, family);
	assert_int_equal(r->state, state);
	assert_ep(&r->local, r->lport, laddr, lport);
	assert_ep(&r->remote, r->rport, raddr, rport);
	assert_int_equal(r->local.family, family);
	assert_int_equal(r->remote.family, family);
	/* queues are what netstat says; uid, inode, timer it does not say */
	assert_int_equal(r->unknown,
			 SOCKROW_UNKNOWN_UID | SOCKROW_UNKNOWN_INODE | SOCKROW_UNKNOWN_TIMER);
	assert_int_equal(r->pid, 0);
}

static void count_states(const struct got *g, int proto, size_t *by_state)
{
	memset(by_state, 0, ST_MAX_ * sizeof *by_state);
	for (size_t i = 0; i < g->n; i++)
		if (g->r[i].proto == proto)
			by_state[g->r[i].state]++;
}

static void test_macos(void **state)
{
	static struct got g;
	size_t st[ST_MAX_];

	(void)state;
	run_fixture("macos_netstat_an.txt", &g, 24);
	assert_row(&g.r[0], IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "192.0.2.10", 52311,
		   "198.51.100.20", 443);
	assert_row(&g.r[1], IPPROTO_TCP, AF_INET, ST_SYN_RECV, "192.0.2.10", 22,
		   "198.51.100.77", 61001);
	assert_row(&g.r[3], IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "192.0.2.10", 22, "203.0.113.5",
		   50122);
	assert_int_equal(g.r[3].rxq, 0);
	assert_int_equal(g.r[3].txq, 517);
	assert_row(&g.r[4], IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "2001:db8::10", 52309,
		   "2001:db8:1::5", 443);
	assert_row(&g.r[5], IPPROTO_TCP, AF_INET, ST_SYN_SENT, "192.0.2.10", 52312, "203.0.113.9",
		   8443);
	assert_row(&g.r[6], IPPROTO_TCP, AF_INET, ST_TIME_WAIT, "192.0.2.10", 52290,
		   "203.0.113.7", 80);
	assert_row(&g.r[7], IPPROTO_TCP, AF_INET, ST_CLOSE_WAIT, "127.0.0.1", 49170, "127.0.0.1",
		   631);
	assert_int_equal(g.r[7].rxq, 31);
	assert_row(&g.r[8], IPPROTO_TCP, AF_INET, ST_FIN_WAIT2, "127.0.0.1", 631, "127.0.0.1",
		   49170);
	/* the scope is dropped */
	assert_row(&g.r[9], IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "fe80::1", 1023, "fe80::1",
		   49180);
	assert_row(&g.r[10], IPPROTO_TCP, AF_INET, ST_LAST_ACK, "192.0.2.10",
		   52280, "198.51.100.21", 443);
	/* tcp46: a dual-stack IPv6 socket, its wildcard the IPv6 one */
	assert_row(&g.r[11], IPPROTO_TCP, AF_INET6, ST_LISTEN, "::", 5000, "::", 0);
	assert_row(&g.r[12], IPPROTO_TCP, AF_INET, ST_LISTEN, "0.0.0.0", 22, "0.0.0.0", 0);
	assert_row(&g.r[13], IPPROTO_TCP, AF_INET6, ST_LISTEN, "::", 22, "::", 0);
	assert_row(&g.r[15], IPPROTO_TCP, AF_INET6, ST_LISTEN, "::1", 631, "::", 0);
	assert_row(&g.r[16], IPPROTO_TCP, AF_INET, ST_CLOSE, "0.0.0.0", 0, "0.0.0.0", 0);
	/* UDP has no state column: UNCONN, also when connected */
	assert_row(&g.r[17], IPPROTO_UDP, AF_INET, ST_ESTABLISHED, "192.0.2.10", 60000,
		   "198.51.100.53", 53);
	assert_row(&g.r[18], IPPROTO_UDP, AF_INET, ST_CLOSE, "0.0.0.0", 0, "0.0.0.0", 0);
	assert_row(&g.r[20], IPPROTO_UDP, AF_INET6, ST_CLOSE, "::", 5353, "::", 0);
	assert_row(&g.r[21], IPPROTO_UDP, AF_INET6, ST_CLOSE, "::", 50000, "::", 0);
	assert_row(&g.r[23], IPPROTO_UDP, AF_INET6, ST_CLOSE, "fe80::4", 123, "::", 0);

	count_states(&g, IPPROTO_TCP, st);
	assert_int_equal(st[ST_LISTEN], 5);
	assert_int_equal(st[ST_ESTABLISHED], 4);
	assert_int_equal(st[ST_SYN_RECV], 2);
	count_states(&g, IPPROTO_UDP, st);
	assert_int_equal(st[ST_CLOSE], 6);
	/* connected UDP (a peer address): ESTABLISHED, as Linux says */
	assert_int_equal(st[ST_ESTABLISHED], 1);
}

static void test_freebsd(void **state)
{
	static struct got g;
	size_t st[ST_MAX_];

	(void)state;
	run_fixture("freebsd_netstat_an.txt", &g, 24);
	assert_row(&g.r[0], IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "203.0.113.10", 22,
		   "198.51.100.30", 50522);
	assert_int_equal(g.r[1].txq, 36);
	assert_row(&g.r[2], IPPROTO_TCP, AF_INET, ST_SYN_RECV, "203.0.113.10", 80,
		   "198.51.100.61", 40001);
	assert_row(&g.r[5], IPPROTO_TCP, AF_INET, ST_TIME_WAIT, "203.0.113.10", 80, "192.0.2.80",
		   55100);
	assert_row(&g.r[6], IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "2001:db8:2::10", 443,
		   "2001:db8:3::7", 51000);
	assert_row(&g.r[7], IPPROTO_TCP, AF_INET6, ST_FIN_WAIT1, "2001:db8:2::10", 443,
		   "2001:db8:3::8", 51002);
	assert_row(&g.r[14], IPPROTO_TCP, AF_INET6, ST_LISTEN, "::", 8080, "::", 0);
	assert_row(&g.r[15], IPPROTO_TCP, AF_INET6, ST_LISTEN, "fe80::1", 8443, "::", 0);
	/* "Some tcp sockets may have been deleted." is neither row nor error */
	assert_row(&g.r[16], IPPROTO_UDP, AF_INET, ST_CLOSE, "203.0.113.10", 123, "0.0.0.0", 0);
	assert_row(&g.r[19], IPPROTO_UDP, AF_INET6, ST_CLOSE, "fe80::1", 123, "::", 0);
	assert_row(&g.r[20], IPPROTO_UDP, AF_INET6, ST_CLOSE, "::1", 123, "::", 0);
	assert_row(&g.r[23], IPPROTO_UDP, AF_INET, ST_ESTABLISHED, "203.0.113.10", 53011, "192.0.2.53",
		   53);

	count_states(&g, IPPROTO_TCP, st);
	assert_int_equal(st[ST_LISTEN], 7);
	assert_int_equal(st[ST_SYN_RECV], 3);
	assert_int_equal(st[ST_CLOSE_WAIT], 1);
}

static void test_openbsd(void **state)
{
	static struct got g;
	size_t st[ST_MAX_];

	(void)state;
	run_fixture("openbsd_netstat_an.txt", &g, 15);
	/* OpenBSD says "tcp"/"udp" for IPv4 and "tcp6"/"udp6" for IPv6 */
	assert_row(&g.r[0], IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "192.0.2.20", 22,
		   "203.0.113.50", 62011);
	assert_row(&g.r[1], IPPROTO_TCP, AF_INET, ST_SYN_RECV, "192.0.2.20", 25, "198.51.100.90",
		   53001);
	assert_row(&g.r[3], IPPROTO_TCP, AF_INET, ST_TIME_WAIT, "192.0.2.20", 80,
		   "198.51.100.92", 44123);
	assert_row(&g.r[4], IPPROTO_TCP, AF_INET, ST_LISTEN, "127.0.0.1", 25, "0.0.0.0", 0);
	assert_row(&g.r[7], IPPROTO_UDP, AF_INET, ST_ESTABLISHED, "192.0.2.20", 14321, "192.0.2.53", 53);
	assert_row(&g.r[9], IPPROTO_UDP, AF_INET, ST_CLOSE, "0.0.0.0", 0, "0.0.0.0", 0);
	assert_row(&g.r[10], IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "2001:db8:4::20", 22,
		   "2001:db8:5::9", 60222);
	assert_row(&g.r[11], IPPROTO_TCP, AF_INET6, ST_LISTEN, "::1", 25, "::", 0);
	assert_row(&g.r[12], IPPROTO_TCP, AF_INET6, ST_LISTEN, "fe80::1", 25, "::", 0);
	assert_row(&g.r[14], IPPROTO_UDP, AF_INET6, ST_CLOSE, "2001:db8:4::20", 123, "::", 0);

	count_states(&g, IPPROTO_TCP, st);
	assert_int_equal(st[ST_LISTEN], 6);
	assert_int_equal(st[ST_SYN_RECV], 2);
}

/* Rows without title or header (grep'ed), FreeBSD's T/TCP '*', an
 * IPv4-mapped peer of a dual-stack socket, macOS -v's extra columns. */
static void test_variants(void **state)
{
	static struct got g;

	(void)state;
	run_str("tcp4       0      0 192.0.2.1.22           198.51.100.7.50000     ESTABLISHED*\n"
		"tcp46      0      0 192.0.2.1.8080         198.51.100.8.50001     ESTABLISHED\n"
		"tcp6       0      0 ::ffff:192.0.2.1.443   ::ffff:198.51.100.9.1  CLOSING\n"
		"toe4       0      0 192.0.2.1.80           198.51.100.7.50002     ESTABLISHED\n"
		"tcp4       0      0  192.0.2.1.22           198.51.100.7.50003     ESTABLISHED"
		"      131072      131192  1234   1234 00102 00000104 0000000000021e5b\n"
		"udp4       0      0  *.5353                 *.*                               "
		"      786896      9216   1000      0 00000 00000000 00000000001b4d43\n",
		&g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 6);
	assert_row(&g.r[0], IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "192.0.2.1", 22, "198.51.100.7",
		   50000);
	assert_row(&g.r[1], IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "::ffff:192.0.2.1", 8080,
		   "::ffff:198.51.100.8", 50001);
	assert_row(&g.r[2], IPPROTO_TCP, AF_INET6, ST_CLOSING, "::ffff:192.0.2.1", 443,
		   "::ffff:198.51.100.9", 1);
	assert_int_equal(g.r[3].proto, IPPROTO_TCP);
	assert_int_equal(g.r[4].rport, 50003);
	assert_row(&g.r[5], IPPROTO_UDP, AF_INET, ST_CLOSE, "0.0.0.0", 5353, "0.0.0.0", 0);
}

static void expect_bad(const char *line, const char *what)
{
	static struct got g;

	run_str(line, &g);
	if (g.n != 0 || g.nbad != 1)
		fail_msg("%zu rows, %zu bad lines from: %s", g.n, g.nbad, line);
	assert_int_equal(g.bad_line[0], 1);
	assert_string_equal(g.bad_what[0], what);
}

static void test_bad_lines(void **state)
{
	static struct got g;

	(void)state;
	/* inet6print() keeps 16 characters of the address without -W/-l/-v */
	expect_bad("tcp6       0      0  fe80::aede:48ff:.49152 fe80::aede:48ff:.22   ESTABLISHED",
		   "IPv6 address truncated by netstat; use -W (FreeBSD), -l (macOS) or -v (OpenBSD)");
	expect_bad("tcp4       0      0  localhost.nosuchsvc    *.*                    LISTEN",
		   "a port named by a service name sockscope's table does not have (netstat -n)");
	expect_bad("tcp4       0      0  192.0.2.1:22           *.*                    LISTEN",
		   "expected an address.port like 10.0.0.1.443, *.*, ::1.22 or localhost.smtp");
	expect_bad("tcp4       0      0  *.22                   *.*",
		   "expected a TCP state like LISTEN, ESTABLISHED or SYN_RCVD");
	expect_bad("tcp4       0      0  *.22                   *.*                    11",
		   "expected a TCP state like LISTEN, ESTABLISHED or SYN_RCVD");
	expect_bad("tcp4       -      0  *.22                   *.*                    LISTEN",
		   "expected Recv-Q and Send-Q numbers, then two addresses");
	expect_bad("ffffff80123456789 zzz tcp4 0 0 *.22 *.* LISTEN",
		   "expected a netstat row starting with tcp4, tcp6, tcp46, udp4, udp6, udp46, "
		   "tcp or udp");

	/* the rest of the dump goes on after a bad line */
	run_str("tcp4 0 0 *.22 *.* LISTEN\ntcp4 0 0 *.22 *.* WHAT\ntcp4 0 0 *.23 *.* LISTEN\n", &g);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.nbad, 1);
	assert_int_equal(g.bad_line[0], 2);
}

/* Sections that are not Internet sockets are skipped, whatever they hold,
 * until the next Internet title. */
static void test_sections(void **state)
{
	static struct got g;

	(void)state;
	run_str("Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)\n"
		"tcp4       0      0  *.23                   *.*                    LISTEN\n"
		"Active LOCAL (UNIX) domain sockets\n"
		"tcp4       0      0  *.22                   *.*                    LISTEN\n"
		"Registered kernel control modules\n"
		"garbage\n"
		"Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)\n"
		"tcp4       0      0  *.25                   *.*                    LISTEN\n"
		"Current listen queue sizes (qlen/incqlen/maxqlen)\n"
		"tcp4  0/0/128        *.22\n"
		"Active Internet connections\n"
		"udp4       0      0  *.24                   *.*\n"
		"icm4       0      0  *.*                    *.*\n"
		"netstat: sysctl: net.inet.sdp.pcblist: No such file or directory\n",
		&g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].lport, 23);
	assert_int_equal(g.r[1].lport, 24);
}

static void test_probe(void **state)
{
	static const char *const sure[] = {
		"Active Internet connections (including servers)",
		"Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)    ",
		"Proto Recv-Q Send-Q Local Address          Foreign Address        (state)     ",
		"Proto   Recv-Q Send-Q  Local Address          Foreign Address        TCP-State",
		"Active LOCAL (UNIX) domain sockets",
		"Registered kernel control modules",
		"tcp4       0      0  192.0.2.10.52311       198.51.100.20.443      ESTABLISHED",
		"tcp46      0      0  *.5000                 *.*                    LISTEN     ",
		"udp46      0      0  *.50000                *.*                               ",
		"tcp6       0      0  fe80::1%lo0.1023       fe80::1%lo0.49180      ESTABLISHED",
		"tcp          0      0  192.0.2.20.22          203.0.113.50.62011     ESTABLISHED",
		"udp6         0      0  2001:db8:4::20.123     *.*                   ",
		"icm6       0      0  *.*                    *.*                               ",
	};
	static const char *const no[] = {
		"",
		"Active Internet connections (servers and established)",
		"tcp        0      0 198.51.100.1:80         0.0.0.0:*               LISTEN     ",
		"tcp6       0      0 :::443                  :::*                    LISTEN     ",
		"udp        0      0 0.0.0.0:53              0.0.0.0:*                          ",
		"tcp   LISTEN 0      128    0.0.0.0:22   0.0.0.0:*",
		"  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING",
	};

	(void)state;
	for (size_t i = 0; i < sizeof sure / sizeof sure[0]; i++)
		if (textfmt_bsd.probe(sure[i], strlen(sure[i])) != TEXTFMT_PROBE_SURE)
			fail_msg("not SURE: %s", sure[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (textfmt_bsd.probe(no[i], strlen(no[i])) != TEXTFMT_PROBE_NO)
			fail_msg("not NO: %s", no[i]);
	assert_int_equal(textfmt_bsd.probe("Active Internet connections", 27), TEXTFMT_PROBE_MAYBE);
	/* NetBSD's header is Linux's: the rows decide */
	{
		static const char h[] = "Proto Recv-Q Send-Q Local Address           Foreign "
					"Address         State      ";

		assert_int_equal(textfmt_bsd.probe(h, sizeof h - 1), TEXTFMT_PROBE_MAYBE);
	}
	assert_string_equal(textfmt_bsd.name, "bsd");
}

/* No line of the BSD samples is SURE for the Linux parser and no line of
 * the Linux captures SURE for this one: detection cannot confuse them. */
static void test_probe_vs_netstat(void **state)
{
	static const char *const files[] = {
		"bsd/macos_netstat_an.txt", "bsd/freebsd_netstat_an.txt",
		"bsd/openbsd_netstat_an.txt", "netstat/netstat_na.txt",
		"netstat/netstat_anp.txt", "netstat/netstat_naep.txt", "netstat/netstat_anpW.txt",
	};

	(void)state;
	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		int bsd = f < 3;
		size_t len, i = 0, sure = 0;
		char *text = fixture_load(files[f], &len);

		while (i < len) {
			const char *nl = memchr(text + i, '\n', len - i);
			size_t e = nl ? (size_t)(nl - text) : len;
			int mine = textfmt_bsd.probe(text + i, e - i);
			int other = textfmt_netstat.probe(text + i, e - i);

			if (bsd ? other == TEXTFMT_PROBE_SURE : mine == TEXTFMT_PROBE_SURE)
				fail_msg("%s: SURE for the wrong format: %.*s", files[f],
					 (int)(e - i), text + i);
			sure += mine == TEXTFMT_PROBE_SURE;
			i = e + 1;
		}
		if (bsd && sure < 10)
			fail_msg("%s: only %zu SURE lines", files[f], sure);
		free(text);
	}
}


/* Issue 15: what people saved without -n, with -A, -T, -x, and NetBSD
 * (tests/data/bsd/variants.sh wrote these from the netstat sources) */
static void test_issue15_variants(void **state)
{
	static struct got g;

	(void)state;
	/* FreeBSD -a: names; a host cut to 16 characters stays as printed */
	run_fixture("freebsd_netstat_a.txt", &g, 15);
	assert_int_equal(g.r[0].state, ST_ESTABLISHED);
	assert_int_equal(g.r[0].lport, 22);
	assert_string_equal(g.r[0].lhost, "builder.example.");
	assert_string_equal(g.r[0].rhost, "client-a.example");
	assert_int_equal(g.r[0].rport, 50211);
	assert_true(addr_is_unspecified(&g.r[0].remote));
	assert_int_equal(g.r[0].named, SOCKROW_NAMED_HOST | SOCKROW_NAMED_PORT);
	/* a numeric peer of a named host: its address is kept */
	assert_row(&g.r[1], IPPROTO_TCP, AF_INET, ST_SYN_RECV, "0.0.0.0", 443, "198.51.100.77",
		   61001);
	assert_int_equal(g.r[3].txq, 36);
	assert_int_equal(g.r[4].lport, 5432);
	assert_row(&g.r[7], IPPROTO_TCP, AF_INET, ST_LISTEN, "0.0.0.0", 22, "0.0.0.0", 0);
	assert_null(g.r[7].lhost);
	assert_int_equal(g.r[7].named, SOCKROW_NAMED_PORT);
	assert_int_equal(g.r[9].family, AF_INET6);
	assert_int_equal(g.r[11].lport, 514);   /* syslog: netbase has it for UDP */
	assert_int_equal(g.r[13].state, ST_ESTABLISHED);   /* a named UDP peer */
	assert_int_equal(g.r[13].rport, 123);
	assert_int_equal(g.r[14].lport, 5353);

	/* FreeBSD -anA: the tcpcb address first */
	run_fixture("freebsd_netstat_anA.txt", &g, 6);
	assert_row(&g.r[0], IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "192.0.2.10", 22,
		   "198.51.100.20", 5022);   /* 18 columns cut the port: as printed */
	assert_row(&g.r[5], IPPROTO_UDP, AF_INET6, ST_CLOSE, "::1", 53, "::", 0);

	/* FreeBSD -anT: no queues, no state */
	run_fixture("freebsd_netstat_anT.txt", &g, 4);
	assert_int_equal(g.r[0].state, ST_UNKNOWN);
	assert_int_equal(g.r[0].unknown & SOCKROW_UNKNOWN_QUEUES, SOCKROW_UNKNOWN_QUEUES);
	assert_int_equal(g.r[1].lport, 443);
	assert_int_equal(g.r[1].rport, 50122);
	assert_int_equal(g.r[3].proto, IPPROTO_UDP);
	assert_int_equal(g.r[3].lport, 514);

	/* FreeBSD -anx: buffer and timer columns after the addresses */
	run_fixture("freebsd_netstat_anx.txt", &g, 3);
	assert_int_equal(g.r[0].state, ST_UNKNOWN);
	assert_int_equal(g.r[0].rport, 50222);
	assert_int_equal(g.r[0].rxq, 0);
	assert_int_equal(g.r[0].unknown & SOCKROW_UNKNOWN_QUEUES, 0);
	assert_int_equal(g.r[2].proto, IPPROTO_UDP);

	/* macOS -anA: socket address and flow hash first */
	run_fixture("macos_netstat_anA.txt", &g, 5);
	assert_row(&g.r[0], IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "192.0.2.10", 52311,
		   "198.51.100.20", 443);
	assert_row(&g.r[2], IPPROTO_TCP, AF_INET6, ST_LISTEN, "::", 5000, "::", 0);
	assert_row(&g.r[3], IPPROTO_UDP, AF_INET, ST_ESTABLISHED, "192.0.2.10", 60000,
		   "198.51.100.53", 53);

	/* macOS -a: names */
	run_fixture("macos_netstat_a.txt", &g, 9);
	assert_string_equal(g.r[0].lhost, "macbook.local");
	assert_string_equal(g.r[0].rhost, "www.example.com");
	assert_int_equal(g.r[0].rport, 443);
	assert_row(&g.r[1], IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "0.0.0.0", 22, "192.168.71.1",
		   61001);
	assert_int_equal(g.r[3].lport, 5000);   /* commplex-main */
	assert_int_equal(g.r[8].lport, 137);    /* netbios-ns */

	/* NetBSD: "tcp" with dotted ports, "State" */
	run_fixture("netbsd_netstat_an.txt", &g, 8);
	assert_row(&g.r[0], IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "192.0.2.30", 22,
		   "198.51.100.20", 50222);
	assert_row(&g.r[4], IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "2001:db8::30", 22,
		   "2001:db8::9", 60222);
	assert_row(&g.r[7], IPPROTO_UDP, AF_INET, ST_CLOSE, "192.0.2.30", 123, "0.0.0.0", 0);
	run_fixture("netbsd_netstat_a.txt", &g, 4);
	assert_string_equal(g.r[0].lhost, "netbsd.example.o");
	assert_int_equal(g.r[2].lport, 25);
	/* NetBSD -anA: PCB first, compact state names */
	run_fixture("netbsd_netstat_anA.txt", &g, 4);
	assert_int_equal(g.r[0].state, ST_ESTABLISHED);
	assert_int_equal(g.r[1].state, ST_TIME_WAIT);
	assert_int_equal(g.r[3].state, ST_SYN_RECV);
	assert_int_equal(g.r[3].rport, 40001);
}

/* Each variant is detected as BSD on its own */
static void test_issue15_detect(void **state)
{
	static const char *const files[] = {
		"freebsd_netstat_a.txt",  "freebsd_netstat_anA.txt", "freebsd_netstat_anT.txt",
		"freebsd_netstat_anx.txt", "macos_netstat_anA.txt",  "macos_netstat_a.txt",
		"netbsd_netstat_an.txt",  "netbsd_netstat_a.txt",    "netbsd_netstat_anA.txt",
	};

	(void)state;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char rel[128];
		size_t len;
		char *text;
		const struct textfmt *f;

		snprintf(rel, sizeof rel, "bsd/%s", files[i]);
		text = fixture_load(rel, &len);
		f = textfmt_detect(text, len);
		free(text);
		if (f != &textfmt_bsd)
			fail_msg("%s: detected as %s", files[i], f ? f->name : "nothing");
	}
}

/* Header columns this parser does not know are named once, for the
 * import's warning; known extra ones (-x) are not */
static void test_skipped_columns(void **state)
{
	static const char text[] =
		"Active Internet connections (including servers)\n"
		"Proto Recv-Q Send-Q Local Address          Foreign Address        (state) Log-ID\n"
		"tcp4       0      0 192.0.2.10.22          198.51.100.20.50222    ESTABLISHED 0x1f\n"
		"tcp4       0      0 *.22                   *.*                    LISTEN 0x20\n";
	static struct got g;
	struct row_sink sink = {collect, complain, &g};
	void *st = calloc(1, textfmt_bsd.state_size);
	size_t pos = 0, ln = 0;

	(void)state;
	assert_non_null(st);
	memset(&g, 0, sizeof g);
	textfmt_bsd.begin(st, NULL);
	while (pos < sizeof text - 1) {
		const char *nl = strchr(text + pos, '\n');

		assert_int_equal(textfmt_bsd.line(st, text + pos, (size_t)(nl - text) - pos, ++ln, &sink),
				 0);
		pos = (size_t)(nl - text) + 1;
	}
	assert_int_equal(g.n, 2);
	assert_int_equal(g.nbad, 0);
	assert_string_equal(textfmt_bsd.skipped(st), "Log-ID");
	/* a column not known before the state: its values are skipped too */
	{
		static const char h[] = "Proto Recv-Q Send-Q Local Address Foreign Address Log-ID "
					"(state)";
		static const char r1[] = "tcp4 0 0 192.0.2.10.22 198.51.100.20.50222 0x1f "
					 "TIME_WAIT";

		assert_int_equal(textfmt_bsd.line(st, h, sizeof h - 1, 5, &sink), 0);
		assert_int_equal(textfmt_bsd.line(st, r1, sizeof r1 - 1, 6, &sink), 0);
		assert_int_equal(g.nbad, 0);
		assert_int_equal(g.n, 3);
		assert_int_equal(g.r[2].state, ST_TIME_WAIT);
	}
	textfmt_bsd.begin(st, NULL);
	assert_null(textfmt_bsd.skipped(st));
	free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_macos),
		cmocka_unit_test(test_freebsd),
		cmocka_unit_test(test_openbsd),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_probe_vs_netstat),
		cmocka_unit_test(test_issue15_variants),
		cmocka_unit_test(test_issue15_detect),
		cmocka_unit_test(test_skipped_columns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for analyzer/parse/textfmt_netstat: the real net-tools 2.10 captures
 * of tests/data/netstat parsed into rows and checked against the /proc files
 * and process map captured with them, hand-made variants (-o, -e without
 * -n, no header) and malformed lines. */
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
#include "procnet.h"
#include "tcpstate.h"
#include "fixture.h"
#include "textfmtfeed.h"

#define MAXROWS 64

struct got {
	struct sock_row r[MAXROWS];
	char prog[MAXROWS][64];
	char lhost[MAXROWS][64], rhost[MAXROWS][64];
	size_t n;
	size_t bad_line[16];
	const char *bad_what[16];
	size_t nbad;
	size_t stop_after;   /* 0: never */
};

static int collect(void *ctx, const struct sock_row *r)
{
	struct got *g = ctx;

	if (g->stop_after && g->n == g->stop_after)
		return -ECANCELED;
	assert_true(g->n < MAXROWS);
	g->r[g->n] = *r;
	/* the program is borrowed for the call only */
	g->r[g->n].program = textfmt_keep(g->prog[g->n], sizeof g->prog[0], r->program);
	/* so are host names */
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

/* Feeds text line by line as the importer does; returns line()'s first
 * non-zero result or end()'s. */
static int run(const char *text, size_t len, struct got *g)
{
	struct row_sink sink = {collect, complain, g};

	return textfmt_feed(&textfmt_netstat, NULL, text, len, &sink);
}

static void run_str(const char *text, struct got *g)
{
	memset(g, 0, sizeof *g);
	assert_int_equal(run(text, strlen(text), g), 0);
}

/* Parses tests/data/netstat/<name>: expects `rows` rows and `bad` bad lines. */
static void run_fixture(const char *name, struct got *g, size_t rows, size_t bad)
{
	size_t len;
	char *text = netstat_fixture(name, &len);

	memset(g, 0, sizeof *g);
	assert_int_equal(run(text, len, g), 0);
	free(text);
	if (g->n != rows || g->nbad != bad)
		fail_msg("%s: %zu rows, %zu bad lines; expected %zu and %zu", name, g->n, g->nbad,
			 rows, bad);
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
	/* both families' addresses are stored as the kernel has them */
	assert_int_equal(r->local.family, family);
	assert_int_equal(r->remote.family, family);
}

static void assert_prog(const struct sock_row *r, int pid, const char *program)
{
	assert_int_equal(r->pid, pid);
	if (program)
		assert_string_equal(r->program, program);
	else
		assert_null(r->program);
}

static const char truncated[] = "address truncated by netstat; use netstat -W";

/* -na: every Internet row, the three with a long IPv6 address cut by
 * net-tools reported (lines 18, 20 and 22 of the file), the UNIX section
 * and its header skipped. */
static void test_na(void **state)
{
	static struct got g;
	const struct sock_row *r;

	(void)state;
	run_fixture("netstat_na.txt", &g, 25, 3);
	assert_int_equal(g.bad_line[0], 18);
	assert_int_equal(g.bad_line[1], 20);
	assert_int_equal(g.bad_line[2], 22);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(g.bad_what[i], truncated);

	r = &g.r[0];
	assert_row(r, IPPROTO_TCP, AF_INET, ST_LISTEN, "198.51.100.1", 80, "0.0.0.0", 0);
	assert_int_equal(r->rxq, 0);
	assert_int_equal(r->txq, 0);
	assert_int_equal(r->unknown,
			 SOCKROW_UNKNOWN_UID | SOCKROW_UNKNOWN_INODE | SOCKROW_UNKNOWN_TIMER);
	assert_prog(r, 0, NULL);
	assert_row(&g.r[4], IPPROTO_TCP, AF_INET, ST_LISTEN, "0.0.0.0", 8080, "0.0.0.0", 0);
	assert_row(&g.r[5], IPPROTO_TCP, AF_INET, ST_SYN_RECV, "198.51.100.1", 9000,
		   "198.51.100.51", 40002);
	assert_row(&g.r[6], IPPROTO_TCP, AF_INET, ST_TIME_WAIT, "198.51.100.3", 33617,
		   "198.51.100.1", 7000);
	assert_row(&g.r[8], IPPROTO_TCP, AF_INET, ST_CLOSE_WAIT, "198.51.100.1", 80,
		   "198.51.100.2", 41077);
	assert_row(&g.r[11], IPPROTO_TCP, AF_INET, ST_SYN_RECV, "198.51.100.1", 9000,
		   "198.51.100.99", 65535);
	assert_row(&g.r[14], IPPROTO_TCP, AF_INET, ST_FIN_WAIT2, "198.51.100.2", 41077,
		   "198.51.100.1", 80);
	/* tcp6 rows: the dual-stack listener, a v4 client on it (net-tools
	 * prints the mapped address as a dotted quad), plain IPv6 */
	assert_row(&g.r[15], IPPROTO_TCP, AF_INET6, ST_LISTEN, "::", 443, "::", 0);
	assert_row(&g.r[16], IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "::ffff:198.51.100.1", 443,
		   "::ffff:198.51.100.3", 46205);
	assert_row(&g.r[17], IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "2001:db8::1", 443,
		   "2001:db8::2", 40947);
	/* UDP: connected is ESTABLISHED, the empty state column UNCONN */
	assert_row(&g.r[19], IPPROTO_UDP, AF_INET, ST_ESTABLISHED, "198.51.100.2", 5000,
		   "198.51.100.9", 6000);
	assert_row(&g.r[20], IPPROTO_UDP, AF_INET, ST_CLOSE, "0.0.0.0", 53, "0.0.0.0", 0);
	assert_row(&g.r[21], IPPROTO_UDP, AF_INET6, ST_ESTABLISHED, "2001:db8::2", 5001,
		   "2001:db8::9", 6001);
	assert_row(&g.r[22], IPPROTO_UDP, AF_INET6, ST_CLOSE, "::", 5353, "::", 0);
	/* raw: the "port" is the protocol, the state the kernel's number 7 */
	assert_row(&g.r[23], IPPROTO_RAW, AF_INET, ST_CLOSE, "0.0.0.0", 1, "0.0.0.0", 0);
	assert_row(&g.r[24], IPPROTO_RAW, AF_INET6, ST_CLOSE, "::", 58, "::", 0);
}

/* -an prints what -na prints. */
static void test_an_equals_na(void **state)
{
	static struct got a, b;

	(void)state;
	run_fixture("netstat_an.txt", &a, 25, 3);
	run_fixture("netstat_na.txt", &b, 25, 3);
	assert_memory_equal(a.r, b.r, sizeof a.r);
}

/* -naW: no truncation, so all 28 rows; the long addresses whole. */
static void test_naW(void **state)
{
	static struct got g;

	(void)state;
	run_fixture("netstat_naW.txt", &g, 28, 0);
	assert_row(&g.r[15], IPPROTO_TCP, AF_INET6, ST_LISTEN,
		   "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", 8443, "::", 0);
	assert_row(&g.r[17], IPPROTO_TCP, AF_INET6, ST_ESTABLISHED,
		   "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", 8443,
		   "2001:db8:aaaa:bbbb:cccc:dddd:eeee:2", 44367);
	assert_row(&g.r[19], IPPROTO_TCP, AF_INET6, ST_ESTABLISHED,
		   "2001:db8:aaaa:bbbb:cccc:dddd:eeee:2", 44367,
		   "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", 8443);
}

/* -anp / -plan / -anpW: the PID/Program name column, with spaces in a
 * name, names cut to 19 bytes with their pid, and "-". */
static void test_anp(void **state)
{
	static struct got g, plan;

	(void)state;
	run_fixture("netstat_anp.txt", &g, 25, 3);
	assert_prog(&g.r[0], 23751, "sockhold");
	assert_row(&g.r[3], IPPROTO_TCP, AF_INET, ST_LISTEN, "198.51.100.1", 8443, "0.0.0.0", 0);
	assert_prog(&g.r[3], 23752, "my server app");
	assert_row(&g.r[5], IPPROTO_TCP, AF_INET, ST_SYN_RECV, "198.51.100.1", 9000,
		   "198.51.100.51", 40002);
	assert_prog(&g.r[5], 0, NULL);
	assert_prog(&g.r[7], 23756, "a-very-long-p");
	assert_prog(&g.r[20], 23751, "sockhold");   /* udp 0.0.0.0:53, empty state */
	assert_int_equal(g.r[20].state, ST_CLOSE);
	assert_prog(&g.r[23], 23751, "sockhold");   /* raw */
	assert_int_equal(g.r[0].unknown,
			 SOCKROW_UNKNOWN_UID | SOCKROW_UNKNOWN_INODE | SOCKROW_UNKNOWN_TIMER);

	run_fixture("netstat_plan.txt", &plan, 25, 3);
	for (size_t i = 0; i < plan.n; i++) {
		assert_memory_equal(&plan.r[i], &g.r[i], offsetof(struct sock_row, program));
		assert_string_equal(plan.r[i].program ? plan.r[i].program : "-",
				    g.r[i].program ? g.r[i].program : "-");
	}

	run_fixture("netstat_anpW.txt", &g, 28, 0);
	assert_row(&g.r[17], IPPROTO_TCP, AF_INET6, ST_ESTABLISHED,
		   "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1", 8443,
		   "2001:db8:aaaa:bbbb:cccc:dddd:eeee:2", 44367);
	assert_prog(&g.r[17], 23752, "my server app");
	assert_prog(&g.r[19], 23756, "a-very-long-p");
}

/* The article's commands: -aultnp, -n -p, -ntu, -ntup, -tanp, -nl, -nlp,
 * -nuw, -nawp. */
static void test_article_commands(void **state)
{
	static struct got g;

	(void)state;
	run_fixture("netstat_aultnp.txt", &g, 23, 3);
	assert_int_equal(g.r[22].proto, IPPROTO_UDP);   /* no raw rows with -u -t */
	assert_prog(&g.r[22], 23751, "sockhold");

	/* -n -p: no listeners; the SYN_RECV rows the article greps */
	run_fixture("netstat_n_p.txt", &g, 15, 2);
	assert_row(&g.r[0], IPPROTO_TCP, AF_INET, ST_SYN_RECV, "198.51.100.1", 9000,
		   "198.51.100.51", 40002);
	assert_prog(&g.r[0], 0, NULL);
	assert_int_equal(g.bad_line[0], 13);
	assert_int_equal(g.bad_line[1], 15);
	assert_row(&g.r[14], IPPROTO_UDP, AF_INET6, ST_ESTABLISHED, "2001:db8::2", 5001,
		   "2001:db8::9", 6001);
	assert_prog(&g.r[14], 23756, "a-very-long-p");

	run_fixture("netstat_ntu.txt", &g, 15, 2);
	assert_prog(&g.r[2], 0, NULL);
	run_fixture("netstat_ntup.txt", &g, 15, 2);
	assert_prog(&g.r[2], 23756, "a-very-long-p");
	run_fixture("netstat_tanp.txt", &g, 19, 3);
	assert_int_equal(g.r[18].proto, IPPROTO_TCP);

	run_fixture("netstat_nl.txt", &g, 10, 1);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(g.r[i].state, ST_LISTEN);
	run_fixture("netstat_nlp.txt", &g, 10, 1);
	assert_prog(&g.r[3], 23752, "my server app");

	run_fixture("netstat_nuw.txt", &g, 2, 0);
	assert_row(&g.r[1], IPPROTO_UDP, AF_INET6, ST_ESTABLISHED, "2001:db8::2", 5001,
		   "2001:db8::9", 6001);
	run_fixture("netstat_nawp.txt", &g, 2, 0);
	assert_row(&g.r[1], IPPROTO_RAW, AF_INET6, ST_CLOSE, "::", 58, "::", 0);
	assert_prog(&g.r[1], 23751, "sockhold");
}

/* -nae: User (numeric with -n) and Inode columns. */
static void test_nae(void **state)
{
	static struct got g;

	(void)state;
	run_fixture("netstat_nae.txt", &g, 25, 3);
	assert_row(&g.r[3], IPPROTO_TCP, AF_INET, ST_LISTEN, "198.51.100.1", 8443, "0.0.0.0", 0);
	assert_int_equal(g.r[3].uid, 65534);
	assert_int_equal(g.r[3].inode, 1328777);
	assert_int_equal(g.r[3].unknown, SOCKROW_UNKNOWN_TIMER);
	assert_int_equal(g.r[5].inode, 0);   /* request socket */
	assert_int_equal(g.r[24].inode, 1328775);
	assert_prog(&g.r[3], 0, NULL);
}

struct procrows {
	struct sock_row r[64];
	size_t n;
};

static int collect_proc(void *ctx, const struct sock_row *r)
{
	struct procrows *p = ctx;

	assert_true(p->n < 64);
	p->r[p->n++] = *r;
	return 0;
}

static void no_bad(void *ctx, size_t lineno, const char *expected)
{
	(void)ctx;
	fail_msg("proc fixture line %zu: %s", lineno, expected);
}

/* The process map the capture wrote: inode -> pid, program. */
static int procmap_lookup(const char *map, uint64_t inode, long *pid, char *prog, size_t size)
{
	const char *p = strchr(map, '\n');

	while (p && *++p) {
		unsigned long long ino;
		int used = 0;

		if (sscanf(p, "%llu\t%ld\t%n", &ino, pid, &used) == 2 && used && ino == inode) {
			size_t n = strcspn(p + used, "\n");

			assert_true(n < size);
			memcpy(prog, p + used, n);
			prog[n] = '\0';
			return 1;
		}
		p = strchr(p, '\n');
	}
	return 0;
}

/* -naep against the /proc files and the process map of the same moment:
 * every row has its /proc twin with the same state, uid and inode, and the
 * pid and (19-byte cut) program the map gives for the inode. */
static void test_naep_matches_proc(void **state)
{
	static struct got g;
	static struct procrows pr;
	struct row_sink sink = {collect_proc, no_bad, &pr};
	size_t len, maplen;
	char *map = netstat_fixture("procmap.tsv", &maplen);

	(void)state;
	memset(&pr, 0, sizeof pr);
	for (size_t f = 0; f < N_PROC_FIXTURES; f++) {
		char *text = netstat_fixture(proc_fixtures[f].file, &len);

		assert_true(procnet_parse(text, len, proc_fixtures[f].proto,
					  proc_fixtures[f].family, false, &sink) > 0);
		free(text);
	}
	assert_int_equal(pr.n, 28);

	run_fixture("netstat_naep.txt", &g, 25, 3);
	for (size_t i = 0; i < g.n; i++) {
		const struct sock_row *r = &g.r[i], *p = NULL;
		char want[64], name[64];
		long pid;

		for (size_t j = 0; j < pr.n; j++)
			if (pr.r[j].proto == r->proto && pr.r[j].family == r->family &&
			    pr.r[j].lport == r->lport && pr.r[j].rport == r->rport &&
			    !memcmp(&pr.r[j].local, &r->local, sizeof r->local) &&
			    !memcmp(&pr.r[j].remote, &r->remote, sizeof r->remote))
				p = &pr.r[j];
		if (!p)
			fail_msg("netstat row %zu has no /proc twin", i);
		assert_int_equal(r->state, p->state == ST_NEW_SYN_RECV ? ST_SYN_RECV : p->state);
		assert_int_equal(r->uid, p->uid);
		assert_int_equal(r->inode, p->inode);
		assert_int_equal(r->rxq, p->rxq);
		assert_int_equal(r->txq, p->txq);
		if (r->inode && procmap_lookup(map, r->inode, &pid, name, sizeof name)) {
			int n = snprintf(want, 20, "%ld/%s", pid, name);

			assert_true(n > 0);
			assert_int_equal(r->pid, pid);
			assert_string_equal(r->program, strchr(want, '/') + 1);
		} else {
			assert_prog(r, 0, NULL);
		}
	}
	free(map);
}

/* -o: the Timer column, with -p before it and a program with spaces. */
static void test_timers(void **state)
{
	static struct got g;

	(void)state;
	run_str("Active Internet connections (servers and established)\n"
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State"
		"       PID/Program name     Timer\n"
		"tcp        0      0 192.0.2.1:22            0.0.0.0:*               LISTEN"
		"      812/sshd: /usr/sbin  off (0.00/0/0)\n"
		"tcp        0     36 192.0.2.1:22            198.51.100.7:50000      ESTABLISHED"
		" 1234/sshd: root@pts on (0.20/1/0)\n"
		"tcp        0      0 192.0.2.1:22            198.51.100.8:50001      ESTABLISHED"
		" 1235/sshd: root      keepalive (7199.88/0/0)\n"
		"tcp        0      0 192.0.2.1:80            203.0.113.9:41000       TIME_WAIT"
		"   -                    timewait (59.12/0/0)\n"
		"udp        0      0 0.0.0.0:68              0.0.0.0:*                        "
		"   640/dhclient         off (0.00/0/0)\n",
		&g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 5);
	assert_prog(&g.r[0], 812, "sshd: /usr/sbin");
	assert_int_equal(g.r[0].timer, TIMER_OFF);
	assert_int_equal(g.r[0].unknown, SOCKROW_UNKNOWN_UID | SOCKROW_UNKNOWN_INODE);
	assert_prog(&g.r[1], 1234, "sshd: root@pts");
	assert_int_equal(g.r[1].txq, 36);
	assert_int_equal(g.r[1].timer, TIMER_ON);
	assert_int_equal(g.r[1].expires_ms, 200);
	assert_int_equal(g.r[1].retrans, 1);
	assert_prog(&g.r[2], 1235, "sshd: root");
	assert_int_equal(g.r[2].timer, TIMER_KEEPALIVE);
	assert_int_equal(g.r[2].expires_ms, 7199880);
	assert_prog(&g.r[3], 0, NULL);
	assert_int_equal(g.r[3].timer, TIMER_TIMEWAIT);
	assert_int_equal(g.r[3].expires_ms, 59120);
	assert_row(&g.r[4], IPPROTO_UDP, AF_INET, ST_CLOSE, "0.0.0.0", 68, "0.0.0.0", 0);
	assert_prog(&g.r[4], 640, "dhclient");

	/* -o alone, without header lines: the timer told by its shape */
	run_str("tcp        0      0 192.0.2.1:22            198.51.100.7:50000      ESTABLISHED"
		" keepalive (10.05/0/0)\n"
		"udp        0      0 192.0.2.1:5000          198.51.100.9:6000       ESTABLISHED"
		" on2 (1.50/0/0)\n",
		&g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].timer, TIMER_KEEPALIVE);
	assert_int_equal(g.r[0].expires_ms, 10050);
	assert_prog(&g.r[0], 0, NULL);
	assert_int_equal(g.r[1].timer, 2);
	assert_int_equal(g.r[1].expires_ms, 1500);
}

/* A NUL in a program name (a crafted dump: no kernel name holds one) is
 * kept as the text \x00, not a cut; other bytes are the display's to show. */
static void test_program_nul(void **state)
{
	static const char text[] =
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State"
		"       PID/Program name\n"
		"tcp        0      0 192.0.2.1:80            198.51.100.7:4000       ESTABLISHED"
		" 77/ab\0cd\033[2J\n";
	static struct got g;

	(void)state;
	memset(&g, 0, sizeof g);
	assert_int_equal(run(text, sizeof text - 1, &g), 0);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 1);
	assert_prog(&g.r[0], 77, "ab\\x00cd\033[2J");
}

/* No header lines (grep'ed dumps): optional columns told by their shape;
 * -e without -n prints user names, whose uid stays unknown. */
static void test_no_header(void **state)
{
	static struct got g;

	(void)state;
	run_str("tcp        0      0 192.0.2.1:80            198.51.100.7:50000      SYN_RECV\n"
		"tcp6       0      0 :::22                   :::*                    LISTEN"
		"      root       20123      901/sshd: /usr/sbin/s\n"
		"tcp        0      0 192.0.2.1:5432          0.0.0.0:*               LISTEN"
		"      postgres   20999     \n"
		"udp        0      0 192.0.2.1:123           0.0.0.0:*"
		"                           0          20500      777/ntpd\n"
		"udp6       0      0 :::5353                 :::*"
		"                                77/avahi-daemon: r  \n",
		&g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 5);
	assert_row(&g.r[0], IPPROTO_TCP, AF_INET, ST_SYN_RECV, "192.0.2.1", 80, "198.51.100.7",
		   50000);
	assert_row(&g.r[1], IPPROTO_TCP, AF_INET6, ST_LISTEN, "::", 22, "::", 0);
	assert_int_equal(g.r[1].inode, 20123);
	assert_int_equal(g.r[1].unknown, SOCKROW_UNKNOWN_UID | SOCKROW_UNKNOWN_TIMER);
	assert_prog(&g.r[1], 901, "sshd: /usr/sbin/s");
	assert_int_equal(g.r[2].inode, 20999);
	assert_prog(&g.r[2], 0, NULL);
	assert_int_equal(g.r[3].state, ST_CLOSE);
	assert_int_equal(g.r[3].uid, 0);
	assert_int_equal(g.r[3].unknown, SOCKROW_UNKNOWN_TIMER);
	assert_prog(&g.r[3], 777, "ntpd");
	assert_prog(&g.r[4], 77, "avahi-daemon: r");

	/* a translated header (LANG=fr_FR): its columns are not trusted */
	run_str("Proto Recv-Q Send-Q Adresse locale          Adresse distante        Etat"
		"        PID/Program name    \n"
		"tcp        0      0 192.0.2.1:22            0.0.0.0:*               LISTEN"
		"      812/sshd: /usr/sbin \n",
		&g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 1);
	assert_prog(&g.r[0], 812, "sshd: /usr/sbin");
}

/* Sections other than Internet are skipped up to the next Internet title;
 * netstat's notes are not rows nor errors; UNIX rows without a title too. */
static void test_sections(void **state)
{
	static struct got g;

	(void)state;
	run_str("(Not all processes could be identified, non-owned process info\n"
		" will not be shown, you would have to be root to see it all.)\n"
		"Active Internet connections (w/o servers)\n"
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State\n"
		"tcp        0      0 192.0.2.1:22            198.51.100.7:50000      ESTABLISHED\n"
		"Active UNIX domain sockets (w/o servers)\n"
		"Proto RefCnt Flags       Type       State         I-Node   Path\n"
		"unix  2      [ ]         DGRAM                    12345    /run/systemd/notify\n"
		"unix  3      [ ]         STREAM     CONNECTED     23456    @/tmp/.X11-unix/X0\n"
		"this is not a row, but it is in the UNIX section\n"
		"Active IPX sockets\n"
		"Proto Recv-Q Send-Q Local Address              Foreign Address            State\n"
		"IPX   0      0      00000000:0451              00000000:0000:00000000     \n"
		"Active Bluetooth connections (w/o servers)\n"
		"Proto  Destination       Source            State         PSM DCID   SCID      IMTU\n"
		"l2cap  00:11:22:33:44:55 66:77:88:99:AA:BB CONNECTED     1   0x0040 0x0041    672\n"
		"\n"
		"Active Internet connections (w/o servers)\n"
		"tcp        0      0 192.0.2.1:22            198.51.100.8:50001      CLOSE_WAIT\n"
		"unix  2      [ ]         DGRAM                    12346    /run/x\n"
		"netstat: no support for `AF IPX' on this system.\n",
		&g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.r[0].state, ST_ESTABLISHED);
	assert_int_equal(g.r[1].state, ST_CLOSE_WAIT);
	assert_int_equal(g.r[1].rport, 50001);
}

/* text's last line is bad for `what`, the lines before it are not rows */
static void expect_bad(const char *text, const char *what)
{
	static struct got g;
	size_t last = 1;

	for (const char *p = text; *p; p++)
		last += *p == '\n';
	run_str(text, &g);
	if (g.n != 0 || g.nbad != 1)
		fail_msg("%zu rows, %zu bad lines from: %s", g.n, g.nbad, text);
	assert_int_equal(g.bad_line[0], last);
	assert_string_equal(g.bad_what[0], what);
}

static void test_bad_lines(void **state)
{
	(void)state;
	/* a service name sockscope's table does not have, a host name with
	 * what no host name has */
	expect_bad("tcp        0      0 localhost:nosuchsvc     0.0.0.0:*               LISTEN",
		   "a port named by a service name sockscope's table does not have (netstat -n)");
	expect_bad("tcp        0      0 192.0.2.1:22            lo$cal:http             LISTEN",
		   "expected an address:port like 1.2.3.4:80, :::22 or localhost:smtp");
	expect_bad("tcp6       0      0 2001:db8:aaaa:bbbb:8443 :::*                    LISTEN",
		   truncated);
	expect_bad("tcp        x      0 192.0.2.1:22            0.0.0.0:*               LISTEN",
		   "expected Recv-Q and Send-Q numbers, then two addresses");
	expect_bad("tcp        0      0 192.0.2.1:22            0.0.0.0:*",
		   "expected a TCP state like LISTEN or ESTABLISHED");
	expect_bad("tcp        0      0 192.0.2.1:22            0.0.0.0:*               CONNECTED",
		   "expected a TCP state like LISTEN or ESTABLISHED");
	expect_bad("raw        0      0 0.0.0.0:1               0.0.0.0:*               13",
		   "expected a raw socket state number like 7");
	expect_bad("tcp        0      0 192.0.2.1:22            0.0.0.0:*               LISTEN"
		   "      812/sshd  off (0.00/0)",
		   "expected a timer like off (0.00/0/0)");
	expect_bad("tcp        0      0 192.0.2.1:22            0.0.0.0:*               LISTEN"
		   "      0/sshd",
		   "expected PID/Program name like 1234/sshd or -");
	expect_bad("tcp        0      0 192.0.2.1:22            0.0.0.0:*               LISTEN"
		   "      stray",
		   "expected User and Inode columns");
	expect_bad("tcp 0 0 192.0.2.1:22 0.0.0.0:* LISTEN root notanumber",
		   "expected an inode number in column Inode");
	expect_bad("sctp       0      0 192.0.2.1:22            0.0.0.0:*               LISTEN",
		   "expected a netstat row starting with tcp, tcp6, udp, udp6, raw or raw6");
	expect_bad("Proto Recv-Q Send-Q Local Address Foreign Address State\n"
		   "tcp 0 0 192.0.2.1:22 0.0.0.0:* LISTEN 1/init",
		   "expected nothing after the last column of the header");
	/* bad lines are counted and the rest of the dump goes on */
	{
		static struct got g;

		run_str("tcp 0 0 192.0.2.1:22 0.0.0.0:* LISTEN\n"
			"tcp 0 0 192.0.2.1:22 0.0.0.0:* NOPE\n"
			"tcp 0 0 192.0.2.1:23 0.0.0.0:* LISTEN\n",
			&g);
		assert_int_equal(g.n, 2);
		assert_int_equal(g.nbad, 1);
		assert_int_equal(g.bad_line[0], 2);
		assert_int_equal(g.r[1].lport, 23);
	}
}


/* Parses tests/data/names/<name> (real captures without -n). */
static void run_names(const char *name, struct got *g, size_t rows, size_t bad)
{
	char rel[256];
	size_t len;
	char *text;

	snprintf(rel, sizeof rel, "names/%s", name);
	text = fixture_load(rel, &len);
	memset(g, 0, sizeof *g);
	assert_int_equal(run(text, len, g), 0);
	free(text);
	if (g->n != rows || g->nbad != bad)
		fail_msg("%s: %zu rows, %zu bad lines; expected %zu and %zu", name, g->n, g->nbad,
			 rows, bad);
}

static void assert_hosts(const struct sock_row *r, const char *lhost, const char *rhost)
{
	if (lhost)
		assert_string_equal(r->lhost, lhost);
	else
		assert_null(r->lhost);
	if (rhost)
		assert_string_equal(r->rhost, rhost);
	else
		assert_null(r->rhost);
}

/* netstat -a, -aW, -tap, -ae, -l, -au: host and service names (issue 15) */
static void test_names(void **state)
{
	static struct got g;

	(void)state;
	run_names("netstat_a.txt", &g, 26, 0);
	/* tcp 0 0 localhost:postgresql 0.0.0.0:* LISTEN */
	assert_int_equal(g.r[0].proto, IPPROTO_TCP);
	assert_int_equal(g.r[0].family, AF_INET);
	assert_int_equal(g.r[0].state, ST_LISTEN);
	assert_ep(&g.r[0].local, g.r[0].lport, "0.0.0.0", 5432);
	assert_hosts(&g.r[0], "localhost", NULL);
	assert_ep(&g.r[0].remote, g.r[0].rport, "0.0.0.0", 0);
	assert_int_equal(g.r[0].named, SOCKROW_NAMED_HOST | SOCKROW_NAMED_PORT);
	/* 0.0.0.0:http-alt: a named port only */
	assert_ep(&g.r[1].local, g.r[1].lport, "0.0.0.0", 8080);
	assert_hosts(&g.r[1], NULL, NULL);
	assert_int_equal(g.r[1].named, SOCKROW_NAMED_PORT);
	/* builder.localdomai:1028: the host cut to fit 23 columns is kept as
	 * the dump wrote it */
	assert_int_equal(g.r[4].lport, 1028);
	assert_hosts(&g.r[4], "builder.localdomai", NULL);
	assert_int_equal(g.r[4].named, SOCKROW_NAMED_HOST);
	/* builder.localdomain:ssh client-a.example.:34257 ESTABLISHED */
	assert_int_equal(g.r[7].state, ST_ESTABLISHED);
	assert_int_equal(g.r[7].lport, 22);
	assert_int_equal(g.r[7].rport, 34257);
	assert_hosts(&g.r[7], "builder.localdomain", "client-a.example.");
	assert_true(addr_is_unspecified(&g.r[7].remote));
	/* builder.localdomai:http 198.51.100.4:38699: a peer without a name */
	assert_hosts(&g.r[14], "builder.localdomai", NULL);
	assert_ep(&g.r[14].remote, g.r[14].rport, "198.51.100.4", 38699);
	/* tcp6 ip6-localhost:ipp [::]:* */
	assert_int_equal(g.r[17].family, AF_INET6);
	assert_ep(&g.r[17].local, g.r[17].lport, "::", 631);
	assert_hosts(&g.r[17], "ip6-localhost", NULL);
	assert_ep(&g.r[17].remote, g.r[17].rport, "::", 0);
	/* udp client-a.example.n:5000 builder.localdom:domain ESTABLISHED */
	assert_int_equal(g.r[21].proto, IPPROTO_UDP);
	assert_int_equal(g.r[21].state, ST_ESTABLISHED);
	assert_int_equal(g.r[21].rport, 53);
	assert_hosts(&g.r[21], "client-a.example.n", "builder.localdom");
	/* udp 0.0.0.0:mdns, 1664 0.0.0.0:domain, localhost:snmp, udp6 [::]:ntp */
	assert_int_equal(g.r[22].lport, 5353);
	assert_int_equal(g.r[23].lport, 53);
	assert_int_equal(g.r[23].rxq, 1664);
	assert_int_equal(g.r[24].lport, 161);
	assert_int_equal(g.r[25].family, AF_INET6);
	assert_int_equal(g.r[25].lport, 123);

	/* -W: whole names */
	run_names("netstat_aW.txt", &g, 26, 0);
	assert_hosts(&g.r[11], "a-rather-long-client-name.example.net", "builder.localdomain");
	assert_int_equal(g.r[11].rport, 443);
	run_names("netstat_tap.txt", &g, 21, 0);
	assert_string_equal(g.r[0].program, "sockhold");
	assert_int_equal(g.r[0].pid, 13988);
	assert_int_equal(g.r[0].lport, 5432);
	run_names("netstat_ae.txt", &g, 26, 0);
	assert_int_equal(g.r[0].inode, 201759);
	run_names("netstat_l.txt", &g, 13, 0);
	run_names("netstat_au.txt", &g, 5, 0);
}

/* Old RHEL net-tools print IPv6 addresses in "tcp"/"udp" rows: the family
 * is the addresses' */
static void test_v6_in_tcp_row(void **state)
{
	static struct got g;

	(void)state;
	run_str("tcp        0      0 :::22                       :::*                        LISTEN\n"
		"tcp        0      0 ::ffff:192.0.2.1:22         ::ffff:198.51.100.7:50000   ESTABLISHED\n"
		"tcp        0      0 2001:db8::1:22              *:*                         LISTEN\n"
		"udp        0      0 :::5353                     :::*\n"
		"tcp        0      0 0.0.0.0:22                  0.0.0.0:*                   LISTEN\n",
		&g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 5);
	assert_int_equal(g.r[0].family, AF_INET6);
	assert_ep(&g.r[0].local, g.r[0].lport, "::", 22);
	assert_int_equal(g.r[1].family, AF_INET6);
	assert_ep(&g.r[1].remote, g.r[1].rport, "::ffff:198.51.100.7", 50000);
	/* '*' in a row IPv6 by its other address is IPv6's wildcard */
	assert_int_equal(g.r[2].family, AF_INET6);
	assert_ep(&g.r[2].remote, g.r[2].rport, "::", 0);
	assert_int_equal(g.r[3].family, AF_INET6);
	assert_int_equal(g.r[3].proto, IPPROTO_UDP);
	assert_int_equal(g.r[4].family, AF_INET);
}

/* -p rows whose PID/Program field is empty, or a PID without a program;
 * a header column this parser does not know is skipped and named once */
static void test_prog_variants(void **state)
{
	static struct got g;
	const char *sk;
	void *st;
	struct row_sink sink = {collect, complain, &g};
	static const char text[] =
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State       User       Inode      PID/Program name     Timer\n"
		"tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN      0          1234                             off (0.00/0/0)\n"
		"tcp        0      0 0.0.0.0:23              0.0.0.0:*               LISTEN      0          1235       812/                  off (0.00/0/0)\n"
		"tcp        0      0 0.0.0.0:24              0.0.0.0:*               LISTEN      0          1236       813                   off (0.00/0/0)\n"
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID/Program name     Security Context\n"
		"tcp        0      0 0.0.0.0:25              0.0.0.0:*               LISTEN      814/exim4\n";

	(void)state;
	memset(&g, 0, sizeof g);
	assert_int_equal(textfmt_feed(&textfmt_netstat, NULL, text, sizeof text - 1, &sink), 0);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.r[0].pid, 0);
	assert_null(g.r[0].program);
	assert_int_equal(g.r[0].inode, 1234);
	assert_int_equal(g.r[0].timer, TIMER_OFF);
	assert_int_equal(g.r[1].pid, 812);
	assert_null(g.r[1].program);
	assert_int_equal(g.r[2].pid, 813);
	assert_null(g.r[2].program);
	assert_int_equal(g.r[3].pid, 814);
	assert_string_equal(g.r[3].program, "exim4");
	/* the skipped columns, for the import's one warning */
	st = calloc(1, textfmt_netstat.state_size);
	assert_non_null(st);
	textfmt_netstat.begin(st, NULL);
	assert_int_equal(textfmt_netstat.line(st, text, (size_t)(strchr(text, '\n') - text), 1, &sink), 0);
	assert_null(textfmt_netstat.skipped(st));
	{
		const char *h = strstr(text, "Proto Recv-Q Send-Q Local Address           Foreign Address         State       PID");

		assert_int_equal(textfmt_netstat.line(st, h, (size_t)(strchr(h, '\n') - h), 5, &sink), 0);
	}
	sk = textfmt_netstat.skipped(st);
	assert_non_null(sk);
	assert_string_equal(sk, "Security, Context");
	free(st);
}

/* A sink that stops the import stops the parser with its errno. */
static void test_sink_stops(void **state)
{
	static struct got g;
	size_t len;
	char *text = netstat_fixture("netstat_na.txt", &len);

	(void)state;
	memset(&g, 0, sizeof g);
	g.stop_after = 2;
	assert_int_equal(run(text, len, &g), -ECANCELED);
	assert_int_equal(g.n, 2);
	free(text);
}

static void test_probe(void **state)
{
	static const char *const sure[] = {
		"Active Internet connections (servers and established)",
		"Active Internet connections (w/o servers)",
		"Active Internet connections (only servers)",
		"Active UNIX domain sockets (servers and established)",
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State      ",
		"Proto Recv-Q Send-Q Local Address           Foreign Address         State       "
		"PID/Program name    ",
		"Proto RefCnt Flags       Type       State         I-Node   Path",
		"tcp        0      0 198.51.100.1:80         0.0.0.0:*               LISTEN     ",
		"tcp6       0      0 2001:db8:aaaa:bbbb:8443 :::*                    LISTEN     ",
		"udp        0      0 0.0.0.0:53              0.0.0.0:*                          ",
		"raw6       0      0 :::58                   :::*                    7          ",
	};
	static const char *const no[] = {
		"",
		"   ",
		/* BSD */
		"Active Internet connections (including servers)",
		"Proto Recv-Q Send-Q  Local Address          Foreign Address        (state)    ",
		"tcp4       0      0  192.0.2.10.52311       198.51.100.20.443      ESTABLISHED",
		"tcp          0      0  192.0.2.20.22          203.0.113.50.62011     ESTABLISHED",
		"tcp6         0      0  ::1.25                 *.*                    LISTEN",
		/* ss */
		"State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process",
		"tcp   LISTEN 0      128    0.0.0.0:22   0.0.0.0:*",
		"LISTEN 0      128    0.0.0.0:22   0.0.0.0:*",
		/* Windows */
		"  Proto  Local Address          Foreign Address        State",
		"  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING",
		/* /proc/net/tcp */
		"   0: 016433C6:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0",
		"Tue Nov 25 14:53:00 UTC 2026",
	};

	(void)state;
	for (size_t i = 0; i < sizeof sure / sizeof sure[0]; i++)
		if (textfmt_netstat.probe(sure[i], strlen(sure[i])) != TEXTFMT_PROBE_SURE)
			fail_msg("not SURE: %s", sure[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (textfmt_netstat.probe(no[i], strlen(no[i])) != TEXTFMT_PROBE_NO)
			fail_msg("not NO: %s", no[i]);
	assert_int_equal(textfmt_netstat.probe("Active Internet connections", 27), TEXTFMT_PROBE_MAYBE);
	assert_string_equal(textfmt_netstat.name, "netstat");
}

/* Every line of every capture probes as netstat (SURE, or NO for what is not
 * a netstat line at all), never as anything in between. */
static void test_probe_fixtures(void **state)
{
	static const char *const files[] = {"netstat_na.txt", "netstat_anp.txt",
					    "netstat_naep.txt", "netstat_anpW.txt"};

	(void)state;
	for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
		size_t len, i = 0;
		char *text = netstat_fixture(files[f], &len);

		while (i < len) {
			const char *nl = memchr(text + i, '\n', len - i);
			size_t e = nl ? (size_t)(nl - text) : len;

			if (textfmt_netstat.probe(text + i, e - i) != TEXTFMT_PROBE_SURE)
				fail_msg("%s: not SURE: %.*s", files[f], (int)(e - i), text + i);
			i = e + 1;
		}
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_na),
		cmocka_unit_test(test_an_equals_na),
		cmocka_unit_test(test_naW),
		cmocka_unit_test(test_anp),
		cmocka_unit_test(test_article_commands),
		cmocka_unit_test(test_nae),
		cmocka_unit_test(test_naep_matches_proc),
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_program_nul),
		cmocka_unit_test(test_no_header),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_sink_stops),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_probe_fixtures),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_v6_in_tcp_row),
		cmocka_unit_test(test_prog_variants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for analyzer/parse/textfmt_windows: the tests/data/windows samples row
 * by row, -b program lines, states, malformed rows and probe(). */
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
	char prog[MAXROWS][300];
	char rhost[MAXROWS][64];   /* peers' host names, copied */
	size_t n;
	size_t bad[16];
	const char *what[16];
	size_t nbad;
	int fail_at;   /* row() returns -ECANCELED for row number fail_at (1-based) */
};

static int collect(void *ctx, const struct sock_row *r)
{
	struct rows *rs = ctx;

	if (rs->fail_at && (int)rs->n + 1 == rs->fail_at)
		return -ECANCELED;
	assert_true(rs->n < MAXROWS);
	rs->r[rs->n] = *r;
	rs->r[rs->n].program = textfmt_keep(rs->prog[rs->n], sizeof rs->prog[0], r->program);
	rs->r[rs->n].lhost = NULL;   /* not looked at */
	rs->r[rs->n].rhost = textfmt_keep(rs->rhost[rs->n], sizeof rs->rhost[0], r->rhost);
	rs->n++;
	return 0;
}

static void complain(void *ctx, size_t lineno, const char *expected)
{
	struct rows *rs = ctx;

	assert_non_null(expected);
	assert_true(strlen(expected) > 10);
	if (rs->nbad < 16) {
		rs->bad[rs->nbad] = lineno;
		rs->what[rs->nbad] = expected;
	}
	rs->nbad++;
}

static alignas(max_align_t) unsigned char state_buf[4096];

/* Feeds text line by line as the importer does: '\n' split, the CR of
 * CRLF removed (the parser never sees one). Returns line()/end()'s first
 * error or 0. */
static int run(const char *text, size_t len, struct rows *rs)
{
	struct row_sink sink = {collect, complain, rs};

	return textfmt_feed(&textfmt_windows, "netstat.txt", text, len, &sink);
}

static void run_fixture(const char *name, struct rows *rs)
{
	char rel[128];
	size_t len;
	char *text;

	snprintf(rel, sizeof rel, "windows/%s", name);
	text = fixture_load(rel, &len);
	assert_non_null(memchr(text, '\r', len));   /* the fixtures keep CRLF */
	memset(rs, 0, sizeof *rs);
	assert_int_equal(run(text, len, rs), 0);
	free(text);
}

static void run_str(const char *text, struct rows *rs)
{
	memset(rs, 0, sizeof *rs);
	assert_int_equal(run(text, strlen(text), rs), 0);
}

/* The sockets of all the fixtures, in order (tests/data/windows/README.md). */
static const struct want {
	int proto, family;
	const char *laddr;
	unsigned lport;
	const char *raddr;
	unsigned rport;
	int state, pid;
	const char *program;   /* -b */
} sockets[] = {
	{IPPROTO_TCP, AF_INET, "0.0.0.0", 135, "0.0.0.0", 0, ST_LISTEN, 1044, "svchost.exe"},
	{IPPROTO_TCP, AF_INET, "0.0.0.0", 445, "0.0.0.0", 0, ST_LISTEN, 4, NULL},
	{IPPROTO_TCP, AF_INET, "0.0.0.0", 3389, "0.0.0.0", 0, ST_LISTEN, 1216, "svchost.exe"},
	{IPPROTO_TCP, AF_INET, "0.0.0.0", 5040, "0.0.0.0", 0, ST_LISTEN, 6520, "svchost.exe"},
	{IPPROTO_TCP, AF_INET, "0.0.0.0", 49664, "0.0.0.0", 0, ST_LISTEN, 872, "wininit.exe"},
	{IPPROTO_TCP, AF_INET, "127.0.0.1", 5939, "0.0.0.0", 0, ST_LISTEN, 4012,
	 "my server app.exe"},
	{IPPROTO_TCP, AF_INET, "127.0.0.1", 49700, "127.0.0.1", 49701, ST_ESTABLISHED, 5120,
	 "my server app.exe"},
	{IPPROTO_TCP, AF_INET, "127.0.0.1", 49701, "127.0.0.1", 49700, ST_ESTABLISHED, 5120,
	 "my server app.exe"},
	{IPPROTO_TCP, AF_INET, "192.0.2.10", 139, "0.0.0.0", 0, ST_LISTEN, 4, NULL},
	{IPPROTO_TCP, AF_INET, "192.0.2.10", 3389, "198.51.100.23", 52114, ST_ESTABLISHED, 1216,
	 "svchost.exe"},
	{IPPROTO_TCP, AF_INET, "192.0.2.10", 3389, "198.51.100.99", 61001, ST_SYN_RECV, 1216,
	 "svchost.exe"},
	{IPPROTO_TCP, AF_INET, "192.0.2.10", 49712, "203.0.113.80", 443, ST_ESTABLISHED, 7784,
	 "firefox.exe"},
	{IPPROTO_TCP, AF_INET, "192.0.2.10", 49713, "203.0.113.80", 443, ST_TIME_WAIT, 0, NULL},
	{IPPROTO_TCP, AF_INET, "192.0.2.10", 49720, "198.51.100.7", 443, ST_CLOSE_WAIT, 7784,
	 "firefox.exe"},
	{IPPROTO_TCP, AF_INET, "192.0.2.10", 49721, "203.0.113.45", 80, ST_SYN_SENT, 7784,
	 "firefox.exe"},
	{IPPROTO_TCP, AF_INET, "192.0.2.10", 49722, "203.0.113.45", 80, ST_FIN_WAIT1, 7784,
	 "firefox.exe"},
	{IPPROTO_TCP, AF_INET, "192.0.2.10", 49723, "203.0.113.46", 80, ST_FIN_WAIT2, 7784,
	 "firefox.exe"},
	{IPPROTO_TCP, AF_INET, "192.0.2.10", 49724, "203.0.113.47", 8080, ST_LAST_ACK, 7784,
	 "firefox.exe"},
	{IPPROTO_TCP, AF_INET, "192.0.2.10", 49725, "203.0.113.48", 8080, ST_CLOSING, 7784,
	 "firefox.exe"},
	{IPPROTO_TCP, AF_INET6, "::", 135, "::", 0, ST_LISTEN, 1044, "svchost.exe"},
	{IPPROTO_TCP, AF_INET6, "::", 445, "::", 0, ST_LISTEN, 4, NULL},
	{IPPROTO_TCP, AF_INET6, "::", 3389, "::", 0, ST_LISTEN, 1216, "svchost.exe"},
	{IPPROTO_TCP, AF_INET6, "::1", 49669, "::1", 49670, ST_ESTABLISHED, 3321,
	 "my server app.exe"},
	{IPPROTO_TCP, AF_INET6, "2001:db8::10", 49730, "2001:db8:85a3::8a2e:370:7334", 443,
	 ST_ESTABLISHED, 7784, "firefox.exe"},
	{IPPROTO_TCP, AF_INET6, "fe80::1", 49669, "fe80::2", 443, ST_ESTABLISHED, 3321,
	 "my server app.exe"},
	{IPPROTO_UDP, AF_INET, "0.0.0.0", 123, "0.0.0.0", 0, ST_CLOSE, 1484, "svchost.exe"},
	{IPPROTO_UDP, AF_INET, "0.0.0.0", 500, "0.0.0.0", 0, ST_CLOSE, 3036, "svchost.exe"},
	{IPPROTO_UDP, AF_INET, "0.0.0.0", 5353, "0.0.0.0", 0, ST_CLOSE, 2260, "svchost.exe"},
	{IPPROTO_UDP, AF_INET, "127.0.0.1", 1900, "0.0.0.0", 0, ST_CLOSE, 4920, "svchost.exe"},
	{IPPROTO_UDP, AF_INET, "192.0.2.10", 137, "0.0.0.0", 0, ST_CLOSE, 4, NULL},
	{IPPROTO_UDP, AF_INET6, "::", 123, "::", 0, ST_CLOSE, 1484, "svchost.exe"},
	{IPPROTO_UDP, AF_INET6, "::1", 1900, "::", 0, ST_CLOSE, 4920, "svchost.exe"},
	{IPPROTO_UDP, AF_INET6, "fe80::1", 546, "::", 0, ST_CLOSE, 1320, "svchost.exe"},
};
#define NSOCKETS (sizeof sockets / sizeof sockets[0])

static void assert_row(const struct sock_row *r, const struct want *w, int with_pid,
		       int with_program)
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
	assert_int_equal(r->pid, with_pid ? w->pid : 0);
	if (with_program && w->program)
		assert_string_equal(r->program, w->program);
	else
		assert_null(r->program);
	/* netstat.exe says nothing about queues, uid, inode or timers */
	assert_int_equal(r->unknown, SOCKROW_UNKNOWN_ALL);
	assert_int_equal(r->inode, 0);
	assert_int_equal(r->uid, 0);
}

static void test_an(void **state)
{
	static struct rows rs;
	(void)state;

	run_fixture("netstat_an.txt", &rs);
	assert_int_equal(rs.nbad, 0);
	assert_int_equal(rs.n, NSOCKETS);
	for (size_t i = 0; i < NSOCKETS; i++)
		assert_row(&rs.r[i], &sockets[i], 0, 0);
}

static void test_ano(void **state)
{
	static struct rows rs;
	(void)state;

	run_fixture("netstat_ano.txt", &rs);
	assert_int_equal(rs.nbad, 0);
	assert_int_equal(rs.n, NSOCKETS);
	for (size_t i = 0; i < NSOCKETS; i++)
		assert_row(&rs.r[i], &sockets[i], 1, 0);
}

/* The program in brackets belongs to the row above it. */
static void test_anob(void **state)
{
	static struct rows rs;
	(void)state;

	run_fixture("netstat_anob.txt", &rs);
	assert_int_equal(rs.nbad, 0);
	assert_int_equal(rs.n, NSOCKETS);
	for (size_t i = 0; i < NSOCKETS; i++)
		assert_row(&rs.r[i], &sockets[i], 1, 1);
}

/* German headers, title and the two cited German state names. */
static void test_ano_de(void **state)
{
	static struct rows rs;
	size_t k = 0;
	(void)state;

	run_fixture("netstat_ano_de.txt", &rs);
	assert_int_equal(rs.nbad, 0);
	assert_int_equal(rs.n, 25);
	for (size_t i = 0; i < NSOCKETS; i++) {
		if (sockets[i].state != ST_LISTEN && sockets[i].state != ST_ESTABLISHED &&
		    sockets[i].proto == IPPROTO_TCP)
			continue;
		assert_true(k < rs.n);
		assert_row(&rs.r[k++], &sockets[i], 1, 0);
	}
	assert_int_equal(k, 25);
}

/* PowerShell's `>`: the converting reader is elsewhere; here only that the
 * fixture is what its README says, netstat_ano.txt as UTF-16LE with BOM. */
static void test_utf16_fixture(void **state)
{
	size_t len, alen;
	unsigned char *u = (unsigned char *)fixture_load("windows/netstat_ano_utf16.txt", &len);
	char *a = fixture_load("windows/netstat_ano.txt", &alen);
	(void)state;

	assert_true(len >= 2);
	assert_int_equal(u[0], 0xff);
	assert_int_equal(u[1], 0xfe);
	assert_int_equal(len, 2 + 2 * alen);
	for (size_t i = 0; i < alen; i++) {
		assert_int_equal(u[2 + 2 * i], (unsigned char)a[i]);
		assert_int_equal(u[3 + 2 * i], 0);
	}
	free(u);
	free(a);
}

static void test_states(void **state)
{
	static struct rows rs;
	static const struct {
		const char *word;
		int st;
	} states[] = {
		{"LISTENING", ST_LISTEN},       {"SYN_SENT", ST_SYN_SENT},
		{"SYN_RECEIVED", ST_SYN_RECV},  {"ESTABLISHED", ST_ESTABLISHED},
		{"FIN_WAIT_1", ST_FIN_WAIT1},   {"FIN_WAIT_2", ST_FIN_WAIT2},
		{"CLOSE_WAIT", ST_CLOSE_WAIT},  {"CLOSING", ST_CLOSING},
		{"LAST_ACK", ST_LAST_ACK},      {"TIME_WAIT", ST_TIME_WAIT},
		{"CLOSED", ST_CLOSE},           {"DELETE_TCB", ST_CLOSE},
		{"BOUND", ST_CLOSE},            {"ABH\xc3\x96REN", ST_LISTEN},
		{"HERGESTELLT", ST_ESTABLISHED},
	};
	char line[128];
	(void)state;

	for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
		snprintf(line, sizeof line,
			 "  TCP    192.0.2.10:49800       203.0.113.9:443        %-15s 812",
			 states[i].word);
		run_str(line, &rs);
		assert_int_equal(rs.nbad, 0);
		assert_int_equal(rs.n, 1);
		assert_int_equal(rs.r[0].state, states[i].st);
		assert_int_equal(rs.r[0].pid, 812);
	}
}

static void test_bad_rows(void **state)
{
	static struct rows rs;
	static const char *const bad[] = {
		/* a German state no source confirms: reported, not guessed */
		"  TCP    192.0.2.10:49713   203.0.113.80:443   WARTEND         0",
		"  TCP    192.0.2.10:49713   203.0.113.80:443   LISTEN_ING      0",
		"  TCP    999.0.2.10:80      0.0.0.0:0          LISTENING",
		"  TCP    192.0.2.10:80      0.0.0.0:0",
		"  TCP    192.0.2.10:80      0.0.0.0:0          LISTENING       12ab",
		"  TCP    192.0.2.10:80      0.0.0.0:0          LISTENING       4 extra",
		"  TCP    192.0.2.10:80      [::]:0             LISTENING       4",
		"  TCP    [::]:80            0.0.0.0:0          LISTENING       4",
		"  TCP    192.0.2.10:nosuch  0.0.0.0:0          LISTENING",
		"  TCP    host!example:80    0.0.0.0:0          LISTENING",
		"  TCP    192.0.2.10:65536   0.0.0.0:0          LISTENING",
		"  TCP    192.0.2.10:80      0.0.0.0:0          LISTENING       4294967295",
		"  UDP    0.0.0.0:123        *:*                LISTENING       1484",
		"  UDP    0.0.0.0:123",
		"  TCP    :80                0.0.0.0:0          LISTENING",
		"  TCP    [fe80::1%]:80      [::]:0             LISTENING",
	};
	(void)state;

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		run_str(bad[i], &rs);
		if (rs.n != 0 || rs.nbad != 1)
			fail_msg("\"%s\": %zu rows, %zu bad", bad[i], rs.n, rs.nbad);
		assert_int_equal(rs.bad[0], 1);
	}
}

/* Non-rows in any language are ignored, not reported; the line numbers
 * of bad rows are right. */
static void test_ignorable(void **state)
{
	static struct rows rs;
	(void)state;

	run_str("\n"
		"Connexions actives\n"
		"\n"
		"  Proto  Adresse locale         Adresse distante       \xc3\x89tat           PID\n"
		"  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1044\n"
		"TCP Statistics for IPv4\n"
		"\n"
		"  Active Opens                        = 1234\n"
		"  UDP    0.0.0.0:123            *:*                                    1484\n"
		"  TCP    0.0.0.0:136            0.0.0.0:0              WARTEND         1044\n"
		"Interface Statistics\n",
		&rs);
	assert_int_equal(rs.n, 2);
	assert_int_equal(rs.r[0].lport, 135);
	assert_int_equal(rs.r[1].proto, IPPROTO_UDP);
	assert_int_equal(rs.nbad, 1);
	assert_int_equal(rs.bad[0], 10);
}

/* After a valid header, lines that are no part of netstat's layout are bad
 * lines with their numbers: junk, a short line not followed by a blank line,
 * indented lines beyond a row's -b owner lines. A localized title, header
 * and owner line (French) are not. */
static void test_junk(void **state)
{
	static struct rows rs;
	static const size_t want[] = {7, 8, 9, 10, 16, 22};
	(void)state;

	run_str("\n"                                                                         /* 1 */
		"Active Connections\n"
		"\n"
		"  Proto  Local Address          Foreign Address        State           PID\n"
		"  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1044\n" /* 5 */
		" Can not obtain ownership information\n"
		"random junk of many words on one line here\n"                    /* bad */
		"junk\n"                                     /* bad: no blank line follows */
		"  indented junk\n"                            /* bad: no owner lines left */
		"\x01\x02\xff garbage\n"                                 /* 10, bad */
		"  TCP    0.0.0.0:136            0.0.0.0:0              LISTENING       1044\n"
		"  component\n"
		"  another\n"
		"  and another\n"
		"  one more\n"                                      /* 15: four under a row */
		"  a fifth\n"                                                       /* bad */
		"\n"
		"Connexions actives\n"
		"\n"
		"  Proto  Adresse locale         Adresse distante       \xc3\x89tat           PID\n"
		"  UDP    0.0.0.0:123            *:*                                    1484\n" /* 21 */
		"more junk, more words than a title has\n"                           /* bad */
		" Impossible d'obtenir les informations de propri\xc3\xa9t\xc3\xa9\n",
		&rs);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.nbad, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (rs.bad[i] != want[i])
			fail_msg("bad line %zu: %zu, want %zu", i, rs.bad[i], want[i]);
}

static void test_program_lines(void **state)
{
	static struct rows rs;
	(void)state;

	/* before any row, a bracket line belongs to nothing */
	run_str(" [orphan.exe]\n"
		"  TCP    0.0.0.0:1              0.0.0.0:0              LISTENING       10\n"
		"  Svc\n"
		" [first.exe]\n"
		" [second.exe]\n"
		"  TCP    0.0.0.0:2              0.0.0.0:0              LISTENING       11\n"
		" Can not obtain ownership information\n"
		"  TCP    0.0.0.0:3              0.0.0.0:0              LISTENING       12\n"
		" [ctl\x01name.exe]\n"
		"  TCP    0.0.0.0:4              0.0.0.0:0              LISTENING       13\n"
		" []\n"
		"  UDP    0.0.0.0:5              *:*                                    14\n"
		" [last one.exe]",
		&rs);
	assert_int_equal(rs.nbad, 0);
	assert_int_equal(rs.n, 5);
	assert_string_equal(rs.r[0].program, "first.exe");
	assert_null(rs.r[1].program);
	assert_string_equal(rs.r[2].program, "ctl.name.exe");
	assert_null(rs.r[3].program);
	assert_string_equal(rs.r[4].program, "last one.exe");   /* emitted by end() */
	assert_int_equal(rs.r[4].pid, 14);
}

/* A name longer than the buffer is cut, never inside a UTF-8 character. */
static void test_long_program(void **state)
{
	static struct rows rs;
	char line[1024];
	size_t n;
	(void)state;

	n = (size_t)snprintf(line, sizeof line,
			     "  TCP    0.0.0.0:1              0.0.0.0:0              LISTENING  1\n [");
	for (int i = 0; i < 200; i++) {
		memcpy(line + n, "\xc3\x96", 2);   /* Ö */
		n += 2;
	}
	memcpy(line + n, ".exe]", 6);
	run_str(line, &rs);
	assert_int_equal(rs.n, 1);
	assert_non_null(rs.r[0].program);
	n = strlen(rs.r[0].program);
	assert_true(n > 200 && n < 256);
	assert_int_equal(n % 2, 0);
	assert_int_equal((unsigned char)rs.r[0].program[n - 1], 0x96);
}

/* A sink error stops the parse and is returned, by line() or end(). */
static void test_sink_error(void **state)
{
	static struct rows rs;
	static const char text[] =
		"  TCP    0.0.0.0:1              0.0.0.0:0              LISTENING       10\n"
		"  TCP    0.0.0.0:2              0.0.0.0:0              LISTENING       11\n"
		"  TCP    0.0.0.0:3              0.0.0.0:0              LISTENING       12\n";
	(void)state;

	memset(&rs, 0, sizeof rs);
	rs.fail_at = 2;
	assert_int_equal(run(text, strlen(text), &rs), -ECANCELED);
	assert_int_equal(rs.n, 1);
	memset(&rs, 0, sizeof rs);
	rs.fail_at = 3;   /* the last row leaves in end() */
	assert_int_equal(run(text, strlen(text), &rs), -ECANCELED);
	assert_int_equal(rs.n, 2);
}

/* begin() forgets a row held from the previous dump. */
static void test_begin_resets(void **state)
{
	static struct rows rs;
	struct row_sink sink = {collect, complain, &rs};
	static const char row[] =
		"  TCP    0.0.0.0:1              0.0.0.0:0              LISTENING       10";
	(void)state;

	memset(&rs, 0, sizeof rs);
	textfmt_windows.begin(state_buf, NULL);
	assert_int_equal(textfmt_windows.line(state_buf, row, strlen(row), 1, &sink), 0);
	textfmt_windows.begin(state_buf, NULL);
	assert_int_equal(textfmt_windows.end(state_buf, &sink), 0);
	assert_int_equal(rs.n, 0);
	assert_int_equal(textfmt_windows.end(state_buf, &sink), 0);
	assert_int_equal(rs.n, 0);
}

static void test_probe(void **state)
{
	static const struct {
		const char *line;
		int want;
	} cases[] = {
		{"Active Connections", TEXTFMT_PROBE_SURE},
		{"Active Connections\r", TEXTFMT_PROBE_SURE},
		{"  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING       1044",
		 TEXTFMT_PROBE_SURE},
		{"  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING\r",
		 TEXTFMT_PROBE_SURE},
		{"  TCP    [fe80::1%12]:49669     [fe80::2%12]:443       ESTABLISHED     3321",
		 TEXTFMT_PROBE_SURE},
		{"  UDP    0.0.0.0:123            *:*                                    1484",
		 TEXTFMT_PROBE_SURE},
		{"  UDP    [::]:123               *:*                    ", TEXTFMT_PROBE_SURE},
		{"  TCP    0.0.0.0:135            0.0.0.0:0              ABH\xc3\x96REN         1044",
		 TEXTFMT_PROBE_SURE},
		{"  Proto  Local Address          Foreign Address        State           PID",
		 TEXTFMT_PROBE_MAYBE},
		{"  Proto  Lokale Adresse         Remoteadresse          Status          PID",
		 TEXTFMT_PROBE_MAYBE},
		{" [svchost.exe]", TEXTFMT_PROBE_MAYBE},
		{"", TEXTFMT_PROBE_NO},
		{"\r", TEXTFMT_PROBE_NO},
		{"Active Internet connections (servers and established)", TEXTFMT_PROBE_NO},
		{"Proto Recv-Q Send-Q Local Address           Foreign Address         State",
		 TEXTFMT_PROBE_NO},
		{"tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN",
		 TEXTFMT_PROBE_NO},
		{"TCP    0.0.0.0:135            0.0.0.0:0              LISTENING", TEXTFMT_PROBE_NO},
		{"  tcp    0.0.0.0:135            0.0.0.0:0              LISTENING",
		 TEXTFMT_PROBE_NO},
		{"tcp4       0      0  192.0.2.1.443          203.0.113.5.51234      ESTABLISHED",
		 TEXTFMT_PROBE_NO},
		{"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   "
		 "uid  timeout inode",
		 TEXTFMT_PROBE_NO},
		{"  TCP    Statistics for IPv4", TEXTFMT_PROBE_NO},
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = textfmt_windows.probe(cases[i].line, strlen(cases[i].line));

		if (got != cases[i].want)
			fail_msg("probe(\"%s\") = %d, want %d", cases[i].line, got, cases[i].want);
	}
	assert_string_equal(textfmt_windows.name, "windows");
}


/* netstat -a without -n (issue 15): service names, host names; the
 * machine's own name as a listener's peer is no peer */
static void test_names(void **state)
{
	static struct rows rs;
	char txt[ADDR_STRLEN];

	(void)state;
	run_fixture("netstat_a.txt", &rs);
	assert_int_equal(rs.nbad, 0);
	assert_int_equal(rs.n, 14);
	assert_int_equal(rs.r[0].lport, 135);
	assert_int_equal(rs.r[0].state, ST_LISTEN);
	assert_null(rs.r[0].rhost);
	assert_true(addr_is_unspecified(&rs.r[0].remote));
	assert_int_equal(rs.r[0].named, SOCKROW_NAMED_PORT);
	assert_int_equal(rs.r[1].lport, 445);
	assert_int_equal(rs.r[2].named, 0);
	/* 127.0.0.1:5354 DESKTOP-7QJ1:49669: a named peer */
	assert_string_equal(rs.r[3].rhost, "DESKTOP-7QJ1");
	assert_int_equal(rs.r[3].rport, 49669);
	assert_int_equal(rs.r[4].lport, 139);
	assert_string_equal(rs.r[5].rhost, "www.example.com");
	assert_int_equal(rs.r[5].rport, 443);
	addr_format(&rs.r[6].remote, txt, sizeof txt);
	assert_string_equal(txt, "203.0.113.80");
	assert_int_equal(rs.r[6].state, ST_TIME_WAIT);
	assert_string_equal(rs.r[7].rhost, "a23-45-67-89.deploy.example.net");
	assert_int_equal(rs.r[7].rport, 80);
	assert_int_equal(rs.r[8].family, AF_INET6);
	assert_int_equal(rs.r[8].lport, 135);
	assert_int_equal(rs.r[10].proto, IPPROTO_UDP);
	assert_int_equal(rs.r[10].lport, 500);
	assert_int_equal(rs.r[12].lport, 137);
	assert_int_equal(rs.r[13].family, AF_INET6);
	assert_true(textfmt_detect("\r\nActive Connections\r\n", 22) == &textfmt_windows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an),
		cmocka_unit_test(test_ano),
		cmocka_unit_test(test_anob),
		cmocka_unit_test(test_ano_de),
		cmocka_unit_test(test_utf16_fixture),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_ignorable),
		cmocka_unit_test(test_junk),
		cmocka_unit_test(test_program_lines),
		cmocka_unit_test(test_long_program),
		cmocka_unit_test(test_sink_error),
		cmocka_unit_test(test_begin_resets),
		cmocka_unit_test(test_probe),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

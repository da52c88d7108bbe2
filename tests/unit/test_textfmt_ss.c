/* Unit tests for analyzer/parse/textfmt_ss: every captured ss output of
 * tests/data/ss (see its README.md) parsed against one table of the sockets
 * the capture created, and hand-written edge cases. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "textfmt.h"
#include "tcpstate.h"
#include "fixture.h"
#include "textfmtfeed.h"

#define MAXROWS 128
#define MAXBAD 16

struct got {
	struct sock_row r[MAXROWS];
	char prog[MAXROWS][64]; /* program copies: the parser lends them */
	char rhost[MAXROWS][64]; /* and host names */
	size_t n;
	size_t bad_line[MAXBAD];
	const char *bad_why[MAXBAD];
	size_t nbad;
	int stop_after; /* > 0: sink->row fails on that row */
};

static int collect(void *ctx, const struct sock_row *r)
{
	struct got *g = ctx;

	if (g->stop_after && (int)g->n == g->stop_after)
		return -ECANCELED;
	assert_true(g->n < MAXROWS);
	g->r[g->n] = *r;
	g->r[g->n].program = textfmt_keep(g->prog[g->n], sizeof g->prog[0], r->program);
	g->r[g->n].lhost = NULL;   /* not kept: the tests look at peers */
	g->r[g->n].rhost = textfmt_keep(g->rhost[g->n], sizeof g->rhost[0], r->rhost);
	g->n++;
	return 0;
}

static void complain(void *ctx, size_t lineno, const char *expected)
{
	struct got *g = ctx;

	assert_non_null(expected);
	if (g->nbad < MAXBAD) {
		g->bad_line[g->nbad] = lineno;
		g->bad_why[g->nbad] = expected;
	}
	g->nbad++;
}

/* Feeds text line by line (no '\n', like the line reader), then end().
 * Returns the first negative return of line()/end(), else 0. */
static int run(const char *text, size_t len, const char *hint, struct got *g)
{
	struct row_sink sink = {collect, complain, g};

	return textfmt_feed(&textfmt_ss, hint, text, len, &sink);
}

static void run_str(const char *text, const char *hint, struct got *g)
{
	memset(g, 0, sizeof *g);
	assert_int_equal(run(text, strlen(text), hint, g), 0);
}

static void assert_addr(const struct addr *a, const char *want)
{
	char buf[ADDR_STRLEN];

	addr_format(a, buf, sizeof buf);
	assert_string_equal(buf, want);
}

/* ---- the captures ---------------------------------------------------------- */

/* Every socket of the capture namespace, from ss -tanpe (TCP) and ss -uanp
 * (UDP): proto, family, state, local, lport, peer, rport, Recv-Q, Send-Q,
 * pid, program, uid, inode, timer, expires_ms, retrans. */
/* clang-format off */
static const struct sock {
	int proto, family, state;
	const char *laddr;
	int lport;
	const char *raddr;
	int rport;
	uint32_t rxq, txq;
	int32_t pid;
	const char *program;
	uint32_t uid;
	uint64_t inode;
	int timer;
	uint32_t expires_ms, retrans;
} socks[] = {
	{IPPROTO_TCP, AF_INET, ST_LISTEN, "198.51.100.1", 8443, "0.0.0.0", 0, 0, 64, 27653, "my server app", 65534, 2456279, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_LISTEN, "198.51.100.1", 9000, "0.0.0.0", 0, 0, 64, 27652, "sockhold", 0, 2456267, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_LISTEN, "127.0.0.53", 53, "0.0.0.0", 0, 0, 8, 27744, "ll-node", 0, 2457274, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_LISTEN, "0.0.0.0", 8080, "0.0.0.0", 0, 0, 64, 27652, "sockhold", 0, 2456263, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_LISTEN, "198.51.100.1", 80, "0.0.0.0", 0, 0, 64, 27652, "sockhold", 0, 2456265, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_LISTEN, "203.0.113.1", 81, "0.0.0.0", 0, 0, 8, 27750, "closer", 0, 2456294, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_LISTEN, "198.51.100.1", 2222, "0.0.0.0", 0, 0, 8, 27743, "shared-b", 0, 2457262, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_LISTEN, "198.51.100.1", 3001, "0.0.0.0", 0, 1, 8, 27747, "queues", 0, 2457285, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_LISTEN, "198.51.100.1", 3000, "0.0.0.0", 0, 0, 8, 27747, "queues", 0, 2457282, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_LISTEN, "198.51.100.1", 7000, "0.0.0.0", 0, 0, 64, 27652, "sockhold", 0, 2456266, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_CLOSE_WAIT, "198.51.100.1", 80, "198.51.100.2", 46871, 0, 0, 27652, "sockhold", 0, 2457086, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_SYN_SENT, "198.51.100.1", 40077, "198.51.100.77", 80, 0, 1, 27745, "syn-sent", 0, 2457279, TIMER_ON, 624, 2},
	{IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "198.51.100.1", 3000, "198.51.100.2", 43000, 1000, 0, 27747, "queues", 0, 2457284, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "198.51.100.1", 3001, "198.51.100.2", 43001, 0, 0, 0, NULL, 0, 0, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_TIME_WAIT, "198.51.100.3", 41741, "198.51.100.1", 7000, 0, 0, 0, NULL, 0, 0, TIMER_TIMEWAIT, 56000, 0},
	{IPPROTO_TCP, AF_INET, ST_LAST_ACK, "203.0.113.1", 81, "203.0.113.3", 40081, 1, 1, 0, NULL, 0, 0, TIMER_ON, 1128, 3},
	{IPPROTO_TCP, AF_INET, ST_SYN_RECV, "198.51.100.1", 9000, "198.51.100.51", 40002, 0, 0, 0, NULL, 0, 0, TIMER_ON, 248, 1},
	{IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "198.51.100.2", 43000, "198.51.100.1", 3000, 0, 0, 27747, "queues", 0, 2457283, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "198.51.100.2", 43001, "198.51.100.1", 3001, 0, 0, 27747, "queues", 0, 2457286, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "198.51.100.3", 36295, "198.51.100.1", 443, 0, 0, 27655, "my \"q\" (x,y", 0, 2457078, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_CLOSING, "203.0.113.1", 40082, "203.0.113.4", 82, 1, 1, 27750, "closer", 0, 2456299, TIMER_ON, 1128, 3},
	{IPPROTO_TCP, AF_INET, ST_FIN_WAIT2, "198.51.100.2", 46871, "198.51.100.1", 80, 0, 0, 27655, "my \"q\" (x,y", 0, 2457081, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_SYN_RECV, "198.51.100.1", 9000, "198.51.100.99", 65535, 0, 0, 0, NULL, 0, 0, TIMER_ON, 248, 1},
	{IPPROTO_TCP, AF_INET, ST_TIME_WAIT, "198.51.100.2", 33827, "198.51.100.1", 7000, 0, 0, 0, NULL, 0, 0, TIMER_TIMEWAIT, 56000, 0},
	{IPPROTO_TCP, AF_INET, ST_FIN_WAIT1, "203.0.113.1", 40080, "203.0.113.2", 80, 0, 101, 0, NULL, 0, 0, TIMER_ON, 908, 3},
	{IPPROTO_TCP, AF_INET, ST_SYN_RECV, "198.51.100.1", 9000, "198.51.100.50", 40001, 0, 0, 0, NULL, 0, 0, TIMER_ON, 248, 1},
	{IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "198.51.100.2", 41681, "198.51.100.1", 8080, 0, 0, 27655, "my \"q\" (x,y", 0, 2457077, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET, ST_ESTABLISHED, "198.51.100.1", 8080, "198.51.100.2", 41681, 0, 0, 27652, "sockhold", 0, 2457084, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_LISTEN, "2001:db8::1", 8443, "::", 0, 0, 64, 27653, "my server app", 65534, 2456278, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_LISTEN, "2001:db8::1", 9001, "::", 0, 0, 64, 27652, "sockhold", 0, 2456268, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_LISTEN, "::", 22, "::", 0, 0, 8, 27744, "ll-node", 0, 2457276, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_LISTEN, "::", 443, "::", 0, 0, 64, 27652, "sockhold", 0, 2456264, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_LISTEN, "fe80::1", 2022, "::", 0, 0, 8, 27744, "ll-node", 0, 2457267, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_SYN_SENT, "2001:db8::1", 40078, "2001:db8::77", 80, 0, 1, 27745, "syn-sent", 0, 2457280, TIMER_ON, 624, 2},
	{IPPROTO_TCP, AF_INET6, ST_SYN_RECV, "2001:db8::1", 9001, "2001:db8::50", 40050, 0, 0, 0, NULL, 0, 0, TIMER_ON, 248, 1},
	{IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "2001:db8::1", 443, "2001:db8::2", 36263, 0, 0, 27652, "sockhold", 0, 2457088, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "fe80::2", 40022, "fe80::1", 2022, 0, 0, 27744, "ll-node", 0, 2457269, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "2001:db8::2", 38317, "2001:db8::1", 8443, 0, 0, 27655, "my \"q\" (x,y", 0, 2457080, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "2001:db8::1", 8443, "2001:db8::2", 38317, 0, 0, 27653, "my server app", 65534, 2457090, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "2001:db8::2", 36263, "2001:db8::1", 443, 0, 0, 27655, "my \"q\" (x,y", 0, 2457079, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "fe80::1", 2022, "fe80::2", 40022, 0, 0, 27744, "ll-node", 0, 2457271, TIMER_OFF, 0, 0},
	{IPPROTO_TCP, AF_INET6, ST_ESTABLISHED, "::ffff:198.51.100.1", 443, "::ffff:198.51.100.3", 36295, 0, 0, 27652, "sockhold", 0, 2457085, TIMER_OFF, 0, 0},
	{IPPROTO_UDP, AF_INET, ST_CLOSE, "127.0.0.53", 53, "0.0.0.0", 0, 0, 0, 27744, "ll-node", 0, 0, TIMER_OFF, 0, 0},
	{IPPROTO_UDP, AF_INET, ST_CLOSE, "0.0.0.0", 53, "0.0.0.0", 0, 0, 0, 27652, "sockhold", 0, 0, TIMER_OFF, 0, 0},
	{IPPROTO_UDP, AF_INET, ST_CLOSE, "198.51.100.1", 2223, "0.0.0.0", 0, 0, 0, 27743, "shared-b", 0, 0, TIMER_OFF, 0, 0},
	{IPPROTO_UDP, AF_INET, ST_ESTABLISHED, "198.51.100.2", 5000, "198.51.100.9", 6000, 0, 0, 27655, "my \"q\" (x,y", 0, 0, TIMER_OFF, 0, 0},
	{IPPROTO_UDP, AF_INET6, ST_CLOSE, "fe80::1", 546, "::", 0, 0, 0, 27744, "ll-node", 0, 0, TIMER_OFF, 0, 0},
	{IPPROTO_UDP, AF_INET6, ST_ESTABLISHED, "2001:db8::2", 5001, "2001:db8::9", 6001, 0, 0, 27655, "my \"q\" (x,y", 0, 0, TIMER_OFF, 0, 0},
	{IPPROTO_UDP, AF_INET6, ST_CLOSE, "::", 5353, "::", 0, 0, 0, 27652, "sockhold", 0, 0, TIMER_OFF, 0, 0},
	{IPPROTO_UDP, AF_INET6, ST_CLOSE, "::", 5355, "::", 0, 0, 0, 27744, "ll-node", 0, 0, TIMER_OFF, 0, 0},
};
/* clang-format on */
#define NSOCKS (sizeof socks / sizeof socks[0])

#define F_PID 0x1   /* -p: pid and program */
#define F_EXT 0x2   /* -e: uid, inode, timer kind */
#define F_TIMER 0x4 /* -e at the moment of socks[]: timer values too */

static const struct capture {
	const char *file;
	unsigned flags;
	size_t tcp, udp;
} captures[] = {
    {"ss_tan.txt", 0, 42, 0},
    {"ss_Htan.txt", 0, 42, 0},
    {"ss_tanp.txt", F_PID, 42, 0},
    {"ss_tani.txt", 0, 42, 0},
    {"ss_tanpe.txt", F_PID | F_EXT | F_TIMER, 42, 0},
    {"ss_uan.txt", 0, 0, 8},
    {"ss_uanp.txt", F_PID, 0, 8},
    {"ss_tuan.txt", 0, 42, 8},
    {"ss_tuanp.txt", F_PID, 42, 8},
    {"ss_nap.txt", F_PID, 42, 8},
    {"ss_tanp_pty80.txt", F_PID, 42, 0},
    {"ss_tanp_wrap80.txt", F_PID, 42, 0},
    {"ss_tanp_wrap60.txt", F_PID, 42, 0},
    {"ss_tanpe_wrap100.txt", F_PID | F_EXT, 42, 0},
};

static const struct sock *find_sock(const struct sock_row *r)
{
	char l[ADDR_STRLEN], p[ADDR_STRLEN];

	addr_format(&r->local, l, sizeof l);
	addr_format(&r->remote, p, sizeof p);
	for (size_t i = 0; i < NSOCKS; i++)
		if (socks[i].proto == r->proto && socks[i].lport == r->lport &&
		    socks[i].rport == r->rport && !strcmp(socks[i].laddr, l) &&
		    !strcmp(socks[i].raddr, p))
			return &socks[i];
	return NULL;
}

static void check_row(const struct capture *c, const struct sock_row *r)
{
	const struct sock *s = find_sock(r);

	if (!s) {
		char l[ADDR_STRLEN];

		addr_format(&r->local, l, sizeof l);
		fail_msg("%s: a row not in the capture: %s:%u", c->file, l, r->lport);
	}
	assert_int_equal(r->family, s->family);
	assert_int_equal(r->local.family, s->family);
	assert_int_equal(r->remote.family, s->family);
	assert_int_equal(r->state, s->state);
	assert_int_equal(r->rxq, s->rxq);
	assert_int_equal(r->txq, s->txq);
	if (c->flags & F_PID) {
		assert_int_equal(r->pid, s->pid);
		if (s->program)
			assert_string_equal(r->program, s->program);
		else
			assert_null(r->program);
	} else {
		assert_int_equal(r->pid, 0);
		assert_null(r->program);
	}
	if (c->flags & F_EXT) {
		assert_int_equal(r->unknown, 0);
		assert_int_equal(r->uid, s->uid);
		assert_int_equal(r->inode, s->inode);
		assert_int_equal(r->timer, s->timer);
	} else {
		assert_int_equal(r->unknown, SOCKROW_UNKNOWN_UID | SOCKROW_UNKNOWN_INODE |
						 SOCKROW_UNKNOWN_TIMER);
	}
	if (c->flags & F_TIMER) {
		assert_int_equal(r->expires_ms, s->expires_ms);
		assert_int_equal(r->retrans, s->retrans);
	}
}

static void test_captures(void **state)
{
	(void)state;
	for (size_t f = 0; f < sizeof captures / sizeof captures[0]; f++) {
		const struct capture *c = &captures[f];
		static struct got g;
		char rel[128];
		size_t len, tcp = 0, udp = 0;
		char *text;
		int seen[NSOCKS] = {0};

		snprintf(rel, sizeof rel, "ss/%s", c->file);
		text = fixture_load(rel, &len);
		memset(&g, 0, sizeof g);
		/* no file-name hint: the rows alone must tell */
		assert_int_equal(run(text, len, NULL, &g), 0);
		free(text);
		if (g.nbad)
			fail_msg("%s: line %zu: %s", c->file, g.bad_line[0], g.bad_why[0]);
		for (size_t i = 0; i < g.n; i++) {
			const struct sock *s;

			check_row(c, &g.r[i]);
			s = find_sock(&g.r[i]);
			assert_int_equal(seen[s - socks]++, 0); /* each socket once */
			tcp += g.r[i].proto == IPPROTO_TCP;
			udp += g.r[i].proto == IPPROTO_UDP;
		}
		assert_int_equal(tcp, c->tcp);
		assert_int_equal(udp, c->udp);
		assert_int_equal(g.n, c->tcp + c->udp);
	}
}

/* The states the capture holds, counted in the parsed rows of one file
 * with every protocol (ss -tuanp). */
static void test_capture_states(void **state)
{
	static const struct {
		int proto, state;
		size_t n;
	} want[] = {
	    {IPPROTO_TCP, ST_LISTEN, 15},   {IPPROTO_TCP, ST_ESTABLISHED, 14},
	    {IPPROTO_TCP, ST_SYN_RECV, 4},  {IPPROTO_TCP, ST_SYN_SENT, 2},
	    {IPPROTO_TCP, ST_TIME_WAIT, 2}, {IPPROTO_TCP, ST_CLOSE_WAIT, 1},
	    {IPPROTO_TCP, ST_FIN_WAIT1, 1}, {IPPROTO_TCP, ST_FIN_WAIT2, 1},
	    {IPPROTO_TCP, ST_LAST_ACK, 1},  {IPPROTO_TCP, ST_CLOSING, 1},
	    {IPPROTO_UDP, ST_CLOSE, 6},	    {IPPROTO_UDP, ST_ESTABLISHED, 2},
	};
	static struct got g;
	size_t len, total = 0, v6 = 0;
	char *text = fixture_load("ss/ss_tuanp.txt", &len);

	(void)state;
	memset(&g, 0, sizeof g);
	assert_int_equal(run(text, len, NULL, &g), 0);
	free(text);
	assert_int_equal(g.nbad, 0);
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		size_t n = 0;

		for (size_t i = 0; i < g.n; i++)
			n += g.r[i].proto == want[k].proto && g.r[i].state == want[k].state;
		assert_int_equal(n, want[k].n);
		total += n;
	}
	assert_int_equal(total, g.n);
	for (size_t i = 0; i < g.n; i++)
		v6 += g.r[i].family == AF_INET6;
	assert_int_equal(v6, 18); /* 14 TCP + 4 UDP */
}

/* The rows the brief singles out, by line, from ss -tanp. */
static void test_capture_rows(void **state)
{
	static struct got g;
	size_t len, mapped = 0, scoped = 0;
	char *text = fixture_load("ss/ss_tanp.txt", &len);

	(void)state;
	memset(&g, 0, sizeof g);
	assert_int_equal(run(text, len, NULL, &g), 0);
	free(text);
	assert_int_equal(g.n, 42);
	/* line 2: LISTEN 0 64 198.51.100.1:8443 0.0.0.0:* users:(("my server app",...)) */
	assert_int_equal(g.r[0].state, ST_LISTEN);
	assert_addr(&g.r[0].local, "198.51.100.1");
	assert_int_equal(g.r[0].lport, 8443);
	assert_addr(&g.r[0].remote, "0.0.0.0");
	assert_int_equal(g.r[0].rport, 0);
	assert_int_equal(g.r[0].txq, 64);
	assert_string_equal(g.r[0].program, "my server app");
	assert_int_equal(g.r[0].pid, 27653);
	/* line 8: the shared listener: the first of two owners */
	assert_int_equal(g.r[6].lport, 2222);
	assert_string_equal(g.r[6].program, "shared-b");
	assert_int_equal(g.r[6].pid, 27743);
	/* line 21: comm `my "q" (x,y)`, which ss cut at ')' */
	assert_addr(&g.r[19].local, "198.51.100.3");
	assert_int_equal(g.r[19].lport, 36295);
	assert_string_equal(g.r[19].program, "my \"q\" (x,y");
	/* line 33: *:443, the dual-stack wildcard */
	assert_int_equal(g.r[31].family, AF_INET6);
	assert_addr(&g.r[31].local, "::");
	assert_int_equal(g.r[31].lport, 443);
	assert_addr(&g.r[31].remote, "::");
	assert_int_equal(g.r[31].rport, 0);
	for (size_t i = 0; i < g.n; i++) {
		char l[ADDR_STRLEN];

		addr_format(&g.r[i].local, l, sizeof l);
		mapped += !strcmp(l, "::ffff:198.51.100.1");
		scoped += !strcmp(l, "fe80::1") || !strcmp(l, "fe80::2");
		/* 127.0.0.53%lo: the scope is dropped */
		if (g.r[i].lport == 53)
			assert_string_equal(l, "127.0.0.53");
	}
	/* line 43: [::ffff:198.51.100.1]:443 stays mapped, in an AF_INET6 row */
	assert_int_equal(mapped, 1);
	assert_int_equal(g.r[41].family, AF_INET6);
	assert_addr(&g.r[41].local, "::ffff:198.51.100.1");
	assert_int_equal(g.r[41].lport, 443);
	assert_int_equal(g.r[41].pid, 27652);
	assert_string_equal(g.r[41].program, "sockhold");
	assert_addr(&g.r[41].remote, "::ffff:198.51.100.3");
	assert_int_equal(scoped, 3);
}

/* ---- hand-written edge cases ---------------------------------------------- */

static void test_program_names(void **state)
{
	static struct got g;

	(void)state;
	run_str(
	    "State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
	    /* ss does not escape: what stands between the quotes is the name */
	    "ESTAB 0 0 192.0.2.1:22 198.51.100.7:5555 users:((\"my \\\"q\\\" app\",pid=77,fd=3))\n"
	    "ESTAB 0 0 192.0.2.1:22 198.51.100.8:5555 "
	    "users:((\"say \"hi\", (x\",pid=5,fd=3),(\"b\",pid=6,fd=4))\n"
	    "LISTEN 0 5 0.0.0.0:1 0.0.0.0:* users:((\"tab\there\",pid=9,tid=10,fd=3))\n"
	    "LISTEN 0 5 0.0.0.0:2 0.0.0.0:* users:((\"\",pid=11,fd=3))\n"
	    "LISTEN 0 5 0.0.0.0:3 0.0.0.0:* users:((\"a\",pid=12,fd=3)) uid:1000 ino:4242 sk:1 "
	    "<->\n"
	    /* iproute2 before 3.14: no pid=, fd= */
	    "LISTEN 0 5 0.0.0.0:4 0.0.0.0:* users:((\"a\",b\",1234,3),(\"c\",99,4))\n",
	    NULL, &g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 6);
	assert_string_equal(g.r[5].program, "a\",b");
	assert_int_equal(g.r[5].pid, 1234);
	assert_string_equal(g.r[0].program, "my \\\"q\\\" app");
	assert_int_equal(g.r[0].pid, 77);
	assert_string_equal(g.r[1].program, "say \"hi\", (x");
	assert_int_equal(g.r[1].pid, 5);
	assert_string_equal(g.r[2].program, "tab.here"); /* controls as '.' */
	assert_int_equal(g.r[2].pid, 9);
	assert_null(g.r[3].program);
	assert_int_equal(g.r[3].pid, 11);
	assert_int_equal(g.r[4].uid, 1000);
	assert_int_equal(g.r[4].inode, 4242);
	assert_int_equal(g.r[4].unknown, 0);
	assert_int_equal(g.r[4].timer, TIMER_OFF);
}

static void test_wrapped(void **state)
{
	static struct got g;

	(void)state;
	run_str("Netid State  Recv-Q Send-Q   Local Address:Port\n"
		"      Peer Address:Port Process\n"
		/* break between "Peer Address:" and its port */
		"tcp   ESTAB  0      0      192.0.2.1:22      198.51.100.7:\n"
		"5555  users:((\"sshd\",pid=1,fd=3))\n"
		/* break between the local port and the peer column */
		"udp   UNCONN 0      0      0.0.0.0:53\n"
		"             0.0.0.0:*\n"
		/* break inside the name, then -e words broken inside a word */
		"tcp   LISTEN 0      128    [::]:22  [::]:*\n"
		" users:((\"my ser\n"
		"ver app\",pid=2,fd=4)) uid:65534 ino:12\n"
		"34 sk:1 <->\n"
		"\n"
		/* an empty Process column the terminal showed as a blank line */
		"tcp   SYN-RECV 0    0      192.0.2.1:80      198.51.100.9:40000\n"
		"\n",
		NULL, &g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.r[0].rport, 5555);
	assert_int_equal(g.r[0].pid, 1);
	assert_string_equal(g.r[0].program, "sshd");
	assert_int_equal(g.r[1].proto, IPPROTO_UDP);
	assert_int_equal(g.r[1].state, ST_CLOSE);
	assert_addr(&g.r[1].remote, "0.0.0.0");
	assert_int_equal(g.r[2].family, AF_INET6);
	assert_string_equal(g.r[2].program, "my server app");
	assert_int_equal(g.r[2].uid, 65534);
	assert_int_equal(g.r[2].inode, 1234);
	assert_int_equal(g.r[3].state, ST_SYN_RECV);
	assert_null(g.r[3].program);
}

static void test_no_header_and_netid_less(void **state)
{
	static struct got g;
	const char *udp = "ESTAB  0 0 192.0.2.1:5000 198.51.100.9:6000\n"
			  "UNCONN 0 0 0.0.0.0:53 0.0.0.0:*\n"
			  "ESTAB  0 0 192.0.2.1:5001 198.51.100.9:6001\n";

	(void)state;
	/* -H: no header at all; ESTAB before any UNCONN is taken for TCP */
	run_str(udp, NULL, &g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.r[0].proto, IPPROTO_TCP);
	assert_int_equal(g.r[1].proto, IPPROTO_UDP);
	assert_int_equal(g.r[2].proto, IPPROTO_UDP);
	/* a file name that says udp decides the first one too */
	run_str(udp, "/var/log/ss-udp-20261125.txt", &g);
	assert_int_equal(g.r[0].proto, IPPROTO_UDP);
	assert_int_equal(g.r[2].proto, IPPROTO_UDP);
	run_str(udp, "dumps.udp/ss-tcp.txt", &g); /* the base name counts */
	assert_int_equal(g.r[0].proto, IPPROTO_TCP);
	/* a TCP-only state makes the rest TCP; a header starts a new table */
	run_str("LISTEN 0 128 0.0.0.0:22 0.0.0.0:*\n"
		"ESTAB 0 0 192.0.2.1:22 198.51.100.1:4000\n"
		"State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n"
		"UNCONN 0 0 *:5353 *:*\n"
		"ESTAB 0 0 192.0.2.1:22 198.51.100.1:4001\n",
		NULL, &g);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.r[1].proto, IPPROTO_TCP);
	assert_int_equal(g.r[2].proto, IPPROTO_UDP);
	assert_int_equal(g.r[2].family, AF_INET6);
	assert_int_equal(g.r[3].proto, IPPROTO_UDP);
}

static void test_addresses(void **state)
{
	static struct got g;

	(void)state;
	run_str("LISTEN 0 128 *:22 *:*\n"   /* ss >= 4.14 */
		"LISTEN 0 128 :::22 :::*\n" /* ss < 4.13 */
		"ESTAB 0 0 ::ffff:192.0.2.1:80 ::ffff:198.51.100.2:5000\n"
		"ESTAB 0 0 [fe80::1]%eth0:22 [fe80::2]:40000\n"
		"ESTAB 0 0 fe80::1%eth0:22 fe80::2:40001\n"
		"UNCONN 0 0 0.0.0.0%lo:53 0.0.0.0:*\n",
		"x-tcp", &g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 6);
	assert_int_equal(g.r[0].family, AF_INET6);
	assert_addr(&g.r[0].local, "::");
	assert_int_equal(g.r[1].family, AF_INET6);
	assert_int_equal(g.r[1].rport, 0);
	assert_int_equal(g.r[2].family, AF_INET6);
	assert_addr(&g.r[2].local, "::ffff:192.0.2.1"); /* not folded */
	assert_addr(&g.r[3].local, "fe80::1");		/* scope dropped */
	assert_int_equal(g.r[3].lport, 22);
	assert_addr(&g.r[4].remote, "fe80::2");
	assert_int_equal(g.r[4].rport, 40001);
	assert_addr(&g.r[5].local, "0.0.0.0");
	assert_int_equal(g.r[5].proto, IPPROTO_TCP); /* the hint said tcp */
}

static void test_timers(void **state)
{
	static struct got g;

	(void)state;
	run_str(
	    "Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
	    "tcp ESTAB 0 0 192.0.2.1:22 198.51.100.1:1 timer:(keepalive,2min5sec,0) ino:1 sk:1\n"
	    "tcp ESTAB 0 0 192.0.2.1:22 198.51.100.1:2 timer:(on,1.192ms,3) ino:2 sk:2\n"
	    "tcp TIME-WAIT 0 0 192.0.2.1:22 198.51.100.1:3 timer:(timewait,12sec,0) ino:0 sk:3\n"
	    "tcp ESTAB 0 0 192.0.2.1:22 198.51.100.1:4 timer:(persist,,1) ino:4 sk:4\n"
	    "tcp ESTAB 0 0 192.0.2.1:22 198.51.100.1:5 timer:(unknown,1sec,0) ino:5 sk:5\n"
	    "tcp ESTAB 0 0 192.0.2.1:22 198.51.100.1:6 timer:(on,15min,2)\n",
	    NULL, &g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 6);
	assert_int_equal(g.r[0].timer, TIMER_KEEPALIVE);
	assert_int_equal(g.r[0].expires_ms, 125000);
	assert_int_equal(g.r[1].timer, TIMER_ON);
	assert_int_equal(g.r[1].expires_ms, 1192);
	assert_int_equal(g.r[1].retrans, 3);
	assert_int_equal(g.r[2].timer, TIMER_TIMEWAIT);
	assert_int_equal(g.r[2].expires_ms, 12000);
	assert_int_equal(g.r[3].timer, TIMER_PROBE);
	assert_int_equal(g.r[3].expires_ms, 0);
	assert_int_equal(g.r[4].unknown & SOCKROW_UNKNOWN_TIMER, SOCKROW_UNKNOWN_TIMER);
	assert_int_equal(g.r[4].unknown & SOCKROW_UNKNOWN_UID, 0);
	/* -o without -e: timer known, uid and inode not */
	assert_int_equal(g.r[5].expires_ms, 900000);
	assert_int_equal(g.r[5].unknown, SOCKROW_UNKNOWN_UID | SOCKROW_UNKNOWN_INODE);
}

static void test_skipped(void **state)
{
	static struct got g;

	(void)state;
	run_str("Netid State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
		"nl    UNCONN 0 0 0:0 *\n"
		"u_str LISTEN 0 4 /run/my ctl sock 2456303 * 0 users:((\"a\",pid=1,fd=5))\n"
		"u_dgr UNCONN 0 0 @abstract 12 * 0\n"
		"p_raw UNCONN 0 0 *:eth0 *\n"
		"raw   UNCONN 0 0 0.0.0.0:1 0.0.0.0:*\n"
		"mptcp ESTAB 0 0 192.0.2.1:80 198.51.100.1:1000\n"
		"sctp  LISTEN 0 128 192.0.2.1:9 *:*\n"
		"      `- ESTAB 0 0 192.0.2.1%eth0:9 198.51.100.1:2000\n"
		"v_str ESTAB 0 0 3:1024 2:5000\n"
		"\t cubic wscale:7,7 rto:204\n"
		"RTNETLINK answers: Invalid argument\n"
		"tcp   ESTAB 0 0 192.0.2.1:22 198.51.100.1:3000\n"
		"Failed to find cgroup2 mount\n"
		"\t cubic wscale:7,7 rto:204 uid:nonsense\n",
		NULL, &g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].rport, 3000);
	assert_int_equal(g.r[0].unknown & SOCKROW_UNKNOWN_UID, SOCKROW_UNKNOWN_UID);
}

static void test_bad(void **state)
{
	static struct got g;

	(void)state;
	run_str("users:((\"orphan\",pid=1,fd=3))\n"	      /* 1: nothing held */
		"LISTEN 0 x 0.0.0.0:22 0.0.0.0:*\n"	      /* 2 */
		"ESTAB 0 0 192.0.2.1:nosuchsvc 198.51.100.1:4000\n" /* 3 */
		"ESTAB 0 0 192.0.2.1:22 [2001:db8::1]:4000\n" /* 4 */
		"ESTAB 0 0 192.0.2.1:22 198.51.100.1:4000 users:((sshd,pid=1))\n" /* 5 */
		"ESTAB 0 0 192.0.2.1:22 198.51.100.1:4000 users:((\"sshd\",pid=0,fd=3))\n"
		"ESTAB 0 0 192.0.2.1:22\n" /* 7: no peer */
		"Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
		"0      0      192.0.2.1:22       198.51.100.1:4000\n" /* 9 */
		"tcp   0 0 0.0.0.0:22 0.0.0.0:* LISTEN\n",	       /* 10: netstat */
		NULL, &g);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.nbad, 9);
	assert_int_equal(g.bad_line[0], 1);
	assert_string_equal(
	    g.bad_why[0],
	    "expected an ss row starting with a state like ESTAB or a Netid like tcp");
	assert_int_equal(g.bad_line[1], 2);
	assert_non_null(strstr(g.bad_why[1], "Recv-Q and Send-Q"));
	assert_int_equal(g.bad_line[2], 3);
	assert_non_null(strstr(g.bad_why[2], "local address"));
	assert_int_equal(g.bad_line[3], 4);
	assert_non_null(strstr(g.bad_why[3], "peer address"));
	assert_int_equal(g.bad_line[4], 5);
	assert_non_null(strstr(g.bad_why[4], "users:(("));
	assert_int_equal(g.bad_line[5], 6);
	assert_non_null(strstr(g.bad_why[5], "users:(("));
	assert_int_equal(g.bad_line[6], 7);
	assert_non_null(strstr(g.bad_why[6], "peer address"));
	assert_int_equal(g.bad_line[7], 9);
	assert_non_null(strstr(g.bad_why[7], "State column"));
	assert_int_equal(g.bad_line[8], 10);
}

static void test_held_row_and_stop(void **state)
{
	static struct got g;
	static char big[3 * 8192];
	const char *row = "ESTAB 0 0 192.0.2.1:22 198.51.100.1:4000 users:((\"a\",pid=3,fd=3)";
	size_t n;
	int rc;

	(void)state;
	/* the last row is held until end() */
	run_str("ESTAB 0 0 192.0.2.1:22 198.51.100.1:4000", NULL, &g);
	assert_int_equal(g.n, 1);
	run_str("", NULL, &g);
	assert_int_equal(g.n + g.nbad, 0);
	/* a row longer than the parser keeps: cut, still a row */
	n = (size_t)snprintf(big, sizeof big, "%s", row);
	while (n + 32 < sizeof big)
		n += (size_t)snprintf(big + n, sizeof big - n, ",(\"worker\",pid=%zu,fd=6)", n);
	n += (size_t)snprintf(big + n, sizeof big - n, ")");
	run_str(big, NULL, &g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].pid, 3);
	/* sink->row's error stops the parse and comes back */
	memset(&g, 0, sizeof g);
	g.stop_after = 1;
	rc = run("LISTEN 0 1 0.0.0.0:1 0.0.0.0:*\nLISTEN 0 1 0.0.0.0:2 0.0.0.0:*\n"
		 "LISTEN 0 1 0.0.0.0:3 0.0.0.0:*\n",
		 93, NULL, &g);
	assert_int_equal(rc, -ECANCELED);
	assert_int_equal(g.n, 1);
}

static void test_probe(void **state)
{
	static const struct {
		const char *line;
		int want;
	} cases[] = {
	    {"State Recv-Q Send-Q Local Address:Port Peer Address:PortProcess", TEXTFMT_PROBE_SURE},
	    {"Netid State  Recv-Q Send-Q Local Address:Port  Peer Address:Port Process",
	     TEXTFMT_PROBE_SURE},
	    {"Recv-Q Send-Q Local Address:Port Peer Address:Port", TEXTFMT_PROBE_SURE},
	    {"LISTEN 0      128          0.0.0.0:22       0.0.0.0:*", TEXTFMT_PROBE_SURE},
	    {"tcp   ESTAB  0      0   192.0.2.1:22 198.51.100.1:4000", TEXTFMT_PROBE_SURE},
	    {"u_str ESTAB 0 0 * 2362115 * 2362114", TEXTFMT_PROBE_SURE},
	    {"UNCONN 0 0 *:5353 *:*", TEXTFMT_PROBE_SURE},
	    {"Proto Recv-Q Send-Q Local Address           Foreign Address         State",
	     TEXTFMT_PROBE_NO},
	    {"tcp        0      0 0.0.0.0:22              0.0.0.0:*               LISTEN",
	     TEXTFMT_PROBE_NO},
	    {"tcp4       0      0  10.0.0.1.22            10.0.0.2.50000         ESTABLISHED",
	     TEXTFMT_PROBE_NO},
	    {"  TCP    0.0.0.0:135            0.0.0.0:0              LISTENING", TEXTFMT_PROBE_NO},
	    {"\t cubic wscale:7,7 rto:204", TEXTFMT_PROBE_NO},
	    {" users:((\"sshd\",pid=1,fd=3))", TEXTFMT_PROBE_NO},
	    {"LISTEN", TEXTFMT_PROBE_NO},
	    {"", TEXTFMT_PROBE_NO},
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int got = textfmt_ss.probe(cases[i].line, strlen(cases[i].line));

		if (got != cases[i].want)
			fail_msg("probe(\"%s\") = %d, want %d", cases[i].line, got, cases[i].want);
	}
	assert_string_equal(textfmt_ss.name, "ss");
	assert_ptr_equal(textfmt_find("ss"), &textfmt_ss);
}


/* ss -a, -tap, -tua without -n (real captures): service names; ss -r host
 * names (issue 15) */
static void test_names(void **state)
{
	static struct got g;
	size_t len;
	char *text;

	(void)state;
	text = fixture_load("names/ss_a.txt", &len);
	memset(&g, 0, sizeof g);
	assert_int_equal(run(text, len, NULL, &g), 0);
	free(text);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 26);
	/* udp ESTAB 198.51.100.2:5000 198.51.100.1:domain */
	assert_int_equal(g.r[0].proto, IPPROTO_UDP);
	assert_int_equal(g.r[0].state, ST_ESTABLISHED);
	assert_addr(&g.r[0].remote, "198.51.100.1");
	assert_int_equal(g.r[0].rport, 53);
	assert_int_equal(g.r[0].named, SOCKROW_NAMED_PORT);
	/* udp UNCONN *:ntp *:* */
	assert_int_equal(g.r[4].family, AF_INET6);
	assert_int_equal(g.r[4].lport, 123);
	/* tcp LISTEN 127.0.0.1:postgresql, then 0.0.0.0:http-alt */
	assert_int_equal(g.r[5].proto, IPPROTO_TCP);
	assert_int_equal(g.r[5].state, ST_LISTEN);
	assert_addr(&g.r[5].local, "127.0.0.1");
	assert_int_equal(g.r[5].lport, 5432);
	assert_int_equal(g.r[6].lport, 8080);
	/* tcp LISTEN [::1]:ipp */
	assert_int_equal(g.r[22].family, AF_INET6);
	assert_addr(&g.r[22].local, "::1");
	assert_int_equal(g.r[22].lport, 631);
	assert_null(g.r[22].rhost);

	text = fixture_load("names/ss_tap.txt", &len);
	memset(&g, 0, sizeof g);
	assert_int_equal(run(text, len, NULL, &g), 0);
	free(text);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 21);
	assert_string_equal(g.r[0].program, "sockhold");

	/* ss -r: host names stay text, their address unspecified */
	run_str("State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\n"
		"ESTAB 0      0      builder.localdomain:ssh client-a.example.net:34257\n"
		"LISTEN 0     128    localhost:ipp      *:*\n"
		"ESTAB 0      0      builder.localdomain:http 198.51.100.4:38699\n"
		"ESTAB 0      0      198.51.100.4:38699 builder.localdomain:http\n",
		NULL, &g);
	assert_int_equal(g.nbad, 0);
	assert_int_equal(g.n, 4);
	/* a named host takes the family of the address beside it */
	assert_int_equal(g.r[2].family, AF_INET);
	assert_addr(&g.r[2].remote, "198.51.100.4");
	assert_int_equal(g.r[3].family, AF_INET);
	assert_string_equal(g.r[3].rhost, "builder.localdomain");
	assert_int_equal(g.r[3].rport, 80);
	assert_string_equal(g.r[0].rhost, "client-a.example.net");
	assert_int_equal(g.r[0].rport, 34257);
	assert_int_equal(g.r[0].lport, 22);
	assert_true(addr_is_unspecified(&g.r[0].remote));
	assert_int_equal(g.r[0].named, SOCKROW_NAMED_HOST | SOCKROW_NAMED_PORT);
	assert_int_equal(g.r[1].lport, 631);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_captures),
	    cmocka_unit_test(test_capture_states),
	    cmocka_unit_test(test_capture_rows),
	    cmocka_unit_test(test_program_names),
	    cmocka_unit_test(test_wrapped),
	    cmocka_unit_test(test_no_header_and_netid_less),
	    cmocka_unit_test(test_addresses),
	    cmocka_unit_test(test_timers),
	    cmocka_unit_test(test_skipped),
	    cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_held_row_and_stop),
	    cmocka_unit_test(test_probe),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

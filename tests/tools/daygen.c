/* daygen — bench/test tool: writes the synthetic day of issue 17 as real
 * segments (the recorder's snapshot writer and segment code, so the bytes are
 * what sockscope-recorder writes): a server of ~2,000 sockets recorded every
 * second, hourly segments, seeded churn and a SYN flood in the middle.
 *   daygen --out DIR [--hours H] [--sockets N] [--flood N] [--seed S]
 *          [--format 1|2] [--keyframe-every N] [--no-render]
 * Prints "snapshots N socket_snapshots N" on stdout. Deterministic: the same
 * options give the same bytes (bench/README.md, "The synthetic day"). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "buf.h"
#include "netstat.h"
#include "procnet.h"
#include "segment.h"
#include "snap.h"
#include "sockrow.h"
#include "tcpstate.h"
#include "toolopt.h"

#define DAY0 ((usec_t)1795996800 * 1000000)   /* 2026-11-30T00:00:00Z */

enum { K_LISTEN, K_LONG, K_SHORT, K_SYN };

/* One socket of the model. The array of them is kept in kernel hash order
 * (key), which is the order /proc/net/tcp and sock_diag list them in. */
struct sk {
	uint32_t key;
	uint8_t v6, udp, state, kind, timer;
	uint16_t lport, rport;
	uint8_t raddr[16];
	uint64_t inode;
	int32_t pid;
	uint32_t retrans, txq;
	int64_t end_s;           /* second it leaves its state (or vanishes) */
	int64_t deadline_ms;     /* timer deadline, ms since the start */
	int64_t born_s;
};

struct proc {
	int32_t pid;
	const char *program, *comm;
};

static const struct proc procs[] = {
	{600, "named", "named"},   {700, "sshd", "sshd"},     {812, "nginx", "nginx"},
	{813, "nginx", "nginx"},   {814, "nginx", "nginx"},   {815, "nginx", "nginx"},
	{901, "postgres", "postgres"}, {950, "chronyd", "chronyd"},
};
#define NPROCS (sizeof procs / sizeof procs[0])

struct counter {
	const char *name;
	int64_t value;
	uint32_t rate;           /* per second, plus noise */
	uint8_t flood;           /* grows with the flood's new SYNs */
};

static struct counter counters[] = {
	{"Ip.Forwarding", 2, 0, 0}, {"Ip.DefaultTTL", 64, 0, 0}, {"Ip.InReceives", 91234567, 900, 1},
	{"Ip.InHdrErrors", 0, 0, 0}, {"Ip.InAddrErrors", 3, 0, 0}, {"Ip.ForwDatagrams", 0, 0, 0},
	{"Ip.InUnknownProtos", 0, 0, 0}, {"Ip.InDiscards", 0, 0, 0}, {"Ip.InDelivers", 91234001, 900, 1},
	{"Ip.OutRequests", 88123456, 850, 1}, {"Ip.OutDiscards", 0, 0, 0}, {"Ip.OutNoRoutes", 12, 0, 0},
	{"Ip.ReasmTimeout", 0, 0, 0}, {"Ip.ReasmReqds", 0, 0, 0}, {"Ip.ReasmOKs", 0, 0, 0},
	{"Ip.ReasmFails", 0, 0, 0}, {"Ip.FragOKs", 0, 0, 0}, {"Ip.FragFails", 0, 0, 0},
	{"Ip.FragCreates", 0, 0, 0}, {"Icmp.InMsgs", 4410, 0, 0}, {"Icmp.InErrors", 21, 0, 0},
	{"Icmp.InCsumErrors", 0, 0, 0}, {"Icmp.InDestUnreachs", 4389, 0, 0}, {"Icmp.OutMsgs", 4402, 0, 0},
	{"Icmp.OutErrors", 0, 0, 0}, {"Icmp.OutDestUnreachs", 4402, 0, 0}, {"Tcp.RtoAlgorithm", 1, 0, 0},
	{"Tcp.RtoMin", 200, 0, 0}, {"Tcp.RtoMax", 120000, 0, 0}, {"Tcp.MaxConn", -1, 0, 0},
	{"Tcp.ActiveOpens", 40411, 0, 0}, {"Tcp.PassiveOpens", 1912345, 5, 0},
	{"Tcp.AttemptFails", 1200, 0, 1}, {"Tcp.EstabResets", 5123, 0, 0}, {"Tcp.CurrEstab", 0, 0, 0},
	{"Tcp.InSegs", 90123456, 880, 1}, {"Tcp.OutSegs", 87123456, 840, 1},
	{"Tcp.RetransSegs", 23456, 1, 1}, {"Tcp.InErrs", 17, 0, 0}, {"Tcp.OutRsts", 30211, 1, 0},
	{"Tcp.InCsumErrors", 0, 0, 0}, {"Udp.InDatagrams", 123456, 20, 0}, {"Udp.NoPorts", 310, 0, 0},
	{"Udp.InErrors", 0, 0, 0}, {"Udp.OutDatagrams", 123500, 20, 0}, {"Udp.RcvbufErrors", 0, 0, 0},
	{"Udp.SndbufErrors", 0, 0, 0}, {"Udp.InCsumErrors", 0, 0, 0}, {"Udp.IgnoredMulti", 5, 0, 0},
	{"Udp.MemErrors", 0, 0, 0}, {"TcpExt.SyncookiesSent", 0, 0, 1}, {"TcpExt.SyncookiesRecv", 0, 0, 0},
	{"TcpExt.SyncookiesFailed", 0, 0, 0}, {"TcpExt.EmbryonicRsts", 2, 0, 0},
	{"TcpExt.PruneCalled", 0, 0, 0}, {"TcpExt.TW", 1800123, 4, 0}, {"TcpExt.TWRecycled", 0, 0, 0},
	{"TcpExt.TWKilled", 0, 0, 0}, {"TcpExt.DelayedACKs", 712345, 30, 0},
	{"TcpExt.ListenOverflows", 0, 0, 1}, {"TcpExt.ListenDrops", 0, 0, 1},
	{"TcpExt.TCPHPHits", 33123456, 400, 0}, {"TcpExt.TCPPureAcks", 9123456, 120, 0},
	{"TcpExt.TCPHPAcks", 12345678, 150, 0}, {"TcpExt.TCPTimeouts", 4012, 0, 1},
	{"TcpExt.TCPReqQFullDoCookies", 0, 0, 1}, {"TcpExt.TCPSynRetrans", 812, 0, 1},
	{"TcpExt.TCPOrigDataSent", 70123456, 700, 0},
};
#define NCOUNTERS (sizeof counters / sizeof counters[0])

static const char *const netstat_args[] = {"-na", "-aultnp", "-n -p", "-ntu", "-anp"};
#define NNETSTAT (sizeof netstat_args / sizeof netstat_args[0])

struct gen {
	/* options */
	const char *dir;
	double hours;
	uint32_t sockets, flood;
	uint64_t seed;
	unsigned format, key_every;
	bool render;
	/* state */
	uint64_t rng;
	struct sk *v;
	size_t n, cap;
	uint64_t next_inode;
	int64_t now_ms;
	uint64_t flood_new, closed;
	struct netstat_opts ns[NNETSTAT];
	struct buf sec, line;
	struct sock_row *rows;   /* rows parsed back from the proc text, to render */
	size_t nrows, crows;
	/* output */
	struct segment *seg;
	struct snap_writer *w;
	int dirfd;
	uint64_t snapshots, socksnaps;
};

static uint64_t rnd(struct gen *g)
{
	/* xorshift64*: deterministic, fast */
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return g->rng * 2685821657736338717ull;
}

static uint32_t below(struct gen *g, uint32_t n)
{
	return n ? (uint32_t)((rnd(g) >> 32) % n) : 0;
}

/* An exponential lifetime in seconds, mean m, at least 1. */
static int64_t life(struct gen *g, double m)
{
	double u = ((double)(rnd(g) >> 11) + 1.0) / 9007199254740993.0;
	int64_t x = 0;

	/* -m ln u without libm: ln by the series of atanh */
	{
		double y = (u - 1) / (u + 1), y2 = y * y, s = 0, t = y;

		for (int k = 1; k < 80; k += 2) {
			s += t / k;
			t *= y2;
		}
		x = (int64_t)(-m * 2 * s);
	}
	return x < 1 ? 1 : x;
}

static int add(struct gen *g, const struct sk *s)
{
	size_t lo = 0, hi = g->n;

	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 4096;
		struct sk *v = realloc(g->v, cap * sizeof *v);

		if (!v)
			return -ENOMEM;
		g->v = v;
		g->cap = cap;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (g->v[mid].key <= s->key)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(&g->v[lo + 1], &g->v[lo], (g->n - lo) * sizeof *g->v);
	g->v[lo] = *s;
	g->n++;
	return 0;
}

static void peer(struct gen *g, struct sk *s)
{
	memset(s->raddr, 0, sizeof s->raddr);
	if (s->v6) {
		/* 2001:db8:1::/48 clients */
		static const uint8_t p[6] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01};
		uint64_t r = rnd(g);

		memcpy(s->raddr, p, sizeof p);
		memcpy(s->raddr + 8, &r, 8);
	} else {
		/* 100.64.0.0/10 clients */
		uint32_t a = (100u << 24) | (64u << 16) | below(g, 1u << 22);

		s->raddr[0] = (uint8_t)(a >> 24);
		s->raddr[1] = (uint8_t)(a >> 16);
		s->raddr[2] = (uint8_t)(a >> 8);
		s->raddr[3] = (uint8_t)a;
	}
	s->rport = (uint16_t)(32768 + below(g, 28000));
	s->key = 1024 + (uint32_t)(rnd(g) >> 40);
}

static int new_conn(struct gen *g, int64_t t, bool longlived)
{
	struct sk s;

	memset(&s, 0, sizeof s);
	s.v6 = below(g, 10) == 0;
	peer(g, &s);
	s.state = ST_ESTABLISHED;
	s.kind = longlived ? K_LONG : K_SHORT;
	s.lport = below(g, 4) ? 443 : 80;
	s.inode = g->next_inode++;
	s.pid = 813 + (int32_t)below(g, 3);
	s.born_s = t;
	s.end_s = t + (longlived ? life(g, 1800) : 1 + below(g, 3));
	if (longlived && below(g, 10) < 3) {
		s.timer = TIMER_KEEPALIVE;
		s.deadline_ms = g->now_ms + 7200000 - below(g, 7000000);
	}
	return add(g, &s);
}

static int new_syn(struct gen *g, int64_t t)
{
	struct sk s;
	uint32_t a, which = below(g, 10);

	memset(&s, 0, sizeof s);
	if (which < 4)
		a = (198u << 24) | (51u << 16) | (100u << 8) | below(g, 256);
	else if (which < 8)
		a = (203u << 24) | (0u << 16) | (113u << 8) | below(g, 256);
	else
		a = (198u << 24) | (18u << 16) | below(g, 1u << 17);   /* spoofed spread */
	s.raddr[0] = (uint8_t)(a >> 24);
	s.raddr[1] = (uint8_t)(a >> 16);
	s.raddr[2] = (uint8_t)(a >> 8);
	s.raddr[3] = (uint8_t)a;
	s.rport = (uint16_t)(1024 + below(g, 64000));
	s.key = 1024 + (uint32_t)(rnd(g) >> 40);
	s.state = ST_SYN_RECV;
	s.kind = K_SYN;
	s.lport = below(g, 2) ? 443 : 80;
	s.timer = TIMER_ON;
	s.born_s = t;
	s.end_s = t + 63;
	s.deadline_ms = g->now_ms + 1000;
	g->flood_new++;
	return add(g, &s);
}

static int listeners(struct gen *g)
{
	static const struct {
		uint8_t v6, udp, loop;
		uint16_t port;
		int32_t pid;
	} l[] = {
		{0, 0, 0, 22, 700}, {0, 0, 0, 80, 812}, {0, 0, 0, 443, 812}, {0, 0, 1, 5432, 901},
		{1, 0, 0, 22, 700}, {1, 0, 0, 80, 812}, {1, 0, 0, 443, 812}, {0, 1, 0, 53, 600},
		{0, 1, 1, 323, 950}, {1, 1, 0, 53, 600},
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof l / sizeof l[0]; i++) {
		struct sk s;

		memset(&s, 0, sizeof s);
		s.key = (uint32_t)i;
		s.v6 = l[i].v6;
		s.udp = l[i].udp;
		s.state = l[i].udp ? ST_CLOSE : ST_LISTEN;
		s.kind = K_LISTEN;
		s.lport = l[i].port;
		s.pid = l[i].pid;
		s.inode = g->next_inode++;
		s.end_s = INT64_MAX;
		s.txq = l[i].udp ? 0 : 4096;
		if (l[i].loop)
			s.key |= 0x80000000u;   /* loopback listeners: their own place */
		rc = add(g, &s);
	}
	return rc;
}

/* One second of the model: states move on, sockets end and arrive. */
static int step(struct gen *g, int64_t t, int64_t fl0, int64_t fl1)
{
	uint32_t nlong = 0, want_long = g->sockets - g->sockets * 3 / 20 - 10;
	size_t w = 0;
	int rc = 0;

	for (size_t i = 0; i < g->n; i++) {
		struct sk *s = &g->v[i];

		s->txq = s->kind == K_LISTEN && !s->udp ? 4096 : 0;
		if (s->kind == K_LONG && s->state == ST_ESTABLISHED) {
			if (s->timer == TIMER_ON)
				s->timer = TIMER_OFF;
			if (below(g, 1000) == 0) {   /* a moment of unacknowledged data */
				s->txq = 1 + below(g, 64000);
				s->timer = TIMER_ON;
				s->deadline_ms = g->now_ms + 204;
			} else if (s->timer == TIMER_KEEPALIVE && s->deadline_ms <= g->now_ms) {
				s->deadline_ms = g->now_ms + 75000;
			}
		}
		if (s->kind == K_SYN && s->deadline_ms <= g->now_ms && s->retrans < 5) {
			s->retrans++;
			s->deadline_ms = (s->born_s * 1000) + ((2000ll << s->retrans) - 1000);
		}
		if (t >= s->end_s) {
			if (s->state == ST_ESTABLISHED && (s->kind == K_SHORT || below(g, 2))) {
				/* the server closed first: TIME_WAIT, 60 s */
				s->state = ST_TIME_WAIT;
				s->timer = TIMER_TIMEWAIT;
				s->deadline_ms = g->now_ms + 60000;
				s->end_s = t + 60;
				s->inode = 0;
				s->pid = 0;
				g->closed++;
			} else {
				continue;   /* gone */
			}
		}
		if (s->kind == K_LONG && s->state == ST_ESTABLISHED)
			nlong++;
		g->v[w++] = *s;
	}
	g->n = w;
	/* arrivals: long connections back to their level, ~4 short ones a second */
	while (rc == 0 && nlong < want_long) {
		rc = new_conn(g, t, true);
		nlong++;
	}
	for (uint32_t i = 0, k = 2 + below(g, 5); rc == 0 && i < k * ((g->sockets + 1999) / 2000); i++)
		rc = new_conn(g, t, false);
	if (t >= fl0 && t < fl1) {
		/* a plateau of `flood` SYN_RECV: each lives 63 s */
		uint32_t k = g->flood / 63 + (below(g, 63) < g->flood % 63 ? 1 : 0);

		for (uint32_t i = 0; rc == 0 && i < k; i++)
			rc = new_syn(g, t);
	}
	return rc;
}

static void hex_addr(struct buf *b, const uint8_t *a, bool v6)
{
	/* the kernel prints each 32-bit word in host (little-endian) order */
	for (int wd = 0; wd < (v6 ? 4 : 1); wd++)
		buf_printf(b, "%02X%02X%02X%02X", a[wd * 4 + 3], a[wd * 4 + 2], a[wd * 4 + 1],
			   a[wd * 4]);
}

static void local_addr(const struct sk *s, uint8_t *a)
{
	memset(a, 0, 16);
	if (s->kind == K_LISTEN) {
		if (s->key & 0x80000000u) {
			a[0] = 127;
			a[3] = 1;
		}
		return;
	}
	if (s->v6) {
		static const uint8_t l6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};

		memcpy(a, l6, 16);
	} else {
		a[0] = 192;
		a[1] = 0;
		a[2] = 2;
		a[3] = 10;
	}
}

static uint32_t when(const struct gen *g, const struct sk *s)
{
	if (s->timer == TIMER_OFF || s->deadline_ms <= g->now_ms)
		return 0;
	return (uint32_t)((s->deadline_ms - g->now_ms) / 10);
}

/* One /proc/net/{tcp,tcp6,udp,udp6} line as the kernel prints it. */
static void proc_line(struct gen *g, const struct sk *s, int sl, struct buf *b)
{
	uint8_t la[16];
	size_t start = b->len;

	local_addr(s, la);
	buf_printf(b, s->udp ? "%5d: " : "%4d: ", sl);
	hex_addr(b, la, s->v6);
	buf_printf(b, ":%04X ", s->lport);
	hex_addr(b, s->raddr, s->v6);
	buf_printf(b, ":%04X %02X %08X:%08X %02X:%08X %08X ", s->rport,
		   s->udp ? (s->state == ST_CLOSE ? 7 : 1) : s->state, s->txq, 0u, s->timer,
		   when(g, s), s->retrans);
	if (s->kind == K_SYN)
		buf_printf(b, "%5u %8d %u %d %016x", 0u, 0, 0u, 0, 0u);
	else if (s->state == ST_TIME_WAIT)
		buf_printf(b, "%5d %8d %d %d %016x", 0, 0, 0, 3, 0u);
	else if (s->udp)
		buf_printf(b, "%5u %8d %" PRIu64 " %d %016x %u", s->lport == 53 ? 101u : 0u, 0,
			   s->inode, 2, 0u, 0u);
	else
		buf_printf(b, "%5u %8d %" PRIu64 " %d %016x %u %u %u %u %d", 33u, 0, s->inode,
			   s->kind == K_LISTEN ? 1 : 2, 0u, s->kind == K_LISTEN ? 0u : 204u,
			   s->kind == K_LISTEN ? 0u : 4u, 0u, s->kind == K_LISTEN ? 10u : 10u, -1);
	if (!s->v6) {
		/* IPv4 lines are padded to the file's record width */
		size_t width = s->udp ? 127 : 149;

		while (b->len - start < width)
			buf_putc(b, ' ');
	}
	buf_putc(b, '\n');
}

static const struct proc *proc_of(int32_t pid)
{
	for (size_t i = 0; i < NPROCS; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

static int keep_row(struct gen *g, const char *line, size_t len, int proto, int family)
{
	struct sock_row r;
	const char *what;
	struct sock_row *rows;

	if (procnet_parse_line(line, len, proto, family, false, &r, &what) != 0)
		return 0;
	if (g->nrows == g->crows) {
		size_t c = g->crows ? g->crows * 2 : 4096;

		rows = realloc(g->rows, c * sizeof *rows);
		if (!rows)
			return -ENOMEM;
		g->rows = rows;
		g->crows = c;
	}
	g->rows[g->nrows++] = r;
	return 0;
}

/* The owners of rendered rows, by inode (the model knows them). */
static void own_rows(struct gen *g)
{
	size_t j = 0;

	for (size_t i = 0; i < g->nrows; i++) {
		struct sock_row *r = &g->rows[i];

		if (!r->inode)
			continue;
		/* rows come in the model's order, one file at a time */
		for (size_t k = 0; k < g->n; k++, j = (j + 1) % g->n) {
			if (g->v[j].inode == r->inode) {
				const struct proc *p = proc_of(g->v[j].pid);

				r->pid = g->v[j].pid;
				r->program = p ? p->program : NULL;
				break;
			}
		}
	}
}

static int sect(struct gen *g, const char *name, const struct buf *b)
{
	int rc = snap_writer_section(g->w, name);

	return rc < 0 ? rc : snap_writer_write(g->w, b->data, b->len);
}

static int write_processes(struct gen *g)
{
	struct buf *b = &g->sec;

	buf_reset(b);
	buf_puts(b, "inode\tpid\tprogram\tcomm\n");
	for (size_t p = 0; p < NPROCS; p++)
		for (size_t i = 0; i < g->n; i++)
			if (g->v[i].inode && g->v[i].pid == procs[p].pid)
				buf_printf(b, "%" PRIu64 "\t%d\t%s\t%s\n", g->v[i].inode, procs[p].pid,
					   procs[p].program, procs[p].comm);
	return sect(g, "processes", b);
}

static int write_sockets(struct gen *g)
{
	struct buf *b = &g->sec;
	int rc = 0;

	buf_reset(b);
	buf_puts(b, SOCKROW_TSV_HEADER);
	/* sock_diag order: tcp, tcp6, udp, udp6 */
	for (int pass = 0; rc == 0 && pass < 4; pass++) {
		for (size_t i = 0; rc == 0 && i < g->n; i++) {
			const struct sk *s = &g->v[i];
			struct sock_row r;
			uint8_t la[16];
			const struct proc *p;

			if (s->udp != pass / 2 || s->v6 != pass % 2)
				continue;
			memset(&r, 0, sizeof r);
			local_addr(s, la);
			r.local.family = r.remote.family = s->v6 ? AF_INET6 : AF_INET;
			memcpy(r.local.a, la, s->v6 ? 16 : 4);
			memcpy(r.remote.a, s->raddr, s->v6 ? 16 : 4);
			r.lport = s->lport;
			r.rport = s->rport;
			r.proto = s->udp ? IPPROTO_UDP : IPPROTO_TCP;
			r.family = s->v6 ? AF_INET6 : AF_INET;
			r.state = s->state == ST_SYN_RECV ? ST_SYN_RECV : s->state;
			r.txq = s->txq;
			r.inode = s->inode;
			r.timer = s->timer;
			r.expires_ms = s->timer == TIMER_OFF || s->deadline_ms <= g->now_ms
					       ? 0
					       : (uint32_t)(s->deadline_ms - g->now_ms);
			r.retrans = s->retrans;
			r.uid = s->kind == K_LISTEN && s->lport == 5432 ? 106 : (s->udp && s->lport == 53 ? 101 : 33);
			if (s->kind == K_SYN || s->state == ST_TIME_WAIT)
				r.uid = 0;
			p = s->inode ? proc_of(s->pid) : NULL;
			r.pid = p ? p->pid : 0;
			r.program = p ? p->program : NULL;
			rc = sockrow_to_tsv(&r, b);
		}
	}
	g->socksnaps += g->n;
	return rc < 0 ? rc : sect(g, "sockets", b);
}

static int write_counters(struct gen *g, uint64_t syns)
{
	struct buf *b = &g->sec;
	uint32_t estab = 0;

	for (size_t i = 0; i < g->n; i++)
		estab += g->v[i].state == ST_ESTABLISHED && !g->v[i].udp;
	buf_reset(b);
	buf_puts(b, "name\tvalue\n");
	for (size_t i = 0; i < NCOUNTERS; i++) {
		struct counter *c = &counters[i];

		if (c->rate)
			c->value += c->rate + below(g, c->rate / 4 + 1);
		if (c->flood)
			c->value += (int64_t)syns;
		if (!strcmp(c->name, "Tcp.CurrEstab"))
			c->value = estab;
		buf_printf(b, "%s\t%" PRId64 "\n", c->name, c->value);
	}
	return sect(g, "counters", b);
}

static int write_proc(struct gen *g)
{
	static const char *const hdr4 =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
	static const char *const hdr6 =
		"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";
	static const char *const hdru =
		"   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops";
	static const char *const names[] = {"proc/net/tcp", "proc/net/tcp6", "proc/net/udp",
					    "proc/net/udp6", "proc/net/raw", "proc/net/raw6"};
	struct buf *b = &g->sec;
	int rc = 0;

	g->nrows = 0;
	for (int f = 0; rc == 0 && f < 6; f++) {
		bool udp = f >= 2, v6 = f % 2 == 1;
		int sl = 0;

		buf_reset(b);
		if (f < 4 && !v6) {
			buf_puts(b, udp ? hdru : hdr4);
			while (b->len < (udp ? 127u : 149u))
				buf_putc(b, ' ');
			buf_putc(b, '\n');
		} else {
			buf_puts(b, f >= 4 ? "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
					   : hdr6);
		}
		for (size_t i = 0; f < 4 && i < g->n; i++) {
			size_t at = b->len;

			if (g->v[i].udp != udp || g->v[i].v6 != v6)
				continue;
			proc_line(g, &g->v[i], udp ? (int)(g->v[i].lport % 128) : sl++, b);
			if (g->render && (rc = keep_row(g, b->data + at, b->len - at - 1,
						       udp ? IPPROTO_UDP : IPPROTO_TCP,
						       v6 ? AF_INET6 : AF_INET)) < 0)
				return rc;
		}
		rc = sect(g, names[f], b);
	}
	return rc;
}

static int write_rendered(struct gen *g)
{
	char name[80];
	int rc = 0;

	own_rows(g);
	snap_writer_derive(g->w, true);
	for (size_t i = 0; rc == 0 && i < NNETSTAT; i++) {
		buf_reset(&g->sec);
		rc = netstat_render_header(&g->ns[i], &g->sec);
		for (size_t j = 0; rc >= 0 && j < g->nrows; j++)
			rc = netstat_render_row(&g->ns[i], &g->rows[j], &g->sec);
		if (rc < 0)
			return rc;
		snprintf(name, sizeof name, "netstat %s", netstat_args[i]);
		rc = sect(g, name, &g->sec);
	}
	return rc;
}

static int snapshot(struct gen *g, int64_t t, uint64_t syns)
{
	struct snap_header h;
	int rc;

	if (t % 3600 == 0) {
		/* hourly segments, as the recorder rotates them */
		if (g->seg && (rc = segment_close(g->seg)) < 0) {
			g->seg = NULL;
			return rc;
		}
		g->seg = NULL;
		rc = segment_open(g->dirfd, "web1", DAY0 + (usec_t)t * 1000000, &(struct segment_opts){1, 23, 0},
				  &g->seg);
		if (rc < 0)
			return rc;
		snap_writer_keyframe(g->w);
	}
	memset(&h, 0, sizeof h);
	h.version = g->format;
	snprintf(h.host, sizeof h.host, "web1");
	h.time = DAY0 + (usec_t)g->now_ms * 1000 + (usec_t)below(g, 1000);
	h.seq = (uint64_t)t + 1;
	h.interval = 1000000;
	snprintf(h.reason, sizeof h.reason, "interval");
	snprintf(h.kernel, sizeof h.kernel, "6.1.0-28-amd64");
	snprintf(h.boot_id, sizeof h.boot_id, "0c6b6a0e-6d3c-4a8b-9a55-3f4e1c2b7d10");
	snprintf(h.recorder, sizeof h.recorder, "sockscope-recorder %s", SOCKSCOPE_VERSION);
	rc = snap_writer_begin(g->w, &h);
	if (rc == 0)
		rc = write_processes(g);
	if (rc == 0)
		rc = write_sockets(g);
	if (rc == 0)
		rc = write_counters(g, syns);
	if (rc == 0)
		rc = write_proc(g);
	if (rc == 0 && g->render)
		rc = write_rendered(g);
	if (rc == 0)
		rc = snap_writer_end(g->w);
	if (rc == 0)
		rc = segment_commit(g->seg, false);
	g->snapshots++;
	return rc;
}

static int out(void *ctx, const void *p, size_t n)
{
	return segment_write(((struct gen *)ctx)->seg, p, n);
}

static int run(struct gen *g)
{
	int64_t secs = (int64_t)(g->hours * 3600 + 0.5), fl_len = secs / 6 < 600 ? secs / 6 : 600;
	int64_t fl0 = secs / 2 - fl_len / 2, fl1 = fl0 + fl_len;
	int rc;

	g->rng = g->seed * 0x9e3779b97f4a7c15ull + 1;
	g->next_inode = 2100000;
	rc = listeners(g);
	/* a warm server: the long connections, already there at midnight */
	for (uint32_t i = 0; rc == 0 && i < g->sockets - g->sockets * 3 / 20 - 10; i++)
		rc = new_conn(g, -(int64_t)below(g, 3600), true);
	for (int64_t t = 0; rc == 0 && t < secs; t++) {
		uint64_t before = g->flood_new;

		g->now_ms = t * 1000 + below(g, 30);
		rc = step(g, t, fl0, fl1);
		if (rc == 0)
			rc = snapshot(g, t, g->flood_new - before);
	}
	if (g->seg) {
		int crc = segment_close(g->seg);

		if (rc == 0)
			rc = crc;
	}
	return rc;
}

static const struct tool_option opts[] = {
	{"out", required_argument, 'o', "DIR", "where the segments go (created)"},
	{"hours", required_argument, 'H', "H", "how long (default 24; fractions allowed)"},
	{"sockets", required_argument, 'n', "N", "steady population (default 2000)"},
	{"flood", required_argument, 'f', "N", "SYN_RECV at the flood's plateau (default 50000)"},
	{"seed", required_argument, 's', "S", "random seed (default 1)"},
	{"format", required_argument, 'F', "1|2", "segment format (default 2)"},
	{"keyframe-every", required_argument, 'k', "N", "format 2 keyframe interval (default 60)"},
	{"no-render", no_argument, 'R', NULL, "no netstat renderings (faster to generate)"},
	{"help", no_argument, 'h', NULL, "this help"},
};
#define NOPTS (sizeof opts / sizeof opts[0])

int main(int argc, char **argv)
{
	struct gen g = {.hours = 24, .sockets = 2000, .flood = 50000, .seed = 1, .format = 2,
			.key_every = 60, .render = true};
	struct option lo[NOPTS + 1];
	uint64_t v;
	int c, rc;

	tool_longopts(opts, NOPTS, lo);
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'o': g.dir = optarg; break;
		case 'H':
			if (tool_parse_double(optarg, 24 * 366, &g.hours) < 0 || g.hours <= 0)
				goto usage;
			break;
		case 'n':
			if (tool_parse_u64(optarg, 10000000, &v) < 0 || v < 100)
				goto usage;
			g.sockets = (uint32_t)v;
			break;
		case 'f':
			if (tool_parse_u64(optarg, 10000000, &v) < 0)
				goto usage;
			g.flood = (uint32_t)v;
			break;
		case 's':
			if (tool_parse_u64(optarg, UINT64_MAX, &g.seed) < 0)
				goto usage;
			break;
		case 'F':
			if (tool_parse_u64(optarg, 2, &v) < 0 || v < 1)
				goto usage;
			g.format = (unsigned)v;
			break;
		case 'k':
			if (tool_parse_u64(optarg, 100000, &v) < 0 || v < 1)
				goto usage;
			g.key_every = (unsigned)v;
			break;
		case 'R': g.render = false; break;
		case 'h':
			tool_usage(stdout, opts, NOPTS, 22);
			return 0;
		default: goto usage;
		}
	}
	if (!g.dir || optind != argc)
		goto usage;
	for (size_t i = 0; i < NNETSTAT; i++) {
		const char *bad;

		if (netstat_opts_parse(netstat_args[i], &g.ns[i], &bad) < 0)
			return 1;
	}
	if (mkdir(g.dir, 0750) < 0 && errno != EEXIST) {
		perror(g.dir);
		return 1;
	}
	g.dirfd = open(g.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	g.w = snap_writer_new(out, &g);
	if (g.dirfd < 0 || !g.w) {
		perror(g.dir);
		return 1;
	}
	buf_init(&g.sec);
	buf_init(&g.line);
	rc = g.format == 2 ? snap_writer_set_delta(g.w, g.key_every) : 0;
	if (rc == 0)
		rc = run(&g);
	snap_writer_free(g.w);
	free(g.v);
	free(g.rows);
	buf_fini(&g.sec);
	buf_fini(&g.line);
	close(g.dirfd);
	if (rc < 0) {
		fprintf(stderr, "daygen: %s\n", strerror(-rc));
		return 1;
	}
	printf("snapshots %" PRIu64 " socket_snapshots %" PRIu64 " flood_syns %" PRIu64 "\n",
	       g.snapshots, g.socksnaps, g.flood_new);
	return 0;
usage:
	fprintf(stderr, "usage: daygen --out DIR [options]\n");
	tool_usage(stderr, opts, NOPTS, 22);
	return 2;
}

/* Unit tests for recorder/diag: sockets this test opens on loopback must come
 * back from the sock_diag dump with the right state, ports, addresses, inode
 * and uid. Skips (loudly) where NETLINK_SOCK_DIAG is unavailable. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>

#include "diag.h"
#include "tcpstate.h"

#define MAX_KEEP 64

struct collect {
	uint16_t ports[8]; /* rows touching one of these ports are kept */
	size_t nports;
	struct sock_row rows[MAX_KEEP];
	size_t n;
	long total;   /* every row the dump delivered */
	long stop_at; /* > 0: return -ECANCELED at this row */
};

static int on_row(void *ctx, const struct sock_row *r)
{
	struct collect *c = ctx;
	c->total++;
	if (c->stop_at > 0 && c->total == c->stop_at)
		return -ECANCELED;
	for (size_t i = 0; i < c->nports; i++) {
		if (r->lport == c->ports[i] || r->rport == c->ports[i]) {
			assert_true(c->n < MAX_KEEP);
			assert_null(r->program);
			assert_int_equal(r->pid, 0);
			c->rows[c->n++] = *r;
			break;
		}
	}
	return 0;
}

static struct diag *open_or_skip(void)
{
	struct diag *d;
	int rc = diag_new(&d);

	if (rc < 0) {
		print_message("SKIP: cannot open NETLINK_SOCK_DIAG socket: %s — diag not tested\n",
			      strerror(-rc));
		skip();
	}
	return d;
}

static uint64_t ino_of(int fd)
{
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	return (uint64_t)st.st_ino;
}

static uint16_t port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &sl), 0);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static int v4_socket(int type, uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

static int v4_connect(uint16_t port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	return fd;
}

static const struct sock_row *find(const struct collect *c, uint16_t lport, uint16_t rport,
				   int state)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->rows[i].lport == lport && c->rows[i].rport == rport &&
		    c->rows[i].state == state)
			return &c->rows[i];
	fail_msg("no row %u -> %u in state %d among %zu kept rows", lport, rport, state, c->n);
	return NULL;
}

static void assert_v4(const struct addr *a, uint32_t host_order)
{
	uint32_t be = htonl(host_order);
	uint8_t zero[12] = {0};
	assert_int_equal(a->family, AF_INET);
	assert_memory_equal(a->a, &be, 4);
	assert_memory_equal(a->a + 4, zero, 12);
}

static void test_tcp_v4(void **state)
{
	struct diag *d;
	struct collect *c = calloc(1, sizeof *c);
	struct row_sink sink = {on_row, NULL, c};
	int lfd, cfd, sfd, c2;
	uint16_t lport, cport, c2port;
	(void)state;

	d = open_or_skip();
	lfd = v4_socket(SOCK_STREAM, 0);
	assert_int_equal(listen(lfd, 5), 0);
	lport = port_of(lfd);
	cfd = v4_connect(lport);
	sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(sfd >= 0);
	cport = port_of(cfd);
	/* A second client left in the accept queue: the listener's rxq. */
	c2 = v4_connect(lport);
	c2port = port_of(c2);

	c->ports[c->nports++] = lport;
	long n = diag_dump(d, AF_INET, IPPROTO_TCP, &sink);
	assert_true(n > 0);
	assert_int_equal(n, c->total);

	const struct sock_row *l = find(c, lport, 0, ST_LISTEN);
	assert_int_equal(l->family, AF_INET);
	assert_int_equal(l->proto, IPPROTO_TCP);
	assert_v4(&l->local, INADDR_LOOPBACK);
	assert_v4(&l->remote, 0);
	assert_int_equal(l->inode, ino_of(lfd));
	assert_int_equal(l->uid, getuid());
	assert_int_equal(l->rxq, 1); /* c2, not accepted */
	assert_int_equal(l->txq, 5); /* backlog */

	const struct sock_row *cl = find(c, cport, lport, ST_ESTABLISHED);
	assert_v4(&cl->local, INADDR_LOOPBACK);
	assert_v4(&cl->remote, INADDR_LOOPBACK);
	assert_int_equal(cl->inode, ino_of(cfd));
	assert_int_equal(cl->uid, getuid());
	assert_int_equal(cl->rxq, 0);
	assert_int_equal(cl->txq, 0);

	const struct sock_row *sv = find(c, lport, cport, ST_ESTABLISHED);
	assert_int_equal(sv->inode, ino_of(sfd));
	assert_int_equal(sv->uid, getuid());

	/* Not yet accepted: a full socket without a file, hence no inode. */
	const struct sock_row *q = find(c, lport, c2port, ST_ESTABLISHED);
	assert_int_equal(q->inode, 0);

	/* Unread data shows in rxq of the receiver. */
	assert_int_equal(write(cfd, "hello", 5), 5);
	usleep(20000);
	c->n = 0;
	c->total = 0;
	assert_true(diag_dump(d, AF_INET, IPPROTO_TCP, &sink) > 0);
	assert_int_equal(find(c, lport, cport, ST_ESTABLISHED)->rxq, 5);

	/* Active close by the client: it ends in TIME_WAIT, inode 0, timer 3.
	 * The server drains first: closing with unread data would send RST. */
	char got[8];
	assert_int_equal(read(sfd, got, sizeof got), 5);
	close(cfd);
	usleep(20000);
	close(sfd);
	usleep(20000);
	c->n = 0;
	c->total = 0;
	assert_true(diag_dump(d, AF_INET, IPPROTO_TCP, &sink) > 0);
	const struct sock_row *tw = find(c, cport, lport, ST_TIME_WAIT);
	assert_int_equal(tw->inode, 0);
	assert_int_equal(tw->timer, TIMER_TIMEWAIT);
	assert_true(tw->expires_ms > 0 && tw->expires_ms <= 60000);

	close(c2);
	close(lfd);
	diag_free(d);
	free(c);
}

static void test_tcp_v6(void **state)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
	struct diag *d;
	struct collect *c = calloc(1, sizeof *c);
	struct row_sink sink = {on_row, NULL, c};
	int one = 1, lfd, cfd, sfd;
	uint16_t lport, cport;
	(void)state;

	d = open_or_skip();
	lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0) {
		print_message("SKIP: no IPv6 sockets: %s\n", strerror(errno));
		diag_free(d);
		free(c);
		skip();
	}
	assert_int_equal(setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one), 0);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		print_message("SKIP: cannot bind ::1: %s\n", strerror(errno));
		close(lfd);
		diag_free(d);
		free(c);
		skip();
	}
	assert_int_equal(listen(lfd, 16), 0);
	lport = port_of(lfd);
	cfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(cfd >= 0);
	sa.sin6_port = htons(lport);
	assert_int_equal(connect(cfd, (struct sockaddr *)&sa, sizeof sa), 0);
	sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	assert_true(sfd >= 0);
	cport = port_of(cfd);

	c->ports[c->nports++] = lport;
	assert_true(diag_dump(d, AF_INET6, IPPROTO_TCP, &sink) >= 3);
	const struct sock_row *l = find(c, lport, 0, ST_LISTEN);
	assert_int_equal(l->family, AF_INET6);
	assert_int_equal(l->local.family, AF_INET6);
	assert_memory_equal(l->local.a, &in6addr_loopback, 16);
	assert_memory_equal(l->remote.a, &in6addr_any, 16);
	assert_int_equal(l->inode, ino_of(lfd));
	assert_int_equal(l->uid, getuid());
	assert_int_equal(l->txq, 16);
	const struct sock_row *cl = find(c, cport, lport, ST_ESTABLISHED);
	assert_memory_equal(cl->remote.a, &in6addr_loopback, 16);
	assert_int_equal(cl->inode, ino_of(cfd));
	const struct sock_row *sv = find(c, lport, cport, ST_ESTABLISHED);
	assert_int_equal(sv->inode, ino_of(sfd));

	/* The v4 dump must not contain the v6-only listener. */
	c->n = 0;
	assert_true(diag_dump(d, AF_INET, IPPROTO_TCP, &sink) >= 0);
	for (size_t i = 0; i < c->n; i++)
		assert_int_not_equal(c->rows[i].inode, ino_of(lfd));

	close(sfd);
	close(cfd);
	close(lfd);
	diag_free(d);
	free(c);
}

static void test_udp(void **state)
{
	struct diag *d;
	struct collect *c = calloc(1, sizeof *c);
	struct row_sink sink = {on_row, NULL, c};
	struct sockaddr_in peer = {.sin_family = AF_INET};
	int u, uc;
	uint16_t port, cport;
	(void)state;

	d = open_or_skip();
	u = v4_socket(SOCK_DGRAM, 0);
	port = port_of(u);
	/* A connected UDP socket reports ESTABLISHED. */
	uc = v4_socket(SOCK_DGRAM, 0);
	cport = port_of(uc);
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	peer.sin_port = htons(port);
	assert_int_equal(connect(uc, (struct sockaddr *)&peer, sizeof peer), 0);
	assert_int_equal(send(uc, "abc", 3, 0), 3);
	usleep(20000);

	c->ports[c->nports++] = port;
	long n = diag_dump(d, AF_INET, IPPROTO_UDP, &sink);
	if (n == -ENOENT || n == -EOPNOTSUPP) {
		print_message("SKIP: kernel has no udp_diag: %s\n", strerror((int)-n));
		close(u);
		close(uc);
		diag_free(d);
		free(c);
		skip();
	}
	assert_true(n >= 2);
	const struct sock_row *r = find(c, port, 0, ST_CLOSE);
	assert_int_equal(r->proto, IPPROTO_UDP);
	assert_int_equal(r->family, AF_INET);
	assert_v4(&r->local, INADDR_LOOPBACK);
	assert_int_equal(r->inode, ino_of(u));
	assert_int_equal(r->uid, getuid());
	assert_true(r->rxq > 0); /* one queued datagram (its truesize) */
	const struct sock_row *rc = find(c, cport, port, ST_ESTABLISHED);
	assert_int_equal(rc->inode, ino_of(uc));

	close(uc);
	close(u);
	diag_free(d);
	free(c);
}

static void test_sink_stop_and_reuse(void **state)
{
	struct diag *d;
	struct collect *c = calloc(1, sizeof *c);
	struct row_sink sink = {on_row, NULL, c};
	int fds[40];
	(void)state;

	d = open_or_skip();
	/* Enough sockets that the dump spans several messages. */
	for (int i = 0; i < 40; i++) {
		fds[i] = v4_socket(SOCK_STREAM, 0);
		assert_int_equal(listen(fds[i], 1), 0);
	}
	c->stop_at = 3;
	assert_int_equal(diag_dump(d, AF_INET, IPPROTO_TCP, &sink), -ECANCELED);
	assert_int_equal(c->total, 3);
	/* The abandoned dump must not leak into the next one. */
	c->stop_at = 0;
	c->total = 0;
	long n = diag_dump(d, AF_INET, IPPROTO_TCP, &sink);
	assert_true(n >= 40);
	assert_int_equal(n, c->total);
	c->total = 0;
	assert_int_equal(diag_dump(d, AF_INET, IPPROTO_TCP, &sink), n);

	assert_int_equal(diag_dump(d, AF_UNIX, IPPROTO_TCP, &sink), -EINVAL);
	assert_int_equal(diag_dump(d, AF_INET, IPPROTO_SCTP, &sink), -EINVAL);
	assert_int_equal(diag_dump(NULL, AF_INET, IPPROTO_TCP, &sink), -EINVAL);
	for (int i = 0; i < 40; i++)
		close(fds[i]);
	diag_free(d);
	diag_free(NULL);
	free(c);
}

/* --- replayed netlink buffers: every branch of diag_parse ----------------- */

static _Alignas(8) char nlbuf[4096];

static size_t put_msg(size_t off, uint16_t type, uint16_t flags, uint32_t seq, const void *payload,
		      size_t plen)
{
	struct nlmsghdr h = {.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + plen),
			     .nlmsg_type = type,
			     .nlmsg_flags = flags,
			     .nlmsg_seq = seq,
			     .nlmsg_pid = 4242};
	assert_true(off + NLMSG_ALIGN(h.nlmsg_len) <= sizeof nlbuf);
	memcpy(nlbuf + off, &h, sizeof h);
	memcpy(nlbuf + off + NLMSG_HDRLEN, payload, plen);
	return off + NLMSG_ALIGN(h.nlmsg_len);
}

static struct inet_diag_msg synrecv_v4(void)
{
	struct inet_diag_msg m;
	memset(&m, 0, sizeof m);
	m.idiag_family = AF_INET;
	m.idiag_state = ST_NEW_SYN_RECV;
	m.idiag_timer = 1;
	m.idiag_retrans = 2;
	m.id.idiag_sport = htons(80);
	m.id.idiag_dport = htons(40000);
	m.id.idiag_src[0] = htonl(0xC0000201); /* 192.0.2.1 */
	m.id.idiag_dst[0] = htonl(0xC6336407); /* 198.51.100.7 */
	m.idiag_expires = 3000;
	m.idiag_rqueue = 7;
	m.idiag_wqueue = 9;
	m.idiag_uid = 1000;
	m.idiag_inode = 0;
	return m;
}

static void test_parse_rows(void **state)
{
	struct collect *c = calloc(1, sizeof *c);
	struct row_sink sink = {on_row, NULL, c};
	struct inet_diag_msg m4 = synrecv_v4(), m6;
	static const uint8_t db8_1[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t db8_2[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	int zero = 0;
	long rows = 0;
	(void)state;

	memset(&m6, 0, sizeof m6);
	m6.idiag_family = AF_INET6;
	m6.idiag_state = ST_ESTABLISHED;
	m6.id.idiag_sport = htons(443);
	m6.id.idiag_dport = htons(51515);
	memcpy(m6.id.idiag_src, db8_1, 16);
	memcpy(m6.id.idiag_dst, db8_2, 16);
	m6.idiag_inode = 123456;
	m6.idiag_uid = 33;

	c->ports[c->nports++] = 80;
	c->ports[c->nports++] = 443;
	size_t len = put_msg(0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 6, &m4, sizeof m4);
	len = put_msg(len, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 5, &m4, sizeof m4); /* old dump */
	len = put_msg(len, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 6, &m6, sizeof m6);
	/* Without the DONE the dump goes on. */
	assert_int_equal(diag_parse(nlbuf, len, 6, 4242, IPPROTO_TCP, &sink, &rows), DIAG_MORE);
	assert_int_equal(rows, 2);
	len = put_msg(len, NLMSG_DONE, NLM_F_MULTI, 6, &zero, sizeof zero);
	c->n = 0;
	rows = 0;
	assert_int_equal(diag_parse(nlbuf, len, 6, 4242, IPPROTO_TCP, &sink, &rows), DIAG_DONE);
	assert_int_equal(rows, 2);
	assert_int_equal(c->n, 2);

	const struct sock_row *r = &c->rows[0];
	assert_int_equal(r->family, AF_INET);
	assert_int_equal(r->proto, IPPROTO_TCP);
	assert_int_equal(r->state, ST_NEW_SYN_RECV); /* raw: callers map it */
	assert_int_equal(r->lport, 80);
	assert_int_equal(r->rport, 40000);
	assert_v4(&r->local, 0xC0000201);
	assert_v4(&r->remote, 0xC6336407);
	assert_int_equal(r->timer, TIMER_ON);
	assert_int_equal(r->retrans, 2);
	assert_int_equal(r->expires_ms, 3000);
	assert_int_equal(r->rxq, 7);
	assert_int_equal(r->txq, 9);
	assert_int_equal(r->uid, 1000);
	assert_int_equal(r->inode, 0);

	r = &c->rows[1];
	assert_int_equal(r->family, AF_INET6);
	assert_int_equal(r->local.family, AF_INET6);
	assert_memory_equal(r->local.a, db8_1, 16);
	assert_memory_equal(r->remote.a, db8_2, 16);
	assert_int_equal(r->lport, 443);
	assert_int_equal(r->rport, 51515);
	assert_int_equal(r->inode, 123456);
	assert_int_equal(r->uid, 33);
	/* Another sender's messages are ignored too. */
	rows = 0;
	assert_int_equal(diag_parse(nlbuf, len, 6, 4243, IPPROTO_TCP, &sink, &rows), DIAG_MORE);
	assert_int_equal(rows, 0);
	free(c);
}

static void test_parse_errors(void **state)
{
	struct collect *c = calloc(1, sizeof *c);
	struct row_sink sink = {on_row, NULL, c};
	struct inet_diag_msg m4 = synrecv_v4();
	struct nlmsgerr e;
	int st = -ENOENT;
	long rows = 0;
	size_t len;
	(void)state;

	/* The kernel's error for the whole request. */
	memset(&e, 0, sizeof e);
	e.error = -EPERM;
	len = put_msg(0, NLMSG_ERROR, 0, 1, &e, sizeof e);
	assert_int_equal(diag_parse(nlbuf, len, 1, 4242, IPPROTO_TCP, &sink, &rows), -EPERM);
	len = put_msg(0, NLMSG_ERROR, 0, 1, &e, 2);
	assert_int_equal(diag_parse(nlbuf, len, 1, 4242, IPPROTO_TCP, &sink, &rows), -EBADMSG);
	/* A dump that failed midway says so in its DONE. */
	len = put_msg(0, NLMSG_DONE, NLM_F_MULTI, 1, &st, sizeof st);
	assert_int_equal(diag_parse(nlbuf, len, 1, 4242, IPPROTO_TCP, &sink, &rows), -ENOENT);
	/* An inet_diag_msg cut short. */
	len = put_msg(0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 1, &m4, 20);
	assert_int_equal(diag_parse(nlbuf, len, 1, 4242, IPPROTO_TCP, &sink, &rows), -EBADMSG);
	/* One good row, then bytes that are no message. */
	len = put_msg(0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 1, &m4, sizeof m4);
	memset(nlbuf + len, 0xff, 8);
	rows = 0;
	assert_int_equal(diag_parse(nlbuf, len + 8, 1, 4242, IPPROTO_TCP, &sink, &rows), -EBADMSG);
	assert_int_equal(rows, 1);
	/* A header claiming more than was received. */
	((struct nlmsghdr *)nlbuf)->nlmsg_len = 4000;
	assert_int_equal(diag_parse(nlbuf, len, 1, 4242, IPPROTO_TCP, &sink, &rows), -EBADMSG);
	/* A length that is negative as an int (libmnl's check lets it pass). */
	((struct nlmsghdr *)nlbuf)->nlmsg_len = 0x80000010u;
	assert_int_equal(diag_parse(nlbuf, len, 1, 4242, IPPROTO_TCP, &sink, &rows), -EBADMSG);
	/* Interrupted dump: the caller starts over. */
	len = put_msg(0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI | NLM_F_DUMP_INTR, 1, &m4, sizeof m4);
	assert_int_equal(diag_parse(nlbuf, len, 1, 4242, IPPROTO_TCP, &sink, &rows), DIAG_INTR);
	/* The sink's error stops the parse. */
	len = put_msg(0, SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 1, &m4, sizeof m4);
	c->stop_at = 1;
	c->total = 0;
	assert_int_equal(diag_parse(nlbuf, len, 1, 4242, IPPROTO_TCP, &sink, &rows), -ECANCELED);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tcp_v4),     cmocka_unit_test(test_tcp_v6),
	    cmocka_unit_test(test_udp),	       cmocka_unit_test(test_sink_stop_and_reuse),
	    cmocka_unit_test(test_parse_rows), cmocka_unit_test(test_parse_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

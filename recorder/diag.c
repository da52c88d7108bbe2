/* diag — streams every TCP/UDP socket from NETLINK_SOCK_DIAG (inet_diag
 * SOCK_DIAG_BY_FAMILY dumps) into a row_sink, one fixed buffer, no per-row
 * allocation. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/inet_diag.h>
#include <libmnl/libmnl.h>

#include "diag.h"

/* The kernel sizes dump skbs after the largest recvmsg buffer it has seen,
 * capped at 32 KiB: a bigger buffer would never be filled, a smaller one
 * means more syscalls per dump. */
#define DIAG_BUF_SIZE 32768
/* Room for several dump skbs in flight; only a hint, failure is harmless. */
#define DIAG_RCVBUF (1 << 20)
/* How often an interrupted dump (NLM_F_DUMP_INTR, ENOBUFS) is restarted
 * when no row has reached the sink yet. Afterwards: -EAGAIN. */
#define DIAG_MAX_RESTARTS 3

struct diag {
	struct mnl_socket *nl; /* NULL after a failed reopen */
	unsigned int portid;
	unsigned int seq; /* of the dump in progress */
	char *buf;	  /* DIAG_BUF_SIZE bytes, reused by every dump */
};

static int diag_open(struct diag *d)
{
	int rcvbuf = DIAG_RCVBUF;
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_SOCK_DIAG, SOCK_CLOEXEC);

	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;
		mnl_socket_close(nl);
		return err;
	}
	/* SO_RCVBUFFORCE needs CAP_NET_ADMIN; fall back silently. */
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) <
	    0)
		(void)setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				 sizeof rcvbuf);
	d->nl = nl;
	d->portid = mnl_socket_get_portid(nl);
	return 0;
}

/* A dump abandoned midway leaves its remaining replies queued on the
 * socket; a fresh socket is cheaper and surer than draining them. */
static int diag_reopen(struct diag *d)
{
	if (d->nl)
		mnl_socket_close(d->nl);
	d->nl = NULL;
	return diag_open(d);
}

int diag_new(struct diag **out)
{
	struct diag *d = calloc(1, sizeof *d);
	int err;

	*out = NULL;
	if (!d)
		return -ENOMEM;
	d->buf = malloc(DIAG_BUF_SIZE);
	if (!d->buf) {
		err = -ENOMEM;
		goto fail;
	}
	err = diag_open(d);
	if (err < 0)
		goto fail;
	*out = d;
	return 0;
fail:
	free(d->buf);
	free(d);
	return err;
}

void diag_free(struct diag *d)
{
	if (!d)
		return;
	if (d->nl)
		mnl_socket_close(d->nl);
	free(d->buf);
	free(d);
}

static int diag_request(struct diag *d, int family, int proto)
{
	char req[NLMSG_ALIGN(sizeof(struct nlmsghdr)) +
		 NLMSG_ALIGN(sizeof(struct inet_diag_req_v2))];
	struct nlmsghdr *nlh;
	struct inet_diag_req_v2 *r;

	memset(req, 0, sizeof req);
	nlh = mnl_nlmsg_put_header(req);
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++d->seq;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof *r);
	r->sdiag_family = (__u8)family;
	r->sdiag_protocol = (__u8)proto;
	/* Every state bit, so TCP_NEW_SYN_RECV request sockets and TIME_WAIT
	 * come along with full sockets. */
	r->idiag_states = ~0U;
	if (mnl_socket_sendto(d->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	return 0;
}

static void fill_addr(struct addr *a, int family, const __be32 *src)
{
	memset(a, 0, sizeof *a);
	a->family = (uint8_t)family;
	memcpy(a->a, src, family == AF_INET6 ? 16 : 4);
}

static void fill_row(struct sock_row *row, const struct inet_diag_msg *m, int proto)
{
	memset(row, 0, sizeof *row);
	fill_addr(&row->local, m->idiag_family, m->id.idiag_src);
	fill_addr(&row->remote, m->idiag_family, m->id.idiag_dst);
	row->lport = ntohs(m->id.idiag_sport);
	row->rport = ntohs(m->id.idiag_dport);
	row->family = m->idiag_family;
	row->proto = (uint8_t)proto;
	row->state = m->idiag_state;
	row->timer = m->idiag_timer;
	row->retrans = m->idiag_retrans;
	row->expires_ms = m->idiag_expires;
	row->rxq = m->idiag_rqueue;
	row->txq = m->idiag_wqueue;
	row->uid = m->idiag_uid;
	row->inode = m->idiag_inode;
}

/* libmnl 1.0.4's mnl_nlmsg_ok() compares nlmsg_len as an int, so a length
 * >= 2^31 passes and the walk jumps out of the buffer (found by fuzzing).
 * The kernel never sends that; a replayed capture might. */
static bool msg_ok(const struct nlmsghdr *nlh, size_t left)
{
	return left >= sizeof *nlh && nlh->nlmsg_len >= sizeof *nlh && nlh->nlmsg_len <= left;
}

static const struct nlmsghdr *msg_next(const struct nlmsghdr *nlh, size_t *left)
{
	size_t step = NLMSG_ALIGN((size_t)nlh->nlmsg_len);
	if (step > *left)
		step = *left;
	*left -= step;
	return (const struct nlmsghdr *)((const char *)nlh + step);
}

int diag_parse(const void *buf, size_t len, uint32_t seq, uint32_t portid, int proto,
	       const struct row_sink *sink, long *rows)
{
	struct sock_row row;
	size_t left = len;
	const struct nlmsghdr *nlh = buf;

	for (; msg_ok(nlh, left); nlh = msg_next(nlh, &left)) {
		/* Replies to someone else or to an older, abandoned dump. */
		if ((portid && !mnl_nlmsg_portid_ok(nlh, portid)) ||
		    (seq && !mnl_nlmsg_seq_ok(nlh, seq)))
			continue;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			return DIAG_INTR;
		if (nlh->nlmsg_type == NLMSG_DONE) {
			/* The dump's own status: an int after the header. */
			if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int)) {
				int st;
				memcpy(&st, mnl_nlmsg_get_payload(nlh), sizeof st);
				if (st < 0)
					return st < -4095 ? -EPROTO : st;
			}
			return DIAG_DONE;
		}
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			struct nlmsgerr e;
			if (mnl_nlmsg_get_payload_len(nlh) < sizeof e)
				return -EBADMSG;
			memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof e);
			/* 0 is an ACK, which a dump never asks for. */
			return e.error < 0 && e.error >= -4095 ? e.error : -EPROTO;
		}
		if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;
		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(struct inet_diag_msg))
			return -EBADMSG;
		fill_row(&row, mnl_nlmsg_get_payload(nlh), proto);
		int rc = sink->row(sink->ctx, &row);
		if (rc < 0)
			return rc;
		(*rows)++;
	}
	/* Bytes left over that do not form a message: a truncated reply. */
	return left > 0 ? -EBADMSG : DIAG_MORE;
}

/* Outcome of one pass over a dump. */
enum pass {
	PASS_DONE,    /* NLMSG_DONE seen */
	PASS_RESTART, /* interrupted: the dump must start over */
	PASS_ERROR,   /* *err set */
};

static enum pass dump_pass(struct diag *d, int proto, const struct row_sink *sink, long *rows,
			   int *err)
{
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(d->nl, d->buf, DIAG_BUF_SIZE);
		if (n < 0) {
			if (errno == EINTR)
				continue; /* a signal, nothing lost */
			if (errno == ENOBUFS)
				return PASS_RESTART; /* replies were dropped */
			*err = -errno;
			return PASS_ERROR;
		}
		if (n == 0) {
			*err = -EPROTO;
			return PASS_ERROR;
		}
		int rc = diag_parse(d->buf, (size_t)n, d->seq, d->portid, proto, sink, rows);
		if (rc == DIAG_DONE)
			return PASS_DONE;
		if (rc == DIAG_INTR)
			return PASS_RESTART;
		if (rc < 0) {
			*err = rc;
			return PASS_ERROR;
		}
	}
}

long diag_dump(struct diag *d, int family, int proto, const struct row_sink *sink)
{
	long rows = 0;
	int err = 0;

	if (!d || !sink || !sink->row || (family != AF_INET && family != AF_INET6) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return -EINVAL;
	if (!d->nl) {
		err = diag_open(d);
		if (err < 0)
			return err;
	}
	for (int attempt = 0;; attempt++) {
		err = diag_request(d, family, proto);
		if (err < 0)
			break;
		enum pass p = dump_pass(d, proto, sink, &rows, &err);
		if (p == PASS_DONE)
			return rows;
		if (p == PASS_RESTART) {
			/* Rows already streamed cannot be taken back: a second
			 * pass would deliver them twice. */
			err = rows > 0 || attempt >= DIAG_MAX_RESTARTS ? -EAGAIN : 0;
		}
		/* Any early exit leaves replies queued on the socket. */
		int rerr = diag_reopen(d);
		if (err == 0)
			err = rerr;
		if (err < 0)
			break;
	}
	return err;
}

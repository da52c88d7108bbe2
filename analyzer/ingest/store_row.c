/* store_row — a parsed row prepared as the tables hold it (folded
 * addresses, state names, rnet) and its digest; moved out of store.c. */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "spans.h"
#include "store.h"
#include "store_int.h"
#include "tcpstate.h"

static const char *proto_name(int proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_RAW: return "raw";
	default: return NULL;
	}
}

/* rnet: what subnet grouping needs as one integer (docs/SCHEMA.md). */
static int64_t rnet_of(const struct addr *a)
{
	uint64_t v = 0;

	if (a->family == AF_INET)
		return (int64_t)((uint32_t)a->a[0] << 24 | (uint32_t)a->a[1] << 16 |
				 (uint32_t)a->a[2] << 8 | a->a[3]);
	for (int i = 0; i < 8; i++)
		v = v << 8 | a->a[i];
	return (int64_t)v;   /* two's complement: keeps order within the sign */
}

/* A row some table can hold: a known protocol, addresses of its family. */
bool store_row_ok(const struct sock_row *in)
{
	const struct addr *la = &in->local, *ra = &in->remote;

	return proto_name(in->proto) && tcpstate_db_name(in->proto, in->state) &&
	       (in->family == AF_INET || in->family == AF_INET6) &&
	       (in->family != AF_INET || (la->family == AF_INET && ra->family == AF_INET)) &&
	       la->family == ra->family;
}

int store_row_prepare(const struct sock_row *in, struct store_row *out)
{
	struct addr la = in->local, ra = in->remote;

	if (!store_row_ok(in))
		return -EINVAL;
	out->proto = proto_name(in->proto);
	out->state = tcpstate_db_name(in->proto, in->state);
	addr_fold(&la);
	addr_fold(&ra);
	out->llen = (uint8_t)addr_format(&la, out->laddr, sizeof out->laddr);
	out->rlen = (uint8_t)addr_format(&ra, out->raddr, sizeof out->raddr);
	out->family = in->family == AF_INET ? 4 : 6;
	out->lport = in->lport;
	out->rport = in->rport;
	out->rnet = rnet_of(&ra);
	out->unknown = in->unknown;
	out->rxq = in->rxq;
	out->txq = in->txq;
	out->uid = in->uid;
	out->inode = in->inode;
	out->timer = in->timer;
	out->expires_ms = in->expires_ms;
	out->retrans = in->retrans;
	out->pid = in->pid;
	out->program = in->program;
	out->lhost = in->lhost;
	out->rhost = in->rhost;
	if (in->rhost)
		out->rnet = 0;   /* no address to group by */
	return 0;
}

/* The digest takes every value as the table would hold it (unknown: one
 * NULL), in order: two snapshots with the same digest and row count are
 * the same rows (store_snapshot_match). */
uint64_t store_row_digest(uint64_t h, const struct store_row *in)
{
	uint32_t q[2] = {0, 0}, t[3] = {0, 0, 0};
	uint64_t inode = 0;
	int32_t pid = in->pid > 0 ? in->pid : 0;
	uint32_t uid = 0;

	if (!(in->unknown & SOCKROW_UNKNOWN_QUEUES)) {
		q[0] = in->rxq;
		q[1] = in->txq;
	}
	if (!(in->unknown & SOCKROW_UNKNOWN_UID))
		uid = in->uid;
	if (!(in->unknown & SOCKROW_UNKNOWN_INODE))
		inode = in->inode;
	if (!(in->unknown & SOCKROW_UNKNOWN_TIMER)) {
		t[0] = (uint32_t)in->timer + 1;
		t[1] = in->expires_ms;
		t[2] = in->retrans;
	}
	h = spans_hash_str(h, in->proto);
	h = spans_hash_str(h, in->state);
	h = spans_hash(h, &in->family, sizeof in->family);
	h = spans_hash_str(h, in->lhost ? NULL : "");
	h = spans_hash(h, in->laddr, in->lhost ? 0 : in->llen);
	h = spans_hash(h, &in->lport, sizeof in->lport);
	h = spans_hash_str(h, in->rhost ? NULL : "");
	h = spans_hash(h, in->raddr, in->rhost ? 0 : in->rlen);
	h = spans_hash(h, &in->rport, sizeof in->rport);
	h = spans_hash(h, &in->unknown, sizeof in->unknown);
	h = spans_hash(h, q, sizeof q);
	h = spans_hash(h, &uid, sizeof uid);
	h = spans_hash(h, &inode, sizeof inode);
	h = spans_hash(h, t, sizeof t);
	h = spans_hash(h, &pid, sizeof pid);
	h = spans_hash_str(h, in->program);
	h = spans_hash_str(h, in->lhost);
	h = spans_hash_str(h, in->rhost);
	return spans_hash(h, "\n", 1);
}

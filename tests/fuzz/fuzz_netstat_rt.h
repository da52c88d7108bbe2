/* fuzz_netstat_rt.h — what fuzz_import_netstat and fuzz_import_bsd share:
 * a parsed row printed by the net-tools renderer (-naW) must read back the
 * same through the Linux netstat parser. Header-only: each target is one
 * program. */
#ifndef SOCKSCOPE_FUZZ_NETSTAT_RT_H
#define SOCKSCOPE_FUZZ_NETSTAT_RT_H

#include <netinet/in.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dump.h"
#include "netstat.h"
#include "tcpstate.h"

struct ctx {
	size_t rows, bad;
	struct netstat_opts wide;
	struct buf out;
	/* the Linux parser, reading what the net-tools renderer printed */
	alignas(max_align_t) unsigned char again[1024];
	struct sock_row back;
	size_t nback;
};

static int collect_back(void *vctx, const struct sock_row *r)
{
	struct ctx *c = vctx;

	c->back = *r;
	c->nback++;
	return 0;
}

static void bad_back(void *vctx, size_t lineno, const char *expected)
{
	(void)vctx;
	(void)lineno;
	(void)expected;
	abort();   /* the renderer's line must parse */
}

static void check_addr(const struct addr *a, int family)
{
	static const uint8_t zero[12];

	if (a->family != family)
		abort();
	if (family == AF_INET && memcmp(a->a + 4, zero, sizeof zero) != 0)
		abort();
}

/* States the renderer prints as the parser reads them back: UDP "UNKNOWN"
 * has no number to go back to. */
static int renders_exactly(const struct sock_row *r)
{
	if (r->proto == IPPROTO_UDP)
		return r->state == ST_CLOSE || r->state == ST_ESTABLISHED;
	return 1;
}

static void round_trip(struct ctx *c, const struct sock_row *r)
{
	struct row_sink sink = {collect_back, bad_back, c};

	buf_reset(&c->out);
	if (netstat_render_row(&c->wide, r, &c->out) != 1)
		abort();
	if (c->out.len == 0 || c->out.data[c->out.len - 1] != '\n')
		abort();
	c->nback = 0;
	if (dump_netstat.line(c->again, c->out.data, c->out.len - 1, 1, &sink) != 0 ||
	    c->nback != 1)
		abort();
	if (c->back.proto != r->proto || c->back.family != r->family ||
	    c->back.state != r->state || c->back.lport != r->lport || c->back.rport != r->rport ||
	    memcmp(&c->back.local, &r->local, sizeof r->local) != 0 ||
	    memcmp(&c->back.remote, &r->remote, sizeof r->remote) != 0 ||
	    c->back.rxq != r->rxq || c->back.txq != r->txq)
		abort();
}

#endif

/* fuzz_netstat_rt.h — what fuzz_textfmt_netstat and fuzz_textfmt_bsd share:
 * the line-by-line driver, and the round trip (a parsed row printed by the
 * net-tools renderer, -naW, must read back the same through the Linux
 * netstat parser). Header-only: each target is one program. */
#ifndef SOCKSCOPE_FUZZ_NETSTAT_RT_H
#define SOCKSCOPE_FUZZ_NETSTAT_RT_H

#include <netinet/in.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "textfmt.h"
#include "netstat.h"
#include "tcpstate.h"

struct ctx {
	size_t rows, bad;
	struct netstat_opts wide;
	struct buf out;
	/* the Linux parser, reading what the net-tools renderer printed */
	alignas(max_align_t) unsigned char again[4096];
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

/* States the renderer prints as the parser reads them back: "UNKNOWN"
 * (UDP's, or a TCP row of BSD -T/-x that prints no state) has no number to
 * go back to. Named hosts render as the unspecified address they hold. */
static int renders_exactly(const struct sock_row *r)
{
	if (r->proto == IPPROTO_UDP)
		return r->state == ST_CLOSE || r->state == ST_ESTABLISHED;
	return r->state != ST_UNKNOWN;
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
	if (textfmt_netstat.line(c->again, c->out.data, c->out.len - 1, 1, &sink) != 0 ||
	    c->nback != 1)
		abort();
	if (c->back.proto != r->proto || c->back.family != r->family ||
	    c->back.state != r->state || c->back.lport != r->lport || c->back.rport != r->rport ||
	    memcmp(&c->back.local, &r->local, sizeof r->local) != 0 ||
	    memcmp(&c->back.remote, &r->remote, sizeof r->remote) != 0 ||
	    c->back.rxq != r->rxq || c->back.txq != r->txq)
		abort();
}

static void complain(void *vctx, size_t lineno, const char *expected)
{
	struct ctx *c = vctx;

	if (lineno == 0 || !expected || !*expected || memchr(expected, '\n', strlen(expected)))
		abort();
	c->bad++;
}

/* Feeds data to parser f line by line as the reader would (no '\n', no
 * '\r'), check() seeing every row: probe stays in range, no line gives more
 * than one row or complaint, end() returns 0. */
static int rt_fuzz_lines(const struct textfmt *f, int (*check)(void *, const struct sock_row *),
			 const uint8_t *data, size_t size)
{
	static alignas(max_align_t) unsigned char state[4096];
	static struct ctx c;
	struct row_sink sink = {check, complain, &c};
	const char *text = (const char *)data, *bad;
	size_t i = 0, lines = 0;

	if (sizeof state < f->state_size || sizeof c.again < textfmt_netstat.state_size)
		abort();
	c.rows = c.bad = 0;
	if (netstat_opts_parse("-naW", &c.wide, &bad))
		abort();
	f->begin(state, NULL);
	textfmt_netstat.begin(c.again, NULL);
	while (i < size) {
		size_t e = i, before;
		int p;

		/* lines as the reader hands them: no '\n', no '\r' */
		while (e < size && text[e] != '\n' && text[e] != '\r')
			e++;
		if (e - i <= TEXTFMT_LINE_MAX) {
			p = f->probe(text + i, e - i);
			if (p < TEXTFMT_PROBE_NO || p > TEXTFMT_PROBE_SURE)
				abort();
			before = c.rows + c.bad;
			lines++;
			if (f->line(state, text + i, e - i, lines, &sink) != 0)
				abort();
			if (c.rows + c.bad > before + 1)
				abort();
		}
		i = e + 1;
	}
	if (f->end(state, &sink) != 0 || c.rows + c.bad > lines)
		abort();
	buf_fini(&c.out);
	return 0;
}

#endif

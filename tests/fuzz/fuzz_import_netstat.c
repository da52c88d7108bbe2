/* fuzz_import_netstat — any bytes as a Linux netstat dump, line by line:
 * every row is well-formed (families, addresses, protocol, state, program)
 * and survives being printed by the net-tools renderer and parsed again; no
 * line gives more than one row or complaint; probe never crashes. */
#include <netinet/in.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "dump.h"
#include "netstat.h"
#include "sockrow.h"
#include "tcpstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "fuzz_netstat_rt.h"

static int check_row(void *vctx, const struct sock_row *r)
{
	struct ctx *c = vctx;

	if (r->family != AF_INET && r->family != AF_INET6)
		abort();
	check_addr(&r->local, r->family);
	check_addr(&r->remote, r->family);
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP && r->proto != IPPROTO_RAW)
		abort();
	if (r->state >= ST_MAX_ || r->state == ST_NEW_SYN_RECV)
		abort();
	if (r->proto != IPPROTO_UDP && r->state == ST_UNKNOWN)
		abort();
	if ((r->unknown & ~SOCKROW_UNKNOWN_ALL) || (r->unknown & SOCKROW_UNKNOWN_QUEUES))
		abort();
	if (r->pid < 0 || (r->program && r->pid == 0))
		abort();
	if (r->program && memchr(r->program, '\n', strlen(r->program)))
		abort();
	if (renders_exactly(r))
		round_trip(c, r);
	c->rows++;
	return 0;
}

static void complain(void *vctx, size_t lineno, const char *expected)
{
	struct ctx *c = vctx;

	if (lineno == 0 || !expected || !*expected || memchr(expected, '\n', strlen(expected)))
		abort();
	c->bad++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static alignas(max_align_t) unsigned char state[1024];
	static struct ctx c;
	struct row_sink sink = {check_row, complain, &c};
	const char *text = (const char *)data, *bad;
	size_t i = 0, lines = 0;

	if (sizeof state < dump_netstat.state_size || sizeof c.again < dump_netstat.state_size)
		abort();
	c.rows = c.bad = 0;
	if (netstat_opts_parse("-naW", &c.wide, &bad))
		abort();
	dump_netstat.begin(state, NULL);
	dump_netstat.begin(c.again, NULL);
	while (i < size) {
		size_t e = i, before;
		int p;

		/* lines as the reader hands them: no '\n', no '\r' */
		while (e < size && text[e] != '\n' && text[e] != '\r')
			e++;
		if (e - i <= DUMP_LINE_MAX) {
			p = dump_netstat.probe(text + i, e - i);
			if (p < DUMP_PROBE_NO || p > DUMP_PROBE_SURE)
				abort();
			before = c.rows + c.bad;
			lines++;
			if (dump_netstat.line(state, text + i, e - i, lines, &sink) != 0)
				abort();
			if (c.rows + c.bad > before + 1)
				abort();
		}
		i = e + 1;
	}
	if (dump_netstat.end(state, &sink) != 0 || c.rows + c.bad > lines)
		abort();
	buf_fini(&c.out);
	return 0;
}

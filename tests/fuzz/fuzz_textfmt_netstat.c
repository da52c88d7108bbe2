/* fuzz_textfmt_netstat — any bytes as a Linux netstat dump, line by line:
 * every row is well-formed (families, addresses, protocol, state, program)
 * and survives being printed by the net-tools renderer and parsed again; no
 * line gives more than one row or complaint; probe never crashes. */
#include <netinet/in.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "textfmt.h"
#include "netstat.h"
#include "sockrow.h"
#include "tcpstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "fuzz_netstat_rt.h"
#include "fuzzrow.h"

static int check_row(void *vctx, const struct sock_row *r)
{
	struct ctx *c = vctx;

	fuzz_check_addrs(r);
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
	/* names mode: a host name is text of the row, never an address */
	if ((r->lhost && !addr_is_unspecified(&r->local)) ||
	    (r->rhost && !addr_is_unspecified(&r->remote)))
		abort();
	if ((r->lhost || r->rhost) && !(r->named & SOCKROW_NAMED_HOST))
		abort();
	if (renders_exactly(r))
		round_trip(c, r);
	c->rows++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return rt_fuzz_lines(&textfmt_netstat, check_row, data, size);
}

/* fuzz_textfmt_bsd — any bytes as a BSD/macOS netstat -an dump, line by line:
 * every row is well-formed (families, addresses, TCP or UDP, state, no
 * program, a host name only with the unspecified address; the header's
 * column map, names mode) and survives being printed as net-tools would and read by the
 * Linux parser; no line gives more than one row or complaint; probe never
 * crashes. */
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
	if (r->proto != IPPROTO_TCP && r->proto != IPPROTO_UDP)
		abort();
	if (r->state >= ST_MAX_ || r->state == ST_NEW_SYN_RECV)
		abort();
	/* BSD netstat -an says the queues (not -T) and nothing of uid, inode,
	 * timer or process; -T, -x and -R print no TCP state */
	if ((r->unknown & ~SOCKROW_UNKNOWN_QUEUES) !=
	    (SOCKROW_UNKNOWN_UID | SOCKROW_UNKNOWN_INODE | SOCKROW_UNKNOWN_TIMER))
		abort();
	if (r->state == ST_UNKNOWN && r->proto != IPPROTO_TCP)
		abort();
	/* a host name is text of the row, never an address */
	if ((r->lhost && !addr_is_unspecified(&r->local)) ||
	    (r->rhost && !addr_is_unspecified(&r->remote)))
		abort();
	if (r->pid != 0 || r->program)
		abort();
	if (renders_exactly(r))
		round_trip(c, r);
	c->rows++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return rt_fuzz_lines(&textfmt_bsd, check_row, data, size);
}

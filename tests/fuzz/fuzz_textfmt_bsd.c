/* fuzz_textfmt_bsd — any bytes as a BSD/macOS netstat -an dump, line by line:
 * every row is well-formed (families, addresses, TCP or UDP, state, no
 * program) and survives being printed as net-tools would and read by the
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
	if (r->proto != IPPROTO_UDP && r->state == ST_UNKNOWN)
		abort();
	/* BSD netstat -an says the queues and nothing of uid, inode, timer
	 * or process */
	if (r->unknown != (SOCKROW_UNKNOWN_UID | SOCKROW_UNKNOWN_INODE | SOCKROW_UNKNOWN_TIMER))
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

/* Fuzz target for recorder/diag's reply parser: any bytes as one received
 * netlink buffer; the result is a known value, and rows are counted right. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "diag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_row(void *ctx, const struct sock_row *r)
{
	long *calls = ctx;
	if (r->proto != IPPROTO_TCP || r->local.family != r->family ||
	    r->remote.family != r->family || r->pid != 0 || r->program)
		abort();
	/* Bytes past an IPv4 address stay zero so addrs compare with memcmp. */
	if (r->family != AF_INET6)
		for (int i = 4; i < 16; i++)
			if (r->local.a[i] || r->remote.a[i])
				abort();
	(*calls)++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static _Alignas(8) uint8_t buf[65536];
	long calls = 0, rows = 0;
	struct row_sink sink = {on_row, NULL, &calls};

	if (size > sizeof buf)
		return 0;
	memcpy(buf, data, size); /* netlink buffers are aligned */
	int rc = diag_parse(buf, size, 0, 0, IPPROTO_TCP, &sink, &rows);
	if (rows != calls)
		abort();
	if (rc > DIAG_INTR || rc < -4095)
		abort();
	return 0;
}

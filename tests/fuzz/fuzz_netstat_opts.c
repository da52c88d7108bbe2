/* Fuzz target for netstat_opts_parse (the --netstat argument strings): any
 * accepted option set renders a header and rows as whole printable lines. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "netstat.h"
#include "tcpstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_lines(const struct buf *b)
{
	if (!b->len || b->data[b->len - 1] != '\n')
		abort();
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c != '\n' && (c < ' ' || c > '~'))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct netstat_opts o;
	struct sock_row r;
	struct buf out = BUF_INIT;
	const char *bad = NULL;
	char *args;

	if (size > 256)
		return 0;
	args = malloc(size + 1);
	if (!args)
		abort();
	memcpy(args, data, size);
	args[size] = '\0';
	if (netstat_opts_parse(args, &o, &bad) == 0) {
		if (netstat_render_header(&o, &out) < 0)
			abort();
		check_lines(&out);
		memset(&r, 0, sizeof r);
		r.proto = IPPROTO_TCP;
		r.family = AF_INET6;
		r.local.family = AF_INET6;
		r.local.a[15] = 1;
		r.remote.family = AF_INET;
		r.remote.a[0] = 198;
		r.lport = 80;
		r.rport = 40000;
		r.state = ST_SYN_RECV;
		r.pid = 1234;
		r.program = "prog\twith\ncontrols";
		for (int proto = 0; proto < 3; proto++) {
			r.proto = (uint8_t)(proto == 0 ? IPPROTO_TCP : proto == 1 ? IPPROTO_UDP : IPPROTO_RAW);
			buf_reset(&out);
			if (netstat_render_row(&o, &r, &out) < 0)
				abort();
			if (out.len)
				check_lines(&out);
		}
	} else if (!bad) {
		abort();   /* a rejection names the offending argument */
	}
	buf_fini(&out);
	free(args);
	return 0;
}

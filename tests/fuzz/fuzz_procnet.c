/* fuzz_procnet — any bytes as any of the six /proc/net files: every row must
 * render as net-tools would (exactly one line with -a, in exactly one of the
 * listening / non-listening views) and survive the TSV round trip. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netstat.h"
#include "procnet.h"
#include "sockrow.h"
#include "tcpstate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	struct netstat_opts anp, n, nl, wide;
	struct buf out, tsv, scratch;
	size_t rows;
};

static const char *const programs[] = {NULL, "-", "", "my server app", "tab\tnl\nbs\\",
				       "a-very-long-program-name-for-tests"};

static void one_line(const struct buf *b)
{
	if (b->len == 0 || b->data[b->len - 1] != '\n' ||
	    memchr(b->data, '\n', b->len) != b->data + b->len - 1)
		abort();
}

static int check_row(void *vctx, const struct sock_row *in)
{
	struct ctx *c = vctx;
	struct sock_row r = *in, back;
	const char *what;
	int shown_n, shown_nl;

	/* give some rows an owner so -p and the program column are exercised */
	r.pid = (int32_t)(in->inode % 4 == 0 ? 0 : in->inode % 100000);
	r.program = programs[in->inode % (sizeof programs / sizeof programs[0])];
	if (r.pid == 0)
		r.program = NULL;

	buf_reset(&c->out);
	if (netstat_render_row(&c->anp, &r, &c->out) != 1)
		abort();
	one_line(&c->out);
	buf_reset(&c->out);
	if (netstat_render_row(&c->wide, &r, &c->out) != 1)
		abort();
	one_line(&c->out);
	buf_reset(&c->out);
	shown_n = netstat_render_row(&c->n, &r, &c->out);
	shown_nl = netstat_render_row(&c->nl, &r, &c->out);
	if (shown_n < 0 || shown_nl < 0 || shown_n + shown_nl != 1)
		abort();

	buf_reset(&c->tsv);
	if (sockrow_to_tsv(&r, &c->tsv) != 0)
		abort();
	one_line(&c->tsv);
	if (sockrow_from_tsv(c->tsv.data, c->tsv.len, &back, &c->scratch, &what) != 0)
		abort();
	if (r.state == ST_NEW_SYN_RECV)
		r.state = ST_SYN_RECV;   /* written as SYN_RECV by design */
	if (back.proto != r.proto || back.family != r.family || back.state != r.state ||
	    memcmp(&back.local, &r.local, sizeof r.local) != 0 ||
	    memcmp(&back.remote, &r.remote, sizeof r.remote) != 0 || back.lport != r.lport ||
	    back.rport != r.rport || back.rxq != r.rxq || back.txq != r.txq ||
	    back.uid != r.uid || back.inode != r.inode || back.timer != r.timer ||
	    back.expires_ms != r.expires_ms || back.retrans != r.retrans || back.pid != r.pid)
		abort();
	if ((back.program == NULL) != (r.program == NULL) ||
	    (r.program && strcmp(back.program, r.program) != 0))
		abort();
	c->rows++;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		int proto, family;
	} kinds[] = {
		{IPPROTO_TCP, AF_INET}, {IPPROTO_TCP, AF_INET6}, {IPPROTO_UDP, AF_INET},
		{IPPROTO_UDP, AF_INET6}, {IPPROTO_RAW, AF_INET}, {IPPROTO_RAW, AF_INET6},
	};
	struct ctx c;
	struct row_sink sink = {check_row, NULL, &c};
	const char *bad;
	long n;

	if (size < 1)
		return 0;
	memset(&c, 0, sizeof c);
	if (netstat_opts_parse("-anp", &c.anp, &bad) || netstat_opts_parse("-n", &c.n, &bad) ||
	    netstat_opts_parse("-nl", &c.nl, &bad) ||
	    netstat_opts_parse("-naWeo", &c.wide, &bad))
		abort();
	n = procnet_parse((const char *)data + 1, size - 1, kinds[data[0] % 6].proto,
			  kinds[data[0] % 6].family, (data[0] & 0x80) != 0, &sink);
	if (n < 0 || (size_t)n != c.rows)
		abort();
	buf_fini(&c.out);
	buf_fini(&c.tsv);
	buf_fini(&c.scratch);
	return 0;
}
